"""Indicator use cases: read the catalogue, evaluate a year, enter values, record judgements,
and the office's yearly data cycle (issue #12): the evaluation year it chooses, a deadline
per year, values submitted by departments and confirmed or returned by the office,
corrected or withdrawn with a reason. Only values that count (:func:`cycle.counts`) reach
the evaluation, the report and the dossier."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from nearzero import formatting
from nearzero.indicators import cycle as cycle_rules, values as plausible
from nearzero.indicators.choices import Attribute, Status
from nearzero.indicators.cycle import ValueState
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
from nearzero.store import indicators as store, tables as m, units as unit_store
from nearzero.store.base import utcnow
from nearzero.store.indicators import (
    CategoryDefinition,
    DepartmentDefinition,
    IndicatorDefinition,
)
from nearzero.units import UnitError, convert


def get_unit(session: Session, code: str | None = None) -> m.DemoUnit:
    """The unit with ``code``, or the only (first) unit when no code is given."""
    unit = unit_store.unit(session, code)
    if unit is None:
        raise NotFound(
            f"unit: 没有示范单位“{code}” — no demonstration unit {code!r}"
            if code
            else "unit: 尚未载入示范单位 — no unit is loaded"
        )
    return unit


@dataclass
class IndicatorView:
    """An indicator as the interface shows it: the spec, its record, the rows behind them."""

    row: IndicatorDefinition
    spec: IndicatorSpec
    record: Record
    texts: dict[tuple[str, int], str] = field(default_factory=dict)
    stored: dict[tuple[str, int], m.IndicatorValue] = field(default_factory=dict)
    """Every stored value by (part code, year), counted or not (pending, returned)."""

    @property
    def departments(self) -> tuple[DepartmentDefinition, ...]:
        return self.row.departments

    def value_years(self) -> list[int]:
        years = set(self.record.values) | {y for vs in self.record.part_values.values() for y in vs}
        return sorted(years | {y for (_, y) in self.texts} | {y for (_, y) in self.stored})

    def series(self) -> list[str]:
        """The series a year needs a value in: each part's, or the indicator's own ("")."""
        return [p.code for p in self.spec.parts] or [""]

    def in_year(self, year: int, state: ValueState) -> list[m.IndicatorValue]:
        """The stored values of ``year`` in ``state``."""
        return [v for (_, y), v in self.stored.items() if y == year and v.state == state.value]

    def pending_in(self, year: int) -> list[m.IndicatorValue]:
        """The values of ``year`` awaiting the office's confirmation."""
        return self.in_year(year, ValueState.SUBMITTED)

    def missing_in(self, year: int) -> list[str]:
        """The series (part codes, "" for the indicator itself) with no value stored for
        ``year``; a returned value is not missing (it waits for its department)."""
        return [p for p in self.series() if (p, year) not in self.stored]


def _spec(row: IndicatorDefinition, unit: m.DemoUnit) -> IndicatorSpec:
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


def _counted(v: m.IndicatorValue, confirmation: bool) -> tuple[float | None, str | None] | None:
    """The (number, text) of ``v`` that counts: the value itself when its state counts, else
    the figure the office last confirmed (a change awaiting confirmation or sent back leaves
    it counting), else None."""
    if cycle_rules.counts(ValueState(v.state), confirmation):
        return v.value, v.text
    if v.confirmed_at is not None:
        return v.confirmed_value, v.confirmed_text
    return None


_DEFINITIONS: OrderedDict[str, tuple[tuple[IndicatorDefinition, IndicatorSpec], ...]] = (
    OrderedDict()
)
_DEFINITIONS_LOCK = threading.Lock()
_DEFINITIONS_KEPT = 256
"""Units whose definitions a process keeps (the 70-unit bench fits; the least used go)."""


