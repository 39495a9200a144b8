"""Small product systems solved by hand in the tests (amounts chosen for easy arithmetic)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from nearzero.footprint.matrices import Matrices
from nearzero.footprint.model import Exchange, Flow, Process, ProductSystem

CO2 = Flow("co2", "CO2, fossil", "kg", "elementary", "fossil", gas="CO2")


def out(flow: str, amount: float, unit: str, **kw: object) -> Exchange:
    return Exchange(flow, amount, unit, "output", **kw)  # type: ignore[arg-type]


def inp(flow: str, amount: float, unit: str, **kw: object) -> Exchange:
    return Exchange(flow, amount, unit, "input", **kw)  # type: ignore[arg-type]


def system(processes: list[Process], flows: list[Flow], ref: str, **kw: object) -> ProductSystem:
    return ProductSystem(
        name="test",
        functional_unit=f"1 {ref}",
        reference_flow=ref,
        amount=1.0,
        unit=next(f.unit for f in flows if f.flow_id == ref),
        flows=tuple(flows),
        processes=tuple(processes),
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def chain() -> ProductSystem:
    """bw2calc's smallest test (reference/enterprise_mrv.md): A = [[1, 0], [−0.5, 1]], demand
    on product 1 → supply [1, 0.5]; P1 emits 2 kg CO2, P2 10 kg → h = 2 + 0.5·10 = 7."""
    flows = [Flow("p1", "product 1", "kg"), Flow("p2", "product 2", "kg"), CO2]
    return system(
        [
            Process(
                "P1", "one", "p1", (out("p1", 1, "kg"), inp("p2", 0.5, "kg"), out("co2", 2, "kg"))
            ),
            Process("P2", "two", "p2", (out("p2", 1, "kg"), out("co2", 10, "kg"))),
        ],
        flows,
        "p1",
    )


@pytest.fixture
def self_loop() -> ProductSystem:
    """Steel that takes back 0.1 t of its own product and 500 kWh of grid electricity
    (footprint 2023, 0.6205 kgCO2e/kWh): h = (1500 + 500·0.6205) / 0.9 = 2011.3888… kg."""
    flows = [Flow("steel", "steel", "t"), CO2]
    return system(
        [
            Process(
                "steel_mill",
                "steel",
                "steel",
                (
                    out("steel", 1, "t"),
                    inp("steel", 100, "kg"),
                    inp("electricity", 0.5, "MWh", factor="cn_elec_fp_2023_national"),
                    out("co2", 1.5, "t"),
                ),
            ),
        ],
        flows,
        "steel",
    )


@pytest.fixture
def two_loop() -> ProductSystem:
    """A needs 0.2 b, B needs 0.5 a; A emits 10 kg, B 4 kg: s = [1/0.9, 0.2/0.9],
    h = (10 + 0.8) / 0.9 = 12."""
    flows = [Flow("a", "a", "kg"), Flow("b", "b", "kg"), CO2]
    return system(
        [
            Process("A", "A", "a", (out("a", 1, "kg"), inp("b", 0.2, "kg"), out("co2", 10, "kg"))),
            Process("B", "B", "b", (out("b", 1, "kg"), inp("a", 0.5, "kg"), out("co2", 4, "kg"))),
        ],
        flows,
        "a",
    )


@pytest.fixture
def coproduct() -> Callable[[str | None], ProductSystem]:
    """Process J makes 2 kg X (mass 2 kg, value 10 yuan) and 1 kg Y (mass 1 kg, value 30 yuan),
    emits 9 kg CO2 and takes 3 kWh (footprint 2024, 0.5777): 10.7331 kg per batch.
    Y displaces y_market, made by ALT at 5 kg CO2/kg. Per kg X:
    mass 10.7331·(2/3)/2 = 3.5777; economic 10.7331·(10/40)/2 = 1.3416375;
    system expansion (10.7331 − 5)/2 = 2.86655."""

    def make(allocation: str | None) -> ProductSystem:
        flows = [Flow("x", "X", "kg"), Flow("y", "Y", "kg"), Flow("y_market", "Y", "kg"), CO2]
        return system(
            [
                Process(
                    "J",
                    "joint",
                    "x",
                    (
                        out("x", 2, "kg", mass=2.0, price=10.0),
                        out("y", 1, "kg", mass=1.0, price=30.0, substitutes="y_market"),
                        out("co2", 9, "kg"),
                        inp("electricity", 3, "kWh", factor="cn_elec_fp_2024_national"),
                    ),
                ),
                Process(
                    "ALT",
                    "alternative Y",
                    "y_market",
                    (out("y_market", 1, "kg"), out("co2", 5, "kg")),
                ),
            ],
            flows,
            "x",
            allocation=allocation,
        )

    return make


def _bw_package(m: Matrices, a_values: Any = None, b_values: Any = None) -> Any:
    """A bw_processing datapackage of the same A, B and c (ids: products and activities
    1…n, elementary flows 10⁶ + e); 2-D value arrays give one column per draw."""
    import bw_processing as bwp

    n = len(m.products)
    dp = bwp.create_datapackage(sequential=True)
    a_idx = np.array(
        [(r + 1, c + 1) for r, c in zip(m.a_rows, m.a_cols, strict=True)], dtype=bwp.INDICES_DTYPE
    )
    b_idx = np.array(
        [(10**6 + r, c + 1) for r, c in zip(m.b_rows, m.b_cols, strict=True)],
        dtype=bwp.INDICES_DTYPE,
    )
    c_idx = np.array([(10**6 + e, 0) for e in range(len(m.elementary))], dtype=bwp.INDICES_DTYPE)
    a0 = np.asarray(m.a_scale) * np.asarray(m.amounts)[m.a_exchange]
    b0 = np.asarray(m.b_scale) * np.asarray(m.amounts)[m.b_exchange]
    if a_values is None:
        dp.add_persistent_vector(matrix="technosphere_matrix", indices_array=a_idx, data_array=a0)
        dp.add_persistent_vector(matrix="biosphere_matrix", indices_array=b_idx, data_array=b0)
    else:
        dp.add_persistent_array(
            matrix="technosphere_matrix", indices_array=a_idx, data_array=a_values
        )
        dp.add_persistent_array(matrix="biosphere_matrix", indices_array=b_idx, data_array=b_values)
    dp.add_persistent_vector(
        matrix="characterization_matrix", indices_array=c_idx, data_array=m.characterisation()
    )
    assert n == len(m.columns)
    return dp


@pytest.fixture
def bw2calc_scores() -> Callable[..., Any]:
    """bw2calc's footprint of a system's matrices: one score, or one per draw column."""

    def run(m: Matrices, a_values: Any = None, b_values: Any = None) -> Any:
        import bw2calc

        (row,) = m.demand
        lca = bw2calc.LCA(
            {row + 1: m.demand[row]},
            data_objs=[_bw_package(m, a_values, b_values)],
            use_arrays=a_values is not None,
        )
        lca.lci()
        lca.lcia()
        if a_values is None:
            return float(lca.score)
        scores = [float(lca.score)]
        for _ in range(a_values.shape[1] - 1):
            next(lca)
            scores.append(float(lca.score))
        return np.array(scores)

    return run
