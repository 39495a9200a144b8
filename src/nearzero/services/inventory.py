"""GHG inventory use cases: read activity files, compute, store runs, recalculate, feed indicators.

The numbers come from :mod:`nearzero.accounting` (Tier 1 defaults of the IPCC 2006 Guidelines
and 省级温室气体清单编制指南（试行）, Tier 2 where the unit adds local factors). This module
reads files into the core's rows, keeps the unit's activity data sets, local factors and runs
(:mod:`nearzero.store.tables.inventory`), and writes the inventory-derived indicators 1, 2, 3 and 13
through :func:`nearzero.services.indicators.set_value` when the office asks for it.

A run stores its result as the ``nearzero.inventory.result/1`` document (docs/json.md), so a
stored figure keeps the factors, file versions and GWP set that produced it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from nearzero.accounting.activity import (
    EXAMPLE,
    META_SHEET,
    bundled_example,
    check_rows,
    parse_activity,
    parse_row,
    parse_workbook,
)
from nearzero.accounting.categories import Sector, is_within
from nearzero.accounting.factors import (
    FactorLibrary,
    FactorRecord,
    default_library,
    local_factor,
)
from nearzero.accounting.gwp import GWP_SETS, GWPNotAvailable
from nearzero.accounting.inventory import (
    Change,
    InventoryResult,
    Lineage,
    Totals,
    compute_inventory,
    recalculation,
)
from nearzero.accounting.key_categories import KeyCategory, level_assessment, trend_assessment
from nearzero.accounting.model import (
    ActivityError,
    ActivityMetadata,
    ActivityRow,
    EmissionRecord,
    FactorRef,
)
from nearzero.accounting.uncertainty import (
    Approach1,
    MonteCarloResult,
    approach1,
    monte_carlo,
    monte_carlo_input,
)
from nearzero.formatting import fmt
from nearzero.reports.inventory_tables import WAN, notes, summary_tables
from nearzero.reports.model import Block, Paragraph
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.indicators import ValueInput, set_value
from nearzero.store import tables as m
from nearzero.store.base import utcnow
from nearzero.store.tables.inventory import InventoryDataset, InventoryFactor, InventoryRun
from nearzero.units import UnitError, parse_unit

RESULT_SCHEMA = "nearzero.inventory.result/1"
FORMATS = (".xlsx", ".yaml", ".yml", ".json")
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ERRORS = 50
DEFAULT_GWP = "AR5"
#: Monte Carlo defaults of the pages and the report: fixed seed, so a page is reproducible.
MC_ITERATIONS, MC_SEED = 10_000, 0
EXAMPLE_LABEL_ZH = "示例（部分数据为假设）"


# --------------------------------------------------------------------------- reading files


@dataclass(frozen=True)
class Activity:
    """A parsed activity file: rows, metadata, and the canonical document to store."""

    rows: list[ActivityRow]
    metadata: ActivityMetadata
    document: dict[str, Any]

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})


def _errors(first: ActivityError, more: Sequence[str]) -> InvalidInput:
    listed = list(more) if str(first) in more else [str(first), *more]  # row order
    errors = list(dict.fromkeys(listed))[:MAX_ERRORS]
    return InvalidInput(f"文件被拒绝（未保存任何数据） / file rejected: {first}", errors)


def _row_errors_doc(doc: Mapping[str, Any], factors: FactorLibrary) -> list[str]:
    """Every row's own error: each row parsed and run alone, so all bad rows are listed."""
    rows = doc.get("rows")
    if not isinstance(rows, list):
        return []
    try:
        years = [int(y) for y in dict(doc.get("years") or {})]
    except (TypeError, ValueError):
        return []
    default_year = years[0] if len(years) == 1 else None
    out: list[str] = []
    for i, raw in enumerate(rows):
        try:
            check_rows([parse_row(raw, i, default_year)], factors)
        except ActivityError as exc:
            out.append(str(exc))
    return out