def definitions(
    session: Session, unit: m.DemoUnit
) -> tuple[tuple[IndicatorDefinition, IndicatorSpec], ...]:
    """The definitions of ``unit``'s indicators and task targets with their parsed specs, in
    plan order. The plan load writes them once and nothing changes them, so they are read
    once per process and kept by the unit's ``plan_revision`` (a random token of that load):
    a page no longer pays the ORM for the plan's catalogue on every view (issue #13 item 8)."""
    key = unit.plan_revision
    with _DEFINITIONS_LOCK:
        kept = _DEFINITIONS.get(key)
        if kept is not None:
            _DEFINITIONS.move_to_end(key)
            return kept
    read = tuple((d, _spec(d, unit)) for d in store.definitions(session, unit.id))
    with _DEFINITIONS_LOCK:
        _DEFINITIONS[key] = read
        while len(_DEFINITIONS) > _DEFINITIONS_KEPT:
            _DEFINITIONS.popitem(last=False)
    return read


def catalogue(session: Session, unit: m.DemoUnit, code: str | None = None) -> list[IndicatorView]:
    """Every indicator and task target of ``unit`` (or just ``code``) with all it has on record.

    The record (what the evaluation reads) holds only the values that count: confirmed ones,
    or with the unit's confirmation off every value not returned; while a change to a
    confirmed value awaits the office (or was sent back) the confirmed figure counts.
    ``stored`` holds every stored value as it stands.
    """
    rows = [(d, spec) for d, spec in definitions(session, unit) if code is None or d.code == code]
    if code is not None and not rows:
        raise NotFound(
            f"indicator: 单位“{unit.code}”没有指标“{code}” — "
            f"unit {unit.code!r} has no indicator {code!r}"
        )
    ids = [r.id for r, _ in rows]
    confirmation = confirmation_on(session, unit)
    values: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    texts: dict[int, dict[tuple[str, int], str]] = defaultdict(dict)
    stored: dict[int, dict[tuple[str, int], m.IndicatorValue]] = defaultdict(dict)
    for v in store.values_of(session, ids):
        stored[v.indicator_id][(v.part_code, v.year)] = v
        counted = _counted(v, confirmation)
        if counted is None:
            continue
        number, text = counted
        if number is not None:
            values[v.indicator_id][v.part_code][v.year] = number
        if text:
            texts[v.indicator_id][(v.part_code, v.year)] = text
    assigned: dict[int, dict[int, float]] = defaultdict(dict)
    for a in store.assigned_targets_of(session, ids):
        assigned[a.indicator_id][a.year] = a.value
    judged: dict[int, dict[int, Assessment]] = defaultdict(dict)
    for j in store.assessments_of(session, ids):
        judged[j.indicator_id][j.year] = Assessment(Status(j.status), j.evidence)
    views = []
    for row, spec in rows:
        series = values[row.id]
        record = Record(
            values=dict(series.get("", {})),
            part_values={p: dict(vs) for p, vs in series.items() if p},
            assigned=dict(assigned[row.id]),
            assessments=dict(judged[row.id]),
        )
        views.append(IndicatorView(row, spec, record, texts[row.id], stored[row.id]))
    return views


@dataclass
class EvaluatedIndicator:
    view: IndicatorView
    outcome: Outcome


@dataclass
class CategorySummary:
    category: CategoryDefinition
    met: int = 0
    total: int = 0
    no_data: int = 0  # missing, shown apart from not met

    @property
    def not_met(self) -> int:
        """Not met, and not missing either (needs assessment counts here)."""
        return self.total - self.met - self.no_data


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
        summary.no_data += e.outcome.status is Status.NO_DATA
    return UnitEvaluation(
        unit=unit,
        year=year,
        indicators=table,
        task_targets=[e for e in evaluated if e.view.row.kind == "task"],
        acceptance=acceptance((e.view.spec, e.outcome) for e in table),
        categories=sorted(summaries.values(), key=lambda s: s.category.position),
    )


def years_on_record(session: Session, unit: m.DemoUnit) -> list[int]:
    """The years with at least one value on record for ``unit``, ascending (for the year
    pickers; the default year is the office's :func:`evaluation_year`)."""
    return store.years_on_record(session, unit.id)


