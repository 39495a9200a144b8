"""Expected annual reductions pinned to their cited parameters, with hand-computed numbers."""

import re
from dataclasses import replace

import pytest
from pytest import approx

from nearzero.accounting.factors import STATUSES, default_library
from nearzero.projects.choices import CAVEAT_TEXTS, FIGURE_LABELS, KIND_LABELS, USE_LABELS
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
    assert any(
        "pv_full_load_hours_shandong has no confirmed value" in c and "proxy" in c
        for c in map(str, r.caveats)
    )
    # the project's own hours replace the proxy, and no proxy caveat is left
    own = reduce({"kind": "pv", "capacity": 10.08, "full_load_hours": 1100})
    assert not any("proxy" in c for c in map(str, own.caveats))


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
    # EF_fossil has a default (IPCC composition and carbon); the plant's own figures have none
    assert [m.parameter for m in caught.value.every] == ["figures.net_export", "figures.waste"]
    assert [m.figure for m in caught.value.every] == ["net_export", "waste"]
    with pytest.raises(MissingParameter) as caught:
        reduce({"kind": "afforestation", "area": "5500 亩"})
    assert [(m.parameter, m.figure) for m in caught.value.every] == [
        ("afforestation_growth_agb", "growth"),
        ("afforestation_root_shoot", "root_shoot"),
    ]


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
    text = " ".join(map(str, r.caveats))
    assert "design capacity" in text and "not removed" in text and "to_confirm" in text


def test_liquid_co2_sold_has_no_avoided_share_without_evidence():
    r = reduce({"kind": "ccu", "use": "liquid_co2", "design_capacity": 240000})
    assert r.captured_t == 240000 and r.reduction_t is None
    assert any("avoided share unknown" in c for c in map(str, r.caveats))
    # with a documented end use, e.g. 10 % kept: 240 000 × 0.1 = 24 000 t/a
    kept = reduce({"kind": "ccu", "use": "liquid_co2", "captured": 240000, "permanent_share": 0.1})
    assert kept.reduction_t == approx(24000)


def test_waste_to_energy_net_of_fossil_co2():
    # the plant's own EF_fossil (hypothetical here):
    # 200 000 MWh/a × 0.6776 − 500 000 t/a × 0.30 t/t = 135 520 − 150 000 = −14 480 t/a
    figures = {
        "kind": "waste_to_energy",
        "net_export": 200000,
        "waste": 500000,
        "fossil_co2_per_t": 0.30,
    }
    r = reduce(figures)
    assert r.reduction_t == approx(-14480)
    assert not any(p.id.startswith("waste_composition") for p in r.parameters)
    with pytest.raises(MissingParameter, match="net_export"):
        reduce({"kind": "waste_to_energy", "capacity": 45})


# IPCC 2006 Vol 5 Ch 5 Eq. 5.2: EF_fossil = Σ WF_j × dm_j × CF_j × FCF_j × OF × 44/12, with
# WF_j China's MSW composition (2019 Refinement Vol 5 Ch 2 Table 2A.2, bonsai-ipcc 0.5.3) and
# dm, CF, FCF of IPCC 2006 Vol 5 Ch 2 Table 2.4 as factors/ipcc2006_waste.csv holds them,
# OF = 1 (Vol 5 Ch 5 Table 5.2, incineration). Only components with fossil carbon count:
#   plastics  0.130 × 1.0 × 0.75 × 1.0  = 0.0975
#   textiles  0.041 × 0.8 × 0.50 × 0.2  = 0.00328
#   other     0.085 × 0.9 × 0.03 × 1.0  = 0.002295
#   paper     0.085 × 0.9 × 0.46 × 0.01 = 0.00035190   (FCF 0.01 to_confirm; bonsai gives 0)
#   rubber 0 and nappies 0 (share 0); food, wood, garden FCF 0; glass, metal no carbon
#   Σ = 0.1034269 t C/t; × 44/12 = 0.379231966… t CO2/t
EF_FOSSIL_CN = 0.1034269 * 44 / 12


