"""GHG inventory use cases: read activity files, compute, store runs, recalculate, feed
indicators, and the inventory page.

The numbers come from :mod:`nearzero.accounting` (Tier 1 defaults of the IPCC 2006 Guidelines
and 省级温室气体清单编制指南（试行）, Tier 2 where the unit adds local factors). This module
reads files into the core's rows, keeps the unit's activity data sets, local factors and runs
through :mod:`nearzero.store.inventory`, and writes the inventory-derived indicators 1, 2, 3
and 13 (formulas in :mod:`nearzero.accounting.indicators`) through
:func:`nearzero.services.indicators.set_value` when the office asks for it.

A run stores its result as the ``nearzero.inventory.result/1`` document
(:mod:`nearzero.accounting.codec`, docs/json.md), so a stored figure keeps the factors, file
versions and GWP set that produced it.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.orm import Session

from nearzero.accounting.activity import (
    EXAMPLE,
    bundled_example,
    parse_activity,
    write_template,
)
from nearzero.accounting.categories import Sector, UnknownCategory, category_title
from nearzero.accounting.codec import (
    change_to_dict,
    result_from_dict,
    result_to_dict,
    stable,
)
from nearzero.accounting.factors import (
    FactorLibrary,
    FactorRecord,
    default_library,
    local_factor,
)
from nearzero.accounting.gwp import GAS_GROUPS, GWP_SETS
from nearzero.accounting.indicators import indicator_values
from nearzero.accounting.inventory import InventoryResult, recalculation
from nearzero.accounting.model import ActivityError
from nearzero.reports.inventory_tables import (
    WAN,
    build_docx,
    build_xlsx,
    category_table,
    notation_table,
    sector_gas_table,
    summary_tables,
)
from nearzero.reports.model import Block, BuiltFile, Table
from nearzero.reports.sections.inventory import inventory_blocks
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.indicators import ValueInput, evaluation_year, set_value
from nearzero.services.inventory_files import (
    DEFAULT_GWP as DEFAULT_GWP,
    EXAMPLE_LABEL_ZH as EXAMPLE_LABEL_ZH,
    FORMATS as FORMATS,
    MAX_FILE_BYTES as MAX_FILE_BYTES,
    Activity as Activity,
    Analysis as Analysis,
    analyse as analyse,
    compute as compute,
    only_year as only_year,
    read_activity as read_activity,
    read_facility_columns as read_facility_columns,
)
from nearzero.services.inventory_names import (
    FactorLine,
    InventoryNames,
    names_for,
    notation_table_in,
    page_notes,
    parameter_names,
)
from nearzero.store import inventory as store, tables as m
from nearzero.store.base import utcnow
from nearzero.store.tables.inventory import InventoryDataset, InventoryFactor, InventoryRun
from nearzero.units import UnitError, parse_unit

# --------------------------------------------------------------------------- stored data


def _admin(actor: Actor, what: str, what_zh: str) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            f"只有专班办公室可以{what_zh} — only the working-group office {what}"
        )


def local_factors(session: Session, unit: m.DemoUnit) -> list[InventoryFactor]:
    return store.local_factors(session, unit.id)


def _record(f: InventoryFactor) -> FactorRecord:
    return local_factor(
        f.factor_id,
        f.parameter,
        f.subject,
        f.value,
        f.unit,
        f.source,
        year=f.year,
        uncertainty_pct=f.uncertainty_pct,
        note=f.note,
    )


def library_for(session: Session, unit: m.DemoUnit) -> FactorLibrary:
    """The default library with the unit's local factors on top (Tier 2 overlay)."""
    return default_library().overlay(_record(f) for f in local_factors(session, unit))


def datasets(session: Session, unit: m.DemoUnit) -> list[InventoryDataset]:
    return store.datasets(session, unit.id)


def dataset(session: Session, unit: m.DemoUnit, year: int) -> InventoryDataset:
    row = store.dataset(session, unit.id, year)
    if row is None:
        raise NotFound(
            f"year: {unit.name_zh}没有{year}年的清单活动水平数据 — "
            f"no inventory activity data of {unit.name_zh} for {year}"
        )
    return row


