"""The inventory and carbon-inclusion pages name things, in the page's language, never by
their internal ids: factor ids, activity row ids and factor file names on /inventory, the
platform rules' keys on /inclusion. The ids are taken from the data (the factor library, the
bundled example, the bundled rules), not listed here."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from nearzero.accounting.activity import bundled_example
from nearzero.accounting.categories import category_title
from nearzero.accounting.factors import DEFAULT_FILES, default_library
from nearzero.inclusion.choices import Scenario
from nearzero.services.inclusion import rules as rules_svc
from nearzero.services.indicators import get_unit
from nearzero.services.inventory_names import (
    ROW_FILE,
    name_of,
    parameter_name,
    subject_name,
    table_text,
)
from nearzero.store.db import transaction
from nearzero.web.i18n import translate
from webclient import log_in, token

LANGS = ("zh", "en")


def visible(page: str) -> str:
    """The text a reader sees: no scripts, styles, attributes, nor the YAML editors' text."""
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def url(path: str, lang: str) -> str:
    return f"{path}?lang=en" if lang == "en" else path


@pytest.fixture
def inventory(client):
    csrf = token(log_in(client, "office").text)
    assert client.post("/inventory/example", data={"csrf_token": csrf}).status_code == 200
    return client


@pytest.mark.parametrize("lang", LANGS)
def test_inventory_names_factors_rows_and_sources(inventory, lang):
    page = inventory.get(url("/inventory", lang))
    assert page.status_code == 200
    text = visible(page.text)
    rows = [r for r in bundled_example()["rows"] if r.get("method")]
    ids = {r.factor_id for r in default_library().records} | {r["id"] for r in rows}
    shown_ids = sorted(i for i in ids if i in text)
    assert shown_ids == []
    assert [f for f in DEFAULT_FILES if f in text] == []
    assert f"{ROW_FILE}@" not in text  # a row's own factor: "given in the activity data"
    assert "illustrative.json" not in text
    # the factors by subject and parameter, the rows by category and fuel, in the language
    assert parameter_name("ncv", lang) in text and subject_name("原煤", lang) in text
    coal = next(r for r in rows if r.get("fuel") == "原煤")
    assert f"{category_title(coal['category'], lang)} · {subject_name('原煤', lang)}" in text
    assert name_of("file", "china_energy.csv", lang) in text
    if lang == "zh":
        for english in ("activity row", "included elsewhere", "by Tables", "GPC BASIC", "seed"):
            assert english not in text
        assert "GPC（城市温室气体核算国际标准）BASIC 级" in text
        # sources with the official Chinese titles and the tables as the files cite them
        assert "《2006年IPCC国家温室气体清单指南》第2卷第2章 表2.2（能源工业，1.A.1）" in text
        assert "《省级温室气体清单编制指南（试行）》第一章" in text
        assert "已计入其他类别" in text
    else:
        assert "Main Activity Electricity and Heat Production · raw coal" in text
        assert "2006 IPCC Guidelines for National GHG Inventories Vol 2 Ch 2" in text


def test_every_factor_code_has_a_chinese_name():
    """Every parameter, subject, table and document of the factor files reads in Chinese."""
    lib = default_library()
    for r in lib.records:
        assert parameter_name(r.parameter, "zh") != r.parameter, r.factor_id
        subject = subject_name(r.subject, "zh")
        assert r.subject == "*" or not re.search(r"[a-z]{3,}_|_[a-z]", subject), r.factor_id
        if r.source_table:
            assert not re.search(r"\b[a-z]{4,}\b", table_text(r.source_table, "zh")), r.source_table


@pytest.mark.parametrize("lang", LANGS)
def test_inclusion_names_the_rules_not_yet_set(client, lang):
    log_in(client, "office")
    page = client.get(url("/inclusion", lang))
    assert page.status_code == 200
    with transaction(client.app.state.sessions) as s:
        in_force = rules_svc.rules(s, get_unit(s, None))
    unset = in_force.scheme.unset()
    assert unset  # the bundled rules leave the caps and ranges to the office
    text = visible(page.text)
    assert [k for k in unset if k in text] == []
    # a methodology's parameters still without a value, by the names the methodology gives
    lacking = [r for r in rules_svc.scenario_rules(in_force, date.today()) if r.missing]
    assert lacking
    table = visible(re.search(r'data-testid="rules-table">(.*?)</table>', page.text, re.S)[1])
    for r in lacking:
        assert [name for name in r.missing if name in table] == []
        for name in r.missing:
            labels = [
                p.label_en if lang == "en" else p.label_zh
                for p in r.methodology.parameters
                if p.name == name and p.value is None
            ]
            assert any(label in table for label in labels), labels
    assert "Scheme.unset" not in page.text
    listed = re.search(r'data-testid="rules-unset">(.*?)</details>', page.text, re.S)
    names = visible(listed.group(1))
    assert translate("inc_rules_unset", lang).format(n=len(unset)) in names
    for key in unset:
        parts = key.split(".")
        field = translate(f"inc_policy_{parts[-1]}", lang)
        if len(parts) == 3 and parts[1] == "total":
            assert f"{translate('inc_policy_total', lang)} · {field}" in names
        elif len(parts) == 3:
            scenario = Scenario(parts[1])
            where = scenario.label_en if lang == "en" else scenario.label_zh
            if parts[-1] in ("typical_reduction_g", "reduction_band_pct"):
                assert f"{where} · " in names
            else:
                assert f"{where} · {field}" in names
        else:
            assert field in names
    if lang == "zh":
        assert "节能空调 · 单条记录最大电量（kWh）" in names
        assert "全部场景合计 · 每人每日上限（g CO2）" in names
        assert "补报时限（天）" in names and "积分有效期（月）" in names
