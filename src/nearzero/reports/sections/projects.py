"""The annual report's 重点工程进展 (key projects) section: Chinese prose and the progress table
from plain data (:class:`ProjectLine` per project, the grid factor used); the data is gathered
by :func:`nearzero.services.projects.report_blocks`.

Expected reductions are annual amounts [t CO2/a]; the grid factor is [t CO2/MWh].
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nearzero.formatting import fmt
from nearzero.indicators.choices import Status
from nearzero.projects.choices import Stage
from nearzero.projects.parameters import Parameter
from nearzero.reports.model import Block, Cell, Paragraph, Table

HEADERS = (
    "序号",
    "类别",
    "项目名称",
    "项目内容",
    "完成日期",
    "进展",
    "完成比例",
    "预计年减排量（吨CO2）",
    "责任部门",
)
WIDTHS = (2, 4, 7, 16, 4, 3.5, 3, 5, 6)

#: A project's stage coloured like an indicator status in the report's tables.
STAGE_STATUS = {
    Stage.DONE: Status.MET,
    Stage.LATE: Status.NOT_MET,
    Stage.UNDER_WAY: Status.NEEDS_ASSESSMENT,
}


@dataclass(frozen=True)
class ProjectLine:
    """One key project as the report shows it.

    stage, percent : the project's stage and completion [%] on the report's date.
    reduction_t : the expected annual reduction when computed and counted [t CO2/a], else None.
    captured_t : CO2 captured but not counted as a reduction (CCU) [t CO2/a], else None.
    missing_zh : what keeps the reduction from being computed, e.g.
        ``年利用小时数（gas_chp_full_load_hours）``; empty when nothing is missing.
    """

    number: int
    category_zh: str
    name_zh: str
    content_zh: str
    due_text: str
    stage: Stage
    percent: int
    reduction_t: float | None
    captured_t: float | None
    missing_zh: str
    departments_zh: tuple[str, ...]


_IDENTIFIER = re.compile(r"（[A-Za-z][A-Za-z0-9_.]*）")


def plain(text: str) -> str:
    """``text`` without the parameter keys the system names in brackets:
    ``年利用小时数（gas_chp_full_load_hours）`` → ``年利用小时数`` (a document for the province
    names what is missing, not where the system keeps it)."""
    return _IDENTIFIER.sub("", text)


def _amount(line: ProjectLine) -> Cell:
    if line.reduction_t is not None:
        return Cell(fmt(line.reduction_t), num=True, value=line.reduction_t)
    if line.missing_zh:
        return Cell("未量化（缺" + plain(line.missing_zh) + "）")
    if line.captured_t is not None:
        return Cell(f"捕集{fmt(line.captured_t)}（未计入）")
    return Cell("—")


def _row(line: ProjectLine) -> tuple[Cell, ...]:
    return (
        Cell(str(line.number)),
        Cell(line.category_zh),
        Cell(line.name_zh),
        Cell(line.content_zh),
        Cell(line.due_text),
        Cell(line.stage.label_zh, status=STAGE_STATUS.get(line.stage)),
        Cell(f"{line.percent}%", num=True),
        _amount(line),
        Cell("、".join(line.departments_zh)),
    )


def blocks(lines: Sequence[ProjectLine], as_of: dt.date, grid: Parameter) -> list[Block]:
    """The section: how many projects are at each stage on ``as_of``, the progress table, the
    expected reductions with the grid factor ``grid`` [t CO2/MWh], and what is missing."""
    stages: dict[str, int] = {}
    for line in lines:
        stages[line.stage.label_zh] = stages.get(line.stage.label_zh, 0) + 1
    counts = "，".join(f"{label}{n}项" for label, n in stages.items())
    day = f"{as_of.year}年{as_of.month}月{as_of.day}日"
    out: list[Block] = [
        Paragraph(f"实施方案列出重点工程{len(lines)}项。截至{day}，{counts}。"),
        Table(
            HEADERS,
            tuple(_row(line) for line in lines),
            f"重点工程进展（截至{day}）",
            WIDTHS,
            group_first=False,
            wide=True,
        ),
    ]
    quantified = [line for line in lines if line.reduction_t is not None]
    if quantified:
        total = sum(line.reduction_t or 0 for line in quantified)
        listed = "、".join(f"{line.number}号{fmt(line.reduction_t)}吨" for line in quantified)
        out.append(
            Paragraph(
                f"已量化预计年减排量的工程{len(quantified)}项，合计{fmt(total)}吨CO2/年（{listed}）；"
                f"电网排放因子取{grid.year}年华北区域{fmt(grid.value)}吨CO2/兆瓦时"
                f"（{grid.source}），光伏年利用小时数缺省值的来源与核实状态见各工程页面。"
            )
        )
    missing = [line for line in lines if line.missing_zh]
    if missing:
        listed = "；".join(f"{line.number}号缺{plain(line.missing_zh)}" for line in missing)
        out.append(Paragraph(f"尚不能量化（或计入）减排量的工程{len(missing)}项：{listed}。"))
    return out
