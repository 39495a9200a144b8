"""The set-based intake path: a partner batch validated in the core, written in bulk, in chunks.

Flow of :func:`ingest` (one partner batch, any size):

1. The batch lock (:func:`batch_lock`) is taken for the whole batch, so no other intake
   changes the prior state the validation reads (overlap and caps are across partners).
2. The batch is cut into chunks of about ``chunk_size`` records **by resident** (a hash of
   the pseudonym; copies of one partner record id stay together). The core's checks that
   depend on other records (overlap, caps) are per resident, so chunks are independent:
   each one is validated on its own against the prior state of its residents, fetched with
   a few set queries (:func:`fetch_context`; the core's ``context_scope`` names what to
   fetch), by :func:`nearzero.inclusion.intake.validate_batch`, in worker processes.
3. Each chunk is written in ONE database transaction (:class:`ChunkWriter`): the ledger
   transaction row, the record rows (SQLite: ``executemany`` INSERT … ON CONFLICT in WAL
   mode; PostgreSQL: COPY into a temporary table, then INSERT … SELECT … ON CONFLICT), then
   the postings derived in SQL from the rows just written: one POINT posting per credited
   record to its resident, and per methodology version the pool's and the issuance
   account's counter-postings. A chunk is all or nothing; a crash loses only the chunk in
   flight, and submitting the batch again credits exactly what is missing (records already
   credited are refused by the core as ``already_credited``, and the unique key on
   (partner, partner record id) plus postings derived from the rows actually inserted make
   a double credit impossible even without the lock).

Why this is equivalent to validating the whole batch at once: see the core's module
docstring of :mod:`nearzero.inclusion.intake` (per resident, content order).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from nearzero.inclusion.choices import TRIP_SCENARIOS, ReasonCode, Scenario
from nearzero.inclusion.intake import (
    BatchResult,
    Consent,
    CreditedTrip,
    IntakeContext,
    Outcome,
    validate_batch,
)
from nearzero.inclusion.methodology import MethodologyLibrary, load_library
from nearzero.inclusion.records import RecordKey
from nearzero.inclusion.rules import Scheme, load_scheme
from nearzero.ledger.model import AccountKind, Asset, TxKind

DEFAULT_CHUNK = 20_000
"""Records per database transaction (PLATFORM.md measured 10k-row transactions)."""

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


@dataclass
class IngestReport:
    """The outcome of a batch: per-record results in batch order and the totals."""

    batch: str
    partner: str
    results: list[RecordResult] = field(default_factory=list)
    batch_reason: ReasonCode | None = None
    chunks_written: int = 0
    days: set[date] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Seconds spent: ``context`` (set queries), ``wait`` (for validation), ``write``."""

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.results if r.accepted)

    @property
    def credited_g(self) -> int:
        return sum(r.grams for r in self.results if r.accepted)

    def rejected(self) -> Counter[str]:
        return Counter(r.reason for r in self.results if not r.accepted)

    def summary(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "partner": self.partner,
            "records": len(self.results),
            "accepted": self.accepted,
            "credited_g": self.credited_g,
            "rejected": dict(sorted(self.rejected().items())),
            "batch_reason": self.batch_reason.value if self.batch_reason else None,
        }


def batch_id(partner: str, items: Sequence[Mapping[str, Any]]) -> str:
    """A content id of a batch (SHA-256 of the partner and the canonical items), 32 hex."""
    h = hashlib.sha256(partner.encode())
    for item in items:
        h.update(json.dumps(item, sort_keys=True, default=str).encode())
        h.update(b"\n")
    return h.hexdigest()[:32]


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


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key) if isinstance(item, Mapping) else None
    return "" if value is None else str(value).strip()


