"""The set-based intake path: a partner batch validated as columns, written in bulk, in chunks.

Flow of :func:`ingest_items` (one partner batch, any size):

1. The batch lock (:func:`batch_lock`) is taken for the whole batch, so no other intake
   changes the prior state the validation reads (overlap and caps are across partners).
2. The batch is cut into chunks of about ``chunk_size`` records **by resident**: residents
   sorted by pseudonym, each chunk a contiguous range of them (copies of one partner record
   id stay together). The core's checks that depend on other records (overlap, caps) are
   per resident, so chunks are independent, and a range of residents keeps the writes to
   the ``(resident, start_at)`` index on neighbouring pages. Each chunk, in turn, is
   validated against the prior state of its residents, fetched with a few set queries
   (:func:`fetch_context`), by the core's vectorised
   :func:`nearzero.inclusion.columnar.validate_columns` (same outcomes as the per-record
   reference :func:`nearzero.inclusion.intake.validate_batch`, checked by a property test);
   a chunk of 100,000 records is a few numpy passes, so no worker processes are needed.
3. Each chunk is written in ONE database transaction (:class:`ChunkWriter`):

   - the ledger transaction row (key: the partner and its credited record ids);
   - one ``inclusion_record`` row per record (SQLite: ``executemany`` INSERT … ON CONFLICT
     in WAL mode, the values common to a group of rows written once into the statement;
     PostgreSQL: COPY into a temporary table, then INSERT … SELECT … ON CONFLICT). Every
     accepted row carries the transaction's id (``tx_id``). A row may only replace a
     stored *rejected* row; the writer checks that every row was written, so a record
     credited meanwhile (which the lock rules out) makes the chunk roll back and be
     validated again instead of being credited twice;
   - the postings, **aggregated**: per (resident, methodology version) one POINT posting
     to the resident of the sum of its records' credited grams, and per methodology version
     the issuance account's −REDUCTION, the pool's +REDUCTION and the pool's −POINT. So each
     transaction balances per asset, and a chunk writes a few postings per resident instead
     of one per record.

   A chunk is all or nothing; a crash loses only the chunk in flight, and submitting the
   batch again credits exactly what is missing (records already credited are refused by the
   core as ``already_credited``; the unique key on (partner, partner record id) and the
   row count check make a double credit impossible).

Trace of an aggregated posting: its records are the ``inclusion_record`` rows with
``tx_id`` = the posting's transaction, ``resident`` = the posting account's name and
``methodology_id || '@' || methodology_version`` = the posting's ``methodology``; their
``credited_g`` sum to its amount (:func:`nearzero.store.ledger.check_invariants`
verifies it for every posting). The pool and issuance postings of a transaction trace to
all its rows of their methodology version.

Why validating chunk by chunk equals validating the whole batch at once: see the core's
module docstring of :mod:`nearzero.inclusion.intake` (per resident, content order).
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from nearzero.inclusion.choices import TRIP_SCENARIOS, ReasonCode, Scenario
from nearzero.inclusion.columnar import (
    EPOCH,
    REASONS,
    SCENARIOS,
    ColumnarResult,
    from_us,
    parse_times,
    validate_columns,
)
from nearzero.inclusion.intake import Consent, CreditedTrip, IntakeContext, Outcome
from nearzero.inclusion.methodology import MethodologyLibrary, MethodologyRef
from nearzero.inclusion.records import RecordKey
from nearzero.inclusion.rules import Scheme
from nearzero.ledger.model import AccountKind, Asset, TxKind

DEFAULT_CHUNK = 100_000
"""Records per database transaction (a chunk of whole residents)."""

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
)
"""Columns of ``inclusion_record`` written by the bulk path, in the order of a row tuple."""

NOT_STORED = frozenset({ReasonCode.ALREADY_CREDITED, ReasonCode.DUPLICATE_IN_BATCH})
"""Outcomes that leave the stored row of the record as it is (its first, or credited, fate)."""

_NOT_STORED_CODES = np.array([r in NOT_STORED for r in REASONS])

I64 = npt.NDArray[np.int64]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What the partner gets back for one item of its batch (``index``: position in it)."""

    index: int
    partner_record_id: str
    accepted: bool
    grams: int
    reason: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "partner_record_id": self.partner_record_id,
            "status": "accepted" if self.accepted else "rejected",
            "grams": self.grams,
            "reason": self.reason,
            "detail": self.detail,
        }


