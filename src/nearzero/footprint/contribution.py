"""Contribution and hot-spot analysis (ISO 14067 §6.6 / GB/T 24067 §6.6 interpretation).

- By process: hⱼ = (c·B)ⱼ · sⱼ, the direct emissions of process j at the scale the
  functional unit needs (Heijungs & Suh 2002 §3.1, "process contributions"); Σ hⱼ = h.
- By input of the reference process: the footprint embodied in each input line,
  aₖ · yₚ₍ₖ₎ with y = A⁻ᵀ(c·B)ᵀ the footprint per unit of product (cradle-to-gate of the
  product) and aₖ the amount of line k at the functional-unit scale; with the reference
  process's own emissions these sum to h when the reference product is not fed back.
- Hot spots: processes whose share of |h| is at least ``threshold``, largest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Contribution:
    """One row of a contribution table. [kgCO2e per functional unit]"""

    label: str
    value: float
    share: float
    stage: str = ""


def by_column(
    direct: Array, supply: Array, labels: list[str], stages: list[str]
) -> list[Contribution]:
    """Process contributions hⱼ = (c·B)ⱼ·sⱼ, largest magnitude first.

    Parameters
    ----------
    direct : array [n]
        c·B: direct footprint per unit of each column's reference product. [kgCO2e/unit]
    supply : array [n]
        s = A⁻¹·f, the scale of each column. [unit]
    """
    values = direct * supply
    total = float(values.sum())
    order = np.argsort(-np.abs(values), kind="stable")
    return [
        Contribution(labels[j], float(values[j]), _share(float(values[j]), total), stages[j])
        for j in order
        if values[j] != 0.0
    ]


def by_stage(rows: list[Contribution]) -> dict[str, float]:
    """Process contributions summed by life-cycle stage (a process without one: "")."""
    out: dict[str, float] = {}
    for row in rows:
        out[row.stage] = out.get(row.stage, 0.0) + row.value
    return out


def hot_spots(rows: list[Contribution], threshold: float = 0.05) -> list[Contribution]:
    """Rows whose share of the total is at least ``threshold`` [-] in magnitude."""
    return [r for r in rows if abs(r.share) >= threshold]


def _share(value: float, total: float) -> float:
    return value / total if total else 0.0
