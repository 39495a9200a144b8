"""Key-project pages over HTTP and in headless Chromium, on SQLite and PostgreSQL."""

import datetime as dt
import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from nearzero.services import projects as svc
from nearzero.services.context import Actor
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store import tables as m
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import browser_log_in, log_in, token

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def app(zhangqiu_url, tmp_path):
    engine = make_engine(zhangqiu_url)
    with transaction(session_factory(engine)) as session:
        svc.load_bundled_figures(session, Actor.system("test"), get_unit(session, "zhangqiu"))
    engine.dispose()
    application = create_app(Settings(database_url=zhangqiu_url))
    application.state.evidence_dir = tmp_path / "evidence"
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def stored(app):
    with transaction(app.state.sessions) as session:
        return (
            session.scalar(select(func.count()).select_from(m.ProjectProgress)),
            session.scalar(select(func.count()).select_from(m.ProjectEvidence)),
        )


def test_board_shows_late_projects_at_the_top(client):
    log_in(client, "viewer")
    page = client.get("/projects")
    assert page.status_code == 200
    alerts = re.search(r'data-testid="late-alerts">(.*?)</div>', page.text, re.S).group(1)
    # project 3 is due 2023年底 with no completion recorded: late at today's date
    assert 'data-number="3"' in alerts and "10.08兆瓦" in alerts
    assert re.search(r'<tr data-number="3" class="row-late">', page.text)
    assert "项目" in page.text and "Projects" in client.get("/projects?lang=en").text
    drc_only = client.get("/projects?department=drc&stage=late&lang=zh")
    assert 'data-number="3"' in drc_only.text and 'data-number="1"' not in drc_only.text
    assert client.get("/projects?stage=bogus").status_code == 400


def test_project_page_shows_reduction_parameters_and_what_is_missing(client):
    log_in(client, "viewer")
    page = client.get("/projects/26")
    assert "90,000" in page.text and "ccu_permanent_share_urea" in page.text
    assert "to_confirm" in page.text
    assert "山东省光伏发电年利用小时数" in client.get("/projects/3").text
    assert 'data-testid="progress-form"' not in page.text  # the viewer may only read
    # what the number leans on, in the page's language
    zh, en = client.get("/projects/3").text, client.get("/projects/3?lang=en").text
    assert "山东省光伏发电年利用小时数尚无确认值" in zh and "has no confirmed value" not in zh
    assert "Shandong PV full-load hours has no confirmed value" in en
    assert "只是捕集，不是清除" in client.get("/projects/26?lang=zh").text
    assert client.get("/projects/99").status_code == 404


