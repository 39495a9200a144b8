"""Screening thresholds and efficiency benchmarks, judged exactly on the line."""

from decimal import Decimal as D

import pytest

from nearzero.enterprise.benchmarks import Level, Line, benchmark, classify, indicator_15
from nearzero.enterprise.model import EnterpriseError
from nearzero.enterprise.registry import validate_industry_code
from nearzero.enterprise.screening import FirmYear, screen, screen_firm

CEMENT = validate_industry_code("C3011")


@pytest.mark.parametrize(
    ("fossil", "over"), [(D("2000"), False), (D("2000.000001"), True), (D("1999.99"), False)]
)
def test_the_plan_screens_firms_strictly_over_2000_tce(fossil, over):
    # plan 四（一）3: 摸底化石能源消费量大于2000吨标煤的企业名单 (大于: strictly greater)
    assert screen_firm(FirmYear("f", "f", 2024, fossil)).over_fossil_threshold is over


@pytest.mark.parametrize(
    ("emissions", "candidate"), [(D("26000"), True), (D("25999.999999"), False)]
)
def test_key_emitter_line_is_at_or_over_26000(emissions, candidate):
    # MEE: 年度温室气体排放量达到2.6万吨二氧化碳当量 (达到: at or over)
    firm = FirmYear("f", "f", 2024, D(9000), emissions_tco2e=emissions, industry_code=CEMENT)
    result = screen_firm(firm)
    assert result.key_emitter_candidate is candidate
    assert result.candidate_basis == ("emissions" if candidate else "")


def test_energy_proxy_when_no_emissions_and_sector_flags():
    firm = FirmYear("f", "f", 2024, D(9000), comprehensive_tce=D(10000), industry_code=CEMENT)
    result = screen_firm(firm)
    assert (result.key_emitter_candidate, result.candidate_basis) == (True, "energy_proxy")
    assert result.national_market_sector == "cement"
    assert (
        screen_firm(FirmYear("f", "f", 2023, D(1), industry_code=CEMENT)).national_market_sector
        is None
    )
    outside = FirmYear("g", "g", 2024, D(9000), emissions_tco2e=D(30000), sector=None)
    assert not screen_firm(outside).key_emitter_candidate
    captive = FirmYear("h", "h", 2024, D(9000), emissions_tco2e=D(30000), has_power_facility=True)
    assert screen_firm(captive).key_emitter_candidate
    ordered = screen([FirmYear("a", "a", 2024, D(1)), FirmYear("b", "b", 2024, D(5))])
    assert [s.firm.key for s in ordered] == ["b", "a"]


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("99.9", Level.AT_BENCHMARK),
        ("100", Level.AT_BENCHMARK),
        ("100.01", Level.BETWEEN),
        ("117", Level.BETWEEN),
        ("117.01", Level.BELOW_BASELINE),
    ],
)
def test_cement_clinker_levels_100_and_117(value, level):
    # 发改产业〔2021〕1609号: clinker benchmark 100, baseline 117 kgce/t (reference §2.2)
    assert classify(D(value), benchmark("cement_clinker")) is level


def test_coal_power_benchmark_is_strictly_below_270():
    # 全国煤电机组改造升级实施方案: new units below 270 gce/kWh; existing above 300 retrofitted
    levels = benchmark("coal_power_supply")
    assert classify(D("269.9"), levels) is Level.AT_BENCHMARK
    assert classify(D("270"), levels) is Level.BETWEEN
    assert classify(D("300"), levels) is Level.BETWEEN
    assert classify(D("300.1"), levels) is Level.BELOW_BASELINE


def test_indicator_15_share_over_30_percent_per_industry():
    lines = [
        # cement: 50 % of capacity at benchmark (the plan's 2022 figure) → met
        Line("k1", "a", "cement_clinker", D(4500), D("98")),
        Line("k2", "b", "cement_clinker", D(4500), D("110")),
        # methanol: 0 % → not met; its levels are still to confirm
        Line("m1", "c", "methanol_bituminous", D(300000), D("1500")),
        # exactly 30 % is not over 30 %
        Line("n1", "d", "ammonia_natural_gas", D(30), D("990")),
        Line("n2", "d", "ammonia_natural_gas", D(70), D("1100")),
    ]
    shares, all_met, target = indicator_15(lines)
    by = {s.industry: s for s in shares}
    assert (by["cement"].share_pct, by["cement"].met) == (D(50), True)
    assert (by["methanol"].share_pct, by["methanol"].met) == (D(0), False)
    assert (by["nitrogen_fertiliser"].share_pct, by["nitrogen_fertiliser"].met) == (D(30), False)
    assert not all_met
    assert by["methanol"].to_confirm and not by["cement"].to_confirm
    assert "指标15" in target.table


def test_a_line_with_an_unknown_benchmark_names_it():
    with pytest.raises(EnterpriseError) as exc:
        indicator_15([Line("x", "a", "glass", D(1), D(1))])
    assert exc.value.field == "lines[0].benchmark_id"


def test_a_computed_report_feeds_the_screening():
    from pathlib import Path

    import yaml

    from nearzero.enterprise.report import compute_report
    from nearzero.enterprise.reportfile import parse_report
    from nearzero.enterprise.screening import firm_year

    path = Path(__file__).resolve().parents[2] / "src/nearzero/data/enterprise/examples"
    data = yaml.safe_load((path / "cement_2024_illustrative.yaml").read_text(encoding="utf-8"))
    result = screen_firm(firm_year(compute_report(parse_report(data))))
    assert result.over_fossil_threshold
    assert (result.key_emitter_candidate, result.candidate_basis) == (True, "emissions")
    assert result.national_market_sector == "cement"
    assert result.firm.illustrative
