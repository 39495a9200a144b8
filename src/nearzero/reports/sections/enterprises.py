"""Section 六 企业与“两高”项目: key emitting units, screening, compliance, benchmarks and the
cross-check of the inventory against the sum of enterprise reports, worded from plain data.

:func:`nearzero.services.enterprise.report.report_blocks` gathers the year's figures into an
:class:`EnterpriseYear`; :func:`enterprises_blocks` writes the Chinese text and tables. A part
with nothing for the year says so plainly; every figure that rests on a default still to be
confirmed is flagged (“待确认”), and the documents are listed at the end. No internal
identifiers (keys, factor ids, field names) reach the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nearzero.formatting import fmt
from nearzero.reports.model import Block, Cell, Paragraph, Table

#: Kinds of report terms in the order the section lists them, with their Chinese names.
KINDS_ZH = (
    ("fuel", "化石燃料燃烧"),
    ("process", "工业生产过程"),
    ("electricity", "净购入电力"),
    ("heat", "净购入热力"),
    ("recovered", "回收利用（扣减）"),
)
TO_CONFIRM_MARK = "（待确认）"
BASIS_ZH = {"verified": "核查数", "reported": "报告数", "mixed": "核查数与报告数", "": "—"}


@dataclass(frozen=True)
class CrossRow:
    """One IPCC category of the cross-check [t CO2]; share [%] or None."""

    code: str
    title_zh: str
    inventory_tco2: float
    enterprise_tco2: float
    difference: float
    share_pct: float | None
    basis: str  # verified / reported / mixed / ""


@dataclass(frozen=True)
class IndustryRow:
    """Indicator 15 for one industry: share of capacity at benchmark [%] and whether met."""

    industry_zh: str
    share_pct: float
    met: bool
    to_confirm: bool


@dataclass(frozen=True)
class EnterpriseYear:
    """What section 六 is written from (all plain numbers and Chinese names).

    registered : firms in the registry. states : reports of the year by workflow state label
    (草稿, 已提交 … 已确认). totals : tCO2 by term kind and ``total``, each firm's verified
    figures once verified, else reported; ``totals_verified`` / ``totals_reported`` count
    the firms on each basis. ``to_confirm_totals`` : a firm's figures used a default still to
    be confirmed.
    """

    unit_name_zh: str
    year: int
    registered: int = 0
    states: dict[str, int] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)
    totals_verified: int = 0
    totals_reported: int = 0
    to_confirm_totals: bool = False
    screened: int = 0
    over_fossil: int = 0
    candidates: int = 0
    market_sectors: int = 0
    screening_to_confirm: bool = False
    key_units: int = 0
    t11: int = 0
    covered_with_allowance: int = 0
    t12: int = 0
    power_covered: int = 0
    surplus_t: int = 0
    surplus_firms: int = 0
    shortfall_t: int = 0
    shortfall_firms: int = 0
    compliance_pending: int = 0
    compliance_to_confirm: bool = False
    industries: tuple[IndustryRow, ...] = ()
    levels: dict[str, int] = field(default_factory=dict)
    benchmark_to_confirm: bool = False
    crosscheck: tuple[CrossRow, ...] | None = None
    crosscheck_reason: str = ""
    unplaced_tco2: float = 0.0
    indirect_tco2: float = 0.0
    to_confirm_documents: tuple[str, ...] = ()


def _t(value: float) -> str:
    return fmt(round(value, 2))


def _mark(flag: bool) -> str:
    return TO_CONFIRM_MARK if flag else ""


def _reports(d: EnterpriseYear) -> list[Block]:
    count = sum(d.states.values())
    if not count:
        return [
            Paragraph(
                f"（一）重点排放单位报告与核查。已登记企业{d.registered}家，"
                f"{d.year}年度尚无企业提交温室气体排放报告，本部分尚无数据。"
            )
        ]
    states = "、".join(f"{label}{n}家" for label, n in d.states.items() if n)
    text = (
        f"（一）重点排放单位报告与核查。已登记企业{d.registered}家，{d.year}年度有{count}家企业"
        f"录入温室气体排放报告，其中{states}。"
    )
    parts = [
        f"{name}{_t(d.totals.get(kind, 0.0))}吨" for kind, name in KINDS_ZH if d.totals.get(kind)
    ]
    basis = []
    if d.totals_verified:
        basis.append(f"{d.totals_verified}家采用核查数")
    if d.totals_reported:
        basis.append(f"{d.totals_reported}家采用报告数")
    text += (
        f"报告合计二氧化碳排放量{_t(d.totals.get('total', 0.0))}吨{_mark(d.to_confirm_totals)}"
        f"（{'，'.join(basis)}），"
        f"其中{'，'.join(parts) if parts else '各分项均为零'}。"
    )
    if d.to_confirm_totals:
        text += "部分企业的排放量使用了尚待与官方文件核对的缺省值，已标注“待确认”。"
    return [Paragraph(text)]


def _screening(d: EnterpriseYear) -> list[Block]:
    if not d.screened:
        return [Paragraph("（二）企业筛查。本年度尚无可供筛查的企业报告，本部分尚无数据。")]
    return [
        Paragraph(
            f"（二）企业筛查。按{d.year}年度报告筛查企业{d.screened}家：化石能源消费量大于"
            f"2000吨标准煤的{d.over_fossil}家；年排放量达到2.6万吨二氧化碳当量（或综合能耗达到"
            f"1万吨标准煤）的重点排放单位候选{d.candidates}家；属于全国碳市场覆盖行业的"
            f"{d.market_sectors}家{_mark(d.screening_to_confirm)}。"
        )
    ]


def _compliance(d: EnterpriseYear) -> list[Block]:
    text = "（三）碳排放权交易履约。"
    if not d.key_units:
        return [Paragraph(text + "尚无纳入碳排放权交易的企业登记，本部分尚无数据。")]
    text += (
        f"纳入碳排放权交易的重点排放单位{d.key_units}家，{d.year}年度报告已核查或确认的"
        f"{d.t11}家（任务目标T11）；发电企业{d.power_covered}家中完成配额清缴的{d.t12}家"
        f"{_mark(d.compliance_to_confirm)}（任务目标T12）。"
    )
    if not d.covered_with_allowance:
        text += "本年度尚未录入配额分配数据，盈缺情况尚无数据。"
    else:
        parts = []
        if d.surplus_firms:
            parts.append(f"配额盈余{d.surplus_firms}家、合计{fmt(d.surplus_t)}吨")
        if d.shortfall_firms:
            parts.append(f"配额缺口{d.shortfall_firms}家、合计{fmt(d.shortfall_t)}吨")
        balanced = d.covered_with_allowance - d.surplus_firms - d.shortfall_firms
        balanced -= d.compliance_pending
        if balanced:
            parts.append(f"配额与排放量持平{balanced}家")
        text += f"已录入配额的{d.covered_with_allowance}家中，" + "，".join(parts)
        if d.compliance_pending:
            text += f"，{d.compliance_pending}家尚无核查排放量，暂不能判定"
        text += "。"
    return [Paragraph(text)]


def _benchmarks(d: EnterpriseYear) -> list[Block]:
    text = "（四）能效标杆水平（指标15）。"
    if not d.industries:
        return [Paragraph(text + "本年度尚未录入主要产品的能效数据，本部分尚无数据。")]
    levels = "、".join(f"{label}{n}条" for label, n in d.levels.items() if n)
    shares = "；".join(
        f"{r.industry_zh}{fmt(round(r.share_pct, 1))}%{_mark(r.to_confirm)}"
        f"（{'高于' if r.met else '未高于'}30%）"
        for r in d.industries
    )
    met = all(r.met for r in d.industries)
    text += (
        f"录入能效数据的生产线（机组）中{levels}{_mark(d.benchmark_to_confirm)}。"
        f"按行业计达到标杆水平的产能占比：{shares}。"
        f"{'各行业均已超过30%' if met else '尚有行业未超过30%'}。"
    )
    return [Paragraph(text)]


def _crosscheck(d: EnterpriseYear) -> list[Block]:
    head = "（五）清单与企业报告交叉核对。"
    if d.crosscheck is None:
        return [Paragraph(head + (d.crosscheck_reason or "本年度尚无清单结果，本部分尚无数据。"))]
    if not d.crosscheck:
        return [Paragraph(head + "清单能源活动和工业生产过程中尚无可对比的类别。")]
    text = (
        head + f"将{d.year}年度企业报告的直接排放按排放源归入清单类别（燃料燃烧按行业归入能源"
        "工业或制造业，熟料、合成氨、甲醇等生产过程归入工业生产过程，外购电力和热力属间接排放"
        "不参与对比），与清单相应类别的二氧化碳排放量的对比见{表:enterprise-crosscheck}。类别与国民经济行业的对应关系"
        "待确认。"
    )
    if d.indirect_tco2:
        text += f"未参与对比的净购入电力和热力排放{_t(d.indirect_tco2)}吨。"
    if d.unplaced_tco2:
        text += f"另有{_t(d.unplaced_tco2)}吨工业过程排放无法归入清单类别，未计入。"
    rows = tuple(
        (
            Cell(f"{r.code} {r.title_zh}"),
            Cell(_t(r.inventory_tco2), num=True, value=r.inventory_tco2),
            Cell(_t(r.enterprise_tco2), num=True, value=r.enterprise_tco2),
            Cell(_t(r.difference), num=True, value=r.difference),
            Cell(
                "" if r.share_pct is None else f"{fmt(round(r.share_pct, 1))}%",
                num=True,
                value=r.share_pct,
            ),
            Cell(BASIS_ZH.get(r.basis, r.basis)),
        )
        for r in d.crosscheck
    )
    table = Table(
        (
            "清单类别",
            "清单（tCO2）",
            "企业报告合计（tCO2）",
            "差额（tCO2）",
            "企业占比",
            "企业数据",
        ),
        rows,
        caption=f"{d.year}年清单与企业报告二氧化碳排放量对比",
        widths=(3.2, 1.4, 1.6, 1.4, 1.0, 1.2),
        label="enterprise-crosscheck",
    )
    return [Paragraph(text), table]


def enterprises_blocks(data: EnterpriseYear | None = None) -> list[Block] | None:
    """Section 六 from ``data``; None (the report says 该部分尚无数据) without any."""
    if data is None:
        return None
    blocks: list[Block] = []
    for part in (_reports, _screening, _compliance, _benchmarks, _crosscheck):
        blocks += part(data)
    if data.to_confirm_documents:
        blocks.append(
            Paragraph(
                "注：标注“待确认”的数字使用了尚待与官方文件核对的缺省值或对应关系，涉及："
                + "；".join(data.to_confirm_documents)
                + "。"
            )
        )
    return blocks


def documents(cites: Sequence[str]) -> tuple[str, ...]:
    """Each document once, in the order first seen (the note under the section)."""
    return tuple(dict.fromkeys(c for c in cites if c))
