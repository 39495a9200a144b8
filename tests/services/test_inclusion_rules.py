"""The office's carbon-inclusion rules on the SQL store (SQLite and PostgreSQL): publishing a
methodology version, saving a unit's scheme, the intake applying them, refused texts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nearzero.inclusion.choices import Scenario
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.inclusion import partners as partners_svc, rules as rules_svc
from nearzero.services.indicators import get_unit
from nearzero.store import tables as inc
from nearzero.store.db import transaction

MASTER = b"test-master-key-0123456789abcdef"
OFFICE = Actor("office", Role.ADMIN)
EDITOR = Actor("drc", Role.EDITOR, "drc")
GRANTED = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 30, tzinfo=UTC)

# The office's own version of the bus methodology (30 g/km; an illustrative decision).
BUS_ZQ = (Path(__file__).parents[1] / "data" / "sz-transit-bus@2025-zq1.yaml").read_text(
    encoding="utf-8"
)

SCHEME = """\
unit_id: zhangqiu
name_zh: 济南市章丘区
methodologies:
  - scenario: bus
    methodology: sz-transit-bus@2021-12
  - scenario: bus
    methodology: sz-transit-bus@2025-zq1
    valid_from: 2025-03-10
caps:
  total: {daily_g: 500, yearly_g: }
