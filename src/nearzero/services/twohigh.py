"""Two-high projects and the district's emission-indicator ledger: use cases.

Each write takes an :class:`Actor`, checks the rules of :mod:`nearzero.twohigh`, writes
through :mod:`nearzero.store.twohigh` (the indicators through the generic SQL ledger) and is
audited. A refusal is :class:`InvalidInput` naming the field; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.orm import Session

from nearzero.formatting import CHINA_TZ
from nearzero.ledger import Entry, LedgerError, NegativeBalance
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.files import store_file
from nearzero.services.projects import DEFAULT_EVIDENCE_DIR, EvidenceUpload, check_evidence
from nearzero.store import enterprise as enterprise_store
from nearzero.store import tables as m
from nearzero.store import twohigh as store
from nearzero.store.projects import remove_on_rollback
from nearzero.twohigh import bank, data
from nearzero.twohigh import reconcile as rec
from nearzero.twohigh import substitution as sub
from nearzero.twohigh.model import (
    EARLIEST_SOURCE,
    GOING_AHEAD,
    CarbonTerms,
    Mechanism,
    Ratio,
    SourceConditions,
    Stage,
    TwoHighError,
    check_move,
)

ENTITY = "twohigh"
SCHEMA = "nearzero.twohigh.ledger/1"


def _invalid(exc: TwoHighError | LedgerError) -> InvalidInput:
    if isinstance(exc, NegativeBalance):
        return InvalidInput(
            f"amount: 指标不足，{exc.account} 的{data.dimension_of_asset(exc.asset).name_zh}"
            f"将为 {exc.balance}（不得为负）"
        )
    return InvalidInput(str(exc))


def _require_office(actor: Actor, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(f"only the working-group office may {what}")


def _require_entry(actor: Actor, what: str) -> None:
    if actor.role not in (Role.ADMIN, Role.EDITOR):
        raise PermissionDenied(f"{actor.username} may not {what}")


def _decimal(text: str | Decimal | int, field_name: str, unit: str) -> Decimal:
    try:
        value = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidInput(f"{field_name}: {text!r} is not a number [{unit}]") from None
    if not value.is_finite():
        raise InvalidInput(f"{field_name}: {text!r} is not a finite number [{unit}]")
    return value


def _date(text: str | dt.date, field_name: str) -> dt.date:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{field_name}: {text!r} (expected YYYY-MM-DD)") from None


def _code(text: str, field_name: str) -> str:
    try:
        return bank.check_code(text.strip(), field_name)
    except TwoHighError as exc:
        raise _invalid(exc) from None


def today_cst() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


# --------------------------------------------------------------------------- ratios


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
    _require_office(actor, "enter a substitution ratio")
    try:
        ratio = data.parse_ratio(values)
    except TwoHighError as exc:
        raise _invalid(exc) from None
    if any(r.id == ratio.id for r in all_ratios(session, unit)):
        raise InvalidInput(f"ratio id: {ratio.id} exists; a new version takes a new id")
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
    _require_entry(actor, "add a two-high project")
    code = _code(entry.code, "code")
    if store.project(session, unit.id, code) is not None:
        raise InvalidInput(f"code: project {code} exists")
    if not entry.name.strip():
        raise InvalidInput("name: required")
    if entry.segment not in data.segments():
        raise InvalidInput(
            f"segment: {entry.segment!r} (expected one of {', '.join(data.segments())})"
        )
    firm = None
    if entry.firm_key.strip():
        firm = enterprise_store.enterprise(session, unit.id, entry.firm_key.strip())
        if firm is None:
            raise InvalidInput(f"firm: no firm {entry.firm_key!r} in the enterprise registry")
    firm_name = firm.name_zh if firm else entry.firm_name.strip()
    if not firm_name:
        raise InvalidInput("firm_name: a firm from the registry, or its name and credit code")
    credit = (firm.credit_code or "") if firm else entry.credit_code.strip()
    if credit and len(credit) != 18:
        raise InvalidInput(f"credit_code: {credit!r} (18 characters)")
    choices = data.dispositions()
    for name, value in (("classification", entry.classification), ("disposal", entry.disposal)):
        if value and value not in choices[name]:
            raise InvalidInput(f"{name}: {value!r} (expected one of {', '.join(choices[name])})")
    capacity = None
    if entry.capacity.strip():
        capacity = _decimal(entry.capacity, "capacity", entry.capacity_unit or "t/a")
        if capacity <= 0:
            raise InvalidInput(f"capacity: {capacity} (expected > 0)")
    try:
        stage = Stage(entry.stage)
    except ValueError:
        raise InvalidInput(f"stage: {entry.stage!r} (expected one of {', '.join(Stage)})") from None
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
        raise NotFound(f"project: no two-high project {code!r}")
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
    _require_entry(actor, "enter a project's new amounts")
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
                raise InvalidInput(f"{k}: {values[k]} (expected ≥ 0 [t CO2])")
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
    _require_office(actor, "decide a project's required substitution")
    project = get_project(session, unit, code)
    day = _date(on, "decided_on") if on else today_cst()
    current = store.requirements(session, project.id)
    if current and not recompute:
        raise InvalidInput(
            "recompute: the requirement was decided on "
            f"{project.decided_on}; it is recomputed only when asked"
        )
    needs = store.needs(session, project.id)
    if not needs:
        raise InvalidInput("dimension: the project has no new amounts to substitute")
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
    _require_office(actor, "change a project's stage")
    project = store.project_for_update(session, unit.id, code)
    if project is None:
        raise NotFound(f"project: no two-high project {code!r}")
    try:
        new_stage = Stage(target)
        check_move(Stage(project.stage), new_stage)
    except ValueError as exc:
        raise InvalidInput(
            f"stage: {exc}" if not isinstance(exc, TwoHighError) else str(exc)
        ) from None
    if new_stage in (Stage.REJECTED, Stage.LAPSED, Stage.CLOSED) and not reason.strip():
        raise InvalidInput("reason: say why")
    if new_stage is Stage.APPROVED and not store.requirements(session, project.id):
        raise InvalidInput("stage: decide the required substitution before approval")
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
    _require_entry(actor, "register a substitution source")
    code = _code(entry.code, "code")
    if store.source(session, unit.id, code) is not None:
        raise InvalidInput(f"code: source {code} exists")
    for name in ("name", "location"):
        if not getattr(entry, name).strip():
            raise InvalidInput(f"{name}: required")
    try:
        mechanism = Mechanism(entry.mechanism)
    except ValueError:
        raise InvalidInput(
            f"mechanism: {entry.mechanism!r} (expected one of {', '.join(Mechanism)})"
        ) from None
    formed = _date(entry.formed_on, "formed_on")
    if formed > today_cst():
        raise InvalidInput(f"formed_on: {formed} is in the future")
    firm = None
    if entry.firm_key.strip():
        firm = enterprise_store.enterprise(session, unit.id, entry.firm_key.strip())
        if firm is None:
            raise InvalidInput(f"firm: no firm {entry.firm_key!r} in the enterprise registry")
    firm_name = firm.name_zh if firm else entry.firm_name.strip()
    if not firm_name:
        raise InvalidInput("firm_name: a firm from the registry, or its name")
    if not entry.reductions:
        raise InvalidInput("reductions: at least one dimension's verified reduction")
    reductions: list[m.TwoHighReduction] = []
    for dim_code, text in entry.reductions.items():
        try:
            dim = data.dimension(dim_code)
        except TwoHighError as exc:
            raise _invalid(exc) from None
        amount = _decimal(text, f"reduction {dim.code}", dim.entry_unit)
        if amount <= 0:
            raise InvalidInput(f"reduction {dim.code}: {amount} (expected > 0 [{dim.entry_unit}])")
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
        raise NotFound(f"source: no substitution source {code!r}")
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
    _require_office(actor, "verify a substitution source")
    row = get_source(session, unit, code)
    if row.verified_by:
        raise InvalidInput(f"source: {code} was verified by {row.verified_by}")
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
    _require_entry(actor, "attach evidence to a source")
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


# --------------------------------------------------------------------------- movements


@dataclass(frozen=True)
class MoveInput:
    """A movement as requested: which, the source, the dimension, the amount [entry unit].

    request : the request's idempotency token (a form's hidden field, the CLI's ``--key``): the
        same request sent twice moves once.
    """

    move: str
    source: str
    dimension: str
    amount: str
    project: str = ""
    origin: str = ""
    request: str = ""
    memo: str = ""


def new_request_token() -> str:
    return uuid.uuid4().hex


def move(session: Session, actor: Actor, unit: m.DemoUnit, entry: MoveInput) -> Entry:
    """Deposit, reserve, allocate, release or retire indicators (all or nothing, audited).

    Beyond the ledger's own refusals (no balance below zero, so no unit used twice; a used
    request token with other content), a deposit stays within the source's verified reduction
    and conditions, and a project is covered no further than its decided requirement.
    """
    _require_office(actor, "move indicators in the ledger")
    try:
        kind = bank.Move(entry.move)
    except ValueError:
        raise InvalidInput(
            f"move: {entry.move!r} (expected one of {', '.join(bank.Move)})"
        ) from None
    source = get_source(session, unit, entry.source.strip())
    try:
        dim = data.dimension(entry.dimension)
    except TwoHighError as exc:
        raise _invalid(exc) from None
    amount_entry = _decimal(entry.amount, "amount", dim.entry_unit)
    if amount_entry <= 0:
        raise InvalidInput(f"amount: {amount_entry} (expected > 0 [{dim.entry_unit}])")
    exact = sub.to_ledger_units(amount_entry, dim, field="amount", up=False)
    if sub.from_ledger_units(exact, dim) != amount_entry:
        raise InvalidInput(
            f"amount: {amount_entry} {dim.entry_unit} is not a whole number of {dim.ledger_unit}"
        )
    token = entry.request.strip() or new_request_token()
    if not bank.CODE.fullmatch(token):
        raise InvalidInput("request: the request token is malformed")
    project_code = entry.project.strip()
    project = None
    if project_code:
        project = store.project_for_update(session, unit.id, project_code)
        if project is None:
            raise NotFound(f"project: no two-high project {project_code!r}")
    ledger = store.ledger(session)
    key = f"th:{unit.code}:{token}"
    at = dt.datetime.now(dt.UTC)
    try:
        movement = bank.Movement(
            kind, source.code, dim.asset, exact, project_code or None, entry.origin
        )
        tx = bank.transaction(unit.code, movement, key, at, memo=entry.memo.strip())
        existing = ledger.get(key)
        if existing is not None:  # a replayed request: compare, write nothing
            return ledger.append(
                type(tx)(tx.key, tx.kind, existing.tx.effective_at, tx.postings, tx.memo)
            )
        pos = bank.positions(ledger.balances(), unit.code)
        _check_rules(session, unit, kind, movement, source, project, dim.code, pos)
        appended = ledger.append(tx)
    except (TwoHighError, LedgerError) as exc:
        raise _invalid(exc) from None
    new = {
        "move": kind.value,
        "source": source.code,
        "project": project_code,
        "dimension": dim.code,
        "amount": exact,
        "unit": dim.ledger_unit,
        "origin": movement.resolved_origin(),
    }
    audit.record(session, actor, f"twohigh.{kind.value}", ENTITY, key, None, new, unit.code)
    return appended


def _check_rules(
    session: Session,
    unit: m.DemoUnit,
    kind: bank.Move,
    movement: bank.Movement,
    source: m.TwoHighSource,
    project: m.TwoHighProject | None,
    dimension: str,
    pos: bank.Positions,
) -> None:
    if kind is bank.Move.DEPOSIT:
        problems = source_problems(source)
        if problems:
            raise TwoHighError("source", f"{source.code} 不能收储：" + "；".join(problems))
        verified = {r.dimension: r.ledger_amount for r in store.reductions(session, source.id)}
        if dimension not in verified:
            raise TwoHighError("dimension", f"替代源 {source.code} 没有{dimension}方面的核定减排量")
        bank.check_deposit(pos, source.code, movement.asset, movement.amount, verified[dimension])
        return
    if project is None:
        return
    stage = Stage(project.stage)
    if kind is bank.Move.RESERVE and stage is not Stage.REVIEW:
        raise TwoHighError("project", f"只有审查中的项目可预留指标（当前：{stage.value}）")
    if kind is bank.Move.ALLOCATE and stage not in GOING_AHEAD:
        raise TwoHighError("project", f"只有已批准的项目可配置指标（当前：{stage.value}）")
    if kind is bank.Move.RETIRE and stage is not Stage.OPERATING:
        raise TwoHighError("project", "项目投产后方可注销其已配置指标")
    if kind in (bank.Move.RESERVE, bank.Move.ALLOCATE) and movement.resolved_origin() == bank.BANK:
        required = {r.dimension: r.required for r in store.requirements(session, project.id)}
        if dimension not in required:
            raise TwoHighError(
                "dimension", f"项目 {project.code} 尚未确定{dimension}方面的应替代量"
            )
        bank.check_cover(pos, project.code, movement.asset, movement.amount, required[dimension])


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class RequirementLine:
    project: str
    dimension: str
    name_zh: str
    new_amount: Decimal
    entry_unit: str
    ratio_id: str
    ratio: Decimal
    ratio_document: str
    ratio_status: str
    required: int
    ledger_unit: str
    substituted: int
    reserved: int
    by_source: dict[str, int]

    @property
    def met(self) -> bool:
        return self.substituted >= self.required

    @property
    def required_entry(self) -> Decimal:
        return sub.from_ledger_units(self.required, data.dimension(self.dimension))


@dataclass(frozen=True)
class ProjectLine:
    row: m.TwoHighProject
    requirements: list[RequirementLine]

    @property
    def substituted(self) -> bool:
        return bool(self.requirements) and all(r.met for r in self.requirements)


@dataclass(frozen=True)
class LotLine:
    source: str
    dimension: str
    name_zh: str
    ledger_unit: str
    verified: int
    lot: bank.Lot


@dataclass(frozen=True)
class LedgerView:
    """The unit's bank: balances by dimension, every project's trace to its sources and every
    source's lots to its projects, indicator 4."""

    unit: m.DemoUnit
    projects: list[ProjectLine]
    sources: list[m.TwoHighSource]
    lots: list[LotLine]
    balance: dict[str, dict[str, int]]
    indicator: bank.Indicator4
    to_confirm: list[str]


