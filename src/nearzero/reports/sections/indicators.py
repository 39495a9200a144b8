"""Sections 一 总体情况, 二 指标完成情况 and 三 验收条件, and the dossier's indicator workbook,
written from the year's evaluation as plain data (:class:`Evaluation`).

:mod:`nearzero.services.report` gathers the evaluation (indicator values, targets, the
office's assessments, statuses by :mod:`nearzero.indicators.evaluation`); this module only
words and tabulates it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nearzero.formatting import fmt, unit_en
from nearzero.indicators.choices import Attribute, Basis, Status, Trend
from nearzero.indicators.evaluation import Acceptance, IndicatorSpec, Outcome, Record
from nearzero.indicators.rules import RuleKind, TargetRule
from nearzero.reports.model import (
    Block,
    Cell,
    Figure,
    Heading,
    Paragraph,
    Progress,
    Table,
    no_progress,
)
from nearzero.reports.offload import category_chart, trend_chart

#: The indicators whose trend is charted in 二: 二氧化碳排放总量, 单位地区生产总值二氧化碳排放.
TREND_INDICATORS = ("1", "3")


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator (or a task target of the plan's text) as the report prints it.

    texts : what is on record as text, by ``(part code, year)`` (``""`` for the indicator).
    trend : its chart data (values by year, target line, projection), None when nothing
        numeric is on record.
    """

    spec: IndicatorSpec
    record: Record
    outcome: Outcome
    category_zh: str
    departments_zh: str
    texts: Mapping[tuple[str, int], str] = field(default_factory=dict)
    task_ref_zh: str = ""
    trend: Mapping[str, Any] | None = None

    def value_years(self) -> list[int]:
        """Years with a value or a text on record."""
        years = set(self.record.values) | {y for vs in self.record.part_values.values() for y in vs}
        return sorted(years | {y for (_, y) in self.texts})


@dataclass(frozen=True)
class CategoryCount:
    """Indicators met in a category of the plan's table."""

    name_zh: str
    met: int
    total: int
    no_data: int = 0  # without data in the year: shown apart from not met


@dataclass(frozen=True)
class Evaluation:
    """A unit's year as the report reads it: every indicator and task target with its
    outcome, the provincial acceptance counts, the counts by category."""

    unit_name_zh: str
    base_year: int
    target_year: int
    year: int
    indicators: tuple[IndicatorLine, ...]
    task_targets: tuple[IndicatorLine, ...]
    acceptance: Acceptance
    categories: tuple[CategoryCount, ...]


# --------------------------------------------------------------------------- wording


def target_text(rule: TargetRule, outcome: Outcome) -> str:
    """The target as the plan prints it, with the number it resolves to where it is implicit."""
    shown_in_text = (
        RuleKind.AT_LEAST,
        RuleKind.ABOVE,
        RuleKind.AT_MOST,
        RuleKind.BELOW,
        RuleKind.COUNT_AT_LEAST,
    )
    target = outcome.target
    if target is None or rule.kind in shown_in_text:
        return rule.text_zh
    return f"{rule.text_zh}（{target.comparator.value}{fmt(target.value)}）"


def status_text(outcome: Outcome) -> str:
    """完成 / 未完成 / …, marked （评估） when the office's assessment decided it."""
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


def _name(e: IndicatorLine) -> str:
    return f"第{e.spec.code}项“{e.spec.name_zh}”"


def _amount(value: float | None, e: IndicatorLine, difference: bool = False) -> str:
    """A number with its unit; a difference of percentages is in 个百分点."""
    unit = e.spec.unit
    if difference and unit == "%":
        unit = "个百分点"
    return f"{fmt(value)}{unit if unit != '/' else ''}"


def _shortfall(e: IndicatorLine) -> str:
    """（差距 0.0286吨/万元）, or the status when it is not a computed 未完成."""
    o = e.outcome
    if o.status is Status.NOT_MET and o.gap is not None and o.gap > 0:
        return f"（差距{_amount(o.gap, e, True)}）"
    if o.status is Status.NOT_MET:
        return ""
    return f"（{o.status.label_zh}）"


