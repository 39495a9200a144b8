"""Enterprises: the registry of a unit's firms and facilities, annual emission reports through
verification, evidence files by SHA-256, ETS allowances, facility efficiency values

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 01:00:08.224397
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("sector", sa.String(length=64), nullable=True),
        sa.Column("subdistrict", sa.String(length=100), nullable=False),
        sa.Column("covered_by_ets", sa.Boolean(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("name_is_full", sa.Boolean(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["demo_unit.id"],
            name=op.f("fk_enterprise_unit_id_demo_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("unit_id", "credit_code", name="uq_enterprise_unit_credit_code"),
        sa.UniqueConstraint("unit_id", "key", name="uq_enterprise_unit_key"),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "enterprise_allowance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("ccer_used", sa.Integer(), nullable=False),
        sa.Column("surrendered", sa.Boolean(), nullable=False),
        sa.Column("surrendered_tonnes", sa.Integer(), nullable=True),
        sa.Column("surrendered_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_allowance_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_allowance")),
        sa.UniqueConstraint(
            "enterprise_id", "year", name=op.f("uq_enterprise_allowance_enterprise_id")
        ),
    )
    with op.batch_alter_table("enterprise_allowance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_allowance_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "enterprise_facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("capacity_unit", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("clause", sa.Text(), nullable=False),
        sa.Column("benchmark_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_facility_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_facility")),
        sa.UniqueConstraint(
            "enterprise_id", "key", name=op.f("uq_enterprise_facility_enterprise_id")
        ),
    )
    with op.batch_alter_table("enterprise_facility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_facility_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "enterprise_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("reported_tco2", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("fossil_tce", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("comprehensive_tce", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("verifier", sa.String(length=64), nullable=True),
        sa.Column("verified_input", sa.JSON(), nullable=True),
        sa.Column("verified_result", sa.JSON(), nullable=True),
        sa.Column("verified_tco2", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_report_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_report")),
        sa.UniqueConstraint(
            "enterprise_id", "year", name=op.f("uq_enterprise_report_enterprise_id")
        ),
    )
    with op.batch_alter_table("enterprise_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_report_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_report_verifier"), ["verifier"], unique=False
        )

    op.create_table(
        "enterprise_efficiency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["enterprise_facility.id"],
            name=op.f("fk_enterprise_efficiency_facility_id_enterprise_facility"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_efficiency")),
        sa.UniqueConstraint(
            "facility_id", "year", name=op.f("uq_enterprise_efficiency_facility_id")
        ),
    )
    with op.batch_alter_table("enterprise_efficiency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_efficiency_facility_id"), ["facility_id"], unique=False
        )

    op.create_table(
        "enterprise_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_evidence_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_evidence")),
    )
    with op.batch_alter_table("enterprise_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_evidence_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprise_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_evidence_enterprise_id"))

    op.drop_table("enterprise_evidence")
    with op.batch_alter_table("enterprise_efficiency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_efficiency_facility_id"))

    op.drop_table("enterprise_efficiency")
    with op.batch_alter_table("enterprise_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_report_verifier"))
        batch_op.drop_index(batch_op.f("ix_enterprise_report_enterprise_id"))

    op.drop_table("enterprise_report")
    with op.batch_alter_table("enterprise_facility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_facility_enterprise_id"))

    op.drop_table("enterprise_facility")
    with op.batch_alter_table("enterprise_allowance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_allowance_enterprise_id"))

    op.drop_table("enterprise_allowance")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_unit_id"))

    op.drop_table("enterprise")
