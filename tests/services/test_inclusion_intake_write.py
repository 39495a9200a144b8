"""The intake's bulk writes on both databases: record ids with the characters PostgreSQL's
COPY text format escapes, stored exactly as sent (by the direct COPY of a first batch and
by the staged upsert of the same batch sent again); a chunk redone with exact keys while
the next chunk had been validated beside its write (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.intake import Consent, IntakeContext, validate_batch
from nearzero.inclusion.methodology import load_library
from nearzero.inclusion.points import INCLUSION_CHART, credit_transaction
from nearzero.inclusion.rules import load_scheme
from nearzero.ledger import InMemoryLedger
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as partners_svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction
from nearzero.store.inclusion_ledger import check_invariants, inclusion_ledger
from nearzero.store.inclusion_summary import drift

MASTER = b"test-master-key-0123456789abcdef"
NOW = datetime(2025, 6, 30, tzinfo=UTC)
GRANTED = datetime(2025, 1, 1, tzinfo=UTC)
T0 = datetime(2025, 3, 3, 0, 30, tzinfo=UTC)
PARTNER = "ride-code"


def setup(sessions: sessionmaker[Session], residents: list[str]) -> None:
    """A partner for bus and metro, and the residents' consent to both."""
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        partners_svc.create_partner(
            s, Actor.system(), MASTER, unit, PARTNER, "乘车码平台", ["bus", "metro"]
        )
        for who in residents:
            for sc in (Scenario.BUS, Scenario.METRO):
                partners_svc.set_consent(s, PARTNER, who, sc, True, GRANTED)


def ride(rid: str, who: str, start: datetime, km: int = 5) -> dict[str, Any]:
    return {
        "partner_record_id": rid,
        "resident_id": who,
        "scenario": "bus",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=20)).isoformat(),
        "distance_km": str(km),
    }


def stored(sessions: sessionmaker[Session]) -> dict[str, tuple[Any, ...]]:
    with transaction(sessions) as s:
        rows = s.execute(
            text(
                "SELECT partner_record_id, resident, accepted, reason, batch FROM inclusion_record"
            )
        ).all()
    return {r.partner_record_id: (r.resident, bool(r.accepted), r.reason, r.batch) for r in rows}


ODD_RESIDENTS = ["res\\one", "\\N", "居民-二"]
ACCEPTED_IDS = ["back\\slash", "\\N", "\\\\two", "tail\\", "中文\\t", "quote'\"", "\\.", "x"]
MALFORMED_IDS = ["tab\there", "new\nline", "cr\rid", "nul\x00x", "\\\t\\n"]


def test_ids_with_copy_special_characters_are_stored_as_sent(sessions):
    """Backslashes (and the texts ``\\N`` and ``\\.``, COPY's NULL and end marker) in
    accepted ids and residents; tab, newline, carriage return and NUL in refused ids (the
    core refuses control characters; a NUL is stored as U+FFFD). Chunks of one resident, so
    on PostgreSQL each chunk after the first is validated while the one before is written."""
    setup(sessions, ODD_RESIDENTS)
    engine = sessions.kw["bind"]
    items = [
        ride(rid, ODD_RESIDENTS[k % 3], T0 + timedelta(hours=k))
        for k, rid in enumerate(ACCEPTED_IDS + MALFORMED_IDS)
    ]
    report = partners_svc.ingest(engine, PARTNER, items, now=NOW, chunk_size=1)
    assert report.chunks_written == 3
    assert report.accepted == len(ACCEPTED_IDS)
    assert report.rejected() == {"malformed": len(MALFORMED_IDS)}
    want = {
        rid: (ODD_RESIDENTS[k % 3], True, None, report.batch) for k, rid in enumerate(ACCEPTED_IDS)
    }
    want |= {
        rid.replace("\x00", "\ufffd"): (None, False, "malformed", report.batch)
        for rid in MALFORMED_IDS
    }
    assert stored(sessions) == want
    with transaction(sessions) as s:
        names = {
            name
            for (name,) in s.execute(
                text("SELECT name FROM ledger_account WHERE kind = 'resident'")
            ).all()
        }
        assert names == set(ODD_RESIDENTS)
        assert check_invariants(s) == []
        # the participants, sent as COPY text on PostgreSQL, name the residents as stored
        assert drift(s.connection()) == {}
        kept = {r for (r,) in s.execute(text("SELECT resident FROM inclusion_participant"))}
        assert kept == set(ODD_RESIDENTS)
    # sent again (on PostgreSQL the COPY meets the stored ids: the staged upsert)
    again = partners_svc.ingest(engine, PARTNER, items, now=NOW, batch="again", chunk_size=2)
    assert again.accepted == 0
    assert again.rejected() == {
        "already_credited": len(ACCEPTED_IDS),
        "malformed": len(MALFORMED_IDS),
    }
    assert stored(sessions) == {
        rid: (*row[:3], "again" if not row[1] else row[3]) for rid, row in want.items()
    }


