"""Small systems solved by hand, then by bw2calc on the same matrices."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from nearzero.footprint.engine import Factorised, footprint
from nearzero.footprint.matrices import build
from nearzero.footprint.study import compute

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:bw2calc")


def test_chain_by_hand(chain, bw2calc_scores):
    m = build(chain)
    a = m.technosphere().toarray()
    assert_allclose(a, [[1, 0], [-0.5, 1]])
    h, s = footprint(m.technosphere(), m.biosphere(), m.characterisation(), m.final_demand())
    assert_allclose(s, [1, 0.5])  # bw2calc's smallest test (supply [1, 0.5])
    assert h == pytest.approx(7.0)
    assert bw2calc_scores(m) == pytest.approx(7.0, rel=1e-12)


def test_self_loop_by_hand(self_loop, bw2calc_scores):
    result = compute(self_loop)
    expected = (1500 + 500 * 0.6205) / 0.9
    assert result.total == pytest.approx(expected, rel=1e-12)
    assert bw2calc_scores(build(self_loop)) == pytest.approx(expected, rel=1e-12)
    assert result.to_confirm == ["cn_elec_fp_2023_national"]
    assert [f.value for f in result.factors] == [0.6205]
    # the process column is scaled by 1/0.9; the factor column by 500/0.9 kWh
    assert {r.label: r.value for r in result.processes} == pytest.approx(
        {"steel_mill": 1500 / 0.9, "factor:cn_elec_fp_2023_national": 500 * 0.6205 / 0.9}
    )


def test_two_process_loop_by_hand(two_loop, bw2calc_scores):
    m = build(two_loop)
    solver = Factorised(m.technosphere())
    assert_allclose(solver.supply(m.final_demand()), [1 / 0.9, 0.2 / 0.9])
    assert compute(two_loop).total == pytest.approx(12.0, rel=1e-12)
    assert bw2calc_scores(m) == pytest.approx(12.0, rel=1e-12)


def test_factorisation_reused_across_demands(two_loop):
    m = build(two_loop)
    solver = Factorised(m.technosphere())
    demands = np.eye(2)  # one column per demand: 1 a, 1 b
    supply = solver.supply(demands)
    scores = m.characterisation() @ (m.biosphere() @ supply)
    # 1 b: s_b = 1/0.9, s_a = 0.5/0.9 → (4 + 5)/0.9 = 10
    assert_allclose(scores, [12.0, 10.0])
    # intensities (footprint per unit of each product) are the same numbers: Aᵀy = (cB)ᵀ
    direct = np.asarray(m.characterisation() @ m.biosphere()).ravel()
    assert_allclose(solver.intensities(direct), [12.0, 10.0])


def test_contributions_add_up(chain, two_loop, self_loop):
    for system in (chain, two_loop, self_loop):
        result = compute(system)
        assert sum(r.value for r in result.processes) == pytest.approx(result.total)
    result = compute(chain)
    inputs = {r.label: r.value for r in result.inputs}
    assert inputs == pytest.approx(
        {"process 'P1', exchange 2 (input 'p2')": 5.0, "direct emissions": 2.0}
    )
    assert [r.label for r in result.hot_spots] == ["P2", "P1"]
    assert result.hot_spots[0].share == pytest.approx(5 / 7)


def test_families_reported_apart(chain):
    from dataclasses import replace

    from nearzero.footprint.model import Exchange, Flow

    flows = (
        *chain.flows,
        Flow("co2_bio", "CO2, biogenic", "kg", "elementary", "biogenic", gas="CO2"),
        Flow("co2_luc", "CO2, land use change", "kg", "elementary", "land_use_change", gas="CO2"),
        Flow("co2_air", "CO2, aircraft", "kg", "elementary", "aircraft", gas="CO2"),
        Flow("ch4", "CH4, fossil", "kg", "elementary", "fossil", gas="CH4"),
    )
    p1, p2 = chain.processes
    p2 = replace(
        p2,
        exchanges=(
            *p2.exchanges,
            Exchange("co2_bio", 3, "kg", "input"),  # uptake: a removal
            Exchange("co2_bio", 1, "kg", "output"),
            Exchange("co2_luc", 0.4, "kg", "output"),
            Exchange("co2_air", 200, "g", "output"),
            Exchange("ch4", 0.1, "kg", "output"),
        ),
    )
    result = compute(replace(chain, flows=flows, processes=(p1, p2)))
    fam = result.by_family
    # P2 runs at 0.5; CH4 AR6 GWP100 (fossil) from the GWP table
    from nearzero.accounting.gwp import gwp

    assert fam["fossil"].net == pytest.approx(7.0 + 0.5 * 0.1 * gwp("CH4", "AR6"))
    assert (fam["biogenic"].emissions, fam["biogenic"].removals) == pytest.approx((0.5, -1.5))
    assert fam["land_use_change"].net == pytest.approx(0.2)
    assert fam["aircraft"].net == pytest.approx(0.1)
    assert result.total == pytest.approx(sum(f.net for f in fam.values()))


def test_block_triangular_order_on_a_supply_chain_with_loops():
    """300 processes, tiered with a looped core: same supply as a plain sparse solve, and
    factors that fill in only inside the core."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve

    rng = np.random.default_rng(4)
    n, core = 300, 20
    cols = np.repeat(np.arange(n), 6)
    rows = np.minimum(cols + 1 + rng.geometric(0.05, cols.size), n - 1)
    rows = np.where(rng.random(cols.size) < 0.25, rng.integers(n - core, n, cols.size), rows)
    keep = rows != cols
    a = sp.csc_matrix((-rng.uniform(0.01, 0.15, keep.sum()), (rows[keep], cols[keep])), (n, n))
    a = sp.csc_matrix(a + sp.eye(n))
    solver = Factorised(a)
    f = rng.random(n)
    assert_allclose(solver.supply(f), spsolve(a, f), rtol=1e-10)
    assert_allclose(solver.intensities(f), spsolve(sp.csc_matrix(a.T), f), rtol=1e-10)
    assert solver.fill <= a.nnz + core * core
