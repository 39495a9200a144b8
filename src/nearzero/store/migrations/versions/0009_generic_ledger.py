"""generic ledger: ledger_posting.record_id (a foreign key to inclusion_record) becomes
record_key, the record key of the posting's compact trace (``partner:record id``); the
append-only triggers on ledger_posting are kept

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 01:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = ("UPDATE", "DELETE")
RECORD_FK = "fk_ledger_posting_record_id_inclusion_record"


def _drop_triggers() -> None:
    """Drop ledger_posting's append-only triggers (created by 0003), to move its data."""
    on = "" if op.get_bind().dialect.name == "sqlite" else " ON ledger_posting"
    for event in EVENTS:
        op.execute(f"DROP TRIGGER IF EXISTS ledger_posting_no_{event.lower()}{on}")


def _create_triggers() -> None:
    """Refuse UPDATE and DELETE on ledger_posting again (as 0003; a SQLite batch rebuild
    of the table drops its triggers)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for event in EVENTS:
        name = f"ledger_posting_no_{event.lower()}"
        if sqlite:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON ledger_posting "
                "BEGIN SELECT RAISE(ABORT, 'ledger_posting is append-only'); END"
            )
        else:  # ledger_append_only() was created by 0003
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON ledger_posting "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )


def upgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("ledger_posting") as batch:
        batch.add_column(sa.Column("record_key", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE ledger_posting SET record_key = ("
        "SELECT pa.code || ':' || r.partner_record_id FROM inclusion_record r "
        "JOIN inclusion_partner pa ON pa.id = r.partner_id "
        "WHERE r.id = ledger_posting.record_id) "
        "WHERE record_id IS NOT NULL"
    )
    with op.batch_alter_table("ledger_posting") as batch:
        batch.drop_constraint(RECORD_FK, type_="foreignkey")
        batch.drop_column("record_id")
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("ledger_posting") as batch:
        batch.add_column(
            sa.Column(
                "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch.create_foreign_key(RECORD_FK, "inclusion_record", ["record_id"], ["id"])
    op.execute(
        "UPDATE ledger_posting SET record_id = ("
        "SELECT r.id FROM inclusion_record r "
        "JOIN inclusion_partner pa ON pa.id = r.partner_id "
        "WHERE pa.code || ':' || r.partner_record_id = ledger_posting.record_key) "
        "WHERE record_key IS NOT NULL"
    )
    with op.batch_alter_table("ledger_posting") as batch:
        batch.drop_column("record_key")
    _create_triggers()
