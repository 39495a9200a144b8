"""The report as a Word document (python-docx): A4, East-Asian fonts on every style and run,
tables with explicit borders, landscape pages for wide tables, page numbers.

Fonts are named, not embedded: 仿宋 for the body, 黑体 for headings and 宋体 in tables (the
faces every Chinese Windows installation has); Word substitutes where one is missing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from copy import deepcopy
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from nearzero.indicators.choices import Status
from nearzero.reports.model import (
    NO_DATA_ZH,
    Block,
    Figure,
    Heading,
    Paragraph,
    Progress,
    Report,
    Section,
    Table,
    no_progress,
    numbered,
)

BODY, HEADING, TABLE = "仿宋", "黑体", "宋体"
LATIN = "Times New Roman"
COLOURS = {
    Status.MET: RGBColor(0x2E, 0x7D, 0x32),
    Status.NOT_MET: RGBColor(0xC6, 0x28, 0x28),
    Status.NEEDS_ASSESSMENT: RGBColor(0xB2, 0x6A, 0x00),
    Status.NO_DATA: RGBColor(0x60, 0x6B, 0x7D),
}
A4_SHORT, A4_LONG = Cm(21.0), Cm(29.7)
_BREAKS = re.compile("[\t\r\n]")  # what Run.text writes as w:tab or w:br, not in a w:t
_TCW = qn("w:tcW")
MARGIN = Cm(2.2)


def _east_asian(element: object, font: str) -> None:
    """Set the East-Asian (and Latin) font on a style's or run's rPr; drop theme fonts."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), font)


