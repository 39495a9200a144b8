"""Carbon inclusion on the SQL store (SQLite and PostgreSQL): bulk intake, ledger invariants,
idempotency, consent withdrawal, redemption, append-only ledger; the SQL ledger against the
in-memory reference; crash safety (a real process killed mid-batch); the CLI."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from nearzero.cli import app as cli_app
from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.intake import Consent, IntakeContext, validate_batch
from nearzero.inclusion.methodology import load_library
from nearzero.inclusion.points import (
    INCLUSION_CHART,
    AccountKind,
    Asset,
    TxKind,
    credit_postings,
    credit_transaction,
    expiry_transactions,
    redeem,
    settle,
)
from nearzero.inclusion.records import local_date
from nearzero.inclusion.rules import load_scheme
from nearzero.ledger import Account, InMemoryLedger, NegativeBalance
from nearzero.ledger.model import IdempotencyConflict, Posting, Trace, Transaction
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.inclusion import (
    intake as intake_svc,
    partners as partners_svc,
    redemption as redemption_svc,
    resident as resident_svc,
    statistics as stats_svc,
)
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction
from nearzero.store.dialect import sqlite_time, utc_time
from nearzero.store.inclusion_ledger import check_invariants, inclusion_ledger

MASTER = b"test-master-key-0123456789abcdef"
NOW = datetime(2025, 6, 30, tzinfo=UTC)
GRANTED = datetime(2025, 1, 1, tzinfo=UTC)
T0 = datetime(2025, 3, 3, 0, 30, tzinfo=UTC)
PARTNER = "ride-code"


def resident(i: int) -> str:
    return f"{i:064x}"


def setup_partner(sessions: sessionmaker[Session], residents: int, partner: str = PARTNER) -> str:
    """A partner for bus and metro, and consent to both for residents 0..n-1; the secret (hex)."""
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        key = partners_svc.create_partner(
            s, Actor.system(), MASTER, unit, partner, "乘车码平台", ["bus", "metro"]
        )
        for i in range(residents):
            for sc in (Scenario.BUS, Scenario.METRO):
                partners_svc.set_consent(s, partner, resident(i), sc, True, GRANTED)
    return key.secret_hex


def records(n: int, residents: int, seed: int = 1, prefix: str = "r") -> list[dict[str, Any]]:
    """Bus and metro rides; some overlap each other, some residents never consented."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        out.append(
            {
                "partner_record_id": f"{prefix}{i}",
                "resident_id": resident(rng.randrange(residents + 3)),
                "scenario": rng.choice(["bus", "metro"]),
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=rng.randrange(5, 90))).isoformat(),
                "distance_km": str(rng.randrange(1, 30)),
            }
        )
    return out


def core_credits(items: list[dict[str, Any]], residents: int) -> list[Any]:
    """The batch's credits by the pure core (every scenario consented by the residents)."""
    ctx = IntakeContext(
        load_library(),
        load_scheme("zhangqiu"),
        NOW,
        {PARTNER: frozenset({Scenario.BUS, Scenario.METRO})},
        [Consent(resident(i), s, GRANTED) for i in range(residents) for s in Scenario],
    )
    return list(validate_batch(PARTNER, items, ctx).credits)


def core_ledger(items: list[dict[str, Any]], residents: int) -> InMemoryLedger:
    """The reference: the whole batch through the pure core and the in-memory ledger."""
    ledger = InMemoryLedger(INCLUSION_CHART)
    for credit in core_credits(items, residents):
        ledger.append(credit_transaction(credit, "zhangqiu"))
    return ledger


def ledger_state(sessions: sessionmaker[Session]) -> tuple[dict[Any, int], list[str]]:
    with transaction(sessions) as s:
        return dict(inclusion_ledger(s).balances()), check_invariants(s)


