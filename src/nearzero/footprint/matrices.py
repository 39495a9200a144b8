"""Build the matrices of a product system: technosphere A, biosphere B, characterisation c.

Heijungs & Suh (2002) §2.3: column j of A is process j scaled to its reference amount, rows
are products (outputs positive, inputs negative, so a process that consumes part of its own
product has A[j, j] = output − input); B[e, j] is the amount of elementary flow e (emission
positive, removal negative); c[e] the characterisation factor [kgCO2e per unit of e]; f the
final demand. The footprint is h = c·B·A⁻¹·f (Eq. 2.8).

Every matrix entry keeps the index of the exchange it came from and its scale (sign × unit
conversion × allocation share), so that sampled exchange amounts give sampled matrices
(``values = scale × amount[exchange]``) without rebuilding anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from nearzero.accounting.factors import FactorRecord
from nearzero.accounting.gwp import GWPNotAvailable, gwp
from nearzero.footprint.allocation import co_products, shares
from nearzero.footprint.factors import footprint_factor
from nearzero.footprint.model import (
    FAMILIES,
    Exchange,
    ExchangeUnitError,
    Flow,
    FootprintError,
    MissingFlow,
    NegativeAmount,
    Process,
    ProductSystem,
    SingularSystem,
)
from nearzero.units import UnitError, convert

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Elementary row that carries the aggregated result of a footprint factor. [kgCO2e]
FACTOR_FLOW = "CO2e (footprint factor)"


@dataclass(frozen=True)
class ExchangeRef:
    """Where a matrix entry comes from: process, exchange number, and its uncertainty."""

    process: str
    index: int  # −1 for the reference line of a background factor process
    label: str
    exchange: Exchange | None


@dataclass
class Matrices:
    """The arrays of a product system and the labels of their rows and columns."""

    products: list[str] = field(default_factory=list)  # technosphere rows
    columns: list[str] = field(default_factory=list)  # technosphere columns
    column_process: list[str] = field(default_factory=list)
    column_stage: list[str] = field(default_factory=list)
    elementary: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    cf: list[float] = field(default_factory=list)
    exchanges: list[ExchangeRef] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    a_rows: list[int] = field(default_factory=list)
    a_cols: list[int] = field(default_factory=list)
    a_exchange: list[int] = field(default_factory=list)
    a_scale: list[float] = field(default_factory=list)
    b_rows: list[int] = field(default_factory=list)
    b_cols: list[int] = field(default_factory=list)
    b_exchange: list[int] = field(default_factory=list)
    b_scale: list[float] = field(default_factory=list)
    demand: dict[int, float] = field(default_factory=dict)
    factors: dict[str, FactorRecord] = field(default_factory=dict)
    cut_off: list[str] = field(default_factory=list)
    multi_output: list[str] = field(default_factory=list)  # processes with co-products

    def technosphere(self, amounts: Array | None = None) -> sp.csc_matrix:
        """A [product unit per column reference], from ``amounts`` (default the nominal)."""
        values = np.asarray(self.a_scale) * self._amounts(amounts)[self.a_exchange]
        n = len(self.products)
        return sp.csc_matrix((values, (self.a_rows, self.a_cols)), shape=(n, n))

    def biosphere(self, amounts: Array | None = None) -> sp.csc_matrix:
        """B [elementary-flow unit per column reference]."""
        values = np.asarray(self.b_scale) * self._amounts(amounts)[self.b_exchange]
        shape = (len(self.elementary), len(self.columns))
        return sp.csc_matrix((values, (self.b_rows, self.b_cols)), shape=shape)

    def biosphere_split(self) -> tuple[sp.csc_matrix, sp.csc_matrix]:
        """B split by entry into emissions (≥ 0) and removals (≤ 0), before entries of one
        cell are summed (an uptake and a release of the same flow stay apart)."""
        values = np.asarray(self.b_scale) * self._amounts(None)[self.b_exchange]
        shape = (len(self.elementary), len(self.columns))
        rows, cols = np.asarray(self.b_rows), np.asarray(self.b_cols)
        return (
            sp.csc_matrix((np.where(values > 0, values, 0.0), (rows, cols)), shape=shape),
            sp.csc_matrix((np.where(values < 0, values, 0.0), (rows, cols)), shape=shape),
        )

    def characterisation(self) -> Array:
        """c [kgCO2e per elementary-flow unit]."""
        return np.asarray(self.cf, dtype=float)

    def final_demand(self) -> Array:
        """f [product units]."""
        f = np.zeros(len(self.products))
        for row, value in self.demand.items():
            f[row] = value
        return f

    def family_masks(self) -> dict[str, Array]:
        """For each family, c restricted to that family's elementary flows."""
        c = self.characterisation()
        fam = np.asarray(self.families)
        return {name: np.where(fam == name, c, 0.0) for name in FAMILIES}

    def _amounts(self, amounts: Array | None) -> Array:
        return np.asarray(self.amounts, dtype=float) if amounts is None else amounts


