"""Queries on key projects: the projects, their progress updates, milestones and evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from nearzero.store.tables.projects import (
    KeyProject,
    ProjectEvidence,
    ProjectMilestone,
    ProjectProgress,
)


def key_projects(session: Session, unit_id: int, number: int | None = None) -> list[KeyProject]:
    """The key projects of unit ``unit_id`` (or only ``number``) by number, with their
    category, departments and indicators loaded."""
    query = (
        select(KeyProject)
        .where(KeyProject.unit_id == unit_id)
        .options(
            selectinload(KeyProject.category),
            selectinload(KeyProject.departments),
            selectinload(KeyProject.indicators),
        )
        .order_by(KeyProject.number)
    )
    if number is not None:
        query = query.where(KeyProject.number == number)
    return list(session.scalars(query))


def due_dates(session: Session, unit_id: int) -> dict[int, dt.date]:
    """Each key project's due date, by project id, in plan order."""
    query = (
        select(KeyProject.id, KeyProject.due_date)
        .where(KeyProject.unit_id == unit_id)
        .order_by(KeyProject.number)
    )
    return {row.id: row.due_date for row in session.execute(query)}


def progress_by_project(
    session: Session, project_ids: Iterable[int]
) -> dict[int, list[ProjectProgress]]:
    """The progress updates of each project, oldest first (an empty list for none)."""
    out: dict[int, list[ProjectProgress]] = {i: [] for i in project_ids}
    query = (
        select(ProjectProgress)
        .where(ProjectProgress.project_id.in_(list(out)))
        .order_by(ProjectProgress.reported_on, ProjectProgress.id)
    )
    for update in session.scalars(query):
        out[update.project_id].append(update)
    return out


def evidence_of(session: Session, project_id: int) -> list[ProjectEvidence]:
    """The evidence files of a project in upload order."""
    query = (
        select(ProjectEvidence)
        .where(ProjectEvidence.project_id == project_id)
        .order_by(ProjectEvidence.id)
    )
    return list(session.scalars(query))


def milestones_of(session: Session, project_id: int) -> list[ProjectMilestone]:
    """The milestones of a project by due date."""
    query = (
        select(ProjectMilestone)
        .where(ProjectMilestone.project_id == project_id)
        .order_by(ProjectMilestone.due_date, ProjectMilestone.position)
    )
    return list(session.scalars(query))


def evidence(session: Session, evidence_id: int) -> ProjectEvidence | None:
    return session.get(ProjectEvidence, evidence_id)


def milestone(session: Session, milestone_id: int) -> ProjectMilestone | None:
    return session.get(ProjectMilestone, milestone_id)


_PENDING = "nearzero.projects.pending_evidence"


def remove_on_rollback(session: Session, path: Path) -> None:
    """Remove the file ``path`` if the transaction (or savepoint) it was written in rolls back.

    The file stays once the outermost transaction commits. Listeners are added once per
    session and keep a list of (path, innermost transaction at write time) in ``session.info``.
    """
    current = session.get_nested_transaction() or session.get_transaction()
    pending: list[tuple[Path, SessionTransaction | None]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = []
        session.info[_PENDING] = pending

        def rolled_back(_session: Session, previous: SessionTransaction) -> None:
            for item in list(pending):
                written, txn = item
                while txn is not None and txn is not previous:
                    txn = txn.parent
                if txn is previous:
                    written.unlink(missing_ok=True)
                    pending.remove(item)

        def committed(_session: Session) -> None:
            if session.get_nested_transaction() is None:  # the outermost transaction
                pending.clear()

        event.listen(session, "after_soft_rollback", rolled_back)
        event.listen(session, "after_commit", committed)
    pending.append((path, current))
