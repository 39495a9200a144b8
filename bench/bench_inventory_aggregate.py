"""Benchmark: 1 000 000 facility-level activity rows to a full inventory.

nearzero: aggregate_facility_rows (pandas.factorize + numpy bincount) then
compute_inventory on the aggregated rows (factors, GWP, lineage). Baseline: a pandas
groupby-sum of the same keys, then the same compute_inventory. Both totals must agree.
Run: uv run python bench/bench_inventory_aggregate.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from nearzero.accounting.activity import aggregate_facility_rows
from nearzero.accounting.factors import default_library
from nearzero.accounting.inventory import METHODS, compute_inventory
from nearzero.accounting.model import ActivityRow

N = 1_000_000
KINDS = [  # (category, method, subject, unit)
    *[
        (c, "fuel_combustion", f, "t")
        for c in ("1.A.1.a", "1.A.2", "1.A.4.b", "1.A.4.a")
        for f in ("原煤", "焦炭", "柴油", "汽油", "燃料油", "液化石油气", "anthracite", "lpg")
    ],
    *[
        ("1.A.2", "fuel_combustion", "天然气", "万m³"),
        ("1.A.4.b", "fuel_combustion", "天然气", "万m³"),
    ],
    *[("3.A.1", "enteric_fermentation", s, "head") for s in ("dairy_cattle", "goats", "swine")],
    ("2.A.2", "lime", "high_calcium", "t"),
    ("3.C.4", "soil_n2o_direct", "synthetic", "t"),
]


def facilities() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    kind = rng.integers(0, len(KINDS), N)
    table = np.array(KINDS, dtype=object)[kind]
    return pd.DataFrame(
        {
            "year": np.full(N, 2022),
            "category": table[:, 0],
            "method": table[:, 1],
            "subject": table[:, 2],
            "unit": table[:, 3],
            "quantity": rng.uniform(0, 100, N),
        }
    )


def pandas_rows(df: pd.DataFrame) -> list[ActivityRow]:
    grouped = df.groupby(["year", "category", "method", "subject", "unit"], sort=False)[
        "quantity"
    ].sum()
    return [
        ActivityRow(i, f"pd{i}", int(y), c, m, s, METHODS[m].default_gases, float(q), u)
        for i, ((y, c, m, s, u), q) in enumerate(grouped.items())
    ]


def main() -> None:
    df = facilities()
    lib = default_library()
    compute_inventory(pandas_rows(df.head(1000)), lib, "AR5")  # warm up: load the code lists
    cols = {c: df[c].to_numpy() for c in df.columns}

    t0 = time.perf_counter()
    ours = compute_inventory(aggregate_facility_rows(**cols), lib, "AR5")
    mine = time.perf_counter() - t0

    t0 = time.perf_counter()
    base = compute_inventory(pandas_rows(df), lib, "AR5")
    baseline = time.perf_counter() - t0

    assert np.isclose(ours.totals.gross, base.totals.gross, rtol=1e-9)
    print(
        f"rows={N:,} aggregated to {len(ours.lineage.methods)} activity rows; "
        f"gross total {ours.totals.gross:,.0f} tCO2e"
    )
    print(f"nearzero (factorize + bincount + compute): {mine:6.3f} s")
    print(f"pandas groupby + compute (baseline)      : {baseline:6.3f} s")
    print(f"ratio baseline/nearzero = {baseline / mine:5.2f}x")


if __name__ == "__main__":
    main()