def years(session: Session, unit: m.DemoUnit) -> list[int]:
    """Inventory years with activity data on record."""
    return store.dataset_years(session, unit.id)


def activity_of(ds: InventoryDataset, factors: FactorLibrary) -> Activity:
    """The stored document parsed again (it was valid when stored; factors may have changed)."""
    try:
        rows, metadata = parse_activity(ds.document, factors)
    except ActivityError as exc:
        raise InvalidInput(
            f"activity: 已存的{ds.year}年活动水平数据有误 — "
            f"stored activity data of {ds.year}: {exc}"
        ) from None
    return Activity(rows, metadata, ds.document)


def latest_run(
    session: Session, unit: m.DemoUnit, year: int, gwp_set: str = DEFAULT_GWP
) -> InventoryRun | None:
    return store.latest_run(session, unit.id, year, gwp_set)


def runs(session: Session, unit: m.DemoUnit, year: int | None = None) -> list[InventoryRun]:
    """Runs of the unit (of one year), newest first."""
    return store.runs(session, unit.id, year)


def run_year(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    year: int,
    gwp_set: str = DEFAULT_GWP,
    reason: str = "",
    factors: FactorLibrary | None = None,
) -> InventoryRun:
    """Compute ``year`` from its stored data with the unit's library and store the run, with
    what changed against the previous run of the same year and GWP set."""
    ds = dataset(session, unit, year)
    library = factors or library_for(session, unit)
    result = stable(compute(activity_of(ds, library), library, gwp_set, year))
    previous = latest_run(session, unit, year, gwp_set)
    changes = None
    if previous is not None:
        old = result_from_dict(previous.result)
        changed = recalculation({year: old}, {year: result})
        changes = {"previous_run": previous.id, "changes": [change_to_dict(c) for c in changed]}
    run = InventoryRun(
        unit_id=unit.id,
        dataset_id=ds.id,
        year=year,
        gwp_set=gwp_set,
        factor_versions={f.file: f.version for f in result.lineage.factor_refs},
        result=result_to_dict(result),
        changes=changes,
        reason=reason[:300],
        created_by=actor.username,
    )
    store.save(session, run)
    return run


def load_dataset(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    name: str,
    data: bytes,
    year: int,
    example: bool = False,
    max_bytes: int | None = MAX_FILE_BYTES,
) -> InventoryRun:
    """Store the activity data of ``year`` from a file (replacing that year's) and compute it.

    Only the office loads data. A file with any bad row is rejected whole: nothing is written.
    ``max_bytes`` bounds an upload (None: a local file read by the CLI).
    """
    _admin(actor, "loads inventory activity data", "载入清单活动水平数据")
    if not unit.base_year - 30 <= year <= unit.target_year + 10:
        lo, hi = unit.base_year - 30, unit.target_year + 10
        raise InvalidInput(
            f"year: 年份应在{lo}至{hi}之间，而不是{year} — {year} is outside {lo}–{hi}"
        )
    library = library_for(session, unit)
    activity = only_year(read_activity(name, data, library, max_bytes), year)
    existing = store.dataset(session, unit.id, year)
    sha = hashlib.sha256(data).hexdigest()
    old = (
        {"source_name": existing.source_name, "sha256": existing.sha256, "rows": existing.rows}
        if existing
        else None
    )
    if existing is None:
        existing = InventoryDataset(unit_id=unit.id, year=year)
    existing.document = activity.document
    existing.source_name = PurePath(name).name[:255]
    existing.sha256 = sha
    existing.rows = len(activity.rows)
    existing.example = example
    existing.loaded_by, existing.loaded_at = actor.username, utcnow()
    store.save(session, existing)
    new = {
        "source_name": existing.source_name,
        "sha256": sha,
        "rows": existing.rows,
        "example": example,
    }
    audit.record(session, actor, "inventory.load", "inventory", f"{year}", old, new, unit.code)
    return run_year(session, actor, unit, year, DEFAULT_GWP, f"load {existing.source_name}")


#: The file name the bundled example is stored under (:func:`load_example_years`).
EXAMPLE_FILE = EXAMPLE.replace(".yaml", ".json")


