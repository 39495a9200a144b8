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
from collections.abc import Sequence
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
        raise ValueError("the sum is 0: its relative uncertainty is undefined")
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


def monte_carlo(
    inputs: MonteCarloInput, iterations: int = 10_000, seed: int = 0
) -> MonteCarloResult:
    """Approach 2 Monte Carlo simulation (IPCC 2006 Vol 1 Ch 3 §3.2.3.2), vectorised.

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
    draws = rng.standard_normal((len(inputs.half_widths), iterations))
    multipliers = np.maximum(1.0 + (inputs.half_widths / 1.96)[:, None] * draws, 0.0)
    multipliers = np.vstack([multipliers, np.ones((1, iterations))])  # row -1: exact
    samples = np.repeat(inputs.estimates[:, None], iterations, axis=1)
    for j in range(inputs.component_index.shape[1]):
        samples *= multipliers[inputs.component_index[:, j]]
    totals = samples.sum(axis=0)
    low, high = np.percentile(samples, [2.5, 97.5], axis=1)
    t_low, t_high = np.percentile(totals, [2.5, 97.5])
    return MonteCarloResult(
        inputs.labels,
        samples.mean(axis=1),
        low,
        high,
        float(totals.mean()),
        float(t_low),
        float(t_high),
        iterations,
        seed,
    )
