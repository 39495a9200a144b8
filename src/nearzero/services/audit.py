"""The audit log: every write, with who, when, the old and the new value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from nearzero.formatting import CHINA_TZ, china_time
from nearzero.reports.model import Cell, Table
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
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


PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
"""The most entries one Excel export holds (narrow the filters for more)."""


def _office(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            "audit: 只有专班办公室可以查看全部修改日志 — "
            "only the working-group office reads the whole audit log"
        )


def _day_start(day: date) -> datetime:
    """The instant a China Standard Time day starts."""
    return datetime.combine(day, time(0), CHINA_TZ)


@dataclass(frozen=True)
class AuditFilter:
    """The audit page's filters as typed; dates are China Standard Time days, both included."""

    actor: str = ""
    entity: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    def query(self, unit_code: str) -> store.AuditQuery:
        return store.AuditQuery(
            unit_code=unit_code,
            actor=self.actor,
            entity=self.entity,
            action=self.action,
            since=_day_start(self.since) if self.since else None,
            until=_day_start(self.until + timedelta(days=1)) if self.until else None,
        )


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditLog]
    total: int
    page: int
    pages: int
    filter: AuditFilter
    choices: dict[str, list[str]]
    chain: store.ChainCheck


def audit_page(
    session: Session, actor: Actor, unit_code: str, filt: AuditFilter, page: int = 1
) -> AuditPage:
    """A page of the unit's audit log (and of entries of no unit), newest first, with the
    chain's state; the office only."""
    _office(actor)
    if filt.since and filt.until and filt.since > filt.until:
        raise InvalidInput(
            f"since: 起始日期{filt.since}晚于截止日期{filt.until} — "
            f"{filt.since} is after until {filt.until}"
        )
    entries, total = store.search(
        session, filt.query(unit_code), PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    return AuditPage(
        entries,
        total,
        max(page, 1),
        pages,
        filt,
        store.choices(session, unit_code),
        store.verify_chain(session),
    )


def export_workbook(session: Session, actor: Actor, unit_code: str, filt: AuditFilter) -> bytes:
    """The filtered entries as an Excel workbook (times in China Standard Time)."""
    _office(actor)
    entries, _total = store.search(session, filt.query(unit_code), EXPORT_LIMIT)

    def cell(value: Any) -> Cell:
        if value is None:
            return Cell("")
        return Cell(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))

    rows = tuple(
        (
            Cell(china_time(e.at, seconds=True)),
            Cell(e.actor),
            Cell(e.action),
            Cell(e.entity),
            Cell(e.entity_key),
            cell(e.old),
            cell(e.new),
            Cell(e.hash),
        )
        for e in entries
    )
    headers = ("时间（北京时间）", "用户", "操作", "对象", "对象键", "原值", "新值", "哈希")
    from nearzero.reports.workbook import build_workbook  # openpyxl: only for the export

    return build_workbook([("审计日志", Table(headers, rows, "审计日志"))], "审计日志")


def verify(session: Session) -> store.ChainCheck:
    """Recompute the audit log's hash chain (``nearzero audit verify``)."""
    return store.verify_chain(session)
