"""The unit registry: exact conversion factors and round trips through every unit pair
(issue #12, item 1)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings, strategies as st

from nearzero.units import (
    CHINESE_UNITS,
    UnitError,
    conversion_factor,
    convert,
    convert_exact,
    decimal_of,
    parse_unit,
)

# Every unit a plan or a department writes, and the pint units the inventory converts between.
UNITS = sorted(
    set(CHINESE_UNITS)
    | {
        "t",
        "kg",
        "g",
        "tCO2e",
        "kgCO2e",
        "tce",
        "kgce",
        "gce",
        "GJ",
        "MJ",
        "TJ",
        "kWh",
        "MWh",
        "GWh",
        "kW",
        "m**3",
        "L",
        "m**2",
        "hectare",
        "km**2",
        "percent",
        "",
        "item",
        "person",
        "t/GJ",
        "t/TJ",
        "kg/GJ",
        "t/hectare",
        "m**3/hectare/year",
        "t/hectare/year",
        "year",
        "day",
    }
)
GROUPS: dict[str, list[str]] = {}
for _unit in UNITS:
    GROUPS.setdefault(str(parse_unit(_unit).dimensionality), []).append(_unit)
PAIRS = sorted((a, b) for group in GROUPS.values() for a, b in itertools.permutations(group, 2))
# Pairs whose ratio is a power of ten both ways (万吨 ↔ 吨, 亿元 ↔ 万元 …).
DECIMAL_PAIRS = [
    (a, b)
    for a, b in PAIRS
    if (f := conversion_factor(a, b)) is not None
    and f.numerator in {10**k for k in range(40)} | {1}
    and f.denominator in {10**k for k in range(40)}
]


def test_every_pair_is_covered() -> None:
    assert len(PAIRS) > 200
    assert ("万立方米", "立方米") in DECIMAL_PAIRS and ("GJ", "tce") not in DECIMAL_PAIRS


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        # GB/T 2589-2020《综合能耗计算通则》: 1 kgce = 29 307.6 kJ
        ("tce", "GJ", Fraction("29.3076")),
        ("万吨标准煤", "吨标准煤", Fraction(10_000)),
        ("万吨标准煤", "GJ", Fraction("293076")),
        ("kgce", "MJ", Fraction("29.3076")),
        ("gce", "kJ", Fraction("29.3076")),
        ("kWh", "MJ", Fraction("3.6")),
        ("万千瓦", "MW", Fraction(10)),
        ("亿立方米", "万立方米", Fraction(10_000)),
        ("亩", "m**2", Fraction("666.6667")),
        ("公顷", "亩", Fraction(10_000) / Fraction("666.6667")),
        ("万元", "元", Fraction(10_000)),
        ("亿元", "万元", Fraction(10_000)),
        ("percent", "", Fraction(1, 100)),
    ],
)
def test_factors_are_the_exact_decimals_defined(source: str, target: str, factor: Fraction) -> None:
    assert conversion_factor(source, target) == factor
    assert conversion_factor(target, source) == 1 / factor


def test_issue_case_139_36_wan_cubic_metres() -> None:
    assert convert(139.36, "万立方米", "立方米") == 1393600.0  # not 1393600.0000000002
    assert convert_exact("139.36", "万立方米", "立方米") == Decimal(1393600)
    assert convert(1393600.0, "立方米", "万立方米") == 139.36


def test_exact_results_stay_exact() -> None:
    assert convert_exact("142.285", "万吨", "吨") == Decimal("1422850")
    assert convert_exact("1.66155", "万吨", "kg") == Decimal("16615500")
    assert convert_exact(Decimal("0.1"), "tce", "GJ") == Decimal("2.93076")
    assert convert_exact(0.7314, "吨/万元", "kg/yuan") == Decimal("0.07314")
    # a quotient that does not end: the shortest decimal within 1e-25 of it
    assert convert_exact(1, "GJ", "tce") == Decimal("0.034120842375356562802822476")


def test_offset_units_still_convert() -> None:
    assert convert(20, "degC", "K") == pytest.approx(293.15)
    assert convert_exact(20, "degC", "K") == Decimal("293.15")


def test_units_that_do_not_convert_are_named() -> None:
    with pytest.raises(UnitError, match="cannot convert '吨' to '万元'"):
        convert(1.0, "吨", "万元")
    with pytest.raises(UnitError, match="unknown unit 'bananas'"):
        convert_exact(1, "bananas", "吨")


def test_not_finite_is_refused_by_the_exact_path() -> None:
    for bad in (float("inf"), float("nan"), Decimal("Infinity"), "nan"):
        with pytest.raises(ValueError, match="finite"):
            convert_exact(bad, "万吨", "吨")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        decimal_of(float("-inf"))


# Figures as entered: up to 20 significant digits, from 1e-12 to 1e12.
figures = st.builds(
    lambda m, e, neg: Decimal(-m if neg else m).scaleb(e),
    st.integers(min_value=1, max_value=10**20 - 1),
    st.integers(min_value=-30, max_value=12),
    st.booleans(),
)
# Figures as stored in floats: up to 15 significant digits (each float repr gives them back).
short_figures = st.builds(
    lambda m, e: Decimal(m).scaleb(e),
    st.integers(min_value=1, max_value=10**15 - 1),
    st.integers(min_value=-20, max_value=6),
)


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_pair_round_trips_exactly(source: str, target: str) -> None:
    for text in ("1", "139.36", "1.66155", "0.0286", "29.3076", "12345678901234567890"):
        x = Decimal(text)
        there = convert_exact(x, source, target)
        assert convert_exact(there, target, source) == x, (text, there)


@settings(max_examples=2000)
@given(pair=st.sampled_from(PAIRS), x=figures)
@example(pair=("GJ", "tce"), x=Decimal("1"))
@example(pair=("公顷", "亩"), x=Decimal("99999999999999999999"))
def test_round_trip_through_any_pair_gives_the_figure_back(
    pair: tuple[str, str], x: Decimal
) -> None:
    source, target = pair
    there = convert_exact(x, source, target)
    assert convert_exact(there, target, source) == x
    # the value in the other unit is the exact one, or within 1e-25 of it
    exact = Fraction(x) * conversion_factor(source, target)  # type: ignore[operator]
    assert abs(Fraction(there) - exact) <= abs(exact) / 10**25 * 2


@settings(max_examples=1000)
@given(pair=st.sampled_from(DECIMAL_PAIRS), x=short_figures)
def test_float_round_trip_through_decimal_scalings(pair: tuple[str, str], x: Decimal) -> None:
    source, target = pair
    value = float(str(x))
    there = convert(value, source, target)
    assert Fraction(repr(there)) == Fraction(x) * conversion_factor(source, target)  # type: ignore[operator]
    assert convert(there, target, source) == value


@settings(max_examples=1000)
@given(pair=st.sampled_from(PAIRS), x=short_figures)
def test_float_conversion_is_the_nearest_float_to_the_exact_value(
    pair: tuple[str, str], x: Decimal
) -> None:
    source, target = pair
    factor = conversion_factor(source, target)
    assert factor is not None
    result = convert(float(str(x)), source, target)
    assert result == float(Fraction(x) * factor)
