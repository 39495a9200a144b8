"""The intake's bulk writes on both databases: record ids with the characters PostgreSQL's
COPY text format escapes, stored exactly as sent (by the direct COPY of a first batch and
by the staged upsert of the same batch sent again); a chunk redone with exact keys while
the next chunk had been validated beside its write (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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
    """An id credited before with another resident, in the third of four chunks: its chunk
    looks for credited ids among its own residents, misses it, and is redone with exact keys
    when the write refuses the row; the fourth chunk, validated beside that refused write
    (PostgreSQL), is written after it. The ledger equals the core's over both batches."""
    people = [resident(i) for i in range(8)]
    setup(sessions, people)
    engine = sessions.kw["bind"]
    first = [ride("x", people[0], T0 - timedelta(days=10))]
    assert partners_svc.ingest(engine, PARTNER, first, now=NOW).accepted == 1
    batch = [ride(f"r{i}", people[i % 8], T0 + timedelta(hours=i), km=3 + i % 7) for i in range(64)]
    batch.append(ride("x", people[5], T0 + timedelta(days=3)))  # credited, to people[0]
    report = partners_svc.ingest(engine, PARTNER, batch, now=NOW, chunk_size=16)
    assert report.chunks_written == 4
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
