"""Purchased and exported electricity and heat (families, vintages, sign) and tce."""

import pytest

from nearzero.enterprise.data import DataNotFound
from nearzero.enterprise.electricity import (
    EnergyFlow,
    FactorFamily,
    FactorFamilyMismatch,
    energy_component,
    grid_factor,
    net_indirect_co2,
)
from nearzero.enterprise.energy import coefficient_tce, tce_from_energy
from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.report import total_emissions

ETS = FactorFamily.ETS_REPORTING
GENERAL = FactorFamily.GENERAL_ACCOUNTING


@pytest.mark.parametrize(
    ("year", "value"),
    [
        (2019, 0.6101),
        (2020, 0.6101),
        (2021, 0.5810),
        (2022, 0.5810),
        (2023, 0.5703),
        (2025, 0.5703),
    ],
)
def test_ets_grid_factor_by_reporting_year(year, value):
    # 0.6101 (2015 grid) → 0.5810 for 2021-2022 → 0.5703 from 2023 (reference §2 additions)
    factor = grid_factor(ETS, "electricity", year)
    assert factor.value == value
    assert factor.source.status == "verified"


def test_general_accounting_factors_are_a_separate_family():
    assert grid_factor(GENERAL, "electricity", 2022).value == 0.5366  # MEE/NBS 2022
    assert grid_factor(GENERAL, "electricity", 2021).value == 0.5568
    assert grid_factor(GENERAL, "electricity", 2022, "shandong").source.to_confirm
    with pytest.raises(DataNotFound, match="electricity_factors.csv"):
        grid_factor(GENERAL, "electricity", 2019)


def test_a_net_exporter_term_is_negative_and_not_clamped():
    assert net_indirect_co2(1200, 5000, 0.5703) == pytest.approx(-2167.14)
    flow = EnergyFlow("grid", "electricity", 1200, 5000, "MWh")
    assert energy_component(flow, ETS, 2024).tco2 == pytest.approx(-2167.14)


def test_units_convert_and_the_factor_lineage_is_kept():
    flow = EnergyFlow("grid", "electricity", 1_000_000, 0, "kWh")
    component = energy_component(flow, ETS, 2022)
    assert component.tco2 == pytest.approx(581.0)
    ef = component.parameters[-1]
    assert (ef.source.row_id, ef.source.file) == (
        "ets_grid_2021_2022",
        "data/enterprise/electricity_factors.csv",
    )


def test_families_are_never_mixed():
    general = grid_factor(GENERAL, "electricity", 2022)
    flow = EnergyFlow("grid", "electricity", 100, 0, "MWh", factor=general, field="electricity[0]")
    with pytest.raises(FactorFamilyMismatch) as exc:
        energy_component(flow, ETS, 2022)
    assert exc.value.field == "electricity[0].factor.family"
    assert "never mixed" in str(exc.value)


def test_a_wrong_unit_or_negative_amount_names_the_field():
    with pytest.raises(EnterpriseError) as exc:
        energy_component(
            EnergyFlow("g", "electricity", 100, 0, "t", field="electricity[0]"), ETS, 2022
        )
    assert exc.value.field == "electricity[0].unit"
    with pytest.raises(EnterpriseError) as exc:
        energy_component(EnergyFlow("g", "heat", -1, 0, "GJ", field="heat[0]"), ETS, 2022)
    assert exc.value.field == "heat[0].purchased"


def test_waste_heat_is_zero_and_heat_needs_a_factor():
    zero = EnergyFlow("h", "heat", 5000, 0, "GJ", region="waste_heat")
    assert energy_component(zero, ETS, 2022).tco2 == 0
    with pytest.raises(EnterpriseError, match="give the factor with its source"):
        energy_component(EnergyFlow("h", "heat", 5000, 0, "GJ"), ETS, 2022)


def test_tianhua_2020_total_with_a_negative_net_purchase():
    # 四川天华 2020 (reference §1.1): fuel 763,203.37 + process 360,439.74 − recovery 0
    # + net purchased electricity and heat (−459,746.02)
    assert total_emissions(763_203.37, 360_439.74, -459_746.02, 0, 0) == pytest.approx(
        663_897.09, abs=1e-6
    )


def test_tce_by_definition_and_by_coefficient():
    assert tce_from_energy(29.3076) == pytest.approx(1.0)  # GB/T 2589-2020: 1 kgce = 29 307.6 kJ
    result = coefficient_tce("电力", 1000, "MWh", "electricity[0]")
    assert result.tce == pytest.approx(122.9)  # 0.1229 kgce/kWh (to confirm)
    assert result.parameter.to_confirm
    assert coefficient_tce("原煤", 1000, "t", "x").tce == pytest.approx(714.3)
    with pytest.raises(EnterpriseError) as exc:
        coefficient_tce("电力", 5, "t", "electricity[0].unit")
    assert exc.value.field == "electricity[0].unit"
    with pytest.raises(EnterpriseError, match="give the NCV"):
        coefficient_tce("天然气", 5, "万Nm3", "fuels[0]")
