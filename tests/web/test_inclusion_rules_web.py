"""The office's carbon-inclusion rules on the dashboard: the methodology in force per scenario
and what it lacks, saving the unit's scheme and publishing a methodology version through the
forms (a refused text comes back with the field named, nothing stored), over HTTP and in
Chromium."""

from __future__ import annotations

import html
import re
from pathlib import Path

from sqlalchemy import func, select

from nearzero.inclusion.choices import Scenario
from nearzero.services.inclusion import rules as rules_svc
from nearzero.services.indicators import get_unit
from nearzero.store import tables as inc
from nearzero.store.db import transaction
from webclient import browser_log_in, log_in, token

BUS_ZQ = (Path(__file__).parents[1] / "data" / "sz-transit-bus@2025-zq1.yaml").read_text(
    encoding="utf-8"
)


def saved(app) -> tuple[int, int]:
    with transaction(app.state.sessions) as s:
        return (
            s.scalar(select(func.count()).select_from(inc.InclusionMethodologyVersion)),
            s.scalar(select(func.count()).select_from(inc.InclusionSchemeVersion)),
        )


def test_the_page_shows_each_scenarios_methodology_and_what_it_lacks(client):
    page = log_in(client, "viewer") and client.get("/inclusion")
    assert 'data-scenario="bus"' in page.text and "sz-transit-bus@2021-12" in page.text
    assert "随系统提供的默认文件" in page.text
    assert 'data-testid="scheme-form"' not in page.text  # a viewer only reads
    # each version's YAML, to start a new one from
    source = client.get("/inclusion/methodologies/sz-transit-bus@2021-12.yaml")
    assert source.status_code == 200 and 'value: "26.9"' in source.text
    assert client.get("/inclusion/methodologies/nope@1.yaml").status_code == 404


def test_the_office_publishes_a_version_and_saves_the_scheme(client, app):
    log_in(client, "office")
    page = client.get("/inclusion")
    response = client.post(
        "/inclusion/methodologies", data={"csrf_token": token(page.text), "yaml_text": BUS_ZQ}
    )
    assert response.status_code == 200 and "方法学版本已发布" in response.text
    scheme = client.get("/inclusion").text
    text = (
        "unit_id: zhangqiu\nname_zh: 济南市章丘区\nmethodologies:\n"
        "  - scenario: bus\n    methodology: sz-transit-bus@2025-zq1\n"
        "caps:\n  total: {daily_g: 2000, yearly_g: }\n"
    )
    response = client.post(
        "/inclusion/rules",
        data={"csrf_token": token(scheme), "yaml_text": text, "note": "专班第3次会议"},
    )
    assert response.status_code == 200 and "平台规则已保存为新版本" in response.text
    assert "专班 office 于" in response.text and "sz-transit-bus@2025-zq1" in response.text
    assert saved(app) == (1, 1)


def test_a_refused_scheme_comes_back_with_its_text_and_error(client, app):
    log_in(client, "office")
    page = client.get("/inclusion")
    text = "unit_id: zhangqiu\nmethodologies:\n  - scenario: bus\n    methodology: nope@1\n"
    response = client.post(
        "/inclusion/rules", data={"csrf_token": token(page.text), "yaml_text": text}
    )
    assert response.status_code == 400
    assert "no methodology &#39;nope&#39; version &#39;1&#39;" in response.text
    assert "methodology: nope@1" in response.text  # the office's text is not lost
    assert saved(app) == (0, 0)


def test_an_editor_may_not_change_the_rules(client, app):
    log_in(client, "drc")
    page = client.get("/inclusion")
    response = client.post(
        "/inclusion/methodologies", data={"csrf_token": token(page.text), "yaml_text": BUS_ZQ}
    )
    assert response.status_code == 403 and saved(app) == (0, 0)


