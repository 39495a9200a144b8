"""Who may do what: one access-control matrix of roles × actions, in one place.

Every write route of the web app declares its action (``web.deps.allow``); the route refuses
a role the matrix does not allow before anything is read or written, and a test generated
from the matrix calls every write route as every role. The services still decide what the
matrix cannot see: which department's indicator, which verifier's report.
"""

from __future__ import annotations

from enum import StrEnum

from nearzero.services.context import Role


class Action(StrEnum):
    SIGN_IN = "sign_in"  # log in and out (anyone)
    RESIDENT = "resident"  # a resident with their link (no account)
    PARTNER = "partner"  # a partner's signed request (no account)
    OWN_ACCOUNT = "own_account"  # change one's own password
    INDICATOR_VALUE = "indicator_value"  # a year's value (editors: their department's)
    INDICATOR_JUDGEMENT = "indicator_judgement"  # assessments, assigned targets
    INDICATOR_REVIEW = "indicator_review"  # confirm a submitted value or send it back
    DATA_CYCLE = "data_cycle"  # the evaluation year, the deadline, confirmation on/off
    PROJECT_PROGRESS = "project_progress"  # progress, milestones, figures (editors: theirs)
    INVENTORY = "inventory"  # activity data, local factors, the indicator feed
    REPORT_TEXT = "report_text"  # the office's sections of the annual report
    REPORT_BUILD = "report_build"  # build the report or the dossier
    ENTERPRISE_REGISTRY = "enterprise_registry"  # firms and facilities
    ENTERPRISE_ENTRY = "enterprise_entry"  # a firm's report file, efficiency, monthly evidence
    ENTERPRISE_WORKFLOW = "enterprise_workflow"  # report steps (the step decides who)
    ENTERPRISE_EVIDENCE = "enterprise_evidence"  # evidence of a report
    ENTERPRISE_COMPLIANCE = "enterprise_compliance"  # allowances
    FOOTPRINT_ENTRY = "footprint_entry"  # upload, enter and compute a firm's footprint study
    FOOTPRINT_APPROVE = "footprint_approve"  # approve a study, write indicator 14
    INCLUSION_OFFICE = "inclusion_office"  # rules, methodologies, partners, offers, expiry
    TWOHIGH_ENTRY = "twohigh_entry"  # two-high projects, their new amounts, sources, evidence
    TWOHIGH_OFFICE = "twohigh_office"  # ratios, decisions, stages, source checks, the ledger
    USERS = "users"  # user administration


PUBLIC = frozenset({Action.SIGN_IN, Action.RESIDENT, Action.PARTNER})
"""Actions without an account: the route checks the link or the signature itself."""

ADMIN, EDITOR, VERIFIER, VIEWER = Role.ADMIN, Role.EDITOR, Role.VERIFIER, Role.VIEWER
EVERYONE = frozenset(Role)

MATRIX: dict[Action, frozenset[Role]] = {
    Action.OWN_ACCOUNT: EVERYONE,
    Action.INDICATOR_VALUE: frozenset({ADMIN, EDITOR}),
    Action.INDICATOR_JUDGEMENT: frozenset({ADMIN}),
    Action.INDICATOR_REVIEW: frozenset({ADMIN}),
    Action.DATA_CYCLE: frozenset({ADMIN}),
    Action.PROJECT_PROGRESS: frozenset({ADMIN, EDITOR}),
    Action.INVENTORY: frozenset({ADMIN}),
    Action.REPORT_TEXT: frozenset({ADMIN}),
    Action.REPORT_BUILD: frozenset({ADMIN, EDITOR, VIEWER}),
    Action.ENTERPRISE_REGISTRY: frozenset({ADMIN}),
    Action.ENTERPRISE_ENTRY: frozenset({ADMIN, EDITOR}),
    Action.ENTERPRISE_WORKFLOW: frozenset({ADMIN, EDITOR, VERIFIER}),
    Action.ENTERPRISE_EVIDENCE: frozenset({ADMIN, EDITOR, VERIFIER}),
    Action.ENTERPRISE_COMPLIANCE: frozenset({ADMIN}),
    Action.FOOTPRINT_ENTRY: frozenset({ADMIN, EDITOR}),
    Action.FOOTPRINT_APPROVE: frozenset({ADMIN}),
    Action.INCLUSION_OFFICE: frozenset({ADMIN}),
    Action.TWOHIGH_ENTRY: frozenset({ADMIN, EDITOR}),
    Action.TWOHIGH_OFFICE: frozenset({ADMIN}),
    Action.USERS: frozenset({ADMIN}),
}
"""Roles × actions. An action missing here and not in :data:`PUBLIC` is allowed to nobody."""


def allowed(role: Role, action: Action) -> bool:
    return action in PUBLIC or role in MATRIX.get(action, frozenset())
