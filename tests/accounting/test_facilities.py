"""Facility tables pooled by key (issue #13 item 3): the vectorised path gives the result the
per-line path gives.

Two comparisons, and why each is what it is:

- Vectorised pooling against a per-line loop (every line through ``parse_row``, quantities
  summed with ``+=`` in line order): **exact**. ``numpy.bincount`` adds the weights one after
  the other in line order, from 0.0, the same IEEE additions as the loop, so every pooled
  quantity is the same float and so is everything computed from it (``==`` on the whole
  :class:`InventoryResult`: records, totals, tables, lineage, uncertainty inputs, key
  categories).
- Pooled against every line computed on its own: the same records up to the row ids and
  totals **to rounding** (``rtol=1e-12``): a pooled row computes (Σ q)·f, the lines Σ (q·f),
  and the product does not distribute over a sum in floating point. Where the split is exact
  (each quantity in two halves: q/2 + q/2 == q), the bundled example comes out bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np
import pytest

from nearzero.accounting.activity import (
    bundled_example,
    document_for_year,
    parse_activity,
    parse_row,
)
from nearzero.accounting.facilities import (
    KEY_COLUMNS,
    POOLED_METHODS,
    facility_errors,
    pool_facilities,
)
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.inventory import METHODS, InventoryResult, compute_inventory
from nearzero.accounting.key_categories import level_assessment
from nearzero.accounting.model import ActivityError, ActivityRow
from nearzero.accounting.uncertainty import approach1, monte_carlo_input

KINDS = [  # (category, method, subject, unit)
    *[
        (c, "fuel_combustion", f, u)
        for c in ("1.A.1.a", "1.A.2", "1.A.4.b")
        for f, u in (("原煤", "t"), ("原煤", "万吨"), ("柴油", "t"), ("天然气", "万m³"))
    ],
    *[("3.A.1", "enteric_fermentation", s, "head") for s in ("dairy_cattle", "goats")],
    ("2.A.2", "lime", "high_calcium", "t"),
    ("3.C.4", "soil_n2o_direct", "synthetic", "t"),
    ("4.C.1", "incineration", "plastics", "t"),
]


def random_table(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    kind = np.array(KINDS, dtype=object)[rng.integers(0, len(KINDS), n)]
    return {
        "facility": np.array([f"f{i:05d}" for i in range(n)], dtype=object),
        "year": rng.choice([2021, 2022], n),
        "category": kind[:, 0],
        "method": kind[:, 1],
        "subject": kind[:, 2],
        "unit": kind[:, 3],
        "quantity": rng.lognormal(3, 2, n),
    }


def per_line(table: dict[str, Any], first_line: int = 2) -> list[ActivityRow]:
    """The reference: every line parsed alone, pooled by a loop in line order."""
    n = len(table["quantity"])
    lines = [
        parse_row(
            {
                "id": str(table["facility"][i]),
                **{c: table[c][i].item() if c == "year" else table[c][i] for c in KEY_COLUMNS},
                "quantity": float(table["quantity"][i]),
            },
            first_line + i,
            None,
        )
        for i in range(n)
    ]
    pooled: dict[tuple[Any, ...], list[Any]] = {}
    for row in lines:
        key = (row.year, row.category, row.method, row.subject, row.unit)
        entry = pooled.setdefault(key, [row, 0.0, 0])
        entry[1] += row.quantity
        entry[2] += 1
    return [
        replace(
            first,
            row_id="/".join(map(str, key[1:])),
            quantity=total,
            note=f"{count} facility lines",
        )
        for key, (first, total, count) in pooled.items()
    ]


def unpooled(table: dict[str, Any]) -> list[ActivityRow]:
    n = len(table["quantity"])
    return [
        ActivityRow(
            i,
            str(table["facility"][i]),
            int(table["year"][i]),
            str(table["category"][i]),
            str(table["method"][i]),
            str(table["subject"][i]),
            METHODS[str(table["method"][i])].default_gases,
            float(table["quantity"][i]),
            str(table["unit"][i]),
        )
        for i in range(n)
    ]


def both_years(rows: Sequence[ActivityRow], lib: FactorLibrary) -> dict[int, InventoryResult]:
    return {y: compute_inventory(rows, lib, "AR5", year=y) for y in (2021, 2022)}


def test_vectorised_pooling_equals_the_per_line_loop_exactly(lib: FactorLibrary) -> None:
    table = random_table(5000, seed=13)
    fast = pool_facilities(table, lib)
    slow = per_line(table)
    assert fast == slow  # every field, every float to the bit
    ours, reference = both_years(fast, lib), both_years(slow, lib)
    assert ours == reference
    for year in ours:
        a, b = ours[year], reference[year]
        assert level_assessment(a.category_tco2e()) == level_assessment(b.category_tco2e())
        assert approach1(a) == approach1(b)
        mc_a, mc_b = monte_carlo_input(a), monte_carlo_input(b)
        for f in fields(mc_a):
            assert np.array_equal(getattr(mc_a, f.name), getattr(mc_b, f.name)), f.name
        assert a.components == b.components and a.lineage == b.lineage


def test_pooled_totals_equal_every_line_computed_alone(lib: FactorLibrary) -> None:
    table = random_table(3000, seed=7)
    pooled = both_years(pool_facilities(table, lib), lib)
    alone = both_years(unpooled(table), lib)
    for year in pooled:
        a, b = pooled[year], alone[year]
        for name, value in vars(a.totals).items():
            assert math.isclose(value, getattr(b.totals, name), rel_tol=1e-12, abs_tol=1e-9)
        for sector, gases in b.sector_gas_tco2e.items():
            for gas, value in gases.items():
                assert math.isclose(a.sector_gas_tco2e[sector][gas], value, rel_tol=1e-12)
        cats_a, cats_b = a.category_tco2e(), b.category_tco2e()
        assert cats_a.keys() == cats_b.keys()
        for key, value in cats_b.items():
            assert math.isclose(cats_a[key], value, rel_tol=1e-12)
        assert [k.category for k in level_assessment(cats_a)] == [
            k.category for k in level_assessment(cats_b)
        ]
        # the same uncertain inputs per category and gas, and the same factor lineage
        by_category_a = {
            f"{r.category} {r.gas}": a.components[f"{r.row_id} {r.gas}"] for r in a.records
        }
        by_category_b = {
            f"{r.category} {r.gas}": b.components[f"{r.row_id} {r.gas}"] for r in b.records
        }
        assert by_category_a == by_category_b
        assert set(a.lineage.factor_refs) == set(b.lineage.factor_refs)
        assert len(a.records) < len(b.records)  # one record per key and gas, not per line


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_bundled_example_through_facility_lines_is_bit_for_bit(
    lib: FactorLibrary, year: int
) -> None:
    """The example's rows that a facility table can hold, each split into two facility lines
    of half the quantity (q/2 + q/2 == q exactly), give the per-row result to the bit."""
    rows, _ = parse_activity(document_for_year(bundled_example(), year))
    eligible = [
        r
        for r in rows
        if not r.params
        and not r.factors
        and r.notation is None
        and r.uncertainty_pct is None
        and r.method in POOLED_METHODS
        and r.gases == METHODS[r.method].default_gases
    ]
    assert eligible
    lines = [r for r in eligible for _ in range(2)]
    table = {
        "facility": [f"{r.row_id}-{i % 2}" for i, r in enumerate(lines)],
        "year": [r.year for r in lines],
        "category": [r.category for r in lines],
        "method": [r.method for r in lines],
        "subject": [r.subject for r in lines],
        "unit": [r.unit for r in lines],
        "quantity": [r.quantity / 2 for r in lines],  # type: ignore[operator]
    }
    pooled = pool_facilities(table, lib)
    assert [p.quantity for p in pooled] == [r.quantity for r in eligible]
    ours = compute_inventory(pooled, lib, "AR5")
    reference = compute_inventory([replace(r, illustrative=False) for r in eligible], lib, "AR5")
    ids = {p.row_id: r.row_id for p, r in zip(pooled, eligible, strict=True)}
    assert [replace(rec, row_id=ids[rec.row_id]) for rec in ours.records] == list(reference.records)
    assert ours.totals == reference.totals
    assert ours.sector_gas_tco2e == reference.sector_gas_tco2e
    assert ours.sector_gas_tonnes == reference.sector_gas_tonnes
    assert {f"{ids[k.split(' ')[0]]} {k.split(' ')[1]}": v for k, v in ours.components.items()} == (
        reference.components
    )
    assert ours.lineage.factor_refs == reference.lineage.factor_refs


def test_a_bad_line_is_named_by_line_facility_and_column(lib: FactorLibrary) -> None:
    table = random_table(200, seed=3)
    table["quantity"] = table["quantity"].astype(object)
    table["quantity"][57] = "many"
    table["subject"] = table["subject"].copy()
    table["subject"][120] = "unobtainium"
    with pytest.raises(ActivityError) as caught:
        pool_facilities(table, lib, sheet="lines.csv")
    assert str(caught.value).startswith("sheet 'lines.csv' row 59 (f00057), field 'quantity'")
    listed = facility_errors(table, lib, sheet="lines.csv")
    assert listed[0].startswith("sheet 'lines.csv' row 59 (f00057), field 'quantity'")
    assert any(e.startswith("sheet 'lines.csv' row 122") and "'subject'" in e for e in listed), (
        listed
    )


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"quantity": -1.0}, "quantity", "negative quantity"),
        ({"quantity": float("inf")}, "quantity", "finite"),
        ({"year": "next"}, "year", "not a year"),
        ({"category": "9.Z"}, "category", "9.Z"),
        ({"method": "landfill_fod"}, "method", "not pooled over facilities"),
        ({"method": "no_such"}, "method", "unknown method"),
        ({"unit": "parsecs"}, "unit", "parsecs"),
        ({"sector": "waste"}, "sector", "belongs to energy"),
    ],
)
def test_refusals_are_the_activity_rows_own(
    lib: FactorLibrary, change: dict[str, object], field: str, expected: str
) -> None:
    table: dict[str, list[object]] = {
        "facility": ["a", "b", "c"],
        "year": [2022, 2022, 2022],
        "category": ["1.A.2"] * 3,
        "sector": ["energy"] * 3,
        "method": ["fuel_combustion"] * 3,
        "subject": ["原煤"] * 3,
        "unit": ["t"] * 3,
        "quantity": [1.0, 2.0, 3.0],
    }
    for column, value in change.items():
        table[column][1] = value
    with pytest.raises(ActivityError, match=expected) as caught:
        pool_facilities(table, lib)
    assert (caught.value.index, caught.value.field, caught.value.row_id) == (3, field, "b")


def test_columns_are_checked_first(lib: FactorLibrary) -> None:
    with pytest.raises(ActivityError, match=r"row 1, field 'quantity': missing column"):
        pool_facilities({c: ["x"] for c in KEY_COLUMNS}, lib)
    with pytest.raises(ActivityError, match=r"field 'colour': unknown column"):
        pool_facilities({c: ["x"] for c in (*KEY_COLUMNS, "quantity", "colour")}, lib)
