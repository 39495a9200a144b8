"""Carbon inclusion statistics for a unit: participants, outcomes and reductions, indicator 6
(live scenarios) and the department's pooled statement.

The pages read the summaries the intake keeps (:mod:`nearzero.store.inclusion_summary`), so
they answer in the same time at any count of records; the rows and their order are those of
the core's Ibis expressions (:mod:`nearzero.inclusion.stats`), which still run over every
record for the day view and are what the summaries are tested against.

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

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from nearzero.inclusion.choices import Period, Scenario
from nearzero.inclusion.points import Asset, pool_account
from nearzero.services import audit, indicators as indicator_service
from nearzero.services.context import Actor
from nearzero.store import inclusion as store, inclusion_summary as summary, tables as m
from nearzero.store.inclusion import SessionRunner
from nearzero.store.inclusion_ledger import inclusion_ledger

if TYPE_CHECKING:
    from nearzero.inclusion.stats import Runner

PLATFORM_SOURCE = "碳普惠平台"
INDICATOR_CODE = "6"

Rows = dict[str, list[dict[str, Any]]]


def credited_years(session: Session, unit: m.DemoUnit) -> list[int]:
    """Years in which the unit's partners have credited records (by behaviour day)."""
    first, last = summary.credited_month_range(session, unit.id)
    if first is None or last is None:
        return []
    return list(range(first.year, last.year + 1))


# --------------------------------------------------------------------------- indicator 6


