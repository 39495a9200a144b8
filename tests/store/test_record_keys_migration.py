"""Migrations 0019 and 0020 on SQLite and PostgreSQL, down to 0018 and up again.

0019: ``inclusion_record`` loses its two foreign keys and its index on ``tx_id`` and keeps
every row, index and the view over it; the partner guard replaces the keys; the downgrade
gives the keys back. 0020: the records credited in full become narrow rows and
``inclusion_record`` a view over them and the records kept in full; the downgrade puts them
back in the one table. Through both, every record reads the same."""

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


COLUMNS = (
    "partner_id, partner_record_id, resident, scenario, start_at, end_at, day, quantity, "
    "quantity_unit, accepted, reason, detail, methodology_id, methodology_version, "
    "computed_g, credited_g, capped_by, batch, tx_id, received_at, asset, baseline_g, project_g"
)


def state(engine: Engine) -> tuple[list[Any], list[Any], set[str], set[str]]:
    """The records, the view's rows, the index names and foreign keys of the table that
    keeps records in full (``inclusion_record`` before 0020, ``inclusion_record_full`` after)."""
    with engine.connect() as con:
        rows = con.execute(
            text(f"SELECT {COLUMNS} FROM inclusion_record ORDER BY partner_record_id")
        ).all()
        view = con.execute(
            text("SELECT * FROM inclusion_outcomes ORDER BY partner_record_id")
        ).all()
        found = inspect(con)
        table = (
            "inclusion_record_full"
            if found.has_table("inclusion_record_full")
            else ("inclusion_record")
        )
        indexes = {i["name"] for i in found.get_indexes(table)}
        keys = {k["referred_table"] for k in found.get_foreign_keys(table)}
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
        with engine.connect() as con:  # credited in full: narrow rows; refused: in full
            narrow = con.execute(
                text("SELECT COUNT(*) FROM inclusion_record_row WHERE group_id IS NOT NULL")
            ).scalar_one()
            full = con.execute(text("SELECT COUNT(*) FROM inclusion_record_full")).scalar_one()
        assert (narrow, full) == (6, 3)
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
        more = partners.ingest(engine, "bus-co", rides(12), now=NOW)  # 3 ids new, 2 credited
        assert more.accepted == 2
        rows = state(engine)[0]
        command.downgrade(alembic_config(zhangqiu_url), "0019")
        engine.dispose()
        assert state(engine)[0] == rows
    finally:
        engine.dispose()
