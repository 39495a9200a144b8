"""The annual report's 碳普惠 (carbon inclusion) section: Chinese prose and tables from plain
data (:class:`YearFigures`, :class:`RulesSummary`); the figures are gathered by
:mod:`nearzero.services.inclusion.report`.

Reductions are given in tonnes of CO2e exact to the gram [t CO2e = 10⁶ g].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.reports.model import Block, Cell, Paragraph, Table

INDICATOR_CODE = "6"
"""The plan's indicator 6 (开展碳普惠相关应用场景): the live scenarios of the year."""


@dataclass
class YearFigures:
    """A unit's carbon-inclusion figures for one year (by the local day of the behaviour).

    partners : partners registered for the unit.
    participants : rows ``{scenario, participants, records, grams}`` (``scenario == "all"``
        counts each resident once) [g CO2e].
    outcomes : outcome (``accepted`` or a reason code) → records.
    reductions : rows ``{methodology_id, methodology_version, scenario, records, grams,
        computed_grams}`` [g CO2e].
    pooled_g : reductions pooled by the department in the year [g CO2e].
    pooled_transactions : ledger transactions behind them.
    live : scenario → records credited, for the scenarios live in the year (indicator 6).
    """

    year: int
    partners: int
    participants: list[dict[str, Any]]
    outcomes: dict[str, int]
    reductions: list[dict[str, Any]]
    pooled_g: int
    pooled_transactions: int
    live: dict[str, int]

    @property
    def records(self) -> int:
        return sum(self.outcomes.values())

    @property
    def accepted(self) -> int:
        return self.outcomes.get("accepted", 0)

    @property
    def credited_g(self) -> int:
        """Reductions credited in the year [g CO2e]."""
        return sum(int(r["grams"] or 0) for r in self.reductions)

    @property
    def residents(self) -> int:
        return next(
            (int(r["participants"]) for r in self.participants if r["scenario"] == "all"), 0
        )


@dataclass(frozen=True)
class ScenarioMethodology:
    """The methodology a scenario uses (``ref``: ``id@version``) and the values it lacks.

    title_zh : the methodology's title, which the report names it by (the ref is internal).
    missing_zh : the missing values by their labels, in the order of ``missing``.
    """

    scenario: Scenario
    ref: str
    missing: tuple[str, ...] = ()
    title_zh: str = ""
    missing_zh: tuple[str, ...] = ()

    @property
    def named(self) -> str:
        """The methodology as the report names it: its title and version, not its id."""
        if not self.title_zh:
            return "所选方法学"
        version = self.ref.rpartition("@")[2]
        if not version or version == self.ref:
            return f"《{self.title_zh}》"
        shown = "草案" if "draft" in version.lower() else f"{version}版"
        return f"《{self.title_zh}》（{shown}）"

    @property
    def lacking(self) -> tuple[str, ...]:
        """What it lacks, by label where known."""
        if len(self.missing_zh) == len(self.missing):
            return self.missing_zh
        return tuple("参数" if not name.isascii() else name for name in self.missing)


@dataclass(frozen=True)
class RulesSummary:
    """The platform rules in force at the end of the year.

    origin : ``saved`` (the office's), ``bundled`` (the shipped default) or ``none``.
    saved_on : the day the office saved them (``saved`` only).
    methodologies : the methodology chosen per scenario.
    unset : the dotted keys of the rules not set yet (``caps.total``, ``points_valid_months`` …).
    """

    origin: str
    saved_on: date | None = None
    methodologies: tuple[ScenarioMethodology, ...] = ()
    unset: tuple[str, ...] = field(default_factory=tuple)


def tonnes(grams: int | None) -> str:
    """Grams as tonnes of CO2e, exact to the gram (six decimals, thousands separated)."""
    return f"{(grams or 0) / 1_000_000:,.6f}"


def scenario_zh(code: Any) -> str:
    """The Chinese label of a scenario code; ``all`` is the de-duplicated total."""
    if code == "all":
        return "合计（去重）"
    try:
        return Scenario(str(code)).label_zh
    except ValueError:
        return str(code)


def outcome_zh(code: str) -> str:
    """受理入账 or 拒绝：{the reason's label}."""
    if code == "accepted":
        return "受理入账"
    try:
        return f"拒绝：{ReasonCode(code).label_zh}"
    except ValueError:
        return f"拒绝：{code}"


RULE_KINDS_ZH: Mapping[str, str] = {
    "methodologies": "场景方法学",
    "plausibility": "合理性范围",
    "caps": "积分上限",
    "claim_window_days": "补报时限",
    "points_valid_months": "积分有效期",
}


def rules_paragraph(rules: RulesSummary) -> Paragraph:
    """Whose platform rules apply, the methodology version per scenario, what they lack."""
    origin = {
        "saved": f"专班保存的平台规则（{rules.saved_on:%Y-%m-%d}）" if rules.saved_on else "",
        "bundled": "系统默认的平台规则（专班尚未保存本区版本）",
        "none": "尚无平台规则",
    }[rules.origin]
    chosen = [
        f"{r.scenario.label_zh}采用{r.named}"
        + (f"（缺{'、'.join(r.lacking)}取值，暂不能入账）" if r.missing else "")
        for r in rules.methodologies
    ]
    kinds = "、".join(dict.fromkeys(RULE_KINDS_ZH[key.split(".")[0]] for key in rules.unset))
    left = f"尚未设定的平台规则{len(rules.unset)}项（{kinds}）。" if rules.unset else ""
    return Paragraph(f"适用{origin}：{'；'.join(chosen) or '未选定任何方法学'}。{left}")


