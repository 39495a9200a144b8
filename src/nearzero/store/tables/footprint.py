"""Product carbon footprint studies (issue #14): a firm's study of one product.

- ``footprint_study``: the product system as uploaded (``system``, the file format
  ``nearzero.footprint.system/1`` whatever the upload was: YAML, JSON, an openLCA JSON-LD zip,
  the Excel template or the web form), its computed result (``result``,
  ``nearzero.footprint.result/1``) and its state: ``draft`` (stored, not computed),
  ``computed``, ``approved`` (the office confirmed it: the study is *completed* and counts for
  indicator 14). Every change is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nearzero.store.base import Base, utcnow
from nearzero.store.tables.enterprise import Enterprise


class FootprintStudy(Base):
    """One product carbon footprint study of an enterprise."""

    __tablename__ = "footprint_study"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    source_name: Mapped[str] = mapped_column(String(255), default="")
    source_kind: Mapped[str] = mapped_column(String(16), default="")
    system: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any] | None]
    total_kgco2e: Mapped[Decimal | None] = mapped_column(Numeric(24, 9))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    computed_by: Mapped[str | None] = mapped_column(String(64))
    computed_at: Mapped[dt.datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime | None]

    enterprise: Mapped[Enterprise] = relationship()
