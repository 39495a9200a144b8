"""Indicator 14: the share of key industrial enterprises with a product carbon footprint.

The plan's 主要指标表 (济南市章丘区近零碳城市示范创建实施方案, indicator 14, binding):
开展产品碳足迹核算重点工业企业数量占比 ≥ 5 % by 2025, under Shandong's footprint work plan
(鲁环发〔2023〕8号). Here, for a year Y:

- key industrial enterprises (the denominator) are the registry's industrial firms (GB/T
  4754-2017 sections B mining, C manufacturing, D power and heat, or an industrial sector
  when the registry gives no industry code) that filed their annual emission report for Y:
  the registry's roll of key firms of that year;
- those with a product carbon footprint (the numerator) are the ones among them with a
  *completed* study (computed and approved by the office) of year Y or earlier.

share [%] = 100 × numerator / denominator, an exact Decimal; a year without key industrial
firms has no value ("no data", never 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

#: The plan's target: at least this share [%] (主要指标表, indicator 14: ≥5).
TARGET_PCT = Decimal(5)
CODE = "14"
#: GB/T 4754-2017 sections counted as industry (B mining, C manufacturing, D power and heat).
INDUSTRIAL_SECTIONS = frozenset({"B", "C", "D"})
#: Registry sector keys counted as industry when a firm has no industry code (the keys of
#: ``data/enterprise/sectors.csv`` and ``firms.yaml``).
INDUSTRIAL_SECTORS = frozenset(
    {
        "power",
        "power_reporting",
        "cement",
        "steel",
        "iron_steel",
        "aluminium",
        "non_ferrous",
        "petrochemical",
        "chemical",
        "nitrogen_fertiliser",
        "building_materials",
        "paper",
    }
)


@dataclass(frozen=True)
class FirmLine:
    """One registry firm as indicator 14 sees it in a year."""

    name: str
    industrial: bool
    reported: bool
    completed: bool

    @property
    def key_industrial(self) -> bool:
        return self.industrial and self.reported


@dataclass(frozen=True)
class Indicator14:
    """Indicator 14 of a year: counts, the share [%] (None: no data) and whether it is met."""

    year: int
    key_firms: int
    with_footprint: int
    share_pct: Decimal | None
    met: bool | None
    firms: tuple[FirmLine, ...]
    target_pct: Decimal = TARGET_PCT


def is_industrial(section: str | None, sector: str | None) -> bool:
    """Whether a firm counts as industrial: by its GB/T 4754 section when known, else by its
    registry sector key."""
    if section:
        return section in INDUSTRIAL_SECTIONS
    return (sector or "") in INDUSTRIAL_SECTORS


def share_pct(with_footprint: int, key_firms: int) -> Decimal | None:
    """100 × with_footprint / key_firms [%], exact; None when there is no key firm.

    Raises ValueError naming the count that is negative or larger than it may be.
    """
    if key_firms < 0:
        raise ValueError(f"key_firms: {key_firms} is negative (expected a count ≥ 0)")
    if not 0 <= with_footprint <= max(key_firms, 0):
        raise ValueError(
            f"with_footprint: {with_footprint} (expected a count from 0 to key_firms={key_firms})"
        )
    if key_firms == 0:
        return None
    return Decimal(100) * Decimal(with_footprint) / Decimal(key_firms)


def indicator_14(year: int, firms: Sequence[FirmLine]) -> Indicator14:
    """Indicator 14 of ``year`` from the registry's firms (see the module docstring)."""
    key = [f for f in firms if f.key_industrial]
    done = sum(1 for f in key if f.completed)
    share = share_pct(done, len(key))
    met = None if share is None else share >= TARGET_PCT
    return Indicator14(year, len(key), done, share, met, tuple(firms))
