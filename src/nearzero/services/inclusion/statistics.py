"""Carbon inclusion statistics for a unit: participants, outcomes and reductions (the core's
Ibis expressions, :mod:`nearzero.inclusion.stats`), indicator 6 (live scenarios) and the
department's pooled statement.

Indicator 6 is written, not computed on read: after each intake (and from the office
page) :func:`sync_indicator_6` counts the scenarios *live* in a year (a partner
authorised for it and at least one record credited in that year) and, when the count
differs from the value on record, writes it through the indicator service's
``set_value`` with source 碳普惠平台, so the evaluation, reports and the audit log see
it like any other value.

Every figure is the unit's: only records its partners sent (DESIGN: nothing may assume one
district).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.points import Asset, pool_account
from nearzero.inclusion.stats import STATISTICS, Period, Runner, outcomes_table, run
from nearzero.services import indicators as indicator_service
from nearzero.services.context import Actor
from nearzero.store import inclusion as store, tables as m
from nearzero.store.inclusion import EngineRunner, SessionRunner
from nearzero.store.inclusion_ledger import inclusion_ledger

PLATFORM_SOURCE = "碳普惠平台"
INDICATOR_CODE = "6"

Rows = dict[str, list[dict[str, Any]]]


def credited_years(session: Session, unit: m.DemoUnit) -> list[int]:
    """Years in which the unit's partners have credited records (by behaviour day)."""
    first, last = store.credited_day_range(session, unit.id)
    if first is None or last is None:
        return []
    return list(range(first.year, last.year + 1))


# --------------------------------------------------------------------------- indicator 6


def live_scenarios(session: Session, unit: m.DemoUnit, year: int) -> dict[str, int]:
    """Scenarios live in ``year``: authorised for an active partner and credited that year.

    Returns scenario → records credited in the year.
    """
    authorised = store.authorised_scenarios(session, unit.id)
    credited = store.credited_by_scenario(session, unit.id, date(year, 1, 1), date(year, 12, 31))
    return {s: n for s, n in credited.items() if s in authorised}


def sync_indicator_6(session: Session, unit: m.DemoUnit, year: int) -> bool:
    """Write indicator 6's value for ``year`` from the live scenarios when it changed."""
    if store.indicator_name(session, unit.id, INDICATOR_CODE) is None:
        return False
    live = live_scenarios(session, unit, year)
    value = float(len(live))
    existing = store.indicator_value(session, unit.id, INDICATOR_CODE, year)
    if existing is not None and existing.value == value and existing.source == PLATFORM_SOURCE:
        return False
    names = "、".join(Scenario(s).label_zh for s in sorted(live))
    evidence = "；".join(
        f"{Scenario(s).label_zh} {n} 条已入账记录" for s, n in sorted(live.items())
    )
    indicator_service.set_value(
        session,
        Actor.system(PLATFORM_SOURCE),
        unit,
        indicator_service.ValueInput(
            code=INDICATOR_CODE,
            year=year,
            value=value,
            text=f"已上线场景：{names}" if names else "尚无上线场景",
            source=PLATFORM_SOURCE,
            evidence=evidence,
        ),
    )
    return True


# --------------------------------------------------------------------------- statistics


def unit_statistics(
    runner: Runner, codes: list[str], period: Period, year: int | None = None
) -> Rows:
    """Every statistic of :data:`~nearzero.inclusion.stats.STATISTICS` over the records of
    the partners ``codes`` (the behaviour days of ``year`` when given); empty lists when
    there is no partner."""
    if not codes:
        return {name: [] for name in STATISTICS}
    t = outcomes_table()
    t = t.filter(t.partner_id.isin(codes))
    if year is not None:
        t = t.filter(t.day >= date(year, 1, 1), t.day <= date(year, 12, 31))
    return {name: run(runner, f(t, period)) for name, f in STATISTICS.items()}


def statistics(engine: Engine, unit: m.DemoUnit, period: Period = Period.MONTH) -> Rows:
    """The unit's participants, records by outcome and reductions by methodology over the
    full history, with the core's Ibis expressions compiled for the store's database (view
    ``inclusion_outcomes``)."""
    with engine.connect() as con, Session(bind=con) as session:
        codes = store.partner_codes(session, unit.id)
    return unit_statistics(EngineRunner(engine), codes, period)


def year_statistics(session: Session, codes: list[str], year: int) -> Rows:
    """The statistics of ``year`` (by year) for the partners ``codes``, on the session."""
    return unit_statistics(SessionRunner(session), codes, Period.YEAR, year)


# --------------------------------------------------------------------------- pooled statement


@dataclass
class StatementLine:
    """Pooled reductions of one methodology version in one month [g CO2e], with the trace
    (the keys of the ledger transactions)."""

    methodology: str
    scenario: str
    period: date
    records: int
    grams: int
    transactions: list[str] = field(default_factory=list)


def pooled_statement(
    session: Session, unit: m.DemoUnit, year: int | None = None
) -> list[StatementLine]:
    """The department's pool (减排量支配权保留在生态环境部门): grams of reductions by
    methodology version and month, with the ledger transactions behind each line; every
    resident posting sums the records of its transaction, resident and methodology version
    (``inclusion_record.tx_id``; see :mod:`.intake`)."""
    first, last = (date(year, 1, 1), date(year, 12, 31)) if year is not None else (None, None)
    lines: dict[tuple[str, str, date], StatementLine] = {}
    for r in store.pooled_records(session, unit.id, first, last):
        month = r.day.replace(day=1)
        key = (r.methodology, r.scenario, month)
        line = lines.setdefault(key, StatementLine(r.methodology, r.scenario, month, 0, 0))
        line.records += 1
        line.grams += r.grams
        if r.tx_key not in line.transactions:
            line.transactions.append(r.tx_key)
    return sorted(lines.values(), key=lambda x: (x.period, x.methodology))


def pool_balance(session: Session, unit_code: str) -> int:
    """Reductions held by the department's pool [g CO2e] (sum of its postings)."""
    return inclusion_ledger(session).balance(pool_account(unit_code), Asset.REDUCTION)
