"""Points expiry on the SQL ledger (SQLite and PostgreSQL): balanced, append-only, idempotent
transactions for points unspent past the scheme's validity, oldest lot first after what was
spent; shown in the resident's history; refused without a validity, for a future date or for
a non-administrator; the CLI `nearzero inclusion expire --as-of DATE`; one unit's run leaves
another unit's lots alone (core)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from nearzero.cli import app as cli_app
from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.points import (
    INCLUSION_CHART,
    AccountKind,
    Asset,
    TxKind,
    expiry_transactions,
    resident_account,
)
from nearzero.ledger import Account, InMemoryLedger, Posting, Trace
from nearzero.ledger.model import Transaction
from nearzero.services.audit import entries
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.inclusion import (
    partners as partners_svc,
    redemption as redemption_svc,
    resident as resident_svc,
    statistics as stats_svc,
)
from nearzero.services.indicators import get_unit
from nearzero.store import tables as inc
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.inclusion_ledger import check_invariants

MASTER = b"expiry-test-master-key-0123456789"
A, B = "a" * 64, "b" * 64
OFFICE = Actor("office", Role.ADMIN)
T0 = datetime(2024, 3, 5, 1, 0, tzinfo=UTC)


def ride(rid: str, who: str, start: datetime, scenario: str, km: str) -> dict:
    return {
        "partner_record_id": rid,
        "resident_id": who,
        "scenario": scenario,
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=40)).isoformat(),
        "distance_km": km,
    }


def credit_and_spend(url: str) -> None:
    """A: 269 g (Jan) + 468 g (Mar), spends 300 in Dec (the Jan lot, then 31 of Mar's);
    B: 538 g (Jun)."""
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        with transaction(sessions) as s:
            unit = get_unit(s, "zhangqiu")
            partners_svc.create_partner(
                s, Actor.system(), MASTER, unit, "ride-code", "乘车码平台", ["bus", "metro"]
            )
            for who in (A, B):
                for sc in (Scenario.BUS, Scenario.METRO):
                    partners_svc.set_consent(
                        s, "ride-code", who, sc, True, datetime(2024, 1, 1, tzinfo=UTC)
                    )
            redemption_svc.create_merchant(s, Actor.system(), unit, "tea", "章丘茶社")
            offer = redemption_svc.create_offer(s, Actor.system(), "tea", "一杯茶", 300)
        items = [
            ride("jan", A, datetime(2024, 1, 10, 1, tzinfo=UTC), "bus", "10"),  # 269 g
            ride("mar", A, T0, "metro", "10"),  # 468 g
            ride("jun", B, datetime(2024, 6, 20, 1, tzinfo=UTC), "bus", "20"),  # 538 g
        ]
        report = partners_svc.ingest(
            engine, "ride-code", items, now=datetime(2024, 7, 1, tzinfo=UTC)
        )
        assert [r.grams for r in report.results] == [269, 468, 538]
        with transaction(sessions) as s:
            redemption_svc.redeem_offer(
                s, A, offer.id, "tap-1", at=datetime(2024, 12, 1, tzinfo=UTC)
            )
    finally:
        engine.dispose()


def ledger_rows(s) -> tuple[int, int]:
    return (
        int(s.scalar(text("SELECT COUNT(*) FROM ledger_transaction"))),
        int(s.scalar(text("SELECT COUNT(*) FROM ledger_posting"))),
    )


def balance(s, kind: AccountKind, name: str, asset: Asset = Asset.POINT) -> int:
    from nearzero.store.inclusion_ledger import inclusion_ledger

    return inclusion_ledger(s).balance(Account(kind, name), asset)


def test_expiry_is_balanced_idempotent_and_in_the_history(zhangqiu_url, sessions):
    credit_and_spend(zhangqiu_url)
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        before = ledger_rows(s)
        # March 2025: A's January lot was spent; 437 of the March lot expire on 5 March
        run = redemption_svc.expire_points(s, OFFICE, unit, date(2025, 3, 31), 12)
        assert (run.transactions, run.points, run.residents) == (1, 437, 1)
        assert balance(s, AccountKind.RESIDENT, A) == 269 + 468 - 300 - 437 == 0
        assert balance(s, AccountKind.RESIDENT, B) == 538
        assert balance(s, AccountKind.EXPIRY, "zhangqiu") == 437
        assert ledger_rows(s) == (before[0] + 1, before[1] + 2)
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        after_first = ledger_rows(s)
        # again, and for an earlier day: nothing posted, nothing audited
        for day in (date(2025, 3, 31), date(2025, 3, 6)):
            again = redemption_svc.expire_points(s, OFFICE, unit, day, 12)
            assert (again.transactions, again.points, again.residents) == (0, 0, 0)
        assert ledger_rows(s) == after_first
        assert len(entries(s, "inclusion_expiry", "zhangqiu/")) == 1
        # the day before B's lot is due nothing more; on the day it is
        assert (
            redemption_svc.expire_points(s, OFFICE, unit, date(2025, 6, 19), 12).transactions == 0
        )
        run = redemption_svc.expire_points(s, OFFICE, unit, date(2025, 6, 20), 12)
        assert (run.transactions, run.points) == (1, 538)
        assert balance(s, AccountKind.EXPIRY, "zhangqiu") == 437 + 538
        # reductions stay pooled with the department; the ledger is sound
        assert stats_svc.pool_balance(s, "zhangqiu") == 269 + 468 + 538
        assert check_invariants(s) == []
        audit = entries(s, "inclusion_expiry", "zhangqiu/")[-1]
        assert audit.actor == "office" and audit.new["points"] == 437
        # each expiry posting traces the lot, its record and methodology version
        trace = s.execute(
            text(
                "SELECT p.trace FROM ledger_posting p JOIN ledger_transaction t ON t.id = p.tx_id "
                "WHERE t.kind = 'expiry' AND p.amount = -437"
            )
        ).scalar_one()
        assert "ride-code:mar" in str(trace) and "sz-transit-metro@2021-12" in str(trace)

    with transaction(sessions) as s:
        view = resident_svc.resident_view(s, A)
        assert view.balance == 0 and view.credited_g == 269 + 468  # past credits stay
        history = [(i.kind, i.points, i.day) for i in view.history]
        assert history == [
            ("expiry", -437, date(2025, 3, 5)),
            ("redemption", -300, date(2024, 12, 1)),
            ("credit", 468, date(2024, 3, 5)),
            ("credit", 269, date(2024, 1, 10)),
        ]
        # the ledger is append-only: an expiry cannot be undone by editing it
        with pytest.raises(Exception, match="append-only"), s.begin_nested():
            s.execute(text("DELETE FROM ledger_transaction WHERE kind = 'expiry'"))


def test_expiry_is_refused_without_validity_in_the_future_or_for_viewers(zhangqiu_url, sessions):
    credit_and_spend(zhangqiu_url)
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        with pytest.raises(InvalidInput, match="^months: .*NEARZERO_INCLUSION_POINTS_VALID"):
            redemption_svc.expire_points(s, OFFICE, unit, date(2025, 12, 31), None)
        with pytest.raises(InvalidInput, match="^as_of: 2025-01-02 晚于今天 2025-01-01"):
            redemption_svc.expire_points(
                s, OFFICE, unit, date(2025, 1, 2), 12, today=date(2025, 1, 1)
            )
        with pytest.raises(PermissionDenied):
            redemption_svc.expire_points(
                s, Actor("viewer", Role.VIEWER), unit, date(2025, 12, 31), 12
            )
        assert (
            s.scalar(
                select(func.count())
                .select_from(inc.LedgerTransaction)
                .where(inc.LedgerTransaction.kind == TxKind.EXPIRY.value)
            )
            == 0
        )


def test_cli_expire(zhangqiu_url, monkeypatch):
    credit_and_spend(zhangqiu_url)
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    monkeypatch.delenv("NEARZERO_INCLUSION_POINTS_VALID_MONTHS", raising=False)
    runner = CliRunner()
    refused = runner.invoke(cli_app, ["inclusion", "expire", "--as-of", "2025-12-31"])
    assert refused.exit_code == 2 and "NEARZERO_INCLUSION_POINTS_VALID_MONTHS" in refused.output
    bad = runner.invoke(cli_app, ["inclusion", "expire", "--as-of", "31/12/2025", "--months", "12"])
    assert bad.exit_code == 2 and "--as-of" in bad.output
    monkeypatch.setenv("NEARZERO_INCLUSION_POINTS_VALID_MONTHS", "12")
    first = runner.invoke(cli_app, ["inclusion", "expire", "--as-of", "2025-12-31"])
    assert first.exit_code == 0, first.output
    assert "2 expiry transactions, 975 points, 2 residents" in first.output
    again = runner.invoke(cli_app, ["inclusion", "expire", "--as-of", "2025-12-31"])
    assert again.exit_code == 0 and "0 expiry transactions, 0 points" in again.output


def test_a_units_expiry_leaves_other_units_lots_alone():
    """The core: ``residents`` and ``include`` restrict the walk (several units, one ledger)."""
    ledger = InMemoryLedger(INCLUSION_CHART)
    at = datetime(2024, 1, 1, tzinfo=UTC)
    for unit, partner in (("zhangqiu", "ride-code"), ("other", "bikes")):
        trace = Trace(records=(f"{partner}:r1",), methodologies=("m@1",))
        ledger.append(
            Transaction(
                key=f"credit:{partner}:r1",
                kind=TxKind.CREDIT,
                effective_at=at,
                postings=(
                    Posting(Account(AccountKind.ISSUANCE, unit), Asset.REDUCTION, -100, trace),
                    Posting(Account(AccountKind.POOL, unit), Asset.REDUCTION, 100, trace),
                    Posting(Account(AccountKind.POOL, unit), Asset.POINT, -100, trace),
                    Posting(resident_account(A), Asset.POINT, 100, trace),
                ),
            )
        )
    as_of = datetime(2026, 1, 1, tzinfo=UTC)
    txs = expiry_transactions(
        ledger,
        "zhangqiu",
        as_of,
        12,
        residents=[A],
        include=lambda lot: all(r.startswith("ride-code:") for r in lot.trace.records),
    )
    assert [tx.key for tx in txs] == [f"expiry:{A}:credit:ride-code:r1"]
    assert expiry_transactions(ledger, "zhangqiu", as_of, 12, residents=[B]) == ()
    assert len(expiry_transactions(ledger, "zhangqiu", as_of, 12)) == 2  # unrestricted