def _requirement_lines(
    reqs: list[m.TwoHighRequirement], code: str, pos: bank.Positions
) -> list[RequirementLine]:
    out: list[RequirementLine] = []
    for r in reqs:
        dim = data.dimension(r.dimension)
        cover = pos.cover(code, dim.asset)
        by_source: dict[str, int] = {}
        for part in (cover.allocated, cover.retired):
            for s, amount in part.items():
                by_source[s] = by_source.get(s, 0) + amount
        out.append(
            RequirementLine(
                project=code,
                dimension=dim.code,
                name_zh=dim.name_zh,
                new_amount=Decimal(r.new_amount),
                entry_unit=dim.entry_unit,
                ratio_id=r.ratio_id,
                ratio=Decimal(r.ratio),
                ratio_document=r.ratio_document,
                ratio_status=r.ratio_status,
                required=int(r.required),
                ledger_unit=dim.ledger_unit,
                substituted=cover.substituted,
                reserved=sum(cover.reserved.values()),
                by_source=by_source,
            )
        )
    return out


def ledger_view(session: Session, unit: m.DemoUnit) -> LedgerView:
    pos = bank.positions(store.ledger(session).balances(), unit.code)
    reqs = store.current_requirements(session, unit.id)
    projects = [
        ProjectLine(p, _requirement_lines(reqs.get(p.code, []), p.code, pos))
        for p in store.projects(session, unit.id)
    ]
    sources = store.sources(session, unit.id)
    verified = store.reductions_of_unit(session, unit.id)
    lots: list[LotLine] = []
    for s in sources:
        for red in verified.get(s.code, []):
            dim = data.dimension(red.dimension)
            lots.append(
                LotLine(
                    s.code,
                    dim.code,
                    dim.name_zh,
                    dim.ledger_unit,
                    int(red.ledger_amount),
                    pos.lot(s.code, dim.asset),
                )
            )
    balance: dict[str, dict[str, int]] = {}
    for lot in lots:
        row = balance.setdefault(
            lot.dimension,
            {"deposited": 0, "banked": 0, "reserved": 0, "allocated": 0, "retired": 0},
        )
        row["deposited"] += lot.lot.deposited
        row["banked"] += lot.lot.banked
        row["reserved"] += sum(lot.lot.reserved.values())
        row["allocated"] += sum(lot.lot.allocated.values())
        row["retired"] += sum(lot.lot.retired.values())
    going = [p.row.code for p in projects if Stage(p.row.stage) in GOING_AHEAD]
    required = {
        p.row.code: {data.dimension(r.dimension).asset: r.required for r in p.requirements}
        for p in projects
    }
    indicator = bank.indicator_4(going, required, pos)
    to_confirm = sorted(
        {
            f"{r.ratio_document}（{r.dimension}，1:{r.ratio.normalize():f}）"
            for p in projects
            for r in p.requirements
            if r.ratio_status != "verified"
        }
    )
    return LedgerView(unit, projects, sources, lots, balance, indicator, to_confirm)


