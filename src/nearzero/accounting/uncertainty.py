"""Uncertainty of an inventory: Approach 1 (error propagation) and Approach 2 (Monte Carlo).

- Approach 1, IPCC 2006 Vol 1 Ch 3 Eq 3.1 (product: U = sqrt(ΣU_i²)) per category and
  Eq 3.2 (sum: U = sqrt(Σ(U_i·x_i)²)/|Σx_i|) for the total. Inputs are independent.
- Approach 2, Vol 1 Ch 3 §3.2.3.2: every uncertain input (activity datum or factor row)
  is drawn once per iteration, so a factor shared by several categories is fully
  correlated across them. Each input is a multiplier normal around 1 with standard
  deviation U/1.96, clipped at 0 (so half-widths above ~100 % are truncated);
  vectorised over categories and iterations with numpy, reproducible for a seed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nearzero.accounting.inventory import InventoryResult


def propagate_product(uncertainties: Sequence[float]) -> float:
    """Combined uncertainty of a product. [%]

    IPCC 2006 Vol 1 Ch 3 Eq 3.1.

    Parameters
    ----------
    uncertainties : sequence of float
        Half-widths of the 95 % intervals of the factors. [%]
    """
    return math.sqrt(sum(u * u for u in uncertainties))


def propagate_sum(values: Sequence[float], uncertainties: Sequence[float]) -> float:
    """Combined uncertainty of a sum. [%]

    IPCC 2006 Vol 1 Ch 3 Eq 3.2.

    Parameters
    ----------
    values : sequence of float
        The quantities summed. [any unit, the same for all]
    uncertainties : sequence of float
        Their half-widths of the 95 % intervals. [%]
    """
    total = abs(sum(values))
    if total == 0:
        raise ValueError(
            "合计为0，其相对不确定性无定义 — the sum is 0: its relative uncertainty is undefined"
        )
    return math.sqrt(sum((u * x) ** 2 for u, x in zip(uncertainties, values, strict=True))) / total


@dataclass(frozen=True)
class Approach1:
    """Per-category (row and gas) and total uncertainty by error propagation."""

    labels: tuple[str, ...]
    tco2e: tuple[float, ...]
    uncertainty_pct: tuple[float, ...]
    total_tco2e: float
    total_uncertainty_pct: float


def approach1(result: InventoryResult, scope: int = 1) -> Approach1:
    """Approach 1 over the records of one scope (rows without uncertainty count as exact)."""
    records = [r for r in result.records if r.scope == scope]
    pct = [r.uncertainty_pct or 0.0 for r in records]
    values = [r.tco2e for r in records]
    return Approach1(
        tuple(f"{r.row_id} {r.gas}" for r in records),
        tuple(values),
        tuple(pct),
        sum(values),
        propagate_sum(values, pct),
    )


@dataclass(frozen=True)
class MonteCarloInput:
    """Arrays for :func:`monte_carlo`.

    ``component_index[c, j]`` is the j-th uncertain input of category ``c`` (an index into
    ``half_widths``), padded with ``-1``.
    """

    labels: tuple[str, ...]
    estimates: NDArray[np.float64]
    component_index: NDArray[np.intp]
    half_widths: NDArray[np.float64]


def monte_carlo_input(result: InventoryResult, scope: int = 1) -> MonteCarloInput:
    """Categories (row and gas) of one scope with the keys of their uncertain inputs."""
    records = [r for r in result.records if r.scope == scope]
    keys: dict[str, int] = {}
    widths: list[float] = []
    per_category: list[list[int]] = []
    for r in records:
        idx = []
        for key, width in result.components.get(f"{r.row_id} {r.gas}", ()):
            if key not in keys:
                keys[key] = len(widths)
                widths.append(width)
            idx.append(keys[key])
        per_category.append(idx)
    depth = max((len(i) for i in per_category), default=0)
    index = np.full((len(records), depth), -1, dtype=np.intp)
    for c, idx in enumerate(per_category):
        index[c, : len(idx)] = idx
    return MonteCarloInput(
        tuple(f"{r.row_id} {r.gas}" for r in records),
        np.array([r.tco2e for r in records], dtype=np.float64),
        index,
        np.array(widths, dtype=np.float64),
    )


@dataclass(frozen=True)
class MonteCarloResult:
    """Mean and 2.5/97.5 percentiles per category and for the total. [tCO2e]"""

    labels: tuple[str, ...]
    mean: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    total_mean: float
    total_low: float
    total_high: float
    iterations: int
    seed: int

    @property
    def total_uncertainty_pct(self) -> float:
        """Half-width of the total's 95 % interval relative to its mean. [%]"""
        return (self.total_high - self.total_low) / 2.0 / abs(self.total_mean) * 100.0


