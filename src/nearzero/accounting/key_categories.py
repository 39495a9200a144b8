"""Key category analysis, Approach 1: level and trend (IPCC 2006 Vol 1 Ch 4).

Estimates are absolute values so that LULUCF removals count by their magnitude
(Vol 1 Ch 4 §4.3.1, Eq 4.1 and 4.2 with absolute values). A category is key while the
cumulative share before it is below the threshold (95 %): the categories that, sorted
in descending order, add up to 95 % of the assessment total, including the one that
crosses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class KeyCategory:
    """One category's assessment value, its share of the total, and whether it is key."""

    category: str
    assessment: float
    share: float
    cumulative: float
    key: bool


def _rank(labels: list[str], values: NDArray[np.float64], threshold: float) -> list[KeyCategory]:
    total = values.sum()
    shares = values / total if total else np.zeros_like(values)
    order = np.argsort(-shares, kind="stable")
    cumulative = np.cumsum(shares[order])
    before = cumulative - shares[order]
    return [
        KeyCategory(labels[i], float(values[i]), float(shares[i]), float(c), bool(b < threshold))
        for i, c, b in zip(order, cumulative, before, strict=True)
    ]


def level_assessment(estimates: Mapping[str, float], threshold: float = 0.95) -> list[KeyCategory]:
    """Level assessment, sorted by decreasing level.

    IPCC 2006 Vol 1 Ch 4 Eq 4.1: L_x,t = |E_x,t| / Σ_y |E_y,t|.

    Parameters
    ----------
    estimates : mapping of str to float
        Emission or removal of each category in year t. [tCO2e]
    threshold : float
        Cumulative share that defines key categories. [-]
    """
    labels = list(estimates)
    values = np.abs(np.fromiter(estimates.values(), dtype=np.float64, count=len(labels)))
    return _rank(labels, values, threshold)


def trend_assessment(
    base: Mapping[str, float], current: Mapping[str, float], threshold: float = 0.95
) -> list[KeyCategory]:
    """Trend assessment, sorted by decreasing contribution to the trend.

    IPCC 2006 Vol 1 Ch 4 Eq 4.2:
    T_x,t = |E_x,0| / Σ_y|E_y,0| × |(E_x,t − E_x,0)/|E_x,0| − (Σ_y E_y,t − Σ_y E_y,0)/Σ_y|E_y,0||.
    For a category with E_x,0 = 0 the limit of Eq 4.2, |E_x,t| / Σ_y|E_y,0|, is used.
    The share is T_x,t / Σ T; categories missing in one year count as 0 there.

    Parameters
    ----------
    base, current : mapping of str to float
        Emission or removal of each category in the base year and in year t. [tCO2e]
    threshold : float
        Cumulative share that defines key categories. [-]
    """
    labels = list(dict.fromkeys([*base, *current]))
    e0 = np.array([base.get(k, 0.0) for k in labels], dtype=np.float64)
    et = np.array([current.get(k, 0.0) for k in labels], dtype=np.float64)
    abs_total0 = np.abs(e0).sum()
    total_trend = (et.sum() - e0.sum()) / abs_total0
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(e0 != 0, (et - e0) / np.abs(e0), 0.0)
    trend = np.where(
        e0 != 0, np.abs(e0) / abs_total0 * np.abs(own - total_trend), np.abs(et) / abs_total0
    )
    return _rank(labels, trend, threshold)
