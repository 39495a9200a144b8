"""The one unit registry of nearzero, and the only place conversions live.

Every quantity in the core is a :class:`pint.Quantity` built from ``ureg``.
Chinese statistical units are defined here once, each with its source:

- ``tce`` (吨标准煤, tonne of coal equivalent) = 29.3076 GJ, the definition of
  standard coal in GB/T 2589-2020《综合能耗计算通则》(1 kgce = 29 307.6 kJ).
- ``wan`` (万) = 10 000 and ``yi`` (亿) = 10^8 as plain multipliers, so that
  "万吨标准煤" is written ``wan * tce`` and "亿立方米" ``yi * m**3``.
- ``yuan`` (元) is a currency unit of its own dimension; ``wan_yuan`` (万元) is
  10 000 yuan, the denominator of 单位地区生产总值二氧化碳排放 [t/万元].
- ``tCO2e`` is a mass of CO2-equivalent. It has the dimension of mass so that
  tonnes of a gas times a GWP (dimensionless) give tCO2e; the GWP set used is
  recorded beside every result, never inside the unit.
- Counts of things (个, 家, 辆, 项) are ``item``, dimensionless.
- ``Nm3`` (标准立方米) is a cubic metre of gas at standard conditions and ``gce`` (克标准煤)
  a gram of coal equivalent, as the enterprise reporting guidelines write them.

Conversions are exact. Every factor is the decimal its definition writes (29.3076 GJ, 1e4,
666.6667 m²), and :func:`convert_exact` multiplies the figure as entered by the exact ratio
of the two units (rational arithmetic, no binary rounding): 139.36 万立方米 is 1 393 600 m³,
not 1393600.0000000002. A result that terminates within 24 significant digits is returned
as it is; one that does not (GJ → tce divides by 29.3076) is the shortest decimal within
10⁻²⁵ of the exact quotient, so that a round trip A → B → A gives back any figure of up to
20 significant digits unchanged. :func:`convert` is the same for floats: the correctly
rounded float of the exact result. The factors are read from ``ureg`` itself, each
definition's scale taken as the decimal it was written as (:func:`conversion_factor`).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

import pint


def _registry() -> pint.UnitRegistry[Any]:
    """pint's registry, its parsed definitions cached in the user's cache folder (like
    matplotlib's font list: a command then starts 0.2 s sooner); built without the cache
    where that folder cannot be written."""
    try:
        return pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=":auto:")
    except OSError:
        return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


ureg: pint.UnitRegistry[Any] = _registry()
ureg.define("wan = 1e4")
ureg.define("yi = 1e8")
ureg.define("tce = 29.3076 GJ = tonne_coal_equivalent")
ureg.define("kgce = 1e-3 tce")
ureg.define("yuan = [currency] = CNY")
ureg.define("wan_yuan = 1e4 yuan")
ureg.define("yi_yuan = 1e8 yuan")
ureg.define("tCO2e = tonne = tCO2 = tonne_CO2_equivalent")
ureg.define("kgCO2e = 1e-3 tCO2e = kgCO2")  # footprint factors are per kg CO2e
ureg.define("item = [] = items")
ureg.define("person = [] = persons = capita")
ureg.define("mu = 666.6667 m**2")  # 亩, China's land area unit (1/15 hectare)
# Gas volume at standard reference conditions (标准立方米), as the ETS guidelines give natural
# gas and coke-oven gas (万Nm³); the reference conditions are stated with the figure, not here.
ureg.define("Nm3 = m**3 = normal_cubic_meter")
ureg.define("gce = 1e-6 tce")  # 克标准煤, e.g. supply coal consumption [gce/kWh]

Quantity = ureg.Quantity

# Units as printed in Chinese plans and statistics, mapped to pint expressions.
# The keys are what a department writes; the values are what pint parses.
CHINESE_UNITS: dict[str, str] = {
    "吨": "tonne",
    "万吨": "wan * tonne",
    "吨/人": "tonne / person",
    "吨/万元": "tonne / wan_yuan",
    "万吨标准煤": "wan * tce",
    "吨标准煤": "tce",
    "%": "percent",
    "辆": "item",
    "个": "item",
    "家": "item",
    "项": "item",
    "m2/人": "m**2 / person",
    "平方米/人": "m**2 / person",
    "立方米": "m**3",
    "万立方米": "wan * m**3",
    "亿立方米": "yi * m**3",
    "万m³": "wan * m**3",
    "万Nm3": "wan * Nm3",
    "万Nm³": "wan * Nm3",
    "万标准立方米": "wan * Nm3",
    "MW": "MW",
    "兆瓦": "MW",
    "万千瓦": "wan * kW",
    "kWh": "kWh",
    "万千瓦时": "wan * kWh",
    "元": "yuan",
    "万元": "wan_yuan",
    "亿元": "yi_yuan",
    "亩": "mu",
    "公顷": "hectare",
    "万亩": "wan * mu",
    "kg/公顷": "kg / hectare",
}


class UnitError(ValueError):
    """A unit that nearzero cannot read, or two units that do not convert."""


@lru_cache(maxsize=512)
def parse_unit(text: str) -> Any:
    """Parse a unit as a department writes it ("万吨标准煤", "t/万元", "MW").

    Chinese names from :data:`CHINESE_UNITS` are tried first, then pint syntax.
    An empty text or "/" means a dimensionless count or a qualitative value.
    """
    key = text.strip()
    if key in ("", "/"):
        return ureg.dimensionless
    expr = CHINESE_UNITS.get(key, key)
    try:
        parsed = ureg.parse_expression(expr)
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        TypeError,
        ValueError,
    ) as exc:
        raise UnitError(f"unknown unit {text!r}") from exc
    if isinstance(parsed, (int, float)):
        return ureg.dimensionless
    # A compound like "wan * tce" parses to a Quantity of magnitude 1e4: keep the scale
    # by turning it into a unit definition of its own.
    if parsed.magnitude != 1:
        name = "scaled_" + re.sub(r"\W", "_", expr)
        if name not in ureg:
            ureg.define(f"{name} = {parsed.magnitude!r} * {parsed.units}")
        return ureg.Unit(name)
    return parsed.units


def quantity(value: float, unit: str) -> pint.Quantity[Any]:
    """A quantity from a number and a unit text (Chinese or pint syntax)."""
    return Quantity(value, parse_unit(unit))


Number = float | int | Decimal
"""A figure: a float or int as stored, or a Decimal as entered."""


def decimal_of(value: Number | str) -> Decimal:
    """The figure as entered, as an exact decimal: a float by its shortest repr (0.1 → 0.1).

    Raises :class:`ValueError` for infinity, NaN or a text that is not a number.
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    elif isinstance(value, int):
        return Decimal(value)
    else:
        try:
            number = Decimal(repr(float(value)) if not isinstance(value, str) else value.strip())
        except ArithmeticError:
            raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def fraction_of(value: Number | Fraction) -> Fraction:
    """The figure as an exact fraction (a float by its shortest repr)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(decimal_of(value))


#: Quotients that do not terminate are given to this many significant digits at most.
DIGITS = 28
#: A terminating result with at most this many significant digits is returned exactly.
EXACT_DIGITS = 24
#: 1 / the relative tolerance of the shortest decimal standing for a non-terminating quotient.
_INVERSE_TOLERANCE = 10**25
_CONTEXTS = tuple(Context(prec=n, rounding=ROUND_HALF_EVEN) for n in range(1, DIGITS + 1))


def decimal_of_fraction(value: Fraction) -> Decimal:
    """A rational as a decimal: exact when it terminates within :data:`EXACT_DIGITS` digits.

    Otherwise the shortest decimal ``d`` (at most :data:`DIGITS` digits) with
    ``|d − value| ≤ 10⁻²⁵ · max(|value|, |d|)``; the bound is what makes a unit round trip
    give back a figure of up to 20 significant digits exactly.
    """
    if value == 0:
        return Decimal(0)
    num, den = value.numerator, value.denominator
    rest, twos, fives = den, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest == 1:
        shift = max(twos, fives)
        exact = Decimal(num * 10**shift // den).scaleb(-shift)
        if len(exact.normalize().as_tuple().digits) <= EXACT_DIGITS:
            return exact
    numerator, denominator = Decimal(num), Decimal(den)
    for context in _CONTEXTS:
        candidate = context.divide(numerator, denominator)
        # |candidate − num/den| ≤ 10⁻²⁵ · max(|num/den|, |candidate|), in integers
        sign, digit_tuple, exponent = candidate.as_tuple()
        c = int("".join(map(str, digit_tuple))) * (-1 if sign else 1)
        assert isinstance(exponent, int)
        if exponent >= 0:
            cand, target = c * 10**exponent * den, num
        else:
            cand, target = c * den, num * 10**-exponent
        if abs(cand - target) * _INVERSE_TOLERANCE <= max(abs(cand), abs(target)):
            return candidate
    raise AssertionError("unreachable: 28 digits are always within the tolerance")


class _NotExact(Exception):
    """A unit with no exact decimal factor (an offset, a fractional power, a NaN scale)."""


def _exact_scale(scale: object) -> Fraction:
    """A definition's scale as the decimal it was written as (29.3076, 1e4, 666.6667)."""
    if isinstance(scale, bool) or not isinstance(scale, int | float | Decimal | Fraction):
        raise _NotExact
    if isinstance(scale, float):
        if not math.isfinite(scale):
            raise _NotExact
        return Fraction(repr(scale))
    return Fraction(scale)


def _root_factor(units: Any) -> Fraction:
    """The exact factor of ``units`` (a pint units container) to the registry's root units.

    The same walk as pint's own (``_get_root_units``), with each definition's scale read
    back as the decimal it was written as instead of multiplied in binary floats.
    """
    factor = Fraction(1)
    for key, exponent in units.items():
        if exponent != int(exponent):
            raise _NotExact
        definition = ureg._units[ureg.get_name(key)]
        if definition.is_base:
            continue
        converter: Any = definition.converter
        if converter is None or not converter.is_multiplicative:
            raise _NotExact
        scale = _exact_scale(getattr(converter, "scale", None))
        if definition.reference is not None:
            scale *= _root_factor(definition.reference)
        factor *= scale ** int(exponent)
    return factor


@lru_cache(maxsize=1024)
def conversion_factor(from_unit: str, to_unit: str) -> Fraction | None:
    """The exact ratio of ``from_unit`` to ``to_unit`` (a value in the first times it gives the
    value in the second); None for units with an offset (°C), which do not scale.

    Raises :class:`UnitError` naming both units when they are unknown or not of one dimension.
    """
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source.dimensionality != target.dimensionality:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}")
    try:
        return _root_factor(source._units) / _root_factor(target._units)
    except _NotExact:
        return None


def convert_exact(value: Number | str, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``, in exact decimal arithmetic.

    The result is exact when it terminates within 24 significant digits (every scaling by
    万, 亿, k, M …); see :func:`decimal_of_fraction` for the rest. Raises :class:`UnitError`
    when the units do not convert and :class:`ValueError` for infinity or NaN.
    """
    number = decimal_of(value)
    if from_unit.strip() == to_unit.strip():
        return number
    factor = conversion_factor(from_unit, to_unit)
    if factor is None:
        return decimal_of(float(quantity(float(number), from_unit).to(parse_unit(to_unit)).m))
    return decimal_of_fraction(Fraction(number) * factor)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; the one conversion path.

    The float nearest the exact result (the figure as entered times the exact factor).
    Raises :class:`UnitError` naming both units when they are not of one dimension.
    """
    if from_unit.strip() == to_unit.strip():
        return value
    factor = conversion_factor(from_unit, to_unit)
    if factor is None:
        return float(quantity(value, from_unit).to(parse_unit(to_unit)).magnitude)
    if not math.isfinite(value):
        return value * float(factor)
    return float(fraction_of(value) * factor)
