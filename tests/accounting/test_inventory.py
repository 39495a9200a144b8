"""The orchestrator: tables, totals, GPC views, GWP sets, lineage, time series."""

from __future__ import annotations

from typing import Any

import pytest
from numpy.testing import assert_allclose

from nearzero.accounting.activity import bundled_example, document_for_year, parse_activity
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.gwp import GWPNotAvailable
from nearzero.accounting.inventory import compute_inventory, compute_time_series, recalculation
from nearzero.accounting.model import CO2_PER_C


def rows_of(lib: FactorLibrary, *rows: dict[str, Any], years: Any = None) -> Any:
    return parse_activity(
        {
            "years": years or {2022: {"population": 1000, "gdp": {"value": 1, "unit": "亿元"}}},
            "rows": list(rows),
        },
        lib,
    )


POWER = {
    "id": "power",
    "category": "1.A.1.a",
    "method": "fuel_combustion",
    "fuel": "natural_gas",
    "quantity": 1,
    "unit": "TJ",
    "gases": ["CO2"],
}
CEMENT = {
    "id": "cement",
    "category": "2.A.1",
    "method": "cement_clinker",
    "quantity": 100,
    "unit": "t",
}
GOATS = {
    "id": "goats",
    "category": "3.A.1",
    "method": "enteric_fermentation",
    "species": "goats",
    "quantity": 1000,
    "unit": "head",
}
GRID = {
    "id": "grid",
    "category": "IND.1",
    "method": "electricity",
    "grid": "national",
    "quantity": 100,
    "unit": "MWh",
}
SINK = {
    "id": "sink",
    "category": "3.B.1.b",
    "method": "afforestation",
    "subject": "temperate_conifer_lt50",
    "quantity": 10,
    "unit": "hectare",
    "params": {"growth": {"value": 4, "unit": "t/hectare/year"}},
}


def test_totals_scopes_and_gpc_views(lib: FactorLibrary) -> None:
    rows, meta = rows_of(lib, POWER, CEMENT, GOATS, GRID, SINK)
    r = compute_inventory(rows, lib, "AR5", meta)
    power = 1000 * 15.3e-3 * 44 / 12
    cement = 100 * 0.65 * 44.01 / 56.08 * 1.02
    goats = 5.0 * 28  # 1000 × 5 kg CH4 × GWP 28
    grid = 100 * 0.5366
    sink = -10 * 4 * 1.40 * 0.47 * 44 / 12
    t = r.totals
    assert_allclose(
        [t.direct_excl_lulucf, t.direct_incl_lulucf, t.indirect],
        [power + cement + goats, power + cement + goats + sink, grid],
    )
    assert_allclose(
        [t.gross, t.net], [power + cement + goats + grid, power + cement + goats + sink + grid]
    )
    # GPC: grid-supplied generation (1.A.1.a) stays out of BASIC and BASIC+
    assert_allclose(t.basic, grid)
    assert_allclose(t.basic_plus, grid + cement + goats + sink)
    assert_allclose(r.per_capita["gross"], t.gross / 1000)
    assert_allclose(r.per_gdp["gross"], t.gross / 10_000)  # 1 亿元 = 10 000 万元
    assert r.sector_gas_tonnes["agriculture"] == {"CH4": 5.0}
    assert_allclose(r.sector_gas_tco2e["lulucf"]["CO2"], sink)


def test_gwp_set_switch_and_missing_gwp(lib: FactorLibrary) -> None:
    rows, meta = rows_of(lib, GOATS)
    assert compute_inventory(rows, lib, "SAR").totals.gross == 5.0 * 21
    assert compute_inventory(rows, lib, "AR6").totals.gross == pytest.approx(5.0 * 27.9)
    nf3 = {
        "id": "nf3",
        "category": "2.E.1",
        "method": "user_factor",
        "gases": ["NF3"],
        "quantity": 1,
        "unit": "t",
        "factors": {"ef_nf3": {"value": 0.001, "unit": "t/t", "source": "test"}},
    }
    rows, meta = rows_of(lib, nf3)
    assert compute_inventory(rows, lib, "AR5").totals.gross == pytest.approx(16.1)
    with pytest.raises(GWPNotAvailable, match="no GWP for 'NF3' in the SAR set"):
        compute_inventory(rows, lib, "SAR")


