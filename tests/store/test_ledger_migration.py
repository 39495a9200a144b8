"""Migration 0009 (the generic ledger) on SQLite and PostgreSQL: a posting's foreign key to
``inclusion_record`` becomes the record key of its trace, existing postings keep their
trace, and the ledger stays append-only (a SQLite batch rebuild drops triggers: 0009 makes
them again); the downgrade gives the record ids back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, MetaData, Table, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from nearzero.inclusion.points import INCLUSION_CHART
from nearzero.store.db import make_engine
from nearzero.store.ledger import SqlLedger
from nearzero.store.migrate import alembic_config, upgrade

AT = dt.datetime(2025, 3, 3, 8, 30, tzinfo=dt.UTC)


def insert(con: Connection, table_name: str, /, **values: Any) -> int:
    """Insert a row into ``table_name`` as the schema stands (every other required column filled
    with a plain value of its type); its id."""
    table = Table(table_name, MetaData(), autoload_with=con)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        python = column.type.python_type
        values[column.name] = {
            str: "x",
            int: 2020,
            bool: False,
            dt.datetime: AT,
            dt.date: AT.date(),
            list: [],
            dict: {},
        }[python]
    return int(con.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())


def test_record_ids_become_record_keys_and_the_ledger_stays_append_only(database_url):
    upgrade(database_url, "0008")
    engine = make_engine(database_url)
    try:
        with engine.begin() as con:
            unit = insert(con, "demo_unit", code="zhangqiu")
            partner = insert(
                con, "inclusion_partner", unit_id=unit, code="bus-co", scenarios=["bus"]
            )
            record = insert(
                con, "inclusion_record", partner_id=partner, partner_record_id="t1", accepted=True
            )
            tx = insert(
                con,
                "ledger_transaction",
                key="credit:bus-co:t1",
                kind="credit",
                effective_at=AT,
                memo="",
                aggregated=False,
            )
            pool = insert(con, "ledger_account", kind="pool", name="zhangqiu")
            resident = insert(con, "ledger_account", kind="resident", name="r-a")
            for account, amount, rid in ((pool, -269, record), (resident, 269, record)):
                insert(
                    con,
                    "ledger_posting",
                    tx_id=tx,
                    account_id=account,
                    asset="point_g",
                    amount=amount,
                    record_id=rid,
                    methodology="sz-transit-bus@2021-12",
                )
        upgrade(database_url)
        with engine.connect() as con:
            columns = {c["name"] for c in inspect(con).get_columns("ledger_posting")}
            assert "record_id" not in columns and "record_key" in columns
            assert inspect(con).get_foreign_keys("ledger_posting") != []
            assert {
                fk["referred_table"] for fk in inspect(con).get_foreign_keys("ledger_posting")
            } == {
                "ledger_account",
                "ledger_transaction",
            }
            indexes = {i["name"] for i in inspect(con).get_indexes("ledger_posting")}
            assert {"ix_ledger_posting_account_id", "ix_ledger_posting_tx_id"} <= indexes
            keys = con.execute(text("SELECT record_key FROM ledger_posting")).scalars().all()
            assert keys == ["bus-co:t1", "bus-co:t1"]
        with engine.connect() as con, Session(bind=con) as session:
            entry = SqlLedger(session, INCLUSION_CHART).get("credit:bus-co:t1")
            assert entry is not None
            for p in entry.tx.postings:
                assert p.trace.records == ("bus-co:t1",)
                assert p.trace.methodologies == ("sz-transit-bus@2021-12",)
        for sql in (
            "UPDATE ledger_posting SET amount = amount + 1",
            "DELETE FROM ledger_posting",
            "DELETE FROM ledger_transaction",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as con:
                con.execute(text(sql))
        command.downgrade(alembic_config(database_url), "0008")
        with engine.connect() as con:
            ids = con.execute(text("SELECT record_id FROM ledger_posting")).scalars().all()
            assert ids == [record, record]
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as con:
            con.execute(text("DELETE FROM ledger_posting"))
        upgrade(database_url)
    finally:
        engine.dispose()
