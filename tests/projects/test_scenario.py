"""The scenario against a hand-worked example."""

import pytest
from pytest import approx

from nearzero.projects.scenario import Contribution, ScenarioError, build_scenario

# E = 100, 110, 120 t and I = 1 t/万元 in 2020–2022, so GDP = 100, 110, 120 万元.
# Least squares: E and GDP both rise 10 a year (mean 110 at 2021), so in 2025 E_BAU = 150 t and
# GDP = 150 万元; in 2030 E_BAU = 200 t.
# Target (20.5 % below 2020): I* = 1 × (1 − 0.205) = 0.795 → allowed 2025 = 0.795 × 150 = 119.25 t,
# needed beyond BAU = 150 − 119.25 = 30.75 t.
EMISSIONS = {2020: 100.0, 2021: 110.0, 2022: 120.0}
INTENSITY = {2020: 1.0, 2021: 1.0, 2022: 1.0}
A = Contribution(1, "in the record", 2022, 7.0)  # completed in the last recorded year
B = Contribution(2, "b", 2023, 10.0)  # counts from 2024
C = Contribution(3, "c", 2024, 20.0)  # counts from 2025
D = Contribution(4, "d", 2025, 5.0)  # counts from 2026


def test_hand_worked_scenario():
    s = build_scenario(EMISSIONS, INTENSITY, [D, C, B, A], {2025: 0.795})
    assert s.recorded_years == (2020, 2021, 2022)
    assert s.already_in_record == (A,)
    assert s.counted == (B, C, D)
    y2025, y2030 = s.targets
    assert y2025.year == 2025 and y2025.gdp == approx(150) and y2025.bau_t == approx(150)
    assert y2025.projects_t == approx(30)  # B + C
    assert y2025.with_projects_t == approx(120)
    assert y2025.allowed_t == approx(119.25)
    assert y2025.needed_t == approx(30.75)
    assert y2025.remaining_t == approx(0.75)
    assert y2025.bau_intensity == approx(1.0)
    assert y2025.with_projects_intensity == approx(0.8)
    (b, c) = y2025.closing
    assert b.closes_t == approx(10) and b.cumulative_share == approx(10 / 30.75)
    assert c.closes_t == approx(20) and c.cumulative_share == approx(30 / 30.75)
    assert y2030.bau_t == approx(200) and y2030.projects_t == approx(35)
    assert (
        y2030.allowed_t is None
        and y2030.needed_t is None
        and y2030.closing[0].cumulative_share is None
    )
    # yearly lines: 2023 nothing counts yet, 2024 B, 2025 B + C, 2026 all three
    assert [s.with_projects[y] for y in (2023, 2024, 2025, 2026)] == approx([130, 130, 120, 125])
    assert s.years[0] == 2020 and s.years[-1] == 2030


def test_projects_beyond_the_gap_close_only_the_gap():
    big = Contribution(5, "big", 2023, 100.0)
    (y2025,) = build_scenario(EMISSIONS, INTENSITY, [big], {2025: 0.795}, (2025,)).targets
    assert y2025.closing[0].closes_t == approx(30.75) and y2025.closing[0].cumulative_share == 1
    # with the project: 150 − 100 = 50 t against 119.25 allowed → 69.25 t to spare
    assert y2025.remaining_t == approx(-69.25)


def test_needs_two_years_with_both_indicators():
    with pytest.raises(ScenarioError, match="at least two years"):
        build_scenario({2020: 100.0, 2021: 90.0}, {2020: 1.0}, [], {})
