"""Indicator use cases: read the catalogue, evaluate a year, enter values, record judgements."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from nearzero.indicators import values as plausible
from nearzero.indicators.choices import Attribute, Status
from nearzero.indicators.evaluation import (
    Acceptance,
    Assessment,
    IndicatorSpec,
    Outcome,
    Part,
    Record,
    acceptance,
    evaluate,
    outcome_to_dict,
)
from nearzero.indicators.rules import TargetRule, parse_rule
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.store import indicators as store
from nearzero.store import tables as m
from nearzero.store import units as unit_store
from nearzero.store.base import utcnow
from nearzero.units import UnitError, convert


def get_unit(session: Session, code: str | None = None) -> m.DemoUnit:
    """The unit with ``code``, or the only (first) unit when no code is given."""
    unit = unit_store.unit(session, code)
    if unit is None:
        raise NotFound(f"no demonstration unit {code!r}" if code else "no unit is loaded")
    return unit


@dataclass
class IndicatorView:
    """An indicator as the interface shows it: the spec, its record, the rows behind them."""

    row: m.Indicator
    spec: IndicatorSpec
    record: Record
    texts: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def departments(self) -> list[m.Department]:
        return self.row.departments

    def value_years(self) -> list[int]:
        years = set(self.record.values) | {y for vs in self.record.part_values.values() for y in vs}
        return sorted(years | {y for (_, y) in self.texts})


def _spec(row: m.Indicator, unit: m.DemoUnit) -> IndicatorSpec:
    where = f"indicator {row.code}"
    return IndicatorSpec(
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        category=row.category.code,
        unit=row.unit,
        rule=parse_rule(row.rule, f"{where}.rule"),
        base_year=unit.base_year,
        target_year=unit.target_year,
        attribute=Attribute(row.attribute) if row.attribute else None,
        parts=tuple(
            Part(p.code, p.name_zh, p.name_en, p.unit, parse_rule(p.rule, f"{where}.{p.code}"))
            for p in row.parts
        ),
    )


def catalogue(session: Session, unit: m.DemoUnit, code: str | None = None) -> list[IndicatorView]:
    """Every indicator and task target of ``unit`` (or just ``code``) with all it has on record."""
    rows = store.indicators(session, unit.id, code)
    if code is not None and not rows:
        raise NotFound(f"unit {unit.code!r} has no indicator {code!r}")
    ids = [r.id for r in rows]
    values: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    texts: dict[int, dict[tuple[str, int], str]] = defaultdict(dict)
    for v in store.values_of(session, ids):
        if v.value is not None:
            values[v.indicator_id][v.part_code][v.year] = v.value
        if v.text:
            texts[v.indicator_id][(v.part_code, v.year)] = v.text
    assigned: dict[int, dict[int, float]] = defaultdict(dict)
    for a in store.assigned_targets_of(session, ids):
        assigned[a.indicator_id][a.year] = a.value
    judged: dict[int, dict[int, Assessment]] = defaultdict(dict)
    for j in store.assessments_of(session, ids):
        judged[j.indicator_id][j.year] = Assessment(Status(j.status), j.evidence)
    views = []
    for row in rows:
        series = values[row.id]
        record = Record(
            values=dict(series.get("", {})),
            part_values={p: dict(vs) for p, vs in series.items() if p},
            assigned=dict(assigned[row.id]),
            assessments=dict(judged[row.id]),
        )
        views.append(IndicatorView(row, _spec(row, unit), record, texts[row.id]))
    return views


@dataclass
class EvaluatedIndicator:
    view: IndicatorView
    outcome: Outcome


@dataclass
class CategorySummary:
    category: m.Category
    met: int = 0
    total: int = 0


@dataclass
class UnitEvaluation:
    unit: m.DemoUnit
    year: int
    indicators: list[EvaluatedIndicator]
    task_targets: list[EvaluatedIndicator]
    acceptance: Acceptance
    categories: list[CategorySummary]


def evaluate_unit(session: Session, unit: m.DemoUnit, year: int) -> UnitEvaluation:
    """Every indicator's and task target's status in ``year``, and the acceptance rule."""
    evaluated = [
        EvaluatedIndicator(v, evaluate(v.spec, v.record, year)) for v in catalogue(session, unit)
    ]
    table = [e for e in evaluated if e.view.row.kind == "indicator"]
    summaries: dict[str, CategorySummary] = {}
    for e in table:
        summary = summaries.setdefault(
            e.view.row.category.code, CategorySummary(e.view.row.category)
        )
        summary.total += 1
        summary.met += e.outcome.status is Status.MET
    return UnitEvaluation(
        unit=unit,
        year=year,
        indicators=table,
        task_targets=[e for e in evaluated if e.view.row.kind == "task"],
        acceptance=acceptance((e.view.spec, e.outcome) for e in table),
        categories=sorted(summaries.values(), key=lambda s: s.category.position),
    )


def years_on_record(session: Session, unit: m.DemoUnit) -> list[int]:
    """The years with at least one value on record for ``unit``, ascending."""
    return store.years_on_record(session, unit.id)


def values_on_record(
    session: Session, unit: m.DemoUnit
) -> dict[tuple[str, str, int], m.IndicatorValue]:
    """Every value on record for ``unit``, by (indicator code, part code, year)."""
    return store.values_by_key(session, unit.id)


def may_edit(actor: Actor, row: m.Indicator) -> bool:
    """Admins edit everything; a department editor only the indicators its department owns."""
    return actor.acts_for(row.departments)


def _value_dict(v: m.IndicatorValue) -> dict[str, Any]:
    return {"value": v.value, "text": v.text, "source": v.source, "evidence": v.evidence}


@dataclass(frozen=True)
class ValueInput:
    """One year's value as a person enters it. ``unit`` may differ from the indicator's."""

    code: str
    year: int
    value: float | None = None
    text: str | None = None
    part: str = ""
    unit: str | None = None
    source: str = ""
    evidence: str = ""


def check_value(view: IndicatorView, unit: m.DemoUnit, entry: ValueInput) -> float | None:
    """Validate ``entry`` against its indicator; returns the value in the indicator's unit.

    Raises :class:`InvalidInput` naming the field and what was expected.
    """
    row = view.row
    parts = {p.code: p for p in row.parts}
    if entry.part and entry.part not in parts:
        raise InvalidInput(
            f"part: indicator {row.code} has parts {sorted(parts)}, not {entry.part!r}"
        )
    if parts and not entry.part and entry.value is not None:
        raise InvalidInput(
            f"part: indicator {row.code} takes its figures per part ({', '.join(parts)})"
        )
    if not unit.base_year - 30 <= entry.year <= unit.target_year + 10:
        raise InvalidInput(
            f"year: expected a year between {unit.base_year - 30} and {unit.target_year + 10}, "
            f"got {entry.year}"
        )
    if entry.value is None:
        if not (entry.text or "").strip():
            raise InvalidInput("value: a number or a text is required")
        return None
    if not math.isfinite(entry.value):
        raise InvalidInput(f"value: expected a finite number, got {entry.value!r}")
    target_unit = parts[entry.part].unit if entry.part else row.unit
    if target_unit in ("/", ""):
        raise InvalidInput(
            f"value: indicator {row.code} is qualitative; enter a text, not a number"
        )
    value = entry.value
    if entry.unit and entry.unit.strip() != target_unit:
        try:
            value = convert(value, entry.unit, target_unit)
        except UnitError:
            raise InvalidInput(
                f"unit: expected {target_unit!r} or a unit convertible to it, got {entry.unit!r}"
            ) from None
    try:  # finite, not negative, a share within 0-100 %
        plausible.check_value(value, target_unit)
    except plausible.ValueRangeError as exc:
        raise InvalidInput(str(exc)) from None
    return value


def set_value(
    session: Session, actor: Actor, unit: m.DemoUnit, entry: ValueInput
) -> m.IndicatorValue:
    """Record one year's value (a new one, or a change with the old value kept in the audit log)."""
    (view,) = catalogue(session, unit, entry.code)
    if not may_edit(actor, view.row):
        raise PermissionDenied(
            f"{actor.username} may not edit indicator {entry.code}: it belongs to "
            + "、".join(d.name_zh for d in view.row.departments)
        )
    value = check_value(view, unit, entry)
    existing = store.value(session, view.row.id, entry.part, entry.year)
    old = _value_dict(existing) if existing else None
    if existing is None:
        existing = m.IndicatorValue(indicator_id=view.row.id, part_code=entry.part, year=entry.year)
        session.add(existing)
    existing.value = value
    existing.text = (entry.text or "").strip() or None
    existing.source = entry.source
    existing.evidence = entry.evidence
    existing.entered_by = actor.username
    existing.entered_at = utcnow()
    session.flush()
    key = f"{entry.code}/{entry.part}/{entry.year}" if entry.part else f"{entry.code}//{entry.year}"
    audit.record(
        session, actor, "value.set", "indicator", key, old, _value_dict(existing), unit.code
    )
    return existing


