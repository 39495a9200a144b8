"""Cited parameters of the expected-reduction formulas, and the grid factor of a chosen year.

The shipped table is ``nearzero/data/projects/parameters.csv``, in the columns of the factor
files (see :mod:`nearzero.accounting.factors`). A row whose ``value`` is empty declares a
parameter that has no confirmed value yet: a formula that needs it raises
:class:`MissingParameter` unless the project supplies its own figure. Grid factors come from
the factor library (``factors/china_grid.csv``), so there is one copy of each published value.

Each parameter also carries its name in Chinese and English and its source in Chinese (the
pages show them, never the id): the parameter table's columns ``name_zh``, ``name_en`` and
``source_zh``, and for the factor-library rows the formulas read, ``projects/factor_labels.csv``
(the factor files have no Chinese columns).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources

from nearzero.accounting.factors import FACTOR_COLUMNS, STATUSES, FactorLibrary, FactorRecord
from nearzero.projects.choices import FIGURE_LABELS, STATUS_LABELS

PARAMETER_FILE = "projects/parameters.csv"
LABEL_FILE = "projects/factor_labels.csv"
LABEL_COLUMNS = ("id", "name_zh", "name_en", "source_zh")
#: Status of a figure the project supplies itself (its feasibility study, its meter readings).
PROJECT = "project"


class ReductionError(ValueError):
    """An expected reduction that cannot be computed; the message says what is missing."""


class MissingParameter(ReductionError):
    """A parameter with no confirmed value that the project has not supplied either.

    ``parameter`` names what is missing (a row of the parameter table, or ``figures.<name>``
    for a figure with no default) and ``figure`` the project's own figure that would supply
    it; both are empty when the message alone says it (e.g. a grid year not published).
    """

    def __init__(
        self,
        message: str,
        parameter: str = "",
        figure: str = "",
        parts: tuple[MissingParameter, ...] = (),
    ) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.figure = figure
        self.parts = parts

    @property
    def every(self) -> tuple[MissingParameter, ...]:
        """Each missing input on its own (this error when it names only one)."""
        return self.parts or (self,)

    @classmethod
    def of(cls, missing: list[MissingParameter]) -> MissingParameter:
        """One error naming every input in ``missing`` (the first one leads)."""
        if len(missing) == 1:
            return missing[0]
        first = missing[0]
        text = "；".join(str(m) for m in missing)
        return cls(text, first.parameter, first.figure, tuple(missing))


@dataclass(frozen=True)
class Parameter:
    """One parameter as a result records it: id, value, unit, source and status."""

    id: str
    value: float | None
    unit: str
    source: str
    status: str  # verified | to_confirm | project
    note: str = ""
    year: int | None = None
    name_zh: str = ""
    name_en: str = ""
    source_zh: str = ""  # the source in Chinese (``source`` is the English citation)

    def name(self, lang: str = "zh") -> str:
        """The parameter's name in ``lang`` (the id only when it has no name)."""
        return (self.name_en if lang == "en" else self.name_zh) or self.id

    def source_in(self, lang: str = "zh") -> str:
        """The source in ``lang``: the Chinese citation on Chinese pages, when there is one."""
        return self.source if lang == "en" else self.source_zh or self.source

    def status_text(self, lang: str = "zh") -> str:
        """The status as a person reads it (已核实, 待核实, 本工程数据)."""
        zh, en = STATUS_LABELS.get(self.status, (self.status, self.status))
        return en if lang == "en" else zh

    def require(self, figure: str) -> float:
        """The value; :class:`MissingParameter` naming the parameter and ``figure`` when empty."""
        if self.value is None:
            raise self.missing(figure)
        return self.value

    def missing(self, figure: str) -> MissingParameter:
        """The error saying this parameter has no value and which project figure supplies it."""
        return MissingParameter(
            f"{self.id}: 参数表中尚无确认值，请在工程数据中填写本工程的“{figure}”"
            f"[{self.unit}] — no confirmed value in {PARAMETER_FILE} "
            f"({self.note or self.source}); supply the project's own '{figure}' "
            f"[{self.unit}] in its figures",
            self.id,
            figure,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "status": self.status,
        }


def project_figure(name: str, value: float, unit: str, source: str = "") -> Parameter:
    """A parameter supplied by the project's own figures."""
    zh, en = FIGURE_LABELS.get(name, (name, name))
    return Parameter(
        f"project.{name}",
        value,
        unit,
        source or "project figures",
        PROJECT,
        name_zh=zh,
        name_en=en,
        source_zh=source or "本工程数据",
    )


@dataclass(frozen=True)
class Label:
    """A parameter's name in Chinese and English and its source in Chinese."""

    name_zh: str
    name_en: str
    source_zh: str


def labelled(parameter: Parameter, labels: Mapping[str, Label]) -> Parameter:
    """``parameter`` with its name and Chinese source from ``labels`` (as it is when absent)."""
    label = labels.get(parameter.id)
    if label is None:
        return parameter
    return replace(
        parameter, name_zh=label.name_zh, name_en=label.name_en, source_zh=label.source_zh
    )


