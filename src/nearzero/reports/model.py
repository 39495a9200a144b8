"""The report as plain data: sections made of headings, paragraphs, tables and figures.

Every builder (Word, PDF, the web preview) renders these few block types, so a capability
contributes to the report by returning blocks, never by touching a file format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nearzero.indicators.choices import Status

Progress = Callable[[str, float], None]
"""``progress(step, fraction)``: a human-readable step and how far the build is, 0 to 1."""


def no_progress(step: str, fraction: float) -> None:
    """The default callback: report nothing."""


NO_DATA_ZH = "该部分尚无数据。"
NOT_WRITTEN_ZH = "（本部分尚未填写。）"


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section, e.g. （一）指标完成情况."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Cell:
    """A table cell; ``status`` colours it, ``num`` aligns it right, ``value`` is the raw number
    (written as a number in Excel)."""

    text: str
    status: Status | None = None
    num: bool = False
    value: float | None = None


@dataclass(frozen=True)
class Table:
    """A table with one header row.

    caption : the title without its number; :func:`numbered` adds 表1, 表2 … in document
        order, so every capability's tables can be combined in any order.
    label : the name paragraphs use to refer to it, as ``{表:label}`` (see :func:`numbered`).

    widths : relative column widths (any scale); empty for equal widths.
    group_first : merge runs of equal first-column cells, as the plan prints 类别.
    wide : set on a landscape page.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] = ()
    group_first: bool = False
    wide: bool = False
    label: str = ""

    def first_column_spans(self) -> list[int]:
        """Per row: how many rows its first cell spans (0 when merged into the row above)."""
        spans = [1] * len(self.rows)
        if not self.group_first:
            return spans
        start = 0
        for i in range(1, len(self.rows) + 1):
            if i == len(self.rows) or self.rows[i][0].text != self.rows[start][0].text:
                spans[start] = i - start
                for j in range(start + 1, i):
                    spans[j] = 0
                start = i
        return spans


class PendingImage(Protocol):
    """An image still being drawn (in a worker process, :mod:`nearzero.reports.offload`)."""

    def result(self) -> bytes: ...


@dataclass(frozen=True)
class Figure:
    """A chart as PNG bytes, or an image still being drawn, with its caption (numbered 图1,
    图2 … by :func:`numbered`) and ``label`` (referred to as ``{图:label}``); ``width_cm`` on
    the page."""

    image: bytes | PendingImage
    caption: str
    width_cm: float = 15.0
    label: str = ""

    @property
    def png(self) -> bytes:
        """The PNG bytes, waiting for the drawing if it is not done."""
        return self.image if isinstance(self.image, bytes) else self.image.result()


Block = Heading | Paragraph | Table | Figure


@dataclass
class Section:
    """One numbered section. ``blocks`` is empty when the capability has no data yet."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    editable: bool = False

    @property
    def empty(self) -> bool:
        return not self.blocks

    @property
    def wide(self) -> bool:
        """Set on landscape pages: it holds a wide table."""
        return any(isinstance(b, Table) and b.wide for b in self.blocks)


@dataclass(frozen=True)
class BuiltFile:
    """A finished document: its file name, media type and bytes."""

    filename: str
    media_type: str
    data: bytes


@dataclass
class Report:
    """The annual evaluation report of one unit for one year."""

    unit_code: str
    unit_name: str
    year: int
    title: str
    office: str
    date: dt.date
    plan: str
    sections: list[Section]

    @property
    def stem(self) -> str:
        """A file name without suffix, e.g. ``济南市章丘区_2022年度评估报告``."""
        return f"{self.unit_name}_{self.year}年度评估报告"


_REFERENCE = re.compile(r"\{(表|图):([^{}]+)\}")


def numbered(sections: Sequence[Section]) -> list[Section]:
    """The sections with every captioned table and figure numbered in document order
    (表1, 表2 …; 图1, 图2 …, as Chinese reports number them) and each reference ``{表:label}``
    or ``{图:label}`` in a paragraph replaced by that number.

    Raises ValueError for a reference to a label the document does not hold: a paragraph must
    never point at a table that is not there.
    """
    counters = {"表": 0, "图": 0}
    names: dict[tuple[str, str], str] = {}
    out: list[Section] = []
    for section in sections:
        blocks: list[Block] = []
        for block in section.blocks:
            if isinstance(block, Table | Figure) and block.caption:
                kind = "表" if isinstance(block, Table) else "图"
                counters[kind] += 1
                name = f"{kind}{counters[kind]}"
                if block.label:
                    names[(kind, block.label)] = name
                block = dataclasses.replace(block, caption=f"{name}  {block.caption}")
            blocks.append(block)
        out.append(dataclasses.replace(section, blocks=blocks))

    def resolve(match: re.Match[str]) -> str:
        key = (match.group(1), match.group(2))
        if key not in names:
            raise ValueError(
                f"reference {match.group(0)} to a {key[0]} this document does not hold"
            )
        return names[key]

    for section in out:
        section.blocks = [
            Paragraph(_REFERENCE.sub(resolve, b.text)) if isinstance(b, Paragraph) else b
            for b in section.blocks
        ]
    return out
