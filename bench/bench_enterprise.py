"""Benchmark: compute and screen 5 000 firms × 12 months of fuel data, nearzero vs pandas.

Data: 5 000 synthetic firms, each burning two fuels (烟煤, 无烟煤, 焦炭 or 柴油) with twelve
measured months (consumption [t], NCV [GJ/t], carbon content [t C/GJ]) and a measured
oxidation rate; a third of them in a reporting sector. Both sides compute the same formulas:
E = Σ FC × NCV × CC × OF × 44/12 per firm [t CO2], fossil energy = Σ FC × NCV / 29.3076
[tce], then the screening lines of rules.csv (fossil > 2 000 tce; emissions ≥ 26 000 t CO2 in
a reporting sector), values rounded to 6 decimals.

- nearzero, per firm: ``compute_report`` (every component with its parameters, sources and
  energy conversions) and ``screening.screen`` — the path a firm's report takes;
- nearzero, arrays: ``batch.fuel_totals`` and ``batch.screen_arrays`` (the same equations
  and rules on numpy arrays);
- baseline: plain pandas (columns multiplied, ``groupby(firm).sum()``, the thresholds).

Each side runs once to warm up, then the two alternate; the time is the minimum of
``REPEATS`` runs. The per-firm totals and flags of all three must agree.
Run: uv run python bench/bench_enterprise.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd

from nearzero.enterprise import batch
from nearzero.enterprise.combustion import FuelInput, FuelMonth, Sector
from nearzero.enterprise.model import decimal_of
from nearzero.enterprise.registry import Firm, IndustryCode
from nearzero.enterprise.report import AnnualReport, compute_report
from nearzero.enterprise.screening import FirmYear, screen

FIRMS, MONTHS, FUELS_PER_FIRM, REPEATS = 5_000, 12, 2, 3
FUELS = ("烟煤", "无烟煤", "焦炭", "柴油")
YEAR = 2024
GJ_PER_TCE = 29.3076
#: (industry code digits, in a reporting sector): 化工, 水泥, 机械
INDUSTRIES = (("2621", True), ("3011", True), ("3441", False))


def synthetic() -> pd.DataFrame:
    """One row per firm, fuel and month."""
    rng = np.random.default_rng(0)
    n = FIRMS * FUELS_PER_FIRM * MONTHS
    firm = np.repeat(np.arange(FIRMS), FUELS_PER_FIRM * MONTHS)
    slot = np.tile(np.repeat(np.arange(FUELS_PER_FIRM), MONTHS), FIRMS)
    fuel = (firm + slot) % len(FUELS)
    scale = rng.lognormal(4.0, 1.5, FIRMS)[firm]  # firms from a few t to ~100 kt a month
    return pd.DataFrame(
        {
            "firm": firm,
            "fuel": fuel,
            "month": np.tile(np.arange(1, MONTHS + 1), FIRMS * FUELS_PER_FIRM),
            "consumption": scale * rng.uniform(0.5, 1.5, n),
            "ncv": rng.uniform(20.0, 29.0, n),
            "carbon_content": rng.uniform(0.024, 0.028, n),
            "oxidation": np.repeat(rng.uniform(0.93, 0.99, FIRMS * FUELS_PER_FIRM), MONTHS),
        }
    )


def reports(df: pd.DataFrame) -> list[AnnualReport]:
    """The same data as the core's annual reports (built once, outside the timing)."""
    out = []
    cols = {c: df[c].to_numpy() for c in df.columns}
    per_firm = FUELS_PER_FIRM * MONTHS
    for f in range(FIRMS):
        fuels = []
        for s in range(FUELS_PER_FIRM):
            start = f * per_firm + s * MONTHS
            rows = range(start, start + MONTHS)
            fuels.append(
                FuelInput(
                    key=f"fuel{s}",
                    fuel=FUELS[int(cols["fuel"][start])],
                    unit="t",
                    ncv_unit="GJ/t",
                    oxidation=float(cols["oxidation"][start]),
                    months=tuple(
                        FuelMonth(
                            int(cols["month"][i]),
                            float(cols["consumption"][i]),
                            ncv=float(cols["ncv"][i]),
                            carbon_content=float(cols["carbon_content"][i]),
                        )
                        for i in rows
                    ),
                    field=f"fuels[{s}]",
                )
            )
        code, _ = INDUSTRIES[f % len(INDUSTRIES)]
        firm = Firm(f"f{f}", f"企业{f}", industry_code=IndustryCode("C", code))
        out.append(AnnualReport(firm, YEAR, Sector.GENERAL, fuels=tuple(fuels)))
    return out