def chunk_indices(items: Sequence[Mapping[str, Any]], chunk_size: int) -> list[list[int]]:
    """Item positions per chunk: by a hash of the resident, copies of a record id together."""
    n = max(1, -(-len(items) // max(1, chunk_size)))
    if n == 1:
        return [list(range(len(items)))]
    chunks: list[list[int]] = [[] for _ in range(n)]
    by_rid: dict[str, int] = {}
    for i, item in enumerate(items):
        rid = _text(item, "partner_record_id")
        c = by_rid.get(rid)
        if c is None:
            c = zlib.crc32(_text(item, "resident_id").encode()) % n
            by_rid[rid] = c
        chunks[c].append(i)
    return [c for c in chunks if c]


def _parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        t = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo is not None else None


@dataclass(frozen=True, slots=True)
class ChunkScope:
    """What the store looks up for one chunk (the shape of the core's ``context_scope``)."""

    residents: tuple[str, ...]
    record_ids: tuple[str, ...]
    earliest: datetime | None
    latest: datetime | None
    years: frozenset[int]


def chunk_scope(items: Sequence[Mapping[str, Any]]) -> ChunkScope:
    """The scope of raw items (before parsing; a malformed item only widens it)."""
    residents = sorted({_text(i, "resident_id") for i in items} - {""})
    rids = sorted({_text(i, "partner_record_id") for i in items} - {""})
    times = [t for i in items for t in (_parse_time(i.get("start")), _parse_time(i.get("end")))]
    known = [t for t in times if t is not None]
    earliest, latest = (min(known), max(known)) if known else (None, None)
    years = frozenset(
        y
        for t in (earliest, latest)
        if t is not None
        for y in range((t - timedelta(days=1)).year, (t + timedelta(days=1)).year + 1)
    )
    return ChunkScope(tuple(residents), tuple(rids), earliest, latest, years)


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
) -> IntakeContext:
    """The prior state of one chunk, with a few set queries (consents, credited keys, trips,
    credited grams per day and year when a cap applies)."""
    q = ScopeQuery(con, scope.residents)
    consents = [
        Consent(r[0], Scenario(r[1]), utc_time(r[2]), utc_time(r[3]) if r[3] is not None else None)
        for r in q.rows(
            "SELECT s.pseudonym, c.scenario, c.granted_at, c.revoked_at FROM inclusion_consent c "
            "JOIN inclusion_resident s ON s.id = c.resident_id WHERE " + q.where("s.pseudonym")
        )
        if r[1] in Scenario._value2member_map_
    ]
    credited: set[RecordKey] = set()
    ids = list(scope.record_ids)
    step = 10_000
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


def time_param(con: Connection, t: datetime) -> Any:
    """A bound timestamp comparable with the stored column (SQLite stores naive UTC text)."""
    if con.dialect.name == "sqlite":
        return sqlite_time(t)
    return t


def sqlite_time(t: datetime) -> str:
    """SQLAlchemy's SQLite text form of a UTC timestamp (what ORM rows hold, comparable)."""
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True, slots=True)
class ValidatedChunk:
    """A chunk validated by the core: rows to write, results for the partner, ledger key."""

    rows: list[tuple[Any, ...]]
    results: list[RecordResult]
    tx_key: str | None
    effective_at: datetime | None
    credited_g: int
    days: frozenset[date]


@lru_cache(maxsize=8)
def _rules(scheme_name: str) -> tuple[MethodologyLibrary, Scheme]:
    return load_library(), load_scheme(scheme_name)


def _time_text(t: datetime, pg: bool) -> str:
    return t.astimezone(UTC).isoformat() if pg else sqlite_time(t)


def outcome_row(
    o: Outcome, partner_db_id: int, batch: str, received: str, pg: bool
) -> tuple[Any, ...] | None:
    """The ``inclusion_record`` row of one outcome (None: nothing to store)."""
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
    for rid in sorted(credited_ids):
        h.update(b"\x00" + rid.encode())
    return f"credit-batch:{partner}:{h.hexdigest()[:40]}"


