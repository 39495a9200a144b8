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

from nearzero.indicators.evaluation import Outcome, evaluate
from nearzero.projects.choices import Stage
from nearzero.services import indicators, inventory, projects
from nearzero.services.context import Actor, Role
from nearzero.services.inclusion import statistics as inclusion
from nearzero.store import tables as m


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
    board = projects.board(session, unit, as_of=today)
    if not board.projects:
        return None
    return ProjectsLine(
        total=len(board.projects),
        done=sum(1 for v in board.projects if v.status.stage is Stage.DONE),
        late=len(board.late),
        due_soon=len(board.due_soon),
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
    """The year shown (``year``, else the latest with values) and the years to choose from
    (those with values on record, else the plan's base year)."""
    years = indicators.years_on_record(session, unit) or [unit.base_year]
    return (year if year is not None else years[-1]), years


@dataclass(frozen=True)
class OverviewPage:
    """The overview: the acceptance rule, the line per capability, status by category.

    chart : the category chart's data (category names in the page's language, met and not
        met counts); the page adds the series' names.
    by_status : indicators by status value.
    """

    unit: m.DemoUnit
    year: int
    years: list[int]
    ev: indicators.UnitEvaluation
    chart: dict[str, Any]
    by_status: dict[str, int]
    summary: Summary


def overview_page(
    session: Session, unit: m.DemoUnit, year: int | None, lang: str, today: dt.date | None = None
) -> OverviewPage:
    """The overview of ``unit`` for ``year`` (default the latest with values)."""
    chosen, years = year_choice(session, unit, year)
    ev = indicators.evaluate_unit(session, unit, chosen)
    chart: dict[str, Any] = {
        "categories": [
            c.category.name_en if lang == "en" else c.category.name_zh for c in ev.categories
        ],
        "met": [c.met for c in ev.categories],
        "not_met": [c.total - c.met for c in ev.categories],
    }
    by_status: dict[str, int] = {}
    for e in ev.indicators:
        by_status[e.outcome.status.value] = by_status.get(e.outcome.status.value, 0) + 1
    return OverviewPage(
        unit, chosen, years, ev, chart, by_status, summary(session, unit, chosen, today)
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
        next_year=(years[-1] + 1) if years else unit.base_year,
    )
