"""Activity data: the documented YAML/JSON structure, Excel sheets, the Excel template.

Document structure (``format: nearzero.inventory-activity/1``)::

    region: 济南市章丘区
    source: where the numbers come from
    years:
      2022:
        population: {value: 1100234, unit: person, illustrative: true, note: ...}
        gdp: {value: 1120.7, unit: 亿元}
    rows:
      - id: energy-coal-power          # unique within a year; default "row<index>"
        year: 2022                     # default: the only year under ``years``
        category: 1.A.1.a              # IPCC 2006 code, or IND.1 / IND.2 (indirect)
        sector: energy                 # optional check: energy/能源活动, ippu, ...
        method: fuel_combustion        # see nearzero.accounting.inventory.METHODS
        fuel: 原煤                      # the subject; also subject/species/waste_type/
                                       # equipment/pathway/grid
        gases: [CO2, CH4, N2O]         # default: the method's gases
        quantity: 142.285
        unit: 万吨
        params: {exported: {value: 10, unit: MWh}, deposits: {2020: 1000, 2021: 900}}
                                       # road gasoline: {control: low_mileage_1995} (or
                                       # uncontrolled, oxidation_catalyst; Table 3.2.2)
        factors:                       # Tier 2 overrides, each with its citation
          oxidation: {value: 0.94, unit: dimensionless, source: "document, table, page"}
          ncv: cn_ncv_raw_coal         # or the id of a library row
        notation: NE                   # NO/NE/NA/IE/C instead of quantity and method
        uncertainty_pct: 5             # activity data, ±% at 95 %
        illustrative: true             # an assumed number, not a statistic
        note: why

:func:`parse_activity` returns ``(rows, metadata)`` and raises
:class:`~nearzero.accounting.model.ActivityError` naming the row index and field.

Every number must be finite (no ``.inf``, no ``.nan``) and none may be negative (a quantity,
a parameter, a factor, an uncertainty, a population or GDP: removals come from the method,
never from a negative input). A share or fraction (:data:`FRACTIONS`: ``share``,
``oxidation``, ``carbon_fraction``, ``mcf`` …) lies between 0 and 1 (or 0 and 100 % when
given in percent). A refusal names the row, the field and the range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nearzero.accounting.categories import (
    Sector,
    UnknownCategory,
    canonical_code,
    parse_sector,
    sector_of,
)
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.gwp import GWPNotAvailable, canonical_gas, gas_group
from nearzero.accounting.inventory import METHODS, evaluate_row
from nearzero.accounting.model import (
    ActivityError,
    ActivityMetadata,
    ActivityRow,
    FactorOverride,
    Notation,
    Param,
    YearData,
)
from nearzero.units import UnitError, convert, parse_unit

FORMAT = "nearzero.inventory-activity/1"
SUBJECT_FIELDS = ("subject", "fuel", "species", "waste_type", "equipment", "pathway", "grid")
ROW_FIELDS = frozenset(
    {
        "id",
        "year",
        "category",
        "sector",
        "method",
        "gases",
        "quantity",
        "unit",
        "params",
        "factors",
        "notation",
        "uncertainty_pct",
        "illustrative",
        "note",
        *SUBJECT_FIELDS,
    }
)


#: Parameters and factors that are a share of a whole: between 0 and 1 (dimensionless).
FRACTIONS = frozenset(
    {
        "share",
        "system_fraction",
        "oxidation",
        "oxidation_incineration",
        "ox",
        "carbon_fraction",
        "carbon_fraction_dry",
        "fossil_carbon_fraction",
        "methane_fraction",
        "cao_fraction",
        "dry_matter",
        "doc",
        "docf",
        "mcf",
        "mcf_wastewater",
        "frac_leach",
        "frac_gasm",
        "frac_gasf",
        "f_non_con",
        "f_ind_com",
        "carbon_oxidation_nh3",
    }
)


def _number(value: object, fail: ActivityError) -> float:
    """A finite number, else ``fail`` (infinity and NaN are refused, naming the field)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail
    if not math.isfinite(value):
        raise ActivityError(
            fail.index,
            fail.field,
            f"应为有限数值，而不是{value!r} — expected a finite number, got {value!r}",
            row_id=fail.row_id,
            sheet=fail.sheet,
        )
    return float(value)


