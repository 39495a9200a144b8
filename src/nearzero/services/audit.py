"""The audit log: every write, with who, when, the old and the new value."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
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


Name = Callable[[str, str], str]
"""``name(prefix, code)``: the name in the page's language of a stored code, the message
``prefix + code`` (``audit_act_`` an action, ``audit_ent_`` an object's kind, ``audit_key_`` a
detail's key, ``audit_value_`` a word of the values); the code as stored when it has none
(:func:`nearzero.web.i18n.label_of` with the page's language)."""


def as_stored(prefix: str, code: str) -> str:
    """The :data:`Name` that names nothing: every code as stored."""
    return code


@dataclass(frozen=True)
class Detail:
    """One value an entry stored, as read: its key by name (the keys of nested objects joined
    by ``·``; empty for a stored value that is not an object) and the value as text."""

    label: str
    text: str


@dataclass(frozen=True)
class AuditRow:
    """An entry as the page shows it: the action and the kind of object by name, the object's
    key as stored, the old and the new value as :class:`Detail` lines (``None``: none stored)."""

    at: datetime
    actor: str
    action: str
    entity: str
    key: str
    old: tuple[Detail, ...] | None
    new: tuple[Detail, ...] | None


def _decoded(value: Any) -> Any:
    """A stored value as JSON data: a string holding a JSON object or array (as an older
    database may hold it) decoded; anything else as it is."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def value_text(value: Any, name: Name = as_stored) -> str:
    """A JSON value as read, exactly: strings and numbers as stored (never ``\\uXXXX``),
    ``true``/``false`` as 是/否 (Yes/No), ``null`` as ``—``, an empty string, list or object as
    （空）, a list's items joined (、), an object inside a list as ``(key: value; …)``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return name("audit_value_", "true" if value else "false")
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str | list | dict) and not value:
        return name("audit_value_", "empty")
    if isinstance(value, list):
        return name("audit_value_", "sep").join(value_text(item, name) for item in value)
    if isinstance(value, dict):
        return "(" + "; ".join(f"{d.label}: {d.text}" for d in _flat(value, (), name)) + ")"
    return str(value)


def _flat(obj: Mapping[str, Any], path: tuple[str, ...], name: Name) -> Iterator[Detail]:
    for key, value in obj.items():
        here = (*path, name("audit_key_", str(key)))
        if isinstance(value, dict) and value:
            yield from _flat(value, here, name)
        else:
            yield Detail(" · ".join(here), value_text(value, name))


def details(value: Any, name: Name = as_stored) -> tuple[Detail, ...] | None:
    """A stored old or new value as "key: value" lines, every value kept (see
    :func:`value_text`); ``None`` when none was stored."""
    value = _decoded(value)
    if value is None:
        return None
    if isinstance(value, dict) and value:
        return tuple(_flat(value, (), name))
    return (Detail("", value_text(value, name)),)


def audit_row(entry: AuditLog, name: Name = as_stored) -> AuditRow:
    """An entry as the page shows it; a code without a name (an older database's) as stored."""
    return AuditRow(
        entry.at,
        entry.actor,
        name("audit_act_", entry.action),
        name("audit_ent_", entry.entity),
        entry.entity_key,
        details(entry.old, name),
        details(entry.new, name),
    )


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditRow]
    total: int
    page: int
    pages: int
    filter: AuditFilter
    choices: dict[str, list[tuple[str, str]]]
    """Per filter, the codes on record and their names: ``(code, name)``."""
    chain: store.ChainCheck


def audit_page(
    session: Session,
    actor: Actor,
    unit_code: str,
    filt: AuditFilter,
    page: int = 1,
    name: Name = as_stored,
) -> AuditPage:
    """A page of the unit's audit log (and of entries of no unit), newest first, with the
    chain's state; actions, kinds of object and detail keys by ``name``; the office only."""
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
    named = {"entity": "audit_ent_", "action": "audit_act_"}  # the actors by their user names
    choices = {
        field: [(code, name(named[field], code) if field in named else code) for code in codes]
        for field, codes in store.choices(session, unit_code).items()
    }
    return AuditPage(
        [audit_row(e, name) for e in entries],
        total,
        max(page, 1),
        pages,
        filt,
        choices,
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