def ledger_to_dict(view: LedgerView) -> dict[str, Any]:
    """The ledger as JSON (schema ``nearzero.twohigh.ledger/1``, docs/json.md)."""
    ind = view.indicator
    return {
        "schema": SCHEMA,
        "unit": view.unit.code,
        "balance": {
            dim: {"unit": data.dimension(dim).ledger_unit, **row}
            for dim, row in view.balance.items()
        },
        "projects": [
            {
                "code": p.row.code,
                "name": p.row.name,
                "firm": p.row.firm_name,
                "segment": p.row.segment,
                "stage": p.row.stage,
                "substituted": p.substituted,
                "requirements": [
                    {
                        "dimension": r.dimension,
                        "new_amount": str(r.new_amount),
                        "entry_unit": r.entry_unit,
                        "ratio": f"{r.ratio.normalize():f}",
                        "ratio_id": r.ratio_id,
                        "ratio_status": r.ratio_status,
                        "required": r.required,
                        "substituted": r.substituted,
                        "reserved": r.reserved,
                        "unit": r.ledger_unit,
                        "sources": r.by_source,
                    }
                    for r in p.requirements
                ],
            }
            for p in view.projects
        ],
        "sources": [
            {
                "code": lot.source,
                "dimension": lot.dimension,
                "unit": lot.ledger_unit,
                "verified": lot.verified,
                "deposited": lot.lot.deposited,
                "banked": lot.lot.banked,
                "reserved": lot.lot.reserved,
                "allocated": lot.lot.allocated,
                "retired": lot.lot.retired,
            }
            for lot in view.lots
        ],
        "indicator_4": {
            "counted": ind.counted,
            "substituted": ind.substituted,
            "share_pct": None if ind.share is None else str(ind.share),
            "met": ind.met,
            "undecided": list(ind.undecided),
            "shortfalls": [
                {
                    "project": s.project,
                    "asset": s.asset,
                    "required": s.required,
                    "substituted": s.substituted,
                }
                for s in ind.shortfalls
            ],
        },
    }


