"""Carbon-inclusion points on the ledger: credit, redeem, settle, expire.

Transactions built here (all amounts in whole grams):

credit (one accepted behaviour record, key ``credit:{partner}:{record id}``)
    REDUCTION  issuance:{unit} −g   pool:{unit} +g     the department owns the reduction
    POINT      pool:{unit} −g       resident:{id} +g   the resident is owed points
redemption (client-supplied key, ``redemption:{key}``; idempotent)
    POINT      resident −p          merchant:{m} or redemption:{channel} +p
settlement (a merchant hands points back to the platform)
    POINT      merchant −p          redemption:{channel} +p
expiry (points unspent N months after they were credited, ``expiry:{resident}:{credit key}``)
    POINT      resident −x          expiry:{unit} +x

The chart of this ledger is :data:`INCLUSION_CHART`: two assets, both in whole grams of CO2,
``Asset.REDUCTION`` (certified reductions, issued into the pool of the
ecology-and-environment department; only system accounts hold them: 减排量支配权保留在生态环境部门,
the plan, 四(一)4) and ``Asset.POINT`` (residents' points, 1 point = 1 g credited; the
pool owes them, residents spend them at merchants or redemption channels, unspent points
may expire). Residents and merchants may not go negative; the other kinds are system
accounts.

Points are spent and expire lot by lot: each credit is a lot; a spend takes from the
lot credited earliest (by behaviour time, then ledger order), so what expires is
what was earned longest ago. Every posting's trace names the behaviour records and
methodology versions of the lots it moves.
"""

from __future__ import annotations

import calendar
import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from nearzero.inclusion.batch import Credit
from nearzero.ledger.memory import LedgerStore
from nearzero.ledger.model import (
    Account,
    Chart,
    Entry,
    IdempotencyConflict,
    LedgerError,
    Posting,
    Trace,
    Transaction,
)


class Asset(StrEnum):
    REDUCTION = "reduction_g"
    """Certified reductions [g CO2], owned by the department's pool."""
    POINT = "point_g"
    """Residents' points [1 point = 1 g CO2 credited]."""

    @property
    def label_zh(self) -> str:
        return INCLUSION_CHART.label_zh(self)


class AccountKind(StrEnum):
    RESIDENT = "resident"
    MERCHANT = "merchant"
    POOL = "pool"
    """The ecology-and-environment department's pool (生态环境部门归集账户)."""
    ISSUANCE = "issuance"
    """Source of certified reductions (the counter-entry of the pool's reductions)."""
    REDEMPTION = "redemption"
    """Sink of points spent (a channel: merchant settlement, donation, coupons)."""
    EXPIRY = "expiry"
    """Sink of points that expired unspent."""

    @property
    def system(self) -> bool:
        """System accounts may go negative; residents and merchants may not."""
        return INCLUSION_CHART.is_system(self)

    @property
    def label_zh(self) -> str:
        return INCLUSION_CHART.label_zh(self)


class TxKind(StrEnum):
    CREDIT = "credit"
    REDEMPTION = "redemption"
    SETTLEMENT = "settlement"
    EXPIRY = "expiry"
    ADJUSTMENT = "adjustment"


INCLUSION_CHART = Chart(
    name="carbon-inclusion",
    assets={Asset.REDUCTION: "减排量（克）", Asset.POINT: "碳积分"},
    kinds={
        AccountKind.RESIDENT: "居民账户",
        AccountKind.MERCHANT: "商户账户",
        AccountKind.POOL: "生态环境部门归集账户",
        AccountKind.ISSUANCE: "减排量签发账户",
        AccountKind.REDEMPTION: "积分消纳账户",
        AccountKind.EXPIRY: "积分过期账户",
    },
    system=frozenset(AccountKind) - {AccountKind.RESIDENT, AccountKind.MERCHANT},
    holds={
        AccountKind.RESIDENT: frozenset({Asset.POINT}),
        AccountKind.MERCHANT: frozenset({Asset.POINT}),
    },
    reasons={Asset.REDUCTION: "their ownership stays with the ecology-and-environment department"},
    transactions=frozenset(TxKind),
)
"""Carbon inclusion's chart of accounts: reductions stay with the department's system
accounts (residents and merchants hold points only); residents and merchants never go
negative."""


def resident_account(resident_id: str) -> Account:
    return Account(AccountKind.RESIDENT, resident_id)


def pool_account(unit_id: str) -> Account:
    return Account(AccountKind.POOL, unit_id)


def issuance_account(unit_id: str) -> Account:
    return Account(AccountKind.ISSUANCE, unit_id)


def expiry_account(unit_id: str) -> Account:
    return Account(AccountKind.EXPIRY, unit_id)


def credit_key(partner_id: str, partner_record_id: str) -> str:
    return f"credit:{partner_id}:{partner_record_id}"