def year_choices(session: Session, unit: m.DemoUnit, *also: int) -> list[int]:
    """The years a picker offers: those with values, the evaluation year and ``also``."""
    return sorted({*years_on_record(session, unit), evaluation_year(session, unit), *also})


# --------------------------------------------------------------------------- the data cycle


def china_today() -> dt.date:
    """Today in China Standard Time."""
    return formatting.china_today()


@dataclass(frozen=True)
class Cycle:
    """The office's settings of a unit's data cycle, as they stand.

    evaluation_year : the year every page, report and dossier shows by default (the office's
        choice; ``chosen`` False when it has made none: last calendar year within the plan)
    confirmation : whether a department's value counts only once the office confirms it
    deadline : the office's deadline for the values of the evaluation year, or None
    """

    evaluation_year: int
    chosen: bool
    confirmation: bool
    deadline: dt.date | None
    today: dt.date
    set_by: str = ""
    set_at: dt.datetime | None = None

    @property
    def overdue(self) -> bool:
        return cycle_rules.overdue(self.deadline, self.today)


def data_cycle(session: Session, unit: m.DemoUnit, today: dt.date | None = None) -> Cycle:
    """The data-cycle settings of ``unit`` (``today`` in China Standard Time)."""
    day = today or china_today()
    row = store.cycle(session, unit.id)
    chosen = row is not None and row.evaluation_year is not None
    year = (
        row.evaluation_year
        if row is not None and row.evaluation_year is not None
        else cycle_rules.default_evaluation_year(day, unit.base_year, unit.target_year)
    )
    due = store.deadline(session, unit.id, year)
    return Cycle(
        evaluation_year=year,
        chosen=chosen,
        confirmation=row.confirmation if row is not None else True,
        deadline=due.due if due else None,
        today=day,
        set_by=row.set_by if row is not None else "",
        set_at=row.set_at if row is not None else None,
    )


def deadline_for(session: Session, unit: m.DemoUnit, year: int) -> dt.date | None:
    """The office's deadline for the values of ``year``, or None."""
    row = store.deadline(session, unit.id, year)
    return row.due if row else None


def evaluation_year(session: Session, unit: m.DemoUnit) -> int:
    """The year the office evaluates: the default year of every page, report and dossier."""
    row = store.cycle(session, unit.id)
    if row is not None and row.evaluation_year is not None:
        return row.evaluation_year
    return cycle_rules.default_evaluation_year(china_today(), unit.base_year, unit.target_year)


def confirmation_on(session: Session, unit: m.DemoUnit) -> bool:
    """Whether values of ``unit`` count only once the office confirms them (the default)."""
    row = store.cycle(session, unit.id)
    return True if row is None else row.confirmation


def _office(actor: Actor, what: str, what_zh: str) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            f"只有专班办公室可以{what_zh} — only the working-group office {what}"
        )


def _check_year(year: int, field: str, today: dt.date | None = None) -> None:
    try:
        cycle_rules.check_year(year, today or china_today(), field)
    except cycle_rules.YearError as exc:
        raise InvalidInput(f"{exc.field}: {exc.detail_zh} — {exc.detail}") from None


def set_evaluation_year(
    session: Session, actor: Actor, unit: m.DemoUnit, year: int, today: dt.date | None = None
) -> None:
    """The office chooses the evaluation year; not after this calendar year (CST)."""
    _office(actor, "chooses the evaluation year", "设定评估年度")
    _check_year(year, "evaluation_year", today)
    if year < unit.base_year:
        raise InvalidInput(
            f"evaluation_year: 评估年度不能早于基准年{unit.base_year}年，而不是{year} — "
            f"expected {unit.base_year} or later, got {year}"
        )
    row = store.cycle_for_update(session, unit.id, actor.username)
    old = {"evaluation_year": row.evaluation_year}
    row.evaluation_year, row.set_by, row.set_at = year, actor.username, utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "cycle.evaluation_year",
        "unit",
        unit.code,
        old,
        {"evaluation_year": year},
        unit.code,
    )


