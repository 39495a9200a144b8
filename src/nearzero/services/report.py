"""The annual evaluation report and the acceptance dossier of a unit for a year.

The plan (六（一）) has the working-group office evaluate the implementation every year and
report to the district government. :func:`build_report` assembles that report from every
capability: one provider per section returns its blocks (see :mod:`nearzero.reports.model`)
or ``None``, and a section with ``None`` says plainly “该部分尚无数据”.

Capabilities built elsewhere contribute without this module knowing their insides: a service
module ``nearzero.services.<name>`` (``inventory``, ``inclusion``, ``enterprises``,
``projects``) that defines ``report_blocks(session, unit, year) -> list[Block] | None`` fills
its section; a missing module or function means no data yet. Key projects are also read
through ``nearzero.services.projects.list_projects`` when that exists.

Sections 八 存在问题 and 九 下一年度工作安排 are written by the office (admins only) and
kept in ``report_section`` with every change in the audit log.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.formatting import fmt
from nearzero.indicators.choices import Attribute, Basis, Status, Trend
from nearzero.indicators.evaluation import Outcome
from nearzero.indicators.rules import RuleKind, TargetRule
from nearzero.reports.model import (
    NOT_WRITTEN_ZH,
    Block,
    BuiltFile,
    Cell,
    Figure,
    Heading,
    Paragraph,
    Progress,
    Report,
    Section,
    Table,
    no_progress,
)
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.indicators import (
    EvaluatedIndicator,
    UnitEvaluation,
    evaluate_unit,
    trend_data,
    values_on_record,
)
from nearzero.store import tables as m
from nearzero.store.base import utcnow

log = logging.getLogger(__name__)

REPORT_TITLE_ZH = "近零碳城市示范创建年度评估报告"
NUMERALS = "一二三四五六七八九十"
TREND_INDICATORS = ("1", "3")  # 二氧化碳排放总量, 单位地区生产总值二氧化碳排放
EDITABLE: dict[str, str] = {"problems": "存在问题", "next_year": "下一年度工作安排"}
MAX_SECTION_CHARS = 20_000


@dataclass
class ReportContext:
    """What every provider may read: the session, the unit, the year, its evaluation."""

    session: Session
    unit: m.DemoUnit
    year: int
    evaluation: UnitEvaluation
    progress: Progress = no_progress
    texts: dict[str, str] = field(default_factory=dict)


Provider = Callable[[ReportContext], list[Block] | None]


# --------------------------------------------------------------------------- formatting


def target_text(rule: TargetRule, outcome: Outcome) -> str:
    """The target as the plan prints it, with the number it resolves to where it is implicit."""
    shown_in_text = (RuleKind.AT_LEAST, RuleKind.ABOVE, RuleKind.AT_MOST, RuleKind.BELOW,
                     RuleKind.COUNT_AT_LEAST)  # fmt: skip
    target = outcome.target
    if target is None or rule.kind in shown_in_text:
        return rule.text_zh
    return f"{rule.text_zh}（{target.comparator.value}{fmt(target.value)}）"


def status_text(outcome: Outcome) -> str:
    suffix = "（评估）" if outcome.basis is Basis.ASSESSMENT else ""
    return outcome.status.label_zh + suffix


def gap_text(outcome: Outcome) -> str:
    """What is still to go: the gap in the indicator's unit and as a share of the target."""
    if outcome.parts and outcome.status is Status.NOT_MET:
        return outcome.note
    if outcome.gap is None or outcome.gap <= 0 or outcome.status is Status.MET:
        return ""
    pct = outcome.gap_pct
    return fmt(outcome.gap) + (f"（{pct:.1f}%）" if pct is not None else "")


def _name(e: EvaluatedIndicator) -> str:
    return f"第{e.view.spec.code}项“{e.view.spec.name_zh}”"


def _amount(value: float | None, e: EvaluatedIndicator, difference: bool = False) -> str:
    """A number with its unit; a difference of percentages is in 个百分点."""
    unit = e.view.spec.unit
    if difference and unit == "%":
        unit = "个百分点"
    return f"{fmt(value)}{unit if unit != '/' else ''}"