def from_factor(record: FactorRecord, labels: Mapping[str, Label] | None = None) -> Parameter:
    """A factor-library row as a parameter (its id, value, unit, citation and status), named
    by ``labels`` when they hold its id."""
    source = ", ".join(
        p for p in (record.source_document, record.source_table, record.source_page) if p
    )
    parameter = Parameter(
        record.factor_id,
        record.value,
        record.unit,
        source,
        record.status,
        record.note,
        record.year,
    )
    return labelled(parameter, labels or {})


def parse_labels(text: str, file: str = LABEL_FILE) -> dict[str, Label]:
    """Parse a label table (pure): id → :class:`Label`. Raises :class:`ValueError` naming the
    file, line and column of an empty cell or a repeated id."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in LABEL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{file}: missing columns {', '.join(missing)}")
    table: dict[str, Label] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        for column in LABEL_COLUMNS:
            if not row[column]:
                raise ValueError(f"{file} line {line}, column {column!r}: empty")
        if row["id"] in table:
            raise ValueError(f"{file} line {line}, column 'id': {row['id']!r} repeated")
        table[row["id"]] = Label(row["name_zh"], row["name_en"], row["source_zh"])
    return table


def default_factor_labels() -> dict[str, Label]:
    """The shipped names of the factor-library rows the formulas read."""
    folder = resources.files("nearzero.data").joinpath("projects")
    return parse_labels(folder.joinpath("factor_labels.csv").read_text(encoding="utf-8"))


def parse_parameters(text: str, file: str = PARAMETER_FILE) -> dict[str, Parameter]:
    """Parse a parameter table (pure). An empty ``value`` means: no confirmed value yet. The
    optional columns ``name_zh``, ``name_en`` and ``source_zh`` name the parameter.

    Raises :class:`ValueError` naming the file, line and column of a bad row.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in FACTOR_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{file}: missing columns {', '.join(missing)}")
    table: dict[str, Parameter] = {}
    for line, raw in enumerate(reader, start=2):
        if None in raw:
            raise ValueError(
                f"{file} line {line}: more cells than columns (quote a cell holding a comma)"
            )
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        for column in ("id", "unit", "source_document"):
            if not row[column]:
                raise ValueError(f"{file} line {line}, column {column!r}: empty")
        if row["status"] not in STATUSES:
            raise ValueError(
                f"{file} line {line}, column 'status': {row['status']!r} is not one of "
                f"{', '.join(STATUSES)}"
            )
        try:
            value = float(row["value"]) if row["value"] else None
            year = int(row["year"]) if row["year"] else None
        except ValueError:
            raise ValueError(f"{file} line {line}: value or year is not a number") from None
        source = ", ".join(
            row[c] for c in ("source_document", "source_table", "source_page") if row[c]
        )
        table[row["id"]] = Parameter(
            row["id"],
            value,
            row["unit"],
            source,
            row["status"],
            row["note"],
            year,
            row.get("name_zh", ""),
            row.get("name_en", ""),
            row.get("source_zh", ""),
        )
    return table


def default_parameters() -> dict[str, Parameter]:
    """The shipped parameter table (the one I/O step of this package)."""
    folder = resources.files("nearzero.data").joinpath("projects")
    return parse_parameters(folder.joinpath("parameters.csv").read_text(encoding="utf-8"))


#: Grid region used when none is chosen: the MEE/NBS 华北 regional average, which covers
#: Shandong and is verified against a reprint of the official release; the Shandong provincial
#: rows of factors/china_grid.csv are still ``to_confirm``.
DEFAULT_GRID_REGION = "north_china"


def grid_years(library: FactorLibrary, region: str) -> list[int]:
    """The years that have a grid factor for ``region``."""
    return sorted(
        {
            r.year
            for r in library.records
            if r.parameter == "grid_ef" and r.subject == region and r.year is not None
        }
    )


def grid_factor(
    library: FactorLibrary,
    region: str,
    year: int | None = None,
    labels: Mapping[str, Label] | None = None,
) -> Parameter:
    """The grid factor [t/MWh] of ``region`` in ``year`` (default: the newest year published),
    named by ``labels``.

    Raises :class:`MissingParameter` naming the region and the years available.
    """
    years = grid_years(library, region)
    if not years:
        raise MissingParameter(
            f"grid factor: 因子库中没有区域“{region}”的电网排放因子 — "
            f"no grid_ef for region {region!r} in factors"
        )
    chosen = years[-1] if year is None else year
    if chosen not in years:
        raise MissingParameter(
            f"grid factor: 没有区域“{region}”{chosen}年的电网排放因子（已有年份："
            f"{'、'.join(map(str, years))}） — no grid_ef for {region!r} in {chosen} "
            f"(years available: {', '.join(map(str, years))})"
        )
    return from_factor(library.get("grid_ef", region, chosen), labels)
