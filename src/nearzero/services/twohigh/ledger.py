"""The indicator ledger's movements (deposit, reserve, allocate, release, retire) with the rules
beyond the ledger's own, what it holds read back (balances, each project's trace, each source's
lots), the reconciliation and indicator 4."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from nearzero.ledger import Entry, LedgerError
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound
from nearzero.services.twohigh.common import (
    ENTITY,
    SCHEMA,
    _decimal,
    _invalid,
    _require_office,
    today_cst,
)
from nearzero.services.twohigh.registry import (
    get_source,
    source_problems,
)
from nearzero.store import tables as m, twohigh as store
from nearzero.twohigh import bank, data, reconcile as rec, substitution as sub
from nearzero.twohigh.model import (
    GOING_AHEAD,
    Stage,
    TwoHighError,
)


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
    _require_office(actor, "move indicators in the ledger", "在台账中划转指标")
    try:
        kind = bank.Move(entry.move)
    except ValueError:
        raise InvalidInput(
            f"move: 操作“{entry.move}”应为{'、'.join(bank.Move)}之一 — "
            f"{entry.move!r} (expected one of {', '.join(bank.Move)})"
        ) from None
    source = get_source(session, unit, entry.source.strip())
    try:
        dim = data.dimension(entry.dimension)
    except TwoHighError as exc:
        raise _invalid(exc) from None
    amount_entry = _decimal(entry.amount, "amount", dim.entry_unit)
    if amount_entry <= 0:
        raise InvalidInput(
            f"amount: 数量{amount_entry}应大于0［{dim.entry_unit}］ — "
            f"{amount_entry} (expected > 0 [{dim.entry_unit}])"
        )
    exact = sub.to_ledger_units(amount_entry, dim, field="amount", up=False)
    if sub.from_ledger_units(exact, dim) != amount_entry:
        raise InvalidInput(
            f"amount: {amount_entry} {dim.entry_unit}不是{dim.ledger_unit}的整数倍 — "
            f"{amount_entry} {dim.entry_unit} is not a whole number of {dim.ledger_unit}"
        )
    token = entry.request.strip() or new_request_token()
    if not bank.CODE.fullmatch(token):
        raise InvalidInput("request: 请求令牌格式不正确 — the request token is malformed")
    project_code = entry.project.strip()
    project = None
    if project_code:
        project = store.project_for_update(session, unit.id, project_code)
        if project is None:
            raise NotFound(
                f"project: 没有“两高”项目“{project_code}” — no two-high project {project_code!r}"
            )
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
    name_en: str
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
    name_en: str
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
                name_en=dim.name_en,
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
                    dim.name_en,
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


# --------------------------------------------------------------------------- indicator 4

INDICATOR_4 = "4"
"""The plan's indicator 4, “两高”项目碳排放减量替代政策 (target: 100%执行减量替代)."""


def feed_indicator_4(session: Session, actor: Actor, unit: m.DemoUnit, year: int) -> bool:
    """Record indicator 4 for ``year`` from the ledger as the office's assessment (met when
    every new two-high project going ahead is substituted in full); computed, never typed.
    Refused when no project is going ahead (no data is not a result)."""
    from nearzero.indicators.choices import Status
    from nearzero.services.indicators import set_assessment

    _require_office(actor, "record indicator 4 from the ledger", "根据台账记录指标4")
    ind = ledger_view(session, unit).indicator
    if ind.share is None:
        raise InvalidInput(
            "year: 没有正在推进的新建“两高”项目，无可记录 — "
            "no new two-high project is going ahead; nothing to record"
        )
    evidence = (
        f"由碳排放指标台账计算：已批准、在建和投产的新建“两高”项目{ind.counted}个，"
        f"已按应替代量落实替代源{ind.substituted}个，执行比例{ind.share.normalize():f}%"
    )
    if ind.undecided:
        evidence += f"；尚未确定应替代量{len(ind.undecided)}个"
    status = Status.MET if ind.met else Status.NOT_MET
    set_assessment(session, actor, unit, INDICATOR_4, year, status, evidence)
    return bool(ind.met)
