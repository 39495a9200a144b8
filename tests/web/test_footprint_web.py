"""Footprint pages over HTTP and in Chromium: a firm's system uploaded, computed, shown with
its contributions and the factors still to confirm, approved by the office (indicator 14
counts it), the report downloaded as Word and PDF; refusals name what is wrong and write
nothing; the Excel template; the web form."""

from __future__ import annotations

import io
from importlib import resources

import pytest
import yaml
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from playwright.sync_api import expect

from nearzero.footprint.fileformat import dump
from nearzero.footprint.model import Exchange, Flow, Process, ProductSystem
from nearzero.reports.jobs import JobStore
from nearzero.services.context import Actor, Role
from nearzero.services.enterprise import registry, reports
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store import footprint as fp_store
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import browser_log_in, log_in, token

OFFICE = Actor("office", Role.ADMIN)
CO2 = Flow("co2", "CO2 化石", "kg", "elementary", "fossil", gas="CO2")
#: Solved by hand: the mill takes 0.1 t of its own steel back and 500 kWh at the 2023
#: electricity footprint factor 0.6205 kgCO2e/kWh and emits 1.5 t CO2 per t:
#: h = (1500 + 500 × 0.6205) / 0.9 = 2011.388… kgCO2e per t (tests/footprint/conftest.py).
STEEL = ProductSystem(
    name="示例锻件",
    functional_unit="1 t 锻件，出厂",
    reference_flow="steel",
    amount=1.0,
    unit="t",
    flows=(Flow("steel", "锻件", "t"), CO2),
    processes=(
        Process(
            "mill",
            "锻造车间",
            "steel",
            (
                Exchange("steel", 1, "t", "output"),
                Exchange("steel", 100, "kg", "input"),
                Exchange("electricity", 0.5, "MWh", factor="cn_elec_fp_2023_national"),
                Exchange("co2", 1.5, "t", "output"),
            ),
            "production",
        ),
    ),
)
SYSTEM = yaml.safe_dump(dump(STEEL), allow_unicode=True).encode()
TOTAL = "2,011.39"  # the page's fmt: two decimals above 1 000, thousands separated


def example(name: str) -> bytes:
    return resources.files("nearzero.data").joinpath("enterprise", "examples", name).read_bytes()


@pytest.fixture
def loaded(zhangqiu_url: str) -> str:
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = get_unit(session, "zhangqiu")
            entry = registry.EnterpriseInput(
                "example_cement", "示例水泥有限公司", industry_code="C3011", illustrative=True
            )
            registry.add_enterprise(session, OFFICE, unit, entry)
            reports.save_draft(
                session,
                OFFICE,
                unit,
                "example_cement",
                "c.yaml",
                example("cement_2024_illustrative.yaml"),
            )
    finally:
        engine.dispose()
    return zhangqiu_url


@pytest.fixture
def web(loaded: str):
    app = create_app(Settings(database_url=loaded))
    yield app
    app.state.engine.dispose()


def count(app) -> int:
    with transaction(app.state.sessions) as session:
        return fp_store.count(session)


