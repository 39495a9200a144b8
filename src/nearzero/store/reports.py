"""Annual report queries: the office's editable sections and the evidence files the
acceptance dossier packs. The use cases are in :mod:`nearzero.services.report`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nearzero.store.tables.inclusion import InclusionRecordFull, InclusionRecordGroup
from nearzero.store.tables.ledger import LedgerTransaction
from nearzero.store.tables.projects import KeyProject, ProjectEvidence
from nearzero.store.tables.reports import ReportSection
from nearzero.store.tables.users import AuditLog


def sections(session: Session, unit_id: int, year: int) -> dict[str, ReportSection]:
    """The office's written sections of ``year`` by key (only those written)."""
    query = select(ReportSection).where(
        ReportSection.unit_id == unit_id, ReportSection.year == year
    )
    return {row.key: row for row in session.scalars(query)}


def save_section(session: Session, row: ReportSection) -> None:
    """Write a section row (new or changed) and flush."""
    session.add(row)
    session.flush()


@dataclass(frozen=True)
class EvidenceRow:
    """A key project's evidence file with its project (for the dossier's folders)."""

    project_number: int
    project_name: str
    filename: str
    sha256: str
    size: int


def evidence(session: Session, unit_id: int) -> list[EvidenceRow]:
    """Every key-project evidence file of the unit, by project number then upload order."""
    query = (
        select(
            KeyProject.number,
            KeyProject.name_zh,
            ProjectEvidence.filename,
            ProjectEvidence.sha256,
            ProjectEvidence.size,
        )
        .join(KeyProject, ProjectEvidence.project_id == KeyProject.id)
        .where(KeyProject.unit_id == unit_id)
        .order_by(KeyProject.number, ProjectEvidence.id)
    )
    return [
        EvidenceRow(r.number, r.name_zh, r.filename, r.sha256, r.size)
        for r in session.execute(query)
    ]


def data_version(session: Session) -> str:
    """A version of everything a report reads, that any write changes: the newest audit-log
    id (every use-case write is audited), and, for the writes that are not audited (partner
    batches, resident redemptions, point expiry), the newest ids of the records kept in full,
    of the groups of records credited in full (each written chunk adds its own) and of the
    ledger transactions. Rows there are added, not changed; the one write not seen is a
    refused inclusion record replaced in place by another refusal (an acceptance adds a
    ledger row)."""
    audit = session.scalar(select(func.max(AuditLog.id))) or 0
    record = session.scalar(select(func.max(InclusionRecordFull.id))) or 0
    group = session.scalar(select(func.max(InclusionRecordGroup.id))) or 0
    ledger = session.scalar(select(func.max(LedgerTransaction.id))) or 0
    return f"a{audit}.r{record}.g{group}.l{ledger}"
