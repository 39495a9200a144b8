"""The orchestrator: activity rows + factor library + GWP set → an inventory year.

In the spirit of pvlib's ``ModelChain``: :func:`compute_inventory` runs each row's
method, converts gases to CO2e with the chosen GWP set, builds the sector × gas
tables, the totals, the GPC views and the intensities, and records what it used
(methods, factor rows with file versions, GWP set) in :class:`Lineage`.

Totals
------
- ``direct_incl_lulucf`` / ``direct_excl_lulucf``: territorial (scope 1) emissions.
- ``indirect``: grid-supplied electricity and heat (scope 2).
- ``gross`` = direct excl. LULUCF + indirect; ``net`` = direct incl. LULUCF + indirect.

GPC views (GHG Protocol GPC 2014, Ch 3): BASIC = stationary energy and transport
(scope 1 without grid-supplied generation, plus scope 2) + waste (scope 1);
BASIC+ = BASIC + IPPU + AFOLU. Generation for the grid (1.A.1.a) is reported in
scope 1 but left out of both totals. Waste treated outside the city (scope 3) and
transboundary transport are not modelled.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nearzero.accounting import agriculture, energy, ippu, lulucf, waste
from nearzero.accounting.categories import (
    GRID_GENERATION_CATEGORY,
    Sector,
    is_indirect,
    is_within,
    sector_of,
)
from nearzero.accounting.context import Method, RowContext, UncertaintyComponent
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.gwp import GWP_SOURCE, gas_group, gwp
from nearzero.accounting.model import (
    ActivityMetadata,
    ActivityRow,
    EmissionRecord,
    FactorRef,
    GasAmount,
)

#: Every calculation method by name.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (*energy.METHODS, *ippu.METHODS, *agriculture.METHODS, *lulucf.METHODS, *waste.METHODS)
}


@dataclass(frozen=True)
class RowResult:
    """A row's gases with the factors and uncertainty components that produced them."""

    row: ActivityRow
    amounts: tuple[GasAmount, ...]
    refs: tuple[FactorRef, ...]
    components: Mapping[str, tuple[UncertaintyComponent, ...]]


def evaluate_row(row: ActivityRow, library: FactorLibrary) -> RowResult:
    """Run the row's method (nothing for a row with a notation key)."""
    if row.notation is not None:
        return RowResult(row, (), (), {})
    ctx = RowContext(row, library)
    amounts = METHODS[row.method].fn(row, ctx)
    return RowResult(
        row,
        tuple(amounts),
        tuple(dict.fromkeys(ctx.refs)),
        {a.gas: ctx.components_of(a.gas) for a in amounts},
    )


def combined_uncertainty(components: Iterable[UncertaintyComponent]) -> float:
    """Relative 95 % half-width of a product of uncertain inputs. [fraction]

    IPCC 2006 Vol 1 Ch 3 Eq 3.1: U_total = sqrt(U_1² + U_2² + … + U_n²).
    """
    return math.sqrt(sum(u * u for _, u in components))


@dataclass(frozen=True)
class Totals:
    """Named totals of an inventory year [tCO2e]; see the module docstring."""

    direct_incl_lulucf: float
    direct_excl_lulucf: float
    indirect: float
    gross: float
    net: float
    scope1: float
    scope2: float
    basic: float
    basic_plus: float


@dataclass(frozen=True)
class Lineage:
    """What produced a result: for the audit trail and the report."""

    gwp_set: str
    gwp_source: str
    methods: Mapping[str, str]
    factor_refs: tuple[FactorRef, ...]
    to_confirm: tuple[str, ...]
    local: tuple[str, ...]
    illustrative_rows: tuple[str, ...]


