"""Activity parsing: bad input names the row and the field; Excel sheets; the template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose
from openpyxl import load_workbook

from nearzero.accounting.activity import (
    SHEET_COLUMNS,
    parse_activity,
    parse_workbook,
    write_template,
)
from nearzero.accounting.facilities import aggregate_facility_rows
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.inventory import compute_inventory
from nearzero.accounting.model import ActivityError, Notation

COAL = {
    "id": "coal",
    "category": "1.A.2",
    "method": "fuel_combustion",
    "fuel": "原煤",
    "quantity": 10,
    "unit": "万吨",
}


def doc(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"years": {2022: {"population": 1000}}, "rows": [COAL, *rows]}


@pytest.mark.parametrize(
    "bad, field, message",
    [
        ({"fuel": "褐煤"}, "fuel", "no ncv for '褐煤' in factors/ipcc2006_energy.csv"),
        ({"quantity": -5}, "quantity", "negative quantity"),
        ({"quantity": "many"}, "quantity", "is not a number"),
        ({"quantity": float("inf")}, "quantity", "expected a finite number, got inf"),
        ({"uncertainty_pct": -2}, "uncertainty_pct", "expected a number ≥ 0 in %, got -2 %"),
        ({"unit": "furlong"}, "unit", "does not convert"),
        ({"unit": "bananas"}, "unit", "unknown unit 'bananas'"),
        ({"method": "burn"}, "method", "unknown method 'burn'"),
        ({"category": "1.Z"}, "category", "not an IPCC 2006 category"),
        ({"sector": "waste"}, "sector", "belongs to energy, not waste"),
        ({"gases": ["CO2", "HCFC-22"]}, "gases", "not one of the inventory gases"),
        ({"gases": ["SF6"]}, "gases", "fuel_combustion reports CO2, CH4, N2O"),
        ({"notation": "NE"}, "quantity", "notation NE has no quantity"),
        ({"notation": "XX"}, "notation", "not one of NO, NE, NA, IE, C"),
        ({"factors": {"ncv": {"value": 20, "unit": "GJ/t"}}}, "factors.ncv.source", "citation"),
        ({"factors": {"ncv": "no_such_id"}}, "factors.ncv", "no factor with id 'no_such_id'"),
        ({"factors": {"ncv": "cn_cc_raw_coal"}}, "factors.ncv", "is a carbon_content, not a ncv"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"id": "coal"}, "id", "duplicate id in 2022 (also row 0)"),
    ],
)
def test_bad_row_names_row_and_field(
    lib: FactorLibrary, bad: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ActivityError) as exc:
        parse_activity(doc({**COAL, "id": "second", **bad}), lib)
    assert exc.value.index == 1 and exc.value.field == field
    assert f"row 1 ({bad.get('id', 'second')}), field '{field}'" in str(exc.value)
    assert message in str(exc.value)


def test_missing_factor_is_reported_at_parse(lib: FactorLibrary) -> None:
    heat = {"id": "heat", "category": "IND.2", "method": "heat", "quantity": 1, "unit": "TJ"}
    with pytest.raises(
        ActivityError,
        match=r"row 1 \(heat\), field 'factors.heat_ef': "
        r"no heat_ef for '' in any factor file",
    ):
        parse_activity(doc(heat), lib)
    cited = {
        **heat,
        "factors": {
            "heat_ef": {"value": 0.11, "unit": "t/GJ", "source": "济南热力 2022 核算报告, 表4"}
        },
    }
    rows, _ = parse_activity(doc(cited), lib)
    assert rows[1].factors["heat_ef"].source.startswith("济南热力")


def test_unit_that_does_not_convert_at_parse(lib: FactorLibrary) -> None:
    cows = {
        "id": "cows",
        "category": "3.A.1",
        "method": "enteric_fermentation",
        "species": "goats",
        "quantity": 5,
        "unit": "t",
    }
    with pytest.raises(ActivityError, match=r"row 1 \(cows\), field 'unit': cannot convert"):
        parse_activity(doc(cows), lib)


def test_good_document_and_notation_rows(lib: FactorLibrary) -> None:
    ne = {"id": "ne", "category": "2.B.1", "notation": "ne", "gases": "CO2"}
    rows, meta = parse_activity(doc(ne), lib)
    assert rows[0].quantity == 10 and rows[0].year == 2022 and rows[0].subject_field == "fuel"
    assert rows[1].notation is Notation.NE and rows[1].quantity is None
    assert meta.years[2022].population == 1000


def workbook_from(path: Path) -> dict[str, list[dict[str, object]]]:
    book = load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        out[sheet.title] = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    return out


def test_template_round_trip(tmp_path: Path, lib: FactorLibrary) -> None:
    write_template(tmp_path / "t.xlsx")
    sheets = workbook_from(tmp_path / "t.xlsx")
    assert list(sheets) == [
        "元数据 metadata",
        "能源活动",
        "工业生产过程",
        "农业",
        "土地利用变化和林业",
        "废弃物处理",
    ]
    assert list(sheets["能源活动"][0]) == [f"{zh} {key}" for zh, key in SHEET_COLUMNS]
    rows, meta = parse_workbook(sheets, lib)
    assert [r.sheet for r in rows] == list(sheets)[1:] and all(r.illustrative for r in rows)
    assert sorted(meta.years) == [2022]
    result = compute_inventory(rows, lib, "AR5", meta)
    assert set(result.sector_gas_tco2e) == {"energy", "ippu", "agriculture", "lulucf", "waste"}


def test_workbook_errors_name_sheet_and_row(lib: FactorLibrary) -> None:
    header = [f"{zh} {key}" for zh, key in SHEET_COLUMNS]
    good = dict.fromkeys(header, None) | {
        "编号 id": "a",
        "年份 year": 2022,
        "类别代码 category": "3.A.1",
        "方法 method": "enteric_fermentation",
        "对象 subject": "goats",
        "活动水平 quantity": 100,
        "单位 unit": "head",
    }
    bad = good | {"编号 id": "b", "活动水平 quantity": -1}
    with pytest.raises(ActivityError, match=r"sheet '农业' row 3 \(b\), field 'quantity'"):
        parse_workbook({"农业": [good, bad]}, lib)
    factors = good | {
        "因子 factors": "ef_enteric=6 kg/head/year @ 山东畜牧统计 2022, 表5",
        "参数 params": "days=120 day",
    }
    rows, _ = parse_workbook({"农业": [factors]}, lib)
    assert rows[0].factors["ef_enteric"].value == 6 and rows[0].params["days"].value == 120
    with pytest.raises(ActivityError, match=r"sheet '农业' row 2 \(a\), field 'sector'"):
        parse_workbook({"农业": [good | {"类别代码 category": "1.A.2"}]}, lib)


def test_aggregate_facility_rows_sums_by_key() -> None:
    n = 1000
    rng = np.random.default_rng(1)
    fuel = rng.choice(["原煤", "天然气"], n)
    q = rng.uniform(0, 10, n)
    rows = aggregate_facility_rows(
        np.full(n, 2022),
        np.full(n, "1.A.2"),
        np.full(n, "fuel_combustion"),
        fuel,
        np.where(fuel == "原煤", "t", "万m³"),
        q,
    )
    totals = {r.subject: r.quantity for r in rows}
    assert_allclose(totals["原煤"], q[fuel == "原煤"].sum())
    assert_allclose(totals["天然气"], q[fuel == "天然气"].sum())
