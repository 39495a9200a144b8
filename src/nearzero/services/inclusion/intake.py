"""The set-based intake path: a partner batch validated as columns, written in bulk, in chunks.

Flow of :func:`ingest_items` (one partner batch, any size):

1. The batch lock (:func:`nearzero.store.intake.batch_lock`) is taken for the whole batch,
   so no other intake changes the prior state the validation reads (overlap and caps are
   across partners). The batch then works on one database connection, the lock's.
2. The batch is cut into chunks of about ``chunk_size`` records **by resident**: residents
   sorted by pseudonym, each chunk a contiguous range of them (copies of one partner record
   id stay together). The core's checks that depend on other records (overlap, caps) are
   per resident, so chunks are independent, and a range of residents keeps the writes to
   the ``(resident, start_at)`` index on neighbouring pages. Each chunk, in turn, is
   validated against the prior state of its residents, fetched with a few set queries
   (:func:`nearzero.store.intake.fetch_context`), by the core's rule set
   :func:`nearzero.inclusion.columnar.validate_columns`. The batch's fields are read once
   (:func:`~nearzero.inclusion.columnar.same_key_columns`) for its id, the chunks and the
   core. A batch of several chunks is validated by a :class:`ValidationWorker`, a process
   forked with the batch in memory, chunk after chunk while this process writes the chunk
   before (issue #13 item 5: validating and writing each took about half of the intake,
   and the interpreter lock kept them from overlapping in one process).
3. Each chunk is written in ONE database transaction
   (:class:`nearzero.store.intake.ChunkWriter`):

   - the ledger transaction row (key: the partner and its credited record ids);
   - one ``inclusion_record`` row per record; every accepted row carries the
     transaction's id (``tx_id``). A row may only replace a stored *rejected* row; the
     writer checks that every row was written, so a record credited meanwhile (which the
     lock rules out) makes the chunk roll back and be validated again instead of being
     credited twice;
   - the postings, **aggregated**, as the core builds them
     (:func:`nearzero.inclusion.points.credit_postings`): per (resident, methodology
     version) one POINT posting to the resident of the sum of its records' credited grams,
     and per methodology version the issuance account's −REDUCTION, the pool's +REDUCTION
     and the pool's −POINT. So each transaction balances per asset, and a chunk writes a
     few postings per resident instead of one per record.

   A chunk is all or nothing; a crash loses only the chunk in flight, and submitting the
   batch again credits exactly what is missing (records already credited are refused by the
   core as ``already_credited``; the unique key on (partner, partner record id) and the
   row count check make a double credit impossible).

Trace of an aggregated posting: its records are the ``inclusion_record`` rows with
``tx_id`` = the posting's transaction, ``resident`` = the posting account's name and
``methodology_id || '@' || methodology_version`` = the posting's ``methodology``; their
``credited_g`` sum to its amount (:func:`nearzero.store.inclusion_ledger.check_invariants`
verifies it for every posting). The pool and issuance postings of a transaction trace to
all its rows of their methodology version.

Why validating chunk by chunk equals validating the whole batch at once: see the core's
module docstring of :mod:`nearzero.inclusion.columnar` (per resident, content order).
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import repeat
from operator import itemgetter
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.inclusion.columnar import (
    EPOCH,
    REASONS,
    ColumnarResult,
    from_us,
    parse_times,
    same_key_columns,
    validate_columns,
)
from nearzero.inclusion.intake import IntakeContext
from nearzero.inclusion.methodology import MethodologyLibrary
from nearzero.inclusion.records import in_calendar
from nearzero.inclusion.rules import Scheme
from nearzero.store.dialect import storable, time_text
from nearzero.store.intake import (
    ChunkRows,
    ChunkScope,
    ChunkWriter,
    PartnerInfo,
    RowCountMismatch,
    batch_lock,
    chunk_rows,
    fetch_context,
    prepare_rows,
    resident_ids,
)

DEFAULT_CHUNK = 100_000
"""Records per database transaction (a chunk of whole residents)."""

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
        """Seconds spent: ``chunking`` (the batch's fields read once, its id when not given,
        the chunks), ``context`` (set queries), ``validate`` (the core), ``rows`` (the
        validated chunk as rows, postings and summary lines), ``write`` (the chunk
        transactions, retries included, from the start of each to its end) and, of the
        written chunks, ``write.records``, ``write.postings``, ``write.summaries``,
        ``write.commit`` (:attr:`~nearzero.store.intake.ChunkWriter.timings`). With a
        :class:`ValidationWorker`, ``context``, ``validate`` and ``rows`` include the
        worker's seconds, beside the writes; ``worker`` is their sum, ``worker.wait`` the
        time this process waited for the worker's results."""
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