def test_bulk_intake_equals_the_core_and_keeps_the_ledger_sound(sessions, zhangqiu_url):
    setup_partner(sessions, residents=30)
    items = records(1500, residents=30)
    engine = sessions.kw["bind"]
    report = partners_svc.ingest(engine, PARTNER, items, now=NOW, chunk_size=300)
    assert report.chunks_written >= 4
    reasons = report.rejected()
    assert reasons["no_consent"] > 0 and reasons["overlapping_trip"] > 0
    expected = core_ledger(items, 30)
    balances, problems = ledger_state(sessions)
    assert problems == []
    assert balances == expected.balances()
    with transaction(sessions) as s:
        got = sorted((e.tx for e in inclusion_ledger(s).entries()), key=lambda tx: tx.key)
    assert got == sorted((e.tx for e in expected.entries()), key=lambda tx: tx.key)
    assert report.accepted == len(got)
    # the stored times and days are the records' (SQLite: in the text form SQLAlchemy writes)
    by_id = {i["partner_record_id"]: i for i in items}
    with transaction(sessions) as s:
        stored = s.execute(
            text("SELECT partner_record_id, start_at, end_at, day, accepted FROM inclusion_record")
        ).all()
    for rid, start, end, day, _accepted in stored:
        want = datetime.fromisoformat(by_id[rid]["start"]).astimezone(UTC)
        assert utc_time(start) == want
        assert utc_time(end) == datetime.fromisoformat(by_id[rid]["end"]).astimezone(UTC)
        assert str(day)[:10] == local_date(want).isoformat()
        if isinstance(start, str):
            assert start == sqlite_time(want)
    # indicator 6 follows the live scenarios (bus and metro credited in 2025)
    with transaction(sessions) as s:
        assert stats_svc.live_scenarios(s, get_unit(s, "zhangqiu"), 2025).keys() == {"bus", "metro"}
        value = s.execute(
            text(
                "SELECT v.value, v.source FROM indicator_value v JOIN indicator i "
                "ON i.id = v.indicator_id WHERE i.code = '6' AND v.year = 2025"
            )
        ).one()
    assert value == (2.0, "碳普惠平台")


def test_a_batch_sent_twice_or_reordered_credits_once(sessions):
    setup_partner(sessions, residents=10)
    engine = sessions.kw["bind"]
    items = records(400, residents=10, seed=2)
    first = partners_svc.ingest(engine, PARTNER, items, now=NOW, chunk_size=150)
    before = ledger_state(sessions)
    shuffled = list(items)
    random.Random(3).shuffle(shuffled)
    again = partners_svc.ingest(engine, PARTNER, shuffled, now=NOW, chunk_size=90)
    assert again.accepted == 0
    assert again.rejected()["already_credited"] == first.accepted
    assert ledger_state(sessions) == before
    assert before[1] == []
    with transaction(sessions) as s:
        n = s.execute(text("SELECT COUNT(*) FROM inclusion_record")).scalar_one()
    assert n == len(items)


def test_an_id_credited_with_other_content_is_already_credited(sessions):
    """The intake looks for credited ids among the chunk's residents first; an id sent again
    with another resident or time is caught by the unique key and the chunk redone."""
    setup_partner(sessions, residents=2)
    engine = sessions.kw["bind"]
    ride = {
        "partner_record_id": "x",
        "resident_id": resident(0),
        "scenario": "bus",
        "start": T0.isoformat(),
        "end": (T0 + timedelta(minutes=20)).isoformat(),
        "distance_km": "10",
    }
    assert partners_svc.ingest(engine, PARTNER, [ride], now=NOW).accepted == 1
    before = ledger_state(sessions)
    moved = dict(
        ride,
        resident_id=resident(1),
        start=(T0 + timedelta(days=2)).isoformat(),
        end=(T0 + timedelta(days=2, minutes=20)).isoformat(),
    )
    other = dict(ride, partner_record_id="y", resident_id=resident(1))
    report = partners_svc.ingest(engine, PARTNER, [moved, other], now=NOW)
    assert [(r.partner_record_id, r.reason) for r in report.results] == [
        ("x", "already_credited"),
        ("y", ""),
    ]
    balances, problems = ledger_state(sessions)
    assert problems == []
    assert balances[(Account(AccountKind.RESIDENT, resident(1)), Asset.POINT)] == 269
    assert balances[(Account(AccountKind.RESIDENT, resident(0)), Asset.POINT)] == 269
    assert sum(balances.values()) == sum(before[0].values())