def per_firm(annual: list[AnnualReport]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    results = [compute_report(r) for r in annual]
    years = [
        FirmYear(
            r.report.firm.key,
            r.report.firm.name_zh,
            YEAR,
            decimal_of(r.energy.fossil_tce),
            decimal_of(r.energy.comprehensive_tce),
            decimal_of(r.totals.total),
            r.report.firm.industry_code,
        )
        for r in results
    ]
    order = {s.firm.key: s for s in screen(years)}
    screened = [order[f"f{i}"] for i in range(FIRMS)]
    return (
        np.array([r.totals.total for r in results]),
        np.array([s.over_fossil_threshold for s in screened]),
        np.array([s.key_emitter_candidate for s in screened]),
    )


def arrays(cols: dict[str, np.ndarray], sector: np.ndarray) -> tuple[np.ndarray, ...]:
    totals = batch.fuel_totals(
        cols["firm"],
        cols["consumption"],
        cols["ncv"],
        cols["carbon_content"],
        cols["oxidation"],
        FIRMS,
    )
    flags = batch.screen_arrays(totals.fossil_tce, totals.fossil_tce, totals.fuel_tco2, sector)
    return totals.fuel_tco2, flags.over_fossil_threshold, flags.candidate


def pandas_baseline(df: pd.DataFrame, sector: np.ndarray) -> tuple[np.ndarray, ...]:
    work = pd.DataFrame(
        {
            "firm": df["firm"],
            "co2": df["consumption"]
            * df["ncv"]
            * df["carbon_content"]
            * df["oxidation"]
            * 44.0
            / 12.0,
            "gj": df["consumption"] * df["ncv"],
        }
    )
    sums = work.groupby("firm", sort=True)[["co2", "gj"]].sum()
    fossil = (sums["gj"] / GJ_PER_TCE).round(6)
    emissions = sums["co2"].round(6)
    over = (fossil > 2000).to_numpy()
    candidate = ((emissions >= 26000) & sector).to_numpy()
    return sums["co2"].to_numpy(), over, candidate


def best(runs: dict[str, list[float]], name: str, fn: Callable[[], object]) -> object:
    t0 = time.perf_counter()
    out = fn()
    runs[name].append(time.perf_counter() - t0)
    return out


def main() -> None:
    df = synthetic()
    cols = {c: df[c].to_numpy() for c in df.columns}
    sector = np.array([INDUSTRIES[f % len(INDUSTRIES)][1] for f in range(FIRMS)])
    annual = reports(df)
    sides: dict[str, Callable[[], object]] = {
        "per_firm": lambda: per_firm(annual),
        "arrays": lambda: arrays(cols, sector),
        "pandas": lambda: pandas_baseline(df, sector),
    }
    runs: dict[str, list[float]] = {k: [] for k in sides}
    # warm up every side (data files, unit registry, pandas internals), then alternate
    outputs = {k: fn() for k, fn in sides.items()}
    for r in range(REPEATS):
        names = list(sides) if r % 2 == 0 else list(reversed(sides))
        for name in names:
            outputs[name] = best(runs, name, sides[name])
    total = {k: np.asarray(v[0]) for k, v in outputs.items()}  # type: ignore[index]
    for name in ("per_firm", "arrays"):
        assert np.allclose(total[name], total["pandas"], rtol=1e-12), name
        for i in (1, 2):
            got = np.asarray(outputs[name][i])  # type: ignore[index]
            want = np.asarray(outputs["pandas"][i])  # type: ignore[index]
            assert (got == want).all(), (name, i)
    t = {k: min(v) for k, v in runs.items()}
    flags = outputs["pandas"]
    print(
        f"firms={FIRMS:,} × {FUELS_PER_FIRM} fuels × {MONTHS} months = {len(df):,} rows; "
        f"total {total['pandas'].sum() / 1e4:,.1f} 万tCO2; over 2000 tce: "
        f"{int(np.asarray(flags[1]).sum())}; candidates: {int(np.asarray(flags[2]).sum())}"  # type: ignore[index]
    )
    print(f"nearzero per firm (compute_report + screen): {t['per_firm']:8.4f} s")
    print(f"nearzero arrays (fuel_totals + screen_arrays): {t['arrays']:8.4f} s")
    print(f"pandas (baseline)                            : {t['pandas']:8.4f} s")
    print(f"ratio pandas/per-firm = {t['pandas'] / t['per_firm']:6.3f}x")
    print(f"ratio pandas/arrays   = {t['pandas'] / t['arrays']:6.2f}x")
    if Decimal(str(t["pandas"] / t["arrays"])) < 1:
        raise SystemExit("the array path is slower than pandas")


if __name__ == "__main__":
    main()
