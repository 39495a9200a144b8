"""The intake rule set: a partner batch in, every item accepted (with a credit) or given a
reason code. One implementation, on columns (numpy arrays), so a chunk of 100,000 records
costs a few numpy passes instead of 100,000 Python walks.

Order of the checks (the first one a record fails is its reason code):

1. batch: unknown partner / signature / timestamp / nonce (:mod:`.security`): every item
   gets the batch's reason;
2. record: malformed, already credited, duplicate in the batch, scenario not authorised
   for the partner, in the future, older than the claim window, no consent, no
   methodology, activity field missing, implausible, outside the methodology's
   applicability, parameter missing, above the per-record ceiling (``exceeds_ceiling``,
   whatever the office's ranges), no reduction, outside the reduction band;
3. per resident, in time order: overlap with a trip already credited (or accepted earlier
   in the same batch; from any partner, since one person cannot make two trips at once);
   for a claim on an asset over a period, the asset's periods already credited (through
   any partner, under any id: ``period_already_credited``, or the uncovered share when the
   methodology prorates, :func:`claim_period`); then the daily and yearly caps.

Caps: a record that would pass a cap is credited the grams left under it (and marks the
cap it hit in ``capped``); a record with nothing left is rejected with the cap's reason
code. Step 3 walks each resident's records in one *content order* (resident, start,
record content: :func:`_content_key`) with a running end time and running totals; because
every order-dependent step uses this order, the outcome of a batch does not depend on the
order its records arrive in, and validating a batch chunk by chunk (chunks of whole
residents) equals validating it at once.

:func:`validate_columns` runs these as named steps:

- :func:`_parse` — the fields as columns. An item is on the *fast path* when every field
  has the plain form partners send (strings without surrounding blanks, scenario spelled
  exactly, ``YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM`` times, quantities as ``distance_km`` /
  ``energy_kwh`` / ``mass_kg`` / ``installed_capacity_kw`` numbers, no other keys); its
  times are parsed from the bytes with numpy. Every other item goes through the record
  parser (:func:`~nearzero.inclusion.records.record_from_mapping`), which gives the exact
  ``malformed`` message or a record. Quantities are parsed once per distinct value.
- :func:`_deduplicate` — record ids factorised; keys already credited and copies within
  the batch found with array operations (repeated ids, rare, ordered by content in Python).
- :func:`_check_records` — authorised scenario, in the future, claim window, consent
  (interval lookup per resident and scenario), as boolean masks.
- :func:`_choose_methodologies` — the version in force, once per scenario and day.
- :func:`_compute_reductions` — the methodology's checks and the reduction
  (:func:`check_methodology`), once per distinct combination of methodology, year and
  quantities; per record only where the duration matters and could fail a check.
- :func:`_overlap_and_caps` — residents with nothing to decide accepted in full; the
  others walked in content order (:func:`walk_resident`).
- :func:`_stored_quantities` — the quantity and unit stored with each record.

:func:`nearzero.inclusion.intake.validate_batch` presents the result as one
:class:`~nearzero.inclusion.batch.Outcome` per item.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from nearzero.inclusion.batch import (
    Consent,
    Credit,
    CreditedPeriod,
    IntakeContext,
    RecordedUse,
)
from nearzero.inclusion.calculation import (
    Reduction,
    ReductionTooLarge,
    check_limits,
    compute_reduction,
    round_grams,
)
from nearzero.inclusion.choices import (
    ALL_SCENARIOS,
    SCENARIO_INDEX,
    ActivityKind,
    ClaimKind,
    ReasonCode,
    Scenario,
)
from nearzero.inclusion.formulas import FormulaInputError
from nearzero.inclusion.methodology import (
    Formula,
    Methodology,
    MethodologyRef,
    MissingParameter,
    PartialOverlap,
)
from nearzero.inclusion.records import (
    CHINA_TZ,
    BehaviourRecord,
    RecordFormatError,
    RecordKey,
    _number,
    check_record,
    local_date,
    record_from_mapping,
)
from nearzero.inclusion.rules import CapRule, Scheme

I64 = npt.NDArray[np.int64]
I16 = npt.NDArray[np.int16]
I8 = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000
DAY_US = 86_400 * US
CST_US = 8 * 3600 * US
SCENARIOS: Sequence[Scenario] = ALL_SCENARIOS
"""Every scenario (bundled, then the office's), a live append-only view: a record's
scenario is stored as its position here (``ColumnarResult.scenario``)."""
REASONS: tuple[ReasonCode, ...] = tuple(ReasonCode)
REASON_INDEX: dict[ReasonCode, int] = {r: k for k, r in enumerate(REASONS)}
_SCENARIO_INDEX: Mapping[str, int] = SCENARIO_INDEX
QUANTITY_ATTRS = ("distance_km", "energy_kwh", "mass_kg", "installed_capacity_kw")
QUANTITY_UNITS = ("km", "kWh", "kg", "kW")
_TEXT = ("partner_record_id", "resident_id", "scenario", "start", "end")
_ASCII_SPACE = np.array([chr(c).isspace() for c in range(256)])
"""Bytes that :meth:`str.strip` removes (for ASCII text)."""
_SPEED_MARGIN = 1e-9
_STORABLE = Decimal(10) ** 14
"""Quantities are stored as ``numeric(20, 6)``: below 10¹⁴."""


def _not_trip() -> Bools:
    return np.array([not s.is_trip for s in SCENARIOS])


def _asset_claim() -> Bools:
    return np.array([s.claim is ClaimKind.ASSET_PERIOD for s in SCENARIOS])


def to_us(t: datetime) -> int:
    """Microseconds since 1970-01-01 UTC of an aware time (exact)."""
    return (t - EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    """The aware UTC time of ``us`` microseconds since 1970-01-01 UTC."""
    return EPOCH + timedelta(microseconds=int(us))


# --------------------------------------------------------------------------- result


@dataclass
class ColumnarResult:
    """Outcomes of a chunk as columns, item ``i`` at position ``i`` (see the module docstring).

    reason, capped : index into :data:`REASONS`, -1 for none (``reason`` -1 = accepted).
    method : index into ``refs``, -1 when no methodology was reached.
    computed_g : the methodology's grams (-1: not computed); grams : credited grams.
    scenario : index into :data:`SCENARIOS`, -1 without a parsed record.
    start_us, end_us : behaviour times [µs since 1970 UTC]; day : local (UTC+8) day
    [days since 1970-01-01]. quantity : the value stored with the record (the activity
    for a credit, else the first of distance, energy, mass), unit : its unit.
    """

    partner_id: str
    partner_record_id: list[str]
    reason: I16
    detail: dict[int, str]
    grams: I64
    computed_g: I64
    capped: I16
    method: I16
    refs: list[MethodologyRef]
    record: Bools
    resident: list[str | None]
    scenario: I8
    start_us: I64
    end_us: I64
    day: I64
    quantity: list[str | None]
    unit: list[str | None]
    asset: list[str | None] = field(default_factory=list)
    """The ``asset_id`` of each record that has one (else None)."""
    baseline_g: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    project_g: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """BE and PE [g] of a credit under an ER = BE − PE methodology (-1: none)."""
    batch_reason: ReasonCode | None = None
    reductions: dict[int, Reduction] = field(default_factory=dict)
    """The reduction of each accepted record, when asked for (``keep_reductions``)."""
    records: dict[int, BehaviourRecord] = field(default_factory=dict)
    """The parsed record of each item that has one, when asked for (``keep_records``)."""

    def __len__(self) -> int:
        return len(self.partner_record_id)

    @property
    def accepted(self) -> Bools:
        return self.reason < 0

    def reason_of(self, i: int) -> ReasonCode | None:
        k = int(self.reason[i])
        return None if k < 0 else REASONS[k]

    def detail_of(self, i: int) -> str:
        return self.detail.get(i, "")

    def ref_of(self, i: int) -> MethodologyRef | None:
        k = int(self.method[i])
        return None if k < 0 else self.refs[k]


def _result(partner_id: str, n: int) -> ColumnarResult:
    return ColumnarResult(
        partner_id=partner_id,
        partner_record_id=[""] * n,
        reason=np.full(n, -2, np.int16),
        detail={},
        grams=np.zeros(n, np.int64),
        computed_g=np.full(n, -1, np.int64),
        capped=np.full(n, -1, np.int16),
        method=np.full(n, -1, np.int16),
        refs=[],
        record=np.zeros(n, np.bool_),
        resident=[None] * n,
        scenario=np.full(n, -1, np.int8),
        start_us=np.zeros(n, np.int64),
        end_us=np.zeros(n, np.int64),
        day=np.zeros(n, np.int64),
        quantity=[None] * n,
        unit=[None] * n,
        asset=[None] * n,
        baseline_g=np.full(n, -1, np.int64),
        project_g=np.full(n, -1, np.int64),
    )


def _raw_id(item: Any) -> str:
    if isinstance(item, BehaviourRecord):
        return item.partner_record_id
    value = item.get("partner_record_id") if isinstance(item, Mapping) else None
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- parsing


def _text_ok(col: list[Any]) -> Bools:
    """Items whose field is a plain string the record parser takes as it is (no strip needed,
    no control character); the others go to the record parser, which names what is wrong."""
    n = len(col)
    if set(map(type, col)) != {str}:
        return np.fromiter(
            (
                type(x) is str and 0 < len(x) <= 128 and x == x.strip() and x.isprintable()
                for x in col
            ),
            np.bool_,
            n,
        )
    lens = np.fromiter(map(len, col), np.int64, n)
    ok = (lens >= 1) & (lens <= 128)
    joined = "".join(col)
    if not joined.isascii():
        return ok & np.fromiter((x == x.strip() and x.isprintable() for x in col), np.bool_, n)
    data = np.frombuffer(joined.encode("ascii"), np.uint8)
    if ((data < 32) | (data == 127)).any():  # rare: find the items with a control character
        ok &= np.fromiter((x.isprintable() for x in col), np.bool_, n)
    ends = np.cumsum(lens)
    starts = ends - lens
    live = np.flatnonzero(ok)
    ok[live] = ~(_ASCII_SPACE[data[starts[live]]] | _ASCII_SPACE[data[ends[live] - 1]])
    return ok


def _digits(b: npt.NDArray[np.uint8], cols: slice) -> tuple[I64, Bools]:
    """The decimal number in byte columns ``cols`` of each row, and whether all are digits
    (the value of a row that is not is meaningless)."""
    value = np.zeros(len(b), np.int64)
    ok = np.ones(len(b), np.bool_)
    for j in range(cols.start, cols.stop):
        d = b[:, j] - np.uint8(48)  # a byte below '0' wraps above 9
        ok &= d <= 9
        value = value * 10 + d
    return value, ok


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def days_from_civil(y: I64, m: I64, d: I64) -> I64:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = np.where(m > 2, m - 3, m + 9)
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray(era * 146097 + doe - 719468, np.int64)


def year_of_days(days: I64) -> I64:
    """The proleptic Gregorian year of days since 1970-01-01."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    return np.asarray(y + (mp >= 10), np.int64)


def parse_times(col: list[Any]) -> tuple[I64, Bools]:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM`` strings to µs since 1970 UTC; False: not that form.

    Only the forms :func:`datetime.fromisoformat` reads the same way are marked ok; the
    caller hands the others to the record parser.
    """
    n = len(col)
    us = np.zeros(n, np.int64)
    ok = np.zeros(n, np.bool_)
    if set(map(type, col)) != {str}:
        idx = np.fromiter((type(x) is str for x in col), np.bool_, n)
        sub = [x for x in col if type(x) is str]
        sub_us, sub_ok = parse_times(sub) if sub else (us[:0], ok[:0])
        us[idx], ok[idx] = sub_us, sub_ok
        return us, ok
    joined = "".join(col)
    if not joined.isascii():
        mask = np.fromiter((x.isascii() for x in col), np.bool_, n)
        sub = [x for x, a in zip(col, mask, strict=True) if a]
        sub_us, sub_ok = parse_times(sub) if sub else (us[:0], ok[:0])
        us[mask], ok[mask] = sub_us, sub_ok
        return us, ok
    lens = np.fromiter(map(len, col), np.int64, n)
    data = np.frombuffer(joined.encode("ascii"), np.uint8)
    offsets = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
    for width, frac in ((25, False), (32, True)):
        rows = np.flatnonzero(lens == width)
        if len(rows) == 0:
            continue
        if len(rows) == n:  # every item this wide: the bytes are already a matrix
            b = data.reshape(n, width)
        else:
            b = data[offsets[rows, None] + np.arange(width)]
        tz = 26 if frac else 19
        good = (
            (b[:, 4] == ord("-"))
            & (b[:, 7] == ord("-"))
            & (b[:, 10] == ord("T"))
            & (b[:, 13] == ord(":"))
            & (b[:, 16] == ord(":"))
            & ((b[:, tz] == ord("+")) | (b[:, tz] == ord("-")))
            & (b[:, tz + 3] == ord(":"))
        )
        if frac:
            good &= b[:, 19] == ord(".")
        y, g1 = _digits(b, slice(0, 4))
        mo, g2 = _digits(b, slice(5, 7))
        d, g3 = _digits(b, slice(8, 10))
        hh, g4 = _digits(b, slice(11, 13))
        mi, g5 = _digits(b, slice(14, 16))
        ss, g6 = _digits(b, slice(17, 19))
        oh, g7 = _digits(b, slice(tz + 1, tz + 3))
        om, g8 = _digits(b, slice(tz + 4, tz + 6))
        micro, g9 = _digits(b, slice(20, 26)) if frac else (np.zeros(len(rows), np.int64), good)
        good &= g1 & g2 & g3 & g4 & g5 & g6 & g7 & g8 & g9
        good &= (y >= 1) & (mo >= 1) & (mo <= 12) & (d >= 1)
        leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
        dim = _DAYS_IN_MONTH[np.clip(mo, 0, 12)] + ((mo == 2) & leap)
        good &= (d <= dim) & (hh <= 23) & (mi <= 59) & (ss <= 59) & (oh <= 23) & (om <= 59)
        sign = np.where(b[:, tz] == ord("-"), -1, 1)
        days = days_from_civil(y, np.clip(mo, 1, 12), d)
        t = (((days * 24 + hh) * 60 + mi) * 60 + ss) * US + micro
        t -= sign * (oh * 3600 + om * 60) * US
        # the UTC time must stay within datetime's range (years 1..9999)
        good &= (t >= to_us(datetime(1, 1, 2, tzinfo=UTC))) & (
            t < to_us(datetime(9999, 12, 31, tzinfo=UTC))
        )
        us[rows] = np.where(good, t, 0)
        ok[rows] = good
    return us, ok


_KNOWN = frozenset(_TEXT + QUANTITY_ATTRS)


def same_key_columns(items: Sequence[Any]) -> dict[str, list[Any]] | None:
    """The columns (text key → one value per item) of a batch of dicts that all have the
    same text keys, at least one; None for any other batch.

    Every item has as many keys as the first and each of the first's keys (C passes: the
    lengths, then one ``itemgetter`` per key), so all have the same."""
    if not items or set(map(type, items)) != {dict}:
        return None
    names = tuple(items[0])
    if not names or set(map(type, names)) != {str}:
        return None
    if set(map(len, items)) != {len(names)}:
        return None
    try:
        return {k: list(map(itemgetter(k), items)) for k in names}
    except KeyError:
        return None


def _same_keys(
    src: Sequence[dict[str, Any]], fields: Mapping[str, list[Any]] | None = None
) -> Mapping[str, list[Any]] | None:
    """The columns of dicts that all have the same keys, all known ones (else None);
    ``fields``: :func:`same_key_columns` of ``src``, when the caller has it."""
    columns = same_key_columns(src) if fields is None else fields
    if columns is None or not set(columns) <= _KNOWN or not set(_TEXT) <= set(columns):
        return None
    return columns


@dataclass
class _Quantities:
    """One quantity field: a code per item (-1: absent, -2: not read), the distinct values."""

    codes: I64
    values: list[Decimal] = field(default_factory=list)
    floats: list[float] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def code_of(self, key: str, value: Decimal) -> int:
        k = self.index.get(key)
        if k is None:
            k = self.index[key] = len(self.values)
            self.values.append(value)
            self.floats.append(float(value))
        return k

    def texts(self) -> list[str | None]:
        """The values as stored (``numeric(20, 6)``: None for a value too large to store;
        the record's detail names it)."""
        return [str(v) if abs(v) < _STORABLE else None for v in self.values]


def _quantities(col: list[Any], attr: str) -> _Quantities:
    n = len(col)
    q = _Quantities(np.full(n, -1, np.int64))
    nones = col.count(None)
    if nones == n:
        return q
    types = set(map(type, col))
    if types <= {str, type(None)}:
        keys: list[Any] = col
    else:
        keys = [x if type(x) is str else (str(x) if type(x) in (int, float) else None) for x in col]
        bad = [i for i, x in enumerate(col) if x is not None and type(x) not in (str, int, float)]
    codes: dict[Any, int] = {}
    for key in dict.fromkeys(keys):
        if key is None:
            continue
        try:
            codes[key] = q.code_of(key, _number(key, attr))
        except RecordFormatError:
            codes[key] = -2
    codes[None] = -1
    q.codes = np.fromiter(map(codes.__getitem__, keys), np.int64, n)
    if not types <= {str, type(None)}:
        q.codes[bad] = -2
    return q


# --------------------------------------------------------------------------- validation


def validate_columns(
    partner_id: str,
    items: Sequence[Mapping[str, Any] | BehaviourRecord],
    ctx: IntakeContext,
    *,
    batch_reason: ReasonCode | None = None,
    keep_reductions: bool = False,
    keep_records: bool = False,
    times: tuple[tuple[I64, Bools], tuple[I64, Bools]] | None = None,
    fields: Mapping[str, list[Any]] | None = None,
) -> ColumnarResult:
    """Validate one partner batch (or a chunk of whole residents) as columns.

    Every item gets an outcome (see the module docstring for the order of the checks).

    batch_reason : the reason from :func:`~nearzero.inclusion.security.verify_request`
        when the request failed it; every item then gets that reason (so does every item of
        a partner the context does not know, with ``unknown_partner``).
    keep_reductions : keep the reduction of each accepted record
        (:attr:`ColumnarResult.reductions`).
    keep_records : keep the parsed record of each item that has one
        (:attr:`ColumnarResult.records`).
    times : :func:`parse_times` of the items' ``start`` and ``end`` fields when the caller
        has them already (e.g. read once for a whole batch and sliced per chunk); only the
        values of dict items are used.
    fields : the items' fields as columns (key → one value per item) when every item is a
        dict with exactly these keys (:func:`same_key_columns`), read by the caller once for
        a whole batch; None: read here. With ``fields``, ``items`` are read only where a
        value is not on the fast path (a lazy sequence will do).
    """
    n = len(items)
    out = _result(partner_id, n)
    if batch_reason is None and partner_id not in ctx.partners:
        batch_reason = ReasonCode.UNKNOWN_PARTNER
    if batch_reason is not None:
        out.partner_record_id = [_raw_id(it) for it in items]
        out.reason[:] = REASON_INDEX[batch_reason]
        out.detail = dict.fromkeys(range(n), batch_reason.label_en)
        out.batch_reason = batch_reason
        return out
    if n == 0:
        return out
    cols = _parse(partner_id, items, out, times, fields)
    pending = _deduplicate(cols, ctx, out)
    pending = _check_records(cols, ctx, out, pending)
    method, refs = _choose_methodologies(cols, ctx.scheme, out, pending)
    pending &= method >= 0
    out.refs = refs
    methods = [ctx.library.get(ref) for ref in refs]
    out.method[pending] = method[pending]
    reductions = _compute_reductions(
        cols, ctx.scheme, methods, refs, method, out, pending, ctx.household_history
    )
    _overlap_and_caps(cols, ctx, methods, method, reductions, out)
    _stored_quantities(cols, methods, method, out, reductions)
    accepted = np.flatnonzero(out.reason == -1).tolist()
    if keep_reductions:
        out.reductions = {i: reductions.of(i) for i in accepted}
    if keep_records:
        out.records = {i: cols.record_of(i) for i in np.flatnonzero(out.record).tolist()}
    assert (out.reason >= -1).all(), "every item gets an outcome"
    return out


@dataclass
class _Columns:
    """A parsed batch: one entry per item (meaningless where ``parsed`` is False)."""

    partner_id: str
    items: Sequence[Mapping[str, Any] | BehaviourRecord]
    parsed: Bools
    rid: list[str]
    resident: list[Any]
    sc: I64
    """Index into :data:`SCENARIOS`."""
    start: I64
    end: I64
    """Behaviour start and end [µs since 1970 UTC]."""
    day: I64
    """Local (UTC+8) day the behaviour started on [days since 1970-01-01]."""
    year: I64
    quantities: list[_Quantities]
    """Distance, energy, mass and installed capacity (:data:`QUANTITY_ATTRS`)."""
    records: dict[int, BehaviourRecord]
    """Records built so far (items off the fast path, and those asked for)."""
    _residents: tuple[I64, list[Any]] | None = None

    def __len__(self) -> int:
        return len(self.items)

    def residents(self) -> tuple[I64, list[Any]]:
        """The parsed items' residents factorised once: a code per item (-1: not parsed)
        and the distinct residents, in the order they first appear."""
        if self._residents is None:
            codes = np.full(len(self), -1, np.int64)
            idx = np.flatnonzero(self.parsed)
            names: list[Any] = []
            if len(idx):
                values = np.fromiter(self.resident, object, len(self))[idx]
                found, uniq = pd.factorize(pd.Series(values, dtype=object))
                codes[idx] = found
                names = list(uniq)
            self._residents = (codes, names)
        return self._residents

    def record_of(self, i: int) -> BehaviourRecord:
        """Item ``i`` as a record (it parsed)."""
        r = self.records.get(i)
        if r is None:
            item = self.items[i]
            assert not isinstance(item, BehaviourRecord)
            r = self.records[i] = record_from_mapping(item, self.partner_id)
        return r


def _parse(
    partner_id: str,
    items: Sequence[Mapping[str, Any] | BehaviourRecord],
    out: ColumnarResult,
    times: tuple[tuple[I64, Bools], tuple[I64, Bools]] | None,
    fields: Mapping[str, list[Any]] | None = None,
) -> _Columns:
    """Step 1, parsing: columns of the plain items, the record parser for the others.

    An item that does not parse is rejected ``malformed`` with the parser's message.
    """
    n = len(items)
    if fields is not None or set(map(type, items)) == {dict}:  # fields: dicts only
        plain = np.ones(n, np.bool_)
    else:
        plain = np.fromiter((type(it) is dict for it in items), np.bool_, n)
    src: Sequence[Any] = items if plain.all() else [it if type(it) is dict else {} for it in items]
    extracted = _same_keys(src, fields) if plain.all() else None
    if extracted is not None:  # one key set for the whole batch, no other keys
        cols = {k: extracted.get(k) or [None] * n for k in _TEXT}
        qraw = {k: extracted.get(k) or [None] * n for k in QUANTITY_ATTRS}
        fast = plain.copy()
    else:
        cols = {k: [d.get(k) for d in src] for k in _TEXT}
        qraw = {k: [d.get(k) for d in src] for k in QUANTITY_ATTRS}
        present = len(_TEXT) + sum(
            0 if (c := col.count(None)) == n else (1 if c == 0 else 0) for col in qraw.values()
        )
        lens = np.fromiter(map(len, src), np.int64, n)
        mixed = [k for k, col in qraw.items() if 0 < col.count(None) < n]
        if mixed:
            extra = sum(np.fromiter((x is not None for x in qraw[k]), np.int64, n) for k in mixed)
            fast = plain & (lens == present + extra)
        else:
            fast = plain & (lens == present)
    rid_ok = _text_ok(cols["partner_record_id"])
    res_ok = _text_ok(cols["resident_id"])
    sc_col = cols["scenario"]
    if set(map(type, sc_col)) == {str}:
        sc = np.fromiter(map(_SCENARIO_INDEX.get, sc_col, repeat(-1)), np.int64, n)
    else:
        sc = np.fromiter(
            (_SCENARIO_INDEX.get(x, -1) if type(x) is str else -1 for x in sc_col), np.int64, n
        )
    if times is None:
        start, s_ok = parse_times(cols["start"])
        end, e_ok = parse_times(cols["end"])
    else:
        (start, s_ok), (end, e_ok) = times
        assert len(start) == len(end) == n
        start, end = start.copy(), end.copy()
    quantities = [_quantities(qraw[k], k) for k in QUANTITY_ATTRS]
    fast &= rid_ok & res_ok & (sc >= 0) & s_ok & e_ok & (end > start)
    for q in quantities:
        fast &= q.codes != -2
    rid: list[str] = list(cols["partner_record_id"])
    resident: list[Any] = list(cols["resident_id"])
    records: dict[int, BehaviourRecord] = {}
    parsed = fast.copy()
    for i in np.flatnonzero(~fast).tolist():
        item = items[i]
        if isinstance(item, BehaviourRecord):
            problem = check_record(item)
            if problem is None and item.partner_id != partner_id:
                problem = f"record of partner {item.partner_id!r} in a batch of {partner_id!r}"
            if problem is not None:
                _reject(out, i, ReasonCode.MALFORMED, problem)
                out.partner_record_id[i] = item.partner_record_id
                continue
            r = item
        else:
            try:
                r = record_from_mapping(item, partner_id)
            except RecordFormatError as exc:
                _reject(out, i, ReasonCode.MALFORMED, str(exc))
                out.partner_record_id[i] = _raw_id(item)
                continue
        records[i] = r
        parsed[i] = True
        rid[i], resident[i] = r.partner_record_id, r.resident_id
        out.asset[i] = r.asset_id
        sc[i] = SCENARIOS.index(r.scenario)
        start[i], end[i] = to_us(r.start), to_us(r.end)
        for q, attr in zip(quantities, QUANTITY_ATTRS, strict=True):
            v = getattr(r, attr)
            q.codes[i] = -1 if v is None else q.code_of(f"\x00{v}", v)
    day = np.floor_divide(start + CST_US, DAY_US)
    idx = np.flatnonzero(parsed)
    if len(idx) == n:
        out.partner_record_id, out.resident = rid, resident
    else:
        for i in idx.tolist():
            out.partner_record_id[i] = rid[i]
            out.resident[i] = resident[i]
    out.record[idx] = True
    out.scenario[idx] = sc[idx]
    out.start_us[idx], out.end_us[idx], out.day[idx] = start[idx], end[idx], day[idx]
    return _Columns(
        partner_id,
        items,
        parsed,
        rid,
        resident,
        sc,
        start,
        end,
        day,
        year_of_days(day),
        quantities,
        records,
    )


def _deduplicate(cols: _Columns, ctx: IntakeContext, out: ColumnarResult) -> Bools:
    """Step 2, duplicates: ``already_credited`` (the key is in the context), then
    ``duplicate_in_batch`` for every copy of a key but the first in content order.
    Returns the items still pending.

    A malformed item whose id is already credited is ``already_credited`` too: its row could
    not replace the credited one, and the credit stands whatever was sent again."""
    pending = cols.parsed.copy()
    partner_id, rid = cols.partner_id, cols.rid
    mine = {k.partner_record_id for k in ctx.credited_keys if k.partner_id == partner_id}
    if mine:
        malformed = REASON_INDEX[ReasonCode.MALFORMED]
        for i in np.flatnonzero(~pending & (out.reason == malformed)).tolist():
            raw = out.partner_record_id[i]
            if raw and raw in mine:
                key = RecordKey(partner_id, raw)
                _reject(out, i, ReasonCode.ALREADY_CREDITED, f"{key} is already credited")
    idx = np.flatnonzero(pending)
    if not len(idx):
        return pending
    rid_codes, uniq = pd.factorize(pd.Series([rid[i] for i in idx], dtype=object))
    if mine:
        done = pd.Index(uniq).isin(list(mine))[rid_codes]
        for i in idx[done].tolist():
            key = RecordKey(partner_id, rid[i])
            _reject(out, i, ReasonCode.ALREADY_CREDITED, f"{key} is already credited")
        pending[idx[done]] = False
    counts = np.bincount(rid_codes, minlength=len(uniq))
    dup = (counts[rid_codes] > 1) & pending[idx]
    if dup.any():
        groups: dict[str, list[int]] = {}
        for i in idx[dup].tolist():
            groups.setdefault(rid[i], []).append(i)
        for key_id, copies in groups.items():
            copies.sort(key=lambda i: (_content_key(cols.record_of(i)), _as_sent(cols.items[i])))
            key = RecordKey(partner_id, key_id)
            for i in copies[1:]:
                _reject(out, i, ReasonCode.DUPLICATE_IN_BATCH, f"{key} appears more than once")
                pending[i] = False
    return pending


def _check_records(
    cols: _Columns, ctx: IntakeContext, out: ColumnarResult, pending: Bools
) -> Bools:
    """Step 3, per-record checks as masks, in order: ``scenario_not_authorised`` for the
    partner, ``record_in_future`` (ends after ``ctx.now``), ``record_too_old`` (ended more
    than the claim window [days] before ``ctx.now``), ``no_consent`` (no consent of the
    resident to the scenario in force at the start). Returns the items still pending."""
    sc, start, end = cols.sc, cols.start, cols.end
    allowed = ctx.partners[cols.partner_id]
    now_us = to_us(ctx.now)
    fail = pending & ~np.array([s in allowed for s in SCENARIOS])[np.maximum(sc, 0)]
    for i in np.flatnonzero(fail).tolist():
        detail = detail_not_authorised(cols.partner_id, SCENARIOS[sc[i]])
        _reject(out, i, ReasonCode.SCENARIO_NOT_AUTHORISED, detail)
    pending = pending & ~fail
    fail = pending & (end > now_us)
    for i in np.flatnonzero(fail).tolist():
        _reject(out, i, ReasonCode.RECORD_IN_FUTURE, detail_in_future(from_us(end[i])))
    pending &= ~fail
    window = ctx.scheme.claim_window_days
    if window is not None:
        fail = pending & (now_us - end > window * DAY_US)
        for i in np.flatnonzero(fail).tolist():
            _reject(out, i, ReasonCode.RECORD_TOO_OLD, detail_too_old(window))
        pending &= ~fail
    covered = _consent(ctx, cols, pending)
    fail = pending & ~covered
    for i in np.flatnonzero(fail).tolist():
        scenario, at = SCENARIOS[sc[i]], from_us(start[i])
        _reject(out, i, ReasonCode.NO_CONSENT, detail_no_consent(scenario, at))
    return pending & ~fail


def _choose_methodologies(
    cols: _Columns, scheme: Scheme, out: ColumnarResult, pending: Bools
) -> tuple[I64, list[MethodologyRef]]:
    """Step 4: the methodology version in force for each pending record's scenario on its
    local day (looked up once per scenario and day); ``no_methodology`` where none is.
    Returns an index into the returned versions per item (-1: none)."""
    sc, day = cols.sc, cols.day
    refs: list[MethodologyRef] = []
    ref_index: dict[MethodologyRef, int] = {}
    method = np.full(len(cols), -1, np.int64)
    idx = np.flatnonzero(pending)
    if len(idx):
        pair = sc[idx] * (1 << 40) + (day[idx] + (1 << 30))
        uniq_pairs, inverse = np.unique(pair, return_inverse=True)
        per_pair = np.full(len(uniq_pairs), -1, np.int64)
        for k, p in enumerate(uniq_pairs.tolist()):
            s = SCENARIOS[p >> 40]
            d = EPOCH.date() + timedelta(days=(p & ((1 << 40) - 1)) - (1 << 30))
            ref = scheme.methodology_for(s, d)
            if ref is not None:
                if ref not in ref_index:
                    ref_index[ref] = len(refs)
                    refs.append(ref)
                per_pair[k] = ref_index[ref]
        method[idx] = per_pair[inverse]
    for i in np.flatnonzero(pending & (method < 0)).tolist():
        local = from_us(cols.start[i]).astimezone(CHINA_TZ).date()
        scenario = SCENARIOS[sc[i]]
        _reject(out, i, ReasonCode.NO_METHODOLOGY, detail_no_methodology(scenario, local))
    return method, refs


@dataclass
class _Reductions:
    """The reduction of each computed record: its own (``by_record``), or that of its
    distinct combination (``by_key``, index ``key``)."""

    computed: Bools
    by_record: dict[int, Reduction] = field(default_factory=dict)
    by_key: list[Reduction | Rejection] = field(default_factory=list)
    key: I64 = field(default_factory=lambda: np.zeros(0, np.int64))

    def of(self, i: int) -> Reduction:
        if i in self.by_record:
            return self.by_record[i]
        x = self.by_key[int(self.key[i])]
        assert isinstance(x, Reduction)
        return x


def _compute_reductions(
    cols: _Columns,
    scheme: Scheme,
    methods: list[Methodology],
    refs: list[MethodologyRef],
    method: I64,
    out: ColumnarResult,
    pending: Bools,
    ctx_history: Mapping[tuple[str, Scenario, str], Sequence[RecordedUse]] | None = None,
) -> _Reductions:
    """Step 5, the methodology's checks (:func:`check_methodology`) and the reduction.

    They depend only on the methodology, the year and the quantities, so they run **once per
    distinct combination**; the checks that also depend on the duration (speed, PV
    generation ceiling, a period across two years) run per record, but only for the records
    that could fail them (speed within 1e-9 of its limit or above).
    """
    n = len(cols)
    sc, start, end, year, quantities = cols.sc, cols.start, cols.end, cols.year, cols.quantities
    red = _Reductions(np.zeros(n, np.bool_), key=np.full(n, -1, np.int64))
    if not pending.any():
        return red
    dist = quantities[0]
    slow = np.zeros(n, np.bool_)
    m_idx = np.maximum(method, 0)
    is_distance = np.array([m.activity is ActivityKind.DISTANCE for m in methods])[m_idx]
    # formulas that read more of the record than its quantities run per record
    slow |= pending & np.array([_per_record(m) for m in methods] or [False])[m_idx]
    local_end_day = np.floor_divide(end - 1 + CST_US, DAY_US)
    slow |= pending & ~is_distance & (year_of_days(local_end_day) != year)
    pv = SCENARIOS.index(Scenario.ROOFTOP_PV)
    slow |= pending & (sc == pv) & (quantities[1].codes >= 0) & (quantities[3].codes >= 0)
    max_speed = np.array(
        [
            float(p) if (p := scheme.plausibility_for(s).max_speed_kmh) is not None else np.inf
            for s in SCENARIOS
        ]
    )
    has_dist = pending & is_distance & (dist.codes >= 0) & np.isfinite(max_speed[np.maximum(sc, 0)])
    if has_dist.any():
        km = np.asarray(dist.floats, np.float64)[dist.codes[has_dist]]
        hours = (end[has_dist] - start[has_dist]) / 3.6e9
        limit = max_speed[sc[has_dist]] * (1 - _SPEED_MARGIN)
        near = km / hours >= limit
        slow[np.flatnonzero(has_dist)[near]] = True
    history = _HouseholdHistory(cols, methods, method, pending, ctx_history)
    for i in np.flatnonzero(pending & slow).tolist():
        k = method[i]
        checked = check_methodology(
            cols.record_of(i), methods[k], refs[k], scheme, history.before(i)
        )
        if isinstance(checked, Reduction):
            red.computed[i] = True
            red.by_record[i] = checked
            out.computed_g[i] = checked.grams
            if checked.baseline_g is not None and checked.project_g is not None:
                out.baseline_g[i], out.project_g[i] = checked.baseline_g, checked.project_g
        else:
            _reject(out, i, checked[0], checked[1])
    rest = np.flatnonzero(pending & ~slow)
    if not len(rest):
        return red
    parts = [method[rest], year[rest] - int(year[rest].min()), sc[rest]] + [
        q.codes[rest] + 1 for q in quantities
    ]
    radices = [len(refs), int(year[rest].max() - year[rest].min()) + 1, len(SCENARIOS)]
    radices += [len(q.values) + 1 for q in quantities]
    if float(np.prod(np.asarray(radices, np.float64))) < 2.0**62:
        combined = np.zeros(len(rest), np.int64)
        for part, radix in zip(parts, radices, strict=True):
            combined = combined * radix + part
        _keys, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    else:
        stacked = np.stack(parts, axis=1)
        _u, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    no_speed = _without_speed(scheme)
    for j in first.tolist():
        i = int(rest[j])
        synthetic = _synthetic(i, sc, year, quantities, cols.partner_id)
        red.by_key.append(
            check_methodology(synthetic, methods[method[i]], refs[method[i]], no_speed)
        )
    red.key[rest] = inverse
    good_key = np.array([isinstance(x, Reduction) for x in red.by_key])
    key_grams = np.array(
        [x.grams if isinstance(x, Reduction) else -1 for x in red.by_key], np.int64
    )
    good = good_key[inverse]
    red.computed[rest[good]] = True
    out.computed_g[rest[good]] = key_grams[inverse[good]]
    if any(isinstance(x, Reduction) and x.baseline_g is not None for x in red.by_key):
        for name in ("baseline_g", "project_g"):
            values = np.array(
                [
                    v if isinstance(x, Reduction) and (v := getattr(x, name)) is not None else -1
                    for x in red.by_key
                ],
                np.int64,
            )
            getattr(out, name)[rest[good]] = values[inverse[good]]
    for j in np.flatnonzero(~good).tolist():
        x = red.by_key[int(inverse[j])]
        assert not isinstance(x, Reduction)
        _reject(out, int(rest[j]), x[0], x[1])
    return red


def _overlap_and_caps(
    cols: _Columns,
    ctx: IntakeContext,
    methods: list[Methodology],
    method: I64,
    reductions: _Reductions,
    out: ColumnarResult,
) -> None:
    """Step 6, per resident: ``overlapping_trip``, then the daily and yearly caps.

    Assuming every computed record is accepted, a resident whose trips overlap nothing
    (neither a credited trip, via a sorted search, nor each other, via a running maximum of
    end times) and whose per-day and per-year sums stay within every cap is accepted in
    full: removing records can only remove overlaps and lower sums, so the walk would accept
    them all too. The other residents (overlaps, binding caps) are walked in content order
    (:func:`walk_resident`).
    """
    cidx = np.flatnonzero(reductions.computed)
    if not len(cidx):
        return
    res_names, res_codes = _resident_codes(cols, reductions.computed)
    walk = np.zeros(len(res_names), np.bool_)
    _flag_overlaps(ctx, res_names, res_codes, cols.sc, cols.start, cols.end, cidx, walk)
    _flag_periods(ctx, cols.sc, out.asset, res_names, res_codes, cidx, walk)
    _flag_caps(
        ctx,
        methods,
        res_names,
        res_codes,
        cols.sc,
        cols.day,
        cols.year,
        method,
        out.computed_g,
        cidx,
        walk,
    )
    to_walk = cidx[walk[res_codes[cidx]]]
    easy = cidx[~walk[res_codes[cidx]]]
    out.reason[easy] = -1
    out.grams[easy] = out.computed_g[easy]
    if not len(to_walk):
        return
    names = {res_names[c] for c in np.unique(res_codes[to_walk]).tolist()}
    trips, day_g, year_g = prior_state(ctx, names)
    periods = PeriodIndex(ctx.credited_periods)
    group_of: dict[str, list[tuple[BehaviourRecord, int, Reduction]]] = {}
    for i in to_walk.tolist():
        r = cols.record_of(i)
        group_of.setdefault(r.resident_id, []).append((r, i, reductions.of(i)))

    def reject(
        i: int, reason: ReasonCode, detail: str, r: BehaviourRecord, ref: MethodologyRef
    ) -> None:
        _reject(out, i, reason, detail)

    def accept(i: int, r: BehaviourRecord, credit: Credit) -> None:
        out.reason[i] = -1
        out.grams[i] = credit.grams
        if credit.capped_by is not None:
            out.capped[i] = REASON_INDEX[credit.capped_by]
            out.detail[i] = credit.capped_by.label_en

    # residents in pseudonym order: claims of two residents on one asset are decided in the
    # order the chunks of whole residents (sorted by pseudonym) are written
    for who, group in sorted(group_of.items()):
        group.sort(key=lambda t: _content_key(t[0]))
        walk_resident(
            who,
            group,
            trips.get(who, []),
            day_g,
            year_g,
            ctx,
            reject,
            accept,
            periods,
        )


def _resident_codes(cols: _Columns, mask: Bools) -> tuple[list[str], I64]:
    """The distinct residents of the items in ``mask``, and a code per item (-1: not in it)."""
    codes = np.full(len(cols), -1, np.int64)
    idx = np.flatnonzero(mask)
    if not len(idx):
        return [], codes
    every, names = cols.residents()
    sub = every[idx]
    if (sub < 0).any():  # an item that did not parse: factorise these items alone
        found, uniq = pd.factorize(pd.Series([cols.resident[i] for i in idx], dtype=object))
        codes[idx] = found
        return list(uniq), codes
    # the batch's codes renumbered for these items, in the order they first appear
    present, first = np.unique(sub, return_index=True)
    ordered = present[np.argsort(first, kind="stable")]
    renumber = np.full(len(names), -1, np.int64)
    renumber[ordered] = np.arange(len(ordered))
    codes[idx] = renumber[sub]
    return [names[k] for k in ordered.tolist()], codes


def _stored_quantities(
    cols: _Columns,
    methods: list[Methodology],
    method: I64,
    out: ColumnarResult,
    reductions: _Reductions,
) -> None:
    """Step 7, the quantity stored with each record: the activity for a credit, else the
    first of distance, energy, mass given (a count or a duration: the reduction's)."""
    n = len(cols)
    quantities = cols.quantities
    texts = [q.texts() for q in quantities]
    activity_col = np.array(
        [
            QUANTITY_ATTRS.index(_ACTIVITY_ATTR[m.activity]) if m.activity in _ACTIVITY_ATTR else 3
            for m in methods
        ]
        or [0]
    )
    first_present = np.full(n, -1, np.int64)
    for k in (2, 1, 0):
        first_present = np.where(quantities[k].codes >= 0, k, first_present)
    accepted_idx = np.flatnonzero(out.reason == -1)
    col_of = first_present.copy()
    col_of[accepted_idx] = activity_col[method[accepted_idx]]
    quantity = np.full(n, None, object)
    unit = np.full(n, None, object)
    for c in range(3):
        rows = np.flatnonzero(out.record & (col_of == c))
        if len(rows):
            quantity[rows] = np.asarray(texts[c], object)[quantities[c].codes[rows]]
            unit[rows] = QUANTITY_UNITS[c]
    other = np.flatnonzero(out.record & (col_of == 3))  # count, duration
    for i in other.tolist():
        r = reductions.by_record.get(i)
        if r is not None and abs(r.activity) < _STORABLE:
            quantity[i] = str(r.activity)
            unit[i] = r.activity_unit
    out.quantity, out.unit = quantity.tolist(), unit.tolist()


_ACTIVITY_ATTR = {
    ActivityKind.DISTANCE: "distance_km",
    ActivityKind.ENERGY: "energy_kwh",
    ActivityKind.MASS: "mass_kg",
}


def _per_record(m: Methodology) -> bool:
    """Whether ``m``'s reduction reads more of a record than its quantities (a count, the
    duration, the channel, the household's history): computed record by record."""
    return m.activity not in _ACTIVITY_ATTR or m.formula in (
        Formula.RATE_BY_CHANNEL,
        Formula.HOUSEHOLD_BASELINE,
    )


class _HouseholdHistory:
    """The household's uses of an asset before each record, for ``household_baseline``
    methodologies: the uses recorded before the batch (``IntakeContext.household_history``)
    and the batch's own records of the household, asset and scenario still pending at step 5
    (a month of days sent at once: day 8's trailing mean is days 1–7), in time order.

    A chunk holds whole residents, so validating chunk by chunk sees the same history."""

    def __init__(
        self,
        cols: _Columns,
        methods: list[Methodology],
        method: I64,
        pending: Bools,
        stored: Mapping[tuple[str, Scenario, str], Sequence[RecordedUse]] | None,
    ) -> None:
        self.cols = cols
        self.wanted = np.zeros(len(cols), np.bool_)
        self.by_key: dict[tuple[str, Scenario, str], list[RecordedUse]] = {}
        is_household = [m.formula is Formula.HOUSEHOLD_BASELINE for m in methods]
        if not any(is_household):
            return
        self.wanted = pending & (method >= 0) & np.array(is_household)[np.maximum(method, 0)]
        spans: dict[tuple[str, Scenario, str], dict[tuple[datetime, datetime], RecordedUse]] = {}
        for i in np.flatnonzero(self.wanted).tolist():
            r = cols.record_of(i)
            key = (r.resident_id, r.scenario, r.asset)
            if key not in spans:
                spans[key] = {(u.start, u.end): u for u in (stored or {}).get(key, ())}
            if r.energy_kwh is not None:  # a period already recorded keeps its stored use
                spans[key].setdefault((r.start, r.end), RecordedUse(r.start, r.end, r.energy_kwh))
        for key, found in spans.items():
            self.by_key[key] = sorted(found.values(), key=lambda u: (u.start, u.end))

    def before(self, i: int) -> list[Decimal]:
        """The uses of item ``i``'s household and asset that ended by its start, oldest first."""
        if not self.wanted[i]:
            return []
        r = self.cols.record_of(i)
        uses = self.by_key.get((r.resident_id, r.scenario, r.asset), [])
        return [u.use for u in uses if u.end <= r.start]


def _reject(out: ColumnarResult, i: int, reason: ReasonCode, detail: str) -> None:
    out.reason[i] = REASON_INDEX[reason]
    out.detail[i] = detail
    out.grams[i] = 0


def _without_speed(scheme: Scheme) -> Scheme:
    return replace(
        scheme,
        plausibility={s: replace(p, max_speed_kmh=None) for s, p in scheme.plausibility.items()},
    )


def _synthetic(
    i: int, sc: I64, year: I64, quantities: list[_Quantities], partner_id: str
) -> BehaviourRecord:
    """A record with item ``i``'s scenario, year and quantities, one hour on 1 January."""
    start = datetime(int(year[i]), 1, 1, tzinfo=CHINA_TZ).astimezone(UTC)
    values: dict[str, Any] = {
        attr: (q.values[int(q.codes[i])] if q.codes[i] >= 0 else None)
        for q, attr in zip(quantities, QUANTITY_ATTRS, strict=True)
    }
    return BehaviourRecord(
        partner_id, "-", "-", SCENARIOS[int(sc[i])], start, start + timedelta(hours=1), **values
    )


def _consent(ctx: IntakeContext, cols: _Columns, pending: Bools) -> Bools:
    """Whether a consent in force covers each pending record's start."""
    res_names, res_codes = _resident_codes(cols, pending)
    sc, start = cols.sc, cols.start
    covered = np.zeros(len(cols), np.bool_)
    if not res_names:
        return covered
    code_of = {name: k for k, name in enumerate(res_names)}
    ns = len(SCENARIOS)
    by_pair: dict[int, list[tuple[int, int]]] = {}
    top = np.iinfo(np.int64).max
    us_of: dict[datetime | None, int] = {None: top}  # consents share a few times

    def us(t: datetime | None) -> int:
        v = us_of.get(t)
        if v is None:
            assert t is not None
            v = us_of[t] = to_us(t)
        return v

    for (who, scenario), found in consents_by_key(ctx.consents).items():
        c = code_of.get(who)
        if c is None:
            continue
        by_pair[c * ns + _SCENARIO_INDEX[scenario.value]] = [
            (us(x.granted_at), us(x.revoked_at)) for x in found
        ]
    if not by_pair:
        return covered
    depth = max(len(v) for v in by_pair.values())
    keys = np.array(sorted(by_pair), np.int64)
    granted = np.full((depth, len(keys)), top, np.int64)
    revoked = np.full((depth, len(keys)), top, np.int64)
    for col, pair in enumerate(keys.tolist()):
        for k, (g, r) in enumerate(by_pair[pair]):
            granted[k, col], revoked[k, col] = g, r
    idx = np.flatnonzero(pending)
    pair_of = res_codes[idx] * ns + sc[idx]
    pos = np.minimum(np.searchsorted(keys, pair_of), len(keys) - 1)
    found = keys[pos] == pair_of
    t = start[idx]
    hit = np.zeros(len(idx), np.bool_)
    for k in range(depth):
        hit |= found & (granted[k, pos] <= t) & (t < revoked[k, pos])
    covered[idx] = hit
    return covered


def _flag_overlaps(
    ctx: IntakeContext,
    res_names: list[str],
    res_codes: I64,
    sc: I64,
    start: I64,
    end: I64,
    cidx: I64,
    walk: Bools,
) -> None:
    """Mark residents whose trips may overlap a credited trip or each other."""
    trip = cidx[~_not_trip()[sc[cidx]]]
    if len(trip) == 0:
        return
    code_of = {name: k for k, name in enumerate(res_names)}
    prior = [
        (c, to_us(t.start), to_us(t.end))
        for t in ctx.credited_trips
        if (c := code_of.get(t.resident_id)) is not None
    ]
    p = np.array(prior, np.int64).reshape(-1, 3)
    t_min = int(min(start[trip].min(), p[:, 1].min() if len(p) else start[trip].min()))
    t_max = int(max(end[trip].max(), p[:, 2].max() if len(p) else end[trip].max()))
    span = t_max - t_min + 1
    if float(len(res_names) + 1) * float(span) >= 2.0**62:
        walk[np.unique(res_codes[trip])] = True  # too wide for composite keys: walk them all
        return
    rc = res_codes[trip]
    s_key = rc * span + (start[trip] - t_min)
    e_key = rc * span + (end[trip] - t_min)
    if len(p):
        order = np.lexsort((p[:, 1], p[:, 0]))
        p = p[order]
        ps = p[:, 0] * span + (p[:, 1] - t_min)
        pe = np.maximum.accumulate(p[:, 0] * span + (p[:, 2] - t_min))
        pos = np.searchsorted(ps, e_key, side="left") - 1
        ok = pos >= 0
        hit = np.zeros(len(trip), np.bool_)
        hit[ok] = (p[pos[ok], 0] == rc[ok]) & (pe[pos[ok]] > s_key[ok])
        walk[rc[hit]] = True
    order = np.lexsort((start[trip], rc))
    s_sorted, e_sorted, r_sorted = s_key[order], e_key[order], rc[order]
    running = np.maximum.accumulate(e_sorted)
    clash = np.zeros(len(order), np.bool_)
    clash[1:] = running[:-1] > s_sorted[1:]
    walk[r_sorted[clash]] = True


def _flag_periods(
    ctx: IntakeContext,
    sc: I64,
    asset: Sequence[str | None],
    res_names: list[str],
    res_codes: I64,
    cidx: I64,
    walk: Bools,
) -> None:
    """Mark residents whose asset-period claims may meet a credited period or each other:
    two claims of the resident, one and a credited period of the resident, or a claim on a
    named asset that another claim in the batch, or a credited period of any resident,
    names too (claims are few: a household's month; the walk decides them exactly)."""
    claims = cidx[_asset_claim()[sc[cidx]]]
    if not len(claims):
        return
    counts = np.bincount(res_codes[claims], minlength=len(res_names))
    walk[counts >= 2] = True
    code_of = {name: k for k, name in enumerate(res_names)}
    credited_assets: set[tuple[Scenario, str]] = set()
    for p in ctx.credited_periods:
        c = code_of.get(p.resident_id)
        if c is not None and counts[c]:
            walk[c] = True
        if p.asset:
            credited_assets.add((p.scenario, p.asset))
    named = [i for i in claims.tolist() if asset[i]]
    if not named:
        return
    keys = [(SCENARIOS[int(sc[i])], str(asset[i])) for i in named]
    seen: dict[tuple[Scenario, str], int] = defaultdict(int)
    for key in keys:
        seen[key] += 1
    for i, key in zip(named, keys, strict=True):
        if seen[key] >= 2 or key in credited_assets:
            walk[res_codes[i]] = True


class PeriodIndex:
    """Credited asset periods, found by what a claim may meet (:func:`meets`): the periods
    of its named asset, whoever claimed them (any resident, any partner), and the periods of
    the resident's own asset ('') in the scenario; with no ``asset_id``, every period of the
    resident in the scenario."""

    def __init__(self, periods: Iterable[CreditedPeriod] = ()) -> None:
        self.by_asset: dict[tuple[Scenario, str], list[CreditedPeriod]] = defaultdict(list)
        self.by_resident: dict[tuple[str, Scenario], list[CreditedPeriod]] = defaultdict(list)
        for p in periods:
            self.add(p)

    def add(self, p: CreditedPeriod) -> None:
        if p.asset:
            self.by_asset[(p.scenario, p.asset)].append(p)
        self.by_resident[(p.resident_id, p.scenario)].append(p)

    def candidates(self, r: BehaviourRecord) -> list[CreditedPeriod]:
        mine = self.by_resident.get((r.resident_id, r.scenario), [])
        if not r.asset:
            return list(mine)
        theirs = self.by_asset.get((r.scenario, r.asset), [])
        return theirs + [p for p in mine if not p.asset]


def meets(p: CreditedPeriod, r: BehaviourRecord) -> bool:
    """Whether a credited period and a claim are on one asset over overlapping times: the
    same named asset in the scenario (whoever claimed it), or, for one resident, the
    resident's own asset ('') meeting any of its assets."""
    if p.scenario is not r.scenario or not (p.start < r.end and p.end > r.start):
        return False
    if p.asset and p.asset == r.asset:
        return True
    return p.resident_id == r.resident_id and (p.asset == r.asset or not p.asset or not r.asset)


def _flag_caps(
    ctx: IntakeContext,
    methods: list[Methodology],
    res_names: list[str],
    res_codes: I64,
    sc: I64,
    day: I64,
    year: I64,
    method: I64,
    grams: I64,
    cidx: I64,
    walk: Bools,
) -> None:
    """Mark residents for whom some cap could bind (its total, if all were credited, exceeds it)."""
    scheme = ctx.scheme
    inf = np.iinfo(np.int64).max

    def caps(rule: CapRule) -> tuple[int, int]:
        return (
            inf if rule.daily_g is None else rule.daily_g,
            inf if rule.yearly_g is None else rule.yearly_g,
        )

    scen = np.array([caps(scheme.caps_for(s)) for s in SCENARIOS], np.int64)
    meth = np.array([caps(_method_caps(m)) for m in methods] or [(inf, inf)], np.int64)
    total = np.array(caps(scheme.total_caps), np.int64)
    if (scen == inf).all() and (meth == inf).all() and (total == inf).all():
        return
    code_of = {name: k for k, name in enumerate(res_names)}
    rc, s, d, y, g = res_codes[cidx], sc[cidx], day[cidx], year[cidx], grams[cidx]
    mi = method[cidx]
    ns = len(SCENARIOS)
    day0 = EPOCH.date()
    prior_day: dict[tuple[int, int, int], int] = {}
    prior_year: dict[tuple[int, int, int], int] = {}
    for (who, scenario, on), v in ctx.credited_daily_g.items():
        c = code_of.get(who)
        if c is not None:
            k = SCENARIOS.index(scenario)
            dd = (on - day0).days
            for key in ((c, k, dd), (c, ns, dd)):
                prior_day[key] = prior_day.get(key, 0) + v
    for (who, scenario, yy), v in ctx.credited_yearly_g.items():
        c = code_of.get(who)
        if c is not None:
            k = SCENARIOS.index(scenario)
            for key in ((c, k, yy), (c, ns, yy)):
                prior_year[key] = prior_year.get(key, 0) + v
    checks = (
        (s, d, prior_day, np.minimum(scen[s, 0], meth[mi, 0])),
        (s, y, prior_year, np.minimum(scen[s, 1], meth[mi, 1])),
        (np.full(len(s), ns), d, prior_day, np.full(len(s), total[0])),
        (np.full(len(s), ns), y, prior_year, np.full(len(s), total[1])),
    )
    for k_sc, k_t, prior, cap in checks:
        limited = cap < inf
        if not limited.any():
            continue
        keys = np.stack([rc, k_sc, k_t], axis=1)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        sums = np.zeros(len(uniq), np.int64)
        np.add.at(sums, inverse, g)  # exact integers (bincount's weights are float64)
        if prior:
            sums += np.array([prior.get((int(a), int(b), int(c)), 0) for a, b, c in uniq], np.int64)
        over = limited & (sums[inverse] > cap)
        walk[rc[over]] = True


# ----------------------------------------------------------------- the rules, record by record


def _as_sent(item: Mapping[str, Any] | BehaviourRecord) -> str:
    """The item as sent, canonically: the last tie-break between copies whose records are
    equal (``"0"`` and ``0``, one instant in two offsets, an extra key), so the copy kept does
    not depend on arrival order either."""
    if isinstance(item, BehaviourRecord):
        return repr(item)
    return json.dumps(item, sort_keys=True, default=str, ensure_ascii=False)


def _content_key(r: BehaviourRecord) -> tuple[Any, ...]:
    """A total order on record content, so that order-dependent steps ignore arrival order
    (the resident last: copies of one id sent for two residents are ordered by it too)."""

    def d(x: Decimal | None) -> tuple[bool, Decimal]:
        return (x is None, x if x is not None else Decimal(0))

    return (
        r.start,
        r.end,
        r.scenario.value,
        r.partner_id,
        r.partner_record_id,
        d(r.distance_km),
        d(r.energy_kwh),
        d(r.mass_kg),
        d(r.installed_capacity_kw),
        d(r.count),
        (r.channel is not None, r.channel or ""),
        (r.asset_id is not None, r.asset_id or ""),
        r.resident_id,
    )


def _merge(
    intervals: list[tuple[datetime, datetime, RecordKey]],
) -> tuple[list[datetime], list[tuple[datetime, RecordKey]]]:
    """Union of half-open intervals: sorted starts, and (end, a key) of each merged run."""
    intervals.sort(key=lambda t: (t[0], t[1]))
    starts: list[datetime] = []
    ends: list[tuple[datetime, RecordKey]] = []
    for s, e, k in intervals:
        if starts and s < ends[-1][0]:
            if e > ends[-1][0]:
                ends[-1] = (e, k)
            continue
        starts.append(s)
        ends.append((e, k))
    return starts, ends


def _plausibility(
    r: BehaviourRecord, m: Methodology, scheme: Scheme
) -> tuple[ReasonCode, str] | None:
    p = scheme.plausibility_for(r.scenario)
    if r.distance_km is not None and m.activity is ActivityKind.DISTANCE:
        if p.min_distance_km is not None and r.distance_km < p.min_distance_km:
            return (
                ReasonCode.IMPLAUSIBLE_DISTANCE,
                f"distance {r.distance_km} km < {p.min_distance_km} km",
            )
        if p.max_distance_km is not None and r.distance_km > p.max_distance_km:
            return (
                ReasonCode.IMPLAUSIBLE_DISTANCE,
                f"distance {r.distance_km} km > {p.max_distance_km} km",
            )
        if p.max_speed_kmh is not None:
            speed = r.distance_km / r.duration_h
            if speed > p.max_speed_kmh:
                return (
                    ReasonCode.IMPLAUSIBLE_SPEED,
                    f"speed {speed:.1f} km/h > {p.max_speed_kmh} km/h",
                )
    if (
        r.energy_kwh is not None
        and p.max_energy_kwh is not None
        and r.energy_kwh > p.max_energy_kwh
    ):
        return ReasonCode.IMPLAUSIBLE_QUANTITY, f"energy {r.energy_kwh} kWh > {p.max_energy_kwh}"
    if r.mass_kg is not None and p.max_mass_kg is not None and r.mass_kg > p.max_mass_kg:
        return ReasonCode.IMPLAUSIBLE_QUANTITY, f"mass {r.mass_kg} kg > {p.max_mass_kg} kg"
    if (
        r.scenario is Scenario.ROOFTOP_PV
        and r.energy_kwh is not None
        and r.installed_capacity_kw is not None
    ):
        ceiling = r.installed_capacity_kw * r.duration_h  # capacity at full power throughout
        if r.energy_kwh > ceiling:
            return (
                ReasonCode.IMPLAUSIBLE_QUANTITY,
                f"generation {r.energy_kwh} kWh exceeds {r.installed_capacity_kw} kW × "
                f"{r.duration_h:.2f} h",
            )
    return None


_UNITS = {"distance_km": "km", "energy_kwh": "kWh", "mass_kg": "kg", "installed_capacity_kw": "kW"}

Rejection = tuple[ReasonCode, str, MethodologyRef | None]
"""A record's reason code, its detail, and the methodology version it was checked against."""


def consents_by_key(consents: Iterable[Consent]) -> dict[tuple[str, Scenario], list[Consent]]:
    out: dict[tuple[str, Scenario], list[Consent]] = defaultdict(list)
    for c in consents:
        out[(c.resident_id, c.scenario)].append(c)
    return out


def detail_not_authorised(partner_id: str, scenario: Scenario) -> str:
    return f"partner {partner_id!r} may not report {scenario.value}"


def detail_in_future(end: datetime) -> str:
    return f"ends {end.isoformat()}"


def detail_too_old(window: int) -> str:
    return f"older than {window} days"


def detail_no_consent(scenario: Scenario, start: datetime) -> str:
    return f"no consent to {scenario.value} at {start.isoformat()}"


def detail_no_methodology(scenario: Scenario, day: date) -> str:
    return f"no methodology for {scenario.value} on {day}"


def check_methodology(
    r: BehaviourRecord,
    m: Methodology,
    ref: MethodologyRef,
    scheme: Scheme,
    history: Sequence[Decimal] = (),
) -> Reduction | Rejection:
    """The checks of step 3 once the methodology is known, then the reduction.

    history : the household's uses of the asset before the record, oldest first [kWh]
    (``household_baseline``, :class:`_HouseholdHistory`)."""
    activity = r.activity(m.activity)
    if activity is None:
        return (
            ReasonCode.MALFORMED,
            f"{ref} needs the {m.activity.value} ({m.activity.record_unit})",
            ref,
        )
    if (
        m.activity not in (ActivityKind.DISTANCE, ActivityKind.COUNT)
        and local_date(r.start).year != local_date(r.end - timedelta(microseconds=1)).year
    ):
        return (
            ReasonCode.MALFORMED,
            "the period spans two calendar years; report each year separately",
            ref,
        )
    implausible = _plausibility(r, m, scheme)
    if implausible is not None:
        return implausible[0], implausible[1], ref
    values = {name: getattr(r, name) for name in _UNITS}
    try:
        breach = check_limits(m, values, _UNITS)
        if breach is not None:
            return ReasonCode.OUTSIDE_APPLICABILITY, breach, ref
        reduction = compute_reduction(
            m, activity, year=r.local_day.year, channel=r.channel, history=history
        )
    except FormulaInputError as exc:
        return ReasonCode.MALFORMED, f"{ref}: {exc}", ref
    except MissingParameter as exc:
        return ReasonCode.PARAMETER_MISSING, str(exc), ref
    except ReductionTooLarge as exc:
        return ReasonCode.EXCEEDS_CEILING, str(exc), ref
    if reduction.grams <= 0:
        return ReasonCode.NO_REDUCTION, f"{ref} gives {reduction.exact_g.normalize()} g", ref
    outside = scheme.plausibility_for(r.scenario).reduction_outside(reduction.grams)
    if outside is not None:
        return ReasonCode.IMPLAUSIBLE_REDUCTION, outside, ref
    return reduction


Trips = dict[str, list[tuple[datetime, datetime, RecordKey]]]
DayTotals = dict[tuple[str, Scenario | None, date], int]
YearTotals = dict[tuple[str, Scenario | None, int], int]


def prior_state(
    ctx: IntakeContext, residents: AbstractSet[str]
) -> tuple[Trips, DayTotals, YearTotals]:
    """Credited trips and running totals (per scenario and all scenarios) of ``residents``."""
    trips: Trips = defaultdict(list)
    for t in ctx.credited_trips:
        if t.resident_id in residents:
            trips[t.resident_id].append((t.start, t.end, t.key))
    day_g: DayTotals = defaultdict(int)
    year_g: YearTotals = defaultdict(int)
    for (res, sc, d), g in ctx.credited_daily_g.items():
        if res in residents:
            day_g[(res, sc, d)] += g
            day_g[(res, None, d)] += g
    for (res, sc, y), g in ctx.credited_yearly_g.items():
        if res in residents:
            year_g[(res, sc, y)] += g
            year_g[(res, None, y)] += g
    return trips, day_g, year_g


def uncovered_us(
    start: datetime, end: datetime, covered: Iterable[tuple[datetime, datetime]]
) -> int:
    """Microseconds of [start, end) that no interval of ``covered`` covers (exact)."""
    parts = sorted((max(s, start), min(e, end)) for s, e in covered if s < end and e > start)
    left = to_us(end) - to_us(start)
    reach = start
    for s, e in parts:
        s = max(s, reach)
        if e > s:
            left -= to_us(e) - to_us(s)
            reach = e
    return left


def claim_period(
    r: BehaviourRecord, m: Methodology, reduction: Reduction, periods: Iterable[CreditedPeriod]
) -> tuple[int, CreditedPeriod | None]:
    """The grams an asset-period claim may be credited given the asset's credited periods,
    and a credited period it meets (None: it meets none).

    The asset is ``r.asset`` in ``r.scenario``: a named asset meets its periods whoever
    claimed them; '' (the resident's own asset) meets every asset of the resident in the
    scenario (:func:`meets`). A period wholly credited gives 0; one partly
    credited gives 0 under :attr:`PartialOverlap.REFUSE`, else the uncovered share of the
    reduction, ER × uncovered / period, rounded half to even.
    """
    met = sorted((p for p in periods if meets(p, r)), key=lambda p: (p.start, p.end, p.key))
    if not met:
        return reduction.grams, None
    left = uncovered_us(r.start, r.end, ((p.start, p.end) for p in met))
    if left <= 0 or m.partial_overlap is PartialOverlap.REFUSE:
        return 0, met[0]
    whole = to_us(r.end) - to_us(r.start)
    return round_grams(reduction.exact_g * Decimal(left) / Decimal(whole)), met[0]


def walk_resident(
    resident: str,
    group: Iterable[tuple[BehaviourRecord, int, Reduction]],
    prior_trips: list[tuple[datetime, datetime, RecordKey]],
    day_g: DayTotals,
    year_g: YearTotals,
    ctx: IntakeContext,
    reject: Callable[[int, ReasonCode, str, BehaviourRecord, MethodologyRef], None],
    accept: Callable[[int, BehaviourRecord, Credit], None],
    periods: PeriodIndex | None = None,
) -> None:
    """Step 4 for one resident, records in content order: overlap (trips) or the asset's
    credited periods (asset-period claims, :func:`claim_period`), then caps.

    ``day_g`` and ``year_g`` are updated with what is credited, and ``periods`` (shared by
    the residents walked, so claims of two residents on one asset meet) with the periods.
    """
    scheme = ctx.scheme
    starts, ends = _merge(list(prior_trips))
    last_end: tuple[datetime, RecordKey] | None = None
    if periods is None:
        periods = PeriodIndex()
    for r, i, reduction in group:
        ref = reduction.methodology
        grams, capped_by = reduction.grams, None
        is_claim = r.scenario.claim is ClaimKind.ASSET_PERIOD
        if is_claim:
            grams, met = claim_period(r, ctx.library.get(ref), reduction, periods.candidates(r))
            if met is not None:
                if grams <= 0:
                    where = f"asset {r.asset!r}" if r.asset else "the resident's own asset"
                    reject(
                        i,
                        ReasonCode.PERIOD_ALREADY_CREDITED,
                        f"{r.scenario.value} of {where} from {max(met.start, r.start).isoformat()}"
                        f" is already credited ({met.key})",
                        r,
                        ref,
                    )
                    continue
                capped_by = ReasonCode.PERIOD_ALREADY_CREDITED
        if r.scenario.is_trip:
            pos = bisect.bisect_left(starts, r.end) - 1
            if pos >= 0 and ends[pos][0] > r.start:
                reject(
                    i, ReasonCode.OVERLAPPING_TRIP, f"overlaps credited trip {ends[pos][1]}", r, ref
                )
                continue
            if last_end is not None and last_end[0] > r.start:
                reject(
                    i,
                    ReasonCode.OVERLAPPING_TRIP,
                    f"overlaps trip {last_end[1]} in this batch",
                    r,
                    ref,
                )
                continue
        day, year = r.local_day, r.local_day.year
        m = ctx.library.get(ref)
        limits: list[tuple[ReasonCode, int, int]] = []  # (reason, cap, used)
        rules: tuple[tuple[CapRule, Scenario | None], ...] = (
            (scheme.caps_for(r.scenario), r.scenario),
            (scheme.total_caps, None),
            (_method_caps(m), r.scenario),
        )
        for rule, cap_sc in rules:
            if rule.daily_g is not None:
                limits.append(
                    (ReasonCode.DAILY_CAP_REACHED, rule.daily_g, day_g[(resident, cap_sc, day)])
                )
            if rule.yearly_g is not None:
                limits.append(
                    (ReasonCode.YEARLY_CAP_REACHED, rule.yearly_g, year_g[(resident, cap_sc, year)])
                )
        for reason, cap, used in limits:
            room = max(cap - used, 0)
            if room < grams:
                grams, capped_by = room, reason
        if grams == 0:
            assert capped_by is not None
            reject(i, capped_by, f"{capped_by.label_en} for {r.scenario.value} on {day}", r, ref)
            continue
        for key_sc in (r.scenario, None):
            day_g[(resident, key_sc, day)] += grams
            year_g[(resident, key_sc, year)] += grams
        if r.scenario.is_trip:
            last_end = (r.end, r.key) if last_end is None or r.end > last_end[0] else last_end
        if is_claim:
            periods.add(CreditedPeriod(resident, r.scenario, r.asset, r.start, r.end, r.key))
        accept(i, r, Credit(r, reduction, grams, capped_by))


def _method_caps(m: Methodology) -> CapRule:
    """Caps written in the methodology itself, in the shape of a platform cap rule."""
    return CapRule(daily_g=m.caps.daily_g, yearly_g=m.caps.yearly_g)
