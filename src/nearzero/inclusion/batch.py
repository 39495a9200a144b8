"""What an intake batch is checked against, and what it gives (plain typed values).

:class:`IntakeContext` is what the store already knows when a batch arrives: partners and
the scenarios each may report, consents, the keys already credited, the transport trips
already credited of the residents in the batch, and the grams already credited per
resident, scenario, day and year (:func:`context_scope` says which). The rule set
(:func:`nearzero.inclusion.columnar.validate_columns`) gives every item an outcome;
:func:`nearzero.inclusion.intake.validate_batch` presents them as :class:`Outcome` objects
with their :class:`Credit`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from nearzero.inclusion.calculation import Reduction
from nearzero.inclusion.choices import ClaimKind, ReasonCode, Scenario
from nearzero.inclusion.methodology import MethodologyLibrary, MethodologyRef
from nearzero.inclusion.records import BehaviourRecord, RecordKey
from nearzero.inclusion.rules import Scheme


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
class CreditedPeriod:
    """An asset's period already credited (from any partner), for ``asset_period`` claims.

    asset : the record's :attr:`~nearzero.inclusion.records.BehaviourRecord.asset` ('' for
    the resident's own asset of the scenario).
    """

    resident_id: str
    scenario: Scenario
    asset: str
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
    credited_periods: Iterable[CreditedPeriod] = ()
    household_history: Mapping[tuple[str, Scenario, str], Sequence[RecordedUse]] = field(
        default_factory=dict
    )
    """Per (resident, scenario, asset): the household's recorded uses before the batch (for
    ``household_baseline`` methodologies; the store reads at least the trailing window the
    methodology defines before each record), any order."""


@dataclass(frozen=True, slots=True)
class RecordedUse:
    """One earlier period of a household's use of an asset [kWh], as recorded."""

    start: datetime
    end: datetime
    use: Decimal


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

    def as_period(self) -> CreditedPeriod | None:
        """The credited asset period, for later batches (None: not an asset-period claim)."""
        r = self.record
        if r.scenario.claim is not ClaimKind.ASSET_PERIOD:
            return None
        return CreditedPeriod(r.resident_id, r.scenario, r.asset, r.start, r.end, r.key)


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