def test_lineage_records_factor_rows_and_versions(lib: FactorLibrary) -> None:
    rows, meta = rows_of(lib, CEMENT, GRID)
    r = compute_inventory(rows, lib, "AR4", meta)
    ids = {f.factor_id: f for f in r.lineage.factor_refs}
    assert set(ids) == {
        "ipcc2006_cao_in_clinker",
        "ipcc2006_ckd_correction",
        "cn_grid_2022_national",
    }
    assert ids["cn_grid_2022_national"].file == "china_grid.csv"
    assert ids["cn_grid_2022_national"].version == lib.by_id("cn_grid_2022_national").version
    assert r.lineage.to_confirm == ()  # both cement defaults verified (bonsai-ipcc transcription)
    assert r.lineage.gwp_set == "AR4" and "globalwarmingpotentials" in r.lineage.gwp_source
    assert r.lineage.methods["cement"].startswith("cement_clinker: IPCC 2006 Vol 3 Ch 2 Eq 2.2")


def test_time_series_and_recalculation(lib: FactorLibrary) -> None:
    years = {2021: {"population": 1}, 2022: {"population": 1}}
    rows, meta = rows_of(
        lib,
        {**GRID, "year": 2021, "id": "g21"},
        {**GRID, "year": 2022, "id": "g22"},
        {**GOATS, "year": 2022},
        years=years,
    )
    old = compute_time_series(rows, lib, "AR5", meta)
    assert_allclose(
        [old[2021].totals.indirect, old[2022].totals.indirect], [100 * 0.5568, 100 * 0.5366]
    )
    new = compute_time_series(rows, lib.replace_value("cn_grid_2021_national", 0.55), "AR5", meta)
    changes = recalculation(old, new)
    assert [(c.year, c.row_id, c.changed_factors) for c in changes] == [
        (2021, "g21", ("cn_grid_2021_national",))
    ]
    assert_allclose(changes[0].new_tco2e, 55.0)
    with pytest.raises(ValueError, match="say which year"):
        compute_inventory(rows, lib)


def test_bundled_zhangqiu_example(lib: FactorLibrary) -> None:
    rows, meta = parse_activity(bundled_example(), lib)
    r = compute_inventory(rows, lib, "AR5", meta, 2022)
    assert meta.region == "济南市章丘区" and meta.years[2022].gdp == pytest.approx(11_207_000)
    assert meta.years[2022].illustrative  # the population is derived, not stated
    for row in rows:  # every number the plan does not state is labelled
        assert row.notation is not None or row.illustrative or row.note, row.row_id
    coal = [x for x in r.records if x.row_id == "energy-coal-power" and x.gas == "CO2"][0]
    assert_allclose(coal.tonnes, 1_422_850 * 20.908 * 26.37e-3 * 0.94 * 44 / 12)
    assert ("1.A.3.b", "CO2", "NE") in r.notation_keys
    assert "cn_ncv_raw_coal" in r.lineage.to_confirm
    assert set(r.lineage.illustrative_rows) >= {"energy-coal-power", "lulucf-forest"}
    assert r.totals.direct_incl_lulucf > r.totals.direct_excl_lulucf  # the stock fell


# The plan's indicator table (章政办字〔2024〕1号, 主要指标表), 2020, 2021, 2022.
PLAN_CO2 = {2020: 9290749.01, 2021: 10048799.38, 2022: 8537813.87}  # indicator 1 [t]
PLAN_PER_CAPITA = {2020: 8.60, 2021: 9.19, 2022: 7.76}  # indicator 2 [t/人]
PLAN_PER_GDP = {2020: 0.92, 2021: 0.90, 2022: 0.76}  # indicator 3 [t/万元]
PLAN_FOSSIL = {2020: 400.73, 2021: 404.04, 2022: 385.55}  # indicator 10 [万tce]
PLAN_FERTILISER = {2020: 46292.094, 2021: 44193.509, 2022: 43141.133}  # indicator 28 [t]
PLAN_FOREST = {2020: 139.36, 2021: 142.8, 2022: 113.73}  # indicator 31 [万m³]
COAL_2022 = 284.57  # 万吨, plan 一(二)2
GAS_2022 = 30457.09  # 万m³, plan 一(二)2


def _row(rows: Any, year: int, row_id: str) -> Any:
    return next(r for r in rows if r.year == year and r.row_id == row_id)


