"""Carbon-inclusion methodologies (碳普惠方法学) as versioned, immutable definitions.

A methodology is data, not code: each version lives in one YAML file under
``nearzero/data/inclusion/methodologies/`` and is read into the frozen
dataclasses below. The code only knows a handful of formulas (see
:mod:`nearzero.inclusion.calculation`); which formula, which parameters, which
limits and which sources is all in the file.

Rules the loader enforces, so that a data file cannot break them:

- A parameter's ``value`` may be set only when its ``status`` is a confirmed one
  (:attr:`ValueStatus.confirmed`); a value seen only in third-party code or not
  yet found in public sources stays empty (``None``). Computing a credit with an
  empty parameter raises :class:`MissingParameter`, naming the methodology, its
  version and the parameter.
- A methodology is identified by ``id`` and ``version``; a library refuses two
  different definitions under the same pair. A new version is a new file, so a
  credit computed with an old version can always be recomputed and never moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from nearzero.inclusion.choices import ActivityKind, Scenario, all_scenarios
from nearzero.units import UnitError, parse_unit


class MethodologyError(ValueError):
    """A methodology cannot be used as asked."""


class MethodologyDataError(MethodologyError):
    """A methodology data file is malformed; the message names the file and the field."""


class UnknownMethodology(MethodologyError, KeyError):
    """No methodology with this id (and version) in the library."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown methodology"


class MissingParameter(MethodologyError):
    """A parameter the formula needs has no confirmed value in this methodology version."""

    def __init__(
        self,
        methodology_id: str,
        version: str,
        parameter: str,
        year: int | None = None,
        note: str = "",
    ) -> None:
        self.methodology_id = methodology_id
        self.version = version
        self.parameter = parameter
        self.year = year
        where = f"{parameter}[{year}]" if year is not None else parameter
        text = (
            f"methodology {methodology_id!r} version {version!r}: parameter {where!r} "
            "has no confirmed value; it stays empty until it is confirmed against the "
            "official document"
        )
        if note:
            text += f" ({note})"
        super().__init__(text)


class ValueStatus(StrEnum):
    """How far a published value has been checked (see shared/reference/factor_status.md)."""

    OFFICIAL_QUOTED = "official_quoted"
    """The issuer's own value, quoted from its release (launch text, official press)."""
    VERIFIED_SECONDARY = "verified_secondary"
    """Verified against a faithful secondary source (a reprint of the official release)."""
    OPERATOR_PUBLISHED = "operator_published"
    """A platform operator's published credit rate, quoted in the press."""
    OFFICE_DECIDED = "office_decided"
    """Set by the working-group office for its unit, its basis (a decision, a provincial
    institution's study) in ``source``: the plan's "the office sets it with its basis"."""
    PARTLY_CHECKED = "partly_checked"
    """Seen only in third-party code or a derived source: not shipped."""
    NOT_FOUND = "not_found"
    """Not yet found in public sources: not shipped."""

    @property
    def confirmed(self) -> bool:
        """True when a value with this status may be shipped and used."""
        return self in _CONFIRMED


_CONFIRMED = frozenset(
    {
        ValueStatus.OFFICIAL_QUOTED,
        ValueStatus.VERIFIED_SECONDARY,
        ValueStatus.OPERATOR_PUBLISHED,
        ValueStatus.OFFICE_DECIDED,
    }
)


