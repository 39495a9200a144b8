"""Reductions from methodologies, in integer grams of CO2.

Equations (the ``formula`` of a methodology names one of them):

``rate_x_activity``  (mean-baseline method, 深圳市低碳公共出行碳普惠方法学(试行) 2021-12)
    ER = RF × A
    RF : reduction per unit of activity [g/km, kg/kg …]; A : activity [km, kg …]

``generation_x_grid_factor``  (distributed PV: Shanghai 2024; Guangdong V01 on CDM/CCER basis)
    ER = EG × EF_grid,y
    EG : electricity generated [kWh]; EF_grid,y : grid factor of the generation year [kg/kWh]

``efficiency_substitution``  (structure for heat pumps and efficient air conditioners)
    ER = E_PJ × (η_PJ / η_BL − 1) × EF_grid,y
    E_PJ : electricity used by the project unit [kWh]; η_PJ, η_BL : efficiency (COP, APF)
    of the project and the baseline unit [-]; the baseline would have used E_PJ·η_PJ/η_BL.

Arithmetic is exact (:class:`decimal.Decimal`); units are checked and converted with
the project's pint registry (:mod:`nearzero.units`) at the edge, once per unit pair.

Rounding: the exact reduction is rounded once, per record, to whole grams with
**round half to even** (banker's rounding). Records are many and small (a 1 km bus
ride is 26.9 g), so half-up would add a systematic upward bias of up to 0.5 g per
tie across millions of records; half-even is unbiased on ties, is the default of
IEEE 754 and :mod:`decimal`, and is what a SQL store can reproduce exactly. The
exact value is kept beside the rounded one for audit.

Hard ceiling: no record is credited more than :data:`RECORD_CEILING_G` (10⁹ g = 1,000 t
CO2), whatever the office's plausibility ranges (which may be empty). It is an engine bound,
not a methodology value: about twice a year of a 1 MW installation (the Shanghai PV
methodology's scope limit) at 0.42 kg/kWh. A reduction above it raises
:class:`ReductionTooLarge` (reason ``exceeds_ceiling``) before it is rounded, so a record
such as ``distance_km: "1e18"`` is one refused record, and every sum of credited grams
stays an exact integer far inside int64: a chunk of 100,000 records is at most 10¹⁴ g, and a
stored total passes 2⁶³ − 1 g only after 9.2 × 10⁹ records at the ceiling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import lru_cache
from typing import Any

import pint

from nearzero.inclusion import formulas
from nearzero.inclusion.methodology import (
    Formula,
    Methodology,
    MethodologyError,
    MethodologyRef,
    MissingParameter,
    Parameter,
)
from nearzero.units import Quantity, UnitError, parse_unit

GRAM = "g"
_PRECISION = 34
RECORD_CEILING_G = 10**9
"""The most one record can be credited [g CO2] (see the module docstring)."""
_CEILING = Decimal(RECORD_CEILING_G)


class ReductionTooLarge(MethodologyError):
    """A record's reduction is above :data:`RECORD_CEILING_G` (reason ``exceeds_ceiling``)."""


@dataclass(frozen=True, slots=True)
class ParameterUse:
    """A parameter value a reduction was computed with (a snapshot for the audit trail)."""

    name: str
    year: int | None
    value: Decimal
    unit: str
    status: str


@dataclass(frozen=True, slots=True)
class Reduction:
    """One computed reduction: grams, the exact value, and what produced it."""

    grams: int
    exact_g: Decimal
    methodology: MethodologyRef
    formula: Formula
    activity: Decimal
    activity_unit: str
    year: int
    parameters: tuple[ParameterUse, ...]
    baseline_g: int | None = None
    """BE [g] of a ``baseline_minus_project`` reduction (rounded half to even), else None."""
    project_g: int | None = None
    """PE [g] of a ``baseline_minus_project`` reduction, else None."""
    channel: str | None = None
    """The channel whose rate was used (``rate_by_channel``)."""


def round_grams(exact_g: Decimal) -> int:
    """Whole grams, rounded half to even (see the module docstring for why)."""
    return int(exact_g.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _to_decimal(x: float | int | Decimal) -> Decimal:
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(float(x)))


