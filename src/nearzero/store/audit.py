"""The audit log's table: add an entry, read entries by entity and key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.store.tables.users import AuditLog


def add_entry(
    session: Session,
    *,
    actor: str,
    action: str,
    unit_code: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> AuditLog:
    """Add one entry (written with the caller's transaction)."""
    entry = AuditLog(
        actor=actor,
        action=action,
        unit_code=unit_code,
        entity=entity,
        entity_key=key,
        old=old,
        new=new,
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    entity: str,
    key_prefix: str,
    limit: int = 200,
    unit_code: str | None = None,
) -> list[AuditLog]:
    """The newest entries first for keys of ``entity`` starting with ``key_prefix`` (of one
    unit when ``unit_code`` is given)."""
    query = select(AuditLog).where(
        AuditLog.entity == entity, AuditLog.entity_key.startswith(key_prefix)
    )
    if unit_code is not None:
        query = query.where(AuditLog.unit_code == unit_code)
    return list(session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))
