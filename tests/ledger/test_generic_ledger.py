"""The ledger is generic over its chart: a second, non-inclusion chart (a toy two-high
emission-indicator ledger in kg CO2 and kgce) keeps the same invariants through the
in-memory reference and the SQL store on SQLite and PostgreSQL: integer amounts, every
transaction sums to zero per asset, no non-system balance below zero, each kind holds only
the assets the chart allows, a replayed key changes nothing, a refused transaction writes
nothing."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nearzero.ledger import (
    Account,
    Chart,
    IdempotencyConflict,
    InMemoryLedger,
    InvalidPosting,
    LedgerError,
    LedgerStore,
    NegativeBalance,
    Posting,
    Trace,
    Transaction,
    UnbalancedTransaction,
    balances_from_postings,
)

TWO_HIGH = Chart(
    name="two-high-toy",
    assets={"kg_co2": "二氧化碳排放指标（千克）", "kgce": "能耗指标（千克标准煤）"},
    kinds={
        "source": "指标来源账户",
        "bank": "收储账户",
        "project": "两高项目账户",
        "retired": "注销账户",
    },
    system=frozenset({"source", "retired"}),
    holds={"project": frozenset({"kg_co2"})},
    reasons={"kgce": "in this chart a project holds emission indicators only"},
    transactions=frozenset({"bank", "allocate", "retire"}),
)
"""Sources issue indicators into banks (收储), banks allocate them to projects (调配),
projects retire them; banks and projects never go negative."""

SOURCE = Account("source", "closure-of-kiln-3")
RETIRED = Account("retired", "zhangqiu")
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
BANKS = ("district", "park")
PROJECTS = ("steel-a", "cement-b")
ASSETS = ("kg_co2", "kgce")


def tx(key: str, kind: str, *moves: tuple[Account, str, int], step: int = 0) -> Transaction:
    trace = Trace(refs=(f"doc-{key}",))
    return Transaction(
        key,
        kind,
        T0 + timedelta(hours=step),
        tuple(Posting(account, asset, amount, trace) for account, asset, amount in moves),
    )


@dataclass(frozen=True)
class Op:
    kind: str  # bank, allocate, retire, replay
    key: str
    bank: str
    project: str
    asset: str
    amount: int


def build(op: Op, step: int) -> Transaction:
    bank, project = Account("bank", op.bank), Account("project", op.project)
    if op.kind == "bank":
        moves = ((SOURCE, op.asset, -op.amount), (bank, op.asset, op.amount))
    elif op.kind == "allocate":
        moves = ((bank, op.asset, -op.amount), (project, op.asset, op.amount))
    else:
        moves = ((project, op.asset, -op.amount), (RETIRED, op.asset, op.amount))
    return tx(f"{op.kind}:{op.key}", op.kind, *moves, step=step)


ops_strategy = st.lists(
    st.builds(
        Op,
        st.sampled_from(("bank", "bank", "allocate", "allocate", "retire", "replay")),
        st.sampled_from("abcd"),  # few keys: retries and conflicting reuse both happen
        st.sampled_from(BANKS),
        st.sampled_from(PROJECTS),
        st.sampled_from(ASSETS),
        st.integers(1, 5000),
    ),
    max_size=25,
)


def run(ledger: LedgerStore, ops: list[Op]) -> list[str]:
    """Apply ``ops``; the outcome of each (``ok`` or the refusal's class name)."""
    outcomes: list[str] = []
    for step, op in enumerate(ops):
        appended = [e.tx for e in ledger.entries()]
        if op.kind == "replay":
            if not appended:
                continue
            transaction = appended[op.amount % len(appended)]
        else:
            transaction = build(op, step)
        before = ([e.tx for e in ledger.entries()], dict(ledger.balances()))
        try:
            ledger.append(transaction)
            outcomes.append("ok")
        except LedgerError as exc:
            outcomes.append(type(exc).__name__)
            assert ([e.tx for e in ledger.entries()], dict(ledger.balances())) == before
    return outcomes


def check_invariants(ledger: LedgerStore) -> None:
    entries = list(ledger.entries())
    for e in entries:
        for asset in ASSETS:
            assert sum(p.amount for p in e.tx.postings if p.asset == asset) == 0
        for p in e.tx.postings:
            assert isinstance(p.amount, int) and p.amount != 0
            assert TWO_HIGH.may_hold(p.account.kind, p.asset)
    balances = ledger.balances()
    assert balances == balances_from_postings(iter(entries))
    for (account, _asset), value in balances.items():
        assert TWO_HIGH.is_system(account.kind) or value >= 0
    for asset in ASSETS:
        assert sum(v for (_, a), v in balances.items() if a == asset) == 0
    for kind in TWO_HIGH.kinds:
        for account in ledger.accounts(kind):
            assert [e.tx for e in ledger.account_entries(account)] == [
                e.tx for e in entries if any(p.account == account for p in e.tx.postings)
            ]
    # replaying every transaction changes nothing: each key is idempotent
    for e in entries:
        assert ledger.append(e.tx) == e
    assert list(ledger.entries()) == entries and ledger.balances() == balances


# --------------------------------------------------------------------------- the chart


def test_the_chart_decides_what_a_transaction_may_post() -> None:
    ledger = InMemoryLedger(TWO_HIGH)
    bank, project = Account("bank", "district"), Account("project", "steel-a")
    ledger.append(
        tx("bank:1", "bank", (SOURCE, "kgce", -800), (Account("bank", "district"), "kgce", 800))
    )
    assert ledger.balance(bank, "kgce") == 800 and ledger.balance(SOURCE, "kgce") == -800
    with pytest.raises(InvalidPosting, match="emission indicators only"):
        ledger.append(tx("allocate:1", "allocate", (bank, "kgce", -100), (project, "kgce", 100)))
    with pytest.raises(InvalidPosting, match="asset 'point_g' is not one of chart"):
        ledger.append(tx("bank:2", "bank", (SOURCE, "point_g", -1), (bank, "point_g", 1)))
    with pytest.raises(InvalidPosting, match="resident:r-a is of no kind"):
        ledger.append(
            tx("bank:3", "bank", (SOURCE, "kg_co2", -1), (Account("resident", "r-a"), "kg_co2", 1))
        )
    with pytest.raises(LedgerError, match="kind 'credit' is not one of chart"):
        ledger.append(tx("credit:1", "credit", (SOURCE, "kg_co2", -1), (bank, "kg_co2", 1)))
    with pytest.raises(UnbalancedTransaction, match="kg_co2 postings sum to 1"):
        ledger.append(tx("bank:4", "bank", (SOURCE, "kg_co2", -1), (bank, "kg_co2", 2)))
    with pytest.raises(NegativeBalance, match="bank:district at -1 kgce"):
        ledger.append(tx("retire:1", "retire", (bank, "kgce", -801), (RETIRED, "kgce", 801)))
    assert len(ledger) == 1
    assert TWO_HIGH.account("bank:park") == Account("bank", "park")
    with pytest.raises(LedgerError, match="unknown kind 'pool'"):
        TWO_HIGH.account("pool:zhangqiu")
    assert TWO_HIGH.label_zh("kgce") == "能耗指标（千克标准煤）"
    assert TWO_HIGH.label_zh("bank") == "收储账户"


def test_a_chart_declares_what_it_names() -> None:
    with pytest.raises(ValueError, match="kind 'pool' is not declared"):
        Chart("x", {"kg_co2": ""}, {"bank": ""}, frozenset({"pool"}))
    with pytest.raises(ValueError, match="asset 'kgce' is not declared"):
        Chart("x", {"kg_co2": ""}, {"bank": ""}, frozenset(), {"bank": frozenset({"kgce"})})


@settings(max_examples=200, deadline=None)
@given(ops_strategy)
def test_invariants_hold_in_memory_after_any_sequence(ops: list[Op]) -> None:
    ledger = InMemoryLedger(TWO_HIGH)
    run(ledger, ops)
    check_invariants(ledger)


# --------------------------------------------------------------------------- SQL store


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    from nearzero.store.db import make_engine
    from nearzero.store.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def sql_ledger(session: Session) -> Any:
    from nearzero.store.ledger import SqlLedger

    return SqlLedger(session, TWO_HIGH)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops_strategy)