def test_upload_compute_approve_download_over_http(web) -> None:
    with TestClient(web) as office, TestClient(web) as editor:
        log_in(office, "office")
        log_in(editor, "drc")
        page = editor.get("/footprint/example_cement?unit=zhangqiu&year=2024")
        assert page.status_code == 200 and "示例水泥有限公司" in page.text
        csrf = token(page.text)
        bad = editor.post(
            "/footprint/example_cement/upload?unit=zhangqiu",
            data={"csrf_token": csrf, "year": "2024"},
            files={"file": ("s.yaml", SYSTEM.replace(b"MWh", b"m"), "application/yaml")},
        )
        assert bad.status_code == 400
        assert "process &#39;mill&#39;, exchange 3" in bad.text
        assert count(web) == 0
        answer = editor.post(
            "/footprint/example_cement/upload?unit=zhangqiu",
            data={"csrf_token": csrf, "year": "2024"},
            files={"file": ("s.yaml", SYSTEM, "application/yaml")},
        )
        assert answer.status_code == 200 and count(web) == 1
        url = str(answer.url).split("?")[0].removeprefix("http://testserver")
        computed = editor.post(f"{url}/compute?unit=zhangqiu", data={"csrf_token": csrf})
        assert computed.status_code == 200
        assert TOTAL in computed.text
        assert "锻造车间" in computed.text and "电力碳足迹因子" in computed.text
        assert 'data-testid="fp-to-confirm"' in computed.text
        assert 'data-testid="fp-approve"' not in computed.text  # editors do not approve
        refused = editor.post(f"{url}/approve?unit=zhangqiu", data={"csrf_token": csrf})
        assert refused.status_code == 403
        approved = office.post(
            f"{url}/approve?unit=zhangqiu", data={"csrf_token": token(office.get(url).text)}
        )
        assert approved.status_code == 200 and "已审核（完成）" in approved.text
        overview = office.get("/footprint?unit=zhangqiu&year=2024")
        share = overview.text.split('data-testid="fp-share">', 1)[1][:40]
        assert share.startswith("100%")  # one key industrial firm of 2024, its study approved
        docx = office.get(f"{url}/report.docx?unit=zhangqiu")
        assert docx.status_code == 200
        doc = Document(io.BytesIO(docx.content))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "2,011.39" in text and "示例水泥有限公司" in text
        pdf = office.get(f"{url}/report.pdf?unit=zhangqiu")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        jobs = web.state.report_jobs = JobStore()  # the annual report's bound holds here too
        with jobs.building("office", "zhangqiu/2022/pdf"):
            held = office.get(f"{url}/report.docx?unit=zhangqiu")
            assert held.status_code == 429 and "每位用户同一时间只能生成一份报告" in held.text
        assert office.get(f"{url}/report.txt?unit=zhangqiu").status_code == 400


def test_indicator_14_on_the_page_and_fed(web) -> None:
    with TestClient(web) as office:
        log_in(office, "office")
        empty = office.get("/footprint?unit=zhangqiu&year=2023")
        assert "无数据" in empty.text
        assert 'data-testid="fp-feed"' not in empty.text
        page = office.get("/footprint?unit=zhangqiu&year=2024")
        share = page.text.split('data-testid="fp-share">', 1)[1][:40]
        assert share.startswith("0%")
        fed = office.post(
            "/footprint/indicator?unit=zhangqiu",
            data={"csrf_token": token(page.text), "year": "2024"},
        )
        assert fed.status_code == 200
        refused = office.post(
            "/footprint/indicator?unit=zhangqiu",
            data={"csrf_token": token(page.text), "year": "2023"},
        )
        assert refused.status_code == 400 and "指标14没有数据" in refused.text


def test_template_and_form(web) -> None:
    with TestClient(web) as editor:
        log_in(editor, "drc")
        template = editor.get("/footprint/template.xlsx")
        assert template.status_code == 200
        book = load_workbook(io.BytesIO(template.content))
        assert book.sheetnames == ["产品系统", "流", "过程", "说明"]
        book["过程"]["F3"] = "abc"
        buffer = io.BytesIO()
        book.save(buffer)
        page = editor.get("/footprint/example_cement?unit=zhangqiu")
        csrf = token(page.text)
        refused = editor.post(
            "/footprint/example_cement/upload?unit=zhangqiu",
            data={"csrf_token": csrf, "year": "2024"},
            files={"file": ("t.xlsx", buffer.getvalue(), "application/octet-stream")},
        )
        assert refused.status_code == 400
        assert "sheet &#39;过程&#39;, row 3, column F" in refused.text
        form = {
            "csrf_token": csrf,
            "year": "2024",
            "product": "示例树脂",
            "functional_unit": "1 t 树脂",
            "fu_unit": "t",
            "amount": "1",
            "kind_1": "factor",
            "name_1": "电力",
            "amount_1": "100",
            "unit_1": "kWh",
            "factor_1": "cn_elec_fp_2024_national",
            "kind_2": "CO2",
            "name_2": "燃烧",
            "amount_2": "42.23",
        }
        saved = editor.post("/footprint/example_cement/form?unit=zhangqiu", data=form)
        assert saved.status_code == 200 and "示例树脂" in saved.text
        url = str(saved.url).split("?")[0].removeprefix("http://testserver")
        done = editor.post(f"{url}/compute?unit=zhangqiu", data={"csrf_token": csrf})
        assert ">100<" in done.text.replace("</strong>", "<")  # 57.77 + 42.23 = 100 kgCO2e


