"""The demonstration unit and its reference lists: categories, departments, subdistricts."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nearzero.store.base import Base


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
    plan_revision: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)
    """A random token set when the plan is loaded. The indicator definitions (indicators,
    parts, categories, departments) are written by the plan load and never changed, so this
    token names them: a process keeps them by it (``store.indicators.definitions``). Whatever
    changes a definition must give the unit a new token."""


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
