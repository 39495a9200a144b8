"""`nearzero indicators year | deadline | confirmation` on a real database (issue #12.2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.formatting import china_today

runner = CliRunner()


def test_the_evaluation_year_from_the_command_line(
    zhangqiu_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    shown = runner.invoke(app, ["indicators", "year"])
    assert shown.exit_code == 0, shown.output
    assert "evaluation year: 2022" in shown.output and "confirmation: 开启 on" in shown.output
    # the default year of `indicators evaluate` is the evaluation year
    data = json.loads(runner.invoke(app, ["indicators", "evaluate", "--json"]).output)
    assert data["year"] == 2022

    future = china_today().year + 1
    refused = runner.invoke(app, ["indicators", "year", str(future)])
    assert refused.exit_code == 2 and "evaluation_year" in refused.output

    assert runner.invoke(app, ["indicators", "year", "2023"]).exit_code == 0
    assert (
        json.loads(runner.invoke(app, ["indicators", "evaluate", "--json"]).output)["year"] == 2023
    )

    bad = runner.invoke(app, ["indicators", "deadline", "2023", "31.03.2024"])
    assert bad.exit_code == 2 and "due" in bad.output
    assert runner.invoke(app, ["indicators", "deadline", "2023", "2024-03-31"]).exit_code == 0
    assert runner.invoke(app, ["indicators", "confirmation", "off"]).exit_code == 0
    assert runner.invoke(app, ["indicators", "confirmation", "maybe"]).exit_code == 2
    shown = runner.invoke(app, ["indicators", "year"])
    assert "evaluation year: 2023" in shown.output and "2024-03-31" in shown.output
    assert "confirmation: 关闭 off" in shown.output
