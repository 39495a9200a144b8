"""What keeps a report build fast leaves the documents as they were (issue #13 item 7):
table cells written from a copied paragraph are the XML python-docx writes cell by cell, a
chart laid out once and drawn once has the pixels ``savefig`` draws (laying out and drawing
twice), the PDF's tables of given column widths are laid out from those widths, and the heavy
libraries are imported only by the build that uses them."""

import datetime as dt
import io
import subprocess
import sys
import zipfile

import pytest
from PIL import Image, ImageChops

from nearzero.indicators.choices import Status
from nearzero.reports import charts, pdf, word
from nearzero.reports.model import Cell, Paragraph, Report, Section, Table


def report() -> Report:
    rows = (
        (Cell("能源"), Cell("二氧化碳排放总量"), Cell("8,537,813.87", Status.MET, num=True)),
        (Cell("能源"), Cell("  前后空格 "), Cell("0.76", Status.NOT_MET, num=True)),
        (Cell("建筑"), Cell("第一行\n第二行\t制表"), Cell("—", Status.NO_DATA)),
        (Cell("建筑"), Cell(""), Cell("100%", Status.NEEDS_ASSESSMENT, num=True)),
        (Cell("交通"), Cell("<&>"), Cell("12", num=True)),
    )
    table = Table(("类别", "指标名称", "2022年"), rows, "主要指标", (1, 3, 1), True, label="t")
    sections = [
        Section("a", "一、指标", [Paragraph("见{表:t}。"), table, Table(("x",), ((Cell("1"),),))]),
        Section(
            "b", "二、宽表", [Table(("a", "b"), ((Cell("1"), Cell("2", num=True)),), wide=True)]
        ),
    ]
    return Report(
        "u", "示范区", 2022, "年度评估报告", "专班", dt.date(2026, 1, 1), "方案", sections
    )


def document_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


class OneByOne:
    """Every cell through python-docx's own setters, as the report was written before."""

    def __call__(self, cell, text, bold=False, right=False, colour=None):
        word._cell_text(cell, text, bold, right, colour)


def test_copied_cells_are_the_xml_python_docx_writes(monkeypatch):
    fast = document_xml(word.build_docx(report()))
    monkeypatch.setattr(word, "_CellWriter", OneByOne)
    slow = document_xml(word.build_docx(report()))
    assert fast == slow
    assert b"8,537,813.87" in fast and b"&lt;&amp;&gt;" in fast


def savefig_png(fig):
    """A chart as it was written before: ``savefig`` solves the layout and draws twice."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


TREND = {  # the shape of nearzero.services.indicators.trend_data, the demo's indicator 1
    "years": [2020, 2021, 2022, 2023, 2024, 2025],
    "unit": "吨",
    "series": [
        {
            "name": "二氧化碳排放总量",
            "data": [9290749.01, 10048799.38, 8537813.87, None, None, None],
        }
    ],
    "targets": [{"name": "二氧化碳排放总量", "value": 9290749.01}],
    "projection": {"year": 2025, "value": 7786583.81},
}

CHARTS = {
    "category": lambda: charts.category_chart(
        ["低碳管理", "低碳能源", "碳汇和碳抵消", "特色指标"],
        [6, 1, 0, 1],
        [9, 3, 2, 3],
        [1, 0, 0, 0],
    ),
    "trend": lambda: charts.trend_chart(TREND, "二氧化碳排放总量（吨）"),
    "contribution": lambda: charts.contribution_chart(
        ["原料获取（电力）", "生产制造", "回收抵扣"], [1234.5, 567.8, -120.0], "kgCO2e"
    ),
}


@pytest.mark.parametrize("name", CHARTS)
def test_charts_drawn_once_are_the_pixels_savefig_draws(name, monkeypatch):
    once = Image.open(io.BytesIO(CHARTS[name]()))
    monkeypatch.setattr(charts, "_png", savefig_png)
    twice = Image.open(io.BytesIO(CHARTS[name]())).convert("RGB")
    assert once.mode == "RGB" and once.size == twice.size
    assert ImageChops.difference(once, twice).getbbox() is None


def test_pdf_tables_of_given_widths_are_laid_out_fixed():
    html = pdf.report_html(report())
    assert html.count('<table class="fixed">') == 1  # the grouped table with widths (1, 3, 1)
    assert html.count("<table>") == 2  # the two without widths
    assert '<col style="width: 60.00%">' in html


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("nearzero.services.report", ("weasyprint", "matplotlib", "docx")),
        ("nearzero.reports.word", ("weasyprint",)),
        ("nearzero.reports.pdf", ("docx", "weasyprint", "matplotlib")),
        ("nearzero.reports.offload", ("weasyprint", "matplotlib")),
    ],
)
def test_heavy_libraries_are_imported_where_used(module, absent):
    code = f"import sys, {module}; print(' '.join(m for m in {absent!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
