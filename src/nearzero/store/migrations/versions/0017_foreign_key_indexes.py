"""every foreign key column leads an index (issue #13): PostgreSQL does not index foreign keys
itself; the pages look children up by their parent (a unit's partners, a project's milestones,
a department's indicators) and a parent's delete checks its children. The rule is kept for new
tables by ``nearzero.store.tables._index_foreign_keys``.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 06:25:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEYS = (
    ("indicator", "category_id"),
    ("indicator_department", "department_id"),
    ("key_project", "category_id"),
    ("key_project_department", "department_id"),
    ("key_project_indicator", "indicator_id"),
    ("project_milestone", "project_id"),
    ("project_evidence", "progress_id"),
    ("user_account", "unit_id"),
    ("user_account", "department_id"),
    ("inclusion_partner", "unit_id"),
    ("inclusion_merchant", "unit_id"),
    ("inclusion_offer", "merchant_id"),
    ("inclusion_redemption", "merchant_id"),
    ("inclusion_redemption", "offer_id"),
    ("inclusion_redemption", "tx_id"),
    ("inventory_run", "dataset_id"),
    ("twohigh_project", "enterprise_id"),
    ("twohigh_source", "enterprise_id"),
)


def upgrade() -> None:
    for table, column in FOREIGN_KEYS:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in FOREIGN_KEYS:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
