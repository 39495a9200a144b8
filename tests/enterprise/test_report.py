"""One firm's annual report: the file format, the totals and their lineage, the CLI."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.report import compute_report
from nearzero.enterprise.reportfile import parse_report, read_report, result_to_dict

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "src" / "nearzero" / "data" / "enterprise" / "examples"


def _example(name):
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def test_power_example_net_exporter_and_default_carbon_content():
    result = compute_report(parse_report(_example("power_2024_illustrative.yaml")))
    t = result.totals
    assert t.electricity == pytest.approx((1200 - 5000) * 0.5703)
    coal = (
        (50000 * 21.0 * 0.0270 + 45000 * 0.560 + (48000 * 20.8 + 40000 * 21.2) * 0.03085)
        * 0.99
        * 44
        / 12
    )
    assert t.fuel == pytest.approx(coal)
    assert t.total == pytest.approx(coal + (1200 - 5000) * 0.5703)
    assert {s.row_id for s in result.to_confirm} >= {"power_cc_coal_from2023"}
    assert result.report.illustrative


def test_cement_example_sums_its_components():
    result = compute_report(parse_report(_example("cement_2024_illustrative.yaml")))
    t = result.totals
    clinker = (380000 + 1500) * ((0.652 - 0.004) * 44 / 56 + 0.021 * 44 / 40)
    clinker += 600000 * 0.001 * 44 / 12
    assert t.process == pytest.approx(clinker)
    assert t.electricity == pytest.approx(41000 * 0.5703)  # waste-heat power at EF 0
    assert t.total == pytest.approx(t.fuel + t.process + t.electricity + t.heat - t.recovered)
    assert result.energy.electricity_tce == pytest.approx(50000 * 0.1229)


def test_recovered_co2_is_deducted():
    data = _example("cement_2024_illustrative.yaml")
    data["recovered"] = [{"key": "liquid_co2", "tonnes": 240000, "use": "液体二氧化碳外卖"}]
    with_recovery = compute_report(parse_report(data)).totals
    assert with_recovery.recovered == 240000
    assert with_recovery.total == pytest.approx(
        with_recovery.fuel + with_recovery.process + with_recovery.electricity - 240000
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"firm": {"name_zh": "x", "credit_code": "914403001922038217"}}, "firm.credit_code"),
        ({"colour": "red"}, "colour"),
        ({"year": "2024"}, "year"),
        ({"factor_family": "ipcc"}, "factor_family"),
        ({"sector": "steelmaking"}, "sector"),
    ],
)
def test_bad_input_names_the_field(change, field):
    data = _example("cement_2024_illustrative.yaml")
    data.update(change)
    with pytest.raises(EnterpriseError) as exc:
        compute_report(parse_report(data))
    assert exc.value.field == field


def test_bad_fuel_entries_name_their_path():
    data = _example("cement_2024_illustrative.yaml")
    data["fuels"][0]["months"][1]["consumption"] = -9000
    with pytest.raises(EnterpriseError) as exc:
        compute_report(parse_report(data))
    assert exc.value.field == "fuels[0].months[1].consumption"
    data = _example("cement_2024_illustrative.yaml")
    data["fuels"][0]["unit"] = "MWh"
    with pytest.raises(EnterpriseError) as exc:
        compute_report(parse_report(data))
    assert exc.value.field == "fuels[0].unit"


def test_a_given_factor_of_the_other_family_is_refused():
    data = _example("cement_2024_illustrative.yaml")
    data["electricity"][0]["factor"] = {
        "value": 0.5366,
        "unit": "t/MWh",
        "family": "general_accounting",
        "document": "公告2024年第33号",
    }
    with pytest.raises(EnterpriseError) as exc:
        compute_report(parse_report(data))
    assert exc.value.field == "electricity[0].factor.family"


def test_json_and_yaml_read_alike():
    text = (EXAMPLES / "power_2024_illustrative.yaml").read_text(encoding="utf-8")
    as_json = json.dumps(yaml.safe_load(text), ensure_ascii=False)
    a = result_to_dict(compute_report(read_report("r.yaml", text)))
    b = result_to_dict(compute_report(read_report("r.json", as_json)))
    assert a == b
    with pytest.raises(EnterpriseError, match="expected a .yaml"):
        read_report("r.xlsx", text)


def test_cli_computes_a_file_without_a_database(tmp_path, monkeypatch):
    from nearzero.cli import app

    monkeypatch.setenv("NEARZERO_DATABASE_URL", f"sqlite:///{tmp_path}/absent/none.sqlite3")
    runner = CliRunner()
    path = EXAMPLES / "power_2024_illustrative.yaml"
    result = runner.invoke(app, ["enterprise", "report", "compute", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "nearzero.enterprise.report/1"
    assert data["totals"]["electricity"] == pytest.approx(-2167.14)
    table = runner.invoke(app, ["enterprise", "report", "compute", str(path)])
    assert table.exit_code == 0, table.output
    assert "示例" in table.output and "待确认" in table.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2024\nfirm: {name_zh: x, credit_code: '914403001922038217'}\n")
    refused = runner.invoke(app, ["enterprise", "report", "compute", str(bad)])
    assert refused.exit_code == 2
    assert "firm.credit_code" in refused.output
    bad.write_text("year: 2024\nfirm: {name_zh: x}\nelectricity: [{key: g, purchased: -1}]\n")
    refused = runner.invoke(app, ["enterprise", "report", "compute", str(bad)])
    assert "[MWh]" in refused.output  # the unit is printed, not read as markup


def test_json_doc_lists_every_field():
    import re

    result = result_to_dict(compute_report(parse_report(_example("cement_2024_illustrative.yaml"))))
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    section = doc.split("## `nearzero.enterprise.report/1`", 1)[1].split("\n## ", 1)[0]
    fields = set(re.findall(r"^\| `([a-z_.\[\]]+)`", section, flags=re.M))
    lists = ("components", "to_confirm", "data_files")
    assert {f"{k}[]" if k in lists else k for k in result} == fields
    component = result["components"][0]
    names = (
        *result["firm"],
        *result["totals"],
        *result["energy"],
        *component,
        *component["parameters"][0],
        *result["to_confirm"][0],
        *result["data_files"][0],
    )
    for name in names:
        assert f"`{name}`" in section, name