def _in_range(number: float, unit: str, name: str, err: ActivityError) -> float:
    """``number`` unless it is negative, or (for a share in :data:`FRACTIONS`) above 1.

    ``err`` names the row and field; its message is replaced by the range expected.
    """

    def refuse(expected_zh: str, expected: str) -> ActivityError:
        return ActivityError(
            err.index,
            err.field,
            f"{expected_zh}，而不是{number:g}{' ' + unit if unit else ''} — "
            f"expected {expected}, got {number:g}{' ' + unit if unit else ''}",
            row_id=err.row_id,
            sheet=err.sheet,
        )

    leaf = name.rsplit(".", 1)[-1]
    if leaf in FRACTIONS:
        try:
            share = convert(number, unit, "") if unit else number
        except UnitError:
            share = number  # the method reports the unit mismatch, naming the field
        if not 0 <= share <= 1:
            raise refuse(
                "应为0到1之间的比例（或0到100%）", "a share between 0 and 1 (or 0 and 100 percent)"
            )
    elif number < 0:
        raise refuse(
            f"应为≥0的数值{'（单位' + unit + '）' if unit else ''}",
            f"a number ≥ 0{' in ' + unit if unit else ''}",
        )
    return number


def _param(name: str, value: object, index: int, row_id: str, sheet: str) -> dict[str, Param]:
    """One ``params`` entry; a mapping of years (or names) to numbers is flattened."""

    def err(msg: str, key: str = name) -> ActivityError:
        return ActivityError(index, f"params.{key}", msg, row_id=row_id, sheet=sheet)

    if isinstance(value, Mapping) and "value" not in value:
        out: dict[str, Param] = {}
        for key, inner in value.items():
            out.update(_param(f"{name}.{key}", inner, index, row_id, sheet))
        return out
    if isinstance(value, Mapping):
        raw, unit = value["value"], str(value.get("unit", ""))
    else:
        raw, unit = value, ""
    if isinstance(raw, str):
        return {name: Param(raw)}
    number = _number(raw, err(f"{raw!r}不是数值 — {raw!r} is not a number"))
    if unit:
        try:
            parse_unit(unit)
        except UnitError as exc:
            raise err(str(exc)) from None
    return {name: Param(_in_range(number, unit, name, err("")), unit)}


def _factor(name: str, value: object, err: ActivityError) -> FactorOverride:
    if isinstance(value, str):
        return FactorOverride(ref_id=value)
    if not isinstance(value, Mapping):
        raise err
    source = str(value.get("source", "")).strip()
    if not source:
        raise ActivityError(
            err.index,
            f"factors.{name}.source",
            "本地排放因子须注明出处（文件、表、页） — "
            "a local factor needs its citation (document, table, page)",
            row_id=err.row_id,
            sheet=err.sheet,
        )
    unit = str(value.get("unit", ""))
    try:
        parse_unit(unit)
    except UnitError as exc:
        raise ActivityError(
            err.index, f"factors.{name}.unit", str(exc), row_id=err.row_id, sheet=err.sheet
        ) from None
    pct = value.get("uncertainty_pct")

    def field_err(field: str) -> ActivityError:
        return ActivityError(
            err.index, f"factors.{name}.{field}", "", row_id=err.row_id, sheet=err.sheet
        )

    number = _in_range(_number(value.get("value"), err), unit, name, field_err("value"))
    return FactorOverride(
        value=number,
        unit=unit,
        source=source,
        uncertainty_pct=None
        if pct is None
        else _in_range(_number(pct, err), "%", "uncertainty_pct", field_err("uncertainty_pct")),
    )


