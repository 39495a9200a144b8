"""Indicator use cases on a real SQLite file and a real PostgreSQL server."""

import pytest
from sqlalchemy import func, select

from nearzero.indicators.catalogue import bundled_plan_path, load_plan
from nearzero.indicators.choices import Status
from nearzero.services import indicators as svc, plans
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.store import tables as m
from nearzero.store.db import transaction
from nearzero.store.migrate import upgrade

OFFICE = Actor("office", Role.ADMIN)
# Department editors of the bundled unit: the first unit of a fresh database has id 1.
DRC = Actor("drc", Role.EDITOR, "drc", unit_id=1)
EEB = Actor("eeb", Role.EDITOR, "eeb", unit_id=1)
VIEWER = Actor("viewer", Role.VIEWER)


def snapshot(session):
    rows = session.execute(
        select(
            m.IndicatorValue.indicator_id,
            m.IndicatorValue.part_code,
            m.IndicatorValue.year,
            m.IndicatorValue.value,
            m.IndicatorValue.text,
        )
    ).all()
    return sorted(rows, key=repr)


def test_upgrade_twice_is_harmless(zhangqiu_url):
    upgrade(zhangqiu_url)


def test_evaluate_2022_reproduces_plan(sessions):
    plan = load_plan(bundled_plan_path())
    expected = {e.spec.code: e.plan_status for e in plan.indicators}
    with transaction(sessions) as session:
        ev = svc.evaluate_unit(session, svc.get_unit(session, "zhangqiu"), 2022)
    assert {e.view.spec.code: e.outcome.status for e in ev.indicators} == expected
    a = ev.acceptance
    assert (a.binding_met, a.binding_total, a.reference_met, a.reference_total) == (12, 18, 6, 14)
    assert not a.ready
    assert len(ev.task_targets) == len(plan.task_targets)


def test_loading_a_unit_twice_is_refused(sessions):
    with transaction(sessions) as session, pytest.raises(InvalidInput, match="already loaded"):
        plans.load_plan(session, load_plan(bundled_plan_path()), OFFICE)


def test_department_editor_enters_its_own_value_and_status_changes(sessions):
    # no. 17 (规模以上工业企业可再生能源利用比例) belongs to 区发改局 (drc)
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.set_value(session, DRC, unit, svc.ValueInput("17", 2023, 0.09, source="统计年报"))
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        (view,) = svc.catalogue(session, unit, "17")
        assert 2023 not in view.record.values  # submitted: counts once the office confirms it
        assert view.stored[("", 2023)].state == "submitted"
        svc.confirm_value(session, OFFICE, unit, "17", 2023)
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        (view,) = svc.catalogue(session, unit, "17")
        assert view.record.values[2023] == pytest.approx(0.09)
        ev = svc.evaluate_unit(session, unit, 2023)
        by_code = {e.view.spec.code: e.outcome for e in ev.indicators}
        assert by_code["17"].status is Status.NOT_MET  # 0.09 is not above 2020's 0.11
        confirmed, entry = svc.history(session, unit, "17")
        assert (confirmed.actor, confirmed.action) == ("office", "value.confirm")
        assert (entry.actor, entry.action, entry.old, entry.new["value"]) == (
            "drc",
            "value.set",
            None,
            pytest.approx(0.09),
        )


def test_change_keeps_old_value_in_audit_log(sessions):
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        svc.set_value(session, OFFICE, unit, svc.ValueInput("21", 2022, 5.0, source="住建局核定"))
    with transaction(sessions) as session:
        unit = svc.get_unit(session, "zhangqiu")
        (entry,) = svc.history(session, unit, "21")
        assert entry.old["value"] == 4 and entry.new["value"] == 5
        ev = svc.evaluate_unit(session, unit, 2022)
        assert ev.acceptance.binding_met == 13  # no. 21 now meets ≥5


