"""Methodologies pinned to their published values, with the citation beside each number.

Sources (shared/reference/carbon_inclusion.md §2):
- M1 深圳市低碳公共出行碳普惠方法学(试行), 2021-12 [S6][S7]: pure-electric bus RF = 26.9
  gCO2/pkm, metro RF = 46.8 gCO2/pkm (mean-baseline method, ER = RF × d).
- M4 上海 分布式光伏 碳普惠方法学 (2024) [S28]: ER = E_gen × 0.42 kg/kWh, projects ≤ 1 MW.
- M8 武碳江湖 [S24][S25]: cycling 40 g/km.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from nearzero.inclusion.calculation import (
    check_limits,
    compute_reduction,
    reduction_grams,
    round_grams,
)
from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.methodology import (
    Formula,
    MethodologyDataError,
    MethodologyError,
    MethodologyRef,
    MissingParameter,
    ValueStatus,
    load_library,
    methodology_from_dict,
)
from nearzero.units import ureg

LIB = load_library()


@pytest.mark.parametrize(
    ("ref", "km", "grams"),
    [
        # [S7] 纯电动公交 26.9 g/pkm: 10 km → 269 g
        ("sz-transit-bus@2021-12", "10", 269),
        ("sz-transit-bus@2021-12", "1", 27),  # 26.9 → 27
        ("sz-transit-bus@2021-12", "100", 2690),
        # [S7] 地铁 46.8 g/pkm: 10 km → 468 g
        ("sz-transit-metro@2021-12", "10", 468),
        ("sz-transit-metro@2021-12", "22", 1030),  # 1029.6 → 1030
        # [S24][S25] 骑行 40 g/km
        ("wh-cycling-rate@2023-06", "3.5", 140),
    ],
)
def test_rate_methodologies_pinned_to_published_factors(ref: str, km: str, grams: int) -> None:
    m = LIB.get(ref)
    assert compute_reduction(m, Decimal(km), year=2024).grams == grams


def test_published_factor_values_and_citations() -> None:
    bus = LIB.get("sz-transit-bus@2021-12")
    metro = LIB.get("sz-transit-metro@2021-12")
    assert bus.parameter("RF").value == Decimal("26.9")
    assert metro.parameter("RF").value == Decimal("46.8")
    for m in (bus, metro):
        assert m.parameter("RF").unit == "g/km"
        assert m.parameter("RF").status is ValueStatus.OFFICIAL_QUOTED
        assert any("[S7]" in c for c in m.source.citations)
        assert m.scenario in (Scenario.BUS, Scenario.METRO)


def test_pint_at_the_edge_converts_units() -> None:
    bus = LIB.get("sz-transit-bus@2021-12")
    assert reduction_grams(bus, ureg.Quantity(10_000, "m"), year=2024) == 269
    assert reduction_grams(bus, ureg.Quantity(10, "km"), year=2024) == 269
    with pytest.raises(ValueError, match="convert"):
        reduction_grams(bus, ureg.Quantity(10, "kWh"), year=2024)


def test_shanghai_pv_generation_times_grid_factor_and_capacity_limit() -> None:
    pv = LIB.get("sh-distributed-pv@2024")
    # [S28] 0.42 kg/kWh: 1000 kWh → 420 kg = 420 000 g
    assert compute_reduction(pv, Decimal("1000"), year=2024).grams == 420_000
    assert compute_reduction(pv, Decimal("1.5"), year=2023).grams == 630
    units = {"installed_capacity_kw": "kW"}
    assert check_limits(pv, {"installed_capacity_kw": Decimal("1000")}, units) is None
    assert check_limits(pv, {"installed_capacity_kw": Decimal("8")}, units) is None
    breach = check_limits(pv, {"installed_capacity_kw": Decimal("1000.1")}, units)
    assert breach is not None and "1 MW" in breach
    assert check_limits(pv, {"installed_capacity_kw": None}, units) is not None


def test_rounding_is_half_even_on_exact_ties() -> None:
    assert [round_grams(Decimal(x)) for x in ("0.5", "1.5", "2.5", "134.5", "-0.5")] == [
        0,
        2,
        2,
        134,
        0,
    ]
    bus = LIB.get("sz-transit-bus@2021-12")
    # 5 km × 26.9 = 134.5 g exactly: half-even gives 134 (half-up would give 135)
    r = compute_reduction(bus, Decimal("5"), year=2024)
    assert r.exact_g == Decimal("134.5") and r.grams == 134
    # 15 km → 403.5 → 404
    assert compute_reduction(bus, Decimal("15"), year=2024).grams == 404


@pytest.mark.parametrize(
    ("ref", "parameter"),
    [
        ("gz-shared-bicycle@2023-11", "RF"),
        ("gd-used-clothes@0.1-draft", "RF"),
        ("gd-heat-pump@2017005-V02", "eta_project"),
        ("gd-efficient-ac@0.1-draft", "eta_project"),
        ("sd-rooftop-pv@0.1-draft", "EF_grid[2022]"),
    ],
)
def test_empty_parameters_raise_naming_methodology_version_parameter(
    ref: str, parameter: str
) -> None:
    m = LIB.get(ref)
    with pytest.raises(MissingParameter) as info:
        compute_reduction(m, Decimal("10"), year=2022)
    text = str(info.value)
    assert repr(m.id) in text and repr(m.version) in text and repr(parameter) in text
    assert info.value.methodology_id == m.id and info.value.version == m.version


def test_unconfirmed_values_are_not_shipped() -> None:
    for m in LIB:
        for p in m.parameters:
            assert (p.value is not None) == p.status.confirmed, (m.ref, p.name, p.year)
        for lim in m.limits:
            assert (lim.maximum is not None) == lim.status.confirmed


def test_shandong_pv_draft_has_per_year_rows_all_empty() -> None:
    m = LIB.get("sd-rooftop-pv@0.1-draft")
    assert m.missing() == (
        "EF_grid[2021]",
        "EF_grid[2022]",
        "EF_grid[2023]",
        "limit:installed_capacity",
    )
    with pytest.raises(MissingParameter, match=r"EF_grid\[2030\]"):
        compute_reduction(m, Decimal(1), year=2030)


def test_grid_factor_of_the_year_is_used_once_confirmed() -> None:
    """A version that confirms per-year factors uses the factor of the behaviour's year."""
    base = LIB.get("sd-rooftop-pv@0.1-draft")
    # National averages, verified (secondary) in factor_status.md §1: 2022 0.5366, 2023 0.5306.
    rows = tuple(
        replace(p, value=Decimal(v), status=ValueStatus.VERIFIED_SECONDARY)
        for p, v in zip(
            [p for p in base.parameters if p.year in (2022, 2023)],
            ("0.5366", "0.5306"),
            strict=True,
        )
    )
    m = replace(base, version="test-national", parameters=rows, limits=())
    assert compute_reduction(m, Decimal("1000"), year=2022).grams == 536_600
    assert compute_reduction(m, Decimal("1000"), year=2023).grams == 530_600