def credit_postings(
    unit_id: str, credited: Iterable[tuple[str, str, int]], records: tuple[str, ...] = ()
) -> tuple[Posting, ...]:
    """The postings that credit residents with points for certified reductions.

    credited : (resident pseudonym, methodology ``id@version``, grams [g CO2]) per credited
        record (or per sum of them: the same postings); the grams of one resident and
        methodology version are summed into one posting.
    records : record keys written into every posting's trace (a single record's credit);
        a bulk credit leaves them out and its store traces them
        (see :mod:`nearzero.store.inclusion_ledger`).

    Per methodology version ``m`` (sorted) with total ``G_m`` [g]: issuance −G_m and
    pool +G_m of REDUCTION, pool −G_m of POINT; then per (resident, ``m``) (sorted) with
    total ``g``: resident +g of POINT. Σ over each asset is 0; one record gives the four
    postings of :func:`credit_transaction`.
    """
    per_resident: dict[tuple[str, str], int] = defaultdict(int)
    for resident, methodology, grams in credited:
        if grams <= 0:
            raise LedgerError(
                f"credit of {grams} g to resident {resident!r}; only positive credits are posted"
            )
        per_resident[(resident, methodology)] += grams
    per_method: dict[str, int] = defaultdict(int)
    for (_, methodology), grams in per_resident.items():
        per_method[methodology] += grams
    pool, issuance = pool_account(unit_id), issuance_account(unit_id)
    out: list[Posting] = []
    for methodology, total in sorted(per_method.items()):
        trace = Trace(records=records, methodologies=(methodology,))
        out += (
            Posting(issuance, Asset.REDUCTION, -total, trace),
            Posting(pool, Asset.REDUCTION, total, trace),
            Posting(pool, Asset.POINT, -total, trace),
        )
    for (resident, methodology), grams in sorted(per_resident.items()):
        trace = Trace(records=records, methodologies=(methodology,))
        out.append(Posting(resident_account(resident), Asset.POINT, grams, trace))
    return tuple(out)


def credit_transaction(credit: Credit, unit_id: str) -> Transaction:
    """The ledger transaction of an accepted record (see the module docstring)."""
    r = credit.record
    return record_credit(
        unit_id,
        r.partner_id,
        r.partner_record_id,
        r.resident_id,
        str(credit.methodology),
        credit.grams,
        r.end,
        r.scenario.value,
    )


def record_credit(
    unit_id: str,
    partner_id: str,
    partner_record_id: str,
    resident_id: str,
    methodology: str,
    grams: int,
    effective_at: datetime,
    scenario: str,
) -> Transaction:
    """The credit transaction of one record (key ``credit:{partner}:{record id}``, effective
    at the behaviour's end, the four postings of :func:`credit_postings`)."""
    record = f"{partner_id}:{partner_record_id}"
    if grams <= 0:
        raise LedgerError(f"credit of {record} has {grams} g; only positive credits are posted")
    return Transaction(
        key=credit_key(partner_id, partner_record_id),
        kind=TxKind.CREDIT,
        effective_at=effective_at,
        postings=credit_postings(unit_id, [(resident_id, methodology, grams)], (record,)),
        memo=f"{scenario} {methodology}",
    )


@dataclass(slots=True)
class Lot:
    """Points credited to a resident by one transaction, and what is left of them."""

    tx_key: str
    seq: int
    at: datetime
    amount: int
    remaining: int
    trace: Trace


def _order(lot: Lot) -> tuple[datetime, int]:
    return (lot.at, lot.seq)


def _walk(entries: list[Entry], account: Account) -> tuple[dict[str, Lot], list[Lot]]:
    """Replay ``account``'s point postings: lots by key, and lots in spending order."""
    lots: dict[str, Lot] = {}
    heap: list[tuple[datetime, int, str]] = []
    for e in entries:
        for p in e.tx.postings:
            if p.account != account or p.asset != Asset.POINT:
                continue
            if p.amount > 0:
                lot = Lot(e.tx.key, e.seq, e.tx.effective_at, p.amount, p.amount, p.trace)
                lots[e.tx.key] = lot
                heapq.heappush(heap, (lot.at, lot.seq, lot.tx_key))
                continue
            out = -p.amount
            if e.tx.kind == TxKind.EXPIRY:  # an expiry names its lot
                for ref in p.trace.refs:
                    if ref in lots:
                        take = min(out, lots[ref].remaining)
                        lots[ref].remaining -= take
                        out -= take
            while out > 0 and heap:
                lot = lots[heap[0][2]]
                take = min(out, lot.remaining)
                lot.remaining -= take
                out -= take
                if lot.remaining == 0:
                    heapq.heappop(heap)
            while heap and lots[heap[0][2]].remaining == 0:
                heapq.heappop(heap)
    ordered = sorted((lot for lot in lots.values() if lot.remaining > 0), key=_order)
    return lots, ordered


def open_lots(ledger: LedgerStore, resident_id: str) -> list[Lot]:
    """The resident's lots with points left, in spending order (oldest behaviour first)."""
    account = resident_account(resident_id)
    return _walk(list(ledger.account_entries(account)), account)[1]