def test_rules_forms_in_chromium(page, app, serve_app):
    base = serve_app(app)
    browser_log_in(page, base, "office", "/inclusion")
    form = page.get_by_test_id("methodology-form")
    form.locator("textarea").fill(BUS_ZQ.replace("status: draft", "status: maybe"))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=methodology-error]")
    assert "maybe" in page.get_by_test_id("methodology-error").inner_text()
    area = page.get_by_test_id("methodology-form").locator("textarea")
    assert area.get_attribute("aria-invalid") == "true" and "status: maybe" in area.input_value()
    area.fill(BUS_ZQ)
    page.get_by_test_id("methodology-form").locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=rules-saved]")
    assert "sz-transit-bus@2025-zq1" in page.get_by_test_id("rules").inner_text()
    assert saved(app) == (1, 0)


def test_the_office_sets_caps_and_ranges_in_the_policy_form(client, app):
    log_in(client, "office")
    page = client.get("/inclusion")
    assert 'name="caps.total.daily_g" value=""' in page.text
    assert "公交出行 · 最高平均速度（km/h）" in page.text
    form = {
        "csrf_token": token(page.text),
        "caps.total.daily_g": "2,000",
        "plausibility.bus.max_speed_kmh": "60",
        "points_valid_months": "24",
        "note": "专班第4次会议",
    }
    response = client.post("/inclusion/policy", data=form)
    assert response.status_code == 200 and "平台规则已保存为新版本" in response.text
    assert 'name="caps.total.daily_g" value="2000"' in response.text
    assert 'name="plausibility.bus.max_speed_kmh" value="60"' in response.text
    assert "sz-transit-bus@2021-12" in response.text  # the methodology choices are kept
    assert saved(app) == (0, 1)
    # the history of versions, each as it was saved
    history = re.search(r'data-testid="scheme-history">(.*?)</details>', response.text, re.S)
    assert "专班第4次会议" in history.group(1) and "现行" in history.group(1)
    version = re.search(r'href="/inclusion/rules/(\d+)\.yaml"', history.group(1)).group(1)
    text = client.get(f"/inclusion/rules/{version}.yaml").text
    assert "daily_g: 2000" in text and "unit_id: zhangqiu" in text
    assert client.get("/inclusion/rules/999.yaml").status_code == 404
    # bad numbers: every one named, what was typed kept, nothing stored
    page = client.get("/inclusion")
    bad = {
        "csrf_token": token(page.text),
        "caps.total.daily_g": "lots",
        "plausibility.bus.max_speed_kmh": "-3",
        "claim_window_days": "7",
    }
    response = client.post("/inclusion/policy", data=bad)
    assert response.status_code == 400
    error = re.search(r'data-testid="policy-error">(.*?)</p>', response.text, re.S).group(1)
    assert "caps.total.daily_g: 应为非负整数" in error and "plausibility.bus.max_speed_kmh" in error
    assert 'name="caps.total.daily_g" value="lots"' in response.text
    assert saved(app) == (0, 1)


def test_the_office_sets_a_reduction_band_in_the_policy_form(client, app):
    """Issue #15 item 4 on the form: a band of ± 50 % around a typical bus trip of 269 g
    (10 km × 26.9 g/pkm [S7]; the band is the office's choice); both numbers or none."""
    log_in(client, "office")
    page = client.get("/inclusion")
    assert 'name="plausibility.bus.typical_reduction_g" value=""' in page.text
    assert 'name="plausibility.rooftop_pv.reduction_band_pct" value=""' in page.text
    assert "公交出行 · 单条记录典型减排量（g CO2）" in page.text
    # every scenario's two band numbers are among the rules not set yet: 31 before, + 2 × 7
    assert "尚未设定的平台规则：45 项" in page.text
    half = {"csrf_token": token(page.text), "plausibility.bus.typical_reduction_g": "269"}
    response = client.post("/inclusion/policy", data=half)
    assert response.status_code == 400 and "plausibility.bus.reduction_band_pct" in response.text
    assert saved(app) == (0, 0)
    form = {
        "csrf_token": token(page.text),
        "plausibility.bus.typical_reduction_g": "269",
        "plausibility.bus.reduction_band_pct": "50",
    }
    response = client.post("/inclusion/policy", data=form)
    assert response.status_code == 200
    assert 'name="plausibility.bus.reduction_band_pct" value="50"' in response.text
    with transaction(app.state.sessions) as s:
        scheme = rules_svc.rules(s, get_unit(s, "zhangqiu")).scheme
    band = scheme.plausibility_for(Scenario("bus"))
    assert (band.typical_reduction_g, band.reduction_band_pct) == (269, 50)
    assert band.reduction_outside(404) is not None and band.reduction_outside(269) is None
    assert len(scheme.unset()) == 43  # 45 less the two numbers set


