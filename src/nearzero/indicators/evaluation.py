"""Evaluate indicators for a year: status, gap to target, projection, acceptance.

Pure functions over plain data. The status is always computed from what is on record:

- a quantitative rule with the year's value and the numbers its target needs → computed;
- otherwise, when the office has recorded an assessment for that year (with evidence) it is
  used, marked as such (basis ``assessment``);
- otherwise ``no_data`` (a figure is missing) or ``needs_assessment`` (qualitative rule, or a
  target the higher government has not yet set).

An assessment never overrides a computed status; where the two disagree the outcome says so.

Comparisons, gaps and projections are exact (decimal arithmetic on the figures as entered,
see :mod:`nearzero.indicators.rules`). A figure outside its plausible range (a share above
100 %, a negative amount, infinity; :mod:`nearzero.indicators.values`) is never counted: the
year reads as no data, with a note naming the figure and the range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from nearzero.indicators.choices import Attribute, Basis, Status, Trend
from nearzero.indicators.rules import RuleKind, Target, TargetRule
from nearzero.indicators.values import ValueRangeError, check_value, value_range
from nearzero.units import Number, fraction_of


@dataclass(frozen=True)
class Part:
    """A part of an indicator with parts (no. 28 化肥 / 农药; no. 15 one share per industry)."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    rule: TargetRule


@dataclass(frozen=True)
class IndicatorSpec:
    """What the plan says of one indicator (or of a task target outside the table)."""

    code: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    rule: TargetRule
    base_year: int
    target_year: int
    attribute: Attribute | None = None  # None for a task target
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """The office's recorded judgement for one year, with its evidence."""

    status: Status
    evidence: str


@dataclass(frozen=True)
class Record:
    """Everything on record for one indicator: yearly values, per part, targets, assessments."""

    values: Mapping[int, float] = field(default_factory=dict)
    part_values: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    assigned: Mapping[int, float] = field(default_factory=dict)
    assessments: Mapping[int, Assessment] = field(default_factory=dict)