def reconciliation(
    session: Session, unit: m.DemoUnit, latest_year: int | None = None
) -> list[rec.Check]:
    """Each source's carbon reduction against its firm's figures of the year after."""
    latest = latest_year if latest_year is not None else today_cst().year - 1
    out: list[rec.Check] = []
    verified = store.reductions_of_unit(session, unit.id)
    for s in store.sources(session, unit.id):
        figures = store.firm_emissions(session, s.enterprise_id) if s.enterprise_id else None
        for red in verified.get(s.code, []):
            if red.dimension != "carbon":
                continue
            out.append(
                rec.check_source(
                    s.code, red.dimension, Decimal(red.amount), s.formed_on, figures, latest
                )
            )
    return out


def entries_of_project(session: Session, unit: m.DemoUnit, code: str) -> list[Entry]:
    """The ledger entries that moved the project's indicators, in order."""
    ledger = store.ledger(session)
    seen: dict[str, Entry] = {}
    for kind in (bank.RESERVED, bank.ALLOCATED, bank.RETIRED):
        for account in ledger.accounts(kind):
            if account.name.startswith(f"{unit.code}/{code}/"):
                for e in ledger.account_entries(account):
                    seen[e.tx.key] = e
    return sorted(seen.values(), key=lambda e: e.seq)


