"""The carbon-inclusion summaries the intake keeps (issue #13), on SQLite and PostgreSQL:
after every kind of batch (credited, refused, a refused record sent again and credited,
records sent twice, two partners sharing residents, a month and a year boundary in China
Standard Time) they equal a rebuild from the records, and the statistics read from them
equal the core's Ibis statistics over every record."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner

from nearzero.cli import app as cli_app
from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.stats import Period
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as partners_svc, statistics as stats_svc
from nearzero.services.indicators import get_unit
from nearzero.store import inclusion as store, inclusion_summary as summary
from nearzero.store.db import transaction
from nearzero.store.inclusion import SessionRunner

MASTER = b"test-master-key-0123456789abcdef"
GRANTED = datetime(2025, 1, 1, tzinfo=UTC)
# 2025-12-31 15:00 UTC is 23:00 in Beijing: rides from here cross into 2026 (local day)
T0 = datetime(2025, 12, 31, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 20, tzinfo=UTC)


def resident(i: int) -> str:
    return f"{i:064x}"


def rides(n: int, residents: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 3))
        out.append(
            {
                "partner_record_id": f"{prefix}{i}",
                "resident_id": resident(rng.randrange(residents)),
                "scenario": rng.choice(["bus", "metro"]),
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=rng.randrange(5, 60))).isoformat(),
                "distance_km": str(rng.randrange(1, 30)),
            }
        )
    return out


def consent(sessions, partner: str, who: range) -> None:
    with transaction(sessions) as s:
        for i in who:
            for sc in (Scenario.BUS, Scenario.METRO):
                partners_svc.set_consent(s, partner, resident(i), sc, True, GRANTED)


def rows(stats: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Each statistic as sorted tuples (the engines order NULLs differently)."""
    return {
        name: sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in found)
        for name, found in stats.items()
    }


def check(sessions) -> None:
    """Summaries equal a rebuild; summary statistics equal the Ibis ones, whole and by year."""
    with transaction(sessions) as s:
        assert summary.drift(s.connection()) == {}
        unit = get_unit(s, "zhangqiu")
        codes = store.partner_codes(s, unit.id)
        for period in (Period.MONTH, Period.YEAR):
            for year in (None, 2025, 2026):
                kept = stats_svc.statistics(s, unit, period, year)
                full = stats_svc.unit_statistics(SessionRunner(s), codes, period, year)
                assert rows(kept) == rows(full), (period, year)


def test_summaries_equal_the_records_after_every_kind_of_batch(sessions):
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        for code in ("ride-code", "metro-app"):
            partners_svc.create_partner(
                s, Actor.system(), MASTER, unit, code, code, ["bus", "metro"]
            )
    consent(sessions, "ride-code", range(0, 6))  # residents 6..9 have not consented yet
    engine = sessions.kw["bind"]
    first = rides(300, 10, seed=1, prefix="a")
    report = partners_svc.ingest(engine, "ride-code", first, now=NOW, chunk_size=40)
    assert 0 < report.accepted < len(first)  # some refused (no consent, overlaps)
    check(sessions)
    # the same batch again: nothing new is credited, the refused stay refused
    again = partners_svc.ingest(engine, "ride-code", first, now=NOW, chunk_size=70)
    assert again.accepted == 0
    check(sessions)
    # consent arrives: the refused records sent again replace their refused rows
    consent(sessions, "metro-app", range(6, 10))  # a resident's consent, via any partner
    later = partners_svc.ingest(engine, "ride-code", first, now=NOW, chunk_size=55)
    assert later.accepted > 0
    check(sessions)
    # another partner of the unit with the same residents (distinct residents do not add)
    other = partners_svc.ingest(engine, "metro-app", rides(200, 10, 2, "b"), now=NOW)
    assert other.accepted > 0
    check(sessions)
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        by_year = stats_svc.statistics(s, unit, Period.YEAR)["participants"]
        people = {(r["period"].year, r["scenario"]): r["participants"] for r in by_year}
        # three days of 2026 through two partners: the ten residents once, not per partner
        assert people[(2026, "all")] == 10
        assert people[(2026, "bus")] == people[(2026, "metro")] == 10


def test_a_rebuild_restores_lost_summaries_and_is_audited(sessions):
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        partners_svc.create_partner(
            s, Actor.system(), MASTER, unit, "ride-code", "乘车码", ["bus", "metro"]
        )
    consent(sessions, "ride-code", range(0, 5))
    partners_svc.ingest(sessions.kw["bind"], "ride-code", rides(80, 5, 3, "c"), now=NOW)
    with transaction(sessions) as s:
        before = stats_svc.pooled_statement(s, get_unit(s, "zhangqiu"))
        s.execute(text("DELETE FROM inclusion_participant_count"))
        s.execute(text("UPDATE inclusion_credit_month SET grams = grams + 1"))
        assert set(summary.drift(s.connection())) == {
            "inclusion_participant_count",
            "inclusion_credit_month",
        }
    result = CliRunner().invoke(
        cli_app,
        ["inclusion", "rebuild-summaries"],
        env={"NEARZERO_DATABASE_URL": str(sessions.kw["bind"].url.render_as_string(False))},
    )
    assert result.exit_code == 0, result.output
    assert "inclusion_credit_month:" in result.output and "rows differed" in result.output
    with transaction(sessions) as s:
        assert summary.drift(s.connection()) == {}
        assert stats_svc.pooled_statement(s, get_unit(s, "zhangqiu")) == before
        actions = s.execute(
            text("SELECT action FROM audit_log WHERE action = 'inclusion.summaries.rebuild'")
        ).all()
        assert len(actions) == 1