def test_waste_fossil_co2_default_from_the_ipcc_composition_and_carbon():
    # 200 000 MWh/a × 0.6776 − 500 000 t/a × 0.3792319667 = 135 520 − 189 615.98 = −54 095.98
    r = reduce({"kind": "waste_to_energy", "net_export": 200000, "waste": 500000})
    assert EF_FOSSIL_CN == approx(0.3792319667)
    assert r.reduction_t == approx(200000 * 0.6776 - 500000 * EF_FOSSIL_CN)
    assert r.reduction_t == approx(-54095.98333)
    used = ids(r)
    assert used["waste_composition_cn_plastics"].value == 0.13
    assert used["waste_composition_cn_plastics"].status == "verified"
    assert (
        used["ipcc2006_cf_plastics"].value == 0.75 and used["ipcc2006_of_incineration"].value == 1
    )
    assert "ipcc2006_dm_wood" not in used  # FCF 0: the term is 0, wood's dm is not needed
    text = " ".join(map(str, r.caveats))
    assert "ipcc2006_fcf_paper = 0.01" in text and "to_confirm" in text
    assert "not the plant's own waste analysis" in text


def test_waste_composition_must_not_exceed_the_whole():
    over = PARAMS | {
        "waste_composition_cn_glass": replace(PARAMS["waste_composition_cn_glass"], value=0.5)
    }
    figures = {"kind": "waste_to_energy", "net_export": 1, "waste": 1}
    with pytest.raises(ReductionError, match="shares add up to 1.459"):
        expected_reduction(figures, over, LIB, NORTH_2022)
    # the plant's own EF_fossil needs no composition at all
    bare = {k: p for k, p in PARAMS.items() if not k.startswith("waste_composition")}
    assert expected_reduction(figures | {"fossil_co2_per_t": 0.3}, bare, LIB, NORTH_2022)
    with pytest.raises(MissingParameter, match="waste_composition_cn_"):
        expected_reduction(figures, bare, LIB, NORTH_2022)


def test_waste_composition_rows_equal_bonsais_transcription():
    import csv
    import os

    import bonsai_ipcc

    path = os.path.join(
        os.path.dirname(bonsai_ipcc.__file__), "data/waste/waste_generation/par_msw_type_frac.csv"
    )
    with open(path, encoding="utf-8") as f:
        bonsai = {
            row["msw_frac"].removeprefix("msw_"): float(row["value"])
            for row in csv.DictReader(f)
            if row["region"] == "CN" and row["property"] == "def"
        }
    names = {"rubber": "rubber_leather", "other": "other_inert"}
    ours = {
        k.removeprefix("waste_composition_cn_"): p.value
        for k, p in PARAMS.items()
        if k.startswith("waste_composition_cn_")
    }
    assert ours == {names.get(k, k): approx(v) for k, v in bonsai.items()}
    assert sum(ours.values()) == approx(1.0)


def test_afforestation_area_in_mu_times_sink_rate():
    # 5500 亩 = 5500 / 15 ha = 366.67 ha; × 4.0 tCO2/ha/a (the bureau's figure) = 1 466.67 t/a
    r = reduce({"kind": "afforestation", "area": "5500 亩", "sink_rate": 4.0})
    assert r.reduction_t == approx(5500 / 15 * 4.0, rel=1e-6)
    assert "afforestation_growth_agb" not in ids(r)
    with pytest.raises(
        MissingParameter, match="afforestation_growth_agb.*afforestation_root_shoot"
    ):
        reduce({"kind": "afforestation", "area": "5500 亩"})