def live_scenarios(session: Session, unit: m.DemoUnit, year: int) -> dict[str, int]:
    """Scenarios live in ``year``: authorised for an active partner and credited that year.

    Returns scenario → records credited in the year.
    """
    authorised = store.authorised_scenarios(session, unit.id)
    credited: dict[str, int] = {}
    for line in summary.credit_lines(session, unit.id, date(year, 1, 1), date(year, 12, 31)):
        credited[line.scenario] = credited.get(line.scenario, 0) + line.records
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
    the partners ``codes`` (the behaviour days of ``year`` when given), with the core's Ibis
    expressions (view ``inclusion_outcomes``); empty lists when there is no partner.

    This reads every record: the pages use :func:`statistics`, which reads the summaries
    the intake keeps; this is the day view and the reference the summaries are tested
    against."""
    from nearzero.inclusion.stats import STATISTICS, outcomes_table, run  # loads Ibis

    if not codes:
        return {name: [] for name in STATISTICS}
    t = outcomes_table()
    t = t.filter(t.partner_id.isin(codes))
    if year is not None:
        t = t.filter(t.day >= date(year, 1, 1), t.day <= date(year, 12, 31))
    return {name: run(runner, f(t, period)) for name, f in STATISTICS.items()}


def statistics(
    session: Session, unit: m.DemoUnit, period: Period = Period.MONTH, year: int | None = None
) -> Rows:
    """The unit's participants, records by outcome and reductions by methodology per
    ``period`` (over the full history, or the behaviour days of ``year``), in the rows and
    order of the core's Ibis statistics (:mod:`nearzero.inclusion.stats`), on the session's
    own connection.

    Months and years come from the summaries the intake keeps
    (:mod:`nearzero.store.inclusion_summary`) and the refused records, so the time does not
    grow with the credited records; days are counted from the records with the Ibis
    expressions (:func:`unit_statistics`)."""
    if period is Period.DAY:
        return unit_statistics(
            SessionRunner(session), store.partner_codes(session, unit.id), period, year
        )
    kind = summary.MONTH if period is Period.MONTH else summary.YEAR
    first, last = (date(year, 1, 1), date(year, 12, 31)) if year is not None else (None, None)
    return summary_statistics(
        summary.credit_lines(session, unit.id, first, last),
        summary.participant_counts(session, unit.id, kind, first, last),
        summary.refused_counts(session, unit.id, kind, first, last),
        period,
    )


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, "" if value is None else value)


def summary_statistics(
    lines: list[summary.CreditLine],
    participants: list[summary.ParticipantCount],
    refused: list[summary.RefusedCount],
    period: Period,
) -> Rows:
    """The statistics of :data:`~nearzero.inclusion.stats.STATISTICS` from the summaries:
    credited ``lines`` per month, ``participants`` per period of ``period`` (month or year)
    and the ``refused`` records per period (pure)."""

    def start(month: date) -> date:
        return month if period is Period.MONTH else month.replace(month=1)

    credited: dict[tuple[str, date], list[int]] = {}
    methods: dict[tuple[str, str, str, date], list[int]] = {}
    for line in lines:
        p = start(line.month)
        for key in ((line.scenario, p), ("all", p)):
            acc = credited.setdefault(key, [0, 0])
            acc[0] += line.records
            acc[1] += line.grams
        ref = (line.methodology_id, line.methodology_version, line.scenario, p)
        m_acc = methods.setdefault(ref, [0, 0, 0])
        m_acc[0] += line.records
        m_acc[1] += line.grams
        m_acc[2] += line.computed_grams
    people = [
        {
            "scenario": "all" if c.scenario == summary.ANY_SCENARIO else c.scenario,
            "period": c.period,
            "participants": c.participants,
            "records": credited.get(
                ("all" if c.scenario == summary.ANY_SCENARIO else c.scenario, c.period), [0, 0]
            )[0],
            "grams": credited.get(
                ("all" if c.scenario == summary.ANY_SCENARIO else c.scenario, c.period), [0, 0]
            )[1],
        }
        for c in participants
    ]
    outcomes = [
        {"scenario": s, "period": p, "outcome": "accepted", "records": n}
        for (s, p), (n, _g) in credited.items()
        if s != "all"
    ]
    refusals: dict[tuple[Any, Any, str], int] = {}
    for r in refused:
        outcome = (r.scenario, r.period, r.reason or "unknown")
        refusals[outcome] = refusals.get(outcome, 0) + r.records
    outcomes += [
        {"scenario": s, "period": p, "outcome": o, "records": n}
        for (s, p, o), n in refusals.items()
    ]
    reductions = [
        {
            "methodology_id": mid,
            "methodology_version": mver,
            "scenario": s,
            "period": p,
            "records": n,
            "grams": g,
            "computed_grams": cg,
        }
        for (mid, mver, s, p), (n, g, cg) in methods.items()
    ]
    return {
        "participants": sorted(people, key=lambda r: (r["period"], r["scenario"])),
        "records_by_outcome": sorted(
            outcomes,
            key=lambda r: (
                _none_last(r["period"]),
                _none_last(r["scenario"]),
                r["outcome"],
            ),
        ),
        "reductions_by_methodology": sorted(
            reductions,
            key=lambda r: (
                r["period"],
                r["methodology_id"],
                r["methodology_version"],
                r["scenario"],
            ),
        ),
    }


# --------------------------------------------------------------------------- pooled statement


@dataclass
class StatementLine:
    """Pooled reductions of one methodology version in one month [g CO2e]; transactions:
    the ledger transactions behind it (the trace, :func:`pooled_trace`)."""

    methodology: str
    scenario: str
    period: date
    records: int
    grams: int
    transactions: int


def pooled_statement(
    session: Session, unit: m.DemoUnit, year: int | None = None
) -> list[StatementLine]:
    """The department's pool (减排量支配权保留在生态环境部门): grams of reductions by
    methodology version and month (from the summaries the intake keeps), with how many
    ledger transactions are behind each line; every resident posting sums the records of
    its transaction, resident and methodology version (``inclusion_record.tx_id``; see
    :mod:`.intake`)."""
    first, last = (date(year, 1, 1), date(year, 12, 31)) if year is not None else (None, None)
    return [
        StatementLine(
            f"{line.methodology_id}@{line.methodology_version}",
            line.scenario,
            line.month,
            line.records,
            line.grams,
            line.transactions,
        )
        for line in summary.credit_lines(session, unit.id, first, last)
    ]


def pooled_trace(
    session: Session, unit: m.DemoUnit, year: int | None = None
) -> dict[tuple[date, str, str], list[str]]:
    """(month, methodology version, scenario) → the keys of the ledger transactions behind
    that line of :func:`pooled_statement` (reads the records: for the export)."""
    first, last = (date(year, 1, 1), date(year, 12, 31)) if year is not None else (None, None)
    out: dict[tuple[date, str, str], list[str]] = {}
    for t in summary.pooled_trace(session, unit.id, first, last):
        key = (t.month, f"{t.methodology_id}@{t.methodology_version}", t.scenario)
        out.setdefault(key, []).append(t.tx_key)
    return out


def pooled_transactions(session: Session, unit: m.DemoUnit, year: int) -> int:
    """Ledger transactions behind the year's pooled reductions (a transaction with records
    on several lines counts once)."""
    return int(summary.pooled_transactions(session, unit.id, date(year, 1, 1), date(year, 12, 31)))


def rebuild_summaries(session: Session, actor: Actor) -> dict[str, int]:
    """Build the summaries the intake keeps again from the records (a repair, e.g. after a
    restore of the records alone); returns, per summary table, how many rows differed from
    the records before (audited)."""
    con = session.connection()
    differed = {table: len(rows) for table, rows in summary.drift(con).items()}
    summary.rebuild(con)
    audit.record(
        session, actor, "inclusion.summaries.rebuild", "inclusion_summary", "all", None, differed
    )
    return differed


def pool_balance(session: Session, unit_code: str) -> int:
    """Reductions held by the department's pool [g CO2e] (sum of its postings)."""
    return inclusion_ledger(session).balance(pool_account(unit_code), Asset.REDUCTION)
