"""carbon-inclusion intake: ``ix_inclusion_record_asset`` only on the rows that have an asset
(issue #13 item 5). Only asset-period claims name an asset; every other record was an entry
in it all the same, written and never read (the credited-period lookup asks for
``asset = …`` / ``IN`` / ``= ANY``, which implies ``asset IS NOT NULL``, so both databases
still use the partial index).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 06:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_inclusion_record_asset", table_name="inclusion_record")
    op.create_index(
        "ix_inclusion_record_asset",
        "inclusion_record",
        ["asset", "start_at"],
        unique=False,
        sqlite_where=sa.text("asset IS NOT NULL"),
        postgresql_where=sa.text("asset IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_inclusion_record_asset", table_name="inclusion_record")
    op.create_index("ix_inclusion_record_asset", "inclusion_record", ["asset", "start_at"])