def parse_row(raw: object, index: int, default_year: int | None, *, sheet: str = "") -> ActivityRow:
    """Validate one activity row (a mapping) into an :class:`ActivityRow`."""
    if not isinstance(raw, Mapping):
        raise ActivityError(
            index, "row", "每行应为字段映射 — expected a mapping of fields", sheet=sheet
        )
    row_id = str(raw.get("id") or f"row{index}")

    def err(field: str, msg: str) -> ActivityError:
        return ActivityError(index, field, msg, row_id=row_id, sheet=sheet)

    unknown = sorted(set(map(str, raw)) - ROW_FIELDS)
    if unknown:
        raise err(
            unknown[0],
            f"未知字段，应为{'、'.join(sorted(ROW_FIELDS))}之一 — "
            f"unknown field; expected one of {', '.join(sorted(ROW_FIELDS))}",
        )
    year = raw.get("year", default_year)
    if not isinstance(year, int) or isinstance(year, bool):
        raise err("year", f"{year!r}不是有效年份 — {year!r} is not a year")
    try:
        category = canonical_code(str(raw.get("category", "")))
    except UnknownCategory as exc:
        raise err("category", str(exc)) from None
    if "sector" in raw:
        try:
            sector = parse_sector(str(raw["sector"]))
        except ValueError as exc:
            raise err("sector", str(exc)) from None
        if sector != sector_of(category):
            raise err(
                "sector",
                f"类别{category}属于{sector_of(category).label_zh}部门，而不是{sector.label_zh} — "
                f"category {category} belongs to {sector_of(category).value}, not {sector.value}",
            )
    notation = None
    if raw.get("notation") is not None:
        try:
            notation = Notation(str(raw["notation"]).strip().upper())
        except ValueError:
            raise err(
                "notation",
                f"{raw['notation']!r}不是{'、'.join(n.value for n in Notation)}之一 — "
                f"{raw['notation']!r} is not one of {', '.join(n.value for n in Notation)}",
            ) from None
    method_name = str(raw.get("method", ""))
    method = METHODS.get(method_name)
    if method is None and (notation is None or method_name):
        raise err(
            "method",
            f"未知的计算方法{method_name!r}，应为{'、'.join(sorted(METHODS))}之一 — "
            f"unknown method {method_name!r}; expected one of {', '.join(sorted(METHODS))}",
        )
    subjects = [f for f in SUBJECT_FIELDS if f in raw]
    if len(subjects) > 1:
        raise err(
            subjects[1],
            f"{'、'.join(subjects)}只能填一个 — give one of {', '.join(subjects)}, not several",
        )
    subject_field = subjects[0] if subjects else "subject"
    gases = _gases(raw.get("gases"), method.default_gases if method else (), err)
    if method is not None and method.gases and not set(gases) <= set(method.gases):
        raise err(
            "gases",
            f"方法{method.name}只报告{'、'.join(method.gases)} — "
            f"method {method.name} reports {', '.join(method.gases)}",
        )
    quantity, unit = _quantity(raw, notation, err)
    params: dict[str, Param] = {}
    for name, value in dict(raw.get("params") or {}).items():
        params.update(_param(str(name), value, index, row_id, sheet))
    factors = {
        str(name): _factor(
            str(name),
            value,
            err(
                f"factors.{name}",
                "应为{value, unit, source}或排放因子编号 — "
                "expected {value, unit, source} or a factor id",
            ),
        )
        for name, value in dict(raw.get("factors") or {}).items()
    }
    pct = raw.get("uncertainty_pct")
    return ActivityRow(
        index=index,
        row_id=row_id,
        year=year,
        category=category,
        method=method_name,
        subject=str(raw.get(subject_field, "")),
        gases=gases,
        quantity=quantity,
        unit=unit,
        params=params,
        factors=factors,
        notation=notation,
        uncertainty_pct=None
        if pct is None
        else _in_range(
            _number(pct, err("uncertainty_pct", "不是数值 — not a number")),
            "%",
            "uncertainty_pct",
            err("uncertainty_pct", ""),
        ),
        illustrative=bool(raw.get("illustrative", False)),
        note=str(raw.get("note", "")),
        sheet=sheet,
        subject_field=subject_field,
    )


def _gases(raw: object, default: tuple[str, ...], err: Any) -> tuple[str, ...]:
    if raw is None:
        if not default:
            raise err("gases", "该方法须填写气体 — required for this method")
        return default
    names = [g.strip() for g in raw.split(",")] if isinstance(raw, str) else list(raw)  # type: ignore[call-overload]
    out = []
    for name in names:
        try:
            gas_group(str(name))
            out.append(canonical_gas(str(name)))
        except GWPNotAvailable as exc:
            raise err("gases", str(exc)) from None
    return tuple(out)