def test_afforestation_by_the_gain_method():
    # IPCC 2006 Vol 4 Ch 2 Eq. 2.9/2.10: s = G_W × (1 + R) × CF × 44/12, with the project's
    # G_W 4.0 t d.m./ha/a and R 0.40 (hypothetical here) and CF 0.47 from the inventory's factor
    # row ipcc2006_carbon_fraction_wood (Vol 4 Ch 4 Table 4.3, to_confirm):
    # s = 4.0 × 1.4 × 0.47 × 44/12 = 9.650666… t CO2/ha/a; × 5500/15 ha = 3 538.577955 t/a
    r = reduce({"kind": "afforestation", "area": "5500 亩", "growth": 4.0, "root_shoot": 0.4})
    assert r.reduction_t == approx(5500 / 15 * 4.0 * 1.4 * 0.47 * 44 / 12)
    assert r.reduction_t == approx(3538.577955)
    cf = ids(r)["ipcc2006_carbon_fraction_wood"]
    assert cf.value == LIB.by_id("ipcc2006_carbon_fraction_wood").value == 0.47
    assert any(
        "ipcc2006_carbon_fraction_wood = 0.47" in c and "to_confirm" in c
        for c in map(str, r.caveats)
    )
    assert r.equation == "R = A × G_W × (1 + R) × CF × 44/12"
    with pytest.raises(ReductionError, match="root_shoot"):
        reduce({"kind": "afforestation", "area": 10, "growth": 4.0, "root_shoot": -0.1})
    assert any(
        p.startswith("figures.root_shoot: ") and "— must not be negative" in p
        for p in check_figures({"kind": "afforestation", "root_shoot": -0.1})
    )


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
    assert any("figures.colour: 未知参数 — unknown" in p for p in problems)
    assert any("figures.capacity" in p for p in problems)


def test_parameter_table_cites_every_row_and_ships_no_unconfirmed_value_as_verified():
    assert PARAMS
    for p in PARAMS.values():
        assert p.source and p.status in STATUSES
        if p.value is None:
            assert p.status == "to_confirm" and p.note  # says what to supply instead
    # verified: CEC 2023 national average PV utilisation hours, 1 286 h, and China's MSW
    # composition as bonsai-ipcc 0.5.3 transcribes the 2019 Refinement's Table 2A.2
    verified = {k: p.value for k, p in PARAMS.items() if p.status == "verified"}
    assert verified.pop("pv_full_load_hours_national") == 1286
    assert set(verified) == {
        f"waste_composition_cn_{c}"
        for c in (
            "food",
            "paper",
            "plastics",
            "textiles",
            "wood",
            "rubber_leather",
            "nappies",
            "other_inert",
            "glass",
            "metal",
        )
    }
    assert all(
        "bonsai-ipcc 0.5.3" in PARAMS[k].note and "Table 2A.2" in PARAMS[k].source for k in verified
    )
    assert PARAMS["pv_full_load_hours_national"].year == 2023
    assert "CEC" in PARAMS["pv_full_load_hours_national"].source
    assert PARAMS["ccu_permanent_share_urea"].value == 0
    empty = {k for k, p in PARAMS.items() if p.value is None}
    assert empty == {
        "pv_full_load_hours_shandong",
        "gas_chp_full_load_hours",
        "coal_unit_efficiency",
        "gas_chp_efficiency",
        "ccu_permanent_share_liquid_co2",
        "afforestation_growth_agb",
        "afforestation_root_shoot",
    }


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
ZHANGQIU_2023 = {3: 8245.687968, 4: 6953.2091, 5: 2617.67872, 14: 16360.492, 15: 20450.615, 26: 0.0}


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
        22: ["afforestation_growth_agb", "afforestation_root_shoot"],
        23: ["afforestation_growth_agb", "afforestation_root_shoot"],
        24: ["figures.net_export", "figures.waste"],
        25: ["ccu_permanent_share_liquid_co2"],
    }


def test_every_caveat_reads_in_chinese_and_english():
    for code, (zh, en) in CAVEAT_TEXTS.items():
        assert re.search(r"[\u4e00-\u9fff]", zh), code
        assert not re.search(r"[\u4e00-\u9fff]", en), code
    r = reduce({"kind": "ccu", "use": "liquid_co2", "design_capacity": 240000})
    assert [c.code for c in r.caveats] == [
        "design_capacity",
        "ccu_liquid_co2",
        "avoided_share_unknown",
    ]
    assert "ccu_permanent_share_liquid_co2" in r.caveats[-1].text("zh")
    assert r.to_dict()["caveats_zh"] == [c.zh for c in r.caveats]