def load_example_years(session: Session, actor: Actor, unit: m.DemoUnit) -> list[InventoryRun]:
    """Load every year of the bundled illustrative Zhangqiu inventory (2020–2022), each
    labelled as an example; one run per year, oldest first."""
    doc = bundled_example()
    data = json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")
    return [
        load_dataset(session, actor, unit, EXAMPLE_FILE, data, year, True)
        for year in sorted(int(y) for y in doc["years"])
    ]


def load_example(session: Session, actor: Actor, unit: m.DemoUnit) -> InventoryRun:
    """Load the bundled illustrative Zhangqiu inventory (every year, see
    :func:`load_example_years`); returns the run of the latest year."""
    return load_example_years(session, actor, unit)[-1]


@dataclass(frozen=True)
class LocalFactorInput:
    """A local factor as the office enters it; ``source`` names document, table and page."""

    factor_id: str
    parameter: str
    subject: str
    value: float
    unit: str
    source: str
    year: int | None = None
    uncertainty_pct: float | None = None
    note: str = ""


def _check_factor(entry: LocalFactorInput) -> None:
    errors = []
    if not entry.factor_id.strip():
        errors.append("factor_id: 请填写因子编号 — required")
    known = {r.parameter for r in default_library().records}
    if entry.parameter not in known:
        errors.append(
            f"parameter: “{entry.parameter}”不是{'、'.join(sorted(known))}之一 — "
            f"{entry.parameter!r} is not one of {', '.join(sorted(known))}"
        )
    if not entry.subject.strip():
        errors.append(
            "subject: 请填写适用对象（燃料、气体等，* 表示全部） — "
            "required (the fuel, species, … or * for all)"
        )
    if not math.isfinite(entry.value) or entry.value < 0:
        errors.append(
            f"value: 应为不小于0的有限数值，而不是{entry.value!r} — "
            f"expected a finite number ≥ 0, got {entry.value!r}"
        )
    try:
        parse_unit(entry.unit)
    except UnitError as exc:
        errors.append(f"unit: {exc}")
    if not entry.source.strip():
        errors.append(
            "source: 本地因子须注明出处（文件、表、页） — "
            "a local factor needs its citation (document, table, page)"
        )
    if errors:
        raise InvalidInput(errors[0], errors)


@dataclass(frozen=True)
class Recalculation:
    """New runs after a factor change, each with its ``changes`` against the previous run."""

    runs: list[InventoryRun]

    @property
    def changes(self) -> list[dict[str, Any]]:
        return [c for r in self.runs for c in (r.changes or {}).get("changes", [])]


def recalculate(session: Session, actor: Actor, unit: m.DemoUnit, reason: str) -> Recalculation:
    """Recompute every stored year for every GWP set in use (IPCC 2006 Vol 1 Ch 5 §5.2)."""
    library = library_for(session, unit)
    out = []
    for ds in datasets(session, unit):
        sets = {r.gwp_set for r in runs(session, unit, ds.year)} or {DEFAULT_GWP}
        for gwp_set in sorted(sets):
            out.append(run_year(session, actor, unit, ds.year, gwp_set, reason, library))
    return Recalculation(out)


def set_local_factor(
    session: Session, actor: Actor, unit: m.DemoUnit, entry: LocalFactorInput
) -> Recalculation:
    """Add or change a local factor, then recalculate every year and say what changed."""
    _admin(actor, "enters local factors", "录入本地因子")
    _check_factor(entry)
    row = store.local_factor(session, unit.id, entry.factor_id)
    old = _factor_dict(row) if row else None
    if row is None:
        row = InventoryFactor(unit_id=unit.id, factor_id=entry.factor_id.strip())
    row.parameter, row.subject, row.value = entry.parameter, entry.subject.strip(), entry.value
    row.unit, row.source, row.year = entry.unit.strip(), entry.source.strip(), entry.year
    row.uncertainty_pct, row.note = entry.uncertainty_pct, entry.note
    row.entered_by, row.entered_at = actor.username, utcnow()
    store.save(session, row)
    audit.record(
        session,
        actor,
        "inventory.factor.set",
        "inventory_factor",
        row.factor_id,
        old,
        _factor_dict(row),
        unit.code,
    )
    return recalculate(session, actor, unit, f"local factor {row.factor_id} = {row.value:g}")


