"""Queries on indicators: the catalogue rows, the values, assigned targets and assessments,
and the office's data cycle (evaluation year, confirmation, deadlines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from nearzero.store.tables.indicators import (
    Assessment,
    AssignedTarget,
    DataDeadline,
    Indicator,
    IndicatorCycle,
    IndicatorValue,
)


def indicators(session: Session, unit_id: int, code: str | None = None) -> list[Indicator]:
    """The indicators and task targets of unit ``unit_id`` (or only ``code``) in plan order,
    with their parts, departments and category loaded."""
    query = (
        select(Indicator)
        .where(Indicator.unit_id == unit_id)
        .options(
            selectinload(Indicator.parts),
            selectinload(Indicator.departments),
            selectinload(Indicator.category),
        )
        .order_by(Indicator.position)
    )
    if code is not None:
        query = query.where(Indicator.code == code)
    return list(session.scalars(query))


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
