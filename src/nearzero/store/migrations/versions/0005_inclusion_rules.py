"""Carbon inclusion: methodology versions published by the office and saved versions of a
unit's platform rules

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inclusion_methodology_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_methodology_version")),
        sa.UniqueConstraint("ref", name=op.f("uq_inclusion_methodology_version_ref")),
    )
    op.create_table(
        "inclusion_scheme_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_inclusion_scheme_version_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_scheme_version")),
    )
    with op.batch_alter_table("inclusion_scheme_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inclusion_scheme_version_unit_id"), ["unit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inclusion_scheme_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inclusion_scheme_version_unit_id"))
    op.drop_table("inclusion_scheme_version")
    op.drop_table("inclusion_methodology_version")