def test_consent_withdrawal_stops_crediting_from_that_moment(sessions):
    setup_partner(sessions, residents=1)
    cut = T0 + timedelta(days=1)
    with transaction(sessions) as s:
        partners_svc.set_consent(s, "resident", resident(0), Scenario.BUS, False, cut)
        assert partners_svc.consents_of(s, resident(0)) == {
            sc.value: sc is Scenario.METRO for sc in Scenario
        }
    items = [
        {
            "partner_record_id": rid,
            "resident_id": resident(0),
            "scenario": "bus",
            "start": t.isoformat(),
            "end": (t + timedelta(minutes=20)).isoformat(),
            "distance_km": "10",
        }
        for rid, t in (("before", T0), ("after", cut + timedelta(hours=1)))
    ]
    report = partners_svc.ingest(sessions.kw["bind"], PARTNER, items, now=NOW)
    assert [(r.partner_record_id, r.accepted, r.reason) for r in report.results] == [
        ("before", True, ""),
        ("after", False, "no_consent"),
    ]
    assert report.credited_g == 269  # 10 km × 26.9 g/pkm, Shenzhen bus [S7]


def test_redemption_is_idempotent_and_never_overdraws(sessions):
    setup_partner(sessions, residents=1)
    items = [
        {
            "partner_record_id": "x",
            "resident_id": resident(0),
            "scenario": "metro",
            "start": T0.isoformat(),
            "end": (T0 + timedelta(minutes=30)).isoformat(),
            "distance_km": "10",
        }
    ]
    partners_svc.ingest(sessions.kw["bind"], PARTNER, items, now=NOW)  # 468 g
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        redemption_svc.create_merchant(s, Actor.system(), unit, "tea", "章丘茶社")
        offer = redemption_svc.create_offer(s, Actor.system(), "tea", "一杯茶", 300)
        offer_id = offer.id
    for _ in range(3):
        with transaction(sessions) as s:
            redemption_svc.redeem_offer(s, resident(0), offer_id, "tap-1")
    with transaction(sessions) as s, pytest.raises(InvalidInput):
        redemption_svc.redeem_offer(s, resident(0), offer_id, "tap-2")  # 168 left < 300
    with transaction(sessions) as s:
        view = resident_svc.resident_view(s, resident(0))
        assert view.balance == 168 and len(view.redemptions) == 1
        assert check_invariants(s) == []


def test_sql_ledger_matches_the_in_memory_reference(sessions):
    """Appends, redemption, settlement and expiry give the same entries and balances."""
    setup_partner(sessions, residents=3)
    credits = core_credits(records(40, residents=3, seed=5), residents=3)
    shop = Account(AccountKind.MERCHANT, "shop")
    channel = Account(AccountKind.REDEMPTION, "mall")
    memory = InMemoryLedger(INCLUSION_CHART)
    with transaction(sessions) as s:
        sql = inclusion_ledger(s)
        for ledger in (memory, sql):
            for c in credits:
                ledger.append(credit_transaction(c, "zhangqiu"))
            ledger.append(credit_transaction(credits[0], "zhangqiu"))  # a retry: nothing new
            redeem(ledger, "k1", resident(0), shop, 50, NOW)
            redeem(ledger, "k1", resident(0), shop, 50, NOW)
            settle(ledger, "s1", shop, channel, 30, NOW)
            with pytest.raises(NegativeBalance):
                redeem(ledger, "k2", resident(1), shop, 10**9, NOW)
            for tx in expiry_transactions(ledger, "zhangqiu", NOW + timedelta(days=400), 12):
                ledger.append(tx)
        assert dict(sql.balances()) == dict(memory.balances())
        assert [e.tx for e in sql.entries()] == [e.tx for e in memory.entries()]
        assert sql.balance(shop, Asset.POINT) == 20
        assert check_invariants(s) == []


