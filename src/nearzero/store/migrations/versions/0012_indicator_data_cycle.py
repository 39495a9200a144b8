"""The office's yearly data cycle: the evaluation year and confirmation setting per unit, the
departments' deadline per year, and each value's review state (submitted, confirmed,
returned) with the figure as last confirmed. Values already stored were entered or loaded by the office: they are confirmed,
and each unit's evaluation year is set to the latest year it holds values for, so today's
figures do not change.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_value") as batch:
        batch.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="confirmed")
        )
        batch.add_column(
            sa.Column("reviewed_by", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("return_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("confirmed_value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("confirmed_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    # every value stored so far was entered or loaded by the office: confirmed as it stands
    op.execute(
        "UPDATE indicator_value SET confirmed_value = value, confirmed_text = text, "
        "confirmed_at = entered_at"
    )
    op.create_table(
        "indicator_cycle",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_year", sa.Integer(), nullable=True),
        sa.Column("confirmation", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_indicator_cycle_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_indicator_cycle")),
    )
    op.create_table(
        "data_deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_data_deadline_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_deadline")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_data_deadline_unit_id")),
    )
    # each unit keeps the year its pages showed by default until now
    op.execute(
        "INSERT INTO indicator_cycle (unit_id, evaluation_year, confirmation, set_by, set_at) "
        "SELECT u.id, (SELECT MAX(v.year) FROM indicator_value v "
        "JOIN indicator i ON i.id = v.indicator_id WHERE i.unit_id = u.id), "
        "true, 'migration 0012', CURRENT_TIMESTAMP FROM demo_unit u"
    )


def downgrade() -> None:
    op.drop_table("data_deadline")
    op.drop_table("indicator_cycle")
    with op.batch_alter_table("indicator_value") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("confirmed_text")
        batch.drop_column("confirmed_value")
        batch.drop_column("return_reason")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by")
        batch.drop_column("state")
