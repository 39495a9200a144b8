"""A footprint study: build the matrices, solve, analyse, and record what was chosen.

The orchestrator of the footprint core (functions → matrices → this), in the manner of
pvlib's ``ModelChain``: the result carries the allocation method, the GWP set, every factor
row used (with its file version and status) and the factors still ``to_confirm``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nearzero.accounting.factors import FactorRecord
from nearzero.footprint.allocation import SensitivityRow, sensitivity
from nearzero.footprint.contribution import Contribution, by_column, by_stage, hot_spots
from nearzero.footprint.engine import Factorised, Pattern, SingularMatrix, solve_draws
from nearzero.footprint.factors import pedigree_table
from nearzero.footprint.matrices import Matrices, as_int, build, loops
from nearzero.footprint.model import FAMILIES, ProductSystem, SingularSystem
from nearzero.footprint.uncertainty import Summary, distributions, sample, summarise

SCHEMA = "nearzero.footprint.result/1"
#: Monte Carlo draws sampled and solved together (memory ∝ exchanges × BATCH).
BATCH = 256


@dataclass(frozen=True)
class FamilyTotal:
    """Emissions (≥ 0), removals (≤ 0) and their sum for one family. [kgCO2e]"""

    emissions: float
    removals: float
    net: float


@dataclass(frozen=True)
class FootprintResult:
    """The footprint of a product system's functional unit and how it was obtained."""

    name: str
    functional_unit: str
    amount: float
    unit: str
    boundary: str
    allocation: str | None
    gwp_set: str
    total: float
    by_family: dict[str, FamilyTotal]
    processes: list[Contribution]
    inputs: list[Contribution]
    stages: dict[str, float]
    hot_spots: list[Contribution]
    sensitivity: list[SensitivityRow]
    factors: list[FactorRecord]
    cut_off: list[str]
    uncertainty: Summary | None = None
    to_confirm: list[str] = field(default_factory=list)


def factorise(m: Matrices) -> Factorised:
    """The factorised A of ``m``; a singular A raises :class:`SingularSystem` naming loops."""
    a = m.technosphere()
    try:
        return Factorised(a)
    except SingularMatrix as exc:
        groups = loops(a, m.columns)
        where = "; ".join(" → ".join(g) for g in groups) or "no loop found"
        where_zh = "；".join(" → ".join(g) for g in groups) or "未找到循环"
        raise SingularSystem(
            f"技术圈矩阵奇异，以下过程相互供给而无净产出：{where_zh} — "
            f"the technosphere matrix is singular ({exc}): processes that supply one another "
            f"without a net output: {where}"
        ) from None


def total(system: ProductSystem) -> float:
    """The footprint of the functional unit [kgCO2e], nothing else (for sensitivity)."""
    m = build(system)
    s = factorise(m).supply(m.final_demand())
    return float(m.characterisation() @ (m.biosphere() @ s))


def compute(
    system: ProductSystem, *, draws: int = 0, seed: int = 0, threshold: float = 0.05
) -> FootprintResult:
    """The footprint of ``system``'s functional unit with contributions, the allocation
    sensitivity table and, with ``draws`` > 0, a seeded Monte Carlo summary."""
    m = build(system)
    solver = factorise(m)
    f = m.final_demand()
    b = m.biosphere()
    c = m.characterisation()
    s = solver.supply(f)
    h = float(c @ (b @ s))
    direct = np.asarray(c @ b).ravel()
    processes = by_column(direct, s, m.columns, m.column_stage)

    b_pos, b_neg = m.biosphere_split()
    families: dict[str, FamilyTotal] = {}
    for name, mask in m.family_masks().items():
        em, rm = float(mask @ (b_pos @ s)), float(mask @ (b_neg @ s))
        families[name] = FamilyTotal(em, rm, em + rm)

    inputs = _inputs(m, solver, s, direct, h)
    to_confirm = [r.factor_id for r in m.factors.values() if r.status == "to_confirm"]
    summary = None
    if draws > 0:
        summary = monte_carlo(m, solver, draws, seed)
        records = pedigree_table()[1]  # indicator-major, five scores each
        used = sorted(
            {
                i * 5 + score - 1
                for e in m.exchanges
                if e.exchange is not None and e.exchange.pedigree
                for i, score in enumerate(e.exchange.pedigree)
            }
        )
        to_confirm += [records[k].factor_id for k in used if records[k].status == "to_confirm"]
    return FootprintResult(
        name=system.name,
        functional_unit=system.functional_unit,
        amount=system.amount,
        unit=system.unit,
        boundary=system.boundary,
        allocation=system.allocation,
        gwp_set=system.gwp_set,
        total=h,
        by_family=families,
        processes=processes,
        inputs=inputs,
        stages=by_stage(processes),
        hot_spots=hot_spots(processes, threshold),
        sensitivity=sensitivity(system, total) if m.multi_output else [],
        factors=list(m.factors.values()),
        cut_off=list(m.cut_off),
        uncertainty=summary,
        to_confirm=to_confirm,
    )


