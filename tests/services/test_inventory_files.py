"""Inventory files without a database: the CLI template → compute round trip, the JSON
document, export, the canonical stored document, and bad input naming row and field."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from nearzero.accounting.activity import EXAMPLE, bundled_example, parse_activity
from nearzero.accounting.codec import result_from_dict, result_to_dict
from nearzero.cli import app
from nearzero.services import inventory as svc

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "src/nearzero/data/examples" / EXAMPLE
runner = CliRunner()


def test_template_compute_round_trip(tmp_path):
    path = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["inventory", "template", str(path)]).exit_code == 0
    book = load_workbook(path)
    energy = book["能源活动"]
    energy.cell(row=2, column=7).value = 20000  # 活动水平: 20000 t of 原煤 instead of 10000
    book.save(path)
    out = runner.invoke(app, ["inventory", "compute", str(path), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    energy_row = next(
        r for r in doc["records"] if r["row_id"] == "energy-example" and r["gas"] == "CO2"
    )
    # 20000 t × 20.908 GJ/t × 26.37 kg C/GJ × 0.94 × 44/12 (national candidates)
    assert energy_row["tco2e"] == pytest.approx(20000 * 20.908 * 26.37e-3 * 0.94 * 44 / 12)
    table = runner.invoke(app, ["inventory", "compute", str(path), "--gwp", "AR6"])
    assert table.exit_code == 0 and "能源活动" in table.output and "AR6" in table.output


def test_compute_json_is_the_stored_document(tmp_path):
    out = runner.invoke(app, ["inventory", "compute", str(EXAMPLE_PATH), "--json"])
    doc = json.loads(out.output)
    assert doc["schema"] == "nearzero.inventory.result/1"
    assert doc["totals"]["direct_excl_lulucf"] == pytest.approx(6584292.30)
    rebuilt = result_from_dict(doc)
    once = result_to_dict(rebuilt)  # what a run stores: stable when read back
    assert {k: v for k, v in once.items() if k != "sectors"} == {
        k: v for k, v in doc.items() if k != "sectors"
    }
    assert result_to_dict(result_from_dict(once)) == once
    assert len(rebuilt.lineage.to_confirm) == len(doc["lineage"]["to_confirm"]) > 0


def test_canonical_document_parses_back_to_the_same_rows():
    activity = svc.read_activity("x.json", json.dumps(bundled_example()).encode())
    rows, meta = parse_activity(json.loads(json.dumps(activity.document)))
    assert rows == activity.rows and meta == activity.metadata


def test_export_from_a_file(tmp_path):
    for suffix in ("xlsx", "docx"):
        out = tmp_path / f"inv.{suffix}"
        result = runner.invoke(
            app, ["inventory", "export", str(out), "--activity", str(EXAMPLE_PATH)]
        )
        assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "inv.xlsx")
    assert book["表2 汇总表（CO2当量）"]["A2"].value == "能源活动"
    doc = Document(io.BytesIO((tmp_path / "inv.docx").read_bytes()))
    assert any(
        "总排放量（包括土地利用变化和林业）" in c.text
        for t in doc.tables
        for c in t.column_cells(0)
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("unit", "parsec", "row 0 (energy-coal-power), field 'unit'"),
        ("quantity", -1, "row 0 (energy-coal-power), field 'quantity': negative"),
        ("fuel", "unobtainium", "row 0 (energy-coal-power), field"),
    ],
)
def test_cli_bad_input_names_row_and_field(tmp_path, field, value, expected):
    doc = bundled_example()
    doc["rows"][0][field] = value
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["inventory", "compute", str(path)])
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())


def test_cli_load_series_feed(tmp_path, monkeypatch):
    monkeypatch.setenv("NEARZERO_DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    demo = runner.invoke(app, ["demo", "load"])  # loads the example's three years too
    assert demo.exit_code == 0 and "2020, 2021, 2022" in demo.output
    bad = bundled_example()
    bad["rows"][1]["quantity"] = -3
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(
        app, ["inventory", "load", str(tmp_path / "bad.json"), "--year", "2022"]
    )
    assert refused.exit_code == 2 and "quantity" in refused.output
    demo_series = json.loads(runner.invoke(app, ["inventory", "series", "--json"]).output)
    assert [d["year"] for d in demo_series] == [2020, 2021, 2022]
    loaded = runner.invoke(app, ["inventory", "load", str(EXAMPLE_PATH), "--year", "2022"])
    assert loaded.exit_code == 0, loaded.output
    series = json.loads(runner.invoke(app, ["inventory", "series", "--json"]).output)
    assert [d["year"] for d in series] == [2020, 2021, 2022]
    assert series[2]["totals"] == demo_series[2]["totals"]  # the same file again
    again = runner.invoke(app, ["demo", "load"])  # `make run` runs it every time
    assert again.exit_code == 0 and "2020, 2021, 2022" in again.output
    no = runner.invoke(app, ["inventory", "feed", "--year", "2022"])
    assert no.exit_code == 2 and "illustrative" in no.output
    fed = runner.invoke(app, ["inventory", "feed", "--year", "2022", "--allow-illustrative"])
    assert fed.exit_code == 0 and "指标 1" in fed.output and "指标 13" not in fed.output
    out = tmp_path / "db.xlsx"
    assert runner.invoke(app, ["inventory", "export", str(out)]).exit_code == 0
    assert "表1 汇总表（物理量）" in load_workbook(out).sheetnames
