"""User accounts, their log-in sessions and attempts, and the append-only audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nearzero.store.base import Base, utcnow
from nearzero.store.tables.units import Department


class UserAccount(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    """Set by an administrator's password reset: every page sends the user to change it."""
    password_changed_at: Mapped[dt.datetime | None]

    department: Mapped[Department | None] = relationship()


class UserSession(Base):
    """A log-in: the browser holds a random id, the table only its SHA-256 (``token_hash``).

    Ended (``ended_at`` set) by log-out, a password change or reset, disabling the user, or
    the idle and absolute time-outs; an ended session is refused on its next request.
    """

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
    ended_reason: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[UserAccount] = relationship()


class LoginAttempt(Base):
    """One log-in attempt or lock-out, for the rate limits per account and per address.

    ``outcome``: ``ok``, ``failed``, ``refused`` (tried while locked: not counted again),
    ``account_locked`` or ``address_locked`` (the lock-out itself, from ``at``).
    ``username`` is what was typed, known or not, so unknown names are limited alike.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))


class AuditLog(Base):
    """Every write: who, when, what, the old and the new value. Rows are only ever added
    (triggers refuse UPDATE and DELETE) and each is chained to the one before by its hash."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(64), default="", index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200), index=True)
    old: Mapped[dict[str, Any] | None]
    new: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    """SHA-256 of this entry chained to ``prev_hash`` (see nearzero.store.audit.entry_digest)."""