def _unit_factor(flow: Flow, ex: Exchange, where: str) -> float:
    try:
        return convert(1.0, ex.unit, flow.unit)
    except UnitError as exc:
        raise ExchangeUnitError(
            f"{where}: 单位“{ex.unit}”无法换算为流“{flow.flow_id}”的单位“{flow.unit}” — "
            f"unit {ex.unit!r} does not convert to {flow.unit!r}, the unit of flow "
            f"{flow.flow_id!r} ({exc})"
        ) from None


def characterisation_factor(flow: Flow, gwp_set: str) -> float:
    """c of an elementary flow [kgCO2e per unit of the flow]: its ``cf``, else the GWP100 of
    its gas in ``gwp_set`` [kgCO2e/kg] times the flow unit's mass [kg]."""
    if flow.cf is not None:
        return flow.cf
    if not flow.gas:
        raise FootprintError(
            f"elementary flow {flow.flow_id!r}: 请填写其气体（CO2、CH4、N2O等）或特征化因子cf"
            f"［kgCO2e/单位］ — give its gas (CO2, CH4, N2O …) or cf [kgCO2e/unit]"
        )
    try:
        per_kg = gwp(flow.gas, gwp_set)
    except GWPNotAvailable as exc:
        raise FootprintError(
            f"elementary flow {flow.flow_id!r}: 气体“{flow.gas}”在{gwp_set}中没有GWP值 — {exc}"
        ) from None
    try:
        return per_kg * convert(1.0, flow.unit, "kg")
    except UnitError:
        raise ExchangeUnitError(
            f"elementary flow {flow.flow_id!r}: 单位“{flow.unit}”不是质量单位；气体需使用质量"
            f"单位（kg、t）或明确给出特征化因子cf — "
            f"unit {flow.unit!r} is not a mass; a gas needs "
            f"a mass unit (kg, t) or an explicit cf"
        ) from None


def _check_amount(process: Process, i: int, ex: Exchange) -> None:
    if not np.isfinite(ex.amount):
        raise FootprintError(
            f"{process.label(i)}: 数量{ex.amount}不是有效数字 — amount {ex.amount} is not a number"
        )
    if ex.amount < 0:
        raise NegativeAmount(
            f"{process.label(i)}: 数量{ex.amount}为负数；数量应不小于0，正负由交换方向"
            f"（输入/输出）表示 — amount {ex.amount} is negative; amounts are ≥ 0 and the "
            f"direction (input/output) carries the sign"
        )