def _consume(lots: list[Lot], points: int) -> Trace:
    trace = Trace()
    left = points
    for lot in lots:
        if left <= 0:
            break
        take = min(left, lot.remaining)
        left -= take
        trace = trace.merge(lot.trace).merge(Trace(refs=(lot.tx_key,)))
    return trace


def redeem(
    ledger: LedgerStore,
    client_key: str,
    resident_id: str,
    to: Account,
    points: int,
    at: datetime,
    memo: str = "",
) -> Entry:
    """Spend ``points`` of a resident at a merchant or redemption channel; idempotent.

    The same ``client_key`` again returns the first entry and writes nothing, however
    often it is retried; the same key with another resident, target or amount raises
    :class:`~nearzero.ledger.model.IdempotencyConflict`. Spending more than the balance
    raises :class:`~nearzero.ledger.model.NegativeBalance` and writes nothing.
    """
    if to.kind not in (AccountKind.MERCHANT, AccountKind.REDEMPTION):
        raise LedgerError(f"points are redeemed at a merchant or channel, not {to}")
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise LedgerError(f"redemption of {points!r} points: a positive integer is required")
    key = f"redemption:{client_key}"
    account = resident_account(resident_id)
    existing = ledger.get(key)
    if existing is not None:
        amounts = {(p.account, p.amount) for p in existing.tx.postings}
        if amounts != {(account, -points), (to, points)}:
            raise IdempotencyConflict(
                f"redemption key {client_key!r} was already used for another redemption"
            )
        return existing
    trace = _consume(open_lots(ledger, resident_id), points).merge(Trace(refs=(client_key,)))
    tx = Transaction(
        key=key,
        kind=TxKind.REDEMPTION,
        effective_at=at,
        postings=(
            Posting(account, Asset.POINT, -points, trace),
            Posting(to, Asset.POINT, points, trace),
        ),
        memo=memo,
    )
    return ledger.append(tx)


def settle(
    ledger: LedgerStore, key: str, merchant: Account, channel: Account, points: int, at: datetime
) -> Entry:
    """A merchant hands ``points`` back to the platform's redemption channel (idempotent)."""
    if merchant.kind != AccountKind.MERCHANT or channel.kind != AccountKind.REDEMPTION:
        raise LedgerError("settlement moves points from a merchant to a redemption account")
    existing = ledger.get(f"settlement:{key}")
    if existing is not None:
        amounts = {(p.account, p.amount) for p in existing.tx.postings}
        if amounts != {(merchant, -points), (channel, points)}:
            raise IdempotencyConflict(f"settlement key {key!r} was already used otherwise")
        return existing
    trace = Trace(refs=(key,))
    return ledger.append(
        Transaction(
            key=f"settlement:{key}",
            kind=TxKind.SETTLEMENT,
            effective_at=at,
            postings=(
                Posting(merchant, Asset.POINT, -points, trace),
                Posting(channel, Asset.POINT, points, trace),
            ),
        )
    )


def add_months(t: datetime, months: int) -> datetime:
    """``t`` plus whole calendar months, the day clamped to the month's end (31 Jan → 28 Feb)."""
    index = t.month - 1 + months
    year, month = t.year + index // 12, index % 12 + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def expiry_transactions(
    ledger: LedgerStore,
    unit_id: str,
    as_of: datetime,
    months: int,
    *,
    residents: Iterable[str] | None = None,
    include: Callable[[Lot], bool] | None = None,
) -> tuple[Transaction, ...]:
    """Expiry transactions for points unspent ``months`` after they were credited.

    A lot credited at behaviour time ``t`` expires at ``add_months(t, months)``; every
    lot whose expiry is at or before ``as_of`` and that still has points gets one
    transaction moving the rest to the expiry account. Keys are deterministic, so
    appending the result twice (or computing it again after appending) adds nothing.

    ``residents`` limits the walk to those residents (default: every resident account);
    ``include`` keeps only the lots it accepts (e.g. the lots a unit's partners credited,
    when several units share one ledger).
    """
    if months <= 0:
        raise LedgerError("points expire after a positive number of months")
    sink = expiry_account(unit_id)
    out: list[Transaction] = []
    accounts: Iterable[Account] = (
        ledger.accounts(AccountKind.RESIDENT)
        if residents is None
        else sorted(resident_account(r) for r in set(residents))
    )
    for account in accounts:
        for lot in _walk(list(ledger.account_entries(account)), account)[1]:
            expires = add_months(lot.at, months)
            if expires > as_of or (include is not None and not include(lot)):
                continue
            trace = lot.trace.merge(Trace(refs=(lot.tx_key,)))
            out.append(
                Transaction(
                    key=f"expiry:{account.name}:{lot.tx_key}",
                    kind=TxKind.EXPIRY,
                    effective_at=expires,
                    postings=(
                        Posting(account, Asset.POINT, -lot.remaining, trace),
                        Posting(sink, Asset.POINT, lot.remaining, trace),
                    ),
                    memo=f"points credited {lot.at.date()} expire after {months} months",
                )
            )
    return tuple(out)