def batch_id(
    partner: str,
    items: Sequence[Mapping[str, Any]],
    fields: Mapping[str, list[Any]] | None = None,
) -> str:
    """A content id of a batch (SHA-256 of the partner and the canonical items), 32 hex.

    Canonical items: when every item is a dict with the same keys (in any order) and text
    values, the columns in key order, each as its key and its values (:func:`_column_digest`:
    no JSON encoding per item, a few C passes per column); any other batch as
    ``json.dumps(list(items), sort_keys=True, default=str)``. Either way the id depends only
    on the content (not on the order of keys in an item).

    fields : :func:`~nearzero.inclusion.columnar.same_key_columns` of ``items`` when the
    caller has read them already.
    """
    h = hashlib.sha256(partner.encode())
    columns = _column_digest(h.copy(), items, fields)
    if columns is None:
        h.update(json.dumps(list(items), sort_keys=True, default=str).encode())
    else:
        h = columns
    return h.hexdigest()[:32]


def _column_digest(
    h: Any, items: Sequence[Mapping[str, Any]], fields: Mapping[str, list[Any]] | None
) -> Any:
    """``h`` fed the columns of a batch of same-key, text-valued dicts; None for any other
    batch. A column is its values joined by NUL: with the number of items known, exactly
    ``n - 1`` NULs split it one way only; a column whose values hold a NUL themselves is fed
    as its values' lengths and their text instead (issue #13 item 5: the lengths of every
    column were a fifth of reading a batch)."""
    if fields is None:
        fields = same_key_columns(items)
    if fields is None:
        return None
    h.update(b"\x00nearzero-batch-columns/2\x00")
    h.update(len(items).to_bytes(8, "little"))
    for name in sorted(fields):
        col = fields[name]
        try:
            joined = "\x00".join(col)  # a value that is not text: TypeError
        except TypeError:
            return None
        h.update(len(name).to_bytes(8, "little") + name.encode("utf-8", "surrogatepass"))
        if joined.count("\x00") == max(len(col) - 1, 0):
            data = b"s" + joined.encode("utf-8", "surrogatepass")
        else:
            lengths = np.fromiter(map(len, col), np.int64, len(col)).tobytes()
            data = b"l" + lengths + "".join(col).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))  # each column's bytes counted: no shift
        h.update(data)
    return h


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


# --------------------------------------------------------------------------- chunking


def _raw(
    items: Sequence[Mapping[str, Any]], key: str, fields: Mapping[str, list[Any]] | None = None
) -> list[Any]:
    if fields is not None:
        return fields.get(key) or [None] * len(items)
    if set(map(type, items)) == {dict}:
        return list(map(dict.get, items, repeat(key)))  # type: ignore[arg-type]
    return [it.get(key) if isinstance(it, Mapping) else None for it in items]


def _objects(values: list[Any]) -> npt.NDArray[np.object_]:
    """A list as a one-dimensional object array (whatever its values are)."""
    return np.fromiter(values, object, len(values))


def _column(
    items: Sequence[Mapping[str, Any]], key: str, fields: Mapping[str, list[Any]] | None
) -> list[str]:
    """One field of every item as stripped text ('' when missing)."""
    if fields is not None and key not in fields:
        return [""] * len(items)
    raw = _raw(items, key, fields)
    if set(map(type, raw)) == {str}:
        return list(map(str.strip, raw))
    return ["" if x is None else str(x).strip() for x in raw]


def _picker(idx: I64) -> Callable[[list[Any]], list[Any]]:
    """A function that takes the values at ``idx`` of a list (one C call per list)."""
    at = idx.tolist()
    if len(at) == 1:
        (i,) = at
        return lambda values: [values[i]]
    if not at:
        return lambda values: []
    get = itemgetter(*at)
    return lambda values: list(get(values))


