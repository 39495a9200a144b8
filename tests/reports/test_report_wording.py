"""The report's wording (issue #12 item 9): one number per caption, a gap worded for its kind of
target, no internal identifiers in the document, dates in China Standard Time, the dossier's
workbook formatted as printed, shares projected within 0-100 %."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.formatting import CHINA_TZ
from nearzero.indicators.choices import Attribute, Status
from nearzero.indicators.evaluation import IndicatorSpec, Record, evaluate, project
from nearzero.indicators.rules import parse_rule
from nearzero.reports.dossier import build_dossier
from nearzero.reports.model import Cell, Table
from nearzero.reports.pdf import build_pdf
from nearzero.reports.sections.indicators import IndicatorLine, gap_meaning
from nearzero.reports.word import build_docx
from nearzero.reports.workbook import build_workbook, number_format
from nearzero.services import report as svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import make_engine, session_factory, transaction

#: What an internal identifier looks like: snake_case, dotted keys, id@version, kebab-case
#: ids, run numbers. Chinese prose, units (tCO2e, kg/公顷), AR5, CCER and numbers are not.
IDENTIFIER = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:[_.@][A-Za-z0-9]+)+|\b[a-z]+(?:-[a-z0-9]+)+\b|#\d+"
)


def line(rule: dict, unit: str, values: dict[int, float]) -> IndicatorLine:
    spec = IndicatorSpec(
        code="X",
        name_zh="测试指标",
        name_en="test",
        category="c",
        unit=unit,
        rule=parse_rule(rule, "rule"),
        base_year=2020,
        target_year=2025,
        attribute=Attribute.BINDING,
    )
    record = Record(values=values)
    return IndicatorLine(spec, record, evaluate(spec, record, 2022), "类别", "部门")


def test_a_share_below_its_floor_says_how_much_of_the_target_it_reaches():
    # indicator 21: 4 % against ≥ 5 %: 1 percentage point to go, 80 % of the target reached
    e = line({"kind": "at_least", "threshold": 5, "text_zh": "≥5%"}, "%", {2022: 4})
    assert e.outcome.status is Status.NOT_MET
    assert gap_meaning(e) == "距目标（≥5%）尚差1个百分点，完成目标值的80.0%"


def test_an_amount_below_its_floor():
    e = line({"kind": "count_at_least", "threshold": 2, "text_zh": "≥2个"}, "个", {2022: 0})
    assert gap_meaning(e) == "距目标（≥2个）尚差2个，完成目标值的0.0%"


def test_a_decrease_target_says_how_far_the_value_has_moved_and_what_was_asked():
    # indicator 3: 下降20.5% from 0.92 → target 0.7314; 0.76 is 17.4 % lower, 0.0286 to go
    rule = {"kind": "reduce_by_pct", "pct": 20.5, "text_zh": "较2020年下降20.5%"}
    e = line(rule, "吨/万元", {2020: 0.92, 2022: 0.76})
    assert e.outcome.status is Status.NOT_MET
    assert gap_meaning(e) == "较2020年下降17.4%，目标为较2020年下降20.5%，距目标尚差0.0286吨/万元"
    risen = line(rule, "吨/万元", {2020: 0.92, 2022: 1.0})
    assert gap_meaning(risen).startswith("较2020年上升8.7%，目标为较2020年下降20.5%")


def test_a_ceiling_says_by_how_much_the_value_is_over():
    e = line({"kind": "at_most", "threshold": 200, "text_zh": "≤200万吨"}, "万吨", {2022: 250})
    assert gap_meaning(e) == "高于目标（≤200万吨）50万吨，超出目标值的25.0%"


def test_no_gap_no_words():
    e = line({"kind": "at_least", "threshold": 5, "text_zh": "≥5%"}, "%", {2022: 6})
    assert e.outcome.status is Status.MET and gap_meaning(e) == ""


def test_a_share_is_projected_within_0_to_100_percent():
    rule = parse_rule({"kind": "at_least", "threshold": 90}, "rule")
    rising = {2020: 60.0, 2021: 80.0, 2022: 100.0}  # the line reaches 160 % in 2025
    assert project(rule, rising, {}, 2022, 2020, 2025, "%").value == 100.0
    falling = parse_rule({"kind": "at_most", "threshold": 5}, "rule")
    assert (
        project(falling, {2020: 40.0, 2021: 20.0, 2022: 5.0}, {}, 2022, 2020, 2025, "%").value == 0
    )
    # a quantity is not capped above
    assert project(rule, rising, {}, 2022, 2020, 2025, "万吨").value == pytest.approx(160.0)


def test_the_dossier_workbook_shows_numbers_as_printed():
    assert number_format("9,290,749.01") == "#,##0.00"
    assert number_format("0.0286") == "0.0000"
    assert number_format("12") == "0"
    assert number_format("完成") == "General"
    table = Table(("数值",), ((Cell("0.0286", num=True, value=0.028600000000000004),),))
    book = load_workbook(io.BytesIO(build_workbook([("表", table)])))
    cell = book["表"]["A2"]
    assert cell.value == pytest.approx(0.0286) and cell.number_format == "0.0000"


def test_the_dossier_is_dated_in_china_standard_time():
    created = dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.UTC)  # 04:30 on the 6th in Beijing
    data = build_dossier("验收材料", [], created=created)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        contents = z.read("目录.txt").decode("utf-8-sig")
        assert "生成时间：2026-12-06 04:30:00（北京时间）" in contents
        assert '"created": "2026-12-06T04:30:00+08:00"' in z.read("manifest.json").decode()


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_the_demo_years_report_names_no_internal_identifier(database_url, monkeypatch, tmp_path):
    """The demo's data through every section; the Word and PDF text hold no identifier, no
    caption numbered twice, and the report is dated by the day in Beijing."""
    monkeypatch.setenv("NEARZERO_DATABASE_URL", database_url)
    monkeypatch.setenv("NEARZERO_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(app, ["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    engine = make_engine(database_url)
    try:
        with transaction(session_factory(engine)) as session:
            report = svc.build_report(session, get_unit(session, "zhangqiu"), 2022)
    finally:
        engine.dispose()
    assert report.date == dt.datetime.now(CHINA_TZ).date()
    for name, text in (
        ("docx", docx_text(build_docx(report))),
        ("pdf", pdf_text(build_pdf(report), tmp_path)),
    ):
        found = sorted(set(IDENTIFIER.findall(text)))
        assert found == [], f"{name}: {found}"
        assert not re.search(r"(图|表)\d+\s+(图|表)\d+", text), name
        assert "为目标值的" not in text
    sections = {s.key: s for s in report.sections}
    assert not sections["inventory"].empty and not sections["projects"].empty
