"""Key categories (IPCC 2006 Vol 1 Ch 4 Eq 4.1, 4.2) and uncertainty (Vol 1 Ch 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from nearzero.accounting.key_categories import level_assessment, trend_assessment
from nearzero.accounting.uncertainty import (
    MonteCarloInput,
    monte_carlo,
    propagate_product,
    propagate_sum,
)


def test_level_assessment_uses_absolute_values() -> None:
    # |E| = 600, 250, 100 (a sink), 40, 10 → total 1000
    result = level_assessment({"A": 600, "B": 250, "sink": -100, "C": 40, "D": 10})
    assert [k.category for k in result] == ["A", "B", "sink", "C", "D"]
    assert_allclose([k.share for k in result], [0.6, 0.25, 0.1, 0.04, 0.01])
    assert_allclose([k.cumulative for k in result], [0.6, 0.85, 0.95, 0.99, 1.0])
    # key while the cumulative share before the category is below 95 %
    assert [k.key for k in result] == [True, True, True, False, False]


def test_trend_assessment_eq_4_2_by_hand() -> None:
    base = {"A": 100.0, "B": 50.0, "sink": -50.0}
    now = {"A": 120.0, "B": 50.0, "sink": -80.0, "new": 10.0}
    # Σ|E0| = 200, ΣE0 = 100, ΣEt = 100 → total trend term 0
    expected = {
        "A": 100 / 200 * abs(20 / 100 - 0),
        "B": 0.0,
        "sink": 50 / 200 * abs(-30 / 50 - 0),
        "new": 10 / 200,
    }
    result = {k.category: k for k in trend_assessment(base, now)}
    for name, value in expected.items():
        assert_allclose(result[name].assessment, value)
    total = sum(expected.values())
    assert_allclose(result["sink"].share, 0.15 / total)
    assert [k.category for k in trend_assessment(base, now)][:2] == ["sink", "A"]


def test_error_propagation_eq_3_1_and_3_2() -> None:
    assert_allclose(propagate_product([5.0, 7.0]), math.sqrt(74))
    # two sources 100 ± 10 % and 300 ± 20 %: sqrt((10·100)² + (20·300)²) / 400 = 15.2 %
    assert_allclose(propagate_sum([100, 300], [10, 20]), math.sqrt(1000**2 + 6000**2) / 400)
    with pytest.raises(ValueError, match="sum is 0"):
        propagate_sum([1, -1], [5, 5])


def mc_input(shared: bool) -> MonteCarloInput:
    index = np.array([[0], [0]]) if shared else np.array([[0], [1]])
    widths = np.array([0.10]) if shared else np.array([0.10, 0.10])
    return MonteCarloInput(("a", "b"), np.array([100.0, 100.0]), index, widths)


def test_monte_carlo_is_seeded_and_reproducible() -> None:
    a = monte_carlo(mc_input(False), 5000, seed=42)
    b = monte_carlo(mc_input(False), 5000, seed=42)
    c = monte_carlo(mc_input(False), 5000, seed=43)
    assert_allclose(a.high, b.high, rtol=0) and a.total_mean == b.total_mean
    assert a.total_mean != c.total_mean


def test_monte_carlo_matches_the_input_distribution_and_correlation() -> None:
    independent = monte_carlo(mc_input(False), 200_000, seed=1)
    # each category: 100 ± 10 % at 95 %; the sum of two independent ones: ± 10/√2 %
    assert_allclose(independent.high, [110, 110], rtol=2e-3)
    assert_allclose(independent.low, [90, 90], rtol=2e-3)
    assert_allclose(independent.total_uncertainty_pct, 10 / math.sqrt(2), rtol=1e-2)
    shared = monte_carlo(mc_input(True), 200_000, seed=1)  # one factor used twice
    assert_allclose(shared.total_uncertainty_pct, 10, rtol=1e-2)
