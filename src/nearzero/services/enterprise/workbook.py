"""One firm's annual report through Excel: a template the firm fills in, and its import.

The template (openpyxl) has one sheet per part, a header row and one row per entry:

- ``基本信息``: year, sector (general / power), factor family, feedstock energy, note;
- ``燃料燃烧``: one row per fuel and month (月份 1-12, or 全年 for an annual figure): key, fuel,
  unit, NCV unit, oxidation rate, facility, consumption, NCV, carbon content per unit heat or
  element carbon content (measured values; empty cells take the defaults);
- ``熟料``: the clinker oxide method (one row per kiln line);
- ``碳平衡``: carbon balance flows (one row per input or output of a product);
- ``回收CO2``: CO2 recovered and sold or used;
- ``电力热力``: purchased and exported electricity and heat;
- ``_meta`` (hidden): the firm's key and the template version.

:func:`parse_workbook` is pure: the file's bytes in, the input document
(``nearzero.enterprise.report-input/1`` without its ``firm``) out, or a
:class:`~nearzero.services.workbook.WorkbookInvalid` listing every wrong cell with its sheet,
row, column and what was expected. :func:`locate` maps a core error's field path back to the
cell it came from. The import stores nothing itself (:mod:`.reports` saves the draft).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.reportfile import INPUT_SCHEMA
from nearzero.services.workbook import Problem, WorkbookInvalid
from nearzero.services.xlsx_guard import check_xlsx

TEMPLATE_VERSION = "enterprise-report-template/1"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

INFO = "基本信息"
FUELS = "燃料燃烧"
CLINKER = "熟料"
BALANCE = "碳平衡"
RECOVERED = "回收CO2"
FLOWS = "电力热力"
META = "_meta"

#: Each sheet's columns: (document key, header shown, kind). kind: text, number, month, carrier,
#: direction.
COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    FUELS: (
        ("key", "编号 key", "text"),
        ("fuel", "燃料品种 fuel", "text"),
        ("unit", "消耗量单位 unit", "text"),
        ("ncv_unit", "热值单位 ncv_unit", "text"),
        ("oxidation", "碳氧化率 oxidation", "number"),
        ("facility", "设施 facility", "text"),
        ("month", "月份 month (1-12 或 全年)", "month"),
        ("consumption", "消耗量 consumption", "number"),
        ("ncv", "低位发热量 ncv", "number"),
        ("carbon_content", "单位热值含碳量 carbon_content (tC/GJ)", "number"),
        ("element_carbon", "元素碳含量 element_carbon (tC/t)", "number"),
    ),
    CLINKER: (
        ("key", "编号 key", "text"),
        ("facility", "设施 facility", "text"),
        ("clinker", "熟料产量 clinker (t)", "number"),
        ("cao", "CaO含量 cao", "number"),
        ("mgo", "MgO含量 mgo", "number"),
        ("cao_non_carbonate", "非碳酸盐CaO cao_non_carbonate", "number"),
        ("mgo_non_carbonate", "非碳酸盐MgO mgo_non_carbonate", "number"),
        ("dust", "窑灰 dust (t)", "number"),
        ("raw_meal", "生料 raw_meal (t)", "number"),
        ("raw_meal_organic_carbon", "生料有机碳 raw_meal_organic_carbon", "number"),
    ),
    BALANCE: (
        ("key", "编号 key", "text"),
        ("product", "产品 product", "text"),
        ("facility", "设施 facility", "text"),
        ("direction", "投入/产出 direction", "direction"),
        ("name", "物料 name", "text"),
        ("quantity", "数量 quantity", "number"),
        ("carbon_content", "含碳量 carbon_content (tC/t)", "number"),
        ("unit", "单位 unit", "text"),
    ),
    RECOVERED: (
        ("key", "编号 key", "text"),
        ("tonnes", "回收量 tonnes (tCO2)", "number"),
        ("use", "用途 use", "text"),
        ("facility", "设施 facility", "text"),
    ),
    FLOWS: (
        ("carrier", "类别 carrier (电力/热力)", "carrier"),
        ("key", "编号 key", "text"),
        ("purchased", "购入量 purchased", "number"),
        ("exported", "输出量 exported", "number"),
        ("unit", "单位 unit (MWh/GJ)", "text"),
        ("region", "区域 region", "text"),
        ("facility", "设施 facility", "text"),
    ),
}
INFO_ROWS: tuple[tuple[str, str, str], ...] = (
    ("year", "报告年度 year", "year"),
    ("sector", "核算类型 sector (general 通用 / power 发电)", "text"),
    (
        "factor_family",
        "电力热力因子类别 factor_family (ets_reporting / general_accounting)",
        "text",
    ),
    ("feedstock_energy_gj", "原料用能 feedstock_energy_gj (GJ)", "number"),
    ("note", "说明 note", "text"),
)
REQUIRED = {
    FUELS: ("key", "fuel", "unit", "month", "consumption"),
    CLINKER: ("key", "clinker", "cao", "mgo"),
    BALANCE: ("key", "direction", "name", "quantity", "carbon_content"),
    RECOVERED: ("key", "tonnes"),
    FLOWS: ("carrier", "key"),
}
CARRIERS = {"电力": "electricity", "electricity": "electricity", "热力": "heat", "heat": "heat"}
DIRECTIONS = {"投入": "inputs", "input": "inputs", "产出": "outputs", "output": "outputs"}
ANNUAL = ("全年", "annual", "0")


def _header(sheet: Any, headers: Sequence[str]) -> None:
    sheet.append(list(headers))
    for i, cell in enumerate(sheet[1], start=1):
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(i)].width = max(14, len(headers[i - 1]) + 4)
    sheet.freeze_panes = "A2"


def _rows_of(doc: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    """The data rows of each sheet for a document (to prefill the template)."""
    out: dict[str, list[list[Any]]] = {name: [] for name in COLUMNS}
    for fuel in doc.get("fuels") or []:
        months = (
            [{"month": "全年", **fuel["annual"]}]
            if fuel.get("annual") is not None
            else list(fuel.get("months") or [])
        )
        for month in months:
            merged = {**fuel, **month}
            out[FUELS].append([merged.get(k) for k, _, _ in COLUMNS[FUELS]])
    for item in doc.get("clinker") or []:
        out[CLINKER].append([item.get(k) for k, _, _ in COLUMNS[CLINKER]])
    for item in doc.get("carbon_balances") or []:
        for direction, label in (("inputs", "投入"), ("outputs", "产出")):
            for flow in item.get(direction) or []:
                merged = {**item, **flow, "direction": label}
                out[BALANCE].append([merged.get(k) for k, _, _ in COLUMNS[BALANCE]])
    for item in doc.get("recovered") or []:
        out[RECOVERED].append([item.get(k) for k, _, _ in COLUMNS[RECOVERED]])
    for carrier, label in (("electricity", "电力"), ("heat", "热力")):
        for item in doc.get(carrier) or []:
            merged = {**item, "carrier": label}
            out[FLOWS].append([merged.get(k) for k, _, _ in COLUMNS[FLOWS]])
    return out


def write_template(
    firm_key: str, name_zh: str, year: int, doc: Mapping[str, Any] | None = None
) -> bytes:
    """The Excel template for one firm and year, prefilled with ``doc`` when given (a stored
    report's input document). Factors stated in a document are not carried (the defaults of
    the data files apply)."""
    book = Workbook()
    info = book.active
    info.title = INFO
    _header(info, ["项目 item", "填写 value"])
    info.append(["企业 firm（不可修改）", f"{name_zh}（{firm_key}）"])
    values = {
        "year": year,
        "sector": "general",
        "factor_family": "ets_reporting",
        "feedstock_energy_gj": None,
        "note": "",
    }
    if doc:
        values |= {k: doc.get(k) for k, _, _ in INFO_ROWS if doc.get(k) is not None}
        values["year"] = year
    for key, label, _ in INFO_ROWS:
        info.append([label, values.get(key)])
    info.column_dimensions["A"].width = 60
    info.column_dimensions["B"].width = 40
    rows = _rows_of(doc or {})
    for name, columns in COLUMNS.items():
        sheet = book.create_sheet(name)
        _header(sheet, [label for _, label, _ in columns])
        for row in rows[name]:
            sheet.append(row)
    meta = book.create_sheet(META)
    meta.append(["template", TEMPLATE_VERSION])
    meta.append(["firm", firm_key])
    meta.append(["year", year])
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- import


@dataclass
class Parsed:
    """An imported workbook: the firm key, the document, and where each entry came from."""

    firm_key: str
    doc: dict[str, Any]
    cells: dict[str, tuple[str, int]] = field(default_factory=dict)  # path → (sheet, row)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any, kind: str, sheet: str, row: int, label: str, problems: list[Problem]) -> Any:
    if _blank(value):
        return None
    if kind in ("number", "year"):
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float):
            number = value
        else:
            try:
                number = float(str(value).strip().replace(",", ""))
            except ValueError:
                number = None
        if number is None:
            problems.append(
                Problem(
                    sheet,
                    row,
                    label,
                    f"应为数字，实际为“{value}”",
                    f"expected a number, got {value!r}",
                )
            )
            return None
        if kind == "year":
            if int(number) != number or not 2000 <= number <= 2100:
                problems.append(
                    Problem(
                        sheet, row, label, "应为年份（如2024）", f"expected a year, got {value!r}"
                    )
                )
                return None
            return int(number)
        return int(number) if isinstance(number, int) else float(number)
    if kind == "month":
        text = str(value).strip()
        if text.lower() in ANNUAL:
            return 0
        if text.isdigit() and 1 <= int(text) <= 12:
            return int(text)
        if isinstance(value, float) and value.is_integer() and 1 <= value <= 12:
            return int(value)
        problems.append(
            Problem(sheet, row, label, "应为1-12或“全年”", f"expected 1-12 or 全年, got {value!r}")
        )
        return None
    if kind == "carrier":
        carrier = CARRIERS.get(str(value).strip())
        if carrier is None:
            problems.append(
                Problem(
                    sheet, row, label, "应为“电力”或“热力”", f"expected 电力 or 热力, got {value!r}"
                )
            )
        return carrier
    if kind == "direction":
        direction = DIRECTIONS.get(str(value).strip())
        if direction is None:
            problems.append(
                Problem(
                    sheet, row, label, "应为“投入”或“产出”", f"expected 投入 or 产出, got {value!r}"
                )
            )
        return direction
    return str(value).strip()


def _sheet_rows(book: Any, name: str, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    if name not in book.sheetnames:
        problems.append(Problem(name, None, None, "缺少工作表", "the sheet is missing"))
        return []
    columns = COLUMNS[name]
    out = []
    for number, values in enumerate(book[name].iter_rows(min_row=2, values_only=True), start=2):
        cells = list(values) + [None] * len(columns)
        if all(_blank(v) for v in cells):
            continue
        entry: dict[str, Any] = {}
        for (key, label, kind), value in zip(columns, cells, strict=False):
            parsed = _cell(value, kind, name, number, label, problems)
            if parsed is not None:
                entry[key] = parsed
            elif key in REQUIRED[name] and _blank(value):
                problems.append(Problem(name, number, label, "必填", "required"))
        out.append((number, entry))
    return out


def _label(sheet: str, key: str) -> str:
    for k, label, _ in COLUMNS.get(sheet, INFO_ROWS):
        if k == key:
            return label
    return key


def parse_workbook(content: bytes) -> Parsed:
    """The input document of a filled-in template (see the module); every wrong cell is
    listed in one :class:`WorkbookInvalid`."""
    check_xlsx(content, "workbook")  # before openpyxl parses anything (issue #11 item 7)
    try:
        book = load_workbook(io.BytesIO(content), data_only=True, read_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problem = Problem(
            "file", None, None, "不是可读取的.xlsx文件", f"not a readable .xlsx ({exc})"
        )
        raise WorkbookInvalid(str(problem), [problem]) from None
    problems: list[Problem] = []
    firm_key = ""
    if META in book.sheetnames:
        meta = {str(r[0]): r[1] for r in book[META].iter_rows(values_only=True) if r and r[0]}
        firm_key = str(meta.get("firm") or "")
        if meta.get("template") != TEMPLATE_VERSION:
            problems.append(
                Problem(
                    META, None, None, "不是本系统的企业报告模板", f"expected {TEMPLATE_VERSION}"
                )
            )
    else:
        problems.append(Problem(META, None, None, "缺少工作表", "not the enterprise template"))
    doc: dict[str, Any] = {"schema": INPUT_SCHEMA}
    cells: dict[str, tuple[str, int]] = {}
    if INFO in book.sheetnames:
        sheet = book[INFO]
        for offset, (key, label, kind) in enumerate(INFO_ROWS):
            row = 3 + offset
            value = sheet.cell(row=row, column=2).value
            parsed = _cell(value, kind, INFO, row, label, problems)
            cells[key] = (INFO, row)
            if parsed is not None:
                doc[key] = parsed
            elif key == "year" and _blank(value):
                problems.append(Problem(INFO, row, label, "必填", "required"))
    else:
        problems.append(Problem(INFO, None, None, "缺少工作表", "the sheet is missing"))
    fuels: dict[str, dict[str, Any]] = {}
    for number, entry in _sheet_rows(book, FUELS, problems):
        key = str(entry.get("key") or "")
        if not key:
            continue
        fuel = fuels.get(key)
        if fuel is None:
            fuel = {
                k: entry[k]
                for k in ("key", "fuel", "unit", "ncv_unit", "oxidation", "facility")
                if k in entry
            }
            fuel["months"] = []
            fuels[key] = fuel
            cells[f"fuels[{len(fuels) - 1}]"] = (FUELS, number)
        else:
            for k in ("fuel", "unit", "ncv_unit", "oxidation", "facility"):
                if k in entry and k in fuel and entry[k] != fuel[k]:
                    problems.append(
                        Problem(
                            FUELS,
                            number,
                            _label(FUELS, k),
                            f"与同一编号的上一行不一致（{fuel[k]}）",
                            f"differs from the earlier row of {key} ({fuel[k]!r})",
                        )
                    )
        month = {
            k: entry[k]
            for k in ("month", "consumption", "ncv", "carbon_content", "element_carbon")
            if k in entry
        }
        index = list(fuels).index(key)
        if month.get("month") == 0:
            if fuel["months"] or "annual" in fuel:
                problems.append(
                    Problem(
                        FUELS,
                        number,
                        _label(FUELS, "month"),
                        "全年与按月不能同时填写",
                        "annual and monthly rows for one fuel",
                    )
                )
            month.pop("month")
            fuel["annual"] = month
            fuel.pop("months", None)
            cells[f"fuels[{index}].annual"] = (FUELS, number)
        else:
            if "annual" in fuel:
                problems.append(
                    Problem(
                        FUELS,
                        number,
                        _label(FUELS, "month"),
                        "全年与按月不能同时填写",
                        "annual and monthly rows for one fuel",
                    )
                )
                continue
            cells[f"fuels[{index}].months[{len(fuel['months'])}]"] = (FUELS, number)
            fuel["months"].append(month)
    doc["fuels"] = list(fuels.values())
    clinker: list[dict[str, Any]] = []
    for number, entry in _sheet_rows(book, CLINKER, problems):
        cells[f"clinker[{len(clinker)}]"] = (CLINKER, number)
        clinker.append(entry)
    doc["clinker"] = clinker
    balances: dict[str, dict[str, Any]] = {}
    for number, entry in _sheet_rows(book, BALANCE, problems):
        key = str(entry.get("key") or "")
        direction = entry.get("direction")
        if not key or not direction:
            continue
        item = balances.setdefault(
            key,
            {
                "key": key,
                "product": entry.get("product", ""),
                "facility": entry.get("facility", ""),
                "inputs": [],
                "outputs": [],
            },
        )
        index = list(balances).index(key)
        flow = {k: entry[k] for k in ("name", "quantity", "carbon_content", "unit") if k in entry}
        cells[f"carbon_balances[{index}].{direction}[{len(item[direction])}]"] = (BALANCE, number)
        cells.setdefault(f"carbon_balances[{index}]", (BALANCE, number))
        item[direction].append(flow)
    doc["carbon_balances"] = list(balances.values())
    recovered: list[dict[str, Any]] = []
    for number, entry in _sheet_rows(book, RECOVERED, problems):
        cells[f"recovered[{len(recovered)}]"] = (RECOVERED, number)
        recovered.append(entry)
    doc["recovered"] = recovered
    flows: dict[str, list[dict[str, Any]]] = {"electricity": [], "heat": []}
    for number, entry in _sheet_rows(book, FLOWS, problems):
        carrier = entry.pop("carrier", None)
        if carrier is None:
            continue
        cells[f"{carrier}[{len(flows[carrier])}]"] = (FLOWS, number)
        flows[carrier].append(entry)
    doc.update(flows)
    if problems:
        first = "；".join(str(p) for p in problems[:3])
        more = f"（共{len(problems)}处 / {len(problems)} problems）" if len(problems) > 3 else ""
        raise WorkbookInvalid(first + more, problems)
    return Parsed(firm_key, doc, cells)


def locate(parsed: Parsed, exc: EnterpriseError) -> Problem:
    """The cell a core error's field path (``fuels[0].months[2].consumption``) came from."""
    path = exc.field
    best = ""
    for known in parsed.cells:
        if (path == known or path.startswith(known + ".")) and len(known) > len(best):
            best = known
    if not best:
        return Problem(INFO, None, path, exc.detail_zh, exc.detail_en)
    sheet, row = parsed.cells[best]
    rest = path[len(best) :].lstrip(".")
    key = rest.split(".")[0].split("[")[0] if rest else ""
    column = _label(sheet, key) if key else (best if sheet == INFO else None)
    if sheet == INFO:
        column = _label(INFO, best)
    return Problem(sheet, row, column, exc.detail_zh, exc.detail_en)


# --------------------------------------------------------------------------- list exports


def table_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet ``title`` with a bold header row and the rows (numbers stay numbers)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    _header(sheet, list(headers))
    for row in rows:
        sheet.append([_plain(v) for v in row])
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
