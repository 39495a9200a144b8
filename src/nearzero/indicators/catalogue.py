"""A demonstration unit's plan as data: the indicator catalogue, task targets, key projects.

:func:`parse_plan` reads the plain structure of a plan file (see ``data/units/zhangqiu.yaml``,
the bundled default) into typed records and names the exact field that is wrong;
:func:`load_plan` reads the file. Any unit (city, park, community) with the same shape of plan
is loaded the same way.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nearzero.indicators.choices import Attribute, Status
from nearzero.indicators.evaluation import Assessment, IndicatorSpec, Part, Record
from nearzero.indicators.rules import RuleError, RuleKind, TargetRule, parse_rule
from nearzero.indicators.values import ValueRangeError, check_value, is_share
from nearzero.units import UnitError, convert, parse_unit

UNIT_KINDS = ("city", "park", "community")


class PlanError(ValueError):
    """A plan file that cannot be read; the message names the file and the field."""


@dataclass(frozen=True)
class UnitInfo:
    code: str
    kind: str
    name_zh: str
    name_en: str
    base_year: int
    target_year: int
    province_zh: str = ""
    office_zh: str = ""
    plan_title_zh: str = ""
    plan_document_no: str = ""
    plan_issued: dt.date | None = None


@dataclass(frozen=True)
class Named:
    """A category or a department: a code with its zh/en names."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Subdistrict:
    name_zh: str
    kind: str


@dataclass(frozen=True)
class YearValue:
    """One year's entry: a number in the indicator's unit, a text, or both."""

    year: int
    value: float | None = None
    text: str | None = None
    note: str = ""


@dataclass(frozen=True)
class AssignedTarget:
    year: int
    value: float
    source: str


@dataclass(frozen=True)
class IndicatorEntry:
    """An indicator (or task target) with everything the plan records for it."""

    spec: IndicatorSpec
    departments: tuple[str, ...]
    values: tuple[YearValue, ...] = ()
    part_values: Mapping[str, tuple[YearValue, ...]] = field(default_factory=dict)
    assigned: tuple[AssignedTarget, ...] = ()
    assessments: Mapping[int, Assessment] = field(default_factory=dict)
    plan_status: Status | None = None
    task_ref_zh: str = ""
    note: str = ""

    def record(self) -> Record:
        """The figures on record, as the evaluation engine takes them."""
        return Record(
            values={v.year: v.value for v in self.values if v.value is not None},
            part_values={
                code: {v.year: v.value for v in vs if v.value is not None}
                for code, vs in self.part_values.items()
            },
            assigned={a.year: a.value for a in self.assigned},
            assessments=dict(self.assessments),
        )


@dataclass(frozen=True)
class KeyProject:
    number: int
    category: str
    name_zh: str
    content_zh: str
    due_text: str
    due: dt.date
    departments: tuple[str, ...]
    indicators: tuple[str, ...] = ()
    note_zh: str = ""


@dataclass(frozen=True)
class Plan:
    unit: UnitInfo
    categories: tuple[Named, ...]
    departments: tuple[Named, ...]
    subdistricts: tuple[Subdistrict, ...]
    indicators: tuple[IndicatorEntry, ...]
    task_targets: tuple[IndicatorEntry, ...]
    key_projects: tuple[KeyProject, ...]


_DUE = re.compile(r"^\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月|底)?\s*$")


def parse_due_text(text: str) -> dt.date:
    """The last day meant by a due date as plans write it: 2024年底, 2024年11月, 2025年."""
    match = _DUE.match(text)
    if not match:
        raise ValueError(
            f"应为“2024年底”或“2024年6月”这样的完成时间，而不是{text!r} — "
            f"expected a due date like 2024年底 or 2024年6月, got {text!r}"
        )
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else 12
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r}中的月份超出范围 — month out of range in {text!r}")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


#: The Chinese of what :meth:`_Reader.fail` expected, for the fixed phrases.
_EXPECTED_ZH = {
    "a mapping": "键值映射",
    "a list": "列表",
    "a non-empty text": "非空文本",
    "a year": "年份",
    "a year between 1990 and 2100": "1990至2100年之间的年份",
    "a number": "数值",
    "a unit nearzero knows (see nearzero.units)": "nearzero可识别的单位（见nearzero.units）",
    "binding, reference or featured": "binding、reference或featured",
    "parts exactly when the target kind is all_parts": "仅当目标类型为all_parts时填写parts",
    "met or not_met": "met或not_met",
    "a positive whole number": "正整数",
}


