"""GWP sets and IPCC 2006 categories.

Published GWP-100 values: SAR (IPCC 1995), AR4 (2007 WG1 Table 2.14), AR5 (2013 WG1
Table 8.A.1), AR6 (2021 WG1 Table 7.SM.7), as tabulated in
/work/shared/reference/ghg_inventory.md §3.1.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

import pytest
from numpy.testing import assert_allclose

from nearzero.accounting.activity import bundled_example
from nearzero.accounting.categories import (
    INDIRECT_CATEGORIES,
    TITLES_ZH_FILE,
    Sector,
    UnknownCategory,
    canonical_code,
    category_title,
    ipcc2006_codes,
    parse_sector,
    sector_of,
    titles_zh,
)
from nearzero.accounting.gwp import GWPNotAvailable, gas_group, gwp

PUBLISHED = {  # gas: (SAR, AR4, AR5, AR6)
    "CH4": (21, 25, 28, 27.9),
    "N2O": (310, 298, 265, 273),
    "SF6": (23900, 22800, 23500, 25200),
    "HFC-134a": (1300, 1430, 1300, 1530),
    "HFC-23": (11700, 14800, 12400, 14600),
    "CF4": (6500, 7390, 6630, 7380),
}


@pytest.mark.parametrize("gas", PUBLISHED)
@pytest.mark.parametrize("i, gwp_set", list(enumerate(("SAR", "AR4", "AR5", "AR6"))))
def test_gwp_matches_published_tables(gas: str, i: int, gwp_set: str) -> None:
    assert_allclose(gwp(gas, gwp_set), PUBLISHED[gas][i])


@pytest.mark.parametrize("gwp_set, value", [("AR4", 17200), ("AR5", 16100), ("AR6", 17400)])
def test_nf3(gwp_set: str, value: float) -> None:
    assert gwp("NF3", gwp_set) == value


def test_nf3_under_sar_raises_never_zero() -> None:
    with pytest.raises(GWPNotAvailable, match="no GWP for 'NF3' in the SAR set"):
        gwp("NF3", "SAR")


def test_unknown_set_and_gas() -> None:
    with pytest.raises(GWPNotAvailable, match="unknown GWP set 'AR7'"):
        gwp("CH4", "AR7")
    with pytest.raises(GWPNotAvailable, match="unknown gas 'XYZ'"):
        gwp("XYZ", "AR5")


def test_co2_is_one_and_groups() -> None:
    assert gwp("CO2", "SAR") == 1.0
    assert [gas_group(g) for g in ("HFC-134a", "C2F6", "SF6", "NF3", "co2")] == [
        "HFCs",
        "PFCs",
        "SF6",
        "NF3",
        "CO2",
    ]
    with pytest.raises(GWPNotAvailable, match="not one of the inventory gases"):
        gas_group("HCFC-22")  # Montreal Protocol gas: not in the inventory


@pytest.mark.parametrize(
    "code, sector",
    [
        ("1.A.1.a", Sector.ENERGY),
        ("1A3b", Sector.ENERGY),
        ("2.A.1", Sector.IPPU),
        ("2.G.1.b", Sector.IPPU),
        ("3.A.1", Sector.AGRICULTURE),
        ("3.C.4", Sector.AGRICULTURE),
        ("3.B.1.a", Sector.LULUCF),
        ("3.C.1.a", Sector.LULUCF),
        ("3.C.1.b", Sector.AGRICULTURE),
        ("3.D.1", Sector.LULUCF),
        ("4.A", Sector.WASTE),
        ("4.D.1", Sector.WASTE),
        ("IND.1", Sector.ENERGY),
    ],
)
def test_sector_mapping(code: str, sector: Sector) -> None:
    assert sector_of(code) is sector


def test_codes_come_from_climate_categories() -> None:
    assert canonical_code("1A1a") == "1.A.1.a"
    assert category_title("3.A.1") == "Enteric Fermentation"
    with pytest.raises(UnknownCategory, match="'9.Z' is not an IPCC 2006 category code"):
        canonical_code("9.Z")


def test_parse_sector_zh_and_en() -> None:
    assert parse_sector("土地利用变化和林业") is Sector.LULUCF
    assert parse_sector("waste") is Sector.WASTE
    assert [s.label_zh for s in Sector] == [
        "能源活动",
        "工业生产过程",
        "农业",
        "土地利用变化和林业",
        "废弃物处理",
    ]
    with pytest.raises(ValueError, match="unknown sector"):
        parse_sector("transport")


# The guideline's names (省级温室气体清单编制指南（试行）section headings) for the codes the
# inventory uses most, and the IPCC 2006 names in the Guidelines' Chinese style otherwise.
@pytest.mark.parametrize(
    ("code", "zh"),
    [
        ("1", "能源活动"),
        ("1.A.1", "能源工业"),
        ("1.A.2", "制造业和建筑业"),
        ("1.A.3", "交通运输"),
        ("1.A.4.b", "居民生活"),
        ("2", "工业生产过程"),
        ("2.A.1", "水泥生产"),
        ("2.A.2", "石灰生产"),
        ("3.A.1", "动物肠道发酵"),
        ("3.A.2", "动物粪便管理"),
        ("3.B.1", "林地"),
        ("3.C.7", "稻田甲烷排放"),
        ("4.A", "固体废弃物处置（填埋）"),
        ("4.D.1", "生活污水处理"),
        ("IND.1", "调入电力间接排放"),
    ],
)
def test_chinese_titles(code: str, zh: str) -> None:
    assert category_title(code, "zh") == zh
    if not code.startswith("IND"):  # undotted input too
        assert category_title(code.replace(".", ""), "zh") == zh


def test_english_titles_stay_from_climate_categories() -> None:
    assert category_title("3.A.1", "en") == "Enteric Fermentation"
    assert category_title("IND.1") == "Grid-supplied electricity consumed (indirect, GPC scope 2)"
    # a code the Chinese file lacks falls back to its English title
    assert "3.A.1.a.i" not in titles_zh()
    assert category_title("3.A.1.a.i", "zh") == category_title("3.A.1.a.i", "en")


def test_title_file_codes_are_canonical_and_cited() -> None:
    text = resources.files("nearzero.data").joinpath("factors", TITLES_ZH_FILE).read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)) == len(titles_zh())
    for r in rows:
        assert canonical_code(r["code"]) == r["code"], r["code"]
        assert r["title_zh"] and r["source"] and r["note"], r["code"]
        assert re.search(r"[\u4e00-\u9fff]", r["title_zh"]), r["code"]


def test_every_category_the_inventory_can_show_has_a_chinese_title() -> None:
    # every IPCC 2006 code down to the level the activity template offers, and the
    # sector / sub-sector of each: sectors 1-5 to three levels plus the fourth level
    # of 1.A, 2.F.1, 2.G, 3.A, 3.B, 3.C.1
    deep = ("1.A.", "2.F.1.", "2.G.", "3.A.1.", "3.A.2.", "3.B.", "3.C.1.")
    wanted = set(INDIRECT_CATEGORIES)
    for code in ipcc2006_codes():
        depth = code.count(".")
        if code != "0" and (depth <= 2 or (depth == 3 and code.startswith(deep))):
            wanted.add(code)
    assert wanted - set(titles_zh()) == set()
    # and every category of the bundled example
    example = {row["category"] for row in bundled_example()["rows"]}
    assert {canonical_code(c) for c in example} <= set(titles_zh())