def table_years(ev: Evaluation) -> list[int]:
    """The value columns: the base year, every year on record up to the report year, the year."""
    years = {ev.base_year, ev.year}
    for e in ev.indicators:
        years.update(y for y in e.value_years() if y <= ev.year)
    return sorted(y for y in years if ev.base_year <= y <= ev.year)


def _year_cell(e: IndicatorLine, year: int, part: str = "") -> Cell:
    values = e.record.part_values.get(part, {}) if part else e.record.values
    value = values.get(year)
    if value is not None:
        return Cell(fmt(value), num=True, value=value)
    return Cell(e.texts.get((part, year), ""))


# --------------------------------------------------------------------------- 一、总体情况


def _verdict(ev: Evaluation) -> str:
    a = ev.acceptance
    if a.ready:
        return "已具备验收条件。"
    short = []
    if a.binding_met < a.binding_total:
        short.append(f"约束指标{a.binding_total - a.binding_met}项")
    if a.reference_met < a.reference_required:
        short.append(f"参考指标{a.reference_required - a.reference_met}项")
    text = f"尚不具备验收条件，尚差{'、'.join(short)}。"
    if a.binding_no_data:  # missing is not failing, but acceptance counts it as not met
        text += f"其中{a.binding_no_data}项约束指标无{ev.year}年数据，验收时按未完成计。"
    return text


def _worst(ev: Evaluation) -> list[str]:
    """Per attribute, the not-met indicator furthest from its target (as a share of it)."""
    out = []
    for attribute in (Attribute.BINDING, Attribute.REFERENCE, Attribute.FEATURED):
        gapped = [
            e
            for e in ev.indicators
            if e.outcome.status is Status.NOT_MET
            and e.spec.attribute is attribute
            and (e.outcome.gap_pct or 0) > 0
        ]
        if gapped:
            e = max(gapped, key=lambda e: e.outcome.gap_pct or 0)
            o = e.outcome
            out.append(
                f"{attribute.label_zh}中为{_name(e)}（{ev.year}年{_amount(o.value, e)}，"
                f"{gap_meaning(e)}）"
            )
    return out


_BASE_AIMS = {
    RuleKind.LOWER_THAN_BASE: "低于{base}年",
    RuleKind.HIGHER_THAN_BASE: "高于{base}年",
    RuleKind.NO_GROWTH: "不高于{base}年",
    RuleKind.REDUCE_BY_PCT: "较{base}年下降{pct}%",
    RuleKind.INCREASE_BY_PCT: "较{base}年上升{pct}%",
}


def gap_meaning(e: IndicatorLine) -> str:
    """What a not-met indicator's gap means, in words that fit its kind of target.

    - a change against the base year (下降20.5%, 零增长 …): how far the value has moved since
      the base year, the change the target asks for, and what is still to go;
    - a ceiling (≤, <): how far the value is above the target, in the unit and as a share of
      the target value (超出目标值3.9%);
    - a floor (≥, >), a share or an amount: what is still to go and how much of the target the
      value reaches (完成目标值的80.0%), never the gap alone as a bare percentage, which reads
      as an achievement rate.

    Empty when the outcome has no positive gap (met, no data, assessed).
    """
    o, spec = e.outcome, e.spec
    if o.value is None or o.target is None or o.gap is None or o.gap <= 0:
        return ""
    rule, gap = spec.rule, _amount(o.gap, e, True)
    aim = _BASE_AIMS.get(rule.kind)
    base = e.record.values.get(spec.base_year)
    if aim is not None and base:
        change = 100 * (o.value - base) / abs(base)
        moved = f"较{spec.base_year}年{'下降' if change < 0 else '上升'}{abs(change):.1f}%"
        wanted = aim.format(base=spec.base_year, pct=fmt(rule.pct))
        return f"{moved}，目标为{wanted}，距目标尚差{gap}"
    target = f"{o.target.comparator.value}{_amount(o.target.value, e)}"
    if o.target.comparator.lower_is_better:
        over = f"，超出目标值的{o.gap_pct:.1f}%" if o.gap_pct is not None else ""
        return f"高于目标（{target}）{gap}{over}"
    reached = f"，完成目标值的{100 * o.value / o.target.value:.1f}%" if o.target.value > 0 else ""
    return f"距目标（{target}）尚差{gap}{reached}"


