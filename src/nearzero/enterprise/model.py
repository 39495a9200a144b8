"""Plain typed records shared by the enterprise modules: errors, sources, lineage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

#: Mass ratio CO2/C used by every guideline equation (44/12).
CO2_PER_C = 44.0 / 12.0

VERIFIED = "verified"
TO_CONFIRM = "to_confirm"
STATUSES = (VERIFIED, TO_CONFIRM)


class EnterpriseError(ValueError):
    """Bad enterprise input: names the field (a dotted path) and what was expected."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.detail = message
        super().__init__(f"field {field_name!r}: {message}")

    @property
    def detail_zh(self) -> str:
        """The Chinese part of a bilingual detail (``中文 — English``), else the whole detail."""
        zh, sep, _ = self.detail.partition(" — ")
        return zh if sep and _HAN.search(zh) else self.detail

    @property
    def detail_en(self) -> str:
        """The English part of a bilingual detail (``中文 — English``), else the whole detail."""
        zh, sep, en = self.detail.partition(" — ")
        return en if sep and _HAN.search(zh) else self.detail


_HAN = re.compile(r"[\u4e00-\u9fff]")
"""A Chinese character: the mark of a detail's Chinese part."""


class Tier(StrEnum):
    """Where a parameter's value comes from (the guidelines' data tier)."""

    MEASURED = "measured"  # the firm's own measurement or record
    DEFAULT = "default"  # a published default from a data file
    GAP_FILLED = "gap_filled"  # a missing month filled by the rule (mean of measured months)
    GIVEN = "given"  # a value the firm states with its own citation (a factor it was told)


@dataclass(frozen=True)
class Source:
    """Where a default comes from: document, table, clause, year, status, file row.

    ``document``, ``table`` and ``clause`` are as cited (in the source's language, or a note
    in English); ``zh`` and ``en`` give the same parts for a page in Chinese or English where
    the cited text would read in the other language (``table`` "CCER offsetting" → zh
    "CCER抵销"), as ``(document, table, clause)`` with ``""`` for a part as cited.
    """

    document: str
    table: str = ""
    clause: str = ""
    year: int | None = None
    status: str = VERIFIED
    note: str = ""
    file: str = ""
    row_id: str = ""
    version: str = ""
    zh: tuple[str, str, str] = ("", "", "")
    en: tuple[str, str, str] = ("", "", "")

    @property
    def to_confirm(self) -> bool:
        """Whether the value must still be confirmed against the official document."""
        return self.status == TO_CONFIRM

    def cite(self) -> str:
        """One line: document, table, clause and year, as cited."""
        parts = [self.document, self.table, self.clause]
        text = ", ".join(p for p in parts if p)
        return f"{text} ({self.year})" if self.year else text

    def cite_in(self, lang: str) -> str:
        """:meth:`cite` for a page in ``lang`` (``zh`` or ``en``): each part in that language
        where the row gives one, else as cited; Chinese joins with ``，`` and brackets the
        year ``（2021）``."""
        given = self.en if lang == "en" else self.zh
        cited = (self.document, self.table, self.clause)
        parts = [mine or own for mine, own in zip(given, cited, strict=True)]
        if lang == "en":
            text = ", ".join(p for p in parts if p)
            return f"{text} ({self.year})" if self.year else text
        text = "，".join(p for p in parts if p)
        return f"{text}（{self.year}）" if self.year else text


@dataclass(frozen=True)
class ParameterUse:
    """One parameter that went into a figure: its value, unit, tier and source."""

    name: str
    value: float
    unit: str
    tier: Tier
    source: Source | None = None
    field: str = ""
    months: tuple[int, ...] = ()

    @property
    def to_confirm(self) -> bool:
        """Whether a ``to_confirm`` default was used."""
        return self.source is not None and self.source.to_confirm


@dataclass(frozen=True)
class Component:
    """One term of a firm's total [t CO2] with the equation and parameters behind it.

    ``kind`` is ``fuel``, ``process``, ``electricity``, ``heat`` or ``recovered``; a
    recovered term is stored positive and subtracted in the total.
    """

    key: str
    kind: str
    tco2: float
    equation: str
    parameters: tuple[ParameterUse, ...] = ()
    facility: str = ""
    note: str = ""


def decimal_of(value: float, places: int = 6) -> Decimal:
    """``value`` as a Decimal rounded to ``places`` decimals, for exact threshold tests.

    Float arithmetic leaves noise in the last digits (26 000 may come out 25 999.999999999996);
    comparing the rounded Decimal judges a value on a threshold as the rule says.
    """
    return round(Decimal(repr(value)), places)


def non_negative(value: float, field_name: str, unit: str) -> float:
    """``value`` if it is a finite number ≥ 0, else an :class:`EnterpriseError`."""
    if value != value or value in (float("inf"), float("-inf")):
        raise EnterpriseError(
            field_name,
            f"{value!r}不是数字（应为[{unit}]） — {value!r} is not a number (expected [{unit}])",
        )
    if value < 0:
        raise EnterpriseError(
            field_name,
            f"{value:g}为负数（应≥0 [{unit}]） — {value:g} is negative (expected ≥ 0 [{unit}])",
        )
    return value


def fraction(value: float, field_name: str) -> float:
    """``value`` if it lies in [0, 1] (a mass fraction or rate), else an error."""
    non_negative(value, field_name, "fraction")
    if value > 1:
        raise EnterpriseError(
            field_name,
            f"{value:g}大于1（应为0到1之间的比例，如65%填0.65） — "
            f"{value:g} is above 1 (expected a fraction in [0, 1], e.g. 0.65 for 65%)",
        )
    return value