def test_viewer_reads_but_does_not_write(web) -> None:
    with TestClient(web) as viewer:
        log_in(viewer, "viewer")
        page = viewer.get("/footprint/example_cement?unit=zhangqiu")
        assert page.status_code == 200 and 'data-testid="fp-upload"' not in page.text
        refused = viewer.post(
            "/footprint/example_cement/upload?unit=zhangqiu",
            data={"csrf_token": token(page.text), "year": "2024"},
            files={"file": ("s.yaml", SYSTEM, "application/yaml")},
        )
        assert refused.status_code == 403 and count(web) == 0


@pytest.fixture
def base_url(loaded, serve_app):
    app = create_app(Settings(database_url=loaded))
    yield serve_app(app)
    app.state.engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_upload_compute_and_download_in_chromium(page, base_url, tmp_path):
    browser_log_in(page, base_url, "office", "/enterprises?unit=zhangqiu")
    page.get_by_test_id("nav-footprint").click()
    page.get_by_role("link", name="示例水泥有限公司").click()
    path = tmp_path / "steel.yaml"
    path.write_bytes(SYSTEM)
    upload = page.get_by_test_id("fp-upload")
    upload.locator("input[name=year]").fill("2024")
    upload.locator("input[type=file]").set_input_files(str(path))
    upload.locator("button[type=submit]").click()
    page.get_by_test_id("fp-compute").locator("button[type=submit]").click()
    assert page.get_by_test_id("fp-total").inner_text() == TOTAL
    rows = page.get_by_test_id("fp-processes").locator("tbody tr")
    assert "锻造车间" in rows.first.inner_text()
    assert "电力碳足迹因子" in page.get_by_test_id("fp-to-confirm").inner_text()
    with page.expect_download() as info:
        page.get_by_test_id("fp-report-docx").click()
    saved = tmp_path / "report.docx"
    info.value.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "产品碳足迹为2,011.39 kgCO2e" in text
    with page.expect_download() as info:
        page.get_by_test_id("fp-report-pdf").click()
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    page.get_by_test_id("fp-approve").locator("button").click()
    # the page before has the old state: wait for the new one
    expect(page.get_by_test_id("fp-state")).to_have_text("已审核（完成）")


def test_every_footprint_text_has_zh_and_en() -> None:
    import re
    from pathlib import Path

    from nearzero.web import i18n

    folder = Path(i18n.__file__).parent / "templates"
    used = set()
    for name in ("footprint.html", "footprint_firm.html", "footprint_study.html"):
        used |= set(re.findall(r"t\('([a-z_0-9]+)'", (folder / name).read_text("utf-8")))
    used |= {f"fp_kind_{k}" for k in ("factor", "CO2", "CH4", "N2O", "CO2_biogenic", "material")}
    used = {k for k in used if not k.endswith("_")}  # 'fp_kind_' ~ kind, listed above
    missing = sorted(k for k in used if k not in i18n.MESSAGES)
    assert missing == []
    assert all(i18n.MESSAGES[k][0] != i18n.MESSAGES[k][1] for k in used if k.startswith("fp_"))


def test_pages_in_english(web) -> None:
    from nearzero.web import i18n

    with TestClient(web) as office:
        log_in(office, "office")
        for url in ("/footprint?unit=zhangqiu&lang=en", "/footprint/example_cement?lang=en"):
            page = office.get(url)
            assert page.status_code == 200
            for key in (k for k in i18n.MESSAGES if k.startswith("fp_")):
                assert key not in page.text
            assert "Product footprints" in page.text
