"""Double-entry ledger primitives: a chart of accounts, accounts, postings, balanced
transactions, in integer units.

The ledger knows no asset and no kind of account of its own: a :class:`Chart` declares
them (the assets, the kinds of account, which kinds are system accounts that may go
negative, which assets each kind may hold, their Chinese labels), and every transaction
is checked against the chart of the ledger it is appended to. Carbon inclusion's chart
(points and reductions in grams of CO2) is :data:`nearzero.inclusion.points.INCLUSION_CHART`;
the two-high indicator ledger declares its own.

A transaction is a set of postings that sums to zero for each asset. Every posting
carries a :class:`Trace` naming the records and methodology versions it derives from.
Balances are never stored as facts: they are sums of postings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


class LedgerError(ValueError):
    """A transaction the ledger refuses; nothing was written."""


class UnbalancedTransaction(LedgerError):
    """The postings of an asset do not sum to zero."""


class InvalidPosting(LedgerError):
    """A posting with a non-integer or zero amount, or to an account it may not touch."""


class NegativeBalance(LedgerError):
    """The transaction would take a non-system account below zero."""

    def __init__(self, account: Account, asset: str, balance: int, key: str) -> None:
        self.account, self.asset, self.balance, self.key = account, asset, balance, key
        super().__init__(
            f"transaction {key!r} would leave {account} at {balance} {asset}; "
            "a non-system account may not go negative"
        )


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for a different transaction."""


@dataclass(frozen=True, slots=True)
class Chart:
    """The chart of accounts of one ledger: what it holds and who may hold it.

    name : what the ledger is (e.g. ``carbon-inclusion``).
    assets : asset → Chinese label (e.g. ``point_g`` → 碳积分). Amounts are integers in
        the asset's unit, which the asset's name or label says.
    kinds : account kind → Chinese label (e.g. ``resident`` → 居民账户).
    system : the kinds of system account (sources, sinks, pools), which may go negative;
        every other kind may not.
    holds : kind → the assets an account of that kind may hold; a kind not listed may
        hold every asset of the chart.
    reasons : asset → why some kinds may not hold it (said in the refusal).
    transactions : the kinds of transaction (e.g. ``credit``, ``expiry``); empty: any.
    """

    name: str
    assets: Mapping[str, str]
    kinds: Mapping[str, str]
    system: frozenset[str]
    holds: Mapping[str, frozenset[str]] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    transactions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        put = object.__setattr__  # frozen: fields are set once, here, as read-only views
        put(self, "assets", MappingProxyType(dict(self.assets)))
        put(self, "kinds", MappingProxyType(dict(self.kinds)))
        put(self, "system", frozenset(self.system))
        put(self, "holds", MappingProxyType({k: frozenset(v) for k, v in self.holds.items()}))
        put(self, "reasons", MappingProxyType(dict(self.reasons)))
        put(self, "transactions", frozenset(self.transactions))
        for kind in sorted(self.system | set(self.holds)):
            if kind not in self.kinds:
                raise ValueError(f"chart {self.name!r}: kind {kind!r} is not declared")
        held = {a for assets in self.holds.values() for a in assets}
        for asset in sorted(held | set(self.reasons)):
            if asset not in self.assets:
                raise ValueError(f"chart {self.name!r}: asset {asset!r} is not declared")

    def label_zh(self, name: str) -> str:
        """The Chinese label of an asset or a kind of account (the name itself if none)."""
        return self.assets.get(name) or self.kinds.get(name) or name

    def is_system(self, kind: str) -> bool:
        """True for a system account kind (it may go negative)."""
        return kind in self.system

    def may_hold(self, kind: str, asset: str) -> bool:
        """True when an account of ``kind`` may receive or give ``asset``."""
        allowed = self.holds.get(kind)
        return allowed is None or asset in allowed

    def account(self, text: str) -> Account:
        """The account written ``kind:name``, its kind declared by this chart."""
        kind, sep, name = text.partition(":")
        if not sep or not name:
            raise LedgerError(f"account {text!r} is not 'kind:name'")
        if kind not in self.kinds:
            raise LedgerError(f"account {text!r}: unknown kind {kind!r}")
        return Account(kind, name)


@dataclass(frozen=True, slots=True, order=True)
class Account:
    """An account, written ``kind:name`` (e.g. ``resident:3fa9…``, ``pool:zhangqiu``);
    ``kind`` is one of its ledger's :attr:`Chart.kinds`."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


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
    """``amount`` units of ``asset`` into ``account`` (negative: out of it)."""

    account: Account
    asset: str
    amount: int
    trace: Trace


@dataclass(frozen=True, slots=True)
class Transaction:
    """A balanced set of postings, identified by its idempotency ``key``."""

    key: str
    kind: str
    effective_at: datetime
    postings: tuple[Posting, ...]
    memo: str = ""

    def check(self, chart: Chart) -> None:
        """Raise :class:`LedgerError` unless the transaction is well formed, balanced and
        within ``chart`` (declared assets and kinds; each kind holding only what it may)."""
        if not self.key:
            raise LedgerError("a transaction needs an idempotency key")
        if self.effective_at.tzinfo is None:
            raise LedgerError(f"transaction {self.key!r}: effective_at has no UTC offset")
        if chart.transactions and self.kind not in chart.transactions:
            raise LedgerError(
                f"transaction {self.key!r}: kind {self.kind!r} is not one of chart "
                f"{chart.name!r} ({', '.join(sorted(chart.transactions))})"
            )
        if not self.postings:
            raise UnbalancedTransaction(f"transaction {self.key!r} has no postings")
        sums: dict[str, int] = defaultdict(int)
        for p in self.postings:
            if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount == 0:
                raise InvalidPosting(
                    f"transaction {self.key!r}: posting to {p.account} has amount "
                    f"{p.amount!r}; amounts are non-zero integers"
                )
            if p.asset not in chart.assets:
                raise InvalidPosting(
                    f"transaction {self.key!r}: asset {p.asset!r} is not one of chart "
                    f"{chart.name!r} ({', '.join(sorted(chart.assets))})"
                )
            if p.account.kind not in chart.kinds:
                raise InvalidPosting(
                    f"transaction {self.key!r}: account {p.account} is of no kind of chart "
                    f"{chart.name!r} ({', '.join(sorted(chart.kinds))})"
                )
            if not chart.may_hold(p.account.kind, p.asset):
                reason = chart.reasons.get(p.asset)
                raise InvalidPosting(
                    f"transaction {self.key!r}: {p.asset} may not be posted to {p.account}"
                    + (f"; {reason}" if reason else "")
                )
            sums[p.asset] += p.amount
        for asset, total in sums.items():
            if total != 0:
                raise UnbalancedTransaction(
                    f"transaction {self.key!r}: {asset} postings sum to {total}, not 0"
                )


@dataclass(frozen=True, slots=True)
class Entry:
    """A transaction as appended: its position in the ledger and the transaction."""

    seq: int
    tx: Transaction
