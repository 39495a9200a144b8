"""IPCC 2006 category codes and the five sectors of the provincial guideline.

Codes are checked against ``climate_categories.IPCC2006`` (pik-primap), not typed
here: its 290 categories, their other spellings and English titles are shipped as
``data/factors/ipcc2006_categories.csv`` (a test holds the file equal to the package), so a
command that checks one code does not import pandas and networkx to build the package's
graph. The mapping to the five sectors of 省级温室气体清单编制指南（试行）(2011) —
能源活动, 工业生产过程, 农业, 土地利用变化和林业, 废弃物处理 — splits IPCC 2006
sector 3 (AFOLU) into agriculture and LULUCF by the longest matching code prefix.

Indirect emissions from grid-supplied electricity and heat have no IPCC code (they
are not part of a territorial inventory); they carry the codes in
:data:`INDIRECT_CATEGORIES` and count as energy, GPC scope 2.

Titles: English from ``climate_categories`` (the file above); Chinese from the data file
``data/factors/category_titles_zh.csv`` (each row names its source: the provincial
guideline's section heading where it has one, else the IPCC 2006 category title in the
Chinese edition's style).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class Sector(StrEnum):
    """The five sectors; the value is the English key used in code and files."""

    ENERGY = "energy"
    IPPU = "ippu"
    AGRICULTURE = "agriculture"
    LULUCF = "lulucf"
    WASTE = "waste"

    @property
    def label_zh(self) -> str:
        """The sector's name in the provincial guideline."""
        return SECTOR_LABELS_ZH[self]

    def label(self, lang: str = "zh") -> str:
        """The sector's name in ``lang`` (IPCC 2006's English names for ``en``)."""
        return SECTOR_LABELS_EN[self] if lang == "en" else SECTOR_LABELS_ZH[self]


SECTOR_LABELS_ZH: dict[Sector, str] = {
    Sector.ENERGY: "能源活动",
    Sector.IPPU: "工业生产过程",
    Sector.AGRICULTURE: "农业",
    Sector.LULUCF: "土地利用变化和林业",
    Sector.WASTE: "废弃物处理",
}

SECTOR_LABELS_EN: dict[Sector, str] = {
    Sector.ENERGY: "Energy",
    Sector.IPPU: "Industrial processes and product use",
    Sector.AGRICULTURE: "Agriculture",
    Sector.LULUCF: "Land use, land-use change and forestry",
    Sector.WASTE: "Waste",
}

#: Codes for indirect (scope 2) emissions; outside the IPCC 2006 code list.
INDIRECT_CATEGORIES: dict[str, str] = {
    "IND.1": "Grid-supplied electricity consumed (indirect, GPC scope 2)",
    "IND.2": "Grid-supplied heat consumed (indirect, GPC scope 2)",
}

#: The Chinese category titles (code, title_zh, source, note), beside the factor files.
TITLES_ZH_FILE = "category_titles_zh.csv"

#: Longest matching prefix decides the sector (IPCC 2006 codes, dotted form).
_SECTOR_BY_PREFIX: dict[str, Sector] = {
    "1": Sector.ENERGY,
    "2": Sector.IPPU,
    "3": Sector.AGRICULTURE,
    "3.B": Sector.LULUCF,
    "3.C.1.a": Sector.LULUCF,
    "3.D.1": Sector.LULUCF,
    "4": Sector.WASTE,
    "IND": Sector.ENERGY,
}

#: GPC: emissions from grid-supplied energy generated in the city are reported in
#: scope 1 but left out of the BASIC / BASIC+ totals (they reappear as scope 2 of
#: the consumers).
GRID_GENERATION_CATEGORY = "1.A.1.a"


class UnknownCategory(ValueError):
    """A code that is neither an IPCC 2006 category nor an indirect category."""


CATEGORIES_FILE = "ipcc2006_categories.csv"


