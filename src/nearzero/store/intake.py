"""The carbon-inclusion intake's SQL: partner, batch lock, prior state, bulk writes.

The intake service (:mod:`nearzero.services.inclusion.intake`) validates a batch chunk by
chunk with the core; this module is what it asks of the database:

- :func:`load_partner` — the partner's database id, unit and scenarios;
- :func:`batch_lock` — one intake batch at a time on a database, across processes;
- :func:`fetch_context` — the prior state of a chunk's residents (consents, credited
  ids, trips, grams per day and year) as the core's
  :class:`~nearzero.inclusion.intake.IntakeContext`, with a few set queries;
- :func:`chunk_rows` and :class:`ChunkWriter` — a validated chunk as ``inclusion_record``
  rows, one aggregated credit transaction and its postings (built by the core's
  :func:`nearzero.inclusion.points.credit_postings`), written in ONE database transaction:
  SQLite ``executemany`` INSERT … ON CONFLICT (the values common to a group of rows written
  once into the statement); PostgreSQL COPY straight into the table (under a savepoint),
  or, when a row meets a stored one of its id, COPY into a temporary table, then INSERT …
  SELECT … ON CONFLICT. A row may only replace a stored *rejected* row; the writer checks
  that every row was written (:class:`RowCountMismatch` otherwise, and the chunk rolls back).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from nearzero.inclusion.choices import (
    SCENARIO_INDEX,
    ClaimKind,
    ReasonCode,
    Scenario,
    all_scenarios,
)
from nearzero.inclusion.columnar import EPOCH, REASONS, SCENARIOS, ColumnarResult, from_us
from nearzero.inclusion.intake import (
    Consent,
    CreditedPeriod,
    CreditedTrip,
    IntakeContext,
    RecordedUse,
)
from nearzero.inclusion.methodology import (
    Formula,
    MethodologyError,
    MethodologyLibrary,
    MethodologyRef,
)
from nearzero.inclusion.points import AccountKind, TxKind, credit_postings
from nearzero.inclusion.records import RecordKey
from nearzero.inclusion.rules import Scheme
from nearzero.ledger.model import Account, Posting
from nearzero.store.dialect import (
    SQLITE_LOCAL_DAY_OF_US,
    SQLITE_TIME_OF_US,
    day_value,
    days_text,
    literal,
    storable,
    stored_text,
    time_param,
    times_text,
    utc_time,
)
from nearzero.store.inclusion_summary import (
    ANY_SCENARIO,
    MONTH,
    YEAR,
    MonthLine,
    Participant,
    SummaryDelta,
    apply as apply_summary,
)

RECORD_COLUMNS = (
    "partner_id",
    "partner_record_id",
    "resident",
    "scenario",
    "start_at",
    "end_at",
    "day",
    "quantity",
    "quantity_unit",
    "accepted",
    "reason",
    "detail",
    "methodology_id",
    "methodology_version",
    "computed_g",
    "credited_g",
    "capped_by",
    "batch",
    "received_at",
    "asset",
    "baseline_g",
    "project_g",
)
"""Columns of ``inclusion_record`` written by the bulk path, in the order of a row tuple."""

_ACCEPTED = RECORD_COLUMNS.index("accepted")

NOT_STORED = frozenset({ReasonCode.ALREADY_CREDITED, ReasonCode.DUPLICATE_IN_BATCH})
"""Outcomes that leave the stored row of the record as it is (its first, or credited, fate)."""

_NOT_STORED_CODES = np.array([r in NOT_STORED for r in REASONS])


# --------------------------------------------------------------------------- partner


@dataclass(frozen=True, slots=True)
class PartnerInfo:
    """What the intake needs of a partner: database id, code, unit, scenarios."""

    id: int
    code: str
    unit_code: str
    scenarios: frozenset[Scenario]
    active: bool
    unit_id: int


def load_partner(con: Connection, code: str) -> PartnerInfo | None:
    if not storable(code):
        return None
    row = con.execute(
        text(
            "SELECT p.id, p.code, u.code AS unit_code, p.scenarios, p.active, p.unit_id "
            "FROM inclusion_partner p "
            "JOIN demo_unit u ON u.id = p.unit_id WHERE p.code = :c"
        ),
        {"c": code},
    ).first()
    if row is None:
        return None
    raw = row.scenarios if isinstance(row.scenarios, list) else json.loads(row.scenarios)
    return PartnerInfo(
        row.id,
        row.code,
        row.unit_code,
        frozenset(Scenario(s) for s in raw),
        bool(row.active),
        int(row.unit_id),
    )


# --------------------------------------------------------------------------- lock


_PROCESS_LOCK = threading.Lock()
"""Batches of one process wait here, holding no database connection (issue #13: batches
waiting for the database lock each held a pooled connection, and the one holding the lock
could then not get the connection it writes with)."""


@contextmanager
def batch_lock(engine: Engine) -> Iterator[Connection]:
    """Serialise intake batches on one database, across processes; released on crash.
    Yields the batch's one connection: every read and chunk transaction of the batch runs
    on it (``with con.begin(): ...``), so a batch holds one pooled connection, never two.

    Within a process, batches wait on a lock before they take a connection. Across
    processes: PostgreSQL, a session-level advisory lock on the batch's connection; SQLite,
    an exclusive ``flock`` on ``<database>.intake-lock`` (the OS drops it when the process
    dies). In-memory SQLite has one process: the process lock is enough.
    """
    with _PROCESS_LOCK:
        if engine.dialect.name == "postgresql":
            with engine.connect() as con:
                con.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
                con.commit()
                try:
                    yield con
                finally:
                    con.rollback()
                    con.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                    con.commit()
            return
        database = make_url(str(engine.url)).database
        if not database or database == ":memory:":
            with engine.connect() as con:
                yield con
            return
        import fcntl

        path = Path(f"{database}.intake-lock")
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                with engine.connect() as con:
                    yield con
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


_LOCK_KEY = 0x6E7A_1C00  # "nz" + inclusion: the advisory-lock key of the intake


# --------------------------------------------------------------------------- context


@dataclass(frozen=True, slots=True)
class ChunkScope:
    """What the store looks up for one chunk (the shape of the core's ``context_scope``)."""

    residents: tuple[str, ...]
    record_ids: tuple[str, ...]
    earliest: datetime | None
    latest: datetime | None
    years: frozenset[int]
    assets: tuple[str, ...] = ()
    """The named assets (``asset_id``) of the chunk's claims: their credited periods are
    read whoever claimed them."""


def scheme_has_caps(scheme: Scheme, library: MethodologyLibrary) -> bool:
    rules = [scheme.total_caps, *scheme.scenario_caps.values()]
    rules_set = any(r.daily_g is not None or r.yearly_g is not None for r in rules)
    method_caps = any(m.caps.daily_g is not None or m.caps.yearly_g is not None for m in library)
    return rules_set or method_caps


class ScopeQuery:
    """Set queries restricted to the chunk's residents (SQLite: a temp table; PostgreSQL: ANY)."""

    def __init__(self, con: Connection, residents: Sequence[str]) -> None:
        residents = [r for r in residents if storable(r)]  # others are on record nowhere
        self.con = con
        self.pg = con.dialect.name == "postgresql"
        if not self.pg:
            con.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS nz_scope (r TEXT PRIMARY KEY)")
            con.exec_driver_sql("DELETE FROM nz_scope")
            if residents:  # an empty executemany is a call without parameters
                con.exec_driver_sql("INSERT INTO nz_scope VALUES (?)", [(r,) for r in residents])
        self.residents = list(residents)

    def where(self, column: str) -> str:
        if self.pg:
            return f"{column} = ANY(:residents)"
        return f"{column} IN (SELECT r FROM nz_scope)"

    def rows(self, sql: str, **params: Any) -> list[Any]:
        if self.pg:
            params["residents"] = self.residents
        return list(self.con.execute(text(sql), params))


def fetch_context(
    con: Connection,
    partner: PartnerInfo,
    scope: ChunkScope,
    scheme: Scheme,
    library: MethodologyLibrary,
    now: datetime,
    partners: Mapping[str, frozenset[Scenario]],
    exact_keys: bool = True,
) -> IntakeContext:
    """The prior state of one chunk, with a few set queries (consents, credited keys, trips,
    credited grams per day and year when a cap applies).

    exact_keys : False looks for the partner's credited ids only among the stored records
    of the chunk's residents in its time range (one index range per resident; this finds
    every record sent again as it was). An id credited with another resident or time is
    then missed, and its row cannot be written (:class:`ChunkWriter` raises
    :class:`RowCountMismatch`); the caller then fetches again with ``exact_keys``.

    PostgreSQL reads with ``enable_seqscan`` off: each query is an index range per
    resident (or id, or asset) of the chunk. A chunk's residents are a share of all the
    residents on record, and the planner, which cannot know they have few or no records
    yet, estimates that share of the table and scans all of it (issue #13 item 5: 0.35 s
    a chunk at a million records, growing with the table, against 0.06 s by the indexes).
    """
    q = ScopeQuery(con, scope.residents)
    if q.pg:  # until the end of the reads (below), or of their transaction on an error
        con.exec_driver_sql("SET LOCAL enable_seqscan = off")
    times: dict[Any, datetime] = {}  # consents share a few times

    def at(value: Any) -> datetime:
        t = times.get(value)
        if t is None:
            t = times[value] = utc_time(value)
        return t

    consents = [
        Consent(
            r.pseudonym,
            Scenario(r.scenario),
            at(r.granted_at),
            at(r.revoked_at) if r.revoked_at is not None else None,
        )
        for r in q.rows(
            "SELECT s.pseudonym, c.scenario, c.granted_at, c.revoked_at FROM inclusion_consent c "
            "JOIN inclusion_resident s ON s.id = c.resident_id WHERE " + q.where("s.pseudonym")
        )
        if r.scenario in SCENARIO_INDEX
    ]
    credited: set[RecordKey] = set()
    ids = [i for i in scope.record_ids if storable(i)] if exact_keys else []
    step = 10_000
    if not exact_keys and scope.earliest is not None and scope.latest is not None:
        credited.update(
            RecordKey(partner.code, r.partner_record_id)
            for r in q.rows(
                "SELECT partner_record_id FROM inclusion_record WHERE "
                + q.where("resident")
                + " AND start_at >= :earliest AND start_at <= :latest AND +partner_id = :p "
                "AND accepted",  # +: search by resident and time, not by the partner's ids
                earliest=time_param(con, scope.earliest),
                latest=time_param(con, scope.latest),
                p=partner.id,
            )
        )
    for start in range(0, len(ids), step):
        part = ids[start : start + step]
        if q.pg:
            found = con.execute(
                text(
                    "SELECT partner_record_id FROM inclusion_record WHERE partner_id = :p "
                    "AND accepted AND partner_record_id = ANY(:ids)"
                ),
                {"p": partner.id, "ids": part},
            )
        else:
            marks = ",".join("?" * len(part))
            found = con.exec_driver_sql(
                "SELECT partner_record_id FROM inclusion_record WHERE partner_id = ? "
                f"AND accepted AND partner_record_id IN ({marks})",
                (partner.id, *part),
            )
        credited.update(RecordKey(partner.code, r.partner_record_id) for r in found)
    trips: list[CreditedTrip] = []
    if scope.earliest is not None and scope.latest is not None:
        trip_list = ", ".join(f"'{s.value}'" for s in all_scenarios() if s.is_trip)
        trips = [
            CreditedTrip(
                r.resident,
                utc_time(r.start_at),
                utc_time(r.end_at),
                RecordKey(r.partner, r.partner_record_id),
            )
            for r in q.rows(
                "SELECT r.resident, r.start_at, r.end_at, p.code AS partner, r.partner_record_id "
                "FROM inclusion_record r JOIN inclusion_partner p ON p.id = r.partner_id "
                f"WHERE r.accepted AND r.scenario IN ({trip_list}) AND "
                + q.where("r.resident")
                + " AND r.start_at < :latest AND r.end_at > :earliest",
                latest=time_param(con, scope.latest),
                earliest=time_param(con, scope.earliest),
            )
        ]
    periods: list[CreditedPeriod] = []
    history: dict[tuple[str, Scenario, str], list[RecordedUse]] = {}
    if scope.earliest is not None and scope.latest is not None:
        periods = _credited_periods(con, q, scope)
        history = _household_history(con, q, scope, library)
    daily: dict[tuple[str, Scenario, date], int] = {}
    yearly: dict[tuple[str, Scenario, int], int] = defaultdict(int)
    if scope.years and scheme_has_caps(scheme, library):
        first, last = date(min(scope.years), 1, 1), date(max(scope.years), 12, 31)
        for r in q.rows(
            "SELECT resident, scenario, day, SUM(credited_g) AS grams FROM inclusion_record "
            "WHERE accepted AND " + q.where("resident") + " AND day BETWEEN :first AND :last "
            "GROUP BY resident, scenario, day",
            first=first,
            last=last,
        ):
            d = day_value(r.day)
            daily[(r.resident, Scenario(r.scenario), d)] = int(r.grams)
            yearly[(r.resident, Scenario(r.scenario), d.year)] += int(r.grams)
    if q.pg:
        con.exec_driver_sql("SET LOCAL enable_seqscan TO DEFAULT")
    return IntakeContext(
        library=library,
        scheme=scheme,
        now=now,
        partners=partners,
        consents=consents,
        credited_keys=frozenset(credited),
        credited_trips=trips,
        credited_daily_g=daily,
        credited_yearly_g=dict(yearly),
        credited_periods=periods,
        household_history=history,
    )


def _credited_periods(con: Connection, q: ScopeQuery, scope: ChunkScope) -> list[CreditedPeriod]:
    """The accepted asset-period claims in the chunk's time range of its residents (by
    ``(resident, start_at)``) and of its named assets, whoever claimed them, through any
    partner (by ``(asset, start_at)``, ``ix_inclusion_record_asset``)."""
    assert scope.earliest is not None and scope.latest is not None
    claims = [s for s in all_scenarios() if s.claim is ClaimKind.ASSET_PERIOD]
    claim_list = ", ".join(f"'{s.value}'" for s in claims) or "''"
    select = (
        "SELECT r.resident, r.scenario, r.asset, r.start_at, r.end_at, "
        "p.code AS partner, r.partner_record_id "
        "FROM inclusion_record r JOIN inclusion_partner p ON p.id = r.partner_id "
        f"WHERE r.accepted AND r.scenario IN ({claim_list}) "
        "AND r.start_at < :latest AND r.end_at > :earliest AND "
    )
    window = {
        "latest": time_param(con, scope.latest),
        "earliest": time_param(con, scope.earliest),
    }
    found = q.rows(select + q.where("r.resident"), **window)
    assets = [a for a in scope.assets if storable(a)]
    step = 10_000
    for start in range(0, len(assets), step):
        part = assets[start : start + step]
        if q.pg:
            found += list(
                con.execute(text(select + "r.asset = ANY(:assets)"), {**window, "assets": part})
            )
        else:
            names = {f"a{k}": a for k, a in enumerate(part)}
            marks = ", ".join(f":{k}" for k in names)
            found += list(con.execute(text(select + f"r.asset IN ({marks})"), {**window, **names}))
    out: dict[RecordKey, CreditedPeriod] = {}
    for r in found:
        key = RecordKey(r.partner, r.partner_record_id)
        if key not in out:
            out[key] = CreditedPeriod(
                r.resident,
                Scenario(r.scenario),
                r.asset or "",
                utc_time(r.start_at),
                utc_time(r.end_at),
                key,
            )
    return list(out.values())


HISTORY_REASONS = ("no_reduction", "daily_cap_reached", "yearly_cap_reached")
"""Refused records whose use still counts in a household's history (the use was measured
and plausible; only the reduction was nil or capped), beside the accepted ones."""


def _household_history(
    con: Connection, q: ScopeQuery, scope: ChunkScope, library: MethodologyLibrary
) -> dict[tuple[str, Scenario, str], list[RecordedUse]]:
    """The chunk's households' recorded uses [kWh] for ``household_baseline`` methodologies:
    per (resident, scenario, asset), the last ``trailing_periods`` (the largest of those
    methodologies) that started before the chunk's earliest time, and those in its range.
    Bounded by the methodology's trailing window, whatever the household's past."""
    assert scope.earliest is not None and scope.latest is not None
    scenarios: set[str] = set()
    window = 0
    for m in library:
        if m.formula is not Formula.HOUSEHOLD_BASELINE:
            continue
        scenarios.add(m.scenario.value)
        for year in scope.years or {scope.earliest.year}:
            try:
                window = max(window, int(m.value("trailing_periods", year)[1]))
            except (MethodologyError, KeyError):
                continue  # not given for the year: the methodology refuses its records
    if not scenarios or window <= 0:
        return {}
    scenario_list = ", ".join(literal(s) for s in sorted(scenarios))
    reasons = ", ".join(literal(r) for r in HISTORY_REASONS)
    recorded = (
        f"r.scenario IN ({scenario_list}) AND r.quantity_unit = 'kWh' "
        f"AND r.quantity IS NOT NULL AND (r.accepted OR r.reason IN ({reasons})) AND "
        + q.where("r.resident")
    )
    times = {
        "earliest": time_param(con, scope.earliest),
        "latest": time_param(con, scope.latest),
    }
    rows = q.rows(
        "SELECT resident, scenario, asset, start_at, end_at, quantity FROM ("
        "SELECT r.resident, r.scenario, r.asset, r.start_at, r.end_at, r.quantity, "
        "ROW_NUMBER() OVER (PARTITION BY r.resident, r.scenario, r.asset "
        "ORDER BY r.start_at DESC) AS back FROM inclusion_record r WHERE "
        + recorded
        + " AND r.start_at < :earliest) h WHERE back <= :window "
        "UNION ALL SELECT r.resident, r.scenario, r.asset, r.start_at, r.end_at, r.quantity "
        "FROM inclusion_record r WHERE "
        + recorded
        + " AND r.start_at >= :earliest AND r.start_at <= :latest",
        window=window,
        **times,
    )
    out: dict[tuple[str, Scenario, str], list[RecordedUse]] = defaultdict(list)
    for r in rows:
        out[(r.resident, Scenario(r.scenario), r.asset or "")].append(
            RecordedUse(utc_time(r.start_at), utc_time(r.end_at), Decimal(str(r.quantity)))
        )
    return dict(out)


# --------------------------------------------------------------------------- rows


def credit_batch_key(partner: str, credited_ids: Sequence[str]) -> str:
    """Idempotency key of a chunk's credit transaction: the partner and its credited ids."""
    h = hashlib.sha256(partner.encode())
    ids = sorted(credited_ids)  # each id after a NUL: "\x00a\x00b" for a and b
    h.update(("\x00" + "\x00".join(ids) if ids else "").encode())
    return f"credit-batch:{partner}:{h.hexdigest()[:40]}"


I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class PlainGroup:
    """The records of a chunk accepted in full with one (scenario, methodology version,
    unit), as columns: every other column is the same for the group (:class:`ChunkRows`).
    Times in µs since 1970 UTC, ``day`` the local (UTC+8) day of the start [days since
    1970-01-01], ``grams`` credited (= computed) [g CO2]."""

    rid: list[str]
    resident: list[str]
    start_us: I64
    end_us: I64
    day: I64
    quantity: list[str | None]
    grams: I64

    def __len__(self) -> int:
        return len(self.rid)

    def rows(self) -> list[tuple[Any, ...]]:
        """(rid, resident, start µs, end µs, quantity, grams) per record."""
        return list(
            zip(
                self.rid,
                self.resident,
                self.start_us.tolist(),
                self.end_us.tolist(),
                self.quantity,
                self.grams.tolist(),
                strict=True,
            )
        )


@dataclass
class ChunkRows:
    """A validated chunk shaped for the store: grouped record rows and aggregated postings.

    plain : (scenario, methodology, unit) → the records accepted in full
    (:class:`PlainGroup`); other : full :data:`RECORD_COLUMNS` rows (rejected or capped
    records); postings : the chunk's credit postings, as the core builds them
    (:func:`nearzero.inclusion.points.credit_postings`: per methodology version the
    issuance, pool and pool postings, per resident and methodology version one posting).
    """

    plain: dict[tuple[str, MethodologyRef, str], PlainGroup]
    other: list[tuple[Any, ...]]
    postings: tuple[Posting, ...]
    tx_key: str | None
    effective_at: datetime | None
    credited_g: int
    records: int
    days: frozenset[date]
    summary: SummaryDelta

    @property
    def rows(self) -> int:
        return len(self.other) + sum(len(v) for v in self.plain.values())


def chunk_rows(
    c: ColumnarResult, partner: PartnerInfo, batch: str, received: str, pg: bool
) -> ChunkRows:
    """The rows and postings of a validated chunk (see :class:`ChunkRows`)."""
    reason = c.reason
    ids = c.partner_record_id
    if "\x00" in "".join(filter(None, ids)):  # only a refused record's raw id
        ids = [stored_text(x) if x else x for x in ids]
    rids = np.asarray(ids, object)
    residents = np.asarray(c.resident, object)
    quantity = np.asarray(c.quantity, object)
    stored = ~((reason >= 0) & _NOT_STORED_CODES[np.maximum(reason, 0)])
    stored &= np.fromiter(map(bool, c.partner_record_id), np.bool_, len(rids))
    acc = reason < 0
    idx = np.flatnonzero(stored)
    # one row per stored id: copies of an id that never parsed (malformed, so not marked
    # duplicate_in_batch) keep the first one sent (one INSERT … ON CONFLICT may not meet a
    # row twice on PostgreSQL)
    rej = idx[reason[idx] >= 0]
    if len(rej):
        keys = pd.Series([str(x)[:128] for x in rids[rej].tolist()], dtype=object)
        credited = rids[idx[reason[idx] < 0]]  # unique already (duplicate_in_batch)
        drop = keys.duplicated(keep="first").to_numpy() | pd.Index(keys).isin(credited)
        if drop.any():
            idx = np.setdiff1d(idx, rej[drop], assume_unique=True)
    # write in (resident, start) order: neighbouring index pages
    res_codes, _ = pd.factorize(pd.Series(residents[idx], dtype=object), sort=True)
    idx = idx[np.lexsort((c.start_us[idx], res_codes))]
    full = acc & (c.capped < 0) & (c.start_us >= 0) & (c.baseline_g < 0)
    if c.asset.count(None) != len(c.asset):  # claims on a named asset: written in full
        full &= np.fromiter((a is None for a in c.asset), np.bool_, len(c))
    plain: dict[tuple[str, MethodologyRef, str], PlainGroup] = {}
    p_idx = idx[full[idx]]
    if len(p_idx):
        group = c.scenario[p_idx].astype(np.int64) * (len(c.refs) + 1) + c.method[p_idx]
        for g in np.unique(group).tolist():
            rows_idx = p_idx[group == g]
            i0 = int(rows_idx[0])
            key = (SCENARIOS[c.scenario[i0]].value, c.refs[c.method[i0]], c.unit[i0] or "")
            plain[key] = PlainGroup(
                _id_texts(rids[rows_idx].tolist()),
                residents[rows_idx].tolist(),
                c.start_us[rows_idx],
                c.end_us[rows_idx],
                c.day[rows_idx],
                quantity[rows_idx].tolist(),
                c.grams[rows_idx],
            )
    other: list[tuple[Any, ...]] = []
    o_idx = idx[~full[idx]]
    if len(o_idx):
        start_txt = times_text(c.start_us[o_idx], pg)
        end_txt = times_text(c.end_us[o_idx], pg)
        day_txt = days_text(c.day[o_idx])
        for j, i in enumerate(o_idx.tolist()):
            rec = bool(c.record[i])
            m = int(c.method[i])
            ref = c.refs[m] if m >= 0 else None
            k = int(reason[i])
            other.append(
                (
                    partner.id,
                    str(rids[i])[:128],
                    c.resident[i] if rec else None,
                    SCENARIOS[c.scenario[i]].value if rec else None,
                    start_txt[j] if rec else None,
                    end_txt[j] if rec else None,
                    day_txt[j] if rec else None,
                    c.quantity[i],
                    c.unit[i],
                    k < 0,
                    None if k < 0 else REASONS[k].value,
                    c.detail.get(i) or None,
                    ref.id if ref else None,
                    ref.version if ref else None,
                    int(c.computed_g[i]) if c.computed_g[i] >= 0 else None,
                    int(c.grams[i]),
                    REASONS[int(c.capped[i])].value if c.capped[i] >= 0 else None,
                    batch,
                    received,
                    c.asset[i] if rec else None,
                    int(c.baseline_g[i]) if c.baseline_g[i] >= 0 else None,
                    int(c.project_g[i]) if c.project_g[i] >= 0 else None,
                )
            )
    postings: tuple[Posting, ...] = ()
    a_idx = np.flatnonzero(acc)
    tx_key, latest, days = None, None, frozenset[date]()
    if len(a_idx):
        ref_text = [str(ref) for ref in c.refs]
        postings = credit_postings(
            partner.unit_code,
            zip(
                residents[a_idx].tolist(),
                [ref_text[k] for k in c.method[a_idx].tolist()],
                c.grams[a_idx].tolist(),
                strict=True,
            ),
        )
        tx_key = credit_batch_key(partner.code, rids[a_idx].tolist())
        latest = from_us(int(c.end_us[a_idx].max()))
        days = frozenset(EPOCH.date() + timedelta(days=d) for d in np.unique(c.day[a_idx]).tolist())
    summary = summary_delta(c, idx[acc[idx]], full, residents)
    return ChunkRows(
        plain, other, postings, tx_key, latest, int(c.grams.sum()), len(c), days, summary
    )


def _id_texts(ids: list[Any]) -> list[str]:
    """Record ids as stored: text, at most 128 characters (a column pass when all are)."""
    if set(map(type, ids)) <= {str} and max(map(len, ids), default=0) <= 128:
        return ids
    return [str(x)[:128] for x in ids]


def summary_delta(
    c: ColumnarResult,
    credited: npt.NDArray[np.intp],
    full: npt.NDArray[np.bool_],
    residents: npt.NDArray[Any],
) -> SummaryDelta:
    """What the chunk's credited rows ``credited`` add to the summaries
    (:mod:`nearzero.store.inclusion_summary`): per month, scenario and methodology version
    the records, credited grams and the grams before caps as written (a record written in
    full stores its credit as both); the residents per month and year, per scenario and for
    any scenario."""
    if not len(credited):
        return SummaryDelta(transaction=False)
    days = c.day[credited]
    grams = c.grams[credited]
    # residents as codes: the distinct (period, scenario, resident) are found on integers
    who, uniq = pd.factorize(pd.Series(residents[credited], dtype=object))
    names = np.asarray(uniq, object)
    frame = pd.DataFrame(
        {
            "month": days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64),
            "year": days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64),
            "scenario": c.scenario[credited].astype(np.int64),
            "method": c.method[credited].astype(np.int64),
            "grams": grams,
            "computed": np.where(full[credited], grams, np.maximum(c.computed_g[credited], 0)),
            "resident": who,
        }
    )
    lines = frame.groupby(["month", "scenario", "method"], sort=True).agg(
        records=("grams", "size"), grams=("grams", "sum"), computed=("computed", "sum")
    )
    first_days: dict[tuple[str, int], date] = {}

    def first_day(kind: str, n: int) -> date:
        d = first_days.get((kind, n))
        if d is None:
            unit = "datetime64[M]" if kind == MONTH else "datetime64[Y]"
            d = first_days[(kind, n)] = np.array(n, unit).astype("datetime64[D]").item()
        return d

    months: list[MonthLine] = []
    for (month, scenario, method), r in zip(
        lines.index.tolist(), lines.itertuples(index=False), strict=True
    ):
        ref = c.refs[method]
        months.append(
            (
                first_day(MONTH, month),
                SCENARIOS[scenario].value,
                ref.id,
                ref.version,
                int(r.records),
                int(r.grams),
                int(r.computed),
            )
        )
    people: list[Participant] = []
    for kind, column in ((MONTH, "month"), (YEAR, "year")):
        for keys, scenario_of in (
            ([column, "scenario", "resident"], True),
            ([column, "resident"], False),
        ):
            seen = frame[keys].drop_duplicates()
            periods = seen[column].tolist()
            people_of = names[seen["resident"].to_numpy()].tolist()
            codes = seen["scenario"].tolist() if scenario_of else [None] * len(people_of)
            people.extend(
                (
                    kind,
                    first_day(kind, p),
                    ANY_SCENARIO if s is None else SCENARIOS[s].value,
                    person,
                )
                for p, s, person in zip(periods, codes, people_of, strict=True)
            )
    return SummaryDelta(months, people, transaction=True)


