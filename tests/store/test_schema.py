"""The migrations build exactly the schema the table classes declare, on SQLite and PostgreSQL:
a table, column, type, index or constraint added to one and not the other fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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


def test_every_foreign_key_leads_an_index(database_url: str) -> None:
    """PostgreSQL does not index foreign keys itself: each one leads an index, the primary
    key or a unique constraint of its table, in the migrated database."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        found = inspect(engine)
        bare = []
        for table in found.get_table_names():
            leading = {i["column_names"][0] for i in found.get_indexes(table)}
            leading |= {u["column_names"][0] for u in found.get_unique_constraints(table)}
            primary = found.get_pk_constraint(table)["constrained_columns"]
            leading |= set(primary[:1])
            bare += [
                f"{table}.{fk['constrained_columns'][0]}"
                for fk in found.get_foreign_keys(table)
                if fk["constrained_columns"][0] not in leading
            ]
        assert bare == []
    finally:
        engine.dispose()
