"""GHG inventory tables: activity data sets, a unit's local factors, inventory runs.

A run keeps its whole result as the ``nearzero.inventory.result/1`` document (docs/json.md):
totals, sector × gas tables, records and the lineage — which methods, factor rows with file
versions and GWP set produced it — so a stored figure always says where it came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nearzero.store.base import Base, utcnow


class InventoryDataset(Base):
    """A unit's activity data for one inventory year: the parsed document as JSON."""

    __tablename__ = "inventory_dataset"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    year: Mapped[int]
    # nearzero.inventory-activity/1 (nearzero.accounting.activity), this year's rows only
    document: Mapped[dict[str, Any]]
    source_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    example: Mapped[bool] = mapped_column(default=False)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InventoryFactor(Base):
    """A unit's local (Tier 2) factor with its citation; overlays the default library."""

    __tablename__ = "inventory_factor"
    __table_args__ = (UniqueConstraint("unit_id", "factor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    factor_id: Mapped[str] = mapped_column(String(100))
    parameter: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None]
    uncertainty_pct: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InventoryRun(Base):
    """One computation of an inventory year: GWP set, factor versions, the result document.

    ``changes`` lists what moved against the previous run of the same year and GWP set
    (IPCC 2006 Vol 1 Ch 5 §5.2 recalculation), as ``{"changes": [...]}``.
    """

    __tablename__ = "inventory_run"
    __table_args__ = (Index("ix_inventory_run_unit_year", "unit_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("inventory_dataset.id", ondelete="SET NULL")
    )
    year: Mapped[int]
    gwp_set: Mapped[str] = mapped_column(String(8))
    factor_versions: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    changes: Mapped[dict[str, Any] | None]
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
