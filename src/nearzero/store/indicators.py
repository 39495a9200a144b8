"""Queries on indicators: the catalogue rows, the values, assigned targets and assessments,
and the office's data cycle (evaluation year, confirmation, deadlines)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.store.tables.indicators import (
    Assessment,
    AssignedTarget,
    DataDeadline,
    Indicator,
    IndicatorCycle,
    IndicatorDepartment,
    IndicatorPart,
    IndicatorValue,
)
from nearzero.store.tables.units import Category, Department


@dataclass(frozen=True)
class CategoryDefinition:
    id: int
    code: str
    name_zh: str
    name_en: str
    position: int


@dataclass(frozen=True)
class DepartmentDefinition:
    id: int
    unit_id: int
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class PartDefinition:
    code: str
    name_zh: str
    name_en: str
    unit: str
    rule: dict[str, Any]
    position: int


@dataclass(frozen=True)
class IndicatorDefinition:
    """An indicator or task target as its plan defines it: plain values, no session, so a
    process may keep it for as long as the unit's ``plan_revision`` stands."""

    id: int
    unit_id: int
    code: str
    kind: str
    position: int
    name_zh: str
    name_en: str
    unit: str
    attribute: str | None
    rule: dict[str, Any]
    task_ref_zh: str
    note: str
    category: CategoryDefinition
    parts: tuple[PartDefinition, ...]
    departments: tuple[DepartmentDefinition, ...]


def definitions(session: Session, unit_id: int) -> list[IndicatorDefinition]:
    """The definitions of every indicator and task target of unit ``unit_id``, in plan order:
    three plain queries, no ORM objects (the catalogue keeps them by plan revision)."""
    i, c = Indicator, Category
    rows = session.execute(
        select(
            i.id,
            i.code,
            i.kind,
            i.position,
            i.name_zh,
            i.name_en,
            i.unit,
            i.attribute,
            i.rule,
            i.task_ref_zh,
            i.note,
            c.id.label("category_id"),
            c.code.label("category_code"),
            c.name_zh.label("category_name_zh"),
            c.name_en.label("category_name_en"),
            c.position.label("category_position"),
        )
        .join(c, c.id == i.category_id)
        .where(i.unit_id == unit_id)
        .order_by(i.position)
    ).all()
    parts: dict[int, list[PartDefinition]] = defaultdict(list)
    p = IndicatorPart
    for r in session.execute(
        select(p.indicator_id, p.code, p.name_zh, p.name_en, p.unit, p.rule, p.position)
        .join(i, i.id == p.indicator_id)
        .where(i.unit_id == unit_id)
        .order_by(p.indicator_id, p.position)
    ):
        parts[r.indicator_id].append(
            PartDefinition(r.code, r.name_zh, r.name_en, r.unit, r.rule, r.position)
        )
    departments: dict[int, list[DepartmentDefinition]] = defaultdict(list)
    d, link = Department, IndicatorDepartment
    for r in session.execute(
        select(link.indicator_id, d.id, d.code, d.name_zh, d.name_en)
        .join(d, d.id == link.department_id)
        .where(d.unit_id == unit_id)
        .order_by(link.indicator_id, d.id)
    ):
        departments[r.indicator_id].append(
            DepartmentDefinition(r.id, unit_id, r.code, r.name_zh, r.name_en)
        )
    return [
        IndicatorDefinition(
            id=r.id,
            unit_id=unit_id,
            code=r.code,
            kind=r.kind,
            position=r.position,
            name_zh=r.name_zh,
            name_en=r.name_en,
            unit=r.unit,
            attribute=r.attribute,
            rule=r.rule,
            task_ref_zh=r.task_ref_zh,
            note=r.note,
            category=CategoryDefinition(
                r.category_id,
                r.category_code,
                r.category_name_zh,
                r.category_name_en,
                r.category_position,
            ),
            parts=tuple(parts[r.id]),
            departments=tuple(departments[r.id]),
        )
        for r in rows
    ]


def values_of(session: Session, indicator_ids: Sequence[int]) -> list[IndicatorValue]:
    """Every value on record of these indicators."""
    query = select(IndicatorValue).where(IndicatorValue.indicator_id.in_(indicator_ids))
    return list(session.scalars(query))


