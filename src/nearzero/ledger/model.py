"""Double-entry ledger primitives: accounts, postings, balanced transactions (integer grams).

Two assets, both in whole grams of CO2:

- ``Asset.REDUCTION``: certified reductions. They are issued into the pool of the
  ecology-and-environment department and never leave the system accounts through a
  resident: 减排量支配权保留在生态环境部门 (the plan, 四(一)4). A posting of
  reductions to a resident account is refused.
- ``Asset.POINT``: residents' carbon-inclusion points, 1 point = 1 g credited. The pool
  owes them (its point balance is minus the points outstanding); residents spend them
  at merchants or redemption channels; unspent points may expire.

A transaction is a set of postings that sums to zero for each asset. Every posting
carries a :class:`Trace` naming the behaviour records and methodology versions it
derives from. Balances are never stored as facts: they are sums of postings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LedgerError(ValueError):
    """A transaction the ledger refuses; nothing was written."""


class UnbalancedTransaction(LedgerError):
    """The postings of an asset do not sum to zero."""


class InvalidPosting(LedgerError):
    """A posting with a non-integer or zero amount, or to an account it may not touch."""


class NegativeBalance(LedgerError):
    """The transaction would take a non-system account below zero."""

    def __init__(self, account: Account, asset: Asset, balance: int, key: str) -> None:
        self.account, self.asset, self.balance, self.key = account, asset, balance, key
        super().__init__(
            f"transaction {key!r} would leave {account} at {balance} {asset.value}; "
            "a non-system account may not go negative"
        )


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for a different transaction."""


class Asset(StrEnum):
    REDUCTION = "reduction_g"
    """Certified reductions [g CO2], owned by the department's pool."""
    POINT = "point_g"
    """Residents' points [1 point = 1 g CO2 credited]."""

    @property
    def label_zh(self) -> str:
        return {Asset.REDUCTION: "减排量（克）", Asset.POINT: "碳积分"}[self]


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
        return self not in (AccountKind.RESIDENT, AccountKind.MERCHANT)

    @property
    def label_zh(self) -> str:
        return _KIND_ZH[self]


_KIND_ZH = {
    AccountKind.RESIDENT: "居民账户",
    AccountKind.MERCHANT: "商户账户",
    AccountKind.POOL: "生态环境部门归集账户",
    AccountKind.ISSUANCE: "减排量签发账户",
    AccountKind.REDEMPTION: "积分消纳账户",
    AccountKind.EXPIRY: "积分过期账户",
}


@dataclass(frozen=True, slots=True, order=True)
class Account:
    """An account, written ``kind:name`` (e.g. ``resident:3fa9…``, ``pool:zhangqiu``)."""

    kind: AccountKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.name}"

    @classmethod
    def parse(cls, text: str) -> Account:
        kind, sep, name = text.partition(":")
        if not sep or not name:
            raise LedgerError(f"account {text!r} is not 'kind:name'")
        try:
            return cls(AccountKind(kind), name)
        except ValueError as exc:
            raise LedgerError(f"account {text!r}: unknown kind {kind!r}") from exc


@dataclass(frozen=True, slots=True)
class Trace:
    """Where a posting comes from: record keys, methodology versions (id@version), refs."""

    records: tuple[str, ...] = ()
    methodologies: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()

    def merge(self, other: Trace) -> Trace:
        def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(sorted(set(a) | set(b)))

        return Trace(
            union(self.records, other.records),
            union(self.methodologies, other.methodologies),
            union(self.refs, other.refs),
        )


@dataclass(frozen=True, slots=True)
class Posting:
    """``amount`` grams of ``asset`` into ``account`` (negative: out of it)."""

    account: Account
    asset: Asset
    amount: int
    trace: Trace


class TxKind(StrEnum):
    CREDIT = "credit"
    REDEMPTION = "redemption"
    SETTLEMENT = "settlement"
    EXPIRY = "expiry"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True, slots=True)
class Transaction:
    """A balanced set of postings, identified by its idempotency ``key``."""

    key: str
    kind: TxKind
    effective_at: datetime
    postings: tuple[Posting, ...]
    memo: str = ""

    def check(self) -> None:
        """Raise :class:`LedgerError` unless the transaction is well formed and balanced."""
        if not self.key:
            raise LedgerError("a transaction needs an idempotency key")
        if self.effective_at.tzinfo is None:
            raise LedgerError(f"transaction {self.key!r}: effective_at has no UTC offset")
        if not self.postings:
            raise UnbalancedTransaction(f"transaction {self.key!r} has no postings")
        sums: dict[Asset, int] = defaultdict(int)
        for p in self.postings:
            if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount == 0:
                raise InvalidPosting(
                    f"transaction {self.key!r}: posting to {p.account} has amount "
                    f"{p.amount!r}; amounts are non-zero integer grams"
                )
            if p.asset is Asset.REDUCTION and p.account.kind in (
                AccountKind.RESIDENT,
                AccountKind.MERCHANT,
            ):
                raise InvalidPosting(
                    f"transaction {self.key!r}: reductions may not be posted to {p.account}; "
                    "their ownership stays with the ecology-and-environment department"
                )
            sums[p.asset] += p.amount
        for asset, total in sums.items():
            if total != 0:
                raise UnbalancedTransaction(
                    f"transaction {self.key!r}: {asset.value} postings sum to {total}, not 0"
                )


@dataclass(frozen=True, slots=True)
class Entry:
    """A transaction as appended: its position in the ledger and the transaction."""

    seq: int
    tx: Transaction
