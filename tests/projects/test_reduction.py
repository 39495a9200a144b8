"""Expected annual reductions pinned to their cited parameters, with hand-computed numbers."""

import pytest
from pytest import approx

from nearzero.accounting.factors import STATUSES, default_library
from nearzero.projects.parameters import (
    MissingParameter,
    ReductionError,
    default_parameters,
    grid_factor,
)
from nearzero.projects.reduction import check_figures, expected_reduction

LIB = default_library()
PARAMS = default_parameters()
# MEE/NBS 2022 electricity CO2 factors, 华北 regional average 0.6776 kgCO2/kWh (factor_status.md §1)
NORTH_2022 = grid_factor(LIB, "north_china", 2022)
# MEE/NBS 2022 national average 0.5366 kgCO2/kWh (factor_status.md §1)
NATIONAL_2022 = grid_factor(LIB, "national", 2022)


def reduce(figures, grid=NORTH_2022):
    return expected_reduction(figures, PARAMS, LIB, grid)


def ids(result):
    return {p.id: p for p in result.parameters}


def test_grid_factor_of_the_chosen_year_and_the_newest_by_default():
    assert NORTH_2022.value == 0.6776 and NORTH_2022.status == "verified"
    newest = grid_factor(LIB, "north_china")
    assert (newest.year, newest.value) == (2023, 0.6361)  # 2023 华北, factor_status.md §1
    with pytest.raises(MissingParameter, match="years available: 2021, 2022, 2023"):
        grid_factor(LIB, "north_china", 2024)


def test_pv_capacity_times_hours_times_grid_factor():
    # project 3: 10.08 MW; 1100 h/a from the project's own study (hypothetical here)
    # 10.08 MW × 1100 h/a = 11 088 MWh/a; × 0.6776 t/MWh = 7 513.2288 t/a
    r = reduce({"kind": "pv", "capacity": 10.08, "full_load_hours": 1100})
    assert r.reduction_t == approx(7513.2288)
    used = ids(r)
    assert used["cn_grid_2022_north_china"].value == 0.6776
    assert used["project.capacity"].value == 10.08 and used["project.capacity"].status == "project"


def test_pv_from_generation_and_units_converted():
    # 12 000 MWh/a (given as 12 000 000 kWh/a) × 0.5366 t/MWh = 6 439.2 t/a
    r = reduce({"kind": "pv", "generation": "12000000 kWh/a"}, NATIONAL_2022)
    assert r.reduction_t == approx(6439.2)


def test_pv_without_hours_names_the_empty_parameter():
    with pytest.raises(MissingParameter, match="pv_full_load_hours_shandong.*full_load_hours"):
        reduce({"kind": "pv", "capacity": 10.08})


def test_storage_needs_the_projects_shifted_renewable_energy():
    # 5 000 MWh/a × 0.5366 t/MWh = 2 683 t/a
    r = reduce({"kind": "storage", "shifted_renewable": 5000}, NATIONAL_2022)
    assert r.reduction_t == approx(2683.0)
    with pytest.raises(MissingParameter, match="shifted_renewable.*no default"):
        reduce({"kind": "storage", "capacity": 100})


def test_gas_chp_replacing_coal_units():
    # IPCC 2006 Vol 2 Ch 1 Table 1.3: CC other bituminous coal 25.8, natural gas 15.3 kg C/GJ.
    # EF_coal = 25.8 × 44/12 × 3.6 / 0.40 / 1000 = 0.8514 t/MWh
    # EF_gas  = 15.3 × 44/12 × 3.6 / 0.50 / 1000 = 0.40392 t/MWh
    # 1 000 000 MWh/a × (0.8514 − 0.40392) = 447 480 t/a
    figures = {
        "kind": "gas_chp",
        "generation": 1e6,
        "coal_efficiency": 0.40,
        "gas_efficiency": 0.50,
    }
    r = reduce(figures)
    assert r.reduction_t == approx(447480)
    used = ids(r)
    assert used["ipcc2006_cc_other_bituminous_coal"].value == 25.8
    assert used["ipcc2006_cc_natural_gas"].value == 15.3
    assert used["ipcc2006_cc_natural_gas"].status == "verified"
    with pytest.raises(MissingParameter, match="coal_unit_efficiency"):
        reduce({"kind": "gas_chp", "generation": 1e6, "gas_efficiency": 0.5})
    with pytest.raises(ReductionError, match="efficiency"):
        reduce(figures | {"gas_efficiency": 1.5})


