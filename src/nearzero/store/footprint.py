"""Queries of the footprint tables (the only place footprint studies meet SQL)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nearzero.store.tables.enterprise import Enterprise
from nearzero.store.tables.footprint import FootprintStudy

APPROVED = "approved"


def studies_of(session: Session, enterprise_id: int) -> list[FootprintStudy]:
    """An enterprise's studies, newest first."""
    query = (
        select(FootprintStudy)
        .where(FootprintStudy.enterprise_id == enterprise_id)
        .order_by(FootprintStudy.year.desc(), FootprintStudy.id.desc())
    )
    return list(session.scalars(query))


def study(session: Session, enterprise_id: int, study_id: int) -> FootprintStudy | None:
    """A study of an enterprise by id (None when it is another firm's or absent)."""
    row = session.get(FootprintStudy, study_id)
    return row if row is not None and row.enterprise_id == enterprise_id else None


def studies_of_unit(session: Session, unit_id: int) -> list[FootprintStudy]:
    """Every study of a unit's enterprises, by firm then year."""
    query = (
        select(FootprintStudy)
        .join(Enterprise, Enterprise.id == FootprintStudy.enterprise_id)
        .where(Enterprise.unit_id == unit_id)
        .order_by(Enterprise.key, FootprintStudy.year, FootprintStudy.id)
    )
    return list(session.scalars(query))


def completed_firms(session: Session, unit_id: int, year: int) -> set[int]:
    """Ids of the unit's enterprises with an approved study of ``year`` or earlier."""
    query = (
        select(FootprintStudy.enterprise_id)
        .join(Enterprise, Enterprise.id == FootprintStudy.enterprise_id)
        .where(
            Enterprise.unit_id == unit_id,
            FootprintStudy.state == APPROVED,
            FootprintStudy.year <= year,
        )
        .distinct()
    )
    return set(session.scalars(query))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count(FootprintStudy.id))) or 0)