def _inputs(m: Matrices, solver: Factorised, s: Any, direct: Any, h: float) -> list[Contribution]:
    """Contributions of the reference process's inputs and of its own emissions."""
    y = solver.intensities(direct)
    (ref_row,) = m.demand
    col = ref_row  # rows and columns are aligned: column j makes product j
    rows: dict[str, float] = {}
    for row, c_, k, scale in zip(m.a_rows, m.a_cols, m.a_exchange, m.a_scale, strict=True):
        if c_ != col or row == col:
            continue
        label = m.exchanges[k].label
        rows[label] = rows.get(label, 0.0) - scale * m.amounts[k] * s[col] * y[row]
    rows["direct emissions"] = float(direct[col] * s[col])
    out = [Contribution(k, v, v / h if h else 0.0) for k, v in rows.items()]
    return sorted(out, key=lambda r: -abs(r.value))


def monte_carlo(m: Matrices, solver: Factorised, draws: int, seed: int) -> Summary:
    """Seeded Monte Carlo of the footprint over all exchange distributions."""
    table, _ = pedigree_table()
    dist = distributions(
        m.amounts,
        [e.exchange for e in m.exchanges],
        [e.label for e in m.exchanges],
        table,
    )
    rng = np.random.default_rng(seed)
    a_pat = Pattern(as_int(m.a_rows), as_int(m.a_cols), (len(m.products), len(m.columns)))
    b_pat = Pattern(as_int(m.b_rows), as_int(m.b_cols), (len(m.elementary), len(m.columns)))
    a_scale = np.asarray(m.a_scale)[:, None]
    b_scale = np.asarray(m.b_scale)[:, None]
    values = np.empty(draws)
    for start in range(0, draws, BATCH):  # draws in batches from one stream: same seed, same
        part = sample(dist, min(BATCH, draws - start), rng)  # draws
        try:
            values[start : start + BATCH], _ = solve_draws(
                solver,
                a_pat,
                a_scale * part[m.a_exchange],
                b_pat,
                b_scale * part[m.b_exchange],
                m.characterisation(),
                m.final_demand(),
            )
        except SingularMatrix:
            groups = loops(m.technosphere(), m.columns)
            loop = "; ".join(" → ".join(g) for g in groups) or "(self-loop)"
            loop_zh = "；".join(" → ".join(g) for g in groups) or "自循环"
            raise SingularSystem(
                f"蒙特卡洛抽样（随机种子{seed}）使技术圈矩阵A奇异：循环（{loop_zh}）中的分布使某过程消耗了"
                f"其全部产出，请收窄分布 — "
                f"a Monte Carlo draw (seed {seed}) makes A singular: the distributions of the "
                f"loop {loop} reach a "
                f"process consuming all it makes; narrow them"
            ) from None
    return summarise(values, seed)


def result_to_dict(result: FootprintResult) -> dict[str, Any]:
    """The JSON form of a result (``nearzero.footprint.result/1``, docs/json.md)."""

    def rows(items: list[Contribution]) -> list[dict[str, Any]]:
        return [asdict(r) for r in items]

    cleaned: dict[str, Any] = _clean(
        {
            "schema": SCHEMA,
            "name": result.name,
            "functional_unit": result.functional_unit,
            "amount": result.amount,
            "unit": result.unit,
            "boundary": result.boundary,
            "allocation": result.allocation,
            "gwp_set": result.gwp_set,
            "total_kgco2e": result.total,
            "by_family": {k: asdict(result.by_family[k]) for k in FAMILIES},
            "stages": result.stages,
            "processes": rows(result.processes),
            "inputs": rows(result.inputs),
            "hot_spots": rows(result.hot_spots),
            "sensitivity": [
                {
                    "method": r.method,
                    "total_kgco2e": None if r.error else r.total,
                    "chosen": r.chosen,
                    "error": r.error,
                }
                for r in result.sensitivity
            ],
            "uncertainty": None if result.uncertainty is None else asdict(result.uncertainty),
            "factors": [
                {
                    "id": r.factor_id,
                    "value": r.value,
                    "unit": r.unit,
                    "year": r.year,
                    "status": r.status,
                    "source_document": r.source_document,
                    "source_table": r.source_table,
                    "file": r.file,
                    "version": r.version,
                }
                for r in result.factors
            ],
            "to_confirm": result.to_confirm,
            "cut_off": result.cut_off,
        }
    )
    return cleaned


def _clean(value: Any) -> Any:
    """Floats to 10 significant digits (binary noise away), NaN to null, recursively."""
    if isinstance(value, float):
        return None if value != value else float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
