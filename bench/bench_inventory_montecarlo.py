"""Benchmark: Approach 2 Monte Carlo, 10 000 iterations over 600 source categories.

Compares nearzero.accounting.uncertainty.monte_carlo (vectorised numpy) with
(1) a plain per-iteration Python loop, timed on fewer iterations and scaled, and
(2) bonsai_ipcc's sampling (uncertainties.monte_carlo, one call per uncertain input).
Run: uv run python bench/bench_inventory_montecarlo.py
"""

from __future__ import annotations

import logging
import random
import time

import numpy as np
from bonsai_ipcc.uncertainties import monte_carlo as bonsai_sample

from nearzero.accounting.uncertainty import MonteCarloInput, monte_carlo

CATEGORIES, FACTORS, ITERATIONS, LOOP_ITERATIONS = 600, 150, 10_000, 200


def synthetic_input() -> MonteCarloInput:
    """600 categories: own activity datum + 2 shared factors each (pool of 150)."""
    rng = np.random.default_rng(0)
    shared = rng.integers(0, FACTORS, size=(CATEGORIES, 2))
    own = np.arange(FACTORS, FACTORS + CATEGORIES)[:, None]
    widths = np.concatenate([rng.uniform(0.02, 0.5, FACTORS), rng.uniform(0.02, 0.1, CATEGORIES)])
    return MonteCarloInput(
        tuple(f"c{i}" for i in range(CATEGORIES)),
        rng.uniform(1e2, 1e6, CATEGORIES),
        np.hstack([own, shared]),
        widths,
    )


def loop_baseline(inputs: MonteCarloInput, iterations: int) -> list[float]:
    """The same model, one iteration and one category at a time in plain Python."""
    rand = random.Random(0)
    estimates = inputs.estimates.tolist()
    index = inputs.component_index.tolist()
    sd = (inputs.half_widths / 1.96).tolist()
    totals = []
    for _ in range(iterations):
        draw = [max(1.0 + s * rand.gauss(0.0, 1.0), 0.0) for s in sd]
        total = 0.0
        for e, idx in zip(estimates, index, strict=True):
            for j in idx:
                e *= draw[j]
            total += e
        totals.append(total)
    return totals


def main() -> None:
    inputs = synthetic_input()
    t0 = time.perf_counter()
    result = monte_carlo(inputs, ITERATIONS, seed=1)
    vectorised = time.perf_counter() - t0

    t0 = time.perf_counter()
    loop_baseline(inputs, LOOP_ITERATIONS)
    loop = (time.perf_counter() - t0) * ITERATIONS / LOOP_ITERATIONS

    logging.getLogger("bonsai_ipcc").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    for w in inputs.half_widths:  # bonsai draws each input separately (normal, 95 % range)
        bonsai_sample(1.0 - w, 1.0 + w, distribution="normal", size=ITERATIONS)
    bonsai = time.perf_counter() - t0

    print(f"categories={CATEGORIES} inputs={len(inputs.half_widths)} iterations={ITERATIONS}")
    print(
        f"total 95% interval: {result.total_low:,.0f} .. {result.total_high:,.0f} t "
        f"(±{result.total_uncertainty_pct:.2f} %)"
    )
    print(f"vectorised numpy          : {vectorised:8.3f} s  (target < 1 s)")
    print(
        f"plain Python loop (scaled): {loop:8.3f} s  ratio loop/vectorised = "
        f"{loop / vectorised:6.1f}x"
    )
    print(
        f"bonsai_ipcc sampling only : {bonsai:8.3f} s  ratio bonsai/vectorised = "
        f"{bonsai / vectorised:6.2f}x"
    )


if __name__ == "__main__":
    main()
