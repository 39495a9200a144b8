"""Platform rules (scheme) of a demonstration unit: methodology choice by date, open rules."""

from __future__ import annotations

from datetime import date

import pytest

from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.methodology import MethodologyDataError, MethodologyRef, load_library
from nearzero.inclusion.rules import CapRule, load_scheme, scheme_from_dict

LIB = load_library()


def test_bundled_zhangqiu_scheme_is_consistent_and_leaves_policy_open() -> None:
    scheme = load_scheme("zhangqiu")
    scheme.check(LIB)
    assert scheme.unit_id == "zhangqiu" and scheme.name_zh == "济南市章丘区"
    day = date(2025, 6, 1)
    assert scheme.methodology_for(Scenario.BUS, day) == MethodologyRef("sz-transit-bus", "2021-12")
    assert {s for s in Scenario if scheme.methodology_for(s, day) is not None} == set(Scenario)
    # no cap, plausibility range or claim window is shipped: all are the office's to set
    unset = scheme.unset()
    assert "caps.total.daily_g" in unset and "claim_window_days" in unset
    assert "plausibility.bus.max_speed_kmh" in unset
    assert scheme.total_caps == CapRule() and scheme.claim_window_days is None
    assert all(not any(vars_of(p)) for p in scheme.plausibility.values())


def vars_of(p: object) -> list[object]:
    return [getattr(p, n) for n in p.__slots__]  # type: ignore[attr-defined]


def test_new_version_applies_from_its_date_and_old_records_keep_the_old_one() -> None:
    scheme = scheme_from_dict(
        {
            "unit_id": "t",
            "methodologies": [
                {"scenario": "bus", "methodology": "sz-transit-bus@2021-12"},
                {
                    "scenario": "bus",
                    "methodology": "sz-transit-bus@2030-01",
                    "valid_from": date(2030, 1, 1),
                },
            ],
        }
    )
    assert scheme.methodology_for(Scenario.BUS, date(2029, 12, 31)).version == "2021-12"  # type: ignore[union-attr]
    assert scheme.methodology_for(Scenario.BUS, date(2030, 1, 1)).version == "2030-01"  # type: ignore[union-attr]
    assert scheme.methodology_for(Scenario.METRO, date(2030, 1, 1)) is None
    with pytest.raises(KeyError, match="2030-01"):
        scheme.check(LIB)  # that version is not in the bundled library


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"methodologies": [{"scenario": "walk", "methodology": "a@1"}]}, "unknown scenario"),
        ({"methodologies": [{"scenario": "bus", "methodology": "no-version"}]}, "id@version"),
        ({"caps": {"bus": {"daily_g": -1}}}, "non-negative"),
        ({"caps": {"total": {"yearly_g": 1.5}}}, "non-negative"),
        ({"claim_window_days": 0}, "positive"),
        ({"plausibility": {"bus": {"max_speed_kmh": "fast"}}}, "number"),
    ],
)
def test_bad_scheme_files_are_refused(data: dict[str, object], match: str) -> None:
    with pytest.raises(MethodologyDataError, match=match):
        scheme_from_dict(data, "schemes/x.yaml")


def test_scheme_choosing_a_methodology_of_another_scenario_is_refused() -> None:
    scheme = scheme_from_dict(
        {"methodologies": [{"scenario": "metro", "methodology": "sz-transit-bus@2021-12"}]}
    )
    with pytest.raises(MethodologyDataError, match="bus methodology"):
        scheme.check(LIB)
