"""Indicator values through Excel: a template a department fills in, and its import.

``export_template`` writes a workbook (openpyxl) with three sheets:

- ``填报说明``: what to fill in, units, read-only columns, parts;
- ``指标填报``: a header row and one row per indicator (one per part for indicators with
  parts), the 35 table indicators first, then the task targets, prefilled with the year's
  values on record;
- ``_meta`` (hidden): the unit code, the template version, the year.

``parse_rows`` is the pure part of the import: the sheet's rows as plain lists in, a list of
:class:`~nearzero.services.indicators.ValueInput` out, or a :class:`WorkbookInvalid` listing
*every* problem, each naming the sheet, the Excel row, the column and what was expected::

    指标填报 第7行 “数值”: 应为数字，实际为“一千” — expected a number, got '一千'

``import_workbook`` reads a file, validates every row (permissions included) before it writes
anything, and writes through ``set_value`` so each change lands in the audit log. A rejected
import writes nothing; unchanged values are neither rewritten nor audited.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import math
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from nearzero.services import evidence as evidence_service, users
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.indicators import (
    IndicatorView,
    ValueInput,
    catalogue,
    check_value,
    evaluation_year,
    may_edit,
    submit_value,
    values_on_record,
    years_on_record,
)
from nearzero.services.xlsx_guard import check_xlsx
from nearzero.store import tables as m, units as unit_store
from nearzero.store.indicators import PartDefinition
from nearzero.units import UnitError, convert

TEMPLATE_VERSION = 1
INSTRUCTIONS_SHEET = "填报说明"
SHEET = "指标填报"
META_SHEET = "_meta"

COL_CODE = "序号"
COL_PART = "分项代码"
COL_NAME = "指标名称"
COL_PART_NAME = "分项名称"
COL_UNIT = "单位"
COL_DEPARTMENTS = "责任部门"
COL_YEAR = "年份"
COL_VALUE = "数值"
COL_TEXT = "文字说明"
COL_SOURCE = "数据来源"
COL_EVIDENCE = "佐证材料"


def target_header(unit: m.DemoUnit) -> str:
    """The target column's header: ``2025年目标`` for a plan whose target year is 2025."""
    return f"{unit.target_year}年目标"


def headers(unit: m.DemoUnit) -> list[str]:
    """The columns of the fill-in sheet, in order."""
    return [
        COL_CODE,
        COL_PART,
        COL_NAME,
        COL_PART_NAME,
        COL_UNIT,
        target_header(unit),
        COL_DEPARTMENTS,
        COL_YEAR,
        COL_VALUE,
        COL_TEXT,
        COL_SOURCE,
        COL_EVIDENCE,
    ]


# Columns the import reads; the others (names, target, departments) are for the reader only.
REQUIRED = (COL_CODE, COL_PART, COL_UNIT, COL_YEAR, COL_VALUE, COL_TEXT, COL_SOURCE, COL_EVIDENCE)
EDITABLE = {COL_UNIT, COL_YEAR, COL_VALUE, COL_TEXT, COL_SOURCE, COL_EVIDENCE}
WIDTHS = {
    COL_CODE: 7,
    COL_PART: 20,
    COL_NAME: 36,
    COL_PART_NAME: 14,
    COL_UNIT: 12,
    COL_DEPARTMENTS: 26,
    COL_YEAR: 8,
    COL_VALUE: 16,
    COL_TEXT: 44,
    COL_SOURCE: 30,
    COL_EVIDENCE: 30,
}
TARGET_WIDTH = 30
EXTRA_ROWS = 200  # data validation also covers rows a person adds below the template's