def build(system: ProductSystem) -> Matrices:
    """The matrices of ``system`` under its allocation choice.

    Raises :class:`MissingFlow`, :class:`ExchangeUnitError`, :class:`NegativeAmount`,
    :class:`SingularSystem` (a process consuming at least what it makes) or
    :class:`FootprintError`, each naming the process and exchange.
    """
    flows = system.flow_map()
    elementary = {f.flow_id for f in system.flows if f.kind == "elementary"}
    m = Matrices()
    row_of: dict[str, int] = {}
    producer: dict[str, str] = {}
    elem_row: dict[str, int] = {}

    def product_row(key: str) -> int:
        if key not in row_of:
            row_of[key] = len(m.products)
            m.products.append(key)
        return row_of[key]

    def elementary_row(flow: Flow) -> int:
        if flow.flow_id not in elem_row:
            elem_row[flow.flow_id] = len(m.elementary)
            m.elementary.append(flow.flow_id)
            if flow.family not in FAMILIES:
                raise FootprintError(
                    f"elementary flow {flow.flow_id!r}: 排放类别“{flow.family}”应为"
                    f"{'、'.join(FAMILIES)}之一 — family {flow.family!r} is not one of "
                    f"{', '.join(FAMILIES)}"
                )
            m.families.append(flow.family)
            m.cf.append(characterisation_factor(flow, system.gwp_set))
        return elem_row[flow.flow_id]

    def add_exchange(process: Process, i: int) -> int:
        ex = process.exchanges[i]
        m.exchanges.append(ExchangeRef(process.process_id, i, process.label(i), ex))
        m.amounts.append(ex.amount)
        return len(m.exchanges) - 1

    ids = [p.process_id for p in system.processes]
    duplicates = sorted({p for p in ids if ids.count(p) > 1})
    if duplicates:
        raise FootprintError(
            f"过程编号重复：{'、'.join(duplicates)} — "
            f"process ids used twice: {', '.join(duplicates)}"
        )

    # Pass 1: columns (one per process, or one per output under a partition) and their rows.
    plan: list[tuple[Process, dict[int, float], dict[int, int]]] = []
    for process in system.processes:
        ref_i, ref = process.reference_exchange()
        if ref.flow not in flows:
            raise MissingFlow(
                f"{process.label(ref_i)}: 流“{ref.flow}”未定义 — flow {ref.flow!r} is not defined"
            )
        coproducts = co_products(process, elementary)
        for i, ex in coproducts:
            credit = system.allocation == "system_expansion" and ex.substitutes is not None
            if ex.flow not in flows and not credit:
                raise MissingFlow(
                    f"{process.label(i)}: 流“{ex.flow}”未定义 — flow {ex.flow!r} is not defined"
                )
        outputs = [(ref_i, ref)]
        share: dict[int, float] = {ref_i: 1.0}
        if coproducts:
            m.multi_output.append(process.process_id)
            if system.allocation is None:
                raise FootprintError(
                    f"过程“{process.process_id}”有联产品（"
                    f"{'、'.join(ex.flow for _, ex in coproducts)}），请选择分配方法（mass质量、"
                    f"economic经济价值或system_expansion系统扩展） — "
                    f"process {process.process_id!r} has co-products "
                    f"({', '.join(ex.flow for _, ex in coproducts)}): choose an allocation "
                    f"(mass, economic or system_expansion)"
                )
            if system.allocation == "system_expansion":
                for i, ex in coproducts:
                    if not ex.substitutes:
                        raise FootprintError(
                            f"{process.label(i)}: 系统扩展需指明该联产品所替代的产品"
                            f"（substitutes） — system expansion needs the product this "
                            f"co-product displaces (substitutes)"
                        )
            else:
                share = shares(process, system.allocation, elementary)
                outputs += coproducts
        column_of: dict[int, int] = {}
        for i, ex in outputs:
            if ex.flow in producer:
                raise FootprintError(
                    f"{process.label(i)}: 流“{ex.flow}”也由过程“{producer[ex.flow]}”生产；"
                    f"每种产品只能有一个提供过程 — flow {ex.flow!r} is also made by process "
                    f"{producer[ex.flow]!r}; each product needs one provider"
                )
            producer[ex.flow] = process.process_id
            column_of[i] = len(m.columns)
            label = process.process_id if i == ref_i else f"{process.process_id}|{ex.flow}"
            m.columns.append(label)
            m.column_process.append(process.process_id)
            m.column_stage.append(process.stage)
            product_row(ex.flow)
        plan.append((process, share, column_of))

    # Pass 2: entries.
    factor_column: dict[str, int] = {}
    for process, share, column_of in plan:
        for i, ex in enumerate(process.exchanges):
            where = process.label(i)
            if ex.cut_off:
                m.cut_off.append(where)
                continue
            _check_amount(process, i, ex)
            if ex.factor is not None:
                if ex.direction != "input":
                    raise FootprintError(
                        f"{where}: 碳足迹因子只能用于输入 — a footprint factor supplies inputs only"
                    )
                key, scale = _factor_input(m, ex, ex.factor, where)
                if key not in factor_column:
                    factor_column[key] = _factor_process(m, key, product_row)
                k = add_exchange(process, i)
                for col, s in _targets(column_of, share):
                    _entry_a(m, row_of[key], col, k, -scale * s)
                continue
            if ex.direction == "output" and i not in column_of and ex.substitutes:
                target = ex.substitutes
                k = add_exchange(process, i)
                if target.startswith("factor:"):
                    fkey, scale = _factor_input(m, ex, target.removeprefix("factor:"), where)
                    if fkey not in factor_column:
                        factor_column[fkey] = _factor_process(m, fkey, product_row)
                    row = row_of[fkey]
                else:
                    if target not in flows:
                        raise MissingFlow(
                            f"{where}: 被替代的流“{target}”未定义 — "
                            f"substituted flow {target!r} is not defined"
                        )
                    scale = _unit_factor(flows[target], ex, where)
                    row = product_row(target)
                for col, s in _targets(column_of, share):
                    _entry_a(m, row, col, k, scale * s)
                continue
            if ex.flow not in flows:
                raise MissingFlow(
                    f"{where}: 流“{ex.flow}”未在flows中定义 — "
                    f"flow {ex.flow!r} is not defined in flows"
                )
            flow = flows[ex.flow]
            unit = _unit_factor(flow, ex, where)
            if flow.kind == "elementary":
                sign = 1.0 if ex.direction == "output" else -1.0
                k = add_exchange(process, i)
                row = elementary_row(flow)
                for col, s in _targets(column_of, share):
                    m.b_rows.append(row)
                    m.b_cols.append(col)
                    m.b_exchange.append(k)
                    m.b_scale.append(sign * unit * s)
                continue
            if ex.direction == "output":
                if i in column_of:  # reference product or a partitioned co-product
                    k = add_exchange(process, i)
                    _entry_a(m, row_of[ex.flow], column_of[i], k, unit)
                    continue
                raise FootprintError(f"{where}: 联产品未分配 — co-product without an allocation")
            if ex.flow not in producer:
                raise MissingFlow(
                    f"{where}: 没有过程生产“{ex.flow}”；请添加其生产过程、碳足迹因子（factor: …）"
                    f"或将该行标为截断（cut_off） — "
                    f"no process makes {ex.flow!r}; add its process, a footprint "
                    f"factor (factor: …) or mark the line cut_off"
                )
            if ex.provider is not None and ex.provider != producer[ex.flow]:
                raise MissingFlow(
                    f"{where}: 提供过程“{ex.provider}”不生产“{ex.flow}”（生产它的是过程"
                    f"“{producer[ex.flow]}”） — "
                    f"provider {ex.provider!r} does not make {ex.flow!r} (process "
                    f"{producer[ex.flow]!r} does)"
                )
            k = add_exchange(process, i)
            for col, s in _targets(column_of, share):
                _entry_a(m, product_row(ex.flow), col, k, -unit * s)

    for key in m.products:
        if not key.startswith("factor:") and key not in producer:
            raise MissingFlow(
                f"substituted product {key!r}: 系统中没有过程生产该被替代产品 — "
                f"no process in the system makes it"
            )
    _check_diagonal(m, system)
    if system.reference_flow not in row_of:
        raise MissingFlow(
            f"functional unit: 没有过程生产参考流“{system.reference_flow}” — "
            f"no process makes the reference flow {system.reference_flow!r}"
        )
    ref_flow = flows[system.reference_flow]
    try:
        fu = convert(system.amount, system.unit, ref_flow.unit)
    except UnitError:
        raise ExchangeUnitError(
            f"functional unit: 功能单位的单位“{system.unit}”无法换算为参考流的单位"
            f"“{ref_flow.unit}” — "
            f"unit {system.unit!r} does not convert to {ref_flow.unit!r}"
        ) from None
    m.demand[row_of[system.reference_flow]] = fu
    return m