def _shortfall(e: EvaluatedIndicator) -> str:
    """（差距 0.0286吨/万元）, or the status when it is not a computed 未完成."""
    o = e.outcome
    if o.status is Status.NOT_MET and o.gap is not None and o.gap > 0:
        return f"（差距{_amount(o.gap, e, True)}）"
    if o.status is Status.NOT_MET:
        return ""
    return f"（{o.status.label_zh}）"


def _departments(e: EvaluatedIndicator) -> str:
    return "、".join(d.name_zh for d in e.view.departments)


def table_years(ctx: ReportContext) -> list[int]:
    """The value columns: the base year, every year on record up to the report year, the year."""
    years = {ctx.unit.base_year, ctx.year}
    for e in ctx.evaluation.indicators:
        years.update(y for y in e.view.value_years() if y <= ctx.year)
    return sorted(y for y in years if ctx.unit.base_year <= y <= ctx.year)


def _year_cell(e: EvaluatedIndicator, year: int, part: str = "") -> Cell:
    record = e.view.record
    values = record.part_values.get(part, {}) if part else record.values
    value = values.get(year)
    if value is not None:
        return Cell(fmt(value), num=True, value=value)
    return Cell(e.view.texts.get((part, year), ""))


# --------------------------------------------------------------------------- providers


def summary(ev: UnitEvaluation) -> list[str]:
    """一、总体情况 in sentences generated from the evaluation: the counts, readiness, what is
    most off track, what will not be met on the present trend, what is missing."""
    a, unit, year = ev.acceptance, ev.unit, ev.year
    out: list[str] = []
    counted = len(ev.indicators)
    out.append(
        f"{year}年，{unit.name_zh}近零碳城市示范创建{counted}项主要指标中，约束指标完成"
        f"{a.binding_met}/{a.binding_total}项，参考指标完成{a.reference_met}/{a.reference_total}项"
        f"（验收要求不少于{a.reference_required}项），特色指标完成{a.featured_met}/"
        f"{a.featured_total}项。"
    )
    if a.ready:
        verdict = "已具备验收条件。"
    else:
        short = []
        if a.binding_met < a.binding_total:
            short.append(f"约束指标{a.binding_total - a.binding_met}项")
        if a.reference_met < a.reference_required:
            short.append(f"参考指标{a.reference_required - a.reference_met}项")
        verdict = f"尚不具备验收条件，尚差{'、'.join(short)}。"
    out.append(
        "按照省级验收规则（约束指标全部完成，参考指标完成比例不低于70%），"
        f"{unit.name_zh}{year}年{verdict}"
    )
    not_met = [e for e in ev.indicators if e.outcome.status is Status.NOT_MET]
    worst = []
    for attribute in (Attribute.BINDING, Attribute.REFERENCE, Attribute.FEATURED):
        gapped = [
            e for e in not_met
            if e.view.spec.attribute is attribute and (e.outcome.gap_pct or 0) > 0
        ]  # fmt: skip
        if gapped:
            e = max(gapped, key=lambda e: e.outcome.gap_pct or 0)
            o = e.outcome
            worst.append(
                f"{attribute.label_zh}中为{_name(e)}（{year}年{_amount(o.value, e)}，"
                f"距目标尚差{_amount(o.gap, e, True)}，为目标值的{o.gap_pct:.1f}%）"
            )
    if worst:
        out.append("偏离目标最大的指标：" + "；".join(worst) + "。")
    off = [
        e for e in ev.indicators
        if e.outcome.projection is not None and e.outcome.projection.trend is Trend.OFF_TRACK
    ]  # fmt: skip
    if off:
        out.append(
            f"按{unit.base_year}年以来数据的线性趋势推算，至{unit.target_year}年仍难以达标的指标有"
            f"{len(off)}项："
            + "、".join(f"{e.view.spec.code}“{e.view.spec.name_zh}”" for e in off)
            + "。"
        )
    missing = sum(e.outcome.status is Status.NO_DATA for e in ev.indicators)
    pending = sum(e.outcome.status is Status.NEEDS_ASSESSMENT for e in ev.indicators)
    if missing or pending:
        out.append(f"另有{missing}项指标缺少{year}年数据，{pending}项指标有待专班办公室评估。")
    tasks = ev.task_targets
    if tasks:
        done = sum(t.outcome.status is Status.MET for t in tasks)
        nodata = sum(t.outcome.status is Status.NO_DATA for t in tasks)
        out.append(
            f"实施方案正文提出的{len(tasks)}项任务目标中，已完成{done}项，"
            f"未完成{sum(t.outcome.status is Status.NOT_MET for t in tasks)}项，"
            f"{nodata}项尚无数据。"
        )
    return out