def delete_local_factor(
    session: Session, actor: Actor, unit: m.DemoUnit, factor_id: str
) -> Recalculation:
    """Remove a local factor (the default applies again) and recalculate every year."""
    _admin(actor, "removes local factors", "删除本地因子")
    row = store.local_factor(session, unit.id, factor_id)
    if row is None:
        raise NotFound(f"factor_id: 没有本地因子“{factor_id}” — no local factor {factor_id!r}")
    audit.record(
        session,
        actor,
        "inventory.factor.delete",
        "inventory_factor",
        factor_id,
        _factor_dict(row),
        None,
        unit.code,
    )
    store.delete(session, row)
    return recalculate(session, actor, unit, f"local factor {factor_id} removed")


def _factor_dict(f: InventoryFactor) -> dict[str, Any]:
    return {
        "parameter": f.parameter,
        "subject": f.subject,
        "value": f.value,
        "unit": f.unit,
        "source": f.source,
        "year": f.year,
        "uncertainty_pct": f.uncertainty_pct,
    }


def result_of(run: InventoryRun) -> InventoryResult:
    return result_from_dict(run.result)


def result_for(
    session: Session, unit: m.DemoUnit, year: int, gwp_set: str = DEFAULT_GWP
) -> tuple[InventoryResult, InventoryRun | None]:
    """The latest stored run of ``year`` in ``gwp_set``, or (for another GWP set with no run
    yet) the year computed now from its stored data, not stored."""
    run = latest_run(session, unit, year, gwp_set)
    if run is not None:
        return result_of(run), run
    ds = dataset(session, unit, year)
    library = library_for(session, unit)
    return compute(activity_of(ds, library), library, gwp_set, year), None


def series(
    session: Session, unit: m.DemoUnit, gwp_set: str = DEFAULT_GWP
) -> dict[int, InventoryResult]:
    """The latest run of every year on record (computed now when a year has no run yet)."""
    out: dict[int, InventoryResult] = {}
    library: FactorLibrary | None = None
    for ds in datasets(session, unit):
        run = latest_run(session, unit, ds.year, gwp_set)
        if run is not None:
            out[ds.year] = result_of(run)
        else:
            library = library or library_for(session, unit)
            out[ds.year] = compute(activity_of(ds, library), library, gwp_set, ds.year)
    return out


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class IndustryValueAdded:
    """Industrial value added of the year [万元] with its source (indicator 13's denominator)."""

    value: float
    source: str


def lineage_text(run: InventoryRun, result: InventoryResult) -> str:
    """The evidence line naming what produced a run's figures."""
    lin = result.lineage
    files = "，".join(f"{f}@{v}" for f, v in sorted(run.factor_versions.items()))
    parts = [
        f"清单运行 #{run.id}（{run.year}年，GWP {lin.gwp_set}，{lin.gwp_source}）",
        f"因子文件版本：{files}",
        f"方法 {len(lin.methods)} 个，因子 {len(lin.factor_refs)} 个，"
        f"待确认因子 {len(lin.to_confirm)} 个，本地因子 {len(lin.local)} 个",
        "口径：二氧化碳，不含土地利用变化和林业，含调入电力、热力间接排放",
    ]
    if lin.illustrative_rows:
        parts.append(f"{EXAMPLE_LABEL_ZH}：假设数据行 {len(lin.illustrative_rows)} 个")
    return "；".join(parts)