GREY = PatternFill("solid", fgColor="D9D9D9")
HEADER_GREY = PatternFill("solid", fgColor="A6A6A6")
HEADER_EDIT = PatternFill("solid", fgColor="BDD7EE")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook: where (sheet, Excel row, column) and what was expected."""

    sheet: str
    row: int | None
    column: str | None
    zh: str
    en: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" “{self.column}”"
        return f"{where}: {self.zh} — {self.en}"


class WorkbookInvalid(InvalidInput):
    """A workbook that cannot be imported; ``problems`` has each one with where it is."""

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__(message, [str(p) for p in problems])
        self.problems = list(problems)


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class TemplateRow:
    """One row of the fill-in sheet before it is written."""

    view: IndicatorView
    part: PartDefinition | None

    @property
    def unit(self) -> str:
        return self.part.unit if self.part else self.view.row.unit

    @property
    def qualitative(self) -> bool:
        return self.unit in ("/", "")

    @property
    def target_text(self) -> str:
        rule = self.part.rule if self.part else self.view.row.rule
        return str(rule.get("text_zh", ""))


def _template_rows(views: Iterable[IndicatorView]) -> list[TemplateRow]:
    rows: list[TemplateRow] = []
    for view in views:
        if view.row.parts:
            rows.extend(TemplateRow(view, p) for p in view.row.parts)
        else:
            rows.append(TemplateRow(view, None))
    return rows


def _department(session: Session, unit: m.DemoUnit, code: str) -> m.Department:
    department = unit_store.department(session, unit.id, code)
    if department is None:
        known = unit_store.department_codes(session, unit.id)
        raise InvalidInput(
            f"department: 单位“{unit.code}”没有部门“{code}”，应为 {', '.join(known)} — "
            f"unit {unit.code!r} has no department {code!r}"
        )
    return department


def export_template(
    session: Session,
    unit: m.DemoUnit,
    path: str | Path | IO[bytes],
    year: int,
    department: str | None = None,
) -> int:
    """Write the fill-in workbook for ``year`` to ``path`` (a file name or a binary stream);
    returns the number of data rows.

    With ``department`` (a department code) only that department's indicators and task
    targets are listed.
    """
    lo, hi = year_range(unit)
    if not lo <= year <= hi:
        raise InvalidInput(f"year: 年份应在{lo}至{hi}之间 — expected a year from {lo} to {hi}")
    views = catalogue(session, unit)
    dept = _department(session, unit, department) if department else None
    if dept is not None:
        views = [v for v in views if dept.code in {d.code for d in v.row.departments}]
    rows = _template_rows(views)
    stored = values_on_record(session, unit)

    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = INSTRUCTIONS_SHEET
    _write_instructions(info, unit, year, dept, len(rows))

    ws = wb.create_sheet(SHEET)
    cols = headers(unit)
    for c, name in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=c, value=name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_EDIT if name in EDITABLE else HEADER_GREY
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(name, TARGET_WIDTH)
    ws.cell(row=1, column=cols.index(COL_UNIT) + 1).comment = Comment(
        "可改为可换算的单位（如“吨”改为“万吨”），导入时自动换算。", "nearzero"
    )
    ws.cell(row=1, column=cols.index(COL_VALUE) + 1).comment = Comment(
        "只填数字；单位“/”的定性指标不填数值，在“文字说明”中填写。", "nearzero"
    )
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "C2"

    for r, trow in enumerate(rows, start=2):
        view, part = trow.view, trow.part
        value = stored.get((view.row.code, part.code if part else "", year))
        cells: dict[str, object] = {
            COL_CODE: view.row.code,
            COL_PART: part.code if part else None,
            COL_NAME: view.row.name_zh,
            COL_PART_NAME: part.name_zh if part else None,
            COL_UNIT: trow.unit,
            target_header(unit): trow.target_text,
            COL_DEPARTMENTS: "、".join(d.name_zh for d in view.row.departments),
            COL_YEAR: year,
            COL_VALUE: value.value if value else None,
            COL_TEXT: value.text if value else None,
            COL_SOURCE: (value.source or None) if value else None,
            COL_EVIDENCE: (value.evidence or None) if value else None,
        }
        for c, name in enumerate(cols, start=1):
            cell = ws.cell(row=r, column=c, value=cells[name])
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=name not in (COL_YEAR, COL_VALUE))
            read_only = name not in EDITABLE or (name == COL_VALUE and trow.qualitative)
            if read_only:
                cell.fill = GREY
            if name in (COL_CODE, COL_PART, COL_UNIT, COL_TEXT, COL_SOURCE, COL_EVIDENCE):
                cell.number_format = "@"
            elif name == COL_YEAR:
                cell.number_format = "0"

    last = len(rows) + 1 + EXTRA_ROWS
    year_col = get_column_letter(cols.index(COL_YEAR) + 1)
    value_col = get_column_letter(cols.index(COL_VALUE) + 1)
    years = DataValidation(
        type="whole",
        operator="between",
        formula1=str(lo),
        formula2=str(hi),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="年份有误",
        error=f"年份应为{lo}至{hi}之间的整数（如 {year}）。",
        showInputMessage=True,
        promptTitle="年份",
        prompt="填写数值所属的年份，如 " + str(year),
    )
    numbers = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+15",
        formula2="1E+15",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值有误",
        error="“数值”只能填数字。定性指标（单位“/”）请在“文字说明”中填写。",
        showInputMessage=True,
        promptTitle="数值",
        prompt="按“单位”列的单位填写数字",
    )
    years.add(f"{year_col}2:{year_col}{last}")
    numbers.add(f"{value_col}2:{value_col}{last}")
    ws.add_data_validation(years)
    ws.add_data_validation(numbers)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"

    meta = wb.create_sheet(META_SHEET)
    for key, val in (
        ("unit", unit.code),
        ("template_version", TEMPLATE_VERSION),
        ("year", year),
        ("department", dept.code if dept else ""),
        ("generated_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
    ):
        meta.append([key, val])
    meta.sheet_state = "hidden"

    if isinstance(path, (str, Path)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return len(rows)


@dataclass(frozen=True)
class Template:
    """A fill-in workbook as a download: its file name, bytes and number of data rows."""

    filename: str
    data: bytes
    rows: int
    department: str  # the department's Chinese name, or "" for the whole catalogue

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_for(session: Session, actor: Actor, unit: m.DemoUnit, year: int) -> Template:
    """The fill-in workbook ``actor`` downloads: a department editor's lists only its own
    indicators and task targets; the office (and a reader) gets the whole catalogue. Both
    come prefilled with the values on record for ``year``."""
    code = actor.department if actor.role is Role.EDITOR else None
    dept = _department(session, unit, code) if code else None
    buffer = io.BytesIO()
    rows = export_template(session, unit, buffer, year, code)
    scope = dept.name_zh if dept else "全部指标"
    name = f"{unit.name_zh}{year}年指标填报模板（{scope}）.xlsx"
    return Template(name, buffer.getvalue(), rows, dept.name_zh if dept else "")


def _write_instructions(
    ws: Any, unit: m.DemoUnit, year: int, dept: m.Department | None, count: int
) -> None:
    lo, hi = year_range(unit)
    scope = f"{dept.name_zh}负责的指标" if dept else "全部指标（主要指标表35项及任务目标）"
    lines: list[tuple[str, bool]] = [
        (f"{unit.name_zh} 近零碳城市示范创建指标数据填报模板", True),
        (f"年份：{year}年　　范围：{scope}，共{count}行　　模板版本：{TEMPLATE_VERSION}", False),
        ("", False),
        ("一、填什么", True),
        (f"在工作表“{SHEET}”中，每一行是一个指标（或一个指标的一个分项）在某一年的数据。", False),
        ("  · 数值：按“单位”列的单位填写数字，不要带单位或文字（如填 4.5，不填“4.5%”）。", False),
        ("  · 文字说明：完成情况的文字描述；定性指标只填这一列。", False),
        ("  · 数据来源：数据出自哪个文件、报表或系统（如“2023年统计年鉴 表3-2”）。", False),
        ("  · 佐证材料：可核查的材料名称、文号或存放位置。", False),
        ("  · 已有记录的数值已预先填好；修改后导入即更新，并记入修改日志。", False),
        ("  · 数值和文字说明都为空的行不导入；清空单元格不会删除已有记录。", False),
        ("", False),
        ("二、单位", True),
        ("  · 默认按“单位”列填写（与实施方案主要指标表一致）。", False),
        ("  · 如手头数据的单位不同，可把该行“单位”改为可换算的单位后填写，导入时自动换算，", False),
        ("    例如“吨”可改为“万吨”，“立方米”可改为“万立方米”；不能换算的单位会被拒绝。", False),
        ("  · 单位为“/”的是定性指标：不填数值，在“文字说明”中填写完成情况。", False),
        ("", False),
        ("三、哪些列不能改", True),
        (
            "  · 灰色列（序号、分项代码、指标名称、分项名称、目标、责任部门）为只读，请勿修改；",
            False,
        ),
        ("    导入时按“序号”和“分项代码”识别指标。蓝色表头的列可以填写。", False),
        ("  · 请勿改动第一行的列名，也不要删除列；", False),
        ("  · 隐藏工作表“_meta”记录单位和模板版本，请勿删除。", False),
        ("", False),
        ("四、分项", True),
        ("  · 有分项的指标（如第15项按行业、第28项分化肥和农药）每个分项一行，", False),
        ("    数值按分项填写，整体完成情况由各分项计算得出。", False),
        ("", False),
        ("五、年份", True),
        (f"  · “年份”已填为{year}；如需补报其他年份，可复制一行后修改年份（{lo}—{hi}）。", False),
        ("  · 同一指标（分项）同一年份只能出现一次。", False),
        ("", False),
        ("六、导入", True),
        ("  · 命令：nearzero indicators import 文件名.xlsx [--as 用户名]", False),
        ("  · 导入前逐行检查；任何一行有误则整个文件不导入，", False),
        ("    并逐条列出“工作表 第几行 “列名”: 应为什么，实际为什么”，改正后重新导入即可。", False),
        ("  · 部门填报员只能导入本部门负责的指标。", False),
        ("", False),
        ("Instructions (English): fill in the blue columns of the sheet 指标填报,", False),
        ("one row per indicator (or part) and year; grey columns are read-only.", False),
        ("Numbers go in 数值 in the unit of 单位 (a convertible unit may be entered", False),
        ("instead); qualitative indicators (unit /) take 文字说明 only. Any bad row", False),
        ("rejects the whole file with a list of every problem.", False),
    ]
    for r, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=r, column=1, value=text or None)
        if bold:
            cell.font = Font(bold=True, size=14 if r == 1 else 11)
    ws.column_dimensions["A"].width = 110


# --------------------------------------------------------------------------- parsing


def year_range(unit: m.DemoUnit) -> tuple[int, int]:
    """The years a value may be entered for (the range ``check_value`` accepts)."""
    return unit.base_year - 30, unit.target_year + 10


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    """A cell as text, stripped: whole numbers lose their ``.0``; None is ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _key(value: object) -> str:
    """A code cell: text with full-width characters folded (２１ → 21)."""
    return unicodedata.normalize("NFKC", _text(value)).strip()


