"""The bundled enterprise data files (``nearzero/data/enterprise/``): parsing and lookup.

Every CSV row carries its source (``source_document``, ``source_table``, ``source_clause``,
``source_year``) and a ``status`` of ``verified`` or ``to_confirm``; optional columns
``source_document_zh`` … ``source_clause_en`` give a part of the citation as a Chinese or an
English page shows it where the cited text reads in the other language; a file without those
columns, or a row without a status, is refused with the file, line and column named. A file's
version is the first 12 hex digits of its SHA-256, carried into every result that used it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import yaml

from nearzero.enterprise.model import STATUSES, Source

SOURCE_COLUMNS = (
    "id",
    "source_document",
    "source_table",
    "source_clause",
    "source_year",
    "status",
    "note",
)


class DataFileError(ValueError):
    """A malformed data file: names the file, the line and the column."""


class DataNotFound(LookupError):
    """No row for a lookup; the message names the file searched and the key."""


def content_version(text: str) -> str:
    """Version of a data file: the first 12 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class DataRow:
    """One row of an enterprise data file."""

    file: str
    line: int
    version: str
    values: Mapping[str, str]

    @property
    def row_id(self) -> str:
        """The row's ``id``."""
        return self.values["id"]

    def text(self, column: str) -> str:
        """The cell of ``column`` (stripped)."""
        return self.values.get(column, "").strip()

    def number(self, column: str) -> float:
        """The cell of ``column`` as a float."""
        return float(self.decimal(column))

    def decimal(self, column: str) -> Decimal:
        """The cell of ``column`` as an exact Decimal (thresholds, benchmarks)."""
        text = self.text(column)
        try:
            return Decimal(text)
        except InvalidOperation:
            raise DataFileError(
                f"{self.file} line {self.line}, column {column!r}: {text!r} is not a number"
            ) from None

    def year(self, column: str) -> int | None:
        """The cell of ``column`` as a year, or ``None`` when empty."""
        text = self.text(column)
        if not text:
            return None
        if not text.isdigit():
            raise DataFileError(
                f"{self.file} line {self.line}, column {column!r}: {text!r} is not a year"
            )
        return int(text)

    def covers(self, year: int) -> bool:
        """Whether ``from_year`` ≤ ``year`` ≤ ``to_year`` (an empty bound is open)."""
        start, end = self.year("from_year"), self.year("to_year")
        return (start is None or start <= year) and (end is None or year <= end)

    def source(self) -> Source:
        """The row's source, with file, row id and file version."""
        return Source(
            document=self.text("source_document"),
            table=self.text("source_table"),
            clause=self.text("source_clause"),
            year=self.year("source_year"),
            status=self.text("status"),
            note=self.text("note"),
            file=self.file,
            row_id=self.row_id,
            version=self.version,
            zh=(
                self.text("source_document_zh"),
                self.text("source_table_zh"),
                self.text("source_clause_zh"),
            ),
            en=(
                self.text("source_document_en"),
                self.text("source_table_en"),
                self.text("source_clause_en"),
            ),
        )


def parse_csv(text: str, file: str) -> tuple[DataRow, ...]:
    """Parse an enterprise data CSV (pure; ``file`` is only a label for errors)."""
    version = content_version(text)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in SOURCE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataFileError(f"{file}: missing column(s) {', '.join(missing)}")
    rows: list[DataRow] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        values = {k: (v or "") for k, v in raw.items() if k is not None}
        status = values["status"].strip()
        if status not in STATUSES:
            raise DataFileError(
                f"{file} line {line}, column 'status': {status!r} (expected one of "
                f"{', '.join(STATUSES)})"
            )
        for column in ("id", "source_document"):
            if not values[column].strip():
                raise DataFileError(f"{file} line {line}, column {column!r}: empty")
        if values["id"] in seen:
            raise DataFileError(f"{file} line {line}, column 'id': {values['id']!r} repeated")
        seen.add(values["id"])
        rows.append(DataRow(file, line, version, values))
    return tuple(rows)


def _read(name: str) -> str:
    return resources.files("nearzero.data").joinpath("enterprise", name).read_text("utf-8")


@cache
def load_csv(name: str) -> tuple[DataRow, ...]:
    """The rows of the bundled file ``nearzero/data/enterprise/<name>``."""
    return parse_csv(_read(name), f"data/enterprise/{name}")


@cache
def load_yaml(name: str) -> tuple[dict[str, Any], str]:
    """The bundled YAML file ``nearzero/data/enterprise/<name>`` and its version."""
    text = _read(name)
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise DataFileError(f"data/enterprise/{name}: expected a mapping at the top")
    return data, content_version(text)


def rule(rule_id: str) -> DataRow:
    """A threshold or deadline of ``rules.csv`` (value, unit, comparator, source)."""
    for row in load_csv("rules.csv"):
        if row.row_id == rule_id:
            return row
    raise DataNotFound(f"no rule {rule_id!r} in data/enterprise/rules.csv")


def compare(value: Decimal, comparator: str, threshold: Decimal) -> bool:
    """``value <comparator> threshold`` for a rule's comparator (``>``, ``>=``, ``<``, ``<=``)."""
    if comparator == ">":
        return value > threshold
    if comparator == ">=":
        return value >= threshold
    if comparator == "<":
        return value < threshold
    if comparator == "<=":
        return value <= threshold
    raise DataFileError(f"unknown comparator {comparator!r} (expected >, >=, < or <=)")


#: The bundled CSV files, each row with its source and status.
CSV_FILES = (
    "fuel_defaults.csv",
    "electricity_factors.csv",
    "tce_coefficients.csv",
    "benchmarks.csv",
    "rules.csv",
    "sectors.csv",
)


def to_confirm_rows() -> tuple[Source, ...]:
    """Every bundled row still ``to_confirm``, for the pages and reports that flag them."""
    return tuple(r.source() for name in CSV_FILES for r in load_csv(name) if r.source().to_confirm)
