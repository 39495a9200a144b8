"""The audit log made tamper-evident: each entry chained to the previous one by SHA-256, and
UPDATE and DELETE refused by triggers as on the ledger

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nearzero.store.audit import GENESIS, entry_digest

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = (("UPDATE", "audit_log_no_update"), ("DELETE", "audit_log_no_delete"))


def upgrade() -> None:
    op.add_column(
        "audit_log", sa.Column("prev_hash", sa.String(64), nullable=False, server_default="")
    )
    op.add_column("audit_log", sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    bind = op.get_bind()
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        *(sa.column(name, sa.String()) for name in ("actor", "action", "unit_code", "entity")),
        sa.column("entity_key", sa.String()),
        sa.column("old", sa.JSON()),
        sa.column("new", sa.JSON()),
    )
    prev = GENESIS
    chained = []
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).mappings():
        digest = entry_digest(
            prev,
            row["at"],
            row["actor"],
            row["action"],
            row["unit_code"],
            row["entity"],
            row["entity_key"],
            row["old"],
            row["new"],
        )
        chained.append({"id": row["id"], "prev": prev, "hash": digest})
        prev = digest
    if chained:
        bind.execute(
            sa.text("UPDATE audit_log SET prev_hash = :prev, hash = :hash WHERE id = :id"), chained
        )
    for event, name in TRIGGERS:
        if bind.dialect.name == "sqlite":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
        else:  # ledger_append_only() was created by 0003
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )


def downgrade() -> None:
    on = "" if op.get_bind().dialect.name == "sqlite" else " ON audit_log"
    for _event, name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