def overview(ctx: ReportContext) -> list[Block]:
    """一、总体情况: the summary sentences and the met-by-category chart."""
    ev, year = ctx.evaluation, ctx.year
    out: list[Block] = [Paragraph(text) for text in summary(ev)]
    ctx.progress("绘制分类完成情况图", 0.3)
    from nearzero.reports.charts import category_chart

    names = [c.category.name_zh for c in ev.categories]
    png = category_chart(names, [c.met for c in ev.categories], [c.total for c in ev.categories])
    out.append(Figure(png, f"{year}年各类别指标完成情况"))
    return out


def indicator_table(ctx: ReportContext) -> Table:
    """The plan's 主要指标 table with the year's statuses and gaps."""
    years = table_years(ctx)
    target = f"{ctx.unit.target_year}年目标"
    headers = ("类别", "序号", "指标名称", "单位", *(f"{y}年" for y in years), target,
               "指标属性", "完成情况", "差距", "责任部门")  # fmt: skip
    rows: list[tuple[Cell, ...]] = []
    for e in ctx.evaluation.indicators:
        spec, o = e.view.spec, e.outcome
        attribute = spec.attribute.label_zh if spec.attribute else ""
        rows.append((
            Cell(e.view.row.category.name_zh), Cell(spec.code), Cell(spec.name_zh),
            Cell(spec.unit), *(_year_cell(e, y) for y in years),
            Cell(target_text(spec.rule, o)), Cell(attribute),
            Cell(status_text(o), status=o.status), Cell(gap_text(o), num=True),
            Cell(_departments(e)),
        ))  # fmt: skip
        for part, po in o.parts:
            rows.append((
                Cell(e.view.row.category.name_zh), Cell(""), Cell(f"其中：{part.name_zh}"),
                Cell(part.unit), *(_year_cell(e, y, part.code) for y in years),
                Cell(target_text(part.rule, po)), Cell(""),
                Cell(status_text(po), status=po.status), Cell(gap_text(po), num=True), Cell(""),
            ))  # fmt: skip
    widths = (4, 2.5, 12, 4.5, *(6.5 for _ in years), 11, 5, 5, 6, 11)
    return Table(headers, tuple(rows), f"{ctx.unit.name_zh}近零碳城市示范创建主要指标完成情况",
                 widths, group_first=True, wide=True)  # fmt: skip


def task_table(ctx: ReportContext) -> Table:
    headers = ("序号", "任务目标", "单位", f"{ctx.year}年", "目标", "完成情况", "差距", "出处",
               "责任部门")  # fmt: skip
    rows = tuple(
        (
            Cell(e.view.spec.code),
            Cell(e.view.spec.name_zh),
            Cell(e.view.spec.unit),
            _year_cell(e, ctx.year),
            Cell(target_text(e.view.spec.rule, e.outcome)),
            Cell(status_text(e.outcome), status=e.outcome.status),
            Cell(gap_text(e.outcome), num=True),
            Cell(e.view.row.task_ref_zh),
            Cell(_departments(e)),
        )  # fmt: skip
        for e in ctx.evaluation.task_targets
    )
    widths = (2.5, 14, 4, 6, 9, 4.5, 6, 6, 8)
    return Table(headers, rows, "实施方案提出的任务目标完成情况", widths, wide=True)


def indicators(ctx: ReportContext) -> list[Block]:
    """二、指标完成情况: the table in the plan's layout, task targets, trend charts."""
    ev = ctx.evaluation
    out: list[Block] = [
        Heading("（一）主要指标"),
        Paragraph(
            f"下表按实施方案主要指标表的格式列出各指标历年数值、{ctx.unit.target_year}年目标及"
            f"{ctx.year}年完成情况。完成情况由系统按目标规则根据数据计算；数据无法判定的定性指标"
            "采用专班办公室的评估结论（标注“评估”）。差距为距目标尚需改善的量及其占目标值的比例。"
        ),
        indicator_table(ctx),
    ]
    if ev.task_targets:
        out += [Heading("（二）任务目标"), task_table(ctx)]
    by_code = {e.view.spec.code: e for e in ev.indicators}
    charts = [by_code[c] for c in TREND_INDICATORS if c in by_code]
    if charts:
        out.append(Heading(f"（{'三' if ev.task_targets else '二'}）重点指标趋势"))
    from nearzero.reports.charts import trend_chart

    for n, e in enumerate(charts, start=2):
        ctx.progress(f"绘制指标{e.view.spec.code}趋势图", 0.3 + 0.2 * n)
        data = trend_data(e.view, e.outcome, "zh")
        if data is None:
            continue
        title = f"{e.view.spec.name_zh}（{e.view.spec.unit}）"
        png = trend_chart(data, title)
        out.append(
            Figure(png, f"图{n}  {e.view.spec.name_zh}历年数值与{ctx.unit.target_year}年目标")
        )
    return out


