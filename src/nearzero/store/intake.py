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
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from nearzero.inclusion.choices import (
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
    ArrayParam,
    copy_texts,
    day_value,
    days_text,
    is_pg,
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
    participant_lines,
)
from nearzero.store.ledger import account_ids

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
"""Columns of ``inclusion_record_full`` the writer fills, in this order."""

OTHER_COLUMNS = tuple(c for c in RECORD_COLUMNS if c not in ("batch", "received_at"))
"""The columns of a record kept in full as :func:`chunk_rows` gives it (:class:`ChunkRows`
``other``): the batch's id and time received are the writer's."""

_ACCEPTED = OTHER_COLUMNS.index("accepted")

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
    """Set queries restricted to the chunk's residents (SQLite: temp tables; PostgreSQL:
    ANY), by pseudonym or, for the narrow record rows, by ``inclusion_resident`` id."""

    def __init__(
        self, con: Connection, residents: Sequence[str], ids: Mapping[str, int] | None = None
    ) -> None:
        """ids : :func:`resident_ids` of ``residents``, when the caller has them."""
        residents = [r for r in residents if storable(r)]  # others are on record nowhere
        self.con = con
        self.pg = con.dialect.name == "postgresql"
        if ids is None:
            ids = resident_ids(con, residents)
        self.pseudonym = {i: who for who, i in ids.items()}
        """The residents on record: ``inclusion_resident`` id → pseudonym."""
        if not self.pg:
            for table, column in (("nz_scope", "r TEXT"), ("nz_scope_id", "i INTEGER")):
                con.exec_driver_sql(
                    f"CREATE TEMP TABLE IF NOT EXISTS {table} ({column} PRIMARY KEY)"
                )
                con.exec_driver_sql(f"DELETE FROM {table}")
            if residents:  # an empty executemany is a call without parameters
                con.exec_driver_sql("INSERT INTO nz_scope VALUES (?)", [(r,) for r in residents])
            if self.pseudonym:
                con.exec_driver_sql(
                    "INSERT INTO nz_scope_id VALUES (?)", [(i,) for i in self.pseudonym]
                )
        self.residents = list(residents)

    def where(self, column: str) -> str:
        if self.pg:
            return f"{column} = ANY(:residents)"
        return f"{column} IN (SELECT r FROM nz_scope)"

    def where_id(self, column: str) -> str:
        """The condition on a resident id column (the planner then reads the index on
        ``(resident_id, start_us)`` per resident, not a range of everyone's times)."""
        if self.pg:
            return f"{column} = ANY(:resident_ids)"
        return f"{column} IN (SELECT i FROM nz_scope_id)"

    def rows(self, sql: str, **params: Any) -> list[Any]:
        if self.pg:
            params["residents"] = ArrayParam(self.residents)
            params["resident_ids"] = ArrayParam(self.pseudonym)
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
    on_record: Mapping[str, int] | None = None,
) -> IntakeContext:
    """The prior state of one chunk, with a few set queries (consents, credited keys, trips,
    credited grams per day and year when a cap applies).

    on_record : :func:`resident_ids` of the chunk's residents, when the caller has them.

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
    q = ScopeQuery(con, scope.residents, on_record)
    if q.pg:  # until the end of the reads (below), or of their transaction on an error
        con.exec_driver_sql("SET LOCAL enable_seqscan = off")
    times: dict[Any, datetime] = {}  # consents share a few times

    def at(value: Any) -> datetime:
        t = times.get(value)
        if t is None:
            t = times[value] = utc_time(value)
        return t

    scenarios = {s.value: s for s in all_scenarios()}  # the registered ones
    consents = [
        Consent(
            q.pseudonym[who],
            scenarios[scenario],
            at(granted),
            at(revoked) if revoked is not None else None,
        )
        for who, scenario, granted, revoked in q.rows(
            "SELECT resident_id, scenario, granted_at, revoked_at FROM inclusion_consent "
            "WHERE " + q.where_id("resident_id")
        )
        if scenario in scenarios
    ]
    credited: set[RecordKey] = set()
    ids = [i for i in scope.record_ids if storable(i)] if exact_keys else []
    step = 10_000
    if not exact_keys and scope.earliest is not None and scope.latest is not None:
        # +: search by resident and time, not by the partner's ids; both record tables
        credited.update(
            RecordKey(partner.code, r.partner_record_id)
            for r in q.rows(
                "SELECT partner_record_id FROM inclusion_record_full WHERE "
                + q.where("resident")
                + " AND start_at >= :earliest AND start_at <= :latest AND +partner_id = :p "
                "AND accepted UNION ALL SELECT partner_record_id FROM inclusion_record_row WHERE "
                + q.where_id("resident_id")
                + " AND start_us >= :earliest_us AND start_us <= :latest_us "
                "AND +partner_id = :p",
                earliest=time_param(con, scope.earliest),
                latest=time_param(con, scope.latest),
                earliest_us=_us(scope.earliest),
                latest_us=_us(scope.latest),
                p=partner.id,
            )
        )
    for start in range(0, len(ids), step):
        part = ids[start : start + step]
        if q.pg:
            found = con.execute(
                text(
                    "SELECT partner_record_id FROM inclusion_record_row WHERE partner_id = :p "
                    "AND accepted AND partner_record_id = ANY(:ids)"
                ),
                {"p": partner.id, "ids": ArrayParam(part)},
            )
        else:
            marks = ",".join("?" * len(part))
            found = con.exec_driver_sql(
                "SELECT partner_record_id FROM inclusion_record_row WHERE partner_id = ? "
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
                "FROM inclusion_record_full r JOIN inclusion_partner p ON p.id = r.partner_id "
                f"WHERE r.accepted AND r.scenario IN ({trip_list}) AND "
                + q.where("r.resident")
                + " AND r.start_at < :latest AND r.end_at > :earliest",
                latest=time_param(con, scope.latest),
                earliest=time_param(con, scope.earliest),
            )
        ]
        trips += [
            CreditedTrip(
                q.pseudonym[r.resident_id],
                from_us(r.start_us),
                from_us(r.end_us),
                RecordKey(r.partner, r.partner_record_id),
            )
            for r in q.rows(
                "SELECT r.resident_id, r.start_us, r.end_us, p.code AS partner, "
                "r.partner_record_id FROM inclusion_record_row r "
                "JOIN inclusion_record_group g ON g.id = r.group_id "
                "JOIN inclusion_partner p ON p.id = r.partner_id "
                f"WHERE g.scenario IN ({trip_list}) AND "
                + q.where_id("r.resident_id")
                + " AND r.start_us < :latest_us AND r.end_us > :earliest_us",
                latest_us=_us(scope.latest),
                earliest_us=_us(scope.earliest),
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
        # the narrow rows by local day number: (start µs + 8 h) // 1 day, on both databases
        local = timedelta(hours=8) // timedelta(microseconds=1)
        day_us = timedelta(days=1) // timedelta(microseconds=1)
        epoch_day = EPOCH.date()
        totals: list[tuple[str, str, date, int]] = [
            (r.resident, r.scenario, day_value(r.day), int(r.grams))
            for r in q.rows(
                "SELECT resident, scenario, day, SUM(credited_g) AS grams "
                "FROM inclusion_record_full WHERE accepted AND "
                + q.where("resident")
                + " AND day BETWEEN :first AND :last GROUP BY resident, scenario, day",
                first=first,
                last=last,
            )
        ]
        totals += [
            (
                q.pseudonym[r.resident_id],
                r.scenario,
                epoch_day + timedelta(days=int(r.day)),
                int(r.grams),
            )
            for r in q.rows(
                f"SELECT r.resident_id, g.scenario, (r.start_us + {local}) / {day_us} AS day, "
                "SUM(r.credited_g) AS grams FROM inclusion_record_row r "
                "JOIN inclusion_record_group g ON g.id = r.group_id WHERE "
                + q.where_id("r.resident_id")
                + " AND r.start_us >= :from_us AND r.start_us < :to_us "
                f"GROUP BY r.resident_id, g.scenario, (r.start_us + {local}) / {day_us}",
                from_us=(first - epoch_day).days * day_us - local,
                to_us=(last - epoch_day).days * day_us + day_us - local,
            )
        ]
        for who, scenario, d, grams in totals:  # a day may have rows in both tables
            daily[(who, Scenario(scenario), d)] = daily.get((who, Scenario(scenario), d), 0) + grams
            yearly[(who, Scenario(scenario), d.year)] += grams
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
    partner (by ``(asset, start_at)``, ``ix_inclusion_record_asset``). A claim is kept in
    full (:class:`ChunkRows`: a claim on a named asset is never a plain row; a claim on the
    resident's own asset is read there too, as an asset-period scenario's records are)."""
    assert scope.earliest is not None and scope.latest is not None
    claims = [s for s in all_scenarios() if s.claim is ClaimKind.ASSET_PERIOD]
    claim_list = ", ".join(f"'{s.value}'" for s in claims) or "''"
    select = (
        "SELECT r.resident, r.scenario, r.asset, r.start_at, r.end_at, "
        "p.code AS partner, r.partner_record_id "
        "FROM inclusion_record_full r JOIN inclusion_partner p ON p.id = r.partner_id "
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
                con.execute(
                    text(select + "r.asset = ANY(:assets)"), {**window, "assets": ArrayParam(part)}
                )
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


def _us(t: datetime) -> int:
    """µs since 1970 UTC (the narrow record row's times)."""
    return (t - EPOCH) // timedelta(microseconds=1)


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

    def rows(self, residents: Mapping[str, int]) -> list[tuple[Any, ...]]:
        """(rid, resident id, start µs, end µs, quantity, grams) per record, the residents'
        ids from ``residents``."""
        return list(
            zip(
                self.rid,
                map(residents.__getitem__, self.resident),
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
    (:class:`PlainGroup`); other : the records kept in full (refused, capped, claims, ER
    splits), as :data:`OTHER_COLUMNS` rows; postings : the chunk's credit postings, as the
    core builds them (:func:`nearzero.inclusion.points.credit_postings`: per methodology version the
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
    prepared: PreparedRows | None = None
    """PostgreSQL: the plain groups' COPY text, made beside the writes (:func:`prepare_rows`)."""

    @property
    def rows(self) -> int:
        if self.prepared is not None:
            return len(self.other) + self.prepared.records
        return len(self.other) + sum(len(v) for v in self.plain.values())


_NO_ROWS = PlainGroup(
    [],
    [],
    np.zeros(0, np.int64),
    np.zeros(0, np.int64),
    np.zeros(0, np.int64),
    [],
    np.zeros(0, np.int64),
)
"""A plain group's place once its rows are in :class:`PreparedRows`."""


@dataclass(frozen=True, slots=True)
class PreparedRows:
    """The COPY text of a chunk's plain groups (:data:`ROW_COLUMNS`), their residents by id
    and their ``inclusion_record_group`` ids reserved from its sequence, in the order of
    :attr:`ChunkRows.plain`."""

    group_ids: tuple[int, ...]
    lines: str
    records: int


def prepare_rows(
    con: Connection, chunk: ChunkRows, partner_id: int, known: Mapping[str, int] | None = None
) -> None:
    """PostgreSQL: make the chunk's COPY text (its plain groups' record rows and its
    participants) where it is validated (the validation worker), so the writer only sends
    it (issue #13 item 5: building it was 0.6 s of a million records on the writer's path,
    and the participants' rows 0.13 s more). The group ids come from the group table's sequence (a
    chunk not written leaves a gap); residents not on record leave it to the writer, which
    refuses them; ``known``: residents' ids the caller has. Nothing is written; the reads'
    transaction is rolled back."""
    if not is_pg(con):
        return
    if chunk.summary.participants:  # their text, not their tuples, goes to the writer
        chunk.summary.copy_text = participant_lines(chunk.summary.participants)
        chunk.summary.participants = []
    if not chunk.plain:
        return
    names = {who for g in chunk.plain.values() for who in g.resident}
    if known is not None and names <= known.keys():
        ids: Mapping[str, int] = known
    else:
        ids = resident_ids(con, sorted(names))
    if names <= ids.keys():
        group_ids = [
            int(i)
            for i in con.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('inclusion_record_group', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": len(chunk.plain)},
            ).scalars()
        ]
        lines = "".join(
            copy_lines(group, partner_id, ids, g)
            for g, group in zip(group_ids, chunk.plain.values(), strict=True)
        )
        records = sum(len(g) for g in chunk.plain.values())
        chunk.prepared = PreparedRows(tuple(group_ids), lines, records)
        # the groups' columns are in the text now: only their keys are sent on
        chunk.plain = {key: _NO_ROWS for key in chunk.plain}
    con.rollback()


def chunk_rows(c: ColumnarResult, partner: PartnerInfo, pg: bool) -> ChunkRows:
    """The rows and postings of a validated chunk (see :class:`ChunkRows`); what every row
    of the batch shares (its id, the time received) is added by the writer."""
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
    res_codes, res_names = pd.factorize(pd.Series(residents[idx], dtype=object), sort=True)
    order = np.lexsort((c.start_us[idx], res_codes))
    idx, res_codes = idx[order], res_codes[order].astype(np.int64)
    # credited in full, a narrow row: not capped, parsed, not an ER = BE − PE split, not a
    # claim on an asset over a period (their periods are read from the full rows)
    full = acc & (c.capped < 0) & (c.start_us >= 0) & (c.baseline_g < 0)
    claims = np.array([s.claim is ClaimKind.ASSET_PERIOD for s in SCENARIOS] + [False])
    full &= ~claims[c.scenario.astype(np.intp)]  # -1 (not parsed): the last, False
    plain: dict[tuple[str, MethodologyRef, str], PlainGroup] = {}
    p_idx = idx[full[idx]]
    if len(p_idx):
        group = c.scenario[p_idx].astype(np.int64) * (len(c.refs) + 1) + c.method[p_idx]
        for g in np.unique(group).tolist():
            rows_idx = p_idx[group == g]
            i0 = int(rows_idx[0])
            key = (SCENARIOS[c.scenario[i0]].value, c.refs[c.method[i0]], c.unit[i0] or "")
            plain[key] = PlainGroup(
                rids[rows_idx].tolist(),  # credited: 1 to 128 printable characters (the core)
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
                    c.asset[i] if rec else None,
                    int(c.baseline_g[i]) if c.baseline_g[i] >= 0 else None,
                    int(c.project_g[i]) if c.project_g[i] >= 0 else None,
                )
            )
    postings: tuple[Posting, ...] = ()
    credited = acc[idx]  # every credited record is stored (it has its id)
    a_idx = idx[credited]
    tx_key, latest, days = None, None, frozenset[date]()
    summary = SummaryDelta(transaction=False)
    if len(a_idx):
        ref_text = [str(ref) for ref in c.refs]
        grams = c.grams[a_idx]
        if (grams <= 0).any():  # the core's refusal, for the record that has it
            i = int(a_idx[np.flatnonzero(grams <= 0)[0]])
            credit_postings(partner.unit_code, [(str(c.resident[i]), "", int(c.grams[i]))])
        # summed per resident and methodology version here (one pass in numpy, not a
        # dictionary update per record): the core sums the sums to the same postings
        who, names = res_codes[credited], list(res_names)  # codes in the names' order
        pair = who * len(c.refs) + c.method[a_idx]
        order = np.argsort(pair, kind="stable")
        ordered = pair[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        pairs = ordered[starts]
        sums = np.add.reduceat(grams[order], starts)  # integer grams, exact
        postings = credit_postings(
            partner.unit_code,
            zip(
                np.asarray(names, object)[pairs // len(c.refs)].tolist(),
                [ref_text[k] for k in (pairs % len(c.refs)).tolist()],
                sums.tolist(),
                strict=True,
            ),
        )
        tx_key = credit_batch_key(partner.code, rids[a_idx].tolist())
        latest = from_us(int(c.end_us[a_idx].max()))
        days = frozenset(EPOCH.date() + timedelta(days=d) for d in np.unique(c.day[a_idx]).tolist())
        summary = summary_delta(c, a_idx, full, who, names)
    return ChunkRows(
        plain, other, postings, tx_key, latest, int(c.grams.sum()), len(c), days, summary
    )


def _distinct(keys: I64, space: int) -> I64:
    """The distinct values of ``keys`` (0 <= key < ``space``), ascending: marked in a table
    when it is small against the keys (one pass), else sorted."""
    if space <= 4 * len(keys) + 4096:
        seen = np.zeros(space, np.bool_)
        seen[keys] = True
        return np.flatnonzero(seen)
    return np.unique(keys)


def summary_delta(
    c: ColumnarResult,
    credited: npt.NDArray[np.intp],
    full: npt.NDArray[np.bool_],
    who: I64,
    names: Sequence[str],
) -> SummaryDelta:
    """What the chunk's credited rows ``credited`` add to the summaries
    (:mod:`nearzero.store.inclusion_summary`): per month, scenario and methodology version
    the records, credited grams and the grams before caps as written (a record written in
    full stores its credit as both); the residents per month and year, per scenario and for
    any scenario. ``who``: the credited rows' residents as positions in ``names`` (sorted),
    so the distinct (period, scenario, resident) are found on integers, and come out in the
    order of the participant key."""
    if not len(credited):
        return SummaryDelta(transaction=False)
    days = c.day[credited].astype("datetime64[D]")
    month = days.astype("datetime64[M]").astype(np.int64)
    year = days.astype("datetime64[Y]").astype(np.int64)
    scenario = c.scenario[credited].astype(np.int64)
    method = c.method[credited].astype(np.int64)
    grams = c.grams[credited]
    computed = np.where(full[credited], grams, np.maximum(c.computed_g[credited], 0))
    ns, nm, nr = len(SCENARIOS), max(len(c.refs), 1), len(names)
    first_days: dict[tuple[str, int], date] = {}

    def first_day(kind: str, n: int) -> date:
        d = first_days.get((kind, n))
        if d is None:
            unit = "datetime64[M]" if kind == MONTH else "datetime64[Y]"
            d = first_days[(kind, n)] = np.array(n, unit).astype("datetime64[D]").item()
        return d

    m0 = int(month.min())
    key = ((month - m0) * ns + scenario) * nm + method
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    records = np.diff(np.r_[starts, len(ordered)])
    sums = np.add.reduceat(grams[order], starts)  # integer grams, exact
    before_caps = np.add.reduceat(computed[order], starts)
    months: list[MonthLine] = []
    for k, n, g, cg in zip(
        ordered[starts].tolist(), records.tolist(), sums.tolist(), before_caps.tolist(), strict=True
    ):
        ref = c.refs[k % nm]
        months.append(
            (
                first_day(MONTH, m0 + k // (ns * nm)),
                SCENARIOS[(k // nm) % ns].value,
                ref.id,
                ref.version,
                n,
                g,
                cg,
            )
        )
    people: list[Participant] = []
    named = np.asarray(names, object)
    values = [sc.value for sc in SCENARIOS]
    for kind, period in ((MONTH, month), (YEAR, year)):
        p0 = int(period.min())
        at = period - p0
        spans = int(at.max()) + 1
        for by_scenario in (True, False):
            if by_scenario:
                found = _distinct((at * ns + scenario) * nr + who, spans * ns * nr)
                periods, scenarios = found // (ns * nr), (found // nr) % ns
                labels = [values[k] for k in scenarios.tolist()]
            else:
                found = _distinct(at * nr + who, spans * nr)
                periods = found // nr
                labels = [ANY_SCENARIO] * len(found)
            firsts = [first_day(kind, p0 + p) for p in periods.tolist()]
            people.extend(
                zip(repeat(kind), firsts, labels, named[found % nr].tolist(), strict=False)
            )
    return SummaryDelta(months, people, transaction=True)


# --------------------------------------------------------------------------- writing


_UNIQUE_ID = "pk_inclusion_record_row"
"""The key of every stored record, (partner_id, partner_record_id) of ``inclusion_record_row``."""

ROW_COLUMNS = (
    "partner_id, partner_record_id, accepted, resident_id, start_us, end_us, quantity, "
    "credited_g, group_id"
)
"""Columns of ``inclusion_record_row`` as the writer fills them."""


def copy_lines(
    group: PlainGroup, partner_id: int, residents: Mapping[str, int], group_id: int
) -> str:
    """The COPY text lines of ``group`` in the order of :data:`ROW_COLUMNS`: the records
    credited in full of one group, their residents by id (``residents``)."""
    head = f"{partner_id}\t"
    tail = f"\t{group_id}\n"
    return "".join(
        [
            f"{head}{rid}\tt\t{who}\t{s}\t{e}\t{q}\t{g}{tail}"
            for rid, who, s, e, q, g in zip(
                copy_texts(group.rid),
                map(residents.__getitem__, group.resident),
                group.start_us.tolist(),
                group.end_us.tolist(),
                copy_texts(group.quantity),
                group.grams.tolist(),
                strict=True,
            )
        ]
    )


def key_lines(partner_id: int, other: Sequence[tuple[Any, ...]]) -> str:
    """The COPY text lines of the key rows (:data:`ROW_COLUMNS`) of records kept in full."""
    flags = ["t" if r[_ACCEPTED] else "f" for r in other]
    ids = copy_texts([r[1] for r in other])
    rest = "\t\\N" * 6
    return "".join([f"{partner_id}\t{rid}\t{a}{rest}\n" for rid, a in zip(ids, flags, strict=True)])


class RowCountMismatch(RuntimeError):
    """A record row was not written (its id was credited meanwhile): the chunk rolls back."""


class ChunkWriter:
    """Writes validated chunks, one database transaction each, on the batch's connection
    (see the module docstring and :func:`batch_lock`).

    A record credited in full is one ``inclusion_record_row`` row (its group written once
    per chunk, ``inclusion_record_group``); any other record is its key row there and its
    row in ``inclusion_record_full`` (migration 0020). A stored record may only be replaced
    while it is refused: its key row's ``accepted`` is false (and its full row goes).
    """

    def __init__(self, con: Connection, partner: PartnerInfo, batch: str, received: str) -> None:
        self.con = con
        self.pg = con.dialect.name == "postgresql"
        self.partner = partner
        self.batch = batch
        self.received = received
        self.direct = True
        """PostgreSQL: COPY rows straight into the tables until one meets a stored row."""
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
            groups = self._groups(con, chunk, tx_id)
            written = (
                self._records_pg(con, chunk, tx_id, groups)
                if self.pg
                else self._records_sqlite(con, chunk, tx_id, groups)
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

    def _groups(
        self, con: Connection, chunk: ChunkRows, tx_id: int | None
    ) -> list[tuple[int, PlainGroup, dict[str, int]]]:
        """Each plain group's ``inclusion_record_group`` row written, with its id, its
        records and its residents' ids (every credited resident is on record: consent)."""
        if not chunk.plain:
            return []
        assert tx_id is not None  # records credited in full make a credit transaction
        ids: dict[str, int] = {}
        reserved: list[int | None] = [None] * len(chunk.plain)
        if chunk.prepared is not None:  # the residents are in its text already
            reserved = list(chunk.prepared.group_ids)
        else:
            names = sorted({who for g in chunk.plain.values() for who in g.resident})
            ids = resident_ids(con, names)
            if len(ids) != len(names):
                missing = sorted(set(names) - set(ids))[:3]
                raise RuntimeError(f"credited residents not on record: {missing}")
        out = []
        for ((scenario, ref, unit), group), given in zip(
            chunk.plain.items(), reserved, strict=True
        ):
            found = con.execute(
                text(
                    "INSERT INTO inclusion_record_group (id, partner_id, scenario, "
                    "quantity_unit, methodology_id, methodology_version, batch, received_at, "
                    "tx_id) VALUES (COALESCE(:id, nextval(pg_get_serial_sequence("
                    "'inclusion_record_group', 'id'))), :p, :s, :u, :m, :v, :b, :r, :t) "
                    "RETURNING id"
                    if self.pg
                    else "INSERT INTO inclusion_record_group (partner_id, scenario, "
                    "quantity_unit, methodology_id, methodology_version, batch, received_at, "
                    "tx_id) VALUES (:p, :s, :u, :m, :v, :b, :r, :t) RETURNING id"
                ),
                {
                    "id": given,
                    "p": self.partner.id,
                    "s": scenario,
                    "u": unit or None,
                    "m": ref.id,
                    "v": ref.version,
                    "b": self.batch,
                    "r": time_param(con, utc_time(self.received)),
                    "t": tx_id,
                },
            ).scalar_one()
            out.append((int(found), group, ids))
        return out

    _ROW_SET = (
        "accepted = excluded.accepted, resident_id = excluded.resident_id, "
        "start_us = excluded.start_us, end_us = excluded.end_us, "
        "quantity = excluded.quantity, credited_g = excluded.credited_g, "
        "group_id = excluded.group_id"
    )
    _ROW_CONFLICT = (
        f"ON CONFLICT (partner_id, partner_record_id) DO UPDATE SET {_ROW_SET} "
        "WHERE inclusion_record_row.accepted = "
    )
    _FULL_SET = ", ".join(
        f"{c} = excluded.{c}"
        for c in RECORD_COLUMNS
        if c not in ("partner_id", "partner_record_id")
    )
    _FULL_CONFLICT = (
        "ON CONFLICT (partner_id, partner_record_id) DO UPDATE SET "
        f"{_FULL_SET}, tx_id = excluded.tx_id WHERE inclusion_record_full.accepted = "
    )

    def _records_sqlite(
        self,
        con: Connection,
        chunk: ChunkRows,
        tx_id: int | None,
        groups: list[tuple[int, PlainGroup, dict[str, int]]],
    ) -> int:
        cur = con.connection.driver_connection
        assert cur is not None
        written = 0
        pid = self.partner.id
        for group_id, group, ids in groups:
            rows = group.rows(ids)
            into = (
                f"INTO inclusion_record_row ({ROW_COLUMNS}) "
                f"VALUES ({pid}, ?1, 1, ?2, ?3, ?4, ?5, ?6, {group_id}) "
            )
            c = cur.executemany("INSERT OR IGNORE " + into, rows)
            written += c.rowcount
            if c.rowcount < len(rows):
                # rows that met a stored one: a refused one is replaced (its full row goes),
                # a credited one stays (and is not counted: the chunk rolls back)
                cur.executemany(
                    "DELETE FROM inclusion_record_full WHERE partner_id = ? "
                    "AND partner_record_id = ? AND NOT accepted",
                    [(pid, r[0]) for r in rows],
                )
                c = cur.executemany("INSERT " + into + self._ROW_CONFLICT + "0", rows)
                written += c.rowcount
        if chunk.other:
            c = cur.executemany(
                f"INSERT INTO inclusion_record_row ({ROW_COLUMNS}) "
                "VALUES (?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL) " + self._ROW_CONFLICT + "0",
                [(pid, r[1], r[_ACCEPTED]) for r in chunk.other],
            )
            written += c.rowcount
            cur.executemany(
                f"INSERT INTO inclusion_record_full ({', '.join(OTHER_COLUMNS)}, batch, "
                f"received_at, tx_id) VALUES ({', '.join('?' * len(OTHER_COLUMNS))}, "
                f"{literal(self.batch)}, {literal(self.received)}, ?) " + self._FULL_CONFLICT + "0",
                [(*r, tx_id if r[_ACCEPTED] else None) for r in chunk.other],
            )
        return written

    def _records_pg(
        self,
        con: Connection,
        chunk: ChunkRows,
        tx_id: int | None,
        groups: list[tuple[int, PlainGroup, dict[str, int]]],
    ) -> int:
        """The chunk's rows: first COPY straight into the tables (a savepoint around it);
        when a row meets a stored one of the same id (the key refuses it), the savepoint
        rolls back and the rows go through the staged upsert (:meth:`_upsert_pg`), and so do
        the batch's later chunks (a batch sent again)."""
        if self.direct:
            from psycopg.errors import UniqueViolation

            try:
                with con.begin_nested():
                    self._copy_pg(con, chunk, tx_id, groups)
                return chunk.rows
            except UniqueViolation as exc:
                if exc.diag.constraint_name != _UNIQUE_ID:
                    raise
                self.direct = False
        return self._upsert_pg(con, chunk, tx_id, groups)

    def _copy_pg(
        self,
        con: Connection,
        chunk: ChunkRows,
        tx_id: int | None,
        groups: list[tuple[int, PlainGroup, dict[str, int]]],
    ) -> None:
        """COPY the chunk's rows (the plain groups as text lines built a column at a time,
        :func:`copy_lines`; the others' key rows, then their full rows)."""
        raw = con.connection.driver_connection
        assert raw is not None
        pid = self.partner.id
        with raw.cursor() as cur:
            with cur.copy(f"COPY inclusion_record_row ({ROW_COLUMNS}) FROM STDIN") as cp:
                if chunk.prepared is not None:
                    cp.write(chunk.prepared.lines)
                for group_id, group, ids in groups if chunk.prepared is None else []:
                    cp.write(copy_lines(group, pid, ids, group_id))
                if chunk.other:
                    cp.write(key_lines(pid, chunk.other))
            if chunk.other:
                cols = ", ".join(OTHER_COLUMNS)
                with cur.copy(
                    f"COPY inclusion_record_full ({cols}, batch, received_at, tx_id) FROM STDIN"
                ) as cp:
                    for r in chunk.other:
                        cp.write_row(
                            (*r, self.batch, self.received, tx_id if r[_ACCEPTED] else None)
                        )

    def _upsert_pg(
        self,
        con: Connection,
        chunk: ChunkRows,
        tx_id: int | None,
        groups: list[tuple[int, PlainGroup, dict[str, int]]],
    ) -> int:
        raw = con.connection.driver_connection
        assert raw is not None
        pid = self.partner.id
        written = 0
        if groups:
            con.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS nz_row_stage (partner_id integer, rid text, "
                "accepted boolean, resident_id integer, start_us bigint, end_us bigint, "
                "quantity numeric, grams bigint, grp bigint) ON COMMIT DELETE ROWS"
            )
            with raw.cursor() as cur, cur.copy("COPY nz_row_stage FROM STDIN") as copy:
                if chunk.prepared is not None:
                    copy.write(chunk.prepared.lines)
                for group_id, group, ids in groups if chunk.prepared is None else []:
                    copy.write(copy_lines(group, pid, ids, group_id))
            con.exec_driver_sql(  # a refused record replaced: its full row goes
                "DELETE FROM inclusion_record_full f USING nz_row_stage s "
                f"WHERE f.partner_id = {pid} AND f.partner_record_id = s.rid AND NOT f.accepted"
            )
            result = con.exec_driver_sql(
                f"INSERT INTO inclusion_record_row ({ROW_COLUMNS}) SELECT * FROM nz_row_stage "
                + self._ROW_CONFLICT
                + "false"
            )
            written += int(result.rowcount)
        if chunk.other:
            cols = ", ".join(OTHER_COLUMNS)
            con.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS nz_other_stage ON COMMIT DELETE ROWS AS "
                f"SELECT {cols} FROM inclusion_record_full WITH NO DATA"
            )
            with raw.cursor() as cur, cur.copy(f"COPY nz_other_stage ({cols}) FROM STDIN") as cp:
                for r in chunk.other:
                    cp.write_row(r)
            result = con.exec_driver_sql(
                f"INSERT INTO inclusion_record_row ({ROW_COLUMNS}) "
                "SELECT partner_id, partner_record_id, accepted, NULL, NULL, NULL, NULL, NULL, "
                "NULL FROM nz_other_stage " + self._ROW_CONFLICT + "false"
            )
            written += int(result.rowcount)
            con.execute(
                text(
                    f"INSERT INTO inclusion_record_full ({cols}, batch, received_at, tx_id) "
                    f"SELECT {cols}, :batch, CAST(:received AS timestamptz), "
                    "CASE WHEN accepted THEN CAST(:tx AS BIGINT) END "
                    "FROM nz_other_stage " + self._FULL_CONFLICT + "false"
                ),
                {"tx": tx_id, "batch": self.batch, "received": self.received},
            )
        return written

    def _postings(self, con: Connection, chunk: ChunkRows, tx_id: int) -> None:
        """The chunk's credit postings (:class:`ChunkRows`), in their order; each carries its
        methodology version (its records are traced through ``tx_id``)."""
        kind = AccountKind.RESIDENT
        residents = [p.account.name for p in chunk.postings if p.account.kind == kind]
        ids: dict[Account, int] = {
            Account(kind, name): i for name, i in account_ids(con, kind.value, residents).items()
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


def resident_ids(con: Connection, pseudonyms: Sequence[str]) -> dict[str, int]:
    """The ``inclusion_resident`` ids of the residents among ``pseudonyms`` on record."""
    ids: dict[str, int] = {}
    if is_pg(con):
        for name, i in con.execute(
            text("SELECT pseudonym, id FROM inclusion_resident WHERE pseudonym = ANY(:p)"),
            {"p": ArrayParam(pseudonyms)},
        ):
            ids[name] = int(i)
        return ids
    raw = con.connection.driver_connection
    assert raw is not None
    step = 30_000
    for start in range(0, len(pseudonyms), step):
        part = pseudonyms[start : start + step]
        marks = ",".join("?" * len(part))
        for name, i in raw.execute(
            f"SELECT pseudonym, id FROM inclusion_resident WHERE pseudonym IN ({marks})", part
        ):
            ids[name] = int(i)
    return ids