def entries_of_source(session: Session, unit: m.DemoUnit, code: str) -> list[Entry]:
    ledger = store.ledger(session)
    return list(ledger.account_entries(bank.account(bank.SOURCE, unit.code, code, None)))


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class TwoHighPage:
    """The two-high page: indicator 4, the bank's balance by dimension, the project list, the
    sources with their lots, the reconciliation, and the office's forms."""

    unit: m.DemoUnit
    view: LedgerView
    checks: list[rec.Check]
    ratios: list[Ratio]
    segments: dict[str, Any]
    dimensions: dict[str, Any]
    classifications: dict[str, tuple[str, str, str]]
    disposals: dict[str, tuple[str, str, str]]
    mechanisms: list[str]
    moves: list[str]
    request_token: str
    is_office: bool
    may_enter: bool
    page: str = "twohigh"


def list_page(session: Session, actor: Actor, unit: m.DemoUnit) -> TwoHighPage:
    choices = data.dispositions()
    return TwoHighPage(
        unit=unit,
        view=ledger_view(session, unit),
        checks=reconciliation(session, unit),
        ratios=all_ratios(session, unit),
        segments=dict(data.segments()),
        dimensions=dict(data.dimensions()),
        classifications=dict(choices["classification"]),
        disposals=dict(choices["disposal"]),
        mechanisms=[mech.value for mech in Mechanism],
        moves=[mv.value for mv in bank.Move],
        request_token=new_request_token(),
        is_office=actor.role is Role.ADMIN,
        may_enter=actor.role in (Role.ADMIN, Role.EDITOR),
    )


@dataclass(frozen=True)
class ProjectPage:
    unit: m.DemoUnit
    project: m.TwoHighProject
    line: ProjectLine
    history: list[m.TwoHighStageChange]
    needs: list[m.TwoHighNeed]
    past: list[m.TwoHighRequirement]
    entries: list[Entry]
    ratios: list[Ratio]
    dimensions: dict[str, Any]
    next_stages: list[str]
    sources: list[m.TwoHighSource]
    request_token: str
    is_office: bool
    may_enter: bool
    page: str = "twohigh_project"


