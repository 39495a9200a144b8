"""The array path gives the per-firm path's numbers: fuel combustion and fossil energy of
firms computed by ``compute_report`` one by one, and the screening lines on exact boundaries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nearzero.enterprise import batch
from nearzero.enterprise.combustion import FuelInput, FuelMonth, Sector
from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.registry import Firm
from nearzero.enterprise.report import AnnualReport, compute_report


def _report(key: str, months: list[tuple[float, float, float]], of: float) -> AnnualReport:
    fuel = FuelInput(
        "coal",
        "烟煤",
        "t",
        tuple(
            FuelMonth(i + 1, fc, ncv=ncv, carbon_content=cc)
            for i, (fc, ncv, cc) in enumerate(months)
        ),
        ncv_unit="GJ/t",
        oxidation=of,
    )
    return AnnualReport(Firm(key, key), 2024, Sector.GENERAL, fuels=(fuel,))


def test_fuel_totals_equal_the_per_firm_reports():
    rng = np.random.default_rng(1)
    firms = [
        [
            (
                float(rng.uniform(10, 5000)),
                float(rng.uniform(18, 28)),
                float(rng.uniform(0.024, 0.028)),
            )
            for _ in range(12)
        ]
        for _ in range(20)
    ]
    ofs = [float(rng.uniform(0.9, 1.0)) for _ in firms]
    results = [compute_report(_report(f"f{i}", m, ofs[i])) for i, m in enumerate(firms)]
    index = np.repeat(np.arange(len(firms)), 12)
    rows = np.array([row for m in firms for row in m])
    got = batch.fuel_totals(
        index, rows[:, 0], rows[:, 1], rows[:, 2], np.repeat(ofs, 12), len(firms)
    )
    np.testing.assert_allclose(got.fuel_tco2, [r.totals.fuel for r in results], rtol=1e-12)
    np.testing.assert_allclose(got.fossil_tce, [r.energy.fossil_tce for r in results], rtol=1e-12)


def test_fuel_totals_by_hand():
    # 1,000 t × 20 GJ/t × 0.025 t C/GJ × 0.98 × 44/12 = 1,796.67 t CO2; 20,000 GJ / 29.3076
    got = batch.fuel_totals(
        [0, 0, 1], [600, 400, 10], [20, 20, 29.3076], [0.025] * 3, [0.98] * 3, 2
    )
    assert got.fuel_tco2[0] == pytest.approx(1000 * 20 * 0.025 * 0.98 * 44 / 12, rel=1e-12)
    assert got.fossil_tce[0] == pytest.approx(20_000 / 29.3076, rel=1e-12)
    assert got.fossil_tce[1] == pytest.approx(10.0, rel=1e-12)


def test_screen_arrays_on_the_lines():
    nan = math.nan
    flags = batch.screen_arrays(
        [2000, 2000.000001, 1, 1, 1, 1],
        [nan, nan, nan, 10_000, 9_999.999999, nan],
        [nan, nan, 26_000, nan, nan, 25_999.999999],
        [True, True, True, True, True, False],
    )
    assert flags.over_fossil_threshold.tolist() == [False, True, False, False, False, False]
    assert flags.over_emissions_line.tolist() == [False, False, True, True, False, False]
    assert flags.by_emissions.tolist() == [False, False, True, False, False, True]
    assert flags.candidate.tolist() == [False, False, True, True, False, False]


def test_bad_input_names_the_row():
    with pytest.raises(EnterpriseError, match="consumption\\[1\\]"):
        batch.fuel_totals([0, 0], [1, -1], [20, 20], [0.025, 0.025], [1, 1], 1)
    with pytest.raises(EnterpriseError, match="oxidation\\[0\\]"):
        batch.fuel_totals([0], [1], [20], [0.025], [1.5], 1)
