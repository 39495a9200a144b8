"""Enterprise pages over HTTP and in Chromium: the list with the plan's firms, a report saved
from a file and taken through the workflow by the office and its verifier, the refusals (a
bad credit code, a verifier on a report not assigned to it, a step out of order) with nothing
stored, the Excel exports; the main pages in headless Chromium."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from playwright.sync_api import expect

from nearzero.services import indicators, users
from nearzero.services.context import Actor, Role
from nearzero.services.enterprise import registry
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store import enterprise as store
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import browser_log_in, log_in, token

OFFICE = Actor("office", Role.ADMIN)
POWER = (
    resources.files("nearzero.data")
    .joinpath("enterprise", "examples", "power_2024_illustrative.yaml")
    .read_bytes()
)


@pytest.fixture
def loaded(zhangqiu_url: str) -> str:
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = get_unit(session, "zhangqiu")
            registry.load_bundled(session, OFFICE, unit)
            entry = registry.EnterpriseInput(
                "example_power",
                "示例热电有限公司",
                industry_code="D4411",
                sector="power",
                covered_by_ets=True,
                illustrative=True,
            )
            registry.add_enterprise(session, OFFICE, unit, entry)
            users.create_user(session, OFFICE, "verifier1", "zhangqiu-demo", Role.VERIFIER)
            users.create_user(session, OFFICE, "verifier2", "zhangqiu-demo", Role.VERIFIER)
    finally:
        engine.dispose()
    return zhangqiu_url


@pytest.fixture
def web(loaded: str, tmp_path):
    app = create_app(Settings(database_url=loaded))
    app.state.evidence_dir = str(tmp_path / "evidence")
    yield app
    app.state.engine.dispose()


def counts(app) -> dict[str, int]:
    with transaction(app.state.sessions) as session:
        return store.counts(session)


def test_the_workflow_over_http(web) -> None:
    with TestClient(web) as office, TestClient(web) as verifier, TestClient(web) as other:
        log_in(office, "office")
        page = office.get("/enterprises")
        assert page.status_code == 200
        assert "华电章丘发电有限公司" in page.text and "示例" in page.text
        csrf = token(page.text)
        answer = office.post(
            "/enterprises/example_power/reports",
            data={"csrf_token": csrf},
            files={"file": ("power.yaml", POWER, "application/yaml")},
        )
        assert answer.status_code == 200 and "草稿" in answer.text  # followed to the report
        assert "待确认" in answer.text  # the power default carbon content is to_confirm
        report_id = int(str(answer.url).split("/reports/")[1].split("?")[0])
        url = f"/enterprises/reports/{report_id}"

        # a step out of order: nothing changes
        before = counts(web)
        refused = office.post(f"{url}/step", data={"csrf_token": csrf, "step": "confirm"})
        assert refused.status_code == 400 and "草稿的报告不能执行“confirm”" in refused.text
        assert counts(web) == before

        office.post(f"{url}/step", data={"csrf_token": csrf, "step": "submit"})
        done = office.post(
            f"{url}/step",
            data={"csrf_token": csrf, "step": "start_verification", "verifier": "verifier1"},
        )
        assert "核查中" in done.text

        log_in(other, "verifier2")
        assert other.get(url).status_code == 403  # not assigned to it
        log_in(verifier, "verifier1")
        mine = verifier.get("/enterprises")
        assert f"/enterprises/reports/{report_id}" in mine.text
        assert "华电章丘发电有限公司" not in mine.text  # a verifier sees its reports only
        assert verifier.get("/enterprises/screening").status_code == 403
        assert verifier.get("/enterprises/export.xlsx?kind=compliance").status_code == 403
        assert other.get(f"{url}/evidence/1").status_code == 403
        verified = verifier.post(
            f"{url}/step",
            data={
                "csrf_token": token(mine.text),
                "step": "verify",
                "findings": "月度台账与报告一致",
            },
        )
        assert verified.status_code == 200 and "已核查" in verified.text
        assert "月度台账与报告一致" in verified.text
        confirmed = office.post(f"{url}/step", data={"csrf_token": csrf, "step": "confirm"})
        assert "已确认" in confirmed.text

        for path in (
            "/enterprises/example_power",
            "/enterprises/screening?year=2024",
            "/enterprises/benchmarks?year=2024",
            "/enterprises/compliance?year=2024",
        ):
            assert office.get(path).status_code == 200, path
        t11 = office.get("/enterprises/compliance?year=2024").text
        assert 'data-testid="t11">1/1<' in t11
        export = office.get("/enterprises/export.xlsx?kind=screening&year=2024")
        sheet = load_workbook(io.BytesIO(export.content)).active
        names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert names == ["示例热电有限公司（示例）"]


def test_refusals_store_nothing(web) -> None:
    with TestClient(web) as office:
        page = log_in(office, "office")
        csrf = token(page.text)
        before = counts(web)
        bad = office.post(
            "/enterprises/add",
            data={
                "csrf_token": csrf,
                "key": "x",
                "name_zh": "某企业",
                "credit_code": "91350100M000100Y44",
            },
        )
        assert bad.status_code == 400
        assert "credit_code" in bad.text and "校验码" in bad.text
        negative = POWER.replace(b"consumption: 45000", b"consumption: -45000")
        refused = office.post(
            "/enterprises/example_power/reports",
            data={"csrf_token": csrf},
            files={"file": ("power.yaml", negative, "application/yaml")},
        )
        assert refused.status_code == 400 and "fuels[0].months[1].consumption" in refused.text
        assert counts(web) == before


def test_template_round_trip_over_http(web) -> None:
    with TestClient(web) as office:
        page = log_in(office, "office")
        template = office.get("/enterprises/huaming_cement/template.xlsx?year=2024")
        book = load_workbook(io.BytesIO(template.content))
        book["燃料燃烧"].append(["coal", "烟煤", "t", None, None, "kiln", "全年", 1000])
        book["熟料"].append(["kiln1", "kiln", 100000, 0.65, 0.02])
        filled = io.BytesIO()
        book.save(filled)
        saved = office.post(
            "/enterprises/huaming_cement/reports",
            data={"csrf_token": token(page.text)},
            files={"file": ("filled.xlsx", filled.getvalue(), "application/octet-stream")},
        )
        assert saved.status_code == 200 and "kiln1" in saved.text
        book["熟料"]["C2"] = "十万"
        wrong = io.BytesIO()
        book.save(wrong)
        refused = office.post(
            "/enterprises/huaming_cement/reports",
            data={"csrf_token": token(page.text)},
            files={"file": ("wrong.xlsx", wrong.getvalue(), "application/octet-stream")},
        )
        assert refused.status_code == 400
        assert "熟料 第2行" in refused.text and "应为数字" in refused.text


@pytest.fixture
def base_url(loaded: str, serve_app, tmp_path):
    app = create_app(Settings(database_url=loaded))
    app.state.evidence_dir = str(tmp_path / "evidence")
    yield serve_app(app)
    app.state.engine.dispose()


def test_enterprise_pages_in_chromium(page, base_url, tmp_path) -> None:
    browser_log_in(page, base_url, "office", "/enterprises")
    table = page.get_by_test_id("enterprise-table")
    assert "华电章丘发电有限公司" in table.inner_text()
    page.click("text=示例热电有限公司")
    report_file = tmp_path / "power.yaml"
    report_file.write_bytes(POWER)
    form = page.get_by_test_id("report-form")
    form.locator("input[type=file]").set_input_files(str(report_file))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=components]")
    assert page.get_by_test_id("state").inner_text() == "草稿"
    expect(page.get_by_test_id("to-confirm").first).to_be_visible()
    page.get_by_test_id("step-submit").click()
    page.wait_for_selector("[data-testid=step-start_verification]")
    assert page.get_by_test_id("state").inner_text() == "已提交"
    page.click("text=筛查名单")
    page.wait_for_selector("[data-testid=screening-table]")
    assert "示例热电有限公司" in page.get_by_test_id("screening-table").inner_text()
    page.click("text=能效标杆")
    assert "水泥熟料" in page.get_by_test_id("levels").inner_text()
    page.click("text=配额履约")
    assert "示例热电有限公司" in page.get_by_test_id("compliance-table").inner_text()


def test_monthly_evidence_over_http(web) -> None:
    with TestClient(web) as office:
        page = log_in(office, "office")
        csrf = token(page.text)
        pdf = ("ledger.pdf", b"%PDF-1.4 ledger", "application/pdf")
        form = {"csrf_token": csrf, "year": "2024", "month": "1", "item": "fuel_use"}
        saved = office.post(
            "/enterprises/example_power/evidence", data=form, files={"evidence": pdf}
        )
        assert saved.status_code == 200 and "ledger.pdf" in saved.text
        before = counts(web)
        refused = office.post(
            "/enterprises/example_power/evidence",
            data=form | {"month": "13"},
            files={"evidence": pdf},
        )
        assert refused.status_code == 400 and "month: 13" in refused.text
        assert counts(web) == before
        table = office.get("/enterprises/compliance?year=2024").text
        assert 'data-testid="overdue"' in table and "示例热电有限公司" in table


def test_the_pages_default_to_the_office_evaluation_year(web) -> None:
    """Not to the newest year with a report: every page opens on the office's year."""
    with TestClient(web) as office:
        log_in(office, "office")
        csrf = token(office.get("/enterprises").text)
        office.post(
            "/enterprises/example_power/reports",
            data={"csrf_token": csrf},
            files={"file": ("power.yaml", POWER, "application/yaml")},
        )  # a 2024 report, the newest
        with transaction(web.state.sessions) as session:
            unit = get_unit(session, "zhangqiu")
            year = indicators.evaluation_year(session, unit)
            assert year != 2024
            assert registry.list_page(session, OFFICE, unit, None).year == year
        for path in ("/enterprises", "/enterprises/screening", "/enterprises/compliance"):
            assert f'name="year" value="{year}"' in office.get(path).text, path
        listed = office.get("/enterprises").text  # sectors by name, not by key
        assert "氮肥（合成氨）" in listed and "nitrogen_fertiliser" not in listed
        english = office.get("/enterprises/huadian_zhangqiu", params={"lang": "en"}).text
        assert "power generation" in english
        firm = office.get("/enterprises/huadian_zhangqiu", params={"lang": "zh"}).text
        assert "<td>机组</td>" in firm and '<option value="kiln">窑</option>' in firm
        assert "<td>项目（在建或拟建）</td>" in firm
        with transaction(web.state.sessions) as session:
            unit = get_unit(session, "zhangqiu")
            indicators.set_evaluation_year(session, OFFICE, unit, 2024)
        assert 'name="year" value="2024"' in office.get("/enterprises").text