def test_captured_co2_for_urea_is_captured_not_removed():
    # IPCC 2006 Vol 4 Ch 11 §11.4 (urea application): the CO2 in urea is released on application,
    # so 90 000 t/a captured (project 26's design capacity) avoid 0 t/a.
    r = reduce({"kind": "ccu", "use": "urea", "design_capacity": 90000})
    assert r.captured_t == 90000 and r.reduction_t == 0
    assert ids(r)["ccu_permanent_share_urea"].status == "to_confirm"
    text = " ".join(r.caveats)
    assert "design capacity" in text and "not removed" in text and "to_confirm" in text


def test_liquid_co2_sold_has_no_avoided_share_without_evidence():
    r = reduce({"kind": "ccu", "use": "liquid_co2", "design_capacity": 240000})
    assert r.captured_t == 240000 and r.reduction_t is None
    assert any("avoided share unknown" in c for c in r.caveats)
    # with a documented end use, e.g. 10 % kept: 240 000 × 0.1 = 24 000 t/a
    kept = reduce({"kind": "ccu", "use": "liquid_co2", "captured": 240000, "permanent_share": 0.1})
    assert kept.reduction_t == approx(24000)


def test_waste_to_energy_net_of_fossil_co2():
    # 200 000 MWh/a × 0.6776 − 500 000 t/a × 0.30 t/t = 135 520 − 150 000 = −14 480 t/a
    figures = {"kind": "waste_to_energy", "net_export": 200000, "waste": 500000,
               "fossil_co2_per_t": 0.30}  # fmt: skip
    assert reduce(figures).reduction_t == approx(-14480)
    with pytest.raises(MissingParameter, match="waste_fossil_co2_per_t"):
        reduce({"kind": "waste_to_energy", "net_export": 200000, "waste": 500000})
    with pytest.raises(MissingParameter, match="net_export"):
        reduce({"kind": "waste_to_energy", "capacity": 45})


def test_afforestation_area_in_mu_times_sink_rate():
    # 5500 亩 = 5500 / 15 ha = 366.67 ha; × 4.0 tCO2/ha/a (the bureau's figure) = 1 466.67 t/a
    r = reduce({"kind": "afforestation", "area": "5500 亩", "sink_rate": 4.0})
    assert r.reduction_t == approx(5500 / 15 * 4.0, rel=1e-6)
    with pytest.raises(MissingParameter, match="afforestation_sink_rate"):
        reduce({"kind": "afforestation", "area": "5500 亩"})


def test_bad_figures_name_the_field():
    with pytest.raises(ReductionError, match="figures.capacity"):
        reduce({"kind": "pv", "capacity": "ten MW", "full_load_hours": 1000})
    with pytest.raises(ReductionError, match="figures.area"):
        reduce({"kind": "afforestation", "area": "5 MW", "sink_rate": 1})
    with pytest.raises(ReductionError, match="no figures"):
        reduce(None)
    assert check_figures({"kind": "pv", "capacity": 10}) == []
    problems = check_figures({"kind": "wind", "colour": "red", "capacity": "x"})
    assert any("figures.kind" in p for p in problems)
    assert any("figures.colour: unknown" in p for p in problems)
    assert any("figures.capacity" in p for p in problems)


def test_parameter_table_cites_every_row_and_ships_no_unconfirmed_value_as_verified():
    assert PARAMS
    for p in PARAMS.values():
        assert p.source and p.status in STATUSES
        # nothing in this table is verified yet: values are empty or to_confirm
        assert p.status == "to_confirm"
    assert PARAMS["ccu_permanent_share_urea"].value == 0
    empty = {k for k, p in PARAMS.items() if p.value is None}
    assert {"pv_full_load_hours_shandong", "afforestation_sink_rate"} <= empty
