"""ETS compliance of a unit's covered enterprises for a year: allowances against verified
emissions, surplus or shortfall, CCER within its cap, surrendered or not; T11 and T12 counted
from the reports and allowances (never typed in)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP
from typing import Any

from sqlalchemy.orm import Session

from nearzero.enterprise import calendar, compliance as core
from nearzero.enterprise.data import rule
from nearzero.enterprise.workflow import State
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.enterprise.common import (
    ENTITY,
    core_errors,
    get_enterprise,
    label,
    require_office,
    require_reader,
)
from nearzero.store import enterprise as store, tables as m

DONE = (State.VERIFIED.value, State.CONFIRMED.value)


def _tonnes(value: int | None, name: str, optional: bool = False) -> int | None:
    if value is None:
        if optional:
            return None
        raise InvalidInput(f"{name}: 请填写吨数（整数） — missing (expected whole tonnes)")
    if value < 0:
        raise InvalidInput(
            f"{name}: {value}为负数，应为不小于0的整吨数 — "
            f"{value} is negative (expected whole tonnes ≥ 0)"
        )
    return value


def set_allowance(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm_key: str,
    year: int,
    allocated: int,
    ccer_used: int = 0,
    surrendered_tonnes: int | None = None,
    surrendered_on: dt.date | None = None,
) -> m.EnterpriseAllowance:
    """Record a covered firm's allowances of ``year`` (office only) [t CO2, whole tonnes]."""
    require_office(actor, "record allowances", "录入配额")
    firm = get_enterprise(session, unit, firm_key)
    if not firm.covered_by_ets:
        raise InvalidInput(
            f"enterprise: {firm.name_zh}未纳入全国碳排放权交易市场 — "
            f"the firm {firm.name_zh} is not covered by the ETS"
        )
    if not 2000 <= year <= 2100:
        raise InvalidInput(
            f"year: 应为年份（如2024），而不是{year} — {year} (expected a year like 2024)"
        )
    _tonnes(allocated, "allocated")
    _tonnes(ccer_used, "ccer_used")
    _tonnes(surrendered_tonnes, "surrendered_tonnes", optional=True)
    if surrendered_on is not None and surrendered_tonnes is None:
        raise InvalidInput(
            "surrendered_tonnes: 填写清缴日期时请同时填写清缴吨数 — "
            "give the tonnes surrendered with the date"
        )
    row = store.allowance(session, firm.id, year)
    old = _snapshot(row) if row else None
    if row is None:
        row = m.EnterpriseAllowance(enterprise_id=firm.id, year=year, updated_by=actor.username)
        session.add(row)
    row.allocated = allocated
    row.ccer_used = ccer_used
    row.surrendered_tonnes = surrendered_tonnes
    row.surrendered = surrendered_tonnes is not None
    row.surrendered_on = surrendered_on
    row.updated_by = actor.username
    session.flush()
    key = f"{firm.key}/{year}"
    audit.record(
        session, actor, "enterprise.allowance", ENTITY, key, old, _snapshot(row), unit.code
    )
    return row


def _snapshot(row: m.EnterpriseAllowance) -> dict[str, Any]:
    return {
        "allocated": row.allocated,
        "ccer_used": row.ccer_used,
        "surrendered": row.surrendered,
        "surrendered_tonnes": row.surrendered_tonnes,
        "surrendered_on": row.surrendered_on.isoformat() if row.surrendered_on else None,
    }


@dataclass(frozen=True)
class ComplianceLine:
    enterprise: m.Enterprise
    report: m.EnterpriseReport | None
    allowance: m.EnterpriseAllowance | None
    result: core.ComplianceResult | None

    @property
    def label(self) -> str:
        return label(self.enterprise)


