"""Multi-output processes: allocation by mass or value, or system expansion, chosen explicitly.

ISO 14044:2006 §4.3.4.2 (GB/T 24044-2008 §4.3.4.2; GB/T 24067-2024 §6.4.6): avoid allocation
by system expansion where possible; otherwise partition the inputs and emissions in proportion
to a physical relationship (mass) or another relationship (economic value). A study names its
choice (``ProductSystem.allocation``); nearzero never picks one silently, and the sensitivity
table reports the footprint under each of the three so a reader sees what the choice moves.

- ``mass``: share_i = m_i / Σ m_k, m the mass of output i [kg].
- ``economic``: share_i = v_i / Σ v_k, v the value of output i [yuan].
- ``system_expansion``: no partition; each co-product is credited with the production it
  displaces (it enters the technosphere matrix as an output of the displaced product,
  Heijungs & Suh 2002 §2.4 "avoided products").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from nearzero.footprint.model import (
    ALLOCATION_METHODS,
    Exchange,
    FootprintError,
    NegativeAmount,
    Process,
    ProductSystem,
)


def outputs_of(process: Process) -> list[tuple[int, Exchange]]:
    """The product outputs of a process (reference first), without cut-off lines."""
    ref_index, _ = process.reference_exchange()
    others = [
        (i, ex)
        for i, ex in enumerate(process.exchanges)
        if ex.direction == "output" and i != ref_index and not ex.cut_off and ex.factor is None
    ]
    return [(ref_index, process.exchanges[ref_index]), *others]


def co_products(process: Process, elementary: set[str]) -> list[tuple[int, Exchange]]:
    """Output exchanges of products other than the reference product."""
    return [(i, ex) for i, ex in outputs_of(process)[1:] if ex.flow not in elementary]


def shares(process: Process, method: str, elementary: set[str]) -> dict[int, float]:
    """Allocation shares of a process's product outputs by ``mass`` or ``economic`` value. [-]

    ISO 14044 §4.3.4.2 step 2: share_i = p_i / Σ p_k, p the mass [kg] or the value [yuan]
    of output i. Keys are exchange indices; the shares sum to 1.
    Raises :class:`FootprintError` naming the process and exchange without the property.
    """
    if method not in ("mass", "economic"):
        raise FootprintError(
            f"process {process.process_id!r}: 分配方法“{method}”不是按比例分配（mass或economic） — "
            f"{method!r} is not a partition"
        )
    products = [(i, ex) for i, ex in outputs_of(process) if ex.flow not in elementary]
    values: dict[int, float] = {}
    for i, ex in products:
        prop = ex.mass if method == "mass" else ex.price
        what = "mass [kg]" if method == "mass" else "price (value) [yuan]"
        basis, what_zh = ("质量", "质量［kg］") if method == "mass" else ("经济价值", "价格［元］")
        if prop is None:
            raise FootprintError(
                f"{process.label(i)}: 按{basis}分配需要填写该产出的{what_zh} — "
                f"{method} allocation needs the output's {what}"
            )
        if prop < 0:
            raise NegativeAmount(
                f"{process.label(i)}: {what_zh}{prop}为负数 — {what} {prop} is negative"
            )
        values[i] = prop
    total = sum(values.values())
    if total <= 0:
        raise FootprintError(
            f"process {process.process_id!r}: 各产出的分配依据（{method}）之和为0 — "
            f"the outputs' {method} sum to 0"
        )
    return {i: v / total for i, v in values.items()}


@dataclass(frozen=True)
class SensitivityRow:
    """The footprint of the functional unit under one allocation method. [kgCO2e]"""

    method: str
    total: float
    chosen: bool
    error: str = ""


def sensitivity(
    system: ProductSystem, compute: Callable[[ProductSystem], float]
) -> list[SensitivityRow]:
    """The sensitivity table of the three allocation methods (ISO 14044 §4.3.4.1: where
    several methods seem applicable, a sensitivity analysis shows the consequences).

    ``compute`` gives the total footprint of a system. A method the data cannot support
    (no prices, no displaced product) gets a row with the reason instead of a number.
    """
    rows: list[SensitivityRow] = []
    for method in ALLOCATION_METHODS:
        try:
            total = compute(replace(system, allocation=method))
        except FootprintError as exc:
            rows.append(SensitivityRow(method, float("nan"), method == system.allocation, str(exc)))
            continue
        rows.append(SensitivityRow(method, total, method == system.allocation))
    return rows