def resident(i: int) -> str:
    return f"{i:064x}"


def test_a_chunk_redone_with_exact_keys_after_the_next_was_validated(sessions):
    """An id credited before with another resident, in a middle chunk: its chunk looks for
    credited ids among its own residents, misses it, and is redone with exact keys when the
    write refuses the row; the next chunk, validated by the worker beside that refused
    write, is written after it. The ledger equals the core's over both batches."""
    people = [resident(i) for i in range(8)]
    setup(sessions, people)
    engine = sessions.kw["bind"]
    first = [ride("x", people[0], T0 - timedelta(days=10))]
    assert partners_svc.ingest(engine, PARTNER, first, now=NOW).accepted == 1
    batch = [ride(f"r{i}", people[i % 8], T0 + timedelta(hours=i), km=3 + i % 7) for i in range(64)]
    batch.append(ride("x", people[5], T0 + timedelta(days=3)))  # credited, to people[0]
    report = partners_svc.ingest(engine, PARTNER, batch, now=NOW, chunk_size=16)
    assert report.chunks_written >= 4  # 16 records a chunk (with a worker, a first of 4)
    assert report.rejected() == {"already_credited": 1}
    assert [r.reason for r in report.results if r.partner_record_id == "x"] == ["already_credited"]
    ctx = IntakeContext(
        load_library(),
        load_scheme("zhangqiu"),
        NOW,
        {PARTNER: frozenset({Scenario.BUS, Scenario.METRO})},
        [Consent(who, s, GRANTED) for who in people for s in Scenario],
    )
    expected = InMemoryLedger(INCLUSION_CHART)
    for credit in validate_batch(PARTNER, first + batch[:-1], ctx).credits:
        expected.append(credit_transaction(credit, "zhangqiu"))
    with transaction(sessions) as s:
        assert dict(inclusion_ledger(s).balances()) == expected.balances()
        assert check_invariants(s) == []
        rows = s.execute(text("SELECT COUNT(*) FROM inclusion_record")).scalar_one()
    assert rows == len(batch)  # the second "x" left the credited row as it was
    assert stored(sessions)["x"][0] == people[0]


