"""The overview's line per capability: what the inventory, the key projects and carbon
inclusion say for a year, each ``None`` when that capability holds no data yet.

Read-only; each figure comes from its own service, so the overview and the capability's
page always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from nearzero.projects.choices import Stage
from nearzero.services import inventory, projects
from nearzero.services.inclusion import office as inclusion
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