Times = tuple[tuple[I64, npt.NDArray[np.bool_]], tuple[I64, npt.NDArray[np.bool_]]]
"""Start and end of some items as µs since 1970 UTC, and where :func:`parse_times` read them."""


@dataclass(frozen=True, slots=True)
class BatchColumns:
    """The fields of a whole batch the chunking and the context scope need, read once:
    resident and partner record id (stripped text), the raw start and end, the asset; and,
    for a batch of same-key dicts, every field (:func:`same_key_columns`), sliced per chunk
    for the core. Times are parsed a chunk at a time (:meth:`times`), where the chunk is
    validated (in the validation worker, when there is one)."""

    resident: npt.NDArray[np.object_]
    rid: npt.NDArray[np.object_]
    raw_times: tuple[list[Any], list[Any]]
    asset: npt.NDArray[np.object_]
    """The ``asset_id`` of each item ('' without one)."""
    fields: Mapping[str, list[Any]] | None = None
    """Every field of a batch of same-key dicts (None: another batch)."""

    @classmethod
    def of(
        cls, items: Sequence[Mapping[str, Any]], fields: Mapping[str, list[Any]] | None = None
    ) -> BatchColumns:
        """``fields``: :func:`same_key_columns` of ``items`` when the caller has it."""
        if fields is None:
            fields = same_key_columns(items)
        return cls(
            _objects(_column(items, "resident_id", fields)),
            _objects(_column(items, "partner_record_id", fields)),
            (_raw(items, "start", fields), _raw(items, "end", fields)),
            _objects(_column(items, "asset_id", fields)),
            fields,
        )

    def fields_of(self, idx: I64) -> dict[str, list[Any]] | None:
        """The fields of the items at ``idx`` (validate_columns' ``fields``), if known."""
        if self.fields is None:
            return None
        pick = _picker(idx)
        return {k: pick(v) for k, v in self.fields.items()}

    def times(self, idx: I64) -> Times:
        """The parsed start and end times of the items at ``idx`` (:func:`validate_columns`)."""
        pick = _picker(idx)
        return parse_times(pick(self.raw_times[0])), parse_times(pick(self.raw_times[1]))

    def scope(self, idx: I64, times: Times, with_ids: bool = True) -> ChunkScope:
        """The scope of the items at ``idx`` (before parsing; a malformed item only widens
        it), ``times`` theirs (:meth:`times`); ``with_ids`` False leaves out the record ids
        (an inexact context lookup)."""
        residents = sorted(set(self.resident[idx].tolist()) - {""})
        rids = sorted(set(self.rid[idx].tolist()) - {""}) if with_ids else []
        known: list[int] = []
        for raw, (us, ok) in zip(self.raw_times, times, strict=True):
            if ok.any():
                known += [int(us[ok].min()), int(us[ok].max())]
            for i in idx[~ok].tolist():
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
        assets = sorted(set(self.asset[idx].tolist()) - {""})
        return ChunkScope(tuple(residents), tuple(rids), earliest, latest, years, tuple(assets))


