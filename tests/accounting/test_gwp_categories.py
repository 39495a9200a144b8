"""GWP sets and IPCC 2006 categories.

Published GWP-100 values: SAR (IPCC 1995), AR4 (2007 WG1 Table 2.14), AR5 (2013 WG1
Table 8.A.1), AR6 (2021 WG1 Table 7.SM.7), as tabulated in
/work/shared/reference/ghg_inventory.md §3.1.
"""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose

from nearzero.accounting.categories import (
    Sector,
    UnknownCategory,
    canonical_code,
    category_title,
    parse_sector,
    sector_of,
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
