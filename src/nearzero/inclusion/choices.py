"""Choices of carbon inclusion (碳普惠), with their zh/en labels in one place.

- :class:`Scenario`: the behaviour scenarios (应用场景) a resident can earn points for. They
  are data: the bundled ones in ``data/inclusion/scenarios.yaml``, the office's own added
  beside its methodology versions (:func:`register_scenario`, from
  :func:`scenario_from_dict`); a scenario says what its records measure, which fields they
  carry and what may not be credited twice (:class:`ClaimKind`).
- :class:`ActivityKind`: what a behaviour record measures (distance, energy, mass, count,
  duration).
- :class:`ReasonCode`: why an intake record was rejected; every rejection carries one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any, ClassVar, SupportsIndex, overload

import yaml


class ActivityKind(StrEnum):
    """The quantity a behaviour record carries, and the record field that holds it."""

    DISTANCE = "distance"  # BehaviourRecord.distance_km  [km]
    ENERGY = "energy"  # BehaviourRecord.energy_kwh  [kWh]
    MASS = "mass"  # BehaviourRecord.mass_kg  [kg]
    COUNT = "count"  # BehaviourRecord.count  [count]: rides, receipts, steps
    DURATION = "duration"  # BehaviourRecord.duration_h  [h]: end − start

    @property
    def record_unit(self) -> str:
        """The unit in which :class:`~nearzero.inclusion.records.BehaviourRecord` stores it."""
        return _ACTIVITY_UNIT[self]


_ACTIVITY_UNIT = {
    ActivityKind.DISTANCE: "km",
    ActivityKind.ENERGY: "kWh",
    ActivityKind.MASS: "kg",
    ActivityKind.COUNT: "count",
    ActivityKind.DURATION: "h",
}


class ClaimKind(StrEnum):
    """What a record claims, beside its (partner, record id) key.

    - ``trip``: the resident's time: one person cannot make two trips at once, so a trip
      overlapping one already credited (through any partner) is refused;
    - ``asset_period``: an asset (a meter, a device, an installation) over a period: a
      period already credited for that asset (by any partner) is not credited again; a
      period partly credited is prorated or refused, as the methodology says
      (:class:`~nearzero.inclusion.methodology.PartialOverlap`);
    - ``event``: a one-off event (a drop-off of used clothes); only the record id counts.
    """

    TRIP = "trip"
    ASSET_PERIOD = "asset_period"
    EVENT = "event"


RECORD_FIELDS = frozenset(
    {
        "distance_km",
        "energy_kwh",
        "mass_kg",
        "installed_capacity_kw",
        "count",
        "channel",
        "asset_id",
    }
)
"""The record fields a scenario may name (besides the common ones every record has)."""


class ScenarioError(ValueError):
    """A scenario definition is malformed, or redefines a code differently."""


@dataclass(frozen=True, slots=True)
class ScenarioDef:
    """What a scenario is, as data: its code, labels, activity, record fields and claim."""

    code: str
    label_zh: str
    label_en: str
    activity: ActivityKind
    fields: tuple[str, ...]
    claim: ClaimKind


_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def scenario_from_dict(data: Mapping[str, Any], origin: str = "<dict>") -> ScenarioDef:
    """A :class:`ScenarioDef` from its data-file mapping (pure); the message names the field."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{origin}: 应为键值映射 — expected a mapping")
    code = str(data.get("code") or "")
    if not _CODE.match(code):
        raise ScenarioError(
            f"{origin}: 代码{code!r}须为1至32个小写字母、数字或下划线，并以字母开头 — "
            f"code {code!r} must be 1 to 32 lower-case letters, digits or '_', "
            "starting with a letter"
        )
    where = f"{origin} ({code})"
    labels = []
    for key in ("label_zh", "label_en"):
        text = str(data.get(key) or "").strip()
        if not text or len(text) > 100:
            raise ScenarioError(
                f"{where}: {key}为必填项（不超过100个字符） — "
                f"{key} is required (at most 100 characters)"
            )
        labels.append(text)
    try:
        activity = ActivityKind(str(data.get("activity")))
    except ValueError:
        allowed = ", ".join(a.value for a in ActivityKind)
        raise ScenarioError(
            f"{where}: activity应为{allowed}之一 — activity must be one of: {allowed}"
        ) from None
    try:
        claim = ClaimKind(str(data.get("claim")))
    except ValueError:
        allowed = ", ".join(c.value for c in ClaimKind)
        raise ScenarioError(
            f"{where}: claim应为{allowed}之一 — claim must be one of: {allowed}"
        ) from None
    raw_fields = data.get("fields") or []
    if not isinstance(raw_fields, list) or not all(isinstance(f, str) for f in raw_fields):
        raise ScenarioError(
            f"{where}: fields应为记录字段名的列表 — fields must be a list of record field names"
        )
    unknown = sorted(set(raw_fields) - RECORD_FIELDS)
    if unknown:
        raise ScenarioError(
            f"{where}: 未知的记录字段{unknown}（已有字段：{'、'.join(sorted(RECORD_FIELDS))}） — "
            f"unknown record fields {unknown} (known: {', '.join(sorted(RECORD_FIELDS))})"
        )
    return ScenarioDef(code, labels[0], labels[1], activity, tuple(raw_fields), claim)


