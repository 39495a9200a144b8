"""Inventory tables in the layout of 省级温室气体清单编制指南（试行）(NDRC 2011): Excel, Word.

The guideline's summary tables (清单汇总表) list the five sectors — 能源活动, 工业生产过程,
农业, 土地利用变化和林业, 废弃物处理 — against the gases, with the totals with and without
LULUCF. Two tables are built here:

- 表1 物理量: CO2, CH4, N2O in 万吨; HFCs, PFCs, SF6, NF3 in 万吨二氧化碳当量 (a group of
  species has no common mass, so the guideline reports fluorinated gases as CO2e);
- 表2 二氧化碳当量: every gas and the row total in 万吨二氧化碳当量.

Both carry the memo row of indirect emissions from grid-supplied electricity and heat
(调入电力、热力间接排放, GPC scope 2), which is not part of the territorial totals. Then
表3 lists each IPCC category by gas and 表4 the notation keys (IPCC 2006 Vol 1 Ch 8 §8.2.2).

Pure: an :class:`~nearzero.accounting.inventory.InventoryResult` in, tables and file bytes out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from nearzero.accounting.categories import Sector, category_title, is_indirect, sector_of
from nearzero.accounting.gwp import GAS_GROUPS, gas_group
from nearzero.accounting.inventory import InventoryResult
from nearzero.accounting.model import Notation
from nearzero.formatting import china_today, fmt
from nearzero.reports.model import Block, Cell, Paragraph, Report, Section, Table, numbered
from nearzero.units import convert

#: Tonnes → 万吨.
WAN = convert(1.0, "吨", "万吨")
#: Gases reported by mass in 表1; the rest as CO2e.
MASS_GASES = ("CO2", "CH4", "N2O")
NOTATION_ZH = {
    Notation.NO: "未发生 (not occurring)",
    Notation.NE: "未估算 (not estimated)",
    Notation.NA: "不适用 (not applicable)",
    Notation.IE: "已计入其他类别 (included elsewhere)",
    Notation.C: "保密 (confidential)",
}
NOTATION_EN = {
    Notation.NO: "not occurring",
    Notation.NE: "not estimated",
    Notation.NA: "not applicable",
    Notation.IE: "included elsewhere",
    Notation.C: "confidential",
}
TOTAL_EXCL_ZH = "总排放量（不包括土地利用变化和林业）"
TOTAL_INCL_ZH = "总排放量（包括土地利用变化和林业）"
MEMO_ZH = "备忘项：调入电力、热力间接排放"
#: The tables' words in Chinese (the guideline's layout, the reports) and English (the
#: dashboard in English): key → (zh, en).
WORDS: dict[str, tuple[str, str]] = {
    "total_excl": (TOTAL_EXCL_ZH, "Total (excluding LULUCF)"),
    "total_incl": (TOTAL_INCL_ZH, "Total (including LULUCF)"),
    "memo": (MEMO_ZH, "Memo: indirect emissions of electricity and heat brought in"),
    "memo_short": ("备忘项（间接排放）", "Memo (indirect)"),
    "category": ("排放源与吸收汇类别", "Source and sink category"),
    "total": ("合计", "Total"),
    "mass": ("（万吨）", " (10⁴ t)"),
    "mass_co2e": ("（万吨CO2当量）", " (10⁴ t CO2e)"),
    "t1": (
        "温室气体清单汇总表（物理量；含氟气体按{gwp}折算）",
        "GHG inventory summary (mass; fluorinated gases as CO2e, {gwp})",
    ),
    "t2": (
        "温室气体清单汇总表（万吨二氧化碳当量，{gwp}）",
        "GHG inventory summary (10⁴ t CO2e, {gwp})",
    ),
    "t3": (
        "分类别温室气体排放（吨二氧化碳当量，GWP {gwp}）",
        "Emissions by category (t CO2e, GWP {gwp})",
    ),
    "t4": ("温室气体清单注释代码", "Notation keys"),
    "sector": ("部门", "Sector"),
    "code": ("类别代码", "Code"),
    "name": ("类别名称", "Category"),
    "gas": ("气体", "Gas"),
    "key": ("注释代码", "Notation key"),
    "meaning": ("含义", "Meaning"),
}


def _w(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return en if lang == "en" else zh


@dataclass(frozen=True)
class GasCell:
    """One sector × gas group: tonnes (mass gases only), tCO2e and the notation keys."""

    tonnes: float = 0.0
    tco2e: float = 0.0
    reported: bool = False
    keys: tuple[str, ...] = ()


def sector_gas_table(result: InventoryResult) -> dict[str, dict[str, GasCell]]:
    """Sector (and ``"memo"`` for scope 2) × gas group, from the records and notation keys.

    Scope 1 records fill the five sectors; scope 2 (IND.*) records fill the memo row.
    """
    tonnes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    co2e: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in result.records:
        row = "memo" if r.scope == 2 else r.sector
        tonnes[row][r.gas_group] += r.tonnes
        co2e[row][r.gas_group] += r.tco2e
    keys: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for category, gas, key in result.notation_keys:
        row = "memo" if is_indirect(category) else sector_of(category).value
        keys[row][gas_group(gas)].add(key)
    out: dict[str, dict[str, GasCell]] = {}
    for row in [*(s.value for s in Sector), "memo"]:
        out[row] = {
            g: GasCell(
                tonnes[row].get(g, 0.0),
                co2e[row].get(g, 0.0),
                g in co2e[row],
                tuple(sorted(keys[row].get(g, ()))),
            )
            for g in GAS_GROUPS
        }
    return out


def _cell(cell: GasCell, co2e: bool) -> Cell:
    if not cell.reported:
        return Cell("/".join(cell.keys))
    value = (cell.tco2e if co2e else cell.tonnes) * WAN
    return Cell(fmt(round(value, 4)), num=True, value=value)


def _total(value: float) -> Cell:
    return Cell(fmt(round(value * WAN, 4)), num=True, value=value * WAN)


def _title(result: InventoryResult, lang: str = "zh") -> str:
    return f"{result.region} {result.year}: " if lang == "en" else f"{result.region}{result.year}年"


def summary_tables(result: InventoryResult, lang: str = "zh") -> tuple[Table, Table]:
    """表1 (physical quantities) and 表2 (CO2 equivalent), in the guideline's layout (words
    in ``lang``)."""
    grid = sector_gas_table(result)
    gwp = f"GWP {result.lineage.gwp_set}"
    mass_headers = tuple(
        g + _w("mass" if g in MASS_GASES else "mass_co2e", lang) for g in GAS_GROUPS
    )
    rows_mass: list[tuple[Cell, ...]] = []
    rows_co2e: list[tuple[Cell, ...]] = []
    labels = [(s.value, s.label(lang)) for s in Sector]
    for key, label in labels:
        cells = grid[key]
        rows_mass.append((Cell(label), *(_cell(cells[g], g not in MASS_GASES) for g in GAS_GROUPS)))
        total = sum(c.tco2e for c in cells.values())
        reported = any(c.reported for c in cells.values())
        rows_co2e.append(
            (
                Cell(label),
                *(_cell(cells[g], True) for g in GAS_GROUPS),
                _total(total) if reported else Cell(""),
            )
        )
    for label, with_lulucf in ((_w("total_excl", lang), False), (_w("total_incl", lang), True)):
        sectors = [s.value for s in Sector if with_lulucf or s is not Sector.LULUCF]

        def gas_sum(g: str, co2e: bool, sectors: list[str] = sectors) -> float:
            return sum(grid[s][g].tco2e if co2e else grid[s][g].tonnes for s in sectors)

        rows_mass.append(
            (Cell(label), *(_total(gas_sum(g, g not in MASS_GASES)) for g in GAS_GROUPS))
        )
        total = (
            result.totals.direct_incl_lulucf if with_lulucf else result.totals.direct_excl_lulucf
        )
        rows_co2e.append(
            (Cell(label), *(_total(gas_sum(g, True)) for g in GAS_GROUPS), _total(total))
        )
    memo = grid["memo"]
    memo_label = _w("memo", lang)
    rows_mass.append((Cell(memo_label), *(_cell(memo[g], g not in MASS_GASES) for g in GAS_GROUPS)))
    memo_reported = any(c.reported for c in memo.values())
    rows_co2e.append(
        (
            Cell(memo_label),
            *(_cell(memo[g], True) for g in GAS_GROUPS),
            _total(result.totals.indirect) if memo_reported else Cell(""),
        )
    )
    widths = (9.0, *(3.0 for _ in GAS_GROUPS))
    table1 = Table(
        (_w("category", lang), *mass_headers),
        tuple(rows_mass),
        _title(result, lang) + _w("t1", lang).format(gwp=gwp),
        widths,
        wide=True,
    )
    table2 = Table(
        (_w("category", lang), *(f"{g}" for g in GAS_GROUPS), _w("total", lang)),
        tuple(rows_co2e),
        _title(result, lang) + _w("t2", lang).format(gwp=gwp),
        (*widths, 3.5),
        wide=True,
    )
    return table1, table2


def category_table(result: InventoryResult, lang: str = "zh") -> Table:
    """表3: tCO2e by IPCC 2006 category and gas group (scope 1, then the scope 2 memo);
    category names in ``lang`` (the guideline's Chinese names by default)."""
    values: dict[tuple[int, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in result.records:
        values[(r.scope, r.sector, r.category)][r.gas_group] += r.tco2e
    order = {s.value: i for i, s in enumerate(Sector)}
    rows = []
    for scope, sector, category in sorted(values, key=lambda k: (k[0], order[k[1]], k[2])):
        gases = values[(scope, sector, category)]
        label = Sector(sector).label(lang) if scope == 1 else _w("memo_short", lang)
        rows.append(
            (
                Cell(label),
                Cell(category),
                Cell(category_title(category, lang)),
                *(
                    Cell(fmt(round(gases[g], 2)), num=True, value=gases[g])
                    if g in gases
                    else Cell("")
                    for g in GAS_GROUPS
                ),
                Cell(fmt(round(sum(gases.values()), 2)), num=True, value=sum(gases.values())),
            )
        )
    return Table(
        (_w("sector", lang), _w("code", lang), _w("name", lang), *GAS_GROUPS, _w("total", lang)),
        tuple(rows),
        _title(result, lang) + _w("t3", lang).format(gwp=result.lineage.gwp_set),
        (5, 3, 9, *(3 for _ in GAS_GROUPS), 3.5),
        group_first=True,
        wide=True,
    )


def notation_table(result: InventoryResult, lang: str = "zh") -> Table:
    """表4: categories reported with a notation key instead of a number (names in ``lang``)."""
    rows = tuple(
        (
            Cell(category),
            Cell(category_title(category, lang)),
            Cell(gas),
            Cell(key),
            Cell((NOTATION_EN if lang == "en" else NOTATION_ZH)[Notation(key)]),
        )
        for category, gas, key in result.notation_keys
    )
    return Table(
        tuple(_w(k, lang) for k in ("code", "name", "gas", "key", "meaning")),
        rows,
        _title(result, lang) + _w("t4", lang),
        (3, 9, 3, 2, 6),
        label="notation-keys",
    )


def factor_table(result: InventoryResult) -> Table:
    """表5: the factor rows that produced the result, with file, version and status."""
    status_zh = {"verified": "已核实", "to_confirm": "待确认", "local": "本地因子"}
    rows = tuple(
        (
            Cell(f.factor_id),
            Cell(f.parameter),
            Cell(f.subject),
            Cell(fmt(f.value), num=True, value=f.value),
            Cell(f.unit),
            Cell(f.file),
            Cell(f.version),
            Cell(status_zh.get(f.status, f.status)),
        )
        for f in result.lineage.factor_refs
    )
    return Table(
        ("因子编号", "参数", "对象", "数值", "单位", "文件", "版本", "状态"),
        rows,
        f"{_title(result)}清单使用的排放因子及参数",
        (7, 4, 5, 3, 4, 5, 4, 3),
        wide=True,
        label="factors",
    )


#: Factor parameters by name, as the annual report words them (others: 排放因子或参数).
PARAMETER_ZH = {
    "ncv": "低位发热量",
    "carbon_content": "单位热值含碳量",
    "oxidation": "碳氧化率",
    "ox": "碳氧化率",
    "ef_co2": "CO2排放因子",
    "ef_ch4": "CH4排放因子",
    "ef_n2o": "N2O排放因子",
    "ef_ch4_bio": "生物质CH4排放因子",
    "ef_n2o_bio": "生物质N2O排放因子",
    "ef_enteric": "肠道发酵CH4排放因子",
    "ef_manure_ch4": "粪便管理CH4排放因子",
    "ef_lime": "石灰生产排放因子",
    "ef3": "粪便管理N2O排放因子",
    "grid_ef": "电网排放因子",
    "doc": "可降解有机碳比例",
    "mcf": "甲烷修正因子",
    "mcf_wastewater": "废水处理甲烷修正因子",
    "k": "降解速率常数",
    "dry_matter": "干物质含量",
    "carbon_fraction_dry": "干物质含碳比例",
    "fossil_carbon_fraction": "化石碳比例",
    "root_shoot": "根茎比",
    "bcef": "生物量转换与扩展因子",
}


def _factor_names(result: InventoryResult, ids: tuple[str, ...]) -> list[str]:
    """Factor rows named by subject and parameter (原煤低位发热量), not by their ids."""
    refs = {f.factor_id: f for f in result.lineage.factor_refs}
    out: list[str] = []
    for factor_id in ids:
        ref = refs.get(factor_id)
        parameter = factor_id.rpartition(":")[2] if ref is None else ref.parameter
        subject = "" if ref is None else ref.subject.split("|")[0]
        if subject.isascii() and "_" in subject:
            subject = ""
        out.append(subject + PARAMETER_ZH.get(parameter, "排放因子或参数"))
    return list(dict.fromkeys(out))


def _row_categories(result: InventoryResult, rows: tuple[str, ...]) -> list[str]:
    """The categories (Chinese titles) of activity rows, for a document without row ids."""
    wanted = set(rows)
    codes = dict.fromkeys(r.category for r in result.records if r.row_id in wanted)
    titles = []
    for code in codes:
        try:
            titles.append(category_title(code, "zh"))
        except Exception:  # an unknown code: name the code, not the row
            titles.append(code)
    return list(dict.fromkeys(titles))


def notes(result: InventoryResult, plain: bool = False) -> list[str]:
    """What the tables rest on: GWP set, illustrative rows, factors still to be confirmed,
    inputs without an uncertainty range (Chinese; the dashboard's page has its own, with rows
    and factors by name: :func:`nearzero.services.inventory_names.page_notes`).

    plain : for a document read outside the system (the annual report), which does not hold
        the notation-key and factor tables: rows and factors are named by their categories,
        subjects and parameters, never by their ids. Otherwise the tables stand in the same
        document, referred to as ``{表:notation-keys}`` and ``{表:factors}`` (numbered by
        :func:`nearzero.reports.model.numbered`).
    """
    lineage = result.lineage
    if plain:
        return _notes_plain(result)
    out = [
        f"全球增温潜势采用IPCC {lineage.gwp_set}（100年），数据来源：{lineage.gwp_source}。",
        "空白单元格表示活动数据文件未涉及；注释代码见{表:notation-keys}。间接排放（调入电力、热力）"
        "作为备忘项列示，不计入总排放量。",
    ]
    if lineage.illustrative_rows:
        out.append(
            f"示例（部分数据为假设）：{len(lineage.illustrative_rows)}行活动数据为假设值"
            f"（{'、'.join(lineage.illustrative_rows)}），不得作为正式清单使用。"
        )
    if lineage.to_confirm:
        out.append(
            f"{len(lineage.to_confirm)}个排放因子尚待与官方文件核对（状态“待确认”），"
            "见{表:factors}。"
        )
    if lineage.local:
        out.append(f"本地因子（Tier 2）：{'、'.join(lineage.local)}。")
    exact = result.factors_without_range
    if exact:
        out.append(
            f"{len(exact)}个排放因子或参数未给出不确定性范围（如{'、'.join(exact[:3])}），"
            "不确定性分析中按精确值处理，分析所得的不确定性因此偏小。"
        )
    return out


def _notes_plain(result: InventoryResult) -> list[str]:
    """:func:`notes` for the annual report: the same facts without internal identifiers."""
    lineage = result.lineage
    out = [
        f"全球增温潜势采用IPCC {lineage.gwp_set}（100年）。",
        "空白单元格表示活动数据未涉及；NE表示未估算、NO表示未发生。间接排放（调入电力、热力）"
        "作为备忘项列示，不计入总排放量。",
    ]
    if lineage.illustrative_rows:
        where = "、".join(_row_categories(result, lineage.illustrative_rows))
        out.append(
            f"示例（部分数据为假设）：{len(lineage.illustrative_rows)}行活动数据为假设值"
            f"（涉及{where}），不得作为正式清单使用。"
        )
    if lineage.to_confirm:
        out.append(
            f"{len(lineage.to_confirm)}个排放因子尚待与官方文件核对（状态“待确认”），"
            "明细见清单导出文件的排放因子表。"
        )
    if lineage.local:
        out.append(f"采用本地因子（Tier 2）：{'、'.join(_factor_names(result, lineage.local))}。")
    exact = result.factors_without_range
    if exact:
        named = _factor_names(result, exact)
        out.append(
            f"{len(exact)}个排放因子或参数未给出不确定性范围（如{'、'.join(named[:3])}），"
            "不确定性分析中按精确值处理，分析所得的不确定性因此偏小。"
        )
    return out


def all_tables(result: InventoryResult) -> list[Table]:
    """The export's tables in order, unnumbered (the renderers number them 表1–表5)."""
    t1, t2 = summary_tables(result)
    return [t1, t2, category_table(result), notation_table(result), factor_table(result)]


#: Excel sheet names after each table's number (Excel allows 31 characters).
SHEET_NAMES = ("汇总表（物理量）", "汇总表（CO2当量）", "分类别排放", "注释代码", "排放因子")


def build_xlsx(result: InventoryResult) -> bytes:
    """The tables as an Excel workbook, one sheet each, plus a 说明 sheet with the notes."""
    blocks: list[Block] = [*all_tables(result), *map(Paragraph, notes(result))]
    (section,) = numbered([Section("inventory", "", blocks)])
    tables = [b for b in section.blocks if isinstance(b, Table)]
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    sheets = [
        (f"{t.caption.split()[0]} {name}", t) for t, name in zip(tables, SHEET_NAMES, strict=True)
    ]
    notes_table = Table(("说明",), tuple((Cell(n),) for n in texts), widths=(120,))
    from nearzero.reports.workbook import build_workbook  # openpyxl only for the file

    return build_workbook(
        [*sheets, ("说明", notes_table)], title=f"{_title(result)}温室气体排放清单"
    )


def build_docx(result: InventoryResult, office: str = "", today: dt.date | None = None) -> bytes:
    """The tables as a Word document (landscape pages for the wide tables)."""
    tables = all_tables(result)
    sections = [Section("notes", "说明", [Paragraph(n) for n in notes(result)])] + [
        Section(f"t{i}", table.caption, [table]) for i, table in enumerate(tables, start=1)
    ]
    report = Report(
        unit_code="",
        unit_name=result.region,
        year=result.year,
        title="温室气体排放清单",
        office=office or result.region,
        date=today or china_today(),
        plan="省级温室气体清单编制指南（试行）",
        sections=sections,
    )
    from nearzero.reports import word  # python-docx only for the file

    return word.build_docx(report)
