"""Plausible indicator values (issue #12, item 8): shares between 0 and 100 %, no infinity or
NaN, nothing negative; a refusal names the field and the range, and the engine never counts
an implausible figure as met."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
import yaml

from nearzero.indicators.catalogue import PlanError, bundled_plan_path, parse_plan
from nearzero.indicators.choices import Basis, Status
from nearzero.indicators.evaluation import IndicatorSpec, Part, Record, evaluate
from nearzero.indicators.rules import parse_rule
from nearzero.indicators.values import ValueRangeError, check_value, plausible

PLAN_DATA: dict[str, Any] = yaml.safe_load(bundled_plan_path().read_text(encoding="utf-8"))


def share_spec(rule: dict[str, object]) -> IndicatorSpec:
    return IndicatorSpec("21", "比重", "share", "energy", "%", parse_rule(rule), 2020, 2025)


@pytest.mark.parametrize("value", [0, 0.0, 55.5, 100, Decimal("100.0")])
def test_shares_from_0_to_100_are_accepted(value: float) -> None:
    assert check_value(value, "%") == Decimal(str(value))


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        (150, "%", "value: a share is a number between 0 and 100 %, got 150"),
        (100.5, "%", "between 0 and 100 %, got 100.5"),
        (150.0, "%", "value: a share is a number between 0 and 100 %, got 150"),
        (-1, "%", "between 0 and 100 %, got -1"),
        (-0.5, "万吨标准煤", "value: expected a number ≥ 0 in 万吨标准煤, got -0.5"),
        (float("inf"), "吨", "value: expected a finite number ≥ 0 in 吨, got inf"),
        (float("nan"), "%", "value: expected a finite number between 0 and 100 %, got nan"),
        (float("-inf"), "%", "expected a finite number between 0 and 100 %, got -inf"),
    ],
)
def test_implausible_values_are_refused_naming_field_and_range(
    value: float, unit: str, message: str
) -> None:
    with pytest.raises(ValueRangeError, match="^value: ") as exc:
        check_value(value, unit)
    assert message in str(exc.value)
    assert exc.value.field == "value"
    assert not plausible(value, unit)


def test_the_field_is_named_as_given() -> None:
    with pytest.raises(ValueRangeError, match=r"^Sheet1!D5: a share is"):
        check_value(150, "%", "Sheet1!D5")


def test_a_150_pct_share_is_not_counted_as_met() -> None:
    # 非化石能源消费比重 ≥ 5: 150 % was accepted and counted as 完成
    outcome = evaluate(share_spec({"kind": "at_least", "threshold": 5}), Record({2022: 150}), 2022)
    assert outcome.status is Status.NO_DATA
    assert outcome.basis is Basis.NONE
    assert outcome.note == "2022年数值150超出合理范围（0～100%），未计入"


def test_an_infinite_value_is_not_counted() -> None:
    spec = IndicatorSpec(
        "1", "排放", "x", "x", "万吨", parse_rule({"kind": "no_growth"}), 2020, 2025
    )
    for bad in (float("inf"), float("nan")):
        outcome = evaluate(spec, Record({2020: 500.0, 2022: bad}), 2022)
        assert outcome.status is Status.NO_DATA
        assert outcome.note.startswith("2022年数值应为不小于0万吨的有限数值")
    # an implausible base year leaves the target unresolved, named in the note
    outcome = evaluate(spec, Record({2020: float("inf"), 2022: 400.0}), 2022)
    assert outcome.status is Status.NO_DATA and "2020年数值" in outcome.note


def test_an_implausible_other_year_does_not_block_this_year() -> None:
    outcome = evaluate(
        share_spec({"kind": "at_least", "threshold": 5}), Record({2021: 150, 2022: 6}), 2022
    )
    assert outcome.status is Status.MET


def test_an_implausible_part_share_fails_the_part_not_the_rest() -> None:
    above_30 = parse_rule({"kind": "above", "threshold": 30})
    parts = (
        Part("coal_power", "煤电行业", "Coal power", "%", above_30),
        Part("cement", "水泥行业", "Cement", "%", above_30),
    )
    spec = IndicatorSpec(
        "15", "标杆", "x", "x", "%", parse_rule({"kind": "all_parts"}), 2020, 2025, parts=parts
    )
    record = Record(part_values={"coal_power": {2022: 150}, "cement": {2022: 50}})
    outcome = evaluate(spec, record, 2022)
    assert outcome.status is Status.NO_DATA
    by_code = {part.code: result for part, result in outcome.parts}
    assert by_code["coal_power"].status is Status.NO_DATA
    assert by_code["cement"].status is Status.MET


def _plan_with(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(PLAN_DATA)
    change(data)
    return data


def _indicator(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in data["indicators"] if str(i["code"]) == code)


def test_a_plan_file_with_a_150_pct_share_is_refused() -> None:
    def bad(data: dict[str, Any]) -> None:
        _indicator(data, "21")["values"] = {2022: 150}

    with pytest.raises(PlanError, match=r"indicators\[\d+\]\.values\.2022: a share is .* got 150"):
        parse_plan(_plan_with(bad), "plan.yaml")


def test_a_plan_file_with_an_infinite_value_is_refused() -> None:
    def bad(data: dict[str, Any]) -> None:
        _indicator(data, "3")["values"] = {2020: 0.92, 2022: float("inf")}

    with pytest.raises(
        PlanError, match=r"values\.2022: expected a finite number ≥ 0 in 吨/万元, got inf"
    ):
        parse_plan(_plan_with(bad), "plan.yaml")


def test_a_share_target_above_100_is_refused() -> None:
    def bad(data: dict[str, Any]) -> None:
        _indicator(data, "21")["target"] = {"kind": "at_least", "threshold": 150}

    with pytest.raises(PlanError, match=r"target\.threshold: a share is .* got 150"):
        parse_plan(_plan_with(bad), "plan.yaml")


def test_the_bundled_plan_is_plausible() -> None:
    parse_plan(PLAN_DATA, "zhangqiu.yaml")


def test_the_refusal_says_the_same_in_chinese() -> None:
    with pytest.raises(ValueRangeError) as exc:
        check_value(150, "%", "2022年数值")
    assert exc.value.message_zh == "2022年数值150超出合理范围（0～100%）"
    with pytest.raises(ValueRangeError) as exc:
        check_value(float("inf"), "吨", "数值")
    assert exc.value.message_zh == "数值应为不小于0吨的有限数值，而不是inf"
