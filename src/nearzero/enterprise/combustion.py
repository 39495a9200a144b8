"""Fuel combustion: E = FC × NCV × CC × OF × 44/12, per fuel and month, measured or default.

Equations
---------
- GB/T 32150-2015 and the sector guidelines (燃料燃烧排放), 企业温室气体排放核算方法与报告指南
  发电设施: E_fuel,i = FC_i × NCV_i × CC_i × OF_i × 44/12 [t CO2], FC [t or 10^4 Nm3],
  NCV [GJ/t or GJ/10^4 Nm3], CC [t C/GJ], OF [-]. Same structure as IPCC 2006 Vol 2 Ch 2
  Eq 2.1.
- Power, measured carbon route: CC = C_ar / NCV_ar (element carbon on the as-received basis
  [t C/t] over the as-received NCV [GJ/t]).
- Power, missing months (notice of 2022-06-08): with at least 3 measured months in the year
  a missing month's carbon content is the arithmetic mean of the measured months; with fewer,
  the default carbon content of the reporting year (``data/enterprise/fuel_defaults.csv``,
  sector ``power``); the NCV of a missing month comes from as-fired, as-received or supplier
  tests: there is no default for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from nearzero.enterprise.data import DataRow, load_csv, rule
from nearzero.enterprise.model import (
    CO2_PER_C,
    Component,
    EnterpriseError,
    ParameterUse,
    Source,
    Tier,
    fraction,
    non_negative,
)
from nearzero.units import CHINESE_UNITS, UnitError, convert

#: Fuels the power-sector coal default applies to ("regardless of coal type").
COAL_FUELS = frozenset(
    {"coal", "煤", "燃煤", "原煤", "无烟煤", "烟煤", "褐煤", "洗精煤", "其他洗煤", "型煤", "煤矸石"}
)
FUEL_DEFAULTS = "fuel_defaults.csv"
EQUATION = "E = Σ FC × NCV × CC × OF × 44/12 (GB/T 32150-2015 燃料燃烧; 发电设施指南)"


class Sector(StrEnum):
    """Which guideline's rules apply to a fuel: the general one or the power facilities one."""

    GENERAL = "general"
    POWER = "power"


def fuel_combustion_co2(
    consumption: float, ncv: float, carbon_content: float, oxidation: float
) -> float:
    """CO2 from burning a fuel: FC × NCV × CC × OF × 44/12. [t CO2]

    GB/T 32150-2015 燃料燃烧排放; 发电设施指南; IPCC 2006 Vol 2 Ch 2 Eq 2.1.

    Parameters
    ----------
    consumption : float
        Fuel consumed (FC). [t] (or [10^4 Nm3] with NCV per 10^4 Nm3)
    ncv : float
        Net calorific value (低位发热量). [GJ/t]
    carbon_content : float
        Carbon content per unit heat (单位热值含碳量). [t C/GJ]
    oxidation : float
        Oxidation rate (碳氧化率). [-]
    """
    return consumption * ncv * carbon_content * oxidation * CO2_PER_C


def carbon_content_from_element(element_carbon: float, ncv: float) -> float:
    """Carbon content per unit heat from element carbon: C_ar / NCV_ar. [t C/GJ]

    发电设施指南, measured-carbon route.

    Parameters
    ----------
    element_carbon : float
        Element carbon, as-received basis (收到基元素碳含量). [t C/t]
    ncv : float
        Net calorific value, as-received basis. [GJ/t]
    """
    return element_carbon / ncv


@dataclass(frozen=True)
class FuelMonth:
    """One month of one fuel (``month`` 0 for a fuel reported for the whole year).

    ``consumption`` [the fuel's unit]; ``ncv`` [the fuel's NCV unit]; ``carbon_content``
    [t C/GJ]; ``element_carbon`` [t C/t, as received]. ``None`` means not measured.
    """

    month: int
    consumption: float
    ncv: float | None = None
    carbon_content: float | None = None
    element_carbon: float | None = None


@dataclass(frozen=True)
class FuelInput:
    """A fuel burnt by a firm in a year, with its measured values by month.

    ``unit`` is the consumption unit (``t``, ``万Nm3`` …); ``ncv_unit`` the NCV unit (``None``:
    that of the default row, else ``GJ/t``); ``oxidation`` the measured OF [-] or ``None``.
    ``field`` is the path used in errors (``fuels[0]``).
    """

    key: str
    fuel: str
    unit: str
    months: tuple[FuelMonth, ...]
    ncv_unit: str | None = None
    oxidation: float | None = None
    facility: str = ""
    field: str = "fuel"

    @property
    def is_coal(self) -> bool:
        """Whether the power-sector coal default applies."""
        return self.fuel in COAL_FUELS


def _default_row(parameter: str, fuel: str, sector: Sector, year: int) -> DataRow | None:
    rows = [r for r in load_csv(FUEL_DEFAULTS) if r.text("parameter") == parameter]
    if sector is Sector.POWER and fuel in COAL_FUELS:
        for row in rows:
            if row.text("sector") == "power" and row.text("fuel") == "coal" and row.covers(year):
                return row
    for row in rows:
        if row.text("sector") == "general" and row.text("fuel") == fuel and row.covers(year):
            return row
    return None