def _quantity(
    raw: Mapping[str, Any], notation: Notation | None, err: Any
) -> tuple[float | None, str]:
    if notation is not None:
        if raw.get("quantity") is not None:
            raise err(
                "quantity",
                f"标注为{notation.value}的行不填数量 — "
                f"a row with notation {notation.value} has no quantity",
            )
        return None, ""
    if raw.get("quantity") is None:
        raise err(
            "quantity",
            "缺少数量（或填写标注NO/NE/NA/IE/C） — missing (or give a notation key NO/NE/NA/IE/C)",
        )
    quantity = _number(
        raw["quantity"],
        err("quantity", f"{raw['quantity']!r}不是数值 — {raw['quantity']!r} is not a number"),
    )
    if quantity < 0:
        raise err(
            "quantity",
            f"数量不能为负（{quantity}），清除量由计算方法得出 — "
            f"negative quantity {quantity}; removals come from the method",
        )
    unit = str(raw.get("unit", "")).strip()
    if not unit:
        raise err("unit", "缺少单位 — missing")
    try:
        parse_unit(unit)
    except UnitError as exc:
        raise err("unit", f"单位{unit!r}无法识别 — {exc}") from None
    return quantity, unit


def _year_data(year: object, raw: object) -> YearData:
    if not isinstance(raw, Mapping):
        raise ActivityError(0, f"years.{year}", "应为人口/GDP数值 — expected population/gdp values")
    values: dict[str, float | None] = {}
    illustrative = bool(raw.get("illustrative", False))
    notes = [str(raw.get("note", ""))]
    for key, unit in (("population", "person"), ("gdp", "wan_yuan")):
        item = raw.get(key)
        if item is None:
            values[key] = None
            continue
        entry = item if isinstance(item, Mapping) else {"value": item, "unit": unit}
        fail = ActivityError(
            0, f"years.{year}.{key}", f"应为以{unit}计的数值 — expected a number in {unit}"
        )
        given_unit = str(entry.get("unit", unit))
        number = _in_range(_number(entry.get("value"), fail), given_unit, key, fail)
        try:
            values[key] = convert(number, given_unit, unit)
        except UnitError as exc:
            raise ActivityError(0, f"years.{year}.{key}", str(exc)) from None
        illustrative |= bool(entry.get("illustrative", False))
        notes.append(str(entry.get("note", "")))
    return YearData(
        values["population"], values["gdp"], illustrative, " ".join(n for n in notes if n)
    )


def parse_activity(
    doc: Mapping[str, Any], factors: FactorLibrary | None = None
) -> tuple[list[ActivityRow], ActivityMetadata]:
    """Parse an activity document (already loaded from YAML/JSON) into rows and metadata.

    With ``factors``, every row is also run once, so an unknown fuel, a unit that does
    not convert or a missing factor is reported now, naming the row and the field.
    """
    fmt = doc.get("format", FORMAT)
    if fmt != FORMAT:
        raise ActivityError(
            0, "format", f"格式应为{FORMAT!r}，而不是{fmt!r} — expected {FORMAT!r}, got {fmt!r}"
        )
    years = {int(y): _year_data(y, v) for y, v in dict(doc.get("years") or {}).items()}
    metadata = ActivityMetadata(
        region=str(doc.get("region", "")),
        source=str(doc.get("source", "")),
        note=str(doc.get("note", "")),
        years=years,
    )
    raw_rows = doc.get("rows")
    if not isinstance(raw_rows, Sequence) or isinstance(raw_rows, str):
        raise ActivityError(0, "rows", "rows应为行的列表 — expected a list of rows")
    default_year = next(iter(years)) if len(years) == 1 else None
    rows = [parse_row(raw, i, default_year) for i, raw in enumerate(raw_rows)]
    check_rows(rows, factors)
    return rows, metadata


def check_rows(rows: Sequence[ActivityRow], factors: FactorLibrary | None) -> None:
    """Reject an id used twice in one year and, with ``factors``, rows whose method cannot
    run. The same id in several years is one source across the time series."""
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row.year, row.row_id)
        if key in seen:
            raise row.error(
                "id",
                f"{row.year}年的编号重复（另见第{seen[key]}行） — "
                f"duplicate id in {row.year} (also row {seen[key]})",
            )
        seen[key] = row.index
        if factors is not None:
            evaluate_row(row, factors)