def feed_indicators(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    year: int,
    industry: IndustryValueAdded | None = None,
    allow_illustrative: bool = False,
) -> dict[str, float]:
    """Write indicators 1, 2, 3 (and 13 with the industrial value added) for ``year`` from the
    latest AR5 run (:func:`nearzero.accounting.indicators.indicator_values`), through
    :func:`set_value`, with the run's lineage as evidence.

    Only the office does this, explicitly. A run with illustrative (assumed) rows is refused
    unless ``allow_illustrative``: assumed numbers must not silently replace statistics.
    """
    _admin(actor, "writes inventory figures into the indicators", "将清单结果写入指标")
    run = latest_run(session, unit, year, DEFAULT_GWP)
    if run is None:
        raise NotFound(
            f"year: 没有{year}年的{DEFAULT_GWP}清单计算结果 — "
            f"no {DEFAULT_GWP} inventory run for {year}"
        )
    result = result_of(run)
    if result.lineage.illustrative_rows and not allow_illustrative:
        raise InvalidInput(
            f"run: 第{run.id}次计算含{len(result.lineage.illustrative_rows)}行示例数据"
            "（假定数值），写入指标前须明确确认 — "
            f"run {run.id} has {len(result.lineage.illustrative_rows)} illustrative rows "
            "(assumed numbers); confirm explicitly to write them into the indicators"
        )
    if industry is not None and not industry.source.strip():
        raise InvalidInput(
            "industry_source: 请注明工业增加值的统计来源 — "
            "name the statistic of the industrial value added"
        )
    metadata = activity_of(dataset(session, unit, year), library_for(session, unit)).metadata
    values = indicator_values(result, metadata, industry.value if industry else None)
    source = f"温室气体清单（run {run.id}, GWP {run.gwp_set}）"
    evidence = lineage_text(run, result)
    for code, value in values.items():
        extra = ""
        if code == "13" and industry:
            extra = f"；工业增加值 {industry.value:g} 万元（{industry.source}）"
        entry = ValueInput(code, year, value, source=source, evidence=evidence + extra)
        set_value(session, actor, unit, entry)
    audit.record(
        session,
        actor,
        "inventory.feed",
        "inventory",
        f"{year}",
        None,
        {"run": run.id, "values": values},
        unit.code,
    )
    return values


# --------------------------------------------------------------------------- annual report


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Block] | None:
    """The annual report's 温室气体清单 section from the year's latest AR5 run (None without
    one), worded by :func:`nearzero.reports.sections.inventory.inventory_blocks`."""
    run = latest_run(session, unit, year, DEFAULT_GWP)
    if run is None:
        return None
    return inventory_blocks(result_of(run), run.id, unit.name_zh)


# --------------------------------------------------------------------------- the page

#: Chart words the page translates (message keys of web/i18n), passed to :func:`inventory_page`.
CHART_WORDS = ("inv_unit_wan_co2e", "inv_removal", "inv_total_excl", "inv_mean", "inv_range95")
#: Categories shown in the uncertainty range chart (largest first).
RANGE_CHART_TOP = 12


def _wan(value: float) -> float:
    """[t] → [万t], to 4 decimals for the charts."""
    return round(value * WAN, 4)


def _sector_name(sector: str, lang: str) -> str:
    return Sector(sector).value if lang == "en" else Sector(sector).label_zh


def category_labeller(lang: str) -> Callable[[str], str]:
    """Title in ``lang`` of a label that starts with a category code ("1.A.1.a CO2");
    empty for a label that does not (a row id)."""

    def title(label: str) -> str:
        try:
            return category_title(label.split(" ", 1)[0], lang)
        except UnknownCategory:
            return ""

    return title


def sector_chart(result: InventoryResult, lang: str, words: Mapping[str, str]) -> dict[str, Any]:
    """Stacked bars [万吨CO2e]: one bar per sector, one stack per gas group (scope 1)."""
    grid = sector_gas_table(result)
    sectors = [s.value for s in Sector]
    return {
        "sectors": [_sector_name(s, lang) for s in sectors],
        "unit": words["inv_unit_wan_co2e"],
        "series": [
            {"name": g, "data": [_wan(grid[s][g].tco2e) for s in sectors]}
            for g in GAS_GROUPS
            if any(grid[s][g].reported for s in sectors)
        ],
    }


def sankey_chart(result: InventoryResult, lang: str, words: Mapping[str, str]) -> dict[str, Any]:
    """Sector → gas flows [万吨CO2e]; a removal flows by its magnitude and is named so."""
    grid = sector_gas_table(result)
    removal = words["inv_removal"]
    links = []
    for s in Sector:
        for g in GAS_GROUPS:
            cell = grid[s.value][g]
            if cell.reported and cell.tco2e != 0:
                name = _sector_name(s.value, lang) + (f"（{removal}）" if cell.tco2e < 0 else "")
                links.append({"source": name, "target": g, "value": abs(_wan(cell.tco2e))})
    gases = [g for g in GAS_GROUPS if any(link["target"] == g for link in links)]
    nodes = list(dict.fromkeys([link["source"] for link in links] + gases))
    return {"nodes": [{"name": n} for n in nodes], "links": links}