class Picked(Sequence[Mapping[str, Any]]):
    """The items of a batch at some positions, each read when asked for: the core reads a
    chunk's items only where a value is off its fast path (it has their fields as
    columns). Not a list of the chunk's items: the validation worker would write a
    reference count into every item, and a forked process copies each page it writes to."""

    __slots__ = ("_at", "_items")

    def __init__(self, items: Sequence[Mapping[str, Any]], at: list[int]) -> None:
        self._items = items
        self._at = at

    def __len__(self) -> int:
        return len(self._at)

    @overload
    def __getitem__(self, i: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(i, slice):
            return [self._items[k] for k in self._at[i]]
        return self._items[self._at[i]]


def chunk_indices(
    items: Sequence[Mapping[str, Any]],
    chunk_size: int,
    columns: BatchColumns | None = None,
    ends: int | None = None,
) -> list[I64]:
    """Item positions per chunk: contiguous ranges of residents (sorted by pseudonym) of about
    ``chunk_size`` records each (the first and the last of about ``ends``, when given); the
    copies of one partner record id go with the first."""
    n = len(items)
    size = max(1, chunk_size)
    if n <= size:
        return [np.arange(n, dtype=np.int64)]
    cols = columns or BatchColumns.of(items)
    codes, uniq = pd.factorize(pd.Series(cols.resident, dtype=object), sort=True)
    counts = np.bincount(codes, minlength=len(uniq))
    before = np.cumsum(counts) - counts  # records of the residents before each one
    if ends is None or not 0 < ends < size:
        chunk_of_resident = before // size
    else:
        chunk_of_resident = np.where(before < ends, 0, (before - ends) // size + 1)
        last = before >= max(n - ends, ends)  # the residents of the last ``ends`` records
        chunk_of_resident[last] = chunk_of_resident.max() + 1
    chunk = chunk_of_resident[codes]
    rid_codes, rids = pd.factorize(pd.Series(cols.rid, dtype=object))
    repeated = np.bincount(rid_codes, minlength=len(rids))[rid_codes] > 1
    if repeated.any():
        first_chunk: dict[int, int] = {}
        for i in np.flatnonzero(repeated).tolist():
            c = first_chunk.setdefault(int(rid_codes[i]), int(chunk[i]))
            chunk[i] = c
    order = np.argsort(chunk, kind="stable")
    bounds = np.flatnonzero(np.diff(chunk[order])) + 1
    return [np.asarray(part, np.int64) for part in np.split(order, bounds)]


def _parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        t = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return in_calendar(t) if t.tzinfo is not None else None


# --------------------------------------------------------------------------- the batch


Progress = Callable[[int, int], None]
"""Called with (records done, records in the batch) after each chunk."""


def ingest_items(
    engine: Engine,
    partner: PartnerInfo,
    items: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    batch: str | None,
    partners: Mapping[str, frozenset[Scenario]],
    library: MethodologyLibrary,
    scheme: Scheme,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> IngestReport:
    """Validate and write a batch chunk by chunk under the batch lock (module docstring),
    under the unit's rules in force (:func:`nearzero.services.inclusion.rules.rules_on`);
    ``batch`` None: the batch's content id (:func:`batch_id`), from its fields read once
    for the id, the chunking and the core.

    A batch of several chunks is validated, where it can be (:func:`_forks`), by a
    :class:`ValidationWorker`: a process forked once the batch lock is held, which reads
    each chunk's context on its own connection and validates the chunks in order while this
    process writes them (and, meanwhile, computes the batch's id). A chunk's context does
    not depend on the chunks before it (other residents, other record ids), unless claims
    name an asset: such a batch, and any other where the worker cannot run, is validated
    here, chunk after chunk. A chunk whose write finds an id credited with another resident
    or time (:class:`~nearzero.store.intake.RowCountMismatch`) is validated again here
    with exact keys.
    """
    t0 = time.perf_counter()
    fields = same_key_columns(items)
    columns = BatchColumns.of(items, fields)
    forks = _forks(engine, columns, len(items) > chunk_size)
    # with a worker, the first and last chunks are a quarter: the first write starts that
    # much sooner, and the last, which nothing overlaps, takes a quarter of the time
    chunks = chunk_indices(items, chunk_size, columns, chunk_size // 4 if forks else None)
    pg = engine.dialect.name == "postgresql"
    received = time_text(now, pg)
    report = IngestReport(batch or "", partner.code)
    report.timings["chunking"] += time.perf_counter() - t0
    done = 0
    with batch_lock(engine) as con, ExitStack() as stack:

        def context(
            idx: I64, attempt: int, con: Connection, timings: dict[str, float]
        ) -> tuple[IntakeContext, Times, dict[str, int]]:
            t0 = time.perf_counter()
            times = columns.times(idx)
            scope = columns.scope(idx, times, with_ids=attempt > 0)
            ids = resident_ids(con, [r for r in scope.residents if storable(r)])
            ctx = fetch_context(
                con, partner, scope, scheme, library, now, partners, attempt > 0, ids
            )
            con.rollback()  # the reads' transaction: each chunk is written in its own
            timings["context"] += time.perf_counter() - t0
            return ctx, times, ids

        def check(
            idx: I64,
            attempt: int,
            con: Connection = con,
            timings: dict[str, float] = report.timings,
        ) -> tuple[ColumnarResult, ChunkRows]:
            ctx, times, ids = context(idx, attempt, con, timings)
            t1 = time.perf_counter()
            fields = columns.fields_of(idx)
            at = idx.tolist()
            part = [items[i] for i in at] if fields is None else Picked(items, at)
            outcome = validate_columns(partner.code, part, ctx, times=times, fields=fields)
            t2 = time.perf_counter()
            rows = chunk_rows(outcome, partner, pg)
            prepare_rows(con, rows, partner.id, ids)
            timings["validate"] += t2 - t1
            timings["rows"] += time.perf_counter() - t2
            return outcome, rows

        worker = None
        if forks:
            worker = stack.enter_context(ValidationWorker(engine, chunks, check, ahead=pg))
        t1 = time.perf_counter()
        batch = batch or batch_id(partner.code, items, fields)  # beside the worker's chunks
        report.batch = batch
        del fields  # kept in columns
        report.timings["chunking"] += time.perf_counter() - t1
        writer = ChunkWriter(con, partner, batch, received)
        for k, idx in enumerate(chunks):
            prepared = worker.result(k, report.timings) if worker is not None else None
            for attempt in range(3):
                outcome, rows = prepared if attempt == 0 and prepared else check(idx, attempt)
                t3 = time.perf_counter()
                try:
                    if writer.write(rows, exact=attempt > 0):
                        report.chunks_written += 1
                except RowCountMismatch:
                    if attempt == 2:
                        raise
                    continue
                finally:
                    report.timings["write"] += time.perf_counter() - t3
                break
            report.add_chunk(idx, outcome)
            report.days |= rows.days
            done += len(idx)
            if progress is not None:
                progress(done, len(items))
    for step, seconds in writer.timings.items():
        report.timings[f"write.{step}"] = seconds
    return report


def _forks(engine: Engine, columns: BatchColumns, several: bool) -> bool:
    """Whether a :class:`ValidationWorker` validates the batch: ``several`` chunks, no claim
    naming an asset (an asset's periods are read whoever claimed them, so a chunk must see
    the one before it written), a database another process can open (not an in-memory
    SQLite), and a process that can fork safely: the ``fork`` start method, and no other
    thread (a lock another thread held at the fork would stay held in the worker; the web
    server's batches, one chunk or two under its body limit, are validated in place)."""
    if not several or (columns.asset != "").any():
        return False
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return False
    database = make_url(str(engine.url)).database
    return engine.dialect.name == "postgresql" or database not in (None, "", ":memory:")


WORKER_SILENCE = 120.0
"""Seconds the parent waits for the validation worker's next chunk (a chunk takes well
under a second) before it stops the worker and validates the rest itself: a worker that
hangs never holds the batch."""

Check = Callable[[I64, int, Connection, dict[str, float]], tuple[ColumnarResult, ChunkRows]]
"""Validates the chunk at some items (attempt 0: an inexact context) on a connection, its
seconds added to the timings given: its outcome and rows."""


class ValidationWorker:
    """A process, forked with the batch in memory, that validates the chunks in order and
    sends each one's outcome (:func:`for_report`) and rows back (about 9 MB pickled per
    100,000 records, read in 30 ms) while this process writes the chunk before.

    The worker reads each chunk's context on its own connection (the parent's pooled
    connections are left to the parent: ``engine.dispose(close=False)``), after the
    parent took the batch lock, and writes nothing. Should it fail or die, :meth:`result`
    returns None from then on and the parent validates the remaining chunks itself.

    ahead : the next chunk's result is read (unpickled) on a thread while this process
    waits for the database to write a chunk (PostgreSQL: the database works in its own
    process and the driver waits without the interpreter lock; not SQLite, whose writes
    take the interpreter lock back for every row).
    """

    def __init__(
        self, engine: Engine, indices: Sequence[I64], check: Check, ahead: bool = False
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._results, sending = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_validate_chunks,
            args=(engine, indices, check, sending, self._results, os.getpid()),
            name="nz-intake-validate",
            daemon=True,
        )
        self._process.start()
        sending.close()
        self._failed = False
        self._left = len(indices)
        self._reader = ThreadPoolExecutor(1, "nz-intake-receive") if ahead else None
        self._next: Future[Any] | None = None

    def __enter__(self) -> ValidationWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._next is not None and not self._next.done():
            self._process.kill()  # the batch stopped: its reader waits for nothing more
        if self._reader is not None:
            self._reader.shutdown(wait=True)
        self._results.close()  # a worker still sending gets a broken pipe and ends
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _receive(self) -> Any:
        """The worker's next message; None when it ended, failed or went silent for
        :data:`WORKER_SILENCE` seconds (then it is stopped: this process goes on alone)."""
        try:
            if self._results.poll(WORKER_SILENCE):
                return self._results.recv()
        except (EOFError, OSError):
            return None
        self._process.kill()
        return None

    def result(self, k: int, timings: dict[str, float]) -> tuple[ColumnarResult, ChunkRows] | None:
        """Chunk ``k``'s outcome and rows (chunks are asked for in order), or None when the
        worker failed; its seconds validating are added to ``timings`` (as ``context``,
        ``validate`` and ``rows``, and all of them to ``worker``), and the time waited for
        it as ``worker.wait``."""
        if self._failed:
            return None
        t0 = time.perf_counter()
        got = self._next.result() if self._next is not None else self._receive()
        self._next = None
        self._left -= 1
        if self._reader is not None and self._left > 0 and got is not None:
            self._next = self._reader.submit(self._receive)
        timings["worker.wait"] += time.perf_counter() - t0
        if got is None or got[0] != k:
            self._failed = True
            return None
        _, outcome, rows, spent = got
        for step, seconds in spent.items():
            timings[step] += seconds
            timings["worker"] += seconds
        return outcome, rows


WORKER_AHEAD = 3
"""Chunks the validation worker may have validated and not yet handed over (about 9 MB
each): it goes on validating while the parent is busy, and stops that far ahead."""


def _validate_chunks(
    engine: Engine,
    indices: Sequence[I64],
    check: Check,
    sending: Any,
    receiving: Any,
    parent: int,
) -> None:
    """The worker's loop (:class:`ValidationWorker`): each chunk validated on one
    connection of its own and sent as (k, outcome, rows, seconds spent); a failure ends it
    (the parent then validates the rest).

    A thread of the worker's own sends (pickles and writes to the pipe): a send waits until
    the parent reads, and the parent reads only between its own steps (issue #13 item 5:
    the first chunk's send waited 0.36 s while the parent computed the batch id), so the
    worker validates on meanwhile, up to :data:`WORKER_AHEAD` chunks ahead.

    The worker must not outlive the parent: it holds a copy of the batch lock's descriptor
    (SQLite: the ``flock``), so it closes its copy of the pipe's reading end (a send to a
    parent gone fails) and asks Linux to kill it when the parent dies."""
    receiving.close()
    _die_with_parent(parent)
    engine.dispose(close=False)
    outbox: queue.Queue[Any] = queue.Queue(WORKER_AHEAD)

    def send() -> None:
        try:
            while (message := outbox.get()) is not None:
                sending.send(message)
        except BaseException:  # noqa: BLE001 - the parent stopped reading: nothing to do
            pass
        finally:
            sending.close()

    sender = threading.Thread(target=send, name="nz-intake-send", daemon=True)
    sender.start()

    def post(message: Any) -> bool:
        """``message`` queued for the sender; False once the sender has ended."""
        while sender.is_alive():
            try:
                outbox.put(message, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    try:
        with engine.connect() as con:
            for k, idx in enumerate(indices):
                spent: dict[str, float] = defaultdict(float)
                outcome, rows = check(idx, 0, con, spent)
                if not post((k, for_report(outcome), rows, dict(spent))):
                    break
    except BaseException:  # noqa: BLE001 - the parent validates what is left
        pass
    finally:
        post(None)
        sender.join()


def for_report(outcome: ColumnarResult) -> ColumnarResult:
    """``outcome`` with only what :class:`IngestReport` reads (ids, reasons, details,
    grams); the rest is in the chunk's rows. Less to send back from the worker."""
    none: list[Any] = []
    empty = np.zeros(0, np.int64)
    return replace(
        outcome,
        computed_g=empty,
        capped=empty.astype(np.int16),
        method=empty.astype(np.int16),
        record=empty.astype(np.bool_),
        resident=none,
        scenario=empty.astype(np.int8),
        start_us=empty,
        end_us=empty,
        day=empty,
        quantity=none,
        unit=none,
        asset=none,
        baseline_g=empty,
        project_g=empty,
        reductions={},
        records={},
    )


def _die_with_parent(parent: int) -> None:
    """Linux: SIGKILL this process when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
    elsewhere nothing (the worker then ends at its next send)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call: nothing will be sent
        os._exit(0)