# -- Excel ----------------------------------------------------------------------------------

#: Header of every sector sheet: Chinese label, then the field key.
SHEET_COLUMNS = (
    ("编号", "id"),
    ("年份", "year"),
    ("类别代码", "category"),
    ("方法", "method"),
    ("对象", "subject"),
    ("气体", "gases"),
    ("活动水平", "quantity"),
    ("单位", "unit"),
    ("参数", "params"),
    ("因子", "factors"),
    ("注释代码", "notation"),
    ("不确定性%", "uncertainty_pct"),
    ("示意", "illustrative"),
    ("说明", "note"),
)
META_SHEET = "元数据 metadata"
META_COLUMNS = (
    ("年份", "year"),
    ("地区", "region"),
    ("人口", "population"),
    ("人口单位", "population_unit"),
    ("地区生产总值", "gdp"),
    ("生产总值单位", "gdp_unit"),
    ("说明", "note"),
)
_EXAMPLES: dict[Sector, dict[str, object]] = {
    Sector.ENERGY: {
        "category": "1.A.2",
        "method": "fuel_combustion",
        "subject": "原煤",
        "quantity": 10000,
        "unit": "吨",
    },
    Sector.IPPU: {
        "category": "2.A.2",
        "method": "lime",
        "subject": "high_calcium",
        "quantity": 5000,
        "unit": "吨",
    },
    Sector.AGRICULTURE: {
        "category": "3.A.1",
        "method": "enteric_fermentation",
        "subject": "dairy_cattle",
        "quantity": 1000,
        "unit": "head",
    },
    Sector.LULUCF: {
        "category": "3.B.1.a",
        "method": "forest_stock_difference",
        "subject": "temperate_conifer_50_150",
        "quantity": 1137300,
        "unit": "m**3",
        "params": "volume_t1=1393600 m**3; years=2 year",
        "factors": "bcef=0.6 t/m**3 @ 当地林业调查, 表x, 第y页",
    },
    Sector.WASTE: {
        "category": "4.C.1",
        "method": "incineration",
        "subject": "plastics",
        "quantity": 20000,
        "unit": "吨",
    },
}