def project_page(session: Session, actor: Actor, unit: m.DemoUnit, code: str) -> ProjectPage:
    from nearzero.twohigh.model import NEXT_STAGES

    project = get_project(session, unit, code)
    view = ledger_view(session, unit)
    (line,) = [p for p in view.projects if p.row.code == code]
    return ProjectPage(
        unit=unit,
        project=project,
        line=line,
        history=store.stage_changes(session, project.id),
        needs=store.needs(session, project.id),
        past=[
            r for r in store.requirements(session, project.id, current_only=False) if not r.current
        ],
        entries=entries_of_project(session, unit, code),
        ratios=[r for r in all_ratios(session, unit) if r.segment in ("*", project.segment)],
        dimensions=dict(data.dimensions()),
        next_stages=sorted(s.value for s in NEXT_STAGES[Stage(project.stage)]),
        sources=store.sources(session, unit.id),
        request_token=new_request_token(),
        is_office=actor.role is Role.ADMIN,
        may_enter=actor.role in (Role.ADMIN, Role.EDITOR),
    )


@dataclass(frozen=True)
class SourcePage:
    unit: m.DemoUnit
    source: m.TwoHighSource
    lots: list[LotLine]
    problems: list[str]
    evidence: list[m.TwoHighEvidence]
    entries: list[Entry]
    checks: list[rec.Check]
    is_office: bool
    may_enter: bool
    page: str = "twohigh_source"


def source_page(session: Session, actor: Actor, unit: m.DemoUnit, code: str) -> SourcePage:
    source = get_source(session, unit, code)
    view = ledger_view(session, unit)
    return SourcePage(
        unit=unit,
        source=source,
        lots=[lot for lot in view.lots if lot.source == code],
        problems=source_problems(source),
        evidence=store.evidence_of(session, source.id),
        entries=entries_of_source(session, unit, code),
        checks=[c for c in reconciliation(session, unit) if c.source == code],
        is_office=actor.role is Role.ADMIN,
        may_enter=actor.role in (Role.ADMIN, Role.EDITOR),
    )


def evidence_file(
    session: Session, unit: m.DemoUnit, evidence_id: int, evidence_dir: Path = DEFAULT_EVIDENCE_DIR
) -> tuple[m.TwoHighEvidence, Path]:
    row = store.evidence(session, evidence_id)
    if row is None:
        raise NotFound("evidence: no such file")
    source = session.get(m.TwoHighSource, row.source_id)
    if source is None or source.unit_id != unit.id:
        raise NotFound("evidence: no such file")
    return row, evidence_dir / row.sha256


# --------------------------------------------------------------------------- files