class Formula(StrEnum):
    """The formulas the calculation module implements (see its docstrings for the equations)."""

    RATE_X_ACTIVITY = "rate_x_activity"
    """ER = RF × A: a per-unit reduction rate times the activity (mean-baseline method)."""
    GENERATION_X_GRID_FACTOR = "generation_x_grid_factor"
    """ER = EG × EF_grid,y: electricity generated times the grid factor of the year."""
    EFFICIENCY_SUBSTITUTION = "efficiency_substitution"
    """ER = E_PJ × (η_PJ / η_BL − 1) × EF_grid,y: electricity avoided by a more efficient unit."""
    BASELINE_MINUS_PROJECT = "baseline_minus_project"
    """ER = BE − PE, BE = EF_baseline × A, PE = EF_project × A (DB11/T 3043-2024 eq. 1, 2);
    BE and PE are kept beside ER."""
    RATE_BY_CHANNEL = "rate_by_channel"
    """ER = RF.{channel} × A: the rate of the record's channel (碳碳星球: upload vs check-in)."""
    HOUSEHOLD_BASELINE = "household_baseline"
    """Shenzhen household electricity: (E_baseline − E) × EF_grid below the city's baseline,
    else (own trailing mean − E) × EF_grid when positive."""


class PartialOverlap(StrEnum):
    """What a methodology does with an asset's period that is partly credited already."""

    REFUSE = "refuse"
    """The record is refused (``period_already_credited``); the partner sends the uncovered
    part as its own record. The default: no methodology found says otherwise."""
    PRORATE = "prorate"
    """The uncovered share of the period is credited: ER × (uncovered time / period), the
    activity taken as even over the period."""


class MethodologyStatus(StrEnum):
    PUBLISHED = "published"
    """Issued by an authority (possibly 试行, trial), structure and values as published."""
    DRAFT = "draft"
    """A working definition whose structure or values are not (yet) published."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a methodology comes from."""

    document: str
    issuer: str = ""
    issued: str = ""
    citations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of a methodology.

    value : Decimal or None
        The published value in ``unit``; None while not confirmed.
    unit : str
        A unit text :func:`nearzero.units.parse_unit` reads ("g/km", "kg/kWh", "").
    year : int or None
        For parameters published per year (grid factors): the year it applies to.
    """

    name: str
    value: Decimal | None
    unit: str
    status: ValueStatus
    source: str
    year: int | None = None
    label_zh: str = ""
    label_en: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Limit:
    """An applicability limit on a record field, e.g. installed capacity ≤ 1 MW."""

    name: str
    record_field: str
    maximum: Decimal | None
    unit: str
    status: ValueStatus
    source: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Caps:
    """Per-resident caps written into the methodology itself [g CO2]; None = none published."""

    daily_g: int | None = None
    yearly_g: int | None = None
    source: str = ""


@dataclass(frozen=True, slots=True, order=True)
class MethodologyRef:
    """The identity of one methodology version, written ``id@version``."""

    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.id}@{self.version}"

    @classmethod
    def parse(cls, text: str) -> MethodologyRef:
        ident, sep, version = text.partition("@")
        if not sep or not ident or not version:
            raise MethodologyError(
                f"方法学引用{text!r}应写作“编号@版本” — "
                f"methodology reference {text!r} is not 'id@version'"
            )
        return cls(ident.strip(), version.strip())


@dataclass(frozen=True, slots=True)
class Methodology:
    """One version of a carbon-inclusion methodology."""

    id: str
    version: str
    scenario: Scenario
    formula: Formula
    activity: ActivityKind
    status: MethodologyStatus
    title_zh: str
    title_en: str
    region: str
    source: Source
    parameters: tuple[Parameter, ...]
    limits: tuple[Limit, ...] = ()
    caps: Caps = field(default_factory=Caps)
    note: str = ""
    partial_overlap: PartialOverlap = PartialOverlap.REFUSE
    """For asset-period claims: a period partly credited is refused or prorated."""

    @property
    def ref(self) -> MethodologyRef:
        return MethodologyRef(self.id, self.version)

    def parameter(self, name: str, year: int | None = None) -> Parameter:
        """The parameter ``name`` (for ``year`` if it is published per year).

        A per-year parameter falls back to a row without a year when there is one.
        Raises :class:`MissingParameter` when no row matches.
        """
        rows = [p for p in self.parameters if p.name == name]
        if not rows:
            raise MethodologyError(
                f"methodology {self.id!r} version {self.version!r} has no parameter {name!r}"
            )
        for p in rows:
            if p.year is not None and p.year == year:
                return p
        for p in rows:
            if p.year is None:
                return p
        raise MissingParameter(
            self.id, self.version, name, year, note="no row for that year in the definition"
        )

    def value(self, name: str, year: int | None = None) -> tuple[Parameter, Decimal]:
        """The parameter and its confirmed value; :class:`MissingParameter` when empty."""
        p = self.parameter(name, year)
        if p.value is None:
            raise MissingParameter(self.id, self.version, name, p.year, note=p.note)
        return p, p.value

    def channels(self) -> tuple[str, ...]:
        """The channels of a ``rate_by_channel`` methodology (its ``RF.{channel}`` names)."""
        return tuple(
            sorted({p.name[3:] for p in self.parameters if p.name.startswith("RF.") and p.name[3:]})
        )

    def missing(self) -> tuple[str, ...]:
        """Names (``name[year]``) of parameters and limits that have no confirmed value."""
        out = [
            f"{p.name}[{p.year}]" if p.year is not None else p.name
            for p in self.parameters
            if p.value is None
        ]
        out += [f"limit:{lim.name}" for lim in self.limits if lim.maximum is None]
        return tuple(out)


# --------------------------------------------------------------------------- parsing


def _req(data: Mapping[str, Any], key: str, origin: str) -> Any:
    if key not in data or data[key] is None or data[key] == "":
        raise MethodologyDataError(f"{origin}: 缺少必填字段{key!r} — field {key!r} is required")
    return data[key]


def _decimal(raw: Any, origin: str, key: str) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise MethodologyDataError(
            f"{origin}: {key}应为数值，而不是{raw!r} — {key} must be a number, not {raw!r}"
        )
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise MethodologyDataError(
            f"{origin}: {key}应为数值，而不是{raw!r} — {key} must be a number, not {raw!r}"
        ) from exc
    if not value.is_finite():
        raise MethodologyDataError(
            f"{origin}: {key}应为有限数值，而不是{raw!r} — {key} must be finite, not {raw!r}"
        )
    return value


def _enum(kind: type[StrEnum], raw: Any, origin: str, key: str) -> Any:
    try:
        return kind(str(raw))
    except ValueError as exc:
        allowed = ", ".join(m.value for m in kind)
        raise MethodologyDataError(
            f"{origin}: {key}的取值{raw!r}不在允许范围（{allowed}）内 — "
            f"{key} {raw!r} is not one of: {allowed}"
        ) from exc


def _scenario(raw: Any, origin: str) -> Scenario:
    try:
        return Scenario(str(raw))
    except ValueError:
        known = ", ".join(s.value for s in all_scenarios())
        raise MethodologyDataError(
            f"{origin}: 场景{raw!r}不是已有场景（{known}）之一，须由主管部门先添加场景"
            f"再添加其方法学 — scenario {raw!r} is not one of: {known} (the office adds a scenario "
            "before its methodology)"
        ) from None


def _unit(raw: Any, origin: str, key: str) -> str:
    text = "" if raw is None else str(raw)
    try:
        parse_unit(text)
    except UnitError as exc:
        raise MethodologyDataError(
            f"{origin}: {key}的单位{text!r}无法识别 — {key} has an unknown unit {text!r}"
        ) from exc
    return text


def _status_and_value(
    item: Mapping[str, Any], value_key: str, origin: str
) -> tuple[ValueStatus, Decimal | None]:
    status: ValueStatus = _enum(ValueStatus, _req(item, "status", origin), origin, "status")
    value = _decimal(item.get(value_key), origin, value_key)
    if value is not None and not status.confirmed:
        raise MethodologyDataError(
            f"{origin}: {value_key}已填写，但状态为{status.value!r}；未经确认的数值须留空 — "
            f"{origin}: {value_key} is set but status is {status.value!r}; a value that is "
            "not confirmed must stay empty"
        )
    return status, value


def methodology_from_dict(data: Mapping[str, Any], origin: str = "<dict>") -> Methodology:
    """Build a :class:`Methodology` from its data-file mapping (pure; no file access)."""
    ident = str(_req(data, "id", origin))
    version = str(_req(data, "version", origin))
    where = f"{origin} ({ident}@{version})"
    src = _req(data, "source", where)
    source = Source(
        document=str(_req(src, "document", f"{where} source")),
        issuer=str(src.get("issuer", "") or ""),
        issued=str(src.get("issued", "") or ""),
        citations=tuple(str(c) for c in src.get("citations", ()) or ()),
    )
    params: list[Parameter] = []
    seen: set[tuple[str, int | None]] = set()
    for i, item in enumerate(data.get("parameters", ()) or ()):
        p_origin = f"{where} parameters[{i}]"
        name = str(_req(item, "name", p_origin))
        year = item.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise MethodologyDataError(
                f"{p_origin}: 年份应为整数，而不是{year!r} — year must be an integer, not {year!r}"
            )
        if (name, year) in seen:
            raise MethodologyDataError(
                f"{p_origin}: 参数{name!r}的{year}年重复 — parameter {name!r} year {year} repeated"
            )
        seen.add((name, year))
        status, value = _status_and_value(item, "value", p_origin)
        params.append(
            Parameter(
                name=name,
                value=value,
                unit=_unit(item.get("unit"), p_origin, "unit"),
                status=status,
                source=str(_req(item, "source", p_origin)),
                year=year,
                label_zh=str(item.get("label_zh", "") or ""),
                label_en=str(item.get("label_en", "") or ""),
                note=str(item.get("note", "") or ""),
            )
        )
    limits: list[Limit] = []
    for i, item in enumerate(data.get("limits", ()) or ()):
        l_origin = f"{where} limits[{i}]"
        status, maximum = _status_and_value(item, "maximum", l_origin)
        limits.append(
            Limit(
                name=str(_req(item, "name", l_origin)),
                record_field=str(_req(item, "record_field", l_origin)),
                maximum=maximum,
                unit=_unit(item.get("unit"), l_origin, "unit"),
                status=status,
                source=str(_req(item, "source", l_origin)),
                note=str(item.get("note", "") or ""),
            )
        )
    caps_data = data.get("caps") or {}
    caps = Caps(
        daily_g=_int_or_none(caps_data.get("daily_g"), where, "caps.daily_g"),
        yearly_g=_int_or_none(caps_data.get("yearly_g"), where, "caps.yearly_g"),
        source=str(caps_data.get("source", "") or ""),
    )
    m = Methodology(
        id=ident,
        version=version,
        scenario=_scenario(_req(data, "scenario", where), where),
        formula=_enum(Formula, _req(data, "formula", where), where, "formula"),
        activity=_enum(ActivityKind, _req(data, "activity", where), where, "activity"),
        status=_enum(MethodologyStatus, _req(data, "status", where), where, "status"),
        title_zh=str(_req(data, "title_zh", where)),
        title_en=str(_req(data, "title_en", where)),
        region=str(data.get("region", "") or ""),
        source=source,
        parameters=tuple(params),
        limits=tuple(limits),
        caps=caps,
        note=str(data.get("note", "") or ""),
        partial_overlap=_enum(
            PartialOverlap,
            data.get("partial_overlap") or PartialOverlap.REFUSE.value,
            where,
            "partial_overlap",
        ),
    )
    _check_formula_parameters(m, where)
    return m


def _int_or_none(raw: Any, origin: str, key: str) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise MethodologyDataError(
            f"{origin}: {key}应为非负整数（克） — {key} must be a non-negative integer of grams"
        )
    return raw


FORMULA_PARAMETERS: Mapping[Formula, tuple[str, ...]] = {
    Formula.RATE_X_ACTIVITY: ("RF",),
    Formula.GENERATION_X_GRID_FACTOR: ("EF_grid",),
    Formula.EFFICIENCY_SUBSTITUTION: ("eta_project", "eta_baseline", "EF_grid"),
    Formula.BASELINE_MINUS_PROJECT: ("EF_baseline", "EF_project"),
    Formula.RATE_BY_CHANNEL: (),
    Formula.HOUSEHOLD_BASELINE: ("E_baseline", "EF_grid", "trailing_periods"),
}
"""The parameter names each formula reads; a definition must declare all of them."""


def _check_formula_parameters(m: Methodology, origin: str) -> None:
    declared = {p.name for p in m.parameters}
    if m.formula is Formula.RATE_BY_CHANNEL and not m.channels():
        raise MethodologyDataError(
            f"{origin}: 公式rate_by_channel需要每个渠道一个参数RF.{{channel}}"
            "（如RF.upload、RF.check_in） — "
            f"formula 'rate_by_channel' needs one parameter 'RF.{{channel}}' per "
            "channel (e.g. RF.upload, RF.check_in)"
        )
    for name in FORMULA_PARAMETERS[m.formula]:
        if name not in declared:
            raise MethodologyDataError(
                f"{origin}: 公式{m.formula.value!r}需要参数{name!r}"
                "（请声明该参数；未确认时数值留空） — "
                f"formula {m.formula.value!r} needs parameter {name!r} "
                "(declare it, with an empty value if it is not confirmed)"
            )


# --------------------------------------------------------------------------- library


@dataclass(frozen=True, slots=True)
class MethodologyLibrary:
    """An immutable set of methodology versions, looked up by ``id`` and ``version``."""

    entries: Mapping[MethodologyRef, Methodology] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Methodology]:
        return iter(self.entries[k] for k in sorted(self.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, ref: object) -> bool:
        return ref in self.entries

    def get(self, ref: MethodologyRef | str) -> Methodology:
        key = MethodologyRef.parse(ref) if isinstance(ref, str) else ref
        try:
            return self.entries[key]
        except KeyError:
            known = ", ".join(v for v in self.versions(key.id)) or "none"
            raise UnknownMethodology(
                f"no methodology {key.id!r} version {key.version!r} in the library "
                f"(versions of {key.id!r}: {known})"
            ) from None

    def versions(self, ident: str) -> tuple[str, ...]:
        return tuple(sorted(r.version for r in self.entries if r.id == ident))

    def with_methodology(self, m: Methodology) -> MethodologyLibrary:
        """A new library with ``m`` added; the same id@version may only be re-added unchanged."""
        old = self.entries.get(m.ref)
        if old is not None and old != m:
            raise MethodologyError(
                f"方法学{m.ref}已有不同的定义；请发布新版本，不要修改已有版本 — "
                f"methodology {m.ref} is already defined differently; publish a new version "
                "instead of changing an existing one"
            )
        return MethodologyLibrary({**self.entries, m.ref: m})


def library_from_dicts(items: Iterable[tuple[str, Mapping[str, Any]]]) -> MethodologyLibrary:
    """A library from ``(origin, mapping)`` pairs (pure)."""
    lib = MethodologyLibrary()
    for origin, data in items:
        lib = lib.with_methodology(methodology_from_dict(data, origin))
    return lib


def data_root() -> Traversable:
    """The bundled ``nearzero/data/inclusion`` folder."""
    return resources.files("nearzero").joinpath("data", "inclusion")


def _read_yaml(path: Traversable) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MethodologyDataError(f"{path.name}: 不是有效的YAML — not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise MethodologyDataError(
            f"{path.name}: 顶层应为键值映射 — expected a mapping at the top level"
        )
    return data


def load_library(folder: Traversable | None = None) -> MethodologyLibrary:
    """Read every ``*.yaml`` methodology file (default: the bundled folder)."""
    root = folder if folder is not None else data_root().joinpath("methodologies")
    files = sorted((p for p in root.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    return library_from_dicts((f"methodologies/{p.name}", _read_yaml(p)) for p in files)