def summary(ev: Evaluation) -> list[str]:
    """一、总体情况 in sentences: the counts, readiness, what is most off track, what will not
    be met on the present trend, what is missing."""
    a, year = ev.acceptance, ev.year
    out = [
        f"{year}年，{ev.unit_name_zh}近零碳城市示范创建{len(ev.indicators)}项主要指标中，"
        f"约束指标完成{a.binding_met}/{a.binding_total}项，参考指标完成"
        f"{a.reference_met}/{a.reference_total}项（验收要求不少于{a.reference_required}项），"
        f"特色指标完成{a.featured_met}/{a.featured_total}项。",
        "按照省级验收规则（约束指标全部完成，参考指标完成比例不低于70%），"
        f"{ev.unit_name_zh}{year}年{_verdict(ev)}",
    ]
    worst = _worst(ev)
    if worst:
        out.append("偏离目标最大的指标：" + "；".join(worst) + "。")
    off = [
        e
        for e in ev.indicators
        if e.outcome.projection is not None and e.outcome.projection.trend is Trend.OFF_TRACK
    ]
    if off:
        out.append(
            f"按{ev.base_year}年以来数据的线性趋势推算，至{ev.target_year}年仍难以达标的指标有"
            f"{len(off)}项：" + "、".join(f"{e.spec.code}“{e.spec.name_zh}”" for e in off) + "。"
        )
    missing = sum(e.outcome.status is Status.NO_DATA for e in ev.indicators)
    pending = sum(e.outcome.status is Status.NEEDS_ASSESSMENT for e in ev.indicators)
    if missing or pending:
        out.append(f"另有{missing}项指标缺少{year}年数据，{pending}项指标有待专班办公室评估。")
    tasks = ev.task_targets
    if tasks:
        done = sum(t.outcome.status is Status.MET for t in tasks)
        not_met = sum(t.outcome.status is Status.NOT_MET for t in tasks)
        nodata = sum(t.outcome.status is Status.NO_DATA for t in tasks)
        out.append(
            f"实施方案正文提出的{len(tasks)}项任务目标中，已完成{done}项，"
            f"未完成{not_met}项，{nodata}项尚无数据。"
        )
    return out


def _gap_en(e: IndicatorLine) -> str:
    """:func:`gap_meaning` in English."""
    o, spec = e.outcome, e.spec
    if o.value is None or o.target is None or o.gap is None or o.gap <= 0:
        return ""
    unit = "percentage points" if spec.unit == "%" else unit_en(spec.unit)
    gap = f"{fmt(o.gap)} {unit}".strip()
    base = e.record.values.get(spec.base_year)
    if spec.rule.kind in _BASE_AIMS and base:
        change = 100 * (o.value - base) / abs(base)
        moved = f"{'down' if change < 0 else 'up'} {abs(change):.1f}% on {spec.base_year}"
        return f"{moved}; {gap} short of the target ({spec.rule.kind.value.replace('_', ' ')})"
    target = f"{o.target.comparator.value} {fmt(o.target.value)} {unit_en(spec.unit)}".strip()
    if o.target.comparator.lower_is_better:
        over = f", {o.gap_pct:.1f}% over the target value" if o.gap_pct is not None else ""
        return f"{gap} above the target ({target}){over}"
    reached = f", {100 * o.value / o.target.value:.1f}% of the target reached"
    return f"{gap} short of the target ({target})" + (reached if o.target.value > 0 else "")


