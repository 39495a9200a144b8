"""Cited parameters of the expected-reduction formulas, and the grid factor of a chosen year.

The shipped table is ``nearzero/data/projects/parameters.csv``, in the columns of the factor
files (see :mod:`nearzero.accounting.factors`). A row whose ``value`` is empty declares a
parameter that has no confirmed value yet: a formula that needs it raises
:class:`MissingParameter` unless the project supplies its own figure. Grid factors come from
the factor library (``factors/china_grid.csv``), so there is one copy of each published value.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from nearzero.accounting.factors import FACTOR_COLUMNS, STATUSES, FactorLibrary, FactorRecord

PARAMETER_FILE = "projects/parameters.csv"
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
    return Parameter(f"project.{name}", value, unit, source or "project figures", PROJECT)


def from_factor(record: FactorRecord) -> Parameter:
    """A factor-library row as a parameter (its id, value, unit, citation and status)."""
    source = ", ".join(
        p for p in (record.source_document, record.source_table, record.source_page) if p
    )
    return Parameter(
        record.factor_id,
        record.value,
        record.unit,
        source,
        record.status,
        record.note,
        record.year,
    )


def parse_parameters(text: str, file: str = PARAMETER_FILE) -> dict[str, Parameter]:
    """Parse a parameter table (pure). An empty ``value`` means: no confirmed value yet.

    Raises :class:`ValueError` naming the file, line and column of a bad row.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in FACTOR_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{file}: missing columns {', '.join(missing)}")
    table: dict[str, Parameter] = {}
    for line, raw in enumerate(reader, start=2):
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
            row["id"], value, row["unit"], source, row["status"], row["note"], year
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


def grid_factor(library: FactorLibrary, region: str, year: int | None = None) -> Parameter:
    """The grid factor [t/MWh] of ``region`` in ``year`` (default: the newest year published).

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
    return from_factor(library.get("grid_ef", region, chosen))