def _number(value: object) -> float | None:
    """A cell as a number, or None when it is not one (text like 一千, 4.5%, a date)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "").replace(" ", "")
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    number = _number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


@dataclass
class ParsedSheet:
    """What the fill-in sheet holds: the entries with their Excel rows, and every problem."""

    entries: list[tuple[int, ValueInput]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0  # non-blank data rows
    skipped: int = 0  # rows with neither a number nor a text

    @property
    def values(self) -> list[ValueInput]:
        return [e for _, e in self.entries]


def _find_header(rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the header row: the first of the first ten rows that has a 序号 cell."""
    for i, row in enumerate(rows[:10]):
        if any(_key(c) == COL_CODE for c in row):
            return i
    return None


_CHECK_COLUMNS = {"part": COL_PART, "year": COL_YEAR, "value": COL_VALUE, "unit": COL_UNIT}


@dataclass
class _RowContext:
    """What reading one data row needs: the header's column positions, the catalogue."""

    sheet: str
    unit: m.DemoUnit
    actor: Actor | None
    index: dict[str, int]
    by_code: dict[str, IndicatorView]
    stored: Mapping[tuple[str, str, int], m.IndicatorValue]

    def cell(self, row: Sequence[object], column: str) -> object:
        j = self.index[column]
        return row[j] if j < len(row) else None

    def read(
        self, row: Sequence[object], excel_row: int
    ) -> tuple[ValueInput | None, list[Problem]]:
        """One data row as an entry in the indicator's unit, or the problems it has."""
        problems: list[Problem] = []

        def bad(column: str, zh: str, en: str) -> None:
            problems.append(Problem(self.sheet, excel_row, column, zh, en))

        unit = self.unit
        code = _key(self.cell(row, COL_CODE))
        part_code = _key(self.cell(row, COL_PART))
        view = self.by_code.get(code)
        parts: dict[str, PartDefinition] = {}
        target_unit = ""
        if view is None:
            known = list(self.by_code)
            shown = "、".join(known[:60]) + ("…" if len(known) > 60 else "")
            bad(
                COL_CODE,
                f"未知的指标序号“{_shown(code)}”，应为{shown}之一",
                f"unknown indicator {code!r}",
            )
        else:
            parts = {p.code: p for p in view.row.parts}
            if part_code and part_code not in parts:
                expected = f"应为{'、'.join(parts)}之一" if parts else "该指标没有分项，应留空"
                bad(
                    COL_PART,
                    f"指标{code}没有分项“{_shown(part_code)}”，{expected}",
                    f"indicator {code} has no part {part_code!r} (parts: {sorted(parts)})",
                )
            target_unit = parts[part_code].unit if part_code in parts else view.row.unit

        lo, hi = year_range(unit)
        raw_year = self.cell(row, COL_YEAR)
        year = _year(raw_year)
        if year is None:
            got = "空" if _blank(raw_year) else f"“{_shown(_text(raw_year))}”"
            bad(
                COL_YEAR,
                f"应为整数年份（如 {unit.target_year - 2}），实际为{got}",
                f"expected a whole year, got {raw_year!r}",
            )
        elif not lo <= year <= hi:
            bad(
                COL_YEAR,
                f"应为{lo}至{hi}之间的年份，实际为{year}",
                f"expected a year from {lo} to {hi}, got {year}",
            )

        raw_value = self.cell(row, COL_VALUE)
        value: float | None = None
        if not _blank(raw_value):
            value = _number(raw_value)
            if value is None:
                bad(
                    COL_VALUE,
                    f"应为数字，实际为“{_shown(_text(raw_value))}”",
                    f"expected a number, got {raw_value!r}",
                )
            elif view is not None and target_unit in ("/", ""):
                bad(
                    COL_VALUE,
                    f"指标{code}为定性指标（单位“/”），不填数值，请在“{COL_TEXT}”中填写",
                    f"indicator {code} is qualitative: enter a text in {COL_TEXT}, not a number",
                )
            elif parts and not part_code:
                bad(
                    COL_PART,
                    f"指标{code}按分项填报数值，应填分项代码（{'、'.join(parts)}）",
                    f"indicator {code} takes its figures per part ({', '.join(parts)})",
                )

        entered_unit = _text(self.cell(row, COL_UNIT))
        if (
            value is not None
            and target_unit not in ("/", "")
            and entered_unit not in ("", target_unit)
        ):
            try:
                convert(1.0, entered_unit, target_unit)
            except UnitError:
                bad(
                    COL_UNIT,
                    f"应为“{target_unit}”或可换算为“{target_unit}”的单位，实际为“{_shown(entered_unit)}”",
                    f"expected {target_unit!r} or a unit convertible to it, got {entered_unit!r}",
                )

        if problems or view is None or year is None:
            if view is not None and not self._may_edit(view):
                self._refuse(view, excel_row, problems)
            return None, problems
        entry = ValueInput(
            code=code,
            year=year,
            value=value,
            text=_text(self.cell(row, COL_TEXT)) or None,
            part=part_code,
            unit=entered_unit or None,
            source=_text(self.cell(row, COL_SOURCE)),
            evidence=_text(self.cell(row, COL_EVIDENCE)),
        )
        try:
            converted = check_value(view, unit, entry)
        except InvalidInput as exc:  # the final word: whatever set_value would refuse
            name, _, rest = str(exc).partition(":")
            column = _CHECK_COLUMNS.get(name.strip(), COL_VALUE)
            zh, dash, en = rest.partition(" — ")  # ``field: 中文 — English``
            if dash:
                bad(column, zh.strip(), en.strip())
            else:
                bad(column, f"不符合要求：{rest.strip() or exc}", str(exc))
            return None, problems
        unit_text = target_unit if converted is not None else None
        entry = replace(entry, value=converted, unit=unit_text)
        if not self._may_edit(view):
            # A row of another department's indicator passes only when it repeats the record
            # (the full template comes prefilled); anything else is refused.
            stored = self.stored.get((code, part_code, year))
            if stored is None or not _same(stored, entry):
                self._refuse(view, excel_row, problems)
                return None, problems
        return entry, problems

    def _may_edit(self, view: IndicatorView) -> bool:
        return self.actor is None or may_edit(self.actor, view.row)

    def _refuse(self, view: IndicatorView, excel_row: int, problems: list[Problem]) -> None:
        assert self.actor is not None
        owners = "、".join(d.name_zh for d in view.row.departments) or "办公室"
        who, code = self.actor.username, view.row.code
        problems.append(
            Problem(
                self.sheet,
                excel_row,
                COL_CODE,
                f"指标{code}“{view.row.name_zh}”由{owners}负责，{who}无权填报",
                f"{who} may not enter indicator {code}: it belongs to {owners}",
            )
        )