class _Reader:
    """Reads fields out of nested mappings, naming the path of any bad field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, expected: str, got: object, expected_zh: str = "") -> PlanError:
        zh = expected_zh or _EXPECTED_ZH.get(expected, expected)
        return PlanError(
            f"{self.source}: {where}：应为{zh}，而不是{got!r} — "
            f"{where}: expected {expected}, got {got!r}"
        )

    def mapping(self, data: object, where: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(where, "a mapping", data)
        return data

    def seq(self, data: object, where: str) -> Sequence[Any]:
        if data is None:
            return ()
        if not isinstance(data, list):
            raise self.fail(where, "a list", data)
        return data

    def text(self, data: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool) or value == "":
            raise self.fail(f"{where}.{key}", "a non-empty text", value)
        return str(value)

    def year(self, key: object, where: str) -> int:
        try:
            year = int(str(key))
        except ValueError:
            raise self.fail(where, "a year", key) from None
        if not 1990 <= year <= 2100:
            raise self.fail(where, "a year between 1990 and 2100", key)
        return year

    def number(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, "a number", value)
        return float(value)


def parse_plan(data: object, source: str = "<plan>") -> Plan:
    """Read a plan from its plain structure; ``source`` names the file in error messages."""
    r = _Reader(source)
    root = r.mapping(data, "plan")
    u = r.mapping(root.get("unit"), "unit")
    kind = r.text(u, "kind", "unit")
    if kind not in UNIT_KINDS:
        raise r.fail("unit.kind", " or ".join(UNIT_KINDS), kind, "或".join(UNIT_KINDS))
    plan_meta = r.mapping(u.get("plan") or {}, "unit.plan")
    issued = plan_meta.get("issued")
    unit = UnitInfo(
        code=r.text(u, "code", "unit"),
        kind=kind,
        name_zh=r.text(u, "name_zh", "unit"),
        name_en=r.text(u, "name_en", "unit"),
        base_year=r.year(u.get("base_year"), "unit.base_year"),
        target_year=r.year(u.get("target_year"), "unit.target_year"),
        province_zh=r.text(u, "province_zh", "unit", required=False),
        office_zh=r.text(u, "office_zh", "unit", required=False),
        plan_title_zh=r.text(plan_meta, "title_zh", "unit.plan", required=False),
        plan_document_no=r.text(plan_meta, "document_no", "unit.plan", required=False),
        plan_issued=issued if isinstance(issued, dt.date) else None,
    )
    categories = tuple(
        _named(r, c, f"categories[{i}]")
        for i, c in enumerate(r.seq(root.get("categories"), "categories"))
    )
    departments = tuple(
        _named(r, d, f"departments[{i}]")
        for i, d in enumerate(r.seq(root.get("departments"), "departments"))
    )
    subdistricts = tuple(
        Subdistrict(
            r.text(r.mapping(s, f"subdistricts[{i}]"), "name_zh", f"subdistricts[{i}]"),
            str(s.get("kind", "subdistrict")),
        )
        for i, s in enumerate(r.seq(root.get("subdistricts"), "subdistricts"))
    )
    known = _Known({c.code for c in categories}, {d.code for d in departments})
    indicators = tuple(
        _entry(r, e, f"indicators[{i}]", unit, known, task=False)
        for i, e in enumerate(r.seq(root.get("indicators"), "indicators"))
    )
    tasks = tuple(
        _entry(r, e, f"task_targets[{i}]", unit, known, task=True)
        for i, e in enumerate(r.seq(root.get("task_targets"), "task_targets"))
    )
    codes = [e.spec.code for e in indicators + tasks]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise PlanError(
            f"{source}: 指标代码须唯一，重复的有{duplicates} — "
            f"indicator codes must be unique; repeated: {duplicates}"
        )
    projects = tuple(
        _project(r, p, f"key_projects[{i}]", known, set(codes))
        for i, p in enumerate(r.seq(root.get("key_projects"), "key_projects"))
    )
    return Plan(unit, categories, departments, subdistricts, indicators, tasks, projects)


@dataclass(frozen=True)
class _Known:
    categories: set[str]
    departments: set[str]


def _named(r: _Reader, data: object, where: str) -> Named:
    m = r.mapping(data, where)
    return Named(r.text(m, "code", where), r.text(m, "name_zh", where), r.text(m, "name_en", where))


def _codes(r: _Reader, data: object, where: str, allowed: set[str]) -> tuple[str, ...]:
    codes = tuple(str(c) for c in r.seq(data, where))
    for i, code in enumerate(codes):
        if code not in allowed:
            raise r.fail(
                f"{where}[{i}]", f"one of {sorted(allowed)}", code, f"{sorted(allowed)}之一"
            )
    return codes


def _year_values(
    r: _Reader, data: object, texts: object, where: str, unit: str
) -> tuple[YearValue, ...]:
    """Yearly values: ``{2022: 1.5}`` or ``{2022: {value, unit, note}}``, with optional texts."""
    out: dict[int, YearValue] = {}
    for key, raw in r.mapping(data or {}, f"{where}.values").items():
        here = f"{where}.values.{key}"
        year = r.year(key, here)
        note = ""
        if isinstance(raw, Mapping):
            number = r.number(raw.get("value"), f"{here}.value")
            note = str(raw.get("note", ""))
            if raw.get("unit"):
                try:
                    number = convert(number, str(raw["unit"]), unit)
                except UnitError as exc:
                    raise r.fail(
                        f"{here}.unit",
                        f"a unit convertible to {unit!r}",
                        raw["unit"],
                        f"可换算为{unit!r}的单位",
                    ) from exc
        else:
            number = r.number(raw, here)
        try:
            check_value(number, unit, here)
        except ValueRangeError as exc:
            raise PlanError(f"{r.source}: {exc}") from None
        out[year] = YearValue(year, number, None, note)
    for key, raw in r.mapping(texts or {}, f"{where}.texts").items():
        year = r.year(key, f"{where}.texts.{key}")
        prior = out.get(year, YearValue(year))
        out[year] = YearValue(year, prior.value, str(raw), prior.note)
    return tuple(out[y] for y in sorted(out))


def _entry(
    r: _Reader, data: object, where: str, unit: UnitInfo, known: _Known, task: bool
) -> IndicatorEntry:
    m = r.mapping(data, where)
    code = r.text(m, "code", where)
    category = r.text(m, "category", where)
    if category not in known.categories:
        raise r.fail(
            f"{where}.category",
            f"one of {sorted(known.categories)}",
            category,
            f"{sorted(known.categories)}之一",
        )
    unit_text = r.text(m, "unit", where)
    try:
        parse_unit(unit_text)
    except UnitError:
        raise r.fail(
            f"{where}.unit", "a unit nearzero knows (see nearzero.units)", unit_text
        ) from None
    try:
        rule = parse_rule(m.get("target"), f"{where}.target")
    except RuleError as exc:
        raise PlanError(f"{r.source}: {exc}") from None
    _check_share_threshold(r, rule, unit_text, f"{where}.target")
    attribute: Attribute | None = None
    if not task:
        raw_attr = m.get("attribute")
        try:
            attribute = Attribute(str(raw_attr))
        except ValueError:
            raise r.fail(f"{where}.attribute", "binding, reference or featured", raw_attr) from None
    parts: list[Part] = []
    part_values: dict[str, tuple[YearValue, ...]] = {}
    for i, raw_part in enumerate(r.seq(m.get("parts"), f"{where}.parts")):
        pw = f"{where}.parts[{i}]"
        pm = r.mapping(raw_part, pw)
        part_unit = r.text(pm, "unit", pw)
        try:
            part_rule = parse_rule(pm.get("target"), f"{pw}.target")
        except RuleError as exc:
            raise PlanError(f"{r.source}: {exc}") from None
        _check_share_threshold(r, part_rule, part_unit, f"{pw}.target")
        part = Part(
            r.text(pm, "code", pw),
            r.text(pm, "name_zh", pw),
            r.text(pm, "name_en", pw),
            part_unit,
            part_rule,
        )
        parts.append(part)
        part_values[part.code] = _year_values(r, pm.get("values"), pm.get("texts"), pw, part_unit)
    if (rule.kind is RuleKind.ALL_PARTS) != bool(parts):
        raise r.fail(
            f"{where}.parts", "parts exactly when the target kind is all_parts", len(parts)
        )
    spec = IndicatorSpec(
        code=code,
        name_zh=r.text(m, "name_zh", where),
        name_en=r.text(m, "name_en", where),
        category=category,
        unit=unit_text,
        rule=rule,
        base_year=unit.base_year,
        target_year=unit.target_year,
        attribute=attribute,
        parts=tuple(parts),
    )
    assigned = tuple(
        AssignedTarget(
            r.year(y, f"{where}.assigned.{y}"),
            _plausible_number(
                r,
                r.mapping(a, f"{where}.assigned.{y}").get("value"),
                unit_text,
                f"{where}.assigned.{y}.value",
            ),
            r.text(a, "source", f"{where}.assigned.{y}"),
        )
        for y, a in r.mapping(m.get("assigned") or {}, f"{where}.assigned").items()
    )
    assessments = {
        r.year(y, f"{where}.assessments.{y}"): _assessment(r, a, f"{where}.assessments.{y}")
        for y, a in r.mapping(m.get("assessments") or {}, f"{where}.assessments").items()
    }
    raw_status = m.get("plan_status")
    plan_status = None
    if raw_status is not None:
        if raw_status not in ("met", "not_met"):
            raise r.fail(f"{where}.plan_status", "met or not_met", raw_status)
        plan_status = Status(raw_status)
    return IndicatorEntry(
        spec=spec,
        departments=_codes(r, m.get("departments"), f"{where}.departments", known.departments),
        values=_year_values(r, m.get("values"), m.get("texts"), where, unit_text),
        part_values=part_values,
        assigned=assigned,
        assessments=assessments,
        plan_status=plan_status,
        task_ref_zh=str(m.get("task_ref_zh", "")),
        note="；".join(str(m[k]) for k in ("values_note", "departments_note") if m.get(k)),
    )


def _plausible_number(r: _Reader, value: object, unit: str, where: str) -> float:
    number = r.number(value, where)
    try:
        check_value(number, unit, where)
    except ValueRangeError as exc:
        raise PlanError(f"{r.source}: {exc}") from None
    return number


def _check_share_threshold(r: _Reader, rule: TargetRule, unit: str, where: str) -> None:
    """A share's threshold lies between 0 and 100 (a target of ≥150 % can never be met)."""
    if rule.threshold is not None and is_share(unit):
        try:
            check_value(rule.threshold, unit, f"{where}.threshold")
        except ValueRangeError as exc:
            raise PlanError(f"{r.source}: {exc}") from None