def set_confirmation(session: Session, actor: Actor, unit: m.DemoUnit, on: bool) -> None:
    """The office switches the confirmation of departments' values on or off."""
    _office(actor, "switches confirmation on or off", "开启或关闭数值确认")
    row = store.cycle_for_update(session, unit.id, actor.username)
    old = {"confirmation": row.confirmation}
    row.confirmation, row.set_by, row.set_at = on, actor.username, utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "cycle.confirmation",
        "unit",
        unit.code,
        old,
        {"confirmation": on},
        unit.code,
    )


def set_deadline(session: Session, actor: Actor, unit: m.DemoUnit, year: int, due: dt.date) -> None:
    """The office sets the deadline for the departments' values of ``year``."""
    _office(actor, "sets the deadline", "设定截止日期")
    lo, hi = unit.base_year, unit.target_year + 10
    if not lo <= year <= hi:
        raise InvalidInput(
            f"year: 年份应在{lo}至{hi}之间，而不是{year} — "
            f"expected a year between {lo} and {hi}, got {year}"
        )
    if due.year < year:
        raise InvalidInput(
            f"due: {year}年数据的截止日期不能早于{year}年，而不是{due.isoformat()} — "
            f"the deadline for {year}'s values is in {year} or later, got {due.isoformat()}"
        )
    row = store.deadline(session, unit.id, year)
    old = {"due": row.due.isoformat()} if row else None
    store.set_deadline(session, unit.id, year, due, actor.username).set_at = utcnow()
    audit.record(
        session,
        actor,
        "cycle.deadline",
        "unit",
        f"{unit.code}/{year}",
        old,
        {"year": year, "due": due.isoformat()},
        unit.code,
    )


def values_on_record(
    session: Session, unit: m.DemoUnit
) -> dict[tuple[str, str, int], m.IndicatorValue]:
    """Every value on record for ``unit``, by (indicator code, part code, year)."""
    return store.values_by_key(session, unit.id)


def counted_values(
    session: Session, unit: m.DemoUnit
) -> dict[tuple[str, str, int], m.IndicatorValue]:
    """The values of ``unit`` that count (see :func:`catalogue`), by (code, part code, year):
    what the report and the dossier cite."""
    confirmation = confirmation_on(session, unit)
    return {
        key: v
        for key, v in store.values_by_key(session, unit.id).items()
        if _counted(v, confirmation) is not None
    }


def may_edit(actor: Actor, row: IndicatorDefinition | m.Indicator) -> bool:
    """Admins edit everything; a department editor only the indicators its department owns."""
    return actor.acts_for(row.departments)


def _value_dict(v: m.IndicatorValue) -> dict[str, Any]:
    return {
        "value": v.value,
        "text": v.text,
        "source": v.source,
        "evidence": v.evidence,
        "state": v.state,
    }


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