# --------------------------------------------------------------------------- writing


_UNIQUE_ID = "uq_inclusion_record_partner_id"
"""The unique constraint on (partner_id, partner_record_id)."""

_COPY_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_texts(values: Sequence[str | None]) -> list[str]:
    """Values as fields of PostgreSQL's COPY text format: backslash, tab, newline and
    carriage return escaped (looked for once in the whole column), None as ``\\N``."""
    present = [v for v in values if v is not None]
    joined = "".join(present)
    if any(ch in joined for ch in "\\\t\n\r"):
        return ["\\N" if v is None else v.translate(_COPY_SPECIAL) for v in values]
    if len(present) == len(values):
        return present
    return ["\\N" if v is None else v for v in values]


def copy_lines(group: PlainGroup, partner_id: int, same: tuple[str, ...], tx_id: int | None) -> str:
    """The COPY text lines of ``group`` in the order of :data:`RECORD_COLUMNS` and
    ``tx_id``; ``same``: (scenario, unit, methodology id, version, batch, received at),
    common to the group. Times as ISO text in UTC, the day as 'YYYY-MM-DD'."""
    scenario, unit, mid, version, batch, received = copy_texts(list(same))
    tx = "\\N" if tx_id is None else str(tx_id)
    a = f"{partner_id}\t"
    b = f"\t{scenario}\t"
    c = f"\t{unit}\tt\t\\N\t\\N\t{mid}\t{version}\t"
    d = f"\t\\N\t{batch}\t{received}\t\\N\t\\N\t\\N\t{tx}\n"
    grams = group.grams.tolist()
    return "".join(
        [
            f"{a}{rid}\t{who}{b}{s}\t{e}\t{day}\t{q}{c}{g}\t{g}{d}"
            for rid, who, s, e, day, q, g in zip(
                copy_texts(group.rid),
                copy_texts(group.resident),
                times_text(group.start_us, True),
                times_text(group.end_us, True),
                days_text(group.day),
                copy_texts(group.quantity),
                grams,
                strict=True,
            )
        ]
    )


