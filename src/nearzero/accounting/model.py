"""Plain typed records shared by the inventory modules (no logic beyond validation).

An :class:`ActivityRow` is one line of activity data (a fuel burnt in a sector, a
livestock population, a landfill's deposition history …). A method turns a row into
:class:`GasAmount` values; the orchestrator turns those into :class:`EmissionRecord`
rows that remember the factors (:class:`FactorRef`) that produced them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: Molecular-weight ratios used by the IPCC equations.
CO2_PER_C = 44.0 / 12.0
CH4_PER_C = 16.0 / 12.0
N2O_PER_N = 44.0 / 28.0


class Notation(StrEnum):
    """IPCC notation keys for an estimate that is not a number (IPCC 2006 Vol 1 Ch 8 §8.2.2)."""

    NO = "NO"  # not occurring
    NE = "NE"  # not estimated
    NA = "NA"  # not applicable
    IE = "IE"  # included elsewhere
    C = "C"  # confidential


_HAN = re.compile(r"[\u4e00-\u9fff]")
"""A Chinese character: the Chinese part of a bilingual message ``中文 — English``."""


class ActivityError(ValueError):
    """Bad activity data: names the row (index and id, sheet when known) and the field."""

    def __init__(
        self, index: int, field_name: str, message: str, *, row_id: str = "", sheet: str = ""
    ) -> None:
        self.index = index
        self.field = field_name
        self.row_id = row_id
        self.sheet = sheet
        self.message = message
        where = f"sheet {sheet!r} " if sheet else ""
        ident = f" ({row_id})" if row_id else ""
        at = f"{where}row {index}{ident}, field {field_name!r}"
        zh, dash, en = message.partition(" — ")
        if dash and _HAN.search(zh):  # bilingual: each part names the row and field
            super().__init__(f"{at}: {zh} — {at}: {en}")
        else:
            super().__init__(f"{at}: {message}")


@dataclass(frozen=True)
class Param:
    """An activity-side parameter of a row: a number with a unit, or a text choice."""

    value: float | str
    unit: str = ""


@dataclass(frozen=True)
class FactorOverride:
    """A row-level factor: a value with its own citation, or the id of a library row."""

    value: float | None = None
    unit: str = ""
    source: str = ""
    ref_id: str = ""
    uncertainty_pct: float | None = None


@dataclass(frozen=True)
class ActivityRow:
    """One activity line of an inventory year.

    ``quantity`` is ``None`` exactly when ``notation`` says why there is no number.
    """

    index: int
    row_id: str
    year: int
    category: str
    method: str
    subject: str
    gases: tuple[str, ...]
    quantity: float | None
    unit: str
    params: Mapping[str, Param] = field(default_factory=dict)
    factors: Mapping[str, FactorOverride] = field(default_factory=dict)
    notation: Notation | None = None
    uncertainty_pct: float | None = None
    illustrative: bool = False
    note: str = ""
    sheet: str = ""
    subject_field: str = "subject"

    def error(self, field_name: str, message: str) -> ActivityError:
        """An :class:`ActivityError` that names this row and ``field_name``."""
        return ActivityError(self.index, field_name, message, row_id=self.row_id, sheet=self.sheet)


@dataclass(frozen=True)
class FactorRef:
    """Which factor row produced a number: id, file and the file's content hash."""

    factor_id: str
    file: str
    version: str
    parameter: str
    subject: str
    value: float
    unit: str
    status: str


@dataclass(frozen=True)
class GasAmount:
    """Tonnes of one gas from one row (negative for a removal)."""

    gas: str
    tonnes: float


@dataclass(frozen=True)
class EmissionRecord:
    """One gas of one row in the finished inventory."""

    row_id: str
    year: int
    category: str
    sector: str
    method: str
    gas: str
    gas_group: str
    tonnes: float
    tco2e: float
    scope: int
    factor_refs: tuple[FactorRef, ...]
    uncertainty_pct: float | None
    illustrative: bool


@dataclass(frozen=True)
class YearData:
    """Denominators of one inventory year: population [person] and GDP [万元]."""

    population: float | None = None
    gdp: float | None = None
    illustrative: bool = False
    note: str = ""


@dataclass(frozen=True)
class ActivityMetadata:
    """What an activity file says about itself."""

    region: str = ""
    source: str = ""
    note: str = ""
    years: Mapping[int, YearData] = field(default_factory=dict)