def check_value(
    view: IndicatorView, unit: m.DemoUnit, entry: ValueInput, today: dt.date | None = None
) -> float | None:
    """Validate ``entry`` against its indicator; returns the value in the indicator's unit.

    Raises :class:`InvalidInput` naming the field and what was expected; a year after the
    current calendar year (China Standard Time) is refused.
    """
    row = view.row
    parts = {p.code: p for p in row.parts}
    if entry.part and entry.part not in parts:
        raise InvalidInput(
            f"part: 指标{row.code}的分项为{'、'.join(sorted(parts))}，没有“{entry.part}” — "
            f"indicator {row.code} has parts {sorted(parts)}, not {entry.part!r}"
        )
    if parts and not entry.part and entry.value is not None:
        raise InvalidInput(
            f"part: 指标{row.code}按分项填报数值（{'、'.join(parts)}） — "
            f"indicator {row.code} takes its figures per part ({', '.join(parts)})"
        )
    lo, hi = unit.base_year - 30, unit.target_year + 10
    if not lo <= entry.year <= hi:
        raise InvalidInput(
            f"year: 年份应在{lo}至{hi}之间，而不是{entry.year} — "
            f"expected a year between {lo} and {hi}, got {entry.year}"
        )
    _check_year(entry.year, "year", today)
    if entry.value is None:
        if not (entry.text or "").strip():
            raise InvalidInput("value: 请填写数值或文字说明 — a number or a text is required")
        return None
    if not math.isfinite(entry.value):
        raise InvalidInput(
            f"value: 应为有限数值，而不是{entry.value!r} — "
            f"expected a finite number, got {entry.value!r}"
        )
    target_unit = parts[entry.part].unit if entry.part else row.unit
    if target_unit in ("/", ""):
        raise InvalidInput(
            f"value: 指标{row.code}为定性指标，请填写文字说明，不填数值 — "
            f"indicator {row.code} is qualitative; enter a text, not a number"
        )
    value = entry.value
    if entry.unit and entry.unit.strip() != target_unit:
        try:
            value = convert(value, entry.unit, target_unit)
        except UnitError:
            raise InvalidInput(
                f"unit: 应为“{target_unit}”或可换算为“{target_unit}”的单位，"
                f"而不是“{entry.unit}” — "
                f"expected {target_unit!r} or a unit convertible to it, got {entry.unit!r}"
            ) from None
    try:  # finite, not negative, a share within 0-100 %
        plausible.check_value(value, target_unit)
    except plausible.ValueRangeError as exc:
        raise InvalidInput(_range_refusal(exc)) from None
    return value


def _range_refusal(exc: plausible.ValueRangeError) -> str:
    """``value: 数值150超出合理范围（0～100%） — a share is a number between 0 and 100 %, …``."""
    zh = exc.message_zh.removeprefix(exc.field)
    if zh and not "\u4e00" <= zh[0] <= "\u9fff":
        zh = "数值" + zh
    en = str(exc).removeprefix(f"{exc.field}: ")
    return f"{exc.field}: {zh} — {en}"


def _key(code: str, part: str, year: int) -> str:
    """The audit key of one value: ``5//2022``, ``28/fertiliser/2022``."""
    return f"{code}/{part}/{year}"


def _editable(session: Session, actor: Actor, unit: m.DemoUnit, code: str) -> IndicatorView:
    (view,) = catalogue(session, unit, code)
    if not may_edit(actor, view.row):
        owners = "、".join(d.name_zh for d in view.row.departments) or "专班办公室"
        raise PermissionDenied(
            f"{actor.username}无权修改指标{code}（由{owners}负责） — "
            f"{actor.username} may not edit indicator {code}: it belongs to {owners}"
        )
    return view


def _keep_confirmed(row: m.IndicatorValue) -> None:
    """Before ``row`` is changed: remember its figure if it stands confirmed, so that it keeps
    counting until the change is confirmed."""
    if row.state == ValueState.CONFIRMED.value and row.id is not None:
        row.confirmed_value, row.confirmed_text = row.value, row.text
        row.confirmed_at = row.reviewed_at or row.entered_at or utcnow()


def _confirmed(row: m.IndicatorValue, username: str) -> None:
    row.state = ValueState.CONFIRMED.value
    row.reviewed_by, row.reviewed_at = username, utcnow()
    row.confirmed_value, row.confirmed_text = row.value, row.text
    row.confirmed_at = row.reviewed_at


def _entered(actor: Actor, confirmation: bool, row: m.IndicatorValue) -> ValueState:
    """Mark ``row`` as just entered by ``actor``: confirmed for the office (or with
    confirmation off), else submitted; a returned value's reason is cleared."""
    state = cycle_rules.state_after_entry(actor.role is Role.ADMIN, confirmation)
    row.entered_by, row.entered_at = actor.username, utcnow()
    row.return_reason = ""
    if state is ValueState.CONFIRMED:
        _confirmed(row, actor.username)
    else:
        row.state = state.value
        row.reviewed_by, row.reviewed_at = "", None
    return state