@dataclass(frozen=True)
class Projection:
    """A straight-line trend of the years on record, carried to the target year."""

    target_year: int
    value: float | None
    trend: Trend
    years_used: tuple[int, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The evaluation of one indicator (or part) in one year."""

    status: Status
    basis: Basis
    value: float | None = None
    target: Target | None = None
    gap: float | None = None
    projection: Projection | None = None
    note: str = ""
    parts: tuple[tuple[Part, Outcome], ...] = ()
    conflict: bool = False  # an office assessment disagrees with the computed status

    @property
    def gap_pct(self) -> float | None:
        """The gap relative to the target value [%]."""
        if self.gap is None or self.target is None or self.target.value == 0:
            return None
        return 100 * self.gap / abs(self.target.value)


def _assigned_for(assigned: Mapping[int, float], year: int, target_year: int) -> float | None:
    """The target the higher government set for ``year``, else its target for the target year.

    Like every other target in the plan's table, a target set only for the target year is the
    yardstick against which each year's value is read.
    """
    return assigned.get(year, assigned.get(target_year))


def _plausible(
    values: Mapping[int, float], unit: str, needed: tuple[int, ...]
) -> tuple[dict[int, float], str]:
    """The values that may be counted, and a note on those of the ``needed`` years that may
    not (out of range, not finite)."""
    kept: dict[int, float] = {}
    notes: list[str] = []
    for y, v in values.items():
        try:
            check_value(v, unit, f"{y}年数值")
        except ValueRangeError as exc:
            if y in needed:
                notes.append(f"{exc.message_zh}，未计入")
            continue
        kept[y] = v
    return kept, "；".join(notes)


def _evaluate_series(
    rule: TargetRule,
    values: Mapping[int, float],
    assigned: Mapping[int, float],
    year: int,
    base_year: int,
    target_year: int,
    unit: str = "",
) -> Outcome:
    if rule.kind is RuleKind.QUALITATIVE:
        return Outcome(Status.NEEDS_ASSESSMENT, Basis.NONE, value=values.get(year))
    needed = (year, base_year) if rule.uses_base_year else (year,)
    values, refused = _plausible(values, unit, needed)
    if refused:
        return Outcome(Status.NO_DATA, Basis.NONE, None, note=refused)
    value = values.get(year)
    assigned = {y: a for y, a in assigned.items() if math.isfinite(a)}
    assigned_value = _assigned_for(assigned, year, target_year)
    target = rule.resolve(base=values.get(base_year), assigned=assigned_value)
    projection = project(rule, values, assigned, year, base_year, target_year, unit)
    if target is None:
        if rule.kind is RuleKind.ASSIGNED_TARGET:
            note = "上级尚未下达该年度目标"
            return Outcome(Status.NEEDS_ASSESSMENT, Basis.NONE, value, note=note)
        return Outcome(Status.NO_DATA, Basis.NONE, value, note=f"缺少{base_year}年基准值")
    if value is None:
        return Outcome(Status.NO_DATA, Basis.NONE, None, target, projection=projection)
    status = Status.MET if target.met_by(value) else Status.NOT_MET
    return Outcome(status, Basis.COMPUTED, value, target, target.gap(value), projection)


def evaluate(spec: IndicatorSpec, record: Record, year: int) -> Outcome:
    """Status of ``spec`` in ``year`` from ``record``, with its gap and projection."""
    if spec.rule.kind is RuleKind.ALL_PARTS:
        computed = _evaluate_parts(spec, record, year)
    else:
        computed = _evaluate_series(
            spec.rule,
            record.values,
            record.assigned,
            year,
            spec.base_year,
            spec.target_year,
            spec.unit,
        )
    assessment = record.assessments.get(year)
    if assessment is None:
        return computed
    if computed.basis is Basis.COMPUTED:
        if assessment.status is computed.status:
            return computed
        note = f"办公室评估为“{assessment.status.label_zh}”，与计算结果不一致"
        return replace(computed, note=note, conflict=True)
    return replace(
        computed, status=assessment.status, basis=Basis.ASSESSMENT, note=assessment.evidence
    )


def _evaluate_parts(spec: IndicatorSpec, record: Record, year: int) -> Outcome:
    results = tuple(
        (
            part,
            _evaluate_series(
                part.rule,
                record.part_values.get(part.code, {}),
                {},
                year,
                spec.base_year,
                spec.target_year,
                part.unit,
            ),
        )
        for part in spec.parts
    )
    statuses = [outcome.status for _, outcome in results]
    if not statuses:
        return Outcome(Status.NO_DATA, Basis.NONE, note="未定义分项")
    if Status.NOT_MET in statuses:
        status, basis = Status.NOT_MET, Basis.COMPUTED
    elif all(s is Status.MET for s in statuses):
        status, basis = Status.MET, Basis.COMPUTED
    elif Status.NEEDS_ASSESSMENT in statuses:
        status, basis = Status.NEEDS_ASSESSMENT, Basis.NONE
    else:
        status, basis = Status.NO_DATA, Basis.NONE
    trends = [o.projection.trend for _, o in results if o.projection is not None]
    if len(trends) == len(results) and Trend.UNKNOWN not in trends:
        overall = Trend.ON_TRACK if all(t is Trend.ON_TRACK for t in trends) else Trend.OFF_TRACK
    else:
        overall = Trend.UNKNOWN
    failing = [p.name_zh for p, o in results if o.status is Status.NOT_MET]
    note = ("未达标分项：" + "、".join(failing)) if failing else ""
    projection = Projection(spec.target_year, None, overall)
    return Outcome(status, basis, projection=projection, note=note, parts=results)


def project(
    rule: TargetRule,
    values: Mapping[int, float],
    assigned: Mapping[int, float],
    year: int,
    base_year: int,
    target_year: int,
    unit: str = "",
) -> Projection:
    """Least-squares straight line through the values on record up to ``year``, at the target year.

    Two or more years are needed; with fewer the trend is unknown. The target is resolved as
    it stands in the target year. The line is held to the figure's plausible range in ``unit``
    (a share stays within 0–100 %, a quantity at or above 0).
    """
    points = sorted((y, v) for y, v in values.items() if y <= year)
    assigned_value = _assigned_for(assigned, target_year, target_year)
    target = rule.resolve(base=values.get(base_year), assigned=assigned_value)
    if len(points) < 2 or target is None:
        return Projection(target_year, None, Trend.UNKNOWN, tuple(y for y, _ in points))
    projected = exact_linear_trend(points, target_year)
    bounds = value_range(unit)
    projected = max(projected, Fraction(bounds.minimum))
    if bounds.maximum is not None:
        projected = min(projected, Fraction(bounds.maximum))
    trend = Trend.ON_TRACK if target.met_by(projected) else Trend.OFF_TRACK
    return Projection(target_year, float(projected), trend, tuple(y for y, _ in points))


def exact_linear_trend(points: Sequence[tuple[int, Number]], at: int) -> Fraction:
    """:func:`linear_trend` in exact rational arithmetic on the figures as entered.

    The figures are put over one common denominator ``d`` (a power of ten for decimals), so
    the sums are of integers and one fraction is made at the end:

        ŷ(at) = [ΣY·S + (nΣxY − ΣxΣY)(n·at − Σx)] / (n·S·d),  S = nΣx² − (Σx)²,  Y = y·d

    which is ȳ + b(at − x̄) with b = Sxy/Sxx multiplied out (both sums scaled by n). A page
    evaluates every indicator's trend, and normalising a Fraction at each step cost
    several times this.
    """
    n = len(points)
    ys = [fraction_of(y) for _, y in points]
    d = math.lcm(*(y.denominator for y in ys))
    big_y = [y.numerator * (d // y.denominator) for y in ys]
    xs = [int(x) for x, _ in points]
    sum_x, sum_y = sum(xs), sum(big_y)
    s = n * sum(x * x for x in xs) - sum_x * sum_x
    if s == 0:
        return Fraction(sum_y, n * d)
    sxy = n * sum(x * y for x, y in zip(xs, big_y, strict=True)) - sum_x * sum_y
    return Fraction(sum_y * s + sxy * (n * at - sum_x), n * s * d)


def linear_trend(points: Sequence[tuple[int, Number]], at: int) -> float:
    """Ordinary least-squares line through ``points`` (year, value), evaluated at year ``at``.

    Computed exactly; the result is the nearest float.
    """
    return float(exact_linear_trend(points, at))


# 山东省近零碳城市、近零碳园区、近零碳社区示范创建实施方案（鲁环发〔2023〕16号）: a unit passes
# acceptance when every binding indicator is met and at least 70 % of reference indicators are.
REFERENCE_SHARE_REQUIRED = 0.7


@dataclass(frozen=True)
class Acceptance:
    """The provincial acceptance rule applied to one year's outcomes."""

    binding_met: int
    binding_total: int
    reference_met: int
    reference_total: int
    featured_met: int
    featured_total: int
    reference_required: int
    ready: bool
    # indicators without data in the year: not met for acceptance, but shown as missing
    binding_no_data: int = 0
    reference_no_data: int = 0
    featured_no_data: int = 0

    @property
    def reference_share(self) -> float | None:
        return self.reference_met / self.reference_total if self.reference_total else None


def acceptance(
    outcomes: Iterable[tuple[IndicatorSpec, Outcome]],
    reference_share: float = REFERENCE_SHARE_REQUIRED,
) -> Acceptance:
    """Count met indicators by attribute and apply the acceptance rule.

    Only ``met`` counts; no data, needs assessment and not met all count against. A binding
    indicator without data is therefore *not met for acceptance*, but it is counted apart
    (``binding_no_data``) so that it is shown as missing, not as failing. Task targets (no
    attribute) are not part of the rule.
    """
    met = {a: 0 for a in Attribute}
    total = {a: 0 for a in Attribute}
    no_data = {a: 0 for a in Attribute}
    for spec, outcome in outcomes:
        if spec.attribute is None:
            continue
        total[spec.attribute] += 1
        met[spec.attribute] += outcome.status is Status.MET
        no_data[spec.attribute] += outcome.status is Status.NO_DATA
    required = math.ceil(fraction_of(reference_share) * total[Attribute.REFERENCE])
    ready = (
        met[Attribute.BINDING] == total[Attribute.BINDING] and met[Attribute.REFERENCE] >= required
    )
    return Acceptance(
        binding_met=met[Attribute.BINDING],
        binding_total=total[Attribute.BINDING],
        reference_met=met[Attribute.REFERENCE],
        reference_total=total[Attribute.REFERENCE],
        featured_met=met[Attribute.FEATURED],
        featured_total=total[Attribute.FEATURED],
        reference_required=required,
        ready=ready,
        binding_no_data=no_data[Attribute.BINDING],
        reference_no_data=no_data[Attribute.REFERENCE],
        featured_no_data=no_data[Attribute.FEATURED],
    )


def _num(x: float | None) -> float | None:
    """Round away binary noise (0.0286000000001) for output; keeps 10 significant digits."""
    return None if x is None else float(f"{x:.10g}")


def outcome_to_dict(outcome: Outcome) -> dict[str, object]:
    """The stable JSON form of an outcome (documented in docs/json.md)."""
    target = outcome.target
    projection = outcome.projection
    return {
        "status": outcome.status.value,
        "basis": outcome.basis.value,
        "value": _num(outcome.value),
        "target": (
            {"comparator": target.comparator.value, "value": _num(target.value)} if target else None
        ),
        "gap": _num(outcome.gap),
        "gap_pct": _num(outcome.gap_pct),
        "projection": (
            {
                "year": projection.target_year,
                "value": _num(projection.value),
                "trend": projection.trend.value,
            }
            if projection
            else None
        ),
        "note": outcome.note,
        "conflict": outcome.conflict,
        "parts": [
            {"code": part.code, "name_zh": part.name_zh, "name_en": part.name_en}
            | outcome_to_dict(result)
            for part, result in outcome.parts
        ],
    }