def test_sql_ledger_equals_the_reference_for_any_sequence(engine: Engine, ops: list[Op]) -> None:
    from nearzero.store.ledger import check_invariants as sql_invariants

    memory = InMemoryLedger(TWO_HIGH)
    expected = run(memory, ops)
    with engine.connect() as con, Session(bind=con) as session:  # rolled back on close
        sql = sql_ledger(session)
        assert run(sql, ops) == expected
        assert dict(sql.balances()) == dict(memory.balances())
        assert [e.tx for e in sql.entries()] == [e.tx for e in memory.entries()]
        check_invariants(sql)
        assert sql_invariants(sql) == []


def test_sql_append_all_keeps_the_invariants(engine: Engine) -> None:
    from nearzero.store.ledger import check_invariants as sql_invariants

    bank, project = Account("bank", "park"), Account("project", "cement-b")
    txs = [
        tx("bank:1", "bank", (SOURCE, "kg_co2", -900), (bank, "kg_co2", 900)),
        tx("allocate:1", "allocate", (bank, "kg_co2", -600), (project, "kg_co2", 600), step=1),
        tx("retire:1", "retire", (project, "kg_co2", -600), (RETIRED, "kg_co2", 600), step=2),
    ]
    with engine.connect() as con, Session(bind=con) as session:
        sql = sql_ledger(session)
        assert sql.append_all(txs) == 3
        assert sql.append_all(txs) == 0  # replayed: nothing new
        with pytest.raises(IdempotencyConflict):
            sql.append_all([tx("bank:1", "bank", (SOURCE, "kg_co2", -901), (bank, "kg_co2", 901))])
        overdraw = tx("allocate:2", "allocate", (bank, "kg_co2", -301), (project, "kg_co2", 301))
        with pytest.raises(NegativeBalance, match="bank:park"):
            with session.begin_nested():
                sql.append_all([overdraw])
        assert sql.balance(bank, "kg_co2") == 300
        assert sql.balance(RETIRED, "kg_co2") == 600
        assert sql_invariants(sql) == []
        memory = InMemoryLedger(TWO_HIGH)
        for t in txs:
            memory.append(t)
        assert dict(sql.balances()) == dict(memory.balances())


