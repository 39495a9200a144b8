"""Indicators 1, 2, 3 and 13 from an inventory year, against numbers worked by hand."""

from __future__ import annotations

import pytest

from nearzero.accounting.indicators import (
    co2_total,
    indicator_values,
    industry_co2,
    per_capita,
    per_gdp,
    per_industry_value_added,
)
from nearzero.accounting.inventory import InventoryResult, Lineage, Totals
from nearzero.accounting.model import ActivityMetadata, EmissionRecord, YearData

SECTOR = {"1": "energy", "IND": "energy", "2": "ippu", "3.B": "lulucf", "4": "waste"}


def record(category: str, gas: str, tco2e: float, scope: int = 1) -> EmissionRecord:
    sector = next(s for prefix, s in SECTOR.items() if category.startswith(prefix))
    return EmissionRecord(
        row_id=f"{category} {gas}",
        year=2022,
        category=category,
        sector=sector,
        method="m",
        gas=gas,
        gas_group=gas,
        tonnes=tco2e,
        tco2e=tco2e,
        scope=scope,
        factor_refs=(),
        uncertainty_pct=None,
        illustrative=False,
    )


# A year worked by hand [t]:
#   power plant 1.A.1.a CO2 1000, manufacturing 1.A.2.a CO2 500, road transport 1.A.3.b CO2 300,
#   manufacturing CH4 10 tCO2e, cement 2.A.1 CO2 200, forest land 3.B.1.a CO2 −400,
#   landfill 4.A CO2 50, grid electricity IND.1 CO2 250 (scope 2).
RECORDS = (
    record("1.A.1.a", "CO2", 1000.0),
    record("1.A.2.a", "CO2", 500.0),
    record("1.A.3.b", "CO2", 300.0),
    record("1.A.2.a", "CH4", 10.0),
    record("2.A.1", "CO2", 200.0),
    record("3.B.1.a", "CO2", -400.0),
    record("4.A", "CO2", 50.0),
    record("IND.1", "CO2", 250.0, scope=2),
)
RESULT = InventoryResult(
    year=2022,
    region="示例",
    records=RECORDS,
    notation_keys=(),
    sector_gas_tonnes={},
    sector_gas_tco2e={},
    totals=Totals(*(0.0,) * 9),
    per_capita={},
    per_gdp={},
    components={},
    lineage=Lineage("AR5", "", {}, (), (), (), ()),
)
# CO2 without LULUCF, with scope 2: 1000 + 500 + 300 + 200 + 50 + 250 = 2300 t
TOTAL = 2300.0
# industrial CO2 (scope 1 of 1.A.1, 1.A.2, 1.B, 2): 1000 + 500 + 200 = 1700 t
INDUSTRY = 1700.0


def test_indicator_1_is_the_co2_outside_lulucf_with_grid_electricity_and_heat():
    assert co2_total(RESULT) == pytest.approx(TOTAL)


def test_industrial_co2_is_scope_1_of_energy_industries_manufacturing_and_processes():
    assert industry_co2(RESULT) == pytest.approx(INDUSTRY)


def test_intensities_worked_by_hand():
    assert per_capita(2300.0, 1000.0) == pytest.approx(2.3)  # t / person
    assert per_gdp(2300.0, 150_000.0) == pytest.approx(0.015333333)  # t / 万元
    assert per_industry_value_added(1700.0, 85_000.0) == pytest.approx(0.02)  # t / 万元


@pytest.mark.parametrize(
    ("formula", "field"),
    [(per_capita, "population"), (per_gdp, "gdp"), (per_industry_value_added, "industry")],
)
def test_a_denominator_that_is_not_positive_is_named(formula, field):
    with pytest.raises(ValueError, match=field):
        formula(100.0, 0.0)


def test_indicator_values_of_a_year():
    metadata = ActivityMetadata(years={2022: YearData(population=1000.0, gdp=150_000.0)})
    assert indicator_values(RESULT, metadata, 85_000.0) == pytest.approx(
        {"1": 2300.0, "2": 2.3, "3": 2300.0 / 150_000.0, "13": 0.02}
    )


def test_an_indicator_without_its_denominator_is_left_out():
    assert indicator_values(RESULT, ActivityMetadata(), None) == {"1": pytest.approx(TOTAL)}
    only_people = ActivityMetadata(years={2022: YearData(population=500.0)})
    assert indicator_values(RESULT, only_people, 0.0) == pytest.approx({"1": 2300.0, "2": 4.6})
