"""Queries on user accounts, their log-in sessions and log-in attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, delete, func, not_, select, update
from sqlalchemy.orm import Session

from nearzero.store.tables.units import DemoUnit, Department
from nearzero.store.tables.users import LoginAttempt, UserAccount, UserSession


def active_user(session: Session, username: str) -> UserAccount | None:
    """The active account ``username``, or None (unknown or deactivated)."""
    query = select(UserAccount).where(UserAccount.username == username, UserAccount.active)
    return session.scalar(query)


def any_user(session: Session, username: str) -> UserAccount | None:
    """The account ``username``, active or not, or None."""
    return session.scalar(select(UserAccount).where(UserAccount.username == username))


def username_taken(session: Session, username: str) -> bool:
    """Whether any account (active or not) has ``username``."""
    query = select(UserAccount.id).where(UserAccount.username == username)
    return session.scalar(query) is not None


def all_users(session: Session) -> list[UserAccount]:
    """Every account, active or not, by username."""
    return list(session.scalars(select(UserAccount).order_by(UserAccount.username)))


# --------------------------------------------------------------------------- sessions


def add_session(
    session: Session, user: UserAccount, token_hash: str, at: dt.datetime, address: str
) -> UserSession:
    row = UserSession(
        token_hash=token_hash, user=user, created_at=at, last_seen_at=at, address=address[:64]
    )
    session.add(row)
    session.flush()
    return row


def open_session(session: Session, token_hash: str) -> UserSession | None:
    """The session whose id hashes to ``token_hash`` if it has not ended."""
    query = select(UserSession).where(
        UserSession.token_hash == token_hash, UserSession.ended_at.is_(None)
    )
    return session.scalar(query)


def end_session(session: Session, row: UserSession, at: dt.datetime, reason: str) -> None:
    row.ended_at = at
    row.ended_reason = reason
    session.flush()


def end_sessions_of(
    session: Session, user_id: int, at: dt.datetime, reason: str, keep: int | None = None
) -> int:
    """End every open session of the user (but ``keep``, a session id); how many ended."""
    query = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=at, ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return session.execute(query).rowcount  # type: ignore[attr-defined,no-any-return]


def end_all_sessions(session: Session, at: dt.datetime, reason: str) -> int:
    """End every open session of every user; how many ended."""
    query = (
        update(UserSession)
        .where(UserSession.ended_at.is_(None))
        .values(ended_at=at, ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return session.execute(query).rowcount  # type: ignore[attr-defined,no-any-return]


def _live(seen_after: dt.datetime, created_after: dt.datetime) -> ColumnElement[bool]:
    """A session still usable: not ended, seen since ``seen_after`` (the idle time-out) and
    opened since ``created_after`` (the absolute one)."""
    return and_(
        UserSession.ended_at.is_(None),
        UserSession.last_seen_at >= seen_after,
        UserSession.created_at >= created_after,
    )


def open_session_count(
    session: Session, user_id: int, seen_after: dt.datetime, created_after: dt.datetime
) -> int:
    """The user's sessions still usable (see :func:`_live`)."""
    query = select(func.count(UserSession.id)).where(
        UserSession.user_id == user_id, _live(seen_after, created_after)
    )
    return session.scalar(query) or 0


def prune(
    session: Session,
    attempts_before: dt.datetime,
    seen_after: dt.datetime,
    created_after: dt.datetime,
) -> tuple[int, int]:
    """Delete the log-in attempts older than ``attempts_before`` and the sessions no longer
    usable (ended or timed out); how many of each. The audit log keeps every log-in."""
    attempts = session.execute(
        delete(LoginAttempt)
        .where(LoginAttempt.at < attempts_before)
        .execution_options(synchronize_session=False)  # written once, never changed
    ).rowcount  # type: ignore[attr-defined]
    sessions = session.execute(
        delete(UserSession)
        .where(not_(_live(seen_after, created_after)))
        .execution_options(synchronize_session="fetch")  # none left in the identity map
    ).rowcount  # type: ignore[attr-defined]
    return attempts, sessions


# --------------------------------------------------------------------------- attempts


def add_attempt(
    session: Session, at: dt.datetime, username: str, address: str, outcome: str
) -> None:
    session.add(LoginAttempt(at=at, username=username[:64], address=address[:64], outcome=outcome))
    session.flush()


def latest_attempt_at(
    session: Session,
    outcomes: tuple[str, ...],
    *,
    username: str | None = None,
    address: str | None = None,
) -> dt.datetime | None:
    """When the newest attempt with one of ``outcomes`` for this account or address was."""
    query = select(func.max(LoginAttempt.at)).where(LoginAttempt.outcome.in_(outcomes))
    if username is not None:
        query = query.where(LoginAttempt.username == username)
    if address is not None:
        query = query.where(LoginAttempt.address == address)
    return session.scalar(query)


def failures_since(
    session: Session,
    since: dt.datetime,
    *,
    username: str | None = None,
    address: str | None = None,
) -> int:
    """Failed attempts after ``since`` for this account or address."""
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.outcome == "failed", LoginAttempt.at > since
    )
    if username is not None:
        query = query.where(LoginAttempt.username == username)
    if address is not None:
        query = query.where(LoginAttempt.address == address)
    return session.scalar(query) or 0


def departments_of(session: Session, unit_id: int) -> list[Department]:
    """The departments of a unit, by code."""
    query = select(Department).where(Department.unit_id == unit_id).order_by(Department.code)
    return list(session.scalars(query))


def unit_codes(session: Session) -> dict[int, str]:
    """Every unit's code by its id."""
    return {row.id: row.code for row in session.execute(select(DemoUnit.id, DemoUnit.code))}