def _cell_pairs(text: str, field: str, err: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, value = part.partition("=")
        if not sep:
            raise err(field, f"{part!r}应为“名称=数值” — {part!r}: expected name=value")
        out[name.strip()] = value.strip()
    return out


def _value_unit(text: str) -> tuple[object, str]:
    number, _, unit = text.partition(" ")
    try:
        return float(number), unit.strip()
    except ValueError:
        return text, ""


def _sheet_row(cells: Mapping[str, object], index: int, sheet: str) -> dict[str, object]:
    """A sector-sheet row (header → cell) as the dict :func:`parse_row` reads."""

    def err(field: str, msg: str) -> ActivityError:
        return ActivityError(index, field, msg, sheet=sheet)

    keyed = {str(h).split()[-1]: v for h, v in cells.items() if h is not None}
    raw: dict[str, object] = {
        k: v for k, v in keyed.items() if v not in (None, "") and k not in ("params", "factors")
    }
    params: dict[str, object] = {}
    for name, text in _cell_pairs(str(keyed.get("params") or ""), "params", err).items():
        value, unit = _value_unit(text)
        params[name] = {"value": value, "unit": unit}
    factors: dict[str, object] = {}
    for name, text in _cell_pairs(str(keyed.get("factors") or ""), "factors", err).items():
        if text.startswith("#"):
            factors[name] = text[1:]
            continue
        value_unit, _, source = text.partition("@")
        value, unit = _value_unit(value_unit.strip())
        factors[name] = {"value": value, "unit": unit, "source": source.strip()}
    if params:
        raw["params"] = params
    if factors:
        raw["factors"] = factors
    if isinstance(raw.get("year"), float):
        raw["year"] = int(raw["year"])  # type: ignore[call-overload]
    raw["illustrative"] = str(raw.get("illustrative", "")).strip().lower() in (
        "true",
        "1",
        "是",
        "yes",
    )
    return raw


def parse_workbook(
    sheets: Mapping[str, Sequence[Mapping[str, object]]], factors: FactorLibrary | None = None
) -> tuple[list[ActivityRow], ActivityMetadata]:
    """Parse a workbook loaded as ``{sheet name: [row dicts keyed by header]}``.

    Sector sheets are named by the sector's Chinese name (能源活动 …) and use
    :data:`SHEET_COLUMNS`; the ``params`` cell reads ``name=value unit; …`` and the
    ``factors`` cell ``name=value unit @ citation; …`` or ``name=#factor_id``. Errors
    name the sheet and the spreadsheet row number (header = row 1).
    """
    years: dict[object, dict[str, object]] = {}
    region = ""
    for cells in sheets.get(META_SHEET, ()):
        keyed = {str(h).split()[-1]: v for h, v in cells.items() if h is not None}
        region = str(keyed.get("region") or region)
        years[keyed.get("year")] = {
            key: {"value": keyed[key], "unit": keyed.get(f"{key}_unit") or default}
            for key, default in (("population", "person"), ("gdp", "wan_yuan"))
            if keyed.get(key) not in (None, "")
        } | {"note": keyed.get("note") or ""}
    doc_years = {int(y): v for y, v in years.items()}  # type: ignore[call-overload]
    default_year = next(iter(doc_years)) if len(doc_years) == 1 else None
    rows: list[ActivityRow] = []
    for sector in Sector:
        for i, cells in enumerate(sheets.get(sector.label_zh, ()), start=2):
            raw = _sheet_row(cells, i, sector.label_zh)
            if len([v for v in raw.values() if v not in (None, "", False)]) == 0:
                continue
            raw.setdefault("sector", sector.value)
            rows.append(parse_row(raw, i, default_year, sheet=sector.label_zh))
    check_rows(rows, factors)
    metadata = ActivityMetadata(
        region=region, years={y: _year_data(y, v) for y, v in doc_years.items()}
    )
    return rows, metadata


def write_template(path: str | Path, year: int = 2022) -> None:
    """Write the Excel template: a metadata sheet and one sheet per sector with an example."""
    from openpyxl import Workbook  # only for the template: reading rows does not need it

    book = Workbook()
    meta = book.active
    assert meta is not None
    meta.title = META_SHEET
    meta.append([f"{zh} {key}" for zh, key in META_COLUMNS])
    meta.append([year, "", None, "person", None, "万元", ""])
    for sector in Sector:
        sheet = book.create_sheet(sector.label_zh)
        sheet.append([f"{zh} {key}" for zh, key in SHEET_COLUMNS])
        example = {
            "id": f"{sector.value}-example",
            "year": year,
            "illustrative": "true",
            "note": "示例行，请替换 / example row, replace it",
            **_EXAMPLES[sector],
        }
        sheet.append([example.get(key, "") for _, key in SHEET_COLUMNS])
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    book.save(path)


EXAMPLE = "zhangqiu_inventory_illustrative.yaml"


def document_for_year(
    doc: Mapping[str, Any], year: int, as_year: int | None = None
) -> dict[str, Any]:
    """One year of an activity document: that year's rows and metadata (pure).

    With ``as_year`` the copy is relabelled as that year: copy-forward data entry, where
    next year's file starts from this year's rows and the changed quantities are edited.
    """
    years = {int(y): v for y, v in dict(doc.get("years") or {}).items()}
    only = len(years) == 1 and year in years
    rows = [
        dict(r)
        for r in doc.get("rows") or []
        if isinstance(r, Mapping) and r.get("year", year if only else None) == year
    ]
    label = year if as_year is None else as_year
    for r in rows:
        r["year"] = label
    out = {k: v for k, v in doc.items() if k not in ("years", "rows")}
    out["years"] = {label: years[year]} if year in years else {}
    out["rows"] = rows
    return out


def bundled_example(name: str = EXAMPLE) -> dict[str, Any]:
    """The bundled illustrative activity document (YAML) as loaded data."""
    text = resources.files("nearzero.data").joinpath("examples", name).read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded
