"""Carbon-inclusion rules as the office keeps them: methodology versions and a unit's scheme.

The bundled files (``data/inclusion/methodologies``, ``data/inclusion/schemes``) are the
defaults. The office adds to them in the database, never editing the package:

- a **methodology version** (e.g. the provincial grid factor filled in, with its basis in the
  file's ``source`` and ``note``): a new ``id@version``, never a change to one in use, so a
  credit's version keeps meaning what it did (``inclusion_methodology_version``);
- a **scheme version**: the unit's platform rules (methodology per scenario from a date,
  caps, plausibility, claim window); the newest applies, the older ones stay as history
  (``inclusion_scheme_version``). A unit without one uses its bundled file if it has one,
  else an empty scheme under which every record is refused for want of a methodology.

Both are YAML in the bundled files' shape (README of ``data/inclusion``), checked by the
core's loaders before anything is stored; a refused text stores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from nearzero.inclusion.choices import (
    Scenario,
    ScenarioError,
    all_scenarios,
    register_scenario,
    scenario_from_dict,
)
from nearzero.inclusion.methodology import (
    Methodology,
    MethodologyError,
    MethodologyLibrary,
    data_root,
    load_library,
    methodology_from_dict,
)
from nearzero.inclusion.rules import Scheme, scheme_from_dict
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.store import inclusion as store, tables as m

#: Largest rules text accepted [characters]; the bundled files are a few kB.
MAX_YAML_CHARS = 100_000


@dataclass(frozen=True)
class Rules:
    """The methodology library and the scheme in force for one unit, and where it came from."""

    library: MethodologyLibrary
    scheme: Scheme
    #: ``bundled`` (the package's file), ``saved`` (the office's newest version) or ``none``
    origin: str
    yaml_text: str
    saved_at: datetime | None = None
    saved_by: str = ""


@lru_cache(maxsize=1)
def bundled_library() -> MethodologyLibrary:
    """The package's methodology files (parsed once)."""
    return load_library()


def bundled_scheme_text(unit_code: str) -> str | None:
    """The package's ``schemes/{unit}.yaml``, if the unit has one."""
    path = data_root().joinpath("schemes", f"{unit_code}.yaml")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def empty_scheme_text(unit_code: str, name_zh: str = "") -> str:
    """A scheme with nothing chosen: the starting point for a unit without a bundled file."""
    return _dump(
        {
            "unit_id": unit_code,
            "name_zh": name_zh,
            "methodologies": [],
            "plausibility": {},
            "caps": {"total": {"daily_g": None, "yearly_g": None}},
            "claim_window_days": None,
            "points_valid_months": None,
        }
    )


def _dump(data: Mapping[str, Any]) -> str:
    """A scheme mapping as the YAML text stored (keys in their order, Chinese kept)."""
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)


def parse_yaml(source: str, what: str) -> Mapping[str, Any]:
    """A rules text as a mapping; :class:`InvalidInput` naming ``what`` and the line."""
    if len(source) > MAX_YAML_CHARS:
        raise InvalidInput(f"{what}: 超过 {MAX_YAML_CHARS} 个字符 (longer than {MAX_YAML_CHARS})")
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{what}{where}: 不是有效的 YAML (not valid YAML: {exc})") from None
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{what}: 顶层应为键值映射 (expected a mapping at the top level)")
    return data


@lru_cache(maxsize=16)
def _library(published: tuple[tuple[str, str], ...]) -> MethodologyLibrary:
    lib = bundled_library()
    for ref, source in published:
        data = yaml.safe_load(source)
        lib = lib.with_methodology(methodology_from_dict(data, f"published {ref}"))
    return lib


@lru_cache(maxsize=32)
def _scheme(source: str, origin: str) -> Scheme:
    return scheme_from_dict(yaml.safe_load(source), origin)


@lru_cache(maxsize=16)
def _register(published: tuple[tuple[str, str], ...]) -> tuple[Scenario, ...]:
    return tuple(
        register_scenario(scenario_from_dict(yaml.safe_load(source), f"scenario {code}"))
        for code, source in published
    )


def load_scenarios(con: Connection) -> tuple[Scenario, ...]:
    """The scenarios of this database: the bundled ones, then the office's (registered for
    this process, so that records, methodologies and rules may name them)."""
    return (*Scenario, *_register(store.published_scenarios(con)))


def _known(con: Connection, scenario: Scenario, what: str) -> None:
    """Refuse a scenario this database does not have (another database's may be registered
    in the same process)."""
    if scenario not in load_scenarios(con):
        raise InvalidInput(
            f"{what}: 场景 {scenario.value!r} 尚未添加 (the scenario {scenario.value!r} is not "
            "added: add the scenario first)"
        )


def publish_scenario(session: Session, actor: Actor, source: str) -> Scenario:
    """Add a scenario from its YAML text (the office; audited): code, labels, activity kind,
    record fields, claim (what may not be credited twice). A code that exists is refused
    unless the text defines it identically (then nothing is written)."""
    _office(actor, "add a carbon-inclusion scenario", "新增碳普惠场景")
    data = parse_yaml(source, "scenario")
    try:
        definition = scenario_from_dict(data, "scenario")
    except ScenarioError as exc:
        raise InvalidInput(str(exc)) from None
    known = {s.value: s for s in load_scenarios(session.connection())}
    if definition.code in known:
        if known[definition.code].definition == definition:
            return known[definition.code]
        raise InvalidInput(
            f"code: 场景 {definition.code!r} 已存在且定义不同；请使用新的代码 (already defined "
            "differently: add it under a new code)"
        )
    try:
        scenario = register_scenario(definition)
    except ScenarioError as exc:
        raise InvalidInput(str(exc)) from None
    store.add_scenario(session, definition.code, source, actor.username)
    new = {
        "label_zh": definition.label_zh,
        "activity": definition.activity.value,
        "fields": list(definition.fields),
        "claim": definition.claim.value,
    }
    audit.record(
        session, actor, "scenario.publish", "inclusion_scenario", definition.code, None, new
    )
    session.flush()
    return scenario


def rules_on(con: Connection, unit_code: str) -> Rules:
    """The rules in force for ``unit_code``, read on ``con`` (cached by content); the
    office's scenarios are registered first (a methodology or scheme may name them)."""
    load_scenarios(con)
    library = _library(store.published_methodologies(con))
    saved = store.saved_scheme(con, unit_code)
    if saved is not None:
        scheme = _scheme(saved.yaml_text, f"saved scheme of {unit_code}")
        return Rules(library, scheme, "saved", saved.yaml_text, saved.saved_at, saved.saved_by)
    bundled = bundled_scheme_text(unit_code)
    if bundled is not None:
        return Rules(library, _scheme(bundled, f"schemes/{unit_code}.yaml"), "bundled", bundled)
    source = empty_scheme_text(unit_code)
    return Rules(library, _scheme(source, f"empty scheme of {unit_code}"), "none", source)


def rules(session: Session, unit: m.DemoUnit) -> Rules:
    """:func:`rules_on` for a unit, on the session's connection."""
    return rules_on(session.connection(), unit.code)


def points_validity(in_force: Rules, installation_default: int | None) -> int | None:
    """Months points stay valid: the unit's scheme, else the installation's setting."""
    chosen = in_force.scheme.points_valid_months
    return chosen if chosen is not None else installation_default


