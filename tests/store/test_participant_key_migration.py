"""Migration 0021 on SQLite and PostgreSQL, down to 0020 and up again: the participant set
is keyed by unit and resident first (the pseudonym compared byte by byte on PostgreSQL),
every row kept, and the intake and the summaries' rebuild agree after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import Engine, inspect, text

from nearzero.inclusion.choices import Scenario
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners
from nearzero.services.indicators import get_unit
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.inclusion_summary import drift
from nearzero.store.migrate import alembic_config, upgrade

NOW = datetime(2025, 6, 30, tzinfo=UTC)
T0 = datetime(2025, 1, 30, 0, 30, tzinfo=UTC)


def rides(first: int, n: int) -> list[dict[str, Any]]:
    """Rides of three residents, a day apart: over the end of January into February."""
    return [
        {
            "partner_record_id": f"r{i}",
            "resident_id": f"{i % 3:064x}",
            "scenario": "bus" if i % 2 else "metro",
            "start": (T0 + timedelta(days=i)).isoformat(),
            "end": (T0 + timedelta(days=i, minutes=20)).isoformat(),
            "distance_km": "4",
        }
        for i in range(first, first + n)
    ]


def state(engine: Engine) -> tuple[list[str], list[Any], str | None]:
    """The key's columns, the participant rows, and the pseudonym column's collation."""
    with engine.connect() as con:
        key = inspect(con).get_pk_constraint("inclusion_participant")["constrained_columns"]
        rows = con.execute(
            text(
                "SELECT unit_id, period_kind, period, scenario, resident "
                "FROM inclusion_participant ORDER BY 1, 2, 3, 4, 5"
            )
        ).all()
        collation = None
        if engine.dialect.name == "postgresql":
            collation = con.execute(
                text(
                    "SELECT collation_name FROM information_schema.columns WHERE "
                    "table_name = 'inclusion_participant' AND column_name = 'resident'"
                )
            ).scalar_one()
    return list(key), list(rows), collation


def test_the_participant_key_leads_with_the_resident_and_keeps_every_row(zhangqiu_url: str):
    engine = make_engine(zhangqiu_url)
    pg = engine.dialect.name == "postgresql"
    try:
        with transaction(session_factory(engine)) as s:
            unit = get_unit(s, "zhangqiu")
            partners.create_partner(
                s, Actor.system(), b"k" * 32, unit, "ride", "乘车", ["bus", "metro"]
            )
            for i in range(3):
                for sc in (Scenario.BUS, Scenario.METRO):
                    partners.set_consent(s, "ride", f"{i:064x}", sc, True, T0 - timedelta(days=9))
        assert partners.ingest(engine, "ride", rides(0, 6), now=NOW).accepted == 6
        key, rows, collation = state(engine)
        assert key == ["unit_id", "resident", "period_kind", "period", "scenario"]
        assert collation == ("C" if pg else None)
        # 3 residents, each in January and February, by scenario and for any: months and year
        assert len({r.resident for r in rows}) == 3 and len(rows) > 12

        command.downgrade(alembic_config(zhangqiu_url), "0020")
        engine.dispose()
        old_key, old_rows, old_collation = state(engine)
        assert old_key == ["unit_id", "period_kind", "period", "scenario", "resident"]
        assert old_rows == rows and old_collation in (None, "default")

        upgrade(zhangqiu_url)
        engine.dispose()
        assert state(engine) == (key, rows, collation)
        more = partners.ingest(engine, "ride", rides(6, 6), now=NOW)  # into March: new rows
        assert more.accepted == 6
        with engine.begin() as con:
            assert drift(con) == {}
        assert len(state(engine)[1]) > len(rows)
    finally:
        engine.dispose()
