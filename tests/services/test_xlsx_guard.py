"""The .xlsx guard (issue #11 item 7): a workbook over a limit is refused before openpyxl
parses it, quickly, with the limit named; the project's own templates pass."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from nearzero.services import inventory
from nearzero.services.context import InvalidInput
from nearzero.services.enterprise import workbook as enterprise_workbook
from nearzero.services.workbook import read_workbook
from nearzero.services.xlsx_guard import check_xlsx
from nearzero.settings import XlsxLimits

SHEET = "xl/worksheets/sheet1.xml"


def small_book() -> bytes:
    book = Workbook()
    book.active.append(["a", 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite(data: bytes, member: str, change: object) -> bytes:
    """``data`` with ``member`` replaced by ``change(old_text)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                body = change(body.decode()).encode()  # type: ignore[operator]
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def declared_rows(rows: int) -> bytes:
    """A valid workbook whose sheet declares ``rows`` rows (its <dimension ref>)."""
    return rewrite(small_book(), SHEET, lambda x: re.sub(r'ref="[^"]+"', f'ref="A1:B{rows}"', x))


def refused(source: bytes | Path, name: str = "upload.xlsx") -> str:
    began = time.monotonic()
    with pytest.raises(InvalidInput) as caught:
        check_xlsx(source, name)
    assert time.monotonic() - began < 5  # refused before anything heavy runs
    return str(caught.value)


def test_a_small_file_that_unpacks_huge_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(SHEET, b" " * (80 * 1024 * 1024))  # 80 MiB of spaces
    data = out.getvalue()
    assert len(data) < 200 * 1024  # a small file …
    message = refused(data, "bomb.xlsx")
    assert message.startswith("bomb.xlsx: ")  # … named, with the limit it passed
    assert SHEET in message and "NEARZERO_XLSX_MAX_MEMBER_BYTES" in message


def test_the_compression_ratio_and_the_total_are_limits() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(SHEET, b"0" * (4 * 1024 * 1024))
    assert "NEARZERO_XLSX_MAX_RATIO" in refused(out.getvalue())
    tight = XlsxLimits(xlsx_max_unpacked_bytes=1000)
    with pytest.raises(InvalidInput, match="NEARZERO_XLSX_MAX_UNPACKED_BYTES"):
        check_xlsx(small_book(), "t.xlsx", tight)
    with pytest.raises(InvalidInput, match="NEARZERO_XLSX_MAX_MEMBERS"):
        check_xlsx(small_book(), "t.xlsx", XlsxLimits(xlsx_max_members=2))


def test_a_sheet_declaring_two_million_rows_is_refused() -> None:
    message = refused(declared_rows(2_000_000))
    assert "declares 2,000,000 rows" in message and "at most 100,000 rows" in message
    assert "NEARZERO_XLSX_MAX_ROWS" in message


def test_a_row_numbered_two_million_is_refused() -> None:
    def far_row(xml: str) -> str:
        xml = re.sub(r"<dimension[^>]*/>", "", xml)
        return xml.replace("</sheetData>", '<row r="2000000"><c r="A2000000"/></row></sheetData>')

    message = refused(rewrite(small_book(), SHEET, far_row))
    assert "row numbered 2,000,000" in message and "NEARZERO_XLSX_MAX_ROWS" in message


def test_the_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    check_xlsx(declared_rows(50), "ok.xlsx")
    monkeypatch.setenv("NEARZERO_XLSX_MAX_ROWS", "10")
    assert "at most 10 rows" in refused(declared_rows(50))


def test_every_import_path_refuses_before_parsing(tmp_path: Path) -> None:
    bomb = declared_rows(2_000_000)
    with pytest.raises(InvalidInput, match="NEARZERO_XLSX_MAX_ROWS"):
        inventory.read_activity("activity.xlsx", bomb)
    with pytest.raises(InvalidInput, match="NEARZERO_XLSX_MAX_ROWS"):
        enterprise_workbook.parse_workbook(bomb)
    path = tmp_path / "indicators.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(InvalidInput, match=r"^indicators\.xlsx: .*NEARZERO_XLSX_MAX_ROWS"):
        read_workbook(path)


def test_the_projects_templates_pass() -> None:
    check_xlsx(inventory.activity_template(2025), "activity.xlsx")
    check_xlsx(enterprise_workbook.write_template("f1", "某企业", 2025), "firm.xlsx")
    check_xlsx(b"not a zip", "x.xlsx")  # not a zip: left to the reader's own refusal