def test_append_all_gives_the_ledger_of_appending_one_by_one(sessions):
    """The set-based append (expiry uses it): same entries, same refusals, all or nothing."""
    setup_partner(sessions, residents=3)
    credits = [
        credit_transaction(c, "zhangqiu")
        for c in core_credits(records(40, residents=3, seed=5), residents=3)
    ]
    memory = InMemoryLedger(INCLUSION_CHART)
    for tx in credits:
        memory.append(tx)
    expiry = expiry_transactions(memory, "zhangqiu", NOW + timedelta(days=400), 12)
    for tx in expiry:
        memory.append(tx)
    with transaction(sessions) as s:
        sql = inclusion_ledger(s)
        assert sql.append_all(credits + credits[:3]) == len(credits)  # a repeat in the list
        assert sql.append_all(list(expiry)) == len(expiry) > 0
        assert sql.append_all(credits) == 0  # all stored: nothing new
        assert dict(sql.balances()) == dict(memory.balances())
        assert [e.tx for e in sql.entries()] == [e.tx for e in memory.entries()]
        assert check_invariants(s) == []
        changed = replace(credits[0], memo="another memo")
        with pytest.raises(IdempotencyConflict):
            sql.append_all([changed])
        shop = Account(AccountKind.MERCHANT, "shop")
        late = Transaction(
            key="spend-too-much",
            kind=TxKind.REDEMPTION,
            effective_at=NOW,
            postings=(
                Posting(Account(AccountKind.RESIDENT, resident(0)), Asset.POINT, -1, Trace()),
                Posting(shop, Asset.POINT, 1, Trace()),
            ),
        )
        before = dict(sql.balances())
        with pytest.raises(NegativeBalance), s.begin_nested():  # expired: nothing left
            sql.append_all([late])
        assert dict(sql.balances()) == before and sql.get("spend-too-much") is None


def test_the_ledger_is_append_only(sessions):
    setup_partner(sessions, residents=1)
    items = records(5, residents=1, seed=9)
    partners_svc.ingest(sessions.kw["bind"], PARTNER, items, now=NOW)
    for sql in ("UPDATE ledger_posting SET amount = amount + 1", "DELETE FROM ledger_transaction"):
        with pytest.raises(Exception, match="append-only"):
            with transaction(sessions) as s:
                s.execute(text(sql))


def test_a_partner_with_records_keeps_them(sessions):
    """The record tables have no foreign keys (migrations 0019, 0020): the parents guard them. A
    partner with records cannot be deleted, directly or by its unit's deletion, nor change
    its id; a partner without records can go; a record whose credit transaction is missing
    is reported by the invariants."""
    setup_partner(sessions, residents=1)
    partners_svc.ingest(sessions.kw["bind"], PARTNER, records(5, residents=1, seed=9), now=NOW)
    with transaction(sessions) as s:
        before = s.execute(text("SELECT COUNT(*) FROM inclusion_record")).scalar_one()
    assert before == 5
    for sql in (
        "DELETE FROM inclusion_partner",
        "UPDATE inclusion_partner SET id = id + 100",
        "DELETE FROM demo_unit",
    ):
        with pytest.raises(Exception, match="inclusion_partner has records"):
            with transaction(sessions) as s:
                s.execute(text(sql))
    with transaction(sessions) as s:
        assert s.execute(text("SELECT COUNT(*) FROM inclusion_record")).scalar_one() == before
        assert s.execute(text("SELECT COUNT(*) FROM inclusion_partner")).scalar_one() == 1
        assert check_invariants(s) == []
    setup_partner(sessions, residents=0, partner="bike-share")
    with transaction(sessions) as s:
        s.execute(text("DELETE FROM inclusion_partner WHERE code = 'bike-share'"))
        s.execute(
            text("UPDATE inclusion_partner SET name_zh = '乘车码' WHERE code = :p"), {"p": PARTNER}
        )
        missing = s.execute(text("SELECT MAX(id) + 1000 FROM ledger_transaction")).scalar_one()
        s.execute(  # the records credited in full name their transaction in their group
            text("UPDATE inclusion_record_group SET tx_id = :t"), {"t": missing}
        )
        assert any("without a bulk credit transaction" in p for p in check_invariants(s))
        s.rollback()


