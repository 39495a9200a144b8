"""Double-entry, append-only ledger in integer units, generic over its chart of accounts.

Primitives in :mod:`.model` (a :class:`Chart` declares the assets and kinds of account),
the store interface and its in-memory implementation in :mod:`.memory`. The ledger
depends on nothing of nearzero above it; what stands on it declares its chart and builds
its own transactions (carbon-inclusion points: :mod:`nearzero.inclusion.points`; the
two-high indicator ledger).
"""

from nearzero.ledger.memory import InMemoryLedger, LedgerStore, balances_from_postings
from nearzero.ledger.model import (
    Account,
    Chart,
    Entry,
    IdempotencyConflict,
    InvalidPosting,
    LedgerError,
    NegativeBalance,
    Posting,
    Trace,
    Transaction,
    UnbalancedTransaction,
)

__all__ = [
    "Account",
    "Chart",
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
    "UnbalancedTransaction",
    "balances_from_postings",
]
