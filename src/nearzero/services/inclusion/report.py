"""The annual report's 碳普惠 section: the figures of a year gathered for a unit; the prose
and tables are written by :mod:`nearzero.reports.sections.inclusion` from plain data."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from nearzero.formatting import china_time
from nearzero.inclusion.choices import Period
from nearzero.reports.model import Block
from nearzero.reports.sections.inclusion import (
    RulesSummary,
    ScenarioMethodology,
    YearFigures,
    inclusion_blocks,
    tonnes,
)
from nearzero.services.inclusion import rules as inclusion_rules
from nearzero.services.inclusion.statistics import (
    INDICATOR_CODE,
    live_scenarios,
    pooled_statement,
    pooled_transactions,
    statistics,
)
from nearzero.store import inclusion as store, tables as m

__all__ = ["YearFigures", "report_blocks", "rules_summary", "tonnes", "year_figures"]


def year_figures(session: Session, unit: m.DemoUnit, year: int) -> YearFigures | None:
    """The figures of ``year`` for the unit's partners, with the core's Ibis statistics
    (the same expressions as :func:`.statistics.statistics`) restricted to the year and the
    unit; None when the unit has no carbon-inclusion partner at all."""
    codes = store.partner_codes(session, unit.id)
    if not codes:
        return None
    stats = statistics(session, unit, Period.YEAR, year)
    outcomes: dict[str, int] = {}
    for r in stats["records_by_outcome"]:
        outcomes[str(r["outcome"])] = outcomes.get(str(r["outcome"]), 0) + int(r["records"])
    statement = pooled_statement(session, unit, year)
    return YearFigures(
        year=year,
        partners=len(codes),
        participants=stats["participants"],
        outcomes=outcomes,
        reductions=stats["reductions_by_methodology"],
        pooled_g=sum(line.grams for line in statement),
        pooled_transactions=pooled_transactions(session, unit, year),
        live=live_scenarios(session, unit, year),
    )


def rules_summary(session: Session, unit: m.DemoUnit, year: int) -> RulesSummary:
    """The unit's platform rules in force at the end of ``year``, as plain data."""
    in_force = inclusion_rules.rules(session, unit)
    chosen = tuple(
        ScenarioMethodology(
            r.scenario,
            str(r.methodology.ref),
            r.missing,
            r.methodology.title_zh,
            tuple(
                next((p.label_zh for p in r.methodology.parameters if p.name == n), n)
                for n in r.missing
            ),
        )
        for r in inclusion_rules.scenario_rules(in_force, date(year, 12, 31))
        if r.methodology is not None
    )
    saved = in_force.saved_at  # the day in Beijing (stored times are UTC)
    saved_on = date.fromisoformat(china_time(saved)[:10]) if saved else None
    return RulesSummary(in_force.origin, saved_on, chosen, tuple(in_force.scheme.unset()))


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Block] | None:
    """The annual report's 碳普惠 section (see :mod:`nearzero.services.report`): participants,
    records accepted and rejected by reason, reductions by methodology [t CO2e], the
    reductions pooled by the department, and indicator 6 (live scenarios) for ``year``.

    None when the unit has no carbon-inclusion partner (the report then says it has no
    data); a year without records says so in words.
    """
    figures = year_figures(session, unit, year)
    if figures is None:
        return None
    indicator = store.indicator_name(session, unit.id, INDICATOR_CODE)
    return inclusion_blocks(figures, indicator, rules_summary(session, unit, year))
