"""Energy-efficiency benchmarks of a unit's facilities for a year: each facility with a
benchmark row and a value of the year classified (at benchmark / between / below baseline),
and indicator 15 (share of capacity at benchmark per industry, every industry over 30 %)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from nearzero.enterprise import benchmarks as core
from nearzero.enterprise.model import Source
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.enterprise.common import (
    ENTITY,
    core_errors,
    get_enterprise,
    label,
    require_enter,
    require_reader,
)
from nearzero.services.enterprise.screening import _source
from nearzero.store import enterprise as store, tables as m

SCHEMA = "nearzero.enterprise.benchmarks/1"


def set_efficiency(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm_key: str,
    facility_key: str,
    year: int,
    value: str,
) -> m.EnterpriseEfficiency:
    """Record a facility's indicator value of ``year`` in its benchmark row's unit."""
    require_enter(actor, "enter an efficiency value", "填报能效值")
    firm = get_enterprise(session, unit, firm_key)
    fac = store.facility(session, firm.id, facility_key)
    if fac is None:
        raise InvalidInput(
            f"facility: {firm.name_zh}没有设施“{facility_key}” — "
            f"the firm {firm.name_zh} has no facility {facility_key!r}"
        )
    if not fac.benchmark_id:
        raise InvalidInput(
            f"facility: 设施{fac.name_zh}没有可对照的能效标杆 — "
            f"the facility {fac.name_zh} has no benchmark row to be judged against"
        )
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidInput(
            f"value: 应为数字，而不是“{value}” — {value!r} is not a number"
        ) from None
    unit_text = core.benchmark(fac.benchmark_id).unit
    if not number.is_finite() or number < 0:
        raise InvalidInput(
            f"value: 应为不小于0的数值[{unit_text}]，而不是{value} — "
            f"{value} (expected a number ≥ 0 [{unit_text}])"
        )
    if not 2000 <= year <= 2100:
        raise InvalidInput(
            f"year: 应为年份（如2024），而不是{year} — {year} (expected a year like 2024)"
        )
    row = store.efficiency(session, fac.id, year)
    old = {"value": str(row.value)} if row else None
    if row is None:
        row = m.EnterpriseEfficiency(facility_id=fac.id, year=year, entered_by=actor.username)
        session.add(row)
    row.value = number
    row.entered_by = actor.username
    session.flush()
    key = f"{firm.key}/{fac.key}/{year}"
    new = {"value": str(number), "unit": unit_text, "benchmark_id": fac.benchmark_id}
    audit.record(session, actor, "enterprise.efficiency", ENTITY, key, old, new, unit.code)
    return row


@dataclass(frozen=True)
class BenchmarkPage:
    unit: m.DemoUnit
    year: int
    levels: tuple[core.Benchmark, ...]
    lines: list[core.ClassifiedLine]
    shares: list[core.IndustryShare]
    all_met: bool
    target: Source
    page: str = "benchmarks"

    def table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            "企业",
            "设施",
            "产品",
            "产能",
            "产能单位",
            "能效指标值",
            "单位",
            "标杆水平",
            "基准水平",
            "判定",
            "版本",
            "状态",
        ]
        rows = [
            [
                c.line.firm,
                c.line.key,
                c.benchmark.product_zh,
                c.line.capacity,
                c.line.capacity_unit,
                c.line.value,
                c.benchmark.unit,
                c.benchmark.benchmark,
                c.benchmark.baseline,
                c.level.label_zh,
                c.benchmark.edition,
                "待确认" if c.benchmark.source.to_confirm else "已核实",
            ]
            for c in self.lines
        ]
        return headers, rows


def lines(session: Session, unit: m.DemoUnit, year: int) -> list[core.Line]:
    """The unit's facilities with a benchmark row and a value of ``year``."""
    firms = {f.id: f for f in store.enterprises(session, unit.id)}
    out = []
    for fac, value in store.efficiencies(session, unit.id, year):
        if not fac.benchmark_id:
            continue
        firm = firms[fac.enterprise_id]
        out.append(
            core.Line(
                key=f"{firm.key}/{fac.key}",
                firm=label(firm),
                benchmark_id=fac.benchmark_id,
                capacity=fac.capacity if fac.capacity is not None else Decimal(0),
                value=value.value,
                capacity_unit=fac.capacity_unit,
                illustrative=firm.illustrative,
            )
        )
    return out


def benchmark_page(session: Session, actor: Actor, unit: m.DemoUnit, year: int) -> BenchmarkPage:
    require_reader(actor)
    found = lines(session, unit, year)
    with core_errors():
        classified = core.classify_lines(found)
        shares, all_met, target = core.indicator_15(found)
    return BenchmarkPage(unit, year, core.benchmarks(), classified, shares, all_met, target)


def benchmarks_to_dict(page: BenchmarkPage) -> dict[str, Any]:
    """``nearzero.enterprise.benchmarks/1`` (docs/json.md)."""
    return {
        "schema": SCHEMA,
        "unit": page.unit.code,
        "year": page.year,
        "levels": [
            {
                "id": b.benchmark_id,
                "industry": b.industry,
                "product_zh": b.product_zh,
                "route_zh": b.route_zh,
                "unit": b.unit,
                "benchmark": float(b.benchmark),
                "benchmark_rule": b.benchmark_rule,
                "baseline": float(b.baseline),
                "edition": b.edition,
                "source": _source(b.source),
            }
            for b in page.levels
        ],
        "lines": [
            {
                "key": c.line.key,
                "firm": c.line.firm,
                "benchmark_id": c.benchmark.benchmark_id,
                "capacity": float(c.line.capacity),
                "capacity_unit": c.line.capacity_unit,
                "value": float(c.line.value),
                "level": c.level.value,
            }
            for c in page.lines
        ],
        "indicator_15": {
            "industries": [
                {
                    "industry": s.industry,
                    "capacity_at_benchmark": float(s.capacity_at_benchmark),
                    "capacity_total": float(s.capacity_total),
                    "share_pct": float(round(s.share_pct, 6)),
                    "met": s.met,
                    "to_confirm": [_source(x) for x in s.to_confirm],
                }
                for s in page.shares
            ],
            "all_met": page.all_met,
            "target": _source(page.target),
        },
    }