class _ScenarioType(type):
    """Iterating :class:`Scenario` gives the bundled scenarios (the platform's own set, in
    file order); :func:`all_scenarios` adds those the office registered."""

    def __iter__(cls) -> Iterator[Scenario]:
        return iter(_ALL[:_BUNDLED])

    def __len__(cls) -> int:
        return _BUNDLED

    def __contains__(cls, item: object) -> bool:
        return isinstance(item, str) and str(item) in _INDEX


class Scenario(str, metaclass=_ScenarioType):
    """A low-carbon behaviour scenario (碳普惠应用场景), defined as data (:class:`ScenarioDef`).

    A scenario is its code (a ``str``: it compares and hashes as its code); each code has one
    instance, so ``is`` compares scenarios. ``Scenario("bus")`` looks a code up (ValueError
    when no scenario has it); the bundled ones are also attributes (``Scenario.BUS``).
    """

    _def: ScenarioDef

    BUS: ClassVar[Scenario]
    METRO: ClassVar[Scenario]
    SHARED_BICYCLE: ClassVar[Scenario]
    ROOFTOP_PV: ClassVar[Scenario]
    USED_CLOTHES: ClassVar[Scenario]
    HEAT_PUMP: ClassVar[Scenario]
    EFFICIENT_AC: ClassVar[Scenario]

    def __new__(cls, value: object) -> Scenario:
        found = _ALL[_INDEX[value]] if isinstance(value, str) and value in _INDEX else None
        if found is None:
            raise ValueError(f"{value!r} is not a valid Scenario")
        return found

    def __reduce__(self) -> tuple[Any, ...]:
        return (Scenario, (str(self),))

    def __repr__(self) -> str:
        return f"<Scenario.{str(self).upper()}: {str(self)!r}>"

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __deepcopy__(self, memo: object) -> Scenario:
        return self

    def __copy__(self) -> Scenario:
        return self

    @property
    def value(self) -> str:
        return str.__str__(self)

    @property
    def name(self) -> str:
        return self.value.upper()

    @property
    def definition(self) -> ScenarioDef:
        return self._def

    @property
    def label_zh(self) -> str:
        return self._def.label_zh

    @property
    def label_en(self) -> str:
        return self._def.label_en

    @property
    def activity(self) -> ActivityKind:
        """What its records measure (a methodology may read another field)."""
        return self._def.activity

    @property
    def claim(self) -> ClaimKind:
        """What a record of this scenario claims (what may not be credited twice)."""
        return self._def.claim

    @property
    def is_trip(self) -> bool:
        """True for transport scenarios: one person cannot make two trips at once."""
        return self._def.claim is ClaimKind.TRIP

    @property
    def bundled(self) -> bool:
        """True for the platform's own scenarios (not one the office added)."""
        return _INDEX[self.value] < _BUNDLED


_ALL: list[Scenario] = []
_INDEX: dict[str, int] = {}
_BUNDLED = 0


class _AllScenarios(Sequence[Scenario]):
    """Every scenario known to this process, bundled first, then those registered, in order
    (append-only: a position never changes)."""

    @overload
    def __getitem__(self, i: SupportsIndex) -> Scenario: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Scenario]: ...

    def __getitem__(self, i: SupportsIndex | slice) -> Scenario | Sequence[Scenario]:
        return _ALL[i]

    def __len__(self) -> int:
        return len(_ALL)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        return _INDEX[str(value)]


