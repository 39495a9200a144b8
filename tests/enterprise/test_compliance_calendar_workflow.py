"""ETS compliance (exact), T11/T12, the evidence calendar and the verification workflow."""

from datetime import date
from decimal import Decimal as D

import pytest

from nearzero.enterprise.calendar import due_date, due_rule, monthly_items, overdue
from nearzero.enterprise.compliance import (
    ComplianceYear,
    Position,
    ReportStatus,
    assess,
    t11,
    t12,
)
from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.workflow import (
    Role,
    State,
    Step,
    WorkflowError,
    allowed_steps,
    next_state,
    verify,
)


def test_surplus_shortfall_and_exact_compliance():
    surplus = assess(ComplianceYear("a", "a", 2023, "power", 1_000_000, 990_000, 0, 990_000))
    assert (surplus.balance, surplus.position, surplus.complied) == (10_000, Position.SURPLUS, True)
    short = assess(ComplianceYear("b", "b", 2023, "power", 900_000, 1_000_000, 0, 999_999))
    assert (short.balance, short.position, short.complied) == (-100_000, Position.SHORTFALL, False)
    pending = assess(ComplianceYear("c", "c", 2023, "power", 900_000))
    assert pending.position is Position.NOT_VERIFIED and pending.complied is None


def test_ccer_counts_up_to_exactly_its_cap():
    # cap = 5 % of verified (rules.csv, to_confirm): 100,000 t → 5,000 t
    at_cap = assess(ComplianceYear("a", "a", 2023, "power", 0, 100_000, 5_000, 95_000))
    assert (at_cap.ccer_cap, at_cap.ccer_within_cap, at_cap.complied) == (D(5000), True, True)
    over = assess(ComplianceYear("a", "a", 2023, "power", 0, 100_000, 5_001, 95_000))
    assert (over.ccer_within_cap, over.ccer_counted, over.complied) == (False, 5_000, True)
    assert over.rule.status == "to_confirm"
    odd = assess(ComplianceYear("a", "a", 2023, "power", 0, 99_999, 5_000, 95_000))
    assert odd.ccer_within_cap is False and odd.ccer_counted == 4_999  # cap 4,999.95


def test_allowances_are_whole_tonnes():
    with pytest.raises(EnterpriseError) as exc:
        assess(ComplianceYear("a", "a", 2023, "power", 1000, 10.5))  # type: ignore[arg-type]
    assert exc.value.field == "verified"
    with pytest.raises(EnterpriseError, match="negative"):
        assess(ComplianceYear("a", "a", 2023, "power", -1))


def test_t12_counts_power_firms_that_complied_and_t11_verified_reports():
    results = [
        assess(ComplianceYear(k, k, 2024, s, 100, 100, 0, sur))
        for k, s, sur in [("p1", "power", 100), ("p2", "power", 99), ("c1", "cement", 100)]
    ]
    assert t12(results, 2024) == (1, ("p1",))
    statuses = [
        ReportStatus("a", 2024, State.VERIFIED),
        ReportStatus("b", 2024, State.CONFIRMED),
        ReportStatus("c", 2024, State.IN_VERIFICATION),
        ReportStatus("d", 2023, State.CONFIRMED),
    ]
    assert t11(statuses, 2024) == (2, ("a", "b"))


def test_monthly_evidence_due_40_days_after_the_month():
    assert due_date(2024, 1) == date(2024, 3, 11)  # 31 Jan + 40 days (leap year)
    assert due_date(2023, 12) == date(2024, 2, 9)
    assert due_rule().status == "to_confirm"
    items = monthly_items("f", 2024, [1])
    filed = {items[0].key}
    assert overdue(items, filed, date(2024, 3, 11)) == []  # the last day is in time
    late = overdue(items, filed, date(2024, 3, 12))
    assert len(late) == len(items) - 1 and items[0] not in late
    with pytest.raises(EnterpriseError, match="1-12"):
        due_date(2024, 13)


def test_the_workflow_in_order():
    state = State.DRAFT
    for step, role in [
        (Step.SUBMIT, Role.FIRM),
        (Step.START_VERIFICATION, Role.OFFICE),
    ]:
        state = next_state(state, step, role)
    state, outcome = verify(state, D("398989.39"), D("401000"), ("月度元素碳缺测",))
    assert state is State.VERIFIED
    assert outcome.difference == D("2010.61")
    assert next_state(state, Step.CONFIRM, Role.OFFICE) is State.CONFIRMED
    assert allowed_steps(State.CONFIRMED) == ()


def test_steps_out_of_order_or_by_the_wrong_role_are_refused():
    with pytest.raises(WorkflowError) as exc:
        next_state(State.DRAFT, Step.VERIFY, Role.VERIFIER)
    assert exc.value.field == "step"
    assert "'verify' is not allowed on a report that is draft" in str(exc.value)
    with pytest.raises(WorkflowError, match="allowed: none"):
        next_state(State.CONFIRMED, Step.RETURN, Role.OFFICE)
    with pytest.raises(WorkflowError) as exc:
        next_state(State.VERIFIED, Step.CONFIRM, Role.VERIFIER)
    assert exc.value.field == "role"
    assert next_state(State.IN_VERIFICATION, Step.RETURN, Role.VERIFIER) is State.DRAFT
