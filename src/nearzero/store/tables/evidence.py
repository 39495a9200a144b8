"""Evidence files attached to an indicator's value (issue #12 item 7); the content is kept
outside the database, by its SHA-256, in the evidence folder."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from nearzero.store.base import Base, utcnow


class ValueEvidence(Base):
    """One file attached to the value of an indicator (or a part of it) for a year."""

    __tablename__ = "value_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    part_code: Mapped[str] = mapped_column(String(64), default="")
    year: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
