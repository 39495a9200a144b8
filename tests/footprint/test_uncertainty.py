"""Distributions, pedigree, seeded Monte Carlo; every draw checked against a direct solve."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from nearzero.footprint.engine import Factorised, Pattern, solve_draws
from nearzero.footprint.factors import pedigree_table
from nearzero.footprint.matrices import as_int, build
from nearzero.footprint.model import Exchange, FootprintError, Uncertainty
from nearzero.footprint.study import compute
from nearzero.footprint.uncertainty import (
    Distributions,
    describe,
    distributions,
    pedigree_sigma2,
    sample,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:bw2calc")


def test_pedigree_adds_variances_to_the_lognormal():
    table, _ = pedigree_table()
    scores = (2, 3, 1, 4, 5)
    expected = table[0, 1] + table[1, 2] + table[2, 0] + table[3, 3] + table[4, 4]
    assert pedigree_sigma2(scores, table) == pytest.approx(expected)
    kind, mu, sigma, _ = describe(10.0, Uncertainty("lognormal", gsd=1.2), expected, "x")
    assert (kind, mu) == (1, 10.0)
    assert sigma == pytest.approx(np.sqrt(np.log(1.2) ** 2 + expected))
    with pytest.raises(FootprintError, match="five scores"):
        pedigree_sigma2((1, 2, 3), table)
    with pytest.raises(FootprintError, match="x: .* — pedigree scores widen a lognormal only"):
        describe(1.0, Uncertainty("normal", sd=0.1), 0.01, "x")


def test_distribution_moments():
    dist = Distributions(
        kind=np.array([1, 2, 3, 4, 0]),
        p1=np.array([10.0, 5.0, 1.0, 2.0, 7.0]),
        p2=np.array([np.log(1.5), 0.5, 2.0, 0.0, 0.0]),
        p3=np.array([0.0, 0.0, 6.0, 4.0, 0.0]),
    )
    x = sample(dist, 200_000, np.random.default_rng(7))
    assert np.median(x[0]) == pytest.approx(10.0, rel=0.01)  # lognormal: geometric mean
    assert np.log(x[0]).std() == pytest.approx(np.log(1.5), rel=0.01)
    assert (x[1].mean(), x[1].std()) == pytest.approx((5.0, 0.5), rel=0.01)
    assert x[2].mean() == pytest.approx((1 + 2 + 6) / 3, rel=0.01)  # triangular
    assert (x[2].min() >= 1.0) and (x[2].max() <= 6.0)
    assert x[3].mean() == pytest.approx(3.0, rel=0.01) and x[3].min() >= 2.0  # uniform
    assert (x[4] == 7.0).all()


def test_seeded_draws_repeat(two_loop):
    system = _uncertain(two_loop)
    a = compute(system, draws=300, seed=11).uncertainty
    b = compute(system, draws=300, seed=11).uncertainty
    c = compute(system, draws=300, seed=12).uncertainty
    assert a == b and a != c
    assert a.p2_5 < 12.0 < a.p97_5


def _uncertain(system):
    a, b = system.processes
    lines = list(a.exchanges)
    lines[1] = replace(lines[1], uncertainty=Uncertainty("lognormal", gsd=1.3))
    lines[2] = replace(lines[2], uncertainty=Uncertainty("normal", sd=1.0), pedigree=None)
    blines = list(b.exchanges)
    blines[1] = replace(blines[1], uncertainty=Uncertainty("triangular", 0, 0, 0.3, 0.5, 0.8))
    blines[2] = replace(blines[2], uncertainty=Uncertainty("uniform", minimum=3, maximum=5))
    return replace(
        system,
        processes=(replace(a, exchanges=tuple(lines)), replace(b, exchanges=tuple(blines))),
    )


@pytest.mark.parametrize("gsd,max_iter", [(1.3, 60), (3.0, 2)])
def test_batched_draws_equal_direct_solves_and_bw2calc(two_loop, bw2calc_scores, gsd, max_iter):
    """Every draw of the batched solver equals a fresh factorisation of that draw's A, and
    bw2calc's score on the same sampled arrays (the second case forces the fall-back)."""
    system = _uncertain(two_loop)
    a, b = system.processes
    a = replace(
        a,
        exchanges=(
            a.exchanges[0],
            replace(a.exchanges[1], uncertainty=Uncertainty("lognormal", gsd=gsd)),
            a.exchanges[2],
        ),
    )
    m = build(replace(system, processes=(a, b)))
    table, _ = pedigree_table()
    dist = distributions(
        m.amounts, [e.exchange for e in m.exchanges], [e.label for e in m.exchanges], table
    )
    amounts = sample(dist, 64, np.random.default_rng(3))
    av = np.asarray(m.a_scale)[:, None] * amounts[m.a_exchange]
    bv = np.asarray(m.b_scale)[:, None] * amounts[m.b_exchange]
    a_pat = Pattern(as_int(m.a_rows), as_int(m.a_cols), (2, 2))
    b_pat = Pattern(as_int(m.b_rows), as_int(m.b_cols), (len(m.elementary), 2))
    c, f = m.characterisation(), m.final_demand()
    h, stats = solve_draws(
        Factorised(m.technosphere()), a_pat, av, b_pat, bv, c, f, max_iter=max_iter
    )
    direct = [
        c @ (b_pat.matrix(bv[:, i]) @ Factorised(a_pat.matrix(av[:, i])).supply(f))
        for i in range(64)
    ]
    assert_allclose(h, direct, rtol=1e-9)
    assert_allclose(h, bw2calc_scores(m, av, bv), rtol=1e-9)
    if max_iter == 2:
        assert stats.direct > 0


def test_example_line_with_pedigree_and_normal_is_refused(chain):
    p1, p2 = chain.processes
    bad = Exchange(
        "co2", 10, "kg", "output", uncertainty=Uncertainty("normal", sd=1), pedigree=(1, 1, 1, 1, 2)
    )
    system = replace(chain, processes=(p1, replace(p2, exchanges=(p2.exchanges[0], bad))))
    with pytest.raises(
        FootprintError, match=r"process 'P2', exchange 2 \(output 'co2'\): .* — pedig"
    ):
        compute(system, draws=10)
