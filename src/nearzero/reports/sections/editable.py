"""Sections 八 存在问题 and 九 下一年度工作安排: what the office wrote, one paragraph a line."""

from __future__ import annotations

from nearzero.reports.model import NOT_WRITTEN_ZH, Block, Paragraph

#: The sections the office writes, by key.
EDITABLE: dict[str, str] = {"problems": "存在问题", "next_year": "下一年度工作安排"}


def editable_blocks(body: str) -> list[Block]:
    """The office's text as paragraphs (blank lines dropped), or “本部分尚未填写”."""
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    return [Paragraph(line) for line in lines] or [Paragraph(NOT_WRITTEN_ZH)]
