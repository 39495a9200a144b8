"""Choices of carbon inclusion (碳普惠), with their zh/en labels in one place.

- :class:`Scenario`: the behaviour scenarios (应用场景) a resident can earn points for.
- :class:`ActivityKind`: what a behaviour record measures (distance, electricity, mass).
- :class:`ReasonCode`: why an intake record was rejected; every rejection carries one.
"""

from __future__ import annotations

from enum import StrEnum


class Scenario(StrEnum):
    """A low-carbon behaviour scenario (碳普惠应用场景)."""

    BUS = "bus"
    METRO = "metro"
    SHARED_BICYCLE = "shared_bicycle"
    ROOFTOP_PV = "rooftop_pv"
    USED_CLOTHES = "used_clothes"
    HEAT_PUMP = "heat_pump"
    EFFICIENT_AC = "efficient_ac"

    @property
    def label_zh(self) -> str:
        return _SCENARIO_ZH[self]

    @property
    def label_en(self) -> str:
        return _SCENARIO_EN[self]

    @property
    def is_trip(self) -> bool:
        """True for transport scenarios: one person cannot make two trips at once."""
        return self in TRIP_SCENARIOS


_SCENARIO_ZH = {
    Scenario.BUS: "公交出行",
    Scenario.METRO: "地铁出行",
    Scenario.SHARED_BICYCLE: "共享单车骑行",
    Scenario.ROOFTOP_PV: "家庭屋顶光伏",
    Scenario.USED_CLOTHES: "旧衣物回收",
    Scenario.HEAT_PUMP: "空气源热泵",
    Scenario.EFFICIENT_AC: "节能空调",
}
_SCENARIO_EN = {
    Scenario.BUS: "bus trip",
    Scenario.METRO: "metro trip",
    Scenario.SHARED_BICYCLE: "shared-bicycle ride",
    Scenario.ROOFTOP_PV: "household rooftop PV",
    Scenario.USED_CLOTHES: "used-clothes recycling",
    Scenario.HEAT_PUMP: "air-source heat pump",
    Scenario.EFFICIENT_AC: "energy-saving air conditioner",
}

TRIP_SCENARIOS: frozenset[Scenario] = frozenset(
    {Scenario.BUS, Scenario.METRO, Scenario.SHARED_BICYCLE}
)


class ActivityKind(StrEnum):
    """The quantity a behaviour record carries, and the record field that holds it."""

    DISTANCE = "distance"  # BehaviourRecord.distance_km  [km]
    ENERGY = "energy"  # BehaviourRecord.energy_kwh  [kWh]
    MASS = "mass"  # BehaviourRecord.mass_kg  [kg]

    @property
    def record_unit(self) -> str:
        """The unit in which :class:`~nearzero.inclusion.records.BehaviourRecord` stores it."""
        return _ACTIVITY_UNIT[self]


_ACTIVITY_UNIT = {ActivityKind.DISTANCE: "km", ActivityKind.ENERGY: "kWh", ActivityKind.MASS: "kg"}


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
    OUTSIDE_APPLICABILITY = "outside_applicability"
    PARAMETER_MISSING = "parameter_missing"
    NO_REDUCTION = "no_reduction"
    OVERLAPPING_TRIP = "overlapping_trip"
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
    ReasonCode.OUTSIDE_APPLICABILITY: "超出方法学适用范围",
    ReasonCode.PARAMETER_MISSING: "方法学参数尚未确定",
    ReasonCode.NO_REDUCTION: "无减排量",
    ReasonCode.OVERLAPPING_TRIP: "与已计入的出行时间重叠",
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
    ReasonCode.OUTSIDE_APPLICABILITY: "outside the methodology's applicability",
    ReasonCode.PARAMETER_MISSING: "a methodology parameter has no confirmed value",
    ReasonCode.NO_REDUCTION: "no reduction",
    ReasonCode.OVERLAPPING_TRIP: "overlaps a trip already credited",
    ReasonCode.DAILY_CAP_REACHED: "daily cap reached",
    ReasonCode.YEARLY_CAP_REACHED: "yearly cap reached",
}