def test_pooled_statement_traces_to_transactions_and_records(sessions):
    setup_partner(sessions, residents=5)
    report = partners_svc.ingest(
        sessions.kw["bind"], PARTNER, records(200, 5, seed=4), now=NOW, chunk_size=80
    )
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        lines = stats_svc.pooled_statement(s, unit, 2025)
        assert (
            sum(x.grams for x in lines)
            == report.credited_g
            == stats_svc.pool_balance(s, "zhangqiu")
        )
        assert {x.methodology for x in lines} <= {
            "sz-transit-bus@2021-12",
            "sz-transit-metro@2021-12",
        }
        # every posting of a bulk credit traces to its records and methodology version: a
        # resident posting to that resident's records of the version in the transaction,
        # the pool and issuance postings to all the transaction's records of the version
        per_tx: dict[str, int] = defaultdict(int)
        postings = s.execute(
            text(
                "SELECT t.key, p.tx_id, a.kind, a.name, p.asset, p.amount, p.methodology "
                "FROM ledger_posting p JOIN ledger_transaction t ON t.id = p.tx_id "
                "JOIN ledger_account a ON a.id = p.account_id WHERE t.aggregated"
            )
        ).all()
        assert postings
        for key, tx_id, kind, name, asset, amount, ref in postings:
            traced = s.execute(
                text(
                    "SELECT COUNT(*), SUM(credited_g) FROM inclusion_record WHERE tx_id = :tx "
                    "AND accepted AND methodology_id || '@' || methodology_version = :ref "
                    "AND (:kind <> 'resident' OR resident = :name)"
                ),
                {"tx": tx_id, "ref": ref, "kind": kind, "name": name},
            ).one()
            assert traced[0] > 0 and abs(amount) == traced[1], (key, kind, name, asset)
            if kind == "resident":
                per_tx[key] += amount
        trace = stats_svc.pooled_trace(s, unit, 2025)
        assert set(per_tx) == {k for keys in trace.values() for k in keys}
        # each line counts the transactions of its trace (kept by the intake, chunk by chunk)
        assert [x.transactions for x in lines] == [
            len(trace[(x.period, x.methodology, x.scenario)]) for x in lines
        ]
        assert stats_svc.pooled_transactions(s, unit, 2025) == len(per_tx)
        assert sum(per_tx.values()) == report.credited_g
        stats = stats_svc.statistics(s, unit)
        assert sum(r["grams"] for r in stats["reductions_by_methodology"]) == report.credited_g


# --------------------------------------------------------------------------- crash, CLI

N = 60_000
CHUNK = 4_000

CHILD = """
import json, sys
from datetime import datetime
from nearzero.services.inclusion import intake as intake_svc
from nearzero.services.inclusion import partners as partners_svc
from nearzero.store.db import make_engine
url, path, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
items = [json.loads(line) for line in open(path)]
engine = make_engine(url)
partners_svc.ingest(engine, "ride-code", items, now=now, chunk_size=4000)
print("finished")
"""


def _committed_chunks(sessions) -> int:
    with transaction(sessions) as s:
        return int(s.execute(text("SELECT COUNT(*) FROM ledger_transaction")).scalar_one())


