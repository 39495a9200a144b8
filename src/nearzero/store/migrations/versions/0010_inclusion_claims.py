"""carbon inclusion (issue #15): scenarios the office adds as data; the asset of an
asset-period claim, and the baseline and project emissions of a baseline-minus-project
reduction, beside each record

- ``inclusion_scenario``: a scenario the office added (its YAML, as
  :func:`nearzero.inclusion.choices.scenario_from_dict` reads it); never changed.

- ``inclusion_record.asset``: the ``asset_id`` a partner sent with a claim on an asset over a
  period (rooftop PV, heat pump, air conditioner); NULL: the resident's own asset of the
  scenario. The credited periods of the chunk's residents are read by (resident, start_at),
  those of its named assets, whoever claimed them, by (asset, start_at)
  (``ix_inclusion_record_asset``).
- ``inclusion_record.baseline_g`` and ``project_g``: BE and PE [g CO2] of a record credited
  under an ER = BE − PE methodology (NULL for the other formulas).

Plain ``ADD COLUMN`` (nullable, no default): SQLite keeps the table, its triggers and the
``inclusion_outcomes`` view as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 03:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("asset", "baseline_g", "project_g")


def upgrade() -> None:
    op.create_table(
        "inclusion_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inclusion_scenario")),
        sa.UniqueConstraint("code", name=op.f("uq_inclusion_scenario_code")),
    )
    op.add_column("inclusion_record", sa.Column("asset", sa.String(length=128), nullable=True))
    op.add_column("inclusion_record", sa.Column("baseline_g", sa.BigInteger(), nullable=True))
    op.add_column("inclusion_record", sa.Column("project_g", sa.BigInteger(), nullable=True))
    op.create_index("ix_inclusion_record_asset", "inclusion_record", ["asset", "start_at"])


def downgrade() -> None:
    op.drop_index("ix_inclusion_record_asset", table_name="inclusion_record")
    for name in reversed(COLUMNS):
        op.drop_column("inclusion_record", name)
    op.drop_table("inclusion_scenario")
