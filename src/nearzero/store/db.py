"""Engine and sessions for a database URL; SQLite gets foreign keys and WAL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, pool: Mapping[str, Any] | None = None) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, and WAL and FKs switched on.

    pool : ``pool_size``, ``max_overflow`` and ``pool_timeout`` of the connection pool
    (SQLAlchemy's defaults when not given; an in-memory SQLite database has no pool)."""
    parsed = make_url(url)
    sized = dict(pool or {})
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            sized = {}
        engine = create_engine(url, connect_args={"timeout": 30}, **sized)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(connection: Any, _name: str) -> None:
            # The sqlite3 module (legacy transaction control) issues BEGIN only before an
            # INSERT/UPDATE/DELETE, not before SAVEPOINT: a savepoint opened first in a
            # transaction then starts SQLite's own transaction, and its RELEASE commits it,
            # so a later failure could not roll back what the savepoint wrote. Begin first.
            driver = connection.connection.dbapi_connection
            if not driver.in_transaction:
                driver.execute("BEGIN")

        return engine
    if parsed.get_driver_name() == "psycopg":
        from psycopg import adapters
        from psycopg.types.array import ListBinaryDumper

        from nearzero.store.dialect import ArrayParam

        adapters.register_dumper(ArrayParam, ListBinaryDumper)  # global, idempotent
    return create_engine(url, pool_pre_ping=True, **sized)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed as one unit, or rolled back whole on any error."""
    with factory() as session, session.begin():
        yield session
