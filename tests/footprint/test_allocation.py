"""One multi-output process under the three allocation methods, by hand and by bw2calc."""

from __future__ import annotations

import pytest

from nearzero.footprint.matrices import build
from nearzero.footprint.model import FootprintError
from nearzero.footprint.study import compute, total

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:bw2calc")

BATCH = 9 + 3 * 0.5777  # kgCO2e of one batch of process J (2 kg X + 1 kg Y)
EXPECTED = {
    "mass": BATCH * (2 / 3) / 2,  # 3.5777
    "economic": BATCH * (10 / 40) / 2,  # 1.3416375
    "system_expansion": (BATCH - 5) / 2,  # 2.86655
}


@pytest.mark.parametrize("method", sorted(EXPECTED))
def test_allocation_by_hand_and_bw2calc(coproduct, bw2calc_scores, method):
    system = coproduct(method)
    assert total(system) == pytest.approx(EXPECTED[method], rel=1e-12)
    assert bw2calc_scores(build(system)) == pytest.approx(EXPECTED[method], rel=1e-12)


def test_published_arithmetic():
    assert EXPECTED["mass"] == pytest.approx(3.5777)
    assert EXPECTED["economic"] == pytest.approx(1.3416375)
    assert EXPECTED["system_expansion"] == pytest.approx(2.86655)


def test_sensitivity_table_of_the_three(coproduct):
    result = compute(coproduct("economic"))
    table = {r.method: (r.total, r.chosen) for r in result.sensitivity}
    assert table == {
        "mass": (pytest.approx(EXPECTED["mass"]), False),
        "economic": (pytest.approx(EXPECTED["economic"]), True),
        "system_expansion": (pytest.approx(EXPECTED["system_expansion"]), False),
    }


def test_allocation_must_be_chosen(coproduct):
    with pytest.raises(FootprintError, match=r"process 'J' has co-products \(y\): choose"):
        compute(coproduct(None))


def test_a_method_the_data_cannot_support_is_a_row_with_its_reason(coproduct):
    from dataclasses import replace

    system = coproduct("mass")
    j, alt = system.processes
    no_price = replace(j, exchanges=tuple(replace(e, price=None) for e in j.exchanges))
    result = compute(replace(system, processes=(no_price, alt)))
    row = next(r for r in result.sensitivity if r.method == "economic")
    assert row.error == (
        "process 'J', exchange 1 (output 'x'): 按经济价值分配需要填写该产出的价格［元］ — "
        "economic allocation needs the output's price (value) [yuan]"
    )
