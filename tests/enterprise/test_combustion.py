"""Fuel combustion: FC × NCV × CC × OF × 44/12 and the power sector's gap-filling rule."""

import pytest

from nearzero.enterprise.combustion import (
    FuelInput,
    FuelMonth,
    Sector,
    carbon_content_from_element,
    fill_power_carbon_content,
    fuel_combustion_co2,
    fuel_component,
)
from nearzero.enterprise.model import EnterpriseError, Tier


def test_the_guideline_equation():
    # GB/T 32150-2015 / 发电设施指南: E = FC × NCV × CC × OF × 44/12
    assert fuel_combustion_co2(1000, 20.0, 0.0265, 0.99) == pytest.approx(
        1000 * 20.0 * 0.0265 * 0.99 * 44 / 12
    )
    assert fuel_combustion_co2(1000, 20.0, 0.0265, 0.99) == pytest.approx(1923.9, abs=0.01)


def test_measured_carbon_route_is_element_carbon_over_ncv():
    # 发电设施指南: CC = C_ar / NCV_ar
    assert carbon_content_from_element(0.56, 21.5) == pytest.approx(0.56 / 21.5)


def _coal(months, year_field="fuels[0]"):
    return FuelInput("coal", "烟煤", "t", tuple(months), ncv_unit="GJ/t", field=year_field)


def test_fewer_than_three_measured_months_take_the_default_of_the_year():
    # Notice of 2022-06-08: < 3 measured months ⇒ 0.03085 tC/GJ for 2021 and 2022 data;
    # the superseded default 0.03356 before.
    measured = [0.027, 0.026, None, None]
    for year, default, status in ((2022, 0.03085, "to_confirm"), (2020, 0.03356, "verified")):
        uses = fill_power_carbon_content(measured, year, "cc")
        assert [u.tier for u in uses] == [Tier.MEASURED] * 2 + [Tier.DEFAULT] * 2
        assert uses[2].value == default
        assert uses[2].source.status == status
    # reference §1.2: the old default gives 8.8 % more CO2 for the same coal
    assert 0.03356 / 0.03085 == pytest.approx(1.0878, abs=1e-4)


def test_three_measured_months_fill_the_others_with_their_mean():
    uses = fill_power_carbon_content([0.027, 0.026, 0.028, None], 2022, "cc")
    assert uses[3].tier is Tier.GAP_FILLED
    assert uses[3].value == pytest.approx(0.027)
    assert "≥3 measured months" in uses[3].source.clause


def test_power_plant_year_with_two_measured_months():
    months = [
        FuelMonth(1, 50000, ncv=21.0, carbon_content=0.0270),
        FuelMonth(2, 45000, ncv=21.5, element_carbon=0.560),
        FuelMonth(3, 48000, ncv=20.8),
    ]
    component = fuel_component(_coal(months), 2022, Sector.POWER)
    expected = (50000 * 21.0 * 0.0270 + 45000 * 0.560 + 48000 * 20.8 * 0.03085) * 0.99 * 44 / 12
    assert component.tco2 == pytest.approx(expected)
    defaults = [p for p in component.parameters if p.tier is Tier.DEFAULT]
    assert {p.source.row_id for p in defaults} == {"power_cc_coal_2021_2022", "power_of_coal"}
    cc_default = next(p for p in defaults if p.name == "carbon_content")
    assert cc_default.months == (3,)


def test_a_power_month_without_ncv_is_refused():
    months = [FuelMonth(1, 50000, ncv=21.0), FuelMonth(2, 45000)]
    with pytest.raises(EnterpriseError) as exc:
        fuel_component(_coal(months), 2022, Sector.POWER)
    assert exc.value.field == "fuels[0].months[1].ncv"
    assert "no default" in str(exc.value)


def test_general_sector_gas_in_wan_nm3_uses_the_defaults_and_flags_them():
    gas = FuelInput("gas", "天然气", "万Nm3", (FuelMonth(0, 10.0),), field="fuels[1]")
    component = fuel_component(gas, 2024, Sector.GENERAL)
    # GB/T 32150-2015 Annex A (to confirm): 389.31 GJ/10^4 Nm3, 15.3 tC/TJ, 99 %
    assert component.tco2 == pytest.approx(10 * 389.31 * 15.3e-3 * 0.99 * 44 / 12)
    assert all(p.to_confirm for p in component.parameters if p.tier is Tier.DEFAULT)


def test_negative_consumption_names_the_field():
    with pytest.raises(EnterpriseError) as exc:
        fuel_component(_coal([FuelMonth(1, -5, ncv=21.0)]), 2022, Sector.GENERAL)
    assert exc.value.field == "fuels[0].months[0].consumption"
    assert "negative" in str(exc.value) and "[t]" in str(exc.value)


def test_a_unit_that_does_not_convert_names_the_field():
    fuel = FuelInput("x", "烟煤", "kWh", (FuelMonth(1, 5, ncv=21.0),), "GJ/t", field="fuels[2]")
    with pytest.raises(EnterpriseError) as exc:
        fuel_component(fuel, 2022, Sector.GENERAL)
    assert exc.value.field == "fuels[2].unit"
    assert "does not convert to GJ" in str(exc.value)


def test_an_unknown_fuel_without_measurements_asks_for_them():
    fuel = FuelInput("x", "生物质", "t", (FuelMonth(1, 5),), field="fuels[0]")
    with pytest.raises(EnterpriseError, match="no default ncv for '生物质'") as exc:
        fuel_component(fuel, 2022, Sector.GENERAL)
    assert exc.value.field == "fuels[0].months[0].ncv"
