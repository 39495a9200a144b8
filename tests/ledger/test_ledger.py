"""Ledger invariants, with hypothesis: balanced postings, no negative balance, replay and
reorder give the same ledger, redemption is idempotent, expiry is postings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from nearzero.inclusion.calculation import compute_reduction
from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.intake import Credit
from nearzero.inclusion.methodology import load_library
from nearzero.inclusion.points import (
    INCLUSION_CHART,
    AccountKind,
    Asset,
    TxKind,
    add_months,
    credit_postings,
    credit_transaction,
    expiry_transactions,
    open_lots,
    pool_account,
    redeem,
    resident_account,
    settle,
)
from nearzero.inclusion.records import BehaviourRecord
from nearzero.ledger import (
    Account,
    IdempotencyConflict,
    InMemoryLedger,
    InvalidPosting,
    LedgerError,
    NegativeBalance,
    Posting,
    Trace,
    Transaction,
    UnbalancedTransaction,
    balances_from_postings,
)

UNIT = "zhangqiu"
BUS = load_library().get("sz-transit-bus@2021-12")
T0 = datetime(2025, 1, 31, 1, 0, tzinfo=UTC)
SHOP = Account(AccountKind.MERCHANT, "tea-shop")
CHANNEL = Account(AccountKind.REDEMPTION, "mall")
RESIDENTS = ("r-a", "r-b", "r-c")


def make_credit(resident: str, rid: str, km: int, at: datetime = T0) -> Credit:
    rec = BehaviourRecord(
        "bus-co",
        rid,
        resident,
        Scenario.BUS,
        at,
        at + timedelta(minutes=30),
        distance_km=Decimal(km),
    )
    red = compute_reduction(BUS, Decimal(km), year=at.year)
    return Credit(rec, red, red.grams)


def check_invariants(ledger: InMemoryLedger) -> None:
    entries = list(ledger.entries())
    for e in entries:
        for asset in Asset:
            assert sum(p.amount for p in e.tx.postings if p.asset is asset) == 0
        for p in e.tx.postings:
            assert isinstance(p.amount, int) and p.amount != 0
            assert not (p.asset is Asset.REDUCTION and p.account.kind is AccountKind.RESIDENT)
            assert p.trace.records or p.trace.refs
    balances = ledger.balances()
    assert balances == balances_from_postings(iter(entries))
    for kind in AccountKind:
        for account in ledger.accounts(kind):
            assert list(ledger.account_entries(account)) == [
                e for e in entries if any(p.account == account for p in e.tx.postings)
            ]
    for (account, _asset), value in balances.items():
        assert account.kind.system or value >= 0
    for asset in Asset:
        assert sum(v for (_, a), v in balances.items() if a is asset) == 0


# --------------------------------------------------------------------------- unit tests


def test_credit_posts_reduction_to_the_pool_and_points_to_the_resident() -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    entry = ledger.append(credit_transaction(make_credit("r-a", "t1", 10), UNIT))
    assert ledger.balance(pool_account(UNIT), Asset.REDUCTION) == 269
    assert ledger.balance(resident_account("r-a"), Asset.POINT) == 269
    assert ledger.balance(pool_account(UNIT), Asset.POINT) == -269
    assert ledger.balance(resident_account("r-a"), Asset.REDUCTION) == 0
    for p in entry.tx.postings:
        assert p.trace.records == ("bus-co:t1",)
        assert p.trace.methodologies == ("sz-transit-bus@2021-12",)
    check_invariants(ledger)


def test_credit_postings_sum_per_resident_and_methodology() -> None:
    """The builder of every credit (one record, or a bulk chunk): per methodology version the
    issuance, pool and pool postings of its total, then one posting per resident and version."""
    bus, metro = "sz-transit-bus@2021-12", "sz-metro@2021-12"
    got = credit_postings(
        UNIT, [("r-b", bus, 100), ("r-a", metro, 40), ("r-a", bus, 27), ("r-b", bus, 3)]
    )
    issuance, pool = Account(AccountKind.ISSUANCE, UNIT), pool_account(UNIT)
    assert [(p.account, p.asset, p.amount, p.trace.methodologies) for p in got] == [
        (issuance, Asset.REDUCTION, -40, (metro,)),  # "sz-metro…" sorts before "sz-transit…"
        (pool, Asset.REDUCTION, 40, (metro,)),
        (pool, Asset.POINT, -40, (metro,)),
        (issuance, Asset.REDUCTION, -130, (bus,)),
        (pool, Asset.REDUCTION, 130, (bus,)),
        (pool, Asset.POINT, -130, (bus,)),
        (resident_account("r-a"), Asset.POINT, 40, (metro,)),
        (resident_account("r-a"), Asset.POINT, 27, (bus,)),
        (resident_account("r-b"), Asset.POINT, 103, (bus,)),
    ]
    for asset in Asset:
        assert sum(p.amount for p in got if p.asset is asset) == 0
    # one record: the four postings of its credit transaction, traced to the record
    one = credit_transaction(make_credit("r-a", "t1", 10), UNIT)
    assert one.postings == credit_postings(UNIT, [("r-a", bus, 269)], ("bus-co:t1",))
    with pytest.raises(LedgerError, match="only positive credits"):
        credit_postings(UNIT, [("r-a", bus, 0)])


def test_unbalanced_and_invalid_transactions_are_refused() -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    a, b = resident_account("r-a"), pool_account(UNIT)
    tr = Trace(refs=("test",))
    with pytest.raises(UnbalancedTransaction):
        ledger.append(
            Transaction(
                "x",
                TxKind.ADJUSTMENT,
                T0,
                (Posting(a, Asset.POINT, 5, tr), Posting(b, Asset.POINT, -4, tr)),
            )
        )
    with pytest.raises(UnbalancedTransaction):  # balanced in sum, but across two assets
        ledger.append(
            Transaction(
                "x",
                TxKind.ADJUSTMENT,
                T0,
                (Posting(b, Asset.POINT, 5, tr), Posting(b, Asset.REDUCTION, -5, tr)),
            )
        )
    with pytest.raises(InvalidPosting):
        ledger.append(
            Transaction(
                "x",
                TxKind.ADJUSTMENT,
                T0,
                (Posting(a, Asset.POINT, 1.5, tr), Posting(b, Asset.POINT, -1.5, tr)),
            )
        )
    with pytest.raises(InvalidPosting, match="ecology-and-environment"):
        ledger.append(
            Transaction(
                "x",
                TxKind.ADJUSTMENT,
                T0,
                (Posting(a, Asset.REDUCTION, 5, tr), Posting(b, Asset.REDUCTION, -5, tr)),
            )
        )
    with pytest.raises(LedgerError, match="UTC offset"):
        ledger.append(
            Transaction(
                "x",
                TxKind.ADJUSTMENT,
                T0.replace(tzinfo=None),
                (Posting(a, Asset.POINT, 5, tr), Posting(b, Asset.POINT, -5, tr)),
            )
        )
    assert len(ledger) == 0


def test_no_resident_or_merchant_below_zero() -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    ledger.append(credit_transaction(make_credit("r-a", "t1", 10), UNIT))
    with pytest.raises(NegativeBalance, match="resident:r-a"):
        redeem(ledger, "k1", "r-a", SHOP, 270, T0)
    assert len(ledger) == 1 and ledger.balance(resident_account("r-a"), Asset.POINT) == 269
    redeem(ledger, "k2", "r-a", SHOP, 269, T0)
    with pytest.raises(NegativeBalance, match="merchant:tea-shop"):
        settle(ledger, "s1", SHOP, CHANNEL, 300, T0)
    settle(ledger, "s2", SHOP, CHANNEL, 269, T0)
    check_invariants(ledger)


def test_redemption_is_idempotent_by_client_key() -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    ledger.append(credit_transaction(make_credit("r-a", "t1", 10), UNIT))
    first = redeem(ledger, "order-42", "r-a", SHOP, 100, T0)
    again = redeem(ledger, "order-42", "r-a", SHOP, 100, T0 + timedelta(hours=1))
    assert again == first and len(ledger) == 2
    assert ledger.balance(resident_account("r-a"), Asset.POINT) == 169
    with pytest.raises(IdempotencyConflict):
        redeem(ledger, "order-42", "r-a", SHOP, 99, T0)
    # the redemption's trace names the records and methodology its points came from
    p = first.tx.postings[0]
    assert p.trace.records == ("bus-co:t1",) and "order-42" in p.trace.refs
    assert p.trace.methodologies == ("sz-transit-bus@2021-12",)


def test_same_key_different_transaction_conflicts() -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    tx = credit_transaction(make_credit("r-a", "t1", 10), UNIT)
    ledger.append(tx)
    assert ledger.append(tx).seq == 0
    with pytest.raises(IdempotencyConflict):
        ledger.append(credit_transaction(make_credit("r-a", "t1", 11), UNIT))


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(datetime(2025, 1, 31, tzinfo=UTC), 1).date().isoformat() == "2025-02-28"
    assert add_months(datetime(2024, 1, 31, tzinfo=UTC), 1).date().isoformat() == "2024-02-29"
    assert add_months(datetime(2024, 11, 15, tzinfo=UTC), 14).date().isoformat() == "2026-01-15"


def test_expiry_moves_unspent_points_oldest_first_and_is_idempotent() -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    old = make_credit("r-a", "t-old", 10, T0)  # 269 g, expires 2025-02-28 (12 months: 2026)
    new = make_credit("r-a", "t-new", 20, T0 + timedelta(days=40))  # 538 g
    ledger.append(credit_transaction(new, UNIT))  # reported first: ledger order ≠ behaviour order
    ledger.append(credit_transaction(old, UNIT))
    redeem(ledger, "k1", "r-a", SHOP, 200, T0 + timedelta(days=41))  # spends the older lot first
    assert [(lot.tx_key, lot.remaining) for lot in open_lots(ledger, "r-a")] == [
        ("credit:bus-co:t-old", 69),
        ("credit:bus-co:t-new", 538),
    ]
    as_of = datetime(2026, 2, 1, tzinfo=UTC)
    txs = expiry_transactions(ledger, UNIT, as_of, months=12)
    assert len(txs) == 1 and txs[0].postings[0].amount == -69
    assert txs[0].postings[0].trace.records == ("bus-co:t-old",)
    for tx in txs:
        ledger.append(tx)
    assert expiry_transactions(ledger, UNIT, as_of, months=12) == ()
    assert ledger.balance(Account(AccountKind.EXPIRY, UNIT), Asset.POINT) == 69
    assert ledger.balance(resident_account("r-a"), Asset.POINT) == 538
    later = expiry_transactions(ledger, UNIT, datetime(2026, 4, 1, tzinfo=UTC), months=12)
    assert [t.postings[0].amount for t in later] == [-538]
    for tx in later:
        ledger.append(tx)
    assert ledger.balance(resident_account("r-a"), Asset.POINT) == 0
    check_invariants(ledger)


# --------------------------------------------------------------------------- properties


@dataclass(frozen=True)
class Op:
    kind: str
    resident: str
    amount: int
    key: str


ops_strategy = st.lists(
    st.one_of(
        st.builds(
            Op,
            st.just("credit"),
            st.sampled_from(RESIDENTS),
            st.integers(1, 60),
            st.text("abcdef", min_size=1, max_size=3),
        ),
        st.builds(
            Op,
            st.just("redeem"),
            st.sampled_from(RESIDENTS),
            st.integers(1, 2500),
            st.text("xyz", min_size=1, max_size=2),
        ),
        st.builds(
            Op,
            st.just("settle"),
            st.just(""),
            st.integers(1, 2500),
            st.text("xyz", min_size=1, max_size=2),
        ),
        st.builds(Op, st.just("expire"), st.just(""), st.integers(1, 24), st.just("")),
    ),
    max_size=40,
)


def apply(ledger: InMemoryLedger, op: Op, step: int) -> None:
    at = T0 + timedelta(days=step)
    if op.kind == "credit":
        ledger.append(
            credit_transaction(
                make_credit(op.resident, f"{op.resident}-{op.key}", op.amount, at), UNIT
            )
        )
    elif op.kind == "redeem":
        redeem(ledger, op.key, op.resident, SHOP, op.amount, at)
    elif op.kind == "settle":
        settle(ledger, op.key, SHOP, CHANNEL, op.amount, at)
    else:
        for tx in expiry_transactions(ledger, UNIT, at + timedelta(days=400), op.amount):
            ledger.append(tx)


@settings(max_examples=150, deadline=None)
@given(ops_strategy)
def test_invariants_hold_after_any_sequence(ops: list[Op]) -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    for step, op in enumerate(ops):
        before = (list(ledger.entries()), ledger.balances())
        try:
            apply(ledger, op, step)
        except LedgerError:
            # a refused operation writes nothing
            assert (list(ledger.entries()), ledger.balances()) == before
        check_invariants(ledger)
    # replaying the whole ledger into a fresh one gives the same ledger
    replay = InMemoryLedger(INCLUSION_CHART)
    for e in ledger.entries():
        replay.append(e.tx)
    assert list(replay.entries()) == list(ledger.entries())
    assert replay.balances() == ledger.balances()
    # and replaying it again on top changes nothing (every key is idempotent)
    for e in ledger.entries():
        replay.append(e.tx)
    assert list(replay.entries()) == list(ledger.entries())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(RESIDENTS), st.integers(1, 80)), max_size=30),
    st.randoms(use_true_random=False),
)
def test_replayed_or_reordered_credit_batch_gives_the_same_ledger(
    trips: list[tuple[str, int]], rnd: object
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    txs = [
        credit_transaction(make_credit(r, f"t{i}", km, T0 + timedelta(hours=i)), UNIT)
        for i, (r, km) in enumerate(trips)
    ]
    a = InMemoryLedger(INCLUSION_CHART)
    for tx in txs:
        a.append(tx)
    b = InMemoryLedger(INCLUSION_CHART)
    shuffled = list(txs)
    rnd.shuffle(shuffled)
    for tx in shuffled + txs:  # reordered, then the whole batch replayed
        b.append(tx)
    assert a.balances() == b.balances()
    assert {e.tx for e in a.entries()} == {e.tx for e in b.entries()}
    assert len(b) == len(txs)
    check_invariants(b)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 2000), st.integers(1, 5))
def test_idempotent_redemption_property(points: int, retries: int) -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    ledger.append(credit_transaction(make_credit("r-a", "t1", 50), UNIT))  # 1345 g
    outcomes = []
    for _ in range(retries):
        try:
            outcomes.append(redeem(ledger, "k", "r-a", SHOP, points, T0).seq)
        except NegativeBalance:
            outcomes.append(-1)
    assert len(set(outcomes)) == 1
    expected = 1345 - points if points <= 1345 else 1345
    assert ledger.balance(resident_account("r-a"), Asset.POINT) == expected
    check_invariants(ledger)


def test_settlement_is_idempotent_and_conflicts_on_other_content() -> None:
    ledger = InMemoryLedger(INCLUSION_CHART)
    ledger.append(credit_transaction(make_credit("r-a", "t1", 10), UNIT))
    redeem(ledger, "k", "r-a", SHOP, 200, T0)
    first = settle(ledger, "s", SHOP, CHANNEL, 150, T0)
    assert settle(ledger, "s", SHOP, CHANNEL, 150, T0 + timedelta(days=1)) == first
    with pytest.raises(IdempotencyConflict):
        settle(ledger, "s", SHOP, CHANNEL, 151, T0)
    assert ledger.balance(SHOP, Asset.POINT) == 50
    assert ledger.balance(CHANNEL, Asset.POINT) == 150
    check_invariants(ledger)
