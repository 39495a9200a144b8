"""Plausible inventory input (issue #12, item 8): no infinity or NaN, nothing negative, shares
between 0 and 1, no stock change over no time. Each refusal names the row, the field and the
range; nothing reaches the totals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import yaml

from nearzero.accounting.activity import parse_activity, parse_row
from nearzero.accounting.facilities import aggregate_facility_rows
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.inventory import compute_inventory
from nearzero.accounting.lulucf import stock_change
from nearzero.accounting.model import ActivityError

COAL: dict[str, Any] = {
    "id": "coal",
    "category": "1.A.2",
    "method": "fuel_combustion",
    "fuel": "原煤",
    "quantity": 10,
    "unit": "万吨",
}
FOREST: dict[str, Any] = {
    "id": "forest",
    "category": "3.B.1.a",
    "method": "forest_stock_difference",
    "subject": "temperate_conifer_50_150",
    "quantity": 142.8,
    "unit": "万m³",
    "params": {
        "volume_t1": {"value": 139.36, "unit": "万m³"},
        "years": {"value": 2, "unit": "year"},
    },
    "factors": {"bcef": {"value": 0.6, "unit": "t/m**3", "source": "当地林业调查, 表x, 第y页"}},
}
WASTEWATER: dict[str, Any] = {
    "id": "wastewater",
    "category": "4.D.1",
    "method": "wastewater_domestic",
    "pathway": "aerobic_well_managed",
    "quantity": 1100233.7,
    "unit": "person",
    "params": {"share": 0.95},
}


def doc(*rows: dict[str, Any], years: Any = None) -> dict[str, Any]:
    return {"years": years or {2022: {"population": 1000}}, "rows": list(rows)}


def refusal(lib: FactorLibrary, row: dict[str, Any]) -> ActivityError:
    with pytest.raises(ActivityError) as exc:
        parse_activity(doc(COAL, row), lib)
    assert exc.value.index == 1
    assert f"row 1 ({row['id']}), field '{exc.value.field}'" in str(exc.value)
    return exc.value


def test_the_valid_rows_run(lib: FactorLibrary) -> None:
    rows, meta = parse_activity(doc(COAL, FOREST, WASTEWATER), lib)
    totals = compute_inventory(rows, lib, metadata=meta).totals
    assert all(math.isfinite(v) for v in vars(totals).values())


def test_an_infinite_quantity_from_yaml_is_refused(lib: FactorLibrary) -> None:
    # ``.inf`` quantities gave Infinity totals
    text = "{id: big, category: 1.A.2, method: fuel_combustion, fuel: 原煤, quantity: .inf}"
    row = {**yaml.safe_load(text), "unit": "万吨"}
    error = refusal(lib, row)
    assert error.field == "quantity"
    assert "expected a finite number, got inf" in str(error)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quantity": float("nan")}, "quantity", "expected a finite number, got nan"),
        ({"quantity": float("-inf")}, "quantity", "expected a finite number, got -inf"),
        ({"uncertainty_pct": float("inf")}, "uncertainty_pct", "expected a finite number"),
        ({"uncertainty_pct": -5}, "uncertainty_pct", "expected a number ≥ 0 in %, got -5 %"),
        (
            {"factors": {"ncv": {"value": -20.908, "unit": "GJ/t", "source": "实测, 表1, 第2页"}}},
            "factors.ncv.value",
            "expected a number ≥ 0 in GJ/t, got -20.908 GJ/t",
        ),
        (
            {"factors": {"ncv": {"value": float("inf"), "unit": "GJ/t", "source": "实测"}}},
            "factors.ncv",
            "expected a finite number, got inf",
        ),
        (
            {
                "factors": {
                    "ncv": {"value": 20, "unit": "GJ/t", "source": "实测", "uncertainty_pct": -3}
                }
            },
            "factors.ncv.uncertainty_pct",
            "expected a number ≥ 0 in %, got -3 %",
        ),
        (
            {"factors": {"oxidation": {"value": 1.5, "unit": "", "source": "实测"}}},
            "factors.oxidation.value",
            "expected a share between 0 and 1 (or 0 and 100 percent), got 1.5",
        ),
    ],
)
def test_a_bad_number_names_row_field_and_range(
    lib: FactorLibrary, change: dict[str, Any], field: str, message: str
) -> None:
    error = refusal(lib, {**COAL, "id": "second", **change})
    assert error.field == field
    assert message in str(error)


@pytest.mark.parametrize(
    ("share", "message"),
    [
        (1.5, "expected a share between 0 and 1 (or 0 and 100 percent), got 1.5"),
        (-0.05, "expected a share between 0 and 1 (or 0 and 100 percent), got -0.05"),
        ({"value": 150, "unit": "percent"}, "got 150 percent"),
        ({"value": float("nan"), "unit": "percent"}, "expected a finite number, got nan"),
    ],
)
def test_a_share_outside_0_to_1_is_refused(lib: FactorLibrary, share: Any, message: str) -> None:
    error = refusal(lib, {**WASTEWATER, "params": {"share": share}})
    assert error.field == "params.share"
    assert message in str(error)


def test_a_share_in_percent_within_range_is_accepted(lib: FactorLibrary) -> None:
    as_pct = {**WASTEWATER, "params": {"share": {"value": 95, "unit": "percent"}}}
    rows, meta = parse_activity(doc(COAL, as_pct), lib)
    rows_frac, _ = parse_activity(doc(COAL, WASTEWATER), lib)
    ch4 = compute_inventory(rows, lib, metadata=meta).records
    ch4_frac = compute_inventory(rows_frac, lib, metadata=meta).records
    assert [r.tonnes for r in ch4] == pytest.approx([r.tonnes for r in ch4_frac])


def test_a_negative_parameter_is_refused(lib: FactorLibrary) -> None:
    row = {
        **FOREST,
        "params": {**FOREST["params"], "volume_t1": {"value": -139.36, "unit": "万m³"}},
    }
    error = refusal(lib, row)
    assert error.field == "params.volume_t1"
    assert "expected a number ≥ 0 in 万m³, got -139.36 万m³" in str(error)


@pytest.mark.parametrize(
    ("years", "message"),
    [
        (0, "expected the time between the two inventories, more than 0 year; got 0"),
        (0.0, "more than 0 year; got 0"),
        (-1, "expected a number ≥ 0 in year, got -1 year"),
    ],
)
def test_a_forest_stock_change_over_no_time_is_refused(
    lib: FactorLibrary, years: float, message: str
) -> None:
    # a forest stock change over 0 years crashed with a ZeroDivisionError traceback
    row = {**FOREST, "params": {**FOREST["params"], "years": {"value": years, "unit": "year"}}}
    error = refusal(lib, row)
    assert error.field == "params.years"
    assert message in str(error)


def test_stock_change_needs_time() -> None:
    assert stock_change(100.0, 110.0, 2.0) == 5.0
    with pytest.raises(ValueError, match="years: expected a time between the inventories > 0"):
        stock_change(100.0, 110.0, 0.0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("inf"), "years.2022.population"),
        (-1000, "expected a number ≥ 0 in person, got -1000 person"),
    ],
)
def test_population_must_be_finite_and_not_negative(
    lib: FactorLibrary, value: float, message: str
) -> None:
    with pytest.raises(ActivityError, match="years.2022.population") as exc:
        parse_activity(doc(COAL, years={2022: {"population": value}}), lib)
    assert message in str(exc.value)


def test_parse_row_alone_refuses_a_negative_uncertainty() -> None:
    with pytest.raises(ActivityError, match=r"field 'uncertainty_pct': expected a number ≥ 0"):
        parse_row({**COAL, "year": 2022, "uncertainty_pct": -1}, 0, None)


def test_aggregated_facility_quantities_must_be_finite() -> None:
    def rows(quantity: list[float]) -> None:
        n = len(quantity)
        aggregate_facility_rows(
            np.array([2022] * n),
            np.array(["1.A.2"] * n),
            np.array(["fuel_combustion"] * n),
            np.array(["原煤"] * n),
            np.array(["吨"] * n),
            np.array(quantity, dtype=np.float64),
        )

    rows([1.0, 2.0])
    with pytest.raises(ActivityError, match=r"row 1, field 'quantity': expected a finite number"):
        rows([1.0, float("inf"), float("nan")])
    with pytest.raises(ActivityError, match="negative quantity -3.0"):
        rows([1.0, 2.0, -3.0])
