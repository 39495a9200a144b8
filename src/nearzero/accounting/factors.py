"""The factor library: default factors shipped as CSV, user overlays, provenance.

Every file under ``nearzero/data/factors/`` has the columns

``id, parameter, subject, value, unit, source_document, source_table, source_page,
year, status, min, max, uncertainty_pct, note``

``status`` is ``verified`` (checked against the cited source, possibly through a
faithful secondary reprint named in ``note``) or ``to_confirm`` (a candidate value
that must be confirmed against the official document before it is relied upon).
``min``/``max`` are the 95 % interval, ``uncertainty_pct`` a symmetric ±% (95 %).

A result records each row that produced it as a :class:`~nearzero.accounting.model.FactorRef`
(id, file, and the first 12 hex digits of the file's SHA-256 as its version).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from nearzero.accounting.model import FactorRef

FACTOR_COLUMNS = (
    "id",
    "parameter",
    "subject",
    "value",
    "unit",
    "source_document",
    "source_table",
    "source_page",
    "year",
    "status",
    "min",
    "max",
    "uncertainty_pct",
    "note",
)
STATUSES = ("verified", "to_confirm")
#: Status of a factor a user supplies with their own citation (overlay or row override).
LOCAL_STATUS = "local"

#: Subject of a row that applies to every subject (e.g. the default oxidation factor).
WILDCARD = "*"

#: The default files, in lookup order.
DEFAULT_FILES = (
    "ipcc2006_energy.csv",
    "china_energy.csv",
    "china_grid.csv",
    "ipcc2006_ippu.csv",
    "ipcc2006_agriculture.csv",
    "ipcc2006_lulucf.csv",
    "ipcc2006_waste.csv",
)


class FactorNotFound(LookupError):
    """No factor row for a parameter and subject; the message names the file(s) searched."""


class FactorFileError(ValueError):
    """A malformed factor file: names the file, the line and the column."""


@dataclass(frozen=True)
class FactorRecord:
    """One row of a factor file."""

    factor_id: str
    parameter: str
    subject: str
    value: float
    unit: str
    source_document: str
    source_table: str
    source_page: str
    year: int | None
    status: str
    min: float | None
    max: float | None
    uncertainty_pct: float | None
    note: str
    file: str
    version: str

    @property
    def half_width(self) -> float | None:
        """Relative half-width of the 95 % interval [fraction], when the row gives one."""
        if self.uncertainty_pct is not None:
            return self.uncertainty_pct / 100.0
        if self.min is not None and self.max is not None and self.value != 0:
            return (self.max - self.min) / 2.0 / abs(self.value)
        return None

    def ref(self) -> FactorRef:
        """The provenance record of this row."""
        return FactorRef(
            self.factor_id,
            self.file,
            self.version,
            self.parameter,
            self.subject,
            self.value,
            self.unit,
            self.status,
        )


def content_version(text: str) -> str:
    """Version of a factor file: the first 12 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _optional_float(text: str, file: str, line: int, column: str) -> float | None:
    if text.strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise FactorFileError(
            f"{file} line {line}, column {column!r}: {text!r}不是数值 — {text!r} is not a number"
        ) from None


def parse_factor_csv(text: str, file: str) -> list[FactorRecord]:
    """Parse the text of a factor file into records (pure; ``file`` is only a label).

    Raises :class:`FactorFileError` naming the file, line and column on bad input.
    """
    version = content_version(text)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in FACTOR_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise FactorFileError(
            f"{file}: 缺少列{'、'.join(missing)} — missing columns {', '.join(missing)}"
        )
    records: list[FactorRecord] = []
    for line, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        for column in ("id", "parameter", "subject", "value", "unit", "source_document"):
            if not row[column]:
                raise FactorFileError(f"{file} line {line}, column {column!r}: 不能为空 — empty")
        if row["status"] not in (*STATUSES, LOCAL_STATUS):
            raise FactorFileError(
                f"{file} line {line}, column 'status': 状态{row['status']!r}不是"
                f"{'、'.join(STATUSES)}之一 — {row['status']!r} is not one of "
                f"{', '.join(STATUSES)}"
            )
        value = _optional_float(row["value"], file, line, "value") or 0.0
        year = _optional_float(row["year"], file, line, "year")
        records.append(
            FactorRecord(
                factor_id=row["id"],
                parameter=row["parameter"],
                subject=row["subject"],
                value=float(value or 0.0),
                unit=row["unit"],
                source_document=row["source_document"],
                source_table=row["source_table"],
                source_page=row["source_page"],
                year=None if year is None else int(year),
                status=row["status"],
                min=_optional_float(row["min"], file, line, "min"),
                max=_optional_float(row["max"], file, line, "max"),
                uncertainty_pct=_optional_float(
                    row["uncertainty_pct"], file, line, "uncertainty_pct"
                ),
                note=row["note"],
                file=file,
                version=version,
            )
        )
    return records


def local_factor(
    factor_id: str,
    parameter: str,
    subject: str,
    value: float,
    unit: str,
    source: str,
    *,
    year: int | None = None,
    uncertainty_pct: float | None = None,
    note: str = "",
) -> FactorRecord:
    """A user's local (Tier 2) factor with its own citation, for :meth:`FactorLibrary.overlay`.

    ``source`` must name the document (and table/page) the value comes from.
    """
    if not source.strip():
        raise ValueError(
            f"本地排放因子{factor_id!r}须注明出处 — "
            f"local factor {factor_id!r} needs a source citation"
        )
    text = "|".join(
        map(str, (factor_id, parameter, subject, value, unit, source, year, uncertainty_pct))
    )
    return FactorRecord(
        factor_id,
        parameter,
        subject,
        float(value),
        unit,
        source,
        "",
        "",
        year,
        LOCAL_STATUS,
        None,
        None,
        uncertainty_pct,
        note,
        "local",
        content_version(text),
    )