def test_efficiency_substitution_formula() -> None:
    base = LIB.get("gd-heat-pump@2017005-V02")
    values = {"eta_project": "3", "eta_baseline": "0.9", "EF_grid": "0.5366"}
    params = tuple(
        replace(p, value=Decimal(values[p.name]), status=ValueStatus.VERIFIED_SECONDARY)
        for p in base.parameters
    )
    m = replace(base, version="test", parameters=params)
    # 100 kWh × (3 / 0.9 − 1) × 0.5366 kg/kWh = 125.206… kg
    r = compute_reduction(m, Decimal(100), year=2024)
    assert r.grams == 125_207
    assert [u.name for u in r.parameters] == ["eta_project", "eta_baseline", "EF_grid"]


def test_credit_records_methodology_and_a_new_version_never_changes_it() -> None:
    bus = LIB.get("sz-transit-bus@2021-12")
    old = compute_reduction(bus, Decimal("10"), year=2024)
    assert old.methodology == MethodologyRef("sz-transit-bus", "2021-12")
    assert old.parameters[0].value == Decimal("26.9")
    newer = replace(
        bus, version="2030-01", parameters=(replace(bus.parameters[0], value=Decimal("20.0")),)
    )
    lib2 = LIB.with_methodology(newer)
    assert lib2.versions("sz-transit-bus") == ("2021-12", "2030-01")
    # the old version is still there, unchanged, and recomputes the same credit
    again = compute_reduction(lib2.get(old.methodology), Decimal("10"), year=2024)
    assert again == old
    assert (
        compute_reduction(lib2.get("sz-transit-bus@2030-01"), Decimal("10"), year=2024).grams == 200
    )
    # redefining an existing id@version differently is refused
    with pytest.raises(MethodologyError, match="new version"):
        lib2.with_methodology(replace(bus, note="changed"))


def _minimal(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "x",
        "version": "1",
        "status": "draft",
        "scenario": "bus",
        "formula": "rate_x_activity",
        "activity": "distance",
        "title_zh": "x",
        "title_en": "x",
        "source": {"document": "doc"},
        "parameters": [
            {"name": "RF", "value": None, "unit": "g/km", "status": "not_found", "source": "s"}
        ],
    }
    data.update(over)
    return data


def test_loader_refuses_unconfirmed_value_and_names_the_field() -> None:
    bad = _minimal(
        parameters=[
            {
                "name": "RF",
                "value": "0.169",
                "unit": "g/km",
                "status": "partly_checked",
                "source": "third-party code",
            }
        ]
    )
    with pytest.raises(MethodologyDataError, match=r"parameters\[0\].*must stay empty"):
        methodology_from_dict(bad, "f.yaml")


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"formula": "magic"}, "formula 'magic' is not one of"),
        ({"scenario": "walking"}, "scenario 'walking'"),
        ({"parameters": []}, "needs parameter 'RF'"),
        (
            {
                "parameters": [
                    {"name": "RF", "unit": "bogons/km", "status": "not_found", "source": "s"}
                ]
            },
            "unknown unit",
        ),
        ({"source": {}}, "document"),
    ],
)
def test_loader_errors_name_file_and_field(over: dict[str, object], match: str) -> None:
    with pytest.raises(MethodologyDataError, match=match) as info:
        methodology_from_dict(_minimal(**over), "bad.yaml")
    assert "bad.yaml" in str(info.value)


def test_library_covers_every_scenario_and_formula() -> None:
    assert {m.scenario for m in LIB} == set(Scenario)
    # household_baseline waits for its scenario (household electricity): a scenario the
    # office adds as data (issue #15 item 1), not one of the bundled seven; it is tested
    # with a stand-in scenario in test_formulas.py
    assert {m.formula for m in LIB} == set(Formula) - {Formula.HOUSEHOLD_BASELINE}
    with pytest.raises(KeyError, match="versions of 'sz-transit-bus': 2021-12"):
        LIB.get("sz-transit-bus@1999")
