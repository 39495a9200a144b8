"""The plan's indicators that an inventory year gives: 1, 2, 3 and 13.

The Zhangqiu implementation plan (主要指标表; the same table in every Shandong demonstration
plan under 鲁环发〔2023〕16号) measures carbon by four binding indicators:

====  ==============================  =======  =================================================
code  name                            unit     formula (this module)
====  ==============================  =======  =================================================
1     二氧化碳排放总量                吨       :func:`co2_total`
2     人均二氧化碳排放                吨/人    :func:`per_capita` = indicator 1 / 常住人口
3     单位地区生产总值二氧化碳排放    吨/万元  :func:`per_gdp` = indicator 1 / 地区生产总值
13    单位工业增加值二氧化碳排放      吨/万元  :func:`per_industry_value_added`
                                               = :func:`industry_co2` / 工业增加值
====  ==============================  =======  =================================================

The boundary of indicators 1–3 is the one China's CO2 intensity figures use and the one
each run's evidence line states (口径：二氧化碳，不含土地利用变化和林业，含调入电力、热力间接
排放): CO2 only, land use, land-use change and forestry (LULUCF) left out, and the emissions of
electricity and heat brought in from the grid counted where they are used (scope 2 in the
GHG Protocol GPC 2014, Ch 3). Indicator 13 counts industry as China's statistics do
(《国民经济行业分类》GB/T 4754-2017, sections B mining, C manufacturing, D power and heat
supply): the scope 1 CO2 of energy industries, manufacturing and construction, fugitive
emissions and industrial processes (the categories in :data:`INDUSTRY_PREFIXES`).
"""

from __future__ import annotations

import math

from nearzero.accounting.categories import Sector, is_within
from nearzero.accounting.inventory import InventoryResult
from nearzero.accounting.model import ActivityMetadata

#: Categories counted as industry for indicator 13: energy industries (1.A.1), manufacturing
#: and construction (1.A.2), fugitive emissions (1.B) and industrial processes (2).
INDUSTRY_PREFIXES = ("1.A.1", "1.A.2", "1.B", "2")
#: The indicators an inventory year gives.
INDICATOR_CODES = ("1", "2", "3", "13")


def co2_total(result: InventoryResult) -> float:
    """Indicator 1, CO2 emissions [t]: the CO2 of every sector but LULUCF, direct (scope 1)
    plus the indirect emissions of grid-supplied electricity and heat (scope 2)."""
    return sum(
        r.tco2e for r in result.records if r.gas == "CO2" and r.sector != Sector.LULUCF.value
    )


def industry_co2(result: InventoryResult) -> float:
    """Industrial CO2 [t], the numerator of indicator 13: scope 1 CO2 of the categories in
    :data:`INDUSTRY_PREFIXES`."""
    return sum(
        r.tco2e
        for r in result.records
        if r.gas == "CO2"
        and r.scope == 1
        and any(is_within(r.category, prefix) for prefix in INDUSTRY_PREFIXES)
    )


def _ratio(numerator: float, denominator: float, field: str, unit: str) -> float:
    if not math.isfinite(denominator) or denominator <= 0:
        raise ValueError(
            f"{field}: 应为正数[{unit}]，而不是{denominator!r} — "
            f"expected a positive number [{unit}], got {denominator!r}"
        )
    return numerator / denominator


def per_capita(co2: float, population: float) -> float:
    """Indicator 2, CO2 per capita [t/person] = CO2 [t] / resident population [person].

    Raises ``ValueError`` naming ``population`` when it is not a positive number.
    """
    return _ratio(co2, population, "population", "person")


def per_gdp(co2: float, gdp: float) -> float:
    """Indicator 3, CO2 per unit of GDP [t/万元] = CO2 [t] / regional GDP [万元].

    Raises ``ValueError`` naming ``gdp`` when it is not a positive number.
    """
    return _ratio(co2, gdp, "gdp", "万元")


def per_industry_value_added(co2: float, value_added: float) -> float:
    """Indicator 13, CO2 per unit of industrial value added [t/万元]
    = industrial CO2 [t] / industrial value added [万元].

    Raises ``ValueError`` naming ``industry_value_added`` when it is not a positive number.
    """
    return _ratio(co2, value_added, "industry_value_added", "万元")


def indicator_values(
    result: InventoryResult, metadata: ActivityMetadata, industry_value_added: float | None
) -> dict[str, float]:
    """Indicators 1 [吨], 2 [吨/人], 3 [吨/万元] and 13 [吨/万元] of an inventory year.

    Population and GDP come from the year's metadata, the industrial value added [万元] from
    the caller; an indicator whose denominator is missing (or zero) is left out.
    """
    total = co2_total(result)
    out = {"1": total}
    data = metadata.years.get(result.year)
    if data is not None and data.population:
        out["2"] = per_capita(total, data.population)
    if data is not None and data.gdp:
        out["3"] = per_gdp(total, data.gdp)
    if industry_value_added is not None and industry_value_added > 0:
        out["13"] = per_industry_value_added(industry_co2(result), industry_value_added)
    return out
