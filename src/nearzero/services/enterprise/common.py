"""What the enterprise services share: rights, lookups, errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from nearzero.enterprise.model import EnterpriseError
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.store import enterprise as store, tables as m

ENTITY = "enterprise"


def invalid(exc: EnterpriseError) -> InvalidInput:
    """An :class:`InvalidInput` naming the field the core error names."""
    return InvalidInput(f"{exc.field}: {exc.detail}")


@contextmanager
def core_errors() -> Iterator[None]:
    """Turn an :class:`EnterpriseError` of the pure core into :class:`InvalidInput`."""
    try:
        yield
    except EnterpriseError as exc:
        raise invalid(exc) from None


def require_office(actor: Actor, what: str, what_zh: str) -> None:
    """Only the working-group office (admin) may ``what`` (``what_zh`` in Chinese)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            f"{actor.username}无权{what_zh}：只有专班办公室可以 — "
            f"{actor.username} may not {what}: only the office (admin) may"
        )


def may_enter(actor: Actor) -> bool:
    """The office or a department editor enters firms' reports and figures (for the firm)."""
    return actor.role in (Role.ADMIN, Role.EDITOR)


def require_enter(actor: Actor, what: str, what_zh: str) -> None:
    if not may_enter(actor):
        raise PermissionDenied(
            f"{actor.username}无权{what_zh}：只有专班办公室或部门填报员可以 — "
            f"{actor.username} may not {what}: only the office or a department editor may"
        )


def require_reader(actor: Actor) -> None:
    """A verifier sees only the reports assigned to it, not the unit's lists."""
    if actor.role is Role.VERIFIER:
        raise PermissionDenied(
            f"{actor.username}为核查机构账号，只能查看分配给它的报告 — "
            f"{actor.username} is a verifier: it sees only the reports assigned to it"
        )


def get_enterprise(session: Session, unit: m.DemoUnit, key: str) -> m.Enterprise:
    row = store.enterprise(session, unit.id, key)
    if row is None:
        raise NotFound(
            f"enterprise: 单位“{unit.code}”没有企业“{key}” — "
            f"unit {unit.code!r} has no enterprise {key!r}"
        )
    return row


def label(row: m.Enterprise) -> str:
    """The name, marked 示例 when illustrative."""
    return f"{row.name_zh}（示例）" if row.illustrative else row.name_zh