class FactorLibrary:
    """Factor records looked up by ``(parameter, subject[, year])`` or by id.

    Later records take precedence over earlier ones, so an overlay of local factors
    replaces the defaults for the same parameter and subject.
    """

    def __init__(self, records: Iterable[FactorRecord]) -> None:
        self.records: tuple[FactorRecord, ...] = tuple(records)
        self._by_key: dict[tuple[str, str], list[FactorRecord]] = {}
        self._by_id: dict[str, FactorRecord] = {}
        #: ``(parameter, subject, year)`` → the record chosen, or why there is none.
        self._memo: dict[tuple[str, str, int | None], FactorRecord | str] = {}
        for record in self.records:
            self._by_key.setdefault((record.parameter, record.subject), []).append(record)
            self._by_id[record.factor_id] = record

    def overlay(self, records: Iterable[FactorRecord]) -> FactorLibrary:
        """A new library where ``records`` take precedence over this one's."""
        return FactorLibrary((*self.records, *records))

    def replace_value(self, factor_id: str, value: float, note: str = "") -> FactorLibrary:
        """A new library with one row's value changed (for recalculation studies)."""
        old = self.by_id(factor_id)
        new = replace(
            old,
            value=value,
            note=note or old.note,
            version=content_version(f"{old.version}|{factor_id}|{value}"),
        )
        return FactorLibrary(new if r is old else r for r in self.records)

    def _files_with(self, parameter: str) -> list[str]:
        files = dict.fromkeys(r.file for r in self.records if r.parameter == parameter)
        return list(files) or ["any factor file"]

    def get(self, parameter: str, subject: str, year: int | None = None) -> FactorRecord:
        """The record for ``parameter`` and ``subject`` (and ``year`` when given).

        A row whose subject is ``*`` applies to every subject without a row of its own.
        With ``year``, a row of that year is chosen, else a row without a year.
        Raises :class:`FactorNotFound` naming the file(s) that hold the parameter.
        """
        found = self._lookup(parameter, subject, year)
        if isinstance(found, FactorRecord):
            return found
        raise FactorNotFound(found)

    def find(self, parameter: str, subject: str, year: int | None = None) -> FactorRecord | None:
        """Like :meth:`get`, but ``None`` when there is no such row."""
        found = self._lookup(parameter, subject, year)
        return found if isinstance(found, FactorRecord) else None

    def _lookup(self, parameter: str, subject: str, year: int | None) -> FactorRecord | str:
        """The record, or why there is none; one dictionary look-up once a key has been
        asked (hits and misses alike), so a row's factors cost O(1) whatever the library's
        size."""
        key = (parameter, subject, year)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._choose(parameter, subject, year)
        return found

    def _choose(self, parameter: str, subject: str, year: int | None) -> FactorRecord | str:
        candidates = self._by_key.get((parameter, subject)) or self._by_key.get(
            (parameter, WILDCARD), []
        )
        if year is not None:
            dated = [r for r in candidates if r.year == year]
            undated = [r for r in candidates if r.year is None]
            if not (dated or undated) and candidates:
                years = sorted({r.year for r in candidates if r.year is not None})
                return (
                    f"{_where(self._files_with(parameter))}中没有{subject!r}在{year}年的"
                    f"{parameter}（可用年份：{'、'.join(map(str, years))}） — "
                    f"no {parameter} for {subject!r} in year {year} in "
                    f"{_where(self._files_with(parameter))} (years available: "
                    f"{', '.join(map(str, years))})"
                )
            candidates = dated or undated
        if not candidates:
            files = _where(self._files_with(parameter))
            return (
                f"{_where_zh(files)}中没有{subject!r}的{parameter} — "
                f"no {parameter} for {subject!r} in {files}"
            )
        return candidates[-1]

    def by_id(self, factor_id: str) -> FactorRecord:
        """The record with id ``factor_id``."""
        try:
            return self._by_id[factor_id]
        except KeyError:
            files = dict.fromkeys(r.file for r in self.records)
            raise FactorNotFound(
                f"{_where(list(files))}中没有编号为{factor_id!r}的排放因子 — "
                f"no factor with id {factor_id!r} in {_where(list(files))}"
            ) from None

    def subjects(self, parameter: str) -> list[str]:
        """Subjects that have a row for ``parameter`` (for choices, hints and templates)."""
        return sorted({r.subject for r in self.records if r.parameter == parameter})

    def to_confirm(self) -> list[FactorRecord]:
        """Rows whose status is ``to_confirm``."""
        return [r for r in self.records if r.status == "to_confirm"]


def _where_zh(where: str) -> str:
    """:func:`_where` for the Chinese part of a message."""
    return "任何排放因子文件" if where == "any factor file" else where


def _where(files: Sequence[str]) -> str:
    return ", ".join(f"factors/{f}" if f.endswith(".csv") else f for f in files)


def read_default_texts() -> Mapping[str, str]:
    """The texts of the shipped factor files, by file name (the one I/O step)."""
    folder = resources.files("nearzero.data").joinpath("factors")
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in DEFAULT_FILES}


@cache
def default_library() -> FactorLibrary:
    """The library of all shipped factor files (parsed once per process; overlays make new
    libraries, so the shared one is never changed)."""
    texts = read_default_texts()
    return FactorLibrary(r for name in DEFAULT_FILES for r in parse_factor_csv(texts[name], name))
