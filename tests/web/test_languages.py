"""Both languages (issue #12 item 10): the main pages in Chinese show no English refusal or
diagnostic; in English they show targets, units, due dates and the report summary in English;
a bad query value on any page gets a page naming it, never raw JSON."""

from __future__ import annotations

import ast
import html
import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from nearzero.web import i18n
from nearzero.web.i18n import due_label, localise, target_label, unit_label
from webclient import log_in, token

MAIN_PAGES = (
    "/",
    "/indicators",
    "/tasks",
    "/indicators/3",
    "/indicators/21",
    "/todo",
    "/workbook",
    "/report",
    "/projects",
    "/enterprises",
    "/audit",
    "/admin/users",
    "/inclusion",
)
#: An English sentence: four or more English words in a row.
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:]+[A-Za-z][A-Za-z'’-]*){3,}")
#: What a citation of an English-language source looks like (kept in its language).
CITATION = re.compile(r"IPCC|Vol|Table|table|annex|Eq\b|GB/T|ISO|https?:")
HAN = re.compile(r"[\u4e00-\u9fff]")


def visible(page: str) -> str:
    """The text a person sees: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def english_sentences(text: str) -> list[str]:
    return [s for s in ENGLISH.findall(text) if not CITATION.search(s)]


@pytest.mark.parametrize("username", ["office", "drc"])
def test_the_chinese_pages_hold_no_english_sentence(client, username):
    log_in(client, username)
    # and two projects whose reduction lacks inputs, saying why
    for path in (*MAIN_PAGES, "/projects/10", "/projects/24"):
        response = client.get(path, params={"lang": "zh"})
        assert response.status_code in (200, 403), path
        assert english_sentences(visible(response.text)) == [], path


#: A message's slot left unfilled (``已逾期{days}天``): a message used without ``.format``.
SLOT = re.compile(r"\{[a-z_]+\}")
MORE_PAGES = (
    "/projects/1",
    "/projects/23",
    "/inventory",
    "/enterprises/screening",
    "/enterprises/benchmarks",
    "/enterprises/compliance",
    "/enterprises/crosscheck",
    "/footprint",
    "/twohigh",
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_shows_a_message_slot_unfilled(client, lang):
    log_in(client, "office")
    for path in (*MAIN_PAGES, *MORE_PAGES):
        response = client.get(path, params={"lang": lang})
        assert response.status_code == 200, path
        assert SLOT.findall(visible(response.text)) == [], path


def test_each_message_is_defined_once():
    """A key defined twice keeps only its last text: the pages that meant the first showed
    the other's (``已逾期{days}天`` where ``已逾期天数`` was meant)."""
    source = Path(i18n.__file__).read_text(encoding="utf-8")
    keys = [
        k.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Dict)
        for k, v in zip(node.keys, node.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(v, ast.Tuple)  # ("中文", "English")
    ]
    assert len(keys) > 500  # every message was found
    assert [k for k, n in Counter(keys).items() if n > 1] == []


def section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</section>', page, flags=re.S)
    assert match, testid
    return visible(match.group(0))


def test_the_english_pages_show_targets_units_due_dates_and_the_summary_in_english(client):
    log_in(client, "office")
    table = client.get("/indicators", params={"lang": "en", "year": 2022}).text
    row3 = re.search(r'<tr data-code="3">.*?</tr>', table, flags=re.S).group(0)
    assert "20.5% lower than 2020" in visible(row3) and "t / 10⁴ yuan" in visible(row3)
    assert "较2020年下降" not in visible(row3)
    report = client.get("/report", params={"lang": "en", "year": 2022}).text
    summary = section(report, "report-summary")
    assert "binding 12/18 met" in summary and not HAN.search(summary)
    projects = client.get("/projects", params={"lang": "en"}).text
    assert "end of 2025" in visible(projects)


def test_the_scenario_shows_its_figures_in_the_pages_language(client):
    log_in(client, "office")
    for lang, absent, present in (
        ("en", HAN, "20.5% lower than 2020: ≤ 0.7314 t / 10⁴ yuan"),
        ("zh", re.compile(r"yuan|10⁴ t"), "较2020年下降20.5%：≤ 0.7314 吨/万元"),
    ):
        page = client.get("/projects/scenario", params={"lang": lang}).text
        facts = re.search(r'data-testid="scenario-2025".*?</dl>', page, flags=re.S).group(0)
        assert present in visible(facts), lang
        assert not absent.search(visible(facts).replace("scenario-2025", "")), lang


def test_a_refusal_shows_in_the_pages_language(client):
    log_in(client, "office")
    for lang, shown, hidden in (("zh", "最多20000字", "at most"), ("en", "at most 20000", "最多")):
        page = client.get("/report", params={"lang": lang, "year": 2022})
        form = {"csrf_token": token(page.text), "year": "2022", "key": "problems"}
        refused = client.post("/report/sections", data=form | {"body": "长" * 20_001})
        assert refused.status_code == 400
        error = re.search(r'data-testid="error">([^<]*)<', refused.text).group(1)
        assert shown in error and hidden not in error, error


#: Refused writes of the office: (path, form, what the Chinese page says, what the English
#: page says). Each refusal names its field and reads in the page's language only.
REFUSED_FORMS = (
    (
        "/indicators/3/assessments",
        {"year": "2022", "status": "maybe", "evidence": "统计公报"},
        "status: 评估结果应为完成（met）或未完成（not_met），而不是“maybe”",
        "status: met or not_met, got 'maybe'",
    ),
    (
        "/indicators/3/assigned-targets",
        {"year": "2022", "value": " ", "source": "鲁政字〔2022〕1号"},
        "value: 请填写数值",
        "value: a number is required",
    ),
    (
        "/indicators/3/values",
        {"year": "2022", "value": "abc"},
        "value: 应为数字，实际为“abc”",
        "value: expected a number, got 'abc'",
    ),
    (
        "/todo/confirmation",
        {"confirmation": "maybe"},
        "confirmation: 应为 on（开启）或 off（关闭），而不是“maybe”",
        "confirmation: on or off, got 'maybe'",
    ),
    (
        "/todo/deadline",
        {"year": "2023", "due": "31.12.2023"},
        "due: 应为日期（如2026-03-31），而不是“31.12.2023”",
        "due: expected a date such as 2026-03-31, got '31.12.2023'",
    ),
    (
        "/inventory/factors",
        {
            "factor_id": "local-coal",
            "parameter": "ncv",
            "subject": "raw_coal",
            "value": "abc",
            "factor_unit": "GJ/t",
            "source": "章丘区统计局",
        },
        "value: 应为数字，而不是“abc”",
        "value: expected a number, got 'abc'",
    ),
    (
        "/inventory/factors",
        {
            "factor_id": "local-coal",
            "parameter": "no-such-parameter",
            "subject": " ",
            "value": "20.9",
            "factor_unit": "GJ/t",
            "source": " ",
        },
        "本地因子须注明出处（文件、表、页）",
        "source: a local factor needs its citation (document, table, page)",
    ),
    (
        "/enterprises/compliance/allowance",
        {"firm": "x", "year": "2025", "allocated": "many"},
        "allocated: 应为整数，而不是“many”",
        "allocated: expected a whole number, got 'many'",
    ),
    (
        "/enterprises/compliance/allowance",
        {"firm": "x", "year": "2025", "allocated": "1", "surrendered_on": "31.12.25"},
        "surrendered_on: 应为日期（如2025-12-31），而不是“31.12.25”",
        "surrendered_on: expected a date like 2025-12-31, got '31.12.25'",
    ),
    (
        "/projects/3/progress",
        {"reported_on": "2024-06-30", "stage": "under_way", "percent": "half"},
        "percent: 应为整数，而不是“half”",
        "percent: expected a whole number, got 'half'",
    ),
    (
        "/projects/3/progress",
        {"reported_on": "30.06.2024", "stage": "under_way", "percent": "50"},
        "reported_on: 应为日期（如2024-06-30），而不是“30.06.2024”",
        "reported_on: expected a date like 2024-06-30, got '30.06.2024'",
    ),
    (
        "/projects/3/progress",
        {"reported_on": "2099-01-01", "stage": "under_way", "percent": "150"},
        "percent: 应为0至100的整数，而不是150；reported_on: 填报日期2099-01-01晚于今天",
        "percent: expected a whole number from 0 to 100, got 150; "
        "reported_on: 2099-01-01 is in the future",
    ),
    (
        "/twohigh/projects",
        {"code": "TH-LANG", "name": "新建焦化项目", "segment": "nope"},
        "segment: 行业“nope”应为",
        "segment: 'nope' (expected one of",
    ),
    (
        "/twohigh/sources",
        {
            "code": "SRC-LANG",
            "name": "关停锅炉",
            "mechanism": "shutdown",
            "formed_on": "2024-01-01",
            "location": "章丘区",
            "firm_name": " ",
            "dimension": "carbon",
            "reduction": "100",
        },
        "firm_name: 请从企业名录中选择企业，或填写企业名称",
        "firm_name: a firm from the registry, or its name",
    ),
    (
        "/enterprises/add",
        {"key": "bad key!", "name_zh": "示例企业"},
        "key: 企业标识“bad key!”应为1至64个字母、数字、_或-",
        "key: 'bad key!' (expected 1-64 letters, digits, _ or -)",
    ),
)


def _shown_in_one_language(response, lang: str, zh: str, en: str) -> None:
    text = " ".join(visible(response.text).split())
    shown, hidden = (en, zh) if lang == "en" else (zh, en)
    assert shown in text, (lang, shown, text[:2000])
    assert hidden not in text, (lang, hidden)
    if lang == "zh":  # no part of the English refusal either
        assert [s for s in english_sentences(text) if s in en] == [], en


@pytest.mark.parametrize(("path", "form", "zh", "en"), REFUSED_FORMS)
def test_a_refused_form_names_its_field_in_the_pages_language(client, path, form, zh, en):
    log_in(client, "office")
    csrf = token(client.get("/todo").text)
    for lang in ("zh", "en"):
        refused = client.post(f"{path}?lang={lang}", data={"csrf_token": csrf} | form)
        assert refused.status_code == 400, (path, lang, refused.status_code)
        _shown_in_one_language(refused, lang, zh, en)


#: Refused filters, downloads and unknown objects: (path, query, status, Chinese, English).
REFUSED_QUERIES = (
    (
        "/audit",
        {"since": "5.12.2026"},
        400,
        "since: 应为日期（如2026-12-05），而不是“5.12.2026”",
        "since: expected a date like 2026-12-05, got '5.12.2026'",
    ),
    (
        "/audit",
        {"since": "2026-12-05", "until": "2026-01-01"},
        400,
        "since: 起始日期2026-12-05晚于截止日期2026-01-01",
        "since: 2026-12-05 is after until 2026-01-01",
    ),
    (
        "/audit.xlsx",
        {"until": "yesterday"},
        400,
        "until: 应为日期（如2026-12-05），而不是“yesterday”",
        "until: expected a date like 2026-12-05, got 'yesterday'",
    ),
    (
        "/enterprises/no-such-firm",
        {},
        404,
        "enterprise: 单位“zhangqiu”没有企业“no-such-firm”",
        "enterprise: unit 'zhangqiu' has no enterprise 'no-such-firm'",
    ),
    (
        "/projects/99",
        {},
        404,
        "project: 单位“zhangqiu”没有第99项重点工程",
        "project: unit 'zhangqiu' has no key project 99",
    ),
)


@pytest.mark.parametrize(("path", "query", "status", "zh", "en"), REFUSED_QUERIES)
def test_a_refused_filter_names_its_field_in_the_pages_language(
    client, path, query, status, zh, en
):
    log_in(client, "office")
    for lang in ("zh", "en"):
        refused = client.get(path, params=query | {"lang": lang})
        assert refused.status_code == status, (path, lang, refused.status_code)
        _shown_in_one_language(refused, lang, zh, en)


#: Refused uploads: (path, file name, content, Chinese, English). The footprint upload is
#: for a firm registered first (``example_cement``).
REFUSED_UPLOADS = (
    (
        "/enterprises/load",
        "firms.txt",
        b"firms: []",
        "file: 文件“firms.txt”应为.yaml或.yml格式的企业名录",
        "file: the file firms.txt: expected a .yaml or .yml registry file",
    ),
    (
        "/footprint/example_cement/upload",
        "system.txt",
        b"flows: []",
        "file: 文件“system.txt”应为.yaml、.json格式的产品系统",
        "file: the file 'system.txt': expected a product system as .yaml, .json",
    ),
    (
        "/enterprises/example_cement/reports",
        "report.csv",
        b"year,2024",
        "file: 文件“report.csv”应为",
        "file: the file report.csv: expected one of",
    ),
)


@pytest.mark.parametrize(("path", "name", "content", "zh", "en"), REFUSED_UPLOADS)
def test_a_refused_upload_names_its_file_in_the_pages_language(
    client, app, path, name, content, zh, en
):
    from nearzero.services.context import Actor
    from nearzero.services.enterprise import registry
    from nearzero.services.indicators import get_unit
    from nearzero.store.db import transaction

    with transaction(app.state.sessions) as session:
        firm = registry.EnterpriseInput("example_cement", "示例水泥有限公司", industry_code="C3011")
        registry.add_enterprise(session, Actor.system("test"), get_unit(session, "zhangqiu"), firm)
    log_in(client, "office")
    csrf = token(client.get("/todo").text)
    for lang in ("zh", "en"):
        refused = client.post(
            f"{path}?lang={lang}",
            data={"csrf_token": csrf, "year": "2024"},
            files={"file": (name, content, "application/octet-stream")},
        )
        assert refused.status_code == 400, (path, lang, refused.status_code)
        _shown_in_one_language(refused, lang, zh, en)


def test_a_refused_partner_shows_in_the_pages_language(client):
    """A carbon-inclusion partner the office may not register: the office page again with
    the refusal in its language."""
    log_in(client, "office")
    csrf = token(client.get("/todo").text)
    zh = "code: 合作方代码应为1至64个字母、数字、“-”“_”或“.”"
    en = "code: 1 to 64 letters, digits, '-', '_' or '.'"
    for lang in ("zh", "en"):
        client.get(f"/inclusion?lang={lang}")
        form = {"csrf_token": csrf, "code": "bad code!", "name_zh": "公交", "scenarios": ["bus"]}
        refused = client.post(f"/inclusion/partners?lang={lang}", data=form)
        assert refused.status_code == 200 and "/inclusion" in str(refused.url), lang
        _shown_in_one_language(refused, lang, zh, en)


def test_the_compliance_page_cites_the_evidence_deadline_in_chinese(client):
    """The due-date rule of the monthly evidence (rules.csv ``evidence_due_days``) reads in
    Chinese on the compliance page; the source document stays as cited."""
    log_in(client, "office")
    text = " ".join(visible(client.get("/enterprises/compliance?lang=zh").text).split())
    assert "生态环境部 发电行业 月度信息化存证（自2022年4月起），月度存证，每月结束后40日内" in text
    assert "within 40 days" not in text and english_sentences(text) == []


def test_words_for_english_pages():
    assert (
        unit_label("万吨标准煤", "en") == "10⁴ tce"
        and unit_label("万吨标准煤", "zh") == "万吨标准煤"
    )
    assert due_label("2024年6月", "en") == "June 2024" and due_label("2025年底", "zh") == "2025年底"
    message = "body: 最多20000字，实际20001字 — at most 20000 characters, got 20001"
    assert localise(message, "zh") == "body: 最多20000字，实际20001字"
    assert localise(message, "en") == "body: at most 20000 characters, got 20001"
    assert localise("value: expected a number", "zh") == "value: expected a number"
    # the English part may hold a colon of its own; the Chinese part names no field
    refusal = (
        "eeb无权修改指标17（由发改局负责） — eeb may not edit indicator 17: it belongs to 发改局"
    )
    assert localise(refusal, "zh") == "eeb无权修改指标17（由发改局负责）"
    assert localise(refusal, "en") == "eeb may not edit indicator 17: it belongs to 发改局"
    # the bracketed form of the account refusals
    assert localise("当前密码不正确 (current password: wrong)", "zh") == "当前密码不正确"
    assert localise("当前密码不正确 (current password: wrong)", "en") == "current password: wrong"
    # brackets in the English part; every problem of one form, joined by ；
    cited = "source: 本地因子须注明出处 — a local factor needs its citation (document, table, page)"
    assert localise(cited, "zh") == "source: 本地因子须注明出处"
    assert (
        localise(cited, "en") == "source: a local factor needs its citation (document, table, page)"
    )
    both = "done_on: 日期不能晚于今天 — 2030-01-01 is in the future；" + cited
    assert localise(both, "zh") == "done_on: 日期不能晚于今天；source: 本地因子须注明出处"
    assert localise(both, "en") == (
        "done_on: 2030-01-01 is in the future; "
        "source: a local factor needs its citation (document, table, page)"
    )

    class Spec:
        from nearzero.indicators.rules import parse_rule

        rule = parse_rule({"kind": "at_least", "threshold": 5, "text_zh": "≥5"}, "rule")
        unit, base_year = "%", 2020

    assert target_label(Spec, None, "en") == "≥ 5%"


def pages(routes: list) -> list[APIRoute]:
    """The app's routes, through included routers (FastAPI keeps those wrapped)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += pages(route.original_router.routes)
    return out


#: A stand-in for each path parameter of the pages walked below.
PATH_VALUES = {"code": "3", "number": "3"}


def _query_params(route: APIRoute) -> list[str]:
    """The query parameters a route reads, its dependencies' included."""
    names: list[str] = []
    todo = [route.dependant]
    while todo:
        dependant = todo.pop()
        names += [p.alias for p in dependant.query_params if p.alias not in names]
        todo += dependant.dependencies
    return names


def test_a_bad_query_value_on_any_page_gets_a_page_not_json(client, app):
    """Every page (not the API, not the JSON a page's script polls) answers a malformed query
    value with an HTML page of status 400 or 404."""
    log_in(client, "office")
    checked = 0
    for route in pages(app.routes):
        if "GET" not in route.methods:
            continue
        if route.path.startswith(("/api/", "/report/jobs", "/healthz")):
            continue
        names = re.findall(r"{(\w+)}", route.path)
        if any(n not in PATH_VALUES for n in names):
            continue
        path = route.path.format(**{n: PATH_VALUES[n] for n in names})
        for name in _query_params(route):
            if name in ("lang", "next", "unit"):
                continue
            response = client.get(path, params={name: "x" * 300})
            kind = response.headers.get("content-type", "")
            assert not kind.startswith("application/json"), (path, name, response.text[:200])
            if response.status_code >= 400:
                assert kind.startswith("text/html"), (path, name, kind)
            checked += 1
        response = client.get(path, params={"unit": "no-such-unit"})
        assert not response.headers.get("content-type", "").startswith("application/json"), path
    assert checked > 15
