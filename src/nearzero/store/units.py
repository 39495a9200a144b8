"""Queries on demonstration units and their departments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.store.tables.units import DemoUnit, Department


def unit(session: Session, code: str | None = None) -> DemoUnit | None:
    """The unit with ``code``, or the first unit loaded when ``code`` is empty; None if none."""
    query = select(DemoUnit).order_by(DemoUnit.id)
    if code:
        query = query.where(DemoUnit.code == code)
    return session.scalars(query).first()


def unit_exists(session: Session, code: str) -> bool:
    return session.scalar(select(DemoUnit.id).where(DemoUnit.code == code)) is not None


def department(session: Session, unit_id: int, code: str) -> Department | None:
    """The department ``code`` of unit ``unit_id``, or None."""
    query = select(Department).where(Department.unit_id == unit_id, Department.code == code)
    return session.scalar(query)


def department_codes(session: Session, unit_id: int) -> list[str]:
    """The codes of the departments of unit ``unit_id``, in the order they were loaded."""
    query = select(Department.code).where(Department.unit_id == unit_id).order_by(Department.id)
    return list(session.scalars(query))