def submit_value(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    entry: ValueInput,
    today: dt.date | None = None,
) -> m.IndicatorValue:
    """Enter one year's value: the one function every path calls (form, workbook upload,
    inventory and carbon-inclusion feeds).

    A department editor's value is *submitted* and counts once the office confirms it (a
    confirmed figure it replaces counts until then); the office's own value (and every value
    when the unit has switched confirmation off) is confirmed at once. Re-entering a value
    (a returned one, say) submits it again. The old value stays in the audit log (action
    ``value.set``).

    Raises :class:`PermissionDenied` for an indicator of another department and
    :class:`InvalidInput` naming the field (a year after this calendar year included).
    """
    view = _editable(session, actor, unit, entry.code)
    value = check_value(view, unit, entry, today)
    confirmation = confirmation_on(session, unit)
    existing = store.value(session, view.row.id, entry.part, entry.year)
    old = _value_dict(existing) if existing else None
    if existing is None:
        existing = m.IndicatorValue(indicator_id=view.row.id, part_code=entry.part, year=entry.year)
        session.add(existing)
    else:
        _keep_confirmed(existing)
    existing.value = value
    existing.text = (entry.text or "").strip() or None
    existing.source = entry.source
    existing.evidence = entry.evidence
    _entered(actor, confirmation, existing)
    session.flush()
    key = _key(entry.code, entry.part, entry.year)
    audit.record(
        session, actor, "value.set", "indicator", key, old, _value_dict(existing), unit.code
    )
    return existing


set_value = submit_value
"""The former name of :func:`submit_value`."""


def _stored(session: Session, view: IndicatorView, part: str, year: int) -> m.IndicatorValue:
    row = store.value(session, view.row.id, part, year)
    if row is None:
        where = f"{view.row.code}/{part}" if part else view.row.code
        raise NotFound(
            f"year: 指标{where}没有{year}年的数值 — indicator {where} has no value for {year}"
        )
    return row


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("reason: 请填写原因 — a reason is required")
    if len(reason) > 2000:
        raise InvalidInput("reason: 原因不超过2000字 — at most 2000 characters")
    return reason.strip()


def confirm_value(
    session: Session, actor: Actor, unit: m.DemoUnit, code: str, year: int, part: str = ""
) -> m.IndicatorValue:
    """The office confirms a submitted value: from now on it counts."""
    _office(actor, "confirms values", "确认数值")
    (view,) = catalogue(session, unit, code)
    row = _stored(session, view, part, year)
    if row.state != ValueState.SUBMITTED.value:
        raise InvalidInput(
            f"state: 该数值状态为“{ValueState(row.state).label_zh}”，只能确认待确认的数值 — "
            f"only a submitted value is confirmed, this one is {row.state}"
        )
    _confirmed(row, actor.username)
    session.flush()
    audit.record(
        session,
        actor,
        "value.confirm",
        "indicator",
        _key(code, part, year),
        {"state": ValueState.SUBMITTED.value},
        _value_dict(row),
        unit.code,
    )
    return row


def return_value(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    year: int,
    reason: str,
    part: str = "",
) -> m.IndicatorValue:
    """The office sends a submitted value back to its department with ``reason``; it does not
    count (the figure confirmed before it, if any, still does), and the department's to-do
    shows it with the reason until it is entered again."""
    _office(actor, "sends values back", "退回数值")
    why = _reason(reason)
    (view,) = catalogue(session, unit, code)
    row = _stored(session, view, part, year)
    if row.state != ValueState.SUBMITTED.value:
        raise InvalidInput(
            f"state: 该数值状态为“{ValueState(row.state).label_zh}”，只能退回待确认的数值 — "
            f"only a submitted value is sent back, this one is {row.state}"
        )
    row.state, row.return_reason = ValueState.RETURNED.value, why
    row.reviewed_by, row.reviewed_at = actor.username, utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "value.return",
        "indicator",
        _key(code, part, year),
        {"state": ValueState.SUBMITTED.value},
        _value_dict(row) | {"reason": why},
        unit.code,
    )
    return row