def read_rows(
    rows: Sequence[Sequence[object]],
    views: Sequence[IndicatorView],
    unit: m.DemoUnit,
    actor: Actor | None = None,
    stored: Mapping[tuple[str, str, int], m.IndicatorValue] | None = None,
    sheet: str = SHEET,
) -> ParsedSheet:
    """Validate the fill-in sheet's rows (header first); collects every problem, raises nothing.

    ``views`` is the unit's catalogue. With ``actor`` each row is also checked against what the
    actor may edit: a row of an indicator the actor may not edit is refused unless it repeats
    the value in ``stored`` (the values on record, by code, part and year) exactly, so that a
    department can send back the full, prefilled template with only its own rows changed.
    """
    out = ParsedSheet()
    h = _find_header(rows)
    if h is None:
        out.problems.append(
            Problem(
                sheet,
                1,
                COL_CODE,
                f"找不到表头行（应含“{COL_CODE}”等列）",
                f"no header row with a column {COL_CODE!r} in the first 10 rows",
            )
        )
        return out
    names = [_key(c) for c in rows[h]]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        if name and name not in index:
            index[name] = i
    missing = [c for c in REQUIRED if c not in index]
    for col in missing:
        out.problems.append(
            Problem(
                sheet,
                h + 1,
                col,
                f"缺少列“{col}”（表头已被删除或改名）",
                f"column {col!r} is missing from the header row (deleted or renamed)",
            )
        )
    if missing:
        return out

    ctx = _RowContext(
        sheet=sheet,
        unit=unit,
        actor=actor,
        index=index,
        by_code={v.row.code: v for v in views},
        stored=stored or {},
    )
    seen: dict[tuple[str, str, int], int] = {}
    for i in range(h + 1, len(rows)):
        row = rows[i]
        if all(_blank(c) for c in row):
            continue
        out.rows_read += 1
        if _blank(ctx.cell(row, COL_VALUE)) and _blank(ctx.cell(row, COL_TEXT)):
            out.skipped += 1
            continue
        entry, problems = ctx.read(row, i + 1)
        if entry is None:
            out.problems.extend(problems)
            continue
        key = (entry.code, entry.part, entry.year)
        if key in seen:
            what = f"指标{entry.code}" + (f"分项{entry.part}" if entry.part else "")
            out.problems.append(
                Problem(
                    sheet,
                    i + 1,
                    COL_CODE,
                    f"与第{seen[key]}行重复（{what} {entry.year}年）",
                    f"duplicates row {seen[key]} ({'/'.join(map(str, key))})",
                )
            )
            continue
        seen[key] = i + 1
        out.entries.append((i + 1, entry))
    return out


