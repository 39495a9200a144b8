"""Purchased and exported electricity and heat: (purchased − exported) × EF, signed.

Equations
---------
- Sector guidelines and GB/T 32150-2015 (净购入电力、热力): E_elec = AD_elec [MWh] × EF_grid
  [t CO2/MWh]; E_heat = AD_heat [GJ] × EF_heat [t CO2/GJ]; AD is purchased minus exported,
  so a net exporter's term is negative and is never clamped to zero (四川天华 2020 report:
  −459,746.02 t, reference §1.1).

Two families of grid factors exist and are never mixed in one report:

- ``ets_reporting``: the national grid average the MEE sets for key emitting units' reports
  (0.6101 → 0.5810 for 2021–2022 → 0.5703 from 2023);
- ``general_accounting``: the MEE/NBS electricity CO2 factors (national, regional, provincial)
  for general accounting.

A report names its family; a factor of the other family is a :class:`FactorFamilyMismatch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nearzero.enterprise.data import DataNotFound, DataRow, load_csv
from nearzero.enterprise.model import (
    Component,
    EnterpriseError,
    ParameterUse,
    Source,
    Tier,
    non_negative,
)
from nearzero.units import UnitError, convert

FACTORS = "electricity_factors.csv"
CARRIER_UNITS = {"electricity": "MWh", "heat": "GJ"}
CARRIER_ZH = {"electricity": "电力", "heat": "热力"}


class FactorFamily(StrEnum):
    """Which set of electricity/heat factors a report uses."""

    ETS_REPORTING = "ets_reporting"
    GENERAL_ACCOUNTING = "general_accounting"


class FactorFamilyMismatch(EnterpriseError):
    """A factor of one family used in a report of the other: refused, never converted."""


def parse_family(text: str, field_name: str) -> FactorFamily:
    """A :class:`FactorFamily` from its name, or an error listing the two."""
    try:
        return FactorFamily(text)
    except ValueError:
        raise EnterpriseError(
            field_name,
            f"{text!r}不是排放因子类别（应为ets_reporting或general_accounting） — "
            f"{text!r} is not a factor family (expected ets_reporting or general_accounting)",
        ) from None


def net_indirect_co2(purchased: float, exported: float, factor: float) -> float:
    """CO2 of net purchased electricity or heat: (purchased − exported) × EF. [t CO2]

    Negative for a net exporter (never clamped). GB/T 32150-2015 净购入电力、热力.

    Parameters
    ----------
    purchased : float
        Energy bought from the grid or a supplier. [MWh] (heat [GJ])
    exported : float
        Energy delivered out of the boundary. [MWh] (heat [GJ])
    factor : float
        Emission factor of the family and vintage of the report. [t CO2/MWh] ([t CO2/GJ])
    """
    return (purchased - exported) * factor


@dataclass(frozen=True)
class GridFactor:
    """A factor of ``electricity_factors.csv`` (or one the firm gives with its source)."""

    family: FactorFamily
    carrier: str
    region: str
    value: float
    unit: str
    source: Source
    tier: Tier = Tier.DEFAULT


def _from_row(row: DataRow) -> GridFactor:
    return GridFactor(
        FactorFamily(row.text("family")),
        row.text("carrier"),
        row.text("region"),
        row.number("value"),
        row.text("unit"),
        row.source(),
    )


def grid_factor(
    family: FactorFamily, carrier: str, year: int, region: str = "national"
) -> GridFactor:
    """The bundled factor of ``family`` for ``carrier`` and ``region`` in reporting ``year``.

    Raises :class:`DataNotFound` naming the file when none covers the year.
    """
    for row in load_csv(FACTORS):
        if (
            row.text("family") == family.value
            and row.text("carrier") == carrier
            and row.text("region") == region
            and row.covers(year)
        ):
            return _from_row(row)
    raise DataNotFound(
        f"no {family.value} {carrier} factor for {region!r} in {year} in data/enterprise/{FACTORS}"
    )


def check_family(report: FactorFamily, factor: FactorFamily, field_name: str) -> None:
    """Refuse a factor whose family is not the report's."""
    if factor is not report:
        raise FactorFamilyMismatch(
            field_name,
            f"{report.value}报告中使用了{factor.value}类排放因子：两类因子不得混用"
            f"（请填写{report.value}类因子） — "
            f"a {factor.value} factor in a {report.value} report: the two families are never "
            f"mixed (give a {report.value} factor)",
        )


@dataclass(frozen=True)
class EnergyFlow:
    """Purchased and exported electricity or heat of a firm for the year.

    ``purchased`` and ``exported`` in ``unit``; ``factor`` a firm-given factor (its family
    checked) or ``None`` for the bundled one of ``region``.
    """

    key: str
    carrier: str
    purchased: float
    exported: float = 0.0
    unit: str = ""
    region: str = "national"
    factor: GridFactor | None = None
    facility: str = ""
    field: str = "electricity"


def energy_component(flow: EnergyFlow, family: FactorFamily, year: int) -> Component:
    """The net purchased electricity or heat term [t CO2], signed, with the factor's lineage."""
    if flow.carrier not in CARRIER_UNITS:
        raise EnterpriseError(
            f"{flow.field}.carrier",
            f"{flow.carrier!r}（应为electricity（电力）或heat（热力）） — "
            f"{flow.carrier!r} (expected electricity or heat)",
        )
    unit = CARRIER_UNITS[flow.carrier]
    given_unit = flow.unit or unit
    values = []
    for name in ("purchased", "exported"):
        value = non_negative(getattr(flow, name), f"{flow.field}.{name}", given_unit)
        try:
            values.append(convert(value, given_unit, unit))
        except UnitError:
            raise EnterpriseError(
                f"{flow.field}.unit",
                f"{given_unit!r}无法换算为{unit}"
                f"（{flow.carrier}应填能量单位：MWh、kWh、万千瓦时、GJ等） — "
                f"{given_unit!r} does not convert to {unit} (expected an energy unit for "
                f"{flow.carrier}: MWh, kWh, 万千瓦时, GJ …)",
            ) from None
    if flow.factor is not None:
        factor = flow.factor
        check_family(family, factor.family, f"{flow.field}.factor.family")
    else:
        try:
            factor = grid_factor(family, flow.carrier, year, flow.region)
        except DataNotFound as exc:
            raise EnterpriseError(
                f"{flow.field}.factor",
                f"没有适用的{flow.carrier}排放因子，请填写因子及其来源 — "
                f"{exc}: give the factor with its source",
            ) from None
    try:
        ef = convert(factor.value, factor.unit, f"t/{unit}")
    except UnitError:
        raise EnterpriseError(
            f"{flow.field}.factor.unit",
            f"{factor.unit!r}无法换算为t/{unit} — {factor.unit!r} does not convert to t/{unit}",
        ) from None
    purchased, exported = values
    params = (
        ParameterUse("purchased", purchased, unit, Tier.MEASURED, None, f"{flow.field}.purchased"),
        ParameterUse("exported", exported, unit, Tier.MEASURED, None, f"{flow.field}.exported"),
        ParameterUse(
            f"ef_{flow.carrier}",
            ef,
            f"t/{unit}",
            factor.tier,
            factor.source,
            f"{flow.field}.factor",
        ),
    )
    return Component(
        flow.key,
        flow.carrier,
        net_indirect_co2(purchased, exported, ef),
        f"E = (purchased − exported) × EF [{family.value}, {factor.region}] "
        f"(净购入{CARRIER_ZH[flow.carrier]})",
        params,
        flow.facility,
        f"{family.value} {factor.source.cite()}",
    )
