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

#: The other entries of a project's figures with zh/en labels.
FIGURE_ENTRY_LABELS: dict[str, tuple[str, str]] = {
    "kind": ("类型", "Type"),
    "use": ("用途", "Use"),
    "source": ("来源", "Source"),
    "note": ("备注", "Note"),
}

#: How a figure's unit shows where its code is a word (``dimensionless``, ``hectare``), as
#: zh/en; an empty text shows no unit after the number.
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "dimensionless": ("", ""),
    "hectare": ("公顷", "ha"),
}


def amount_text(value: float, unit: str, lang: str = "zh") -> str:
    """A number with its unit as a page in ``lang`` shows it (``0.01``, ``5500 公顷``)."""
    zh, en = UNIT_LABELS.get(unit, (unit, unit))
    shown = en if lang == "en" else zh
    return f"{value:g} {shown}" if shown else f"{value:g}"


#: The verification status of a parameter (``verified`` …) with zh/en labels.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "verified": ("已核实", "verified"),
    "to_confirm": ("待核实", "to confirm"),
    "project": ("本工程数据", "project figure"),
    "local": ("本地数据", "local"),
}

#: Equations whose text holds words, in Chinese (the others are symbols only).
EQUATION_ZH: dict[str, str] = {
    "E = P × h × EF_grid (or EG × EF_grid)": "E = P × h × EF_grid（或 EG × EF_grid）",
    "captured = C; avoided = C × f_perm": "捕集量 = C；减排量 = C × f_perm",
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

#: The caveats that name parameters as a page shows them (zh, en): by their names and the
#: Chinese source, not their ids (:data:`CAVEAT_TEXTS` keep the ids for the JSON output and the
#: CLI).
CAVEAT_PAGE_TEXTS: dict[str, tuple[str, str]] = {
    "proxy": (
        "{preferred_zh}尚无确认值：暂以{candidate_zh} = {amount_zh}（{source_zh}）代替；"
        "录入本项目的{figure_zh}即可替换",
        "{preferred_en} has no confirmed value: {candidate_en} = {amount_en} ({source}) is "
        "used as a proxy; enter the project's own {figure_en} to replace it",
    ),
    "to_confirm": (
        "{name_zh} = {amount_zh} 为待核实值（来源：{source_zh}）",
        "{name_en} = {amount_en} is still to confirm against {source}",
    ),
    "avoided_share_unknown": (
        "永久封存比例未知（缺{parameter_zh}），未计入减排",
        "avoided share unknown ({parameter_en} has no confirmed value), not counted",
    ),
    "default_waste_composition": (
        "",  # the Chinese names the figure already
        "EF_fossil from IPCC default MSW composition (China) and Table 2.4 carbon, not the "
        "plant's own waste analysis; enter the Fossil CO2 per tonne of waste to replace it",
    ),
}

#: What an expected reduction does not cover or leans on, by code, as (zh, en) templates
#: filled with :meth:`str.format` (see :func:`nearzero.projects.reduction.caveat`).
CAVEAT_TEXTS: dict[str, tuple[str, str]] = {
    "proxy": (
        "{preferred}尚无确认值：暂以{candidate} = {value} {unit}（{source}）代替；"
        "录入本项目的{figure_zh}即可替换",
        "{preferred} has no confirmed value: {candidate} = {value} {unit} ({source}) is used "
        "as a proxy; enter the project's own {figure} to replace it",
    ),
    "to_confirm": (
        "{id} = {value} {unit} 为待确认值（来源：{source}）",
        "{id} = {value} {unit} is to_confirm: {note}",
    ),
    "storage_renewable_only": (
        "仅计入储能使电网多消纳的可再生能源电量（无默认值）",
        "counts only renewable electricity the storage lets the grid take (no default)",
    ),
    "chp_electricity_only": (
        "仅计发电侧；热电联产机组的供热未计入",
        "electricity side only; heat supplied by the CHP units is not credited",
    ),
    "landfill_methane": ("未计入避免的填埋甲烷排放", "landfill methane avoided is not credited"),
    "default_waste_composition": (
        "化石源排放因子EF_fossil取IPCC中国城市生活垃圾默认成分和表2.4含碳参数，"
        "并非本厂的垃圾成分分析；录入“每吨垃圾化石源CO2”即可替换",
        "EF_fossil from IPCC default MSW composition (China) and Table 2.4 carbon, not the "
        "plant's own waste analysis; enter fossil_co2_per_t to replace it",
    ),
    "removal_reversible": (
        "属于碳汇清除量，林木损失时可逆转",
        "a removal, reversible if the trees are lost",
    ),
    "design_capacity": (
        "捕集量为设计能力，并非实测产量",
        "captured tonnes are the design capacity, not measured output",
    ),
    "ccu_urea": (
        "用于生产尿素的CO2在尿素施用时重新释放（IPCC 2006 第4卷第11章 尿素施用）："
        "只是捕集，不是清除",
        "CO2 used for urea is released when the urea is applied (IPCC 2006 Vol 4 Ch 11, urea "
        "application): captured, not removed",
    ),
    "ccu_liquid_co2": (
        "作为液体二氧化碳外售的CO2大多在使用后释放：只是捕集，不是清除",
        "liquid CO2 sold to industry is mostly released after use: captured, not removed",
    ),
    "avoided_share_unknown": (
        "永久封存比例未知（缺{parameter}），未计入减排",
        "avoided share unknown, not counted: {reason}",
    ),
}
