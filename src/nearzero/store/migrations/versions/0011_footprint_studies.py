"""footprint studies: a firm's product carbon footprint study (system, result, state:
draft, computed, approved) linked to the enterprise registry

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 03:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "footprint_study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("system", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("total_kgco2e", sa.Numeric(precision=24, scale=9), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=64), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_footprint_study_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footprint_study")),
    )
    with op.batch_alter_table("footprint_study", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_footprint_study_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("footprint_study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_footprint_study_enterprise_id"))
    op.drop_table("footprint_study")
