"""The office's data cycle, pure (issue #12 items 2, 3, 5): the year refused after this
calendar year in China Standard Time, which values count, missing apart from not met."""

from __future__ import annotations

import datetime as dt

import pytest

from nearzero.indicators.choices import Attribute, Basis, Status
from nearzero.indicators.cycle import (
    ValueState,
    YearError,
    check_year,
    china_today,
    counts,
    default_evaluation_year,
    missing,
    overdue,
    state_after_entry,
    status_counts,
)
from nearzero.indicators.evaluation import IndicatorSpec, Outcome, Record, acceptance, evaluate
from nearzero.indicators.rules import parse_rule


def spec(code: str, attribute: Attribute | None = Attribute.BINDING) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        name_zh=f"指标{code}",
        name_en=f"indicator {code}",
        category="c",
        unit="%",
        rule=parse_rule({"kind": "at_least", "threshold": 5}, code),
        base_year=2020,
        target_year=2025,
        attribute=attribute,
    )


# --------------------------------------------------------------------------- the year


def test_china_today_turns_at_midnight_beijing_time() -> None:
    # 2026-12-31 15:59:59 UTC is 23:59:59 in Beijing; a second later it is 2027 there
    assert china_today(dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=dt.UTC)) == dt.date(
        2026, 12, 31
    )
    assert china_today(dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=dt.UTC)) == dt.date(2027, 1, 1)
    assert china_today(dt.datetime(2026, 12, 31, 16, 0, 0)) == dt.date(2027, 1, 1)  # naive: UTC


@pytest.mark.parametrize("field", ["year", "evaluation_year"])
def test_a_year_after_this_calendar_year_is_refused_naming_the_field(field: str) -> None:
    today = dt.date(2026, 12, 31)
    assert check_year(2026, today, field) == 2026  # the boundary itself is taken
    assert check_year(1990, today, field) == 1990
    with pytest.raises(YearError) as refused:
        check_year(2027, today, field)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ") and "2026" in str(refused.value)
    assert (
        refused.value.message_zh.startswith(f"{field}：") and "北京时间" in refused.value.message_zh
    )


def test_new_year_in_beijing_allows_the_new_year_before_utc_does() -> None:
    now = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 January in Beijing
    assert check_year(2027, china_today(now)) == 2027
    with pytest.raises(YearError):
        check_year(2027, now.date())  # by the UTC calendar it would still be refused


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2023, 6, 1), 2022),  # last calendar year
        (dt.date(2026, 12, 5), 2025),  # the target year
        (dt.date(2031, 1, 1), 2025),  # never after the target year
        (dt.date(2020, 1, 1), 2020),  # never before the base year
    ],
)
def test_default_evaluation_year_is_last_year_within_the_plan(
    today: dt.date, expected: int
) -> None:
    assert default_evaluation_year(today, 2020, 2025) == expected


def test_a_deadline_is_overdue_only_after_its_day() -> None:
    due = dt.date(2026, 3, 31)
    assert not overdue(due, dt.date(2026, 3, 31))
    assert overdue(due, dt.date(2026, 4, 1))
    assert not overdue(None, dt.date(2030, 1, 1))


# --------------------------------------------------------------------------- which values count


@pytest.mark.parametrize(
    ("state", "confirmation", "counted"),
    [
        (ValueState.CONFIRMED, True, True),
        (ValueState.SUBMITTED, True, False),
        (ValueState.RETURNED, True, False),
        (ValueState.CONFIRMED, False, True),
        (ValueState.SUBMITTED, False, True),  # confirmation off: counts once saved
        (ValueState.RETURNED, False, False),  # ... but never a value sent back
    ],
)
def test_which_values_count(state: ValueState, confirmation: bool, counted: bool) -> None:
    assert counts(state, confirmation) is counted


def test_state_after_entry() -> None:
    assert state_after_entry(office=False, confirmation=True) is ValueState.SUBMITTED
    assert state_after_entry(office=True, confirmation=True) is ValueState.CONFIRMED
    assert state_after_entry(office=False, confirmation=False) is ValueState.CONFIRMED
    assert (ValueState.SUBMITTED.label_zh, ValueState.RETURNED.label_en) == ("待确认", "returned")


# --------------------------------------------------------------------------- missing is not failing


def test_missing_is_no_data_not_not_met_and_acceptance_counts_it_apart() -> None:
    specs = [spec("1"), spec("2"), spec("3"), spec("4", Attribute.REFERENCE), spec("T", None)]
    records = {
        "1": Record(values={2023: 6}),  # met
        "2": Record(values={2023: 4}),  # not met
        "3": Record(values={2022: 7}),  # no value for 2023: no data
        "4": Record(),  # no data
        "T": Record(),  # a task target: not part of the acceptance rule
    }
    outcomes = [(s, evaluate(s, records[s.code], 2023)) for s in specs]
    assert [o.status for _, o in outcomes] == [
        Status.MET,
        Status.NOT_MET,
        Status.NO_DATA,
        Status.NO_DATA,
        Status.NO_DATA,
    ]
    a = acceptance(outcomes)
    # a binding indicator without data is not met for acceptance, but counted as missing
    assert (a.binding_met, a.binding_total, a.binding_no_data) == (1, 3, 1)
    assert (a.reference_met, a.reference_total, a.reference_no_data) == (0, 1, 1)
    assert not a.ready
    counted = status_counts(outcomes[:4])
    assert (counted.met, counted.not_met, counted.no_data, counted.total) == (1, 1, 2, 4)
    assert [s.code for s in missing(outcomes)] == ["3", "4", "T"]


def test_every_binding_met_but_one_missing_is_not_ready() -> None:
    met = Outcome(Status.MET, Basis.COMPUTED)
    gone = Outcome(Status.NO_DATA, Basis.NONE)
    a = acceptance([(spec("1"), met), (spec("2"), gone)])
    assert (a.binding_met, a.binding_no_data, a.ready) == (1, 1, False)
    assert Status.NO_DATA.label_zh == "无数据" and Status.NOT_MET.label_zh == "未完成"
    assert Status.NO_DATA.colour != Status.NOT_MET.colour
