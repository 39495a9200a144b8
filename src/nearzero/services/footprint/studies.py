"""Stored footprint studies of the registry's firms, indicator 14, and the page contexts.

A study moves ``draft`` (uploaded, checked) → ``computed`` (the engine's result stored) →
``approved`` (the office confirms it: the study is *completed* and counts for indicator 14).
Uploading and computing are for the office and department editors; approving and writing
indicator 14 into the indicator values are for the office. Every write is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.registry import validate_industry_code
from nearzero.footprint.factors import footprint_library
from nearzero.footprint.fileformat import dump, parse
from nearzero.footprint.indicator import FirmLine, Indicator14, indicator_14, is_industrial
from nearzero.footprint.matrices import build
from nearzero.footprint.model import FAMILIES, FootprintError, ProductSystem
from nearzero.footprint.study import FootprintResult, compute, result_to_dict
from nearzero.formatting import china_time
from nearzero.reports.footprint import (
    ALLOCATION_ZH,
    BOUNDARY_ZH,
    FAMILY_ZH,
    Names,
    stage_name,
)
from nearzero.reports.model import BuiltFile
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound
from nearzero.services.enterprise.common import (
    get_enterprise,
    label,
    may_enter,
    require_enter,
    require_office,
    require_reader,
)
from nearzero.services.footprint import files, form, workbook
from nearzero.services.indicators import ValueInput, set_value
from nearzero.store import enterprise as ent_store, footprint as store, tables as m
from nearzero.store.base import utcnow

ENTITY = "footprint_study"
DRAFT, COMPUTED, APPROVED = "draft", "computed", "approved"
STATE_ZH = {DRAFT: "已上传，未计算", COMPUTED: "已计算，待审核", APPROVED: "已审核（完成）"}
MAX_DRAWS = 10_000


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise InvalidInput(
            f"year: 年份{year}应为数据所属年份，如2024 — "
            f"{year} (expected the year the data describe, e.g. 2024)"
        )
    return year


def _checked(system: ProductSystem) -> ProductSystem:
    """The system if its matrices build (flows, providers, units, factor families)."""
    try:
        build(system)
    except FootprintError as exc:
        raise InvalidInput(str(exc)) from None
    return system


def _store(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm: m.Enterprise,
    system: ProductSystem,
    year: int,
    source_name: str,
    kind: str,
) -> m.FootprintStudy:
    row = m.FootprintStudy(
        enterprise_id=firm.id,
        year=_year(year),
        product=system.name[:200],
        state=DRAFT,
        source_name=source_name[:255],
        source_kind=kind,
        system=dump(_checked(system)),
        result=None,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    new = {"product": row.product, "year": year, "source": source_name, "kind": kind}
    audit.record(session, actor, "footprint.upload", ENTITY, _key(firm, row), None, new, unit.code)
    return row


def _key(firm: m.Enterprise, row: m.FootprintStudy) -> str:
    return f"{firm.key}/{row.id}"


def upload_study(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm_key: str,
    name: str,
    data: bytes,
    year: int,
) -> m.FootprintStudy:
    """Store a product system uploaded as YAML, JSON, an openLCA JSON-LD zip or the Excel
    template; a file that does not read or whose matrices do not build is refused, nothing
    stored."""
    require_enter(actor, "upload a footprint study", "上传产品碳足迹研究")
    firm = get_enterprise(session, unit, firm_key)
    if not name or not data:
        raise InvalidInput("file: 请选择产品系统文件 — choose a product-system file")
    kind = files.kind_of(name)
    system = workbook.read_workbook(data, name) if kind == "xlsx" else files.read_system(name, data)
    return _store(session, actor, unit, firm, system, year, name, kind)


def form_study(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm_key: str,
    entry: form.FormInput,
    year: int,
) -> m.FootprintStudy:
    """Store a small product system entered in the web form."""
    require_enter(actor, "enter a footprint study", "填报产品碳足迹研究")
    firm = get_enterprise(session, unit, firm_key)
    system = form.to_system(entry)
    return _store(session, actor, unit, firm, system, year, "网页表单", "form")


def get_study(
    session: Session, unit: m.DemoUnit, firm_key: str, study_id: int
) -> tuple[m.Enterprise, m.FootprintStudy]:
    firm = get_enterprise(session, unit, firm_key)
    row = store.study(session, firm.id, study_id)
    if row is None:
        raise NotFound(
            f"study: “{firm.name_zh}”没有编号为{study_id}的产品碳足迹核算 — "
            f"{firm.key} has no footprint study {study_id}"
        )
    return firm, row


def system_of(row: m.FootprintStudy) -> ProductSystem:
    return parse(row.system, row.source_name or "system")


def _draws(row: m.FootprintStudy) -> tuple[int, int]:
    u = (row.result or {}).get("uncertainty") or {}
    return int(u.get("draws") or 0), int(u.get("seed") or 0)


def result_of(row: m.FootprintStudy, with_draws: bool = True) -> FootprintResult:
    """The study's result, computed again from the stored system (the engine is
    deterministic; the Monte Carlo draws with the stored seed give the stored summary)."""
    draws, seed = _draws(row) if with_draws else (0, 0)
    try:
        return compute(system_of(row), draws=draws, seed=seed)
    except FootprintError as exc:
        raise InvalidInput(str(exc)) from None


def compute_study(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm_key: str,
    study_id: int,
    draws: int = 0,
    seed: int = 0,
) -> m.FootprintStudy:
    """Compute a study (with ``draws`` Monte Carlo draws of seed ``seed``) and store the
    result; an approved study is not computed again (upload a new one)."""
    require_enter(actor, "compute a footprint study", "计算产品碳足迹研究")
    firm, row = get_study(session, unit, firm_key, study_id)
    if row.state == APPROVED:
        raise InvalidInput(
            "state: 该核算已批准，如需修改请上传新的核算 — "
            "the study is approved; upload a new study to change it"
        )
    if not 0 <= draws <= MAX_DRAWS:
        raise InvalidInput(
            f"draws: 蒙特卡洛抽样次数{draws}应在0至{MAX_DRAWS:,}之间 — "
            f"{draws} (expected 0 to {MAX_DRAWS:,} Monte Carlo draws)"
        )
    try:
        result = compute(system_of(row), draws=draws, seed=seed)
    except FootprintError as exc:
        raise InvalidInput(str(exc)) from None
    old = {"state": row.state, "total_kgco2e": _str(row.total_kgco2e)}
    row.result = result_to_dict(result)
    row.total_kgco2e = Decimal(repr(result.total))
    row.state = COMPUTED
    row.computed_by = actor.username
    row.computed_at = utcnow()
    session.flush()
    new = {
        "state": COMPUTED,
        "total_kgco2e": _str(row.total_kgco2e),
        "draws": draws,
        "seed": seed,
        "to_confirm": result.to_confirm,
    }
    audit.record(session, actor, "footprint.compute", ENTITY, _key(firm, row), old, new, unit.code)
    return row


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def approve_study(
    session: Session, actor: Actor, unit: m.DemoUnit, firm_key: str, study_id: int
) -> m.FootprintStudy:
    """The office confirms a computed study: it is completed and counts for indicator 14."""
    require_office(actor, "approve a footprint study", "审核产品碳足迹研究")
    firm, row = get_study(session, unit, firm_key, study_id)
    if row.state != COMPUTED:
        raise InvalidInput(
            f"state: 该核算为“{STATE_ZH.get(row.state, row.state)}”，只有已计算的核算可以批准 — "
            f"the study is {row.state}; only a computed study is approved"
        )
    row.state = APPROVED
    row.approved_by = actor.username
    row.approved_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "footprint.approve",
        ENTITY,
        _key(firm, row),
        {"state": COMPUTED},
        {"state": APPROVED, "total_kgco2e": _str(row.total_kgco2e)},
        unit.code,
    )
    return row


def report_file(
    session: Session, actor: Actor, unit: m.DemoUnit, firm_key: str, study_id: int, kind: str
) -> BuiltFile:
    """The study report of a computed study as Word or PDF."""
    require_reader(actor)
    firm, row = get_study(session, unit, firm_key, study_id)
    if row.state == DRAFT:
        raise InvalidInput(
            "state: 请先计算核算，再生成报告 — compute the study before building its report"
        )
    info = files.study_info(
        firm=firm.name_zh,
        year=row.year,
        computed_at=row.computed_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by or "",
    )
    return files.build_report(system_of(row), result_of(row), info, kind)


# --------------------------------------------------------------------------- indicator 14


def _section(firm: m.Enterprise) -> str | None:
    if not firm.industry_code:
        return None
    try:
        return validate_industry_code(firm.industry_code).section
    except EnterpriseError:
        return None


def indicator(session: Session, unit: m.DemoUnit, year: int) -> Indicator14:
    """Indicator 14 of ``year`` from the registry (see :mod:`nearzero.footprint.indicator`)."""
    reported = {r.enterprise_id for r in ent_store.reports_of_unit(session, unit.id, year)}
    completed = store.completed_firms(session, unit.id, year)
    lines = [
        FirmLine(
            label(f),
            is_industrial(_section(f), f.sector),
            f.id in reported,
            f.id in completed,
        )
        for f in ent_store.enterprises(session, unit.id)
    ]
    return indicator_14(year, lines)


def feed_indicator(session: Session, actor: Actor, unit: m.DemoUnit, year: int) -> Indicator14:
    """Write indicator 14 of ``year`` into the indicator values (the office, explicitly),
    with the counts as evidence; a year without key industrial firms is refused (no data)."""
    require_office(actor, "write indicator 14 into the indicator values", "将指标14写入指标数值")
    found = indicator(session, unit, _year(year))
    if found.share_pct is None:
        raise InvalidInput(
            f"year: 企业名录中没有{year}年的重点工业企业（有该年度排放报告的工业企业），"
            "指标14没有数据 — "
            f"no key industrial firm of {year} in the registry (industrial firms with an "
            "annual report of the year): indicator 14 has no data"
        )
    evidence = (
        f"重点工业企业{found.key_firms}家（名录中有{year}年度排放报告的工业企业），"
        f"其中已完成产品碳足迹（经审核）{found.with_footprint}家"
    )
    entry = ValueInput(
        "14",
        year,
        float(found.share_pct),
        source="产品碳足迹研究（企业名录）",
        evidence=evidence,
    )
    set_value(session, actor, unit, entry)
    audit.record(
        session,
        actor,
        "footprint.feed",
        "indicator",
        f"14//{year}",
        None,
        {
            "key_firms": found.key_firms,
            "with_footprint": found.with_footprint,
            "share_pct": str(found.share_pct),
        },
        unit.code,
    )
    return found


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class StudyLine:
    """A study in a list."""

    id: int
    year: int
    product: str
    state: str
    state_zh: str
    total_kgco2e: float | None
    unit: str
    source_name: str
    computed_at: str
    approved_at: str


def _line(row: m.FootprintStudy) -> StudyLine:
    unit = str(row.system.get("functional_unit", ""))
    return StudyLine(
        row.id,
        row.year,
        row.product,
        row.state,
        STATE_ZH.get(row.state, row.state),
        None if row.total_kgco2e is None else float(row.total_kgco2e),
        unit,
        row.source_name,
        china_time(row.computed_at),
        china_time(row.approved_at),
    )


@dataclass(frozen=True)
class FirmRow:
    key: str
    name: str
    studies: int
    completed: bool


@dataclass(frozen=True)
class OverviewPage:
    """The unit's footprint page: indicator 14 of the year and each firm's studies."""

    unit: m.DemoUnit
    year: int
    indicator: Indicator14
    firms: list[FirmRow]
    may_feed: bool
    page: str = "footprint"


def overview_page(session: Session, actor: Actor, unit: m.DemoUnit, year: int) -> OverviewPage:
    require_reader(actor)
    studies = store.studies_of_unit(session, unit.id)
    rows = []
    for f in ent_store.enterprises(session, unit.id):
        mine = [s for s in studies if s.enterprise_id == f.id]
        done = any(s.state == APPROVED and s.year <= year for s in mine)
        rows.append(FirmRow(f.key, label(f), len(mine), done))
    return OverviewPage(
        unit, year, indicator(session, unit, year), rows, actor.role.value == "admin"
    )


@dataclass(frozen=True)
class FactorChoice:
    """A footprint factor the web form offers: its name as the data file gives it (``national
    average electricity (全国电力平均)``, shown in the page's language), year, value and unit
    [kgCO2e per unit], and whether it is still to be confirmed."""

    id: str
    name: str
    year: int | None
    value: float
    unit: str
    to_confirm: bool


@dataclass(frozen=True)
class FirmPage:
    """A firm's footprint studies, the upload and the web form."""

    unit: m.DemoUnit
    year: int
    firm: m.Enterprise
    firm_name: str
    studies: list[StudyLine]
    factors: list[FactorChoice]
    kinds: tuple[str, ...]
    may_enter: bool
    page: str = "footprint_firm"


def factor_choices() -> list[FactorChoice]:
    return [
        FactorChoice(
            r.factor_id,
            r.source_table or r.subject,
            r.year,
            r.value,
            r.unit,
            r.status == "to_confirm",
        )
        for r in footprint_library().records
    ]


def firm_page(
    session: Session, actor: Actor, unit: m.DemoUnit, firm_key: str, year: int
) -> FirmPage:
    require_reader(actor)
    firm = get_enterprise(session, unit, firm_key)
    lines = [_line(s) for s in store.studies_of(session, firm.id)]
    return FirmPage(
        unit, year, firm, label(firm), lines, factor_choices(), form.KINDS, may_enter(actor)
    )


#: The English names of the boundaries, allocation methods, families and stages the Chinese
#: names of :mod:`nearzero.reports.footprint` give (for the page in English).
BOUNDARY_EN = {
    "cradle-to-gate": "cradle to gate (raw materials to the plant gate)",
    "cradle-to-grave": "cradle to grave (raw materials to end of life)",
    "gate-to-gate": "gate to gate (the plant's own processes)",
}
ALLOCATION_EN = {
    "mass": "by mass",
    "economic": "by economic value",
    "system_expansion": "system expansion (substitution)",
}
FAMILY_EN = {
    "fossil": "fossil GHG",
    "biogenic": "biogenic GHG",
    "land_use_change": "direct land-use change (dLUC)",
    "aircraft": "aircraft GHG",
}
STAGE_EN = {"": "no stage given", "background": "background processes (factor data)"}


def stage_name_en(stage: str) -> str:
    """A life-cycle stage as the page in English names it (the file's own word)."""
    return STAGE_EN.get(stage.strip().lower(), stage)


@dataclass(frozen=True)
class Row:
    """A named number of a result table [kgCO2e] with its share [-] where it has one;
    ``name_en`` and ``stage_en`` where the name is ours (a stage, a method), not the file's."""

    name: str
    value: float
    share: float | None = None
    stage: str = ""
    name_en: str = ""
    stage_en: str = ""


@dataclass(frozen=True)
class FamilyRow:
    name: str
    emissions: float
    removals: float
    net: float
    name_en: str = ""


@dataclass(frozen=True)
class ConfirmRow:
    name: str
    value: str
    source: str


@dataclass(frozen=True)
class ResultView:
    """A computed study as the page shows it: names, never the file's ids."""

    total: float
    functional_unit: str
    boundary: str
    allocation: str
    gwp_set: str
    boundary_en: str
    allocation_en: str
    families: list[FamilyRow]
    stages: list[Row]
    processes: list[Row]
    inputs: list[Row]
    sensitivity: list[Row]
    uncertainty: dict[str, Any] | None
    cut_off: list[str]
    to_confirm: list[ConfirmRow]


def result_view(system: ProductSystem, result: FootprintResult) -> ResultView:
    names = Names(system, result.factors)
    total = result.total
    to_confirm = []
    for factor_id in dict.fromkeys(result.to_confirm):
        r = names.records.get(factor_id)
        to_confirm.append(
            ConfirmRow(
                names.factor(factor_id),
                f"{r.value:g} {r.unit}" if r else "",
                r.source_document if r else "",
            )
        )
    return ResultView(
        total=total,
        functional_unit=result.functional_unit,
        boundary=BOUNDARY_ZH.get(result.boundary, result.boundary),
        allocation=ALLOCATION_ZH.get(result.allocation or "", "—"),
        gwp_set=result.gwp_set,
        boundary_en=BOUNDARY_EN.get(result.boundary, result.boundary),
        allocation_en=ALLOCATION_EN.get(result.allocation or "", "—"),
        families=[
            FamilyRow(
                FAMILY_ZH[k],
                result.by_family[k].emissions,
                result.by_family[k].removals,
                result.by_family[k].net,
                FAMILY_EN[k],
            )
            for k in FAMILIES
        ],
        stages=[
            Row(stage_name(s), v, v / total if total else None, name_en=stage_name_en(s))
            for s, v in result.stages.items()
        ],
        processes=[
            Row(
                names.of_process(r.label),
                r.value,
                r.share,
                stage_name(r.stage),
                stage_en=stage_name_en(r.stage),
            )
            for r in result.processes
        ],
        inputs=[Row(names.of_input(r.label), r.value, r.share) for r in result.inputs],
        sensitivity=[
            Row(
                ALLOCATION_ZH.get(r.method, r.method) + ("（所选）" if r.chosen else ""),
                float("nan") if r.error else r.total,
                name_en=ALLOCATION_EN.get(r.method, r.method) + (" (chosen)" if r.chosen else ""),
            )
            for r in result.sensitivity
        ],
        uncertainty=None,
        cut_off=[names.of_input(c) for c in result.cut_off],
        to_confirm=to_confirm,
    )


@dataclass(frozen=True)
class StudyPage:
    unit: m.DemoUnit
    year: int
    firm: m.Enterprise
    firm_name: str
    study: StudyLine
    view: ResultView | None
    may_enter: bool
    may_approve: bool
    page: str = "footprint_study"


def study_page(
    session: Session, actor: Actor, unit: m.DemoUnit, firm_key: str, study_id: int
) -> StudyPage:
    require_reader(actor)
    firm, row = get_study(session, unit, firm_key, study_id)
    view = None
    if row.state != DRAFT:
        view = result_view(system_of(row), result_of(row, with_draws=False))
        stored = (row.result or {}).get("uncertainty")
        if stored:
            view = replace(view, uncertainty=stored)
    return StudyPage(
        unit,
        row.year,
        firm,
        label(firm),
        _line(row),
        view,
        may_enter(actor) and row.state != APPROVED,
        actor.role.value == "admin" and row.state == COMPUTED,
    )
