"""The product carbon footprint study report (产品碳足迹研究报告) as plain report blocks.

The sections follow the reporting clauses of GB/T 24067-2024《温室气体 产品碳足迹 量化要求和
指南》 §8 (ISO 14067:2018 §7): the goal and the functional unit, the system boundary and the
life-cycle stages, the cut-off rule and what it left out, the data sources and their quality,
the allocation and its sensitivity, the results by life-cycle stage and by process, the
fossil, biogenic, land-use-change (dLUC) and aircraft emissions and removals reported apart,
the uncertainty (when a Monte Carlo run was made), the limitations, and every factor still to
be confirmed listed plainly.

Pure: a :class:`~nearzero.footprint.study.FootprintResult`, its
:class:`~nearzero.footprint.model.ProductSystem` and a :class:`StudyInfo` in, a
:class:`~nearzero.reports.model.Report` out (rendered by :mod:`.word` and :mod:`.pdf`). The
document names processes, flows and factors by their names and sources, never by the ids the
file uses.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nearzero.accounting.factors import FactorRecord
from nearzero.footprint.factors import PEDIGREE_INDICATORS, pedigree_table
from nearzero.footprint.model import FAMILIES, ProductSystem
from nearzero.footprint.study import FootprintResult
from nearzero.formatting import china_time
from nearzero.reports.model import (
    Block,
    Cell,
    Figure,
    Heading,
    Paragraph,
    Report,
    Section,
    Table,
)
from nearzero.reports.offload import contribution_chart

TITLE_ZH = "产品碳足迹研究报告"
BASIS_ZH = "GB/T 24067-2024《温室气体 产品碳足迹 量化要求和指南》（ISO 14067:2018）"
UNIT = "kgCO2e"
FAMILY_ZH = {
    "fossil": "化石温室气体",
    "biogenic": "生物源温室气体",
    "land_use_change": "直接土地利用变化（dLUC）",
    "aircraft": "航空运输温室气体",
}
ALLOCATION_ZH = {
    "mass": "按质量分配",
    "economic": "按经济价值分配",
    "system_expansion": "系统扩展（替代法）",
}
BOUNDARY_ZH = {
    "cradle-to-gate": "从摇篮到大门（原材料获取至产品出厂）",
    "cradle-to-grave": "从摇篮到坟墓（原材料获取至生命末期）",
    "gate-to-gate": "从大门到大门（仅本厂生产过程）",
}
STAGE_ZH = {
    "": "未划分阶段",
    "raw materials": "原材料获取",
    "raw material acquisition": "原材料获取",
    "production": "生产",
    "manufacturing": "生产",
    "distribution": "分销运输",
    "transport": "运输",
    "use": "使用",
    "end of life": "生命末期处置",
    "end-of-life": "生命末期处置",
    "background": "背景过程（因子数据）",
}
PEDIGREE_ZH = dict(
    zip(
        PEDIGREE_INDICATORS,
        ("可靠性", "完整性", "时间相关性", "地理相关性", "技术相关性"),
        strict=True,
    )
)
CONFIRM_ZH = "数值取自二手资料或未逐项核对，待与官方发布文本核对"
CHART_ROWS = 12
"""At most this many processes in the contribution chart (the rest summed as 其他)."""


@dataclass(frozen=True)
class StudyInfo:
    """What the report says about the study beside the computation.

    firm : the commissioning firm (委托方), empty when unknown.
    year : the year the foreground data describe (数据年份).
    prepared : the report's date (China Standard Time).
    computed_at, approved_at : when the study was computed and approved (UTC or aware times,
        printed in China Standard Time).
    approved_by : who approved it (a person's display name, not an account id).
    """

    prepared: dt.date
    firm: str = ""
    year: int | None = None
    computed_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    approved_by: str = ""


def num(value: float) -> str:
    """A result for a report cell: six significant digits, thousands separated."""
    if value != value or math.isinf(value):
        return "—"
    if value == 0:
        return "0"
    return f"{value:,.6g}"


def pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _cell(value: float) -> Cell:
    return Cell(num(value), num=True, value=value)


_ZH_IN_BRACKETS = re.compile(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)")


def zh_label(text: str) -> str:
    """The Chinese name a data row gives in brackets (``national average (全国电力平均)`` →
    ``全国电力平均``), else the text as it is."""
    found = _ZH_IN_BRACKETS.search(text)
    return found.group(1).strip() if found else text


def stage_name(stage: str) -> str:
    return STAGE_ZH.get(stage.strip().lower(), stage)


class Names:
    """The names the document uses for processes, exchanges and factors of one study."""

    def __init__(self, system: ProductSystem, factors: Sequence[FactorRecord]) -> None:
        self.flows = {f.flow_id: f.name for f in system.flows}
        self.records = {r.factor_id: r for r in (*factors, *pedigree_table()[1])}
        self.process: dict[str, str] = {}
        self.exchange: dict[str, str] = {}
        for p in system.processes:
            self.process[p.process_id] = p.name
            for i, ex in enumerate(p.exchanges):
                flow = self.flows.get(ex.flow, ex.flow)
                if ex.factor:  # a background input: its label is the file's, name the factor
                    flow = (
                        f"{flow}（{self.factor(ex.factor)}）"
                        if ex.flow in self.flows
                        else self.factor(ex.factor)
                    )
                self.exchange[p.label(i)] = f"{p.name}：{flow}"
                if ex.direction == "output" and ex.flow != p.reference:
                    self.process[f"{p.process_id}|{ex.flow}"] = f"{p.name}（{flow}）"

    def factor(self, factor_id: str) -> str:
        """A factor by its subject, year and source, e.g. 电力碳足迹因子（全国电力平均，2023年）."""
        record = self.records.get(factor_id.removeprefix("factor:"))
        if record is None:
            return "背景因子"
        if record.parameter == "pedigree_variance":
            indicator, _, score = record.subject.rpartition("_")
            return f"谱系矩阵方差（{PEDIGREE_ZH.get(indicator, indicator)}，评分{score}）"
        year = f"，{record.year}年" if record.year else ""
        what = "电力碳足迹因子" if record.parameter == "electricity_footprint" else "碳足迹因子"
        return f"{what}（{zh_label(record.source_table)}{year}）"

    def of_process(self, label: str) -> str:
        if label.startswith("factor:"):
            return self.factor(label)
        return self.process.get(label, label)

    def of_input(self, label: str) -> str:
        if label == "direct emissions":
            return "本过程直接排放"
        return self.exchange.get(label, label)


def _overview(result: FootprintResult, system: ProductSystem, info: StudyInfo) -> Section:
    rows = [
        ("产品", result.name),
        ("委托方", info.firm or "—"),
        ("功能单位", f"{result.functional_unit}（{num(result.amount)} {result.unit}）"),
        ("系统边界", BOUNDARY_ZH.get(result.boundary, result.boundary)),
        ("数据年份", f"{info.year}年" if info.year else "—"),
        ("量化依据", BASIS_ZH),
        ("全球增温潜势（GWP）", f"IPCC {result.gwp_set}，100年"),
        ("计算时间（北京时间）", china_time(info.computed_at) or "—"),
        ("审核确认（北京时间）", _approval(info)),
    ]
    table = Table(
        ("项目", "内容"),
        tuple((Cell(k), Cell(v)) for k, v in rows),
        caption="研究概况",
        widths=(1, 3),
    )
    blocks: list[Block] = [
        Paragraph(
            f"本报告依据{BASIS_ZH}第8章的报告要求，量化{result.name}的产品碳足迹，"
            f"供企业开展产品碳足迹核算、信息披露与减排决策参考。"
        ),
        table,
    ]
    if system.metadata.get("illustrative", "").lower() in ("true", "yes", "1"):
        blocks.append(
            Paragraph("注意：本研究所用数据为示例（假设）数据，结果不代表任何企业的实际情况。")
        )
    return Section("overview", "一、研究目的与概况", blocks)


def _approval(info: StudyInfo) -> str:
    if info.approved_at is None:
        return "尚未审核确认"
    who = f"，{info.approved_by}" if info.approved_by else ""
    return f"{china_time(info.approved_at)}{who}"


def _boundary(result: FootprintResult, system: ProductSystem, names: Names) -> Section:
    stages: dict[str, list[str]] = {}
    for p in system.processes:
        stages.setdefault(stage_name(p.stage), []).append(p.name)
    rows = tuple((Cell(s), Cell("、".join(ps))) for s, ps in stages.items())
    blocks: list[Paragraph | Table | Heading] = [
        Paragraph(
            f"功能单位为“{result.functional_unit}”，基准流为{num(result.amount)} {result.unit}。"
            f"系统边界为{BOUNDARY_ZH.get(result.boundary, result.boundary)}，"
            f"包括以下生命周期阶段及单元过程（{{表:stages}}）；外购电力等背景过程以碳足迹因子计入。"
        ),
        Table(
            ("生命周期阶段", "单元过程"),
            rows,
            caption="系统边界内的生命周期阶段与单元过程",
            widths=(1, 3),
            label="stages",
        ),
        Heading("取舍准则"),
    ]
    if result.cut_off:
        blocks.append(
            Paragraph(
                f"依据取舍准则，以下{len(result.cut_off)}项输入未计入产品碳足迹（{{表:cutoff}}），"
                "其排放被判定为可忽略。"
            )
        )
        blocks.append(
            Table(
                ("序号", "未计入的输入"),
                tuple(
                    (Cell(str(i)), Cell(names.of_input(label)))
                    for i, label in enumerate(result.cut_off, start=1)
                ),
                caption="按取舍准则未计入的输入",
                widths=(1, 6),
                label="cutoff",
            )
        )
    else:
        blocks.append(Paragraph("本研究未依据取舍准则排除任何输入。"))
    return Section("boundary", "二、功能单位、系统边界与取舍准则", list(blocks))


def _data(result: FootprintResult, system: ProductSystem, names: Names) -> Section:
    blocks: list[Paragraph | Table | Heading] = [
        Heading("数据来源"),
        Paragraph(
            f"前景数据（{len(system.processes)}个单元过程的输入、输出与排放）由企业提供；"
            "背景数据采用下表所列碳足迹因子。碳足迹因子与温室气体排放核算所用的排放因子属于不同"
            "类别，本研究只采用碳足迹（全生命周期）因子，且按数据年份选用，不混用。"
        ),
    ]
    if result.factors:
        blocks.append(
            Table(
                ("背景数据", "数值", "单位", "来源", "状态"),
                tuple(
                    (
                        Cell(names.factor(r.factor_id)),
                        _cell(r.value),
                        Cell(r.unit),
                        Cell(r.source_document),
                        Cell("待确认" if r.status == "to_confirm" else "已核实"),
                    )
                    for r in result.factors
                ),
                caption="背景数据（碳足迹因子）",
                widths=(3, 1, 1.2, 4, 1),
            )
        )
    blocks.append(Heading("数据质量"))
    scored = [
        (names.exchange[p.label(i)], ex.pedigree)
        for p in system.processes
        for i, ex in enumerate(p.exchanges)
        if ex.pedigree
    ]
    if scored:
        blocks.append(
            Paragraph(
                "数据质量采用谱系矩阵评价（可靠性、完整性、时间相关性、地理相关性、技术相关性，"
                "1为最好，5为最差），评分见{表:pedigree}。"
            )
        )
        blocks.append(
            Table(
                ("输入或排放", *PEDIGREE_ZH.values()),
                tuple(
                    (Cell(label), *(Cell(str(s), num=True) for s in scores))
                    for label, scores in scored
                    if scores is not None
                ),
                caption="数据质量谱系评分",
                widths=(4, 1, 1, 1, 1, 1),
                label="pedigree",
            )
        )
    else:
        blocks.append(Paragraph("企业未对前景数据给出谱系评分，数据质量未作定量评价。"))
    return Section("data", "三、数据来源与数据质量", list(blocks))


def _allocation(result: FootprintResult) -> Section:
    if not result.sensitivity:
        text = "本产品系统中没有多产出过程，无需分配。"
        return Section("allocation", "四、分配", [Paragraph(text)])
    chosen = ALLOCATION_ZH.get(result.allocation or "", "未选择")
    rows = tuple(
        (
            Cell(ALLOCATION_ZH.get(r.method, r.method) + ("（所选）" if r.chosen else "")),
            Cell("无法计算（数据不支持该方法）") if r.error else _cell(r.total),
        )
        for r in result.sensitivity
    )
    return Section(
        "allocation",
        "四、分配及其敏感性",
        [
            Paragraph(
                f"产品系统中含多产出过程。依据GB/T 24067-2024及ISO 14044 §4.3.4.2，优先采用系统"
                f"扩展避免分配，无法避免时按物理关系或经济价值分配。本研究选用{chosen}。"
                f"三种方法下的产品碳足迹见{{表:sensitivity}}，以说明分配方法选择对结果的影响。"
            ),
            Table(
                ("分配方法", f"产品碳足迹（{UNIT}/功能单位）"),
                rows,
                caption="分配方法敏感性分析",
                widths=(2, 2),
                label="sensitivity",
            ),
        ],
    )


def _results(result: FootprintResult, names: Names) -> Section:
    blocks: list[Paragraph | Table | Figure | Heading] = [
        Paragraph(
            f"按功能单位“{result.functional_unit}”计，产品碳足迹为{num(result.total)} {UNIT}。"
            "计算采用矩阵法（Heijungs & Suh 2002）：h = C·B·A⁻¹·f。"
        ),
        Heading("按生命周期阶段"),
        Table(
            ("生命周期阶段", f"碳足迹（{UNIT}）", "占比"),
            tuple(
                (
                    Cell(stage_name(s)),
                    _cell(v),
                    Cell(pct(v / result.total) if result.total else "—"),
                )
                for s, v in result.stages.items()
            )
            + ((Cell("合计"), _cell(result.total), Cell("100.0%")),),
            caption="按生命周期阶段的产品碳足迹",
            widths=(2, 2, 1),
        ),
        Heading("化石、生物源、土地利用变化与航空运输排放分列"),
        Table(
            ("类别", f"排放（{UNIT}）", f"清除（{UNIT}）", f"净值（{UNIT}）"),
            tuple(
                (
                    Cell(FAMILY_ZH[k]),
                    _cell(result.by_family[k].emissions),
                    _cell(result.by_family[k].removals),
                    _cell(result.by_family[k].net),
                )
                for k in FAMILIES
            ),
            caption="温室气体排放与清除分列",
            widths=(2, 1.5, 1.5, 1.5),
        ),
        Heading("按过程的贡献与热点"),
    ]
    rows = result.processes
    if rows:
        blocks.append(
            Table(
                ("过程", "生命周期阶段", f"贡献（{UNIT}）", "占比"),
                tuple(
                    (
                        Cell(names.of_process(r.label)),
                        Cell(stage_name(r.stage)),
                        _cell(r.value),
                        Cell(pct(r.share)),
                    )
                    for r in rows
                ),
                caption="各过程对产品碳足迹的贡献",
                widths=(3, 1.5, 1.5, 1),
            )
        )
        shown = rows[:CHART_ROWS]
        labels = [names.of_process(r.label) for r in shown]
        values = [r.value for r in shown]
        if len(rows) > CHART_ROWS:
            labels.append("其他")
            values.append(sum(r.value for r in rows[CHART_ROWS:]))
        blocks.append(Figure(contribution_chart(labels, values, f"{UNIT}/功能单位"), "各过程贡献"))
    if result.hot_spots:
        spots = "、".join(
            f"{names.of_process(r.label)}（{pct(r.share)}）" for r in result.hot_spots
        )
        blocks.append(Paragraph(f"贡献不低于5%的热点过程：{spots}。"))
    if result.inputs:
        blocks.append(
            Table(
                ("产品过程的输入", f"隐含碳足迹（{UNIT}）", "占比"),
                tuple(
                    (Cell(names.of_input(r.label)), _cell(r.value), Cell(pct(r.share)))
                    for r in result.inputs
                ),
                caption="产品过程各输入的隐含碳足迹",
                widths=(4, 1.5, 1),
            )
        )
    return Section("results", "五、产品碳足迹结果", list(blocks))


def _uncertainty(result: FootprintResult) -> Section:
    u = result.uncertainty
    if u is None:
        return Section(
            "uncertainty",
            "六、不确定性",
            [Paragraph("本次计算未进行蒙特卡洛不确定性分析；结果为确定性计算值。")],
        )
    rows = (
        ("模拟次数", str(u.draws)),
        ("随机数种子", str(u.seed)),
        (f"均值（{UNIT}）", num(u.mean)),
        (f"标准差（{UNIT}）", num(u.sd)),
        (f"中位数（{UNIT}）", num(u.median)),
        (f"95%区间下限（{UNIT}）", num(u.p2_5)),
        (f"95%区间上限（{UNIT}）", num(u.p97_5)),
    )
    return Section(
        "uncertainty",
        "六、不确定性",
        [
            Paragraph(
                f"按各输入的概率分布及谱系评分进行{u.draws}次蒙特卡洛模拟（种子{u.seed}，"
                f"可复现），产品碳足迹95%区间为{num(u.p2_5)}～{num(u.p97_5)} {UNIT}。"
            ),
            Table(
                ("统计量", "数值"),
                tuple((Cell(k), Cell(v, num=True)) for k, v in rows),
                caption="蒙特卡洛模拟结果",
                widths=(2, 2),
            ),
        ],
    )


def _limitations(result: FootprintResult, system: ProductSystem, names: Names) -> Section:
    items = [
        "本研究的结果仅适用于所述功能单位与系统边界，不宜用于与边界或方法不同的研究直接比较。",
    ]
    if result.boundary == "cradle-to-gate":
        items.append("系统边界止于产品出厂，未包括分销、使用与生命末期处置阶段。")
    if result.cut_off:
        items.append(f"依据取舍准则未计入{len(result.cut_off)}项输入。")
    if result.sensitivity:
        items.append("分配方法的选择影响结果，见分配敏感性分析。")
    if result.uncertainty is None:
        items.append("未进行不确定性定量分析。")
    if result.to_confirm:
        items.append(
            f"有{len(set(result.to_confirm))}个因子或参数尚待与官方发布文本核对（见第八部分），"
            "核对后结果可能变化。"
        )
    if system.metadata.get("illustrative", "").lower() in ("true", "yes", "1"):
        items.append("所用数据为示例（假设）数据。")
    return Section(
        "limitations",
        "七、局限性",
        [Paragraph(f"{i}. {text}") for i, text in enumerate(items, start=1)],
    )


def _to_confirm(result: FootprintResult, names: Names) -> Section:
    ids = list(dict.fromkeys(result.to_confirm))
    if not ids:
        return Section(
            "to_confirm", "八、待确认的因子", [Paragraph("本研究所用因子均已核实，无待确认项。")]
        )
    rows = []
    for factor_id in ids:
        r = names.records.get(factor_id)
        if r is None:
            rows.append((Cell(names.factor(factor_id)), Cell("—"), Cell("—"), Cell("—")))
            continue
        rows.append(
            (
                Cell(names.factor(factor_id)),
                Cell(f"{num(r.value)} {r.unit}"),
                Cell(r.source_document),
                Cell(CONFIRM_ZH),
            )
        )
    return Section(
        "to_confirm",
        "八、待确认的因子",
        [
            Paragraph(
                f"以下{len(ids)}个因子或参数仅见于二手资料或尚未与官方发布文本逐项核对，"
                "计算已使用其当前数值；确认前，结果应视为暂定值（{表:to_confirm}）。"
            ),
            Table(
                ("因子或参数", "数值", "来源", "待确认事项"),
                tuple(rows),
                caption="待确认的因子",
                widths=(3, 1.5, 3, 3),
                label="to_confirm",
            ),
        ],
    )


def footprint_sections(
    result: FootprintResult, system: ProductSystem, info: StudyInfo
) -> list[Section]:
    """The report's sections in the order of GB/T 24067-2024 §8."""
    names = Names(system, result.factors)
    return [
        _overview(result, system, info),
        _boundary(result, system, names),
        _data(result, system, names),
        _allocation(result),
        _results(result, names),
        _uncertainty(result),
        _limitations(result, system, names),
        _to_confirm(result, names),
    ]


def footprint_report(result: FootprintResult, system: ProductSystem, info: StudyInfo) -> Report:
    """The study report, ready for :func:`~nearzero.reports.word.build_docx` or
    :func:`~nearzero.reports.pdf.build_pdf`."""
    year = info.year or info.prepared.year
    return Report(
        unit_code="",
        unit_name=result.name,
        year=year,
        title=TITLE_ZH,
        office=info.firm,
        date=info.prepared,
        plan=BASIS_ZH,
        sections=footprint_sections(result, system, info),
    )


def report_stem(result: FootprintResult, info: StudyInfo) -> str:
    """A file name without suffix: ``企业_产品_产品碳足迹研究报告``."""
    parts = [p for p in (info.firm, result.name, TITLE_ZH) if p]
    raw = "_".join(parts)
    return "".join(c if c not in '\\/:*?"<>|' else "_" for c in raw)[:120]
