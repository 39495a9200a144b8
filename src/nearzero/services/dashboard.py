"""The dashboard's pages as data: the overview (with its line per capability: what the
inventory, the key projects and carbon inclusion say for a year, each ``None`` when that
capability holds no data yet), the indicator tables and an indicator's page.

Read-only; each figure comes from its own service, so the overview and the capability's
page always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from nearzero.indicators.choices import Status
from nearzero.indicators.cycle import ValueState
from nearzero.indicators.evaluation import Outcome, evaluate
from nearzero.projects.choices import Stage
from nearzero.services import indicators, inventory, projects
from nearzero.services.context import Actor, Role
from nearzero.services.inclusion import statistics as inclusion
from nearzero.store import tables as m
from nearzero.store.indicators import DepartmentDefinition


@dataclass(frozen=True)
class InventoryLine:
    year: int  # the latest inventory year on record up to the year shown
    direct_excl_lulucf_t: float  # tCO2e, scope 1 without LULUCF
    net_t: float  # tCO2e, with LULUCF
    illustrative: bool  # some rows are assumed (the bundled example)


@dataclass(frozen=True)
class ProjectsLine:
    total: int
    done: int
    late: int
    due_soon: int


@dataclass(frozen=True)
class InclusionLine:
    year: int  # the year shown: the one asked for, else the latest with credits
    live_scenarios: int  # indicator 6: scenarios credited in the year through active partners
    records: int  # records credited in the year
    pooled_g: int  # reductions pooled with the department in the year [g CO2]


@dataclass(frozen=True)
class Summary:
    inventory: InventoryLine | None
    projects: ProjectsLine | None
    inclusion: InclusionLine | None


def summary(session: Session, unit: m.DemoUnit, year: int, today: dt.date | None = None) -> Summary:
    """Each capability's headline figures for ``year`` (projects as of ``today``)."""
    return Summary(
        _inventory(session, unit, year),
        _projects(session, unit, today),
        _inclusion(session, unit, year),
    )


def _inventory(session: Session, unit: m.DemoUnit, year: int) -> InventoryLine | None:
    years = [y for y in inventory.years(session, unit) if y <= year]
    if not years:
        return None
    result, _run = inventory.result_for(session, unit, years[-1])
    return InventoryLine(
        years[-1],
        result.totals.direct_excl_lulucf,
        result.totals.net,
        bool(result.lineage.illustrative_rows),
    )


def _projects(session: Session, unit: m.DemoUnit, today: dt.date | None) -> ProjectsLine | None:
    found = projects.statuses(session, unit, as_of=today)
    if not found:
        return None
    return ProjectsLine(
        total=len(found),
        done=sum(1 for s in found if s.stage is Stage.DONE),
        late=sum(1 for s in found if s.late),
        due_soon=sum(1 for s in found if s.due_soon),
    )


def _inclusion(session: Session, unit: m.DemoUnit, year: int) -> InclusionLine | None:
    """The year's carbon-inclusion figures; when the year has none, those of the latest year
    with credits (carbon inclusion starts after the plan's base years), else None."""
    credited = inclusion.credited_years(session, unit)
    for shown in (year, *(sorted(credited, reverse=True) if year not in credited else ())):
        live = inclusion.live_scenarios(session, unit, shown)
        pooled = inclusion.pooled_statement(session, unit, shown)
        if live or pooled:
            return InclusionLine(
                year=shown,
                live_scenarios=len(live),
                records=sum(live.values()),
                pooled_g=sum(line.grams for line in pooled),
            )
    return None


# --------------------------------------------------------------------------- pages


def year_choice(session: Session, unit: m.DemoUnit, year: int | None) -> tuple[int, list[int]]:
    """The year shown (``year``, else the office's evaluation year) and the years to choose
    from (those with values on record, the evaluation year and the year shown)."""
    chosen = year if year is not None else indicators.evaluation_year(session, unit)
    return chosen, indicators.year_choices(session, unit, chosen)


@dataclass(frozen=True)
class OverviewPage:
    """The overview: the acceptance rule, the line per capability, status by category.

    chart : the category chart's data (category names in the page's language, met, not met
        and no-data counts); the page adds the series' names.
    by_status : indicators by status value.
    missing : the indicators without a value that counts in the year (status no data), each
        with the number of its values awaiting the office's confirmation.
    pending : values of the year awaiting the office's confirmation (they do not count yet).
    """

    unit: m.DemoUnit
    year: int
    years: list[int]
    ev: indicators.UnitEvaluation
    chart: dict[str, Any]
    by_status: dict[str, int]
    summary: Summary
    missing: list[tuple[indicators.EvaluatedIndicator, int]]
    pending: int
    cycle: indicators.Cycle


