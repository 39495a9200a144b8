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


#: A project's figures (see :data:`nearzero.projects.reduction.FIGURE_UNITS`) with zh/en labels,
#: in the order the figures form shows them.
FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "capacity": ("装机容量", "Capacity"),
    "full_load_hours": ("年利用小时数", "Full-load hours"),
    "generation": ("年发电量", "Annual generation"),
    "shifted_renewable": ("储能促进消纳的可再生能源电量", "Renewable energy the storage lets in"),
    "coal_efficiency": ("被替代燃煤机组供电效率", "Net efficiency of the coal units replaced"),
    "gas_efficiency": ("燃气机组发电效率", "Net efficiency of the gas units"),
    "captured": ("实际年捕集量", "CO2 captured per year (measured)"),
    "design_capacity": ("设计捕集能力", "Design capture capacity"),
    "permanent_share": ("永久封存比例", "Share kept permanently"),
    "net_export": ("年上网电量", "Net electricity exported"),
    "waste": ("年焚烧垃圾量", "Waste burnt per year"),
    "fossil_co2_per_t": ("每吨垃圾化石源CO2", "Fossil CO2 per tonne of waste"),
    "area": ("造林面积", "Area planted"),
    "sink_rate": ("单位面积年固碳量", "Sink rate"),
    "growth": ("地上生物量年增长量", "Above-ground biomass growth"),
    "root_shoot": ("根茎比", "Root-to-shoot ratio"),
}

#: Methods of reduction (``figures.kind``) with zh/en labels.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "pv": ("光伏发电", "Solar PV"),
    "storage": ("储能", "Storage"),
    "gas_chp": ("燃气机组替代燃煤", "Gas units replacing coal"),
    "ccu": ("二氧化碳捕集利用", "CO2 capture and use"),
    "waste_to_energy": ("垃圾焚烧发电", "Waste-to-energy"),
    "afforestation": ("造林碳汇", "Afforestation"),
}

#: End uses of captured CO2 (``figures.use``) with zh/en labels.
USE_LABELS: dict[str, tuple[str, str]] = {
    "urea": ("生产尿素", "Urea"),
    "liquid_co2": ("液体二氧化碳外售", "Liquid CO2 sold"),
}
