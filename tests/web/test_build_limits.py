"""Report and dossier builds (issue #11 item 7): the year checked against the unit's report
years, one build in progress per user, and built files cached per data version."""

from __future__ import annotations

import io
import time

from docx import Document

from nearzero.reports.jobs import JobStore
from nearzero.services import report as report_svc
from nearzero.services.context import Actor
from nearzero.services.indicators import get_unit
from nearzero.store import reports as report_store
from nearzero.store.db import transaction
from webclient import log_in, token


def text_of(docx: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


def test_a_year_without_a_report_is_a_clear_400(client) -> None:
    csrf = token(log_in(client, "office").text)
    for year in (1990, 2099):
        page = client.get(f"/report/download?year={year}&format=pdf")
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        # the refusal in the page's language (issue #12 item 10): Chinese here, English below
        assert "济南市章丘区的报告年份为2020–" in page.text and "expected a report" not in page.text
        english = client.get(f"/report/download?year={year}&format=pdf&lang=en")
        assert f"got {year}" in english.text
        assert "expected a report year of zhangqiu, 2020–" in english.text
        client.get("/report?lang=zh")
        job = client.post("/report/jobs", data={"csrf_token": csrf, "year": year})
        assert job.status_code == 400 and f"got {year}" in job.json()["detail"]
    assert client.get("/report/download?year=2022&format=docx").status_code == 200


def test_one_build_in_progress_per_user(client, app) -> None:
    csrf = token(log_in(client, "office").text)
    form = {"csrf_token": csrf, "year": 2022, "format": "dossier"}
    first = client.post("/report/jobs", data=form)
    assert first.status_code == 202
    second = client.post("/report/jobs", data=form | {"format": "pdf"})
    third = client.get("/report/download?year=2022&format=docx")
    running = client.get(first.json()["poll"]).json()["state"]
    assert running in ("queued", "running"), "the dossier build should take longer than this"
    assert second.status_code == 429 and "still running" in second.json()["detail"]
    assert third.status_code == 429 and "每位用户同一时间只能生成一份报告" in third.text
    assert len([j for j in app.state.report_jobs._jobs.values() if j.owner == "office"]) == 1
    # once it is done the user may build again
    assert app.state.report_jobs.wait(first.json()["id"], 120).state == "done"
    assert client.get("/report/download?year=2022&format=docx").status_code == 200


def test_a_held_build_refuses_the_download_of_the_same_user_only(client, app) -> None:
    log_in(client, "viewer")
    jobs = app.state.report_jobs = JobStore()  # the store the routes use
    with jobs.building("viewer", "zhangqiu/2022/pdf"):
        refused = client.get("/report/download?year=2022&format=docx")
        assert refused.status_code == 429 and "zhangqiu/2022/pdf" in refused.text
        with jobs.building("office", "zhangqiu/2022/docx"):
            pass  # another user is not held up
    assert client.get("/report/download?year=2022&format=docx").status_code == 200


def test_unchanged_data_is_served_from_the_cache_and_a_write_invalidates_it(client, app):
    csrf = token(log_in(client, "office").text)
    began = time.monotonic()
    first = client.get("/report/download?year=2022&format=docx")
    built_in = time.monotonic() - began
    assert first.status_code == 200 and len(app.state.report_cache) == 1
    began = time.monotonic()
    again = client.get("/report/download?year=2022&format=docx")
    assert again.content == first.content and len(app.state.report_cache) == 1
    assert time.monotonic() - began < built_in
    # another year or format is another entry
    client.get("/report/download?year=2021&format=docx")
    assert len(app.state.report_cache) == 2
    # a write (audited) is a new data version: the next download is built afresh
    saved = client.post(
        "/report/sections",
        data={"csrf_token": csrf, "year": 2022, "key": "problems", "body": "资金保障不足。"},
    )
    assert saved.status_code == 200
    fresh = client.get("/report/download?year=2022&format=docx")
    assert len(app.state.report_cache) == 3
    assert "资金保障不足。" in text_of(fresh.content)
    assert "资金保障不足。" not in text_of(first.content)


def test_the_data_version_moves_with_every_audited_write(app) -> None:
    with transaction(app.state.sessions) as s:
        before = report_store.data_version(s)
        assert report_store.data_version(s) == before  # reading changes nothing
        report_svc.set_section(
            s, Actor.system(), get_unit(s, "zhangqiu"), 2022, "next_year", "明年计划。"
        )
        assert report_store.data_version(s) != before
