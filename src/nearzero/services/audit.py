"""The audit log: every write, with who, when, the old and the new value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.services.context import Actor
from nearzero.store.tables.users import AuditLog


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    unit_code: str = "",
) -> None:
    session.add(
        AuditLog(
            actor=actor.username,
            action=action,
            unit_code=unit_code,
            entity=entity,
            entity_key=key,
            old=old,
            new=new,
        )
    )


def entries(session: Session, entity: str, key_prefix: str, limit: int = 200) -> list[AuditLog]:
    """The newest entries first for keys starting with ``key_prefix``."""
    query = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_key.startswith(key_prefix))
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
