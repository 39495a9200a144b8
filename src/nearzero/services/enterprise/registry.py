"""The enterprise registry of a unit: load the bundled firms or a registry file, add and edit
an enterprise (GB 32100 credit code checked), add a facility; the list and enterprise pages.

A registry file is YAML shaped like ``data/enterprise/firms.yaml``: ``firms:`` a list of
firms (``key``, ``name_zh``, ``credit_code``, ``industry_code``, ``sector``, ``subdistrict``,
``covered_by_ets``, ``illustrative``, ``facilities`` …). Every firm is validated before any is
written; a firm whose key is already registered is left as it is (loading twice adds nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from sqlalchemy.orm import Session

from nearzero.enterprise.benchmarks import Benchmark, benchmark, benchmarks as all_benchmarks
from nearzero.enterprise.calendar import ITEMS, ITEMS_EN
from nearzero.enterprise.data import DataNotFound, load_yaml
from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.registry import (
    Facility,
    Firm,
    bundled_firms,
    firm_from_mapping,
    sector_name,
    validate_credit_code,
    validate_industry_code,
)
from nearzero.enterprise.workflow import State
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.enterprise.common import (
    ENTITY,
    core_errors,
    get_enterprise,
    invalid,
    label,
    may_enter,
    require_office,
    require_reader,
)
from nearzero.services.indicators import evaluation_year
from nearzero.store import enterprise as store, tables as m, users as user_store

BUNDLED_SOURCE = "data/enterprise/firms.yaml"
ENTERED_BY = "entered by "
MAX_REGISTRY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class LoadResult:
    """What a registry load did: the keys added and the keys already there (left alone)."""

    added: tuple[str, ...]
    skipped: tuple[str, ...]


@dataclass(frozen=True)
class RegistryEntry:
    """A firm to register with the flags the core :class:`Firm` does not carry."""

    firm: Firm
    covered_by_ets: bool = False
    benchmarks: Mapping[str, str] = field(default_factory=dict)  # facility key → benchmark id


def _bool(raw: Mapping[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(
            f"{where}.{key}: “{value}”应为true或false — {value!r} (expected true or false)"
        )
    return value


def _benchmark_id(value: Any, where: str) -> str:
    text = str(value).strip()
    try:
        benchmark(text)
    except DataNotFound as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    return text


def parse_registry(data: Any, source: str = "") -> list[RegistryEntry]:
    """The firms of a parsed registry file; errors name the field (``firms[2].credit_code``)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("firms"), list):
        raise InvalidInput(
            "firms: 文件应为含“firms”列表的映射（同firms.yaml） — "
            "expected a mapping with a list 'firms' (as firms.yaml)"
        )
    entries: list[RegistryEntry] = []
    for i, raw in enumerate(data["firms"]):
        where = f"firms[{i}]"
        if not isinstance(raw, Mapping):
            raise InvalidInput(f"{where}: 应为键值映射 — expected a mapping")
        with core_errors():
            firm = firm_from_mapping(dict(raw), where, None)
        benchmarks = {}
        for j, fac in enumerate(raw.get("facilities") or []):
            if isinstance(fac, Mapping) and fac.get("benchmark_id"):
                benchmarks[str(fac["key"])] = _benchmark_id(
                    fac["benchmark_id"], f"{where}.facilities[{j}].benchmark_id"
                )
        entries.append(RegistryEntry(firm, _bool(raw, "covered_by_ets", where), benchmarks))
    keys = [e.firm.key for e in entries]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise InvalidInput(
            f"firms: 企业标识“{repeated[0]}”重复使用，标识须唯一 — "
            f"key {repeated[0]!r} is used twice (expected unique keys)"
        )
    codes = [e.firm.credit_code for e in entries if e.firm.credit_code]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise InvalidInput(
            f"firms: 统一社会信用代码“{twice[0]}”重复使用 — credit_code {twice[0]!r} is used twice"
        )
    return entries


def _facility_row(fac: Facility, benchmark_id: str | None = None) -> m.EnterpriseFacility:
    return m.EnterpriseFacility(
        key=fac.key,
        name_zh=fac.name_zh,
        kind=fac.kind,
        capacity=fac.capacity,
        capacity_unit=fac.capacity_unit,
        status=fac.status,
        clause=fac.clause,
        benchmark_id=benchmark_id,
    )