def trend_chart(
    results: Mapping[int, InventoryResult], lang: str, words: Mapping[str, str]
) -> dict[str, Any]:
    """Stacked bars by sector over the years on record, with the total excl. LULUCF [万吨CO2e]."""
    years = list(results)
    grids = {y: sector_gas_table(r) for y, r in results.items()}
    return {
        "years": [str(y) for y in years],
        "unit": words["inv_unit_wan_co2e"],
        "series": [
            {
                "name": _sector_name(s.value, lang),
                "data": [_wan(sum(c.tco2e for c in grids[y][s.value].values())) for y in years],
            }
            for s in Sector
        ],
        "total": {
            "name": words["inv_total_excl"],
            "data": [_wan(results[y].totals.direct_excl_lulucf) for y in years],
        },
    }


def range_chart(
    analysis: Analysis, words: Mapping[str, str], name: Callable[[str], str] = str
) -> dict[str, Any]:
    """Monte Carlo 95 % ranges of the largest categories [万吨CO2e] (floating bars); ``name``
    gives a record's label in the page's language."""
    mc = analysis.monte_carlo
    order = sorted(range(len(mc.labels)), key=lambda i: -abs(float(mc.mean[i])))
    chosen = order[:RANGE_CHART_TOP]
    return {
        "labels": [name(mc.labels[i]) for i in chosen],
        "low": [_wan(float(mc.low[i])) for i in chosen],
        "high": [_wan(float(mc.high[i])) for i in chosen],
        "mean": [_wan(float(mc.mean[i])) for i in chosen],
        "unit": words["inv_unit_wan_co2e"],
        "meanLabel": words["inv_mean"],
        "rangeLabel": words["inv_range95"],
    }


@dataclass(frozen=True)
class InventoryYear:
    """What the page shows of the chosen inventory year (the names the template reads)."""

    result: InventoryResult
    run: InventoryRun | None
    dataset: InventoryDataset
    series: dict[int, InventoryResult]
    analysis: Analysis
    t1: Table
    t2: Table
    t3: Table
    t4: Table
    notes: list[str]
    cat_title: Callable[[str], str]
    history: list[InventoryRun]
    indicators: dict[str, float]
    charts: dict[str, dict[str, Any]]
    names: InventoryNames
    factor_lines: list[FactorLine]
    dataset_title: str
    reasons: dict[int, str]


@dataclass(frozen=True)
class InventoryPage:
    """The inventory page: the years with data, the chosen one (``inv_year``, None without
    any) and, when there is one, its :class:`InventoryYear`; the unit's local factors."""

    years: list[int]
    gwp: str
    inv_year: int | None
    year: int
    gwp_sets: list[str]
    factors: list[InventoryFactor]
    formats: str
    shown: InventoryYear | None
    #: Parameter code → name in the page's language (the local factor form's choices).
    parameter_names: dict[str, str]

    def context(self) -> dict[str, Any]:
        """The template's names: these fields, and the shown year's spread out."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        del out["shown"]
        if self.shown is None:
            return out | {"result": None}
        shown = self.shown
        return out | {f.name: getattr(shown, f.name) for f in fields(shown)}


#: The bundled example's title (zh, en), shown instead of its file name.
EXAMPLE_TITLE = ("系统自带的章丘区示例数据", "the bundled Zhangqiu example")


def dataset_title(ds: InventoryDataset, lang: str) -> str:
    """A data set by its title: the bundled example by name, an upload by its file name."""
    if ds.example and ds.source_name == EXAMPLE_FILE:
        return EXAMPLE_TITLE[lang == "en"]
    return ds.source_name


def reason_text(reason: str, names: InventoryNames, lang: str) -> str:
    """A run's reason as stored (``load <file>``, ``local factor <id> = <value>``, ``local
    factor <id> removed``, or the office's words) in ``lang``."""
    en = lang == "en"
    if reason.startswith("load "):
        name = reason.removeprefix("load ")
        if name == EXAMPLE_FILE:
            name = EXAMPLE_TITLE[en]
        return f"loaded {name}" if en else f"载入{name}"
    if reason.startswith("local factor "):
        rest = reason.removeprefix("local factor ")
        if rest.endswith(" removed"):
            factor = names.factor(rest.removesuffix(" removed"))
            return f"local factor {factor} removed" if en else f"删除本地因子 {factor}"
        factor_id, sep, value = rest.partition(" = ")
        if sep:
            factor = names.factor(factor_id)
            return f"local factor {factor} = {value}" if en else f"本地因子 {factor} = {value}"
    return reason