def test_a_viewer_has_no_policy_form_and_may_not_post_it(client, app):
    page = log_in(client, "viewer") and client.get("/inclusion")
    assert 'data-testid="policy-form"' not in page.text
    response = client.post(
        "/inclusion/policy", data={"csrf_token": token(page.text), "claim_window_days": "7"}
    )
    assert response.status_code == 403 and saved(app) == (0, 0)


def test_a_new_version_starts_from_the_one_in_force(client, app):
    """The office fills the missing RF of the shared-bicycle methodology in a new version."""
    log_in(client, "office")
    page = client.get("/inclusion?from=gz-shared-bicycle@2023-11")
    area = re.search(r'<textarea name="yaml_text" rows="10"[^>]*>(.*?)</textarea>', page.text, re.S)
    draft = html.unescape(area.group(1))
    assert 'version: "2023-11-zhangqiu1"' in draft and "id: gz-shared-bicycle" in draft
    assert 'href="/inclusion?from=gz-shared-bicycle%402023-11#methodology-form"' in page.text
    assert client.get("/inclusion?from=nope@1").status_code == 404
    filled = draft.replace("    value:\n", '    value: "40"\n', 1).replace(
        "status: not_found", "status: office_decided", 1
    )
    response = client.post(
        "/inclusion/methodologies", data={"csrf_token": token(page.text), "yaml_text": filled}
    )
    assert response.status_code == 200 and "方法学版本已发布" in response.text
    assert saved(app) == (1, 0)  # published; the scheme chooses it when the office says so


def test_the_office_applies_a_version_from_a_date(client, app):
    log_in(client, "office")
    page = client.get("/inclusion")
    csrf = token(page.text)
    client.post("/inclusion/methodologies", data={"csrf_token": csrf, "yaml_text": BUS_ZQ})

    def choose(**form):
        return client.post("/inclusion/choice", data={"csrf_token": csrf, **form})

    wrong = choose(scenario="metro", methodology="sz-transit-bus@2025-zq1")
    assert wrong.status_code == 400 and "is a bus methodology, chosen for metro" in wrong.text
    bad_day = choose(scenario="bus", methodology="sz-transit-bus@2025-zq1", valid_from="soon")
    assert bad_day.status_code == 400 and "valid_from: 应为日期" in bad_day.text
    assert saved(app) == (1, 0)
    done = choose(scenario="bus", methodology="sz-transit-bus@2025-zq1", valid_from="2026-01-01")
    assert done.status_code == 200 and "平台规则已保存为新版本" in done.text
    row = re.search(r'<tr data-scenario="bus">(.*?)</tr>', done.text, re.S).group(1)
    assert "sz-transit-bus@2025-zq1" in row  # in force today (after 2026-01-01)
    with transaction(app.state.sessions) as s:
        scheme = rules_svc.rules(s, get_unit(s, "zhangqiu")).scheme
    bus = [str(c.ref) for c in scheme.methodologies if c.scenario.value == "bus"]
    assert bus == ["sz-transit-bus@2021-12", "sz-transit-bus@2025-zq1"]  # the old one stays
