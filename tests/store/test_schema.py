"""The migrations build exactly the schema the table classes declare, on SQLite and PostgreSQL:
a table, column, type, index or constraint added to one and not the other fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from nearzero.store import tables
from nearzero.store.db import make_engine
from nearzero.store.migrate import upgrade


def test_the_migrations_match_the_tables(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, tables.Base.metadata) == []
    finally:
        engine.dispose()
