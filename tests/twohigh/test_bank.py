"""The indicator bank on the generic ledger, over random sequences of movements (hypothesis):
every transaction sums to zero, no balance below zero, every lot's deposit is wholly somewhere
(banked, reserved, allocated, retired) and every project's cover is the sum of its sources' lots
(the trace both ways), a replayed request changes nothing, a refused movement changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given, settings, strategies as st

from nearzero.inclusion.points import INCLUSION_CHART
from nearzero.ledger import IdempotencyConflict, InMemoryLedger, LedgerError
from nearzero.twohigh import bank
from nearzero.twohigh.model import TwoHighError

T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
UNIT = "zhangqiu"
SOURCES = ("kiln3", "line2")
PROJECTS = ("huaming", "steel1")
VERIFIED = {
    ("kiln3", "co2_kg"): 30_000,
    ("line2", "co2_kg"): 10_000,
    ("kiln3", "energy_kgce"): 5_000,
}
REQUIRED = {
    ("huaming", "co2_kg"): 27_841,
    ("steel1", "co2_kg"): 12_000,
    ("huaming", "energy_kgce"): 4_000,
}


def test_the_charts_of_the_shared_tables_have_disjoint_account_kinds():
    """Both ledgers live in the same tables; an account belongs to one by its kind."""
    assert not set(bank.TWOHIGH_CHART.kinds) & set(INCLUSION_CHART.kinds)
    assert bank.TWOHIGH_CHART.name != INCLUSION_CHART.name


@dataclass(frozen=True)
class Op:
    move: bank.Move
    origin: int
    source: str
    project: str
    asset: str
    amount: int
    token: str


ops = st.lists(
    st.builds(
        Op,
        st.sampled_from(list(bank.Move)),
        st.integers(0, 1),
        st.sampled_from(SOURCES),
        st.sampled_from(PROJECTS),
        st.sampled_from(("co2_kg", "energy_kgce")),
        st.integers(1, 20_000),
        st.sampled_from([f"r{i}" for i in range(12)]),  # few tokens: replays and reuse happen
    ),
    max_size=40,
)


def apply(ledger: InMemoryLedger, op: Op) -> str:
    origins = bank.ORIGINS[op.move]
    origin = origins[op.origin % len(origins)]
    movement = bank.Movement(op.move, op.source, op.asset, op.amount, op.project, origin)
    tx = bank.transaction(UNIT, movement, f"th:{UNIT}:{op.token}", T0)
    existing = ledger.get(tx.key)
    if existing is None:
        pos = bank.positions(ledger.balances(), UNIT)
        if op.move is bank.Move.DEPOSIT:
            bank.check_deposit(
                pos, op.source, op.asset, op.amount, VERIFIED.get((op.source, op.asset), 0)
            )
        elif op.move in (bank.Move.RESERVE, bank.Move.ALLOCATE) and origin == bank.BANK:
            need = REQUIRED.get((op.project, op.asset), 0)
            bank.check_cover(pos, op.project, op.asset, op.amount, need)
    ledger.append(tx)
    return "ok"


@settings(max_examples=300, deadline=None)
@given(ops)
def test_random_movements_keep_the_bank_sound(sequence):
    ledger = InMemoryLedger(bank.TWOHIGH_CHART)
    for op in sequence:
        before = (len(ledger), dict(ledger.balances()))
        try:
            apply(ledger, op)
        except (TwoHighError, LedgerError, IdempotencyConflict):
            assert (len(ledger), dict(ledger.balances())) == before  # refused: nothing changed
        # every transaction sums to zero per asset (checked on append) and none is negative
        for (account, _asset), amount in ledger.balances().items():
            assert amount >= 0 or account.kind == bank.SOURCE
        pos = bank.positions(ledger.balances(), UNIT)
        for (source, asset), lot in pos.lots.items():
            assert lot.balanced(), lot
            assert lot.deposited <= VERIFIED.get((source, asset), 0)
        for (project, asset), cover in pos.covers.items():
            # the trace both ways: the project's cover per source is that source's lot entry
            for source, amount in cover.allocated.items():
                assert pos.lots[(source, asset)].allocated[project] == amount
            for source, amount in cover.reserved.items():
                assert pos.lots[(source, asset)].reserved[project] == amount
        # a replay of any appended transaction changes nothing
        entries = list(ledger.entries())
        if entries:
            snapshot = dict(ledger.balances())
            ledger.append(entries[-1].tx)
            assert dict(ledger.balances()) == snapshot and len(ledger) == len(entries)


def test_an_overdraft_and_a_double_allocation_are_refused():
    ledger = InMemoryLedger(bank.TWOHIGH_CHART)
    apply(ledger, Op(bank.Move.DEPOSIT, 0, "line2", "", "co2_kg", 10_000, "d1"))
    apply(ledger, Op(bank.Move.ALLOCATE, 1, "line2", "steel1", "co2_kg", 10_000, "a1"))
    try:
        apply(ledger, Op(bank.Move.ALLOCATE, 1, "line2", "huaming", "co2_kg", 1, "a2"))
    except LedgerError as exc:
        assert "th_bank:zhangqiu/line2" in str(exc)
    else:
        raise AssertionError("the same tonnes allocated twice")
    try:
        apply(ledger, Op(bank.Move.DEPOSIT, 0, "line2", "", "co2_kg", 1, "d2"))
    except TwoHighError as exc:
        assert exc.field == "amount"
    else:
        raise AssertionError("a deposit beyond the verified reduction")


def test_indicator_4_counts_projects_going_ahead():
    ledger = InMemoryLedger(bank.TWOHIGH_CHART)
    apply(ledger, Op(bank.Move.DEPOSIT, 0, "kiln3", "", "co2_kg", 30_000, "d1"))
    apply(ledger, Op(bank.Move.ALLOCATE, 1, "kiln3", "huaming", "co2_kg", 27_841, "a1"))
    pos = bank.positions(ledger.balances(), UNIT)
    required = {"huaming": {"co2_kg": 27_841}, "steel1": {"co2_kg": 12_000}}
    one = bank.indicator_4(["huaming"], required, pos)
    assert (one.counted, one.substituted, one.share, one.met) == (1, 1, 100, True)
    two = bank.indicator_4(["huaming", "steel1"], required, pos)
    assert two.share == 50 and two.met is False
    assert two.shortfalls[0].project == "steel1"
    none = bank.indicator_4([], required, pos)
    assert none.share is None and none.met is None
