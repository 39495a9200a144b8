"""The templates' full-width punctuation follows the page's language (web/punctuation.py): a
Chinese page keeps it, an English page gets the English marks; marks inside expressions and
in the data they print are never touched."""

from __future__ import annotations

from jinja2 import Environment

from nearzero.web.punctuation import PagePunctuation
from webclient import log_in

TEMPLATE = "{{ label }}：{{ value }}（{{ unit }}）；{{ '（kept）' }}{# 注：（） #}"


def test_the_templates_own_marks_follow_the_language() -> None:
    env = Environment(extensions=[PagePunctuation])
    template = env.from_string(TEMPLATE)
    data = {"label": "Stage", "value": "审查中（示例）", "unit": "t"}
    assert template.render(lang="en", **data) == "Stage: 审查中（示例） (t); （kept）"
    assert template.render(lang="zh", **data) == "Stage：审查中（示例）（t）；（kept）"
    assert template.render(**data) == "Stage：审查中（示例）（t）；（kept）"  # no language: zh


def test_an_english_page_reads_with_english_punctuation(client) -> None:
    log_in(client, "office")
    english = client.get("/", params={"lang": "en"})
    chinese = client.get("/", params={"lang": "zh"})
    assert english.status_code == chinese.status_code == 200
    # the footer: the template's colon and brackets around the plan's title and number
    assert "Plan: 济南市章丘区近零碳城市示范创建实施方案 (章政办字〔2024〕1号)" in english.text
    assert "Plan：" not in english.text
    assert "实施方案：济南市章丘区近零碳城市示范创建实施方案（章政办字〔2024〕1号）" in chinese.text
