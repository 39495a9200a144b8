"""Screening: firms over the plan's fossil-energy line, key emitting unit candidates, and firms
in the sectors of the national carbon market.

Rules (``data/enterprise/rules.csv``, each with its source and comparator):

- ``fossil_energy_screen``: fossil energy **>** 2,000 tce (plan 四（一）3: 摸底化石能源消费量
  大于2000吨标煤的企业名单);
- ``key_emitter_emissions``: emissions **≥** 26,000 tCO2e in a reporting sector (MEE: 年度
  温室气体排放量达到2.6万吨二氧化碳当量; captive power plants of any industry report as power);
- ``key_emitter_energy_proxy``: without an emissions figure, comprehensive energy **≥**
  10,000 tce stands in for it (a proxy, marked as such);
- sectors (``sectors.csv``): ``national_market`` (power, cement, steel, aluminium) are flagged.

Values are compared as Decimals rounded to 6 places, so a value exactly on a line is judged
as the rule's comparator says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from nearzero.enterprise import batch
from nearzero.enterprise.data import DataRow, load_csv, rule
from nearzero.enterprise.model import Source, decimal_of
from nearzero.enterprise.registry import IndustryCode
from nearzero.enterprise.report import ReportResult

SECTORS = "sectors.csv"


@dataclass(frozen=True)
class FirmYear:
    """What screening needs of a firm and year: energy [tce], emissions [tCO2e], industry."""

    key: str
    name_zh: str
    year: int
    fossil_tce: Decimal
    comprehensive_tce: Decimal | None = None
    emissions_tco2e: Decimal | None = None
    industry_code: IndustryCode | None = None
    sector: str | None = None
    has_power_facility: bool = False
    illustrative: bool = False


@dataclass(frozen=True)
class Screened:
    """The screening of one firm: which lists it is on, and why."""

    firm: FirmYear
    over_fossil_threshold: bool
    key_emitter_candidate: bool
    candidate_basis: str  # "emissions", "energy_proxy" or "" (not a candidate)
    reporting_sector: str | None
    national_market_sector: str | None
    reasons: tuple[str, ...]
    rules: tuple[Source, ...]


def firm_year(result: ReportResult, has_power_facility: bool = False) -> FirmYear:
    """What screening needs, from a computed annual report (energy and total emissions
    rounded to 6 decimals as exact Decimals)."""
    firm = result.report.firm
    return FirmYear(
        key=firm.key,
        name_zh=firm.name_zh,
        year=result.report.year,
        fossil_tce=decimal_of(result.energy.fossil_tce),
        comprehensive_tce=decimal_of(result.energy.comprehensive_tce),
        emissions_tco2e=decimal_of(result.totals.total),
        industry_code=firm.industry_code,
        sector=firm.sector,
        has_power_facility=has_power_facility or result.report.sector.value == "power",
        illustrative=result.report.illustrative,
    )


def _sector_rows(role: str) -> list[DataRow]:
    return [r for r in load_csv(SECTORS) if r.text("role") == role]


def sector_of(
    code: IndustryCode | None, sector: str | None, role: str, year: int | None = None
) -> str | None:
    """The ``sectors.csv`` sector of ``role`` a firm falls in (by industry code or sector key).

    For ``national_market`` rows, only sectors in the market by ``year`` count.
    """
    for row in _sector_rows(role):
        start = row.year("market_from_year")
        if year is not None and start is not None and year < start:
            continue
        if sector is not None and row.text("sector") == sector:
            return row.text("sector")
        prefixes = row.text("gb4754_prefixes").split()
        if code is not None and any(code.within(p) for p in prefixes):
            return row.text("sector")
    return None


def _num(value: Decimal | None) -> float:
    return float("nan") if value is None else float(round(value, 6))


def _screened(firm: FirmYear, over: bool, line: bool, by_emissions: bool) -> Screened:
    """A firm's screening from the rule flags of :func:`batch.screen_arrays`."""
    fossil = rule("fossil_energy_screen")
    emitter = rule("key_emitter_emissions")
    proxy = rule("key_emitter_energy_proxy")
    reasons: list[str] = []
    used = [fossil.source()]
    if over:
        reasons.append(
            f"化石能源消费量 {firm.fossil_tce} tce {fossil.text('comparator')} "
            f"{fossil.text('value')} tce"
        )
    reporting = sector_of(firm.industry_code, firm.sector, "reporting")
    if reporting is None and firm.has_power_facility:
        reporting = "power_reporting"
    market = sector_of(firm.industry_code, firm.sector, "national_market", firm.year)
    if firm.emissions_tco2e is not None:
        used.append(emitter.source())
    elif firm.comprehensive_tce is not None:
        used.append(proxy.source())
    basis = ("emissions" if by_emissions else "energy_proxy") if line else ""
    candidate = bool(basis) and (reporting is not None or market is not None)
    if basis and not candidate:
        reasons.append("over the key emitting unit line but not in a reporting sector")
    elif candidate:
        reasons.append(f"重点排放单位候选 ({basis})")
    if market is not None:
        reasons.append(f"全国碳市场行业: {market}")
    return Screened(
        firm,
        over,
        candidate,
        basis if candidate else "",
        reporting,
        market,
        tuple(reasons),
        tuple(used),
    )


def _screen_all(firms: Sequence[FirmYear]) -> list[Screened]:
    """Every firm screened, the rules applied once on arrays (:func:`batch.screen_arrays`)."""
    if not firms:
        return []
    flags = batch.screen_arrays(
        [_num(f.fossil_tce) for f in firms],
        [_num(f.comprehensive_tce) for f in firms],
        [_num(f.emissions_tco2e) for f in firms],
        [True] * len(firms),  # the sector test is per firm, below
    )
    return [
        _screened(
            f,
            bool(flags.over_fossil_threshold[i]),
            bool(flags.over_emissions_line[i]),
            bool(flags.by_emissions[i]),
        )
        for i, f in enumerate(firms)
    ]


def screen_firm(firm: FirmYear) -> Screened:
    """Screen one firm for one year (see the module rules)."""
    return _screen_all([firm])[0]


def screen(firms: Sequence[FirmYear]) -> list[Screened]:
    """Screen many firms; the result is ordered by fossil energy, largest first."""
    return sorted(_screen_all(firms), key=lambda s: (-s.firm.fossil_tce, s.firm.key))