@lru_cache(maxsize=256)
def _grams_per(factor_unit: str, activity_unit: str) -> Decimal:
    """Grams in one ``factor_unit`` × ``activity_unit`` (e.g. kg/kWh × kWh → 1000)."""
    product = Quantity(1, parse_unit(factor_unit)) * Quantity(1, parse_unit(activity_unit))
    try:
        q = product.to(GRAM)
    except pint.errors.DimensionalityError as exc:
        raise MethodologyError(f"{factor_unit!r} × {activity_unit!r} is not a mass of CO2") from exc
    return _to_decimal(q.magnitude)


@lru_cache(maxsize=256)
def _scale(from_unit: str, to_unit: str) -> Decimal:
    """Factor from ``from_unit`` to ``to_unit`` (e.g. kW → MW = 0.001)."""
    try:
        q = Quantity(1, parse_unit(from_unit)).to(parse_unit(to_unit))
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}") from exc
    return _to_decimal(q.magnitude)


def convert_decimal(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``, exactly where the factor is exact."""
    if from_unit == to_unit:
        return value
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return value * _scale(from_unit, to_unit)


def activity_from_quantity(q: pint.Quantity[Any], unit: str) -> Decimal:
    """Edge helper: a pint quantity as a Decimal magnitude in ``unit`` (e.g. 10 km → 10)."""
    try:
        mag = q.to(parse_unit(unit)).magnitude
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {q.units!s} to {unit!r}") from exc
    return _to_decimal(mag)


def _use(p: Parameter, value: Decimal) -> ParameterUse:
    return ParameterUse(p.name, p.year, value, p.unit, p.status.value)


def compute_reduction(
    m: Methodology,
    activity: Decimal,
    *,
    year: int,
    channel: str | None = None,
    history: Sequence[Decimal] = (),
) -> Reduction:
    """The reduction of one record under methodology ``m`` (its ``formula``: the equations
    of :mod:`nearzero.inclusion.formulas` and this module's docstring).

    activity : Decimal
        The record's activity in ``m.activity.record_unit`` [km, kWh, kg, count or h].
    year : int
        The (local) calendar year of the behaviour; selects per-year parameters.
    channel : str or None
        The record's channel (``rate_by_channel``); a missing or unknown one raises
        :class:`~nearzero.inclusion.formulas.FormulaInputError`.
    history : the household's use in its earlier periods, oldest first [kWh]
        (``household_baseline``: the trailing mean of the last ``trailing_periods``).

    Raises :class:`~nearzero.inclusion.methodology.MissingParameter` when a parameter
    the formula needs has no confirmed value, naming methodology, version and parameter.
    """
    a_unit = m.activity.record_unit
    used: tuple[ParameterUse, ...]
    bp: formulas.BaselineProject | None = None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if m.formula is Formula.RATE_X_ACTIVITY:
            p, rf = m.value("RF", year)
            exact = rf * activity * _grams_per(p.unit, a_unit)
            used = (_use(p, rf),)
        elif m.formula is Formula.GENERATION_X_GRID_FACTOR:
            p, ef = m.value("EF_grid", year)
            exact = ef * activity * _grams_per(p.unit, a_unit)
            used = (_use(p, ef),)
        elif m.formula is Formula.EFFICIENCY_SUBSTITUTION:
            p_pj, eta_pj = m.value("eta_project", year)
            p_bl, eta_bl = m.value("eta_baseline", year)
            p_ef, ef = m.value("EF_grid", year)
            if eta_bl <= 0:
                raise MethodologyError(
                    f"methodology {m.ref}: eta_baseline must be positive, not {eta_bl}"
                )
            ratio = eta_pj / eta_bl - 1
            exact = activity * ratio * ef * _grams_per(p_ef.unit, a_unit)
            used = (_use(p_pj, eta_pj), _use(p_bl, eta_bl), _use(p_ef, ef))
        elif m.formula is Formula.BASELINE_MINUS_PROJECT:
            p_bl, ef_bl = m.value("EF_baseline", year)
            p_pj, ef_pj = m.value("EF_project", year)
            bp = formulas.baseline_minus_project(
                ef_bl * _grams_per(p_bl.unit, a_unit),
                ef_pj * _grams_per(p_pj.unit, a_unit),
                activity,
            )
            exact = bp.reduction_g
            used = (_use(p_bl, ef_bl), _use(p_pj, ef_pj))
        elif m.formula is Formula.RATE_BY_CHANNEL:
            if not channel:
                raise formulas.FormulaInputError(
                    f"{m.ref} needs the record's channel (one of: {', '.join(m.channels())})"
                )
            rates, used_by = {}, {}
            for c in m.channels():
                if c == channel:
                    p, rf = m.value(f"RF.{c}", year)
                    rates[c] = rf * _grams_per(p.unit, a_unit)
                    used_by[c] = _use(p, rf)
                else:
                    rates[c] = Decimal(0)  # only the record's channel needs a value
            exact = formulas.rate_by_channel(rates, channel, activity)
            used = (used_by[channel],)
        elif m.formula is Formula.HOUSEHOLD_BASELINE:
            p_bl, e_bl = m.value("E_baseline", year)
            p_ef, ef = m.value("EF_grid", year)
            p_n, n = m.value("trailing_periods", year)
            own = formulas.trailing_mean(history, int(n))
            exact = formulas.household_baseline(
                activity,
                convert_decimal(e_bl, p_bl.unit, a_unit),
                own,
                ef * _grams_per(p_ef.unit, a_unit),
            )
            used = (_use(p_bl, e_bl), _use(p_ef, ef), _use(p_n, n))
        else:  # pragma: no cover - Formula is a closed enum
            raise MethodologyError(f"unknown formula {m.formula!r}")
        if exact > _CEILING:
            raise ReductionTooLarge(
                f"{m.ref} gives {exact:.6E} g, above the per-record ceiling of {RECORD_CEILING_G} g"
            )
        if bp is not None and max(abs(bp.baseline_g), abs(bp.project_g)) > 2 * _CEILING:
            raise ReductionTooLarge(
                f"{m.ref}: baseline or project emissions above twice the per-record ceiling"
            )
    return Reduction(
        grams=round_grams(max(exact, -_CEILING)),
        exact_g=exact,
        methodology=m.ref,
        formula=m.formula,
        activity=activity,
        activity_unit=a_unit,
        year=year,
        parameters=used,
        baseline_g=None if bp is None else round_grams(bp.baseline_g),
        project_g=None if bp is None else round_grams(bp.project_g),
        channel=channel if m.formula is Formula.RATE_BY_CHANNEL else None,
    )


def reduction_grams(m: Methodology, activity: pint.Quantity[Any], *, year: int) -> int:
    """Edge form of :func:`compute_reduction`: a pint quantity in, integer grams out.

    >>> from nearzero.inclusion.methodology import load_library
    >>> from nearzero.units import ureg
    >>> bus = load_library().get("sz-transit-bus@2021-12")
    >>> reduction_grams(bus, ureg.Quantity(10, "km"), year=2024)
    269
    """
    return compute_reduction(
        m, activity_from_quantity(activity, m.activity.record_unit), year=year
    ).grams


def check_limits(
    m: Methodology, values: dict[str, Decimal | None], units: dict[str, str]
) -> str | None:
    """The first applicability limit of ``m`` that the record breaks, as a message, or None.

    values : record field → value (e.g. ``installed_capacity_kw`` → 5); units : its unit.
    A limit without a confirmed maximum raises
    :class:`~nearzero.inclusion.methodology.MissingParameter`. A record without the field
    the limit reads breaks it (the limit cannot be shown to hold).
    """
    for lim in m.limits:
        if lim.maximum is None:
            raise MissingParameter(m.id, m.version, f"limit:{lim.name}", note=lim.note)
        value = values.get(lim.record_field)
        if value is None:
            return f"{lim.record_field} is required by the limit {lim.name!r}"
        in_limit_unit = convert_decimal(value, units[lim.record_field], lim.unit)
        if in_limit_unit > lim.maximum:
            return (
                f"{lim.name} {in_limit_unit.normalize()} {lim.unit} exceeds "
                f"{lim.maximum} {lim.unit} ({lim.source})"
            )
    return None