ALL_SCENARIOS: Sequence[Scenario] = _AllScenarios()
"""Every scenario (bundled, then registered by the office), a live view."""
SCENARIO_INDEX: Mapping[str, int] = _INDEX
"""Code → position in :data:`ALL_SCENARIOS` (a live view)."""


def register_scenario(definition: ScenarioDef) -> Scenario:
    """The scenario of ``definition``, registered for this process (again: unchanged).

    A code already registered with another definition is refused (:class:`ScenarioError`):
    a scenario is never redefined, as a methodology version is never changed.
    """
    known = _INDEX.get(definition.code)
    if known is not None:
        s = _ALL[known]
        if s._def != definition:
            raise ScenarioError(
                f"场景{definition.code!r}已有不同的定义；请以新代码添加场景 — "
                f"scenario {definition.code!r} is already defined differently; "
                "add a scenario under a new code instead"
            )
        return s
    if len(_ALL) >= 120:
        raise ScenarioError("场景最多120个 — at most 120 scenarios")
    s = str.__new__(Scenario, definition.code)
    s._def = definition
    _INDEX[definition.code] = len(_ALL)
    _ALL.append(s)
    return s


def all_scenarios() -> tuple[Scenario, ...]:
    """Every scenario known to this process (bundled first)."""
    return tuple(_ALL)


def _load_bundled() -> None:
    global _BUNDLED
    path = resources.files("nearzero").joinpath("data", "inclusion", "scenarios.yaml")
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    for k, item in enumerate(items):
        s = register_scenario(scenario_from_dict(item, f"scenarios.yaml[{k}]"))
        setattr(Scenario, s.name, s)
    _BUNDLED = len(_ALL)


_load_bundled()

TRIP_SCENARIOS: frozenset[Scenario] = frozenset(s for s in Scenario if s.is_trip)
"""The bundled trip scenarios (one person cannot make two trips at once)."""
ASSET_SCENARIOS: frozenset[Scenario] = frozenset(
    s for s in Scenario if s.claim is ClaimKind.ASSET_PERIOD
)
"""The bundled scenarios whose record is a claim on an asset over a period (generation or
use of an installation over a month): :attr:`ClaimKind.ASSET_PERIOD`."""


class ReasonCode(StrEnum):
    """Why an intake record was not credited. Stable codes: partners and reports use them."""

    # batch level: the request itself is not trusted, so none of its records are
    UNKNOWN_PARTNER = "unknown_partner"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    REPLAYED_NONCE = "replayed_nonce"
    # record level
    MALFORMED = "malformed"
    SCENARIO_NOT_AUTHORISED = "scenario_not_authorised"
    RECORD_IN_FUTURE = "record_in_future"
    RECORD_TOO_OLD = "record_too_old"
    DUPLICATE_IN_BATCH = "duplicate_in_batch"
    ALREADY_CREDITED = "already_credited"
    NO_CONSENT = "no_consent"
    NO_METHODOLOGY = "no_methodology"
    IMPLAUSIBLE_SPEED = "implausible_speed"
    IMPLAUSIBLE_DISTANCE = "implausible_distance"
    IMPLAUSIBLE_QUANTITY = "implausible_quantity"
    IMPLAUSIBLE_REDUCTION = "implausible_reduction"
    OUTSIDE_APPLICABILITY = "outside_applicability"
    PARAMETER_MISSING = "parameter_missing"
    NO_REDUCTION = "no_reduction"
    OVERLAPPING_TRIP = "overlapping_trip"
    PERIOD_ALREADY_CREDITED = "period_already_credited"
    EXCEEDS_CEILING = "exceeds_ceiling"
    DAILY_CAP_REACHED = "daily_cap_reached"
    YEARLY_CAP_REACHED = "yearly_cap_reached"

    @property
    def label_zh(self) -> str:
        return _REASON_ZH[self]

    @property
    def label_en(self) -> str:
        return _REASON_EN[self]

    @property
    def batch_level(self) -> bool:
        """True when the reason concerns the whole signed request, not one record."""
        return self in BATCH_REASONS


BATCH_REASONS: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.UNKNOWN_PARTNER,
        ReasonCode.BAD_SIGNATURE,
        ReasonCode.STALE_TIMESTAMP,
        ReasonCode.REPLAYED_NONCE,
    }
)

