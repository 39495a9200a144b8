"""openLCA JSON-LD: export, read back with olca-schema, import, the same numbers."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, replace

import olca_schema as o
import pytest
from olca_schema import zipio

from nearzero.footprint.olca import OlcaError, export_zip, import_zip
from nearzero.footprint.study import compute

from .test_fileformat import example

FOLDERS = {
    "flows": o.Flow,
    "processes": o.Process,
    "product_systems": o.ProductSystem,
    "unit_groups": o.UnitGroup,
    "flow_properties": o.FlowProperty,
    "lcia_categories": o.ImpactCategory,
    "lcia_methods": o.ImpactMethod,
}


def test_zip_follows_olca_schema_layout():
    data = export_zip(example())
    z = zipfile.ZipFile(io.BytesIO(data))
    assert json.loads(z.read("olca-schema.json")) == {"version": 2}
    names = z.namelist()
    for name in names:
        if name == "olca-schema.json":
            continue
        folder, file = name.split("/")
        entity = FOLDERS[folder].from_json(z.read(name))
        assert f"{entity.id}.json" == file
    (ps_name,) = [n for n in names if n.startswith("product_systems/")]
    ps = o.ProductSystem.from_json(z.read(ps_name))
    assert ps.target_amount == 1.0 and ps.ref_exchange.internal_id == 1
    assert len(ps.process_links) == 5
    kiln = next(
        o.Process.from_json(z.read(n))
        for n in names
        if n.startswith("processes/") and b"nearzero:id=kiln" in z.read(n)
    )
    assert kiln.default_allocation_method == o.AllocationType.PHYSICAL_ALLOCATION
    assert [e.dq_entry for e in kiln.exchanges if e.dq_entry] == ["(2;2;1;1;2)", "(2;3;2;1;2)"]


def test_zip_readable_by_olca_zip_reader(tmp_path):
    path = tmp_path / "system.zip"
    path.write_bytes(export_zip(example()))
    with zipio.ZipReader(path) as reader:
        systems = list(reader.read_each(o.ProductSystem))
        processes = list(reader.read_each(o.Process))
    assert len(systems) == 1 and len(processes) == 4  # 3 processes + 1 footprint factor


@pytest.mark.parametrize("allocation", ["mass", "system_expansion"])
def test_round_trip_same_numbers(allocation):
    system = replace(example(), allocation=allocation)
    back = import_zip(export_zip(system))
    before, after = compute(system, draws=200, seed=5), compute(back, draws=200, seed=5)
    assert after.total == pytest.approx(before.total, rel=1e-12)
    assert after.by_family == before.by_family
    assert asdict(after.uncertainty) == pytest.approx(asdict(before.uncertainty), rel=1e-12)
    assert after.to_confirm == before.to_confirm
    assert import_zip(export_zip(back)).processes == back.processes


def test_bad_zip():
    with pytest.raises(OlcaError, match="x.zip: .* — not a zip file"):
        import_zip(b"not a zip", "x.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("olca-schema.json", "{}")
    with pytest.raises(OlcaError, match="no product_systems"):
        import_zip(buffer.getvalue(), "y.zip")


def test_import_a_zip_written_by_olca_schema(tmp_path):
    """A system built with olca-schema's own constructors (no nearzero tags): a mill that
    takes back 0.1 kg of its steel, 2 kWh from a grid at 0.6 kg CO2/kWh, emits 1.5 kg fossil
    CO2 and takes up 0.2 kg biogenic CO2: h = (1.5 − 0.2 + 2·0.6) / 0.9 = 2.777… kg CO2e."""
    mass_units = o.new_unit_group("Units of mass", "kg")
    mass = o.new_flow_property("Mass", mass_units)
    energy_units = o.new_unit_group("Units of energy", "kWh")
    energy = o.new_flow_property("Energy", energy_units)
    steel = o.new_product("steel", mass)
    power = o.new_product("electricity", energy)
    fossil = o.new_elementary_flow("Carbon dioxide, fossil", mass)
    biogenic = o.new_elementary_flow("Carbon dioxide, biogenic", mass)
    grid = o.new_process("grid")
    ref = o.new_output(grid, power, 1.0)
    ref.is_quantitative_reference = True
    o.new_output(grid, fossil, 0.6)
    mill = o.new_process("mill")
    out = o.new_output(mill, steel, 1.0)
    out.is_quantitative_reference = True
    o.new_input(mill, power, 2.0).default_provider = grid.to_ref()
    o.new_input(mill, steel, 0.1).default_provider = mill.to_ref()
    o.new_output(mill, fossil, 1.5)
    o.new_input(mill, biogenic, 0.2)
    gwp = o.new_impact_category("GWP100")
    gwp.ref_unit = "kg CO2 eq"
    factors = [o.new_impact_factor(gwp, flow, 1.0) for flow in (fossil, biogenic)]
    gwp.impact_factors = gwp.impact_factors or factors
    system = o.ProductSystem(
        id="ps",
        name="steel",
        ref_process=mill.to_ref(),
        target_amount=1.0,
        ref_exchange=o.ExchangeRef(internal_id=out.internal_id),
    )
    path = tmp_path / "olca.zip"
    with zipio.ZipWriter(path) as writer:
        for entity in (
            mass_units,
            mass,
            energy_units,
            energy,
            steel,
            power,
            fossil,
            biogenic,
            grid,
            mill,
            gwp,
            system,
        ):
            writer.write(entity)
    imported = import_zip(path.read_bytes(), "olca.zip")
    result = compute(imported)
    assert result.total == pytest.approx(2.5 / 0.9, rel=1e-12)
    assert result.by_family["biogenic"].removals == pytest.approx(-0.2 / 0.9)
    assert result.by_family["fossil"].net == pytest.approx(2.7 / 0.9)
