"""The dashboard in real headless Chromium: log in, read the counts, enter a value, see it."""

import pytest
from playwright.sync_api import expect

from nearzero.settings import Settings
from nearzero.web.app import create_app
from webclient import browser_log_in


@pytest.fixture
def base_url(zhangqiu_url, serve_app):
    app = create_app(Settings(database_url=zhangqiu_url))
    yield serve_app(app)
    app.state.engine.dispose()


def test_office_enters_a_value_and_sees_the_status_change(page, base_url):
    browser_log_in(page, base_url, "office")
    assert page.get_by_test_id("binding-met").inner_text() == "12"
    assert page.get_by_test_id("binding-total").inner_text() == "18"
    assert page.get_by_test_id("reference-met").inner_text() == "6"
    assert page.get_by_test_id("reference-total").inner_text() == "14"
    assert "尚不具备验收条件" in page.get_by_test_id("readiness").inner_text()
    page.wait_for_selector("#category-chart[data-ready] canvas")  # ECharts drew, offline

    # no. 21 星级绿色建筑占城镇新建建筑比例: 4 % in 2022 against ≥5 → not met
    page.click("a[href^='/indicators?']")
    page.click("text=星级绿色建筑占城镇新建建筑比例")
    assert page.get_by_test_id("status").locator(".badge").get_attribute("data-status") == "not_met"
    form = page.get_by_test_id("value-form")
    form.locator("input[name=year]").fill("2022")
    form.locator("input[name=value]").fill("5.6")
    form.locator("input[name=source]").fill("区住建局2022年核定")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已保存")
    assert page.get_by_test_id("status").locator(".badge").get_attribute("data-status") == "met"
    assert "区住建局2022年核定" in page.get_by_test_id("history").inner_text()

    page.click("nav >> text=总览")
    assert page.get_by_test_id("binding-met").inner_text() == "13"


def test_english_and_chart_on_indicator_page(page, base_url):
    browser_log_in(page, base_url, "viewer")
    page.goto(f"{base_url}/indicators/3?lang=en")
    page.wait_for_selector("#trend-chart[data-ready] canvas")
    assert "CO2 emissions per unit of GDP" in page.content()
    assert page.get_by_test_id("status").inner_text().strip().startswith("not met")
    page.get_by_test_id("lang-switch").click()
    # content() does not wait: wait for the Chinese page to replace the English one
    expect(page.locator("body")).to_contain_text("单位地区生产总值二氧化碳排放")
