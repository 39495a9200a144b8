"""The factor library: files, lookup errors, overlays, statuses, cross-checks.

IPCC 2006 Vol 2 Ch 1 Table 1.4 default CO2 EFs [kg/TJ] are compared with the shipped
NCV × carbon content × 44/12 (Table 1.4 assumes oxidation 1). Table 1.2/1.3 and
Vol 5 Ch 2 Table 2.4 values are compared with bonsai_ipcc 0.5.3's independent
transcription.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from nearzero.accounting.factors import (
    DEFAULT_FILES,
    FactorFileError,
    FactorLibrary,
    FactorNotFound,
    local_factor,
    parse_factor_csv,
)
from nearzero.accounting.model import CO2_PER_C


def bonsai(path: str) -> pd.DataFrame:
    return pd.read_csv(resources.files("bonsai_ipcc").joinpath("data", path))


def test_every_row_is_typed_cited_and_has_a_status(lib: FactorLibrary) -> None:
    assert {r.file for r in lib.records} == set(DEFAULT_FILES)
    for r in lib.records:
        assert r.source_document and r.source_table, r.factor_id
        assert r.status in ("verified", "to_confirm"), r.factor_id
        assert isinstance(r.value, float) and len(r.version) == 12
    assert not [k for k, n in Counter(r.factor_id for r in lib.records).items() if n > 1]
    keys = Counter((r.parameter, r.subject, r.year) for r in lib.records)
    assert not [k for k, n in keys.items() if n > 1], "two default rows for one key"


def test_unverified_reference_values_are_not_shipped_as_verified(lib: FactorLibrary) -> None:
    # factor_status.md: these are unverified / seen only in third-party code.
    for fid in (
        "cn_grid_2022_shandong",
        "cn_grid_2021_shandong",
        "cn_ncv_raw_coal",
        "ipcc2006_ckd_correction",
        "ipcc2006_cao_in_clinker",
        "ipcc2006_ef1",
        "ipcc2006_rice_efc",
        "ipcc2006_carbon_fraction_wood",
    ):
        assert lib.by_id(fid).status == "to_confirm", fid
    assert lib.by_id("cn_grid_2022_north_china").status == "verified"
    assert {r.factor_id for r in lib.to_confirm()} >= {"cn_grid_2022_shandong", "ipcc2006_ef1"}
    assert not [r for r in lib.records if r.parameter == "ef_clinker"]  # 0.52 not shipped


def test_lookup_error_names_file_and_key(lib: FactorLibrary) -> None:
    with pytest.raises(FactorNotFound) as exc:
        lib.get("ncv", "peat")
    assert str(exc.value) == (
        "no ncv for 'peat' in factors/ipcc2006_energy.csv, factors/china_energy.csv"
    )
    with pytest.raises(
        FactorNotFound,
        match=r"in year 2019 in factors/china_grid.csv "
        r"\(years available: 2021, 2022, 2023\)",
    ):
        lib.get("grid_ef", "national", 2019)


def test_wildcard_and_year(lib: FactorLibrary) -> None:
    assert lib.get("oxidation", "lignite").factor_id == "ipcc2006_oxidation_default"
    assert lib.get("oxidation", "原煤").value == 0.94
    assert lib.get("grid_ef", "national", 2022).value == 0.5366
    assert lib.get("grid_ef", "national", 2023).value == 0.5306
    assert {"national", "north_china", "shandong"} <= set(lib.subjects("grid_ef"))


def test_overlay_takes_precedence_and_keeps_citation(lib: FactorLibrary) -> None:
    mine = local_factor(
        "jinan_ncv_coal", "ncv", "原煤", 21.5, "GJ/t", "济南市统计局 能源平衡表 2022, 表3, 第12页"
    )
    over = lib.overlay([mine])
    assert over.get("ncv", "原煤") is mine and mine.status == "local"
    assert lib.get("ncv", "原煤").value == 20.908  # the original is untouched
    with pytest.raises(ValueError, match="needs a source citation"):
        local_factor("x", "ncv", "原煤", 1.0, "GJ/t", " ")


def test_replace_value_changes_version(lib: FactorLibrary) -> None:
    new = lib.replace_value("ipcc2006_ef1", 0.016)
    assert new.by_id("ipcc2006_ef1").value == 0.016
    assert new.by_id("ipcc2006_ef1").version != lib.by_id("ipcc2006_ef1").version


def test_bad_file_names_line_and_column() -> None:
    head = (
        "id,parameter,subject,value,unit,source_document,source_table,source_page,year,"
        "status,min,max,uncertainty_pct,note\n"
    )
    with pytest.raises(FactorFileError, match=r"x.csv line 2, column 'value': 'abc'"):
        parse_factor_csv(head + "a,ncv,coal,abc,GJ/t,doc,t,,2006,verified,,,,\n", "x.csv")
    with pytest.raises(FactorFileError, match=r"x.csv line 2, column 'status'"):
        parse_factor_csv(head + "a,ncv,coal,1,GJ/t,doc,t,,2006,maybe,,,,\n", "x.csv")
    with pytest.raises(FactorFileError, match="missing columns"):
        parse_factor_csv("id,value\n", "x.csv")


TABLE_1_4 = {  # IPCC 2006 Vol 2 Ch 1 Table 1.4 default CO2 EF [kg CO2/TJ]
    "other_bituminous_coal": 94600,
    "anthracite": 98300,
    "coking_coal": 94600,
    "coke_oven_coke": 107000,
    "crude_oil": 73300,
    "motor_gasoline": 69300,
    "gas_diesel_oil": 74100,
    "residual_fuel_oil": 77400,
    "lpg": 63100,
    "natural_gas": 56100,
}


@pytest.mark.parametrize("fuel", TABLE_1_4)
def test_carbon_content_reproduces_table_1_4(lib: FactorLibrary, fuel: str) -> None:
    ef = lib.get("carbon_content", fuel).value * CO2_PER_C * 1000  # kg C/GJ -> kg CO2/TJ
    assert_allclose(ef, TABLE_1_4[fuel], rtol=1e-3)  # Table 1.4 rounds to 3-4 digits


BONSAI_FUEL = {"coke_oven_coke": "coke", "crude_oil": "oil", "lpg": "liquefied_petroleum_gases"}


@pytest.mark.parametrize(
    "parameter, path",
    [
        ("ncv", "generic/par_energy_content_per_mass.csv"),
        ("carbon_content", "generic/par_carbon_content_per_energy.csv"),
    ],
)
def test_energy_factors_match_bonsai_transcription(
    lib: FactorLibrary, parameter: str, path: str
) -> None:
    table = bonsai(path).pivot_table(index="product", columns="property", values="value")
    rows = [r for r in lib.records if r.parameter == parameter and r.file == DEFAULT_FILES[0]]
    assert len(rows) >= 10
    for r in rows:
        ref = table.loc[BONSAI_FUEL.get(r.subject, r.subject)]
        assert (r.value, r.min, r.max) == (ref["def"], ref["min"], ref["max"]), r.factor_id


def test_waste_doc_and_k_match_bonsai(lib: FactorLibrary) -> None:
    doc = bonsai("waste/swd/par_doc.csv").query("waste_moisture == 'wet' and property == 'def'")
    for _, ref in doc.iterrows():
        mine = lib.find("doc", ref["waste_type"].removeprefix("msw_"))
        if mine is not None:
            assert mine.value == ref["value"], ref["waste_type"]
    k = bonsai("waste/swd/par_k.csv").query(
        "property == 'def' and climate_zone == 'boreal_temperate'"
    )
    for _, ref in k.iterrows():
        mine = lib.find(
            "k", f"{ref['waste_type'].removeprefix('msw_')}|temperate_{ref['moisture_regime']}"
        )
        if mine is not None:
            assert mine.value == ref["value"], ref["waste_type"]