def _targets(column_of: dict[int, int], share: dict[int, float]) -> list[tuple[int, float]]:
    """The columns an input or emission is split over, with the share of each."""
    return [(col, share[i]) for i, col in column_of.items()]


def _entry_a(m: Matrices, row: int, col: int, k: int, scale: float) -> None:
    m.a_rows.append(row)
    m.a_cols.append(col)
    m.a_exchange.append(k)
    m.a_scale.append(scale)


def _factor_input(m: Matrices, ex: Exchange, factor_id: str, where: str) -> tuple[str, float]:
    """The row key of a footprint factor and the conversion of ``ex.unit`` to its unit."""
    record = footprint_factor(factor_id, where)
    m.factors[record.factor_id] = record
    denominator = record.unit.partition("/")[2]
    try:
        return f"factor:{record.factor_id}", convert(1.0, ex.unit, denominator)
    except UnitError:
        raise ExchangeUnitError(
            f"{where}: 单位“{ex.unit}”无法换算为碳足迹因子“{record.factor_id}”的单位"
            f"“{denominator}” — unit {ex.unit!r} does not convert to {denominator!r}, the "
            f"unit of footprint factor {record.factor_id!r} ({record.unit})"
        ) from None


def _factor_process(m: Matrices, key: str, product_row: Callable[[str], int]) -> int:
    """A background column for a footprint factor: makes 1 unit, emits the factor's value."""
    record = m.factors[key.removeprefix("factor:")]
    numerator = record.unit.partition("/")[0]
    row = product_row(key)
    col = len(m.columns)
    m.columns.append(key)
    m.column_process.append(key)
    m.column_stage.append("background")
    m.exchanges.append(ExchangeRef(key, -1, f"footprint factor {record.factor_id!r}", None))
    m.amounts.append(1.0)
    _entry_a(m, row, col, len(m.exchanges) - 1, 1.0)
    if FACTOR_FLOW not in m.elementary:
        m.elementary.append(FACTOR_FLOW)
        m.families.append("fossil")
        m.cf.append(1.0)
    try:
        per_kg = convert(1.0, numerator, "kgCO2e")
    except UnitError:
        raise FootprintError(
            f"footprint factor {record.factor_id!r}: 单位“{record.unit}”不是每单位kgCO2e — "
            f"unit {record.unit!r} is not kgCO2e per unit"
        ) from None
    m.exchanges.append(ExchangeRef(key, -1, f"footprint factor {record.factor_id!r}", None))
    m.amounts.append(record.value)
    m.b_rows.append(m.elementary.index(FACTOR_FLOW))
    m.b_cols.append(col)
    m.b_exchange.append(len(m.exchanges) - 1)
    m.b_scale.append(per_kg)
    return col


