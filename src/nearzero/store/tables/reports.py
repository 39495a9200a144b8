"""The office's editable sections of the annual evaluation report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nearzero.store.base import Base, utcnow


class ReportSection(Base):
    """An editable section of the annual evaluation report (问题, 下一年工作 …)."""

    __tablename__ = "report_section"
    __table_args__ = (UniqueConstraint("unit_id", "year", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    year: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