def _snapshot(row: m.Enterprise) -> dict[str, Any]:
    return {
        "name_zh": row.name_zh,
        "credit_code": row.credit_code,
        "industry_code": row.industry_code,
        "sector": row.sector,
        "subdistrict": row.subdistrict,
        "covered_by_ets": row.covered_by_ets,
        "illustrative": row.illustrative,
    }


def load_entries(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    entries: Sequence[RegistryEntry],
    source: str,
) -> LoadResult:
    """Register ``entries`` in ``unit``: the new keys are added (each audited), the keys
    already registered are left alone. A credit code held by another registered firm is
    refused before anything is written."""
    require_office(actor, "load an enterprise registry", "载入企业名录")
    existing = {row.key: row for row in store.enterprises(session, unit.id)}
    for i, entry in enumerate(entries):
        code = entry.firm.credit_code
        if code and entry.firm.key not in existing:
            other = store.enterprise_by_code(session, unit.id, code)
            if other is not None:
                raise InvalidInput(
                    f"firms[{i}].credit_code: 统一社会信用代码{code}已登记为“{other.name_zh}” — "
                    f"{code} is already registered for {other.name_zh}"
                )
    added, skipped = [], []
    for entry in entries:
        firm = entry.firm
        if firm.key in existing:
            skipped.append(firm.key)
            continue
        row = m.Enterprise(
            unit_id=unit.id,
            key=firm.key,
            name_zh=firm.name_zh,
            credit_code=firm.credit_code,
            industry_code=str(firm.industry_code) if firm.industry_code else None,
            sector=firm.sector,
            subdistrict=firm.subdistrict,
            covered_by_ets=entry.covered_by_ets,
            illustrative=firm.illustrative,
            name_is_full=firm.name_is_full,
            clauses=list(firm.clauses),
            source=source,
            facilities=[_facility_row(f, entry.benchmarks.get(f.key)) for f in firm.facilities],
        )
        session.add(row)
        session.flush()
        new = _snapshot(row) | {"facilities": [f.key for f in firm.facilities], "source": source}
        audit.record(session, actor, "enterprise.load", ENTITY, firm.key, None, new, unit.code)
        added.append(firm.key)
    return LoadResult(tuple(added), tuple(skipped))


def load_bundled(session: Session, actor: Actor, unit: m.DemoUnit) -> LoadResult:
    """Register the firms the Zhangqiu plan names (``data/enterprise/firms.yaml``)."""
    _, version = load_yaml("firms.yaml")
    entries = [RegistryEntry(f) for f in bundled_firms()]
    return load_entries(session, actor, unit, entries, f"{BUNDLED_SOURCE} ({version})")


def load_registry_file(
    session: Session, actor: Actor, unit: m.DemoUnit, name: str, content: bytes
) -> LoadResult:
    """Register the firms of a registry YAML file (see the module)."""
    require_office(actor, "load an enterprise registry", "载入企业名录")
    if len(content) > MAX_REGISTRY_BYTES:
        raise InvalidInput(
            f"file: 文件“{name}”超过{MAX_REGISTRY_BYTES // 1024 // 1024} MB — "
            f"the file {name} is larger than {MAX_REGISTRY_BYTES // 1024 // 1024} MB"
        )
    if not name.lower().endswith((".yaml", ".yml")):
        raise InvalidInput(
            f"file: 文件“{name}”应为.yaml或.yml格式的企业名录 — "
            f"the file {name}: expected a .yaml or .yml registry file"
        )
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(
            f"file: 文件“{name}”不是有效的UTF-8 YAML — "
            f"the file {name} is not valid UTF-8 YAML ({exc})"
        ) from None
    return load_entries(session, actor, unit, parse_registry(data), name)


# --------------------------------------------------------------------------- add and edit


@dataclass(frozen=True)
class EnterpriseInput:
    """An enterprise as the office enters it (text as typed)."""

    key: str
    name_zh: str
    credit_code: str = ""
    industry_code: str = ""
    sector: str = ""
    subdistrict: str = ""
    covered_by_ets: bool = False
    illustrative: bool = False