"""


def ride(i: int, day: date, km: int, hour: int = 8) -> dict[str, str]:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return {
        "partner_record_id": f"r{i}",
        "resident_id": f"{1:064x}",
        "scenario": "bus",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
        "distance_km": str(km),
    }


def test_bundled_rules_apply_until_the_office_saves_its_own(sessions):
    with transaction(sessions) as s:
        r = rules_svc.rules(s, get_unit(s, "zhangqiu"))
        assert r.origin == "bundled" and "unit_id: zhangqiu" in r.yaml_text
        by = {x.scenario: x for x in rules_svc.scenario_rules(r, date(2025, 6, 1))}
        assert str(by[Scenario.BUS].methodology.ref) == "sz-transit-bus@2021-12"
        assert by[Scenario.BUS].missing == ()
        assert "caps.total.daily_g" in r.scheme.unset()


def test_a_published_version_and_a_saved_scheme_govern_the_intake(sessions):
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        partners_svc.create_partner(s, Actor.system(), MASTER, unit, "bus-co", "公交公司", ["bus"])
        partners_svc.set_consent(s, "bus-co", f"{1:064x}", Scenario.BUS, True, GRANTED)
        rules_svc.publish_methodology(s, OFFICE, BUS_ZQ)
        rules_svc.save_scheme(s, OFFICE, unit, SCHEME, note="按专班决定")
    items = [
        ride(1, date(2025, 3, 5), 10),  # before valid_from: 26.9 g/km × 10 km = 269 g
        ride(2, date(2025, 3, 12), 10),  # 30 g/km × 10 km = 300 g
        ride(3, date(2025, 3, 12), 10, hour=12),  # 300 g more: 200 g left under 500 g/day
        ride(4, date(2025, 3, 12), 10, hour=14),  # 22:00 in UTC+8: the day's cap is used up
    ]
    report = partners_svc.ingest(sessions.kw["bind"], "bus-co", items, now=NOW)
    got = {r.partner_record_id: (r.accepted, r.grams, r.reason) for r in report.results}
    assert got["r1"][:2] == (True, 269)
    assert got["r2"][:2] == (True, 300)
    assert got["r3"][:2] == (True, 200)
    assert got["r4"] == (False, 0, "daily_cap_reached")
    with transaction(sessions) as s:
        versions = dict(
            s.execute(
                select(
                    inc.InclusionRecord.partner_record_id, inc.InclusionRecord.methodology_version
                )
            ).all()
        )
        assert versions["r1"] == "2021-12" and versions["r2"] == "2025-zq1"
        r = rules_svc.rules(s, get_unit(s, "zhangqiu"))
        assert r.origin == "saved" and r.saved_by == "office"
        assert [v.ref for v in rules_svc.published_versions(s)] == ["sz-transit-bus@2025-zq1"]


def stored(s) -> tuple[int, int]:
    return (
        s.scalar(select(func.count()).select_from(inc.InclusionMethodologyVersion)),
        s.scalar(select(func.count()).select_from(inc.InclusionSchemeVersion)),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: x\n  version: [", r"methodology line \d+: 不是有效的 YAML"),
        ("- a list", "expected a mapping at the top level"),
        (BUS_ZQ.replace('version: "2025-zq1"', 'version: "2021-12"'), "already defined"),
        (
            BUS_ZQ.replace("status: office_decided", "status: not_found"),
            r"parameters\[0\]: value is set but status is 'not_found'",
        ),
    ],
)
def test_a_refused_methodology_names_the_problem_and_stores_nothing(sessions, text, message):
    with transaction(sessions) as s:
        before = stored(s)
        with pytest.raises(InvalidInput, match=message):
            rules_svc.publish_methodology(s, OFFICE, text)
        assert stored(s) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SCHEME.replace("unit_id: zhangqiu", "unit_id: other"), "unit_id: 应为 'zhangqiu'"),
        (SCHEME, "no methodology 'sz-transit-bus' version '2025-zq1'"),
        (SCHEME.replace("daily_g: 500", "daily_g: -5"), r"caps.total.daily_g must be"),
        (
            SCHEME.replace(
                "scenario: bus\n    methodology: sz-transit-bus@2021-12",
                "scenario: metro\n    methodology: sz-transit-bus@2021-12",
            ),
            "is a bus methodology, chosen for metro",
        ),
    ],
)
def test_a_refused_scheme_names_the_problem_and_stores_nothing(sessions, text, message):
    with transaction(sessions) as s:
        before = stored(s)
        with pytest.raises(InvalidInput, match=message):
            rules_svc.save_scheme(s, OFFICE, get_unit(s, "zhangqiu"), text)
        assert stored(s) == before
        assert rules_svc.rules(s, get_unit(s, "zhangqiu")).origin == "bundled"


def test_only_the_office_changes_the_rules(sessions):
    with transaction(sessions) as s:
        with pytest.raises(PermissionDenied):
            rules_svc.publish_methodology(s, EDITOR, BUS_ZQ)
        with pytest.raises(PermissionDenied):
            rules_svc.save_scheme(s, EDITOR, get_unit(s, "zhangqiu"), SCHEME)
        assert stored(s) == (0, 0)


def test_the_same_text_again_publishes_nothing_new(sessions):
    with transaction(sessions) as s:
        rules_svc.publish_methodology(s, OFFICE, BUS_ZQ)
        rules_svc.publish_methodology(s, OFFICE, BUS_ZQ)
        assert stored(s) == (1, 0)
        assert Counter(v.ref for v in rules_svc.published_versions(s)) == {
            "sz-transit-bus@2025-zq1": 1
        }


def test_the_cli_shows_saves_and_publishes(zhangqiu_url, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from nearzero.cli import app

    runner = CliRunner()
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    shown = runner.invoke(app, ["inclusion", "rules"])
    assert shown.exit_code == 0 and "unit_id: zhangqiu" in shown.output
    assert "# origin: bundled; not set yet (45)" in shown.output
    bad = tmp_path / "scheme.yaml"
    bad.write_text(SCHEME, encoding="utf-8")  # chooses a version not yet published
    refused = runner.invoke(app, ["inclusion", "rules", "--save", str(bad)])
    assert refused.exit_code == 2
    said = "".join(refused.output.split())  # rich wraps long lines
    assert f"{bad}:nomethodology'sz-transit-bus'version'2025-zq1'" in said
    version = tmp_path / "bus.yaml"
    version.write_text(BUS_ZQ, encoding="utf-8")
    published = runner.invoke(app, ["inclusion", "publish-methodology", str(version)])
    assert published.exit_code == 0 and "published sz-transit-bus@2025-zq1" in published.output
    saved = runner.invoke(app, ["inclusion", "rules", "--save", str(bad), "--note", "n"])
    assert saved.exit_code == 0, saved.output
    assert "# origin: saved" in runner.invoke(app, ["inclusion", "rules"]).output


def test_a_unit_without_bundled_rules_starts_empty_and_sets_its_own(sessions):
    """Another demonstration unit (a park, say) runs carbon inclusion on its own rules."""
    from dataclasses import replace

    from nearzero.indicators.catalogue import bundled_plan_path, load_plan
    from nearzero.services import plans

    plan = load_plan(bundled_plan_path())
    park = replace(plan, unit=replace(plan.unit, code="demo-park", name_zh="示范园区"))
    with transaction(sessions) as s:
        plans.load_plan(s, park, Actor.system("test"))
        unit = get_unit(s, "demo-park")
        assert rules_svc.rules(s, unit).origin == "none"
        partners_svc.create_partner(
            s, Actor.system(), MASTER, unit, "park-bus", "园区班车", ["bus"]
        )
        partners_svc.set_consent(s, "park-bus", f"{1:064x}", Scenario.BUS, True, GRANTED)
    engine = sessions.kw["bind"]
    first = partners_svc.ingest(engine, "park-bus", [ride(1, date(2025, 3, 5), 10)], now=NOW)
    assert [r.reason for r in first.results] == ["no_methodology"]
    with transaction(sessions) as s:
        unit = get_unit(s, "demo-park")
        text = rules_svc.rules(s, unit).yaml_text.replace(
            "methodologies: []",
            "methodologies:\n- scenario: bus\n  methodology: sz-transit-bus@2021-12",
        )
        rules_svc.save_scheme(s, OFFICE, unit, text)
    second = partners_svc.ingest(engine, "park-bus", [ride(2, date(2025, 3, 6), 10)], now=NOW)
    assert [(r.accepted, r.grams) for r in second.results] == [(True, 269)]
    with transaction(sessions) as s:  # Zhangqiu keeps its bundled rules
        assert rules_svc.rules(s, get_unit(s, "zhangqiu")).origin == "bundled"


def test_the_policy_numbers_are_saved_over_the_scheme_in_force(sessions):
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        scheme = rules_svc.save_policy(
            s, OFFICE, unit, {"caps.total.daily_g": "500", "plausibility.bus.max_speed_kmh": "60.5"}
        )
        assert scheme.total_caps.daily_g == 500
        assert str(scheme.plausibility_for(Scenario.BUS).max_speed_kmh) == "60.5"
        assert len(scheme.methodologies) == 7  # the bundled choices, kept
        again = rules_svc.rules(s, unit)
        assert again.origin == "saved" and again.scheme == scheme
        with pytest.raises(InvalidInput) as refused:
            rules_svc.save_policy(
                s, OFFICE, unit, {"caps.bus.daily_g": "1.5", "claim_window_days": "x"}
            )
        assert [e.split(":")[0] for e in refused.value.errors] == [
            "caps.bus.daily_g",
            "claim_window_days",
        ]
        assert stored(s) == (0, 1)