_REASON_ZH = {
    ReasonCode.UNKNOWN_PARTNER: "未知的合作方",
    ReasonCode.BAD_SIGNATURE: "签名校验失败",
    ReasonCode.STALE_TIMESTAMP: "请求时间戳超出允许时间窗",
    ReasonCode.REPLAYED_NONCE: "请求随机数重复（疑似重放）",
    ReasonCode.MALFORMED: "记录字段缺失或格式错误",
    ReasonCode.SCENARIO_NOT_AUTHORISED: "合作方无权申报该场景",
    ReasonCode.RECORD_IN_FUTURE: "行为时间晚于当前时间",
    ReasonCode.RECORD_TOO_OLD: "超过申报时限",
    ReasonCode.DUPLICATE_IN_BATCH: "同一批次内记录编号重复",
    ReasonCode.ALREADY_CREDITED: "该记录已入账",
    ReasonCode.NO_CONSENT: "居民未授权该场景",
    ReasonCode.NO_METHODOLOGY: "该场景无适用方法学",
    ReasonCode.IMPLAUSIBLE_SPEED: "速度超出合理范围",
    ReasonCode.IMPLAUSIBLE_DISTANCE: "距离超出合理范围",
    ReasonCode.IMPLAUSIBLE_QUANTITY: "数量超出合理范围",
    ReasonCode.IMPLAUSIBLE_REDUCTION: "单条减排量超出合理区间",
    ReasonCode.OUTSIDE_APPLICABILITY: "超出方法学适用范围",
    ReasonCode.PARAMETER_MISSING: "方法学参数尚未确定",
    ReasonCode.NO_REDUCTION: "无减排量",
    ReasonCode.OVERLAPPING_TRIP: "与已计入的出行时间重叠",
    ReasonCode.PERIOD_ALREADY_CREDITED: "该设施该时段已计入",
    ReasonCode.EXCEEDS_CEILING: "单条减排量超过系统上限",
    ReasonCode.DAILY_CAP_REACHED: "已达每日上限",
    ReasonCode.YEARLY_CAP_REACHED: "已达年度上限",
}
_REASON_EN = {
    ReasonCode.UNKNOWN_PARTNER: "unknown partner",
    ReasonCode.BAD_SIGNATURE: "signature does not verify",
    ReasonCode.STALE_TIMESTAMP: "request timestamp outside the allowed window",
    ReasonCode.REPLAYED_NONCE: "nonce already used (replay)",
    ReasonCode.MALFORMED: "missing or malformed field",
    ReasonCode.SCENARIO_NOT_AUTHORISED: "partner may not report this scenario",
    ReasonCode.RECORD_IN_FUTURE: "behaviour ends after the current time",
    ReasonCode.RECORD_TOO_OLD: "reported after the claim window",
    ReasonCode.DUPLICATE_IN_BATCH: "partner record id repeated in the batch",
    ReasonCode.ALREADY_CREDITED: "record already credited",
    ReasonCode.NO_CONSENT: "resident has not consented to this scenario",
    ReasonCode.NO_METHODOLOGY: "no methodology applies to this scenario",
    ReasonCode.IMPLAUSIBLE_SPEED: "speed outside the plausible range",
    ReasonCode.IMPLAUSIBLE_DISTANCE: "distance outside the plausible range",
    ReasonCode.IMPLAUSIBLE_QUANTITY: "quantity outside the plausible range",
    ReasonCode.IMPLAUSIBLE_REDUCTION: "reduction outside the plausible band",
    ReasonCode.OUTSIDE_APPLICABILITY: "outside the methodology's applicability",
    ReasonCode.PARAMETER_MISSING: "a methodology parameter has no confirmed value",
    ReasonCode.NO_REDUCTION: "no reduction",
    ReasonCode.OVERLAPPING_TRIP: "overlaps a trip already credited",
    ReasonCode.PERIOD_ALREADY_CREDITED: "the asset's period is already credited",
    ReasonCode.EXCEEDS_CEILING: "reduction above the per-record ceiling",
    ReasonCode.DAILY_CAP_REACHED: "daily cap reached",
    ReasonCode.YEARLY_CAP_REACHED: "yearly cap reached",
}


class Period(StrEnum):
    """The periods carbon-inclusion statistics are given by (a period is named by its first
    day)."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
