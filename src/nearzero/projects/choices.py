"""Choices of the key-project tracker with zh/en labels and badge colours in one place."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where a project stands. ``late`` is computed (past due, not done), never reported."""

    PLANNED = "planned"
    UNDER_WAY = "under_way"
    DONE = "done"
    LATE = "late"

    @property
    def label_zh(self) -> str:
        return _ZH[self]

    @property
    def label_en(self) -> str:
        return _EN[self]

    @property
    def colour(self) -> str:
        return _COLOUR[self]


#: The stages a progress update may report.
REPORTABLE = (Stage.PLANNED, Stage.UNDER_WAY, Stage.DONE)

_ZH = {Stage.PLANNED: "未开工", Stage.UNDER_WAY: "实施中", Stage.DONE: "已完成", Stage.LATE: "逾期"}
_EN = {
    Stage.PLANNED: "planned",
    Stage.UNDER_WAY: "under way",
    Stage.DONE: "done",
    Stage.LATE: "late",
}
_COLOUR = {Stage.PLANNED: "grey", Stage.UNDER_WAY: "amber", Stage.DONE: "green", Stage.LATE: "red"}