def default_parameter(
    parameter: str, fuel: str, sector: Sector, year: int, unit: str, field_name: str
) -> ParameterUse:
    """The default ``parameter`` (``ncv``, ``carbon_content``, ``oxidation``) of a fuel in ``unit``.

    Power-sector coal rows (chosen by reporting year) come before the general table.
    Raises :class:`EnterpriseError` naming ``field_name`` when the data file has none.
    """
    row = _default_row(parameter, fuel, sector, year)
    if row is None:
        raise EnterpriseError(
            field_name,
            f"未实测，且data/enterprise/{FUEL_DEFAULTS}中没有{fuel!r}的{parameter}缺省值"
            f"（{sector.value}，{year}年）：请填写实测值 — "
            f"not measured, and data/enterprise/{FUEL_DEFAULTS} has no default {parameter} for "
            f"{fuel!r} ({sector.value}, {year}): give the measured value",
        )
    try:
        value = (
            convert(row.number("value"), row.text("unit"), unit) if unit else row.number("value")
        )
    except UnitError as exc:
        raise EnterpriseError(
            field_name,
            f"缺省值的单位{row.text('unit')}无法换算 — "
            f"{exc} (the default is in {row.text('unit')})",
        ) from None
    return ParameterUse(parameter, value, unit, Tier.DEFAULT, row.source(), field_name)


def _energy_per_unit(fuel: FuelInput, ncv_unit: str) -> float:
    """GJ in one consumption unit × one NCV unit (e.g. t × GJ/t → 1)."""
    try:
        return convert(1.0, f"({_pint(fuel.unit)}) * ({_pint(ncv_unit)})", "GJ")
    except UnitError:
        raise EnterpriseError(
            f"{fuel.field}.unit",
            f"{fuel.unit!r}乘以单位为{ncv_unit!r}的低位发热量无法换算为GJ：请按低位发热量对应的单位"
            "填写消耗量（t对应GJ/t，万Nm3对应GJ/万Nm3） — "
            f"{fuel.unit!r} times an NCV in {ncv_unit!r} does not convert to GJ: give the "
            "consumption in the unit the NCV is per (t with GJ/t, 万Nm3 with GJ/万Nm3)",
        ) from None


def _pint(unit: str) -> str:
    """A unit as pint reads it (Chinese names mapped), for use inside an expression."""
    return CHINESE_UNITS.get(unit.strip(), unit)


def fill_power_carbon_content(
    measured: Sequence[float | None], year: int, field_name: str
) -> list[ParameterUse]:
    """Carbon content of each month under the power sector's gap-filling rule. [t C/GJ]

    Notice of 2022-06-08 (发电设施): ≥ 3 measured months ⇒ a missing month takes the
    arithmetic mean of the measured months; fewer ⇒ the default of the reporting year.

    Parameters
    ----------
    measured : sequence of float or None
        Measured carbon content by month, ``None`` where not measured. [t C/GJ]
    year : int
        Reporting year (chooses the default).
    field_name : str
        Field named in errors.
    """
    minimum = rule("power_min_measured_months")
    values = [v for v in measured if v is not None]
    enough = Decimal(len(values)) >= minimum.decimal("value")
    if enough:
        mean = sum(values) / len(values)
        filled = ParameterUse(
            "carbon_content", mean, "t/GJ", Tier.GAP_FILLED, minimum.source(), field_name
        )
    else:
        filled = default_parameter("carbon_content", "coal", Sector.POWER, year, "t/GJ", field_name)
    return [
        ParameterUse("carbon_content", v, "t/GJ", Tier.MEASURED, None, field_name)
        if v is not None
        else filled
        for v in measured
    ]


def _group(uses: Sequence[tuple[int, ParameterUse]]) -> tuple[ParameterUse, ...]:
    """Merge the per-month uses of equal value, tier and source into one with its months."""
    out: dict[tuple[str, float, str, Source | None], list[int]] = {}
    first: dict[tuple[str, float, str, Source | None], ParameterUse] = {}
    for month, use in uses:
        key = (use.name, use.value, use.tier.value, use.source)
        out.setdefault(key, []).append(month)
        first.setdefault(key, use)
    return tuple(
        ParameterUse(u.name, u.value, u.unit, u.tier, u.source, u.field, tuple(out[k]))
        for k, u in first.items()
    )


