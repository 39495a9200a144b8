"""The store's transactions on SQLite and PostgreSQL: one unit of work, whole or not at all."""

import pytest
from sqlalchemy import text

from nearzero.store.db import make_engine, session_factory, transaction


class Refused(Exception):
    pass


def test_a_released_savepoint_is_rolled_back_with_its_transaction(database_url):
    """The web forms write inside ``begin_nested`` and the request may still fail after it:
    nothing the savepoint wrote may outlive the request's transaction (the sqlite3 module
    used to let the savepoint's RELEASE commit it)."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as con:
            con.execute(text("CREATE TABLE nz_probe (x integer)"))
        with pytest.raises(Refused), transaction(session_factory(engine)) as session:
            session.execute(text("SELECT 1"))
            with session.begin_nested():
                session.execute(text("INSERT INTO nz_probe VALUES (1)"))
            with engine.connect() as other:
                assert other.execute(text("SELECT count(*) FROM nz_probe")).scalar() == 0
            raise Refused
        with engine.connect() as con:
            assert con.execute(text("SELECT count(*) FROM nz_probe")).scalar() == 0
    finally:
        engine.dispose()