def overview_page(
    session: Session, unit: m.DemoUnit, year: int | None, lang: str, today: dt.date | None = None
) -> OverviewPage:
    """The overview of ``unit`` for ``year`` (default the office's evaluation year)."""
    chosen, years = year_choice(session, unit, year)
    ev = indicators.evaluate_unit(session, unit, chosen)
    chart: dict[str, Any] = {
        "categories": [
            c.category.name_en if lang == "en" else c.category.name_zh for c in ev.categories
        ],
        "met": [c.met for c in ev.categories],
        "not_met": [c.not_met for c in ev.categories],
        "no_data": [c.no_data for c in ev.categories],
    }
    by_status = {s.value: 0 for s in Status}
    for e in ev.indicators:
        by_status[e.outcome.status.value] += 1
    missing = [
        (e, len(e.view.in_year(chosen, ValueState.SUBMITTED)))
        for e in ev.indicators
        if e.outcome.status is Status.NO_DATA
    ]
    pending = sum(
        len(e.view.in_year(chosen, ValueState.SUBMITTED)) for e in ev.indicators + ev.task_targets
    )
    return OverviewPage(
        unit,
        chosen,
        years,
        ev,
        chart,
        by_status,
        summary(session, unit, chosen, today),
        missing,
        pending,
        indicators.data_cycle(session, unit),
    )


@dataclass(frozen=True)
class IndicatorTablePage:
    """The indicator table (``title == "indicators"``, filtered by category code and attribute)
    or the task targets (``title == "task_targets"``)."""

    unit: m.DemoUnit
    year: int
    years: list[int]
    ev: indicators.UnitEvaluation
    rows: list[indicators.EvaluatedIndicator]
    title: str
    category: str | None = None
    attribute: str | None = None


def indicator_table_page(
    session: Session,
    unit: m.DemoUnit,
    year: int | None,
    category: str | None = None,
    attribute: str | None = None,
) -> IndicatorTablePage:
    """The plan's indicators in ``year``, those of ``category`` and ``attribute`` when given."""
    chosen, years = year_choice(session, unit, year)
    ev = indicators.evaluate_unit(session, unit, chosen)
    rows = [
        e
        for e in ev.indicators
        if (not category or e.view.spec.category == category)
        and (not attribute or (e.view.spec.attribute and e.view.spec.attribute.value == attribute))
    ]
    return IndicatorTablePage(unit, chosen, years, ev, rows, "indicators", category, attribute)


def task_targets_page(session: Session, unit: m.DemoUnit, year: int | None) -> IndicatorTablePage:
    """The plan's task targets in ``year``."""
    chosen, years = year_choice(session, unit, year)
    ev = indicators.evaluate_unit(session, unit, chosen)
    return IndicatorTablePage(unit, chosen, years, ev, ev.task_targets, "task_targets")


@dataclass(frozen=True)
class ValueRow:
    """One year of an indicator's values: the value (or per part), the text, the status."""

    year: int
    value: float | None
    parts: dict[str, float | None]
    text: str
    status: Outcome
    stored: list[m.IndicatorValue]  # every stored value of the year, with its review state


@dataclass(frozen=True)
class IndicatorPage:
    """An indicator's page: its status in ``year``, values by year, trend, history, forms.

    chart : :func:`~nearzero.services.indicators.trend_data` (names in the page's language),
        None when nothing numeric is on record; the page adds the lines' labels.
    """

    unit: m.DemoUnit
    year: int
    years: list[int]
    view: indicators.IndicatorView
    outcome: Outcome
    rows: list[ValueRow]
    history: list[m.AuditLog]
    chart: dict[str, Any] | None
    may_edit: bool
    is_admin: bool
    next_year: int  # the year the value form proposes
    cycle: indicators.Cycle


def indicator_page(
    session: Session, actor: Actor, unit: m.DemoUnit, code: str, year: int | None, lang: str
) -> IndicatorPage:
    """Indicator ``code`` of ``unit`` as ``actor`` sees it in ``year``."""
    (view,) = indicators.catalogue(session, unit, code)
    chosen, years = year_choice(session, unit, year)
    outcome = evaluate(view.spec, view.record, chosen)
    rows = [
        ValueRow(
            year=y,
            value=view.record.values.get(y),
            parts={p.code: view.record.part_values.get(p.code, {}).get(y) for p in view.spec.parts},
            text=view.texts.get(("", y), ""),
            status=evaluate(view.spec, view.record, y),
            stored=[v for (_, vy), v in sorted(view.stored.items()) if vy == y],
        )
        for y in view.value_years()
    ]
    return IndicatorPage(
        unit=unit,
        year=chosen,
        years=years,
        view=view,
        outcome=outcome,
        rows=rows,
        history=indicators.history(session, unit, code),
        chart=indicators.trend_data(view, outcome, lang),
        may_edit=indicators.may_edit(actor, view.row),
        is_admin=actor.role is Role.ADMIN,
        next_year=chosen,
        cycle=indicators.data_cycle(session, unit),
    )


