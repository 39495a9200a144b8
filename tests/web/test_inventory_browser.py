"""The inventory page in headless Chromium: the charts draw (offline ECharts) and the
guideline sector table shows."""

from __future__ import annotations

import re

import pytest

from nearzero.services import inventory
from nearzero.services.context import Actor
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import browser_log_in


@pytest.fixture
def base_url(zhangqiu_url, serve_app):
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            inventory.load_example(session, Actor.system("test"), get_unit(session, "zhangqiu"))
    finally:
        engine.dispose()
    app = create_app(Settings(database_url=zhangqiu_url))
    yield serve_app(app)
    app.state.engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_inventory_page_draws_charts_and_the_sector_table(page, base_url):
    browser_log_in(page, base_url, "office")
    page.click("nav >> text=温室气体清单")
    for chart in ("inv-sectors", "inv-sankey", "inv-trend", "inv-ranges"):
        page.wait_for_selector(f"#{chart}[data-ready] canvas")
    table = page.get_by_test_id("inv-sector-table")
    rows = table.locator("tbody tr")
    assert rows.nth(0).locator("td").nth(0).inner_text() == "能源活动"
    assert rows.count() == 8  # five sectors, two totals, the memo row
    assert page.get_by_test_id("example-label").inner_text() == "示例（部分数据为假设）"
    assert page.get_by_test_id("inv-total-excl").inner_text() == "658.43"
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.select_option("[data-testid=inv-gwp]", "AR6")
    page.wait_for_url(re.compile(r".*gwp=AR6.*"))
    page.wait_for_selector("#inv-sankey[data-ready] canvas")
    assert errors == []
