"""Issue #15 item 1: scenarios are data. The bundled seven come from
``data/inclusion/scenarios.yaml``; the office adds its own (a new-energy car ride, walking)
with a name, an activity kind, record fields and a claim, beside its methodology versions,
without a release; a partner's records of it are then credited like any other.

The rates used: walking 0.02 points per step, 1 point = 1 g (湖北 碳碳星球 [S26]); the new-energy
ride's factors are illustrative office values (DB11/T 3043-2024's defaults were not found).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.inclusion.choices import (
    ActivityKind,
    ClaimKind,
    ReasonCode,
    Scenario,
    ScenarioError,
    all_scenarios,
    register_scenario,
    scenario_from_dict,
)
from nearzero.inclusion.intake import Consent, IntakeContext, validate_batch
from nearzero.inclusion.methodology import load_library, methodology_from_dict
from nearzero.inclusion.records import CHINA_TZ
from nearzero.inclusion.rules import MethodologyChoice, Scheme
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.inclusion import partners as partners_svc, rules as rules_svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction

OFFICE = Actor.system("office")
MASTER = b"test-master-key-0123456789abcdef"
NOW = datetime(2025, 6, 30, tzinfo=UTC)
DAY = datetime(2025, 3, 3, tzinfo=CHINA_TZ)
ALICE = "a" * 64

WALKING = """
code: walking
label_zh: 步行
label_en: walking
activity: count
fields: [count]
claim: asset_period
"""
"""Steps of a day: the day of the resident's own walking is claimed once (asset_period, no
asset id: the resident's own)."""

WALKING_RATE = """
id: hb-tantan-walking
version: "2022"
status: published
scenario: walking
formula: rate_x_activity
activity: count
title_zh: 碳碳星球 步行
title_en: Hubei 碳碳星球 walking
source:
  document: 碳碳星球 published credit rates
  citations: ["[S26] 湖北日报 2022-02-17: 0.02 积分/步, 1 积分 = 1 克"]
parameters:
  - name: RF
    value: "0.02"
    unit: g/count
    status: operator_published
    source: "[S26] 0.02 积分/步"
"""

NEV = """
code: nev_ride
label_zh: 新能源汽车出行
label_en: new-energy car ride
activity: distance
fields: [distance_km]
claim: trip
"""

NEV_BE_PE = """
id: nev-ride-db11
version: "illustrative"
status: draft
scenario: nev_ride
formula: baseline_minus_project
activity: distance
title_zh: 新能源汽车出行（基准线减项目排放，示意取值）
title_en: New-energy car ride, BE - PE (illustrative values)
source:
  document: DB11/T 3043-2024 eq. 1, 2 (structure); the values are the office's, to_confirm
parameters:
  - name: EF_baseline
    value: "200"
    unit: g/km
    status: office_decided
    source: "illustrative office value (to_confirm against the standard's appendix)"
  - name: EF_project
    value: "80"
    unit: g/km
    status: office_decided
    source: "illustrative office value (to_confirm against the standard's appendix)"
"""


def parse(source: str) -> Any:
    import yaml

    return yaml.safe_load(source)


