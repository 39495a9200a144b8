"""The audit log's table: add an entry to the hash chain, read entries, verify the chain.

Tamper-evident: each entry stores the SHA-256 of its content and of the previous entry's hash
(:func:`entry_digest`), so an edited entry no longer matches its hash, and a deleted or
inserted one breaks the link to its neighbour; triggers refuse UPDATE and DELETE (migration
0007). The newest hash (``audit verify`` prints it) can be written down elsewhere — in the
dossier's manifest, a letter — so even a rewrite of the whole chain from some point on shows.
On PostgreSQL an advisory lock held to the end of the writing transaction keeps the chain a
single line when requests write at the same time; SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from nearzero.store.base import utcnow
from nearzero.store.tables.users import AuditLog

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""
CHAIN_LOCK = 0x6E7A_A0D1
"""PostgreSQL advisory lock key taken while an entry is chained."""


def entry_digest(
    prev_hash: str,
    at: dt.datetime,
    actor: str,
    action: str,
    unit_code: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> str:
    """SHA-256 (hex) of an entry chained to ``prev_hash``.

    The content is a canonical JSON array (sorted keys, no spaces, UTF-8) of the previous hash,
    the time as UTC ISO 8601 (a naive time is the UTC the store wrote), and the fields. Never
    change this function: every stored hash depends on it.
    """
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    time = aware.astimezone(dt.UTC).isoformat()
    body: list[Any] = [prev_hash, time, actor, action, unit_code, entity, key, old, new]
    text_ = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def _digest_of(entry: AuditLog, prev_hash: str) -> str:
    return entry_digest(
        prev_hash,
        entry.at,
        entry.actor,
        entry.action,
        entry.unit_code,
        entry.entity,
        entry.entity_key,
        entry.old,
        entry.new,
    )


def _last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    last = session.scalar(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1))
    return last or GENESIS


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
    """Add one entry, chained to the newest (written with the caller's transaction)."""
    prev = _last_hash(session)
    entry = AuditLog(
        at=utcnow(),
        actor=actor,
        action=action,
        unit_code=unit_code,
        entity=entity,
        entity_key=key,
        old=old,
        new=new,
        prev_hash=prev,
    )
    entry.hash = _digest_of(entry, prev)
    session.add(entry)
    session.flush()  # the next entry of this transaction chains to this one
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


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain does not hold: the entry's id, what is wrong there, and which of the two
    breaks it is (``kind``: ``link``, it does not follow the entry before; ``hash``, its content
    does not match its hash)."""

    id: int
    problem: str
    kind: str = ""


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    head_id: int | None
    head_hash: str
    breaks: tuple[ChainBreak, ...]

    @property
    def intact(self) -> bool:
        return not self.breaks


def _in_order(session: Session) -> Iterator[AuditLog]:
    query = select(AuditLog).order_by(AuditLog.id).execution_options(yield_per=2000)
    yield from session.scalars(query)


def verify_chain(session: Session) -> ChainCheck:
    """Recompute every entry's hash in id order and check each link to the one before."""
    breaks: list[ChainBreak] = []
    prev_hash, count, last_id = GENESIS, 0, None
    for entry in _in_order(session):
        count += 1
        if entry.prev_hash != prev_hash:
            where = f"after entry {last_id}" if last_id is not None else "at the start"
            breaks.append(
                ChainBreak(
                    entry.id,
                    f"does not follow {where}: an entry was deleted or inserted here",
                    "link",
                )
            )
        if _digest_of(entry, entry.prev_hash) != entry.hash:
            breaks.append(
                ChainBreak(entry.id, "its content does not match its hash: edited", "hash")
            )
        prev_hash, last_id = entry.hash, entry.id
    return ChainCheck(count, last_id, prev_hash, tuple(breaks))


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit page; ``since``/``until`` are instants (UTC), ``until`` excluded."""

    unit_code: str | None = None
    actor: str = ""
    entity: str = ""
    action: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _where(query: AuditQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.unit_code is not None:  # the unit's entries and those of no unit (log-ins, users)
        conditions.append(AuditLog.unit_code.in_([query.unit_code, ""]))
    if query.actor:
        conditions.append(AuditLog.actor == query.actor)
    if query.entity:
        conditions.append(AuditLog.entity == query.entity)
    if query.action:
        conditions.append(AuditLog.action == query.action)
    if query.since is not None:
        conditions.append(AuditLog.at >= query.since)
    if query.until is not None:
        conditions.append(AuditLog.at < query.until)
    return conditions


def search(
    session: Session, query: AuditQuery, limit: int, offset: int = 0
) -> tuple[list[AuditLog], int]:
    """The newest entries first that match ``query``, and how many match in all."""
    where = _where(query)
    total = session.scalar(select(func.count()).select_from(AuditLog).where(*where)) or 0
    rows = session.scalars(
        select(AuditLog).where(*where).order_by(AuditLog.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def choices(session: Session, unit_code: str | None) -> dict[str, list[str]]:
    """The actors, entities and actions on record (of a unit and of none), for the filters."""
    where = _where(AuditQuery(unit_code=unit_code))
    return {
        name: list(session.scalars(select(column).where(*where).distinct().order_by(column)))
        for name, column in (
            ("actor", AuditLog.actor),
            ("entity", AuditLog.entity),
            ("action", AuditLog.action),
        )
    }
