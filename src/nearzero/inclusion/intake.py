"""Intake validation: a partner batch in, every record accepted (with a credit) or rejected.

Pure and set-based. The caller (the intake service) hands over, besides the batch,
an :class:`IntakeContext` with what the store already knows: partners and the
scenarios each may report, consents, the keys already credited, the transport
trips already credited of the residents in the batch, and the grams already
credited per resident, scenario, day and year. The service can query exactly what
is needed with :func:`context_scope`.

Order of the checks (the first one a record fails is its reason code):

1. batch: unknown partner / signature / timestamp / nonce (:mod:`.security`);
2. record: malformed, already credited, duplicate in the batch, scenario not
   authorised for the partner, in the future, older than the claim window, no
   consent, no methodology, activity field missing, implausible, outside the
   methodology's applicability, parameter missing, no reduction;
3. per resident, in time order: overlap with a trip already credited (or accepted
   earlier in the same batch; from any partner, since one person cannot make two
   trips at once), then the daily and yearly caps.

Step 3 sorts the survivors once by (resident, start, record content) and walks each
resident's records with a running end time and running totals: O(n log n), no
pairwise comparison. Because every order-dependent step uses this content order,
the outcome of a batch does not depend on the order its records arrive in.

Caps: a record that would pass a cap is credited the grams left under it (and
marks the cap it hit in ``Credit.capped_by``); a record with nothing left is
rejected with the cap's reason code. The credit keeps the full methodology result
(:class:`~nearzero.inclusion.calculation.Reduction`) beside the credited grams.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any

from nearzero.inclusion.calculation import Reduction, check_limits, compute_reduction
from nearzero.inclusion.choices import ActivityKind, ReasonCode, Scenario
from nearzero.inclusion.methodology import (
    Methodology,
    MethodologyLibrary,
    MethodologyRef,
    MissingParameter,
)
from nearzero.inclusion.records import (
    BehaviourRecord,
    RecordFormatError,
    RecordKey,
    check_record,
    local_date,
    record_from_mapping,
)
from nearzero.inclusion.rules import CapRule, Scheme
from nearzero.inclusion.security import DEFAULT_WINDOW_S, SignedRequest, verify_request


@dataclass(frozen=True, slots=True)
class Consent:
    """A resident's consent to one scenario, in force on [granted_at, revoked_at)."""

    resident_id: str
    scenario: Scenario
    granted_at: datetime
    revoked_at: datetime | None = None

    def covers(self, t: datetime) -> bool:
        return self.granted_at <= t and (self.revoked_at is None or t < self.revoked_at)


@dataclass(frozen=True, slots=True)
class CreditedTrip:
    """A transport trip already credited (from any partner), for overlap detection."""

    resident_id: str
    start: datetime
    end: datetime
    key: RecordKey


