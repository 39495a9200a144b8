"""GHG inventory files: read activity files (.xlsx, .yaml, .json, facility lines .csv) into the
core's rows, compute a year, analyse it (key categories, uncertainty). No database: this is
what `nearzero inventory compute` needs, so the command does not import the store
(:mod:`nearzero.services.inventory` holds the stored data sets and runs).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml

from nearzero.accounting.activity import (
    META_SHEET,
    check_rows,
    parse_activity,
    parse_row,
    parse_workbook,
)
from nearzero.accounting.facilities import TEXT_COLUMNS, facility_errors, pool_facilities
from nearzero.accounting.factors import (
    FactorLibrary,
    default_library,
)
from nearzero.accounting.gwp import GWP_SETS, GWPNotAvailable
from nearzero.accounting.inventory import InventoryResult, compute_inventory
from nearzero.accounting.key_categories import KeyCategory, level_assessment, trend_assessment
from nearzero.accounting.model import ActivityError, ActivityMetadata, ActivityRow
from nearzero.accounting.uncertainty import (
    Approach1,
    MonteCarloResult,
    approach1,
    monte_carlo,
    monte_carlo_input,
)
from nearzero.services.context import InvalidInput

FORMATS = (".xlsx", ".yaml", ".yml", ".json", ".csv")
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


class _Cells(Sequence[object]):
    """A text column left in Arrow: read a cell only when an error names it."""

    def __init__(self, column: Any) -> None:
        self.column = column

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, i: Any) -> Any:
        return self.column[i].as_py()


def read_facility_columns(data: bytes) -> dict[str, Any]:
    """A facility table's columns: key text as categories (the parser hands over the codes),
    numbers as numpy arrays, other text left in Arrow (pyarrow's CSV reader, in threads)."""
    import pyarrow as pa
    import pyarrow.csv as csv

    categories = pa.dictionary(pa.int32(), pa.string())
    table = csv.read_csv(  # type: ignore[attr-defined]
        io.BytesIO(data),
        convert_options=csv.ConvertOptions(  # type: ignore[attr-defined]
            column_types={c: categories for c in TEXT_COLUMNS if c != "facility"}
            | {"facility": pa.string()},
            strings_can_be_null=False,
        ),
    )
    columns: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_dictionary(column.type):
            columns[name.strip()] = column.to_pandas().array
        elif pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
            columns[name.strip()] = column.to_pandas().to_numpy()
        elif name.strip() in ("year", "quantity"):  # a cell that is not a number: as text
            columns[name.strip()] = column.to_numpy(zero_copy_only=False)
        else:
            columns[name.strip()] = _Cells(column)
    return columns


def _read_facilities(
    name: str, data: bytes, library: FactorLibrary
) -> tuple[list[ActivityRow], ActivityMetadata]:
    """A facility table (.csv, :mod:`nearzero.accounting.facilities`) pooled by key."""
    try:
        columns = read_facility_columns(data)
    except ValueError as exc:  # pyarrow's ArrowInvalid: not UTF-8, ragged lines, empty
        raise InvalidInput(
            f"file: 文件“{name}”无法按CSV读取 — the file {name!r} cannot be read as CSV ({exc})"
        ) from None
    try:
        rows = pool_facilities(columns, library, sheet=PurePath(name).name)
    except ActivityError as exc:
        more = facility_errors(columns, library, sheet=PurePath(name).name, limit=MAX_ERRORS)
        raise _errors(exc, more) from None
    return rows, ActivityMetadata(source=PurePath(name).name)


def read_activity(
    name: str,
    data: bytes,
    factors: FactorLibrary | None = None,
    max_bytes: int | None = MAX_FILE_BYTES,
) -> Activity:
    """Parse an activity file (.xlsx, .yaml/.yml, .json, or a facility table .csv) and run
    every row once (a facility table: every pooled row).

    Raises :class:`InvalidInput` whose ``errors`` name the sheet, row and field of every bad
    row it finds (the whole file is rejected). ``max_bytes`` bounds an upload (None: a local
    file, no bound).
    """
    library = factors or default_library()
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(
            f"file: 文件应为{'、'.join(FORMATS)}格式之一，而不是“{name}” — "
            f"expected one of {', '.join(FORMATS)}, got {name!r}"
        )
    if max_bytes is not None and len(data) > max_bytes:
        raise InvalidInput(
            f"file: 文件超过{max_bytes // (1024 * 1024)} MB — "
            f"larger than {max_bytes // (1024 * 1024)} MB"
        )
    if suffix == ".csv":
        rows, metadata = _read_facilities(name, data, library)
    elif suffix == ".xlsx":
        from nearzero.services.xlsx_guard import check_xlsx  # the settings only for a workbook

        check_xlsx(data, name)  # before openpyxl parses anything (issue #11 item 7)
        try:
            sheets = _load_sheets(data)
        except Exception as exc:  # openpyxl raises several kinds for a broken file
            raise InvalidInput(
                f"file: 文件“{name}”不是可读取的.xlsx工作簿 — "
                f"the file {name!r} is not a readable .xlsx workbook ({exc})"
            ) from None
        try:
            rows, metadata = parse_workbook(sheets, library)
        except ActivityError as exc:
            raise _errors(exc, _row_errors_book(sheets, library)) from None
    else:
        try:
            text = data.decode("utf-8-sig")
            doc = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise InvalidInput(
                f"file: 文件“{name}”无法读取 — the file {name!r} cannot be read ({exc})"
            ) from None
        if not isinstance(doc, dict):
            raise InvalidInput(
                f"file: 文件“{name}”不含活动水平数据（键值映射） — "
                f"the file {name!r} holds no activity document (a mapping)"
            )
        try:
            rows, metadata = parse_activity(doc, library)
        except ActivityError as exc:
            raise _errors(exc, _row_errors_doc(doc, library)) from None
    if not rows:
        raise InvalidInput(
            f"file: 文件“{name}”没有活动水平数据行 — the file {name!r} holds no activity rows"
        )
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
            f"year: 文件只有{'、'.join(map(str, activity.years))}年的数据，没有{year}年的 — "
            f"the file holds rows for {', '.join(map(str, activity.years))}, not {year}"
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
        raise InvalidInput(
            f"gwp: 全球变暖潜势应为{'、'.join(GWP_SETS)}之一，而不是“{gwp_set}” — "
            f"expected one of {', '.join(GWP_SETS)}, got {gwp_set!r}"
        )
    if year is None and len(activity.years) > 1:
        raise InvalidInput(
            f"year: 文件含{'、'.join(map(str, activity.years))}多个年份，请指明年份（--year） — "
            f"the file holds {', '.join(map(str, activity.years))}; say which (--year)"
        )
    if year is not None and year not in activity.years:
        raise InvalidInput(f"year: 文件没有{year}年的数据 — the file holds no rows for {year}")
    try:
        return compute_inventory(
            activity.rows, factors or default_library(), gwp_set, activity.metadata, year
        )
    except GWPNotAvailable as exc:
        raise InvalidInput(f"gwp: {exc}") from None
    except ActivityError as exc:
        raise InvalidInput(str(exc)) from None


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
