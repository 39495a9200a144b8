"""The formula kinds of carbon-inclusion methodologies, as small pure functions.

Each function is one equation as a published methodology writes it, in exact
:class:`decimal.Decimal` arithmetic, in grams of CO2 (the caller converts the units once,
:mod:`nearzero.inclusion.calculation`); a methodology's YAML names its kind in ``formula``.

``rate_x_activity``  mean-baseline method (深圳市低碳公共出行碳普惠方法学(试行), 2021-12 [S6][S7];
    Wuhan's per-ride and per-km rates [S24][S25])
    ER = RF × A

``baseline_minus_project``  DB11/T 3043-2024 碳普惠项目减排量核算技术规范 低碳出行 [S10] eq. 1, 2
    BE = EF_BL × A,  PE = EF_PJ × A,  ER = BE − PE
    (per record: the trip's distance A under the displaced baseline mode's factor and the
    project mode's factor; BE and PE are kept beside ER)

``rate_by_channel``  rates that differ by how the behaviour is evidenced (湖北 碳碳星球 [S26]:
    a bus ride is 105 points by an uploaded ticket, 52 by a self check-in; 1 point = 1 g)
    ER = RF_c × A,  c the record's channel

``household_baseline``  深圳市居民低碳用电碳普惠方法学(试行), 2022-06 [S8][S9]
    E < E_BL:  ER = (E_BL − E) × EF
    E ≥ E_BL:  ER = (Ē_n − E) × EF when positive, else 0
    E : the household's use over the period [kWh]; E_BL : the city's baseline for the period
    [kWh]; Ē_n : the household's own mean over its trailing n periods [kWh]

``generation_x_grid_factor`` and ``efficiency_substitution`` are in
:mod:`nearzero.inclusion.calculation` (ER = EG × EF_grid,y; ER = E_PJ × (η_PJ/η_BL − 1) × EF).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal


class FormulaInputError(ValueError):
    """An input a formula needs is missing or out of range; the message names it."""


@dataclass(frozen=True, slots=True)
class BaselineProject:
    """A reduction as baseline minus project emissions [g CO2]."""

    baseline_g: Decimal
    project_g: Decimal

    @property
    def reduction_g(self) -> Decimal:
        return self.baseline_g - self.project_g


def rate_x_activity(rate: Decimal, activity: Decimal) -> Decimal:
    """ER = RF × A.

    rate : Decimal
        Reduction per unit of activity [g per unit of A].
    activity : Decimal
        Activity [km, kWh, kg, count, h].
    """
    return rate * activity


def baseline_minus_project(
    ef_baseline: Decimal, ef_project: Decimal, activity: Decimal
) -> BaselineProject:
    """BE = EF_BL × A, PE = EF_PJ × A (DB11/T 3043-2024 eq. 1 and 2, one trip), ER = BE − PE.

    ef_baseline : Decimal
        Emission factor of the displaced baseline mode [g per unit of A, e.g. g/pkm].
    ef_project : Decimal
        Emission factor of the project mode the resident used [g per unit of A].
    activity : Decimal
        The trip's activity, e.g. its distance [pkm].
    """
    return BaselineProject(ef_baseline * activity, ef_project * activity)


def rate_by_channel(rates: Mapping[str, Decimal], channel: str, activity: Decimal) -> Decimal:
    """ER = RF_c × A with the rate of the record's channel (碳碳星球 [S26]).

    rates : channel → reduction per unit of activity [g per unit]; channel : the record's
    channel (e.g. ``upload``, ``check_in``); activity [count, km …].
    Raises :class:`FormulaInputError` naming the channels when ``channel`` has no rate.
    """
    if channel not in rates:
        known = ", ".join(sorted(rates)) or "none"
        raise FormulaInputError(f"channel {channel!r} has no rate (channels: {known})")
    return rates[channel] * activity


def trailing_mean(history: Sequence[Decimal], periods: int) -> Decimal | None:
    """Mean of the last ``periods`` values of ``history`` [kWh]; None with fewer."""
    if periods <= 0 or len(history) < periods:
        return None
    window = history[-periods:]
    return sum(window, Decimal(0)) / periods


def household_baseline(
    use: Decimal, city_baseline: Decimal, own_mean: Decimal | None, ef: Decimal
) -> Decimal:
    """Household electricity saving, the branches of Shenzhen's methodology [S8].

    use : Decimal
        The household's electricity use over the period [kWh].
    city_baseline : Decimal
        The city's per-household baseline for the period [kWh] (Shenzhen: 5–12 kWh a day
        by season [S9]).
    own_mean : Decimal or None
        The household's own mean use over its trailing periods [kWh] (Shenzhen: 7 days);
        None when the household has no such history.
    ef : Decimal
        Grid emission factor [g/kWh].

    Below the city's baseline: ER = (E_BL − E) × EF. At or above it: ER = (Ē − E) × EF
    when the household used less than its own trailing mean, else 0 (and 0 without a
    history).
    """
    if use < 0 or city_baseline < 0:
        raise FormulaInputError("use and city_baseline must not be negative [kWh]")
    if use < city_baseline:
        return (city_baseline - use) * ef
    if own_mean is not None and use < own_mean:
        return (own_mean - use) * ef
    return Decimal(0)
