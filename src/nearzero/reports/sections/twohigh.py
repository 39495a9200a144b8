"""Section “两高”项目碳排放指标台账: indicator 4 from the ledger, the ledger's balance by
dimension, and every project's requirement traced to its sources, worded from plain data.

:func:`nearzero.services.twohigh.report_blocks` gathers a :class:`TwoHighYear`; the text
names no internal identifier (source and project are given by name), flags every ratio still
to be confirmed (“待确认”), and says plainly when there is nothing to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nearzero.formatting import fmt
from nearzero.reports.model import Block, Cell, Paragraph, Table

TO_CONFIRM_MARK = "（待确认）"


@dataclass(frozen=True)
class BalanceRow:
    """One dimension of the ledger [whole ledger units]."""

    dimension_zh: str
    unit: str
    deposited: int
    banked: int
    reserved: int
    allocated: int
    retired: int


@dataclass(frozen=True)
class TraceRow:
    """One project's requirement in one dimension and where it came from."""

    project_zh: str
    firm_zh: str
    stage_zh: str
    dimension_zh: str
    new_amount: Decimal
    entry_unit: str
    ratio_text: str
    ratio_document: str
    to_confirm: bool
    required: int
    substituted: int
    unit: str
    sources_zh: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class TwoHighYear:
    """What the section is written from. share : indicator 4 [%] (None: no project going
    ahead); counted, substituted : projects."""

    counted: int
    substituted: int
    share: Decimal | None
    balance: tuple[BalanceRow, ...]
    traces: tuple[TraceRow, ...]
    undecided_zh: tuple[str, ...]


def twohigh_blocks(data: TwoHighYear) -> list[Block] | None:
    """The section's blocks; None when there is no project and no source (该部分尚无数据)."""
    if not data.traces and not data.balance and not data.undecided_zh:
        return None
    blocks: list[Block] = []
    if data.share is None:
        blocks.append(
            Paragraph("本年度尚无已批准的新建“两高”项目，指标4（100%执行减量替代）无可统计项目。")
        )
    else:
        verdict = "完成" if data.substituted == data.counted else "未完成"
        blocks.append(
            Paragraph(
                f"指标4（“两高”项目碳排放减量替代，目标100%执行）：已批准、在建和投产的新建“两高”项目"
                f"{data.counted}个，其中{data.substituted}个已按应替代量落实替代源，"
                f"执行比例{fmt(float(data.share))}%，{verdict}。"
            )
        )
    if data.undecided_zh:
        blocks.append(Paragraph("尚未确定应替代量的项目：" + "、".join(data.undecided_zh) + "。"))
    if data.balance:
        blocks.append(
            Table(
                headers=("替代维度", "单位", "已收储", "可用", "预留", "已配置", "已注销"),
                rows=tuple(
                    (
                        Cell(b.dimension_zh),
                        Cell(b.unit),
                        *(
                            Cell(fmt(v), num=True)
                            for v in (b.deposited, b.banked, b.reserved, b.allocated, b.retired)
                        ),
                    )
                    for b in data.balance
                ),
                caption="碳排放指标台账余额（按替代维度）",
                widths=(3, 2, 2, 2, 2, 2, 2),
            )
        )
    if data.traces:
        blocks.append(
            Table(
                headers=(
                    "项目",
                    "阶段",
                    "替代维度",
                    "新增量",
                    "替代比例",
                    "应替代量",
                    "已落实",
                    "替代源",
                ),
                rows=tuple(
                    (
                        Cell(f"{t.project_zh}（{t.firm_zh}）"),
                        Cell(t.stage_zh),
                        Cell(t.dimension_zh),
                        Cell(f"{fmt(float(t.new_amount))} {t.entry_unit}", num=True),
                        Cell(f"{t.ratio_text}{TO_CONFIRM_MARK if t.to_confirm else ''}"),
                        Cell(f"{fmt(t.required)} {t.unit}", num=True),
                        Cell(f"{fmt(t.substituted)} {t.unit}", num=True),
                        Cell("；".join(f"{name} {fmt(a)}" for name, a in t.sources_zh) or "—"),
                    )
                    for t in data.traces
                ),
                caption="“两高”项目应替代量及替代源",
                widths=(5, 2, 2.5, 3, 2.5, 3, 3, 5),
                wide=True,
            )
        )
        documents = sorted({t.ratio_document for t in data.traces})
        blocks.append(Paragraph("替代比例依据：" + "；".join(documents) + "。"))
        if any(t.to_confirm for t in data.traces):
            blocks.append(
                Paragraph(
                    f"标注{TO_CONFIRM_MARK}的替代比例尚待与原文件核对，以省市主管部门最终口径为准。"
                )
            )
    return blocks
