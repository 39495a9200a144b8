"""The enterprise capability's part of the annual report (section 六) and the cross-check of
the inventory's energy and IPPU CO2 against the sum of enterprise reports.

:func:`report_blocks` gathers the year's figures as plain data
(:class:`~nearzero.reports.sections.enterprises.EnterpriseYear`) from the other enterprise
services and words them with :func:`~nearzero.reports.sections.enterprises.enterprises_blocks`;
:func:`crosscheck_page` reads the year's inventory (the latest stored run, else computed from
its stored data) and every enterprise report, and compares them with
:func:`nearzero.enterprise.crosscheck.crosscheck`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from nearzero.accounting.categories import UnknownCategory, category_title
from nearzero.enterprise import crosscheck as core
from nearzero.enterprise.benchmarks import Level
from nearzero.enterprise.compliance import Position
from nearzero.enterprise.data import load_csv
from nearzero.enterprise.model import Source
from nearzero.enterprise.workflow import STATE_ZH, State
from nearzero.reports.model import Block
from nearzero.reports.sections.enterprises import (
    CrossRow,
    EnterpriseYear,
    IndustryRow,
    documents,
    enterprises_blocks,
)
from nearzero.services import inventory
from nearzero.services.context import Actor, NotFound
from nearzero.services.enterprise.benchmarks import benchmark_page
from nearzero.services.enterprise.common import label, require_reader
from nearzero.services.enterprise.compliance import compliance_page
from nearzero.services.enterprise.screening import figures, screen_unit
from nearzero.store import enterprise as store, tables as m

#: The report reads as the office does.
REPORTER = Actor.system("annual-report")


def _source_cite(raw: dict[str, Any] | Source) -> str:
    if isinstance(raw, Source):
        return raw.cite()
    return Source(
        document=str(raw.get("document") or ""),
        table=str(raw.get("table") or ""),
        clause=str(raw.get("clause") or ""),
        year=raw.get("year"),
    ).cite()


# --------------------------------------------------------------------------- cross-check


def terms(reports: list[m.EnterpriseReport]) -> list[core.Term]:
    """Every term of every report, with the figures it counts with (verified once verified)."""
    out = []
    for row in reports:
        result, verified = figures(row)
        firm = row.enterprise
        for c in result.get("components", []):
            out.append(
                core.Term(
                    firm=label(firm),
                    kind=str(c["kind"]),
                    tco2=float(c["tco2"]),
                    product=str(c.get("note") or "") if c["kind"] == "process" else "",
                    industry_code=firm.industry_code or "",
                    sector=firm.sector or ("power" if result.get("sector") == "power" else ""),
                    basis=core.VERIFIED if verified else core.REPORTED,
                )
            )
    return out


def _title(code: str, lang: str = "zh") -> str:
    try:
        return category_title(code, lang)
    except UnknownCategory:
        return code


def cross_rows(check: core.CrossCheck | None) -> tuple[CrossRow, ...]:
    """The cross-check's lines as the report's and the page's rows, with Chinese titles."""
    if check is None:
        return ()
    return tuple(
        CrossRow(
            ln.category,
            _title(ln.category),
            ln.inventory_tco2,
            ln.enterprise_tco2,
            ln.difference,
            ln.share_pct,
            ln.basis,
        )
        for ln in check.lines
    )


@dataclass(frozen=True)
class CrossCheckPage:
    """The cross-check of a year: the table, what could not be compared, and why not."""

    unit: m.DemoUnit
    year: int
    years: list[int]
    check: core.CrossCheck | None
    rows: tuple[CrossRow, ...]
    reason: str
    run_id: int | None
    page: str = "crosscheck"
    #: The rows' category titles in English, by code (for the page in English).
    titles_en: dict[str, str] = field(default_factory=dict)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            "清单类别代码",
            "清单类别",
            "清单二氧化碳排放量（tCO2）",
            "企业报告合计（tCO2）",
            "差额：清单−企业（tCO2）",
            "企业占清单比例（%）",
            "企业数据",
        ]
        basis = {"verified": "核查数", "reported": "报告数", "mixed": "核查数与报告数", "": ""}
        rows = [
            [
                r.code,
                r.title_zh,
                round(r.inventory_tco2, 6),
                round(r.enterprise_tco2, 6),
                round(r.difference, 6),
                None if r.share_pct is None else round(r.share_pct, 6),
                basis.get(r.basis, r.basis),
            ]
            for r in self.rows
        ]
        return headers, rows


def crosscheck_data(
    session: Session, unit: m.DemoUnit, year: int
) -> tuple[core.CrossCheck | None, str, int | None]:
    """(the cross-check, why there is none, the inventory run it used) for ``year``."""
    reports = store.reports_of_unit(session, unit.id, year)
    try:
        result, run = inventory.result_for(session, unit, year)
    except NotFound:
        return None, f"{year}年尚无清单活动数据，无法与企业报告对比。", None
    inv = core.inventory_co2((r.category, r.gas, r.scope, r.tonnes) for r in result.records)
    return core.crosscheck(inv, terms(reports)), "", run.id if run else None


