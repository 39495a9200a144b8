"""Indicator system tables: indicators, their parts, yearly values, assigned targets, assessments.

Statuses are never stored: they are computed from the values, targets and assessments on
record every time they are read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nearzero.store.base import Base, utcnow
from nearzero.store.tables.units import Category, Department


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
    # the office's review (nearzero.indicators.cycle.ValueState): submitted, confirmed, returned;
    # values stored before the review existed, and the office's own, are confirmed
    state: Mapped[str] = mapped_column(String(16), default="confirmed", server_default="confirmed")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    reviewed_at: Mapped[dt.datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # the figure as the office last confirmed it (confirmed_at set): it keeps counting while a
    # change to it awaits confirmation or was sent back
    confirmed_value: Mapped[float | None] = mapped_column(Float)
    confirmed_text: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[dt.datetime | None]


class IndicatorCycle(Base):
    """The office's settings of a unit's yearly data cycle: the evaluation year (the default
    year of every page, report and dossier) and whether values need its confirmation."""

    __tablename__ = "indicator_cycle"
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("demo_unit.id", ondelete="CASCADE"), primary_key=True
    )
    evaluation_year: Mapped[int | None]
    confirmation: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    set_by: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DataDeadline(Base):
    """The office's deadline for the departments' values of one year."""

    __tablename__ = "data_deadline"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    year: Mapped[int]
    due: Mapped[dt.date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


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
