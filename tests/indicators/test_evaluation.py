"""The engine on the bundled Zhangqiu plan, pinned to the plan's own 完成情况 column."""

import pytest

from nearzero.indicators.catalogue import bundled_plan_path, load_plan
from nearzero.indicators.choices import Attribute, Basis, Status, Trend
from nearzero.indicators.evaluation import (
    Assessment,
    IndicatorSpec,
    Record,
    acceptance,
    evaluate,
    linear_trend,
)
from nearzero.indicators.rules import parse_rule

PLAN = load_plan(bundled_plan_path())
BY_CODE = {e.spec.code: e for e in PLAN.indicators + PLAN.task_targets}


@pytest.mark.parametrize("entry", PLAN.indicators, ids=lambda e: f"no{e.spec.code}")
def test_2022_status_agrees_with_the_plan(entry):
    outcome = evaluate(entry.spec, entry.record(), 2022)
    assert outcome.status is entry.plan_status
    assert not outcome.conflict


def test_numeric_indicators_are_computed_not_typed():
    computed = {
        e.spec.code
        for e in PLAN.indicators
        if evaluate(e.spec, e.record(), 2022).basis is Basis.COMPUTED
    }
    # every indicator whose status follows from the printed figures
    assert computed == set("1 2 3 6 13 15 16 17 18 19 20 21 22 23 24 25 28 29 30 31 32".split())


def test_acceptance_2022_binding_12_of_18_reference_6_of_14_not_ready():
    outcomes = [(e.spec, evaluate(e.spec, e.record(), 2022)) for e in PLAN.indicators]
    result = acceptance(outcomes)
    assert (result.binding_met, result.binding_total) == (12, 18)
    assert (result.reference_met, result.reference_total) == (6, 14)
    assert result.reference_required == 10  # 70 % of 14 = 9.8 → 10
    assert result.ready is False


def test_indicator_3_gap_and_projection():
    entry = BY_CODE["3"]
    outcome = evaluate(entry.spec, entry.record(), 2022)
    assert outcome.target is not None
    assert outcome.target.value == pytest.approx(0.92 * (1 - 0.205))
    assert outcome.gap == pytest.approx(0.76 - 0.7314)
    # OLS through (2020, .92), (2021, .90), (2022, .76): slope −0.08, at 2025 → 0.5133
    assert outcome.projection is not None
    assert outcome.projection.value == pytest.approx(0.86 - 0.08 * 4, abs=1e-9)
    assert outcome.projection.trend is Trend.ON_TRACK


def test_linear_trend_by_hand():
    assert linear_trend([(2020, 1.0), (2021, 3.0)], 2025) == pytest.approx(11.0)
    assert linear_trend([(2020, 5.0), (2022, 5.0)], 2030) == pytest.approx(5.0)


def test_all_parts_fails_on_one_part():
    outcome = evaluate(BY_CODE["15"].spec, BY_CODE["15"].record(), 2022)
    failing = [p.code for p, o in outcome.parts if o.status is Status.NOT_MET]
    assert failing == ["methanol"]
    assert "甲醇行业" in outcome.note


def test_forest_stock_converted_from_wan_cubic_metres():
    values = {v.year: v.value for v in BY_CODE["31"].values}
    assert values[2020] == pytest.approx(1_393_600)
    assert values[2022] == pytest.approx(1_137_300)


def test_assigned_target_for_target_year_reads_each_year():
    outcome = evaluate(BY_CODE["16"].spec, BY_CODE["16"].record(), 2022)
    assert outcome.basis is Basis.COMPUTED
    assert outcome.target is not None and outcome.target.value == 93


def spec(rule: dict, attribute=Attribute.BINDING) -> IndicatorSpec:
    return IndicatorSpec("x", "x", "x", "management", "%", parse_rule(rule), 2020, 2025, attribute)


def test_missing_figure_is_no_data_and_assessment_fills_it():
    s = spec({"kind": "at_least", "threshold": 5})
    assert evaluate(s, Record(values={2020: 1}), 2022).status is Status.NO_DATA
    judged = Record(assessments={2022: Assessment(Status.MET, "检查报告")})
    outcome = evaluate(s, judged, 2022)
    assert (outcome.status, outcome.basis) == (Status.MET, Basis.ASSESSMENT)


def test_assessment_never_overrides_figures():
    s = spec({"kind": "at_least", "threshold": 5})
    record = Record(values={2022: 3}, assessments={2022: Assessment(Status.MET, "说明")})
    outcome = evaluate(s, record, 2022)
    assert outcome.status is Status.NOT_MET and outcome.conflict


def test_qualitative_without_assessment_needs_assessment():
    outcome = evaluate(spec({"kind": "qualitative"}), Record(), 2022)
    assert outcome.status is Status.NEEDS_ASSESSMENT


def test_acceptance_threshold_is_inclusive():
    ref = spec({"kind": "at_least", "threshold": 1}, Attribute.REFERENCE)
    met = evaluate(ref, Record(values={2022: 1}), 2022)
    not_met = evaluate(ref, Record(values={2022: 0}), 2022)
    # 7 of 10 reference indicators met is exactly 70 %: ready
    result = acceptance([(ref, met)] * 7 + [(ref, not_met)] * 3)
    assert result.ready and result.reference_required == 7
    assert not acceptance([(ref, met)] * 6 + [(ref, not_met)] * 4).ready
