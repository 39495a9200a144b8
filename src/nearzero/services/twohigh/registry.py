"""The two-high project list, the office's ratio rows and the substitution sources: entered,
decided, moved through their stages, verified, with evidence; every write audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath

from sqlalchemy.orm import Session

from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound
from nearzero.services.files import store_file
from nearzero.services.projects import DEFAULT_EVIDENCE_DIR, EvidenceUpload, check_evidence
from nearzero.services.twohigh.common import (
    ENTITY,
    _code,
    _date,
    _decimal,
    _invalid,
    _require_entry,
    _require_office,
    today_cst,
)
from nearzero.store import enterprise as enterprise_store, tables as m, twohigh as store
from nearzero.store.projects import remove_on_rollback
from nearzero.twohigh import bank, data, substitution as sub
from nearzero.twohigh.model import (
    EARLIEST_SOURCE,
    CarbonTerms,
    Mechanism,
    Ratio,
    SourceConditions,
    Stage,
    TwoHighError,
    check_move,
)


def ratio_of(row: m.TwoHighRatio) -> Ratio:
    return Ratio(
        id=row.ratio_id,
        document=row.document,
        document_zh=row.document_zh,
        segment=row.segment,
        dimension=row.dimension,
        ratio=Decimal(row.ratio),
        effective_from=row.effective_from,
        effective_until=row.effective_until,
        applies=row.applies,
        status=row.status,
        source=row.source,
        note=row.note,
    )


def all_ratios(session: Session, unit: m.DemoUnit) -> list[Ratio]:
    """The bundled ratios and the office's own rows."""
    return list(data.bundled_ratios()) + [
        ratio_of(r) for r in store.office_ratios(session, unit.id)
    ]


def add_ratio(session: Session, actor: Actor, unit: m.DemoUnit, values: Mapping[str, str]) -> Ratio:
    """The office enters a document's ratio (with its source)."""
    _require_office(actor, "enter a substitution ratio", "录入替代比例")
    try:
        ratio = data.parse_ratio(values)
    except TwoHighError as exc:
        raise _invalid(exc) from None
    if any(r.id == ratio.id for r in all_ratios(session, unit)):
        raise InvalidInput(
            f"ratio id: 替代比例“{ratio.id}”已存在，新版本须使用新的编号 — "
            f"{ratio.id} exists; a new version takes a new id"
        )
    session.add(
        m.TwoHighRatio(
            unit_id=unit.id,
            ratio_id=ratio.id,
            document=ratio.document,
            document_zh=ratio.document_zh,
            segment=ratio.segment,
            dimension=ratio.dimension,
            ratio=ratio.ratio,
            effective_from=ratio.effective_from,
            effective_until=ratio.effective_until,
            applies=ratio.applies,
            status=ratio.status,
            source=ratio.source,
            note=ratio.note,
            entered_by=actor.username,
        )
    )
    session.flush()
    new = {"ratio": str(ratio.ratio), "segment": ratio.segment, "dimension": ratio.dimension}
    audit.record(session, actor, "twohigh.ratio", ENTITY, ratio.id, None, new, unit.code)
    return ratio


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class ProjectInput:
    """A project of the list as entered (amounts as typed)."""

    code: str
    name: str
    segment: str
    firm_key: str = ""
    firm_name: str = ""
    credit_code: str = ""
    capacity: str = ""
    capacity_unit: str = ""
    classification: str = ""
    disposal: str = ""
    disposal_note: str = ""
    stage: str = Stage.PROPOSED.value


