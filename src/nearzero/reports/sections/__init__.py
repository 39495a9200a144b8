"""The annual evaluation report's sections, in the plan's order, as pure functions of plain data.

:data:`SECTIONS` is the one explicit list: each entry names its key, its Chinese title and the
function that writes it from :class:`ReportData`. :mod:`nearzero.services.report` gathers the
data (the year's evaluation, the office's texts, and the blocks the other capabilities
contribute through their services' ``report_blocks``) and numbers the sections 一、二、….

A section whose function returns None (or nothing) is printed as “该部分尚无数据”.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from nearzero.reports.model import Block, Progress, no_progress
from nearzero.reports.sections.editable import EDITABLE, editable_blocks
from nearzero.reports.sections.indicators import (
    Evaluation,
    acceptance_blocks,
    indicator_blocks,
    overview,
)

__all__ = ["CONTRIBUTED", "EDITABLE", "SECTIONS", "ReportData", "SectionSpec"]


@dataclass(frozen=True)
class ReportData:
    """What the sections are written from.

    evaluation : the year's indicators, task targets and acceptance counts.
    texts : the office's texts by editable section key.
    contributed : blocks by section key from the capabilities that contribute one (None
        where a capability has nothing for the year).
    progress : told as the charts are drawn.
    """

    evaluation: Evaluation
    texts: Mapping[str, str] = field(default_factory=dict)
    contributed: Mapping[str, list[Block] | None] = field(default_factory=dict)
    progress: Progress = no_progress


Writer = Callable[[ReportData], list[Block] | None]


@dataclass(frozen=True)
class SectionSpec:
    """One section: its key, its title without the numeral, and the function that writes it.

    contributed : written by another capability's service (run apart, so that its failure
        does not stop the report). editable : written by the office.
    """

    key: str
    title_zh: str
    write: Writer
    contributed: bool = False
    editable: bool = False


def _contributed(key: str) -> Writer:
    def write(data: ReportData) -> list[Block] | None:
        return data.contributed.get(key)

    return write


def _editable(key: str) -> Writer:
    def write(data: ReportData) -> list[Block]:
        return editable_blocks(data.texts.get(key, ""))

    return write


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("overview", "总体情况", lambda d: overview(d.evaluation, d.progress)),
    SectionSpec("indicators", "指标完成情况", lambda d: indicator_blocks(d.evaluation, d.progress)),
    SectionSpec("acceptance", "验收条件", lambda d: acceptance_blocks(d.evaluation)),
    SectionSpec("inventory", "温室气体清单", _contributed("inventory"), contributed=True),
    SectionSpec("inclusion", "碳普惠", _contributed("inclusion"), contributed=True),
    SectionSpec("enterprises", "企业与“两高”项目", _contributed("enterprises"), contributed=True),
    SectionSpec("twohigh", "“两高”项目碳排放指标台账", _contributed("twohigh"), contributed=True),
    SectionSpec("projects", "重点工程进展", _contributed("projects"), contributed=True),
    SectionSpec("problems", EDITABLE["problems"], _editable("problems"), editable=True),
    SectionSpec("next_year", EDITABLE["next_year"], _editable("next_year"), editable=True),
)

#: The keys of the sections other capabilities write.
CONTRIBUTED = tuple(s.key for s in SECTIONS if s.contributed)
