"""two-high projects: the project list with its stage history, new amounts and decided
requirements, the office's ratio rows, substitution sources with their reductions and evidence;
ledger_transaction.ledger names the chart of each transaction (the two-high indicator ledger
shares the generic ledger's tables with carbon inclusion)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNT = sa.Numeric(24, 6)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, column: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ledger",
                sa.String(length=32),
                server_default="carbon-inclusion",
                nullable=False,
            )
        )

    op.create_table(
        "twohigh_project",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("firm_name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("capacity", AMOUNT, nullable=True),
        sa.Column("capacity_unit", sa.String(length=32), nullable=False),
        sa.Column("classification", sa.String(length=32), nullable=False),
        sa.Column("disposal", sa.String(length=32), nullable=False),
        sa.Column("disposal_note", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("approval_doc", sa.String(length=200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("twohigh_project", "enterprise_id", "enterprise"),
        _fk("twohigh_project", "unit_id", "demo_unit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_project")),
        sa.UniqueConstraint("unit_id", "code", name=op.f("uq_twohigh_project_unit_id")),
    )
    _index("twohigh_project", "unit_id")

    op.create_table(
        "twohigh_stage_change",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_from", sa.String(length=16), nullable=False),
        sa.Column("stage_to", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        _fk("twohigh_stage_change", "project_id", "twohigh_project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_stage_change")),
    )
    _index("twohigh_stage_change", "project_id")

    op.create_table(
        "twohigh_need",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("new_amount", AMOUNT, nullable=False),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        _fk("twohigh_need", "project_id", "twohigh_project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_need")),
        sa.UniqueConstraint("project_id", "dimension", name=op.f("uq_twohigh_need_project_id")),
    )
    _index("twohigh_need", "project_id")

    op.create_table(
        "twohigh_requirement",
        _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("new_amount", AMOUNT, nullable=False),
        sa.Column("ratio_id", sa.String(length=120), nullable=False),
        sa.Column("ratio", sa.Numeric(10, 4), nullable=False),
        sa.Column("ratio_document", sa.String(length=200), nullable=False),
        sa.Column("ratio_status", sa.String(length=16), nullable=False),
        sa.Column("required", sa.BigInteger(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        _fk("twohigh_requirement", "project_id", "twohigh_project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_requirement")),
    )
    _index("twohigh_requirement", "project_id")

    op.create_table(
        "twohigh_ratio",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("ratio_id", sa.String(length=120), nullable=False),
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("document_zh", sa.String(length=200), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("ratio", sa.Numeric(10, 4), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("applies", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        _fk("twohigh_ratio", "unit_id", "demo_unit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_ratio")),
        sa.UniqueConstraint("unit_id", "ratio_id", name=op.f("uq_twohigh_ratio_unit_id")),
    )
    _index("twohigh_ratio", "unit_id")

    op.create_table(
        "twohigh_source",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("firm_name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("mechanism", sa.String(length=16), nullable=False),
        sa.Column("formed_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("in_shandong", sa.Boolean(), nullable=False),
        sa.Column("monitorable", sa.Boolean(), nullable=False),
        sa.Column("countable", sa.Boolean(), nullable=False),
        sa.Column("recheckable", sa.Boolean(), nullable=False),
        sa.Column("conditions_note", sa.Text(), nullable=False),
        sa.Column("verified_by", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("twohigh_source", "enterprise_id", "enterprise"),
        _fk("twohigh_source", "unit_id", "demo_unit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_source")),
        sa.UniqueConstraint("unit_id", "code", name=op.f("uq_twohigh_source_unit_id")),
    )
    _index("twohigh_source", "unit_id")

    op.create_table(
        "twohigh_reduction",
        _id(),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("ledger_amount", sa.BigInteger(), nullable=False),
        _fk("twohigh_reduction", "source_id", "twohigh_source"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_reduction")),
        sa.UniqueConstraint("source_id", "dimension", name=op.f("uq_twohigh_reduction_source_id")),
    )
    _index("twohigh_reduction", "source_id")

    op.create_table(
        "twohigh_evidence",
        _id(),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        _fk("twohigh_evidence", "source_id", "twohigh_source"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twohigh_evidence")),
    )
    _index("twohigh_evidence", "source_id")


def downgrade() -> None:
    for table in (
        "twohigh_evidence",
        "twohigh_reduction",
        "twohigh_source",
        "twohigh_ratio",
        "twohigh_requirement",
        "twohigh_need",
        "twohigh_stage_change",
        "twohigh_project",
    ):
        op.drop_table(table)
    # native DROP COLUMN (SQLite ≥ 3.35): a batch copy of ledger_transaction would break the
    # foreign keys of its postings
    op.execute("ALTER TABLE ledger_transaction DROP COLUMN ledger")
