"""The ledger as a workbook (export) and the ledger file (load: docs/twohigh.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.twohigh.common import ENTITY
from nearzero.services.twohigh.ledger import (
    MoveInput,
    ledger_view,
    move,
)
from nearzero.services.twohigh.registry import (
    ProjectInput,
    SourceInput,
    add_project,
    add_ratio,
    add_source,
    decide,
    set_need,
    set_stage,
    verify_source,
)
from nearzero.store import tables as m, twohigh as store
from nearzero.twohigh import bank, data
from nearzero.twohigh.model import (
    Mechanism,
    Stage,
)


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
        raise InvalidInput(f"{where}: 应为键值映射 — expected a mapping")
    return {str(k): v for k, v in value.items()}


def _text(values: dict[str, Any], key: str) -> str:
    value = values.pop(key, "")
    return "" if value is None else str(value)


def _no_more(values: dict[str, Any], where: str) -> None:
    if values:
        raise InvalidInput(
            f"{where}: 未知字段“{sorted(values)[0]}” — unknown field {sorted(values)[0]!r}"
        )


Locate = Callable[..., str]
"""Where entry ``i`` of a section (``ratios``, ``sources``, ``projects``, ``movements``), or a
part of it (``needs carbon``), came from, as a refusal names it: ``case.yaml projects[2] needs
carbon``, or a workbook's sheet and row: ``locate(section, i, part="")``."""


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
        raise InvalidInput(f"{name}: 不是有效的YAML文件 — not YAML ({exc})") from None
    top = _mapping(doc, name)

    def locate(section: str, i: int, part: str = "") -> str:
        return f"{name} {section}[{i}]" + (f" {part}" if part else "")

    return apply_ledger(session, actor, unit, top, locate, name)


def apply_ledger(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    top: dict[str, Any],
    locate: Locate,
    name: str,
) -> dict[str, int]:
    """Apply a ledger file's sections (:func:`load_file`; a workbook's, :mod:`.workbook`) in
    order; a refusal names the entry by ``locate``. Each entry is audited as it is written,
    and the load as a whole (``twohigh.load``: the file's name and the counts). Counts per
    section."""
    counts = {"ratios": 0, "sources": 0, "projects": 0, "movements": 0}
    sections = {k: top.pop(k, None) or [] for k in counts}
    _no_more(top, name)
    for key, items in sections.items():
        if not isinstance(items, list):
            raise InvalidInput(f"{name} {key}: 应为列表 — expected a list")
    for i, item in enumerate(sections["ratios"]):
        values = _mapping(item, locate("ratios", i))
        try:
            add_ratio(
                session, actor, unit, {k: "" if v is None else str(v) for k, v in values.items()}
            )
        except InvalidInput as exc:
            raise InvalidInput(f"{locate('ratios', i)} {exc}") from None
        counts["ratios"] += 1
    for i, item in enumerate(sections["sources"]):
        where = locate("sources", i)
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
        where = locate("projects", i)
        values = _mapping(item, where)
        needs = _mapping(values.pop("needs", None), f"{where} needs")
        decision = _mapping(values.pop("decision", None), f"{where} decision")
        stages = values.pop("stages", None) or []
        if not isinstance(stages, list):
            raise InvalidInput(f"{where} stages: 应为列表 — expected a list")
        fields = ProjectInput.__dataclass_fields__
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise InvalidInput(f"{where}: 未知字段“{unknown[0]}” — unknown field {unknown[0]!r}")
        entry_p = ProjectInput(**{k: "" if v is None else str(v) for k, v in values.items()})
        at = where  # the part being applied, as a refusal names it
        try:
            add_project(session, actor, unit, entry_p)
            for dim, value in needs.items():
                at = locate("projects", i, f"needs {dim}")
                if isinstance(value, dict):
                    terms = {str(k): str(v) for k, v in value.items()}
                    set_need(session, actor, unit, entry_p.code, dim, terms=terms)
                else:
                    set_need(session, actor, unit, entry_p.code, dim, amount=str(value))
            at = where
            for stage in stages:
                if stage == Stage.APPROVED and decision:
                    _decide_from_file(session, actor, unit, entry_p.code, decision)
                    decision = {}
                set_stage(session, actor, unit, entry_p.code, str(stage), f"{name}")
            if decision:
                _decide_from_file(session, actor, unit, entry_p.code, decision)
        except InvalidInput as exc:
            raise InvalidInput(f"{at} {exc}") from None
        counts["projects"] += 1
    for i, item in enumerate(sections["movements"]):
        where = locate("movements", i)
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
    new = {"file": name, **counts}
    audit.record(session, actor, "twohigh.load", ENTITY, f"file/{name}", None, new, unit.code)
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


def load_example(session: Session, actor: Actor, unit: m.DemoUnit) -> dict[str, int]:
    """The plan's case (华明水泥, 1:1.1, 2,531 t) with an illustrative source, for the demo."""
    from importlib import resources

    name = "zhangqiu_illustrative.yaml"
    text = resources.files("nearzero.data").joinpath("twohigh", "examples", name).read_text("utf-8")
    return load_file(session, actor, unit, text, name)