def export_xlsx(session: Session, unit: m.DemoUnit) -> bytes:
    """The ledger as a workbook: the project list with each requirement and its trace, the
    sources' lots, the balance by dimension and every movement (times in China Standard Time)."""
    import io

    from openpyxl import Workbook

    from nearzero.formatting import china_time
    from nearzero.twohigh.model import MECHANISM_ZH, STAGE_ZH

    view = ledger_view(session, unit)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "项目清单"
    sheet.append(
        [
            "项目",
            "企业",
            "行业",
            "阶段",
            "替代维度",
            "新增量",
            "单位",
            "替代比例",
            "比例依据",
            "比例状态",
            "应替代量",
            "已落实",
            "台账单位",
            "来源（替代源: 数量）",
            "是否落实",
        ]
    )
    for p in view.projects:
        base = [
            p.row.name,
            p.row.firm_name,
            data.segments()[p.row.segment].name_zh,
            STAGE_ZH[Stage(p.row.stage)],
        ]
        if not p.requirements:
            sheet.append([*base, "（尚未确定应替代量）"])
        for r in p.requirements:
            sheet.append(
                [
                    *base,
                    r.name_zh,
                    float(r.new_amount),
                    r.entry_unit,
                    f"1:{r.ratio.normalize():f}",
                    r.ratio_document,
                    "已核实" if r.ratio_status == "verified" else "待确认",
                    r.required,
                    r.substituted,
                    r.ledger_unit,
                    "；".join(f"{s}: {a}" for s, a in sorted(r.by_source.items())),
                    "是" if r.met else "否",
                ]
            )
    lots = book.create_sheet("替代源")
    lots.append(
        [
            "替代源",
            "名称",
            "方式",
            "形成日期",
            "维度",
            "单位",
            "核定减排量",
            "已收储",
            "可用",
            "预留",
            "已配置",
            "已注销",
        ]
    )
    names = {s.code: s for s in view.sources}
    for lot in view.lots:
        s = names[lot.source]
        lots.append(
            [
                lot.source,
                s.name,
                MECHANISM_ZH[Mechanism(s.mechanism)],
                s.formed_on.isoformat(),
                lot.name_zh,
                lot.ledger_unit,
                lot.verified,
                lot.lot.deposited,
                lot.lot.banked,
                sum(lot.lot.reserved.values()),
                sum(lot.lot.allocated.values()),
                sum(lot.lot.retired.values()),
            ]
        )
    balance = book.create_sheet("台账余额")
    balance.append(["维度", "单位", "已收储", "可用", "预留", "已配置", "已注销"])
    for dim, row in view.balance.items():
        d = data.dimension(dim)
        balance.append(
            [
                d.name_zh,
                d.ledger_unit,
                row["deposited"],
                row["banked"],
                row["reserved"],
                row["allocated"],
                row["retired"],
            ]
        )
    moves = book.create_sheet("流水")
    moves.append(["时间（北京时间）", "动作", "从", "到", "维度", "数量", "单位", "备注"])
    for e in store.ledger(session).entries():
        if not e.tx.key.startswith(f"th:{unit.code}:"):
            continue
        take, put = sorted(e.tx.postings, key=lambda p: p.amount)
        d = data.dimension_of_asset(put.asset)
        moves.append(
            [
                china_time(e.tx.effective_at),
                bank.MOVE_ZH[bank.Move(e.tx.kind)],
                f"{bank.TWOHIGH_CHART.label_zh(take.account.kind)} {take.account.name}",
                f"{bank.TWOHIGH_CHART.label_zh(put.account.kind)} {put.account.name}",
                d.name_zh,
                put.amount,
                d.ledger_unit,
                e.tx.memo,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: expected a mapping")
    return {str(k): v for k, v in value.items()}


def _text(values: dict[str, Any], key: str) -> str:
    value = values.pop(key, "")
    return "" if value is None else str(value)


def _no_more(values: dict[str, Any], where: str) -> None:
    if values:
        raise InvalidInput(f"{where}: unknown field {sorted(values)[0]!r}")


def load_file(
    session: Session, actor: Actor, unit: m.DemoUnit, text: str, name: str
) -> dict[str, int]:
    """Load a YAML ledger file (format: docs/twohigh.md): ``ratios``; ``sources`` with their
    reductions, conditions and ``verified``; ``projects`` with their new amounts (``needs``),
    ``decision`` and ``stages``; then ``movements`` in order. All or nothing (the caller's
    transaction); a refusal names the entry (``projects[2] needs carbon``) and the field."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{name}: not YAML ({exc})") from None
    top = _mapping(doc, name)
    counts = {"ratios": 0, "sources": 0, "projects": 0, "movements": 0}
    sections = {k: top.pop(k, None) or [] for k in counts}
    _no_more(top, name)
    for key, items in sections.items():
        if not isinstance(items, list):
            raise InvalidInput(f"{name} {key}: expected a list")
    for i, item in enumerate(sections["ratios"]):
        values = _mapping(item, f"{name} ratios[{i}]")
        try:
            add_ratio(
                session, actor, unit, {k: "" if v is None else str(v) for k, v in values.items()}
            )
        except InvalidInput as exc:
            raise InvalidInput(f"{name} ratios[{i}] {exc}") from None
        counts["ratios"] += 1
    for i, item in enumerate(sections["sources"]):
        where = f"{name} sources[{i}]"
        values = _mapping(item, where)
        reductions = {
            k: str(v)
            for k, v in _mapping(values.pop("reductions", None), f"{where} reductions").items()
        }
        flags = {k: bool(values.pop(k, False)) for k in ("monitorable", "countable", "recheckable")}
        verified = bool(values.pop("verified", False))
        entry = SourceInput(
            code=_text(values, "code"),
            name=_text(values, "name"),
            mechanism=_text(values, "mechanism"),
            formed_on=_text(values, "formed_on"),
            location=_text(values, "location"),
            firm_key=_text(values, "firm_key"),
            firm_name=_text(values, "firm_name"),
            credit_code=_text(values, "credit_code"),
            conditions_note=_text(values, "conditions_note"),
            in_shandong=bool(values.pop("in_shandong", True)),
            reductions=reductions,
            **flags,
        )
        try:
            _no_more(values, where)
            add_source(session, actor, unit, entry)
            if verified:
                verify_source(session, actor, unit, entry.code, f"{name}")
        except InvalidInput as exc:
            raise InvalidInput(f"{where} {exc}") from None
        counts["sources"] += 1
    for i, item in enumerate(sections["projects"]):
        where = f"{name} projects[{i}]"
        values = _mapping(item, where)
        needs = _mapping(values.pop("needs", None), f"{where} needs")
        decision = _mapping(values.pop("decision", None), f"{where} decision")
        stages = values.pop("stages", None) or []
        if not isinstance(stages, list):
            raise InvalidInput(f"{where} stages: expected a list")
        fields = ProjectInput.__dataclass_fields__
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise InvalidInput(f"{where}: unknown field {unknown[0]!r}")
        entry_p = ProjectInput(**{k: "" if v is None else str(v) for k, v in values.items()})
        try:
            add_project(session, actor, unit, entry_p)
            for dim, value in needs.items():
                if isinstance(value, dict):
                    terms = {str(k): str(v) for k, v in value.items()}
                    set_need(session, actor, unit, entry_p.code, dim, terms=terms)
                else:
                    set_need(session, actor, unit, entry_p.code, dim, amount=str(value))
            for stage in stages:
                if stage == Stage.APPROVED and decision:
                    _decide_from_file(session, actor, unit, entry_p.code, decision)
                    decision = {}
                set_stage(session, actor, unit, entry_p.code, str(stage), f"{name}")
            if decision:
                _decide_from_file(session, actor, unit, entry_p.code, decision)
        except InvalidInput as exc:
            raise InvalidInput(f"{where} {exc}") from None
        counts["projects"] += 1
    for i, item in enumerate(sections["movements"]):
        where = f"{name} movements[{i}]"
        values = _mapping(item, where)
        entry_m = MoveInput(
            move=_text(values, "move"),
            source=_text(values, "source"),
            dimension=_text(values, "dimension") or "carbon",
            amount=_text(values, "amount"),
            project=_text(values, "project"),
            origin=_text(values, "origin"),
            request=_text(values, "request"),
            memo=_text(values, "memo"),
        )
        try:
            _no_more(values, where)
            move(session, actor, unit, entry_m)
        except InvalidInput as exc:
            raise InvalidInput(f"{where} {exc}") from None
        counts["movements"] += 1
    return counts


def _decide_from_file(
    session: Session, actor: Actor, unit: m.DemoUnit, code: str, decision: dict[str, Any]
) -> None:
    ratios = {
        str(k): str(v) for k, v in _mapping(decision.get("ratios"), "decision ratios").items()
    }
    on = decision.get("on")
    decide(
        session,
        actor,
        unit,
        code,
        str(on) if on else None,
        ratios or None,
        str(decision.get("approval_doc") or ""),
    )


# --------------------------------------------------------------------------- report


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Any] | None:
    """The report's two-high section (the ledger as it stands; None when empty)."""
    from nearzero.reports.sections.twohigh import BalanceRow, TraceRow, TwoHighYear, twohigh_blocks
    from nearzero.twohigh.model import STAGE_ZH

    view = ledger_view(session, unit)
    names = {s.code: s.name for s in view.sources}
    traces = tuple(
        TraceRow(
            project_zh=p.row.name,
            firm_zh=p.row.firm_name,
            stage_zh=STAGE_ZH[Stage(p.row.stage)],
            dimension_zh=r.name_zh,
            new_amount=r.new_amount,
            entry_unit=r.entry_unit,
            ratio_text=f"1:{r.ratio.normalize():f}",
            ratio_document=r.ratio_document,
            to_confirm=r.ratio_status != "verified",
            required=r.required,
            substituted=r.substituted,
            unit=r.ledger_unit,
            sources_zh=tuple((names.get(s, s), a) for s, a in sorted(r.by_source.items())),
        )
        for p in view.projects
        for r in p.requirements
    )
    balance = tuple(
        BalanceRow(
            data.dimension(dim).name_zh,
            data.dimension(dim).ledger_unit,
            row["deposited"],
            row["banked"],
            row["reserved"],
            row["allocated"],
            row["retired"],
        )
        for dim, row in view.balance.items()
    )
    by_code = {p.row.code: p.row.name for p in view.projects}
    ind = view.indicator
    return twohigh_blocks(
        TwoHighYear(
            ind.counted,
            ind.substituted,
            ind.share,
            balance,
            traces,
            tuple(by_code.get(c, c) for c in ind.undecided),
        )
    )


def load_example(session: Session, actor: Actor, unit: m.DemoUnit) -> dict[str, int]:
    """The plan's case (华明水泥, 1:1.1, 2,531 t) with an illustrative source, for the demo."""
    from importlib import resources

    name = "zhangqiu_illustrative.yaml"
    text = resources.files("nearzero.data").joinpath("twohigh", "examples", name).read_text("utf-8")
    return load_file(session, actor, unit, text, name)