def summary_en(ev: Evaluation, names_en: Mapping[str, str] | None = None) -> list[str]:
    """:func:`summary` in English, for the English report page (``names_en``: indicator
    names in English by code; the Chinese name where one is missing)."""
    names = names_en or {}

    def name(e: IndicatorLine) -> str:
        return f"no. {e.spec.code} “{names.get(e.spec.code) or e.spec.name_en or e.spec.name_zh}”"

    a, year = ev.acceptance, ev.year
    out = [
        f"In {year}, of the {len(ev.indicators)} main indicators: binding {a.binding_met}/"
        f"{a.binding_total} met, reference {a.reference_met}/{a.reference_total} met "
        f"(at least {a.reference_required} required), featured {a.featured_met}/"
        f"{a.featured_total} met.",
    ]
    if a.ready:
        out.append(f"Under the provincial rule, {year} meets the conditions for acceptance.")
    else:
        short = []
        if a.binding_met < a.binding_total:
            short.append(f"{a.binding_total - a.binding_met} binding")
        if a.reference_met < a.reference_required:
            short.append(f"{a.reference_required - a.reference_met} reference")
        out.append(
            f"Under the provincial rule (all binding indicators and at least 70% of the "
            f"reference indicators met), {year} is not yet ready: {' and '.join(short)} "
            "indicator(s) short."
        )
    worst = []
    for attribute in (Attribute.BINDING, Attribute.REFERENCE, Attribute.FEATURED):
        gapped = [
            e
            for e in ev.indicators
            if e.outcome.status is Status.NOT_MET
            and e.spec.attribute is attribute
            and (e.outcome.gap_pct or 0) > 0
        ]
        if gapped:
            e = max(gapped, key=lambda e: e.outcome.gap_pct or 0)
            value = f"{fmt(e.outcome.value)} {unit_en(e.spec.unit)}".strip()
            worst.append(f"{attribute.label_en}: {name(e)} ({year}: {value}; {_gap_en(e)})")
    if worst:
        out.append("Furthest from target — " + "; ".join(worst) + ".")
    off = [
        e
        for e in ev.indicators
        if e.outcome.projection is not None and e.outcome.projection.trend is Trend.OFF_TRACK
    ]
    if off:
        out.append(
            f"On the linear trend since {ev.base_year}, {len(off)} indicator(s) will not meet "
            f"the target by {ev.target_year}: " + ", ".join(name(e) for e in off) + "."
        )
    missing = sum(e.outcome.status is Status.NO_DATA for e in ev.indicators)
    pending = sum(e.outcome.status is Status.NEEDS_ASSESSMENT for e in ev.indicators)
    if missing or pending:
        out.append(
            f"{missing} indicator(s) have no {year} data; {pending} await the office's assessment."
        )
    tasks = ev.task_targets
    if tasks:
        done = sum(t.outcome.status is Status.MET for t in tasks)
        not_met = sum(t.outcome.status is Status.NOT_MET for t in tasks)
        nodata = sum(t.outcome.status is Status.NO_DATA for t in tasks)
        out.append(
            f"Of the plan's {len(tasks)} task targets, {done} met, {not_met} not met, "
            f"{nodata} without data."
        )
    return out


def overview(ev: Evaluation, progress: Progress = no_progress) -> list[Block]:
    """一、总体情况: the summary sentences and the met-by-category chart."""
    out: list[Block] = [Paragraph(text) for text in summary(ev)]
    progress("绘制分类完成情况图", 0.3)
    cats = ev.categories
    png = category_chart(
        [c.name_zh for c in cats],
        [c.met for c in cats],
        [c.total for c in cats],
        [c.no_data for c in cats],
    )
    out.append(Figure(png, f"{ev.year}年各类别指标完成情况"))
    return out


# --------------------------------------------------------------------------- 二、指标完成情况


def indicator_table(ev: Evaluation) -> Table:
    """The plan's 主要指标 table with the year's statuses and gaps."""
    years = table_years(ev)
    headers = (
        "类别",
        "序号",
        "指标名称",
        "单位",
        *(f"{y}年" for y in years),
        f"{ev.target_year}年目标",
        "指标属性",
        "完成情况",
        "差距",
        "责任部门",
    )
    rows: list[tuple[Cell, ...]] = []
    for e in ev.indicators:
        spec, o = e.spec, e.outcome
        rows.append(
            (
                Cell(e.category_zh),
                Cell(spec.code),
                Cell(spec.name_zh),
                Cell(spec.unit),
                *(_year_cell(e, y) for y in years),
                Cell(target_text(spec.rule, o)),
                Cell(spec.attribute.label_zh if spec.attribute else ""),
                Cell(status_text(o), status=o.status),
                Cell(gap_text(o), num=True),
                Cell(e.departments_zh),
            )
        )
        for part, po in o.parts:
            rows.append(
                (
                    Cell(e.category_zh),
                    Cell(""),
                    Cell(f"其中：{part.name_zh}"),
                    Cell(part.unit),
                    *(_year_cell(e, y, part.code) for y in years),
                    Cell(target_text(part.rule, po)),
                    Cell(""),
                    Cell(status_text(po), status=po.status),
                    Cell(gap_text(po), num=True),
                    Cell(""),
                )
            )
    widths = (4, 2.5, 12, 4.5, *(6.5 for _ in years), 11, 5, 5, 6, 11)
    caption = f"{ev.unit_name_zh}近零碳城市示范创建主要指标完成情况"
    return Table(headers, tuple(rows), caption, widths, group_first=True, wide=True)


