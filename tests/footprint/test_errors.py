"""Bad input: a clear error naming the process and the exchange."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nearzero.footprint.factors import FactorFamilyError
from nearzero.footprint.model import (
    Exchange,
    ExchangeUnitError,
    Flow,
    MissingFlow,
    NegativeAmount,
    Process,
    SingularSystem,
)
from nearzero.footprint.study import compute


def with_exchange(system, process_index, exchange_index, exchange):
    processes = list(system.processes)
    p = processes[process_index]
    lines = list(p.exchanges)
    lines[exchange_index] = exchange
    processes[process_index] = replace(p, exchanges=tuple(lines))
    return replace(system, processes=tuple(processes))


def test_singular_loop_names_the_processes(two_loop):
    # A makes 1 a from 1 b and B makes 1 b from 1 a: no net output, A is singular.
    system = with_exchange(two_loop, 0, 1, Exchange("b", 1, "kg", "input"))
    system = with_exchange(system, 1, 1, Exchange("a", 1, "kg", "input"))
    with pytest.raises(SingularSystem, match=r"singular .*: A → B"):
        compute(system)


def test_self_loop_consuming_all_it_makes(self_loop):
    system = with_exchange(self_loop, 0, 1, Exchange("steel", 1.2, "t", "input"))
    with pytest.raises(SingularSystem) as err:
        compute(system)
    assert str(err.value).startswith(
        "process 'steel_mill', exchange 1 (output 'steel'); process 'steel_mill', exchange 2 "
        "(input 'steel'): "
    )
    assert "— the process consumes at least as much 'steel' as it makes" in str(err.value)


def test_missing_flow(chain):
    system = with_exchange(chain, 0, 1, Exchange("p3", 0.5, "kg", "input"))
    with pytest.raises(
        MissingFlow, match=r"process 'P1', exchange 2 \(input 'p3'\): .* — flow 'p3' is"
    ):
        compute(system)


def test_input_without_provider(chain):
    flows = (*chain.flows, Flow("p3", "p3", "kg"))
    system = replace(with_exchange(chain, 0, 1, Exchange("p3", 0.5, "kg")), flows=flows)
    with pytest.raises(MissingFlow, match=r"exchange 2 \(input 'p3'\): .* — no process makes 'p3'"):
        compute(system)


def test_units_that_do_not_convert(chain, self_loop):
    system = with_exchange(chain, 0, 1, Exchange("p2", 0.5, "kWh", "input"))
    with pytest.raises(
        ExchangeUnitError,
        match=r"process 'P1', exchange 2 \(input 'p2'\): .* — unit 'kWh' does not convert to 'kg'",
    ):
        compute(system)
    bad = Exchange("electricity", 500, "kg", factor="cn_elec_fp_2023_national")
    with pytest.raises(
        ExchangeUnitError, match=r"exchange 3 \(input 'electricity'\): .* — unit 'kg'"
    ):
        compute(with_exchange(self_loop, 0, 2, bad))


def test_negative_amount(chain):
    system = with_exchange(chain, 1, 1, Exchange("co2", -10, "kg", "output"))
    with pytest.raises(
        NegativeAmount,
        match=r"process 'P2', exchange 2 \(output 'co2'\): .* — amount -10 is negative",
    ):
        compute(system)


def test_emission_factor_refused_where_a_footprint_factor_is_required(self_loop):
    # cn_grid_2022_national is the MEE/NBS grid *emission* factor (accounting's china_grid.csv)
    bad = Exchange("electricity", 500, "kWh", factor="cn_grid_2022_national")
    with pytest.raises(FactorFamilyError) as err:
        compute(with_exchange(self_loop, 0, 2, bad))
    assert "process 'steel_mill', exchange 3 (input 'electricity')" in str(err.value)
    assert "'cn_grid_2022_national' (grid_ef, china_grid.csv, 0.5366 t/MWh)" in str(err.value)
    assert "emission factor" in str(err.value)


def test_duplicate_provider(chain):
    p3 = Process("P3", "other", "p2", (Exchange("p2", 1, "kg", "output"),))
    with pytest.raises(
        Exception, match=r"process 'P3', exchange 1 \(output 'p2'\): .* — flow 'p2' is"
    ):
        compute(replace(chain, processes=(*chain.processes, p3)))