def _checked(entry: EnterpriseInput) -> dict[str, Any]:
    key = entry.key.strip()
    name = entry.name_zh.strip()
    if not key or len(key) > 64 or not all(c.isalnum() or c in "_-" for c in key):
        raise InvalidInput(
            f"key: 企业标识“{entry.key}”应为1至64个字母、数字、_或- — "
            f"{entry.key!r} (expected 1-64 letters, digits, _ or -)"
        )
    if not name or len(name) > 200:
        raise InvalidInput(
            "name_zh: 请填写企业名称（1至200个字符） — "
            "expected the enterprise's name (1-200 characters)"
        )
    try:
        code = validate_credit_code(entry.credit_code) if entry.credit_code.strip() else None
        industry = (
            str(validate_industry_code(entry.industry_code))
            if entry.industry_code.strip()
            else None
        )
    except EnterpriseError as exc:
        raise invalid(exc) from None
    return {
        "key": key,
        "name_zh": name,
        "credit_code": code,
        "industry_code": industry,
        "sector": entry.sector.strip() or None,
        "subdistrict": entry.subdistrict.strip()[:100],
        "covered_by_ets": entry.covered_by_ets,
        "illustrative": entry.illustrative,
    }


def _code_free(session: Session, unit: m.DemoUnit, code: str | None, own_id: int | None) -> None:
    if code is None:
        return
    other = store.enterprise_by_code(session, unit.id, code)
    if other is not None and other.id != own_id:
        raise InvalidInput(
            f"credit_code: 统一社会信用代码{code}已登记为“{other.name_zh}” — "
            f"{code} is already registered for {other.name_zh}"
        )


def add_enterprise(
    session: Session, actor: Actor, unit: m.DemoUnit, entry: EnterpriseInput
) -> m.Enterprise:
    """Register one enterprise (office only); the credit code is GB 32100 checked."""
    require_office(actor, "register an enterprise", "登记企业")
    values = _checked(entry)
    if store.enterprise(session, unit.id, values["key"]) is not None:
        raise InvalidInput(
            f"key: 企业标识“{values['key']}”已在{unit.code}登记 — "
            f"{values['key']!r} is already registered in {unit.code}"
        )
    _code_free(session, unit, values["credit_code"], None)
    row = m.Enterprise(unit_id=unit.id, source=f"{ENTERED_BY}{actor.username}", **values)
    session.add(row)
    session.flush()
    audit.record(session, actor, "enterprise.add", ENTITY, row.key, None, _snapshot(row), unit.code)
    return row


def edit_enterprise(
    session: Session, actor: Actor, unit: m.DemoUnit, key: str, entry: EnterpriseInput
) -> m.Enterprise:
    """Change an enterprise's name, code, industry, subdistrict and flags (not its key)."""
    require_office(actor, "edit an enterprise", "修改企业信息")
    row = get_enterprise(session, unit, key)
    values = _checked(EnterpriseInput(**(entry.__dict__ | {"key": key})))
    _code_free(session, unit, values["credit_code"], row.id)
    old = _snapshot(row)
    for name, value in values.items():
        if name != "key":
            setattr(row, name, value)
    session.flush()
    new = _snapshot(row)
    if new != old:
        audit.record(session, actor, "enterprise.edit", ENTITY, key, old, new, unit.code)
    return row


@dataclass(frozen=True)
class FacilityInput:
    """A facility as entered: key, name, kind, capacity and its unit, benchmark row."""

    key: str
    name_zh: str
    kind: str = "line"
    capacity: str = ""
    capacity_unit: str = ""
    benchmark_id: str = ""


FACILITY_KINDS = ("unit", "kiln", "line", "boiler", "other")


