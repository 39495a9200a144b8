"""The office's yearly data cycle in the dashboard (issue #12 items 2-6), over HTTP and in
headless Chromium, on SQLite and PostgreSQL: the evaluation year, the deadline and the
confirmation switch on the office's to-do page; a department's to-do; submit, confirm,
send back; correct and withdraw with a reason; no data apart from not met."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import select

from nearzero.services import indicators as svc
from nearzero.services.context import Actor, Role
from nearzero.settings import Settings
from nearzero.store import tables as m
from nearzero.store.db import transaction
from nearzero.web.app import create_app
from webclient import DEMO_PASSWORD, browser_log_in, log_in, token

OFFICE = Actor("office", Role.ADMIN)


def csrf(client: TestClient, path: str = "/todo") -> str:
    return token(client.get(path).text)


def set_year(app: Any, year: int) -> None:
    with transaction(app.state.sessions) as session:
        svc.set_evaluation_year(session, OFFICE, svc.get_unit(session, "zhangqiu"), year)


def test_the_office_sets_the_evaluation_year_and_a_future_year_is_refused(client: Any) -> None:
    log_in(client, "office")
    page = client.get("/todo")
    assert page.status_code == 200
    assert 'data-testid="evaluation-year">2022' in page.text
    assert 'data-testid="evaluation-year-form"' in page.text
    next_year = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year + 1
    refused = client.post(
        "/todo/evaluation-year?unit=zhangqiu",
        data={"csrf_token": token(page.text), "evaluation_year": str(next_year)},
    )
    assert refused.status_code == 400
    assert "evaluation_year" in refused.text and "北京时间" in refused.text
    assert "China Standard Time" not in refused.text
    english = client.post(
        "/todo/evaluation-year?unit=zhangqiu&lang=en",
        data={"csrf_token": token(page.text), "evaluation_year": str(next_year)},
    )
    assert english.status_code == 400
    assert "evaluation_year: expected a year up to the current year" in english.text
    assert "北京时间" not in english.text
    client.get("/todo?lang=zh")
    done = client.post(
        "/todo/evaluation-year?unit=zhangqiu",
        data={"csrf_token": token(page.text), "evaluation_year": "2023"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    # every page now shows 2023 by default
    assert "总览 · 2023" in client.get("/").text
    assert "指标体系 · 2023" in client.get("/indicators").text
    assert 'data-testid="evaluation-year">2023' in client.get("/todo").text


def test_the_office_sets_the_deadline_and_switches_confirmation(client: Any) -> None:
    log_in(client, "office")
    csrf_token = csrf(client)
    bad = client.post(
        "/todo/deadline?unit=zhangqiu",
        data={"csrf_token": csrf_token, "year": "2022", "due": "31/03/2023"},
    )
    assert bad.status_code == 400 and "due" in bad.text
    client.post(
        "/todo/deadline?unit=zhangqiu",
        data={"csrf_token": csrf_token, "year": "2022", "due": "2023-03-31"},
    )
    page = client.get("/todo")
    assert 'data-testid="deadline">2023-03-31' in page.text
    assert "已过截止日期" in page.text  # 2023-03-31 is long past
    assert 'data-testid="overdue-data"' in page.text
    client.post(
        "/todo/confirmation?unit=zhangqiu", data={"csrf_token": csrf_token, "confirmation": "off"}
    )
    assert "关闭：数值保存后即计入评估" in client.get("/todo").text


def test_an_editor_may_not_set_the_cycle_or_confirm(client: Any) -> None:
    log_in(client, "drc")
    page = client.get("/todo")
    assert page.status_code == 200
    assert 'data-testid="evaluation-year-form"' not in page.text
    assert 'data-department="drc"' in page.text and 'data-department="eeb"' not in page.text
    for path, data in (
        ("/todo/evaluation-year", {"evaluation_year": "2023"}),
        ("/indicators/17/values/confirm", {"year": "2022"}),
        ("/indicators/17/values/return", {"year": "2022", "reason": "x"}),
    ):
        refused = client.post(f"{path}?unit=zhangqiu", data={"csrf_token": token(page.text)} | data)
        assert refused.status_code == 403, path


def test_overview_shows_no_data_apart_and_lists_what_is_missing(client: Any) -> None:
    log_in(client, "viewer")
    page = client.get("/?year=2022")
    assert 'data-testid="missing-list"' in page.text
    no_data = re.search(r'data-testid="count-no_data">(\d+)<', page.text)
    not_met = re.search(r'data-testid="count-not_met">(\d+)<', page.text)
    assert no_data and not_met
    chart = re.search(r'id="category-chart-data">(.*?)</script>', page.text)
    assert chart
    data = json.loads(chart.group(1))
    assert data["labels"]["no_data"] == "无数据" and len(data["no_data"]) == len(data["met"])
    empty = client.get("/?year=2023")
    assert 'data-testid="count-met">0<' in empty.text
    assert 'data-testid="count-not_met">0<' in empty.text  # missing is not failing
    assert 'data-testid="binding-no-data"' in empty.text
    assert "Indicators without this year" in client.get("/?year=2023&lang=en").text


def test_correct_and_withdraw_through_the_indicator_page(client: Any) -> None:
    log_in(client, "drc")
    page = client.get("/indicators/17?year=2022")
    assert 'data-testid="correct-form"' in page.text
    no_reason = client.post(
        "/indicators/17/values/correct?unit=zhangqiu",
        data={
            "csrf_token": token(page.text),
            "year": "2022",
            "new_year": "2022",
            "value": "0.21",
            "reason": " ",
        },
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    corrected = client.post(
        "/indicators/17/values/correct?unit=zhangqiu",
        data={
            "csrf_token": token(page.text),
            "year": "2022",
            "new_year": "2022",
            "value": "0.21",
            "reason": "按发改局年报更正",
        },
    )
    assert corrected.status_code == 200 and 'data-state="submitted"' in corrected.text
    assert "value.correct" in corrected.text and "按发改局年报更正" in corrected.text
    withdrawn = client.post(
        "/indicators/17/values/withdraw?unit=zhangqiu",
        data={"csrf_token": token(page.text), "year": "2022", "reason": "数据口径有误"},
    )
    assert withdrawn.status_code == 200 and "value.withdraw" in withdrawn.text
    with transaction(client.app.state.sessions) as session:
        entry = session.scalars(
            select(m.AuditLog).where(m.AuditLog.action == "value.withdraw")
        ).one()
        assert (entry.actor, entry.new["reason"]) == ("drc", "数据口径有误")


# --------------------------------------------------------------------------- Chromium


@pytest.fixture
def served(zhangqiu_url: str, serve_app: Any) -> Any:
    app = create_app(Settings(database_url=zhangqiu_url))
    set_year(app, 2023)  # the office evaluates 2023: nothing is in yet
    yield app, serve_app(app)
    app.state.engine.dispose()


def submit(page: Any, base_url: str, code: str, value: str) -> None:
    page.goto(f"{base_url}/indicators/{code}?year=2023")
    form = page.get_by_test_id("value-form")
    form.locator("input[name=year]").fill("2023")
    form.locator("input[name=value]").fill(value)
    form.locator("input[name=source]").fill("2023年统计年报")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已保存")
    state = page.locator("tr[data-year='2023'] [data-state]").first
    assert state.get_attribute("data-state") == "submitted"


def test_submit_confirm_send_back_in_chromium(browser: Any, served: Any) -> None:
    _app, base_url = served
    editor = browser.new_context(locale="zh-CN").new_page()
    office = browser.new_context(locale="zh-CN").new_page()
    try:
        browser_log_in(office, base_url, "office")
        binding = office.get_by_test_id("binding-met").inner_text()
        reference = office.get_by_test_id("reference-met").inner_text()
        assert (binding, reference) == ("0", "0")

        # the department editor submits two values: no. 17 (binding), no. 22 (reference)
        browser_log_in(editor, base_url, "drc")
        submit(editor, base_url, "17", "0.25")
        submit(editor, base_url, "22", "60")

        # the office sees them pending; they do not count yet
        office.reload()
        assert office.get_by_test_id("pending-count").inner_text() == "2"
        assert office.get_by_test_id("binding-met").inner_text() == "0"
        office.click("nav >> text=待办")
        expect(office.get_by_test_id("pending-row")).to_have_count(2)
        office.locator("[data-testid=pending-row][data-code='17'] [data-testid=confirm]").click()
        office.wait_for_selector("text=已保存")
        row = office.locator("[data-testid=pending-row][data-code='22']")
        row.get_by_test_id("return-reason").fill("与统计年报不一致，请核实后重报")
        row.get_by_test_id("send-back").click()
        office.wait_for_selector("text=已保存")
        expect(office.get_by_test_id("pending-none")).to_be_visible()

        # the overview counts change only for the confirmed one
        office.click("nav >> text=总览")
        assert office.get_by_test_id("binding-met").inner_text() == "1"
        assert office.get_by_test_id("reference-met").inner_text() == "0"
        office.wait_for_selector("#category-chart[data-ready] canvas")

        # the editor's to-do shows the returned value with its reason
        editor.click("nav >> text=待办")
        returned = editor.get_by_test_id("returned")
        expect(returned.locator("tr[data-code='22']")).to_have_count(1)
        assert returned.get_by_test_id("reason").inner_text() == "与统计年报不一致，请核实后重报"
        missing = editor.get_by_test_id("missing")
        expect(missing.locator("li[data-code='11']")).to_have_count(1)  # still to enter
        assert missing.locator("li[data-code='17']").count() == 0  # in, and confirmed
    finally:
        editor.context.close()
        office.context.close()


def test_the_to_do_in_english(client: Any) -> None:
    log_in(client, "office")
    page = client.get("/todo?lang=en")
    assert "Data to-do" in page.text and "Evaluation year" in page.text
    assert DEMO_PASSWORD not in page.text