def validate_chunk(
    scheme_name: str,
    partner: PartnerInfo,
    indices: Sequence[int],
    items: Sequence[Mapping[str, Any]],
    ctx_parts: tuple[Any, ...],
    batch: str,
    received: str,
    pg: bool,
) -> ValidatedChunk:
    """Run the core on one chunk and shape its outcomes (runs in a worker process)."""
    library, scheme = _rules(scheme_name)
    ctx = IntakeContext(library, scheme, *ctx_parts)
    result: BatchResult = validate_batch(partner.code, list(items), ctx)
    rows: list[tuple[Any, ...]] = []
    results: list[RecordResult] = []
    credited: list[str] = []
    latest: datetime | None = None
    days: set[date] = set()
    total = 0
    for o in result.outcomes:
        row = outcome_row(o, partner.id, batch, received, pg)
        if row is not None:
            rows.append(row)
        grams = o.credit.grams if o.credit else 0
        if o.credit is not None:
            credited.append(o.partner_record_id)
            end = o.credit.record.end
            latest = end if latest is None or end > latest else latest
            days.add(o.credit.record.local_day)
            total += grams
        reason = o.reason.value if o.reason else ""
        results.append(
            RecordResult(indices[o.index], o.partner_record_id, o.accepted, grams, reason, o.detail)
        )
    key = credit_batch_key(partner.code, credited) if credited else None
    return ValidatedChunk(rows, results, key, latest, total, frozenset(days))


# --------------------------------------------------------------------------- writing


class ChunkWriter:
    """Writes validated chunks, one database transaction each (see the module docstring)."""

    def __init__(self, engine: Engine, unit_code: str) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.unit_code = unit_code

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

    def write(self, chunk: ValidatedChunk) -> bool:
        """Write one chunk; False when its credit transaction was already there (a retry)."""
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
                        "memo": f"{len(chunk.results)} records, {chunk.credited_g} g",
                        "digest": hashlib.sha256(
                            f"{chunk.tx_key}:{chunk.credited_g}".encode()
                        ).hexdigest(),
                        "agg": True,
                        "now": time_param(con, now),
                    },
                ).scalar()
                if found is None:
                    return False
                tx_id = int(found)
            if self.pg:
                self._records_pg(con, chunk.rows, tx_id)
            else:
                self._records_sqlite(con, chunk.rows, tx_id)
            if tx_id is not None:
                self._postings(con, tx_id)
        return True

    _UPSERT_SET = ", ".join(
        f"{c} = excluded.{c}"
        for c in RECORD_COLUMNS
        if c not in ("partner_id", "partner_record_id")
    )

    def _records_sqlite(
        self, con: Connection, rows: Sequence[tuple[Any, ...]], tx_id: int | None
    ) -> None:
        cols = ", ".join(RECORD_COLUMNS)
        marks = ", ".join("?" * (len(RECORD_COLUMNS) + 1))
        sql = (
            f"INSERT INTO inclusion_record ({cols}, tx_id) VALUES ({marks}) "
            "ON CONFLICT (partner_id, partner_record_id) DO UPDATE SET "
            f"{self._UPSERT_SET}, tx_id = excluded.tx_id WHERE inclusion_record.accepted = 0"
        )
        con.exec_driver_sql(sql, [(*r, tx_id if r[9] else None) for r in rows])

    def _records_pg(
        self, con: Connection, rows: Sequence[tuple[Any, ...]], tx_id: int | None
    ) -> None:
        cols = ", ".join(RECORD_COLUMNS)
        con.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS nz_record_stage ON COMMIT DELETE ROWS AS "
            f"SELECT {cols} FROM inclusion_record WITH NO DATA"
        )
        raw = con.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f"COPY nz_record_stage ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        con.execute(
            text(
                f"INSERT INTO inclusion_record ({cols}, tx_id) "
                f"SELECT {cols}, CASE WHEN accepted THEN CAST(:tx AS BIGINT) END "
                "FROM nz_record_stage "
                "ON CONFLICT (partner_id, partner_record_id) DO UPDATE SET "
                f"{self._UPSERT_SET}, tx_id = excluded.tx_id "
                "WHERE inclusion_record.accepted = false"
            ),
            {"tx": tx_id},
        )

    def _postings(self, con: Connection, tx_id: int) -> None:
        """Postings derived from the rows this transaction wrote (so they always balance)."""
        pool = self._account(con, AccountKind.POOL, self.unit_code)
        issuance = self._account(con, AccountKind.ISSUANCE, self.unit_code)
        concat = "r.methodology_id || '@' || r.methodology_version"
        params = {"tx": tx_id}
        con.execute(
            text(
                "INSERT INTO ledger_account (kind, name) SELECT DISTINCT 'resident', r.resident "
                "FROM inclusion_record r WHERE r.tx_id = :tx "
                "ON CONFLICT (kind, name) DO NOTHING"
            ),
            params,
        )
        con.execute(
            text(
                "INSERT INTO ledger_posting (tx_id, account_id, asset, amount, record_id, "
                f"methodology) SELECT :tx, a.id, '{Asset.POINT.value}', r.credited_g, r.id, "
                f"{concat} FROM inclusion_record r JOIN ledger_account a "
                "ON a.kind = 'resident' AND a.name = r.resident WHERE r.tx_id = :tx "
                "ORDER BY r.id"
            ),
            params,
        )
        for account, asset, sign in (
            (issuance, Asset.REDUCTION, -1),
            (pool, Asset.REDUCTION, 1),
            (pool, Asset.POINT, -1),
        ):
            con.execute(
                text(
                    "INSERT INTO ledger_posting (tx_id, account_id, asset, amount, methodology) "
                    f"SELECT :tx, :account, '{asset.value}', {sign} * SUM(r.credited_g), {concat} "
                    f"FROM inclusion_record r WHERE r.tx_id = :tx GROUP BY {concat} "
                    f"ORDER BY {concat}"
                ),
                {**params, "account": account},
            )


