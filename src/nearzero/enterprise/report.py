"""One firm's annual emissions report → components, totals and energy, with lineage.

E_total = E_fuel + E_process + E_electricity + E_heat − E_recovered [t CO2]
(GB/T 32150-2015 and the 24 sector guidelines; the Shandong substitution measure defines
project emissions the same way: 燃料燃烧、工业生产过程、净购入电力和热力的碳排放量之和减去
回收的碳排放量). The electricity and heat terms are signed (a net exporter's is negative).

Energy: fossil energy [tce] is the fuels burnt (and feedstocks with a heating value) by
their NCV; comprehensive energy adds net purchased electricity and heat by their GB/T 2589
coefficients (当量值).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nearzero.enterprise.combustion import FuelInput, Sector, fuel_component, fuel_energy_gj
from nearzero.enterprise.electricity import EnergyFlow, FactorFamily, energy_component
from nearzero.enterprise.energy import TceResult, coefficient_tce, energy_tce
from nearzero.enterprise.model import Component, EnterpriseError, ParameterUse, Source
from nearzero.enterprise.process import (
    BalanceInput,
    ClinkerInput,
    balance_component,
    clinker_component,
    recovered_component,
)
from nearzero.enterprise.registry import Firm

KINDS = ("fuel", "process", "electricity", "heat", "recovered")
CARRIER_ZH = {"electricity": "电力", "heat": "热力"}


def total_emissions(
    fuel: float, process: float, electricity: float, heat: float, recovered: float
) -> float:
    """A firm's total CO2: fuel + process + net electricity + net heat − recovered. [t CO2]

    GB/T 32150-2015; 化工指南 (CO2回收利用量 deducted). ``electricity`` and ``heat`` are
    signed; nothing is clamped.

    Parameters
    ----------
    fuel, process : float
        Combustion and process emissions. [t CO2]
    electricity, heat : float
        Net purchased electricity and heat emissions, negative for a net exporter. [t CO2]
    recovered : float
        CO2 recovered and sold or used. [t CO2]
    """
    return fuel + process + electricity + heat - recovered


@dataclass(frozen=True)
class Recovered:
    """CO2 recovered and sold or used in the year [t CO2], and what it went to."""

    key: str
    tonnes: float
    use: str = ""
    facility: str = ""
    field: str = "recovered"


@dataclass(frozen=True)
class AnnualReport:
    """One firm's annual report: the inputs of every term."""

    firm: Firm
    year: int
    sector: Sector = Sector.GENERAL
    factor_family: FactorFamily = FactorFamily.ETS_REPORTING
    fuels: tuple[FuelInput, ...] = ()
    clinker: tuple[ClinkerInput, ...] = ()
    carbon_balances: tuple[BalanceInput, ...] = ()
    recovered: tuple[Recovered, ...] = ()
    energy_flows: tuple[EnergyFlow, ...] = ()
    feedstock_energy_gj: float = 0.0
    illustrative: bool = False
    note: str = ""


@dataclass(frozen=True)
class Totals:
    """Totals by kind [t CO2]; ``total`` = fuel + process + electricity + heat − recovered."""

    fuel: float
    process: float
    electricity: float
    heat: float
    recovered: float
    total: float
    direct: float


@dataclass(frozen=True)
class EnergyTotals:
    """Energy of the year [tce]: fossil, net purchased electricity and heat, comprehensive."""

    fossil_tce: float
    electricity_tce: float
    heat_tce: float
    comprehensive_tce: float
    conversions: tuple[TceResult, ...] = ()


@dataclass(frozen=True)
class ReportResult:
    """A computed report: components, totals, energy and what they stand on."""

    report: AnnualReport
    components: tuple[Component, ...]
    totals: Totals
    energy: EnergyTotals
    to_confirm: tuple[Source, ...] = field(default_factory=tuple)
    data_files: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def parameters(self) -> tuple[ParameterUse, ...]:
        """Every parameter of every component."""
        return tuple(p for c in self.components for p in c.parameters)


def _energy(report: AnnualReport, components: dict[str, Component]) -> EnergyTotals:
    conversions: list[TceResult] = []
    for fuel in report.fuels:
        gj = fuel_energy_gj(fuel, components[fuel.key])
        conversions.append(energy_tce(fuel.fuel, gj, f"{fuel.field}.months[].ncv"))
    if report.feedstock_energy_gj:
        conversions.append(energy_tce("feedstock", report.feedstock_energy_gj, "feedstock_energy"))
    fossil = sum(c.tce for c in conversions)
    by_carrier = {"electricity": 0.0, "heat": 0.0}
    for flow in report.energy_flows:
        net = flow.purchased - flow.exported
        unit = flow.unit or ("MWh" if flow.carrier == "electricity" else "GJ")
        sign = 1.0 if net >= 0 else -1.0
        result = coefficient_tce(CARRIER_ZH[flow.carrier], abs(net), unit, f"{flow.field}.unit")
        conversions.append(TceResult(flow.carrier, sign * result.tce, result.parameter))
        by_carrier[flow.carrier] += sign * result.tce
    return EnergyTotals(
        fossil,
        by_carrier["electricity"],
        by_carrier["heat"],
        fossil + by_carrier["electricity"] + by_carrier["heat"],
        tuple(conversions),
    )


def compute_report(report: AnnualReport) -> ReportResult:
    """Compute a firm's annual report: every component with its parameters, the totals, the
    energy in tce, and the ``to_confirm`` defaults it used (listed once each)."""
    components: list[Component] = []
    components += [fuel_component(f, report.year, report.sector) for f in report.fuels]
    components += [clinker_component(c) for c in report.clinker]
    components += [balance_component(b) for b in report.carbon_balances]
    components += [
        recovered_component(r.key, r.tonnes, r.use, r.field, r.facility) for r in report.recovered
    ]
    components += [
        energy_component(f, report.factor_family, report.year) for f in report.energy_flows
    ]
    keys = [c.key for c in components]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        twice = ", ".join(repeated)
        raise EnterpriseError(
            "key", f"{twice}重复使用（编号须唯一） — {twice} used twice (expected unique keys)"
        )
    by_kind = {k: sum(c.tco2 for c in components if c.kind == k) for k in KINDS}
    totals = Totals(
        fuel=by_kind["fuel"],
        process=by_kind["process"],
        electricity=by_kind["electricity"],
        heat=by_kind["heat"],
        recovered=by_kind["recovered"],
        total=total_emissions(
            by_kind["fuel"],
            by_kind["process"],
            by_kind["electricity"],
            by_kind["heat"],
            by_kind["recovered"],
        ),
        direct=by_kind["fuel"] + by_kind["process"],
    )
    energy = _energy(report, {c.key: c for c in components})
    uses = [p for c in components for p in c.parameters] + [c.parameter for c in energy.conversions]
    sources = [p.source for p in uses if p.source is not None]
    to_confirm = tuple(dict.fromkeys(s for s in sources if s.to_confirm))
    files = tuple(sorted({(s.file, s.version) for s in sources if s.file}))
    return ReportResult(report, tuple(components), totals, energy, to_confirm, files)