def parse_rows(
    rows: Sequence[Sequence[object]],
    views: Sequence[IndicatorView],
    unit: m.DemoUnit,
    actor: Actor | None = None,
    stored: Mapping[tuple[str, str, int], m.IndicatorValue] | None = None,
    sheet: str = SHEET,
) -> list[ValueInput]:
    """The entries of the fill-in sheet's rows, values in each indicator's own unit.

    Raises :class:`WorkbookInvalid` listing every problem when any row is bad.
    """
    parsed = read_rows(rows, views, unit, actor, stored, sheet)
    if parsed.problems:
        raise WorkbookInvalid(_summary(sheet, parsed.problems), parsed.problems)
    return parsed.values


def check_meta(rows: Sequence[Sequence[object]], unit: m.DemoUnit) -> list[Problem]:
    """Problems with the hidden ``_meta`` sheet: it must name ``unit`` and a known version."""
    meta: dict[str, tuple[int, object]] = {}
    for i, row in enumerate(rows, start=1):
        if row and not _blank(row[0]):
            meta[_text(row[0])] = (i, row[1] if len(row) > 1 else None)
    problems = []
    row_no, code = meta.get("unit", (None, None))
    if _text(code) != unit.code:
        got = "空" if _blank(code) else f"“{_shown(_text(code))}”"
        problems.append(
            Problem(
                META_SHEET,
                row_no,
                "unit",
                f"模板属于另一个单位：应为“{unit.code}”（导入的单位），实际为{got}",
                f"the template is for unit {_text(code) or None!r}, "
                f"not {unit.code!r} (the unit imported into)",
            )
        )
    row_no, version = meta.get("template_version", (None, None))
    number = _year(version)
    if number is None or not 1 <= number <= TEMPLATE_VERSION:
        problems.append(
            Problem(
                META_SHEET,
                row_no,
                "template_version",
                f"应为模板版本 1—{TEMPLATE_VERSION}，实际为“{_shown(_text(version))}”",
                f"expected template version 1 to {TEMPLATE_VERSION}, got {version!r}",
            )
        )
    return problems