def _row_errors_book(
    sheets: Mapping[str, list[dict[str, object]]], factors: FactorLibrary
) -> list[str]:
    out: list[str] = []
    for name, rows in sheets.items():
        if name == META_SHEET:
            continue
        for i, cells in enumerate(rows):
            alone = {k: v for k, v in sheets.items() if k == META_SHEET}
            alone[name] = [{} for _ in range(i)] + [cells]
            try:
                parse_workbook(alone, factors)
            except ActivityError as exc:
                out.append(str(exc))
    return out


def _load_sheets(data: bytes) -> dict[str, list[dict[str, object]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets: dict[str, list[dict[str, object]]] = {}
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            continue
        header = [str(h) if h is not None else "" for h in values[0]]
        sheets[sheet.title] = [dict(zip(header, row, strict=False)) for row in values[1:]]
    book.close()
    return sheets


def read_activity(name: str, data: bytes, factors: FactorLibrary | None = None) -> Activity:
    """Parse an activity file (.xlsx, .yaml/.yml, .json) and run every row once.

    Raises :class:`InvalidInput` whose ``errors`` name the sheet, row and field of every bad
    row it finds (the whole file is rejected).
    """
    library = factors or default_library()
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"file: expected one of {', '.join(FORMATS)}, got {name!r}")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"file: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if suffix == ".xlsx":
        try:
            sheets = _load_sheets(data)
        except Exception as exc:  # openpyxl raises several kinds for a broken file
            raise InvalidInput(f"file: {name!r} is not a readable .xlsx workbook ({exc})") from None
        try:
            rows, metadata = parse_workbook(sheets, library)
        except ActivityError as exc:
            raise _errors(exc, _row_errors_book(sheets, library)) from None
    else:
        try:
            text = data.decode("utf-8-sig")
            doc = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise InvalidInput(f"file: {name!r} cannot be read ({exc})") from None
        if not isinstance(doc, dict):
            raise InvalidInput(f"file: {name!r} holds no activity document (a mapping)")
        try:
            rows, metadata = parse_activity(doc, library)
        except ActivityError as exc:
            raise _errors(exc, _row_errors_doc(doc, library)) from None
    if not rows:
        raise InvalidInput(f"file: {name!r} holds no activity rows")
    return Activity(rows, metadata, to_document(rows, metadata))


def to_document(rows: Sequence[ActivityRow], metadata: ActivityMetadata) -> dict[str, Any]:
    """The canonical ``nearzero.inventory-activity/1`` document of parsed rows (JSON-safe).

    :func:`~nearzero.accounting.activity.parse_activity` reads it back into the same rows.
    """
    years: dict[str, Any] = {}
    for year, data in metadata.years.items():
        entry: dict[str, Any] = {"illustrative": data.illustrative, "note": data.note}
        if data.population is not None:
            entry["population"] = {"value": data.population, "unit": "person"}
        if data.gdp is not None:
            entry["gdp"] = {"value": data.gdp, "unit": "wan_yuan"}
        years[str(year)] = entry
    out_rows = []
    for r in rows:
        raw: dict[str, Any] = {"id": r.row_id, "year": r.year, "category": r.category}
        if r.method:
            raw["method"] = r.method
        if r.subject:
            raw[r.subject_field] = r.subject
        raw["gases"] = list(r.gases)
        if r.notation is not None:
            raw["notation"] = r.notation.value
        else:
            raw["quantity"], raw["unit"] = r.quantity, r.unit
        if r.params:
            raw["params"] = {
                k: {"value": p.value, "unit": p.unit} if p.unit else p.value
                for k, p in r.params.items()
            }
        if r.factors:
            raw["factors"] = {
                k: f.ref_id
                if f.ref_id
                else {
                    "value": f.value,
                    "unit": f.unit,
                    "source": f.source,
                    **({"uncertainty_pct": f.uncertainty_pct} if f.uncertainty_pct else {}),
                }
                for k, f in r.factors.items()
            }
        if r.uncertainty_pct is not None:
            raw["uncertainty_pct"] = r.uncertainty_pct
        raw["illustrative"] = r.illustrative
        if r.note:
            raw["note"] = r.note
        out_rows.append(raw)
    return {
        "format": "nearzero.inventory-activity/1",
        "region": metadata.region,
        "source": metadata.source,
        "note": metadata.note,
        "years": years,
        "rows": out_rows,
    }


def only_year(activity: Activity, year: int) -> Activity:
    """The rows of ``year`` (and that year's metadata); refuses a year the file lacks."""
    if year not in activity.years:
        raise InvalidInput(
            f"year: the file holds rows for {', '.join(map(str, activity.years))}, not {year}"
        )
    rows = [r for r in activity.rows if r.year == year]
    meta = activity.metadata
    years = {y: d for y, d in meta.years.items() if y == year}
    metadata = ActivityMetadata(meta.region, meta.source, meta.note, years)
    return Activity(rows, metadata, to_document(rows, metadata))


def compute(
    activity: Activity,
    factors: FactorLibrary | None = None,
    gwp_set: str = DEFAULT_GWP,
    year: int | None = None,
) -> InventoryResult:
    """:func:`~nearzero.accounting.inventory.compute_inventory` with errors for people."""
    if gwp_set not in GWP_SETS:
        raise InvalidInput(f"gwp: expected one of {', '.join(GWP_SETS)}, got {gwp_set!r}")
    if year is None and len(activity.years) > 1:
        raise InvalidInput(
            f"year: the file holds {', '.join(map(str, activity.years))}; say which (--year)"
        )
    if year is not None and year not in activity.years:
        raise InvalidInput(f"year: the file holds no rows for {year}")
    try:
        return compute_inventory(
            activity.rows, factors or default_library(), gwp_set, activity.metadata, year
        )
    except GWPNotAvailable as exc:
        raise InvalidInput(f"gwp: {exc}") from None
    except ActivityError as exc:
        raise InvalidInput(str(exc)) from None


# --------------------------------------------------------------------------- JSON document


def _num(value: float) -> float:
    """A number rounded to 10 significant digits (docs/json.md)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.10g}")


def _ref_dict(f: FactorRef) -> dict[str, Any]:
    return {
        "id": f.factor_id, "file": f.file, "version": f.version, "parameter": f.parameter,
        "subject": f.subject, "value": f.value, "unit": f.unit, "status": f.status,
    }  # fmt: skip


def result_to_dict(result: InventoryResult) -> dict[str, Any]:
    """The stable JSON of an inventory year (``nearzero.inventory.result/1``, docs/json.md)."""
    lineage = result.lineage
    sectors = []
    for s in Sector:
        co2e = result.sector_gas_tco2e.get(s.value, {})
        tonnes = result.sector_gas_tonnes.get(s.value, {})
        sectors.append(
            {
                "sector": s.value,
                "name_zh": s.label_zh,
                "tonnes": {g: _num(v) for g, v in tonnes.items()},
                "tco2e": {g: _num(v) for g, v in co2e.items()},
                "total_tco2e": _num(sum(co2e.values())),
            }
        )
    return {
        "schema": RESULT_SCHEMA,
        "region": result.region,
        "year": result.year,
        "gwp_set": lineage.gwp_set,
        "totals": {k: _num(v) for k, v in vars(result.totals).items()},
        "per_capita": {k: _num(v) for k, v in result.per_capita.items()},
        "per_gdp": {k: _num(v) for k, v in result.per_gdp.items()},
        "sectors": sectors,
        "records": [
            {
                "row_id": r.row_id,
                "category": r.category,
                "sector": r.sector,
                "method": r.method,
                "gas": r.gas,
                "gas_group": r.gas_group,
                "tonnes": _num(r.tonnes),
                "tco2e": _num(r.tco2e),
                "scope": r.scope,
                "uncertainty_pct": None if r.uncertainty_pct is None else _num(r.uncertainty_pct),
                "illustrative": r.illustrative,
                "factors": [f.factor_id for f in r.factor_refs],
            }
            for r in result.records
        ],  # fmt: skip
        "notation_keys": [{"category": c, "gas": g, "key": k} for c, g, k in result.notation_keys],
        "components": {
            label: [[key, _num(width)] for key, width in parts]
            for label, parts in result.components.items()
        },
        "lineage": {
            "gwp_set": lineage.gwp_set,
            "gwp_source": lineage.gwp_source,
            "methods": dict(lineage.methods),
            "factors": [_ref_dict(f) for f in lineage.factor_refs],
            "to_confirm": list(lineage.to_confirm),
            "local": list(lineage.local),
            "illustrative_rows": list(lineage.illustrative_rows),
        },
    }


def result_from_dict(doc: Mapping[str, Any]) -> InventoryResult:
    """Rebuild an :class:`InventoryResult` from its stored document (:func:`result_to_dict`)."""
    if doc.get("schema") != RESULT_SCHEMA:
        raise ValueError(f"expected a {RESULT_SCHEMA} document, got {doc.get('schema')!r}")
    lin = doc["lineage"]
    refs = {f["id"]: FactorRef(f["id"], f["file"], f["version"], f["parameter"], f["subject"],
                               f["value"], f["unit"], f["status"])
            for f in lin["factors"]}  # fmt: skip
    year = int(doc["year"])
    records = tuple(
        EmissionRecord(
            row_id=r["row_id"], year=year, category=r["category"], sector=r["sector"],
            method=r["method"], gas=r["gas"], gas_group=r["gas_group"], tonnes=r["tonnes"],
            tco2e=r["tco2e"], scope=r["scope"],
            factor_refs=tuple(refs[i] for i in r["factors"]),
            uncertainty_pct=r["uncertainty_pct"], illustrative=r["illustrative"],
        )
        for r in doc["records"]
    )  # fmt: skip
    sectors = doc["sectors"]
    return InventoryResult(
        year=year,
        region=doc["region"],
        records=records,
        notation_keys=tuple((k["category"], k["gas"], k["key"]) for k in doc["notation_keys"]),
        sector_gas_tonnes={s["sector"]: dict(s["tonnes"]) for s in sectors if s["tonnes"]},
        sector_gas_tco2e={s["sector"]: dict(s["tco2e"]) for s in sectors if s["tco2e"]},
        totals=Totals(**doc["totals"]),
        per_capita=dict(doc["per_capita"]),
        per_gdp=dict(doc["per_gdp"]),
        components={
            label: tuple((str(k), float(w)) for k, w in parts)
            for label, parts in doc["components"].items()
        },
        lineage=Lineage(
            gwp_set=lin["gwp_set"],
            gwp_source=lin["gwp_source"],
            methods=dict(lin["methods"]),
            factor_refs=tuple(refs.values()),
            to_confirm=tuple(lin["to_confirm"]),
            local=tuple(lin["local"]),
            illustrative_rows=tuple(lin["illustrative_rows"]),
        ),
    )


def _stable(result: InventoryResult) -> InventoryResult:
    """The result as it reads back from storage (numbers rounded as in the document)."""
    return result_from_dict(result_to_dict(result))


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Analysis:
    """Key categories (IPCC 2006 Vol 1 Ch 4, Approach 1) and uncertainty (Vol 1 Ch 3)."""

    level: list[KeyCategory]
    trend: list[KeyCategory]
    base_year: int | None
    approach1: Approach1
    monte_carlo: MonteCarloResult

    @property
    def key_count(self) -> int:
        """Categories key by level or by trend."""
        return len({k.category for k in (*self.level, *self.trend) if k.key})


def analyse(
    result: InventoryResult,
    base: InventoryResult | None = None,
    iterations: int = MC_ITERATIONS,
    seed: int = MC_SEED,
) -> Analysis:
    """Level (Eq 4.1) and, with a base year, trend (Eq 4.2) key categories at 95 %, with
    Approach 1 (Eq 3.1/3.2) and a seeded Approach 2 Monte Carlo over scope 1."""
    level = level_assessment(result.category_tco2e())
    trend = (
        trend_assessment(base.category_tco2e(), result.category_tco2e())
        if base is not None and base.year != result.year
        else []
    )
    return Analysis(
        level,
        trend,
        base.year if trend and base is not None else None,
        approach1(result),
        monte_carlo(monte_carlo_input(result), iterations, seed),
    )


# --------------------------------------------------------------------------- the store


def _admin(actor: Actor, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(f"only the working-group office {what}")


def local_factors(session: Session, unit: m.DemoUnit) -> list[InventoryFactor]:
    query = select(InventoryFactor).where(InventoryFactor.unit_id == unit.id)
    return list(session.scalars(query.order_by(InventoryFactor.factor_id)))


def _record(f: InventoryFactor) -> FactorRecord:
    return local_factor(
        f.factor_id, f.parameter, f.subject, f.value, f.unit, f.source,
        year=f.year, uncertainty_pct=f.uncertainty_pct, note=f.note,
    )  # fmt: skip


def library_for(session: Session, unit: m.DemoUnit) -> FactorLibrary:
    """The default library with the unit's local factors on top (Tier 2 overlay)."""
    return default_library().overlay(_record(f) for f in local_factors(session, unit))


def datasets(session: Session, unit: m.DemoUnit) -> list[InventoryDataset]:
    query = select(InventoryDataset).where(InventoryDataset.unit_id == unit.id)
    return list(session.scalars(query.order_by(InventoryDataset.year)))


def dataset(session: Session, unit: m.DemoUnit, year: int) -> InventoryDataset:
    row = session.scalar(
        select(InventoryDataset).where(
            InventoryDataset.unit_id == unit.id, InventoryDataset.year == year
        )
    )
    if row is None:
        raise NotFound(f"{unit.name_zh} has no inventory activity data for {year}")
    return row


def years(session: Session, unit: m.DemoUnit) -> list[int]:
    """Inventory years with activity data on record."""
    return [d.year for d in datasets(session, unit)]


def activity_of(ds: InventoryDataset, factors: FactorLibrary) -> Activity:
    """The stored document parsed again (it was valid when stored; factors may have changed)."""
    try:
        rows, metadata = parse_activity(ds.document, factors)
    except ActivityError as exc:
        raise InvalidInput(f"stored activity data of {ds.year}: {exc}") from None
    return Activity(rows, metadata, ds.document)


def latest_run(
    session: Session, unit: m.DemoUnit, year: int, gwp_set: str = DEFAULT_GWP
) -> InventoryRun | None:
    query = (
        select(InventoryRun)
        .where(
            InventoryRun.unit_id == unit.id,
            InventoryRun.year == year,
            InventoryRun.gwp_set == gwp_set,
        )
        .order_by(InventoryRun.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def runs(session: Session, unit: m.DemoUnit, year: int | None = None) -> list[InventoryRun]:
    """Runs of the unit (of one year), newest first."""
    query = select(InventoryRun).where(InventoryRun.unit_id == unit.id)
    if year is not None:
        query = query.where(InventoryRun.year == year)
    return list(session.scalars(query.order_by(InventoryRun.id.desc())))


def _change_dict(c: Change) -> dict[str, Any]:
    return {
        "year": c.year, "row_id": c.row_id, "category": c.category, "gas": c.gas,
        "old_tco2e": _num(c.old_tco2e), "new_tco2e": _num(c.new_tco2e),
        "changed_factors": list(c.changed_factors),
    }  # fmt: skip


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
    result = _stable(compute(activity_of(ds, library), library, gwp_set, year))
    previous = latest_run(session, unit, year, gwp_set)
    changes = None
    if previous is not None:
        old = result_from_dict(previous.result)
        changes = {
            "previous_run": previous.id,
            "changes": [_change_dict(c) for c in recalculation({year: old}, {year: result})],
        }
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
    session.add(run)
    session.flush()
    return run


def load_dataset(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    name: str,
    data: bytes,
    year: int,
    example: bool = False,
) -> InventoryRun:
    """Store the activity data of ``year`` from a file (replacing that year's) and compute it.

    Only the office loads data. A file with any bad row is rejected whole: nothing is written.
    """
    _admin(actor, "loads inventory activity data")
    if not unit.base_year - 30 <= year <= unit.target_year + 10:
        raise InvalidInput(f"year: {year} is outside {unit.base_year - 30}–{unit.target_year + 10}")
    library = library_for(session, unit)
    activity = only_year(read_activity(name, data, library), year)
    existing = session.scalar(
        select(InventoryDataset).where(
            InventoryDataset.unit_id == unit.id, InventoryDataset.year == year
        )
    )
    sha = hashlib.sha256(data).hexdigest()
    old = (
        {"source_name": existing.source_name, "sha256": existing.sha256, "rows": existing.rows}
        if existing
        else None
    )
    if existing is None:
        existing = InventoryDataset(unit_id=unit.id, year=year)
        session.add(existing)
    existing.document = activity.document
    existing.source_name = PurePath(name).name[:255]
    existing.sha256 = sha
    existing.rows = len(activity.rows)
    existing.example = example
    existing.loaded_by, existing.loaded_at = actor.username, utcnow()
    session.flush()
    new = {"source_name": existing.source_name, "sha256": sha, "rows": existing.rows,
           "example": example}  # fmt: skip
    audit.record(session, actor, "inventory.load", "inventory", f"{year}", old, new, unit.code)
    return run_year(session, actor, unit, year, DEFAULT_GWP, f"load {existing.source_name}")


def load_example_years(session: Session, actor: Actor, unit: m.DemoUnit) -> list[InventoryRun]:
    """Load every year of the bundled illustrative Zhangqiu inventory (2020–2022), each
    labelled as an example; one run per year, oldest first."""
    doc = bundled_example()
    data = json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")
    name = EXAMPLE.replace(".yaml", ".json")
    return [
        load_dataset(session, actor, unit, name, data, year, True)
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
        errors.append("factor_id: required")
    known = {r.parameter for r in default_library().records}
    if entry.parameter not in known:
        errors.append(f"parameter: {entry.parameter!r} is not one of {', '.join(sorted(known))}")
    if not entry.subject.strip():
        errors.append("subject: required (the fuel, species, … or * for all)")
    if not math.isfinite(entry.value) or entry.value < 0:
        errors.append(f"value: expected a finite number ≥ 0, got {entry.value!r}")
    try:
        parse_unit(entry.unit)
    except UnitError as exc:
        errors.append(f"unit: {exc}")
    if not entry.source.strip():
        errors.append("source: a local factor needs its citation (document, table, page)")
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
    _admin(actor, "enters local factors")
    _check_factor(entry)
    row = session.scalar(
        select(InventoryFactor).where(
            InventoryFactor.unit_id == unit.id, InventoryFactor.factor_id == entry.factor_id
        )
    )
    old = _factor_dict(row) if row else None
    if row is None:
        row = InventoryFactor(unit_id=unit.id, factor_id=entry.factor_id.strip())
        session.add(row)
    row.parameter, row.subject, row.value = entry.parameter, entry.subject.strip(), entry.value
    row.unit, row.source, row.year = entry.unit.strip(), entry.source.strip(), entry.year
    row.uncertainty_pct, row.note = entry.uncertainty_pct, entry.note
    row.entered_by, row.entered_at = actor.username, utcnow()
    session.flush()
    audit.record(
        session, actor, "inventory.factor.set", "inventory_factor", row.factor_id, old,
        _factor_dict(row), unit.code,
    )  # fmt: skip
    return recalculate(session, actor, unit, f"local factor {row.factor_id} = {row.value:g}")


def delete_local_factor(
    session: Session, actor: Actor, unit: m.DemoUnit, factor_id: str
) -> Recalculation:
    """Remove a local factor (the default applies again) and recalculate every year."""
    _admin(actor, "removes local factors")
    row = session.scalar(
        select(InventoryFactor).where(
            InventoryFactor.unit_id == unit.id, InventoryFactor.factor_id == factor_id
        )
    )
    if row is None:
        raise NotFound(f"no local factor {factor_id!r}")
    audit.record(
        session, actor, "inventory.factor.delete", "inventory_factor", factor_id,
        _factor_dict(row), None, unit.code,
    )  # fmt: skip
    session.delete(row)
    session.flush()
    return recalculate(session, actor, unit, f"local factor {factor_id} removed")


def _factor_dict(f: InventoryFactor) -> dict[str, Any]:
    return {
        "parameter": f.parameter, "subject": f.subject, "value": f.value, "unit": f.unit,
        "source": f.source, "year": f.year, "uncertainty_pct": f.uncertainty_pct,
    }  # fmt: skip


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


#: Categories counted as industry for indicator 13 (China's statistics count power and heat
#: supply, mining and manufacturing as 工业): energy industries, manufacturing, fugitive, IPPU.
INDUSTRY_PREFIXES = ("1.A.1", "1.A.2", "1.B", "2")
INDICATOR_CODES = ("1", "2", "3", "13")


@dataclass(frozen=True)
class IndustryValueAdded:
    """Industrial value added of the year [万元] with its source (indicator 13's denominator)."""

    value: float
    source: str


def co2_total(result: InventoryResult) -> float:
    """CO2 emissions for indicators 1–3 [t]: CO2 of every sector but LULUCF, direct
    (scope 1) plus the indirect emissions of grid-supplied electricity and heat (scope 2)."""
    return sum(
        r.tco2e for r in result.records if r.gas == "CO2" and r.sector != Sector.LULUCF.value
    )


def industry_co2(result: InventoryResult) -> float:
    """Industrial CO2 for indicator 13 [t]: scope 1 CO2 of :data:`INDUSTRY_PREFIXES`."""
    return sum(
        r.tco2e
        for r in result.records
        if r.gas == "CO2" and r.scope == 1 and any(is_within(r.category, p) for p in
                                                   INDUSTRY_PREFIXES)
    )  # fmt: skip


def indicator_values(
    result: InventoryResult, metadata: ActivityMetadata, industry: IndustryValueAdded | None
) -> dict[str, float]:
    """Indicators 1 [吨], 2 [吨/人], 3 [吨/万元], 13 [吨/万元] from an inventory year;
    a denominator missing from the data leaves its indicator out."""
    total = co2_total(result)
    out = {"1": total}
    data = metadata.years.get(result.year)
    if data is not None and data.population:
        out["2"] = total / data.population
    if data is not None and data.gdp:
        out["3"] = total / data.gdp
    if industry is not None and industry.value > 0:
        out["13"] = industry_co2(result) / industry.value
    return out


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
    latest AR5 run, through :func:`set_value`, with the run's lineage as evidence.

    Only the office does this, explicitly. A run with illustrative (assumed) rows is refused
    unless ``allow_illustrative``: assumed numbers must not silently replace statistics.
    """
    _admin(actor, "writes inventory figures into the indicators")
    run = latest_run(session, unit, year, DEFAULT_GWP)
    if run is None:
        raise NotFound(f"no {DEFAULT_GWP} inventory run for {year}")
    result = result_of(run)
    if result.lineage.illustrative_rows and not allow_illustrative:
        raise InvalidInput(
            f"run {run.id} has {len(result.lineage.illustrative_rows)} illustrative rows "
            "(assumed numbers); confirm explicitly to write them into the indicators"
        )
    if industry is not None and not industry.source.strip():
        raise InvalidInput("industry_source: name the statistic of the industrial value added")
    metadata = activity_of(dataset(session, unit, year), library_for(session, unit)).metadata
    values = indicator_values(result, metadata, industry)
    source = f"温室气体清单（run {run.id}, GWP {run.gwp_set}）"
    evidence = lineage_text(run, result)
    for code, value in values.items():
        extra = f"；工业增加值 {industry.value:g} 万元（{industry.source}）" if (
            code == "13" and industry) else ""  # fmt: skip
        set_value(
            session, actor, unit,
            ValueInput(code, year, value, source=source, evidence=evidence + extra),
        )  # fmt: skip
    audit.record(
        session, actor, "inventory.feed", "inventory", f"{year}", None,
        {"run": run.id, "values": values}, unit.code,
    )  # fmt: skip
    return values


# --------------------------------------------------------------------------- annual report


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Block] | None:
    """The annual report's 温室气体清单 section: totals, the guideline summary table, notes."""
    run = latest_run(session, unit, year, DEFAULT_GWP)
    if run is None:
        return None
    result = result_of(run)
    t = result.totals
    text = (
        f"{year}年{result.region or unit.name_zh}温室气体排放总量（不包括土地利用变化和林业）为"
        f"{fmt(round(t.direct_excl_lulucf * WAN, 2))}万吨二氧化碳当量，包括土地利用变化和林业为"
        f"{fmt(round(t.direct_incl_lulucf * WAN, 2))}万吨二氧化碳当量（清单运行 #{run.id}）。"
    )
    _, table2 = summary_tables(result)
    return [Paragraph(text), table2, *(Paragraph(n) for n in notes(result, with_tables=False))]
