"""Each rule kind against hand-worked values."""

import pytest

from nearzero.indicators.rules import Comparator, RuleError, RuleKind, Target, parse_rule


@pytest.mark.parametrize(
    ("rule", "base", "assigned", "comparator", "target"),
    [
        ({"kind": "lower_than_base"}, 10.0, None, Comparator.LT, 10.0),
        ({"kind": "higher_than_base"}, 6.0, None, Comparator.GT, 6.0),
        # indicator 3: 0.92 t/万元 in 2020, 20.5 % lower → 0.7314
        ({"kind": "reduce_by_pct", "pct": 20.5}, 0.92, None, Comparator.LE, 0.7314),
        ({"kind": "increase_by_pct", "pct": 10}, 50.0, None, Comparator.GE, 55.0),
        ({"kind": "no_growth"}, 402.271, None, Comparator.LE, 402.271),
        ({"kind": "at_least", "threshold": 5}, None, None, Comparator.GE, 5.0),
        ({"kind": "above", "threshold": 30}, None, None, Comparator.GT, 30.0),
        ({"kind": "at_most", "threshold": 1}, None, None, Comparator.LE, 1.0),
        ({"kind": "below", "threshold": 1}, None, None, Comparator.LT, 1.0),
        ({"kind": "count_at_least", "threshold": 2}, None, None, Comparator.GE, 2.0),
        ({"kind": "assigned_target", "direction": "at_most"}, None, 390.0, Comparator.LE, 390.0),
        ({"kind": "assigned_target", "direction": "at_least"}, None, 93.0, Comparator.GE, 93.0),
    ],
)
def test_resolve(rule, base, assigned, comparator, target):
    resolved = parse_rule(rule).resolve(base=base, assigned=assigned)
    assert resolved is not None
    assert resolved.comparator is comparator
    assert resolved.value == pytest.approx(target)


def test_targets_need_their_numbers():
    assert parse_rule({"kind": "lower_than_base"}).resolve(base=None, assigned=None) is None
    rule = parse_rule({"kind": "assigned_target", "direction": "at_least"})
    assert rule.resolve(base=1.0, assigned=None) is None
    assert parse_rule({"kind": "qualitative"}).resolve(base=1.0, assigned=1.0) is None


def test_strict_and_inclusive_comparisons():
    assert not Target(Comparator.GT, 273).met_by(273)  # no. 24: 273 buses is not 上升
    assert Target(Comparator.GE, 100).met_by(100)  # no. 19: 100 % meets "100"
    assert Target(Comparator.LE, 402.271).met_by(402.271)  # 零增长 allows equal


def test_gap_is_distance_still_to_go():
    # no. 3 in 2022: 0.76 against 0.7314 → 0.0286 t/万元 still to cut
    assert Target(Comparator.LE, 0.7314).gap(0.76) == pytest.approx(0.0286)
    # no. 21 in 2022: 4 % against ≥5 % → 1 point still to gain
    assert Target(Comparator.GE, 5).gap(4) == pytest.approx(1)
    assert Target(Comparator.GE, 95).gap(97.57) < 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "smaller"}, "target.kind: .* — expected one of"),
        ({"kind": "at_least"}, "target.threshold: .* — a number is required"),
        ({"kind": "at_least", "threshold": "5"}, "target.threshold"),
        ({"kind": "reduce_by_pct", "pct": 120}, "target.pct: .* — expected a percentage"),
        ({"kind": "assigned_target"}, "target.direction"),
        ("≥5", "expected a mapping"),
    ],
)
def test_bad_rules_name_the_field(data, message):
    with pytest.raises(RuleError, match=message):
        parse_rule(data)


def test_round_trip():
    for data in (
        {"kind": "reduce_by_pct", "pct": 20.5, "text_zh": "较2020年下降20.5%"},
        {"kind": "assigned_target", "direction": "at_least"},
        {"kind": "count_at_least", "threshold": 2.0},
    ):
        assert parse_rule(data).to_dict() == data
    assert parse_rule({"kind": "qualitative"}).kind is RuleKind.QUALITATIVE
