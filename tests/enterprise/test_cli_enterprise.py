"""`nearzero enterprise load / screen / benchmarks` on a loaded database (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import yaml
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.services.context import Actor
from nearzero.services.enterprise import reports
from nearzero.services.indicators import get_unit
from nearzero.store import enterprise as store
from nearzero.store.db import make_engine, session_factory, transaction

runner = CliRunner()
POWER = (
    resources.files("nearzero.data")
    .joinpath("enterprise", "examples", "power_2024_illustrative.yaml")
    .read_text("utf-8")
)


def test_load_screen_and_benchmarks(zhangqiu_url: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    bundled = resources.files("nearzero.data").joinpath("enterprise", "firms.yaml")
    registry_file = tmp_path / "firms.yaml"
    registry_file.write_text(bundled.read_text("utf-8"), encoding="utf-8")
    first = runner.invoke(app, ["enterprise", "load", str(registry_file), "--unit", "zhangqiu"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["enterprise", "load", str(registry_file)])
    assert "0 enterprise(s) added" in again.output

    extra = {
        "firms": [
            {
                "key": "example_power",
                "name_zh": "示例热电有限公司",
                "sector": "power",
                "illustrative": True,
                "covered_by_ets": True,
                "facilities": [
                    {
                        "key": "u1",
                        "name_zh": "1#机组",
                        "kind": "unit",
                        "capacity": 300,
                        "capacity_unit": "MW",
                        "benchmark_id": "coal_power_supply",
                    }
                ],
            }
        ]
    }
    extra_file = tmp_path / "extra.yaml"
    extra_file.write_text(yaml.safe_dump(extra, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(app, ["enterprise", "load", str(extra_file)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("firms:\n  - {key: b, name_zh: 乙, credit_code: '91350100M000100Y44'}\n")
    refused = runner.invoke(app, ["enterprise", "load", str(bad)])
    assert refused.exit_code == 2 and "credit_code" in refused.output

    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = get_unit(session, "zhangqiu")
            assert store.enterprise(session, unit.id, "b") is None
            reports.save_draft(
                session, Actor.system("t"), unit, "example_power", "p.yaml", POWER.encode()
            )
    finally:
        engine.dispose()
    result = runner.invoke(app, ["enterprise", "screen", "--year", "2024", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "nearzero.enterprise.screening/1"
    (firm,) = data["firms"]
    assert firm["key"] == "example_power" and firm["figures"] == "reported"
    assert firm["over_fossil_threshold"] is True  # 183,000 t of coal is far over 2,000 tce
    assert "huadian_zhangqiu" in data["without_report"]

    result = runner.invoke(app, ["enterprise", "benchmarks", "--year", "2024", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "nearzero.enterprise.benchmarks/1"
    assert {b["id"] for b in data["levels"]} >= {"cement_clinker", "coal_power_supply"}
    assert data["lines"] == []  # no efficiency value entered for 2024