@dataclass(frozen=True)
class InventoryResult:
    """One inventory year."""

    year: int
    region: str
    records: tuple[EmissionRecord, ...]
    notation_keys: tuple[tuple[str, str, str], ...]
    sector_gas_tonnes: Mapping[str, Mapping[str, float]]
    sector_gas_tco2e: Mapping[str, Mapping[str, float]]
    totals: Totals
    per_capita: Mapping[str, float]
    per_gdp: Mapping[str, float]
    #: Uncertain inputs by ``"<row id> <gas>"`` (the label of a record).
    components: Mapping[str, tuple[UncertaintyComponent, ...]]
    lineage: Lineage

    @property
    def factors_without_range(self) -> tuple[str, ...]:
        """Ids of the factor rows used that give no uncertainty range.

        Approach 1 and 2 (:mod:`nearzero.accounting.uncertainty`) count them as exact, so the
        stated uncertainty understates the real one by their share; IPCC 2006 Vol 1 Ch 3 asks
        for an uncertainty for every input. Shown on the page and in the report's notes.
        """
        ranged = {
            key.removeprefix("factor:").rpartition("@")[0]
            for parts in self.components.values()
            for key, _ in parts
            if key.startswith("factor:")
        }
        return tuple(f.factor_id for f in self.lineage.factor_refs if f.factor_id not in ranged)

    def category_tco2e(self, scope: int = 1) -> dict[str, float]:
        """CO2e by category (and gas) of one scope, for key category analysis."""
        out: dict[str, float] = defaultdict(float)
        for r in self.records:
            if r.scope == scope:
                out[f"{r.category} {r.gas}"] += r.tco2e
        return dict(out)


def _record(result: RowResult, amount: GasAmount, gwp_set: str) -> EmissionRecord:
    row = result.row
    components = result.components[amount.gas]
    uncertainty = combined_uncertainty(components) * 100.0 if components else None
    return EmissionRecord(
        row_id=row.row_id,
        year=row.year,
        category=row.category,
        sector=sector_of(row.category).value,
        method=row.method,
        gas=amount.gas,
        gas_group=gas_group(amount.gas),
        tonnes=amount.tonnes,
        tco2e=amount.tonnes * gwp(amount.gas, gwp_set),
        scope=2 if is_indirect(row.category) else 1,
        factor_refs=result.refs,
        uncertainty_pct=uncertainty,
        illustrative=row.illustrative,
    )


def _totals(records: Sequence[EmissionRecord]) -> Totals:
    def total(**where: object) -> float:
        return sum(r.tco2e for r in records if all(getattr(r, k) == v for k, v in where.items()))

    scope1 = total(scope=1)
    scope2 = total(scope=2)
    lulucf_t = total(scope=1, sector=Sector.LULUCF.value)
    grid = sum(
        r.tco2e for r in records if r.scope == 1 and is_within(r.category, GRID_GENERATION_CATEGORY)
    )
    basic = (
        total(scope=1, sector=Sector.ENERGY.value)
        - grid
        + scope2
        + total(scope=1, sector=Sector.WASTE.value)
    )
    basic_plus = basic + sum(
        total(scope=1, sector=s.value) for s in (Sector.IPPU, Sector.AGRICULTURE, Sector.LULUCF)
    )
    return Totals(
        direct_incl_lulucf=scope1,
        direct_excl_lulucf=scope1 - lulucf_t,
        indirect=scope2,
        gross=scope1 - lulucf_t + scope2,
        net=scope1 + scope2,
        scope1=scope1,
        scope2=scope2,
        basic=basic,
        basic_plus=basic_plus,
    )


def _intensity(totals: Totals, denominator: float | None) -> dict[str, float]:
    if not denominator:
        return {}
    return {name: value / denominator for name, value in vars(totals).items()}