def _indicator_paragraph(figures: YearFigures, indicator_name: str | None) -> Paragraph:
    ind_text = (
        f"指标{INDICATOR_CODE}“{indicator_name}”"
        if indicator_name
        else f"指标{INDICATOR_CODE}（碳普惠应用场景）"
    )
    if not figures.live:
        return Paragraph(f"{ind_text}：{figures.year}年已上线场景0个。")
    live = "、".join(Scenario(s).label_zh for s in sorted(figures.live))
    return Paragraph(f"{ind_text}：{figures.year}年已上线场景{len(figures.live)}个（{live}）。")


def _participants_table(figures: YearFigures) -> Table:
    rows = sorted(figures.participants, key=lambda r: (r["scenario"] == "all", r["scenario"]))
    people = tuple(
        (
            Cell(scenario_zh(r["scenario"])),
            Cell(f"{int(r['participants']):,}", num=True),
            Cell(f"{int(r['records']):,}", num=True),
            Cell(tonnes(r["grams"]), num=True, value=(r["grams"] or 0) / 1e6),
        )
        for r in rows
    )
    return Table(
        ("场景", "参与人数", "入账记录（条）", "减排量（吨CO2e）"),
        people,
        f"{figures.year}年碳普惠参与情况",
        (4, 3, 3, 4),
    )


def _outcomes_table(figures: YearFigures) -> Table:
    counts = figures.outcomes
    order = sorted(counts, key=lambda k: (k != "accepted", -counts[k], k))
    judged: list[tuple[Cell, ...]] = [
        (Cell(outcome_zh(k)), Cell(f"{counts[k]:,}", num=True)) for k in order
    ]
    judged.append((Cell("合计"), Cell(f"{figures.records:,}", num=True)))
    return Table(
        ("受理结果", "记录数（条）"),
        tuple(judged),
        f"{figures.year}年碳普惠记录受理情况",
        (6, 3),
    )


def _methodology_name(row: Mapping[str, Any], rules: RulesSummary) -> str:
    """A methodology by its title and version (the id is internal), from the rules in force;
    one no longer in force by its scenario."""
    ref = f"{row['methodology_id']}@{row['methodology_version']}"
    chosen = next((m for m in rules.methodologies if m.ref == ref), None)
    if chosen is not None and chosen.title_zh:
        return chosen.named
    return f"{scenario_zh(row['scenario'])}方法学（{row['methodology_version']}版）"


def _methodologies_table(figures: YearFigures, rules: RulesSummary) -> Table:
    methods: list[tuple[Cell, ...]] = [
        (
            Cell(_methodology_name(r, rules)),
            Cell(scenario_zh(r["scenario"])),
            Cell(f"{int(r['records']):,}", num=True),
            Cell(tonnes(r["grams"]), num=True, value=(r["grams"] or 0) / 1e6),
            Cell(tonnes(r["computed_grams"]), num=True),
        )
        for r in figures.reductions
    ]
    methods.append(
        (
            Cell("合计"),
            Cell(""),
            Cell(f"{figures.accepted:,}", num=True),
            Cell(tonnes(figures.credited_g), num=True),
            Cell(""),
        )
    )
    return Table(
        (
            "方法学（版本）",
            "场景",
            "记录数（条）",
            "入账减排量（吨CO2e）",
            "方法学计算值（吨CO2e）",
        ),
        tuple(methods),
        f"{figures.year}年按方法学统计的碳普惠减排量",
        (6, 3, 3, 4, 4),
    )


def inclusion_blocks(
    figures: YearFigures, indicator_name: str | None, rules: RulesSummary
) -> list[Block]:
    """The 碳普惠 section: participants, records accepted and rejected by reason, reductions
    by methodology [t CO2e], the reductions pooled by the department, indicator 6 (live
    scenarios) and the platform rules; a year without records says so in words."""
    year = figures.year
    live_text = _indicator_paragraph(figures, indicator_name)
    rules_text = rules_paragraph(rules)
    if figures.records == 0:
        return [
            Paragraph(
                f"{year}年碳普惠平台（已登记合作方{figures.partners}家）未收到行为记录，"
                "没有入账的减排量，也没有归集的减排量。"
            ),
            live_text,
            rules_text,
        ]
    rejected = figures.records - figures.accepted
    return [
        Paragraph(
            f"{year}年，碳普惠平台共收到{figures.partners}家合作方报送的行为记录"
            f"{figures.records:,}条，受理入账{figures.accepted:,}条，拒绝{rejected:,}条；"
            f"参与居民{figures.residents:,}人；入账减排量合计{tonnes(figures.credited_g)}"
            "吨二氧化碳当量。"
        ),
        Paragraph(
            f"归集至生态环境部门账户的减排量{tonnes(figures.pooled_g)}吨二氧化碳当量"
            f"（减排量支配权保留在生态环境部门），对应{figures.pooled_transactions:,}笔账本交易，"
            "每笔可追溯至行为记录及所用方法学版本。"
        ),
        live_text,
        rules_text,
        _participants_table(figures),
        _outcomes_table(figures),
        _methodologies_table(figures, rules),
    ]
