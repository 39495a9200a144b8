"""The cross-check of the inventory against enterprise reports, on hand-worked numbers."""

from __future__ import annotations

import pytest

from nearzero.enterprise.crosscheck import (
    Term,
    combustion_category,
    crosscheck,
    inventory_co2,
    process_category,
)


@pytest.mark.parametrize(
    ("code", "sector", "category"),
    [
        ("D4411", "", "1.A.1.a"),  # 火力发电
        ("", "power", "1.A.1.a"),  # no code: the sector decides
        ("C3011", "", "1.A.2.f"),  # 水泥制造 → non-metallic minerals
        ("C2621", "", "1.A.2.c"),  # 氮肥制造 → chemicals
        ("C2511", "", "1.A.1.b"),  # 原油加工 → refining
        ("C2521", "", "1.A.1.c"),  # 炼焦 → other energy industries
        ("C3391", "", "1.A.2.h"),  # 金属制品 → machinery
        ("C3110", "", "1.A.2.a"),  # 炼铁
        ("C4320", "", "1.A.2.m"),  # 43 not named → other industry
        ("", "", "1.A.2.m"),
    ],
)
def test_fuel_combustion_goes_to_the_energy_category_of_the_industry(code, sector, category):
    assert combustion_category(code, sector) == category


def test_process_terms_go_to_the_ippu_category_of_the_product():
    assert process_category("clinker", "") == "2.A.1"
    assert process_category("合成氨", "") == "2.B.1"
    assert process_category("Methanol", "") == "2.B.8"
    assert process_category("", "nitrogen_fertiliser") == "2.B.1"
    assert process_category("硅", "") is None


def test_inventory_side_is_scope_1_co2_of_energy_industries_manufacturing_and_ippu():
    rows = [
        ("1.A.1.a", "CO2", 1, 100.0),
        ("1.A.1.a", "CH4", 1, 5.0),  # not CO2
        ("1.A.2", "CO2", 1, 40.0),
        ("1.A.2", "CO2", 1, 2.5),
        ("1.A.4", "CO2", 1, 30.0),  # residential: not compared
        ("IND.1", "CO2", 2, 70.0),  # scope 2
        ("2.A.1", "CO2", 1, 9.0),
    ]
    assert inventory_co2(rows) == {"1.A.1.a": 100.0, "1.A.2": 42.5, "2.A.1": 9.0}


def test_the_table_of_differences_by_category():
    inventory = {"1.A.1.a": 10_000.0, "1.A.2": 8_000.0, "2.A.1": 60_000.0, "2.B.1": 3_000.0}
    terms = [
        Term("电厂", "fuel", 9_000.0, industry_code="D4411", basis="verified"),
        Term("电厂", "electricity", -200.0, industry_code="D4411", basis="verified"),
        Term("水泥", "fuel", 4_000.0, industry_code="C3011"),
        Term("水泥", "process", 50_000.0, product="clinker", industry_code="C3011"),
        Term("水泥", "electricity", 700.0, industry_code="C3011"),
        Term("化肥", "fuel", 2_000.0, industry_code="C2621"),
        Term("化肥", "process", 3_500.0, product="合成氨", industry_code="C2621"),
        Term("化肥", "recovered", 1_000.0, industry_code="C2621"),  # urea: deducted from 2.B.1
        Term("甲醇厂", "process", 400.0, product="甲醇", sector="chemical"),
        Term("硅厂", "process", 123.0, product="硅"),
    ]
    check = crosscheck(inventory, terms)
    got = {ln.category: ln for ln in check.lines}
    assert list(got) == ["1.A.1.a", "1.A.2", "2.A.1", "2.B.1", "2.B.8"]
    # hand-worked: inventory − enterprises, enterprises / inventory
    power = got["1.A.1.a"]
    assert (power.inventory_tco2, power.enterprise_tco2, power.difference) == (10_000, 9_000, 1_000)
    assert power.share_pct == pytest.approx(90.0)
    assert power.basis == "verified" and power.verified_firms == ("电厂",)
    # 1.A.2.f (4,000) and 1.A.2.c (2,000) are compared at the inventory's level, 1.A.2
    manuf = got["1.A.2"]
    assert (manuf.enterprise_tco2, manuf.difference) == (6_000, 2_000)
    assert manuf.share_pct == pytest.approx(75.0)
    assert manuf.basis == "reported" and manuf.reported_firms == ("化肥", "水泥")
    assert got["2.A.1"].difference == 10_000
    assert got["2.A.1"].share_pct == pytest.approx(250 / 3)
    assert got["2.B.1"].enterprise_tco2 == 2_500  # 3,500 − 1,000 recovered
    assert got["2.B.1"].difference == 500
    assert got["2.B.8"].inventory_tco2 == 0 and got["2.B.8"].share_pct is None
    assert [t.firm for t in check.unplaced] == ["硅厂"]
    assert check.indirect_tco2 == 500  # −200 + 700, scope 2: not compared
    assert check.source.to_confirm


def test_a_detailed_inventory_is_compared_category_by_category():
    check = crosscheck(
        {"1.A.2.f": 100.0, "1.A.2.c": 50.0},
        [Term("水泥", "fuel", 80.0, industry_code="C3011", basis="verified")],
    )
    assert [(ln.category, ln.inventory_tco2, ln.enterprise_tco2) for ln in check.lines] == [
        ("1.A.2.c", 50.0, 0.0),
        ("1.A.2.f", 100.0, 80.0),
    ]
    assert check.lines[0].basis == ""
