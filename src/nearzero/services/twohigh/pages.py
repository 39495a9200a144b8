"""The two-high pages' contexts (the list, a project, a source), built for the web."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from nearzero.ledger import Entry
from nearzero.services.context import Actor, NotFound, Role
from nearzero.services.projects import DEFAULT_EVIDENCE_DIR
from nearzero.services.twohigh.common import today_cst
from nearzero.services.twohigh.ledger import (
    LedgerView,
    LotLine,
    ProjectLine,
    entries_of_project,
    entries_of_source,
    ledger_view,
    new_request_token,
    reconciliation,
)
from nearzero.services.twohigh.registry import (
    all_ratios,
    get_project,
    get_source,
    source_problems,
)
from nearzero.store import tables as m, twohigh as store
from nearzero.twohigh import bank, data, reconcile as rec
from nearzero.twohigh.model import (
    Mechanism,
    Ratio,
    Stage,
)


@dataclass(frozen=True)
class TwoHighPage:
    """The two-high page: indicator 4, the bank's balance by dimension, the project list, the
    sources with their lots, the reconciliation, and the office's forms."""

    unit: m.DemoUnit
    view: LedgerView
    checks: list[rec.Check]
    ratios: list[Ratio]
    segments: dict[str, Any]
    dimensions: dict[str, Any]
    classifications: dict[str, tuple[str, str, str]]
    disposals: dict[str, tuple[str, str, str]]
    mechanisms: list[str]
    moves: list[str]
    request_token: str
    is_office: bool
    may_enter: bool
    this_year: int
    page: str = "twohigh"


def list_page(session: Session, actor: Actor, unit: m.DemoUnit) -> TwoHighPage:
    choices = data.dispositions()
    return TwoHighPage(
        unit=unit,
        view=ledger_view(session, unit),
        checks=reconciliation(session, unit),
        ratios=all_ratios(session, unit),
        segments=dict(data.segments()),
        dimensions=dict(data.dimensions()),
        classifications=dict(choices["classification"]),
        disposals=dict(choices["disposal"]),
        mechanisms=[mech.value for mech in Mechanism],
        moves=[mv.value for mv in bank.Move],
        request_token=new_request_token(),
        is_office=actor.role is Role.ADMIN,
        may_enter=actor.role in (Role.ADMIN, Role.EDITOR),
        this_year=today_cst().year,
    )


@dataclass(frozen=True)
class ProjectPage:
    unit: m.DemoUnit
    project: m.TwoHighProject
    line: ProjectLine
    history: list[m.TwoHighStageChange]
    needs: list[m.TwoHighNeed]
    past: list[m.TwoHighRequirement]
    entries: list[Entry]
    ratios: list[Ratio]
    dimensions: dict[str, Any]
    next_stages: list[str]
    sources: list[m.TwoHighSource]
    request_token: str
    is_office: bool
    may_enter: bool
    page: str = "twohigh_project"


def project_page(session: Session, actor: Actor, unit: m.DemoUnit, code: str) -> ProjectPage:
    from nearzero.twohigh.model import NEXT_STAGES

    project = get_project(session, unit, code)
    view = ledger_view(session, unit)
    (line,) = [p for p in view.projects if p.row.code == code]
    return ProjectPage(
        unit=unit,
        project=project,
        line=line,
        history=store.stage_changes(session, project.id),
        needs=store.needs(session, project.id),
        past=[
            r for r in store.requirements(session, project.id, current_only=False) if not r.current
        ],
        entries=entries_of_project(session, unit, code),
        ratios=[r for r in all_ratios(session, unit) if r.segment in ("*", project.segment)],
        dimensions=dict(data.dimensions()),
        next_stages=sorted(s.value for s in NEXT_STAGES[Stage(project.stage)]),
        sources=store.sources(session, unit.id),
        request_token=new_request_token(),
        is_office=actor.role is Role.ADMIN,
        may_enter=actor.role in (Role.ADMIN, Role.EDITOR),
    )


@dataclass(frozen=True)
class SourcePage:
    unit: m.DemoUnit
    source: m.TwoHighSource
    lots: list[LotLine]
    problems: list[str]
    evidence: list[m.TwoHighEvidence]
    entries: list[Entry]
    checks: list[rec.Check]
    is_office: bool
    may_enter: bool
    page: str = "twohigh_source"


def source_page(session: Session, actor: Actor, unit: m.DemoUnit, code: str) -> SourcePage:
    source = get_source(session, unit, code)
    view = ledger_view(session, unit)
    return SourcePage(
        unit=unit,
        source=source,
        lots=[lot for lot in view.lots if lot.source == code],
        problems=source_problems(source),
        evidence=store.evidence_of(session, source.id),
        entries=entries_of_source(session, unit, code),
        checks=[c for c in reconciliation(session, unit) if c.source == code],
        is_office=actor.role is Role.ADMIN,
        may_enter=actor.role in (Role.ADMIN, Role.EDITOR),
    )


def evidence_file(
    session: Session, unit: m.DemoUnit, evidence_id: int, evidence_dir: Path = DEFAULT_EVIDENCE_DIR
) -> tuple[m.TwoHighEvidence, Path]:
    row = store.evidence(session, evidence_id)
    if row is None:
        raise NotFound("evidence: 没有该文件 — no such file")
    source = session.get(m.TwoHighSource, row.source_id)
    if source is None or source.unit_id != unit.id:
        raise NotFound("evidence: 没有该文件 — no such file")
    return row, evidence_dir / row.sha256
