"""Each method pinned to its published equation, with worked numbers computed by hand.

Where bonsai_ipcc 0.5.3 implements the same equation, the result is also compared with
its elementary function (an independent implementation).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from bonsai_ipcc.agriculture.livestock_manure import elementary as bonsai_livestock
from bonsai_ipcc.agriculture.soils import elementary as bonsai_soils
from bonsai_ipcc.industry.mineral import elementary as bonsai_mineral
from bonsai_ipcc.waste.biological import elementary as bonsai_bio
from bonsai_ipcc.waste.incineration import elementary as bonsai_incin
from bonsai_ipcc.waste.swd import elementary as bonsai_swd
from bonsai_ipcc.waste.wastewater import elementary as bonsai_ww
from numpy.testing import assert_allclose

from nearzero.accounting import agriculture, energy, ippu, lulucf, waste
from nearzero.accounting.activity import parse_row
from nearzero.accounting.factors import FactorLibrary, local_factor
from nearzero.accounting.inventory import evaluate_row
from nearzero.accounting.model import ActivityError

Run = Callable[..., dict[str, float]]


# -- energy: 省级指南 第一章; IPCC 2006 Vol 2 Ch 2 Eq 2.1 ---------------------------------------


def test_fuel_combustion_co2_by_hand() -> None:
    # 1000 t diesel × 43.0 GJ/t × 20.2 kg C/GJ × 1 × 44/12 = 868.6 t C × 44/12 = 3184.87 t CO2
    assert_allclose(energy.fuel_combustion_co2(1000, 43.0, 0.0202, 1.0), 3184.8667, rtol=1e-6)


def test_eq_2_1_natural_gas_table_1_4() -> None:
    # 1 TJ natural gas × 56 100 kg CO2/TJ (Table 1.4) = 56.1 t
    assert_allclose(energy.emissions_from_ef(1000.0, 56100e-6), 56.1)


def test_fuel_row_with_ipcc_defaults(run: Run) -> None:
    out = run(
        category="1.A.2", method="fuel_combustion", fuel="gas_diesel_oil", quantity=1000, unit="t"
    )
    assert_allclose(out["CO2"], 1000 * 43.0 * 20.2e-3 * 44 / 12)
    assert_allclose(out["CH4"], 43_000 * 3e-6)  # Table 2.3: 3 kg CH4/TJ (oil)
    assert_allclose(out["N2O"], 43_000 * 0.6e-6)


# IPCC 2006 Vol 2 Ch 2 Tier 1 CH4 and N2O [kg/TJ] for 1 TJ of fuel, by the category's table:
# Table 2.2 energy industries, 2.3 manufacturing and construction, 2.4 commercial/
# institutional, 2.5 residential and agriculture/forestry/fishing.
SECTOR_CASES = [
    ("1.A.1.a", "other_bituminous_coal", 1, 1.5),  # Table 2.2
    ("1.A.2", "other_bituminous_coal", 10, 1.5),  # Table 2.3
    ("1.A.2.f", "原煤", 10, 1.5),  # Table 2.3 (national category, mapped to bituminous coal)
    ("1.A.4.a", "other_bituminous_coal", 10, 1.5),  # Table 2.4
    ("1.A.4.b", "other_bituminous_coal", 300, 1.5),  # Table 2.5
    ("1.A.4.c", "lignite", 300, 1.5),  # Table 2.5
    ("1.A.1.a", "gas_diesel_oil", 3, 0.6),  # Table 2.2
    ("1.A.4.b", "gas_diesel_oil", 10, 0.6),  # Table 2.5
    ("1.A.2", "natural_gas", 1, 0.1),  # Table 2.3
    ("1.A.4.a", "natural_gas", 5, 0.1),  # Table 2.4
    ("1.A.4", "天然气", 5, 0.1),  # 1.A.4 whole: Tables 2.4 and 2.5 agree for gas
]


@pytest.mark.parametrize("category, fuel, ch4, n2o", SECTOR_CASES)
def test_ch4_n2o_factor_follows_the_category_table(
    run: Run, category: str, fuel: str, ch4: float, n2o: float
) -> None:
    out = run(category=category, method="fuel_combustion", fuel=fuel, quantity=1, unit="TJ")
    assert_allclose([out["CH4"], out["N2O"]], [ch4 / 1000, n2o / 1000])  # kg -> t


def test_coal_in_manufacturing_by_hand(run: Run) -> None:
    # 100 t other bituminous coal × 25.8 GJ/t (Table 1.2) = 2.58 TJ;
    # × 10 kg CH4/TJ = 25.8 kg; × 1.5 kg N2O/TJ = 3.87 kg (Table 2.3)
    out = run(
        category="1.A.2",
        method="fuel_combustion",
        fuel="other_bituminous_coal",
        quantity=100,
        unit="t",
    )
    assert_allclose([out["CH4"], out["N2O"]], [0.0258, 0.00387])


def test_stationary_table_of_each_category() -> None:
    assert energy.default_tables("1.A.1.b") == ("energy_industries",)
    assert energy.default_tables("1.A.2.k") == ("manufacturing",)
    assert energy.default_tables("1.A.4.a") == ("commercial",)
    assert energy.default_tables("1.A.4.c") == ("residential",)
    assert energy.default_tables("1.A.4") == ("commercial", "residential")
    assert energy.default_tables("1.A.3.b") == ("road",)
    assert energy.default_tables("1.A.3.a") == ("aviation",)
    assert energy.default_tables("1.A.3.e.ii") == ("off_road",)
    assert energy.default_tables("1.A.4.c.ii") == ("off_road",)  # not Table 2.5
    assert energy.default_tables("1.A.3") == ()  # too coarse to choose
    assert energy.default_tables("1.A.3.e") == ()  # pipelines are not off-road
    assert energy.default_tables("1.A.5.a") == ()
    assert energy.default_tables("1.A.10") == ()  # not a prefix match on "1.A.1"


def test_coal_in_1a4_whole_needs_a_choice(run: Run) -> None:
    coal = {"method": "fuel_combustion", "fuel": "原煤", "quantity": 1, "unit": "TJ"}
    with pytest.raises(
        ActivityError,
        match=r"field 'category': 1.A.4 spans Tables 2.4 and 2.5, whose ef_ch4 for '原煤' "
        r"differ \(Table 2.4 10 kg/TJ, Table 2.5 300 kg/TJ\): give 1.A.4.a",
    ):
        run(category="1.A.4", **coal)


# IPCC 2006 Vol 2 Ch 3 Eq 3.2.3 (Tier 1 road): Emission = Σ Fuel_a [TJ] × EF_a [kg/TJ], with
# Table 3.2.2 (p. 3.21): diesel 3.9 kg CH4/TJ and 3.9 kg N2O/TJ; gasoline by emission control.
def test_road_transport_uses_table_3_2_2(run: Run) -> None:
    diesel = {
        "category": "1.A.3.b",
        "method": "fuel_combustion",
        "fuel": "gas_diesel_oil",
        "quantity": 1,
        "unit": "TJ",
    }
    out = run(**diesel)
    assert_allclose([out["CH4"], out["N2O"]], [3.9e-3, 3.9e-3])
    assert_allclose(out["CO2"], 1000 * 20.2e-3 * 44 / 12)  # Table 1.4 carbon, as stationary
    # 10 000 t of gasoline in cars with three-way catalysts: 10 000 t × 44.3 GJ/t = 443 TJ;
    # × 3.8 kg CH4/TJ = 1.6834 t CH4, × 5.7 kg N2O/TJ = 2.5251 t N2O
    gasoline = {**diesel, "fuel": "motor_gasoline", "quantity": 10_000, "unit": "t"}
    out = run(**gasoline, params={"control": "low_mileage_1995"})
    assert_allclose([out["CH4"], out["N2O"]], [1.6834, 2.5251])
    out = run(**gasoline, params={"control": "uncontrolled"})
    assert_allclose([out["CH4"], out["N2O"]], [443 * 33e-3, 443 * 3.2e-3])
    with pytest.raises(
        ActivityError,
        match=r"field 'params.control': Table 3.2.2 gives ef_ch4 for 'motor_gasoline' by "
        r"emission control: name it in params.control, one of low_mileage_1995, "
        r"oxidation_catalyst, uncontrolled",
    ):
        run(**gasoline)
    with pytest.raises(ActivityError, match=r"field 'params.control': 'euro6' is not an"):
        run(**gasoline, params={"control": "euro6"})
    # off-road machinery takes Table 3.3.1 (4.15 / 28.6 kg/TJ for diesel), not Table 2.5
    out = run(**{**diesel, "category": "1.A.4.c.ii"})
    assert_allclose([out["CH4"], out["N2O"]], [4.15e-3, 28.6e-3])


def test_mobile_rows_of_a_coarse_category_need_a_choice(run: Run) -> None:
    road = {
        "category": "1.A.3",
        "method": "fuel_combustion",
        "fuel": "gas_diesel_oil",
        "quantity": 1,
        "unit": "TJ",
    }
    with pytest.raises(ActivityError, match=r"field 'category': 1.A.3 is not covered"):
        run(**road)
    # CO2 only, or the row's own factors, is fine
    assert set(run(**road, gases=["CO2"])) == {"CO2"}
    out = run(
        **road,
        factors={
            "ef_ch4": {"value": 3.9, "unit": "kg/TJ", "source": "IPCC 2006 V2 Ch3 T3.2.2"},
            "ef_n2o": {"value": 3.9, "unit": "kg/TJ", "source": "IPCC 2006 V2 Ch3 T3.2.2"},
        },
    )
    assert_allclose([out["CH4"], out["N2O"]], [3.9e-3, 3.9e-3])


def test_a_local_factor_for_the_bare_fuel_applies_to_every_table(lib: FactorLibrary) -> None:
    mine = local_factor("zq_ch4_coal", "ef_ch4", "原煤", 20, "kg/TJ", "示例：章丘区实测, 表1")
    only_2a = local_factor(
        "zq_ch4_coal_2", "ef_ch4", "原煤|manufacturing", 12, "kg/TJ", "示例：章丘区实测, 表2"
    )
    for overlay, power, industry in (([mine], 20, 20), ([mine, only_2a], 20, 12)):
        over = lib.overlay(overlay)
        got = [
            evaluate_row(
                parse_row(
                    {
                        "year": 2022,
                        "category": c,
                        "method": "fuel_combustion",
                        "fuel": "原煤",
                        "quantity": 1,
                        "unit": "TJ",
                        "gases": ["CH4"],
                    },
                    0,
                    None,
                ),
                over,
            )
            .amounts[0]
            .tonnes
            for c in ("1.A.1.a", "1.A.2")
        ]
        assert_allclose(got, [power / 1000, industry / 1000])


def test_fuel_row_with_national_candidates(run: Run) -> None:
    # 原煤 10 万吨 × 20.908 GJ/t × 26.37 t C/TJ × 0.94 × 44/12
    out = run(
        category="1.A.1.a",
        method="fuel_combustion",
        fuel="原煤",
        quantity=10,
        unit="万吨",
        gases=["CO2"],
    )
    assert_allclose(out["CO2"], 100_000 * 20.908 * 26.37e-3 * 0.94 * 44 / 12)


def test_energy_units_skip_ncv_and_volumes_need_a_volumetric_ncv(run: Run) -> None:
    out = run(
        category="1.A.4.b",
        method="fuel_combustion",
        fuel="natural_gas",
        quantity=1,
        unit="TJ",
        gases=["CO2"],
    )
    assert_allclose(out["CO2"], 1000 * 15.3e-3 * 44 / 12)
    with pytest.raises(ActivityError, match=r"field 'unit': '万m³' times the ncv gives"):
        run(
            category="1.A.4.b",
            method="fuel_combustion",
            fuel="natural_gas",
            quantity=1,
            unit="万m³",
        )
    out = run(
        category="1.A.4.b",
        method="fuel_combustion",
        fuel="天然气",
        quantity=1,
        unit="万m³",
        gases=["CO2"],
    )
    assert_allclose(out["CO2"], 389.31 * 15.3e-3 * 0.99 * 44 / 12)


def test_electricity_uses_the_grid_factor_of_the_year(run: Run) -> None:
    # 2022 华北 0.6776 t/MWh (MEE/NBS 2022 announcement); 1000 MWh in, 200 MWh out
    out = run(
        category="IND.1",
        method="electricity",
        grid="north_china",
        quantity=1000,
        unit="MWh",
        params={"exported": {"value": 200, "unit": "MWh"}},
    )
    assert_allclose(out["CO2"], 800 * 0.6776)
    assert_allclose(
        run(
            category="IND.1",
            method="electricity",
            grid="north_china",
            quantity=1,
            unit="万千瓦时",
            year=2023,
        )["CO2"],
        10 * 0.6361,
    )
    with pytest.raises(ActivityError, match=r"field 'grid'.*years available: 2021, 2022"):
        run(
            category="IND.1",
            method="electricity",
            grid="shandong",
            quantity=1,
            unit="MWh",
            year=2020,
        )


# -- IPPU -----------------------------------------------------------------------------------


def test_clinker_factor_stoichiometry() -> None:
    # Revised 1996 default CaO 64.6 % → 0.507 t CO2/t clinker (reference §3.5)
    assert round(ippu.clinker_emission_factor(0.646), 3) == 0.507
    # IPCC 2006 Tier 1: CaO 65 % → 0.51; × CKD 1.02 → 0.52 (Vol 3 Ch 2 Eq 2.4)
    assert round(ippu.clinker_emission_factor(0.65) * 1.02, 2) == 0.52


def test_cement_against_bonsai(run: Run) -> None:
    ef = ippu.clinker_emission_factor(0.65)
    assert_allclose(ef * 1.02, bonsai_mineral.ef_clc(0.65, 1.02), rtol=1e-4)
    assert_allclose(
        ippu.cement_co2(1e6, ef, 1.02), bonsai_mineral.co2_emissions_tier2_(1e6, ef, 1.02)
    )
    out = run(category="2.A.1", method="cement_clinker", quantity=1, unit="万吨")
    assert_allclose(out["CO2"], 10_000 * 0.65 * 44.01 / 56.08 * 1.02)


def test_ammonia_eq_3_1_by_hand(run: Run) -> None:
    # 10 000 t NH3 × 30.2 GJ/t × 15.3 kg C/GJ × 1 × 44/12 − 5 000 t recovered for urea
    out = run(
        category="2.B.1",
        method="ammonia",
        fuel="natural_gas",
        quantity=10_000,
        unit="t",
        params={"recovered_co2": {"value": 5000, "unit": "t"}},
    )
    assert_allclose(out["CO2"], 10_000 * 30.2 * 15.3e-3 * 44 / 12 - 5000)


def test_lime_and_fgas_bank_and_user_factor(run: Run) -> None:
    assert_allclose(
        run(category="2.A.2", method="lime", subject="high_calcium", quantity=100, unit="t")["CO2"],
        75.0,
    )
    rate = {"emission_rate": {"value": 2, "unit": "percent/year", "source": "企业台账 2022"}}
    out = run(
        category="2.G.1.b",
        method="fgas_bank",
        equipment="switchgear",
        gases=["SF6"],
        quantity=500,
        unit="kg",
        factors=rate,
    )
    assert_allclose(out["SF6"], 0.5 * 0.02)
    ef = {"ef_co2": {"value": 0.4, "unit": "t/t", "source": "企业核查报告 2022, 表2"}}
    assert_allclose(
        run(
            category="2.C.1", method="user_factor", gases=["CO2"], quantity=10, unit="t", factors=ef
        )["CO2"],
        4.0,
    )


# -- agriculture ------------------------------------------------------------------------------


def test_enteric_eq_10_19_table_10_11(run: Run) -> None:
    # 1000 dairy cattle × 68 kg CH4/head/yr (Table 10.11, Asia) = 68 t CH4
    out = run(
        category="3.A.1",
        method="enteric_fermentation",
        species="dairy_cattle",
        quantity=1000,
        unit="head",
    )
    assert_allclose(out["CH4"], 68.0)
    assert_allclose(out["CH4"], bonsai_livestock.e(68.0, 1000) * 1000)  # bonsai returns Gg


def test_manure_n2o_eq_10_25_against_bonsai() -> None:
    ours = agriculture.manure_n2o_direct(2000, 0.04, 0.6, 0.005)
    assert_allclose(ours, 2000 * 0.04 * 0.6 * 0.005 * 44 / 28)
    assert_allclose(ours, bonsai_livestock.n2o_direct_mm(2000, 0.04, 0.6, 0.005))


def test_rice_eq_5_1(run: Run) -> None:
    # 100 ha × 120 days × 1.30 kg CH4/ha/day (Table 5.11) × SF_w 0.6 = 9.36 t
    out = run(
        category="3.C.7",
        method="rice_cultivation",
        quantity=100,
        unit="hectare",
        params={"days": 120, "sf_water": 0.6},
    )
    assert_allclose(out["CH4"], 100 * 120 * 1.30e-3 * 0.6)


def test_soil_n2o_direct_against_bonsai(run: Run) -> None:
    n2o_n = bonsai_soils.n2o_n_inputs(1000.0, 0.0, 0.0, 0.0, 0.01)
    out = run(category="3.C.4", method="soil_n2o_direct", quantity=1000, unit="t")
    assert_allclose(out["N2O"], n2o_n * 44 / 28)
    assert_allclose(out["N2O"], 15.714285714)


def test_soil_n2o_indirect_eq_11_9_11_10(run: Run) -> None:
    out = run(
        category="3.C.5",
        method="soil_n2o_indirect",
        quantity=1000,
        unit="t",
        params={"organic_n": {"value": 500, "unit": "t"}},
    )
    volatilised = (1000 * 0.10 + 500 * 0.20) * 0.010
    leached = 1500 * 0.30 * 0.0075
    assert_allclose(out["N2O"], (volatilised + leached) * 44 / 28)


# -- LULUCF: IPCC 2006 Vol 4 Ch 2 -------------------------------------------------------------


def test_stock_difference_eq_2_8_zhangqiu_volumes(run: Run) -> None:
    # 139.36万 m³ (2020) → 113.73万 m³ (2022); BCEF 0.6, R 0.29, CF 0.47
    c = 0.6 * 1.29 * 0.47
    expected = -((1_137_300 - 1_393_600) * c / 2) * 44 / 12
    out = run(
        category="3.B.1.a",
        method="forest_stock_difference",
        subject="temperate_conifer_50_150",
        quantity=113.73,
        unit="万m³",
        params={"volume_t1": {"value": 139.36, "unit": "万m³"}, "years": 2},
        factors={"bcef": {"value": 0.6, "unit": "t/m**3", "source": "test"}},
    )
    assert_allclose(out["CO2"], expected)
    assert out["CO2"] > 0  # the stock fell: a net emission


def test_gain_loss_and_afforestation_are_removals() -> None:
    gain = lulucf.biomass_gain(100, 5.0, 0.25, 0.47)
    assert_allclose(gain, 100 * 5 * 1.25 * 0.47)
    loss = lulucf.removals_loss(200, 0.7, 0.25, 0.47)
    assert_allclose(lulucf.co2_of_stock_change(gain - loss), -(gain - loss) * 44 / 12)
    assert lulucf.co2_of_stock_change(gain) < 0


# -- waste ------------------------------------------------------------------------------------


def test_fod_by_hand_three_years() -> None:
    # W = 1000 t/yr food; DOC 0.15, DOCf 0.5, MCF 1 → DDOCm 75 t/yr; k 0.06; F 0.5
    g = waste.landfill_ch4_generated([1000, 1000, 1000], 0.15, 0.5, 1.0, 0.06, 0.5)
    e = math.exp(-0.06)
    decomposed = [0.0, 75 * (1 - e), (75 + 75 * e) * (1 - e)]
    assert_allclose(g, np.array(decomposed) * 0.5 * 16 / 12)


def test_fod_against_bonsai_over_a_history() -> None:
    deposits = np.linspace(5_000, 30_000, 40)
    doc, docf, mcf, k, f, ox = 0.15, 0.5, 0.8, 0.185, 0.5, 0.1
    ours = waste.landfill_ch4_generated(deposits, doc, docf, mcf, k, f)
    acc, theirs = 0.0, []
    for w in deposits:  # bonsai_ipcc Eq 3.2, 3.5, 3.4, 3.6 step by step
        decomposed = bonsai_swd.ddoc_m_decomp_t(acc, k)
        acc = bonsai_swd.ddoc_ma_t(bonsai_swd.ddoc_from_wd_data(w, doc, docf, mcf), acc, k)
        theirs.append(bonsai_swd.ch4_generated(decomposed, f))
    assert_allclose(ours, theirs, rtol=1e-12)
    assert_allclose(
        waste.landfill_ch4_emitted(ours[-1], 100.0, ox),
        bonsai_swd.ch4_emissions(ours[-1], ox, 100.0 / ours[-1]),
    )


def test_fod_steady_state() -> None:
    # Constant deposits for long: decay equals what is deposited each year.
    g = waste.landfill_ch4_generated(np.full(400, 1000.0), 0.2, 0.5, 1.0, 0.05, 0.5)
    assert_allclose(g[-1], 1000 * 0.2 * 0.5 * 0.5 * 16 / 12, rtol=1e-6)


def test_landfill_row_needs_every_year(run: Run) -> None:
    out = run(
        category="4.A",
        method="landfill_fod",
        waste_type="food",
        quantity=1000,
        unit="t",
        params={"deposits": {2020: 1000, 2021: 1000}},
    )
    expected = waste.landfill_ch4_generated([1000] * 3, 0.15, 0.5, 0.6, 0.06, 0.5)[-1]
    assert_allclose(out["CH4"], expected)
    with pytest.raises(ActivityError, match="field 'params.deposits'.*every year from 2019"):
        run(
            category="4.A",
            method="landfill_fod",
            waste_type="food",
            quantity=1,
            unit="t",
            params={"deposits": {2019: 1, 2021: 1}},
        )


def test_incineration_against_bonsai(run: Run) -> None:
    # plastics (Table 2.4 candidates): dm 1.0, CF 0.75, FCF 1.0, OF 1.0
    out = run(
        category="4.C.1",
        method="incineration",
        waste_type="plastics",
        quantity=1000,
        unit="t",
        gases=["CO2"],
    )
    assert_allclose(out["CO2"], bonsai_incin.co2_emissions(1000, 1.0, 0.75, 1.0, 1.0))
    assert_allclose(out["CO2"], 2750.0)
    # N2O 50 g/t wet (Table 5.6), CH4 0.2 kg/Gg (Table 5.3)
    out = run(
        category="4.C.1",
        method="incineration",
        subject="msw",
        quantity=1e6,
        unit="t",
        gases=["CH4", "N2O"],
    )
    assert_allclose(out["N2O"], 50.0)
    # bonsai: 1000 Gg × 50 kg/Gg (= 50 g/t) × 10^-6 → Gg
    assert_allclose(out["N2O"], bonsai_incin.n2o_emissions(1000.0, 50.0) * 1000)
    assert_allclose(out["CH4"], 0.2e-3 * 1000)


def test_biological_eq_4_1(run: Run) -> None:
    # 10 000 t composted × 4 g CH4/kg × 10^-3 = 40 t CH4; 0.24 g N2O/kg → 2.4 t
    out = run(
        category="4.B",
        method="biological_treatment",
        subject="composting",
        quantity=10_000,
        unit="t",
    )
    assert_allclose([out["CH4"], out["N2O"]], [40.0, 2.4])
    # bonsai_ipcc 0.5.3 multiplies by 0.01 instead of Eq 4.1's 10^-3: a factor 10 apart.
    assert_allclose(bonsai_bio.ch4_emissions(10.0, 4.0, 0.0) * 1000, 400.0)


def test_domestic_wastewater_eq_6_1_to_6_3(run: Run) -> None:
    # TOW = 1e6 × 40 g/d × 0.001 × 1.25 × 365 = 18 250 t BOD; EF = 0.6 × 0.3
    out = run(
        category="4.D.1",
        method="wastewater_domestic",
        pathway="aerobic_overloaded",
        quantity=1e6,
        unit="person",
        params={"share": 0.5},
    )
    tow = 1e6 * 40 * 0.001 * 1.25 * 365 / 1000
    assert_allclose(out["CH4"], 0.5 * 0.6 * 0.3 * tow)
    ef = bonsai_ww.ef_ch4_treat(0.6, 0.3)
    assert_allclose(out["CH4"], 0.5 * bonsai_ww.ch4_emissions_treatment(tow, 0.0, ef, 0.0))


def test_domestic_effluent_n2o_eq_6_7(run: Run) -> None:
    out = run(
        category="4.D.1",
        method="wastewater_domestic",
        pathway="septic",
        gases=["N2O"],
        quantity=1e6,
        unit="person",
        params={"protein": {"value": 30, "unit": "kg/person/year"}},
    )
    n = 1e6 * 0.030 * 0.16 * 1.1 * 1.25
    assert_allclose(out["N2O"], n * 0.005 * 44 / 28)


def test_industrial_wastewater_eq_6_4_to_6_6(run: Run) -> None:
    out = run(
        category="4.D.2",
        method="wastewater_industrial",
        pathway="anaerobic_reactor",
        quantity=1e5,
        unit="t",
        params={
            "wastewater": {"value": 10, "unit": "m**3/t"},
            "cod": {"value": 3, "unit": "kg/m**3"},
        },
    )
    assert_allclose(out["CH4"], 1e5 * 10 * 3e-3 * 0.25 * 0.8)
