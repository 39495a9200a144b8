"""The two-high ledger through its services on SQLite and PostgreSQL: the plan's case end to end,
refusals naming the field with nothing changed, a replayed request, the release on rejection,
the decided ratio kept until recomputed, reconciliation, and two allocations racing for the last
tonnes on PostgreSQL (one wins)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from nearzero.services import twohigh
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.indicators import get_unit
from nearzero.store import tables as m, twohigh as store
from nearzero.store.db import transaction
from nearzero.store.ledger import check_invariants

OFFICE = Actor("office", Role.ADMIN)
EDITOR = Actor("eeb", Role.EDITOR, department="eeb")


def _project(
    session: Session, unit: m.DemoUnit, code: str = "huaming", segment: str = "cement"
) -> None:
    twohigh.add_project(
        session,
        OFFICE,
        unit,
        twohigh.ProjectInput(
            code=code,
            name="年产110万吨水泥粉磨项目",
            segment=segment,
            firm_name="章丘华明水泥有限公司",
            capacity="1100000",
            capacity_unit="t/a",
            classification="new_operating",
            disposal="continue",
        ),
    )


def _source(session: Session, unit: m.DemoUnit, code: str = "kiln3", tonnes: str = "30000") -> None:
    twohigh.add_source(
        session,
        OFFICE,
        unit,
        twohigh.SourceInput(
            code=code,
            name="示例：3号熟料窑关停",
            mechanism="shutdown",
            formed_on="2022-03-01",
            location="章丘区",
            firm_name="示例建材有限公司",
            monitorable=True,
            countable=True,
            recheckable=True,
            reductions={"carbon": tonnes},
        ),
    )
    twohigh.verify_source(session, OFFICE, unit, code)


def _move(session: Session, unit: m.DemoUnit, move: str, amount: str, **kw: Any) -> Any:
    return twohigh.move(
        session,
        OFFICE,
        unit,
        twohigh.MoveInput(
            move=move, source=kw.pop("source", "kiln3"), dimension="carbon", amount=amount, **kw
        ),
    )


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        _project(session, unit)
        twohigh.set_need(
            session,
            EDITOR,
            unit,
            "huaming",
            "carbon",
            terms={"fuel": "20000", "process": "0", "net_purchased": "5310", "recovered": "0"},
        )
        _source(session, unit)
    yield sessions


def test_the_plans_case_end_to_end(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        twohigh.set_stage(session, OFFICE, unit, "huaming", "review")
        (req,) = twohigh.decide(
            session,
            OFFICE,
            unit,
            "huaming",
            on="2023-05-01",
            named={"carbon": "zq_plan/huaming/carbon"},
            approval_doc="示例批复",
        )
        assert req.required == 27_841_000 and req.ratio == Decimal("1.1")
        _move(session, unit, "deposit", "30000")
        _move(session, unit, "reserve", "27841", project="huaming")
        twohigh.set_stage(session, OFFICE, unit, "huaming", "approved")
        _move(session, unit, "allocate", "27841", project="huaming", origin="th_reserved")
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        view = twohigh.ledger_view(session, unit)
        assert view.indicator.share == 100 and view.indicator.met is True
        (line,) = view.projects[0].requirements
        assert line.by_source == {"kiln3": 27_841_000}
        assert line.required_entry - line.new_amount == Decimal("2531")
        assert view.balance["carbon"] == {
            "deposited": 30_000_000,
            "banked": 2_159_000,
            "reserved": 0,
            "allocated": 27_841_000,
            "retired": 0,
        }
        assert check_invariants(store.ledger(session)) == []
        data = twohigh.ledger_to_dict(view)
        assert data["indicator_4"]["share_pct"] == "100"
        assert [e.tx.kind for e in twohigh.entries_of_project(session, unit, "huaming")] == [
            "reserve",
            "allocate",
        ]
        assert twohigh.feed_indicator_4(session, OFFICE, unit, 2023) is True
        row = session.scalars(
            select(m.Assessment)
            .join(m.Indicator)
            .where(
                m.Indicator.unit_id == unit.id, m.Indicator.code == "4", m.Assessment.year == 2023
            )
        ).one()
        assert row.status == "met" and "执行比例100%" in row.evidence
        with pytest.raises(PermissionDenied):
            twohigh.feed_indicator_4(session, EDITOR, unit, 2023)


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(m.LedgerPosting)) or 0,
        session.scalar(select(func.count()).select_from(m.AuditLog)) or 0,
        session.scalar(select(func.count()).select_from(m.TwoHighRequirement)) or 0,
    )


def test_refusals_name_the_field_and_change_nothing(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        _move(session, unit, "deposit", "30000")
        before = _counts(session)
        cases = [
            (dict(move="deposit", amount="1"), "amount"),  # beyond the verified reduction
            (dict(move="allocate", amount="1", project="huaming"), "project"),  # not approved
            (dict(move="deposit", amount="0.0001"), "amount"),  # not whole kg
            (dict(move="deposit", amount="abc"), "amount"),
            (dict(move="teleport", amount="1"), "move"),
        ]
        for kw, field in cases:
            move = kw.pop("move")
            amount = kw.pop("amount")
            with pytest.raises(InvalidInput) as info:
                with session.begin_nested():
                    _move(session, unit, move, amount, **kw)
            assert str(info.value).startswith(field), (move, str(info.value))
        with pytest.raises(PermissionDenied):
            twohigh.move(
                session, EDITOR, unit, twohigh.MoveInput("deposit", "kiln3", "carbon", "1")
            )
        assert _counts(session) == before


def test_an_overdraft_is_refused_by_the_ledger(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        _source(session, unit, "small", "10")
        _project(session, unit, "p2", "lime")
        twohigh.set_need(session, OFFICE, unit, "p2", "carbon", terms={"fuel": "100"})
        twohigh.set_stage(session, OFFICE, unit, "p2", "review")
        twohigh.decide(session, OFFICE, unit, "p2", on="2023-05-01")
        _move(session, unit, "deposit", "10", source="small")
        with pytest.raises(InvalidInput, match="指标不足"):
            with session.begin_nested():
                _move(session, unit, "reserve", "11", source="small", project="p2")


def test_a_replayed_request_moves_once(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        first = _move(session, unit, "deposit", "100", request="form-123")
        again = _move(session, unit, "deposit", "100", request="form-123")
        assert first.tx.key == again.tx.key
        assert twohigh.ledger_view(session, unit).balance["carbon"]["deposited"] == 100_000
        with pytest.raises(InvalidInput):
            with session.begin_nested():
                _move(session, unit, "deposit", "200", request="form-123")


def test_rejection_releases_the_reservation_and_history_is_kept(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        twohigh.set_stage(session, OFFICE, unit, "huaming", "review")
        twohigh.decide(session, OFFICE, unit, "huaming", on="2023-05-01")
        _move(session, unit, "deposit", "30000")
        _move(session, unit, "reserve", "20000", project="huaming")
        with pytest.raises(InvalidInput, match="reason"):
            with session.begin_nested():
                twohigh.set_stage(session, OFFICE, unit, "huaming", "rejected")
        twohigh.set_stage(session, OFFICE, unit, "huaming", "rejected", reason="环评未通过")
        view = twohigh.ledger_view(session, unit)
        assert view.balance["carbon"]["banked"] == 30_000_000
        assert view.balance["carbon"]["reserved"] == 0
        project = store.project(session, unit.id, "huaming")
        assert project is not None
        assert [c.stage_to for c in store.stage_changes(session, project.id)] == [
            "proposed",
            "review",
            "rejected",
        ]
        assert check_invariants(store.ledger(session)) == []


def test_a_decision_keeps_its_ratio_until_recomputed(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        (first,) = twohigh.decide(session, OFFICE, unit, "huaming", on="2023-05-01")
        assert first.ratio == Decimal("1.5")  # the trial rule's cement row (to confirm)
        twohigh.add_ratio(
            session,
            OFFICE,
            unit,
            {
                "id": "office/cement/carbon/2024",
                "document": "office2024",
                "document_zh": "示例文件",
                "segment": "cement",
                "dimension": "carbon",
                "ratio": "1.8",
                "effective_from": "2024-01-01",
                "source": "示例：办公室录入",
            },
        )
        with pytest.raises(InvalidInput, match="recompute"):
            with session.begin_nested():
                twohigh.decide(session, OFFICE, unit, "huaming", on="2024-05-01")
        assert store.requirements(session, store.project(session, unit.id, "huaming").id)[
            0
        ].ratio == Decimal("1.5")
        (again,) = twohigh.decide(session, OFFICE, unit, "huaming", on="2024-05-01", recompute=True)
        assert again.ratio == Decimal("1.8") and again.required == 45_558_000
        history = store.requirements(session, again.project_id, current_only=False)
        assert [r.current for r in history] == [False, True]


def test_reconciliation_lists_a_reduction_that_does_not_show(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        (check,) = twohigh.reconciliation(session, unit, latest_year=2024)
        assert check.finding.value == "no_firm"


@pytest.mark.postgres
def test_two_allocations_racing_for_the_last_tonnes_one_wins(db):
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL row locks")
        _project(session, unit, "p2", "cement")
        for code in ("huaming", "p2"):
            twohigh.set_need(session, OFFICE, unit, code, "carbon", terms={"fuel": "100000"})
            twohigh.set_stage(session, OFFICE, unit, code, "review")
            twohigh.decide(session, OFFICE, unit, code, on="2023-05-01")
            twohigh.set_stage(session, OFFICE, unit, code, "approved")
        _move(session, unit, "deposit", "30000")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def allocate(code: str) -> None:
        try:
            with transaction(db) as session:
                unit = get_unit(session, "zhangqiu")
                barrier.wait()
                _move(session, unit, "allocate", "20000", project=code, origin="th_bank")
            outcomes.append("ok")
        except InvalidInput as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=allocate, args=(c,)) for c in ("huaming", "p2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert len(outcomes) == 2 and any("指标不足" in o for o in outcomes), outcomes
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        assert twohigh.ledger_view(session, unit).balance["carbon"]["banked"] == 10_000_000
        assert check_invariants(store.ledger(session)) == []


# --------------------------------------------------------------------------- property, in SQL

from hypothesis import (  # noqa: E402
    HealthCheck,
    given,
    settings,
    strategies as st,  # noqa: E402
)

from nearzero.twohigh import bank  # noqa: E402

OPS = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "reserve", "allocate", "release", "retire", "stage", "replay"]),
        st.sampled_from(["", "th_bank", "th_reserved", "th_allocated"]),
        st.sampled_from(["kiln3", "line2"]),
        st.sampled_from(["huaming", "lime-1"]),
        st.integers(1, 40_000),
        st.sampled_from(["review", "approved", "operating", "rejected", "lapsed"]),
    ),
    max_size=14,
)


def _seed(session: Session, unit: m.DemoUnit) -> None:
    _source(session, unit, "line2", "12000")
    _project(session, unit, "lime-1", "lime")
    twohigh.set_need(session, OFFICE, unit, "lime-1", "carbon", terms={"fuel": "10000"})
    for code in ("huaming", "lime-1"):
        twohigh.set_stage(session, OFFICE, unit, code, "review")
        twohigh.decide(session, OFFICE, unit, code, on="2023-05-01")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_random_movements_through_the_service_keep_the_ledger_sound(db, ops) -> None:
    with db() as session, session.begin():
        unit = get_unit(session, "zhangqiu")
        _seed(session, unit)
        verified = {("kiln3", "co2_kg"): 30_000_000, ("line2", "co2_kg"): 12_000_000}
        required = {
            r.project: r.required
            for p in twohigh.ledger_view(session, unit).projects
            for r in p.requirements
        }
        sent: list[twohigh.MoveInput] = []
        for i, (kind, origin, source, project, tonnes, stage) in enumerate(ops):
            ledger = store.ledger(session)
            before = dict(ledger.balances())
            try:
                with session.begin_nested():
                    if kind == "stage":
                        twohigh.set_stage(session, OFFICE, unit, project, stage, reason="test")
                    elif kind == "replay":
                        if not sent:
                            continue
                        twohigh.move(session, OFFICE, unit, sent[tonnes % len(sent)])
                        assert dict(ledger.balances()) == before  # a replay moves nothing
                    else:
                        entry = twohigh.MoveInput(
                            kind, source, "carbon", str(tonnes), project, origin, f"r{i}"
                        )
                        twohigh.move(session, OFFICE, unit, entry)
                        sent.append(entry)
            except (InvalidInput, PermissionDenied):
                assert dict(ledger.balances()) == before  # refused: nothing changed
            assert check_invariants(ledger) == []
            pos = bank.positions(ledger.balances(), unit.code)
            for (src, asset), lot in pos.lots.items():
                assert lot.balanced() and lot.deposited <= verified[(src, asset)]
            for (proj, _asset), cover in pos.covers.items():
                assert cover.total <= required[proj]
        session.rollback()
