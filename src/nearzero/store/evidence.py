"""Queries of the evidence files attached to indicator values."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.store.tables.evidence import ValueEvidence
from nearzero.store.tables.indicators import Indicator


def add(session: Session, row: ValueEvidence) -> ValueEvidence:
    session.add(row)
    session.flush()
    return row


def of_unit(session: Session, unit_id: int, year: int | None = None) -> list[ValueEvidence]:
    """The evidence files of ``unit_id``'s indicators (of ``year``), newest first."""
    query = (
        select(ValueEvidence)
        .join(Indicator, Indicator.id == ValueEvidence.indicator_id)
        .where(Indicator.unit_id == unit_id)
        .order_by(ValueEvidence.uploaded_at.desc(), ValueEvidence.id.desc())
    )
    if year is not None:
        query = query.where(ValueEvidence.year == year)
    return list(session.scalars(query))


def get(session: Session, unit_id: int, evidence_id: int) -> ValueEvidence | None:
    """The evidence row ``evidence_id`` when it belongs to an indicator of ``unit_id``."""
    query = (
        select(ValueEvidence)
        .join(Indicator, Indicator.id == ValueEvidence.indicator_id)
        .where(ValueEvidence.id == evidence_id, Indicator.unit_id == unit_id)
    )
    return session.scalars(query).first()