def _run(
    paragraph: DocxParagraph,
    text: str,
    font: str = BODY,
    size: float = 12,
    bold: bool = False,
    colour: RGBColor | None = None,
) -> Run:
    run = paragraph.add_run(text)
    _east_asian(run._r, font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _styles(doc: DocumentObject) -> None:
    for name, font, size, bold in (
        ("Normal", BODY, 12, False),
        ("Title", HEADING, 22, True),
        ("Heading 1", HEADING, 15, True),
        ("Heading 2", HEADING, 13, True),
        ("Caption", HEADING, 10.5, False),
        ("Table Grid", TABLE, 9, False),
    ):
        style = doc.styles[name]
        _east_asian(style.element, font)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
    # Chinese text in the document's language settings, so Word picks the East-Asian face.
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _paragraph(doc: DocumentObject, style: str) -> DocxParagraph:
    """``doc.add_paragraph(style=style)`` for a style that is not the default one: the same
    XML without python-docx's search of every style for the default on each call."""
    paragraph = doc.add_paragraph()
    paragraph._p.style = doc.styles[style].style_id
    return paragraph


def _page(section: object, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    section.page_width, section.page_height = (  # type: ignore[attr-defined]
        (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    )
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _usable_width(doc: DocumentObject) -> int:
    section = doc.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)  # type: ignore[operator]


def _page_numbers(doc: DocumentObject) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", TABLE, 10)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)
    run = _run(paragraph, "1", TABLE, 10)
    field.append(run._r)
    _run(paragraph, " —", TABLE, 10)


def _borders(table: DocxTable) -> None:
    """Single black borders on every edge and between all cells (not left to the style)."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _shade(cell: object, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]


def _cell_text(
    cell: object, text: str, bold: bool = False, right: bool = False, colour: RGBColor | None = None
) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.paragraph_format.first_line_indent = None
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(paragraph, text, TABLE, 9, bold=bold, colour=colour)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER  # type: ignore[attr-defined]


class _CellWriter:
    """:func:`_cell_text` for a table's many cells: the first cell of each look (bold, right,
    colour) is written by python-docx, the rest get a copy of its paragraph with their own
    text and the centred alignment appended to the new cell's properties, the same XML at a
    fraction of the cost (python-docx's per-property setters search every child of an element
    for its place)."""

    def __init__(self) -> None:
        self._paragraphs: dict[tuple[bool, bool, RGBColor | None], Any] = {}

    def __call__(
        self,
        cell: Any,
        text: str,
        bold: bool = False,
        right: bool = False,
        colour: RGBColor | None = None,
    ) -> None:
        key = (bold, right, colour)
        model = self._paragraphs.get(key)
        tc = cell._tc
        paragraphs = tc.p_lst
        if model is None or len(paragraphs) != 1 or len(paragraphs[0]):
            _cell_text(cell, text, bold, right, colour)
            if model is None:
                model = deepcopy(tc.p_lst[0])
                for child in model.r_lst[0][1:]:  # the run keeps its rPr, not its text
                    model.r_lst[0].remove(child)
                self._paragraphs[key] = model
            return
        paragraph = deepcopy(model)
        run = paragraph.r_lst[0]
        if text and not _BREAKS.search(text):
            # one w:t, as Run.text writes a text without tabs or line breaks
            t = OxmlElement("w:t")
            t.text = text
            if len(text.strip()) < len(text):
                t.set(qn("xml:space"), "preserve")
            run.append(t)
        else:
            run.text = text  # what Run.text does
        empty = paragraphs[0]
        empty.addprevious(paragraph)
        tc.remove(empty)
        tc_pr = tc.tcPr
        if tc_pr is not None and len(tc_pr) == 1 and tc_pr[0].tag == _TCW:
            # a new cell's properties hold only its width: vAlign goes after it
            v_align = OxmlElement("w:vAlign")
            v_align.set(qn("w:val"), "center")
            tc_pr.append(v_align)
        else:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _table(doc: DocumentObject, table: Table) -> None:
    if table.caption:
        _caption(doc, table.caption)
    out = doc.add_table(rows=len(table.rows) + 1, cols=len(table.headers))
    out._tbl.tblStyle_val = doc.styles["Table Grid"].style_id  # what `out.style =` writes
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    _borders(out)
    weights = table.widths or tuple(1.0 for _ in table.headers)
    usable = _usable_width(doc)
    widths = [int(usable * w / sum(weights)) for w in weights]
    header = out.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    write = _CellWriter()
    grid = [row.cells for row in out.rows]  # once: python-docx rebuilds its grid per lookup
    for cell, text in zip(grid[0], table.headers, strict=True):
        write(cell, text, bold=True)
        _shade(cell, "D9E2F3")
    for cells, row in zip(grid[1:], table.rows, strict=True):
        for cell, value in zip(cells, row, strict=True):
            colour = COLOURS[value.status] if value.status else None
            write(cell, value.text, right=value.num, colour=colour)
    for cells in grid:
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
    for r, span in enumerate(table.first_column_spans(), start=1):
        if span > 1:
            grid[r][0].merge(grid[r + span - 1][0])


def _caption(doc: DocumentObject, text: str) -> None:
    paragraph = _paragraph(doc, "Caption")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = None
    _run(paragraph, text, HEADING, 10.5)


def _blocks(doc: DocumentObject, blocks: Iterable[Block]) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            _run(_paragraph(doc, "Heading 2"), block.text, HEADING, 13, bold=True)
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(24)
            paragraph.paragraph_format.line_spacing = 1.5
            _run(paragraph, block.text)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run().add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
            _caption(doc, block.caption)


def _cover(doc: DocumentObject, report: Report) -> None:
    def line(
        text: str, size: float, font: str = HEADING, bold: bool = True, before: float = 0
    ) -> None:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(before)
        _run(paragraph, text, font, size, bold)

    line(report.unit_name, 26, before=120)
    line(report.title, 22, before=12)
    line(f"（{report.year}年度）", 16, BODY, False, before=12)
    if report.plan:
        line(f"依据：{report.plan}", 12, BODY, False, before=24)
    line(report.office, 14, BODY, False, before=180)
    d = report.date
    line(f"{d.year}年{d.month}月{d.day}日", 14, BODY, False, before=6)


def _section(doc: DocumentObject, section: Section, landscape: bool) -> None:
    current = doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    if landscape != current:
        _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape)
    _run(_paragraph(doc, "Heading 1"), section.title, HEADING, 15, bold=True)
    if section.empty:
        _blocks(doc, [Paragraph(NO_DATA_ZH)])
    else:
        _blocks(doc, section.blocks)


def build_docx(report: Report, progress: Progress = no_progress) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    _styles(doc)
    _page(doc.sections[0], landscape=False)
    doc.core_properties.title = f"{report.unit_name}{report.year}年度{report.title}"
    doc.core_properties.author = report.office
    _page_numbers(doc)
    _cover(doc, report)
    _run(doc.paragraphs[-1], "").add_break(WD_BREAK.PAGE)
    sections = numbered(report.sections)
    for n, section in enumerate(sections):
        progress(f"Word：{section.title}", 0.05 + 0.85 * n / len(sections))
        _section(doc, section, section.wide)
    progress("Word：保存文件", 0.95)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