def fuel_component(fuel: FuelInput, year: int, sector: Sector) -> Component:
    """The combustion term of one fuel for a year, with each month's parameters. [t CO2]"""
    if not fuel.months:
        raise EnterpriseError(
            f"{fuel.field}.months",
            "缺少消耗量（应填逐月或全年数据） — missing (expected monthly or annual use)",
        )
    default_ncv_row = _default_row("ncv", fuel.fuel, Sector.GENERAL, year)
    ncv_unit = fuel.ncv_unit or (default_ncv_row.text("unit") if default_ncv_row else "GJ/t")
    per_unit = _energy_per_unit(fuel, ncv_unit)
    power_coal = sector is Sector.POWER and fuel.is_coal
    if len(fuel.months) > 1 and any(m.month == 0 for m in fuel.months):
        raise EnterpriseError(
            f"{fuel.field}.months",
            "全年数据（月份0）与1-12月数据不能混填 — "
            "a whole-year entry (month 0) mixed with months 1-12",
        )
    seen: set[int] = set()
    ncvs: list[ParameterUse] = []
    measured_cc: list[float | None] = []
    for i, m in enumerate(fuel.months):
        where = f"{fuel.field}.months[{i}]"
        if m.month in seen or not 0 <= m.month <= 12:
            raise EnterpriseError(
                f"{where}.month",
                f"月份{m.month}重复或不在0-12之间（0为全年） — "
                f"{m.month} repeated or not 0-12 (0 = whole year)",
            )
        seen.add(m.month)
        non_negative(m.consumption, f"{where}.consumption", fuel.unit)
        if m.ncv is not None:
            non_negative(m.ncv, f"{where}.ncv", ncv_unit)
            ncvs.append(ParameterUse("ncv", m.ncv, ncv_unit, Tier.MEASURED, None, f"{where}.ncv"))
        elif power_coal:
            raise EnterpriseError(
                f"{where}.ncv",
                f"缺少低位发热量[{ncv_unit}]：发电行业指南规定缺失月份的低位发热量取入炉煤、入厂煤或"
                "供应商煤质检测值，不设缺省值 — "
                f"missing (expected [{ncv_unit}]): the power guideline takes a missing month's "
                "NCV from as-fired, as-received or supplier coal tests; it has no default",
            )
        else:
            ncvs.append(default_parameter("ncv", fuel.fuel, sector, year, ncv_unit, f"{where}.ncv"))
        cc = m.carbon_content
        if cc is not None:
            non_negative(cc, f"{where}.carbon_content", "t C/GJ")
        elif m.element_carbon is not None:
            fraction(m.element_carbon, f"{where}.element_carbon")
            ncv_gj_t = ncvs[-1].value * per_unit
            cc = carbon_content_from_element(m.element_carbon, ncv_gj_t) if ncv_gj_t else 0.0
        measured_cc.append(cc)
    if power_coal:
        ccs = fill_power_carbon_content(measured_cc, year, f"{fuel.field}.months[].carbon_content")
    else:
        ccs = [
            ParameterUse(
                "carbon_content",
                v,
                "t/GJ",
                Tier.MEASURED,
                None,
                f"{fuel.field}.months[{i}].carbon_content",
            )
            if v is not None
            else default_parameter(
                "carbon_content",
                fuel.fuel,
                sector,
                year,
                "t/GJ",
                f"{fuel.field}.months[{i}].carbon_content",
            )
            for i, v in enumerate(measured_cc)
        ]
    if fuel.oxidation is not None:
        of = ParameterUse(
            "oxidation",
            fraction(fuel.oxidation, f"{fuel.field}.oxidation"),
            "",
            Tier.MEASURED,
            None,
            f"{fuel.field}.oxidation",
        )
    else:
        of = default_parameter("oxidation", fuel.fuel, sector, year, "", f"{fuel.field}.oxidation")
    total = 0.0
    for m, ncv_use, cc_use in zip(fuel.months, ncvs, ccs, strict=True):
        total += fuel_combustion_co2(
            m.consumption * per_unit, ncv_use.value, cc_use.value, of.value
        )
    used = [(m.month, p) for m, p in zip(fuel.months, ncvs, strict=True)]
    used += [(m.month, p) for m, p in zip(fuel.months, ccs, strict=True)]
    consumption = ParameterUse(
        "consumption",
        sum(m.consumption for m in fuel.months),
        fuel.unit,
        Tier.MEASURED,
        None,
        f"{fuel.field}.months[].consumption",
        tuple(m.month for m in fuel.months),
    )
    return Component(
        key=fuel.key,
        kind="fuel",
        tco2=total,
        equation=EQUATION,
        parameters=(consumption, *_group(used), of),
        facility=fuel.facility,
        note=f"{fuel.fuel} ({sector.value})",
    )


def fuel_energy_gj(fuel: FuelInput, component: Component) -> float:
    """Net energy of a fuel from the NCVs its component used. [GJ]"""
    ncv_unit = next((p.unit for p in component.parameters if p.name == "ncv"), "GJ/t")
    per_unit = _energy_per_unit(fuel, ncv_unit)
    ncv_by_month: dict[int, float] = {}
    for p in component.parameters:
        if p.name == "ncv":
            for month in p.months:
                ncv_by_month[month] = p.value
    return sum(m.consumption * per_unit * ncv_by_month[m.month] for m in fuel.months)


__all__ = [
    "COAL_FUELS",
    "FuelInput",
    "FuelMonth",
    "Sector",
    "carbon_content_from_element",
    "default_parameter",
    "fill_power_carbon_content",
    "fuel_combustion_co2",
    "fuel_component",
    "fuel_energy_gj",
]
