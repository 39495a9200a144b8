"""Issue #15 items 2 and 3: activity kinds (count, duration) and formula kinds, each against a
published worked value where one was found (the [S…] keys of
shared/reference/carbon_inclusion.md).

- rate × activity: Wuhan 武碳江湖 bus 150 g per ride [S24], metro 170 g per ride [S25];
  Hubei 碳碳星球 walking 0.02 points per step, 1 point = 1 g [S26]; Shenzhen bus 26.9 g/pkm
  [S7] (test_methodology.py).
- BE − PE: Beijing's official 22 km illustration [S15] (M3): by car 5.98 kg, by metro
  1.35 kg, so 4.63 kg saved; DB11/T 3043-2024 [S10] writes the same difference (eq. 1, 2)
  and its default factors were not found, so the bundled version is refused as
  ``parameter_missing``.
- rate by channel: 碳碳星球 bus ride 105 points by an uploaded ticket, 52 by a self check-in
  [S26].
- household baseline: Shenzhen's branches [S8]. No worked value was found (the press gives a
  5–12 kWh daily baseline range and "8 kWh ≈ 2.5 kg" of emissions, not a reduction [S9]):
  the numbers below are illustrative, to_confirm against the methodology's own example.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from nearzero.inclusion.calculation import compute_reduction
from nearzero.inclusion.choices import ActivityKind, ReasonCode, Scenario
from nearzero.inclusion.formulas import (
    FormulaInputError,
    baseline_minus_project,
    household_baseline,
    rate_by_channel,
    rate_x_activity,
    trailing_mean,
)
from nearzero.inclusion.intake import Consent, IntakeContext, validate_batch
from nearzero.inclusion.methodology import (
    Formula,
    MethodologyDataError,
    MissingParameter,
    load_library,
    methodology_from_dict,
)
from nearzero.inclusion.rules import MethodologyChoice, Scheme

LIB = load_library()
T0 = datetime(2025, 3, 3, 0, 30, tzinfo=UTC)
NOW = datetime(2025, 6, 30, tzinfo=UTC)
ALICE = "a" * 64


def methodology(**over: Any) -> Any:
    data: dict[str, Any] = {
        "id": "test",
        "version": "1",
        "status": "published",
        "scenario": "bus",
        "formula": "rate_x_activity",
        "activity": "count",
        "title_zh": "测试",
        "title_en": "test",
        "source": {"document": "see the module docstring"},
        "parameters": [],
    }
    data.update(over)
    return methodology_from_dict(data, "test")


def param(name: str, value: str, unit: str, source: str) -> dict[str, str]:
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "status": "operator_published",
        "source": source,
    }


# --------------------------------------------------------------------------- rate × activity


@pytest.mark.parametrize(
    ("rate", "unit", "activity", "grams", "source"),
    [
        ("150", "g/count", "1", 150, "[S24] 公交 150 克/次"),
        ("170", "g/count", "1", 170, "[S25] 地铁 170 克/次"),
        ("0.02", "g/count", "10000", 200, "[S26] 0.02 积分/步, 1 积分 = 1 克"),
    ],
)
def test_rate_x_count_published_rates(
    rate: str, unit: str, activity: str, grams: int, source: str
) -> None:
    m = methodology(parameters=[param("RF", rate, unit, source)])
    assert m.activity is ActivityKind.COUNT and ActivityKind.COUNT.record_unit == "count"
    assert compute_reduction(m, Decimal(activity), year=2025).grams == grams
    assert rate_x_activity(Decimal(rate), Decimal(activity)) == Decimal(grams)


def test_count_and_duration_records_through_the_intake() -> None:
    per_ride = methodology(parameters=[param("RF", "150", "g/count", "[S24]")])
    # a duration activity: an illustrative rate per hour (no published one), to_confirm
    per_hour = methodology(
        id="test-duration",
        scenario="metro",
        activity="duration",
        parameters=[
            {
                "name": "RF",
                "value": "100",
                "unit": "g/h",
                "status": "office_decided",
                "source": "test value, not published",
            }
        ],
    )
    library = LIB.with_methodology(per_ride).with_methodology(per_hour)
    scheme = Scheme(
        "zhangqiu",
        "章丘",
        (
            MethodologyChoice(Scenario.BUS, per_ride.ref),
            MethodologyChoice(Scenario.METRO, per_hour.ref),
        ),
    )
    ctx = IntakeContext(
        library,
        scheme,
        NOW,
        {"bus-co": frozenset(Scenario)},
        [Consent(ALICE, s, datetime(2025, 1, 1, tzinfo=UTC)) for s in Scenario],
    )

    def rec(rid: str, scenario: str, hours: float, **extra: Any) -> dict[str, Any]:
        return {
            "partner_record_id": rid,
            "resident_id": ALICE,
            "scenario": scenario,
            "start": (T0 + timedelta(hours=3 * len(rid))).isoformat(),
            "end": (T0 + timedelta(hours=3 * len(rid) + hours)).isoformat(),
            **extra,
        }

    res = validate_batch(
        "bus-co",
        [
            rec("a", "bus", 0.5, count="2"),
            rec("bb", "metro", 1.5),
            rec("ccc", "bus", 0.5),
            rec("dddd", "bus", 0.5, count="-1"),
        ],
        ctx,
    )
    got = [(o.reason, o.credit.grams if o.credit else 0) for o in res.outcomes]
    assert got == [
        (None, 300),  # 2 rides × 150 g [S24]
        (None, 150),  # 1.5 h × 100 g/h
        (ReasonCode.MALFORMED, 0),  # the count is missing
        (ReasonCode.MALFORMED, 0),  # a negative count
    ]
    assert "count" in res.outcomes[2].detail and "count" in res.outcomes[3].detail


# --------------------------------------------------------------------------- BE − PE


def test_baseline_minus_project_beijing_22_km_illustration() -> None:
    """[S15]: a 22 km trip emits 5.98 kg by car and 1.35 kg by metro: 4.63 kg saved."""
    bp = baseline_minus_project(Decimal(5980) / 22, Decimal(1350) / 22, Decimal(22))
    assert round(bp.baseline_g) == 5980 and round(bp.project_g) == 1350
    assert round(bp.reduction_g) == 4630

    db11 = LIB.get("db11-green-travel-metro@2024")
    assert db11.formula is Formula.BASELINE_MINUS_PROJECT
    with pytest.raises(MissingParameter, match="EF_baseline"):
        compute_reduction(db11, Decimal(22), year=2025)
    # the factors per km of the illustration (derived: 5.98 kg / 22 km, 1.35 kg / 22 km)
    derived = replace(
        db11,
        version="2024-test",
        parameters=tuple(
            replace(p, value=v)
            for p, v in zip(
                db11.parameters,
                (Decimal(5980) / 22, Decimal(1350) / 22),
                strict=True,
            )
        ),
    )
    red = compute_reduction(derived, Decimal(22), year=2025)
    assert (red.baseline_g, red.project_g, red.grams) == (5980, 1350, 4630)


def test_baseline_minus_project_stores_be_and_pe_beside_er() -> None:
    db11 = LIB.get("db11-green-travel-metro@2024")
    derived = replace(
        db11,
        version="2024-test",
        parameters=tuple(
            replace(p, value=v, status=p.status)
            for p, v in zip(db11.parameters, (Decimal("272"), Decimal("61")), strict=True)
        ),
    )
    ctx = IntakeContext(
        LIB.with_methodology(derived),
        Scheme("zhangqiu", "章丘", (MethodologyChoice(Scenario.METRO, derived.ref),)),
        NOW,
        {"metro-co": frozenset(Scenario)},
        [Consent(ALICE, Scenario.METRO, datetime(2025, 1, 1, tzinfo=UTC))],
    )
    trip = {
        "partner_record_id": "m1",
        "resident_id": ALICE,
        "scenario": "metro",
        "start": T0.isoformat(),
        "end": (T0 + timedelta(minutes=40)).isoformat(),
        "distance_km": "22",
    }
    (o,) = validate_batch("metro-co", [trip], ctx).outcomes
    assert o.credit is not None and o.credit.grams == 22 * (272 - 61)
    assert (o.credit.reduction.baseline_g, o.credit.reduction.project_g) == (5984, 1342)


# --------------------------------------------------------------------------- by channel


def test_rate_by_channel_tantan_bus_ride() -> None:
    """[S26]: a bus ride is 105 points by an uploaded ticket, 52 by a self check-in."""
    m = LIB.get("hb-tantan-bus-channel@2022")
    assert m.formula is Formula.RATE_BY_CHANNEL and m.channels() == ("check_in", "upload")
    assert compute_reduction(m, Decimal(1), year=2025, channel="upload").grams == 105
    assert compute_reduction(m, Decimal(1), year=2025, channel="check_in").grams == 52
    with pytest.raises(FormulaInputError, match="screenshot"):
        compute_reduction(m, Decimal(1), year=2025, channel="screenshot")
    with pytest.raises(FormulaInputError, match="channel"):
        compute_reduction(m, Decimal(1), year=2025)
    assert rate_by_channel({"upload": Decimal(105)}, "upload", Decimal(2)) == 210
    with pytest.raises(MethodologyDataError, match="RF.{channel}"):
        methodology(formula="rate_by_channel", parameters=[param("RF", "1", "g/count", "s")])


def test_rate_by_channel_through_the_intake() -> None:
    m = LIB.get("hb-tantan-bus-channel@2022")
    ctx = IntakeContext(
        LIB,
        Scheme("zhangqiu", "章丘", (MethodologyChoice(Scenario.BUS, m.ref),)),
        NOW,
        {"app": frozenset(Scenario)},
        [Consent(ALICE, Scenario.BUS, datetime(2025, 1, 1, tzinfo=UTC))],
    )

    def ride(rid: str, hours: int, **extra: Any) -> dict[str, Any]:
        return {
            "partner_record_id": rid,
            "resident_id": ALICE,
            "scenario": "bus",
            "start": (T0 + timedelta(hours=hours)).isoformat(),
            "end": (T0 + timedelta(hours=hours, minutes=20)).isoformat(),
            "count": "1",
            **extra,
        }

    res = validate_batch(
        "app",
        [
            ride("u", 0, channel="upload"),
            ride("c", 1, channel="check_in"),
            ride("x", 2, channel="fax"),
            ride("n", 3),
        ],
        ctx,
    )
    assert [(o.reason, o.credit.grams if o.credit else 0) for o in res.outcomes] == [
        (None, 105),
        (None, 52),
        (ReasonCode.MALFORMED, 0),
        (ReasonCode.MALFORMED, 0),
    ]
    assert res.outcomes[0].credit is not None
    assert res.outcomes[0].credit.reduction.channel == "upload"


# --------------------------------------------------------------------------- household baseline


def test_household_baseline_branches() -> None:
    """Shenzhen's branches [S8]; the numbers are illustrative (no worked value found:
    to_confirm). EF 500 g/kWh, a city baseline of 8 kWh for the day."""
    ef, city = Decimal(500), Decimal(8)
    # below the city's baseline: (8 − 6) kWh × 500 g/kWh
    assert household_baseline(Decimal(6), city, None, ef) == 1000
    # above it, below the household's own 7-day mean of 12 kWh: (12 − 10) × 500
    assert household_baseline(Decimal(10), city, Decimal(12), ef) == 1000
    # above both, or above the baseline without a history: nothing
    assert household_baseline(Decimal(13), city, Decimal(12), ef) == 0
    assert household_baseline(Decimal(10), city, None, ef) == 0
    history = [Decimal(v) for v in (30, 11, 12, 13, 12, 11, 12, 13)]
    assert trailing_mean(history, 7) == 12  # the last 7 days, 84 / 7
    assert trailing_mean(history[:6], 7) is None


def test_household_baseline_as_a_methodology_names_its_missing_values() -> None:
    """The Shenzhen methodology as the office would add it (the scenario is a stand-in:
    household electricity is a scenario the office adds as data, issue #15 item 1)."""
    m = methodology(
        id="sz-household-electricity",
        version="2022-06",
        scenario="efficient_ac",
        formula="household_baseline",
        activity="energy",
        parameters=[
            {"name": "E_baseline", "unit": "kWh", "status": "not_found", "source": "[S9]"},
            {"name": "EF_grid", "unit": "kg/kWh", "status": "not_found", "source": "[S8]"},
            {
                "name": "trailing_periods",
                "value": "7",
                "unit": "",
                "status": "official_quoted",
                "source": "[S8] 上一日往前计7日的7日均线",
            },
        ],
    )
    with pytest.raises(MissingParameter, match="E_baseline"):
        compute_reduction(m, Decimal(6), year=2025)
    filled = replace(
        m,
        version="illustrative",
        parameters=tuple(
            replace(
                p, value={"E_baseline": Decimal(8), "EF_grid": Decimal("0.5")}.get(p.name, p.value)
            )
            for p in m.parameters
        ),
    )
    assert compute_reduction(filled, Decimal(6), year=2025).grams == 1000
    history = [Decimal(12)] * 7
    assert compute_reduction(filled, Decimal(10), year=2025, history=history).grams == 1000
    assert compute_reduction(filled, Decimal(10), year=2025).grams == 0
