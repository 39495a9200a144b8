"""The public surface of nearzero.inclusion and nearzero.ledger, pinned."""

from __future__ import annotations

import nearzero.inclusion as inclusion
import nearzero.ledger as ledger


def test_inclusion_exports() -> None:
    assert sorted(inclusion.__all__) == inclusion.__all__
    for name in inclusion.__all__:
        assert getattr(inclusion, name) is not None
    assert "ibis" not in {m.split(".")[0] for m in vars(inclusion)}  # stats is imported apart


def test_ledger_exports() -> None:
    assert sorted(ledger.__all__) == ledger.__all__
    assert {"InMemoryLedger", "LedgerStore", "Transaction", "Posting", "Account"} <= set(
        ledger.__all__
    )
    for name in ledger.__all__:
        assert getattr(ledger, name) is not None