class IngestReport:
    """The outcome of a batch: per-record results in batch order and the totals.

    The bulk path keeps each chunk's outcomes as columns; :attr:`results` builds the
    :class:`RecordResult` objects on first use.
    """

    def __init__(
        self,
        batch: str,
        partner: str,
        results: list[RecordResult] | None = None,
        batch_reason: ReasonCode | None = None,
    ) -> None:
        self.batch = batch
        self.partner = partner
        self.batch_reason = batch_reason
        self.chunks_written = 0
        self.days: set[date] = set()
        self.timings: dict[str, float] = defaultdict(float)
        """Seconds spent: ``chunking``, ``context`` (set queries), ``validate``, ``write``."""
        self._results = results
        self._chunks: list[tuple[I64, ColumnarResult]] = []

    def add_chunk(self, indices: I64, outcome: ColumnarResult) -> None:
        self._chunks.append((indices, outcome))
        self._results = None

    @property
    def results(self) -> list[RecordResult]:
        if self._results is None:
            out: list[RecordResult] = []
            for indices, c in self._chunks:
                codes = c.reason.tolist()
                grams = c.grams.tolist()
                for j, i in enumerate(indices.tolist()):
                    k = codes[j]
                    out.append(
                        RecordResult(
                            i,
                            c.partner_record_id[j],
                            k < 0,
                            grams[j],
                            "" if k < 0 else REASONS[k].value,
                            c.detail.get(j, ""),
                        )
                    )
            out.sort(key=lambda r: r.index)
            self._results = out
        return self._results

    @results.setter
    def results(self, value: list[RecordResult]) -> None:
        self._results = value
        self._chunks = []

    @property
    def records(self) -> int:
        if self._chunks:
            return sum(len(c) for _, c in self._chunks)
        return len(self._results or [])

    @property
    def accepted(self) -> int:
        if self._chunks:
            return sum(int(c.accepted.sum()) for _, c in self._chunks)
        return sum(1 for r in self.results if r.accepted)

    @property
    def credited_g(self) -> int:
        if self._chunks:
            return sum(int(c.grams.sum()) for _, c in self._chunks)
        return sum(r.grams for r in self.results if r.accepted)

    def rejected(self) -> Counter[str]:
        if self._chunks:
            out: Counter[str] = Counter()
            for _, c in self._chunks:
                codes, counts = np.unique(c.reason[c.reason >= 0], return_counts=True)
                for k, m in zip(codes.tolist(), counts.tolist(), strict=True):
                    out[REASONS[k].value] += m
            return out
        return Counter(r.reason for r in self.results if not r.accepted)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "partner": self.partner,
            "records": self.records,
            "accepted": self.accepted,
            "credited_g": self.credited_g,
            "rejected": dict(sorted(self.rejected().items())),
            "batch_reason": self.batch_reason.value if self.batch_reason else None,
        }


def batch_id(partner: str, items: Sequence[Mapping[str, Any]]) -> str:
    """A content id of a batch (SHA-256 of the partner and the canonical items), 32 hex.

    Canonical items: when every item is a dict with the same keys (in any order) and text
    values, the columns in key order, each as its key, its values' lengths and their text
    (:func:`_column_digest`: no JSON encoding per item, a few C passes per column); any
    other batch as ``json.dumps(list(items), sort_keys=True, default=str)``. Either way
    the id depends only on the content (not on the order of keys in an item).
    """
    h = hashlib.sha256(partner.encode())
    if not _column_digest(h, items):
        h.update(json.dumps(list(items), sort_keys=True, default=str).encode())
    return h.hexdigest()[:32]


