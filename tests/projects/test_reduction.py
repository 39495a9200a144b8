"""Expected annual reductions pinned to their cited parameters, with hand-computed numbers."""

import pytest
from pytest import approx

from nearzero.accounting.factors import STATUSES, default_library
from nearzero.projects.choices import FIGURE_LABELS, KIND_LABELS, USE_LABELS
from nearzero.projects.parameters import (
    MissingParameter,
    ReductionError,
    default_parameters,
    grid_factor,
)
from nearzero.projects.reduction import (
    CCU_USES,
    FIGURE_UNITS,
    KINDS,
    check_figures,
    expected_reduction,
)

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


def test_pv_without_its_own_hours_uses_the_cited_national_average_as_a_stated_proxy():
    # CEC 2023 average utilisation hours of PV plants, 1 286 h (parameters.csv, verified against
    # S&P Global's report of the CEC release); the Shandong row is still empty.
    # project 3: 10.08 MW × 1 286 h/a = 12 962.88 MWh/a;
    # × 0.6776 t/MWh (2022 华北) = 8 783.647488 t/a
    r = reduce({"kind": "pv", "capacity": 10.08})
    assert r.reduction_t == approx(8783.647488)
    used = ids(r)
    assert used["pv_full_load_hours_national"].value == 1286
    assert used["pv_full_load_hours_national"].status == "verified"
    assert "pv_full_load_hours_shandong" not in used
    assert any("pv_full_load_hours_shandong has no confirmed value" in c and "proxy" in c
               for c in r.caveats)  # fmt: skip
    # the project's own hours replace the proxy, and no proxy caveat is left
    own = reduce({"kind": "pv", "capacity": 10.08, "full_load_hours": 1100})
    assert not any("proxy" in c for c in own.caveats)


def test_pv_without_hours_names_the_empty_parameter():
    # with neither the Shandong value nor the national proxy, the error names the Shandong row
    bare = {k: p for k, p in PARAMS.items() if k != "pv_full_load_hours_national"}
    with pytest.raises(MissingParameter, match="pv_full_load_hours_shandong.*full_load_hours"):
        expected_reduction({"kind": "pv", "capacity": 10.08}, bare, LIB, NORTH_2022)


def test_every_missing_input_is_named_at_once():
    with pytest.raises(MissingParameter) as caught:
        reduce({"kind": "gas_chp", "capacity": 800})
    missing = [m.parameter for m in caught.value.every]
    assert missing == ["gas_chp_full_load_hours", "coal_unit_efficiency", "gas_chp_efficiency"]
    with pytest.raises(MissingParameter) as caught:
        reduce({"kind": "waste_to_energy", "capacity": 45})
    assert [m.parameter for m in caught.value.every] == [
        "figures.net_export", "figures.waste", "waste_fossil_co2_per_t",
    ]  # fmt: skip
    assert [m.figure for m in caught.value.every] == ["net_export", "waste", "fossil_co2_per_t"]


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
        if p.value is None:
            assert p.status == "to_confirm" and p.note  # says what to supply instead
    # the one verified row: CEC 2023 national average PV utilisation hours, 1 286 h
    verified = {k: p.value for k, p in PARAMS.items() if p.status == "verified"}
    assert verified == {"pv_full_load_hours_national": 1286}
    assert PARAMS["pv_full_load_hours_national"].year == 2023
    assert "CEC" in PARAMS["pv_full_load_hours_national"].source
    assert PARAMS["ccu_permanent_share_urea"].value == 0
    empty = {k for k, p in PARAMS.items() if p.value is None}
    assert empty == {
        "pv_full_load_hours_shandong", "gas_chp_full_load_hours", "coal_unit_efficiency",
        "gas_chp_efficiency", "ccu_permanent_share_liquid_co2", "afforestation_sink_rate",
        "waste_fossil_co2_per_t",
    }  # fmt: skip


def test_labels_cover_every_figure_kind_and_use():
    assert set(FIGURE_LABELS) == set(FIGURE_UNITS)
    assert set(KIND_LABELS) == set(KINDS) and set(USE_LABELS) == set(CCU_USES)


# The Zhangqiu figures as the plan prints them (五、重点工程表), worked by hand with the cited
# parameters: 1 286 h/a (CEC 2023, national proxy) and the 2023 华北 grid factor 0.6361 t/MWh.
#   3: 10.08 MW × 1 286 = 12 962.88 MWh × 0.6361 =  8 245.687968 t/a
#   4:  8.5  MW × 1 286 = 10 931.00 MWh × 0.6361 =  6 953.2091 t/a
#   5:  3.2  MW × 1 286 =  4 115.20 MWh × 0.6361 =  2 617.67872 t/a
#  14: 20    MW × 1 286 = 25 720.00 MWh × 0.6361 = 16 360.492 t/a
#  15: 25    MW × 1 286 = 32 150.00 MWh × 0.6361 = 20 450.615 t/a
#  total 66.78 MW × 1 286 = 85 879.08 MWh × 0.6361 = 54 627.682788 t/a
#  26: 90 000 t/a captured for urea × 0 = 0 t/a avoided
ZHANGQIU_2023 = {3: 8245.687968, 4: 6953.2091, 5: 2617.67872, 14: 16360.492, 15: 20450.615,
                 26: 0.0}  # fmt: skip


def test_zhangqiu_projects_from_the_plans_figures():
    from importlib import resources

    import yaml

    text = resources.files("nearzero.data").joinpath("projects/zhangqiu.yaml").read_text("utf-8")
    figures = yaml.safe_load(text)["projects"]
    grid = grid_factor(LIB, "north_china", 2023)
    assert grid.value == 0.6361
    computed, missing = {}, {}
    for number, f in figures.items():
        assert check_figures(f) == [], number
        assert "五、重点工程表" in f["source"]
        try:
            r = expected_reduction(f, PARAMS, LIB, grid)
        except MissingParameter as exc:
            missing[number] = [m.parameter for m in exc.every]
            continue
        if r.reduction_t is None:
            missing[number] = [parameter for parameter, _ in r.missing]
        else:
            computed[number] = r.reduction_t
    assert computed == {k: approx(v) for k, v in ZHANGQIU_2023.items()}
    assert sum(computed.values()) == approx(54627.682788)
    assert missing == {
        9: ["figures.shifted_renewable"],
        10: ["gas_chp_full_load_hours", "coal_unit_efficiency", "gas_chp_efficiency"],
        22: ["afforestation_sink_rate"],
        23: ["afforestation_sink_rate"],
        24: ["figures.net_export", "figures.waste", "waste_fossil_co2_per_t"],
        25: ["ccu_permanent_share_liquid_co2"],
    }
