"""The ledger file as an Excel workbook: the office's template and its load (docs/twohigh.md).

The same content as the YAML ledger file, in the shape an office keeps a ledger in: one sheet
per kind of entry, one row per entry, and the values that belong to an entry several times
(a source's reductions, a project's new amounts and decided ratios) in sheets of their own, a
row each, naming their source or project. A header is the column's Chinese name or its key
(``代码`` or ``code``); a coded value may be typed as its code or its Chinese name (``水泥`` or
``cement``, ``关停`` or ``shutdown``). The rows become the YAML file's sections and are applied
by :func:`~nearzero.services.twohigh.files.apply_ledger`: all or nothing, and a refusal names
the file, the sheet, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from nearzero.services.context import Actor, InvalidInput
from nearzero.services.twohigh.files import apply_ledger
from nearzero.store import tables as m
from nearzero.twohigh import bank, data
from nearzero.twohigh.model import MECHANISM_ZH, STAGE_ZH

MAX_BYTES = 5 * 1024 * 1024
"""A ledger workbook larger than this is refused before it is opened."""
MAX_ROWS = 5000
"""Rows per sheet at most (a district's ledger holds tens)."""
MAX_UNPACKED = 50 * 1024 * 1024
"""What the workbook's parts may unpack to at most (a zip bomb is refused unopened)."""

CARBON_TERMS = ("fuel", "process", "net_purchased", "recovered")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    meaning: str
    """What to type, in Chinese (the template's notes sheet)."""
    required: bool = False


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    meaning: str

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


_YES_NO = "是或否（也可填 true/false、1/0）"
_DATE = "日期，如 2022-03-01"

RATIOS = Sheet(
    "替代比例",
    (
        Column("id", "编号", "比例的唯一编号，如 city/cement/carbon/2025", True),
        Column("document", "文件代码", "文件的简短代码（字母数字）", True),
        Column("document_zh", "文件名称", "文件名称及文号", True),
        Column("segment", "行业", "16个行业之一（代码或中文名），* 表示文件未单列的行业", True),
        Column("dimension", "替代维度", "维度（代码或中文名，见“填写说明”）", True),
        Column("ratio", "比例", "替代比例，如 1.2 表示 1:1.2", True),
        Column("effective_from", "施行日期", _DATE, True),
        Column("effective_until", "截止日期", _DATE + "；长期有效留空"),
        Column("applies", "适用", "always（一律适用）或 case（批复中载明时适用）", True),
        Column("status", "核实状态", "verified（已核实）或 to_confirm（待确认）", True),
        Column("source", "依据", "文件及条款", True),
        Column("note", "备注", "可留空"),
    ),
    "办公室录入的替代比例文件（与随软件提供的比例表同列）。",
)
SOURCES = Sheet(
    "替代源",
    (
        Column("code", "代码", "字母、数字、_ . -，至多40个字符", True),
        Column("name", "名称", "替代源名称，如 3号熟料窑关停", True),
        Column("firm_key", "企业代码", "企业名录中的企业代码；不在名录中时填企业名称"),
        Column("firm_name", "企业名称", "企业名称（不在企业名录中时）"),
        Column("credit_code", "统一社会信用代码", "可留空"),
        Column("mechanism", "形成方式", "关停、转产、淘汰落后产能、压减过剩产能等", True),
        Column("formed_on", "形成日期", _DATE, True),
        Column("location", "所在地", "如 章丘区", True),
        Column("in_shandong", "在山东省内", _YES_NO + "；留空为是"),
        Column("monitorable", "可监测", _YES_NO),
        Column("countable", "可核算", _YES_NO),
        Column("recheckable", "可核查", _YES_NO),
        Column("conditions_note", "条件说明", "三项条件的核查情况"),
        Column("verified", "已核定", _YES_NO + "：办公室已核定其减量"),
    ),
    "替代源，每行一个；其减量填在“替代源减量”表。",
)
REDUCTIONS = Sheet(
    "替代源减量",
    (
        Column("source", "替代源代码", "“替代源”表中的代码", True),
        Column("dimension", "替代维度", "维度（代码或中文名）", True),
        Column("amount", "减量", "按维度的录入单位（t、tce、t/a、MW）", True),
    ),
    "替代源的减量，每个维度一行。",
)
PROJECTS = Sheet(
    "项目清单",
    (
        Column("code", "代码", "字母、数字、_ . -，至多40个字符", True),
        Column("name", "项目名称", "如 年产110万吨水泥粉磨项目", True),
        Column("firm_key", "企业代码", "企业名录中的企业代码；不在名录中时填企业名称"),
        Column("firm_name", "企业名称", "企业名称（不在企业名录中时）"),
        Column("credit_code", "统一社会信用代码", "可留空"),
        Column("segment", "行业", "16个行业之一（代码或中文名）", True),
        Column("capacity", "产能", "数值"),
        Column("capacity_unit", "产能单位", "如 t/a"),
        Column("classification", "分类", "四个区分之一（代码或中文名）"),
        Column("disposal", "处置", "处置方式（代码或中文名）"),
        Column("disposal_note", "处置说明", "可留空"),
        Column("stages", "阶段", "依次经历的阶段，以顿号或逗号分隔，如 审查中、已批准、已投产"),
        Column("decision_on", "决定日期", _DATE + "；尚未决定留空"),
        Column("approval_doc", "批复文号", "批复文件及文号"),
    ),
    "“两高”项目清单，每行一个项目；新增量和决定采用的比例分别填在后两表。",
)
NEEDS = Sheet(
    "项目新增量",
    (
        Column("project", "项目代码", "“项目清单”表中的代码", True),
        Column("dimension", "替代维度", "维度（代码或中文名）", True),
        Column("amount", "新增量", "碳排放以外的维度：按维度的录入单位"),
        Column("fuel", "化石燃料燃烧", "碳排放：t CO2"),
        Column("process", "工业生产过程", "碳排放：t CO2"),
        Column("net_purchased", "净购入电力和热力", "碳排放：t CO2，净输出为负"),
        Column("recovered", "回收利用", "碳排放：t CO2"),
    ),
    "项目各维度的新增量，每个维度一行；碳排放按四项分列（替代办法（试行）的核算式）。",
)
DECISION_RATIOS = Sheet(
    "决定比例",
    (
        Column("project", "项目代码", "“项目清单”表中的代码", True),
        Column("dimension", "替代维度", "维度（代码或中文名）", True),
        Column("ratio", "比例编号", "批复载明的替代比例编号（留空则取施行中最严的比例）", True),
    ),
    "批复载明的替代比例，每个维度一行；未载明的维度不填。",
)
MOVEMENTS = Sheet(
    "指标调剂",
    (
        Column("move", "操作", "收储、预留、配置、释放或注销", True),
        Column("source", "替代源代码", "“替代源”表中的代码", True),
        Column("project", "项目代码", "预留、配置、释放、注销时填写"),
        Column("origin", "来源账户", "配置时：th_bank（储备）或 th_reserved（预留）"),
        Column("dimension", "替代维度", "维度（代码或中文名），留空为碳排放"),
        Column("amount", "数量", "按维度的录入单位", True),
        Column("request", "请求编号", "同一编号只执行一次"),
        Column("memo", "备注", "可留空"),
    ),
    "指标的收储和调剂，按行的顺序执行。",
)
SHEETS = (RATIOS, SOURCES, REDUCTIONS, PROJECTS, NEEDS, DECISION_RATIOS, MOVEMENTS)
NOTES = "填写说明"


# --------------------------------------------------------------------------- template


def template_xlsx() -> bytes:
    """An empty ledger workbook: the sheets with their headers, and a notes sheet that says
    what each column takes and the codes and Chinese names of the coded values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = NOTES
    notes.append(["工作表", "列", "键", "必填", "填写内容"])
    for sheet in SHEETS:
        page = book.create_sheet(sheet.title)
        page.append([c.zh for c in sheet.columns])
        for cell in page[1]:
            cell.font = Font(bold=True)
        page.freeze_panes = "A2"
        notes.append([sheet.title, "", "", "", sheet.meaning])
        for c in sheet.columns:
            notes.append(["", c.zh, c.key, "是" if c.required else "", c.meaning])
    notes.append([])
    notes.append(["取值", "中文名", "代码"])
    for label, values in _coded_values().items():
        for code, zh in values.items():
            notes.append([label, zh, code])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _coded_values() -> dict[str, dict[str, str]]:
    """The coded columns' values: label → code → Chinese name."""
    dispositions = data.dispositions()
    return {
        "行业": {s.code: s.name_zh for s in data.segments().values()},
        "替代维度": {d.code: d.name_zh for d in data.dimensions().values()},
        "形成方式": {k.value: v for k, v in MECHANISM_ZH.items()},
        "阶段": {k.value: v for k, v in STAGE_ZH.items()},
        "操作": {k.value: v for k, v in bank.MOVE_ZH.items()},
        "分类": {k: v[0] for k, v in dispositions.get("classification", {}).items()},
        "处置": {k: v[0] for k, v in dispositions.get("disposal", {}).items()},
    }


# --------------------------------------------------------------------------- load


@dataclass(frozen=True, slots=True)
class Row:
    """A filled row of a sheet: its number and its values by column key (text)."""

    number: int
    values: dict[str, str]


def load_workbook_file(
    session: Session, actor: Actor, unit: m.DemoUnit, content: bytes, name: str
) -> dict[str, int]:
    """Load a ledger workbook (:func:`template_xlsx`'s shape) like a YAML ledger file: all or
    nothing, a refusal naming the sheet, row and column. Counts per section."""
    sheets = read_sheets(content, name)
    top, origin = ledger_sections(sheets, name)

    def locate(section: str, i: int, part: str = "") -> str:
        sheet, row = origin.get(f"{section}[{i}] {part}") or origin[section][i]
        return f"{name} 工作表“{sheet}”第{row}行"

    return apply_ledger(session, actor, unit, top, locate, name)


def read_sheets(content: bytes, name: str) -> dict[str, list[Row]]:
    """The filled rows of each known sheet, by sheet title; headers matched to column keys.

    Refused: a file over :data:`MAX_BYTES` or unpacking to over :data:`MAX_UNPACKED`, not a
    workbook, a sheet or header this format does not have, a required column missing, more
    than :data:`MAX_ROWS` rows."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(
            f"{name}: 文件过大（{len(content):,}字节，上限{MAX_BYTES:,}字节） — "
            f"larger than {MAX_BYTES:,} bytes"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput(f"{name}: 不是Excel工作簿（.xlsx） — not an .xlsx workbook") from None
    if unpacked > MAX_UNPACKED:
        raise InvalidInput(
            f"{name}: 工作簿解压后过大（{unpacked:,}字节） — unpacks to {unpacked:,} bytes"
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InvalidInput(
            f"{name}: 无法读取该工作簿 — not a readable .xlsx workbook ({exc})"
        ) from None
    known = {s.title: s for s in SHEETS}
    out: dict[str, list[Row]] = {}
    try:
        for title in book.sheetnames:
            if title == NOTES:
                continue
            sheet = known.get(title)
            if sheet is None:
                raise InvalidInput(
                    f"{name} 工作表“{title}”: 不是台账的工作表（应为"
                    f"{'、'.join(known)}之一） — unknown sheet {title!r}"
                )
            out[title] = _rows(sheet, book[title].iter_rows(values_only=True), name)
    finally:
        book.close()
    return out


def _rows(sheet: Sheet, cells: Iterable[tuple[Any, ...]], name: str) -> list[Row]:
    lines = iter(cells)
    header = next(lines, None)
    if header is None:
        return []
    by_name = {c.zh: c.key for c in sheet.columns} | {c.key: c.key for c in sheet.columns}
    keys: list[str | None] = []
    for k, cell in enumerate(header):
        text = _text(cell)
        if not text:
            keys.append(None)
            continue
        key = by_name.get(text) or by_name.get(text.lower())
        if key is None:
            raise InvalidInput(
                f"{name} 工作表“{sheet.title}”第1行{_letter(k)}列: 未知列名“{text}”（应为"
                f"{'、'.join(c.zh for c in sheet.columns)}之一） — unknown column {text!r}"
            )
        if key in keys:
            raise InvalidInput(
                f"{name} 工作表“{sheet.title}”第1行{_letter(k)}列: 列“{text}”重复 — "
                f"column {text!r} twice"
            )
        keys.append(key)
    missing = [c.zh for c in sheet.columns if c.required and c.key not in keys]
    rows: list[Row] = []
    for number, line in enumerate(lines, start=2):
        values = {
            key: _text(cell)
            for key, cell in zip(keys, line, strict=False)
            if key is not None and _text(cell)
        }
        if not values:
            continue
        if missing:
            raise InvalidInput(
                f"{name} 工作表“{sheet.title}”: 缺少必填列“{missing[0]}” — "
                f"column {missing[0]!r} is required"
            )
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(
                f"{name} 工作表“{sheet.title}”: 超过{MAX_ROWS}行 — more than {MAX_ROWS} rows"
            )
        for c in sheet.columns:
            if c.required and not values.get(c.key):
                raise InvalidInput(
                    f"{name} 工作表“{sheet.title}”第{number}行{_letter(keys.index(c.key))}列"
                    f"（{c.zh}）: 必填 — required"
                )
        rows.append(Row(number, values))
    return rows


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _text(cell: Any) -> str:
    """A cell as text: a whole number without ``.0``, a date as YYYY-MM-DD, booleans as
    true/false, text stripped."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return str(cell).strip()


_TRUE = {"是", "true", "1", "y", "yes", "√", "✓"}
_FALSE = {"否", "false", "0", "n", "no", "×"}


def _flag(row: Row, key: str, sheet: Sheet, name: str, default: bool) -> bool:
    value = row.values.get(key, "")
    if not value:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise InvalidInput(
        f"{name} 工作表“{sheet.title}”第{row.number}行（{sheet.column(key).zh}）: "
        f"“{value}”应为是或否 — expected yes or no"
    )


@cache
def _codes_by_name() -> dict[str, dict[str, str]]:
    """The coded columns' values: label → Chinese name → code (:func:`_coded_values`)."""
    return {
        label: {zh: code for code, zh in values.items()}
        for label, values in _coded_values().items()
    }


def _code(value: str, label: str) -> str:
    """A coded value typed as its code or its Chinese name, as its code (an unknown value is
    passed on as typed: the service refuses it naming what it takes)."""
    return _codes_by_name()[label].get(value, value)


def _stages(row: Row) -> list[str]:
    parts = [p for p in re.split(r"[、,，;；\s]+", row.values.get("stages", "")) if p]
    return [_code(p, "阶段") for p in parts]


def ledger_sections(
    sheets: Mapping[str, list[Row]], name: str
) -> tuple[dict[str, Any], dict[str, list[tuple[str, int]]]]:
    """The YAML ledger file's sections from a workbook's rows, and where each entry came
    from (section → [(sheet, row)], and ``"projects[i] needs <dimension>"`` → (sheet, row) of
    a project's new amount). The rows of the child sheets join their source or
    project by code; a code that names none is refused with its sheet and row."""
    origin: dict[str, Any] = {
        "ratios": [],
        "sources": [],
        "projects": [],
        "movements": [],
    }
    ratios = []
    for row in sheets.get(RATIOS.title, []):
        values = dict(row.values)
        for key, label in (("segment", "行业"), ("dimension", "替代维度")):
            if key in values:
                values[key] = _code(values[key], label)
        ratios.append(values)
        origin["ratios"].append((RATIOS.title, row.number))
    sources: dict[str, dict[str, Any]] = {}
    for row in sheets.get(SOURCES.title, []):
        v = row.values
        code = v.get("code", "")
        if code in sources:
            raise InvalidInput(
                f"{name} 工作表“{SOURCES.title}”第{row.number}行: 代码“{code}”重复 — "
                f"source {code} twice"
            )
        entry: dict[str, Any] = {
            k: v[k]
            for k in ("code", "name", "firm_key", "firm_name", "credit_code", "formed_on")
            if k in v
        }
        entry |= {k: v[k] for k in ("location", "conditions_note") if k in v}
        entry["mechanism"] = _code(row.values.get("mechanism", ""), "形成方式")
        entry["in_shandong"] = _flag(row, "in_shandong", SOURCES, name, True)
        for k in ("monitorable", "countable", "recheckable", "verified"):
            entry[k] = _flag(row, k, SOURCES, name, False)
        entry["reductions"] = {}
        sources[code] = entry
        origin["sources"].append((SOURCES.title, row.number))
    for row in sheets.get(REDUCTIONS.title, []):
        parent = _parent(sources, row, "source", REDUCTIONS, SOURCES, name)
        dimension = _code(row.values.get("dimension", ""), "替代维度")
        _put(parent["reductions"], dimension, row.values["amount"], row, REDUCTIONS, name)
    projects: dict[str, dict[str, Any]] = {}
    for row in sheets.get(PROJECTS.title, []):
        v = row.values
        code = v.get("code", "")
        if code in projects:
            raise InvalidInput(
                f"{name} 工作表“{PROJECTS.title}”第{row.number}行: 代码“{code}”重复 — "
                f"project {code} twice"
            )
        entry = {
            k: v[k]
            for k in (
                "code",
                "name",
                "firm_key",
                "firm_name",
                "credit_code",
                "capacity",
                "capacity_unit",
                "disposal_note",
            )
            if k in v
        }
        entry["segment"] = _code(row.values.get("segment", ""), "行业")
        for key, label in (("classification", "分类"), ("disposal", "处置")):
            if key in v:
                entry[key] = _code(v[key], label)
        entry["needs"] = {}
        entry["decision"] = {
            **({"on": v["decision_on"]} if "decision_on" in v else {}),
            **({"approval_doc": v["approval_doc"]} if "approval_doc" in v else {}),
        }
        entry["stages"] = _stages(row)
        projects[code] = entry
        origin["projects"].append((PROJECTS.title, row.number))
    index = {code: i for i, code in enumerate(projects)}
    for row in sheets.get(NEEDS.title, []):
        parent = _parent(projects, row, "project", NEEDS, PROJECTS, name)
        dimension = _code(row.values.get("dimension", ""), "替代维度")
        origin[f"projects[{index[row.values['project']]}] needs {dimension}"] = (
            NEEDS.title,
            row.number,
        )
        if dimension == "carbon":
            parent["needs"][dimension] = {k: row.values[k] for k in CARBON_TERMS if k in row.values}
        else:
            parent["needs"][dimension] = row.values.get("amount", "")
    for row in sheets.get(DECISION_RATIOS.title, []):
        parent = _parent(projects, row, "project", DECISION_RATIOS, PROJECTS, name)
        dimension = _code(row.values.get("dimension", ""), "替代维度")
        ratios_of = parent["decision"].setdefault("ratios", {})
        _put(ratios_of, dimension, row.values["ratio"], row, DECISION_RATIOS, name)
    movements = []
    for row in sheets.get(MOVEMENTS.title, []):
        values = dict(row.values)
        values["move"] = _code(row.values.get("move", ""), "操作")
        if "dimension" in values:
            values["dimension"] = _code(row.values.get("dimension", ""), "替代维度")
        movements.append(values)
        origin["movements"].append((MOVEMENTS.title, row.number))
    top = {
        "ratios": ratios,
        "sources": list(sources.values()),
        "projects": list(projects.values()),
        "movements": movements,
    }
    return top, origin


def _put(target: dict[str, Any], key: str, value: Any, row: Row, sheet: Sheet, name: str) -> None:
    """``target[key] = value``, refusing a dimension given twice for the same entry."""
    if key in target:
        raise InvalidInput(
            f"{name} 工作表“{sheet.title}”第{row.number}行（{sheet.column('dimension').zh}）: "
            f"“{key}”重复 — dimension {key!r} twice for the same entry"
        )
    target[key] = value


def _parent(
    parents: dict[str, dict[str, Any]], row: Row, key: str, sheet: Sheet, of: Sheet, name: str
) -> dict[str, Any]:
    code = row.values[key]
    parent = parents.get(code)
    if parent is None:
        raise InvalidInput(
            f"{name} 工作表“{sheet.title}”第{row.number}行（{sheet.column(key).zh}）: "
            f"“{code}”不在“{of.title}”表中 — {code!r} is not in sheet {of.title!r}"
        )
    return parent