def _check_diagonal(m: Matrices, system: ProductSystem) -> None:
    """A process must make more of its product than it consumes (A[j, j] > 0)."""
    a = m.technosphere()
    diagonal = a.diagonal()
    processes = {p.process_id: p for p in system.processes}
    for j, value in enumerate(diagonal):
        if value > 0:
            continue
        process = processes.get(m.column_process[j])
        own = m.products[j]
        lines = (
            [process.label(i) for i, ex in enumerate(process.exchanges) if ex.flow == own]
            if process
            else [m.columns[j]]
        )
        raise SingularSystem(
            f"{'; '.join(lines)}: 该过程消耗的“{own}”不少于其产出（净产出{value:g}），"
            f"该循环无法求解 — the process consumes at least as much {own!r} as it makes "
            f"(net output {value:g}); the loop cannot be solved"
        )


def loops(a: sp.spmatrix, columns: list[str]) -> list[list[str]]:
    """Groups of processes that supply one another (strongly connected, more than one)."""
    from scipy.sparse.csgraph import connected_components

    graph = sp.csr_matrix(a, copy=True)
    graph.setdiag(0)
    graph.eliminate_zeros()
    count, labels = connected_components(graph, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for j, label in enumerate(labels):
        groups.setdefault(int(label), []).append(columns[j])
    return [g for g in groups.values() if len(g) > 1] if count else []


def as_int(values: list[int]) -> IntArray:
    return np.asarray(values, dtype=np.int64)