def task_table(ev: Evaluation) -> Table:
    """The task targets of the plan's text with the year's statuses."""
    headers = (
        "序号",
        "任务目标",
        "单位",
        f"{ev.year}年",
        "目标",
        "完成情况",
        "差距",
        "出处",
        "责任部门",
    )
    rows = tuple(
        (
            Cell(e.spec.code),
            Cell(e.spec.name_zh),
            Cell(e.spec.unit),
            _year_cell(e, ev.year),
            Cell(target_text(e.spec.rule, e.outcome)),
            Cell(status_text(e.outcome), status=e.outcome.status),
            Cell(gap_text(e.outcome), num=True),
            Cell(e.task_ref_zh),
            Cell(e.departments_zh),
        )
        for e in ev.task_targets
    )
    widths = (2.5, 14, 4, 6, 9, 4.5, 6, 6, 8)
    return Table(headers, rows, "实施方案提出的任务目标完成情况", widths, wide=True)


def indicator_blocks(ev: Evaluation, progress: Progress = no_progress) -> list[Block]:
    """二、指标完成情况: the table in the plan's layout, task targets, trend charts."""
    out: list[Block] = [
        Heading("（一）主要指标"),
        Paragraph(
            f"下表按实施方案主要指标表的格式列出各指标历年数值、{ev.target_year}年目标及"
            f"{ev.year}年完成情况。完成情况由系统按目标规则根据数据计算；数据无法判定的定性指标"
            "采用专班办公室的评估结论（标注“评估”）。差距为距目标尚需改善的量及其占目标值的比例。"
        ),
        indicator_table(ev),
    ]
    if ev.task_targets:
        out += [Heading("（二）任务目标"), task_table(ev)]
    by_code = {e.spec.code: e for e in ev.indicators}
    charts = [by_code[c] for c in TREND_INDICATORS if c in by_code]
    if charts:
        out.append(Heading(f"（{'三' if ev.task_targets else '二'}）重点指标趋势"))
    for n, e in enumerate(charts, start=2):
        progress(f"绘制指标{e.spec.code}趋势图", 0.3 + 0.2 * n)
        if e.trend is None:
            continue
        png = trend_chart(dict(e.trend), f"{e.spec.name_zh}（{e.spec.unit}）")
        out.append(Figure(png, f"{e.spec.name_zh}历年数值与{ev.target_year}年目标"))
    return out


# --------------------------------------------------------------------------- 三、验收条件


def _count(n: int) -> Cell:
    return Cell(str(n), num=True, value=n)


def _met(ok: bool) -> Cell:
    return Cell("满足" if ok else "不满足", status=Status.MET if ok else Status.NOT_MET)


def acceptance_table(ev: Evaluation) -> Table:
    """The provincial acceptance rule against the year's counts."""
    a = ev.acceptance
    rows = (
        (
            Cell("约束指标"),
            _count(a.binding_total),
            _count(a.binding_met),
            Cell(f"全部完成（{a.binding_total}项）"),
            _met(a.binding_met == a.binding_total),
        ),
        (
            Cell("参考指标"),
            _count(a.reference_total),
            _count(a.reference_met),
            Cell(f"不少于70%（{a.reference_required}项）"),
            _met(a.reference_met >= a.reference_required),
        ),
        (
            Cell("特色指标"),
            _count(a.featured_total),
            _count(a.featured_met),
            Cell("—"),
            Cell("—"),
        ),
    )
    headers = ("指标属性", "指标数", "已完成", "验收要求", "是否满足")
    return Table(headers, rows, f"{ev.year}年验收条件对照", (5, 3, 3, 7, 4))