def test_a_refused_record_credited_later_becomes_a_narrow_row(sessions):
    """Migration 0020: a record credited in full is one narrow ``inclusion_record_row`` row
    of a group; a refused one is its key row and a full row. Sent again once the resident
    consented, the refused record is credited: its key row becomes the narrow row, its full
    row goes, and the view shows the credit with the same values as a record credited at
    once. Sent again after that, nothing changes."""
    people = [resident(i) for i in range(2)]
    setup(sessions, people[:1])
    engine = sessions.kw["bind"]
    batch = [ride("a", people[0], T0), ride("b", people[1], T0 + timedelta(hours=1))]
    report = partners_svc.ingest(engine, PARTNER, batch, now=NOW)
    assert report.rejected() == {"no_consent": 1}

    def tables() -> tuple[list[Any], list[Any]]:
        with transaction(sessions) as s:
            keys = s.execute(
                text(
                    "SELECT partner_record_id, accepted, group_id IS NOT NULL AS narrow "
                    "FROM inclusion_record_row ORDER BY 1"
                )
            ).all()
            full = s.execute(
                text("SELECT partner_record_id FROM inclusion_record_full ORDER BY 1")
            ).all()
        return [tuple(r) for r in keys], [r[0] for r in full]

    assert tables() == ([("a", True, True), ("b", False, False)], ["b"])
    with transaction(sessions) as s:
        for sc in (Scenario.BUS, Scenario.METRO):
            partners_svc.set_consent(s, PARTNER, people[1], sc, True, GRANTED)
    again = partners_svc.ingest(engine, PARTNER, batch, now=NOW)
    assert again.accepted == 1 and again.rejected() == {"already_credited": 1}
    assert tables() == ([("a", True, True), ("b", True, True)], [])
    with transaction(sessions) as s:
        view = {
            r.partner_record_id: r
            for r in s.execute(text("SELECT * FROM inclusion_record ORDER BY partner_record_id"))
        }
        assert check_invariants(s) == []
    a, b = view["a"], view["b"]
    assert (a.scenario, a.quantity_unit, a.methodology_id) == (
        b.scenario,
        b.quantity_unit,
        b.methodology_id,
    )
    assert b.resident == people[1] and b.reason is None and b.credited_g == b.computed_g > 0
    assert b.start_at is not None and b.day is not None
    third = partners_svc.ingest(engine, PARTNER, batch, now=NOW)
    assert third.accepted == 0 and third.rejected() == {"already_credited": 2}
    assert tables() == ([("a", True, True), ("b", True, True)], [])


def _ledger_and_records(sessions: sessionmaker[Session]) -> tuple[Any, list[Any]]:
    with transaction(sessions) as s:
        assert check_invariants(s) == []
        balances = dict(inclusion_ledger(s).balances())
        rows = s.execute(
            text(
                "SELECT partner_record_id, resident, accepted, reason, credited_g, start_at "
                "FROM inclusion_record ORDER BY partner_record_id"
            )
        ).all()
    return balances, [tuple(r) for r in rows]


