"""Enterprise tables (issue #9): the registry of a unit's firms and their facilities, annual
emission reports through verification, evidence files, ETS allowances, efficiency values.

- ``enterprise``: a firm of a unit; ``key`` is unique per unit, and so is the unified social
  credit code when one is known (NULL codes do not collide on SQLite or PostgreSQL).
- ``enterprise_facility``: a unit, kiln or line with its capacity, optionally judged against a
  row of ``data/enterprise/benchmarks.csv`` (``benchmark_id``).
- ``enterprise_report``: one per firm and year; ``state`` follows
  :class:`nearzero.enterprise.workflow.State`; ``input`` is the reported input document
  (``nearzero.enterprise.report-input/1``), ``result`` the computed result
  (``nearzero.enterprise.report/1``, with lineage); the verifier's adjusted input and result
  and findings sit beside them.
- ``enterprise_evidence``: a file of a firm-year (a report's, or a month's item of the evidence
  calendar, ``month`` and ``item``), content stored by SHA-256 outside the database.
- ``enterprise_allowance``: allocated allowances, CCER used and the surrender of a firm-year.
- ``enterprise_efficiency``: a facility's indicator value of a year (e.g. kgce/t clinker).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nearzero.store.base import Base, utcnow


class Enterprise(Base):
    """An enterprise of a demonstration unit (重点企业 / 重点排放单位)."""

    __tablename__ = "enterprise"
    __table_args__ = (
        UniqueConstraint("unit_id", "key", name="uq_enterprise_unit_key"),
        UniqueConstraint("unit_id", "credit_code", name="uq_enterprise_unit_credit_code"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    industry_code: Mapped[str | None] = mapped_column(String(8))
    sector: Mapped[str | None] = mapped_column(String(64))
    subdistrict: Mapped[str] = mapped_column(String(100), default="")
    covered_by_ets: Mapped[bool] = mapped_column(Boolean, default=False)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    name_is_full: Mapped[bool] = mapped_column(Boolean, default=True)
    clauses: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    facilities: Mapped[list[EnterpriseFacility]] = relationship(
        order_by="EnterpriseFacility.id", cascade="all, delete-orphan"
    )


class EnterpriseFacility(Base):
    """A facility of an enterprise: generating unit, kiln or line, with its capacity."""

    __tablename__ = "enterprise_facility"
    __table_args__ = (UniqueConstraint("enterprise_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    capacity_unit: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16), default="operating")
    clause: Mapped[str] = mapped_column(Text, default="")
    benchmark_id: Mapped[str | None] = mapped_column(String(64))


class EnterpriseReport(Base):
    """One enterprise's annual emissions report and its verification."""

    __tablename__ = "enterprise_report"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    reported_tco2: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    fossil_tce: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    comprehensive_tce: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    source_name: Mapped[str] = mapped_column(String(255), default="")
    verifier: Mapped[str | None] = mapped_column(String(64), index=True)
    verified_input: Mapped[dict[str, Any] | None]
    verified_result: Mapped[dict[str, Any] | None]
    verified_tco2: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    findings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()


class EnterpriseEvidence(Base):
    """An evidence file of an enterprise's year (its report's, or a month's item of the
    evidence calendar); the content is stored by its SHA-256 outside the database."""

    __tablename__ = "enterprise_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(32), default="")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EnterpriseAllowance(Base):
    """ETS allowances of a covered enterprise and year [t CO2, whole tonnes]."""

    __tablename__ = "enterprise_allowance"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer)
    ccer_used: Mapped[int] = mapped_column(Integer, default=0)
    surrendered: Mapped[bool] = mapped_column(Boolean, default=False)
    surrendered_tonnes: Mapped[int | None] = mapped_column(Integer)
    surrendered_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EnterpriseEfficiency(Base):
    """A facility's energy-efficiency indicator of a year, in its benchmark row's unit."""

    __tablename__ = "enterprise_efficiency"
    __table_args__ = (UniqueConstraint("facility_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise_facility.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
