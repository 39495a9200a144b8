"""Benchmark: 1 000 000 facility lines through ``nearzero inventory compute`` (issue #13 item 3).

nearzero: the real command, in process through typer's ``CliRunner``
(``nearzero inventory compute lines.csv``): read the file, check every line with the
activity rows' own rules, pool by key (pyarrow's CSV reader in threads, its dictionary codes as
pandas categories, numpy bincount), compute the
inventory (factors, GWP, lineage) and print the sector × gas table.
Baseline: what a pandas user writes for the same numbers: ``pandas.read_csv`` of the same
file, ``groupby(...).sum()`` of the same keys, then the same ``compute_inventory``; printed
also with ``read_csv(engine="pyarrow")`` (the reader nearzero uses) for a like-for-like parser.

Both legs run once to warm up, then alternate (which goes first swaps each round); the
minimum of ROUNDS runs is reported. The gross totals must agree (pandas' groupby sum is
compensated, nearzero sums in line order, so to rounding). A profile of the nearzero leg
names what bounds it: the CSV parser (a floor: pyarrow reading the same columns alone),
pooling, computing, and the CLI around the service (runner, table). The per-row path the
command took before (every line its own activity row) is timed on a sample for scale.
Run: uv run python bench/bench_inventory_aggregate.py  [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from nearzero.accounting.facilities import pool_facilities
from nearzero.accounting.factors import default_library
from nearzero.accounting.inventory import METHODS, InventoryResult, compute_inventory
from nearzero.accounting.model import ActivityRow
from nearzero.cli import app
from nearzero.services import inventory as svc

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
ROUNDS = 5
SAMPLE = 2_000
KEYS = ["year", "category", "method", "subject", "unit"]
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


def facilities(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    kind = rng.integers(0, len(KINDS), n)
    table = np.array(KINDS, dtype=object)[kind]
    return pd.DataFrame(
        {
            "facility": [f"F{i:07d}" for i in range(n)],
            "year": np.full(n, 2022),
            "category": table[:, 0],
            "method": table[:, 1],
            "subject": table[:, 2],
            "unit": table[:, 3],
            "quantity": rng.uniform(0, 100, n).round(4),
        }
    )


def pandas_leg(path: Path, engine: str = "c") -> InventoryResult:
    df = pd.read_csv(path, engine=engine)  # type: ignore[call-overload]
    grouped = df.groupby(KEYS, sort=False)["quantity"].sum()
    rows = [
        ActivityRow(i, f"pd{i}", int(y), c, m, s, METHODS[m].default_gases, float(q), u)
        for i, ((y, c, m, s, u), q) in enumerate(grouped.items())
    ]
    return compute_inventory(rows, default_library(), "AR5")


def nearzero_leg(path: Path) -> str:
    out = CliRunner().invoke(app, ["inventory", "compute", str(path)])
    assert out.exit_code == 0, out.output
    return out.output


def best_of(legs: dict[str, Callable[[], object]]) -> dict[str, float]:
    for leg in legs.values():
        leg()  # warm: imports, code lists, the factor library, the file in the page cache
    best = dict.fromkeys(legs, float("inf"))
    names = list(legs)
    for round_ in range(ROUNDS):
        for name in names if round_ % 2 == 0 else names[::-1]:
            t0 = time.perf_counter()
            legs[name]()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def profile(path: Path) -> dict[str, float]:
    """The nearzero leg in phases (min of 3 each)."""
    data = path.read_bytes()
    lib = default_library()
    columns = svc.read_facility_columns(data)
    rows = pool_facilities(columns, lib)
    phases: dict[str, Callable[[], object]] = {
        "read the CSV (pyarrow, parser floor)": lambda: svc.read_facility_columns(data),
        "pool: check + factorize + bincount": lambda: pool_facilities(columns, lib),
        "compute_inventory (pooled rows)": lambda: compute_inventory(rows, lib, "AR5"),
        "read_activity + compute (service)": lambda: svc.compute(
            svc.read_activity(path.name, data, max_bytes=None)
        ),
    }
    out = {}
    for name, fn in phases.items():
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        out[name] = best
    return out


def per_row_sample(df: pd.DataFrame) -> float:
    """Seconds per line of the per-row path: every line its own activity row."""
    head = df.head(SAMPLE)
    rows = [
        ActivityRow(i, str(f), int(y), c, m, s, METHODS[m].default_gases, float(q), u)
        for i, (f, y, c, m, s, u, q) in enumerate(head.itertuples(index=False))
    ]
    lib = default_library()
    compute_inventory(rows[:10], lib, "AR5")
    t0 = time.perf_counter()
    compute_inventory(rows, lib, "AR5")
    return (time.perf_counter() - t0) / SAMPLE


def main() -> None:
    df = facilities(N)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.csv"
        df.to_csv(path, index=False)
        ours = svc.compute(svc.read_activity(path.name, path.read_bytes(), max_bytes=None))
        base = pandas_leg(path)
        assert np.isclose(ours.totals.gross, base.totals.gross, rtol=1e-9)
        best = best_of(
            {
                "nearzero": lambda: nearzero_leg(path),
                "pandas": lambda: pandas_leg(path),
                "pandas-arrow": lambda: pandas_leg(path, "pyarrow"),
            }
        )
        phases = profile(path)
        size = path.stat().st_size
    per_row = per_row_sample(df)
    print(
        f"lines={N:,} ({size / 1e6:.0f} MB CSV) pooled to {len(ours.lineage.methods)} activity "
        f"rows; gross total {ours.totals.gross:,.0f} tCO2e"
    )
    print(f"nearzero inventory compute lines.csv (CliRunner)   : {best['nearzero']:6.3f} s")
    print(f"pandas read_csv + groupby + compute (baseline)     : {best['pandas']:6.3f} s")
    print(f"pandas read_csv(engine='pyarrow') + groupby + compute: {best['pandas-arrow']:6.3f} s")
    print(f"ratio baseline/nearzero = {best['pandas'] / best['nearzero']:5.2f}x (min of {ROUNDS})")
    print(f"ratio pandas-arrow/nearzero = {best['pandas-arrow'] / best['nearzero']:5.2f}x")
    print("profile of the nearzero leg (min of 3 each):")
    service = phases.pop("read_activity + compute (service)")
    for name, seconds in phases.items():
        print(f"  {name:38s} {seconds:6.3f} s")
    print(f"  {'read_activity + compute (service)':38s} {service:6.3f} s")
    print(f"  {'CLI around it (runner, table output)':38s} {best['nearzero'] - service:6.3f} s")
    print(
        f"per-row path (each line its own row, sample of {SAMPLE:,}): {per_row * 1e6:6.1f} µs a "
        f"line ≈ {per_row * N:6.1f} s for {N:,}"
    )


if __name__ == "__main__":
    main()