def _office(actor: Actor, what: str, what_zh: str) -> None:
    """Only the office may ``what`` (``what_zh`` in Chinese)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            f"{actor.username}无权{what_zh}：只有专班办公室（管理员）可以 — "
            f"only the office (administrator) may {what}"
        )


def publish_methodology(session: Session, actor: Actor, source: str) -> Methodology:
    """Add a methodology version from its YAML text (the office; audited).

    The text is checked as a bundled file is (every formula parameter declared; a value only
    with a status that may carry one). An ``id@version`` that exists already is refused
    unless the text defines it identically (then nothing is written): a new value is a new
    version.
    """
    _office(actor, "publish a methodology version", "发布方法学版本")
    data = parse_yaml(source, "methodology")
    load_scenarios(session.connection())
    try:
        methodology = methodology_from_dict(data, "methodology")
    except MethodologyError as exc:
        raise InvalidInput(str(exc)) from None
    _known(session.connection(), methodology.scenario, "scenario")
    library = _library(store.published_methodologies(session.connection()))
    if methodology.ref in library:
        if library.get(methodology.ref) == methodology:
            return methodology
        raise InvalidInput(
            f"version: {methodology.ref} 已存在且定义不同；请以新版本号发布 (already defined "
            "differently: publish it under a new version)"
        )
    store.add_methodology_version(session, str(methodology.ref), source, actor.username)
    new = {"scenario": methodology.scenario.value, "status": methodology.status.value}
    audit.record(
        session,
        actor,
        "methodology.publish",
        "inclusion_methodology",
        str(methodology.ref),
        None,
        new,
    )
    session.flush()
    return methodology


def save_scheme(
    session: Session, actor: Actor, unit: m.DemoUnit, source: str, note: str = ""
) -> Scheme:
    """Save a new version of ``unit``'s scheme from its YAML text (the office; audited).

    Refused with the field named, storing nothing, when the text is not a scheme of this
    unit or chooses a methodology the library lacks or of another scenario.
    """
    _office(actor, "change the carbon-inclusion rules", "修改碳普惠规则")
    data = parse_yaml(source, "scheme")
    load_scenarios(session.connection())
    if str(data.get("unit_id") or "") != unit.code:
        raise InvalidInput(
            f"unit_id: 应为 {unit.code!r}，实际为 {data.get('unit_id')!r} (expected {unit.code!r})"
        )
    try:
        scheme = scheme_from_dict(data, "scheme")
        scheme.check(_library(store.published_methodologies(session.connection())))
    except MethodologyError as exc:
        raise InvalidInput(str(exc)) from None
    for choice in scheme.methodologies:
        _known(session.connection(), choice.scenario, "methodologies")
    before = rules(session, unit)
    store.add_scheme_version(session, unit.id, source, note[:2000], actor.username)
    old = {"origin": before.origin, "unset": len(before.scheme.unset())}
    new = {"unset": len(scheme.unset()), "note": note[:200]}
    audit.record(session, actor, "scheme.save", "inclusion_scheme", unit.code, old, new, unit.code)
    session.flush()
    return scheme


#: Policy numbers entered in whole units: grams, days, months (the rest are decimals).
_WHOLE = ("caps.", "claim_window_days", "points_valid_months")


def save_policy(
    session: Session, actor: Actor, unit: m.DemoUnit, entered: Mapping[str, str], note: str = ""
) -> Scheme:
    """Save the unit's policy numbers from the office's form as a new scheme version.

    ``entered`` maps :meth:`~nearzero.inclusion.rules.Scheme.policy` keys to the text typed
    (empty: not set); the rest of the scheme (methodology choices) is kept. Refused naming
    every bad field, storing nothing. The saved YAML is regenerated (comments are not kept).
    """
    _office(actor, "change the carbon-inclusion rules", "修改碳普惠规则")
    in_force = rules(session, unit)
    data = _mapping(in_force, unit)
    errors: list[str] = []
    for key in in_force.scheme.policy():
        text_value = (entered.get(key) or "").strip().replace(",", "")
        value: int | str | None = None
        if text_value:
            if key.startswith(_WHOLE):
                try:
                    value = int(text_value)
                    if value < 0:
                        raise ValueError
                except ValueError:
                    errors.append(f"{key}: 应为非负整数，实际为“{text_value}” (a whole number)")
                    continue
            else:
                try:
                    if not Decimal(text_value).is_finite() or Decimal(text_value) < 0:
                        raise InvalidOperation
                except InvalidOperation:
                    errors.append(f"{key}: 应为非负数，实际为“{text_value}” (a number)")
                    continue
                value = text_value
        _set(data, key, value)
    for key in in_force.scheme.policy():
        if key.endswith(".typical_reduction_g"):  # the band is both numbers or none
            pct = key.removesuffix("typical_reduction_g") + "reduction_band_pct"
            typical_set, pct_set = (
                bool((entered.get(key) or "").strip()),
                bool((entered.get(pct) or "").strip()),
            )
            if typical_set != pct_set:
                missing = pct if typical_set else key
                errors.append(f"{missing}: 减排量区间需同时填写两项 (set both numbers of the band)")
    if errors:
        raise InvalidInput("; ".join(errors), errors)
    return save_scheme(session, actor, unit, _dump(data), note)


def choose_methodology(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    scenario: str,
    ref: str,
    valid_from: date | None = None,
    note: str = "",
) -> Scheme:
    """Apply methodology version ``ref`` to ``scenario`` from ``valid_from`` (always, when
    None) in a new scheme version; the earlier choices stay for the behaviour before it (a
    choice from the same day, or an undated one when ``valid_from`` is None, is replaced)."""
    _office(actor, "change the carbon-inclusion rules", "修改碳普惠规则")
    data = _mapping(rules(session, unit), unit)
    kept = [
        c
        for c in data.get("methodologies") or []
        if not (
            isinstance(c, dict)
            and str(c.get("scenario")) == scenario
            and c.get("valid_from") == valid_from
        )
    ]
    choice: dict[str, Any] = {"scenario": scenario, "methodology": ref.strip()}
    if valid_from is not None:
        choice["valid_from"] = valid_from
    data["methodologies"] = [*kept, choice]
    return save_scheme(session, actor, unit, _dump(data), note)


def _mapping(in_force: Rules, unit: m.DemoUnit) -> dict[str, Any]:
    """The scheme in force as a mapping to edit (the forms' changes are made on it)."""
    data: dict[str, Any] = dict(yaml.safe_load(in_force.yaml_text) or {})
    data["unit_id"] = unit.code
    return data


def _set(data: dict[str, Any], key: str, value: object) -> None:
    """``data[a][b][c] = value`` for the dotted ``key`` ``a.b.c``, making the mappings."""
    *path, last = key.split(".")
    node = data
    for part in path:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[last] = value


@dataclass(frozen=True)
class ScenarioRule:
    """What applies to one scenario today: the methodology version and what it still lacks."""

    scenario: Scenario
    methodology: Methodology | None
    missing: tuple[str, ...]

    def missing_labels(self, lang: str) -> list[str]:
        """The parameters without a value by their names in ``lang`` (电网排放因子), as the
        methodology labels them (the first without a value, for a parameter given per year);
        a parameter without a label by its name."""
        labels: dict[str, str] = {}
        for p in self.methodology.parameters if self.methodology else ():
            if p.value is None:
                labels.setdefault(p.name, (p.label_en if lang == "en" else p.label_zh) or p.name)
        return [labels.get(name, name) for name in self.missing]


def scenario_rules(r: Rules, today: date) -> list[ScenarioRule]:
    """Per scenario, the version in force ``today`` and its parameters without a value."""
    out = []
    in_scheme = {c.scenario for c in r.scheme.methodologies}
    for s in [*Scenario, *(x for x in all_scenarios() if not x.bundled and x in in_scheme)]:
        ref = r.scheme.methodology_for(s, today)
        chosen = r.library.get(ref) if ref is not None and ref in r.library else None
        missing = tuple(
            sorted({p.name for p in chosen.parameters if p.value is None}) if chosen else ()
        )
        out.append(ScenarioRule(s, chosen, missing))
    return out


def methodology_text(session: Session, ref: str) -> str:
    """The YAML of methodology ``ref`` (published by the office, or the bundled file), as the
    starting point of a new version; :class:`NotFound` when there is none."""
    published = store.methodology_yaml(session, ref)
    if published is not None:
        return published
    path = data_root().joinpath("methodologies", f"{ref}.yaml")
    if "/" in ref or not path.is_file():
        raise NotFound(f"methodology: 没有方法学“{ref}” — no methodology {ref!r}")
    return path.read_text(encoding="utf-8")


def draft_from(session: Session, ref: str, unit: m.DemoUnit) -> str:
    """The YAML of ``ref`` as the start of the office's new version: a new version string
    (``{version}-{unit}1``) and a note at the top saying what to fill in."""
    source = methodology_text(session, ref)
    version = ref.rpartition("@")[2]
    new_version = f"{version}-{unit.code}1"[:32]
    body = re.sub(r"^version:.*$", f'version: "{new_version}"', source, count=1, flags=re.M)
    return (
        f"# 新版本，基于 {ref}：填入缺少的参数值（status: office_decided，source 写明依据），"
        "可改 version。\n"
        f"# A new version based on {ref}: fill in the missing values (status: office_decided, "
        "the basis in source); the version may be changed.\n" + body
    )


def scheme_versions(session: Session, unit: m.DemoUnit) -> list[m.InclusionSchemeVersion]:
    """The unit's saved scheme versions, newest (the one in force) first."""
    return store.scheme_versions(session, unit.id)


def scheme_version_text(session: Session, unit: m.DemoUnit, version_id: int) -> str:
    """The YAML of one saved version of the unit's scheme; :class:`NotFound` otherwise."""
    row = store.scheme_version(session, version_id)
    if row is None or row.unit_id != unit.id:
        raise NotFound(
            f"version: {unit.code}没有已保存的规则版本{version_id} — "
            f"no saved scheme version {version_id} of {unit.code}"
        )
    return row.yaml_text


def published_versions(session: Session) -> list[m.InclusionMethodologyVersion]:
    """The methodology versions the office published, newest first."""
    return store.methodology_versions(session)