def _count(n: int) -> Cell:
    return Cell(str(n), num=True, value=n)


def acceptance_section(ctx: ReportContext) -> list[Block]:
    """三、验收条件: the provincial rule applied, with the counts."""
    a = ctx.evaluation.acceptance
    yes_no = {True: "满足", False: "不满足"}
    rows = (
        (Cell("约束指标"), _count(a.binding_total), _count(a.binding_met),
         Cell(f"全部完成（{a.binding_total}项）"),
         Cell(yes_no[a.binding_met == a.binding_total],
              status=Status.MET if a.binding_met == a.binding_total else Status.NOT_MET)),
        (Cell("参考指标"), _count(a.reference_total),
         _count(a.reference_met), Cell(f"不少于70%（{a.reference_required}项）"),
         Cell(yes_no[a.reference_met >= a.reference_required],
              status=Status.MET if a.reference_met >= a.reference_required else Status.NOT_MET)),
        (Cell("特色指标"), _count(a.featured_total),
         _count(a.featured_met), Cell("—"), Cell("—")),
    )  # fmt: skip
    out: list[Block] = [
        Paragraph(
            "依据《山东省近零碳城市、近零碳园区、近零碳社区示范创建实施方案》（鲁环发〔2023〕16号），"
            "示范单位约束指标全部完成、参考指标完成比例不低于70%的，具备验收条件。"
        ),
        Table(
            ("指标属性", "指标数", "已完成", "验收要求", "是否满足"),
            rows,
            f"{ctx.year}年验收条件对照",
            (5, 3, 3, 7, 4),
        ),  # fmt: skip
        Paragraph(f"结论：{ctx.year}年" + ("具备验收条件。" if a.ready else "尚不具备验收条件。")),
    ]
    for attribute in (Attribute.BINDING, Attribute.REFERENCE):
        left = [
            e for e in ctx.evaluation.indicators
            if e.view.spec.attribute is attribute and e.outcome.status is not Status.MET
        ]  # fmt: skip
        if left:
            items = "；".join(_name(e) + _shortfall(e) for e in left)
            out.append(Paragraph(f"尚未完成的{attribute.label_zh}{len(left)}项：{items}。"))
    return out