def set_assessment(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    year: int,
    status: Status,
    evidence: str,
) -> None:
    """The office records its judgement for a year; only the office (admin) may."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("only the working-group office records assessments")
    if status not in (Status.MET, Status.NOT_MET):
        raise InvalidInput("status: an assessment is met or not_met")
    if not evidence.strip():
        raise InvalidInput("evidence: an assessment needs its evidence")
    (view,) = catalogue(session, unit, code)
    row = store.assessment(session, view.row.id, year)
    old = {"status": row.status, "evidence": row.evidence} if row else None
    if row is None:
        row = m.Assessment(indicator_id=view.row.id, year=year)
        session.add(row)
    row.status, row.evidence = status.value, evidence.strip()
    row.assessed_by, row.assessed_at = actor.username, utcnow()
    new = {"status": row.status, "evidence": row.evidence}
    audit.record(
        session, actor, "assessment.set", "indicator", f"{code}//{year}", old, new, unit.code
    )


def set_assigned_target(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    year: int,
    value: float,
    source: str,
) -> None:
    """The office enters the target the higher government set for a year."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("only the working-group office enters assigned targets")
    if not source.strip():
        raise InvalidInput("source: name the document that sets the target")
    (view,) = catalogue(session, unit, code)
    if view.row.rule.get("kind") != "assigned_target":
        raise InvalidInput(f"indicator {code} has no target set by the higher government")
    row = store.assigned_target(session, view.row.id, year)
    old = {"value": row.value, "source": row.source} if row else None
    if row is None:
        row = m.AssignedTarget(indicator_id=view.row.id, year=year)
        session.add(row)
    row.value, row.source = value, source.strip()
    row.entered_by, row.entered_at = actor.username, utcnow()
    new = {"value": value, "source": row.source}
    key = f"{code}//{year}"
    audit.record(session, actor, "assigned_target.set", "indicator", key, old, new, unit.code)


