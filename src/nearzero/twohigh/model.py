"""Two-high projects (两高项目) and their substitution sources (替代源): the plain data.

The plan's tasks 四（三）1–2: every new high-energy high-emission project substitutes its new
emissions, capacity, coal, energy and pollutants (the "five substitutions", 五个替代) from
sources that close or cut, at ratios set by Shandong's rules (鲁政办字〔2021〕57号;
山东省高耗能高排放建设项目碳排放减量替代办法（试行）). Amounts entered by people are
:class:`~decimal.Decimal` in a dimension's entry unit (t, tce, t/a, MW); the ledger holds
integers in the dimension's ledger unit (kg, kgce, t/a, kW).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class TwoHighError(ValueError):
    """Input the two-high rules refuse; ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class Segment:
    """One of the 16 two-high industry segments (鲁政办字〔2021〕57号)."""

    code: str
    name_zh: str
    name_en: str
    status: str


@dataclass(frozen=True, slots=True)
class Dimension:
    """A substitution dimension: carbon, coal, energy, a pollutant, or a capacity.

    ``asset`` is its asset in the ledger; amounts are entered in ``entry_unit`` and held as
    integers in ``ledger_unit`` (the conversion is exact: :func:`nearzero.units.convert_exact`).
    """

    code: str
    asset: str
    group: str
    name_zh: str
    name_en: str
    entry_unit: str
    ledger_unit: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Ratio:
    """A substitution ratio (替代比例) of one document for a segment and a dimension.

    ``segment`` ``*`` covers every segment the document has no row of its own for.
    ``applies``: ``always`` (every project of the segment in force) or ``case`` (only where
    an approval names it, e.g. the plan's 1:1.1 for one cement grinding project).
    """

    id: str
    document: str
    document_zh: str
    segment: str
    dimension: str
    ratio: Decimal
    effective_from: dt.date
    effective_until: dt.date | None
    applies: str
    status: str
    source: str
    note: str = ""

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on <= self.effective_until
        )

    @property
    def text(self) -> str:
        """The ratio as the documents write it (1:1.1)."""
        return f"1:{self.ratio.normalize():f}"


class Stage(StrEnum):
    """Where a project stands; each change is kept with its date and who made it."""

    PROPOSED = "proposed"  # 拟建
    REVIEW = "review"  # 审查中: its indicators may be reserved
    APPROVED = "approved"  # 已批准: its indicators are allocated
    CONSTRUCTION = "construction"  # 在建
    OPERATING = "operating"  # 已投产: its indicators may be retired
    REJECTED = "rejected"  # 未通过: reservations released
    LAPSED = "lapsed"  # 失效 (approval lapsed): allocations released
    CLOSED = "closed"  # 关停退出


STAGE_ZH = {
    Stage.PROPOSED: "拟建",
    Stage.REVIEW: "审查中",
    Stage.APPROVED: "已批准",
    Stage.CONSTRUCTION: "在建",
    Stage.OPERATING: "已投产",
    Stage.REJECTED: "未通过",
    Stage.LAPSED: "已失效",
    Stage.CLOSED: "关停退出",
}

NEXT_STAGES: Mapping[Stage, frozenset[Stage]] = {
    Stage.PROPOSED: frozenset({Stage.REVIEW, Stage.CLOSED}),
    Stage.REVIEW: frozenset({Stage.APPROVED, Stage.REJECTED, Stage.PROPOSED}),
    Stage.APPROVED: frozenset({Stage.CONSTRUCTION, Stage.OPERATING, Stage.LAPSED}),
    Stage.CONSTRUCTION: frozenset({Stage.OPERATING, Stage.LAPSED, Stage.CLOSED}),
    Stage.OPERATING: frozenset({Stage.CLOSED}),
    Stage.REJECTED: frozenset({Stage.REVIEW}),
    Stage.LAPSED: frozenset({Stage.REVIEW}),
    Stage.CLOSED: frozenset(),
}
"""The moves a project's stage may make (a rejected or lapsed project may be resubmitted)."""

GOING_AHEAD = frozenset({Stage.APPROVED, Stage.CONSTRUCTION, Stage.OPERATING})
"""The stages of a new project that must have substituted (indicator 4 counts these)."""


def check_move(current: Stage, target: Stage) -> None:
    """Raise :class:`TwoHighError` unless a project may move from ``current`` to ``target``."""
    if target not in NEXT_STAGES[current]:
        allowed = "、".join(STAGE_ZH[s] for s in sorted(NEXT_STAGES[current])) or "无"
        raise TwoHighError(
            "stage",
            f"{STAGE_ZH[current]}的项目不能改为{STAGE_ZH[target]}（可改为：{allowed}） — "
            f"a {current.value} project cannot become {target.value} "
            f"(allowed: {', '.join(sorted(NEXT_STAGES[current])) or 'none'})",
        )


class Mechanism(StrEnum):
    """How a substitution source forms its reduction (替代办法（试行）, reference §2.1)."""

    SHUTDOWN = "shutdown"  # 关停
    CONVERSION = "conversion"  # 转产
    BACKWARD = "backward"  # 淘汰落后产能
    OVERCAPACITY = "overcapacity"  # 压减过剩产能
    CLEAN_ENERGY = "clean_energy"  # 可再生能源或清洁电力替代化石能源
    RETROFIT = "retrofit"  # 节能改造
    OTHER = "other"  # 其他


MECHANISM_ZH = {
    Mechanism.SHUTDOWN: "关停",
    Mechanism.CONVERSION: "转产",
    Mechanism.BACKWARD: "淘汰落后产能",
    Mechanism.OVERCAPACITY: "压减过剩产能",
    Mechanism.CLEAN_ENERGY: "清洁能源替代",
    Mechanism.RETROFIT: "节能改造",
    Mechanism.OTHER: "其他",
}

EARLIEST_SOURCE = dt.date(2021, 1, 1)
"""Reductions formed before this date are not eligible (替代办法（试行）, reference §2.1)."""


@dataclass(frozen=True, slots=True)
class SourceConditions:
    """The three conditions a source must meet (可监测、可统计、可复核), each with its note."""

    monitorable: bool
    countable: bool
    recheckable: bool
    notes: Mapping[str, str] = field(default_factory=dict)

    def unmet(self) -> list[str]:
        names = (("monitorable", "可监测"), ("countable", "可统计"), ("recheckable", "可复核"))
        return [zh for attr, zh in names if not getattr(self, attr)]


@dataclass(frozen=True, slots=True)
class CarbonTerms:
    """A project's new emissions by the Shandong rule's own terms [t CO2], signed.

    fuel : fuel combustion; process : industrial processes; net_purchased : purchased minus
    exported electricity and heat (negative for a net exporter); recovered : recovered
    (captured, utilised) CO2. No term is clamped: the rule adds and subtracts them as they are.
    """

    fuel: Decimal
    process: Decimal
    net_purchased: Decimal
    recovered: Decimal

    @property
    def total(self) -> Decimal:
        """E = fuel + process + net purchased electricity and heat − recovered [t CO2]
        (山东省高耗能高排放建设项目碳排放减量替代办法（试行）, reference §2.1 [VERIFIED])."""
        return self.fuel + self.process + self.net_purchased - self.recovered
