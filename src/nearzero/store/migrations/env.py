"""Alembic environment: the URL comes from the programmatic config (nearzero.store.migrate)."""

from alembic import context

from nearzero.store.db import make_engine
from nearzero.store.tables import Base

config = context.config


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch operation rebuilds a SQLite table (copy, drop, rename): with foreign keys
            # on, dropping a parent table deletes its children by ON DELETE CASCADE. The
            # pragma only takes effect outside a transaction; the keys are checked at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")
    engine.dispose()


run_migrations()
