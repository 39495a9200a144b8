"""Queries on user accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.store.tables.users import UserAccount


def active_user(session: Session, username: str) -> UserAccount | None:
    """The active account ``username``, or None (unknown or deactivated)."""
    query = select(UserAccount).where(UserAccount.username == username, UserAccount.active)
    return session.scalar(query)


def username_taken(session: Session, username: str) -> bool:
    """Whether any account (active or not) has ``username``."""
    query = select(UserAccount.id).where(UserAccount.username == username)
    return session.scalar(query) is not None
