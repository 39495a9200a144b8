"""GHG inventory: activity data sets per unit and year, the unit's local factors, inventory
runs (GWP set, factor versions, result document with its lineage)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:22:33.071598
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inventory_dataset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_inventory_dataset_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_dataset")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_inventory_dataset_unit_id")),
    )
    op.create_table(
        "inventory_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.String(length=100), nullable=False),
        sa.Column("parameter", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("uncertainty_pct", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_inventory_factor_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_factor")),
        sa.UniqueConstraint("unit_id", "factor_id", name=op.f("uq_inventory_factor_unit_id")),
    )
    op.create_table(
        "inventory_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gwp_set", sa.String(length=8), nullable=False),
        sa.Column("factor_versions", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["inventory_dataset.id"],
            name=op.f("fk_inventory_run_dataset_id_inventory_dataset"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_inventory_run_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_run")),
    )
    op.create_index("ix_inventory_run_unit_year", "inventory_run", ["unit_id", "year"])


def downgrade() -> None:
    op.drop_index("ix_inventory_run_unit_year", table_name="inventory_run")
    op.drop_table("inventory_run")
    op.drop_table("inventory_factor")
    op.drop_table("inventory_dataset")