def _summary(name: str, problems: Sequence[Problem]) -> str:
    n = len(problems)
    return f"{name}: {n}处错误，未导入任何数据 — {n} problem(s); nothing was imported"


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportResult:
    rows_read: int  # non-blank data rows
    created: int
    changed: int
    unchanged: int
    skipped: int  # rows with neither a number nor a text


def read_workbook(
    path: str | Path, content: bytes | None = None
) -> tuple[list[list[object]], list[list[object]] | None]:
    """The rows of the fill-in sheet and of ``_meta`` (None when absent) as plain lists.

    ``content``: the file's bytes (an upload), named ``path``; without it ``path`` is read.
    A missing, corrupt or non-xlsx file, or one without the fill-in sheet, raises
    :class:`InvalidInput` naming the file.
    """
    path = Path(path)
    if content is None and not path.is_file():
        raise InvalidInput(f"{path.name}: 文件不存在 — no such file: {path}")
    # before openpyxl parses anything (issue #11 item 7)
    check_xlsx(path if content is None else content, path.name)
    try:
        source: Path | IO[bytes] = path if content is None else io.BytesIO(content)
        wb = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(
            f"{path.name}: 无法作为 Excel 工作簿（.xlsx）读取，文件可能已损坏或不是 .xlsx 格式"
            f"（请用 Excel 另存为 .xlsx）— not a readable .xlsx workbook: {exc}"
        ) from None
    try:
        if SHEET not in wb.sheetnames:
            raise WorkbookInvalid(
                f"{path.name}: 缺少工作表“{SHEET}” — no sheet {SHEET!r}",
                [
                    Problem(
                        path.name,
                        None,
                        None,
                        f"缺少工作表“{SHEET}”（现有：{'、'.join(wb.sheetnames)}）",
                        f"the workbook has no sheet {SHEET!r}",
                    )
                ],
            )
        rows = [list(r) for r in wb[SHEET].iter_rows(values_only=True)]
        meta = (
            [list(r) for r in wb[META_SHEET].iter_rows(values_only=True)]
            if META_SHEET in wb.sheetnames
            else None
        )
    finally:
        wb.close()
    return rows, meta