def test_the_bundled_scenarios_are_data() -> None:
    assert [s.value for s in Scenario] == [
        "bus",
        "metro",
        "shared_bicycle",
        "rooftop_pv",
        "used_clothes",
        "heat_pump",
        "efficient_ac",
    ]
    assert Scenario("bus") is Scenario.BUS and Scenario.BUS == "bus"
    assert Scenario.BUS.activity is ActivityKind.DISTANCE and Scenario.BUS.is_trip
    assert Scenario.ROOFTOP_PV.definition.fields == (
        "energy_kwh",
        "installed_capacity_kw",
        "asset_id",
    )
    assert all(s.bundled for s in Scenario)
    with pytest.raises(ValueError):
        Scenario("taxi")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"code": "Walking"}, "code"),
        ({"label_zh": ""}, "label_zh"),
        ({"activity": "steps"}, "activity"),
        ({"claim": "once"}, "claim"),
        ({"fields": ["steps"]}, "unknown record fields"),
    ],
)
def test_a_scenario_definition_names_what_is_wrong(change: dict[str, Any], match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        scenario_from_dict({**parse(WALKING), **change}, "walking.yaml")


def test_an_office_scenario_is_credited_and_its_day_once() -> None:
    walking = register_scenario(scenario_from_dict(parse(WALKING)))
    assert Scenario("walking") is walking and not walking.bundled
    assert walking in all_scenarios() and walking not in list(Scenario)
    assert walking.claim is ClaimKind.ASSET_PERIOD
    with pytest.raises(ScenarioError, match="already defined differently"):
        register_scenario(scenario_from_dict({**parse(WALKING), "label_en": "strolling"}))
    rate = methodology_from_dict(parse(WALKING_RATE))
    ctx = IntakeContext(
        load_library().with_methodology(rate),
        Scheme("zhangqiu", "章丘", (MethodologyChoice(walking, rate.ref),)),
        NOW,
        {"steps-app": frozenset({walking}), "other-app": frozenset({walking})},
        [Consent(ALICE, walking, datetime(2025, 1, 1, tzinfo=UTC))],
    )
    day = {
        "partner_record_id": "d1",
        "resident_id": ALICE,
        "scenario": "walking",
        "start": DAY.isoformat(),
        "end": (DAY + timedelta(days=1)).isoformat(),
        "count": "10000",
    }
    first = validate_batch("steps-app", [day], ctx)
    assert [(o.reason, o.credit.grams if o.credit else 0) for o in first.outcomes] == [
        (None, 200)  # 10,000 steps × 0.02 g [S26]
    ]
    periods = [p for c in first.credits if (p := c.as_period()) is not None]
    later = IntakeContext(**{**_fields(ctx), "credited_periods": periods})
    again = validate_batch("other-app", [dict(day, partner_record_id="x")], later)
    assert [o.reason for o in again.outcomes] == [ReasonCode.PERIOD_ALREADY_CREDITED]
    # a scenario no one added is still malformed
    (o,) = validate_batch("steps-app", [dict(day, scenario="taxi")], ctx).outcomes
    assert o.reason is ReasonCode.MALFORMED


def _fields(ctx: IntakeContext) -> dict[str, Any]:
    return {name: getattr(ctx, name) for name in IntakeContext.__slots__}


def test_the_office_adds_a_scenario_and_a_be_pe_methodology_on_the_store(sessions: Any) -> None:
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        with pytest.raises(InvalidInput, match="nev_ride"):  # its scenario comes first
            rules_svc.publish_methodology(s, OFFICE, NEV_BE_PE)
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        nev = rules_svc.publish_scenario(s, OFFICE, NEV)
        assert rules_svc.publish_scenario(s, OFFICE, NEV) is nev  # the same text: nothing new
        with pytest.raises(InvalidInput, match="already defined differently"):
            rules_svc.publish_scenario(s, OFFICE, NEV.replace("新能源汽车出行", "电动车"))
        rules_svc.publish_methodology(s, OFFICE, NEV_BE_PE)
        rules_svc.choose_methodology(s, OFFICE, unit, "nev_ride", "nev-ride-db11@illustrative")
        partners_svc.create_partner(s, OFFICE, MASTER, unit, "ride-hailing", "网约车", ["nev_ride"])
        partners_svc.set_consent(
            s, "ride-hailing", ALICE, nev, True, datetime(2025, 1, 1, tzinfo=UTC)
        )
        assert (
            s.execute(
                text("SELECT COUNT(*) FROM audit_log WHERE action = 'scenario.publish'")
            ).scalar_one()
            == 1
        )
    ride = {
        "partner_record_id": "trip-1",
        "resident_id": ALICE,
        "scenario": "nev_ride",
        "start": DAY.isoformat(),
        "end": (DAY + timedelta(minutes=30)).isoformat(),
        "distance_km": "12.5",
    }
    engine = sessions.kw["bind"]
    report = partners_svc.ingest(engine, "ride-hailing", [ride], now=NOW, sync_indicator=False)
    assert [(r.reason, r.grams) for r in report.results] == [("", 1500)]  # 12.5 × (200 − 80)
    with transaction(sessions) as s:
        row = s.execute(
            text(
                "SELECT scenario, baseline_g, project_g, credited_g FROM inclusion_record "
                "WHERE partner_record_id = 'trip-1'"
            )
        ).one()
    assert tuple(row) == ("nev_ride", 2500, 1000, 1500)


def test_the_cli_adds_a_scenario(zhangqiu_url: str, monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    path = tmp_path / "walking.yaml"
    path.write_text(WALKING, encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["inclusion", "publish-scenario", str(path)])
    assert done.exit_code == 0, done.output
    assert "scenario walking (步行; count, asset_period)" in done.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(WALKING.replace("claim: asset_period", "claim: once"), encoding="utf-8")
    refused = runner.invoke(app, ["inclusion", "publish-scenario", str(bad)])
    assert refused.exit_code == 2 and "claim" in refused.output
