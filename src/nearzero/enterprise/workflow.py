"""The verification workflow of an annual report: draft → submitted → in_verification →
verified → confirmed (the office's confirmation), with returns for correction.

Steps out of order are refused with a :class:`WorkflowError` naming the state, the step and
the steps allowed. Each step belongs to a role (the firm submits, the office assigns the
verifier, the verifier records adjusted figures, the office confirms). The verifier's figure
is kept beside the reported one with the difference (MEE practice: the government approves
each verification report before it counts; reference §2 additions).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from nearzero.enterprise.model import EnterpriseError


class State(StrEnum):
    """Where a report is."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_VERIFICATION = "in_verification"
    VERIFIED = "verified"
    CONFIRMED = "confirmed"

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return STATE_ZH[self]


STATE_ZH = {
    State.DRAFT: "草稿",
    State.SUBMITTED: "已提交",
    State.IN_VERIFICATION: "核查中",
    State.VERIFIED: "已核查",
    State.CONFIRMED: "已确认",
}


class Step(StrEnum):
    """What a user does to a report."""

    SUBMIT = "submit"
    START_VERIFICATION = "start_verification"
    VERIFY = "verify"
    CONFIRM = "confirm"
    RETURN = "return"


class Role(StrEnum):
    """Who may take a step."""

    FIRM = "firm"
    OFFICE = "office"
    VERIFIER = "verifier"


#: (state, step) → (next state, roles allowed).
TRANSITIONS: dict[tuple[State, Step], tuple[State, tuple[Role, ...]]] = {
    (State.DRAFT, Step.SUBMIT): (State.SUBMITTED, (Role.FIRM,)),
    (State.SUBMITTED, Step.START_VERIFICATION): (State.IN_VERIFICATION, (Role.OFFICE,)),
    (State.SUBMITTED, Step.RETURN): (State.DRAFT, (Role.OFFICE,)),
    (State.IN_VERIFICATION, Step.VERIFY): (State.VERIFIED, (Role.VERIFIER,)),
    (State.IN_VERIFICATION, Step.RETURN): (State.DRAFT, (Role.VERIFIER, Role.OFFICE)),
    (State.VERIFIED, Step.CONFIRM): (State.CONFIRMED, (Role.OFFICE,)),
    (State.VERIFIED, Step.RETURN): (State.IN_VERIFICATION, (Role.OFFICE,)),
}


class WorkflowError(EnterpriseError):
    """A step that the report's state or the user's role does not allow."""


def allowed_steps(state: State) -> tuple[Step, ...]:
    """The steps a report in ``state`` can take."""
    return tuple(step for (s, step) in TRANSITIONS if s is state)


def next_state(state: State, step: Step, role: Role) -> State:
    """The state after ``step`` taken by ``role``; a :class:`WorkflowError` when refused."""
    move = TRANSITIONS.get((state, step))
    if move is None:
        allowed = ", ".join(s.value for s in allowed_steps(state)) or "none (final)"
        raise WorkflowError(
            "step",
            f"{state.label_zh}的报告不能执行“{step.value}”；可执行：{allowed} — "
            f"{step.value!r} is not allowed on a report that is {state.value} "
            f"({state.label_zh}); allowed: {allowed}",
        )
    target, roles = move
    if role not in roles:
        raise WorkflowError(
            "role",
            f"{role.value}不能对{state.label_zh}的报告执行“{step.value}”"
            f"（应为{' 或 '.join(r.value for r in roles)}） — "
            f"{role.value} may not {step.value} a {state.value} report "
            f"(expected {' or '.join(r.value for r in roles)})",
        )
    return target


@dataclass(frozen=True)
class VerificationOutcome:
    """The verifier's figure beside the reported one [t CO2], with findings."""

    reported: Decimal
    verified: Decimal
    findings: tuple[str, ...] = ()

    @property
    def difference(self) -> Decimal:
        """Verified − reported [t CO2]."""
        return self.verified - self.reported

    @property
    def difference_pct(self) -> Decimal | None:
        """Difference relative to the reported figure [%], ``None`` when it is zero."""
        return self.difference * 100 / self.reported if self.reported else None


def verify(
    state: State, reported: Decimal, verified: Decimal, findings: tuple[str, ...] = ()
) -> tuple[State, VerificationOutcome]:
    """The verifier's step: the new state and the outcome beside the reported figure."""
    target = next_state(state, Step.VERIFY, Role.VERIFIER)
    if verified < 0:
        raise EnterpriseError(
            "verified",
            f"{verified}为负数（应≥0吨二氧化碳） — {verified} is negative (expected ≥ 0 t CO2)",
        )
    return target, VerificationOutcome(reported, verified, findings)
