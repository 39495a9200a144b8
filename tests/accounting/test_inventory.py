"""The orchestrator: tables, totals, GPC views, GWP sets, lineage, time series."""

from __future__ import annotations

from typing import Any

import pytest
from numpy.testing import assert_allclose

from nearzero.accounting.activity import bundled_example, parse_activity
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.gwp import GWPNotAvailable
from nearzero.accounting.inventory import compute_inventory, compute_time_series, recalculation


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
    r = compute_inventory(rows, lib, "AR5", meta)
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