def _percentiles_in_place(a: NDArray[np.float64], qs: Sequence[float]) -> list[NDArray[np.float64]]:
    """Percentiles ``qs`` [%] of each row of ``a``, as :func:`numpy.percentile` (``linear``)
    computes them, by one partial sort of ``a`` in place (its order is lost): no copy."""
    n = a.shape[-1]
    positions = [q / 100.0 * (n - 1) for q in qs]
    kth = sorted(
        {k for p in positions for k in (int(np.floor(p)), min(int(np.floor(p)) + 1, n - 1))}
    )
    workers = min(os.cpu_count() or 1, 8, max(1, a.shape[0] // 64))
    if workers > 1 and a.ndim == 2:  # numpy's partition releases the GIL: rows in parallel
        bounds = np.linspace(0, a.shape[0], workers + 1).astype(int)
        with ThreadPoolExecutor(workers) as pool:
            parts = zip(bounds[:-1], bounds[1:], strict=True)
            list(pool.map(lambda r: a[r[0] : r[1]].partition(kth, axis=-1), parts))
    else:
        a.partition(kth, axis=-1)
    out = []
    for p in positions:
        lo = int(np.floor(p))
        hi = min(lo + 1, n - 1)
        frac = p - lo
        below, above = a[..., lo], a[..., hi]
        diff = above - below  # numpy's own interpolation, so the result is the same to the bit
        out.append(above - diff * (1.0 - frac) if frac >= 0.5 else below + diff * frac)
    return out


def monte_carlo(
    inputs: MonteCarloInput, iterations: int = 10_000, seed: int = 0
) -> MonteCarloResult:
    """Approach 2 Monte Carlo simulation (IPCC 2006 Vol 1 Ch 3 §3.2.3.2), vectorised.

    Each uncertain input is drawn once per iteration as a normal multiplier 1 + (U/1.96)·z,
    truncated at 0, and shared by every category that uses it (correlation by construction).
    Written for numpy's limit: one draw array filled in place, the products taken in one
    buffer, the percentiles by an in-place partial sort of its rows (in threads: numpy's
    partition releases the GIL). The outputs equal the plain numpy code's to the bit
    (bench/bench_inventory_montecarlo.py checks it before timing).

    Parameters
    ----------
    inputs : MonteCarloInput
        Estimates [tCO2e] and their uncertain inputs (relative 95 % half-widths [-]).
    iterations : int
        Number of draws.
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same result.
    """
    rng = np.random.default_rng(seed)
    n_inputs = len(inputs.half_widths)
    multipliers = np.empty((n_inputs + 1, iterations))
    rng.standard_normal(out=multipliers[:n_inputs])  # the same draws as (n_inputs, iterations)
    multipliers[:n_inputs] *= (inputs.half_widths / 1.96)[:, None]
    multipliers[:n_inputs] += 1.0
    np.maximum(multipliers[:n_inputs], 0.0, out=multipliers[:n_inputs])
    multipliers[n_inputs] = 1.0  # index -1: an exact input
    index = np.where(inputs.component_index < 0, n_inputs, inputs.component_index)
    n_categories, depth = index.shape
    samples = np.empty((n_categories, iterations))
    samples[:] = inputs.estimates[:, None]
    for j in range(depth):
        samples *= multipliers[index[:, j]]
    totals = samples.sum(axis=0)
    mean = samples.mean(axis=1)
    low, high = _percentiles_in_place(samples, (2.5, 97.5))
    t_low, t_high = np.percentile(totals, [2.5, 97.5])
    return MonteCarloResult(
        inputs.labels,
        mean,
        low,
        high,
        float(totals.mean()),
        float(t_low),
        float(t_high),
        iterations,
        seed,
    )
