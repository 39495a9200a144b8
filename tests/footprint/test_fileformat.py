"""The product-system file format and the example shipped with the package."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml

from nearzero.footprint.fileformat import SystemFileError, dump, loads, parse
from nearzero.footprint.model import ProductSystem
from nearzero.footprint.study import compute

EXAMPLE = "cement_illustrative.yaml"


def example_text() -> str:
    folder = resources.files("nearzero.data").joinpath("footprint", "examples")
    return folder.joinpath(EXAMPLE).read_text(encoding="utf-8")


def example() -> ProductSystem:
    return loads(example_text(), EXAMPLE)


def test_example_parses_and_computes():
    system = example()
    assert system.allocation == "mass" and len(system.processes) == 3
    result = compute(system)
    # kiln: 520 + 300 kg CO2 + 8 kg biogenic + 0.13 t coal + 55 kWh; 0.75 t clinker per t
    coal = 3.2 * 29.8 + 12 + 25 * 0.6205  # per t coal (CH4 cf 29.8 given in the file)
    kiln = 520 + 300 + 8 + 0.13 * coal + 55 * 0.6205  # mass share of the clinker: 1000/1000
    assert result.total == pytest.approx(0.75 * kiln + 35 * 0.6205, rel=1e-12)
    assert result.cut_off == ["process 'grinding', exchange 4 (input 'gypsum')"]
    assert result.by_family["biogenic"].net == pytest.approx(0.75 * 8)


def test_dump_parse_round_trip_and_json():
    system = example()
    assert parse(dump(system)) == system
    assert loads(json.dumps(dump(system)), "s.json") == system


@pytest.mark.parametrize(
    "patch,message",
    [
        ({"amount": "one"}, r"example.yaml.amount: .* — 'one' is not a float"),
        ({"allocation": "volume"}, r"example.yaml.allocation: .* — 'volume' is not one of mass"),
        ({"flows": [{"id": "x"}]}, r"example.yaml.flows\[0\].unit: .* — required"),
        ({"schema": "other/1"}, r"example.yaml.schema: .* — 'other/1' is not"),
    ],
)
def test_errors_name_the_field(patch, message):
    data = yaml.safe_load(example_text()) | patch
    with pytest.raises(SystemFileError, match=message):
        loads(yaml.safe_dump(data, allow_unicode=True), "example.yaml")


def test_exchange_errors_name_the_path():
    data = yaml.safe_load(example_text())
    data["processes"][1]["exchanges"][2]["pedigree"] = [1, 2, 9, 1, 1]
    with pytest.raises(SystemFileError, match=r"processes\[1\].exchanges\[2\].pedigree: .* — five"):
        loads(yaml.safe_dump(data, allow_unicode=True), "e.yaml")
    with pytest.raises(SystemFileError, match="e.yaml: .* — not valid YAML"):
        loads("a: [", "e.yaml")
