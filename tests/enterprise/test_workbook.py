"""The Excel template of an annual report: a round trip gives the same figures as the report
file, and a wrong cell is named by sheet, row and column (pure: no database)."""

from __future__ import annotations

import io
from importlib import resources

import pytest
import yaml
from openpyxl import load_workbook

from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.report import compute_report
from nearzero.enterprise.reportfile import parse_report, read_report
from nearzero.services.enterprise import workbook
from nearzero.services.workbook import WorkbookInvalid


def example(name: str) -> str:
    path = resources.files("nearzero.data").joinpath("enterprise", "examples", name)
    return path.read_text("utf-8")


@pytest.mark.parametrize("name", ["power_2024_illustrative.yaml", "cement_2024_illustrative.yaml"])
def test_round_trip_gives_the_file_s_figures(name: str) -> None:
    doc = yaml.safe_load(example(name))
    direct = compute_report(read_report(name, example(name)))
    data = workbook.write_template("f", "某企业", doc["year"], doc)
    parsed = workbook.parse_workbook(data)
    assert parsed.firm_key == "f"
    back = compute_report(parse_report(parsed.doc | {"firm": doc["firm"]}))
    assert back.totals == direct.totals
    assert back.energy.comprehensive_tce == pytest.approx(direct.energy.comprehensive_tce)


def _filled(**cells: object) -> bytes:
    book = load_workbook(io.BytesIO(workbook.write_template("f", "某企业", 2024)))
    book["燃料燃烧"].append(["coal", "烟煤", "t", None, None, "", 1, 1000])
    book["燃料燃烧"].append(["coal", "烟煤", "t", None, None, "", 2, 900])
    for ref, value in cells.items():
        sheet, cell = ref.split("__")
        book[{"fuel": "燃料燃烧", "flow": "电力热力", "info": "基本信息"}[sheet]][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_wrong_cell_is_named_and_every_problem_listed() -> None:
    with pytest.raises(WorkbookInvalid) as exc:
        workbook.parse_workbook(_filled(fuel__H3="九百", fuel__G2=13, flow__A2="煤气"))
    text = "\n".join(exc.value.errors)
    assert "燃料燃烧 第3行 “消耗量 consumption”: 应为数字，实际为“九百”" in text
    assert "燃料燃烧 第2行 “月份 month (1-12 或 全年)”: 应为1-12或“全年”" in text
    assert "电力热力 第2行 “类别 carrier (电力/热力)”: 应为“电力”或“热力”" in text
    assert "电力热力 第2行 “编号 key”: 必填" in text
    assert len(exc.value.problems) == 4
    with pytest.raises(WorkbookInvalid, match="电力热力 第2行 “类别 carrier"):
        workbook.parse_workbook(_filled(flow__A2="煤气", flow__B2="grid"))


def test_a_core_error_is_traced_to_its_cell() -> None:
    parsed = workbook.parse_workbook(_filled(fuel__H3=-900))
    with pytest.raises(EnterpriseError) as exc:
        compute_report(parse_report(parsed.doc | {"firm": {"name_zh": "某企业"}}))
    problem = workbook.locate(parsed, exc.value)
    assert (problem.sheet, problem.row, problem.column) == ("燃料燃烧", 3, "消耗量 consumption")
    assert "为负数" in problem.zh and "negative" in problem.en


def test_not_a_workbook() -> None:
    with pytest.raises(WorkbookInvalid, match="xlsx"):
        workbook.parse_workbook(b"not a zip")
