"""carbon-inclusion records: no per-row foreign keys, no index on ``tx_id`` (issue #13 item 5)

A million records written by the intake made PostgreSQL check the two foreign keys of
``inclusion_record`` row by row (a ``SELECT … FOR KEY SHARE`` of the partner and of the
ledger transaction per row): 55 % of the time of writing the rows. What they guarded is
now guarded where it can change, on the parent side:

- ``tx_id`` → ``ledger_transaction``: that table is append-only (0003's triggers refuse
  UPDATE and DELETE), so a transaction a record names never goes away; the intake writes
  the transaction and its records in one database transaction, and
  :func:`nearzero.store.inclusion_ledger.check_invariants` reports a record whose
  transaction is missing.
- ``partner_id`` → ``inclusion_partner``: new triggers refuse deleting a partner that has
  records, or changing its id (as the key's ``NO ACTION`` did, also when a unit's deletion
  cascades to its partners).

``ix_inclusion_record_tx_id`` goes too: every query that joins records to their transaction
starts from the records (by resident, by id, by day or all of them) and reaches the
transaction by its primary key; nothing looks records up by transaction.

SQLite cannot drop a constraint: the table is rebuilt by hand (its SQL without the two
keys, the rows copied, its indexes and the views over it made again as they were), not by
Alembic's batch mode, which would reflect the partial indexes without their ``WHERE``.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 13:15:00.000000
"""

import re
from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = {
    "fk_inclusion_record_partner_id_inclusion_partner": ("partner_id", "inclusion_partner"),
    "fk_inclusion_record_tx_id_ledger_transaction": ("tx_id", "ledger_transaction"),
}
TX_INDEX = "ix_inclusion_record_tx_id"
GUARD = "inclusion_partner_keeps_records"
REFUSAL = "inclusion_partner has records: it cannot be deleted or change its id"


def _sqlite_rebuild(keys: bool) -> None:
    """Rebuild ``inclusion_record`` on SQLite with (``keys``) or without its two foreign keys;
    the views and indexes over it are made again from their own SQL."""
    bind = op.get_bind()
    views = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name"
    ).all()
    indexes = [
        sql
        for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'inclusion_record' "
            "AND sql IS NOT NULL ORDER BY name"
        )
    ]
    (table,) = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'inclusion_record'"
    ).one()
    if keys:
        clauses = "".join(
            f", \n\tCONSTRAINT {name} FOREIGN KEY({column}) REFERENCES {parent} (id)"
            for name, (column, parent) in KEYS.items()
        )
        table = table.replace(", \n\tCONSTRAINT uq_", clauses + ", \n\tCONSTRAINT uq_", 1)
    else:
        for name in KEYS:
            table, found = re.subn(
                rf",\s*CONSTRAINT {name} FOREIGN KEY\s*\([^)]*\) [^,)]*\)", "", table
            )
            assert found == 1, name
    for name, _ in views:
        op.execute(f"DROP VIEW {name}")
    op.execute(table.replace("inclusion_record", "inclusion_record_new", 1))
    op.execute("INSERT INTO inclusion_record_new SELECT * FROM inclusion_record")
    op.execute("DROP TABLE inclusion_record")
    op.execute("ALTER TABLE inclusion_record_new RENAME TO inclusion_record")
    for sql in indexes:
        op.execute(sql)
    for _, sql in views:
        op.execute(sql)


def upgrade() -> None:
    op.drop_index(TX_INDEX, table_name="inclusion_record")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(keys=False)
        for event in ("DELETE", "UPDATE OF id"):
            name = f"{GUARD}_{event.split()[0].lower()}"
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON inclusion_partner "
                "WHEN EXISTS (SELECT 1 FROM inclusion_record WHERE partner_id = OLD.id) "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )
        return
    for name in KEYS:
        op.drop_constraint(name, "inclusion_record", type_="foreignkey")
    op.execute(
        f"CREATE FUNCTION {GUARD}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id) AND EXISTS "
        "(SELECT 1 FROM inclusion_record WHERE partner_id = OLD.id) THEN "
        f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'foreign_key_violation'; END IF; "
        "RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {GUARD} BEFORE DELETE OR UPDATE OF id ON inclusion_partner "
        f"FOR EACH ROW EXECUTE FUNCTION {GUARD}()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("delete", "update"):
            op.execute(f"DROP TRIGGER {GUARD}_{event}")
        _sqlite_rebuild(keys=True)
    else:
        op.execute(f"DROP TRIGGER {GUARD} ON inclusion_partner")
        op.execute(f"DROP FUNCTION {GUARD}()")
        for name, (column, parent) in KEYS.items():
            op.create_foreign_key(name, "inclusion_record", parent, [column], ["id"])
    op.create_index(TX_INDEX, "inclusion_record", ["tx_id"], unique=False)