def test_bundled_example_holds_three_years_from_the_plan(lib: FactorLibrary) -> None:
    rows, meta = parse_activity(bundled_example(), lib)
    assert sorted(meta.years) == [2020, 2021, 2022]
    ids = {y: [r.row_id for r in rows if r.year == y] for y in meta.years}
    assert ids[2020] == ids[2021] == ids[2022]  # one set of sources across the series
    for y in (2020, 2021, 2022):
        data = meta.years[y]
        # population and GDP are derived from indicators 1-3, to the plan's rounding
        assert_allclose(PLAN_CO2[y] / data.population, PLAN_PER_CAPITA[y], atol=0.005)
        assert_allclose(PLAN_CO2[y] / data.gdp, PLAN_PER_GDP[y], atol=0.005)
        coal = (
            _row(rows, y, "energy-coal-power").quantity
            + _row(rows, y, "energy-coal-industry").quantity
        )  # [万吨]
        assert_allclose(coal, COAL_2022 * PLAN_FOSSIL[y] / PLAN_FOSSIL[2022], rtol=1e-5)
        gas = _row(rows, y, "energy-natural-gas").quantity  # [万m³]
        assert_allclose(gas, GAS_2022 * PLAN_FOSSIL[y] / PLAN_FOSSIL[2022], rtol=1e-6)
        assert_allclose(
            _row(rows, y, "agri-soils-direct").quantity, PLAN_FERTILISER[y] / 2, rtol=1e-6
        )
        assert _row(rows, y, "lulucf-forest").illustrative
    # the plan states coal and gas for 2022 only: the other years are labelled as assumed
    assert _row(rows, 2022, "energy-natural-gas").note.startswith("天然气供气量 2022")
    for y in (2020, 2021):
        assert meta.years[y].illustrative
        assert "indicator 10" in _row(rows, y, "energy-coal-power").note
    # growing stock of the year against the year before (2019 extrapolated)
    forest = {y: _row(rows, y, "lulucf-forest") for y in meta.years}
    assert forest[2022].quantity == PLAN_FOREST[2022]  # [万m³]
    assert forest[2022].params["volume_t1"].value == PLAN_FOREST[2021]
    assert forest[2021].params["volume_t1"].value == PLAN_FOREST[2020]


def test_bundled_example_totals_per_year(lib: FactorLibrary) -> None:
    """Energy CO2 by IPCC 2006 Vol 2 Ch 2 Eq 2.1 (quantity × NCV × carbon content ×
    oxidation × 44/12) and forest CO2 by Vol 4 Ch 2 Eq 2.8 (ΔV × BCEF × (1+R) × CF × 44/12,
    R 0.29 from Table 4.4, CF 0.47 from Table 4.3, BCEF the example's placeholder 0.6)."""
    rows, meta = parse_activity(bundled_example(), lib)
    series = compute_time_series(rows, lib, "AR5", meta)
    v = {
        i: lib.by_id(i).value
        for i in (
            "cn_ncv_raw_coal",
            "cn_cc_raw_coal",
            "cn_ox_raw_coal",
            "cn_ncv_natural_gas",
            "cn_cc_natural_gas",
            "cn_ox_natural_gas",
        )
    }
    for y, result in series.items():
        coal_t = COAL_2022 * 1e4 * PLAN_FOSSIL[y] / PLAN_FOSSIL[2022]
        gas_wan_m3 = GAS_2022 * PLAN_FOSSIL[y] / PLAN_FOSSIL[2022]
        coal = coal_t * v["cn_ncv_raw_coal"] * v["cn_cc_raw_coal"] / 1e3 * v["cn_ox_raw_coal"]
        gas = gas_wan_m3 * v["cn_ncv_natural_gas"] * v["cn_cc_natural_gas"] / 1e3
        gas *= v["cn_ox_natural_gas"]
        energy_co2 = sum(
            r.tonnes for r in result.records if r.sector == "energy" and r.gas == "CO2"
        )
        assert_allclose(energy_co2, (coal + gas) * CO2_PER_C, rtol=5e-6)  # quantities rounded
        # CH4 and N2O by Eq 2.1 with the category's Vol 2 Ch 2 table [kg/TJ]: coal for power
        # (1.A.1.a) Table 2.2, CH4 1, N2O 1.5; coal in manufacturing (1.A.2) Table 2.3, CH4 10,
        # N2O 1.5; gas in 1.A.4 Tables 2.4 and 2.5 (equal for gas), CH4 5, N2O 0.1.
        coal_tj = coal_t / 2 * v["cn_ncv_raw_coal"] / 1e3  # each of the two coal rows
        gas_tj = gas_wan_m3 * v["cn_ncv_natural_gas"] / 1e3
        by_gas = {
            g: sum(r.tonnes for r in result.records if r.sector == "energy" and r.gas == g)
            for g in ("CH4", "N2O")
        }
        ch4 = (coal_tj * 1 + coal_tj * 10 + gas_tj * 5) / 1e3  # [t]
        n2o = (coal_tj * 1.5 + coal_tj * 1.5 + gas_tj * 0.1) / 1e3
        assert_allclose([by_gas["CH4"], by_gas["N2O"]], [ch4, n2o], rtol=5e-6)
        forest = sum(r.tco2e for r in result.records if r.sector == "lulucf")
        before = PLAN_FOREST[y - 1] if y > 2020 else PLAN_FOREST[2020] - 3.44
        delta_c = (PLAN_FOREST[y] - before) * 1e4 * 0.6 * 1.29 * 0.47
        assert_allclose(forest, -delta_c * CO2_PER_C, rtol=1e-9)
        t = result.totals
        assert t.direct_incl_lulucf == pytest.approx(t.direct_excl_lulucf + forest)
    excl = {y: round(r.totals.direct_excl_lulucf / 1e4, 2) for y, r in series.items()}
    incl = {y: round(r.totals.direct_incl_lulucf / 1e4, 2) for y, r in series.items()}
    # 万吨CO2e, AR5. Against the Table 2.2-for-every-sector totals (682.35, 687.00, 657.55)
    # these add the CH4 of coal in 1.A.2 at 10 instead of 1 kg/TJ and of gas in 1.A.4 at 5
    # instead of 1 kg/TJ: 2022 (29 748.9 TJ × 9 + 11 857.3 TJ × 4) kg × 28 = 0.88万吨.
    assert excl == {2020: 683.27, 2021: 687.93, 2022: 658.43}
    assert incl == {2020: 678.68, 2021: 683.34, 2022: 697.20}


