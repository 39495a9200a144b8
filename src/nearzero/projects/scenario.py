"""The scenario to 2025 and 2030: business as usual, with the key projects, and the target.

From the recorded years of total CO2 E_y [t] (indicator 1) and CO2 per GDP I_y [t/万元]
(indicator 3), GDP_y = E_y / I_y [万元]. Business as usual (BAU) carries E and GDP on by
ordinary least squares (:func:`nearzero.indicators.evaluation.linear_trend`, the line the
indicator engine projects with). A project counts with its full expected annual reduction in
the years after the year it completes; a project completed in or before the last recorded year
is already in the record and is not counted again. In a year with an intensity target
I*, the emissions allowed are I* × GDP_y; the reduction still needed beyond BAU is
E_BAU − I* × GDP_y, and the projects close it in the order they complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nearzero.indicators.evaluation import linear_trend


class ScenarioError(ValueError):
    """Not enough recorded years to build the scenario; the message says which are missing."""


@dataclass(frozen=True)
class Contribution:
    """A project's expected annual reduction [t CO2/a] and the year it completes."""

    number: int
    name: str
    completion_year: int
    reduction_t: float


@dataclass(frozen=True)
class Closing:
    """How much of a target year's gap one project closes."""

    contribution: Contribution
    closes_t: float  # the part of the gap this project closes [t]
    cumulative_share: float | None  # share of the gap closed up to and with it [0..1]


@dataclass(frozen=True)
class TargetYear:
    """One target year of the scenario."""

    year: int
    gdp: float  # [万元]
    bau_t: float
    projects_t: float
    target_intensity: float | None  # [t/万元]
    closing: tuple[Closing, ...]

    @property
    def with_projects_t(self) -> float:
        return self.bau_t - self.projects_t

    @property
    def bau_intensity(self) -> float:
        return self.bau_t / self.gdp

    @property
    def with_projects_intensity(self) -> float:
        return self.with_projects_t / self.gdp

    @property
    def allowed_t(self) -> float | None:
        """Emissions the intensity target allows at the projected GDP [t]."""
        return None if self.target_intensity is None else self.target_intensity * self.gdp

    @property
    def needed_t(self) -> float | None:
        """Reduction needed beyond BAU to meet the target [t]; ≤ 0 when BAU meets it."""
        allowed = self.allowed_t
        return None if allowed is None else self.bau_t - allowed

    @property
    def remaining_t(self) -> float | None:
        """What is still needed once the projects count [t]; ≤ 0 when they close the gap."""
        allowed = self.allowed_t
        return None if allowed is None else self.with_projects_t - allowed


@dataclass(frozen=True)
class Scenario:
    recorded_years: tuple[int, ...]
    years: tuple[int, ...]  # first recorded year … last target year
    emissions: Mapping[int, float]  # recorded [t]
    gdp: Mapping[int, float]  # recorded [万元]
    bau: Mapping[int, float]  # fitted and projected [t], years after the record
    with_projects: Mapping[int, float]
    targets: tuple[TargetYear, ...]
    counted: tuple[Contribution, ...]
    already_in_record: tuple[Contribution, ...]


def counts_in(contribution: Contribution, year: int, last_recorded: int) -> bool:
    """Whether a project's reduction counts in ``year`` (completed after the record, before)."""
    return last_recorded < contribution.completion_year < year


def build_scenario(
    emissions: Mapping[int, float],
    intensity: Mapping[int, float],
    contributions: Sequence[Contribution],
    target_intensity: Mapping[int, float],
    target_years: Sequence[int] = (2025, 2030),
) -> Scenario:
    """The scenario to each of ``target_years`` (see the module docstring for the method).

    ``target_intensity`` maps a year to its CO2-per-GDP target [t/万元]; a year without one is
    projected but has no gap. Raises :class:`ScenarioError` with fewer than two years that
    have both E and I.
    """
    years_both = sorted(y for y in emissions if y in intensity and intensity[y] > 0)
    if len(years_both) < 2:
        raise ScenarioError(
            "scenario: needs at least two years with both total CO2 (indicator 1) and CO2 per "
            f"GDP (indicator 3); years with both: {years_both or 'none'}"
        )
    gdp = {y: emissions[y] / intensity[y] for y in years_both}
    e_points = [(y, emissions[y]) for y in years_both]
    g_points = [(y, gdp[y]) for y in years_both]
    last = years_both[-1]
    ordered = sorted(contributions, key=lambda c: (c.completion_year, c.number))
    counted = tuple(c for c in ordered if c.completion_year > last)
    end = max([*target_years, last])
    years = tuple(range(years_both[0], end + 1))
    bau = {y: linear_trend(e_points, y) for y in years if y > last}
    with_projects = {
        y: bau[y] - sum(c.reduction_t for c in counted if counts_in(c, y, last)) for y in bau
    }
    targets = []
    for year in target_years:
        if year <= last:
            continue
        in_year = [c for c in counted if counts_in(c, year, last)]
        g = linear_trend(g_points, year)
        ty = TargetYear(
            year,
            g,
            bau[year],
            sum(c.reduction_t for c in in_year),
            target_intensity.get(year),
            (),
        )
        targets.append(_with_closing(ty, in_year))
    return Scenario(
        recorded_years=tuple(years_both),
        years=years,
        emissions={y: emissions[y] for y in years_both},
        gdp=gdp,
        bau=bau,
        with_projects=with_projects,
        targets=tuple(targets),
        counted=counted,
        already_in_record=tuple(c for c in ordered if c.completion_year <= last),
    )


def _with_closing(ty: TargetYear, in_year: Sequence[Contribution]) -> TargetYear:
    needed = ty.needed_t
    closing = []
    done = 0.0
    for c in in_year:
        gap_left = max(0.0, (needed or 0.0) - done)
        closes = min(max(c.reduction_t, 0.0), gap_left)
        done += closes
        share = done / needed if needed and needed > 0 else None
        closing.append(Closing(c, closes, share))
    return TargetYear(ty.year, ty.gdp, ty.bau_t, ty.projects_t, ty.target_intensity, tuple(closing))
