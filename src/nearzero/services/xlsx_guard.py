"""One check of an uploaded .xlsx before openpyxl parses anything (issue #11 item 7).

An .xlsx is a zip of XML files. A small file can unpack to gigabytes, or declare a sheet of
millions of rows that openpyxl then pads out cell by cell (a 359 KB workbook kept the server
busy 75 s). :func:`check_xlsx` opens the zip, reads its directory (the sizes it declares bound
what ``zipfile`` will ever inflate: it stops at the declared size and checks the CRC), and
streams each worksheet's XML through a pull parser, counting rows and cells, stopping at the
first limit passed. Every limit is a setting (``NEARZERO_XLSX_*``, see
:class:`nearzero.settings.XlsxLimits`); the refusal names the file, the part and the limit.

A file that is not a zip at all passes through: the caller's reader refuses it with its own
message, as before.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.parsers import expat

from nearzero.services.context import InvalidInput
from nearzero.settings import XlsxLimits

CHUNK = 64 * 1024
"""Bytes of a worksheet's XML fed to the parser at a time [bytes]."""
RATIO_FLOOR = 1024 * 1024
"""Members smaller than this unpacked [bytes] are not held to the compression ratio."""
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _refuse(name: str, what: str, limit: int, unit: str, setting: str) -> InvalidInput:
    return InvalidInput(
        f"{name}: 工作簿超出限制，未读取 — the workbook is over a limit and was not read: "
        f"{what}; at most {limit:,} {unit} (NEARZERO_{setting.upper()})"
    )


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("A") + 1
    return n


def _extent(ref: str) -> tuple[int, int]:
    """(rows, columns) a ``<dimension ref="A1:C20">`` covers; (0, 0) when unreadable."""
    corners = [_CELL.match(part.strip().upper()) for part in ref.split(":")]
    if not corners or any(c is None for c in corners):
        return 0, 0
    rows = [int(c.group(2)) for c in corners if c]
    cols = [_column(c.group(1)) for c in corners if c]
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


def _check_sheet(book: zipfile.ZipFile, member: str, name: str, limits: XlsxLimits) -> None:
    """Stream one worksheet through expat (no tree is kept): its declared dimension, its rows
    (count and highest ``r``) and its cells, each against the limits, stopping at the first
    one passed."""
    where = f"sheet {member}"
    counts = {"rows": 0, "cells": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_MAIN}dimension":
            height, width = _extent(attrs.get("ref", ""))
            if height > limits.xlsx_max_rows:
                raise _refuse(
                    name,
                    f"{where} declares {height:,} rows",
                    limits.xlsx_max_rows,
                    "rows",
                    "xlsx_max_rows",
                )
            if height * width > limits.xlsx_max_cells:
                raise _refuse(
                    name,
                    f"{where} declares {height:,} × {width:,} cells",
                    limits.xlsx_max_cells,
                    "cells",
                    "xlsx_max_cells",
                )
        elif tag == f"{_MAIN}row":
            counts["rows"] += 1
            r = attrs.get("r", "")
            number = max(counts["rows"], int(r) if r.isdigit() else 0)
            if number > limits.xlsx_max_rows:
                raise _refuse(
                    name,
                    f"{where} has a row numbered {number:,}",
                    limits.xlsx_max_rows,
                    "rows",
                    "xlsx_max_rows",
                )
        elif tag == f"{_MAIN}c":
            counts["cells"] += 1
            if counts["cells"] > limits.xlsx_max_cells:
                raise _refuse(
                    name,
                    f"{where} has more than {limits.xlsx_max_cells:,} cells",
                    limits.xlsx_max_cells,
                    "cells",
                    "xlsx_max_cells",
                )

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    with book.open(member) as stream:
        while chunk := stream.read(CHUNK):
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError:
                return  # malformed XML: openpyxl refuses it with its own message


def check_xlsx(source: bytes | Path, name: str, limits: XlsxLimits | None = None) -> None:
    """Refuse an .xlsx over any limit before it is parsed; return quietly otherwise.

    source : the file's bytes, or its path
    name : how the refusal names the file (the uploaded file name)
    limits : the limits; default :class:`XlsxLimits` read from ``NEARZERO_XLSX_*``

    Raises :class:`InvalidInput` naming the file, the part and the limit passed: more members
    than ``xlsx_max_members``; a member unpacking to more than ``xlsx_max_member_bytes``
    [bytes], or (above 1 MiB) more than ``xlsx_max_ratio`` times its packed size; all members
    together more than ``xlsx_max_unpacked_bytes`` [bytes]; a worksheet declaring or holding
    more than ``xlsx_max_rows`` rows or ``xlsx_max_cells`` cells.
    """
    limits = limits if limits is not None else XlsxLimits()
    try:
        book = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader refuses it as before
    with book:
        members = book.infolist()
        if len(members) > limits.xlsx_max_members:
            raise _refuse(
                name,
                f"{len(members):,} parts in the zip",
                limits.xlsx_max_members,
                "parts",
                "xlsx_max_members",
            )
        total = 0
        for info in members:
            if info.file_size > limits.xlsx_max_member_bytes:
                raise _refuse(
                    name,
                    f"{info.filename} unpacks to {info.file_size:,} bytes",
                    limits.xlsx_max_member_bytes,
                    "bytes",
                    "xlsx_max_member_bytes",
                )
            packed = max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR and info.file_size > limits.xlsx_max_ratio * packed:
                raise _refuse(
                    name,
                    f"{info.filename} unpacks {info.file_size // packed:,} times its size",
                    limits.xlsx_max_ratio,
                    "times",
                    "xlsx_max_ratio",
                )
            total += info.file_size
            if total > limits.xlsx_max_unpacked_bytes:
                raise _refuse(
                    name,
                    f"the parts unpack to more than {total:,} bytes",
                    limits.xlsx_max_unpacked_bytes,
                    "bytes",
                    "xlsx_max_unpacked_bytes",
                )
        for info in members:
            if _SHEET.match(info.filename):
                try:
                    _check_sheet(book, info.filename, name, limits)
                except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError):
                    return  # a broken member: openpyxl refuses it with its own message
