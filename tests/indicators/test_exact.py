"""Exact rule arithmetic (issue #12, item 1): a value exactly at its target is judged by the
comparator alone, never by binary noise; for every rule kind, at the exact boundary."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, strategies as st

from nearzero.indicators.catalogue import bundled_plan_path, load_plan
from nearzero.indicators.choices import Status, Trend
from nearzero.indicators.evaluation import (
    IndicatorSpec,
    Record,
    evaluate,
    exact_linear_trend,
    linear_trend,
)
from nearzero.indicators.rules import RuleKind, parse_rule
from nearzero.units import convert

PLAN = load_plan(bundled_plan_path())
BY_CODE = {e.spec.code: e for e in PLAN.indicators + PLAN.task_targets}


def spec(rule: dict[str, object], unit: str = "吨") -> IndicatorSpec:
    return IndicatorSpec("x", "x", "x", "management", unit, parse_rule(rule), 2020, 2025)


# -- the cases of the issue --------------------------------------------------------------


def test_reduce_by_20_5_pct_exactly_is_met() -> None:
    # 2.09 lowered by 20.5 % is 1.66155 (2.09 × 0.795); the float product is 1.6615500000000003
    target = parse_rule({"kind": "reduce_by_pct", "pct": 20.5}).resolve(base=2.09, assigned=None)
    assert target is not None
    assert target.exact == Decimal("1.66155")
    assert target.met_by(1.66155)
    assert target.gap(1.66155) == 0.0
    outcome = evaluate(
        spec({"kind": "reduce_by_pct", "pct": 20.5}), Record({2020: 2.09, 2022: 1.66155}), 2022
    )
    assert outcome.status is Status.MET
    assert outcome.gap == 0.0


def test_task_target_t8_320_to_300_8_is_met() -> None:
    # T8 (化肥使用量, 下降6%左右): 320 kg/公顷 in 2020, 6 % lower is 300.8
    entry = BY_CODE["T8"]
    assert entry.spec.rule.kind is RuleKind.REDUCE_BY_PCT and entry.spec.rule.pct == 6
    outcome = evaluate(entry.spec, Record({2020: 320, 2022: 300.8}), 2022)
    assert outcome.status is Status.MET
    assert outcome.target is not None and outcome.target.exact == Decimal("300.8")
    assert evaluate(entry.spec, Record({2020: 320, 2022: 300.81}), 2022).status is Status.NOT_MET


def test_value_equal_to_its_base_after_conversion_is_not_higher() -> None:
    # 139.36 万立方米 is 1 393 600 m³ exactly (not 1393600.0000000002)
    base = convert(139.36, "万立方米", "立方米")
    assert base == 1393600.0
    higher = spec({"kind": "higher_than_base"}, "立方米")
    assert evaluate(higher, Record({2020: base, 2022: 1393600}), 2022).status is Status.NOT_MET
    no_growth = spec({"kind": "no_growth"}, "立方米")
    assert evaluate(no_growth, Record({2020: base, 2022: 1393600}), 2022).status is Status.MET


def textbook_trend(points: list[tuple[int, float]], at: int) -> Fraction:
    """ȳ + Sxy/Sxx·(at − x̄) in fractions, step by step as the textbook writes it."""
    xs = [Fraction(x) for x, _ in points]
    ys = [Fraction(Decimal(repr(y))) for _, y in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return mean_y + (sxy / sxx if sxx else 0) * (at - mean_x)


@given(
    st.dictionaries(
        st.integers(2000, 2030),
        st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=8,
    ),
    st.integers(2020, 2035),
)
@example({2020: 0.1, 2021: 0.6, 2022: 0.35}, 2025)
@example({2020: 0.1, 2022: 0.1}, 2025)
def test_the_integer_trend_equals_the_textbook_fractions(values: dict[int, float], at: int) -> None:
    points = sorted(values.items())
    assert exact_linear_trend(points, at) == textbook_trend(points, at)


def test_projection_exactly_on_target_is_on_track() -> None:
    # 0.1, 0.6, 0.35: the least-squares line is 0.85 in 2025 (in floats 0.8499999999999999)
    assert linear_trend([(2020, 0.1), (2021, 0.6), (2022, 0.35)], 2025) == 0.85
    # a flat 0.1 stays 0.1 (in floats 0.10000000000000002, off track for ≤ 0.1)
    flat = Record({2020: 0.1, 2021: 0.1, 2022: 0.1})
    outcome = evaluate(spec({"kind": "at_most", "threshold": 0.1}), flat, 2022)
    assert outcome.projection is not None
    assert outcome.projection.value == 0.1
    assert outcome.projection.trend is Trend.ON_TRACK


# -- every rule kind at its exact boundary (property tests) ------------------------------

# Figures as a department enters them: up to 7 significant digits, 0 to 4 decimals.
figures = st.builds(
    lambda m, places: Decimal(m).scaleb(-places),
    st.integers(min_value=1, max_value=9_999_999),
    st.integers(min_value=0, max_value=4),
)
# Percentages as plans print them: 0.1 % to 99.9 %, at most one decimal.
percentages = st.integers(min_value=1, max_value=999).map(lambda t: Decimal(t).scaleb(-1))


def _entered(x: Decimal) -> float:
    """The figure as stored: the float of the text a person typed."""
    return float(str(x))


def _nudge(x: Decimal, up: bool) -> Decimal:
    """The next figure after ``x`` with 15 significant digits (one a person could type)."""
    step = Decimal(1).scaleb(x.adjusted() - 14)
    return x + step if up else x - step


@given(base=figures, pct=percentages)
@example(base=Decimal("2.09"), pct=Decimal("20.5"))
@example(base=Decimal("320"), pct=Decimal("6"))
@example(base=Decimal("0.92"), pct=Decimal("20.5"))
def test_reduce_by_pct_boundary(base: Decimal, pct: Decimal) -> None:
    boundary = base * (1 - pct / 100)  # exact: the context has room for every digit here
    target = parse_rule({"kind": "reduce_by_pct", "pct": float(pct)}).resolve(
        base=_entered(base), assigned=None
    )
    assert target is not None and target.exact == boundary
    assert target.met_by(_entered(boundary)) and target.met_by(boundary)
    assert target.gap(_entered(boundary)) == 0.0
    assert not target.met_by(_entered(_nudge(boundary, up=True)))
    assert target.met_by(_entered(_nudge(boundary, up=False)))
    rule = {"kind": "reduce_by_pct", "pct": float(pct)}
    record = Record({2020: _entered(base), 2022: _entered(boundary)})
    assert evaluate(spec(rule), record, 2022).status is Status.MET


@given(base=figures, pct=percentages)
@example(base=Decimal("50"), pct=Decimal("10"))
@example(base=Decimal("0.1"), pct=Decimal("20"))
def test_increase_by_pct_boundary(base: Decimal, pct: Decimal) -> None:
    boundary = base * (1 + pct / 100)
    target = parse_rule({"kind": "increase_by_pct", "pct": float(pct)}).resolve(
        base=_entered(base), assigned=None
    )
    assert target is not None and target.exact == boundary
    assert target.met_by(_entered(boundary))
    assert not target.met_by(_entered(_nudge(boundary, up=False)))
    assert target.met_by(_entered(_nudge(boundary, up=True)))


@pytest.mark.parametrize(
    ("kind", "at_base", "below", "above"),
    [
        ("lower_than_base", False, True, False),
        ("higher_than_base", False, False, True),
        ("no_growth", True, True, False),
    ],
)
@given(base=figures)
def test_base_rules_boundary(
    kind: str, at_base: bool, below: bool, above: bool, base: Decimal
) -> None:
    target = parse_rule({"kind": kind}).resolve(base=_entered(base), assigned=None)
    assert target is not None
    assert target.met_by(_entered(base)) is at_base
    assert target.met_by(_entered(_nudge(base, up=False))) is below
    assert target.met_by(_entered(_nudge(base, up=True))) is above


@pytest.mark.parametrize(
    ("rule", "at", "below", "above"),
    [
        ({"kind": "at_least"}, True, False, True),
        ({"kind": "above"}, False, False, True),
        ({"kind": "at_most"}, True, True, False),
        ({"kind": "below"}, False, True, False),
        ({"kind": "count_at_least"}, True, False, True),
    ],
)
@given(threshold=figures)
def test_threshold_rules_boundary(
    rule: dict[str, str], at: bool, below: bool, above: bool, threshold: Decimal
) -> None:
    target = parse_rule({**rule, "threshold": _entered(threshold)}).resolve(
        base=None, assigned=None
    )
    assert target is not None and target.exact == threshold
    assert target.met_by(_entered(threshold)) is at
    assert target.met_by(_entered(_nudge(threshold, up=False))) is below
    assert target.met_by(_entered(_nudge(threshold, up=True))) is above


@pytest.mark.parametrize(
    ("direction", "below", "above"), [("at_most", True, False), ("at_least", False, True)]
)
@given(assigned=figures)
def test_assigned_target_boundary(
    direction: str, below: bool, above: bool, assigned: Decimal
) -> None:
    rule = parse_rule({"kind": "assigned_target", "direction": direction})
    target = rule.resolve(base=None, assigned=_entered(assigned))
    assert target is not None and target.exact == assigned
    assert target.met_by(_entered(assigned))
    assert target.met_by(_entered(_nudge(assigned, up=False))) is below
    assert target.met_by(_entered(_nudge(assigned, up=True))) is above


@given(
    base=figures, pct=percentages, scale=st.sampled_from(["万吨", "万立方米", "亿元", "万千瓦时"])
)
def test_boundary_holds_through_a_unit_conversion(base: Decimal, pct: Decimal, scale: str) -> None:
    # the base entered in 万…, the year's value in the plain unit: the comparison is unchanged
    small = {"万吨": "吨", "万立方米": "立方米", "亿元": "元", "万千瓦时": "kWh"}[scale]
    boundary = base * (1 - pct / 100)
    in_small = _entered(boundary * (10**8 if scale == "亿元" else 10**4))
    rule = {"kind": "reduce_by_pct", "pct": float(pct)}
    record = Record({2020: convert(_entered(base), scale, small), 2022: in_small})
    assert evaluate(spec(rule, small), record, 2022).status is Status.MET
    assert convert(in_small, small, scale) == _entered(boundary)