@dataclass(frozen=True)
class _Categories:
    """IPCC 2006 categories: every spelling to its dotted code, the dotted code to its title."""

    canonical: dict[str, str]
    titles: dict[str, str]


def parse_categories(text: str) -> _Categories:
    """The categories from the text of :data:`CATEGORIES_FILE` (pure; ``#`` lines skipped)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    canonical: dict[str, str] = {}
    titles: dict[str, str] = {}
    for row in csv.DictReader(lines):
        code = row["code"]
        titles[code] = row["title"]
        for spelling in (code, *row["aliases"].split()):
            canonical[spelling] = code
    return _Categories(canonical, titles)


@cache
def _ipcc2006() -> _Categories:
    folder = resources.files("nearzero.data").joinpath("factors")
    return parse_categories(folder.joinpath(CATEGORIES_FILE).read_text(encoding="utf-8"))


def ipcc2006_codes() -> list[str]:
    """Every dotted IPCC 2006 category code of ``climate_categories.IPCC2006``."""
    return list(_ipcc2006().titles)


def canonical_code(code: str) -> str:
    """The dotted IPCC 2006 form of ``code`` ("1A1a" -> "1.A.1.a").

    Raises :class:`UnknownCategory` when the code is not in ``climate_categories.IPCC2006``
    nor in :data:`INDIRECT_CATEGORIES`.
    """
    text = code.strip()
    if text in INDIRECT_CATEGORIES:
        return text
    try:
        return _ipcc2006().canonical[text]
    except KeyError:
        raise UnknownCategory(
            f"{code!r}不是IPCC 2006排放源类别代码 — {code!r} is not an IPCC 2006 category code"
        ) from None


def parse_titles_zh(text: str) -> dict[str, str]:
    """``code -> title_zh`` from the text of :data:`TITLES_ZH_FILE` (pure)."""
    rows = csv.DictReader(io.StringIO(text))
    return {row["code"].strip(): row["title_zh"].strip() for row in rows if row["title_zh"]}


@cache
def titles_zh() -> dict[str, str]:
    """The shipped Chinese titles by dotted code (the one I/O step, cached)."""
    folder = resources.files("nearzero.data").joinpath("factors")
    return parse_titles_zh(folder.joinpath(TITLES_ZH_FILE).read_text(encoding="utf-8"))


def category_title(code: str, lang: str = "en") -> str:
    """Title of a category in ``lang`` ("zh" or "en").

    English comes from climate_categories (or the indirect list); Chinese from
    :data:`TITLES_ZH_FILE`, falling back to English for a code the file lacks.
    """
    canonical = canonical_code(code)
    if lang == "zh" and canonical in titles_zh():
        return titles_zh()[canonical]
    if canonical in INDIRECT_CATEGORIES:
        return INDIRECT_CATEGORIES[canonical]
    return _ipcc2006().titles[canonical]


def is_indirect(code: str) -> bool:
    """Whether the category is an indirect (scope 2) emission."""
    return canonical_code(code) in INDIRECT_CATEGORIES


def is_within(code: str, prefix: str) -> bool:
    """Whether dotted ``code`` is ``prefix`` or one of its sub-categories."""
    return code == prefix or code.startswith(prefix + ".")


def sector_of(code: str) -> Sector:
    """The provincial-guideline sector of an IPCC 2006 (or indirect) category code."""
    canonical = canonical_code(code)
    matches = [p for p in _SECTOR_BY_PREFIX if is_within(canonical, p)]
    return _SECTOR_BY_PREFIX[max(matches, key=len)]


def parse_sector(text: str) -> Sector:
    """A :class:`Sector` from its English key or its Chinese name."""
    key = text.strip()
    for sector in Sector:
        if key in (sector.value, sector.label_zh):
            return sector
    raise ValueError(
        f"未知部门{text!r}，应为{'、'.join(s.label_zh for s in Sector)}之一 — "
        f"unknown sector {text!r}; expected one of "
        + ", ".join(f"{s.value}/{s.label_zh}" for s in Sector)
    )
