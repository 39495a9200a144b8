"""Choices of the indicator system, with their zh/en labels and badge colours in one place.

The labels follow the plan's own words (完成情况 完成 / 未完成; 约束指标 · 参考指标 · 特色指标).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Status of an indicator (or a part, or a task target) in one year."""

    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"
    NEEDS_ASSESSMENT = "needs_assessment"

    @property
    def label_zh(self) -> str:
        return _STATUS_ZH[self]

    @property
    def label_en(self) -> str:
        return _STATUS_EN[self]

    @property
    def colour(self) -> str:
        return _STATUS_COLOUR[self]


_STATUS_ZH = {
    Status.MET: "完成",
    Status.NOT_MET: "未完成",
    Status.NO_DATA: "无数据",
    Status.NEEDS_ASSESSMENT: "待评估",
}
_STATUS_EN = {
    Status.MET: "met",
    Status.NOT_MET: "not met",
    Status.NO_DATA: "no data",
    Status.NEEDS_ASSESSMENT: "needs assessment",
}
_STATUS_COLOUR = {
    Status.MET: "green",
    Status.NOT_MET: "red",
    Status.NO_DATA: "grey",
    Status.NEEDS_ASSESSMENT: "amber",
}


class Attribute(StrEnum):
    """指标属性: binding (约束), reference (参考) or featured (特色)."""

    BINDING = "binding"
    REFERENCE = "reference"
    FEATURED = "featured"

    @property
    def label_zh(self) -> str:
        return {"binding": "约束指标", "reference": "参考指标", "featured": "特色指标"}[self.value]

    @property
    def label_en(self) -> str:
        return {"binding": "binding", "reference": "reference", "featured": "featured"}[self.value]


class Basis(StrEnum):
    """How a status was reached: computed from figures, or the office's recorded assessment."""

    COMPUTED = "computed"
    ASSESSMENT = "assessment"
    NONE = "none"


class Trend(StrEnum):
    """Projection of the years on record to the target year."""

    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"

    @property
    def label_zh(self) -> str:
        return {"on_track": "按期可达", "off_track": "按期难达", "unknown": "无法预测"}[self.value]

    @property
    def label_en(self) -> str:
        return {"on_track": "on track", "off_track": "off track", "unknown": "unknown"}[self.value]