def correct_value(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    year: int,
    entry: ValueInput,
    reason: str,
    today: dt.date | None = None,
) -> m.IndicatorValue:
    """Correct the value of ``entry.code`` (part ``entry.part``) stored for ``year``: its
    figure, text, source, or its year (``entry.year`` differs from ``year``), with ``reason``.

    By its department or the office. The corrected value is submitted again (confirmed when
    the office corrects it or confirmation is off). The audit log (``value.correct``) keeps
    the value before and after, with the year of each, who and why.
    """
    why = _reason(reason)
    view = _editable(session, actor, unit, entry.code)
    row = _stored(session, view, entry.part, year)
    value = check_value(view, unit, entry, today)
    confirmation = confirmation_on(session, unit)
    if entry.year != year and store.value(session, view.row.id, entry.part, entry.year):
        raise InvalidInput(
            f"year: {entry.year}年已有数值，请更正该年的数值 — "
            f"{entry.year} already has a value; correct that one"
        )
    old = _value_dict(row) | {"year": year}
    if entry.year == year:
        _keep_confirmed(row)
    else:  # a figure moved to another year no longer counts for the year it left
        row.confirmed_value = row.confirmed_text = row.confirmed_at = None
    row.year = entry.year
    row.value = value
    row.text = (entry.text or "").strip() or None
    row.source, row.evidence = entry.source, entry.evidence
    _entered(actor, confirmation, row)
    session.flush()
    new = _value_dict(row) | {"year": entry.year, "reason": why}
    audit.record(
        session,
        actor,
        "value.correct",
        "indicator",
        _key(entry.code, entry.part, year),
        old,
        new,
        unit.code,
    )
    if entry.year != year:  # the value's history under its new year too
        audit.record(
            session,
            actor,
            "value.correct",
            "indicator",
            _key(entry.code, entry.part, entry.year),
            old,
            new,
            unit.code,
        )
    return row


def withdraw_value(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    year: int,
    reason: str,
    part: str = "",
) -> None:
    """Withdraw a wrong value with ``reason`` (its department or the office): it no longer
    counts nor shows; the audit log (``value.withdraw``) keeps it, who and why."""
    why = _reason(reason)
    view = _editable(session, actor, unit, code)
    row = _stored(session, view, part, year)
    old = _value_dict(row) | {"year": year}
    store.delete_value(session, row)
    audit.record(
        session,
        actor,
        "value.withdraw",
        "indicator",
        _key(code, part, year),
        old,
        {"withdrawn": True, "reason": why},
        unit.code,
    )


@dataclass(frozen=True)
class PendingValue:
    """A stored value in the office's review (submitted or returned), with its indicator."""

    view: IndicatorView
    row: m.IndicatorValue

    @property
    def part_name(self) -> str:
        for p in self.view.spec.parts:
            if p.code == self.row.part_code:
                return p.name_zh
        return ""


def values_in_review(
    session: Session, unit: m.DemoUnit, state: ValueState, views: list[IndicatorView] | None = None
) -> list[PendingValue]:
    """The values of ``unit`` in ``state`` (submitted: awaiting the office; returned: sent
    back to their department), in plan order."""
    by_id = {v.row.id: v for v in (views if views is not None else catalogue(session, unit))}
    return [
        PendingValue(by_id[r.indicator_id], r)
        for r in store.values_in_state(session, unit.id, [state.value])
        if r.indicator_id in by_id
    ]


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
    _office(actor, "records assessments", "记录评估")
    if status not in (Status.MET, Status.NOT_MET):
        raise InvalidInput("status: 评估结果应为完成或未完成 — an assessment is met or not_met")
    if not evidence.strip():
        raise InvalidInput("evidence: 请填写评估依据 — an assessment needs its evidence")
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
    _office(actor, "enters assigned targets", "录入上级下达目标")
    if not source.strip():
        raise InvalidInput("source: 请填写下达目标的文件 — name the document that sets the target")
    (view,) = catalogue(session, unit, code)
    if view.row.rule.get("kind") != "assigned_target":
        raise InvalidInput(
            f"indicator: 指标{code}没有上级下达的目标 — "
            f"indicator {code} has no target set by the higher government"
        )
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