def _column_digest(h: Any, items: Sequence[Mapping[str, Any]]) -> bool:
    """Feed ``h`` the columns of a batch of same-key, text-valued dicts (False: not such a
    batch, ``h`` untouched)."""
    if not items or set(map(type, items)) != {dict}:
        return False
    shapes = set(map(tuple, items))
    if len({frozenset(s) for s in shapes}) != 1:
        return False
    names = sorted(next(iter(shapes)))
    if set(map(type, names)) != {str}:
        return False
    cols = [list(map(itemgetter(k), items)) for k in names]
    if any(set(map(type, col)) != {str} for col in cols):
        return False
    h.update(b"\x00nearzero-batch-columns/1\x00")
    h.update(len(items).to_bytes(8, "little"))
    for name, col in zip(names, cols, strict=True):
        h.update(len(name).to_bytes(8, "little") + name.encode("utf-8", "surrogatepass"))
        h.update(np.fromiter(map(len, col), np.int64, len(col)).tobytes())
        h.update("".join(col).encode("utf-8", "surrogatepass"))
    return True


# --------------------------------------------------------------------------- partner


@dataclass(frozen=True, slots=True)
class PartnerInfo:
    """What the intake needs of a partner: database id, code, unit, scenarios."""

    id: int
    code: str
    unit_code: str
    scenarios: frozenset[Scenario]
    active: bool


def load_partner(con: Connection, code: str) -> PartnerInfo | None:
    row = con.execute(
        text(
            "SELECT p.id, p.code, u.code, p.scenarios, p.active FROM inclusion_partner p "
            "JOIN demo_unit u ON u.id = p.unit_id WHERE p.code = :c"
        ),
        {"c": code},
    ).first()
    if row is None:
        return None
    raw = row[3] if isinstance(row[3], list) else json.loads(row[3])
    return PartnerInfo(row[0], row[1], row[2], frozenset(Scenario(s) for s in raw), bool(row[4]))


# --------------------------------------------------------------------------- lock


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a bulk step (reference counting still
    frees everything; the step makes no cycles worth collecting). A batch of a million
    parsed items is millions of live objects, and each full collection the step's own
    allocations trigger walks all of them: about 10 % of the intake's time. The collector
    is switched on again afterwards if it was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@contextmanager