@dataclass(frozen=True)
class CompliancePage:
    unit: m.DemoUnit
    year: int
    lines: list[ComplianceLine]
    t11: tuple[int, tuple[str, ...]]
    t12: tuple[int, tuple[str, ...]]
    key_units: int
    ccer_rule: Any
    is_office: bool
    overdue: list[calendar.DueItem]
    as_of: dt.date
    due_rule: Any
    overdue_by_firm: list[tuple[str, int, calendar.DueItem]]  # (firm, items, the oldest)
    page: str = "compliance"
    item_labels: dict[str, str] = field(default_factory=lambda: dict(calendar.ITEMS))
    item_labels_en: dict[str, str] = field(default_factory=lambda: dict(calendar.ITEMS_EN))

    def table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            "企业",
            "报告状态",
            "核查排放量（tCO2）",
            "分配配额（t）",
            "盈余(+)/缺口(-)（t）",
            "CCER使用量（t）",
            "CCER上限（t）",
            "CCER计入（t）",
            "已清缴（t）",
            "履约",
        ]
        rows = []
        for ln in self.lines:
            r = ln.result
            rows.append(
                [
                    ln.label,
                    State(ln.report.state).label_zh if ln.report else "无报告",
                    r.entry.verified if r else None,
                    ln.allowance.allocated if ln.allowance else None,
                    r.balance if r else None,
                    ln.allowance.ccer_used if ln.allowance else None,
                    r.ccer_cap if r else None,
                    r.ccer_counted if r else None,
                    ln.allowance.surrendered_tonnes if ln.allowance else None,
                    "" if r is None or r.complied is None else ("是" if r.complied else "否"),
                ]
            )
        return headers, rows


def verified_tonnes(row: m.EnterpriseReport | None) -> int | None:
    """The verified emissions of a verified (or confirmed) report in whole tonnes."""
    if row is None or row.state not in DONE or row.verified_tco2 is None:
        return None
    return int(row.verified_tco2.quantize(1, rounding=ROUND_HALF_UP))


def compliance_page(
    session: Session, actor: Actor, unit: m.DemoUnit, year: int, as_of: dt.date | None = None
) -> CompliancePage:
    """Covered firms' compliance of ``year``, T11/T12, and the evidence calendar's items of
    ``year`` not filed by their due date as of ``as_of`` (default today)."""
    require_reader(actor)
    today = as_of or dt.date.today()
    firms = [f for f in store.enterprises(session, unit.id) if f.covered_by_ets]
    reports = {r.enterprise_id: r for r in store.reports_of_unit(session, unit.id, year)}
    allowances = {a.enterprise_id: a for a in store.allowances(session, unit.id, year)}
    lines, results, statuses = [], [], []
    for firm in firms:
        report, allowance = reports.get(firm.id), allowances.get(firm.id)
        result = None
        if allowance is not None:
            entry = core.ComplianceYear(
                firm_key=firm.key,
                name_zh=firm.name_zh,
                year=year,
                sector="power" if firm.sector == "power" else (firm.sector or ""),
                allocated=allowance.allocated,
                verified=verified_tonnes(report),
                ccer_used=allowance.ccer_used,
                surrendered=allowance.surrendered_tonnes,
                illustrative=firm.illustrative,
            )
            with core_errors():
                result = core.assess(entry)
            results.append(result)
        if report is not None:
            statuses.append(core.ReportStatus(firm.key, year, State(report.state)))
        lines.append(ComplianceLine(firm, report, allowance, result))
    due = [item for firm in firms for item in calendar.monthly_items(firm.key, year)]
    late = calendar.overdue(due, store.filed_items(session, unit.id, year), today)
    return CompliancePage(
        unit,
        year,
        lines,
        core.t11(statuses, year),
        core.t12(results, year),
        len(firms),
        rule("ccer_offset_cap").source(),
        actor.role.value == "admin",
        late,
        today,
        calendar.due_rule(),
        _by_firm(late, {f.key: label(f) for f in firms}),
    )


def _by_firm(
    late: list[calendar.DueItem], names: dict[str, str]
) -> list[tuple[str, int, calendar.DueItem]]:
    """(firm, items overdue, the oldest) for each firm with an item overdue."""
    out: dict[str, list[calendar.DueItem]] = {}
    for item in late:
        out.setdefault(item.firm_key, []).append(item)
    return [(names.get(k, k), len(v), v[0]) for k, v in out.items()]
