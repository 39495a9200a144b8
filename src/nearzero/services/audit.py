"""The audit log: every write, with who, when, the old and the new value."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nearzero.services.context import Actor
from nearzero.store import audit as store
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
    store.add_entry(
        session,
        actor=actor.username,
        action=action,
        unit_code=unit_code,
        entity=entity,
        key=key,
        old=old,
        new=new,
    )


def entries(
    session: Session, entity: str, key_prefix: str, limit: int = 200, unit_code: str | None = None
) -> list[AuditLog]:
    """The newest entries first for keys starting with ``key_prefix`` (of one unit when
    ``unit_code`` is given)."""
    return store.entries(session, entity, key_prefix, limit, unit_code)
