"""What keeps a report build fast leaves the documents as they were (issue #13 item 7):
table cells written from a copied paragraph are the XML python-docx writes cell by cell, and
the heavy libraries are imported only by the build that uses them."""

import datetime as dt
import io
import subprocess
import sys
import zipfile

import pytest

from nearzero.indicators.choices import Status
from nearzero.reports import word
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


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("nearzero.services.report", ("weasyprint", "matplotlib", "docx")),
        ("nearzero.reports.word", ("weasyprint",)),
        ("nearzero.reports.pdf", ("docx",)),
    ],
)
def test_heavy_libraries_are_imported_where_used(module, absent):
    code = f"import sys, {module}; print(' '.join(m for m in {absent!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
