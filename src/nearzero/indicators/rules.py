"""Target rules as data, evaluated by one engine.

A plan states each 2025 target in words (较2020年下降, ≥5, 零增长, 至少2个, 完成上级下达目标任务
…). Each wording is one :class:`RuleKind`; a :class:`TargetRule` is a kind plus its numbers.
For a given year a quantitative rule resolves to a :class:`Target` (a comparator and a value);
the status is the comparison of the year's value with it. Qualitative rules are never
computed: the office records met / not met with evidence.

The arithmetic is exact: every figure is taken as entered (a float by its shortest repr,
:func:`nearzero.units.decimal_of`) and targets, comparisons and gaps are computed in decimal
arithmetic, so 2.09 lowered by 20.5 % is 1.66155 and a value of 1.66155 meets "下降20.5%".

Rules are read from plain mappings (YAML, JSON, the database) by :func:`parse_rule`, which
names the field that is wrong.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact
from enum import StrEnum
from fractions import Fraction
from typing import Any

from nearzero.units import Number, decimal_of, fraction_of


class RuleKind(StrEnum):
    LOWER_THAN_BASE = "lower_than_base"  # 较基准年下降
    HIGHER_THAN_BASE = "higher_than_base"  # 较基准年上升
    REDUCE_BY_PCT = "reduce_by_pct"  # 较基准年下降 X%
    INCREASE_BY_PCT = "increase_by_pct"  # 较基准年上升 X%
    NO_GROWTH = "no_growth"  # 零增长
    AT_LEAST = "at_least"  # ≥ X
    ABOVE = "above"  # > X
    AT_MOST = "at_most"  # ≤ X
    BELOW = "below"  # < X
    COUNT_AT_LEAST = "count_at_least"  # 至少 N 个
    ALL_PARTS = "all_parts"  # every part meets its own rule
    ASSIGNED_TARGET = "assigned_target"  # 完成上级下达目标任务: a value set per year
    QUALITATIVE = "qualitative"  # the office records met / not met with evidence


class Comparator(StrEnum):
    LT = "<"
    LE = "≤"
    GT = ">"
    GE = "≥"

    def holds(self, value: Number | Fraction, target: Number | Fraction) -> bool:
        """Whether ``value <comparator> target``, compared exactly (figures as entered)."""
        return _OPS[self](fraction_of(value), fraction_of(target))

    @property
    def lower_is_better(self) -> bool:
        return self in (Comparator.LT, Comparator.LE)


_OPS: dict[Comparator, Callable[[Fraction, Fraction], bool]] = {
    Comparator.LT: operator.lt,
    Comparator.LE: operator.le,
    Comparator.GT: operator.gt,
    Comparator.GE: operator.ge,
}

_BASE_RULES: dict[RuleKind, Comparator] = {
    RuleKind.LOWER_THAN_BASE: Comparator.LT,
    RuleKind.HIGHER_THAN_BASE: Comparator.GT,
    RuleKind.REDUCE_BY_PCT: Comparator.LE,
    RuleKind.INCREASE_BY_PCT: Comparator.GE,
    RuleKind.NO_GROWTH: Comparator.LE,
}
_THRESHOLD_RULES: dict[RuleKind, Comparator] = {
    RuleKind.AT_LEAST: Comparator.GE,
    RuleKind.ABOVE: Comparator.GT,
    RuleKind.AT_MOST: Comparator.LE,
    RuleKind.BELOW: Comparator.LT,
    RuleKind.COUNT_AT_LEAST: Comparator.GE,
}


class RuleError(ValueError):
    """A target rule that cannot be read; the message names the field."""


@dataclass(frozen=True)
class TargetRule:
    """A target rule: its kind and the numbers its kind needs.

    Attributes
    ----------
    kind : RuleKind
    threshold : float or None
        For AT_LEAST, ABOVE, AT_MOST, BELOW and COUNT_AT_LEAST. [indicator unit]
    pct : float or None
        For REDUCE_BY_PCT and INCREASE_BY_PCT. [%]
    direction : Comparator or None
        For ASSIGNED_TARGET: how the value must compare with the assigned target
        (≤ for a cap such as 化石能源消费总量, ≥ for a floor such as 非化石能源消费比重).
    text_zh : str
        The target as the plan prints it, shown beside the computed status.
    """

    kind: RuleKind
    threshold: float | None = None
    pct: float | None = None
    direction: Comparator | None = None
    text_zh: str = ""

    @property
    def uses_base_year(self) -> bool:
        return self.kind in _BASE_RULES

    @property
    def is_quantitative(self) -> bool:
        return self.kind not in (RuleKind.QUALITATIVE, RuleKind.ALL_PARTS)

    def resolve(self, *, base: Number | None, assigned: Number | None) -> Target | None:
        """The target for one year, or None when a number it needs is not on record.

        base : value of the base year [indicator unit]
        assigned : the target the higher government set for the year [indicator unit]

        Exact: base × (1 ∓ pct/100) in decimal arithmetic on the figures as entered.
        """
        if self.kind in _BASE_RULES:
            if base is None:
                return None
            value = decimal_of(base)
            if self.kind is RuleKind.REDUCE_BY_PCT:
                value = _EXACT.multiply(value, _EXACT.subtract(1, _percent(self.pct)))
            elif self.kind is RuleKind.INCREASE_BY_PCT:
                value = _EXACT.multiply(value, _EXACT.add(1, _percent(self.pct)))
            return Target(_BASE_RULES[self.kind], value)
        if self.kind in _THRESHOLD_RULES:
            return Target(_THRESHOLD_RULES[self.kind], _req(self.threshold))
        if self.kind is RuleKind.ASSIGNED_TARGET:
            if assigned is None:
                return None
            return Target(self.direction or Comparator.LE, assigned)
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value}
        if self.threshold is not None:
            out["threshold"] = self.threshold
        if self.pct is not None:
            out["pct"] = self.pct
        if self.direction is not None:
            out["direction"] = "at_most" if self.direction.lower_is_better else "at_least"
        if self.text_zh:
            out["text_zh"] = self.text_zh
        return out


def _req(number: float | None) -> float:
    if number is None:  # parse_rule guarantees this never happens for a parsed rule
        raise RuleError("rule is missing its number")
    return number


# Decimal arithmetic that refuses to round: figures as entered have far fewer digits.
_EXACT = Context(prec=200, traps=[Inexact])


def _percent(pct: float | None) -> Decimal:
    return _EXACT.divide(decimal_of(_req(pct)), 100)


@dataclass(frozen=True, init=False)
class Target:
    """A resolved target: the value must satisfy ``value <comparator> target``.

    ``exact`` is the target as an exact decimal; ``value`` the same as a float for display.
    """

    comparator: Comparator
    exact: Decimal

    def __init__(self, comparator: Comparator, value: Number) -> None:
        object.__setattr__(self, "comparator", comparator)
        object.__setattr__(self, "exact", decimal_of(value))

    @property
    def value(self) -> float:
        """The target as a float (the nearest to :attr:`exact`). [indicator unit]"""
        return float(self.exact)

    def met_by(self, value: Number | Fraction) -> bool:
        """Whether ``value`` (as entered) meets the target, compared exactly."""
        return self.comparator.holds(value, self.exact)

    def exact_gap(self, value: Number | Fraction) -> Fraction:
        """:meth:`gap`, exactly."""
        target = Fraction(self.exact)
        given = fraction_of(value)
        return given - target if self.comparator.lower_is_better else target - given

    def gap(self, value: Number) -> float:
        """How far ``value`` still is from the target, in the indicator's unit.

        Positive: still to go (e.g. tonnes still to cut for a ≤ target); zero or negative: met,
        with the margin. For a strict comparator (<, >) a value equal to the target has a gap
        of 0 and is not met: any further move in the right direction meets it. Computed
        exactly, then given as the nearest float (1.66155 against 1.66155 is 0.0, not 2e-16).
        """
        return float(self.exact_gap(value))

    def describe(self) -> str:
        return f"{self.comparator.value} {self.value:g}"


_DIRECTIONS = {"at_most": Comparator.LE, "at_least": Comparator.GE}


def parse_rule(data: object, where: str = "target") -> TargetRule:
    """Read a rule from a mapping such as ``{"kind": "reduce_by_pct", "pct": 20.5}``.

    ``where`` names the place in the source (file and field) for the error message.
    """
    if not isinstance(data, Mapping):
        raise RuleError(
            f"{where}: 应为含kind的键值映射，而不是{data!r} — "
            f"expected a mapping with 'kind', got {data!r}"
        )
    raw_kind = data.get("kind")
    try:
        kind = RuleKind(str(raw_kind))
    except ValueError:
        allowed = ", ".join(k.value for k in RuleKind)
        raise RuleError(
            f"{where}.kind: 目标规则类型应为{allowed}之一，而不是{raw_kind!r} — "
            f"expected one of {allowed}; got {raw_kind!r}"
        ) from None
    text_zh = str(data.get("text_zh", ""))

    def number(field: str) -> float:
        value = data.get(field)
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise RuleError(
                f"{where}.{field}: {kind.value}类目标规则须填写数值 — "
                f"a number is required for kind {kind.value}"
            )
        if not math.isfinite(value):
            raise RuleError(
                f"{where}.{field}: 应为有限数值，而不是{value!r} — must be finite, got {value!r}"
            )
        return float(value)

    if kind in _THRESHOLD_RULES:
        return TargetRule(kind, threshold=number("threshold"), text_zh=text_zh)
    if kind in (RuleKind.REDUCE_BY_PCT, RuleKind.INCREASE_BY_PCT):
        pct = number("pct")
        if not 0 < pct < 100:
            raise RuleError(
                f"{where}.pct: 应为0到100之间的百分比，而不是{pct:g} — "
                f"expected a percentage between 0 and 100, got {pct:g}"
            )
        return TargetRule(kind, pct=pct, text_zh=text_zh)
    if kind is RuleKind.ASSIGNED_TARGET:
        raw_dir = data.get("direction")
        if raw_dir not in _DIRECTIONS:
            raise RuleError(
                f"{where}.direction: 方向应为at_most或at_least，而不是{raw_dir!r} — "
                f"expected 'at_most' or 'at_least'; got {raw_dir!r}"
            )
        return TargetRule(kind, direction=_DIRECTIONS[raw_dir], text_zh=text_zh)
    return TargetRule(kind, text_zh=text_zh)
