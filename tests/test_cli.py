"""The CLI end to end on a real database: upgrade, demo load, evaluate."""

import json
import re

from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.indicators.catalogue import bundled_plan_path, load_plan

runner = CliRunner()


def test_demo_load_and_evaluate_json(database_url, monkeypatch):
    monkeypatch.setenv("NEARZERO_DATABASE_URL", database_url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "zhangqiu-demo" in first.output and "office" in first.output
    # carbon inclusion: illustrative rides through the real intake, a resident's page link
    assert "carbon inclusion demo: 3000 rides" in first.output
    assert re.search(r"/inclusion/me/[0-9a-f]{64}\.[0-9a-f]{32}\n", first.output)
    again = runner.invoke(app, ["demo", "load"])  # `make run` runs it every time
    assert again.exit_code == 0 and "already loaded" in again.output
    assert "carbon inclusion demo" not in again.output

    result = runner.invoke(app, ["indicators", "evaluate", "--year", "2022", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "nearzero.indicators.evaluation/1"
    assert data["acceptance"]["binding"] == {"met": 12, "total": 18}
    assert data["acceptance"]["reference"] == {"met": 6, "total": 14, "required": 10}
    assert data["acceptance"]["ready"] is False
    plan = {e.spec.code: e.plan_status.value for e in load_plan(bundled_plan_path()).indicators}
    # the plan's 完成情况 column: 完成 ↔ met, 未完成 ↔ anything else
    assert {i["code"]: i["status"] for i in data["indicators"]} == plan
    no3 = next(i for i in data["indicators"] if i["code"] == "3")
    assert no3["target"] == {"comparator": "≤", "value": 0.7314}
    assert no3["gap"] == 0.0286
    assert no3["projection"]["trend"] == "on_track"

    table = runner.invoke(app, ["indicators", "evaluate", "--year", "2022"])
    assert table.exit_code == 0 and "约束指标 12/18" in table.output


def test_unknown_unit_is_a_clear_error(database_url, monkeypatch):
    monkeypatch.setenv("NEARZERO_DATABASE_URL", database_url)
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["indicators", "evaluate", "--year", "2022", "--unit", "nowhere"])
    assert result.exit_code == 2
    assert "no demonstration unit 'nowhere'" in result.output


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    for command in ("serve", "db", "demo", "indicators"):
        assert command in result.output