def crosscheck_page(session: Session, actor: Actor, unit: m.DemoUnit, year: int) -> CrossCheckPage:
    require_reader(actor)
    check, reason, run_id = crosscheck_data(session, unit, year)
    years = sorted({*store.report_years(session, unit.id), *inventory.years(session, unit), year})
    rows = cross_rows(check)
    titles_en = {r.code: _title(r.code, "en") for r in rows}
    return CrossCheckPage(unit, year, years, check, rows, reason, run_id, titles_en=titles_en)


# --------------------------------------------------------------------------- the report


def _sector_names() -> dict[str, str]:
    return {r.text("sector"): r.text("name_zh") for r in load_csv("sectors.csv")}


def enterprise_year(session: Session, unit: m.DemoUnit, year: int) -> EnterpriseYear | None:
    """The year's enterprise figures as the section's plain data; None when the unit has no
    report, allowance or efficiency value for ``year``."""
    reports = store.reports_of_unit(session, unit.id, year)
    allowances = store.allowances(session, unit.id, year)
    efficiencies = store.efficiencies(session, unit.id, year)
    if not reports and not allowances and not efficiencies:
        return None
    cites: list[str] = []
    states = {STATE_ZH[s]: 0 for s in State}
    totals: dict[str, float] = {}
    n_verified = n_reported = 0
    to_confirm_totals = False
    for row in reports:
        states[STATE_ZH[State(row.state)]] += 1
        result, verified = figures(row)
        n_verified += verified
        n_reported += not verified
        for kind, value in result["totals"].items():
            totals[kind] = totals.get(kind, 0.0) + float(value)
        if result.get("to_confirm"):
            to_confirm_totals = True
            cites += [_source_cite(s) for s in result["to_confirm"]]
    screened = [ln.screened for ln in screen_unit(session, unit, year)]
    screening_rules = [s for sc in screened for s in sc.rules if s.to_confirm]
    market = [s for s in screened if s.national_market_sector]
    sector_sources = {r.text("sector"): r.source() for r in load_csv("sectors.csv")}
    market_sources = [
        sector_sources[s.national_market_sector]
        for s in market
        if s.national_market_sector in sector_sources
    ]
    market_sources = [s for s in market_sources if s.to_confirm]
    cites += [s.cite() for s in screening_rules + market_sources]
    screening_to_confirm = bool(screening_rules) or bool(market_sources)
    comp = compliance_page(session, REPORTER, unit, year)
    results = [ln.result for ln in comp.lines if ln.result is not None]
    surplus = [r for r in results if r.position is Position.SURPLUS and r.balance is not None]
    shortfall = [r for r in results if r.position is Position.SHORTFALL and r.balance is not None]
    bench = benchmark_page(session, REPORTER, unit, year)
    names = _sector_names()
    industries = []
    for share in bench.shares:
        first = share.lines[0].benchmark if share.lines else None
        industry_zh = names.get(share.industry) or (first.product_zh if first else share.industry)
        industries.append(
            IndustryRow(industry_zh, float(share.share_pct), share.met, bool(share.to_confirm))
        )
        cites += [s.cite() for s in share.to_confirm]
    levels = {lv.label_zh: sum(1 for c in bench.lines if c.level is lv) for lv in Level}
    bench_to_confirm = any(c.benchmark.source.to_confirm for c in bench.lines)
    cites += [c.benchmark.source.cite() for c in bench.lines if c.benchmark.source.to_confirm]
    check, reason, _ = crosscheck_data(session, unit, year)
    rows = cross_rows(check) if check is not None else None
    if check is not None:
        cites.append(check.source.cite())
    power = [ln for ln in comp.lines if ln.enterprise.sector == "power"]
    ccer = any(ln.allowance is not None and ln.allowance.ccer_used for ln in comp.lines)
    compliance_to_confirm = ccer and comp.ccer_rule.to_confirm
    if compliance_to_confirm:
        cites.append(comp.ccer_rule.cite())
    return EnterpriseYear(
        unit_name_zh=unit.name_zh,
        year=year,
        registered=len(store.enterprises(session, unit.id)),
        states=states,
        totals=totals,
        totals_verified=n_verified,
        totals_reported=n_reported,
        to_confirm_totals=to_confirm_totals,
        screened=len(screened),
        over_fossil=sum(s.over_fossil_threshold for s in screened),
        candidates=sum(s.key_emitter_candidate for s in screened),
        market_sectors=len(market),
        screening_to_confirm=screening_to_confirm,
        key_units=comp.key_units,
        t11=comp.t11[0],
        covered_with_allowance=len(results),
        t12=comp.t12[0],
        power_covered=len(power),
        surplus_t=sum(r.balance or 0 for r in surplus),
        surplus_firms=len(surplus),
        shortfall_t=-sum(r.balance or 0 for r in shortfall),
        shortfall_firms=len(shortfall),
        compliance_pending=sum(1 for r in results if r.balance is None),
        compliance_to_confirm=compliance_to_confirm,
        industries=tuple(industries),
        levels=levels,
        benchmark_to_confirm=bench_to_confirm,
        crosscheck=rows,
        crosscheck_reason=reason,
        unplaced_tco2=sum(t.tco2 for t in check.unplaced) if check else 0.0,
        indirect_tco2=check.indirect_tco2 if check else 0.0,
        to_confirm_documents=documents(cites),
    )


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Block] | None:
    """Section 六 of the annual report (None when the unit has no enterprise data for
    ``year``: the report then says 该部分尚无数据)."""
    return enterprises_blocks(enterprise_year(session, unit, year))