def test_upload_progress_and_download_evidence(client, app):
    log_in(client, "drc")
    page = client.get("/projects/3")
    response = client.post(
        "/projects/3/progress",
        data={
            "csrf_token": token(page.text),
            "reported_on": "2024-05-01",
            "stage": "done",
            "percent": "100",
            "note": "并网验收",
        },
        files={"evidence": ("并网验收.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "已保存" in page.text and "并网验收.pdf" in page.text
    link = re.search(r'href="(/projects/3/evidence/\d+)\?', page.text).group(1)
    download = client.get(link)
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert stored(app) == (1, 1)
    board = client.get("/projects")
    assert 'data-number="3"' not in re.search(
        r'data-testid="alerts">(.*?)</section>', board.text, re.S
    ).group(1)


@pytest.mark.parametrize(
    ("files", "data", "message"),
    [
        ({"evidence": ("a.exe", b"MZ\x90", "application/octet-stream")}, {}, "type .exe"),
        ({"evidence": ("a.pdf", b"GIF89a", "application/pdf")}, {}, "not a pdf file"),
        ({}, {"percent": "150"}, "percent"),
        ({}, {"reported_on": "2024-13-01"}, "reported_on"),
    ],
)
def test_refused_upload_stores_nothing(client, app, files, data, message):
    log_in(client, "drc")
    page = client.get("/projects/3")
    form = {
        "csrf_token": token(page.text),
        "reported_on": "2024-05-01",
        "stage": "under_way",
        "percent": "40",
    } | data
    response = client.post("/projects/3/progress?lang=en", data=form, files=files or None)
    assert response.status_code == 400
    assert message in re.search(r'data-testid="error">([^<]*)', response.text).group(1)
    assert stored(app) == (0, 0)
    assert not (app.state.evidence_dir).exists()


def test_other_departments_are_refused(client, app):
    log_in(client, "eeb")
    page = client.get("/projects/3")
    assert 'data-testid="progress-form"' not in page.text
    form = {"csrf_token": token(page.text), "reported_on": "2024-05-01", "stage": "done"}
    assert client.post("/projects/3/progress", data=form).status_code == 403
    assert stored(app) == (0, 0)


def figures_form(page_text, **values):
    """Every field of the figures form as the page fills it, with ``values`` changed."""
    form = re.search(r'data-testid="figures-form">(.*?)</form>', page_text, re.S).group(1)
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    for name, chosen in re.findall(
        r'<select name="([^"]+)">(.*?)</select>', form, re.S
    ):  # the selected option of each select
        picked = re.search(r'<option value="([^"]*)" selected', chosen)
        data[name] = picked.group(1) if picked else ""
    return data | values


def audit_count(app, action):
    with transaction(app.state.sessions) as session:
        return session.scalar(
            select(func.count()).select_from(m.AuditLog).where(m.AuditLog.action == action)
        )


def test_project_page_says_which_parameter_is_missing(client):
    log_in(client, "viewer")
    gas = client.get("/projects/10").text
    missing = re.search(r'data-testid="reduction-missing">(.*?)</p>', gas, re.S).group(1)
    assert "年利用小时数（燃气热电机组年利用小时数）" in missing
    assert 'data-parameter="gas_chp_full_load_hours"' in missing
    assert "被替代燃煤机组供电效率（燃煤机组供电效率）" in missing
    pv = client.get("/projects/3").text
    # 10.08 MW × 1 286 h × 0.6361 t/MWh = 8 245.69 t/a, with the proxy said on the page
    assert "8,245.69" in re.search(r'data-testid="reduction-value">(.*?)</dd>', pv, re.S).group(1)
    assert "pv_full_load_hours_national" in pv and "暂以全国光伏平均利用小时数" in pv
    board = client.get("/projects").text
    row = re.search(r'<tr data-number="22".*?</tr>', board, re.S).group(0)
    assert "地上生物量年增长量（造林地上生物量年增长量）" in row
    assert "根茎比（造林根茎比）" in row and 'data-parameter="afforestation_root_shoot"' in row
    scenario = client.get("/projects/scenario").text
    assert "永久封存比例（外售液体二氧化碳的永久封存比例）" in scenario
    # a project without figures is said so in the page's language, not as a raw error
    assert "未登记减排量核算方式" in scenario and "no figures:" not in scenario
    assert "no method of reduction recorded" in client.get("/projects/1?lang=en").text
    assert 'data-testid="figures-form"' not in gas  # viewers only read


def test_figures_form_saves_converted_figures_with_audit(client, app):
    log_in(client, "drc")
    page = client.get("/projects/3")
    data = figures_form(
        page.text,
        full_load_hours="1.1",
        full_load_hours_unit="kh/a",
        start_date="2023-01-10",
        source="伊莱特可研报告",
    )
    assert data["kind"] == "pv" and data["capacity"] == "10.08" and data["capacity_unit"] == "MW"
    response = client.post("/projects/3/figures", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    # 10.08 MW × 1 100 h × 0.6361 t/MWh = 7 053.08 t/a
    assert "7,053.08" in re.search(r'data-testid="reduction-value">(.*?)</dd>', page.text).group(1)
    assert "伊莱特可研报告" in page.text and "2023-01-10" in page.text
    assert audit_count(app, "figures.set") == 13  # 12 bundled + this one


@pytest.mark.parametrize(
    ("values", "message", "field"),
    [
        ({"capacity": "ten"}, "capacity（装机容量）: expected a number, got 'ten'", "capacity"),
        (
            {"capacity_unit": "亩"},
            "capacity（装机容量）: unit '亩' does not convert to MW",
            "capacity",
        ),
        (
            {"full_load_hours": "1100", "full_load_hours_unit": "斤斤"},
            "full_load_hours（年利用小时数）: unknown unit '斤斤'",
            "full_load_hours",
        ),
        ({"capacity": "-3"}, "capacity（装机容量）: must not be negative", "capacity"),
        ({"start_date": "2030-01-01"}, "start_date: 2030-01-01 is after the due date", None),
        ({"kind": "wind"}, "kind: expected one of", None),
    ],
)
def test_refused_figures_store_nothing_and_name_the_field(client, app, values, message, field):
    log_in(client, "drc")
    page = client.get("/projects/3")
    response = client.post("/projects/3/figures?lang=en", data=figures_form(page.text, **values))
    assert response.status_code == 400
    shown = html.unescape(re.search(r'data-testid="error">([^<]*)', response.text).group(1))
    assert message in shown
    if field:  # the field at fault is marked, and what was typed is kept
        row = re.search(
            rf'<tr class="invalid" data-figure="{field}">(.*?)</tr>', response.text, re.S
        ).group(1)
        assert 'aria-invalid="true"' in row
    assert audit_count(app, "figures.set") == 12
    with transaction(app.state.sessions) as session:
        row = session.scalars(select(m.KeyProject).where(m.KeyProject.number == 3)).one()
        assert row.figures["capacity"] == "10.08 MW" and "full_load_hours" not in row.figures


def test_figures_refused_for_other_departments_and_without_csrf(client, app):
    log_in(client, "eeb")
    page = client.get("/projects/3")
    assert 'data-testid="figures-form"' not in page.text
    data = {"csrf_token": token(page.text), "kind": "pv", "capacity": "1", "capacity_unit": "MW"}
    assert client.post("/projects/3/figures", data=data).status_code == 403
    log_in(client, "drc")
    assert client.post("/projects/3/figures", data=data | {"csrf_token": "x"}).status_code in (
        400,
        403,
    )
    assert audit_count(app, "figures.set") == 12


def test_milestone_marked_done_over_http(client, app):
    log_in(client, "drc")
    page = client.get("/projects/3")
    added = client.post(
        "/projects/3/milestones",
        follow_redirects=False,
        data={"csrf_token": token(page.text), "title": "并网验收", "due_date": "2023-12-31"},
    )
    assert added.status_code == 303
    page = client.get("/projects/3")
    action = re.search(r'action="(/projects/3/milestones/\d+/done)\?', page.text).group(1)
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        f"{action}?lang=en", data={"csrf_token": token(page.text), "done_on": future}
    )
    assert refused.status_code == 400 and "in the future" in refused.text
    bad = client.post(
        f"{action}?lang=en", data={"csrf_token": token(page.text), "done_on": "31.12.2023"}
    )
    assert bad.status_code == 400 and "done_on: expected a date" in bad.text
    client.get("/projects/3?lang=zh")
    assert audit_count(app, "milestone.done") == 0
    done = client.post(
        action,
        data={"csrf_token": token(page.text), "done_on": "2024-01-05"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get("/projects/3")
    assert "✓ 完成于 2024-01-05" in page.text
    assert 'data-testid="milestone-done-form"' not in page.text
    assert audit_count(app, "milestone.done") == 1


def test_scenario_page_has_its_chart_data(client):
    log_in(client, "viewer")
    page = client.get("/projects/scenario")
    assert page.status_code == 200
    data = json.loads(
        re.search(r'id="scenario-chart-data">(.*?)</script>', page.text, re.S).group(1)
    )
    assert data["years"][0] == "2020" and data["years"][-1] == "2030"
    assert data["series"]["recorded"][:3] == [929.07, 1004.88, 853.78]  # 万吨
    assert data["series"]["target"][5] == pytest.approx(0.7314 * 1310.33, rel=1e-3)
    assert "基准情景已可达标" in page.text


def test_board_and_upload_in_chromium(page, app, serve_app, tmp_path):
    base = serve_app(app)
    browser_log_in(page, base, "drc", "/projects")
    page.wait_for_selector("[data-testid=late-alerts]")
    late = page.get_by_test_id("late-alerts")
    assert late.locator("li[data-number='3']").count() == 1
    assert "逾期未完成" in late.inner_text()
    row = page.locator("tr[data-number='3']")
    assert row.get_attribute("class") == "row-late"
    assert row.locator(".badge").get_attribute("data-stage") == "late"

    row.locator("a").click()
    form = page.get_by_test_id("progress-form")
    form.locator("input[name=reported_on]").fill(dt.date(2024, 5, 1).isoformat())
    form.locator("select[name=stage]").select_option("under_way")
    form.locator("input[name=percent]").fill("60")
    evidence = tmp_path / "现场照片.pdf"
    evidence.write_bytes(PDF)
    form.locator("input[name=evidence]").set_input_files(str(evidence))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已保存")
    assert "现场照片.pdf" in page.get_by_test_id("timeline").inner_text()
    assert page.get_by_test_id("stage").locator(".badge").get_attribute("data-stage") == "late"

    page.goto(f"{base}/projects/scenario")
    page.wait_for_selector("#scenario-chart[data-ready] canvas")


def test_figures_and_milestone_forms_in_chromium(page, app, serve_app):
    base = serve_app(app)
    browser_log_in(page, base, "drc", "/projects/3")
    # the PV default: 10.08 MW × 1 286 h × 0.6361 t/MWh
    assert "8,245.69" in page.get_by_test_id("reduction-value").inner_text()
    form = page.get_by_test_id("figures-form")
    assert form.locator("select[name=kind]").input_value() == "pv"
    form.locator("input[name=full_load_hours]").fill("abc")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=error]")
    refusal = page.get_by_test_id("error").inner_text()  # the Chinese page: the Chinese part
    assert "full_load_hours（年利用小时数）: 应为数字" in refusal and "expected" not in refusal
    field = page.locator("input[name=full_load_hours]")
    assert field.get_attribute("aria-invalid") == "true" and field.input_value() == "abc"
    field.fill("1100")
    page.get_by_test_id("figures-form").locator("button[type=submit]").click()
    page.wait_for_selector("text=已保存")
    # 10.08 MW × 1 100 h × 0.6361 t/MWh = 7 053.08 t/a
    assert "7,053.08" in page.get_by_test_id("reduction-value").inner_text()

    milestone = page.get_by_test_id("milestone-form")
    milestone.locator("input[name=title]").fill("并网验收")
    milestone.locator("input[name=due_date]").fill("2023-12-31")
    milestone.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=milestone-done-form]")
    done = page.get_by_test_id("milestone-done-form")
    done.locator("input[name=done_on]").fill("2024-01-05")
    done.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=milestone-done]")
    assert "2024-01-05" in page.get_by_test_id("milestone-done").inner_text()