@pytest.mark.parametrize(
    ("actor", "code", "message"),
    [
        (EEB, "17", "may not edit indicator 17"),  # belongs to drc
        (VIEWER, "1", "may not edit"),
    ],
)
def test_edit_outside_department_is_refused_and_nothing_changes(sessions, actor, code, message):
    with transaction(sessions) as session:
        before = snapshot(session)
        audits = session.scalar(select(func.count()).select_from(m.AuditLog))
    with transaction(sessions) as session, pytest.raises(PermissionDenied, match=message):
        svc.set_value(session, actor, svc.get_unit(session), svc.ValueInput(code, 2022, 1.0))
    with transaction(sessions) as session:
        assert snapshot(session) == before
        assert session.scalar(select(func.count()).select_from(m.AuditLog)) == audits


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (svc.ValueInput("1", 2022, float("nan")), "value: .* — expected a finite number"),
        (svc.ValueInput("1", 2022, -5.0), "value: .* — expected a number ≥ 0"),
        (svc.ValueInput("21", 2022, 150.0), "between 0 and 100"),  # a share of 150 %
        (svc.ValueInput("1", 2022, float("inf")), "value: .* — expected a finite number"),
        (svc.ValueInput("1", 2300, 5.0), "year: .* — expected a year between"),
        (svc.ValueInput("1", 2022, 5.0, unit="m**3"), "unit: .* — expected '吨'"),
        (svc.ValueInput("4", 2022, 1.0), "qualitative; enter a text"),
        (svc.ValueInput("28", 2022, 1.0), "part: .* — indicator 28 takes its figures per part"),
        (svc.ValueInput("28", 2022, 1.0, part="seeds"), "part: .* — indicator 28 has parts"),
        (svc.ValueInput("1", 2022), "value: .* — a number or a text is required"),
        (svc.ValueInput("99", 2022, 1.0), "has no indicator '99'"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(sessions, entry, message):
    with transaction(sessions) as session:
        before = snapshot(session)
    with (
        transaction(sessions) as session,
        pytest.raises((InvalidInput, svc.NotFound), match=message),
    ):
        svc.set_value(session, OFFICE, svc.get_unit(session), entry)
    with transaction(sessions) as session:
        assert snapshot(session) == before


def test_value_in_another_unit_is_converted(sessions):
    with transaction(sessions) as session:
        unit = svc.get_unit(session)
        svc.set_value(session, OFFICE, unit, svc.ValueInput("1", 2023, 800.5, unit="万吨"))
        (view,) = svc.catalogue(session, unit, "1")
        assert view.record.values[2023] == pytest.approx(8_005_000)


def test_assessment_and_assigned_target_are_the_office_s(sessions):
    with transaction(sessions) as session, pytest.raises(PermissionDenied):
        svc.set_assessment(session, DRC, svc.get_unit(session), "12", 2023, Status.MET, "验收报告")
    with transaction(sessions) as session:
        unit = svc.get_unit(session)
        # no. 11 非化石能源消费比重: the province sets 7.0 % for 2023 → 2023 value 6.8 is not met
        svc.set_assigned_target(session, OFFICE, unit, "11", 2023, 7.0, "省下达2023年目标")
        svc.set_value(session, OFFICE, unit, svc.ValueInput("11", 2023, 6.8))
        svc.set_assessment(session, OFFICE, unit, "12", 2023, Status.MET, "新建光伏项目3个")
    with transaction(sessions) as session:
        ev = svc.evaluate_unit(session, svc.get_unit(session), 2023)
        by_code = {e.view.spec.code: e.outcome for e in ev.indicators}
        assert by_code["11"].status is Status.NOT_MET
        assert by_code["11"].gap == pytest.approx(0.2)
        assert by_code["12"].status is Status.MET


def test_second_unit_lives_beside_the_first(sessions):
    """Nothing assumes one district: a park with its own plan is loaded and evaluated apart."""
    import copy

    import yaml

    data = yaml.safe_load(bundled_plan_path().read_text(encoding="utf-8"))
    park = copy.deepcopy(data)
    park["unit"].update(
        code="mingshui-park", kind="park", name_zh="明水经济技术开发区", name_en="Mingshui ETDZ"
    )
    park["indicators"] = park["indicators"][:3]
    park["indicators"][0]["values"] = {2020: 100.0, 2022: 90.0}
    park["task_targets"], park["key_projects"] = [], []
    from nearzero.indicators.catalogue import parse_plan

    with transaction(sessions) as session:
        plans.load_plan(session, parse_plan(park, "park.yaml"), OFFICE)
    with transaction(sessions) as session:
        ev = svc.evaluate_unit(session, svc.get_unit(session, "mingshui-park"), 2022)
        assert [e.view.spec.code for e in ev.indicators] == ["1", "2", "3"]
        assert ev.indicators[0].outcome.value == 90.0
        zq = svc.evaluate_unit(session, svc.get_unit(session, "zhangqiu"), 2022)
        assert zq.indicators[0].outcome.value == pytest.approx(8537813.87)
    # the park's 工信局 editor shares the department code but not the unit
    with transaction(sessions) as session:
        park_unit = svc.get_unit(session, "mingshui-park")
        park_miit = Actor("park-miit", Role.EDITOR, "miit", unit_id=park_unit.id)
        with pytest.raises(PermissionDenied):
            svc.set_value(
                session,
                park_miit,
                svc.get_unit(session, "zhangqiu"),
                svc.ValueInput("1", 2023, 1.0),
            )
        svc.set_value(session, park_miit, park_unit, svc.ValueInput("1", 2023, 80.0))
    # each unit's history of its indicator 1 holds its own changes only
    with transaction(sessions) as session:
        (entry,) = svc.history(session, svc.get_unit(session, "mingshui-park"), "1")
        assert (entry.unit_code, entry.actor, entry.new["value"]) == (
            "mingshui-park",
            "park-miit",
            80.0,
        )
        assert svc.history(session, svc.get_unit(session, "zhangqiu"), "1") == []


def test_migrations_have_one_head():
    from nearzero.store.migrate import current_heads

    assert len(current_heads()) == 1