def _clear(sessions: sessionmaker[Session]) -> None:
    """Every record and credit gone (the ledger is append-only: its tables are emptied with
    their triggers off, as a test may; SQLite and PostgreSQL)."""
    with transaction(sessions) as s:
        pg = s.connection().dialect.name == "postgresql"
        for table in ("ledger_posting", "ledger_transaction"):
            if pg:
                s.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            else:
                for event in ("update", "delete"):
                    s.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{event}"))
        for table in (
            "ledger_posting",
            "ledger_transaction",
            "inclusion_record_row",
            "inclusion_record_group",
            "inclusion_record_full",
            "inclusion_credit_month",
            "inclusion_participant",
            "inclusion_participant_count",
        ):
            s.execute(text(f"DELETE FROM {table}"))
        if pg:
            for table in ("ledger_posting", "ledger_transaction"):
                s.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def test_the_validation_worker_credits_what_validating_in_place_does(sessions, monkeypatch):
    """A batch of several chunks validated by the forked worker, and the same batch
    validated in place, chunk after chunk: the same results, records and ledger; and when
    the worker dies after its first chunk, or hangs, the parent validates the rest and
    still credits the same (issue #13 item 5)."""
    import os

    from nearzero.services.inclusion import intake

    people = [resident(i) for i in range(10)]
    setup(sessions, people[:8])  # two residents never consented
    engine = sessions.kw["bind"]
    batch = [
        ride(f"r{i}", people[i % 10], T0 + timedelta(hours=i), km=2 + i % 9) for i in range(120)
    ]
    batch.append(ride("r3", people[3], T0 + timedelta(hours=3)))  # a copy: duplicate_in_batch
    # the worker is forked only from a process without other threads; a test session may
    # have left some (idle) behind: they are no concern here
    monkeypatch.setattr(intake.threading, "active_count", lambda: 1)
    forked: list[bool] = []
    real_forks = intake._forks

    def forks(*args: Any) -> bool:
        forked.append(real_forks(*args))
        return forked[-1]

    monkeypatch.setattr(intake, "_forks", forks)
    with_worker = partners_svc.ingest(engine, PARTNER, batch, now=NOW, chunk_size=32)
    assert forked == [True] and with_worker.chunks_written == 5  # 8, then 32 a chunk
    assert with_worker.timings["worker"] > 0
    expected = _ledger_and_records(sessions)
    results = [r.as_dict() for r in with_worker.results]

    _clear(sessions)
    monkeypatch.setattr(intake, "_forks", lambda *args: False)
    in_place = partners_svc.ingest(engine, PARTNER, batch, now=NOW, chunk_size=32)
    assert [r.as_dict() for r in in_place.results] == results
    assert _ledger_and_records(sessions) == expected

    _clear(sessions)
    parent = os.getpid()
    real_rows = intake.chunk_rows
    calls: list[int] = []

    def dies_in_the_worker(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            calls.append(1)
            if len(calls) > 1:
                os._exit(3)  # the worker dies on its second chunk
        return real_rows(*args, **kwargs)

    monkeypatch.setattr(intake, "chunk_rows", dies_in_the_worker)
    monkeypatch.setattr(intake, "_forks", real_forks)
    fallen_back = partners_svc.ingest(engine, PARTNER, batch, now=NOW, chunk_size=32)
    assert [r.as_dict() for r in fallen_back.results] == results
    assert fallen_back.timings["worker.wait"] > 0  # the worker ran, then the parent went on
    assert _ledger_and_records(sessions) == expected

    _clear(sessions)  # a worker that hangs is stopped after WORKER_SILENCE
    monkeypatch.setattr(intake, "WORKER_SILENCE", 0.5)

    def hangs_in_the_worker(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            import time

            time.sleep(3600)
        return real_rows(*args, **kwargs)

    monkeypatch.setattr(intake, "chunk_rows", hangs_in_the_worker)
    waited = partners_svc.ingest(engine, PARTNER, batch, now=NOW, chunk_size=32)
    assert [r.as_dict() for r in waited.results] == results
    assert 0.5 <= waited.timings["worker.wait"] < 30
    assert _ledger_and_records(sessions) == expected


def _scans(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _scans(child)


def test_resident_accounts_are_looked_up_by_their_key_on_stale_statistics(sessions):
    """PostgreSQL: the ledger's account lookup (the intake's resident accounts, the
    redemptions' and expiries') reads each name through the (kind, name) key even when the
    table's statistics date from when residents were few,
    as they do during a large batch (the accounts come faster than autovacuum analyses).
    The form ``kind = k AND name = ANY(names)`` then read every resident account and
    compared it with every name. Also: the ids returned are the accounts' ids."""
    from nearzero.store.dialect import ArrayParam
    from nearzero.store.ledger import ACCOUNT_IDS_PG

    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("the plan of a PostgreSQL statement")
    old = [f"{i:064x}" for i in range(3000)]
    with engine.begin() as con:
        con.execute(
            text("INSERT INTO ledger_account (kind, name) VALUES ('pool', 'p'), ('issuance', 'i')")
        )
        con.execute(text("INSERT INTO ledger_account (kind, name) VALUES ('resident', 'first')"))
        con.exec_driver_sql("ANALYZE ledger_account")
        con.execute(
            text("INSERT INTO ledger_account (kind, name) SELECT 'resident', unnest(:n)"),
            {"n": ArrayParam(old)},
        )
    names = old[1000:2000] + [f"new-{i}" for i in range(1000)]
    with engine.begin() as con:
        cur = con.connection.driver_connection.cursor()
        cur.execute(
            "EXPLAIN (FORMAT JSON) " + ACCOUNT_IDS_PG,
            {"k": "resident", "r": ArrayParam(names)},
        )
        plan = cur.fetchone()[0][0]["Plan"]
        reads = [p for p in _scans(plan) if p.get("Relation Name") == "ledger_account"]
        reads = [p for p in reads if p["Node Type"] != "ModifyTable"]
        assert reads, plan
        for read in reads:  # each by its key: the name is an index condition, never a filter
            assert "Index" in read["Node Type"], read
            assert "name" in read.get("Index Cond", ""), read
        cur.execute(ACCOUNT_IDS_PG, {"k": "resident", "r": ArrayParam(names)})
        got = dict(cur.fetchall())
        stored = dict(
            con.execute(
                text(
                    "SELECT name, id FROM ledger_account WHERE kind = 'resident' AND name = ANY(:n)"
                ),
                {"n": ArrayParam(names)},
            ).all()
        )
    assert got == stored and len(got) == 2000
