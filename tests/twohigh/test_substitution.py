"""Required substitution pinned to the documents: the plan's own case (1:1.1, 2,531 t), the
Shandong rule's definition of project emissions (signed terms, never clamped), and the ratio
table of reference/enterprise_mrv.md (every ratio the documents do not confirm is flagged)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from nearzero.twohigh import data, substitution as sub
from nearzero.twohigh.model import CarbonTerms, Stage, TwoHighError, check_move

D = Decimal
ON = dt.date(2023, 6, 1)


def test_the_plans_case_reproduced_from_its_inputs():
    """章丘华明水泥有限公司年产110万吨水泥粉磨项目按1：1.1的比例落实替代源，减少碳排放2531吨
    (实施方案 一（二）1). The substitution exceeds the project's emissions by 0.1 E, so the
    2,531 t reduction puts E at 25,310 t and the substitution at 27,841 t."""
    ratio = sub.choose_ratio(
        data.bundled_ratios(), "cement", "carbon", ON, "zq_plan/huaming/carbon"
    )
    assert ratio.text == "1:1.1" and ratio.status == "verified"
    req = sub.requirement(D("25310"), data.dimension("carbon"), ratio)
    assert req.required == 27_841_000  # kg CO2
    assert sub.net_reduction(req) == D("2531")


def test_project_emissions_are_the_rules_four_signed_terms():
    """燃料燃烧、工业生产过程、净购入电力和热力的碳排放量之和减去项目回收的碳排放量: a net
    exporter's electricity term is negative and is not clamped to zero."""
    exporter = CarbonTerms(D("100"), D("50"), D("-30"), D("20"))
    assert exporter.total == D("100")
    assert CarbonTerms(D("0"), D("0"), D("-10"), D("0")).total == D("-10")
    ratio = sub.choose_ratio(data.bundled_ratios(), "lime", "carbon", ON)
    assert sub.requirement(D("-10"), data.dimension("carbon"), ratio).required == 0


@pytest.mark.parametrize(
    ("segment", "dimension", "expected"),
    [
        # 鲁政办字〔2021〕57号 capacity ratios (reference §2 Additions)
        ("cement", "cap_cement", "2"),
        ("cement", "cap_clinker", "1.5"),
        ("refining", "cap_refining", "1.5"),
        ("aluminium", "cap_aluminium", "1.5"),
        ("coal_power", "cap_coal_power", "1.5"),
        ("steel", "cap_steel", "1.25"),
        ("coking", "cap_coking", "1.25"),
        ("carbide", "cap_carbide", "1.25"),
        ("chlor_alkali", "cap_chlor_alkali", "1.25"),
        ("ferroalloy", "cap_ferroalloy", "1.2"),
        # 替代办法（试行）: 1.2 or 1.5 by industry
        ("cement", "carbon", "1.5"),
        ("lime", "carbon", "1.2"),
    ],
)
def test_ratios_against_the_reference(segment, dimension, expected):
    ratio = sub.choose_ratio(data.bundled_ratios(), segment, dimension, ON)
    assert ratio.ratio == D(expected)
    # none of these is confirmed in a primary document: each is flagged
    assert ratio.status == "to_confirm"


def test_every_bundled_row_has_a_source_and_a_status():
    for r in data.bundled_ratios():
        assert r.source and r.status in ("verified", "to_confirm")
    assert len(data.segments()) == 16


def test_ratios_are_versioned_by_date():
    """The coal-use rule ran to 2023-06-30: a project decided after it has no coal ratio."""
    assert sub.choose_ratio(
        data.bundled_ratios(), "steel", "coal", dt.date(2023, 6, 30)
    ).ratio == D("1.2")
    with pytest.raises(TwoHighError, match="no ratio in force"):
        sub.choose_ratio(data.bundled_ratios(), "steel", "coal", dt.date(2023, 7, 1))
    with pytest.raises(TwoHighError, match="no ratio in force"):
        sub.choose_ratio(data.bundled_ratios(), "cement", "carbon", dt.date(2022, 6, 30))


def test_a_case_ratio_applies_only_where_named():
    chosen = sub.choose_ratio(data.bundled_ratios(), "cement", "carbon", ON)
    assert chosen.id != "zq_plan/huaming/carbon"
    with pytest.raises(TwoHighError, match="segment"):
        sub.choose_ratio(data.bundled_ratios(), "steel", "carbon", ON, "zq_plan/huaming/carbon")


def test_a_ratio_below_one_or_malformed_is_refused_naming_the_column():
    row = {
        "id": "x",
        "document": "d",
        "document_zh": "文件",
        "segment": "cement",
        "dimension": "carbon",
        "ratio": "0.9",
        "effective_from": "2024-01-01",
        "source": "s",
    }
    with pytest.raises(TwoHighError, match="ratio ratio"):
        data.parse_ratio(row)
    with pytest.raises(TwoHighError, match="effective_from"):
        data.parse_ratio({**row, "ratio": "1.3", "effective_from": "2024-13-01"})
    with pytest.raises(TwoHighError, match="segment"):
        data.parse_ratio({**row, "ratio": "1.3", "segment": "bakery"})


@given(
    st.decimals(min_value=D("0.001"), max_value=D("1e9"), places=3),
    st.sampled_from(["1.1", "1.2", "1.25", "1.5", "2"]),
)
def test_the_requirement_never_falls_short_and_is_exact(amount, ratio_text):
    """required ≥ E × ratio and required − 1 < E × ratio, in exact kg."""
    ratio = sub.choose_ratio(data.bundled_ratios(), "lime", "carbon", ON)
    ratio = type(ratio)(
        **{**{f: getattr(ratio, f) for f in ratio.__slots__}, "ratio": D(ratio_text)}
    )
    req = sub.requirement(amount, data.dimension("carbon"), ratio)
    exact_kg = amount * D(ratio_text) * 1000
    assert req.required >= exact_kg > req.required - 1


def test_stage_moves():
    check_move(Stage.REVIEW, Stage.APPROVED)
    with pytest.raises(TwoHighError, match="stage"):
        check_move(Stage.PROPOSED, Stage.OPERATING)