def acceptance_blocks(ev: Evaluation) -> list[Block]:
    """三、验收条件: the provincial rule applied, with the counts and what is left."""
    out: list[Block] = [
        Paragraph(
            "依据《山东省近零碳城市、近零碳园区、近零碳社区示范创建实施方案》（鲁环发〔2023〕16号），"
            "示范单位约束指标全部完成、参考指标完成比例不低于70%的，具备验收条件。"
        ),
        acceptance_table(ev),
        Paragraph(
            f"结论：{ev.year}年"
            + ("具备验收条件。" if ev.acceptance.ready else "尚不具备验收条件。")
        ),
    ]
    for attribute in (Attribute.BINDING, Attribute.REFERENCE):
        left = [
            e
            for e in ev.indicators
            if e.spec.attribute is attribute and e.outcome.status is not Status.MET
        ]
        if left:
            items = "；".join(_name(e) + _shortfall(e) for e in left)
            out.append(Paragraph(f"尚未完成的{attribute.label_zh}{len(left)}项：{items}。"))
    return out


# --------------------------------------------------------------------------- the dossier's workbook

BASIS_ZH = {Basis.COMPUTED: "数据计算", Basis.ASSESSMENT: "办公室评估", Basis.NONE: "—"}
WORKBOOK_HEADERS = (
    "目标",
    "比较",
    "目标值",
    "指标属性",
    "完成情况",
    "判定依据",
    "差距",
    "趋势预测",
    "办公室评估与佐证",
    "数据来源与佐证材料",
    "责任部门",
)

#: What a stored value cites: its source and evidence, by ``(code, part code, year)``.
Sources = Mapping[tuple[str, str, int], tuple[str, str]]


def workbook_tables(ev: Evaluation, sources: Sources) -> list[tuple[str, Table]]:
    """The dossier's indicator workbook: per indicator its values per year, target, status,
    basis, and the evidence or assessment behind it; the task targets; the acceptance counts."""
    years = table_years(ev)

    def cited(code: str, part: str) -> str:
        out = []
        for y in years:
            source, evidence = sources.get((code, part, y), ("", ""))
            if source or evidence:
                out.append(f"{y}年：" + "；".join(s for s in (source, evidence) if s))
        return "\n".join(out)

    def row(
        e: IndicatorLine,
        o: Outcome,
        part: str = "",
        name: str = "",
        rule: TargetRule | None = None,
    ) -> tuple[Cell, ...]:
        spec = e.spec
        assessment = e.record.assessments.get(ev.year)
        target = o.target
        unit = next(p.unit for p in spec.parts if p.code == part) if part else spec.unit
        return (
            Cell(e.category_zh),
            Cell(spec.code),
            Cell(name or spec.name_zh),
            Cell(unit),
            *(_year_cell(e, y, part) for y in years),
            Cell(target_text(rule or spec.rule, o)),
            Cell(target.comparator.value if target else ""),
            Cell(
                fmt(target.value) if target else "",
                num=True,
                value=target.value if target else None,
            ),
            Cell(spec.attribute.label_zh if spec.attribute else "任务目标"),
            Cell(o.status.label_zh, status=o.status),
            Cell(BASIS_ZH[o.basis]),
            Cell(fmt(o.gap) if o.gap is not None else "", num=True, value=o.gap),
            Cell(o.projection.trend.label_zh if o.projection else ""),
            Cell(assessment.evidence if assessment and not part else ""),
            Cell(cited(spec.code, part)),
            Cell(e.departments_zh),
        )

    headers = ("类别", "序号", "指标名称", "单位", *(f"{y}年" for y in years), *WORKBOOK_HEADERS)
    widths = (10, 6, 32, 10, *(14 for _ in years), 28, 6, 14, 10, 10, 10, 12, 10, 40, 40, 24)

    def sheet(items: Sequence[IndicatorLine]) -> tuple[tuple[Cell, ...], ...]:
        rows = []
        for e in items:
            rows.append(row(e, e.outcome))
            for part, po in e.outcome.parts:
                rows.append(row(e, po, part.code, f"其中：{part.name_zh}", part.rule))
        return tuple(rows)

    sheets = [("主要指标", Table(headers, sheet(ev.indicators), widths=widths))]
    if ev.task_targets:
        sheets.append(("任务目标", Table(headers, sheet(ev.task_targets), widths=widths)))
    sheets.append(("验收条件", acceptance_table(ev)))
    return sheets
