"""Load a unit's plan (catalogue, values, targets, projects) into the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nearzero.indicators.catalogue import IndicatorEntry, Plan
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput
from nearzero.store import tables as m, units as unit_store


def unit_exists(session: Session, code: str) -> bool:
    return unit_store.unit_exists(session, code)


def load_plan(session: Session, plan: Plan, actor: Actor, source: str = "") -> m.DemoUnit:
    """Create the unit of ``plan`` with everything the plan records. The unit must be new."""
    info = plan.unit
    if unit_exists(session, info.code):
        raise InvalidInput(f"unit: 单位“{info.code}”已载入 — unit {info.code!r} is already loaded")
    unit = m.DemoUnit(
        code=info.code,
        kind=info.kind,
        name_zh=info.name_zh,
        name_en=info.name_en,
        province_zh=info.province_zh,
        office_zh=info.office_zh,
        base_year=info.base_year,
        target_year=info.target_year,
        plan_title_zh=info.plan_title_zh,
        plan_document_no=info.plan_document_no,
        plan_issued=info.plan_issued,
    )
    session.add(unit)
    session.flush()
    categories = {}
    for position, c in enumerate(plan.categories):
        categories[c.code] = m.Category(
            unit_id=unit.id, code=c.code, name_zh=c.name_zh, name_en=c.name_en, position=position
        )
    departments = {
        d.code: m.Department(unit_id=unit.id, code=d.code, name_zh=d.name_zh, name_en=d.name_en)
        for d in plan.departments
    }
    session.add_all([*categories.values(), *departments.values()])
    session.add_all(
        m.Subdistrict(unit_id=unit.id, name_zh=s.name_zh, kind=s.kind) for s in plan.subdistricts
    )
    session.flush()
    indicators = {}
    entries = [("indicator", e) for e in plan.indicators] + [("task", e) for e in plan.task_targets]
    for position, (kind, entry) in enumerate(entries):
        indicators[entry.spec.code] = _add_indicator(
            session, unit, kind, position, entry, categories, departments, actor, source
        )
    for p in plan.key_projects:
        session.add(
            m.KeyProject(
                unit_id=unit.id,
                number=p.number,
                category_id=categories[p.category].id,
                name_zh=p.name_zh,
                content_zh=p.content_zh,
                due_text=p.due_text,
                due_date=p.due,
                note_zh=p.note_zh,
                departments=[departments[d] for d in p.departments],
                indicators=[indicators[c] for c in p.indicators],
            )
        )
    # the year the plan's figures reach is the office's first evaluation year (issue #12)
    years = [
        v.year for e in entries for vs in (e[1].values, *e[1].part_values.values()) for v in vs
    ]
    first_year = max(years, default=None)
    session.add(
        m.IndicatorCycle(unit_id=unit.id, evaluation_year=first_year, set_by=actor.username)
    )
    loaded = {
        "source": source,
        "indicators": len(plan.indicators),
        "task_targets": len(plan.task_targets),
        "key_projects": len(plan.key_projects),
        "evaluation_year": first_year,
    }
    audit.record(session, actor, "plan.load", "unit", info.code, None, loaded, info.code)
    session.flush()
    return unit


def _add_indicator(
    session: Session,
    unit: m.DemoUnit,
    kind: str,
    position: int,
    entry: IndicatorEntry,
    categories: dict[str, m.Category],
    departments: dict[str, m.Department],
    actor: Actor,
    source: str,
) -> m.Indicator:
    spec = entry.spec
    row = m.Indicator(
        unit_id=unit.id,
        code=spec.code,
        kind=kind,
        position=position,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        category_id=categories[spec.category].id,
        unit=spec.unit,
        attribute=spec.attribute.value if spec.attribute else None,
        rule=spec.rule.to_dict(),
        task_ref_zh=entry.task_ref_zh,
        note=entry.note,
        departments=[departments[d] for d in entry.departments],
        parts=[
            m.IndicatorPart(
                code=p.code,
                name_zh=p.name_zh,
                name_en=p.name_en,
                unit=p.unit,
                rule=p.rule.to_dict(),
                position=i,
            )
            for i, p in enumerate(spec.parts)
        ],
    )
    session.add(row)
    session.flush()
    series = [("", v) for v in entry.values] + [
        (code, v) for code, vs in entry.part_values.items() for v in vs
    ]
    session.add_all(
        m.IndicatorValue(
            indicator_id=row.id,
            part_code=part,
            year=v.year,
            value=v.value,
            text=v.text,
            source=source,
            evidence=v.note,
            entered_by=actor.username,
        )
        for part, v in series
    )
    session.add_all(
        m.AssignedTarget(
            indicator_id=row.id,
            year=a.year,
            value=a.value,
            source=a.source,
            entered_by=actor.username,
        )
        for a in entry.assigned
    )
    session.add_all(
        m.Assessment(
            indicator_id=row.id,
            year=year,
            status=a.status.value,
            evidence=a.evidence,
            assessed_by=actor.username,
        )
        for year, a in entry.assessments.items()
    )
    return row
