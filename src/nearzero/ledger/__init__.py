"""Double-entry, append-only ledger of integer grams (points and reductions).

Primitives in :mod:`.model`, the store interface and its in-memory implementation in
:mod:`.memory`. The ledger depends on nothing of nearzero above it; what stands on it
builds its own transactions (carbon-inclusion credit, redeem, settle, expire:
:mod:`nearzero.inclusion.points`).
"""

from nearzero.ledger.memory import InMemoryLedger, LedgerStore, balances_from_postings
from nearzero.ledger.model import (
    Account,
    AccountKind,
    Asset,
    Entry,
    IdempotencyConflict,
    InvalidPosting,
    LedgerError,
    NegativeBalance,
    Posting,
    Trace,
    Transaction,
    TxKind,
    UnbalancedTransaction,
)

__all__ = [
    "Account",
    "AccountKind",
    "Asset",
    "Entry",
    "IdempotencyConflict",
    "InMemoryLedger",
    "InvalidPosting",
    "LedgerError",
    "LedgerStore",
    "NegativeBalance",
    "Posting",
    "Trace",
    "Transaction",
    "TxKind",
    "UnbalancedTransaction",
    "balances_from_postings",
]
