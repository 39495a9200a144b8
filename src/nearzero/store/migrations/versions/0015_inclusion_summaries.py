"""carbon-inclusion summaries maintained by the intake: credited records per partner, month,
scenario and methodology version; distinct participants per unit, month or year and scenario
(the set and its count); a partial index on the refused records (issue #13: the office's pages
do not grow with the record count). Built from the records already stored.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 06:30:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from nearzero.store.inclusion_summary import rebuild

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def _period_table(name: str, *columns: sa.Column[Any] | sa.PrimaryKeyConstraint) -> None:
    """A table keyed by unit, period kind, period and scenario (participants, their count)."""
    op.create_table(
        name,
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_kind", sa.String(length=1), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        *columns,
        _fk(name, "unit_id", "demo_unit"),
    )


def upgrade() -> None:
    op.create_table(
        "inclusion_credit_month",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("methodology_id", sa.String(length=64), nullable=False),
        sa.Column("methodology_version", sa.String(length=32), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("computed_grams", sa.BigInteger(), nullable=False),
        sa.Column("transactions", sa.BigInteger(), nullable=False),
        _fk("inclusion_credit_month", "partner_id", "inclusion_partner"),
        sa.PrimaryKeyConstraint(
            "partner_id",
            "month",
            "scenario",
            "methodology_id",
            "methodology_version",
            name=op.f("pk_inclusion_credit_month"),
        ),
    )
    _period_table(
        "inclusion_participant",
        sa.Column("resident", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint(
            "unit_id",
            "period_kind",
            "period",
            "scenario",
            "resident",
            name=op.f("pk_inclusion_participant"),
        ),
    )
    _period_table(
        "inclusion_participant_count",
        sa.Column("participants", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "unit_id",
            "period_kind",
            "period",
            "scenario",
            name=op.f("pk_inclusion_participant_count"),
        ),
    )
    with op.batch_alter_table("inclusion_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inclusion_record_refused",
            ["partner_id", "day", "scenario", "reason"],
            unique=False,
            sqlite_where=sa.text("NOT accepted"),
            postgresql_where=sa.text("NOT accepted"),
        )
    rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("inclusion_record", schema=None) as batch_op:
        batch_op.drop_index("ix_inclusion_record_refused")
    op.drop_table("inclusion_participant_count")
    op.drop_table("inclusion_participant")
    op.drop_table("inclusion_credit_month")