def _same(stored: m.IndicatorValue, entry: ValueInput) -> bool:
    if (stored.value is None) != (entry.value is None):
        return False
    if stored.value is not None and entry.value is not None:
        if not math.isclose(stored.value, entry.value, rel_tol=1e-9, abs_tol=1e-12):
            return False
    return (
        (stored.text or None) == ((entry.text or "").strip() or None)
        and (stored.source or "") == entry.source
        and (stored.evidence or "") == entry.evidence
    )


@dataclass(frozen=True)
class Change:
    """One value a workbook would enter: what is on record (None: nothing) and what is new."""

    entry: ValueInput
    name_zh: str
    part_name_zh: str
    unit: str
    excel_row: int
    old: m.IndicatorValue | None

    @property
    def created(self) -> bool:
        return self.old is None

    @property
    def old_value(self) -> float | None:
        return self.old.value if self.old is not None else None

    @property
    def old_text(self) -> str:
        return (self.old.text or "") if self.old is not None else ""

    @property
    def new_text(self) -> str:
        return (self.entry.text or "").strip()

    def fingerprint(self) -> str:
        old = self.old
        before = (old.value, old.text, old.source, old.evidence) if old is not None else None
        return repr((self.entry, before))


@dataclass(frozen=True)
class ImportPlan:
    """What importing a workbook would do, shown before anything is saved.

    digest : the SHA-256 of the file and of the records the changes were read against; the
        confirm step saves only when re-reading the same file gives the same digest (nobody
        changed those values in between).
    """

    name: str
    rows_read: int
    skipped: int
    unchanged: int
    changes: tuple[Change, ...]
    digest: str


def plan_import(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    path: str | Path,
    content: bytes | None = None,
) -> ImportPlan:
    """Validate a filled-in template (``path``, or ``content`` named ``path``) and list the
    values it would enter, without writing anything.

    Raises :class:`WorkbookInvalid` (an :class:`InvalidInput`) listing every problem with its
    sheet, row and column, and :class:`PermissionDenied` for a read-only user.
    """
    path = Path(path)
    if actor.role is Role.VIEWER:
        raise PermissionDenied(
            f"{actor.username} 为只读用户，不能导入 — read-only users import nothing"
        )
    rows, meta = read_workbook(path, content)
    problems: list[Problem] = []
    if meta is None:
        problems.append(
            Problem(
                path.name,
                None,
                None,
                f"缺少隐藏工作表“{META_SHEET}”，请使用 nearzero indicators export 导出的模板",
                f"no sheet {META_SHEET!r}: use a template from `nearzero indicators export`",
            )
        )
    else:
        problems.extend(check_meta(meta, unit))
    stored = values_on_record(session, unit)
    views = catalogue(session, unit)
    parsed = read_rows(rows, views, unit, actor, stored)
    problems.extend(parsed.problems)
    if problems:
        raise WorkbookInvalid(_summary(path.name, problems), problems)

    by_code = {v.row.code: v for v in views}
    changes: list[Change] = []
    unchanged = 0
    for excel_row, entry in parsed.entries:
        old = stored.get((entry.code, entry.part, entry.year))
        if old is not None and _same(old, entry):
            unchanged += 1
            continue
        view = by_code[entry.code]
        part = next((p for p in view.row.parts if p.code == entry.part), None)
        changes.append(
            Change(
                entry,
                view.row.name_zh,
                part.name_zh if part else "",
                part.unit if part else view.row.unit,
                excel_row,
                old,
            )
        )
    digest = hashlib.sha256(content if content is not None else path.read_bytes())
    for change in changes:
        digest.update(change.fingerprint().encode())
    return ImportPlan(
        path.name, parsed.rows_read, parsed.skipped, unchanged, tuple(changes), digest.hexdigest()
    )