def history(session: Session, unit: m.DemoUnit, code: str) -> list[m.AuditLog]:
    """Every recorded change to indicator ``code`` of ``unit``, newest first."""
    return audit.entries(session, "indicator", f"{code}/", unit_code=unit.code)


JSON_SCHEMA = "nearzero.indicators.evaluation/1"


def evaluation_to_dict(ev: UnitEvaluation) -> dict[str, Any]:
    """The stable JSON of ``nearzero indicators evaluate --json`` (see docs/json.md)."""
    a = ev.acceptance

    def item(e: EvaluatedIndicator) -> dict[str, Any]:
        row, spec = e.view.row, e.view.spec
        return {
            "code": spec.code,
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "category": spec.category,
            "attribute": spec.attribute.value if spec.attribute else None,
            "unit": spec.unit,
            "target_text_zh": spec.rule.text_zh,
            "rule": spec.rule.to_dict(),
            "departments": [d.code for d in row.departments],
        } | outcome_to_dict(e.outcome)

    return {
        "schema": JSON_SCHEMA,
        "unit": {"code": ev.unit.code, "name_zh": ev.unit.name_zh, "name_en": ev.unit.name_en},
        "year": ev.year,
        "acceptance": {
            "binding": {"met": a.binding_met, "total": a.binding_total},
            "reference": {
                "met": a.reference_met,
                "total": a.reference_total,
                "required": a.reference_required,
            },
            "featured": {"met": a.featured_met, "total": a.featured_total},
            "ready": a.ready,
        },
        "categories": [
            {"code": c.category.code, "name_zh": c.category.name_zh, "met": c.met, "total": c.total}
            for c in ev.categories
        ],
        "indicators": [item(e) for e in ev.indicators],
        "task_targets": [
            item(e) | {"task_ref_zh": e.view.row.task_ref_zh} for e in ev.task_targets
        ],
    }


def trend_data(view: IndicatorView, outcome: Outcome, lang: str) -> dict[str, Any] | None:
    """An indicator's values by year with its target line and projection (names in ``lang``).

    The data behind the dashboard's trend chart and the report's; None when nothing numeric
    is on record (qualitative indicators).
    """
    spec, record = view.spec, view.record
    years_on_record = set(record.values) | {y for vs in record.part_values.values() for y in vs}
    if not years_on_record:
        return None
    years = list(range(min(min(years_on_record), spec.base_year), spec.target_year + 1))

    def series(name: str, values: dict[int, float]) -> dict[str, Any]:
        return {"name": name, "data": [values.get(y) for y in years]}

    def target_of(rule: TargetRule, values: dict[int, float]) -> float | None:
        assigned = record.assigned.get(spec.target_year)
        target = rule.resolve(base=values.get(spec.base_year), assigned=assigned)
        return target.value if target else None

    def name_of(thing: Part | IndicatorSpec) -> str:
        return thing.name_en if lang == "en" else thing.name_zh

    out: dict[str, Any] = {
        "years": years,
        "unit": spec.unit,
        "series": [],
        "targets": [],
    }
    if spec.parts:
        for part in spec.parts:
            values = dict(record.part_values.get(part.code, {}))
            out["series"].append(series(name_of(part), values))
            out["targets"].append({"name": name_of(part), "value": target_of(part.rule, values)})
    else:
        values = dict(record.values)
        out["series"].append(series(name_of(spec), values))
        out["targets"].append({"name": name_of(spec), "value": target_of(spec.rule, values)})
        proj = outcome.projection
        if proj is not None and proj.value is not None:
            out["projection"] = {"year": proj.target_year, "value": proj.value}
    return out