def add_project(
    session: Session, actor: Actor, unit: m.DemoUnit, entry: ProjectInput
) -> m.TwoHighProject:
    """Add a project to the two-high project list (its first stage is in its history)."""
    _require_entry(actor, "add a two-high project", "新增“两高”项目")
    code = _code(entry.code, "code")
    if store.project(session, unit.id, code) is not None:
        raise InvalidInput(f"code: 项目“{code}”已存在 — project {code} exists")
    if not entry.name.strip():
        raise InvalidInput("name: 请填写项目名称 — required")
    if entry.segment not in data.segments():
        raise InvalidInput(
            f"segment: 行业“{entry.segment}”应为{'、'.join(data.segments())}之一 — "
            f"{entry.segment!r} (expected one of {', '.join(data.segments())})"
        )
    firm = None
    if entry.firm_key.strip():
        firm = enterprise_store.enterprise(session, unit.id, entry.firm_key.strip())
        if firm is None:
            raise InvalidInput(
                f"firm: 企业名录中没有“{entry.firm_key}” — "
                f"no firm {entry.firm_key!r} in the enterprise registry"
            )
    firm_name = firm.name_zh if firm else entry.firm_name.strip()
    if not firm_name:
        raise InvalidInput(
            "firm_name: 请从企业名录中选择企业，或填写企业名称和统一社会信用代码 — "
            "a firm from the registry, or its name and credit code"
        )
    credit = (firm.credit_code or "") if firm else entry.credit_code.strip()
    if credit and len(credit) != 18:
        raise InvalidInput(
            f"credit_code: 统一社会信用代码“{credit}”应为18位 — {credit!r} (18 characters)"
        )
    choices = data.dispositions()
    for name, value in (("classification", entry.classification), ("disposal", entry.disposal)):
        if value and value not in choices[name]:
            raise InvalidInput(
                f"{name}: “{value}”应为{'、'.join(choices[name])}之一 — "
                f"{value!r} (expected one of {', '.join(choices[name])})"
            )
    capacity = None
    if entry.capacity.strip():
        capacity = _decimal(entry.capacity, "capacity", entry.capacity_unit or "t/a")
        if capacity <= 0:
            raise InvalidInput(f"capacity: 产能{capacity}应大于0 — {capacity} (expected > 0)")
    try:
        stage = Stage(entry.stage)
    except ValueError:
        raise InvalidInput(
            f"stage: 阶段“{entry.stage}”应为{'、'.join(Stage)}之一 — "
            f"{entry.stage!r} (expected one of {', '.join(Stage)})"
        ) from None
    row = m.TwoHighProject(
        unit_id=unit.id,
        code=code,
        name=entry.name.strip(),
        enterprise_id=firm.id if firm else None,
        firm_name=firm_name,
        credit_code=credit,
        segment=entry.segment,
        capacity=capacity,
        capacity_unit=entry.capacity_unit.strip(),
        classification=entry.classification,
        disposal=entry.disposal,
        disposal_note=entry.disposal_note.strip(),
        stage=stage.value,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    session.add(
        m.TwoHighStageChange(
            project_id=row.id, stage_to=stage.value, reason="列入清单", changed_by=actor.username
        )
    )
    new = {"name": row.name, "segment": row.segment, "firm": firm_name, "stage": stage.value}
    audit.record(session, actor, "twohigh.project", ENTITY, code, None, new, unit.code)
    return row


def get_project(session: Session, unit: m.DemoUnit, code: str) -> m.TwoHighProject:
    row = store.project(session, unit.id, code)
    if row is None:
        raise NotFound(f"project: 没有“两高”项目“{code}” — no two-high project {code!r}")
    return row


def set_need(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    dimension: str,
    amount: str = "",
    terms: Mapping[str, str] | None = None,
) -> m.TwoHighNeed:
    """A project's new amount in a dimension [entry unit]. Carbon is entered as the rule's
    four terms (fuel, process, net purchased electricity and heat, recovered), signed."""
    _require_entry(actor, "enter a project's new amounts", "录入项目的新增量")
    project = get_project(session, unit, code)
    try:
        dim = data.dimension(dimension)
    except TwoHighError as exc:
        raise _invalid(exc) from None
    kept: dict[str, str] | None = None
    if dim.code == "carbon":
        given = terms or {}
        values = {
            k: _decimal(given.get(k) or "0", k, "t CO2")
            for k in ("fuel", "process", "net_purchased", "recovered")
        }
        for k in ("fuel", "process", "recovered"):
            if values[k] < 0:
                raise InvalidInput(
                    f"{k}: {values[k]}不得为负［t CO2］ — {values[k]} (expected ≥ 0 [t CO2])"
                )
        new_amount = CarbonTerms(**values).total
        kept = {k: str(v) for k, v in values.items()}
    else:
        new_amount = _decimal(amount, dim.code, dim.entry_unit)
    row = store.need(session, project.id, dim.code)
    old = {"new_amount": str(row.new_amount), "terms": row.terms} if row else None
    if row is None:
        row = m.TwoHighNeed(project_id=project.id, dimension=dim.code, entered_by=actor.username)
        session.add(row)
    row.new_amount, row.terms, row.entered_by = new_amount, kept, actor.username
    session.flush()
    new = {"new_amount": str(new_amount), "unit": dim.entry_unit, "terms": kept}
    audit.record(session, actor, "twohigh.need", ENTITY, f"{code}/{dim.code}", old, new, unit.code)
    return row


def decide(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    on: dt.date | str | None = None,
    named: Mapping[str, str] | None = None,
    approval_doc: str = "",
    recompute: bool = False,
) -> list[m.TwoHighRequirement]:
    """Decide the project's required substitution per dimension under the ratios in force on
    ``on`` (or a ratio its approval names). A decided requirement keeps its ratio; deciding
    again needs ``recompute`` (the old rows are kept, no longer current)."""
    _require_office(actor, "decide a project's required substitution", "核定项目的替代量")
    project = get_project(session, unit, code)
    day = _date(on, "decided_on") if on else today_cst()
    current = store.requirements(session, project.id)
    if current and not recompute:
        raise InvalidInput(
            f"recompute: 替代量已于{project.decided_on}核定，仅在明确要求时重新计算 — "
            f"the requirement was decided on {project.decided_on}; "
            "it is recomputed only when asked"
        )
    needs = store.needs(session, project.id)
    if not needs:
        raise InvalidInput(
            "dimension: 项目没有需要替代的新增量 — the project has no new amounts to substitute"
        )
    ratios = all_ratios(session, unit)
    rows: list[m.TwoHighRequirement] = []
    decided: list[sub.Requirement] = []
    for need in needs:
        dim = data.dimension(need.dimension)
        try:
            ratio = sub.choose_ratio(
                ratios, project.segment, dim.code, day, (named or {}).get(dim.code)
            )
            decided.append(sub.requirement(Decimal(need.new_amount), dim, ratio))
        except TwoHighError as exc:
            raise InvalidInput(f"{dim.code} {exc}") from None
    for row in current:
        row.current = False
    for req in decided:
        rows.append(
            m.TwoHighRequirement(
                project_id=project.id,
                dimension=req.dimension.code,
                new_amount=req.new_amount,
                ratio_id=req.ratio.id,
                ratio=req.ratio.ratio,
                ratio_document=req.ratio.document_zh,
                ratio_status=req.ratio.status,
                required=req.required,
                decided_by=actor.username,
            )
        )
    session.add_all(rows)
    project.decided_on = day
    if approval_doc.strip():
        project.approval_doc = approval_doc.strip()
    session.flush()
    new = {
        r.dimension.code: {
            "ratio": r.ratio.id,
            "required": r.required,
            "unit": r.dimension.ledger_unit,
        }
        for r in decided
    }
    old = {r.dimension: {"ratio": r.ratio_id, "required": r.required} for r in current} or None
    audit.record(session, actor, "twohigh.decide", ENTITY, code, old, new, unit.code)
    return rows


def set_stage(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    target: str,
    reason: str = "",
) -> m.TwoHighStageChange:
    """Move a project's stage (kept in its history). Rejection releases its reservations; a
    lapse or a closure before operation releases what was reserved and allocated."""
    _require_office(actor, "change a project's stage", "变更项目阶段")
    project = store.project_for_update(session, unit.id, code)
    if project is None:
        raise NotFound(f"project: 没有“两高”项目“{code}” — no two-high project {code!r}")
    try:
        new_stage = Stage(target)
        check_move(Stage(project.stage), new_stage)
    except ValueError as exc:
        raise InvalidInput(
            str(exc)
            if isinstance(exc, TwoHighError)
            else f"stage: 阶段“{target}”应为{'、'.join(Stage)}之一 — {exc}"
        ) from None
    if new_stage in (Stage.REJECTED, Stage.LAPSED, Stage.CLOSED) and not reason.strip():
        raise InvalidInput("reason: 请说明原因 — say why")
    if new_stage is Stage.APPROVED and not store.requirements(session, project.id):
        raise InvalidInput(
            "stage: 批准前须先核定替代量 — decide the required substitution before approval"
        )
    change = m.TwoHighStageChange(
        project_id=project.id,
        stage_from=project.stage,
        stage_to=new_stage.value,
        reason=reason.strip(),
        changed_by=actor.username,
    )
    session.add(change)
    session.flush()
    released = 0
    if new_stage in (Stage.REJECTED, Stage.LAPSED) or (
        new_stage is Stage.CLOSED and project.stage != Stage.OPERATING
    ):
        released = _release_all(session, unit, project.code, f"stage{change.id}", reason)
    old = {"stage": project.stage}
    project.stage = new_stage.value
    session.flush()
    new = {"stage": new_stage.value, "reason": change.reason, "released": released}
    audit.record(session, actor, "twohigh.stage", ENTITY, code, old, new, unit.code)
    return change


def _release_all(session: Session, unit: m.DemoUnit, project: str, tag: str, memo: str) -> int:
    ledger = store.ledger(session)
    pos = bank.positions(ledger.balances(), unit.code)
    moves = 0
    at = dt.datetime.now(dt.UTC)
    for (proj, asset), cover in sorted(pos.covers.items()):
        if proj != project:
            continue
        for origin, lots in ((bank.RESERVED, cover.reserved), (bank.ALLOCATED, cover.allocated)):
            for source, amount in sorted(lots.items()):
                if amount <= 0:
                    continue
                move = bank.Movement(bank.Move.RELEASE, source, asset, amount, project, origin)
                key = f"th:{unit.code}:{tag}:{origin}:{source}:{asset}"
                ledger.append(bank.transaction(unit.code, move, key, at, memo=memo))
                moves += 1
    return moves


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class SourceInput:
    """A substitution source as entered; ``reductions``: dimension → amount [entry unit]."""

    code: str
    name: str
    mechanism: str
    formed_on: str
    location: str
    firm_key: str = ""
    firm_name: str = ""
    credit_code: str = ""
    in_shandong: bool = True
    monitorable: bool = False
    countable: bool = False
    recheckable: bool = False
    conditions_note: str = ""
    reductions: Mapping[str, str] = field(default_factory=dict)


def add_source(
    session: Session, actor: Actor, unit: m.DemoUnit, entry: SourceInput
) -> m.TwoHighSource:
    """Register a substitution source with its reductions per dimension and its three
    conditions (可监测、可统计、可复核), each recorded as found."""
    _require_entry(actor, "register a substitution source", "登记替代源")
    code = _code(entry.code, "code")
    if store.source(session, unit.id, code) is not None:
        raise InvalidInput(f"code: 替代源“{code}”已存在 — source {code} exists")
    for name in ("name", "location"):
        if not getattr(entry, name).strip():
            raise InvalidInput(
                f"{name}: 请填写{'名称' if name == 'name' else '所在地点'} — required"
            )
    try:
        mechanism = Mechanism(entry.mechanism)
    except ValueError:
        raise InvalidInput(
            f"mechanism: 形成方式“{entry.mechanism}”应为{'、'.join(Mechanism)}之一 — "
            f"{entry.mechanism!r} (expected one of {', '.join(Mechanism)})"
        ) from None
    formed = _date(entry.formed_on, "formed_on")
    if formed > today_cst():
        raise InvalidInput(f"formed_on: 形成日期{formed}晚于今天 — {formed} is in the future")
    firm = None
    if entry.firm_key.strip():
        firm = enterprise_store.enterprise(session, unit.id, entry.firm_key.strip())
        if firm is None:
            raise InvalidInput(
                f"firm: 企业名录中没有“{entry.firm_key}” — "
                f"no firm {entry.firm_key!r} in the enterprise registry"
            )
    firm_name = firm.name_zh if firm else entry.firm_name.strip()
    if not firm_name:
        raise InvalidInput(
            "firm_name: 请从企业名录中选择企业，或填写企业名称 — "
            "a firm from the registry, or its name"
        )
    if not entry.reductions:
        raise InvalidInput(
            "reductions: 请至少填写一个维度的核定减排量 — "
            "at least one dimension's verified reduction"
        )
    reductions: list[m.TwoHighReduction] = []
    for dim_code, text in entry.reductions.items():
        try:
            dim = data.dimension(dim_code)
        except TwoHighError as exc:
            raise _invalid(exc) from None
        amount = _decimal(text, f"reduction {dim.code}", dim.entry_unit)
        if amount <= 0:
            raise InvalidInput(
                f"reduction {dim.code}: 减排量{amount}应大于0［{dim.entry_unit}］ — "
                f"{amount} (expected > 0 [{dim.entry_unit}])"
            )
        units = sub.to_ledger_units(amount, dim, field=f"reduction {dim.code}", up=False)
        reductions.append(
            m.TwoHighReduction(dimension=dim.code, amount=amount, ledger_amount=units)
        )
    row = m.TwoHighSource(
        unit_id=unit.id,
        code=code,
        name=entry.name.strip(),
        enterprise_id=firm.id if firm else None,
        firm_name=firm_name,
        credit_code=(firm.credit_code or "") if firm else entry.credit_code.strip(),
        mechanism=mechanism.value,
        formed_on=formed,
        location=entry.location.strip(),
        in_shandong=entry.in_shandong,
        monitorable=entry.monitorable,
        countable=entry.countable,
        recheckable=entry.recheckable,
        conditions_note=entry.conditions_note.strip(),
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    for red in reductions:
        red.source_id = row.id
    session.add_all(reductions)
    session.flush()
    new = {
        "name": row.name,
        "mechanism": mechanism.value,
        "formed_on": formed.isoformat(),
        "reductions": {r.dimension: str(r.amount) for r in reductions},
        "conditions": [entry.monitorable, entry.countable, entry.recheckable],
    }
    audit.record(session, actor, "twohigh.source", ENTITY, f"source/{code}", None, new, unit.code)
    return row


def get_source(session: Session, unit: m.DemoUnit, code: str) -> m.TwoHighSource:
    row = store.source(session, unit.id, code)
    if row is None:
        raise NotFound(f"source: 没有替代源“{code}” — no substitution source {code!r}")
    return row


def source_problems(row: m.TwoHighSource) -> list[str]:
    """Why a source may not be banked yet (empty: it may)."""
    problems: list[str] = []
    unmet = SourceConditions(row.monitorable, row.countable, row.recheckable).unmet()
    if unmet:
        problems.append("未满足：" + "、".join(unmet))
    if row.formed_on < EARLIEST_SOURCE:
        problems.append(f"减排量形成于{row.formed_on}，早于2021年1月1日")
    if not row.in_shandong:
        problems.append("不在山东省内")
    if not row.verified_by:
        problems.append("尚未核定")
    return problems


def verify_source(
    session: Session, actor: Actor, unit: m.DemoUnit, code: str, note: str = ""
) -> m.TwoHighSource:
    """The office confirms the source's reductions and conditions (核定)."""
    _require_office(actor, "verify a substitution source", "核定替代源")
    row = get_source(session, unit, code)
    if row.verified_by:
        raise InvalidInput(
            f"source: 替代源“{code}”已由{row.verified_by}核定 — "
            f"{code} was verified by {row.verified_by}"
        )
    row.verified_by, row.verified_at = actor.username, dt.datetime.now(dt.UTC)
    session.flush()
    audit.record(
        session, actor, "twohigh.verify", ENTITY, f"source/{code}", None, {"note": note}, unit.code
    )
    return row


def add_evidence(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    upload: EvidenceUpload,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
) -> m.TwoHighEvidence:
    """Attach an evidence file to a source (type and size checked, stored by SHA-256)."""
    _require_entry(actor, "attach evidence to a source", "为替代源上传佐证材料")
    row = get_source(session, unit, code)
    content_type = check_evidence(upload)
    sha = hashlib.sha256(upload.content).hexdigest()
    evidence = m.TwoHighEvidence(
        source_id=row.id,
        filename=PurePath(upload.filename.replace("\\", "/")).name[:255],
        content_type=content_type,
        size=len(upload.content),
        sha256=sha,
        uploaded_by=actor.username,
    )
    session.add(evidence)
    session.flush()
    path, created = store_file(evidence_dir, sha, upload.content)
    if created:
        remove_on_rollback(session, path)
    new = {"filename": evidence.filename, "sha256": sha}
    audit.record(session, actor, "twohigh.evidence", ENTITY, f"source/{code}", None, new, unit.code)
    return evidence
