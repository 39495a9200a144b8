"""``demo_unit.plan_revision``: a random token written when a unit's plan is loaded, so that a
process may keep the unit's indicator definitions (indicators, parts, categories, departments:
written once by the plan load, never changed) and know them again without reading them (issue
#13 item 8). Every unit already loaded gets its own token.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 09:00:00.000000
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("demo_unit") as batch:
        batch.add_column(sa.Column("plan_revision", sa.String(32), nullable=True))
    unit = sa.table("demo_unit", sa.column("id", sa.Integer), sa.column("plan_revision"))
    bind = op.get_bind()
    for (unit_id,) in bind.execute(sa.select(unit.c.id)).all():
        bind.execute(
            unit.update().where(unit.c.id == unit_id).values(plan_revision=uuid.uuid4().hex)
        )
    with op.batch_alter_table("demo_unit") as batch:
        batch.alter_column("plan_revision", existing_type=sa.String(32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("demo_unit") as batch:
        batch.drop_column("plan_revision")
