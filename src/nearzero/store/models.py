"""SQLAlchemy models. One schema for SQLite (embedded default) and PostgreSQL (production).

Statuses are never stored: they are computed from the values, targets and assessments on
record every time they are read. The audit log is append-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, dt.datetime: DateTime(timezone=True)}


class DemoUnit(Base):
    """A demonstration unit: a city (district), park or community with its plan."""

    __tablename__ = "demo_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    province_zh: Mapped[str] = mapped_column(String(50), default="")
    office_zh: Mapped[str] = mapped_column(String(200), default="")
    base_year: Mapped[int]
    target_year: Mapped[int]
    plan_title_zh: Mapped[str] = mapped_column(String(300), default="")
    plan_document_no: Mapped[str] = mapped_column(String(100), default="")
    plan_issued: Mapped[dt.date | None] = mapped_column(Date)


class Category(Base):
    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Department(Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))


class Subdistrict(Base):
    __tablename__ = "subdistrict"
    __table_args__ = (UniqueConstraint("unit_id", "name_zh"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    name_zh: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))


class IndicatorDepartment(Base):
    __tablename__ = "indicator_department"
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True
    )


class Indicator(Base):
    """An indicator of the plan's table (kind ``indicator``) or a task target (kind ``task``)."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="indicator")
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    unit: Mapped[str] = mapped_column(String(50))
    attribute: Mapped[str | None] = mapped_column(String(16))
    rule: Mapped[dict[str, Any]]
    task_ref_zh: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category] = relationship()
    parts: Mapped[list[IndicatorPart]] = relationship(
        order_by="IndicatorPart.position", cascade="all, delete-orphan"
    )
    departments: Mapped[list[Department]] = relationship(secondary="indicator_department")


class IndicatorPart(Base):
    __tablename__ = "indicator_part"
    __table_args__ = (UniqueConstraint("indicator_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    rule: Mapped[dict[str, Any]]
    position: Mapped[int] = mapped_column(Integer, default=0)


class IndicatorValue(Base):
    """One year's value of an indicator, or of one of its parts (``part_code`` non-empty)."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "part_code", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    part_code: Mapped[str] = mapped_column(String(64), default="")
    year: Mapped[int]
    value: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AssignedTarget(Base):
    """A target set by the higher government for one year (完成上级下达目标任务)."""

    __tablename__ = "assigned_target"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    year: Mapped[int]
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """The office's judgement (met / not met) for one year, with its evidence."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text)
    assessed_by: Mapped[str] = mapped_column(String(64))
    assessed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class KeyProjectDepartment(Base):
    __tablename__ = "key_project_department"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_project.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True
    )


class KeyProjectIndicator(Base):
    __tablename__ = "key_project_indicator"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_project.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )


class KeyProject(Base):
    __tablename__ = "key_project"
    __table_args__ = (UniqueConstraint("unit_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    number: Mapped[int]
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    name_zh: Mapped[str] = mapped_column(String(200))
    content_zh: Mapped[str] = mapped_column(Text)
    due_text: Mapped[str] = mapped_column(String(50))
    due_date: Mapped[dt.date] = mapped_column(Date)
    note_zh: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    # The project's own figures for its expected annual reduction, e.g.
    # {"kind": "rooftop_pv", "capacity_mw": 10.08}; see nearzero.projects.
    figures: Mapped[dict[str, Any] | None]

    category: Mapped[Category] = relationship()
    departments: Mapped[list[Department]] = relationship(secondary="key_project_department")
    indicators: Mapped[list[Indicator]] = relationship(secondary="key_project_indicator")


class UserAccount(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship()


class AuditLog(Base):
    """Every write: who, when, what, the old and the new value. Rows are only ever added."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(64), default="", index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200), index=True)
    old: Mapped[dict[str, Any] | None]
    new: Mapped[dict[str, Any] | None]


class ProjectMilestone(Base):
    __tablename__ = "project_milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("key_project.id", ondelete="CASCADE"))
    title_zh: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ProjectProgress(Base):
    """A progress update: the stage reached on a date, how far along, what was done."""

    __tablename__ = "project_progress"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_project.id", ondelete="CASCADE"), index=True
    )
    reported_on: Mapped[dt.date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProjectEvidence(Base):
    """An evidence file of a project; the content is stored by its SHA-256 outside the database."""

    __tablename__ = "project_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_project.id", ondelete="CASCADE"), index=True
    )
    progress_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_progress.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


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


import nearzero.store.inclusion  # noqa: E402, F401  (carbon-inclusion and ledger tables)
import nearzero.store.inventory  # noqa: E402, F401  (GHG inventory tables)