def stage_lines(group: PlainGroup, grp: int) -> str:
    """The COPY text lines of ``group`` for the staging table ``nz_plain_stage`` (group
    number, id, resident, start and end [µs since 1970 UTC], quantity, grams)."""
    head = f"{grp}\t"
    return "".join(
        [
            f"{head}{rid}\t{who}\t{s}\t{e}\t{q}\t{g}\n"
            for rid, who, s, e, q, g in zip(
                copy_texts(group.rid),
                copy_texts(group.resident),
                group.start_us.tolist(),
                group.end_us.tolist(),
                copy_texts(group.quantity),
                group.grams.tolist(),
                strict=True,
            )
        ]
    )


class RowCountMismatch(RuntimeError):
    """A record row was not written (its id was credited meanwhile): the chunk rolls back."""


class ChunkWriter:
    """Writes validated chunks, one database transaction each, on the batch's connection
    (see the module docstring and :func:`batch_lock`)."""

    def __init__(self, con: Connection, partner: PartnerInfo, batch: str, received: str) -> None:
        self.con = con
        self.pg = con.dialect.name == "postgresql"
        self.partner = partner
        self.batch = batch
        self.received = received
        self.direct = True
        """PostgreSQL: COPY rows straight into the table until one meets a stored row."""
        self.timings: dict[str, float] = defaultdict(float)
        """Seconds spent in the chunks written: ``records`` (the record rows), ``postings``
        (resident accounts and postings), ``summaries`` (:func:`apply_summary`), ``commit``."""

    def _account(self, con: Connection, kind: str, name: str) -> int:
        con.execute(
            text(
                "INSERT INTO ledger_account (kind, name) VALUES (:k, :n) "
                "ON CONFLICT (kind, name) DO NOTHING"
            ),
            {"k": str(kind), "n": name},
        )
        value = con.execute(
            text("SELECT id FROM ledger_account WHERE kind = :k AND name = :n"),
            {"k": str(kind), "n": name},
        ).scalar_one()
        return int(value)

    def write(self, chunk: ChunkRows, exact: bool = True) -> bool:
        """Write one chunk; False when its credit transaction was already there (a retry).

        Raises :class:`RowCountMismatch` (nothing written) when a row could not be written,
        or, unless the chunk was validated against ``exact`` credited keys, when its credit
        transaction is already there (its ids were credited: validate again).
        """
        con = self.con
        with con.begin():
            tx_id: int | None = None
            if chunk.tx_key is not None:
                assert chunk.effective_at is not None
                now = datetime.now(UTC)
                found = con.execute(
                    text(
                        "INSERT INTO ledger_transaction "
                        "(key, kind, effective_at, memo, digest, aggregated, created_at) "
                        "VALUES (:key, :kind, :at, :memo, :digest, :agg, :now) "
                        "ON CONFLICT (key) DO NOTHING RETURNING id"
                    ),
                    {
                        "key": chunk.tx_key,
                        "kind": TxKind.CREDIT.value,
                        "at": time_param(con, chunk.effective_at),
                        "memo": f"{chunk.records} records, {chunk.credited_g} g",
                        "digest": hashlib.sha256(
                            f"{chunk.tx_key}:{chunk.credited_g}".encode()
                        ).hexdigest(),
                        "agg": True,
                        "now": time_param(con, now),
                    },
                ).scalar()
                if found is None:
                    if not exact:
                        raise RowCountMismatch(f"transaction {chunk.tx_key} is already written")
                    return False
                tx_id = int(found)
            t0 = time.perf_counter()
            written = (
                self._records_pg(con, chunk, tx_id)
                if self.pg
                else self._records_sqlite(con, chunk, tx_id)
            )
            if written != chunk.rows:
                raise RowCountMismatch(f"{chunk.rows - written} of {chunk.rows} rows not written")
            t1 = time.perf_counter()
            if tx_id is not None:
                self._postings(con, chunk, tx_id)
            t2 = time.perf_counter()
            apply_summary(con, self.partner.unit_id, self.partner.id, chunk.summary)
            t3 = time.perf_counter()
        self.timings["records"] += t1 - t0
        self.timings["postings"] += t2 - t1
        self.timings["summaries"] += t3 - t2
        self.timings["commit"] += time.perf_counter() - t3
        return True

    _UPSERT_SET = ", ".join(
        f"{c} = excluded.{c}"
        for c in RECORD_COLUMNS
        if c not in ("partner_id", "partner_record_id")
    )
    _CONFLICT = (
        "ON CONFLICT (partner_id, partner_record_id) DO UPDATE SET "
        f"{_UPSERT_SET}, tx_id = excluded.tx_id WHERE inclusion_record.accepted = "
    )

    def _records_sqlite(self, con: Connection, chunk: ChunkRows, tx_id: int | None) -> int:
        cols = ", ".join(RECORD_COLUMNS)
        cur = con.connection.driver_connection
        assert cur is not None
        written = 0
        for (scenario, ref, unit), group in chunk.plain.items():
            rows = group.rows()
            lit = literal
            start, end = SQLITE_TIME_OF_US.format("?3"), SQLITE_TIME_OF_US.format("?4")
            day = SQLITE_LOCAL_DAY_OF_US.format("?3")
            values = (
                f"{lit(self.partner.id)}, ?1, ?2, {lit(scenario)}, {start}, "
                f"{end}, {day}, ?5, {lit(unit)}, "
                f"1, NULL, NULL, {lit(ref.id)}, {lit(ref.version)}, ?6, ?6, NULL, "
                f"{lit(self.batch)}, {lit(self.received)}, NULL, NULL, NULL, {lit(tx_id)}"
            )
            # OR IGNORE first: with an upsert SQLite checks the foreign keys that point at
            # the table for every row. Rows that met a stored one then go through the upsert,
            # which replaces a stored rejected row and leaves an accepted one (not counted).
            into = f"INTO inclusion_record ({cols}, tx_id) VALUES ({values}) "
            c = cur.executemany("INSERT OR IGNORE " + into, rows)
            written += c.rowcount
            if c.rowcount < len(rows):
                c = cur.executemany("INSERT " + into + self._CONFLICT + "0", rows)
                written += c.rowcount
        if chunk.other:
            marks = ", ".join("?" * len(RECORD_COLUMNS))
            c = cur.executemany(
                f"INSERT INTO inclusion_record ({cols}, tx_id) VALUES ({marks}, ?) "
                + self._CONFLICT
                + "0",
                [(*r, tx_id if r[_ACCEPTED] else None) for r in chunk.other],
            )
            written += c.rowcount
        return written

    def _records_pg(self, con: Connection, chunk: ChunkRows, tx_id: int | None) -> int:
        """The chunk's rows: first COPY straight into ``inclusion_record`` (a savepoint
        around it); when a row meets a stored one of the same id (the unique constraint
        refuses it), the savepoint rolls back and the rows go through the staged upsert
        (:meth:`_upsert_pg`), and so do the batch's later chunks (a batch sent again)."""
        if self.direct:
            from psycopg.errors import UniqueViolation

            try:
                with con.begin_nested():
                    self._copy_pg(con, chunk, tx_id)
                return chunk.rows
            except UniqueViolation as exc:
                if exc.diag.constraint_name != _UNIQUE_ID:
                    raise
                self.direct = False
        return self._upsert_pg(con, chunk, tx_id)

    def _copy_pg(self, con: Connection, chunk: ChunkRows, tx_id: int | None) -> None:
        """COPY the chunk's rows into ``inclusion_record`` (the plain groups as text lines
        built a column at a time, :func:`copy_lines`)."""
        cols = ", ".join(RECORD_COLUMNS)
        raw = con.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY inclusion_record ({cols}, tx_id) FROM STDIN") as cp,
        ):
            for (scenario, ref, unit), group in chunk.plain.items():
                cp.write(
                    copy_lines(
                        group,
                        self.partner.id,
                        (scenario, unit, ref.id, ref.version, self.batch, self.received),
                        tx_id,
                    )
                )
            for r in chunk.other:
                cp.write_row((*r, tx_id if r[_ACCEPTED] else None))

    def _upsert_pg(self, con: Connection, chunk: ChunkRows, tx_id: int | None) -> int:
        cols = ", ".join(RECORD_COLUMNS)
        raw = con.connection.driver_connection
        assert raw is not None
        written = 0
        if chunk.plain:
            con.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS nz_plain_stage (grp integer, rid text, "
                "resident text, start_us bigint, end_us bigint, quantity numeric, grams bigint) "
                "ON COMMIT DELETE ROWS"
            )
            con.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS nz_plain_group (grp integer, scenario text, "
                "methodology_id text, methodology_version text, unit text) ON COMMIT DELETE ROWS"
            )
            with raw.cursor() as cur:
                with cur.copy("COPY nz_plain_stage FROM STDIN") as copy:
                    for g, group in enumerate(chunk.plain.values()):
                        copy.write(stage_lines(group, g))
                cur.executemany(
                    "INSERT INTO nz_plain_group VALUES (%s, %s, %s, %s, %s)",
                    [
                        (g, scenario, ref.id, ref.version, unit)
                        for g, (scenario, ref, unit) in enumerate(chunk.plain)
                    ],
                )
            epoch = "timestamptz '1970-01-01 00:00:00+00'"
            result = con.execute(
                text(
                    f"INSERT INTO inclusion_record ({cols}, tx_id) "
                    "SELECT :partner, s.rid, s.resident, g.scenario, "
                    f"{epoch} + s.start_us * interval '1 microsecond', "
                    f"{epoch} + s.end_us * interval '1 microsecond', "
                    f"(({epoch} + (s.start_us + 28800000000) * interval '1 microsecond') "
                    "AT TIME ZONE 'UTC')::date, s.quantity, g.unit, true, NULL, NULL, "
                    "g.methodology_id, g.methodology_version, s.grams, s.grams, NULL, :batch, "
                    "CAST(:received AS timestamptz), NULL, NULL, NULL, CAST(:tx AS BIGINT) "
                    "FROM nz_plain_stage s JOIN nz_plain_group g ON g.grp = s.grp "
                    + self._CONFLICT
                    + "false"
                ),
                {
                    "partner": self.partner.id,
                    "batch": self.batch,
                    "received": self.received,
                    "tx": tx_id,
                },
            )
            written += int(result.rowcount)
        if chunk.other:
            con.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS nz_record_stage ON COMMIT DELETE ROWS AS "
                f"SELECT {cols} FROM inclusion_record WITH NO DATA"
            )
            with raw.cursor() as cur, cur.copy(f"COPY nz_record_stage ({cols}) FROM STDIN") as cp:
                for r in chunk.other:
                    cp.write_row(r)
            result = con.execute(
                text(
                    f"INSERT INTO inclusion_record ({cols}, tx_id) "
                    f"SELECT {cols}, CASE WHEN accepted THEN CAST(:tx AS BIGINT) END "
                    "FROM nz_record_stage " + self._CONFLICT + "false"
                ),
                {"tx": tx_id},
            )
            written += int(result.rowcount)
        return written

    def _postings(self, con: Connection, chunk: ChunkRows, tx_id: int) -> None:
        """The chunk's credit postings (:class:`ChunkRows`), in their order; each carries its
        methodology version (its records are traced through ``tx_id``)."""
        residents = sorted(
            {p.account.name for p in chunk.postings if p.account.kind == AccountKind.RESIDENT}
        )
        ids: dict[Account, int] = {
            Account(AccountKind.RESIDENT, name): i
            for name, i in self._resident_accounts(con, residents).items()
        }
        for p in chunk.postings:
            if p.account not in ids:
                ids[p.account] = self._account(con, p.account.kind, p.account.name)
        rows = [
            (tx_id, ids[p.account], str(p.asset), p.amount, p.trace.methodologies[0])
            for p in chunk.postings
        ]
        cols = "tx_id, account_id, asset, amount, methodology"
        raw = con.connection.driver_connection
        assert raw is not None
        if self.pg:
            with raw.cursor() as cur, cur.copy(f"COPY ledger_posting ({cols}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            raw.executemany(f"INSERT INTO ledger_posting ({cols}) VALUES (?, ?, ?, ?, ?)", rows)

    def _resident_accounts(self, con: Connection, residents: list[str]) -> dict[str, int]:
        raw = con.connection.driver_connection
        assert raw is not None
        kind = AccountKind.RESIDENT.value
        ids: dict[str, int] = {}
        if self.pg:
            with raw.cursor() as cur:
                cur.execute(
                    "INSERT INTO ledger_account (kind, name) SELECT %s, unnest(%s::text[]) "
                    "ON CONFLICT (kind, name) DO NOTHING",
                    (kind, residents),
                )
                cur.execute(
                    "SELECT name, id FROM ledger_account WHERE kind = %s AND name = ANY(%s)",
                    (kind, residents),
                )
                ids = {name: int(i) for name, i in cur.fetchall()}
            return ids
        raw.executemany(
            "INSERT INTO ledger_account (kind, name) VALUES (?, ?) "
            "ON CONFLICT (kind, name) DO NOTHING",
            [(kind, who) for who in residents],
        )
        step = 30_000
        for start in range(0, len(residents), step):
            part = residents[start : start + step]
            marks = ",".join("?" * len(part))
            for name, i in raw.execute(
                f"SELECT name, id FROM ledger_account WHERE kind = ? AND name IN ({marks})",
                (kind, *part),
            ):
                ids[name] = int(i)
        return ids
