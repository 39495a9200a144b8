"""Benchmark: matrix LCA on a synthetic supply chain of 5 000 processes, nearzero vs bw2calc.

The same matrices in both: a tiered supply chain (each process buys ~8 inputs, mostly from
the next tiers upstream, a quarter from a core of 200 energy, fuel and transport processes
that also buy from one another, so loops exist as in ecoinvent), 100 elementary flows
with ~5 emissions per process, every exchange lognormal (gsd 1.05–1.5). Timed:
(1) one solve of h = c·B·A⁻¹·f, from the coordinate arrays to the score;
(2) 1 000 Monte Carlo draws of every A and B entry. bw2calc resamples and refactorises A per
draw (its ``next(lca)``); nearzero samples all draws at once and solves them in batches on the
nominal factorisation (``engine.solve_draws``). Both scores and both Monte Carlo means printed.
Run: uv run python bench/bench_footprint.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from nearzero.footprint.engine import Factorised, Pattern, solve_draws
from nearzero.footprint.uncertainty import KINDS, Distributions, sample

PROCESSES, INPUTS, FLOWS, EMISSIONS, DRAWS, BATCH = 5_000, 8, 100, 5, 1_000, 250
CORE = 200


def synthetic() -> dict[str, np.ndarray]:
    """COO arrays of A (diagonal 1, inputs as positive amounts to flip) and B, and σ."""
    rng = np.random.default_rng(0)
    n = PROCESSES
    core = n - CORE  # the last CORE processes: energy, fuels, transport, bought by every tier
    cols = np.repeat(np.arange(n), INPUTS)
    upstream = cols + 1 + rng.geometric(0.01, cols.size)  # mostly the next tiers up
    to_core = rng.random(cols.size) < 0.25
    rows = np.where(to_core | (upstream >= n), rng.integers(core, n, cols.size), upstream)
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    amounts = rng.uniform(0.005, 0.12, rows.size)  # column sums ≈ 0.5: a productive economy
    b_cols = np.repeat(np.arange(n), EMISSIONS)
    b_rows = rng.integers(0, FLOWS, b_cols.size)
    b_amounts = rng.lognormal(0.0, 1.0, b_cols.size)
    return {
        "a_rows": np.concatenate([np.arange(n), rows]),
        "a_cols": np.concatenate([np.arange(n), cols]),
        "a_amount": np.concatenate([np.ones(n), amounts]),
        "a_sign": np.concatenate([np.ones(n), -np.ones(rows.size)]),
        "a_sigma": np.concatenate([np.zeros(n), np.log(rng.uniform(1.05, 1.5, rows.size))]),
        "b_rows": b_rows,
        "b_cols": b_cols,
        "b_amount": b_amounts,
        "b_sigma": np.log(rng.uniform(1.05, 1.5, b_cols.size)),
        "cf": rng.uniform(0.5, 30.0, FLOWS),
    }


def bw_package(d: dict[str, np.ndarray]) -> object:
    import bw_processing as bwp

    def uncertainty(amount: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        arr = np.zeros(amount.size, dtype=bwp.UNCERTAINTY_DTYPE)
        arr["uncertainty_type"] = np.where(sigma > 0, 2, 0)  # stats_arrays: 2 = lognormal
        arr["loc"] = np.where(sigma > 0, np.log(amount), amount)
        arr["scale"] = sigma
        arr["minimum"] = arr["maximum"] = arr["shape"] = np.nan
        return arr

    def idx(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        out = np.zeros(rows.size, dtype=bwp.INDICES_DTYPE)
        out["row"], out["col"] = rows, cols
        return out

    dp = bwp.create_datapackage()
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        indices_array=idx(d["a_rows"] + 1, d["a_cols"] + 1),
        data_array=d["a_amount"],
        flip_array=d["a_sign"] < 0,
        distributions_array=uncertainty(d["a_amount"], d["a_sigma"]),
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        indices_array=idx(d["b_rows"] + 10**6, d["b_cols"] + 1),
        data_array=d["b_amount"],
        distributions_array=uncertainty(d["b_amount"], d["b_sigma"]),
    )
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        indices_array=idx(np.arange(FLOWS) + 10**6, np.zeros(FLOWS, dtype=int)),
        data_array=d["cf"],
    )
    return dp


def nearzero_once(d: dict[str, np.ndarray], f: np.ndarray) -> float:
    a = Pattern(d["a_rows"], d["a_cols"], (PROCESSES, PROCESSES)).matrix(
        d["a_sign"] * d["a_amount"]
    )
    b = Pattern(d["b_rows"], d["b_cols"], (FLOWS, PROCESSES)).matrix(d["b_amount"])
    return float(d["cf"] @ (b @ Factorised(a).supply(f)))


def nearzero_mc(d: dict[str, np.ndarray], f: np.ndarray, draws: int) -> tuple[np.ndarray, int]:
    lognormal = KINDS.index("lognormal")
    amount = np.concatenate([d["a_amount"], d["b_amount"]])
    sigma = np.concatenate([d["a_sigma"], d["b_sigma"]])
    dist = Distributions(
        np.where(sigma > 0, lognormal, 0).astype(np.int64), amount, sigma, np.zeros_like(sigma)
    )
    rng = np.random.default_rng(1)
    na = d["a_amount"].size
    a_pat = Pattern(d["a_rows"], d["a_cols"], (PROCESSES, PROCESSES))
    b_pat = Pattern(d["b_rows"], d["b_cols"], (FLOWS, PROCESSES))
    base = Factorised(a_pat.matrix(d["a_sign"] * d["a_amount"]))
    out, direct = np.empty(draws), 0
    for s in range(0, draws, BATCH):
        part = sample(dist, min(BATCH, draws - s), rng)
        out[s : s + BATCH], stats = solve_draws(
            base, a_pat, d["a_sign"][:, None] * part[:na], b_pat, part[na:], d["cf"], f
        )
        direct += stats.direct
    return out, direct


def main() -> None:
    warnings.filterwarnings("ignore", message=".*pypardiso", category=UserWarning)
    import bw2calc

    d = synthetic()
    f = np.zeros(PROCESSES)
    f[0] = 1.0
    print(
        f"processes={PROCESSES} A nnz={d['a_rows'].size} B nnz={d['b_rows'].size} "
        f"elementary flows={FLOWS} draws={DRAWS}"
    )

    t0 = time.perf_counter()
    h_nz = nearzero_once(d, f)
    one_nz = time.perf_counter() - t0
    t0 = time.perf_counter()
    lca = bw2calc.LCA({1: 1.0}, data_objs=[bw_package(d)])
    lca.lci()
    lca.lcia()
    one_bw = time.perf_counter() - t0
    assert abs(lca.score - h_nz) <= 1e-9 * abs(h_nz), (lca.score, h_nz)
    print(f"one solve  score {h_nz:,.6f} (bw2calc {lca.score:,.6f})")
    print(f"  nearzero : {one_nz:8.3f} s")
    print(f"  bw2calc  : {one_bw:8.3f} s  ratio bw2calc/nearzero = {one_bw / one_nz:6.2f}x")

    t0 = time.perf_counter()
    values, direct = nearzero_mc(d, f, DRAWS)
    mc_nz = time.perf_counter() - t0
    t0 = time.perf_counter()
    lca = bw2calc.LCA({1: 1.0}, data_objs=[bw_package(d)], use_distributions=True, seed_override=1)
    lca.lci()
    lca.lcia()
    scores = [lca.score]
    for _ in range(DRAWS - 1):
        next(lca)
        scores.append(lca.score)
    mc_bw = time.perf_counter() - t0
    print(
        f"Monte Carlo {DRAWS} draws  mean {values.mean():,.4f} ± {values.std():,.4f} "
        f"(bw2calc {np.mean(scores):,.4f} ± {np.std(scores):,.4f}); "
        f"{direct} draws fell back to their own factorisation"
    )
    print(f"  nearzero : {mc_nz:8.3f} s")
    print(f"  bw2calc  : {mc_bw:8.3f} s  ratio bw2calc/nearzero = {mc_bw / mc_nz:6.2f}x")


if __name__ == "__main__":
    main()