def _service(name: str) -> ModuleType | None:
    """``nearzero.services.<name>`` when that capability exists in this installation."""
    try:
        return importlib.import_module(f"nearzero.services.{name}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"nearzero.services.{name}",):
            return None
        raise


def contributed(name: str) -> Provider:
    """A provider asking ``nearzero.services.<name>.report_blocks`` for its section."""

    def provide(ctx: ReportContext) -> list[Block] | None:
        module = _service(name)
        blocks = getattr(module, "report_blocks", None) if module else None
        if blocks is None:
            return None
        result: list[Block] | None = blocks(ctx.session, ctx.unit, ctx.year)
        return result

    provide.__doc__ = f"The section nearzero.services.{name} contributes, or None."
    return provide


def editable(key: str) -> Provider:
    def provide(ctx: ReportContext) -> list[Block]:
        body = ctx.texts.get(key, "").strip()
        if not body:
            return [Paragraph(NOT_WRITTEN_ZH)]
        return [Paragraph(line.strip()) for line in body.splitlines() if line.strip()]

    return provide


CONTRIBUTED = frozenset({"inventory", "inclusion", "enterprises", "projects"})
SECTIONS: tuple[tuple[str, str, Provider], ...] = (
    ("overview", "总体情况", overview),
    ("indicators", "指标完成情况", indicators),
    ("acceptance", "验收条件", acceptance_section),
    ("inventory", "温室气体清单", contributed("inventory")),
    ("inclusion", "碳普惠", contributed("inclusion.office")),
    ("enterprises", "企业与“两高”项目", contributed("enterprises")),
    ("projects", "重点工程进展", contributed("projects")),
    ("problems", EDITABLE["problems"], editable("problems")),
    ("next_year", EDITABLE["next_year"], editable("next_year")),
)


def report_context(
    session: Session, unit: m.DemoUnit, year: int, progress: Progress = no_progress
) -> ReportContext:
    """Evaluate ``year`` once and read the office's texts: what every provider needs."""
    progress("汇总指标评估结果", 0.05)
    ctx = ReportContext(session, unit, year, evaluate_unit(session, unit, year), progress)
    ctx.texts = {key: s.body for key, s in get_sections(session, unit, year).items() if s}
    return ctx


def build_report(
    session: Session,
    unit: m.DemoUnit,
    year: int,
    progress: Progress = no_progress,
    today: dt.date | None = None,
) -> Report:
    """Assemble the report of ``unit`` for ``year`` from every section provider."""
    return assemble(report_context(session, unit, year, progress), today)


def _guarded(ctx: ReportContext, key: str, provide: Provider) -> list[Block] | None:
    """Another capability's section, in a savepoint; if it fails the report says so."""
    try:
        # a failed statement must not abort the report's transaction (PostgreSQL)
        with ctx.session.begin_nested():
            return provide(ctx)
    except Exception as exc:
        log.exception("report section %s of %s/%s failed", key, ctx.unit.code, ctx.year)
        return [Paragraph(f"该部分数据暂时无法生成（{type(exc).__name__}），请联系系统管理员。")]


def assemble(ctx: ReportContext, today: dt.date | None = None) -> Report:
    """The report from a prepared context: one section per provider, in the plan's order."""
    unit, year, progress = ctx.unit, ctx.year, ctx.progress
    sections = []
    for n, (key, title, provide) in enumerate(SECTIONS):
        blocks = _guarded(ctx, key, provide) if key in CONTRIBUTED else provide(ctx)
        sections.append(Section(key, f"{NUMERALS[n]}、{title}", blocks or [], key in EDITABLE))
    plan = unit.plan_title_zh + (f"（{unit.plan_document_no}）" if unit.plan_document_no else "")
    progress("报告内容已汇总", 1.0)
    return Report(
        unit_code=unit.code, unit_name=unit.name_zh, year=year, title=REPORT_TITLE_ZH,
        office=unit.office_zh or f"{unit.name_zh}近零碳城市示范创建工作专班办公室",
        date=today or dt.date.today(), plan=plan, sections=sections,
    )  # fmt: skip


# --------------------------------------------------------------------------- editable sections


def get_sections(
    session: Session, unit: m.DemoUnit, year: int
) -> dict[str, m.ReportSection | None]:
    """The office's texts for ``year`` by key (None where nothing is written yet)."""
    rows = session.scalars(
        select(m.ReportSection).where(
            m.ReportSection.unit_id == unit.id, m.ReportSection.year == year
        )
    )
    found = {r.key: r for r in rows}
    return {key: found.get(key) for key in EDITABLE}


def set_section(
    session: Session, actor: Actor, unit: m.DemoUnit, year: int, key: str, body: str
) -> m.ReportSection:
    """The office writes 存在问题 or 下一年度工作安排; the change lands in the audit log."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            "only the working-group office edits the report (报告仅限专班办公室编辑)"
        )
    if key not in EDITABLE:
        raise InvalidInput(f"key: expected one of {', '.join(EDITABLE)}, got {key!r}")
    if not unit.base_year <= year <= unit.target_year + 10:
        raise InvalidInput(f"year: expected {unit.base_year}–{unit.target_year + 10}, got {year}")
    body = body.replace("\r\n", "\n").strip()
    if len(body) > MAX_SECTION_CHARS:
        raise InvalidInput(f"body: at most {MAX_SECTION_CHARS} characters, got {len(body)}")
    row = get_sections(session, unit, year)[key]
    old = {"body": row.body} if row else None
    if row is None:
        row = m.ReportSection(unit_id=unit.id, year=year, key=key)
        session.add(row)
    row.body, row.updated_by, row.updated_at = body, actor.username, utcnow()
    session.flush()
    audit.record(
        session, actor, "report_section.set", "report_section", f"{year}/{key}", old,
        {"body": body}, unit.code,
    )  # fmt: skip
    return row


# --------------------------------------------------------------------------- dossier


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file of a key project, where its content should be, and its place in the zip."""

    project_number: int
    project_name: str
    filename: str
    sha256: str
    size: int
    path: Path


def evidence_files(session: Session, unit: m.DemoUnit, store: Path) -> list[EvidenceFile]:
    """Every key-project evidence file of ``unit``; content is at ``store/<sha256>``."""
    query = (
        select(m.ProjectEvidence, m.KeyProject)
        .join(m.KeyProject, m.ProjectEvidence.project_id == m.KeyProject.id)
        .where(m.KeyProject.unit_id == unit.id)
        .order_by(m.KeyProject.number, m.ProjectEvidence.id)
    )
    return [
        EvidenceFile(p.number, p.name_zh, e.filename, e.sha256, e.size, store / e.sha256)
        for e, p in session.execute(query)
    ]


def workbook_tables(ctx: ReportContext) -> list[tuple[str, Table]]:
    """The dossier's indicator workbook: per indicator its values per year, target, status,
    basis, and the evidence or assessment behind it; the task targets; the acceptance counts."""
    years = table_years(ctx)
    stored = values_on_record(ctx.session, ctx.unit)
    basis_zh = {Basis.COMPUTED: "数据计算", Basis.ASSESSMENT: "办公室评估", Basis.NONE: "—"}

    def sources(code: str, part: str) -> str:
        out = []
        for y in years:
            v = stored.get((code, part, y))
            if v is not None and (v.source or v.evidence):
                out.append(f"{y}年：" + "；".join(s for s in (v.source, v.evidence) if s))
        return "\n".join(out)

    def row(e: EvaluatedIndicator, o: Outcome, part: str = "", name: str = "",
            rule: TargetRule | None = None) -> tuple[Cell, ...]:  # fmt: skip
        spec = e.view.spec
        assessment = e.view.record.assessments.get(ctx.year)
        target = o.target
        return (
            Cell(e.view.row.category.name_zh), Cell(spec.code), Cell(name or spec.name_zh),
            Cell(spec.parts[[p.code for p in spec.parts].index(part)].unit if part else spec.unit),
            *(_year_cell(e, y, part) for y in years),
            Cell(target_text(rule or spec.rule, o)),
            Cell(target.comparator.value if target else ""),
            Cell(fmt(target.value) if target else "", num=True,
                 value=target.value if target else None),
            Cell(spec.attribute.label_zh if spec.attribute else "任务目标"),
            Cell(o.status.label_zh, status=o.status), Cell(basis_zh[o.basis]),
            Cell(fmt(o.gap) if o.gap is not None else "", num=True, value=o.gap),
            Cell(o.projection.trend.label_zh if o.projection else ""),
            Cell(assessment.evidence if assessment and not part else ""),
            Cell(sources(spec.code, part)), Cell(_departments(e)),
        )  # fmt: skip

    headers = ("类别", "序号", "指标名称", "单位", *(f"{y}年" for y in years), "目标",
               "比较", "目标值", "指标属性", "完成情况", "判定依据", "差距", "趋势预测",
               "办公室评估与佐证", "数据来源与佐证材料", "责任部门")  # fmt: skip
    widths = (10, 6, 32, 10, *(14 for _ in years), 28, 6, 14, 10, 10, 10, 12, 10, 40, 40, 24)

    def sheet(items: Sequence[EvaluatedIndicator]) -> tuple[tuple[Cell, ...], ...]:
        rows = []
        for e in items:
            rows.append(row(e, e.outcome))
            for part, po in e.outcome.parts:
                rows.append(row(e, po, part.code, f"其中：{part.name_zh}", part.rule))
        return tuple(rows)

    ev = ctx.evaluation
    sheets = [("主要指标", Table(headers, sheet(ev.indicators), widths=widths))]
    if ev.task_targets:
        sheets.append(("任务目标", Table(headers, sheet(ev.task_targets), widths=widths)))
    accept = next(b for b in acceptance_section(ctx) if isinstance(b, Table))
    sheets.append(("验收条件", accept))
    return sheets


# --------------------------------------------------------------------------- files

DEFAULT_EVIDENCE_STORE = Path("var/evidence")
FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("pdf", "application/pdf"),
    "dossier": ("zip", "application/zip"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stage(progress: Progress, start: float, end: float) -> Progress:
    """``progress`` for one stage of a longer build: its 0–1 mapped onto start–end."""

    def report(step: str, fraction: float) -> None:
        progress(step, start + (end - start) * min(max(fraction, 0.0), 1.0))

    return report


def _safe(name: str) -> str:
    """A file or folder name that can sit inside the zip (no separators, no dot-dot)."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|\0' else ch for ch in name).strip(" .")
    return cleaned or "unnamed"


def build_file(
    session: Session,
    unit: m.DemoUnit,
    year: int,
    kind: str,
    progress: Progress = no_progress,
    evidence_store: Path = DEFAULT_EVIDENCE_STORE,
) -> BuiltFile:
    """The report as ``docx`` or ``pdf``, or the acceptance ``dossier`` (zip)."""
    progress("准备排版组件", 0.0)  # the first import of WeasyPrint and matplotlib takes seconds
    from nearzero.reports.pdf import build_pdf
    from nearzero.reports.word import build_docx

    if kind not in FORMATS:
        raise InvalidInput(f"format: expected one of {', '.join(FORMATS)}, got {kind!r}")
    if kind == "dossier":
        return build_dossier_file(session, unit, year, progress, evidence_store)
    suffix, media_type = FORMATS[kind]
    split = 0.5 if kind == "docx" else 0.35
    report = build_report(session, unit, year, stage(progress, 0, split))
    builder = build_docx if kind == "docx" else build_pdf
    data = builder(report, stage(progress, split, 1.0))
    progress("完成", 1.0)
    return BuiltFile(f"{report.stem}.{suffix}", media_type, data)


def build_dossier_file(
    session: Session,
    unit: m.DemoUnit,
    year: int,
    progress: Progress = no_progress,
    evidence_store: Path = DEFAULT_EVIDENCE_STORE,
) -> BuiltFile:
    """The acceptance dossier: workbook, report (docx and pdf), evidence files, manifest."""
    from nearzero.reports.dossier import Entry, Missing, build_dossier, sha256
    from nearzero.reports.pdf import build_pdf
    from nearzero.reports.word import build_docx
    from nearzero.reports.workbook import build_workbook

    ctx = report_context(session, unit, year, stage(progress, 0, 0.3))
    report = assemble(ctx)
    docx = build_docx(report, stage(progress, 0.3, 0.45))
    pdf = build_pdf(report, stage(progress, 0.45, 0.8))
    progress("指标台账（Excel）", 0.82)
    xlsx = build_workbook(workbook_tables(ctx), f"{unit.name_zh}{year}年指标完成情况")
    entries = [
        Entry(
            f"{year}年指标完成情况.xlsx", "指标台账：历年数值、目标、完成情况、判定依据与佐证", xlsx
        ),
        Entry(f"{report.stem}.docx", "年度评估报告（Word）", docx),
        Entry(f"{report.stem}.pdf", "年度评估报告（PDF）", pdf),
    ]
    missing = []
    files = evidence_files(session, unit, evidence_store)
    used: set[str] = set()
    for n, f in enumerate(files, start=1):
        progress(f"佐证材料 {n}/{len(files)}", 0.85 + 0.1 * n / len(files))
        folder = f"佐证材料/{f.project_number:02d}_{_safe(f.project_name)}"
        path = f"{folder}/{_safe(f.filename)}"
        if path in used:
            path = f"{folder}/{f.sha256[:8]}_{_safe(f.filename)}"
        used.add(path)
        description = f"重点工程{f.project_number}“{f.project_name}”佐证材料"
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            missing.append(Missing(path, description, f.sha256, f"文件缺失：{exc.strerror}"))
            continue
        if sha256(data) != f.sha256:
            missing.append(Missing(path, description, f.sha256, "文件内容与登记的SHA-256不符"))
            continue
        entries.append(Entry(path, description, data))
    progress("打包", 0.97)
    title = f"{unit.name_zh}近零碳城市示范创建验收材料（{year}年度）"
    data = build_dossier(title, entries, missing)
    progress("完成", 1.0)
    return BuiltFile(f"{unit.name_zh}_{year}年度验收材料.zip", "application/zip", data)
