"""Shared by the two-high use cases: refusals naming the field, who may, typed figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from nearzero.formatting import CHINA_TZ
from nearzero.ledger import LedgerError, NegativeBalance
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.twohigh import bank, data
from nearzero.twohigh.model import TwoHighError

ENTITY = "twohigh"
SCHEMA = "nearzero.twohigh.ledger/1"


def _invalid(exc: TwoHighError | LedgerError) -> InvalidInput:
    if isinstance(exc, NegativeBalance):
        return InvalidInput(
            f"amount: 指标不足，{exc.account} 的{data.dimension_of_asset(exc.asset).name_zh}"
            f"将为 {exc.balance}（不得为负）"
        )
    return InvalidInput(str(exc))


def _require_office(actor: Actor, what: str, what_zh: str) -> None:
    """Only the working-group office may ``what`` (``what_zh`` in Chinese)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            f"{actor.username}无权{what_zh}：只有专班办公室可以 — "
            f"only the working-group office may {what}"
        )


def _require_entry(actor: Actor, what: str, what_zh: str) -> None:
    """Only the office or an editor may ``what`` (``what_zh`` in Chinese)."""
    if actor.role not in (Role.ADMIN, Role.EDITOR):
        raise PermissionDenied(f"{actor.username}无权{what_zh} — {actor.username} may not {what}")


def _decimal(text: str | Decimal | int, field_name: str, unit: str) -> Decimal:
    try:
        value = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidInput(
            f"{field_name}: “{text}”不是数字［{unit}］ — {text!r} is not a number [{unit}]"
        ) from None
    if not value.is_finite():
        raise InvalidInput(
            f"{field_name}: “{text}”不是有限的数值［{unit}］ — "
            f"{text!r} is not a finite number [{unit}]"
        )
    return value


def _date(text: str | dt.date, field_name: str) -> dt.date:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field_name}: 日期“{text}”应写作YYYY-MM-DD — {text!r} (expected YYYY-MM-DD)"
        ) from None


def _code(text: str, field_name: str) -> str:
    try:
        return bank.check_code(text.strip(), field_name)
    except TwoHighError as exc:
        raise _invalid(exc) from None


def today_cst() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()