def add_facility(
    session: Session, actor: Actor, unit: m.DemoUnit, key: str, entry: FacilityInput
) -> m.EnterpriseFacility:
    """Add a facility to enterprise ``key``."""
    require_office(actor, "add a facility", "添加设施")
    row = get_enterprise(session, unit, key)
    fkey = entry.key.strip()
    if not fkey or len(fkey) > 64:
        raise InvalidInput("facility.key: 设施标识应为1至64个字符 — expected 1-64 characters")
    if store.facility(session, row.id, fkey) is not None:
        raise InvalidInput(
            f"facility.key: “{row.name_zh}”已有设施“{fkey}” — "
            f"{fkey!r} already exists for {row.name_zh}"
        )
    if entry.kind not in FACILITY_KINDS:
        raise InvalidInput(
            f"facility.kind: 设施类型“{entry.kind}”应为{'、'.join(FACILITY_KINDS)}之一 — "
            f"{entry.kind!r} (expected {', '.join(FACILITY_KINDS)})"
        )
    capacity = None
    if entry.capacity.strip():
        try:
            capacity = Decimal(entry.capacity.strip())
        except InvalidOperation:
            raise InvalidInput(
                f"facility.capacity: 产能“{entry.capacity}”不是数字 — "
                f"{entry.capacity!r} is not a number"
            ) from None
        if not capacity.is_finite() or capacity < 0:
            raise InvalidInput(
                f"facility.capacity: 产能{entry.capacity}应为不小于0的数 — "
                f"{entry.capacity} (expected a number ≥ 0)"
            )
    bench = (
        _benchmark_id(entry.benchmark_id, "facility.benchmark_id")
        if entry.benchmark_id.strip()
        else None
    )
    fac = m.EnterpriseFacility(
        enterprise_id=row.id,
        key=fkey,
        name_zh=entry.name_zh.strip() or fkey,
        kind=entry.kind,
        capacity=capacity,
        capacity_unit=entry.capacity_unit.strip()[:32],
        benchmark_id=bench,
    )
    session.add(fac)
    session.flush()
    new = {
        "key": fkey,
        "kind": entry.kind,
        "capacity": str(capacity) if capacity is not None else None,
        "capacity_unit": fac.capacity_unit,
        "benchmark_id": bench,
    }
    audit.record(
        session, actor, "enterprise.facility.add", ENTITY, f"{key}/{fkey}", None, new, unit.code
    )
    return fac


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class ReportLine:
    """A report as a list shows it."""

    id: int
    year: int
    state: State
    reported_tco2: Decimal
    verified_tco2: Decimal | None
    fossil_tce: Decimal
    comprehensive_tce: Decimal
    verifier: str | None
    to_confirm: int


def report_line(row: m.EnterpriseReport) -> ReportLine:
    return ReportLine(
        row.id,
        row.year,
        State(row.state),
        row.reported_tco2,
        row.verified_tco2,
        row.fossil_tce,
        row.comprehensive_tce,
        row.verifier,
        len(row.result.get("to_confirm") or []),
    )


@dataclass(frozen=True)
class SourceLabel:
    """Where a registered firm's record came from, as the page names it: ``kind`` is
    ``bundled`` (the example firms shipped with the software), ``entered`` (registered on the
    web; ``detail`` the person's name), ``registry`` (a registry file the office loaded;
    ``detail`` its file name) or ``""`` (``detail`` as stored)."""

    kind: str
    detail: str = ""


def source_label(session: Session, stored: str) -> SourceLabel:
    """The :class:`SourceLabel` of an enterprise's stored ``source`` (``data/enterprise/
    firms.yaml (version)``, ``entered by <username>`` or a registry file's name)."""
    if stored.startswith(BUNDLED_SOURCE):
        return SourceLabel("bundled")
    if stored.startswith(ENTERED_BY):
        username = stored.removeprefix(ENTERED_BY)
        user = user_store.any_user(session, username)
        return SourceLabel("entered", user.display_name if user else username)
    if stored.lower().endswith((".yaml", ".yml")):
        return SourceLabel("registry", stored)
    return SourceLabel("", stored)


