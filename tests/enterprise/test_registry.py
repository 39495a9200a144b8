"""Registry: GB 32100-2015 credit codes, GB/T 4754-2017 industry codes, the plan's firms."""

import pytest

from nearzero.enterprise import crosscheck, screening
from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.registry import (
    SECTOR_NAMES,
    bundled_firms,
    credit_code_check_char,
    sector_name,
    validate_credit_code,
    validate_industry_code,
)

# Codes printed on the business licences of listed companies (published in their annual
# reports and on the 国家企业信用信息公示系统).
PUBLISHED_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91440300192317458F",  # 比亚迪股份有限公司
    "9144030027939873X7",  # 中兴通讯股份有限公司
    "91440300100012316L",  # 中国平安保险（集团）股份有限公司
    "91520000214434146R",  # 贵州茅台酒股份有限公司
]


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_codes_pass_the_checksum(code):
    assert validate_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]


def test_lower_case_and_spaces_are_normalised():
    assert validate_credit_code(" 9144030071526726xg ") == "9144030071526726XG"


def test_a_mistyped_character_is_caught_and_the_field_named():
    with pytest.raises(EnterpriseError) as exc:
        validate_credit_code("914403001922038217", "firm.credit_code")
    assert exc.value.field == "firm.credit_code"
    assert "'6'" in str(exc.value) and "GB 32100" in str(exc.value)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("91440300192203821", "17 characters"),
        ("9144030019220382I6", "'I'"),
        ("9144030O19220382 6", "'O'"),
        ("91A40300192203821Z", "'Z'"),
        ("91A403001922038216", "administrative-division"),
    ],
)
def test_malformed_codes_say_what_was_expected(code, expected):
    with pytest.raises(EnterpriseError, match="credit_code") as exc:
        validate_credit_code(code)
    assert expected in str(exc.value)


def test_industry_codes_by_shape_and_section():
    code = validate_industry_code("C3011")
    assert (code.section, code.digits, code.level) == ("C", "3011", "class")
    assert str(validate_industry_code("4412")) == "D4412"
    assert validate_industry_code("26").level == "division"
    with pytest.raises(EnterpriseError, match="section D, not C"):
        validate_industry_code("C4412")
    with pytest.raises(EnterpriseError, match="expected a section letter"):
        validate_industry_code("3")
    with pytest.raises(EnterpriseError, match="does not exist"):
        validate_industry_code("9901")


def test_the_plan_firms_are_bundled_without_invented_codes():
    firms = {f.name_zh: f for f in bundled_firms()}
    for name in ("华电章丘发电有限公司", "章丘华明水泥有限公司", "明水化工", "日月新材料有限公司"):
        assert name in firms
    assert all(f.credit_code is None and not f.illustrative for f in firms.values())
    assert firms["明水化工"].sector == "nitrogen_fertiliser"
    assert not firms["明水化工"].name_is_full  # the plan's short name, kept as written
    grinding = firms["章丘华明水泥有限公司"].facilities[0]
    assert (grinding.capacity, grinding.capacity_unit) == (110, "万吨/年")
    assert firms["华电章丘发电有限公司"].source.status == "verified"


def test_every_sector_key_the_data_and_the_maps_use_has_a_name():
    """A page shows a firm's sector by name (发电, 氮肥（合成氨）), never its key."""
    keys = {
        row.text("sector")
        for role in ("reporting", "national_market")
        for row in screening._sector_rows(role)
    }
    keys |= set(crosscheck.COMBUSTION_BY_SECTOR) | set(crosscheck.PROCESS_BY_SECTOR)
    keys |= {f.sector for f in bundled_firms() if f.sector}
    assert sorted(k for k in keys if k not in SECTOR_NAMES) == []
    assert sector_name("nitrogen_fertiliser") == "氮肥（合成氨）"
    assert sector_name("power", "en") == "power generation"
    assert sector_name("glass") == "glass"  # a key the office typed stays as typed
    assert sector_name(None) == "—"
