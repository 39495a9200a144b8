"""Two-high projects, their stage history and decided requirements, the office's ratio rows,
substitution sources with their reductions, conditions and evidence. The indicators
themselves are in the generic ledger (chart ``two-high``: :mod:`nearzero.twohigh.bank`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nearzero.store.base import Base, utcnow
from nearzero.store.tables.enterprise import Enterprise
from nearzero.store.tables.units import DemoUnit

AMOUNT = Numeric(24, 6)


class TwoHighProject(Base):
    """A project of the two-high project list (两高项目清单)."""

    __tablename__ = "twohigh_project"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    firm_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    segment: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[Decimal | None] = mapped_column(AMOUNT)
    capacity_unit: Mapped[str] = mapped_column(String(32), default="")
    classification: Mapped[str] = mapped_column(String(32), default="")
    disposal: Mapped[str] = mapped_column(String(32), default="")
    disposal_note: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(16))
    approval_doc: Mapped[str] = mapped_column(String(200), default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[DemoUnit] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()


class TwoHighStageChange(Base):
    """One change of a project's stage (the list's dynamic status, with its history)."""

    __tablename__ = "twohigh_stage_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("twohigh_project.id"), index=True)
    stage_from: Mapped[str] = mapped_column(String(16), default="")
    stage_to: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TwoHighNeed(Base):
    """A project's new amount in one dimension [the dimension's entry unit], signed; for
    carbon, ``terms`` keeps the rule's four terms (fuel, process, net purchased, recovered)."""

    __tablename__ = "twohigh_need"
    __table_args__ = (UniqueConstraint("project_id", "dimension"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("twohigh_project.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(32))
    new_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    terms: Mapped[dict[str, Any] | None] = mapped_column()
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TwoHighRequirement(Base):
    """A decided requirement: the new amount, the ratio row it was decided under (kept as it
    was), and the whole ledger units required. Recomputing adds a row; the old one is kept
    with ``current`` false."""

    __tablename__ = "twohigh_requirement"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("twohigh_project.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(32))
    new_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    ratio_id: Mapped[str] = mapped_column(String(120))
    ratio: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    ratio_document: Mapped[str] = mapped_column(String(200))
    ratio_status: Mapped[str] = mapped_column(String(16))
    required: Mapped[int] = mapped_column(BigInteger)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TwoHighRatio(Base):
    """A ratio row the office enters (a document the bundled ``ratios.csv`` lacks)."""

    __tablename__ = "twohigh_ratio"
    __table_args__ = (UniqueConstraint("unit_id", "ratio_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id"), index=True)
    ratio_id: Mapped[str] = mapped_column(String(120))
    document: Mapped[str] = mapped_column(String(64))
    document_zh: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[str] = mapped_column(String(32))
    ratio: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_until: Mapped[dt.date | None] = mapped_column(Date)
    applies: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TwoHighSource(Base):
    """A substitution source (替代源): a closure, conversion, capacity exit or retrofit."""

    __tablename__ = "twohigh_source"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    firm_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    mechanism: Mapped[str] = mapped_column(String(16))
    formed_on: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200))
    in_shandong: Mapped[bool] = mapped_column(Boolean, default=True)
    monitorable: Mapped[bool] = mapped_column(Boolean, default=False)
    countable: Mapped[bool] = mapped_column(Boolean, default=False)
    recheckable: Mapped[bool] = mapped_column(Boolean, default=False)
    conditions_note: Mapped[str] = mapped_column(Text, default="")
    verified_by: Mapped[str] = mapped_column(String(64), default="")
    verified_at: Mapped[dt.datetime | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise | None] = relationship()


class TwoHighReduction(Base):
    """A source's verified reduction in one dimension [entry unit] and in whole ledger units."""

    __tablename__ = "twohigh_reduction"
    __table_args__ = (UniqueConstraint("source_id", "dimension"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("twohigh_source.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    ledger_amount: Mapped[int] = mapped_column(BigInteger)


class TwoHighEvidence(Base):
    """An evidence file of a source (stored by SHA-256 outside the database)."""

    __tablename__ = "twohigh_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("twohigh_source.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
