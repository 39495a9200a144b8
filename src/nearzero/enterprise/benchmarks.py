"""Energy-efficiency benchmark (标杆) and baseline (基准) levels, and indicator 15.

Levels are versioned data (``data/enterprise/benchmarks.csv``: edition, document, status).
All indicators are "lower is better" (unit-product energy use, supply coal consumption):

- ``at_benchmark``: value meets the benchmark (``benchmark_rule`` ``<=`` or ``<``, e.g. coal
  power's new units below 270 gce/kWh);
- ``between``: above the benchmark, at or below the baseline;
- ``below_baseline``: above the baseline (to be retrofitted or phased out).

Indicator 15 (plan, 主要指标表): share of each industry's capacity at benchmark, every
industry strictly over 30 % (``rules.csv`` ``benchmark_share_target``). Compared exactly in
Decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from nearzero.enterprise.data import DataNotFound, DataRow, compare, load_csv, rule
from nearzero.enterprise.model import EnterpriseError, Source

BENCHMARKS = "benchmarks.csv"


class Level(StrEnum):
    """Where a line stands against its product's levels."""

    AT_BENCHMARK = "at_benchmark"
    BETWEEN = "between"
    BELOW_BASELINE = "below_baseline"

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return {
            "at_benchmark": "达到标杆水平",
            "between": "介于标杆与基准之间",
            "below_baseline": "低于基准水平",
        }[self.value]


@dataclass(frozen=True)
class Benchmark:
    """One product's levels [unit]: benchmark, baseline and how the benchmark is met."""

    benchmark_id: str
    industry: str
    product_zh: str
    route_zh: str
    unit: str
    benchmark: Decimal
    benchmark_rule: str
    baseline: Decimal
    edition: str
    source: Source
    product_en: str = ""
    route_en: str = ""


def _benchmark(row: DataRow) -> Benchmark:
    return Benchmark(
        row.row_id,
        row.text("industry"),
        row.text("product_zh"),
        row.text("route_zh"),
        row.text("unit"),
        row.decimal("benchmark"),
        row.text("benchmark_rule"),
        row.decimal("baseline"),
        row.text("edition"),
        row.source(),
        row.text("product_en"),
        row.text("route_en"),
    )


def benchmarks(edition: str | None = None) -> tuple[Benchmark, ...]:
    """Every bundled benchmark row (of one edition when given)."""
    return tuple(
        _benchmark(r)
        for r in load_csv(BENCHMARKS)
        if edition is None or r.text("edition") == edition
    )


def benchmark(benchmark_id: str) -> Benchmark:
    """One benchmark row by id; :class:`DataNotFound` names the file."""
    for b in benchmarks():
        if b.benchmark_id == benchmark_id:
            return b
    raise DataNotFound(f"no benchmark {benchmark_id!r} in data/enterprise/{BENCHMARKS}")


def classify(value: Decimal, levels: Benchmark) -> Level:
    """The level of a line whose indicator is ``value`` [levels.unit] (lower is better)."""
    if compare(value, levels.benchmark_rule, levels.benchmark):
        return Level.AT_BENCHMARK
    if value <= levels.baseline:
        return Level.BETWEEN
    return Level.BELOW_BASELINE


@dataclass(frozen=True)
class Line:
    """A production line or unit: its capacity and its indicator value."""

    key: str
    firm: str
    benchmark_id: str
    capacity: Decimal
    value: Decimal
    capacity_unit: str = ""
    illustrative: bool = False


@dataclass(frozen=True)
class ClassifiedLine:
    """A line with its level and the benchmark row that judged it."""

    line: Line
    level: Level
    benchmark: Benchmark


@dataclass(frozen=True)
class IndustryShare:
    """Indicator 15 for one industry: capacity at benchmark over all capacity [%]."""

    industry: str
    capacity_at_benchmark: Decimal
    capacity_total: Decimal
    share_pct: Decimal
    met: bool
    lines: tuple[ClassifiedLine, ...]
    to_confirm: tuple[Source, ...]


def classify_lines(lines: Sequence[Line]) -> list[ClassifiedLine]:
    """Classify every line against its benchmark row; errors name the line."""
    out = []
    for i, line in enumerate(lines):
        if line.capacity < 0:
            raise EnterpriseError(
                f"lines[{i}].capacity", f"{line.capacity}为负数 — {line.capacity} is negative"
            )
        if line.value < 0:
            raise EnterpriseError(
                f"lines[{i}].value", f"{line.value}为负数 — {line.value} is negative"
            )
        try:
            levels = benchmark(line.benchmark_id)
        except DataNotFound as exc:
            raise EnterpriseError(
                f"lines[{i}].benchmark_id", f"没有能效基准“{line.benchmark_id}” — {exc}"
            ) from None
        out.append(ClassifiedLine(line, classify(line.value, levels), levels))
    return out


def indicator_15(lines: Sequence[Line]) -> tuple[list[IndustryShare], bool, Source]:
    """Share of capacity at benchmark per industry, whether every industry is over the target,
    and the target's source. Shares are exact Decimals [%]; an industry with no capacity is
    not met (nothing to show)."""
    target = rule("benchmark_share_target")
    classified = classify_lines(lines)
    shares = []
    for industry in dict.fromkeys(c.benchmark.industry for c in classified):
        mine = tuple(c for c in classified if c.benchmark.industry == industry)
        total = sum((c.line.capacity for c in mine), Decimal(0))
        at = sum((c.line.capacity for c in mine if c.level is Level.AT_BENCHMARK), Decimal(0))
        share = at * 100 / total if total else Decimal(0)
        met = bool(total) and compare(share, target.text("comparator"), target.decimal("value"))
        to_confirm = tuple(
            dict.fromkeys(c.benchmark.source for c in mine if c.benchmark.source.to_confirm)
        )
        shares.append(IndustryShare(industry, at, total, share, met, mine, to_confirm))
    return shares, bool(shares) and all(s.met for s in shares), target.source()