def test_killed_mid_batch_then_resubmitted_equals_once(sessions, zhangqiu_url, tmp_path):
    setup_partner(sessions, residents=400)
    items = records(N, residents=400, seed=11)
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items))
    log = (tmp_path / "child.log").open("w")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, zhangqiu_url, str(path), NOW.isoformat()],
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while _committed_chunks(sessions) < 2:
            assert child.poll() is None, (tmp_path / "child.log").read_text()
            assert time.monotonic() < deadline, "the child committed nothing in 120 s"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        log.close()
    written = _committed_chunks(sessions)
    total_chunks = -(-N // CHUNK)
    assert 2 <= written < total_chunks, f"kill came too late: {written} chunks written"

    report = partners_svc.ingest(sessions.kw["bind"], PARTNER, items, now=NOW, chunk_size=CHUNK)
    expected = core_ledger(items, residents=400)
    balances, problems = ledger_state(sessions)
    assert problems == []
    assert balances == expected.balances()
    assert report.rejected()["already_credited"] > 0  # the chunks the killed process wrote
    with transaction(sessions) as s:
        accepted, keys, rows = s.execute(
            text(
                "SELECT SUM(CASE WHEN accepted THEN 1 ELSE 0 END), "
                "COUNT(DISTINCT partner_record_id), COUNT(*) FROM inclusion_record"
            )
        ).one()
        assert accepted == len(expected) and keys == rows == N
        assert check_invariants(s) == []


def test_cli_ingest_writes_a_result_file_and_stats(sessions, zhangqiu_url, tmp_path, monkeypatch):
    setup_partner(sessions, residents=3)
    items = records(30, residents=3, seed=21)
    items.append(dict(items[0], partner_record_id="bad", start="yesterday"))
    path = tmp_path / "rides.csv"
    with path.open("w", newline="") as handle:
        w = csv.DictWriter(handle, fieldnames=list(items[0]))
        w.writeheader()
        w.writerows(items)
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    # the command starts no thread before the intake (its worker is forked only then)
    threads = threading.active_count()
    seen: list[int] = []
    real_forks = intake_svc._forks

    def forks(*args: object) -> bool:
        seen.append(threading.active_count())
        return real_forks(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(intake_svc, "_forks", forks)
    runner = CliRunner()
    result = runner.invoke(
        cli_app, ["inclusion", "ingest", str(path), "--partner", PARTNER, "--chunk", "10"]
    )
    assert result.exit_code == 0, result.output
    assert seen == [threads]
    out = Path(f"{path}.results.csv")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == len(items)
    assert rows[-1]["status"] == "rejected" and rows[-1]["reason"] == "malformed"
    accepted = sum(1 for r in rows if r["status"] == "accepted")
    assert f"{accepted} accepted" in result.output
    stats = runner.invoke(cli_app, ["inclusion", "stats", "--json", "--period", "year"])
    assert stats.exit_code == 0, stats.output
    data = json.loads(stats.output)
    assert sum(r["records"] for r in data["reductions_by_methodology"]) == accepted
    unknown = runner.invoke(cli_app, ["inclusion", "ingest", str(path), "--partner", "nobody"])
    assert unknown.exit_code == 1 and "unknown_partner" in unknown.output


def test_bulk_postings_are_the_cores_credit_postings(sessions):
    """Each chunk's aggregated transaction holds exactly the postings the core's builder
    (:func:`credit_postings`) gives for the records it credited, in its order."""
    setup_partner(sessions, residents=12)
    items = records(400, residents=12, seed=5)
    engine = sessions.kw["bind"]
    report = partners_svc.ingest(engine, PARTNER, items, now=NOW, chunk_size=100)
    assert report.chunks_written >= 2
    with transaction(sessions) as s:
        tx_ids = s.scalars(text("SELECT id FROM ledger_transaction WHERE aggregated")).all()
        # one transaction per chunk that credited something (a chunk may credit nothing)
        assert 2 <= len(tx_ids) <= report.chunks_written
        for tx_id in tx_ids:
            credited = s.execute(
                text(
                    "SELECT resident, methodology_id || '@' || methodology_version AS ref, "
                    "credited_g FROM inclusion_record WHERE tx_id = :t"
                ),
                {"t": tx_id},
            ).all()
            want = credit_postings(
                "zhangqiu", [(r.resident, r.ref, r.credited_g) for r in credited]
            )
            got = s.execute(
                text(
                    "SELECT a.kind, a.name, p.asset, p.amount, p.methodology FROM ledger_posting p "
                    "JOIN ledger_account a ON a.id = p.account_id WHERE p.tx_id = :t ORDER BY p.id"
                ),
                {"t": tx_id},
            ).all()
            assert [(r.kind, r.name, r.asset, int(r.amount), r.methodology) for r in got] == [
                (
                    p.account.kind.value,
                    p.account.name,
                    p.asset.value,
                    p.amount,
                    *p.trace.methodologies,
                )
                for p in want
            ]