# --------------------------------------------------------------------------- generic store

STORE = Path(__file__).resolve().parents[2] / "src" / "nearzero" / "store"


def test_the_sql_ledger_knows_no_capability_above_it() -> None:
    """store/ledger.py imports nothing above the ledger and its SQL names only ledger tables;
    the ledger tables refer to no other table."""
    from nearzero.store.tables import LedgerAccount, LedgerPosting, LedgerTransaction

    source = (STORE / "ledger.py").read_text(encoding="utf-8")
    imported = {
        node.module or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    }
    assert not {
        m
        for m in imported
        if m.startswith("nearzero.")
        and not m.startswith(("nearzero.ledger", "nearzero.store.dialect"))
    }
    # the names after FROM, JOIN and INTO, but for functions (unnest(...)), LATERAL and the
    # statements' own WITH names
    named = re.findall(r"\b(?:FROM|JOIN|INTO)\s+(?!LATERAL\b)(\w+)\b(?!\s*\()", source)
    tables = set(named) - set(re.findall(r"\bWITH\s+(\w+)\s+AS\b", source))
    assert tables == {"ledger_account", "ledger_transaction", "ledger_posting"}
    for table in (LedgerAccount, LedgerPosting, LedgerTransaction):
        targets = {fk.column.table.name for fk in table.__table__.foreign_keys}
        assert targets <= {"ledger_account", "ledger_transaction"}
