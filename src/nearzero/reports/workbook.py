"""The dossier's indicator workbook (openpyxl): one sheet per table, numbers as numbers."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from nearzero.indicators.choices import Status
from nearzero.reports.model import Table

HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
STATUS_FONT = {
    Status.MET: Font(color="2E7D32", bold=True),
    Status.NOT_MET: Font(color="C62828", bold=True),
    Status.NEEDS_ASSESSMENT: Font(color="B26A00"),
    Status.NO_DATA: Font(color="606B7D"),
}
WRAP = Alignment(wrap_text=True, vertical="top")
_PRINTED = re.compile(r"^-?[\d,]*\d(?:\.(\d+))?$")


def number_format(text: str) -> str:
    """The Excel number format that shows a number as ``text`` prints it: as many decimals,
    thousands separated where the text separates them (``9,290,749.01`` → ``#,##0.00``,
    ``0.0286`` → ``0.0000``, ``12`` → ``0``); ``General`` for a text that is not a number."""
    match = _PRINTED.match(text.strip())
    if match is None:
        return "General"
    decimals = len(match.group(1) or "")
    whole = "#,##0" if "," in text else "0"
    return whole + ("." + "0" * decimals if decimals else "")


def build_workbook(sheets: Sequence[tuple[str, Table]], title: str = "") -> bytes:
    """Each (sheet name, table) as a sheet: a frozen bold header row, borders, wrapped text.

    A cell with a raw ``value`` is written as that number, formatted to show as its text
    prints it (:func:`number_format`: the stored figure stays exact, the sheet reads as the
    report); other cells as their text.
    """
    book = Workbook()
    book.remove(book.active)
    if title:
        book.properties.title = title
    for name, table in sheets:
        sheet = book.create_sheet(name)
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        for row in table.rows:
            sheet.append([c.value if c.value is not None else c.text for c in row])
            for target, source in zip(sheet[sheet.max_row], row, strict=True):
                target.border = BORDER
                target.alignment = WRAP
                if source.value is not None:
                    target.number_format = number_format(source.text)
                if source.status is not None:
                    target.font = STATUS_FONT[source.status]
        for i, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