def test_changing_a_factor_recalculates_every_year_and_lists_what_changed(
    lib: FactorLibrary,
) -> None:
    # IPCC 2006 Vol 1 Ch 5 §5.2: a new NCV for raw coal is applied to the whole series.
    rows, meta = parse_activity(bundled_example(), lib)
    old = compute_time_series(rows, lib, "AR5", meta)
    new = compute_time_series(rows, lib.replace_value("cn_ncv_raw_coal", 21.5), "AR5", meta)
    changes = recalculation(old, new)
    coal_rows = {"energy-coal-power", "energy-coal-industry"}
    assert {c.year for c in changes} == {2020, 2021, 2022}
    assert {(c.row_id, c.gas) for c in changes if c.year == 2021} == {
        (r, g) for r in coal_rows for g in ("CO2", "CH4", "N2O")
    }
    for c in changes:
        assert c.row_id in coal_rows and c.changed_factors == ("cn_ncv_raw_coal",)
        assert c.new_tco2e / c.old_tco2e == pytest.approx(21.5 / 20.908, rel=1e-12)
    for y in (2020, 2021, 2022):
        moved = new[y].totals.direct_excl_lulucf - old[y].totals.direct_excl_lulucf
        listed = sum(c.new_tco2e - c.old_tco2e for c in changes if c.year == y)
        assert moved == pytest.approx(listed) and moved > 0
        assert new[y].totals.direct_incl_lulucf - old[y].totals.direct_incl_lulucf == (
            pytest.approx(moved)
        )


def test_one_year_of_a_document_and_copy_forward() -> None:
    doc = bundled_example()
    y21 = document_for_year(doc, 2021)
    assert list(y21["years"]) == [2021] and {r["year"] for r in y21["rows"]} == {2021}
    assert len(y21["rows"]) == len(doc["rows"]) // 3 and y21["region"] == doc["region"]
    copy = document_for_year(doc, 2022, as_year=2023)
    assert list(copy["years"]) == [2023] and {r["year"] for r in copy["rows"]} == {2023}
    assert copy["rows"][0]["quantity"] == doc["rows"][0]["quantity"]
    assert doc["rows"][0]["year"] == 2022  # the original is untouched


def test_factors_without_a_range_are_named(lib: FactorLibrary) -> None:
    """Uncertainty counts a factor row without a range as exact: the result says which."""
    rows, meta = rows_of(lib, POWER)
    r = compute_inventory(rows, lib, "AR5", meta)
    exact = set(r.factors_without_range)
    used = {f.factor_id: f for f in r.lineage.factor_refs}
    assert exact <= set(used)
    for factor_id in used:
        record = lib.by_id(factor_id)
        assert (factor_id in exact) == (record.half_width is None), factor_id
    # Table 1.3 gives the carbon content a range; the default oxidation factor 1 has none
    assert r.factors_without_range == ("ipcc2006_oxidation_default",)