@dataclass(frozen=True, slots=True)
class IntakeContext:
    """What the store already knows, as plain values (see the module docstring)."""

    library: MethodologyLibrary
    scheme: Scheme
    now: datetime
    partners: Mapping[str, frozenset[Scenario]]
    consents: Iterable[Consent] = ()
    credited_keys: AbstractSet[RecordKey] = frozenset()
    credited_trips: Iterable[CreditedTrip] = ()
    credited_daily_g: Mapping[tuple[str, Scenario, date], int] = field(default_factory=dict)
    credited_yearly_g: Mapping[tuple[str, Scenario, int], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Credit:
    """An accepted record: what the methodology gives and what is credited under the caps."""

    record: BehaviourRecord
    reduction: Reduction
    grams: int
    capped_by: ReasonCode | None = None

    @property
    def methodology(self) -> MethodologyRef:
        return self.reduction.methodology

    def as_trip(self) -> CreditedTrip | None:
        """The credited trip, for the overlap check of later batches (None: not a trip)."""
        r = self.record
        return CreditedTrip(r.resident_id, r.start, r.end, r.key) if r.scenario.is_trip else None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The fate of one item of a batch, by its position ``index`` in the batch."""

    index: int
    partner_id: str
    partner_record_id: str
    reason: ReasonCode | None
    detail: str = ""
    record: BehaviourRecord | None = None
    credit: Credit | None = None
    methodology: MethodologyRef | None = None

    @property
    def accepted(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Outcomes in batch order."""

    partner_id: str
    outcomes: tuple[Outcome, ...]
    batch_reason: ReasonCode | None = None
    """Set when the whole request was refused (its records, if readable, carry it too)."""

    @property
    def credits(self) -> tuple[Credit, ...]:
        return tuple(o.credit for o in self.outcomes if o.credit is not None)

    def counts(self) -> Counter[ReasonCode | None]:
        """Number of records per reason (None = accepted)."""
        return Counter(o.reason for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a store must look up to build the context of a batch."""

    residents: frozenset[str]
    keys: frozenset[RecordKey]
    days: frozenset[date]
    years: frozenset[int]
    earliest: datetime | None
    latest: datetime | None


def context_scope(records: Iterable[BehaviourRecord]) -> Scope:
    """The residents, keys, days and years a batch touches (for the store's queries)."""
    rs = list(records)
    return Scope(
        residents=frozenset(r.resident_id for r in rs),
        keys=frozenset(r.key for r in rs),
        days=frozenset(r.local_day for r in rs),
        years=frozenset(r.local_day.year for r in rs),
        earliest=min((r.start for r in rs), default=None),
        latest=max((r.end for r in rs), default=None),
    )


# --------------------------------------------------------------------------- helpers


def _content_key(r: BehaviourRecord) -> tuple[Any, ...]:
    """A total order on record content, so that order-dependent steps ignore arrival order."""

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


def check_record_rules(
    r: BehaviourRecord,
    partner_id: str,
    allowed: AbstractSet[Scenario],
    consents: Mapping[tuple[str, Scenario], Sequence[Consent]],
    ctx: IntakeContext,
) -> Reduction | Rejection:
    """Step 3 for one record: its reduction, or why it is rejected (first check it fails)."""
    if r.scenario not in allowed:
        return (
            ReasonCode.SCENARIO_NOT_AUTHORISED,
            detail_not_authorised(partner_id, r.scenario),
            None,
        )
    if r.end > ctx.now:
        return ReasonCode.RECORD_IN_FUTURE, detail_in_future(r.end), None
    window = ctx.scheme.claim_window_days
    if window is not None and ctx.now - r.end > timedelta(days=window):
        return ReasonCode.RECORD_TOO_OLD, detail_too_old(window), None
    if not any(c.covers(r.start) for c in consents.get((r.resident_id, r.scenario), ())):
        return ReasonCode.NO_CONSENT, detail_no_consent(r.scenario, r.start), None
    ref = ctx.scheme.methodology_for(r.scenario, r.local_day)
    if ref is None:
        return ReasonCode.NO_METHODOLOGY, detail_no_methodology(r.scenario, r.local_day), None
    return check_methodology(r, ctx.library.get(ref), ref, ctx.scheme)


def check_methodology(
    r: BehaviourRecord, m: Methodology, ref: MethodologyRef, scheme: Scheme
) -> Reduction | Rejection:
    """The checks of step 3 once the methodology is known, then the reduction."""
    activity = r.activity(m.activity)
    if activity is None:
        return (
            ReasonCode.MALFORMED,
            f"{ref} needs the {m.activity.value} ({m.activity.record_unit})",
            ref,
        )
    if (
        m.activity is not ActivityKind.DISTANCE
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
        reduction = compute_reduction(m, activity, year=r.local_day.year)
    except MissingParameter as exc:
        return ReasonCode.PARAMETER_MISSING, str(exc), ref
    if reduction.grams <= 0:
        return ReasonCode.NO_REDUCTION, f"{ref} gives {reduction.exact_g.normalize()} g", ref
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


def walk_resident(
    resident: str,
    group: Iterable[tuple[BehaviourRecord, int, Reduction]],
    prior_trips: list[tuple[datetime, datetime, RecordKey]],
    day_g: DayTotals,
    year_g: YearTotals,
    ctx: IntakeContext,
    reject: Callable[[int, ReasonCode, str, BehaviourRecord, MethodologyRef], None],
    accept: Callable[[int, BehaviourRecord, Credit], None],
) -> None:
    """Step 4 for one resident, records in content order: overlap, then caps.

    ``day_g`` and ``year_g`` are updated with what is credited.
    """
    scheme = ctx.scheme
    starts, ends = _merge(list(prior_trips))
    last_end: tuple[datetime, RecordKey] | None = None
    for r, i, reduction in group:
        ref = reduction.methodology
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
        grams, capped_by = reduction.grams, None
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
        accept(i, r, Credit(r, reduction, grams, capped_by))


# --------------------------------------------------------------------------- the batch


def validate_batch(
    partner_id: str,
    items: Sequence[BehaviourRecord | Mapping[str, Any]],
    ctx: IntakeContext,
    batch_reason: ReasonCode | None = None,
) -> BatchResult:
    """Validate one partner batch; every item gets an :class:`Outcome` (see module doc).

    items : records, or the partner's JSON objects (parsed with
        :func:`~nearzero.inclusion.records.record_from_mapping`).
    batch_reason : the reason from :func:`~nearzero.inclusion.security.verify_request`
        when the request failed it; every record then gets that reason.
    """
    if batch_reason is None and partner_id not in ctx.partners:
        batch_reason = ReasonCode.UNKNOWN_PARTNER
    out: list[Outcome | None] = [None] * len(items)

    def raw_id(item: BehaviourRecord | Mapping[str, Any]) -> str:
        if isinstance(item, BehaviourRecord):
            return item.partner_record_id
        value = item.get("partner_record_id") if isinstance(item, Mapping) else None
        return "" if value is None else str(value)

    if batch_reason is not None:
        return BatchResult(
            partner_id,
            tuple(
                Outcome(i, partner_id, raw_id(it), batch_reason, batch_reason.label_en)
                for i, it in enumerate(items)
            ),
            batch_reason,
        )

    def reject(
        i: int,
        reason: ReasonCode,
        detail: str,
        rec: BehaviourRecord | None = None,
        ref: MethodologyRef | None = None,
    ) -> None:
        out[i] = Outcome(
            i,
            partner_id,
            rec.partner_record_id if rec else raw_id(items[i]),
            reason,
            detail,
            rec,
            None,
            ref,
        )

    # 1. parse and structural checks
    parsed: list[tuple[int, BehaviourRecord]] = []
    for i, item in enumerate(items):
        if isinstance(item, BehaviourRecord):
            problem = check_record(item)
            if problem is None and item.partner_id != partner_id:
                problem = f"record of partner {item.partner_id!r} in a batch of {partner_id!r}"
            if problem is not None:
                reject(i, ReasonCode.MALFORMED, problem, item)
                continue
            parsed.append((i, item))
        else:
            try:
                parsed.append((i, record_from_mapping(item, partner_id)))
            except RecordFormatError as exc:
                reject(i, ReasonCode.MALFORMED, str(exc))

    # 2. duplicates: already credited, then repeated in the batch (first in content order wins)
    by_key: dict[RecordKey, list[tuple[int, BehaviourRecord]]] = defaultdict(list)
    for i, r in parsed:
        by_key[r.key].append((i, r))
    survivors: list[tuple[int, BehaviourRecord]] = []
    for key, copies in by_key.items():
        if key in ctx.credited_keys:
            for i, r in copies:
                reject(i, ReasonCode.ALREADY_CREDITED, f"{key} is already credited", r)
            continue
        copies.sort(key=lambda t: _content_key(t[1]))
        survivors.append(copies[0])
        for i, r in copies[1:]:
            reject(i, ReasonCode.DUPLICATE_IN_BATCH, f"{key} appears more than once", r)

    # 3. per-record checks
    consents = consents_by_key(ctx.consents)
    allowed = ctx.partners[partner_id]
    computed: list[tuple[BehaviourRecord, int, Reduction]] = []
    for i, r in survivors:
        checked = check_record_rules(r, partner_id, allowed, consents, ctx)
        if isinstance(checked, Reduction):
            computed.append((r, i, checked))
        else:
            reject(i, checked[0], checked[1], r, checked[2])

    # 4. per resident in time order: overlap with credited trips, then caps
    residents = {r.resident_id for r, _, _ in computed}
    trips, day_g, year_g = prior_state(ctx, residents)

    def accept(i: int, r: BehaviourRecord, credit: Credit) -> None:
        capped_by = credit.capped_by
        out[i] = Outcome(
            i,
            partner_id,
            r.partner_record_id,
            None,
            capped_by.label_en if capped_by else "",
            r,
            credit,
            credit.methodology,
        )

    computed.sort(key=lambda t: (t[0].resident_id, _content_key(t[0])))
    for resident, group in groupby(computed, key=lambda t: t[0].resident_id):
        walk_resident(resident, group, trips.get(resident, []), day_g, year_g, ctx, reject, accept)
    missing = [i for i, o in enumerate(out) if o is None]
    if missing:  # pragma: no cover - every branch above sets an outcome
        raise AssertionError(f"intake left items {missing} without an outcome")
    return BatchResult(partner_id, tuple(o for o in out if o is not None))


def _method_caps(m: Methodology) -> CapRule:
    """Caps written in the methodology itself, in the shape of a platform cap rule."""
    return CapRule(daily_g=m.caps.daily_g, yearly_g=m.caps.yearly_g)


def intake_request(
    request: SignedRequest,
    ctx: IntakeContext,
    secrets: Mapping[str, bytes],
    now_s: int,
    seen_nonces: Container[tuple[str, str]],
    window_s: int = DEFAULT_WINDOW_S,
) -> BatchResult:
    """Verify a signed partner request and validate its batch (body ``{"records": [...]}``).

    A request that fails verification gets a result in which every record carries the
    batch-level reason; a body that is not a JSON object with a ``records`` list gives no
    outcomes and ``batch_reason`` MALFORMED (or the verification reason).
    """
    reason = verify_request(request, secrets, now_s, seen_nonces, window_s)
    try:
        body = json.loads(request.body.decode("utf-8"))
        items = body["records"] if isinstance(body, Mapping) else None
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError):
        items = None
    if not isinstance(items, list):
        return BatchResult(request.partner_id, (), reason or ReasonCode.MALFORMED)
    return validate_batch(request.partner_id, items, ctx, batch_reason=reason)
