"""Many firms at once: fuel combustion, fossil energy and screening on numpy arrays.

The same equations and rules as the per-firm path, applied to arrays (one element per fuel
month, or per firm) — not a second copy of them:

- combustion: :func:`nearzero.enterprise.combustion.fuel_combustion_co2`
  (FC × NCV × CC × OF × 44/12, GB/T 32150-2015; IPCC 2006 Vol 2 Ch 2 Eq 2.1) on arrays;
- fossil energy: :func:`nearzero.enterprise.energy.tce_from_energy`'s definition (GB/T
  2589-2020, 1 kgce = 29 307.6 kJ) as one factor;
- screening: the thresholds and comparators of ``rules.csv`` through
  :func:`nearzero.enterprise.data.compare`, on values rounded to 6 decimals as
  :func:`nearzero.enterprise.model.decimal_of` rounds them.

No lineage is kept here: a firm's report with its parameters and sources is
:func:`nearzero.enterprise.report.compute_report`. This is the path for totals and lists over
thousands of firms (the screening of a whole district, the benchmark in ``bench/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from nearzero.enterprise.combustion import fuel_combustion_co2
from nearzero.enterprise.data import DataRow, compare, rule
from nearzero.enterprise.energy import tce_from_energy
from nearzero.enterprise.model import EnterpriseError

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.intp]

#: Decimal places values are rounded to before a threshold is applied (as the per-firm path).
PLACES = 6


@dataclass(frozen=True)
class FirmTotals:
    """Per firm: fuel combustion CO2 [t CO2], net fuel energy [GJ] and fossil energy [tce]."""

    fuel_tco2: Floats
    energy_gj: Floats
    fossil_tce: Floats


def _checked(name: str, values: npt.ArrayLike, unit: str) -> Floats:
    array = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise EnterpriseError(
            f"{name}[{i}]",
            f"{array[i]!r}为负数或不是数字（应≥0 [{unit}]） — "
            f"{array[i]!r} is negative or not a number (expected ≥ 0 [{unit}])",
        )
    return array


def fuel_totals(
    firm: npt.ArrayLike,
    consumption: npt.ArrayLike,
    ncv: npt.ArrayLike,
    carbon_content: npt.ArrayLike,
    oxidation: npt.ArrayLike,
    firms: int,
) -> FirmTotals:
    """Fuel combustion CO2 and fossil energy per firm from fuel-month rows.

    Parameters
    ----------
    firm : array of int
        The firm (0 … firms−1) of each row.
    consumption : array of float
        Fuel consumed in the month (FC). [t]
    ncv : array of float
        Net calorific value of the month's fuel. [GJ/t]
    carbon_content : array of float
        Carbon content per unit heat. [t C/GJ]
    oxidation : array of float
        Oxidation rate. [-]
    firms : int
        Number of firms (the length of the result).
    """
    index = np.asarray(firm, dtype=np.intp)
    fc = _checked("consumption", consumption, "t")
    heat = _checked("ncv", ncv, "GJ/t")
    cc = _checked("carbon_content", carbon_content, "t C/GJ")
    of = _checked("oxidation", oxidation, "-")
    if (of > 1).any():
        i = int(np.flatnonzero(of > 1)[0])
        raise EnterpriseError(
            f"oxidation[{i}]",
            f"{of[i]:g}大于1（应为比例） — {of[i]:g} is above 1 (expected a fraction)",
        )
    # the per-firm equation itself, applied element-wise to the arrays
    co2: Floats = cast(Any, fuel_combustion_co2)(fc, heat, cc, of)
    energy = fc * heat
    fuel = np.asarray(np.bincount(index, weights=co2, minlength=firms), dtype=np.float64)
    gj = np.asarray(np.bincount(index, weights=energy, minlength=firms), dtype=np.float64)
    return FirmTotals(fuel, gj, gj * tce_from_energy(1.0))


def _line(values: npt.NDArray[np.floating[Any]], row: DataRow) -> Bools:
    """``values <comparator> value`` of a rules.csv row, by :func:`data.compare` itself."""
    threshold: Any = float(row.decimal("value"))
    found: Any = compare(cast(Any, values), row.text("comparator"), threshold)
    return np.asarray(found, dtype=np.bool_)


@dataclass(frozen=True)
class ScreenFlags:
    """Per firm: over the fossil-energy line, key emitting unit candidate and on what basis
    (``emissions`` where an emissions figure is given, ``energy_proxy`` otherwise)."""

    over_fossil_threshold: Bools
    over_emissions_line: Bools
    candidate: Bools
    by_emissions: Bools


def screen_arrays(
    fossil_tce: npt.ArrayLike,
    comprehensive_tce: npt.ArrayLike,
    emissions_tco2e: npt.ArrayLike,
    in_sector: npt.ArrayLike,
) -> ScreenFlags:
    """The screening rules of ``rules.csv`` on arrays (see
    :mod:`nearzero.enterprise.screening`).

    Parameters
    ----------
    fossil_tce : array of float
        Fossil energy. [tce]
    comprehensive_tce : array of float
        Comprehensive energy (used where no emissions figure is given: NaN). [tce]
    emissions_tco2e : array of float
        Total emissions, NaN where not known. [t CO2e]
    in_sector : array of bool
        The firm is in a reporting sector or a national-market sector.
    """
    fossil_rule = rule("fossil_energy_screen")
    emitter = rule("key_emitter_emissions")
    proxy = rule("key_emitter_energy_proxy")
    fossil = np.round(np.asarray(fossil_tce, dtype=np.float64), PLACES)
    comprehensive = np.round(np.asarray(comprehensive_tce, dtype=np.float64), PLACES)
    emissions = np.round(np.asarray(emissions_tco2e, dtype=np.float64), PLACES)
    sector = np.asarray(in_sector, dtype=np.bool_)
    over = _line(fossil, fossil_rule)
    known = ~np.isnan(emissions)
    by_emissions = known & _line(emissions, emitter)
    by_proxy = ~known & ~np.isnan(comprehensive) & _line(comprehensive, proxy)
    line = by_emissions | by_proxy
    return ScreenFlags(over, line, line & sector, known)


__all__ = ["FirmTotals", "ScreenFlags", "fuel_totals", "screen_arrays"]