@dataclass(frozen=True)
class EnterprisePage:
    """An enterprise's page: registry record, facilities, reports by year."""

    unit: m.DemoUnit
    year: int
    enterprise: m.Enterprise
    reports: list[ReportLine]
    may_enter: bool
    is_office: bool
    evidence: list[m.EnterpriseEvidence]
    source: SourceLabel
    page: str = "enterprise"
    #: The benchmark rows a facility may name, by id (the page shows their product names).
    benchmarks: dict[str, Benchmark] = field(
        default_factory=lambda: {b.benchmark_id: b for b in all_benchmarks()}
    )
    facility_kinds: tuple[str, ...] = FACILITY_KINDS
    items: tuple[tuple[str, str], ...] = ITEMS
    items_en: tuple[tuple[str, str], ...] = ITEMS_EN


def enterprise_page(
    session: Session, actor: Actor, unit: m.DemoUnit, key: str, year: int | None = None
) -> EnterprisePage:
    require_reader(actor)
    row = get_enterprise(session, unit, key)
    reports = [report_line(r) for r in store.reports_of(session, row.id)]
    chosen = year or (reports[0].year if reports else default_year(session, unit))
    return EnterprisePage(
        unit,
        chosen,
        row,
        reports,
        may_enter(actor),
        actor.role.value == "admin",
        store.evidence_of(session, row.id, chosen),
        source_label(session, row.source),
    )


@dataclass(frozen=True)
class ListLine:
    """An enterprise in the list: its report of the year and its screening flags."""

    enterprise: m.Enterprise
    report: ReportLine | None
    over_fossil: bool | None
    candidate: bool | None
    market_sector: str | None

    @property
    def label(self) -> str:
        return label(self.enterprise)


@dataclass(frozen=True)
class ListPage:
    """The enterprise list of a unit for a year (a verifier sees its assigned reports only)."""

    unit: m.DemoUnit
    year: int
    years: list[int]
    lines: list[ListLine]
    assigned: list[m.EnterpriseReport]
    is_office: bool
    may_enter: bool
    is_verifier: bool
    page: str = "list"

    def table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            "企业",
            "统一社会信用代码",
            "行业代码",
            "行业",
            "所在街道",
            "纳入全国碳市场",
            "示例",
            f"{self.year}年报告状态",
            "排放量（tCO2）",
            "化石能源（tce）",
            "超过2000吨标煤",
            "重点排放单位候选",
        ]
        rows = [
            [
                ln.label,
                ln.enterprise.credit_code or "",
                ln.enterprise.industry_code or "",
                sector_name(ln.enterprise.sector) if ln.enterprise.sector else "",
                ln.enterprise.subdistrict,
                ln.enterprise.covered_by_ets,
                ln.enterprise.illustrative,
                ln.report.state.label_zh if ln.report else "",
                ln.report.verified_tco2 or ln.report.reported_tco2 if ln.report else None,
                ln.report.fossil_tce if ln.report else None,
                "" if ln.over_fossil is None else ln.over_fossil,
                "" if ln.candidate is None else ln.candidate,
            ]
            for ln in self.lines
        ]
        return headers, rows


def default_year(session: Session, unit: m.DemoUnit) -> int:
    """The office's evaluation year, the default of every page (the year picker offers the
    years with reports beside it)."""
    return evaluation_year(session, unit)


def list_page(session: Session, actor: Actor, unit: m.DemoUnit, year: int | None) -> ListPage:
    from nearzero.services.enterprise.screening import screen_unit

    chosen = year or default_year(session, unit)
    years = store.report_years(session, unit.id)
    if actor.role.value == "verifier":
        assigned = store.reports_of_unit(session, unit.id, verifier=actor.username)
        return ListPage(unit, chosen, years, [], assigned, False, False, True)
    screened = {ln.enterprise.id: ln.screened for ln in screen_unit(session, unit, chosen)}
    reports = {r.enterprise_id: r for r in store.reports_of_unit(session, unit.id, chosen)}
    lines = []
    for firm in store.enterprises(session, unit.id):
        s = screened.get(firm.id)
        report = reports.get(firm.id)
        lines.append(
            ListLine(
                firm,
                report_line(report) if report else None,
                s.over_fossil_threshold if s else None,
                s.key_emitter_candidate if s else None,
                s.national_market_sector if s else None,
            )
        )
    return ListPage(
        unit, chosen, years, lines, [], actor.role.value == "admin", may_enter(actor), False
    )