def compute_inventory(
    rows: Sequence[ActivityRow],
    factors: FactorLibrary,
    gwp_set: str = "AR5",
    metadata: ActivityMetadata | None = None,
    year: int | None = None,
) -> InventoryResult:
    """Compute one inventory year from activity rows.

    Parameters
    ----------
    rows : sequence of ActivityRow
        Activity data (from :func:`nearzero.accounting.activity.parse_activity`).
    factors : FactorLibrary
        Default factors, possibly with a local overlay.
    gwp_set : str
        "SAR", "AR4", "AR5" or "AR6" (100-year).
    metadata : ActivityMetadata, optional
        Region and the year's population [person] and GDP [万元] for intensities.
    year : int, optional
        The year to compute; required when ``rows`` hold several years.

    Returns
    -------
    InventoryResult
        Tables in tonnes and tCO2e, totals, GPC views, intensities [t/person, t/万元]
        and lineage.
    """
    years = sorted({r.year for r in rows})
    if year is None:
        if len(years) != 1:
            raise ValueError(
                f"数据含多个年份{years}，请指明计算年份 — "
                f"rows hold years {years}; say which year to compute"
            )
        year = years[0]
    chosen = [r for r in rows if r.year == year]
    results = [evaluate_row(r, factors) for r in chosen]
    records = tuple(_record(res, a, gwp_set) for res in results for a in res.amounts)
    tonnes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    co2e: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for rec in records:
        tonnes[rec.sector][rec.gas] += rec.tonnes
        co2e[rec.sector][rec.gas_group] += rec.tco2e
    totals = _totals(records)
    meta = metadata or ActivityMetadata()
    year_data = meta.years.get(year)
    refs = tuple(dict.fromkeys(ref for res in results for ref in res.refs))
    return InventoryResult(
        year=year,
        region=meta.region,
        records=records,
        notation_keys=tuple(
            (r.category, g, str(r.notation))
            for r in chosen
            if r.notation is not None
            for g in r.gases
        ),
        sector_gas_tonnes={s: dict(g) for s, g in tonnes.items()},
        sector_gas_tco2e={s: dict(g) for s, g in co2e.items()},
        totals=totals,
        per_capita=_intensity(totals, year_data.population if year_data else None),
        per_gdp=_intensity(totals, year_data.gdp if year_data else None),
        components={
            f"{res.row.row_id} {gas}": c for res in results for gas, c in res.components.items()
        },
        lineage=Lineage(
            gwp_set=gwp_set,
            gwp_source=GWP_SOURCE,
            methods={
                r.row_id: f"{r.method}: {METHODS[r.method].citation}"
                for r in chosen
                if r.notation is None
            },
            factor_refs=refs,
            to_confirm=tuple(dict.fromkeys(f.factor_id for f in refs if f.status == "to_confirm")),
            local=tuple(dict.fromkeys(f.factor_id for f in refs if f.status == "local")),
            illustrative_rows=tuple(r.row_id for r in chosen if r.illustrative),
        ),
    )


@dataclass(frozen=True)
class Change:
    """A recalculated estimate: one gas of one row, with the factor rows that changed."""

    year: int
    row_id: str
    category: str
    gas: str
    old_tco2e: float
    new_tco2e: float
    changed_factors: tuple[str, ...]


def compute_time_series(
    rows: Sequence[ActivityRow],
    factors: FactorLibrary,
    gwp_set: str = "AR5",
    metadata: ActivityMetadata | None = None,
) -> dict[int, InventoryResult]:
    """Recompute every year present in ``rows`` with the same factors and GWP set."""
    return {
        y: compute_inventory(rows, factors, gwp_set, metadata, y)
        for y in sorted({r.year for r in rows})
    }


def recalculation(
    old: Mapping[int, InventoryResult], new: Mapping[int, InventoryResult]
) -> list[Change]:
    """What changed between two runs of a time series (IPCC 2006 Vol 1 Ch 5 §5.2).

    Compares each row and gas; lists the factor ids whose value or file version differ.
    """
    changes: list[Change] = []
    for year in sorted(set(old) | set(new)):
        before = {(r.row_id, r.gas): r for r in old[year].records} if year in old else {}
        after = {(r.row_id, r.gas): r for r in new[year].records} if year in new else {}
        for key in sorted(set(before) | set(after)):
            a, b = before.get(key), after.get(key)
            a_refs = set(a.factor_refs) if a else set()
            b_refs = set(b.factor_refs) if b else set()
            old_v, new_v = (a.tco2e if a else 0.0), (b.tco2e if b else 0.0)
            if old_v != new_v or a_refs != b_refs:
                changed = sorted({f.factor_id for f in a_refs ^ b_refs})
                category = a.category if a else b.category if b else ""
                changes.append(Change(year, key[0], category, key[1], old_v, new_v, tuple(changed)))
    return changes
