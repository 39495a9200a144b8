"""carbon-inclusion participants keyed by unit and resident first (issue #13 item 5)

``inclusion_participant`` (each resident credited in a unit's month or year, per scenario)
was keyed (unit, period kind, period, scenario, resident): a handful of distinct prefixes,
so every comparison while the intake added a chunk's residents walked four equal columns
before the one that tells rows apart, a 64-character pseudonym compared in the database's
collation. Keyed (unit, resident, period kind, period, scenario), the second column decides
(the unit stays first: it is a foreign key, and a unit's deletion finds its rows by it),
and on PostgreSQL the pseudonym compares byte by byte (``COLLATE "C"``: a pseudonym is no
word to sort by language). Adding 120,000 rows (a million records' residents) in ten
chunks took 0.78 s of the server's time, now 0.55 s. Nothing reads the set in its old key
order (the counts are in ``inclusion_participant_count``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 18:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "inclusion_participant"
KEY = "pk_inclusion_participant"
OLD = ["unit_id", "period_kind", "period", "scenario", "resident"]
NEW = ["unit_id", "resident", "period_kind", "period", "scenario"]


def _key(columns: list[str], collation: str | None) -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(KEY, type_="primary")
        if op.get_bind().dialect.name == "postgresql":
            batch_op.alter_column(
                "resident",
                existing_type=sa.String(128),
                type_=sa.String(128, collation=collation),
                existing_nullable=False,
            )
        batch_op.create_primary_key(KEY, columns)


def upgrade() -> None:
    _key(NEW, "C")


def downgrade() -> None:
    _key(OLD, "default")
