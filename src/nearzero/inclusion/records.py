"""Behaviour records as partners report them, and their parsing at the edge.

A partner (bus company, ride-code platform, bike operator, grid company, recycler)
sends records of residents' behaviour. Inside the core a record is a frozen
:class:`BehaviourRecord` with quantities in fixed units (km, kWh, kg, kW); the
parser below accepts either those fields or ``{"value": …, "unit": …}`` quantities,
which pass through the project's pint registry once, here.

Times are timezone-aware. Calendar days and years (for caps and per-year factors)
are China Standard Time (UTC+8, no daylight saving), see :func:`local_date`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from nearzero.inclusion.choices import ActivityKind, Scenario
from nearzero.units import Quantity, UnitError, parse_unit

CHINA_TZ = timezone(timedelta(hours=8), "CST")
"""China Standard Time; China has no daylight saving, so a fixed offset is exact."""


class RecordFormatError(ValueError):
    """A record field is missing or malformed; the message names the field."""


@dataclass(frozen=True, slots=True, order=True)
class RecordKey:
    """A record's identity: the partner and the partner's own record id."""

    partner_id: str
    partner_record_id: str

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.partner_record_id}"


@dataclass(frozen=True, slots=True)
class BehaviourRecord:
    """One resident behaviour as reported by a partner.

    resident_id : pseudonym (see :func:`nearzero.inclusion.security.pseudonymise`);
    never a raw phone number or ID.
    distance_km [km], energy_kwh [kWh], mass_kg [kg], installed_capacity_kw [kW]:
    the activity fields; which one a scenario needs is the methodology's ``activity``.
    """

    partner_id: str
    partner_record_id: str
    resident_id: str
    scenario: Scenario
    start: datetime
    end: datetime
    distance_km: Decimal | None = None
    energy_kwh: Decimal | None = None
    mass_kg: Decimal | None = None
    installed_capacity_kw: Decimal | None = None
    count: Decimal | None = None
    """``count`` activities: rides, receipts, steps [count]."""
    channel: str | None = None
    """How the behaviour was evidenced (``rate_by_channel``: ``upload``, ``check_in`` …)."""
    asset_id: str | None = None
    """The asset an ``asset_period`` claim is on (a meter, a device, an installation), in
    the partner's words; None: the resident's own asset of the scenario (see
    :attr:`asset`)."""

    @property
    def asset(self) -> str:
        """The asset of the claim: ``asset_id``, or '' for the resident's own asset of the
        scenario, which meets every asset of the resident in that scenario."""
        return self.asset_id or ""

    @property
    def key(self) -> RecordKey:
        return RecordKey(self.partner_id, self.partner_record_id)

    def activity(self, kind: ActivityKind) -> Decimal | None:
        """The activity field for ``kind`` in :attr:`ActivityKind.record_unit`."""
        if kind is ActivityKind.DISTANCE:
            return self.distance_km
        if kind is ActivityKind.ENERGY:
            return self.energy_kwh
        if kind is ActivityKind.COUNT:
            return self.count
        if kind is ActivityKind.DURATION:
            return self.duration_h
        return self.mass_kg

    @property
    def local_day(self) -> date:
        """The calendar day (UTC+8) the behaviour started on."""
        return local_date(self.start)

    @property
    def duration_h(self) -> Decimal:
        """Duration [h], exact to the microsecond."""
        delta = self.end - self.start
        micro = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return Decimal(micro) / Decimal(3_600_000_000)


def local_date(t: datetime) -> date:
    """The calendar date of ``t`` in China Standard Time (UTC+8)."""
    return t.astimezone(CHINA_TZ).date()


# Quantity fields: the record attribute, its unit, and the names a partner may use.
QUANTITY_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("distance_km", "km", "distance"),
    ("energy_kwh", "kWh", "energy"),
    ("mass_kg", "kg", "mass"),
    ("installed_capacity_kw", "kW", "installed_capacity"),
)


def _text(data: Mapping[str, Any], key: str) -> str:
    raw = data.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RecordFormatError(f"field {key!r} is required")
    if not isinstance(raw, (str, int)) or isinstance(raw, bool):
        raise RecordFormatError(f"field {key!r} must be a string, not {type(raw).__name__}")
    text = str(raw).strip()
    if len(text) > 128:
        raise RecordFormatError(f"field {key!r} is longer than 128 characters")
    if not text.isprintable():
        raise RecordFormatError(f"field {key!r} contains a control character")
    return text


CALENDAR = (datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC))
"""The UTC times a record may have: a day either side stays a date Python can hold."""


def in_calendar(t: datetime) -> datetime | None:
    """``t`` (with an offset) in UTC, or None when it falls outside :data:`CALENDAR`."""
    try:
        utc = t.astimezone(UTC)
    except OverflowError:
        return None
    return utc if CALENDAR[0] <= utc <= CALENDAR[1] else None


def _time(data: Mapping[str, Any], key: str) -> datetime:
    raw = data.get(key)
    if isinstance(raw, datetime):
        t = raw
    elif isinstance(raw, str):
        try:
            t = datetime.fromisoformat(raw.strip())
        except ValueError as exc:
            raise RecordFormatError(f"field {key!r}: {raw!r} is not an ISO 8601 time") from exc
    else:
        raise RecordFormatError(f"field {key!r} is required (ISO 8601 time with offset)")
    if t.tzinfo is None or t.utcoffset() is None:
        raise RecordFormatError(f"field {key!r}: {raw!r} has no UTC offset")
    utc = in_calendar(t)
    if utc is None:
        raise RecordFormatError(f"field {key!r}: {raw!r} is outside the calendar")
    return utc


MAX_EXPONENT = 30
"""A quantity is below 10³¹ in its unit: far above any plausible record (the per-record
ceiling on the reduction refuses what the office's ranges let through), low enough that a
unit conversion never overflows :mod:`decimal`."""


def _number(raw: Any, key: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        raise RecordFormatError(f"field {key!r} must be a number, not {raw!r}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise RecordFormatError(f"field {key!r} must be a number, not {raw!r}") from exc
    if not value.is_finite():
        raise RecordFormatError(f"field {key!r} must be finite, not {raw!r}")
    if value < 0:
        raise RecordFormatError(f"field {key!r} must not be negative, not {raw!r}")
    if value and value.adjusted() > MAX_EXPONENT:
        raise RecordFormatError(f"field {key!r} must be below 1e{MAX_EXPONENT + 1}, not {raw!r}")
    return value


def _quantity(data: Mapping[str, Any], attr: str, unit: str, name: str) -> Decimal | None:
    raw = data.get(name)
    if data.get(attr) is not None:
        if raw is not None:
            raise RecordFormatError(f"give {attr!r} or {name!r}, not both")
        return _number(data[attr], attr)
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or "value" not in raw or "unit" not in raw:
        raise RecordFormatError(f"field {name!r} must be {{'value': …, 'unit': …}}")
    value = _number(raw["value"], f"{name}.value")
    try:
        magnitude = Quantity(1, parse_unit(str(raw["unit"]))).to(parse_unit(unit)).magnitude
    except (UnitError, Exception) as exc:  # pint raises several types
        raise RecordFormatError(
            f"field {name!r}: unit {raw['unit']!r} does not convert to {unit}"
        ) from exc
    factor = Decimal(repr(float(magnitude)))
    return value * factor


def record_from_mapping(data: Mapping[str, Any], partner_id: str) -> BehaviourRecord:
    """Parse one record of a partner batch (pure). Raises :class:`RecordFormatError`.

    Fields: ``partner_record_id``, ``resident_id`` (pseudonym), ``scenario``, ``start``,
    ``end`` (ISO 8601 with offset) and the quantities, as ``distance_km`` (a number) or
    ``distance`` ``{"value": "1200", "unit": "m"}``; likewise energy, mass,
    installed_capacity; optional ``count`` (a number), ``channel`` and ``asset_id`` (text).
    """
    if not isinstance(data, Mapping):
        raise RecordFormatError("a record must be a JSON object")
    scenario_text = _text(data, "scenario")
    try:
        scenario = Scenario(scenario_text)
    except ValueError as exc:
        allowed = ", ".join(s.value for s in Scenario)
        raise RecordFormatError(
            f"field 'scenario': {scenario_text!r} is not one of: {allowed}"
        ) from exc
    start, end = _time(data, "start"), _time(data, "end")
    if end <= start:
        raise RecordFormatError("field 'end' must be after 'start'")
    quantities = {attr: _quantity(data, attr, unit, name) for attr, unit, name in QUANTITY_FIELDS}
    return BehaviourRecord(
        partner_id=partner_id,
        partner_record_id=_text(data, "partner_record_id"),
        resident_id=_text(data, "resident_id"),
        scenario=scenario,
        start=start,
        end=end,
        **quantities,
        count=_number(data["count"], "count") if data.get("count") is not None else None,
        channel=_text(data, "channel") if data.get("channel") is not None else None,
        asset_id=_text(data, "asset_id") if data.get("asset_id") is not None else None,
    )


def check_record(record: BehaviourRecord) -> str | None:
    """Structural checks on an already built record; a message naming the field, or None."""
    for name in ("partner_id", "partner_record_id", "resident_id"):
        if not getattr(record, name):
            return f"field {name!r} is required"
    if record.asset_id is not None and (
        not record.asset_id or len(record.asset_id) > 128 or not record.asset_id.isprintable()
    ):
        return "field 'asset_id' must be 1 to 128 printable characters"
    for name in ("start", "end"):
        t: datetime = getattr(record, name)
        if t.tzinfo is None or t.utcoffset() is None:
            return f"field {name!r} has no UTC offset"
    if record.end <= record.start:
        return "field 'end' must be after 'start'"
    if record.channel is not None and (
        not record.channel or len(record.channel) > 128 or not record.channel.isprintable()
    ):
        return "field 'channel' must be 1 to 128 printable characters"
    for attr in (*(f[0] for f in QUANTITY_FIELDS), "count"):
        v: Decimal | None = getattr(record, attr)
        if v is not None and (not v.is_finite() or v < 0):
            return f"field {attr!r} must be a non-negative number"
    return None
