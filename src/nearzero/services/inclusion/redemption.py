"""Carbon inclusion (碳普惠) points: merchants, offers, redemption and expiry.

Points are a ledger asset (:mod:`nearzero.inclusion.points`); a redemption is a balanced ledger
transaction (the truth) plus its business record; an expiry run posts one transaction per
expiring lot. Merchants and offers belong to a unit and are listed per unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from nearzero.inclusion.points import (
    AccountKind,
    Asset,
    Lot,
    expiry_account,
    expiry_transactions,
    redeem,
)
from nearzero.inclusion.records import CHINA_TZ
from nearzero.ledger.model import Account, LedgerError
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound
from nearzero.services.inclusion.partners import require_office
from nearzero.store import inclusion as store, tables as m
from nearzero.store.inclusion_ledger import inclusion_ledger

# --------------------------------------------------------------------------- merchants, offers


def create_merchant(
    session: Session, actor: Actor, unit: m.DemoUnit, code: str, name_zh: str
) -> m.InclusionMerchant:
    """Register a merchant of the unit where residents spend points (audited)."""
    require_office(actor)
    if not code.strip() or not name_zh.strip():
        raise InvalidInput("code: 请填写商户代码和名称 — code and name_zh are required")
    row = store.add_merchant(session, unit.id, code.strip(), name_zh.strip())
    new = {"name_zh": name_zh}
    audit.record(
        session, actor, "merchant.create", "inclusion_merchant", code, None, new, unit.code
    )
    return row


def create_offer(
    session: Session,
    actor: Actor,
    merchant_code: str,
    title_zh: str,
    points: int,
    unit: m.DemoUnit | None = None,
) -> m.InclusionOffer:
    """An offer at a merchant (of ``unit`` when given) for ``points`` (audited)."""
    require_office(actor)
    merchant = store.merchant(session, merchant_code)
    if merchant is None or (unit is not None and merchant.unit_id != unit.id):
        raise NotFound(f"merchant: 没有商户“{merchant_code}” — no merchant {merchant_code!r}")
    if points <= 0:
        raise InvalidInput("points: 积分应为正整数 — a positive whole number is required")
    row = store.add_offer(session, merchant.id, title_zh.strip(), points)
    new = {"title_zh": title_zh, "points": points}
    audit.record(session, actor, "offer.create", "inclusion_offer", str(row.id), None, new)
    return row


def add_offer(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    merchant_code: str,
    merchant_name: str,
    title_zh: str,
    points: int,
) -> m.InclusionOffer:
    """The office's offer form: the offer at the unit's merchant ``merchant_code``, the
    merchant registered first when it is new. A code another unit uses is refused."""
    require_office(actor)
    merchant = store.merchant(session, merchant_code.strip())
    if merchant is None:
        create_merchant(session, actor, unit, merchant_code, merchant_name)
    elif merchant.unit_id != unit.id:
        raise InvalidInput(
            f"merchant_code: 商户代码 {merchant_code!r} 已为其他地区使用 "
            "(the code is another unit's merchant)"
        )
    return create_offer(session, actor, merchant_code.strip(), title_zh, points, unit)


def merchants(session: Session, unit: m.DemoUnit) -> list[m.InclusionMerchant]:
    """The unit's merchants, in code order."""
    return store.merchants(session, unit.id)


def offers(
    session: Session, unit: m.DemoUnit | None
) -> list[tuple[m.InclusionOffer, m.InclusionMerchant]]:
    """Active offers of the unit's active merchants (of every unit for None), cheapest first."""
    return store.offers(session, None if unit is None else unit.id)