def assigned_targets_of(session: Session, indicator_ids: Sequence[int]) -> list[AssignedTarget]:
    """Every target set by the higher government for these indicators."""
    query = select(AssignedTarget).where(AssignedTarget.indicator_id.in_(indicator_ids))
    return list(session.scalars(query))


def assessments_of(session: Session, indicator_ids: Sequence[int]) -> list[Assessment]:
    """Every assessment the office recorded for these indicators."""
    query = select(Assessment).where(Assessment.indicator_id.in_(indicator_ids))
    return list(session.scalars(query))


def years_on_record(session: Session, unit_id: int) -> list[int]:
    """The years with at least one value of unit ``unit_id``, ascending."""
    query = (
        select(IndicatorValue.year)
        .join(Indicator)
        .where(Indicator.unit_id == unit_id)
        .distinct()
        .order_by(IndicatorValue.year)
    )
    return list(session.scalars(query))


def values_by_key(session: Session, unit_id: int) -> dict[tuple[str, str, int], IndicatorValue]:
    """Every value of unit ``unit_id`` by (indicator code, part code, year)."""
    query = (
        select(Indicator.code.label("code"), IndicatorValue)
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .where(Indicator.unit_id == unit_id)
    )
    out: dict[tuple[str, str, int], IndicatorValue] = {}
    for row in session.execute(query):
        value: IndicatorValue = row.IndicatorValue
        out[(row.code, value.part_code, value.year)] = value
    return out


def value(session: Session, indicator_id: int, part_code: str, year: int) -> IndicatorValue | None:
    """The value of one indicator (part) in one year, or None."""
    query = select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id,
        IndicatorValue.part_code == part_code,
        IndicatorValue.year == year,
    )
    return session.scalar(query)


def assessment(session: Session, indicator_id: int, year: int) -> Assessment | None:
    query = select(Assessment).where(
        Assessment.indicator_id == indicator_id, Assessment.year == year
    )
    return session.scalar(query)


def assigned_target(session: Session, indicator_id: int, year: int) -> AssignedTarget | None:
    query = select(AssignedTarget).where(
        AssignedTarget.indicator_id == indicator_id, AssignedTarget.year == year
    )
    return session.scalar(query)


def values_in_state(session: Session, unit_id: int, states: Sequence[str]) -> list[IndicatorValue]:
    """The values of unit ``unit_id`` whose review state is one of ``states``, oldest first."""
    query = (
        select(IndicatorValue)
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .where(Indicator.unit_id == unit_id, IndicatorValue.state.in_(states))
        .order_by(Indicator.position, IndicatorValue.year, IndicatorValue.part_code)
    )
    return list(session.scalars(query))


def cycle(session: Session, unit_id: int) -> IndicatorCycle | None:
    """The office's data-cycle settings of unit ``unit_id``, or None when never set."""
    return session.get(IndicatorCycle, unit_id)


def cycle_for_update(session: Session, unit_id: int, username: str) -> IndicatorCycle:
    """The settings row of unit ``unit_id``, added (with the defaults) when missing."""
    row = session.get(IndicatorCycle, unit_id)
    if row is None:
        row = IndicatorCycle(unit_id=unit_id, confirmation=True, set_by=username)
        session.add(row)
    return row


def deadline(session: Session, unit_id: int, year: int) -> DataDeadline | None:
    """The office's deadline for the values of ``year``, or None."""
    query = select(DataDeadline).where(DataDeadline.unit_id == unit_id, DataDeadline.year == year)
    return session.scalar(query)


def set_deadline(
    session: Session, unit_id: int, year: int, due: dt.date, username: str
) -> DataDeadline:
    row = deadline(session, unit_id, year)
    if row is None:
        row = DataDeadline(unit_id=unit_id, year=year, due=due, set_by=username)
        session.add(row)
    row.due, row.set_by = due, username
    session.flush()
    return row


def deadlines(session: Session, unit_id: int) -> list[DataDeadline]:
    """Every deadline of unit ``unit_id``, by year."""
    query = select(DataDeadline).where(DataDeadline.unit_id == unit_id).order_by(DataDeadline.year)
    return list(session.scalars(query))


def delete_value(session: Session, row: IndicatorValue) -> None:
    session.delete(row)
    session.flush()