def _assessment(r: _Reader, data: object, where: str) -> Assessment:
    m = r.mapping(data, where)
    status = m.get("status")
    if status not in ("met", "not_met"):
        raise r.fail(f"{where}.status", "met or not_met", status)
    return Assessment(Status(status), r.text(m, "evidence", where))


def _project(
    r: _Reader, data: object, where: str, known: _Known, indicator_codes: set[str]
) -> KeyProject:
    m = r.mapping(data, where)
    due_text = r.text(m, "due_text", where)
    try:
        due = parse_due_text(due_text)
    except ValueError as exc:
        raise PlanError(f"{r.source}: {where}.due_text: {exc}") from None
    category = r.text(m, "category", where)
    if category not in known.categories:
        raise r.fail(
            f"{where}.category",
            f"one of {sorted(known.categories)}",
            category,
            f"{sorted(known.categories)}之一",
        )
    number = m.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise r.fail(f"{where}.number", "a positive whole number", number)
    return KeyProject(
        number=number,
        category=category,
        name_zh=r.text(m, "name_zh", where),
        content_zh=r.text(m, "content_zh", where),
        due_text=due_text,
        due=due,
        departments=_codes(r, m.get("departments"), f"{where}.departments", known.departments),
        indicators=_codes(r, m.get("indicators"), f"{where}.indicators", indicator_codes),
        note_zh=str(m.get("note_zh", "")),
    )


def bundled_plan_path(code: str = "zhangqiu") -> Path:
    """Path of a plan shipped with nearzero (``zhangqiu`` is the default data set)."""
    return Path(str(resources.files("nearzero.data") / "units" / f"{code}.yaml"))


def load_plan(path: Path) -> Plan:
    """Read and parse a plan file (YAML)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanError(f"{path}: 不是有效的YAML — not valid YAML: {exc}") from None
    return parse_plan(data, source=str(path))
