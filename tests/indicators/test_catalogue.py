"""The plan file: what it holds, and the errors a bad one gets."""

import copy
import datetime as dt

import pytest
import yaml

from nearzero.indicators.catalogue import (
    PlanError,
    bundled_plan_path,
    load_plan,
    parse_due_text,
    parse_plan,
)
from nearzero.indicators.choices import Attribute

RAW = yaml.safe_load(bundled_plan_path().read_text(encoding="utf-8"))


def test_bundled_plan_is_whole():
    plan = load_plan(bundled_plan_path())
    assert [e.spec.code for e in plan.indicators] == [str(n) for n in range(1, 36)]
    counts = {a: sum(e.spec.attribute is a for e in plan.indicators) for a in Attribute}
    assert counts == {Attribute.BINDING: 18, Attribute.REFERENCE: 14, Attribute.FEATURED: 3}
    assert [p.number for p in plan.key_projects] == list(range(1, 27))
    assert len(plan.subdistricts) == 18
    assert sum(s.kind == "town" for s in plan.subdistricts) == 1
    assert plan.unit.base_year == 2020 and plan.unit.target_year == 2025
    assert {"T1", "T2", "T6"} <= {t.spec.code for t in plan.task_targets}


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2024年底", dt.date(2024, 12, 31)),
        ("2024年11月", dt.date(2024, 11, 30)),
        ("2024年6月", dt.date(2024, 6, 30)),
        ("2025年", dt.date(2025, 12, 31)),
    ],
)
def test_due_dates(text, due):
    assert parse_due_text(text) == due


def broken(path: list, value):
    data = copy.deepcopy(RAW)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["indicators", 2, "target", "pct"], "二十", r"indicators\[2\]\.target\.pct"),
        (["indicators", 0, "attribute"], "core", r"indicators\[0\]\.attribute"),
        (["indicators", 0, "unit"], "公斤每头牛", r"indicators\[0\]\.unit"),
        (["indicators", 0, "values", 2021], "一千万", r"indicators\[0\]\.values\.2021"),
        (["indicators", 30, "values", 2020, "unit"], "kg", r"indicators\[30\]\.values\.2020\.unit"),
        (["indicators", 5, "departments"], ["nobody"], r"indicators\[5\]\.departments\[0\]"),
        (["key_projects", 3, "due_text"], "明年", r"key_projects\[3\]\.due_text"),
        (["unit", "kind"], "province", r"unit\.kind"),
    ],
)
def test_bad_plan_names_file_and_field(path, value, message):
    with pytest.raises(PlanError, match=message) as info:
        parse_plan(broken(path, value), source="plans/x.yaml")
    assert str(info.value).startswith("plans/x.yaml: ")


def test_duplicate_codes_rejected():
    data = copy.deepcopy(RAW)
    data["indicators"][1]["code"] = "1"
    with pytest.raises(PlanError, match="repeated: \\['1'\\]"):
        parse_plan(data)