# --------------------------------------------------------------------------- to-do


@dataclass(frozen=True)
class MissingValue:
    """An indicator or task target without a value stored for the year (``parts``: the names
    of the parts still missing, empty for the indicator's own value)."""

    view: indicators.IndicatorView
    parts: list[str]


@dataclass(frozen=True)
class DepartmentTodo:
    """What one department still owes the office for the year, and what came back to it.

    missing : its indicators and task targets without a value for the year
    pending : its values awaiting the office's confirmation
    returned : its values the office sent back, each with the reason
    milestones : its key projects' milestones overdue or due soon (not done)
    late_projects : its key projects past their due date and not done
    overdue_data : values missing after the office's deadline for the year
    """

    department: DepartmentDefinition
    missing: list[MissingValue]
    pending: list[indicators.PendingValue]
    returned: list[indicators.PendingValue]
    milestones: list[projects.MilestoneDue]
    late_projects: list[projects.ProjectView]
    overdue_data: bool

    @property
    def empty(self) -> bool:
        return not (
            self.missing or self.pending or self.returned or self.milestones or self.late_projects
        )


@dataclass(frozen=True)
class TodoPage:
    """The to-do of the logged-in person for ``year`` (the evaluation year by default).

    A department editor sees its own department; the office (and reviewers) every department,
    with the values awaiting confirmation (``review``) and the office's settings (``cycle``,
    with its forms for the office).
    """

    unit: m.DemoUnit
    year: int
    years: list[int]
    cycle: indicators.Cycle
    deadline: dt.date | None  # the office's deadline for ``year``
    overdue: bool  # the deadline for ``year`` has passed
    office: bool  # the working-group office (may confirm, return, set the cycle)
    departments: list[DepartmentTodo]
    review: list[indicators.PendingValue]  # every submitted value, awaiting the office
    today: dt.date


def _departments(
    views: list[indicators.IndicatorView], board: list[projects.ProjectView]
) -> list[DepartmentDefinition]:
    """The departments that own an indicator or a key project, in plan order."""
    seen: dict[str, DepartmentDefinition] = {}
    for v in views:
        for d in v.departments:
            seen.setdefault(d.code, d)
    for p in board:
        for r in p.row.departments:
            if r.code not in seen:
                seen[r.code] = DepartmentDefinition(r.id, r.unit_id, r.code, r.name_zh, r.name_en)
    return list(seen.values())


def todo_page(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    year: int | None,
    today: dt.date | None = None,
) -> TodoPage:
    """The to-do of ``actor`` for ``year`` (default the office's evaluation year)."""
    cycle = indicators.data_cycle(session, unit, today)
    chosen, years = year_choice(session, unit, year)
    day = cycle.today
    views = indicators.catalogue(session, unit)
    submitted = indicators.values_in_review(session, unit, ValueState.SUBMITTED, views)
    returned = indicators.values_in_review(session, unit, ValueState.RETURNED, views)
    all_projects = projects.views(session, unit, as_of=day)
    due = indicators.deadline_for(session, unit, chosen)
    overdue = due is not None and day > due
    mine = actor.department if actor.role is Role.EDITOR else None
    todos = []
    for dept in _departments(views, all_projects):
        if mine is not None and (dept.code != mine or dept.unit_id != actor.unit_id):
            continue
        owned = [v for v in views if dept.code in {d.code for d in v.departments}]
        missing = []
        for v in owned:
            gaps = v.missing_in(chosen)
            if gaps:
                names = {p.code: p.name_zh for p in v.spec.parts}
                missing.append(MissingValue(v, [names[g] for g in gaps if g]))
        mine_of = {v.row.id for v in owned}
        todos.append(
            DepartmentTodo(
                department=dept,
                missing=missing,
                pending=[p for p in submitted if p.row.indicator_id in mine_of],
                returned=[p for p in returned if p.row.indicator_id in mine_of],
                milestones=projects.milestones_due(session, unit, day, dept.code),
                late_projects=[
                    p
                    for p in all_projects
                    if p.status.late and dept.code in {d.code for d in p.row.departments}
                ],
                overdue_data=overdue and bool(missing),
            )
        )
    return TodoPage(
        unit=unit,
        year=chosen,
        years=years,
        cycle=cycle,
        deadline=due,
        overdue=overdue,
        office=actor.role is Role.ADMIN,
        departments=todos,
        review=submitted if mine is None else [],
        today=day,
    )
