"""The ledger interface, and its in-memory implementation.

:class:`LedgerStore` is what the rest of the code relies on; a SQL store implements
the same methods (an ``entries`` table keyed by ``key`` with a unique constraint, a
``postings`` table, balances as ``SUM(amount) GROUP BY account, asset`` checked in
the same database transaction as the insert). :class:`InMemoryLedger` is the
reference implementation the tests pin the rules to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Protocol

from nearzero.ledger.model import (
    Account,
    Chart,
    Entry,
    IdempotencyConflict,
    NegativeBalance,
    Posting,
    Transaction,
)


class LedgerStore(Protocol):
    """An append-only, double-entry ledger over the assets and accounts of its chart."""

    @property
    def chart(self) -> Chart:
        """The chart every appended transaction is checked against."""
        ...

    def append(self, tx: Transaction) -> Entry:
        """Append ``tx`` (all or nothing) and return its entry.

        The same key with the same transaction returns the existing entry and writes
        nothing (idempotency); the same key with another transaction raises
        :class:`~nearzero.ledger.model.IdempotencyConflict`. Unbalanced transactions and
        transactions outside the chart or that would take a non-system account below zero
        are refused.
        """
        ...

    def get(self, key: str) -> Entry | None:
        """The entry with this idempotency key, if any."""
        ...

    def entries(self) -> Iterator[Entry]:
        """All entries in append order."""
        ...

    def account_entries(self, account: Account) -> Iterator[Entry]:
        """The entries with a posting to ``account``, in append order."""
        ...

    def accounts(self, kind: str) -> Iterator[Account]:
        """Every account of ``kind`` that has a posting, in sorted order."""
        ...

    def balance(self, account: Account, asset: str) -> int:
        """Sum of the postings of ``asset`` to ``account``."""
        ...

    def balances(self) -> Mapping[tuple[Account, str], int]:
        """Every non-zero balance."""
        ...


class InMemoryLedger:
    """A :class:`LedgerStore` in memory; balances are a running sum of the postings."""

    def __init__(self, chart: Chart) -> None:
        self._chart = chart
        self._entries: list[Entry] = []
        self._by_key: dict[str, Entry] = {}
        self._balances: dict[tuple[Account, str], int] = defaultdict(int)
        self._by_account: dict[Account, list[Entry]] = defaultdict(list)

    @property
    def chart(self) -> Chart:
        return self._chart

    def __len__(self) -> int:
        return len(self._entries)

    def append(self, tx: Transaction) -> Entry:
        existing = self._by_key.get(tx.key)
        if existing is not None:
            if existing.tx != tx:
                raise IdempotencyConflict(
                    f"key {tx.key!r} was already used for a different transaction "
                    f"(entry {existing.seq})"
                )
            return existing
        tx.check(self._chart)
        delta: dict[tuple[Account, str], int] = defaultdict(int)
        for p in tx.postings:
            delta[(p.account, p.asset)] += p.amount
        for (account, asset), change in sorted(delta.items()):
            after = self._balances.get((account, asset), 0) + change
            if after < 0 and not self._chart.is_system(account.kind):
                raise NegativeBalance(account, asset, after, tx.key)
        for k, change in delta.items():
            self._balances[k] += change
            if self._balances[k] == 0:
                del self._balances[k]
        entry = Entry(len(self._entries), tx)
        self._entries.append(entry)
        self._by_key[tx.key] = entry
        for account in dict.fromkeys(p.account for p in tx.postings):
            self._by_account[account].append(entry)
        return entry

    def get(self, key: str) -> Entry | None:
        return self._by_key.get(key)

    def entries(self) -> Iterator[Entry]:
        return iter(list(self._entries))

    def account_entries(self, account: Account) -> Iterator[Entry]:
        return iter(list(self._by_account.get(account, ())))

    def accounts(self, kind: str) -> Iterator[Account]:
        return iter(sorted(a for a in self._by_account if a.kind == kind))

    def balance(self, account: Account, asset: str) -> int:
        return self._balances.get((account, asset), 0)

    def balances(self) -> Mapping[tuple[Account, str], int]:
        return dict(self._balances)

    def postings(self, account: Account | None = None) -> Iterator[tuple[Entry, Posting]]:
        """Postings in append order (of one account, or all)."""
        for e in self._entries:
            for p in e.tx.postings:
                if account is None or p.account == account:
                    yield e, p


def balances_from_postings(entries: Iterator[Entry]) -> dict[tuple[Account, str], int]:
    """Balances recomputed from scratch (for checks; a store's balance must equal this)."""
    out: dict[tuple[Account, str], int] = defaultdict(int)
    for e in entries:
        for p in e.tx.postings:
            out[(p.account, p.asset)] += p.amount
    return {k: v for k, v in out.items() if v != 0}
