"""The report page over HTTP and in Chromium, the background builds, and the CLI commands."""

import io
import time
import zipfile

import pytest
from docx import Document
from playwright.sync_api import expect
from typer.testing import CliRunner

from nearzero.cli import app as cli
from nearzero.reports.jobs import DONE, FAILED, Busy, JobStore
from nearzero.reports.model import BuiltFile
from nearzero.settings import Settings
from nearzero.web.app import create_app
from webclient import browser_log_in, log_in, token


def test_report_page_shows_the_summary_and_read_only_sections_to_a_viewer(client):
    log_in(client, "viewer")
    page = client.get("/report?year=2022")
    assert page.status_code == 200
    assert 'data-testid="report-binding">12/18<' in page.text
    assert "偏离目标最大的指标" in page.text
    assert "<textarea" not in page.text and "本部分由专班办公室编写" in page.text
    assert 'href="/report/download?unit=zhangqiu&year=2022&format=pdf"' in page.text
    assert '<a href="/report?unit=zhangqiu&amp;year=2022">评估报告</a>' in page.text  # nav link


def test_a_viewer_may_not_edit_a_section(client):
    csrf = token(log_in(client, "viewer").text)
    refused = client.post(
        "/report/sections",
        data={"csrf_token": csrf, "year": 2022, "key": "problems", "body": "改写"},
    )
    assert refused.status_code == 403  # the access matrix refuses before the service runs
    assert refused.headers["x-access-refused"] == "report_text"
    assert "无权执行此操作" in refused.text
    assert "改写" not in client.get("/report?year=2022").text


def test_the_office_edits_a_section_with_csrf(client):
    csrf = token(log_in(client, "office").text)
    data = {"year": 2022, "key": "problems", "body": "资金保障不足。"}
    assert client.post("/report/sections", data=data).status_code == 403  # no token
    saved = client.post(
        "/report/sections", data=data | {"csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/report?unit=zhangqiu&year=2022&saved=1#problems"
    page = client.get(saved.headers["location"])
    assert "已保存" in page.text and "资金保障不足。" in page.text
    bad = client.post("/report/sections", data=data | {"csrf_token": csrf, "key": "cover"})
    assert bad.status_code == 400


def test_download_pdf_and_docx(client):
    log_in(client, "viewer")
    pdf = client.get("/report/download?year=2022&format=pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    disposition = pdf.headers["content-disposition"]
    assert 'filename="zhangqiu-2022-report.pdf"' in disposition
    assert "filename*=UTF-8''%E6%B5%8E" in disposition  # 济南市章丘区_…
    docx = client.get("/report/download?year=2022&format=docx")
    assert len(Document(io.BytesIO(docx.content)).tables) >= 3
    refused = client.get("/report/download?year=2022&format=exe")
    assert refused.status_code == 400  # a page naming the value, not raw JSON
    assert "format" in refused.text
    assert refused.headers["content-type"].startswith("text/html")


def test_background_build_with_progress(client):
    csrf = token(log_in(client, "office").text)
    started = client.post(
        "/report/jobs", data={"csrf_token": csrf, "year": 2022, "format": "dossier"}
    )
    assert started.status_code == 202
    job = started.json()
    assert job["state"] in ("queued", "running") and job["download"] is None
    seen = []
    deadline = time.monotonic() + 120
    while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(job["poll"]).json()
        seen.append(job["fraction"])
    assert job["state"] == "done", job
    assert seen == sorted(seen) and seen[-1] == 1.0
    file = client.get(job["download"])
    assert file.status_code == 200 and file.headers["content-type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(file.content)).namelist()
    # another user cannot see it; a job without a CSRF token is refused
    client.post("/logout", data={"csrf_token": csrf})
    log_in(client, "viewer")
    assert client.get(job["poll"]).status_code == 404
    assert client.post("/report/jobs", data={"year": 2022}).status_code == 403


def test_job_store_bounds_ttl_and_failures():
    now = [0.0]
    store = JobStore(max_jobs=2, max_running=1, ttl=3600, clock=lambda: now[0])

    def ok(progress):
        progress("half", 0.5)
        return BuiltFile("a.pdf", "application/pdf", b"%PDF")

    def fail(progress):
        raise ValueError("no such year")

    first = store.start("office", "a", ok)
    assert store.wait(first.id).state == DONE
    assert store.get(first.id, "viewer") is None  # only its owner sees a job
    second = store.start("office", "b", fail)
    done = store.wait(second.id)
    assert done.state == FAILED and done.error == "ValueError: no such year"
    third = store.start("office", "c", ok)  # full: the oldest finished job makes room
    store.wait(third.id)
    assert store.get(first.id, "office") is None and store.get(third.id, "office")
    now[0] = 3601
    assert store.get(third.id, "office") is None  # forgotten after an hour

    import threading

    gate = threading.Event()
    store.start("office", "slow", lambda p: (gate.wait(10), ok(p))[1])
    with pytest.raises(Busy):
        store.start("office", "more", ok)
    gate.set()


def test_cli_report_and_dossier(zhangqiu_url, monkeypatch, tmp_path):
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    runner = CliRunner()
    out = tmp_path / "r.docx"
    result = runner.invoke(cli, ["report", "--year", "2022", "--format", "docx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "济南市章丘区_2022年度评估报告.docx" in result.output
    assert Document(str(out)).tables
    zipped = tmp_path / "d.zip"
    result = runner.invoke(cli, ["dossier", "--year", "2022", "--out", str(zipped)])
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(zipped).testzip() is None
    bad = runner.invoke(cli, ["report", "--year", "2022", "--format", "odt", "--out", "x"])
    assert bad.exit_code == 2 and "expected docx or pdf" in bad.output
    unknown = runner.invoke(
        cli, ["report", "--year", "2022", "--out", str(out), "--unit", "nowhere"]
    )
    assert unknown.exit_code == 2 and "nowhere" in unknown.output


def test_report_page_builds_a_pdf_in_chromium(page, zhangqiu_url, serve_app):
    app = create_app(Settings(database_url=zhangqiu_url))
    base = serve_app(app)
    browser_log_in(page, base, "office", "/report")
    item = page.get_by_test_id("build-pdf")
    with page.expect_download(timeout=120_000) as download:
        item.locator("a[data-build]").click()
    expect(item).to_have_attribute("data-state", "done")
    assert "已生成" in item.locator(".status").inner_text()
    assert download.value.suggested_filename == "济南市章丘区_2022年度评估报告.pdf"
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    app.state.engine.dispose()
