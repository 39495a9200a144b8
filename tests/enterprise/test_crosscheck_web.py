"""The cross-check page and its Excel export over HTTP, and the page in Chromium, on the
three hand-worked firms of firms_2022 (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import browser_log_in, log_in

from . import firms_2022 as ex


@pytest.fixture
def loaded(zhangqiu_url: str) -> str:
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            ex.load(session)
    finally:
        engine.dispose()
    return zhangqiu_url


@pytest.fixture
def web(loaded: str):
    app = create_app(Settings(database_url=loaded))
    yield app
    app.state.engine.dispose()


def test_the_crosscheck_page_and_its_export(web) -> None:
    with TestClient(web) as office:
        log_in(office, "office")
        page = office.get("/enterprises/crosscheck?year=2022")
        assert page.status_code == 200
        assert 'data-category="2.A.1"' in page.text and "水泥生产" in page.text
        assert "53,271.43" in page.text  # 100,000 t × (0.65 × 44/56 + 0.02 × 44/40)
        assert "待确认" in page.text  # the category ↔ industry mapping
        export = office.get("/enterprises/export.xlsx?kind=crosscheck&year=2022")
        assert export.status_code == 200
        sheet = load_workbook(io.BytesIO(export.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "清单类别代码"
        by_code = {r[0]: r for r in rows[1:] if r[0]}
        assert by_code["2.B.1"][3] == pytest.approx(1650.0)  # 2,750 − 1,100 recovered
        assert by_code["1.A.1.a"][6] == "核查数"
        none = office.get("/enterprises/crosscheck?year=2019")
        assert "尚无清单活动数据" in none.text


@pytest.fixture
def base_url(loaded: str, serve_app):
    app = create_app(Settings(database_url=loaded))
    yield serve_app(app)
    app.state.engine.dispose()


def test_the_crosscheck_page_in_chromium(page, base_url) -> None:
    browser_log_in(page, base_url, "office", "/enterprises/screening?year=2022")
    page.click("text=清单交叉核对")
    page.wait_for_selector("[data-testid=crosscheck-table]")
    text = page.get_by_test_id("crosscheck-table").inner_text()
    assert "1.A.1.a 公用电力与热力生产" in text and "1,796.67" in text