def redeem_offer(
    session: Session, pseudonym: str, offer_id: int, client_key: str, at: datetime | None = None
) -> m.InclusionRedemption:
    """Spend points on an offer at its merchant; idempotent by ``client_key``.

    The same key again returns the first redemption and writes nothing (a double tap, a
    retried request). Not enough points raises :class:`InvalidInput`; nothing is written.
    """
    if not client_key or len(client_key) > 100:
        raise InvalidInput("client_key: 应为1至100个字符 — 1 to 100 characters")
    done = store.redemption(session, client_key)
    if done is not None:
        if done.resident != pseudonym or done.offer_id != offer_id:
            raise InvalidInput(
                "client_key: 该请求标识已用于另一笔兑换 — already used for another redemption"
            )
        return done
    found = store.active_offer(session, offer_id)
    if found is None:
        raise NotFound(f"offer: 没有编号为{offer_id}的兑换商品 — no offer {offer_id}")
    offer, merchant = found
    when = at or datetime.now(UTC)
    to = Account(AccountKind.MERCHANT, merchant.code)
    try:
        entry = redeem(
            inclusion_ledger(session),
            client_key,
            pseudonym,
            to,
            int(offer.points),
            when,
            memo=offer.title_zh,
        )
    except LedgerError as exc:
        raise InvalidInput(f"积分不足或兑换无效：{exc}") from exc
    return store.add_redemption(session, client_key, pseudonym, offer, merchant, entry.tx.key, when)


# --------------------------------------------------------------------------- expiry


@dataclass(frozen=True)
class ExpiryRun:
    """What one expiry run posted: transactions, points and residents (all zero on a rerun)."""

    unit: str
    as_of: date
    months: int
    transactions: int
    points: int
    residents: int


def expiry_cutoff(as_of: date) -> datetime:
    """The last instant of ``as_of`` in China time (UTC+8): points whose validity ended by
    then expire."""
    next_day = datetime.combine(as_of + timedelta(days=1), time(0), CHINA_TZ)
    return next_day - timedelta(microseconds=1)


def expire_points(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    as_of: date,
    months: int | None,
    today: date | None = None,
) -> ExpiryRun:
    """Post the expiry of points credited through ``unit``'s partners and still unspent
    ``months`` after the behaviour, as of the end of ``as_of`` (UTC+8).

    One balanced transaction per expiring lot (``resident −x``, ``expiry:{unit} +x``,
    :func:`nearzero.inclusion.points.expiry_transactions`), appended to the append-only
    ledger; keys are deterministic, so a second run (or a run for an earlier date) posts
    nothing and writes no audit entry. ``months`` is the validity in force
    (:func:`nearzero.services.inclusion.rules.points_validity`: the unit's scheme, else
    ``NEARZERO_INCLUSION_POINTS_VALID_MONTHS``); None refuses, as does a date after today.
    """
    require_office(actor)
    if months is None:
        raise InvalidInput(
            "months: 未设置积分有效期（平台规则 points_valid_months，或 "
            "NEARZERO_INCLUSION_POINTS_VALID_MONTHS），积分不过期 "
            "(no points validity is set, so points do not expire)"
        )
    if isinstance(months, bool) or months <= 0:
        raise InvalidInput(f"months: 有效期应为正整数月，实际为 {months!r} (a positive number)")
    today = today or datetime.now(CHINA_TZ).date()
    if as_of > today:
        raise InvalidInput(
            f"as_of: {as_of.isoformat()} 晚于今天 {today.isoformat()}，不能预先过期 "
            "(a date in the future)"
        )
    codes = set(store.partner_codes(session, unit.id))
    holders = store.holders(session, Asset.POINT.value)

    def of_unit(lot: Lot) -> bool:
        return bool(lot.trace.records) and all(
            r.partition(":")[0] in codes for r in lot.trace.records
        )

    ledger = inclusion_ledger(session)
    txs = expiry_transactions(
        ledger, unit.code, expiry_cutoff(as_of), months, residents=holders, include=of_unit
    )
    ledger.append_all(txs)
    points = 0
    residents: set[str] = set()
    for tx in txs:
        out = next(p for p in tx.postings if p.account.kind == AccountKind.RESIDENT)
        points -= out.amount
        residents.add(out.account.name)
    run = ExpiryRun(unit.code, as_of, months, len(txs), points, len(residents))
    if txs:
        new = {
            "as_of": as_of.isoformat(),
            "months": months,
            "transactions": len(txs),
            "points": points,
            "residents": len(residents),
        }
        target = f"{unit.code}/{as_of.isoformat()}"
        audit.record(
            session, actor, "points.expire", "inclusion_expiry", target, None, new, unit.code
        )
    return run


def expired_total(session: Session, unit_code: str) -> int:
    """Points expired so far into the unit's expiry account."""
    return inclusion_ledger(session).balance(expiry_account(unit_code), Asset.POINT)
