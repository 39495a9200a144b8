"""Documentation checked against the code, so the two cannot drift apart."""

import hashlib
import json
import re
from pathlib import Path

from nearzero.indicators.choices import Status
from nearzero.indicators.rules import RuleKind
from nearzero.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def documented_fields(doc: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_.\[\]]+)`", doc, flags=re.M))


def test_json_doc_lists_every_field(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from nearzero.cli import app

    monkeypatch.setenv("NEARZERO_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load"])
    data = json.loads(
        runner.invoke(app, ["indicators", "evaluate", "--year", "2022", "--json"]).output
    )
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    fields = documented_fields(doc)
    top = {k for k in data if k != "acceptance"} | {f"acceptance.{k}" for k in data["acceptance"]}
    assert {
        k if k not in ("indicators", "task_targets", "categories") else f"{k}[]" for k in top
    } <= fields
    assert set(data["indicators"][0]) - {"name_zh", "name_en"} <= fields | {"parts"}
    for kind in RuleKind:
        assert f"`{kind.value}`" in doc
    for status in Status:
        assert f"`{status.value}`" in doc


def test_settings_are_documented():
    doc = Settings.__doc__ or ""
    for name in Settings.model_fields:
        assert f"{name}" in doc, name


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_inventory_json_doc_lists_every_field():
    from typer.testing import CliRunner

    from nearzero.accounting.activity import EXAMPLE
    from nearzero.cli import app

    example = ROOT / "src" / "nearzero" / "data" / "examples" / EXAMPLE
    result = CliRunner().invoke(app, ["inventory", "compute", str(example), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    section = doc.split("## `nearzero.inventory.result/1`", 1)[1]
    fields = documented_fields(section)
    lists = ("sectors", "records", "notation_keys")
    assert {f"{k}[]" if k in lists else k for k in data} == fields
    assert data["schema"] == "nearzero.inventory.result/1"
    for name in (*data["totals"], *data["records"][0], *data["lineage"], *data["sectors"][0]):
        assert f"`{name}`" in section, name
    for name in data["lineage"]["factors"][0]:
        assert f"`{name}`" in section, name


def test_projects_json_doc_lists_every_field(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from nearzero.cli import app

    monkeypatch.setenv("NEARZERO_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load"])
    result = runner.invoke(app, ["projects", "list", "--json", "--as-of", "2025-10-15"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "nearzero.projects.list/1"
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    section = doc.split("## `nearzero.projects.list/1`", 1)[1].split("\n## ", 1)[0]
    fields = documented_fields(section)
    assert {f"{k}[]" if k == "projects" else k for k in data} <= fields
    projects = {p["number"]: p for p in data["projects"]}
    reduction = projects[3]["reduction"]
    names = (*projects[3], *reduction, *reduction["parameters"][0], *projects[10]["missing"][0])
    for name in names:
        assert f"`{name}`" in section or f"`{name}[]`" in section, name
    for stage in ("planned", "under_way", "done", "late"):
        assert f"`{stage}`" in section


def test_partner_api_doc_signs_its_example_and_lists_every_reason():
    from nearzero.inclusion.choices import ReasonCode, Scenario
    from nearzero.inclusion.security import sign

    doc = (ROOT / "docs" / "partner-api.md").read_text(encoding="utf-8")

    def value(label: str) -> str:
        return re.search(rf"- {label} `([^`]+)`", doc).group(1)

    body = re.search(r"^  `(\{\"records\".*)`$", doc, flags=re.M).group(1).encode()
    secret = bytes.fromhex(value("secret"))
    nonce = re.search(r"nonce `([^`]+)`", doc).group(1)
    timestamp = int(re.search(r"timestamp `(\d+)`", doc).group(1))
    assert hashlib.sha256(body).hexdigest() == value("SHA-256 of the body")
    assert sign(secret, "ride-code", timestamp, nonce, body) == value("signature")
    for reason in ReasonCode:
        assert f"`{reason.value}`" in doc, reason
    for scenario in Scenario:
        assert f"`{scenario.value}`" in doc, scenario