def batch_lock(engine: Engine) -> Iterator[None]:
    """Serialise intake batches on one database, across processes; released on crash.

    PostgreSQL: a session-level advisory lock on a connection held for the batch.
    SQLite: an exclusive ``flock`` on ``<database>.intake-lock`` (the OS drops it when the
    process dies). In-memory SQLite has one process: no lock is needed.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as con:
            con.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            con.commit()
            try:
                yield
            finally:
                con.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                con.commit()
        return
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    path = Path(f"{database}.intake-lock")
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_LOCK_KEY = 0x6E7A_1C00  # "nz" + inclusion: the advisory-lock key of the intake


# --------------------------------------------------------------------------- chunking
# --------------------------------------------------------------------------- chunking


def _raw(items: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    if set(map(type, items)) == {dict}:
        return list(map(dict.get, items, repeat(key)))  # type: ignore[arg-type]
    return [it.get(key) if isinstance(it, Mapping) else None for it in items]


def _column(items: Sequence[Mapping[str, Any]], key: str) -> list[str]:
    """One field of every item as stripped text ('' when missing)."""
    raw = _raw(items, key)
    if set(map(type, raw)) == {str}:
        return list(map(str.strip, raw))
    return ["" if x is None else str(x).strip() for x in raw]


@dataclass(frozen=True, slots=True)
class BatchColumns:
    """The fields of a whole batch the chunking and the context scope need, read once:
    resident and partner record id (stripped text), start and end as µs since 1970 where
    :func:`parse_times` reads them (the raw values kept for the others)."""

    resident: npt.NDArray[np.object_]
    rid: npt.NDArray[np.object_]
    raw_times: tuple[list[Any], list[Any]]
    us: tuple[I64, I64]
    ok: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]

    @classmethod
    def of(cls, items: Sequence[Mapping[str, Any]]) -> BatchColumns:
        start, end = _raw(items, "start"), _raw(items, "end")
        (s_us, s_ok), (e_us, e_ok) = parse_times(start), parse_times(end)
        return cls(
            np.asarray(_column(items, "resident_id"), object),
            np.asarray(_column(items, "partner_record_id"), object),
            (start, end),
            (s_us, e_us),
            (s_ok, e_ok),
        )

    def times(
        self, idx: I64
    ) -> tuple[tuple[I64, npt.NDArray[np.bool_]], tuple[I64, npt.NDArray[np.bool_]]]:
        """The parsed start and end times of the items at ``idx`` (:func:`validate_columns`)."""
        return (self.us[0][idx], self.ok[0][idx]), (self.us[1][idx], self.ok[1][idx])

    def scope(self, idx: I64, with_ids: bool = True) -> ChunkScope:
        """The scope of the items at ``idx`` (before parsing; a malformed item only widens
        it); ``with_ids`` False leaves out the record ids (an inexact context lookup)."""
        residents = sorted(set(self.resident[idx].tolist()) - {""})
        rids = sorted(set(self.rid[idx].tolist()) - {""}) if with_ids else []
        known: list[int] = []
        for raw, us, ok in zip(self.raw_times, self.us, self.ok, strict=True):
            sub_us, sub_ok = us[idx], ok[idx]
            if sub_ok.any():
                known += [int(sub_us[sub_ok].min()), int(sub_us[sub_ok].max())]
            for i in idx[~sub_ok].tolist():
                t = _parse_time(raw[i])
                if t is not None:
                    known.append((t - EPOCH) // timedelta(microseconds=1))
        earliest, latest = (from_us(min(known)), from_us(max(known))) if known else (None, None)
        years = frozenset(
            y
            for t in (earliest, latest)
            if t is not None
            for y in range((t - timedelta(days=1)).year, (t + timedelta(days=1)).year + 1)
        )
        return ChunkScope(tuple(residents), tuple(rids), earliest, latest, years)


def chunk_indices(
    items: Sequence[Mapping[str, Any]], chunk_size: int, columns: BatchColumns | None = None
) -> list[I64]:
    """Item positions per chunk: contiguous ranges of residents (sorted by pseudonym) of about
    ``chunk_size`` records each; the copies of one partner record id go with the first."""
    n = len(items)
    if n <= max(1, chunk_size):
        return [np.arange(n, dtype=np.int64)]
    cols = columns or BatchColumns.of(items)
    codes, uniq = pd.factorize(pd.Series(cols.resident, dtype=object), sort=True)
    counts = np.bincount(codes, minlength=len(uniq))
    chunk_of_resident = (np.cumsum(counts) - counts) // max(1, chunk_size)
    chunk = chunk_of_resident[codes]
    rid_codes, rids = pd.factorize(pd.Series(cols.rid, dtype=object))
    repeated = np.bincount(rid_codes, minlength=len(rids))[rid_codes] > 1
    if repeated.any():
        first: dict[int, int] = {}
        for i in np.flatnonzero(repeated).tolist():
            c = first.setdefault(int(rid_codes[i]), int(chunk[i]))
            chunk[i] = c
    order = np.argsort(chunk, kind="stable")
    bounds = np.flatnonzero(np.diff(chunk[order])) + 1
    return [np.asarray(part, np.int64) for part in np.split(order, bounds)]


@dataclass(frozen=True, slots=True)
class ChunkScope:
    """What the store looks up for one chunk (the shape of the core's ``context_scope``)."""

    residents: tuple[str, ...]
    record_ids: tuple[str, ...]
    earliest: datetime | None
    latest: datetime | None
    years: frozenset[int]


def _parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        t = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo is not None else None


def chunk_scope(items: Sequence[Mapping[str, Any]]) -> ChunkScope:
    """The scope of raw items (before parsing; a malformed item only widens it)."""
    return BatchColumns.of(items).scope(np.arange(len(items), dtype=np.int64))


# --------------------------------------------------------------------------- context


def scheme_has_caps(scheme: Scheme, library: MethodologyLibrary) -> bool:
    rules = [scheme.total_caps, *scheme.scenario_caps.values()]
    rules_set = any(r.daily_g is not None or r.yearly_g is not None for r in rules)
    method_caps = any(m.caps.daily_g is not None or m.caps.yearly_g is not None for m in library)
    return rules_set or method_caps


def utc_time(value: Any) -> datetime:
    """A timestamp from the database as an aware UTC datetime (SQLite returns text or naive)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day(value: Any) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


class ScopeQuery:
    """Set queries restricted to the chunk's residents (SQLite: a temp table; PostgreSQL: ANY)."""

    def __init__(self, con: Connection, residents: Sequence[str]) -> None:
        self.con = con
        self.pg = con.dialect.name == "postgresql"
        if not self.pg:
            con.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS nz_scope (r TEXT PRIMARY KEY)")
            con.exec_driver_sql("DELETE FROM nz_scope")
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
    """
    q = ScopeQuery(con, scope.residents)
    times: dict[Any, datetime] = {}  # consents share a few times

    def at(value: Any) -> datetime:
        t = times.get(value)
        if t is None:
            t = times[value] = utc_time(value)
        return t

    consents = [
        Consent(r[0], _SCENARIO_OF[r[1]], at(r[2]), at(r[3]) if r[3] is not None else None)
        for r in q.rows(
            "SELECT s.pseudonym, c.scenario, c.granted_at, c.revoked_at FROM inclusion_consent c "
            "JOIN inclusion_resident s ON s.id = c.resident_id WHERE " + q.where("s.pseudonym")
        )
        if r[1] in _SCENARIO_OF
    ]
    credited: set[RecordKey] = set()
    ids = list(scope.record_ids) if exact_keys else []
    step = 10_000
    if not exact_keys and scope.earliest is not None and scope.latest is not None:
        credited.update(
            RecordKey(partner.code, r[0])
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
        credited.update(RecordKey(partner.code, r[0]) for r in found)
    trips: list[CreditedTrip] = []
    if scope.earliest is not None and scope.latest is not None:
        trip_list = ", ".join(f"'{s.value}'" for s in sorted(TRIP_SCENARIOS))
        trips = [
            CreditedTrip(r[0], utc_time(r[1]), utc_time(r[2]), RecordKey(r[3], r[4]))
            for r in q.rows(
                "SELECT r.resident, r.start_at, r.end_at, p.code, r.partner_record_id "
                "FROM inclusion_record r JOIN inclusion_partner p ON p.id = r.partner_id "
                f"WHERE r.accepted AND r.scenario IN ({trip_list}) AND "
                + q.where("r.resident")
                + " AND r.start_at < :latest AND r.end_at > :earliest",
                latest=time_param(con, scope.latest),
                earliest=time_param(con, scope.earliest),
            )
        ]
    daily: dict[tuple[str, Scenario, date], int] = {}
    yearly: dict[tuple[str, Scenario, int], int] = defaultdict(int)
    if scope.years and scheme_has_caps(scheme, library):
        first, last = date(min(scope.years), 1, 1), date(max(scope.years), 12, 31)
        for r in q.rows(
            "SELECT resident, scenario, day, SUM(credited_g) FROM inclusion_record "
            "WHERE accepted AND " + q.where("resident") + " AND day BETWEEN :first AND :last "
            "GROUP BY resident, scenario, day",
            first=first,
            last=last,
        ):
            d = _day(r[2])
            daily[(r[0], Scenario(r[1]), d)] = int(r[3])
            yearly[(r[0], Scenario(r[1]), d.year)] += int(r[3])
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
    )


_SCENARIO_OF: dict[str, Scenario] = {s.value: s for s in Scenario}


def time_param(con: Connection, t: datetime) -> Any:
    """A bound timestamp comparable with the stored column (SQLite stores naive UTC text)."""
    if con.dialect.name == "sqlite":
        return sqlite_time(t)
    return t


def sqlite_time(t: datetime) -> str:
    """SQLAlchemy's SQLite text form of a UTC timestamp (what ORM rows hold, comparable)."""
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --------------------------------------------------------------------------- rows


def _time_text(t: datetime, pg: bool) -> str:
    return t.astimezone(UTC).isoformat() if pg else sqlite_time(t)


def outcome_row(
    o: Outcome, partner_db_id: int, batch: str, received: str, pg: bool
) -> tuple[Any, ...] | None:
    """The ``inclusion_record`` row of one reference outcome (None: nothing to store)."""
    if o.reason in NOT_STORED or not o.partner_record_id:
        return None
    r, c = o.record, o.credit
    ref = o.methodology
    quantity: Any = None
    unit: str | None = None
    if r is not None and c is not None:
        quantity, unit = str(c.reduction.activity), c.reduction.activity_unit
    elif r is not None:
        for attr, u in (("distance_km", "km"), ("energy_kwh", "kWh"), ("mass_kg", "kg")):
            v = getattr(r, attr)
            if v is not None:
                quantity, unit = str(v), u
                break
    return (
        partner_db_id,
        o.partner_record_id[:128],
        r.resident_id if r else None,
        r.scenario.value if r else None,
        _time_text(r.start, pg) if r else None,
        _time_text(r.end, pg) if r else None,
        r.local_day.isoformat() if r else None,
        quantity,
        unit,
        o.accepted,
        o.reason.value if o.reason else None,
        o.detail or None,
        ref.id if ref else None,
        ref.version if ref else None,
        c.reduction.grams if c else None,
        c.grams if c else 0,
        c.capped_by.value if c and c.capped_by else None,
        batch,
        received,
    )


def credit_batch_key(partner: str, credited_ids: Sequence[str]) -> str:
    """Idempotency key of a chunk's credit transaction: the partner and its credited ids."""
    h = hashlib.sha256(partner.encode())
    h.update("".join(sorted("\x00" + rid for rid in credited_ids)).encode())
    return f"credit-batch:{partner}:{h.hexdigest()[:40]}"


def _times(us: I64, pg: bool) -> list[str]:
    """Timestamps as the store's text: SQLite 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC)."""
    text_ = np.datetime_as_string(us.astype("datetime64[us]"), unit="us")
    if pg:
        return [t + "+00:00" for t in text_.tolist()]
    return np.char.replace(text_, "T", " ").tolist()  # type: ignore[no-any-return]


def _days(days: I64) -> list[str]:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()  # type: ignore[no-any-return]


@dataclass
class ChunkRows:
    """A validated chunk shaped for the store: grouped record rows and aggregated postings.

    plain : (scenario, methodology, unit) → rows (rid, resident, start µs, end µs, quantity,
    grams) of records accepted in full (every other column is the same for the group; the
    database formats the times); other : full :data:`RECORD_COLUMNS` rows (rejected or
    capped records); postings : (resident, methodology ref) → credited grams;
    per_method : ref → grams.
    """

    plain: dict[tuple[str, MethodologyRef, str], list[tuple[Any, ...]]]
    other: list[tuple[Any, ...]]
    postings: dict[tuple[str, str], int]
    per_method: dict[str, int]
    tx_key: str | None
    effective_at: datetime | None
    credited_g: int
    records: int
    days: frozenset[date]

    @property
    def rows(self) -> int:
        return len(self.other) + sum(len(v) for v in self.plain.values())


def chunk_rows(
    c: ColumnarResult, partner: PartnerInfo, batch: str, received: str, pg: bool
) -> ChunkRows:
    """The rows and postings of a validated chunk (see :class:`ChunkRows`)."""
    reason = c.reason
    rids = np.asarray(c.partner_record_id, object)
    residents = np.asarray(c.resident, object)
    quantity = np.asarray(c.quantity, object)
    stored = ~((reason >= 0) & _NOT_STORED_CODES[np.maximum(reason, 0)])
    stored &= np.fromiter(map(bool, c.partner_record_id), np.bool_, len(rids))
    acc = reason < 0
    idx = np.flatnonzero(stored)
    # write in (resident, start) order: neighbouring index pages
    res_codes, _ = pd.factorize(pd.Series(residents[idx], dtype=object), sort=True)
    idx = idx[np.lexsort((c.start_us[idx], res_codes))]
    full = acc & (c.capped < 0) & (c.start_us >= 0)
    plain: dict[tuple[str, MethodologyRef, str], list[tuple[Any, ...]]] = {}
    p_idx = idx[full[idx]]
    if len(p_idx):
        group = c.scenario[p_idx].astype(np.int64) * (len(c.refs) + 1) + c.method[p_idx]
        for g in np.unique(group).tolist():
            rows_idx = p_idx[group == g]
            i0 = int(rows_idx[0])
            key = (SCENARIOS[c.scenario[i0]].value, c.refs[c.method[i0]], c.unit[i0] or "")
            plain[key] = list(
                zip(
                    [str(x)[:128] for x in rids[rows_idx].tolist()],
                    residents[rows_idx].tolist(),
                    c.start_us[rows_idx].tolist(),
                    c.end_us[rows_idx].tolist(),
                    quantity[rows_idx].tolist(),
                    c.grams[rows_idx].tolist(),
                    strict=True,
                )
            )
    other: list[tuple[Any, ...]] = []
    o_idx = idx[~full[idx]]
    if len(o_idx):
        start_txt = _times(c.start_us[o_idx], pg)
        end_txt = _times(c.end_us[o_idx], pg)
        day_txt = _days(c.day[o_idx])
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
                )
            )
    postings: dict[tuple[str, str], int] = {}
    per_method: dict[str, int] = {}
    a_idx = np.flatnonzero(acc)
    tx_key, latest, days = None, None, frozenset[date]()
    if len(a_idx):
        who, names = pd.factorize(pd.Series(residents[a_idx], dtype=object))
        width = max(1, len(c.refs))
        key2 = who * width + c.method[a_idx].astype(np.int64)
        uniq, inverse = np.unique(key2, return_inverse=True)
        sums = np.bincount(inverse.reshape(-1), weights=c.grams[a_idx], minlength=len(uniq))
        for k, total in zip(uniq.tolist(), sums.tolist(), strict=True):
            ref_text = str(c.refs[k % width])
            postings[(str(names[k // width]), ref_text)] = int(total)
            per_method[ref_text] = per_method.get(ref_text, 0) + int(total)
        tx_key = credit_batch_key(partner.code, rids[a_idx].tolist())
        latest = from_us(int(c.end_us[a_idx].max()))
        days = frozenset(EPOCH.date() + timedelta(days=d) for d in np.unique(c.day[a_idx]).tolist())
    return ChunkRows(
        plain, other, postings, per_method, tx_key, latest, int(c.grams.sum()), len(c), days
    )


# --------------------------------------------------------------------------- writing


class RowCountMismatch(RuntimeError):
    """A record row was not written (its id was credited meanwhile): the chunk rolls back."""


def _literal(value: str | int | bool | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


_SQLITE_TIME = (
    "strftime('%Y-%m-%d %H:%M:%S', {0} / 1000000, 'unixepoch') || printf('.%06d', {0} % 1000000)"
)
"""SQL text of µs since 1970 (non-negative) as :func:`sqlite_time` writes it."""
_SQLITE_DAY = "date({0} / 1000000 + 28800, 'unixepoch')"
"""SQL: the local (UTC+8) day of µs since 1970 (non-negative), 'YYYY-MM-DD'."""


class ChunkWriter:
    """Writes validated chunks, one database transaction each (see the module docstring)."""

    def __init__(self, engine: Engine, partner: PartnerInfo, batch: str, received: str) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.partner = partner
        self.batch = batch
        self.received = received

    def _account(self, con: Connection, kind: AccountKind, name: str) -> int:
        con.execute(
            text(
                "INSERT INTO ledger_account (kind, name) VALUES (:k, :n) "
                "ON CONFLICT (kind, name) DO NOTHING"
            ),
            {"k": kind.value, "n": name},
        )
        value = con.execute(
            text("SELECT id FROM ledger_account WHERE kind = :k AND name = :n"),
            {"k": kind.value, "n": name},
        ).scalar_one()
        return int(value)

    def write(self, chunk: ChunkRows, exact: bool = True) -> bool:
        """Write one chunk; False when its credit transaction was already there (a retry).

        Raises :class:`RowCountMismatch` (nothing written) when a row could not be written,
        or, unless the chunk was validated against ``exact`` credited keys, when its credit
        transaction is already there (its ids were credited: validate again).
        """
        with self.engine.begin() as con:
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
            written = (
                self._records_pg(con, chunk, tx_id)
                if self.pg
                else self._records_sqlite(con, chunk, tx_id)
            )
            if written != chunk.rows:
                raise RowCountMismatch(f"{chunk.rows - written} of {chunk.rows} rows not written")
            if tx_id is not None:
                self._postings(con, chunk, tx_id)
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
        for (scenario, ref, unit), rows in chunk.plain.items():
            lit = _literal
            values = (
                f"{lit(self.partner.id)}, ?1, ?2, {lit(scenario)}, {_SQLITE_TIME.format('?3')}, "
                f"{_SQLITE_TIME.format('?4')}, {_SQLITE_DAY.format('?3')}, ?5, {lit(unit)}, "
                f"1, NULL, NULL, {lit(ref.id)}, {lit(ref.version)}, ?6, ?6, NULL, "
                f"{lit(self.batch)}, {lit(self.received)}, {lit(tx_id)}"
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
                [(*r, tx_id if r[9] else None) for r in chunk.other],
            )
            written += c.rowcount
        return written

    def _records_pg(self, con: Connection, chunk: ChunkRows, tx_id: int | None) -> int:
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
                    for g, rows in enumerate(chunk.plain.values()):
                        for row in rows:
                            copy.write_row((g, *row))
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
                    "CAST(:received AS timestamptz), CAST(:tx AS BIGINT) "
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
        """Aggregated postings (module docstring): per resident and methodology, and the
        pool's and issuance account's counter-postings per methodology."""
        pool = self._account(con, AccountKind.POOL, self.partner.unit_code)
        issuance = self._account(con, AccountKind.ISSUANCE, self.partner.unit_code)
        residents = sorted({who for who, _ in chunk.postings})
        ids = self._resident_accounts(con, residents)
        rows: list[tuple[Any, ...]] = []
        for (who, ref), grams in sorted(chunk.postings.items()):
            rows.append((tx_id, ids[who], Asset.POINT.value, grams, ref))
        for ref, grams in sorted(chunk.per_method.items()):
            rows += [
                (tx_id, issuance, Asset.REDUCTION.value, -grams, ref),
                (tx_id, pool, Asset.REDUCTION.value, grams, ref),
                (tx_id, pool, Asset.POINT.value, -grams, ref),
            ]
        sql = (
            "INSERT INTO ledger_posting (tx_id, account_id, asset, amount, methodology) "
            "VALUES (%s, %s, %s, %s, %s)"
            if self.pg
            else "INSERT INTO ledger_posting (tx_id, account_id, asset, amount, methodology) "
            "VALUES (?, ?, ?, ?, ?)"
        )
        raw = con.connection.driver_connection
        assert raw is not None
        if self.pg:
            with raw.cursor() as cur:
                cur.executemany(sql, rows)
        else:
            raw.executemany(sql, rows)

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


# --------------------------------------------------------------------------- the batch


Progress = Callable[[int, int], None]
"""Called with (records done, records in the batch) after each chunk."""


def ingest_items(
    engine: Engine,
    partner: PartnerInfo,
    items: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    batch: str,
    partners: Mapping[str, frozenset[Scenario]],
    library: MethodologyLibrary,
    scheme: Scheme,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> IngestReport:
    """Validate and write a batch chunk by chunk under the batch lock (module docstring),
    under the unit's rules in force (:func:`nearzero.services.inclusion.rules.rules_on`)."""
    report = IngestReport(batch, partner.code)
    pg = engine.dialect.name == "postgresql"
    writer = ChunkWriter(engine, partner, batch, _time_text(now, pg))
    done = 0
    with batch_lock(engine):
        t0 = time.perf_counter()
        columns = BatchColumns.of(items)
        chunks = chunk_indices(items, chunk_size, columns)
        report.timings["chunking"] += time.perf_counter() - t0
        for idx in chunks:
            part = [items[i] for i in idx.tolist()]
            for attempt in range(3):
                t0 = time.perf_counter()
                scope = columns.scope(idx, with_ids=attempt > 0)
                with engine.connect() as con:
                    ctx = fetch_context(
                        con, partner, scope, scheme, library, now, partners,
                        exact_keys=attempt > 0,
                    )  # fmt: skip
                    con.rollback()
                t1 = time.perf_counter()
                outcome = validate_columns(partner.code, part, ctx, times=columns.times(idx))
                rows = chunk_rows(outcome, partner, batch, writer.received, pg)
                t2 = time.perf_counter()
                report.timings["context"] += t1 - t0
                report.timings["validate"] += t2 - t1
                try:
                    if writer.write(rows, exact=attempt > 0):
                        report.chunks_written += 1
                except RowCountMismatch:
                    if attempt == 2:
                        raise
                    continue
                finally:
                    report.timings["write"] += time.perf_counter() - t2
                break
            report.add_chunk(idx, outcome)
            report.days |= rows.days
            done += len(idx)
            if progress is not None:
                progress(done, len(items))
    return report