def apply_plan(session: Session, actor: Actor, unit: m.DemoUnit, plan: ImportPlan) -> ImportResult:
    """Enter every change of ``plan`` through ``submit_value`` (a department's values are
    submitted for the office to confirm; each lands in the audit log)."""
    for change in plan.changes:
        submit_value(session, actor, unit, change.entry)
    created = sum(c.created for c in plan.changes)
    changed = len(plan.changes) - created
    return ImportResult(plan.rows_read, created, changed, plan.unchanged, plan.skipped)


def import_workbook(
    session: Session, actor: Actor, unit: m.DemoUnit, path: str | Path
) -> ImportResult:
    """Import a filled-in template into ``unit`` within the caller's transaction.

    Every row is validated first; any problem raises :class:`WorkbookInvalid` (an
    :class:`InvalidInput`) listing them all, and nothing is written. Otherwise each new or
    changed value goes through ``submit_value`` (audited); unchanged values are left alone.
    """
    return apply_plan(session, actor, unit, plan_import(session, actor, unit, path))


def actor_for(session: Session, username: str | None, unit: m.DemoUnit) -> Actor:
    """The actor behind an import: the active user ``username``, or the office's ``cli``."""
    if not username:
        return Actor.system("cli")
    user = users.get_user(session, username)
    if user is None:
        raise NotFound(f"没有用户“{username}”（或已停用） — no active user {username!r}")
    if user.unit_id is not None and user.unit_id != unit.id:
        raise PermissionDenied(
            f"用户“{username}”不属于单位“{unit.code}” — {username!r} belongs to another unit"
        )
    return users.actor_of(user)


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class EditableIndicator:
    """An indicator (or task target) the user may enter values and attach evidence for."""

    code: str
    name_zh: str
    name_en: str
    parts: tuple[tuple[str, str], ...]  # (part code, part name)


@dataclass(frozen=True)
class WorkbookPage:
    """The workbook page: download the template, upload it, see its problems or a preview of
    its changes, confirm; attach evidence files to a value and list those attached.

    problems : every problem of a refused upload (sheet, row, column), else empty.
    plan : the changes an upload would make, shown before anything is saved.
    upload : the uploaded file (base64) carried to the confirm step, re-validated there.
    """

    unit: m.DemoUnit
    year: int
    years: list[int]
    department: str
    editable: list[EditableIndicator]
    evidence: list[Any]
    max_mb: int
    accept: str
    problems: list[Problem] = field(default_factory=list)
    plan: ImportPlan | None = None
    upload: str = ""
    saved: ImportResult | None = None


def workbook_page(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    year: int | None = None,
    problems: Sequence[Problem] = (),
    plan: ImportPlan | None = None,
    upload: bytes | None = None,
    saved: ImportResult | None = None,
) -> WorkbookPage:
    """The workbook page of ``year`` (default: the office's evaluation year) for ``actor``."""
    chosen = year if year is not None else evaluation_year(session, unit)
    lo, hi = year_range(unit)
    years = sorted({chosen, *years_on_record(session, unit), *range(unit.base_year, hi - 9)})
    years = [y for y in years if lo <= y <= hi]
    dept = ""
    if actor.role is Role.EDITOR and actor.department:
        found = unit_store.department(session, unit.id, actor.department)
        dept = found.name_zh if found else actor.department
    editable = [
        EditableIndicator(
            v.row.code,
            v.row.name_zh,
            v.row.name_en,
            tuple((p.code, p.name_zh) for p in v.row.parts),
        )
        for v in catalogue(session, unit)
        if actor.role is not Role.VIEWER and may_edit(actor, v.row)
    ]
    return WorkbookPage(
        unit=unit,
        year=chosen,
        years=years,
        department=dept,
        editable=editable,
        evidence=list(evidence_service.evidence_of(session, unit, chosen)),
        max_mb=evidence_service.MAX_EVIDENCE_BYTES // (1024 * 1024),
        accept=",".join(evidence_service.EVIDENCE_TYPES),
        problems=list(problems),
        plan=plan,
        upload=base64.b64encode(upload).decode("ascii") if upload else "",
        saved=saved,
    )


def decode_upload(text: str, name: str) -> bytes:
    """The workbook carried from the preview to the confirm step (base64), or InvalidInput."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise InvalidInput(
            f"{name}: 上传的文件已失效，请重新上传 — the upload did not survive the preview; "
            "upload the file again"
        ) from None


def confirm_import(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    name: str,
    content: bytes,
    digest: str,
) -> ImportResult | ImportPlan:
    """Save the previewed workbook: validated again in full; when the file or the records it
    was read against changed since the preview (``digest`` differs), nothing is saved and
    the new preview is returned instead."""
    plan = plan_import(session, actor, unit, name, content)
    if plan.digest != digest:
        return plan
    return apply_plan(session, actor, unit, plan)
