"""The study report (GB/T 24067-2024 §8) as Word and PDF: the reporting clauses are there, the
numbers of a system solved by hand are there, no file id leaks into the document, times are
in China Standard Time; `nearzero footprint report`; bad input names the process and exchange.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from docx import Document
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.footprint.fileformat import dump
from nearzero.footprint.model import Process, ProductSystem
from nearzero.footprint.study import compute
from nearzero.reports.footprint import StudyInfo, footprint_report
from nearzero.reports.pdf import build_pdf
from nearzero.reports.word import build_docx

from .conftest import inp, out

runner = CliRunner()

#: The clauses of GB/T 24067-2024 §8 the report must hold (section titles and table heads).
CLAUSES = (
    "功能单位",
    "系统边界",
    "取舍准则",
    "数据来源",
    "数据质量",
    "分配及其敏感性",
    "按生命周期阶段",
    "化石温室气体",
    "生物源温室气体",
    "直接土地利用变化（dLUC）",
    "航空运输温室气体",
    "不确定性",
    "局限性",
    "待确认的因子",
)
#: The coproduct system (conftest) solved by hand, per kg X: mass 10.7331·(2/3)/2 = 3.5777;
#: economic 10.7331·(10/40)/2 = 1.3416375; system expansion (10.7331 − 5)/2 = 2.86655.
MASS, ECONOMIC, EXPANSION = "3.5777", "1.34164", "2.86655"
#: The electricity footprint factor of 2024 (0.5777 kgCO2e/kWh), to be confirmed.
FACTOR = "0.5777"
INFO = StudyInfo(
    prepared=dt.date(2026, 12, 5),
    firm="示例树脂有限公司",
    year=2025,
    computed_at=dt.datetime(2026, 12, 5, 1, 30, tzinfo=dt.UTC),
)
IDS = ("'J'", "ALT", "y_market", "cn_elec_fp_2024_national", "factor:", "process '")


def named(system: ProductSystem) -> ProductSystem:
    """The coproduct system with names a reader would see, and a cut-off line."""
    j, alt = system.processes
    j = Process(
        "J", "联产装置", "x", (*j.exchanges, inp("packaging", 1, "kg", cut_off=True)), "production"
    )
    alt = Process("ALT", "外购Y的替代生产", "y_market", alt.exchanges, "raw materials")
    return ProductSystem(
        name="产品X",
        functional_unit="1 kg 产品X，出厂",
        reference_flow="x",
        amount=1.0,
        unit="kg",
        flows=system.flows,
        processes=(j, alt),
        allocation=system.allocation,
    )


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return done.stdout


def check(text: str, draws: int = 0) -> None:
    flat = "".join(text.split())  # a PDF wraps lines anywhere
    for clause in CLAUSES:
        assert clause.replace(" ", "") in flat, clause
    for number in (MASS, ECONOMIC, EXPANSION, FACTOR):
        assert number in text, number
    assert "产品碳足迹为3.5777kgCO2e" in flat
    assert "联产装置" in text and "外购Y的替代生产" in text
    assert "2026-12-0509:30" in flat  # 01:30 UTC in China Standard Time
    assert "reference/" not in text  # no repository path in the document
    for internal in IDS:
        assert internal not in text, internal
    if draws:
        assert f"{draws}次蒙特卡洛模拟" in flat
    else:
        assert "未进行蒙特卡洛不确定性分析" in flat


def test_docx_holds_the_clauses_and_the_hand_solved_numbers(coproduct):
    system = named(coproduct("mass"))
    result = compute(system)
    assert result.total == pytest.approx(3.5777)
    text = docx_text(build_docx(footprint_report(result, system, INFO)))
    check(text)
    assert "按质量分配（所选）" in text
    assert "联产装置：packaging" in text  # the cut-off line, named by process and flow
    doc = Document(io.BytesIO(build_docx(footprint_report(result, system, INFO))))
    assert len(doc.inline_shapes) == 1  # the contribution chart


def test_pdf_holds_them_too(coproduct, tmp_path):
    system = named(coproduct("mass"))
    result = compute(system, draws=200, seed=7)
    data = build_pdf(footprint_report(result, system, INFO))
    assert data.startswith(b"%PDF")
    check(pdf_text(data, tmp_path), draws=200)


def test_cli_report_docx_and_pdf(coproduct, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(dump(named(coproduct("mass"))), allow_unicode=True), "utf-8")
    docx = tmp_path / "x.docx"
    answer = runner.invoke(
        app, ["footprint", "report", str(path), "--out", str(docx), "--firm", "示例树脂有限公司"]
    )
    assert answer.exit_code == 0, answer.output
    assert "3.5777" in answer.output
    text = docx_text(docx.read_bytes())
    assert "示例树脂有限公司" in text and MASS in text
    pdf = tmp_path / "x.pdf"
    answer = runner.invoke(
        app, ["footprint", "report", str(path), "--out", str(pdf), "--mc", "100", "--seed", "2"]
    )
    assert answer.exit_code == 0, answer.output
    assert "100次蒙特卡洛模拟" in "".join(pdf_text(pdf.read_bytes(), tmp_path).split())


def test_cli_report_refuses_another_suffix(coproduct, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(dump(coproduct("mass"))), "utf-8")
    answer = runner.invoke(app, ["footprint", "report", str(path), "--out", "x.txt"])
    assert answer.exit_code == 2
    assert "expected a .docx or .pdf" in answer.output


@pytest.mark.parametrize(
    ("change", "named_in_error"),
    [
        (lambda e: e | {"flow": "nowhere"}, "process 'J', exchange 4 (input 'nowhere')"),
        (lambda e: e | {"unit": "m"}, "process 'J', exchange 4 (input 'electricity')"),
        (lambda e: e | {"amount": -3}, "process 'J', exchange 4 (input 'electricity')"),
    ],
)
def test_bad_input_names_the_process_and_exchange(coproduct, tmp_path, change, named_in_error):
    data = dump(coproduct("mass"))
    exchanges = data["processes"][0]["exchanges"]
    exchanges[3] = change(exchanges[3])
    if exchanges[3]["flow"] == "nowhere":
        exchanges[3].pop("factor")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    answer = runner.invoke(
        app, ["footprint", "report", str(path), "--out", str(tmp_path / "r.docx")]
    )
    assert answer.exit_code == 2
    assert named_in_error in " ".join(answer.output.split())
    assert not (tmp_path / "r.docx").exists()


def test_singular_system_is_named(two_loop, tmp_path):
    a, b = two_loop.processes
    a = Process("A", "A", "a", (out("a", 1, "kg"), inp("b", 1, "kg"), out("co2", 10, "kg")))
    b = Process("B", "B", "b", (out("b", 1, "kg"), inp("a", 1, "kg"), out("co2", 4, "kg")))
    system = ProductSystem(**{**two_loop.__dict__, "processes": (a, b)})
    path = tmp_path / "loop.yaml"
    path.write_text(yaml.safe_dump(dump(system)), "utf-8")
    answer = runner.invoke(
        app, ["footprint", "report", str(path), "--out", str(tmp_path / "r.pdf")]
    )
    assert answer.exit_code == 2
    assert "singular" in answer.output and "A" in answer.output and "B" in answer.output