# --------------------------------------------------------------------------- the batch


Progress = Callable[[int, int], None]
"""Called with (records done, records in the batch) after each chunk."""


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn: a forked child would share the parent's database sockets
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def ingest_items(
    engine: Engine,
    partner: PartnerInfo,
    items: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    batch: str,
    partners: Mapping[str, frozenset[Scenario]],
    scheme_name: str,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Validate and write a batch chunk by chunk under the batch lock (module docstring).

    workers: validation processes (default: the number of CPUs; 0 or a one-chunk batch
    validates in this process).
    """
    library, scheme = _rules(scheme_name)
    report = IngestReport(batch, partner.code)
    chunks = chunk_indices(items, chunk_size)
    writer = ChunkWriter(engine, partner.unit_code)
    pg = engine.dialect.name == "postgresql"
    received = _time_text(now, pg)
    n_workers = (os.cpu_count() or 1) if workers is None else workers
    pool = _pool(n_workers) if n_workers > 0 and len(chunks) > 1 else None
    results: list[RecordResult] = []
    done = 0
    try:
        with batch_lock(engine):

            def submit(idx: list[int]) -> Future[ValidatedChunk] | ValidatedChunk:
                part = [items[i] for i in idx]
                t0 = time.perf_counter()
                with engine.connect() as con:
                    ctx = fetch_context(
                        con, partner, chunk_scope(part), scheme, library, now, partners
                    )
                    con.rollback()
                report.timings["context"] += time.perf_counter() - t0
                ctx_parts = (
                    ctx.now,
                    ctx.partners,
                    tuple(ctx.consents),
                    ctx.credited_keys,
                    tuple(ctx.credited_trips),
                    ctx.credited_daily_g,
                    ctx.credited_yearly_g,
                )
                args = (scheme_name, partner, idx, part, ctx_parts, batch, received, pg)
                if pool is None:
                    return validate_chunk(*args)
                return pool.submit(validate_chunk, *args)

            ahead = max(1, n_workers)
            pending: list[Future[ValidatedChunk] | ValidatedChunk] = []
            queue = list(chunks)
            while queue or pending:
                while queue and len(pending) <= ahead:
                    pending.append(submit(queue.pop(0)))
                head = pending.pop(0)
                t0 = time.perf_counter()
                chunk = head.result() if isinstance(head, Future) else head
                t1 = time.perf_counter()
                if writer.write(chunk):
                    report.chunks_written += 1
                report.timings["wait"] += t1 - t0
                report.timings["write"] += time.perf_counter() - t1
                results.extend(chunk.results)
                report.days |= chunk.days
                done += len(chunk.results)
                if progress is not None:
                    progress(done, len(items))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    results.sort(key=lambda r: r.index)
    report.results = results
    return report