def _year_shown(
    session: Session, unit: m.DemoUnit, year: int, gwp: str, lang: str, words: Mapping[str, str]
) -> InventoryYear:
    result, run = result_for(session, unit, year, gwp)
    results = series(session, unit, gwp)
    base = results[min(results)] if results else None
    analysis = analyse(result, base)
    t1, t2 = summary_tables(result, lang)
    ds = dataset(session, unit, year)
    library = library_for(session, unit)
    activity = activity_of(ds, library)
    metadata = activity.metadata
    names = names_for(result, activity.rows, library, lang)
    history = runs(session, unit, year)[:10]
    return InventoryYear(
        result=result,
        run=run,
        dataset=ds,
        series=results,
        analysis=analysis,
        t1=t1,
        t2=t2,
        t3=category_table(result, lang),
        t4=notation_table_in(notation_table(result, lang), lang),
        notes=page_notes(result, names),
        cat_title=category_labeller(lang),
        history=history,
        indicators=indicator_values(result, metadata, None),
        charts={
            "inv-sectors": sector_chart(result, lang, words),
            "inv-sankey": sankey_chart(result, lang, words),
            "inv-trend": trend_chart(results, lang, words),
            "inv-ranges": range_chart(analysis, words, names.label),
        },
        names=names,
        factor_lines=names.lines(result.lineage.factor_refs),
        dataset_title=dataset_title(ds, lang),
        reasons={r.id: reason_text(r.reason, names, lang) for r in history},
    )


def inventory_page(
    session: Session,
    unit: m.DemoUnit,
    year: int | None,
    gwp: str,
    lang: str,
    words: Mapping[str, str],
) -> InventoryPage:
    """The inventory page of ``year`` (default and fallback: the latest year with data) in
    ``gwp``; ``words`` are the :data:`CHART_WORDS` in ``lang``."""
    known = years(session, unit)
    chosen = year if year in known else (known[-1] if known else None)
    return InventoryPage(
        years=known,
        gwp=gwp,
        inv_year=chosen,
        year=chosen or evaluation_year(session, unit),
        gwp_sets=list(GWP_SETS),
        factors=local_factors(session, unit),
        formats=", ".join(FORMATS),
        shown=None if chosen is None else _year_shown(session, unit, chosen, gwp, lang, words),
        parameter_names=parameter_names((r.parameter for r in default_library().records), lang),
    )


EXPORT_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def export_file(
    session: Session, unit: m.DemoUnit, year: int | None, gwp: str, kind: str
) -> tuple[BuiltFile, int]:
    """The inventory tables of ``year`` (default: the latest) as ``xlsx`` or ``docx``, with
    the year."""
    known = years(session, unit)
    chosen = year if year is not None else (known[-1] if known else None)
    if chosen is None:
        raise NotFound(
            f"year: {unit.name_zh}尚无温室气体清单 — no inventory yet for {unit.name_zh}"
        )
    result, _ = result_for(session, unit, chosen, gwp)
    data = build_xlsx(result) if kind == "xlsx" else build_docx(result, unit.office_zh)
    name = f"{unit.name_zh}{chosen}年温室气体清单（{gwp}）.{kind}"
    return BuiltFile(name, EXPORT_MEDIA[kind], data), chosen


def activity_template(year: int) -> bytes:
    """The Excel activity template (:func:`~nearzero.accounting.activity.write_template`)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(path, year)
        return path.read_bytes()
