"""Screening of a unit's enterprises for a year (plan 四（一）3): over 2,000 tce of fossil
energy, key emitting unit candidates (≥ 26,000 tCO2e, or ≥ 10,000 tce as a proxy), and the
sectors of the national carbon market. Each firm is judged on its report of the year: the
verified figures once verified, else the reported ones."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from nearzero.enterprise import screening as core
from nearzero.enterprise.model import EnterpriseError, Source, decimal_of
from nearzero.enterprise.registry import validate_industry_code
from nearzero.enterprise.workflow import State
from nearzero.services.context import Actor
from nearzero.services.enterprise.common import label, require_reader
from nearzero.store import enterprise as store, tables as m

SCHEMA = "nearzero.enterprise.screening/1"
DONE = (State.VERIFIED.value, State.CONFIRMED.value)


def figures(row: m.EnterpriseReport) -> tuple[dict[str, Any], bool]:
    """The result a report counts with (verified once verified) and whether it is verified."""
    if row.state in DONE and row.verified_result is not None:
        return row.verified_result, True
    return row.result, False


def has_power_unit(firm: m.Enterprise) -> bool:
    """A generating unit in operation (captive power plants report as power)."""
    return any(f.kind == "unit" and f.status == "operating" for f in firm.facilities)


def firm_year(firm: m.Enterprise, row: m.EnterpriseReport) -> core.FirmYear:
    result, _ = figures(row)
    try:
        code = validate_industry_code(firm.industry_code) if firm.industry_code else None
    except EnterpriseError:
        code = None
    return core.FirmYear(
        key=firm.key,
        name_zh=firm.name_zh,
        year=row.year,
        fossil_tce=decimal_of(result["energy"]["fossil_tce"]),
        comprehensive_tce=decimal_of(result["energy"]["comprehensive_tce"]),
        emissions_tco2e=decimal_of(result["totals"]["total"]),
        industry_code=code,
        sector=firm.sector,
        has_power_facility=has_power_unit(firm) or result.get("sector") == "power",
        illustrative=firm.illustrative or bool(result.get("illustrative")),
    )


@dataclass(frozen=True)
class ScreenLine:
    """A firm's screening with its registry row and report."""

    enterprise: m.Enterprise
    report: m.EnterpriseReport
    verified: bool
    screened: core.Screened

    @property
    def label(self) -> str:
        return label(self.enterprise)


def screen_unit(session: Session, unit: m.DemoUnit, year: int) -> list[ScreenLine]:
    """Every firm of the unit with a report of ``year``, screened, largest fossil use first."""
    reports = {r.enterprise_id: r for r in store.reports_of_unit(session, unit.id, year)}
    firms = {f.id: f for f in store.enterprises(session, unit.id)}
    years = {fid: firm_year(firms[fid], r) for fid, r in reports.items()}
    by_key = {fy.key: fid for fid, fy in years.items()}
    out = []
    for screened in core.screen(list(years.values())):
        fid = by_key[screened.firm.key]
        out.append(ScreenLine(firms[fid], reports[fid], figures(reports[fid])[1], screened))
    return out


@dataclass(frozen=True)
class ScreeningPage:
    unit: m.DemoUnit
    year: int
    years: list[int]
    lines: list[ScreenLine]
    without_report: list[m.Enterprise]
    rules: list[Source]
    page: str = "screening"

    def table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            "企业",
            "统一社会信用代码",
            "行业代码",
            "化石能源消费量（tce）",
            "综合能耗（tce）",
            "二氧化碳排放量（tCO2）",
            "超过2000吨标煤",
            "重点排放单位候选",
            "依据",
            "全国碳市场行业",
            "数据",
            "说明",
        ]
        rows = [
            [
                ln.label,
                ln.enterprise.credit_code or "",
                ln.enterprise.industry_code or "",
                ln.screened.firm.fossil_tce,
                ln.screened.firm.comprehensive_tce,
                ln.screened.firm.emissions_tco2e,
                ln.screened.over_fossil_threshold,
                ln.screened.key_emitter_candidate,
                ln.screened.candidate_basis,
                ln.screened.national_market_sector or "",
                "核查数" if ln.verified else "报告数",
                "；".join(ln.screened.reasons),
            ]
            for ln in self.lines
        ]
        return headers, rows


def screening_page(session: Session, actor: Actor, unit: m.DemoUnit, year: int) -> ScreeningPage:
    require_reader(actor)
    lines = screen_unit(session, unit, year)
    seen = {ln.enterprise.id for ln in lines}
    rules = list(dict.fromkeys(s for ln in lines for s in ln.screened.rules))
    return ScreeningPage(
        unit,
        year,
        store.report_years(session, unit.id),
        lines,
        [f for f in store.enterprises(session, unit.id) if f.id not in seen],
        rules,
    )


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _source(s: Source) -> dict[str, Any]:
    return {
        "document": s.document,
        "table": s.table,
        "clause": s.clause,
        "year": s.year,
        "status": s.status,
        "file": s.file,
        "row_id": s.row_id,
        "version": s.version,
    }


def screening_to_dict(page: ScreeningPage) -> dict[str, Any]:
    """``nearzero.enterprise.screening/1`` (docs/json.md)."""
    return {
        "schema": SCHEMA,
        "unit": page.unit.code,
        "year": page.year,
        "firms": [
            {
                "key": ln.enterprise.key,
                "name_zh": ln.enterprise.name_zh,
                "credit_code": ln.enterprise.credit_code,
                "industry_code": ln.enterprise.industry_code,
                "illustrative": ln.screened.firm.illustrative,
                "state": ln.report.state,
                "figures": "verified" if ln.verified else "reported",
                "fossil_tce": _num(ln.screened.firm.fossil_tce),
                "comprehensive_tce": _num(ln.screened.firm.comprehensive_tce),
                "emissions_tco2": _num(ln.screened.firm.emissions_tco2e),
                "over_fossil_threshold": ln.screened.over_fossil_threshold,
                "key_emitter_candidate": ln.screened.key_emitter_candidate,
                "candidate_basis": ln.screened.candidate_basis or None,
                "reporting_sector": ln.screened.reporting_sector,
                "national_market_sector": ln.screened.national_market_sector,
                "reasons": list(ln.screened.reasons),
            }
            for ln in page.lines
        ],
        "without_report": [f.key for f in page.without_report],
        "rules": [_source(s) for s in page.rules],
    }
