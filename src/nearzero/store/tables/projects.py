"""Key project tables: projects, departments and indicators, milestones, progress, evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nearzero.store.base import Base, utcnow
from nearzero.store.tables.indicators import Indicator
from nearzero.store.tables.units import Category, Department


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
