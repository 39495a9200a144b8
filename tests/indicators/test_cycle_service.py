"""The office's yearly data cycle on the bundled Zhangqiu plan, on SQLite and PostgreSQL
(issue #12 items 2-6): the evaluation year, missing apart from not met, the to-do, submit and
confirm, correct and withdraw — each write audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import bindparam, select, text

from nearzero.indicators.choices import Status
from nearzero.services import dashboard, indicators as svc, report
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.store import tables as m
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.migrate import upgrade

OFFICE = Actor("office", Role.ADMIN)
DRC = Actor("drc", Role.EDITOR, "drc", unit_id=1)  # owns 17 (binding) and 22 (reference)
HOUSING = Actor("housing1", Role.EDITOR, "housing", unit_id=1)
TODAY = dt.date(2026, 12, 5)


def status(session: Any, code: str, year: int) -> Status:
    ev = svc.evaluate_unit(session, svc.get_unit(session, "zhangqiu"), year)
    return {e.view.spec.code: e.outcome.status for e in ev.indicators}[code]


def audits(session: Any, action: str) -> list[m.AuditLog]:
    query = select(m.AuditLog).where(m.AuditLog.action == action).order_by(m.AuditLog.id)
    return list(session.scalars(query))


# --------------------------------------------------------------------------- item 2


def test_the_evaluation_year_is_the_offices_choice_not_the_latest_value(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        assert svc.evaluation_year(session, unit) == 2022  # the plan's figures reach 2022
        # one department's early 2023 entry does not move anyone's default year
        svc.submit_value(session, OFFICE, unit, svc.ValueInput("17", 2023, 0.3), TODAY)
        assert dashboard.overview_page(session, unit, None, "zh").year == 2022
        assert dashboard.indicator_table_page(session, unit, None).year == 2022
        assert report.report_page(session, unit, None).year == 2022
        assert 2023 in dashboard.overview_page(session, unit, None, "zh").years
        svc.set_evaluation_year(session, OFFICE, unit, 2023, TODAY)
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        assert dashboard.overview_page(session, unit, None, "zh").year == 2023
        assert report.report_page(session, unit, None).year == 2023
        assert dashboard.task_targets_page(session, unit, None).year == 2023
        (entry,) = audits(session, "cycle.evaluation_year")
        assert (entry.actor, entry.old, entry.new) == (
            "office",
            {"evaluation_year": 2022},
            {"evaluation_year": 2023},
        )


def test_an_evaluation_year_after_this_year_is_refused_naming_the_field(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.set_evaluation_year(session, OFFICE, unit, 2026, dt.date(2026, 1, 1))  # boundary
        with pytest.raises(InvalidInput, match="evaluation_year") as refused:
            svc.set_evaluation_year(session, OFFICE, unit, 2027, dt.date(2026, 12, 31))
        assert "2026" in str(refused.value)
        with pytest.raises(InvalidInput, match="evaluation_year"):
            svc.set_evaluation_year(session, OFFICE, unit, 2019, TODAY)  # before the base year
        with pytest.raises(PermissionDenied):
            svc.set_evaluation_year(session, DRC, unit, 2023, TODAY)
    with transaction(sessions) as session:
        assert svc.evaluation_year(session, svc.get_unit(session, "zhangqiu")) == 2026


def test_a_value_for_a_year_after_this_year_is_refused(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        # the mistyped 2032 of the issue, and the first year after today's
        for year in (2032, 2027):
            with pytest.raises(InvalidInput, match=r"^year: ") as refused:
                svc.submit_value(session, DRC, unit, svc.ValueInput("17", year, 0.3), TODAY)
            assert "2026" in str(refused.value)
        svc.submit_value(session, DRC, unit, svc.ValueInput("17", 2026, 0.3), TODAY)
        assert [
            v.row.year for v in svc.values_in_review(session, unit, svc.ValueState.SUBMITTED)
        ] == [2026]


# --------------------------------------------------------------------------- items 3 and 5


def test_a_department_value_counts_only_once_confirmed(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        before = svc.evaluate_unit(session, unit, 2023).acceptance
        assert (before.binding_met, before.reference_met) == (0, 0)
        assert before.binding_no_data > 0
        row = svc.submit_value(session, DRC, unit, svc.ValueInput("17", 2023, 0.25), TODAY)
        svc.submit_value(session, DRC, unit, svc.ValueInput("22", 2023, 60), TODAY)
        assert row.state == "submitted"
        assert status(session, "17", 2023) is Status.NO_DATA  # pending: missing, not failing
        (view,) = svc.catalogue(session, unit, "17")
        assert [v.value for v in view.pending_in(2023)] == [0.25]
        page = dashboard.overview_page(session, unit, 2023, "zh")
        assert page.pending == 2
        assert "17" in {e.view.spec.code for e, pending in page.missing if pending}
        svc.confirm_value(session, OFFICE, unit, "17", 2023)
        svc.return_value(session, OFFICE, unit, "22", 2023, "与统计年报不一致，请核实")
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        after = svc.evaluate_unit(session, unit, 2023).acceptance
        assert (after.binding_met, after.reference_met) == (1, 0)  # only the confirmed one
        assert status(session, "17", 2023) is Status.MET
        assert status(session, "22", 2023) is Status.NO_DATA
        (returned,) = svc.values_in_review(session, unit, svc.ValueState.RETURNED)
        assert (returned.row.return_reason, returned.row.reviewed_by) == (
            "与统计年报不一致，请核实",
            "office",
        )
        (entry,) = audits(session, "value.return")
        assert entry.new["reason"] == "与统计年报不一致，请核实" and entry.entity_key == "22//2023"
        (entry,) = audits(session, "value.confirm")
        assert (entry.actor, entry.entity_key, entry.new["state"]) == (
            "office",
            "17//2023",
            "confirmed",
        )
        # only a submitted value is confirmed or returned; a reason is required
        with pytest.raises(InvalidInput, match="state"):
            svc.confirm_value(session, OFFICE, unit, "22", 2023)
        with pytest.raises(InvalidInput, match="reason"):
            svc.return_value(session, OFFICE, unit, "17", 2023, "  ")
        with pytest.raises(PermissionDenied):
            svc.confirm_value(session, DRC, unit, "17", 2023)
        with pytest.raises(NotFound):
            svc.confirm_value(session, OFFICE, unit, "17", 2024)
        # entering a returned value again submits it again, its reason cleared
        row = svc.submit_value(session, DRC, unit, svc.ValueInput("22", 2023, 55), TODAY)
        assert (row.state, row.return_reason) == ("submitted", "")


def test_a_confirmed_figure_counts_until_its_change_is_confirmed(sessions: Any) -> None:
    # no. 21 (星级绿色建筑占比, housing): 4 % in 2022 against ≥5, confirmed with the plan
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.submit_value(session, HOUSING, unit, svc.ValueInput("21", 2022, 5.5), TODAY)
        assert status(session, "21", 2022) is Status.NOT_MET  # 4 % still counts
        (view,) = svc.catalogue(session, unit, "21")
        assert view.record.values[2022] == 4 and view.pending_in(2022)[0].value == 5.5
        svc.return_value(session, OFFICE, unit, "21", 2022, "请附核定文件")
        assert status(session, "21", 2022) is Status.NOT_MET  # sent back: 4 % still counts
        assert ("21", "", 2022) in report.value_sources(session, unit)
        svc.submit_value(session, HOUSING, unit, svc.ValueInput("21", 2022, 5.5), TODAY)
        svc.confirm_value(session, OFFICE, unit, "21", 2022)
        assert status(session, "21", 2022) is Status.MET  # now 5.5 %
        # a confirmed figure moved to another year no longer counts for the year it left
        svc.correct_value(
            session, HOUSING, unit, 2022, svc.ValueInput("21", 2023, 5.5), "应为2023年数据"
        )
        assert status(session, "21", 2022) is Status.NO_DATA
        assert status(session, "21", 2023) is Status.NO_DATA  # awaiting confirmation


def test_the_office_and_the_loaded_plan_are_confirmed(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        states = {v.state for v in svc.values_on_record(session, unit).values()}
        assert states == {"confirmed"}
        row = svc.submit_value(session, OFFICE, unit, svc.ValueInput("21", 2023, 6), TODAY)
        assert (row.state, row.reviewed_by) == ("confirmed", "office")
        assert status(session, "21", 2023) is Status.MET


def test_with_confirmation_off_a_value_counts_when_saved(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.submit_value(session, DRC, unit, svc.ValueInput("22", 2023, 60), TODAY)
        assert status(session, "22", 2023) is Status.NO_DATA
        svc.set_confirmation(session, OFFICE, unit, False)
        assert status(session, "22", 2023) is Status.MET  # a pending value now counts
        row = svc.submit_value(session, DRC, unit, svc.ValueInput("17", 2023, 0.25), TODAY)
        assert row.state == "confirmed"
        with pytest.raises(PermissionDenied):
            svc.set_confirmation(session, DRC, unit, True)
        (entry,) = audits(session, "cycle.confirmation")
        assert (entry.old, entry.new) == ({"confirmation": True}, {"confirmation": False})


def test_the_report_cites_only_values_that_count(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.submit_value(session, DRC, unit, svc.ValueInput("17", 2023, 0.25, source="待核"), TODAY)
        assert ("17", "", 2023) not in report.value_sources(session, unit)
        assert report.report_page(session, unit, 2023).acceptance.binding_met == 0
        svc.confirm_value(session, OFFICE, unit, "17", 2023)
        assert report.value_sources(session, unit)[("17", "", 2023)][0] == "待核"
        assert report.report_page(session, unit, 2023).acceptance.binding_met == 1


# --------------------------------------------------------------------------- item 6


def test_a_wrong_value_is_corrected_with_a_reason_and_history_keeps_both(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        with pytest.raises(InvalidInput, match="reason"):
            svc.correct_value(session, OFFICE, unit, 2022, svc.ValueInput("21", 2022, 5), "")
        svc.correct_value(
            session, OFFICE, unit, 2022, svc.ValueInput("21", 2022, 5), "录入错误，按年报更正"
        )
        assert status(session, "21", 2022) is Status.MET
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        (entry,) = svc.history(session, unit, "21")
        assert (entry.actor, entry.action) == ("office", "value.correct")
        assert (entry.old["value"], entry.new["value"]) == (4, 5)
        assert entry.new["reason"] == "录入错误，按年报更正"


def test_a_wrong_year_is_corrected_by_its_department(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.submit_value(session, DRC, unit, svc.ValueInput("17", 2024, 0.25), TODAY)
        # 2022 already has a value: correct that one instead
        with pytest.raises(InvalidInput, match="year"):
            svc.correct_value(session, DRC, unit, 2024, svc.ValueInput("17", 2022, 0.25), "年份")
        # another department may not
        with pytest.raises(PermissionDenied):
            svc.correct_value(
                session, HOUSING, unit, 2024, svc.ValueInput("17", 2023, 0.25), "年份错误"
            )
        svc.correct_value(
            session, DRC, unit, 2024, svc.ValueInput("17", 2023, 0.25), "年份填错，应为2023年"
        )
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        (view,) = svc.catalogue(session, unit, "17")
        assert ("", 2024) not in view.stored and view.stored[("", 2023)].state == "submitted"
        moved = audits(session, "value.correct")
        assert {e.entity_key for e in moved} == {"17//2024", "17//2023"}
        assert all(
            (e.actor, e.old["year"], e.new["year"], e.new["reason"])
            == ("drc", 2024, 2023, "年份填错，应为2023年")
            for e in moved
        )


def test_a_wrong_value_is_withdrawn_with_a_reason(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.submit_value(session, DRC, unit, svc.ValueInput("17", 2023, 0.25), TODAY)
        svc.confirm_value(session, OFFICE, unit, "17", 2023)
        assert status(session, "17", 2023) is Status.MET
        with pytest.raises(PermissionDenied):
            svc.withdraw_value(session, HOUSING, unit, "17", 2023, "误填")
        with pytest.raises(InvalidInput, match="reason"):
            svc.withdraw_value(session, DRC, unit, "17", 2023, "")
        svc.withdraw_value(session, DRC, unit, "17", 2023, "误填了2022年的数据")
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        assert status(session, "17", 2023) is Status.NO_DATA
        withdrawn, confirmed, submitted = svc.history(session, unit, "17")
        assert (withdrawn.action, withdrawn.actor) == ("value.withdraw", "drc")
        assert withdrawn.old["value"] == 0.25 and withdrawn.new["reason"] == "误填了2022年的数据"
        assert (confirmed.action, submitted.action) == ("value.confirm", "value.set")
        with pytest.raises(NotFound):
            svc.withdraw_value(session, DRC, unit, "17", 2023, "again")


# --------------------------------------------------------------------------- item 4


def test_the_to_do_of_a_department_and_of_the_office(sessions: Any) -> None:
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.set_evaluation_year(session, OFFICE, unit, 2023, TODAY)
        with pytest.raises(InvalidInput, match="due"):
            svc.set_deadline(session, OFFICE, unit, 2023, dt.date(2022, 12, 31))
        with pytest.raises(PermissionDenied):
            svc.set_deadline(session, DRC, unit, 2023, dt.date(2024, 3, 31))
        svc.set_deadline(session, OFFICE, unit, 2023, dt.date(2024, 3, 31))
        svc.submit_value(session, DRC, unit, svc.ValueInput("17", 2023, 0.25), TODAY)
        svc.submit_value(session, DRC, unit, svc.ValueInput("22", 2023, 60), TODAY)
        svc.return_value(session, OFFICE, unit, "22", 2023, "请附统计年报")

        mine = dashboard.todo_page(session, DRC, unit, None, today=dt.date(2024, 3, 31))
        assert mine.year == 2023 and mine.deadline == dt.date(2024, 3, 31)
        assert not mine.overdue and not mine.office and mine.review == []
        (drc,) = mine.departments
        assert drc.department.code == "drc"
        missing = {mv.view.spec.code for mv in drc.missing}
        assert {"10", "11", "T1", "15"} <= missing and not {"17", "22", "21"} & missing
        assert {mv.view.spec.code: mv.parts for mv in drc.missing}["15"][0] == "煤电行业"
        assert [p.view.spec.code for p in drc.pending] == ["17"]
        assert [(p.view.spec.code, p.row.return_reason) for p in drc.returned] == [
            ("22", "请附统计年报")
        ]
        assert not drc.overdue_data  # the deadline's own day is not overdue

        office = dashboard.todo_page(session, OFFICE, unit, None, today=dt.date(2024, 4, 1))
        assert office.office and office.overdue
        assert [p.view.spec.code for p in office.review] == ["17"]
        by_code = {d.department.code: d for d in office.departments}
        assert {"drc", "housing", "eeb"} <= set(by_code)
        assert by_code["drc"].overdue_data and by_code["housing"].overdue_data
        # overdue projects as well as overdue data
        assert any(d.late_projects for d in office.departments)
        (entry,) = audits(session, "cycle.deadline")
        assert entry.new == {"year": 2023, "due": "2024-03-31"}


def test_the_migration_keeps_todays_figures(database_url: str) -> None:
    """Values stored before 0012 are confirmed and each unit's evaluation year is its
    latest year with values, so no page changes on upgrade."""
    upgrade(database_url, "0011")
    engine = make_engine(database_url)
    try:
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            # a unit as 0011 stored it: no cycle table, no review columns yet
            conn = session.connection()
            conn.execute(
                text(
                    "INSERT INTO demo_unit (code, kind, name_zh, name_en, province_zh, "
                    "office_zh, base_year, target_year, plan_title_zh, plan_document_no) "
                    "VALUES ('u', 'city', 'U', 'U', '', '', 2020, 2025, '', '')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO category (unit_id, code, name_zh, name_en, position) "
                    "SELECT id, 'c', 'c', 'c', 0 FROM demo_unit WHERE code = 'u'"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO indicator (unit_id, code, kind, position, name_zh, name_en, "
                    "category_id, unit, attribute, rule, task_ref_zh, note) "
                    "SELECT u.id, '21', 'indicator', 0, 'x', 'x', c.id, :unit, 'binding', "
                    ":rule, '', '' FROM demo_unit u JOIN category c ON c.unit_id = u.id"
                ).bindparams(
                    bindparam("rule", type_=m.Indicator.__table__.c.rule.type),
                    unit="%",
                    rule={"kind": "at_least", "threshold": 5.0},
                )
            )
            for year, value in ((2021, 3.0), (2022, 6.0)):
                conn.execute(
                    text(
                        "INSERT INTO indicator_value (indicator_id, part_code, year, value, "
                        "source, evidence, entered_by, entered_at) SELECT id, '', :year, "
                        ":value, '', '', 'office', CURRENT_TIMESTAMP FROM indicator"
                    ),
                    {"year": year, "value": value},
                )
        upgrade(database_url)
        with transaction(sessions) as session:
            unit = svc.get_unit(session, "u")
            assert svc.evaluation_year(session, unit) == 2022
            assert {v.state for v in svc.values_on_record(session, unit).values()} == {"confirmed"}
            assert svc.confirmation_on(session, unit)
            ev = svc.evaluate_unit(session, unit, 2022)
            assert ev.acceptance.binding_met == 1
    finally:
        engine.dispose()
