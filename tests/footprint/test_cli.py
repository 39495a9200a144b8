"""`nearzero footprint compute`: the example file, JSON documented field by field, errors."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.footprint.fileformat import loads
from nearzero.footprint.olca import export_zip

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def example_path() -> Path:
    folder = resources.files("nearzero.data").joinpath("footprint", "examples")
    return Path(str(folder.joinpath("cement_illustrative.yaml")))


def run_json(*args: str) -> dict:
    result = runner.invoke(app, ["footprint", "compute", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_compute_json_is_documented():
    data = run_json(str(example_path()), "--mc", "50", "--seed", "3")
    assert data["schema"] == "nearzero.footprint.result/1"
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    section = doc.split("## `nearzero.footprint.result/1`", 1)[1].split("\n## ", 1)[0]
    fields = set(re.findall(r"^\| `([a-z_0-9.\[\]]+)`", section, flags=re.M))
    lists = ("processes", "inputs", "hot_spots", "sensitivity", "factors")
    assert {f"{k}[]" if k in lists else k for k in data} == fields
    for name in (
        *data["by_family"],
        *data["by_family"]["fossil"],
        *data["uncertainty"],
        *data["processes"][0],
        *data["sensitivity"][0],
        *data["factors"][0],
    ):
        assert f"`{name}`" in section, name
    assert data["uncertainty"]["draws"] == 50 and data["uncertainty"]["seed"] == 3
    assert "cn_elec_fp_2023_national" in data["to_confirm"]


def test_compute_table_and_zip(tmp_path):
    result = runner.invoke(app, ["footprint", "compute", str(example_path())])
    assert result.exit_code == 0, result.output
    assert "产品碳足迹 680.3 kgCO2e" in result.output
    assert "待确认因子" in result.output
    system = loads(example_path().read_text(encoding="utf-8"), "x.yaml")
    path = tmp_path / "system.zip"
    path.write_bytes(export_zip(system))
    assert run_json(str(path))["total_kgco2e"] == run_json(str(example_path()))["total_kgco2e"]


@pytest.mark.parametrize(
    "text,message",
    [
        ("amount: [", "bad.yaml: 不是有效的YAML文件 — not valid YAML"),
        (None, "factor 'cn_grid_2022_national'"),
    ],
)
def test_errors_exit_2(tmp_path, text, message):
    if text is None:
        text = (
            example_path()
            .read_text(encoding="utf-8")
            .replace("factor: cn_elec_fp_2023_national}", "factor: cn_grid_2022_national}", 1)
        )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["footprint", "compute", str(path)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
