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
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pint

ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("wan = 1e4")
ureg.define("yi = 1e8")
ureg.define("tce = 29.3076 GJ = tonne_coal_equivalent")
ureg.define("kgce = 1e-3 tce")
ureg.define("yuan = [currency] = CNY")
ureg.define("wan_yuan = 1e4 yuan")
ureg.define("yi_yuan = 1e8 yuan")
ureg.define("tCO2e = tonne = tCO2 = tonne_CO2_equivalent")
ureg.define("item = [] = items")
ureg.define("person = [] = persons = capita")
ureg.define("mu = 666.6667 m**2")  # 亩, China's land area unit (1/15 hectare)

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


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; the one conversion path.

    Raises :class:`UnitError` naming both units when they are not of one dimension.
    """
    if from_unit.strip() == to_unit.strip():
        return value
    try:
        return float(quantity(value, from_unit).to(parse_unit(to_unit)).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}") from exc
