"""Migration 0019 on SQLite and PostgreSQL: ``inclusion_record`` loses its two foreign keys
and its index on ``tx_id`` and keeps every row, index and the view over it; the partner
guard replaces the keys; the downgrade gives the keys back, with the same rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from nearzero.inclusion.choices import Scenario
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners
from nearzero.services.indicators import get_unit
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.migrate import alembic_config, upgrade

NOW = datetime(2025, 6, 30, tzinfo=UTC)
T0 = datetime(2025, 3, 3, 0, 30, tzinfo=UTC)


def rides(n: int) -> list[dict[str, Any]]:
    return [
        {
            "partner_record_id": f"r{i}",
            "resident_id": f"{i % 3:064x}",
            "scenario": "bus",
            "start": (T0 + timedelta(hours=i)).isoformat(),
            "end": (T0 + timedelta(hours=i, minutes=20)).isoformat(),
            "distance_km": str(2 + i),
        }
        for i in range(n)
    ]


def state(engine: Engine) -> tuple[list[Any], list[Any], set[str], set[str]]:
    """The records, the view's rows, the table's index names and the tables its keys refer to."""
    with engine.connect() as con:
        rows = con.execute(text("SELECT * FROM inclusion_record ORDER BY id")).all()
        view = con.execute(
            text("SELECT * FROM inclusion_outcomes ORDER BY partner_record_id")
        ).all()
        found = inspect(con)
        indexes = {i["name"] for i in found.get_indexes("inclusion_record")}
        keys = {k["referred_table"] for k in found.get_foreign_keys("inclusion_record")}
    return rows, view, indexes, keys


def test_the_record_keys_go_and_come_back_with_every_row(zhangqiu_url: str) -> None:
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as s:
            unit = get_unit(s, "zhangqiu")
            partners.create_partner(s, Actor.system(), b"k" * 32, unit, "bus-co", "公交", ["bus"])
            for i in range(2):  # the third resident never consented: refused rows too
                partners.set_consent(s, "bus-co", f"{i:064x}", Scenario.BUS, True, T0)
        report = partners.ingest(engine, "bus-co", rides(9), now=NOW)
        assert report.accepted == 6 and report.records == 9
        rows, view, indexes, keys = state(engine)
        assert len(rows) == 9 and len(view) == 9 and keys == set()
        assert "ix_inclusion_record_tx_id" not in indexes
        assert {"ix_inclusion_record_resident", "ix_inclusion_record_refused"} <= indexes

        command.downgrade(alembic_config(zhangqiu_url), "0018")
        engine.dispose()
        back = state(engine)
        assert back[0] == rows and back[1] == view
        assert back[2] == indexes | {"ix_inclusion_record_tx_id"}
        assert back[3] == {"inclusion_partner", "ledger_transaction"}
        with engine.begin() as con:  # no guard: the key refuses it
            con.execute(text("DELETE FROM inclusion_partner WHERE code = 'nobody'"))
        with pytest.raises(DBAPIError), engine.begin() as con:
            con.execute(
                text(
                    "INSERT INTO inclusion_record (partner_id, partner_record_id, "
                    "accepted, credited_g, batch, received_at) "
                    "VALUES (999, 'x', false, 0, 'b', '2025-01-01 00:00:00')"
                )
            )

        upgrade(zhangqiu_url)
        engine.dispose()
        assert state(engine) == (rows, view, indexes, set())
        with pytest.raises(DBAPIError, match="inclusion_partner has records"):
            with engine.begin() as con:
                con.execute(text("DELETE FROM inclusion_partner WHERE code = 'bus-co'"))
        assert state(engine)[0] == rows
    finally:
        engine.dispose()
