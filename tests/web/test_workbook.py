"""The indicator workbook in the browser (issue #12 item 7): a department downloads its own
template, uploads it, sees every problem by sheet, row and column (nothing saved), then a
preview of the changes, and saves them on confirming; evidence files attached to a value.

Over HTTP on SQLite and PostgreSQL, and in Chromium."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from nearzero.services import report, workbook as wb
from nearzero.services.indicators import get_unit, values_on_record
from nearzero.store.db import make_engine, session_factory, transaction
from webclient import browser_log_in, log_in, token

YEAR = 2023
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def template(client, year: int = YEAR):
    response = client.get(f"/workbook/template?year={year}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(wb.Template.media_type)
    return load_workbook(io.BytesIO(response.content))


def numeric_rows(book) -> list[int]:
    """Excel rows of plain numeric indicators (no parts, a unit that takes a number)."""
    sheet = book[wb.SHEET]
    head = [c.value for c in sheet[1]]
    unit, part = head.index(wb.COL_UNIT), head.index(wb.COL_PART)
    return [
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, unit + 1).value not in ("/", "", None)
        and not sheet.cell(r, part + 1).value
    ]


def fill(book, values: dict[int, object]) -> bytes:
    sheet = book[wb.SHEET]
    column = [c.value for c in sheet[1]].index(wb.COL_VALUE) + 1
    for row, value in values.items():
        sheet.cell(row, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "填报.xlsx"):
    page = client.get(f"/workbook?year={YEAR}")
    files = {"file": (name, data, wb.Template.media_type)}
    form = {"csrf_token": token(page.text), "year": str(YEAR)}
    return client.post("/workbook/upload", data=form, files=files)


def stored(url: str) -> dict:
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            values = values_on_record(session, get_unit(session, "zhangqiu"))
            return {k: (v.value, v.state, v.entered_by) for k, v in values.items() if k[2] == YEAR}
    finally:
        engine.dispose()


def test_a_department_gets_only_its_own_rows_the_office_all(client):
    log_in(client, "drc")
    own = template(client)
    codes = {r[0].value for r in own[wb.SHEET].iter_rows(min_row=2)}
    meta = {r[0].value: r[1].value for r in own[wb.META_SHEET].iter_rows()}
    assert meta["department"] == "drc" and meta["year"] == YEAR
    client.post("/logout", data={"csrf_token": token(client.get("/workbook").text)})
    log_in(client, "office")
    every = template(client)
    all_codes = {r[0].value for r in every[wb.SHEET].iter_rows(min_row=2)}
    assert codes < all_codes and len(all_codes) == 47
    assert {str(n) for n in range(1, 36)} <= all_codes  # the 35 indicators and the task targets


def test_upload_names_the_cell_saves_nothing_then_previews_and_saves(client, zhangqiu_url):
    log_in(client, "drc")
    book = template(client)
    first, second = numeric_rows(book)[:2]
    before = stored(zhangqiu_url)

    bad = upload(client, fill(book, {first: 12.5, second: "一千"}))
    assert bad.status_code == 400
    problems = re.findall(r'data-testid="problem" data-row="(\d+)" data-column="([^"]*)"', bad.text)
    assert problems == [(str(second), wb.COL_VALUE)]
    assert "应为数字，实际为“一千”" in bad.text and "expected a number" not in bad.text
    assert stored(zhangqiu_url) == before  # nothing stored

    good = upload(client, fill(book, {first: 12.5, second: 30}))
    assert good.status_code == 200, good.text
    changes = re.findall(r'data-testid="change" data-code="([^"]+)"', good.text)
    assert len(changes) == 2
    assert stored(zhangqiu_url) == before  # the preview saves nothing

    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', good.text).group(1)
    content = re.search(r'name="content" value="([^"]+)"', good.text).group(1)
    form = {"csrf_token": token(good.text), "name": "填报.xlsx", "digest": digest}
    saved = client.post("/workbook/confirm", data=form | {"content": content, "year": str(YEAR)})
    assert saved.status_code == 200 and "已保存2项数值" in saved.text
    after = stored(zhangqiu_url)
    new = {k: v for k, v in after.items() if before.get(k) != v}
    assert sorted(v[0] for v in new.values()) == [12.5, 30.0]
    assert {v[1] for v in new.values()} == {"submitted"} and {v[2] for v in new.values()} == {"drc"}

    again = client.post("/workbook/confirm", data=form | {"content": content, "year": str(YEAR)})
    assert again.status_code == 409  # the records changed since that preview: shown again


def test_a_viewer_may_not_upload(client):
    log_in(client, "viewer")
    page = client.get("/workbook")
    files = {"file": ("x.xlsx", b"PK", wb.Template.media_type)}
    refused = client.post("/workbook/upload", data={"csrf_token": token(page.text)}, files=files)
    assert refused.status_code == 403


def test_a_file_that_is_no_workbook_is_refused_in_chinese(client):
    log_in(client, "drc")
    refused = upload(client, b"not a zip at all")
    assert refused.status_code == 400
    assert "无法作为 Excel 工作簿" in refused.text and "not a readable" not in refused.text


def test_evidence_is_attached_listed_downloaded_and_audited(client, zhangqiu_url, tmp_path):
    client.app.state.evidence_dir = tmp_path
    log_in(client, "office")
    page = client.get(f"/workbook?year={YEAR}")
    form = {"csrf_token": token(page.text), "code": "1", "year": str(YEAR)}
    files = {"file": ("统计公报.pdf", PDF, "application/pdf")}
    done = client.post("/workbook/evidence", data=form, files=files)
    assert done.status_code == 200 and "统计公报.pdf" in done.text
    link = re.search(r'href="(/workbook/evidence/\d+)\?', done.text).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.content == PDF
    bad = client.post(
        "/workbook/evidence", data=form, files={"file": ("x.exe", b"MZ", "application/x")}
    )
    assert bad.status_code == 400
    audit = client.get("/audit")
    assert "evidence.attach" in audit.text and "evidence.download" in audit.text

    # the acceptance dossier of the year carries the file, under the indicator's folder
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = get_unit(session, "zhangqiu")
            built = report.build_dossier_file(session, unit, YEAR, evidence_store=tmp_path)
    finally:
        engine.dispose()
    with zipfile.ZipFile(io.BytesIO(built.data)) as dossier:
        inside = [n for n in dossier.namelist() if n.endswith("统计公报.pdf")]
        assert len(inside) == 1 and inside[0].startswith("佐证材料/指标1_")
        assert dossier.read(inside[0]) == PDF


@pytest.mark.browser
def test_in_chromium_fill_fix_preview_save(page, zhangqiu_url, serve_app, tmp_path):
    from nearzero.settings import Settings
    from nearzero.web.app import create_app

    app = create_app(Settings(database_url=zhangqiu_url))
    try:
        base = serve_app(app)
        browser_log_in(page, base, "drc", f"/workbook?year={YEAR}")
        with page.expect_download() as download:
            page.click("[data-testid=template-link]")
        path = tmp_path / "template.xlsx"
        download.value.save_as(path)
        book = load_workbook(path)
        first, second = numeric_rows(book)[:2]

        wrong = tmp_path / "wrong.xlsx"
        wrong.write_bytes(fill(book, {first: 7, second: "一千"}))
        page.set_input_files("[data-testid=upload-file]", str(wrong))
        page.click("[data-testid=upload-button]")
        problem = page.locator("[data-testid=problem]")
        expect(problem).to_have_count(1)  # waits for the answer page, not the form it replaces
        assert problem.get_attribute("data-row") == str(second)
        assert "一千" in problem.inner_text() and wb.COL_VALUE in problem.inner_text()
        assert page.locator("[data-testid=workbook-preview]").count() == 0

        right = tmp_path / "right.xlsx"
        right.write_bytes(fill(book, {first: 7, second: 8}))
        page.set_input_files("[data-testid=upload-file]", str(right))
        page.click("[data-testid=upload-button]")
        expect(page.locator("[data-testid=change]")).to_have_count(2)
        assert "7" in page.locator("[data-testid=new]").first.inner_text()
        page.click("[data-testid=confirm-button]")
        page.wait_for_selector("[data-testid=message]")
        assert "已保存2项数值" in page.inner_text("[data-testid=message]")
    finally:
        app.state.engine.dispose()
    new = stored(zhangqiu_url)
    assert sorted(v[0] for v in new.values() if v[2] == "drc") == [7.0, 8.0]
