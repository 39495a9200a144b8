"""The tamper-evident audit log (issue #11.8): every entry chained by SHA-256 to the one
before, UPDATE and DELETE refused by triggers, and `audit verify` finding an edited, inserted
or deleted entry; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from nearzero.cli import app as cli
from nearzero.formatting import china_time
from nearzero.services import audit
from nearzero.services.context import Actor
from nearzero.store.audit import GENESIS, entry_digest
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.migrate import upgrade

OFFICE = Actor.system("office")


def _write(sessions: Any, n: int, start: int = 0) -> None:
    with transaction(sessions) as session:
        for i in range(start, start + n):
            audit.record(session, OFFICE, "set", "thing", f"k{i}", {"v": i}, {"v": i + 1}, "zq")


def _check(sessions: Any) -> Any:
    with transaction(sessions) as session:
        return audit.verify(session)


def _without_triggers(con: Any, sql: str) -> None:
    """What an attacker with database rights does: get past the triggers, then change rows."""
    if con.dialect.name == "sqlite":
        con.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        con.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        con.execute(text(sql))
    else:
        con.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        con.execute(text(sql))
        con.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def test_the_digest_is_the_published_construction() -> None:
    # sha256 of the canonical JSON array, worked independently of the function under test
    import hashlib

    at = dt.datetime(2026, 12, 5, 1, 2, 3, 456000, tzinfo=dt.UTC)
    body = (
        '["' + GENESIS + '","2026-12-05T01:02:03.456000+00:00","office","set","zq",'
        '"thing","k1",{"v":1},{"v":2}]'
    )
    expected = hashlib.sha256(body.encode()).hexdigest()
    assert entry_digest(GENESIS, at, "office", "set", "zq", "thing", "k1", {"v": 1}, {"v": 2}) == (
        expected
    )
    naive = at.replace(tzinfo=None)  # SQLite hands back the naive UTC the store wrote
    assert entry_digest(
        GENESIS, naive, "office", "set", "zq", "thing", "k1", {"v": 1}, {"v": 2}
    ) == (expected)


def test_entries_chain_and_the_triggers_refuse_changes(sessions: Any) -> None:
    _write(sessions, 5)
    check = _check(sessions)
    assert check.intact, check.breaks
    assert check.entries >= 5
    with transaction(sessions) as session:
        rows = session.execute(text("SELECT prev_hash, hash FROM audit_log ORDER BY id")).all()
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), transaction(sessions) as session:
            session.execute(text(sql))
    assert _check(sessions).entries == check.entries


def test_verify_finds_an_edited_a_deleted_and_an_inserted_entry(sessions: Any) -> None:
    _write(sessions, 6)
    with transaction(sessions) as session:
        ids = [r.id for r in session.execute(text("SELECT id FROM audit_log ORDER BY id"))]
    edited, deleted = ids[-5], ids[-3]
    engine = sessions.kw["bind"]
    with engine.begin() as con:
        _without_triggers(con, f"UPDATE audit_log SET new = '{{\"v\": 99}}' WHERE id = {edited}")
    check = _check(sessions)
    assert [(b.id, "edited" in b.problem) for b in check.breaks] == [(edited, True)]

    with engine.begin() as con:
        _without_triggers(con, f"DELETE FROM audit_log WHERE id = {deleted}")
    problems = {b.id: b.problem for b in _check(sessions).breaks}
    assert "deleted or inserted" in problems[deleted + 1]

    with engine.begin() as con:  # a forged entry at the end, chained to nothing real
        con.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, unit_code, entity, entity_key, "
                "prev_hash, hash) VALUES (:at, 'intruder', 'set', 'zq', 'thing', 'x', :p, :h)"
            ),
            {"at": dt.datetime.now(dt.UTC), "p": "f" * 64, "h": "e" * 64},
        )
    last = _check(sessions).breaks[-1]
    assert last.id > ids[-1]


@pytest.mark.postgres
def test_concurrent_writers_keep_one_chain(zhangqiu_url: str) -> None:
    if not zhangqiu_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    engine = make_engine(zhangqiu_url)
    try:
        sessions = session_factory(engine)
        threads = [threading.Thread(target=_write, args=(sessions, 10, 100 * t)) for t in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check = _check(sessions)
        assert check.intact, check.breaks
    finally:
        engine.dispose()


def test_the_migration_chains_entries_written_before_it(database_url: str) -> None:
    upgrade(database_url, "0006")
    engine = make_engine(database_url)
    try:
        with engine.begin() as con:
            for i in range(3):
                con.execute(
                    text(
                        "INSERT INTO audit_log (at, actor, action, unit_code, entity, entity_key,"
                        " old, new) VALUES (:at, 'office', 'set', '', 'thing', :k, NULL, :new)"
                    ),
                    {
                        "at": dt.datetime(2025, 1, 1, i, tzinfo=dt.UTC),
                        "k": f"k{i}",
                        "new": '{"a": 1}',
                    },
                )
        upgrade(database_url)
        check = _check(session_factory(engine))
        assert check.intact and check.entries == 3
    finally:
        engine.dispose()


def test_verify_command(zhangqiu_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    engine = make_engine(zhangqiu_url)
    try:
        _write(session_factory(engine), 2)
        ok = CliRunner().invoke(cli, ["audit", "verify"])
        assert ok.exit_code == 0, ok.output
        assert "chain intact" in ok.output
        with engine.begin() as con:
            _without_triggers(con, "UPDATE audit_log SET actor = 'someone' WHERE id = 1")
        broken = CliRunner().invoke(cli, ["audit", "verify"])
        assert broken.exit_code == 1
        assert "entry 1: its content does not match its hash: edited" in broken.output
    finally:
        engine.dispose()


def test_times_are_china_standard_time() -> None:
    assert china_time(dt.datetime(2026, 12, 4, 17, 30, tzinfo=dt.UTC)) == "2026-12-05 01:30"
    assert china_time(dt.datetime(2026, 12, 4, 17, 30)) == "2026-12-05 01:30"  # naive = UTC
