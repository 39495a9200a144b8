"""The guideline-layout inventory tables (省级温室气体清单编制指南（试行）summary tables) as
Excel and Word: the files open and hold the sector totals of the core's result."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from nearzero.accounting.activity import bundled_example, parse_activity
from nearzero.accounting.factors import FactorLibrary, default_library
from nearzero.accounting.inventory import InventoryResult, compute_inventory
from nearzero.reports import inventory_tables as it

CO2_PER_C = 44 / 12


@pytest.fixture(scope="module")
def lib() -> FactorLibrary:
    return default_library()


@pytest.fixture(scope="module")
def result(lib: FactorLibrary) -> InventoryResult:
    rows, meta = parse_activity(bundled_example(), lib)
    return compute_inventory(rows, lib, "AR5", meta, 2022)


def energy_co2_by_hand(lib: FactorLibrary) -> float:
    """IPCC 2006 Vol 2 Ch 2 Eq 2.1 with the library's NCV, carbon content, oxidation:
    coal 284.57万吨 (plan 一(二)2, split in two rows) and natural gas 30457.09万m³. [t]"""
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
    coal = 284.57e4 * v["cn_ncv_raw_coal"] * v["cn_cc_raw_coal"] / 1000 * v["cn_ox_raw_coal"]
    gas = (
        30457.09 * v["cn_ncv_natural_gas"] * v["cn_cc_natural_gas"] / 1000 * v["cn_ox_natural_gas"]
    )
    return (coal + gas) * CO2_PER_C


def waste_co2_by_hand(lib: FactorLibrary) -> float:
    """IPCC 2006 Vol 5 Ch 5 Eq 5.1: Σ W × dm × CF × FCF × OF × 44/12 over the example's
    plastics, textiles and paper. [t]"""
    total = 0.0
    of = lib.by_id("ipcc2006_of_incineration").value
    for kind, tonnes in (("plastics", 122640), ("textiles", 30660), ("paper", 102200)):
        dm, cf, fcf = (lib.by_id(f"ipcc2006_{p}_{kind}").value for p in ("dm", "cf", "fcf"))
        total += tonnes * dm * cf * fcf * of * CO2_PER_C
    return total


def test_summary_tables_hold_the_core_totals(result: InventoryResult, lib: FactorLibrary):
    t1, t2 = it.summary_tables(result)
    rows = {r[0].text: r for r in t2.rows}
    total_col = len(t2.headers) - 1
    assert rows[it.TOTAL_EXCL_ZH][total_col].value == pytest.approx(
        result.totals.direct_excl_lulucf / 1e4
    )
    assert rows[it.TOTAL_INCL_ZH][total_col].value == pytest.approx(
        result.totals.direct_incl_lulucf / 1e4
    )
    co2 = t2.headers.index("CO2")
    assert rows["能源活动"][co2].value == pytest.approx(energy_co2_by_hand(lib) / 1e4, rel=1e-9)
    assert rows["废弃物处理"][co2].value == pytest.approx(waste_co2_by_hand(lib) / 1e4, rel=1e-9)
    # sector rows add up to the totals
    sectors = [
        rows[s][total_col].value or 0.0 for s in ("能源活动", "工业生产过程", "农业", "废弃物处理")
    ]
    assert sum(sectors) == pytest.approx(result.totals.direct_excl_lulucf / 1e4)
    # notation keys fill the cells with no number: IPPU is not estimated in the example
    t1_rows = {r[0].text: r for r in t1.rows}
    ippu = {h: c.text for h, c in zip(t1.headers, t1_rows["工业生产过程"], strict=True)}
    assert ippu["CO2（万吨）"] == "NE" and ippu["SF6（万吨CO2当量）"] == "NE"
    assert rows[it.MEMO_ZH][co2].text == "NE"  # purchased electricity not estimated
    # 表1 CH4 is in 万吨 of CH4, 表2 in 万吨CO2e (AR5: 28)
    ch4_mass = t1_rows["废弃物处理"][t1.headers.index("CH4（万吨）")].value
    assert rows["废弃物处理"][t2.headers.index("CH4")].value == pytest.approx(ch4_mass * 28)


def test_excel_export_opens_with_the_totals(result: InventoryResult):
    book = load_workbook(io.BytesIO(it.build_xlsx(result)))
    assert book.sheetnames[:2] == ["表1 汇总表（物理量）", "表2 汇总表（CO2当量）"]
    sheet = book["表2 汇总表（CO2当量）"]
    values = {row[0]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values[it.TOTAL_EXCL_ZH] == pytest.approx(result.totals.direct_excl_lulucf / 1e4)
    assert values[it.TOTAL_INCL_ZH] == pytest.approx(result.totals.direct_incl_lulucf / 1e4)
    notes = [r[0] for r in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert any("示例（部分数据为假设）" in n for n in notes)
    keys = list(book["表4 注释代码"].iter_rows(min_row=2, values_only=True))
    assert ("4.A", "固体废弃物处置（填埋）", "CH4", "NE") == keys[-2][:4]
    # 表3 names each category as the provincial guideline does (data/factors/category_titles_zh.csv)
    names = {r[1]: r[2] for r in book["表3 分类别排放"].iter_rows(min_row=2, values_only=True)}
    assert names["1.A.1.a"] == "公用电力与热力生产" and names["3.C.4"] == "农用地直接氧化亚氮排放"
    assert ("IND.1", "调入电力间接排放") in [k[:2] for k in keys]


def test_word_export_opens_with_the_totals(result: InventoryResult):
    doc = Document(io.BytesIO(it.build_docx(result)))
    texts = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    wanted = f"{round(result.totals.direct_excl_lulucf / 1e4, 4):,.4f}".rstrip("0")
    excl = [row for row in texts if row[0] == it.TOTAL_EXCL_ZH]
    assert excl and excl[1][-1] == wanted  # 表2's total column
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "示例（部分数据为假设）" in body and "AR5" in body
    assert "未给出不确定性范围" in body and "按精确值处理" in body
    assert ["1.A.2", "制造业和建筑业"] in [row[1:3] for row in texts]  # 表3
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_gwp_set_changes_the_co2e_table_only(lib: FactorLibrary):
    rows, meta = parse_activity(bundled_example(), lib)
    ar4 = it.summary_tables(compute_inventory(rows, lib, "AR4", meta, 2022))
    ar5 = it.summary_tables(compute_inventory(rows, lib, "AR5", meta, 2022))
    assert [c.text for c in ar4[0].rows[0]] == [c.text for c in ar5[0].rows[0]]  # 表1 energy
    assert ar4[1].rows[0][-1].value != ar5[1].rows[0][-1].value  # 表2 energy total


def test_category_names_follow_the_language(result: InventoryResult):
    zh = {r[1].text: r[2].text for r in it.category_table(result).rows}
    en = {r[1].text: r[2].text for r in it.category_table(result, "en").rows}
    assert (
        zh["1.A.2"] == "制造业和建筑业"
        and en["1.A.2"] == "Manufacturing Industries and Construction"
    )
    assert en["4.D.1"] == "Domestic Wastewater Treatment and Discharge"
    assert zh["4.D.1"] == "生活污水处理"
    notation = {(r[0].text, r[2].text): r[1].text for r in it.notation_table(result, "en").rows}
    assert notation[("4.A", "CH4")] == "Solid Waste Disposal"
