"""Indicator values through Excel: the template, the import, its errors, the CLI commands.

Every test runs on SQLite and on PostgreSQL (the ``database_url`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from nearzero.indicators.catalogue import bundled_plan_path, load_plan
from nearzero.indicators.choices import Status
from nearzero.services import plans, users, workbook
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.indicators import catalogue, confirm_value, evaluate_unit, get_unit
from nearzero.store import tables as m
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.migrate import upgrade

OFFICE = Actor.system("office-test")
HEADERS = [
    "序号",
    "分项代码",
    "指标名称",
    "分项名称",
    "单位",
    "2025年目标",
    "责任部门",
    "年份",
    "数值",
    "文字说明",
    "数据来源",
    "佐证材料",
]
EEB_CODES = ["4", "5", "6", "7", "8", "9", "14", "16", "18", "32", "33", "T10", "T11", "T12"]


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """The bundled Zhangqiu plan loaded into a fresh database; the engine disposed at the end."""
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        plans.load_plan(session, load_plan(bundled_plan_path()), Actor.system("test"))
    try:
        yield factory
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- helpers


def export(sessions: sessionmaker[Session], path: Path, year: int, **kw: Any) -> Path:
    with transaction(sessions) as session:
        workbook.export_template(session, get_unit(session), path, year, **kw)
    return path


def import_(
    sessions: sessionmaker[Session], path: Path, actor: Actor = OFFICE
) -> workbook.ImportResult:
    with transaction(sessions) as session:
        return workbook.import_workbook(session, actor, get_unit(session), path)


def find_row(ws: Any, code: str, part: str | None = None) -> int:
    for row in ws.iter_rows(min_row=2):
        if row[0].value == code and (row[1].value or None) == part:
            return int(row[0].row)
    raise AssertionError(f"no row for {code}/{part}")


def edit(path: Path, changes: dict[tuple[str, str | None], dict[str, object]]) -> dict[str, int]:
    """Set cells by (序号, 分项代码) and column header; returns the Excel row of each code."""
    wb = openpyxl.load_workbook(path)
    ws = wb[workbook.SHEET]
    header = [c.value for c in ws[1]]
    rows = {}
    for (code, part), cells in changes.items():
        r = find_row(ws, code, part)
        rows[code if part is None else f"{code}/{part}"] = r
        for column, value in cells.items():
            ws.cell(row=r, column=header.index(column) + 1, value=value)  # type: ignore[arg-type]
    wb.save(path)
    return rows


def stored_values(sessions: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with transaction(sessions) as session:
        query = select(
            m.Indicator.code,
            m.IndicatorValue.part_code,
            m.IndicatorValue.year,
            m.IndicatorValue.value,
            m.IndicatorValue.text,
            m.IndicatorValue.source,
            m.IndicatorValue.evidence,
            m.IndicatorValue.entered_by,
        ).join(m.Indicator, m.IndicatorValue.indicator_id == m.Indicator.id)
        return sorted(tuple(r) for r in session.execute(query))


def value_of(sessions: sessionmaker[Session], code: str, year: int, part: str = "") -> Any:
    for row in stored_values(sessions):
        if row[:3] == (code, part, year):
            return row[3]
    return None


def audit_count(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return int(session.scalar(select(func.count(m.AuditLog.id))) or 0)


def status(sessions: sessionmaker[Session], code: str, year: int) -> Status:
    with transaction(sessions) as session:
        ev = evaluate_unit(session, get_unit(session), year)
        (item,) = [e for e in ev.indicators + ev.task_targets if e.view.row.code == code]
        return item.outcome.status


# --------------------------------------------------------------------------- the template


def test_template_sheets_rows_and_styles(sessions, tmp_path):
    path = export(sessions, tmp_path / "t.xlsx", 2022)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填报说明", "指标填报", "_meta"]
    assert "灰色" in "".join(str(c.value or "") for c in wb["填报说明"]["A"])
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert wb["_meta"].sheet_state == "hidden"
    assert (meta["unit"], meta["template_version"], meta["year"]) == ("zhangqiu", 1, 2022)

    ws = wb["指标填报"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["A1"].font.b and ws.freeze_panes == "C2"
    data = list(ws.iter_rows(min_row=2, values_only=True))
    # 33 whole indicators + 5 parts of no. 15 + 2 of no. 28, then the 12 task targets
    assert len(data) == 33 + 5 + 2 + 12
    assert [r[0] for r in data[:3]] == ["1", "2", "3"] and data[-1][0] == "T12"
    assert [r[1] for r in data if r[0] == "28"] == ["fertiliser", "pesticide"]
    assert [r[1] for r in data if r[0] == "15"][0] == "coal_power"
    r21 = find_row(ws, "21")
    assert [c.value for c in ws[r21]][4:10] == ["%", "≥5", "区住房和城乡建设局", 2022, 4, None]
    r4 = find_row(ws, "4")
    assert ws.cell(r4, 10).value == "已落实相关碳减量替代政策"
    # read-only columns grey, the number cell of a qualitative indicator too
    assert ws.cell(r21, 1).fill.fgColor.rgb.endswith("D9D9D9")
    assert ws.cell(r21, 6).fill.fgColor.rgb.endswith("D9D9D9")
    assert ws.cell(r21, 9).fill.fill_type is None
    assert ws.cell(r4, 9).fill.fgColor.rgb.endswith("D9D9D9")
    assert ws.column_dimensions["C"].width == 36
    kinds = {dv.type: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert kinds == {"whole": f"H2:H{len(data) + 201}", "decimal": f"I2:I{len(data) + 201}"}


def test_template_for_one_department(sessions, tmp_path):
    path = export(sessions, tmp_path / "eeb.xlsx", 2023, department="eeb")
    ws = openpyxl.load_workbook(path)["指标填报"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == EEB_CODES
    assert {r[7] for r in ws.iter_rows(min_row=2, values_only=True)} == {2023}
    with pytest.raises(InvalidInput, match="nosuch"):
        export(sessions, tmp_path / "x.xlsx", 2023, department="nosuch")


# --------------------------------------------------------------------------- round trip


def test_untouched_template_imports_as_unchanged(sessions, tmp_path):
    path = export(sessions, tmp_path / "t.xlsx", 2022)
    before, audits = stored_values(sessions), audit_count(sessions)
    result = import_(sessions, path)
    assert result == workbook.ImportResult(
        rows_read=52, created=0, changed=0, unchanged=45, skipped=7
    )
    assert stored_values(sessions) == before
    assert audit_count(sessions) == audits


def test_round_trip_changes_value_writes_audit_and_reevaluates(sessions, tmp_path):
    assert status(sessions, "21", 2022) is Status.NOT_MET
    path = export(sessions, tmp_path / "t.xlsx", 2022)
    edit(path, {("21", None): {"数值": 5.2, "数据来源": "住建局2022年报"}})
    result = import_(sessions, path, Actor("housing1", Role.EDITOR, "housing", unit_id=1))
    assert (result.created, result.changed, result.unchanged) == (0, 1, 44)
    assert value_of(sessions, "21", 2022) == 5.2
    # a department's value counts once the office confirms it (issue #12.5): until then the
    # figure confirmed before (4 %) still does
    assert status(sessions, "21", 2022) is Status.NOT_MET
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        confirm_value(session, Actor("office", Role.ADMIN), unit, "21", 2022)
    assert status(sessions, "21", 2022) is Status.MET
    with transaction(sessions) as session:
        entry = session.scalars(
            select(m.AuditLog).where(
                m.AuditLog.entity_key == "21//2022", m.AuditLog.action == "value.set"
            )
        ).one()
        assert entry.actor == "housing1" and entry.action == "value.set"
        assert entry.old is not None and entry.new is not None
        assert (entry.old["value"], entry.new["value"]) == (4, 5.2)
        assert entry.new["source"] == "住建局2022年报"


def test_new_year_value_is_created_and_status_becomes_met(sessions, tmp_path):
    assert status(sessions, "21", 2023) is Status.NO_DATA
    path = export(sessions, tmp_path / "t.xlsx", 2023)
    edit(path, {("21", None): {"数值": 5.2}, ("15", "cement"): {"数值": "55"}})
    audits = audit_count(sessions)
    result = import_(sessions, path)
    assert (result.created, result.changed, result.unchanged, result.skipped) == (2, 0, 0, 50)
    assert value_of(sessions, "21", 2023) == 5.2
    assert value_of(sessions, "15", 2023, "cement") == 55
    assert status(sessions, "21", 2023) is Status.MET
    assert audit_count(sessions) == audits + 2
    # importing the same file again changes nothing and audits nothing
    again = import_(sessions, path)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert audit_count(sessions) == audits + 2


def test_convertible_unit_is_converted_into_the_indicators_unit(sessions, tmp_path):
    path = export(sessions, tmp_path / "t.xlsx", 2023)
    edit(
        path,
        {
            ("31", None): {"单位": "万立方米", "数值": 31},
            ("1", None): {"单位": "万吨", "数值": 850.5},
        },
    )
    import_(sessions, path)
    assert value_of(sessions, "31", 2023) == pytest.approx(310_000)
    assert value_of(sessions, "1", 2023) == pytest.approx(8_505_000)


# --------------------------------------------------------------------------- rejections


def test_one_bad_cell_rejects_the_whole_workbook_and_writes_nothing(sessions, tmp_path):
    path = export(sessions, tmp_path / "t.xlsx", 2022)
    rows = edit(
        path,
        {
            ("21", None): {"数值": 5.2},
            ("24", None): {"数值": 300},
            ("3", None): {"数值": "一千"},
            ("T3", None): {"数值": 1800},
        },
    )
    before, audits = stored_values(sessions), audit_count(sessions)
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        import_(sessions, path)
    r = rows["3"]
    assert caught.value.errors == [
        f"指标填报 第{r}行 “数值”: 应为数字，实际为“一千” — expected a number, got '一千'"
    ]
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("指标填报", r, "数值")
    assert "t.xlsx" in str(caught.value) and "1处错误" in str(caught.value)
    assert stored_values(sessions) == before
    assert audit_count(sessions) == audits
    assert value_of(sessions, "21", 2022) == 4


def test_every_problem_is_listed_with_row_and_column(sessions):
    """The pure parser on plain lists: each bad cell named, blank rows ignored."""
    with transaction(sessions) as session:
        unit = get_unit(session)
        views = catalogue(session, unit)

    def row(code, part=None, year=2023, value=None, text=None, unit_=None, source=None):
        return [code, part, "名称", None, unit_, "目标", "部门", year, value, text, source, None]

    rows = [
        HEADERS,
        row("21", value=5.2, source="年报"),  # 2: good
        row("99", value=1),  # 3: unknown indicator
        row("4", value=1, unit_="/"),  # 4: number for a qualitative indicator
        row("1", value=1, unit_="斤斤"),  # 5: unit that does not convert
        row("15", part="steel", value=40),  # 6: unknown part
        row("28", value=40),  # 7: a number for an indicator with parts, no part given
        row("21", year="2023年", value=1),  # 8: year not a whole number
        row("21", year=1850, value=1),  # 9: year out of range
        [None] * 12,  # 10: blank, ignored
        row("22"),  # 11: neither number nor text, skipped
        row("21", value=6),  # 12: duplicates row 2
        row("4", text="已落实", unit_="/"),  # 13: good, qualitative
        row("24", value=-1),  # 14: negative (check_value)
    ]
    parsed = workbook.read_rows(rows, views, unit)
    assert [(p.sheet, p.row, p.column) for p in parsed.problems] == [
        ("指标填报", 3, "序号"),
        ("指标填报", 4, "数值"),
        ("指标填报", 5, "单位"),
        ("指标填报", 6, "分项代码"),
        ("指标填报", 7, "分项代码"),
        ("指标填报", 8, "年份"),
        ("指标填报", 9, "年份"),
        ("指标填报", 12, "序号"),
        ("指标填报", 14, "数值"),
    ]
    messages = [str(p) for p in parsed.problems]
    assert messages[0].startswith("指标填报 第3行 “序号”: 未知的指标序号“99”")
    assert "定性指标" in messages[1]
    assert "应为“吨”或可换算为“吨”的单位，实际为“斤斤”" in messages[2]
    assert "应为1990至2035之间的年份，实际为1850" in messages[6]
    assert "与第2行重复" in messages[7]
    assert (parsed.rows_read, parsed.skipped) == (12, 1)
    assert [(e.code, e.year, e.value, e.text, e.source) for e in parsed.values] == [
        ("21", 2023, 5.2, None, "年报"),
        ("4", 2023, None, "已落实", ""),
    ]
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        workbook.parse_rows(rows, views, unit)
    assert len(caught.value.errors) == 9
    assert workbook.parse_rows([HEADERS, rows[1], rows[12]], views, unit) == parsed.values


def test_editor_may_import_only_its_departments_rows(sessions, tmp_path):
    drc = Actor("drc", Role.EDITOR, "drc", unit_id=1)
    path = export(sessions, tmp_path / "t.xlsx", 2022)
    rows = edit(path, {("11", None): {"数值": 6.5}, ("6", None): {"数值": 3}})
    before, audits = stored_values(sessions), audit_count(sessions)
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        import_(sessions, path, drc)
    (message,) = caught.value.errors
    assert message.startswith(f"指标填报 第{rows['6']}行 “序号”: 指标6“开展碳普惠相关应用场景”")
    assert "区生态环境分局负责，drc无权填报" in message
    assert stored_values(sessions) == before and audit_count(sessions) == audits

    # the department's own template goes through
    own = export(sessions, tmp_path / "drc.xlsx", 2022, department="drc")
    edit(own, {("11", None): {"数值": 6.5}})
    assert import_(sessions, own, drc).changed == 1
    assert value_of(sessions, "11", 2022) == 6.5

    with pytest.raises(PermissionDenied):
        import_(sessions, own, Actor("viewer", Role.VIEWER))


def test_corrupt_and_non_xlsx_files_are_refused_by_name(sessions, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(InvalidInput, match=r"^broken\.xlsx: 无法作为 Excel 工作簿"):
        import_(sessions, broken)
    text = tmp_path / "values.csv"
    text.write_text("序号,数值\n21,5.2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"^values\.csv: 无法作为 Excel 工作簿"):
        import_(sessions, text)
    with pytest.raises(InvalidInput, match=r"^absent\.xlsx: 文件不存在"):
        import_(sessions, tmp_path / "absent.xlsx")


def test_missing_or_renamed_column_is_named(sessions, tmp_path):
    path = export(sessions, tmp_path / "t.xlsx", 2022)
    wb = openpyxl.load_workbook(path)
    ws = wb["指标填报"]
    ws.delete_cols(HEADERS.index("数值") + 1)
    ws.cell(1, HEADERS.index("文字说明"), value="说明")  # 文字说明 moved left by one
    wb.save(path)
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        import_(sessions, path)
    assert caught.value.errors == [
        "指标填报 第1行 “数值”: 缺少列“数值”（表头已被删除或改名） — "
        "column '数值' is missing from the header row (deleted or renamed)",
        "指标填报 第1行 “文字说明”: 缺少列“文字说明”（表头已被删除或改名） — "
        "column '文字说明' is missing from the header row (deleted or renamed)",
    ]


def test_template_of_another_unit_or_without_meta_is_refused(sessions, tmp_path):
    path = export(sessions, tmp_path / "t.xlsx", 2022)
    edit(path, {("21", None): {"数值": 5.2}})
    wb = openpyxl.load_workbook(path)
    wb["_meta"]["B1"] = "laiwu"
    wb.save(path)
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        import_(sessions, path)
    assert caught.value.errors[0].startswith(
        "_meta 第1行 “unit”: 模板属于另一个单位：应为“zhangqiu”（导入的单位），实际为“laiwu”"
    )
    del wb["_meta"]
    wb.save(path)
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        import_(sessions, path)
    assert caught.value.errors == [
        "t.xlsx: 缺少隐藏工作表“_meta”，请使用 nearzero indicators export 导出的模板 — "
        "no sheet '_meta': use a template from `nearzero indicators export`"
    ]
    assert value_of(sessions, "21", 2022) == 4


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli(sessions, database_url, monkeypatch):
    from nearzero.cli import app

    monkeypatch.setenv("NEARZERO_DATABASE_URL", database_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_cli_export_then_import(cli, sessions, tmp_path):
    path = tmp_path / "填报.xlsx"
    result = cli("indicators", "export", path, "--year", 2023, "--department", "housing")
    assert result.exit_code == 0, result.output
    # housing shares nos. 1–3 and 13 with three others; 19–22 and T9 are its own
    assert "2023年" in result.stdout and "（9行）" in result.stdout
    edit(path, {("21", None): {"数值": 5.2}})
    result = cli("indicators", "import", path)
    assert result.exit_code == 0, result.output
    assert "读取9行，新增1条，修改0条，未变0条，跳过8行" in result.stdout
    assert value_of(sessions, "21", 2023) == 5.2
    entered_by = {r[7] for r in stored_values(sessions) if r[:3] == ("21", "", 2023)}
    assert entered_by == {"cli"}


def test_cli_import_errors_exit_2_and_list_every_problem(cli, sessions, tmp_path):
    path = tmp_path / "t.xlsx"
    assert cli("indicators", "export", path, "--year", 2022).exit_code == 0
    rows = edit(path, {("21", None): {"数值": "一千"}, ("24", None): {"年份": "明年"}})
    before = stored_values(sessions)
    result = cli("indicators", "import", path)
    assert result.exit_code == 2
    assert "t.xlsx: 2处错误，未导入任何数据" in result.stderr
    assert f"指标填报 第{rows['21']}行 “数值”: 应为数字，实际为“一千”" in result.stderr
    assert f"指标填报 第{rows['24']}行 “年份”: 应为整数年份" in result.stderr
    assert stored_values(sessions) == before

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"garbage")
    result = cli("indicators", "import", broken)
    assert result.exit_code == 2 and "broken.xlsx: 无法作为 Excel 工作簿" in result.stderr


def test_cli_import_as_an_editor(cli, sessions, tmp_path):
    with transaction(sessions) as session:
        users.create_user(
            session,
            OFFICE,
            "drc1",
            "secret-password",
            Role.EDITOR,
            unit=get_unit(session),
            department_code="drc",
        )
    path = tmp_path / "t.xlsx"
    assert cli("indicators", "export", path, "--year", 2022).exit_code == 0
    rows = edit(path, {("6", None): {"数值": 3}})
    result = cli("indicators", "import", path, "--as", "drc1")
    assert result.exit_code == 2
    assert f"指标填报 第{rows['6']}行 “序号”: 指标6" in result.stderr
    assert "drc1无权填报" in result.stderr
    result = cli("indicators", "import", path, "--as", "nobody")
    assert result.exit_code == 2 and "nobody" in result.stderr
    assert value_of(sessions, "6", 2022) == 0
