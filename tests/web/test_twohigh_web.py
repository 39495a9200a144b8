"""Two-high pages over HTTP and in Chromium: the office adds the plan's project, enters its
emissions by the rule's terms, decides at the approval's 1:1.1, registers and verifies a source,
deposits and allocates through the forms; a refusal names the field and stores nothing; a form
sent twice moves once; the Excel export holds the trace; the ledger page in Chromium."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from nearzero.settings import Settings
from nearzero.web.app import create_app
from webclient import browser_log_in, log_in, token

Q = "?unit=zhangqiu"


def request_token(html: str) -> str:
    return re.search(r'name="request_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def web(zhangqiu_url: str, tmp_path):
    app = create_app(Settings(database_url=zhangqiu_url))
    app.state.evidence_dir = str(tmp_path / "evidence")
    yield app
    app.state.engine.dispose()


def build_case(office: TestClient) -> str:
    csrf = token(log_in(office, "office").text)
    post = lambda path, **data: office.post(f"{path}{Q}", data={"csrf_token": csrf, **data})  # noqa: E731
    r = post(
        "/twohigh/projects",
        code="huaming",
        name="年产110万吨水泥粉磨项目",
        segment="cement",
        firm_name="章丘华明水泥有限公司",
        capacity="1100000",
        capacity_unit="t/a",
    )
    assert r.status_code == 200 and "年产110万吨水泥粉磨项目" in r.text
    r = post(
        "/twohigh/projects/huaming/need",
        dimension="carbon",
        fuel="20000",
        process="0",
        net_purchased="5310",
        recovered="0",
    )
    assert r.status_code == 200 and "25,310" in r.text
    post("/twohigh/projects/huaming/stage", stage="review")
    r = post(
        "/twohigh/projects/huaming/decide",
        decided_on="2023-05-01",
        ratio_id="zq_plan/huaming/carbon",
        ratio_dimension="carbon",
        approval_doc="示例批复",
    )
    assert "27,841,000" in r.text, r.text
    r = post(
        "/twohigh/sources",
        code="kiln3",
        name="示例：3号熟料窑关停",
        mechanism="shutdown",
        formed_on="2022-03-01",
        location="章丘区",
        firm_name="示例建材有限公司",
        dimension="carbon",
        reduction="30000",
        in_shandong="1",
        monitorable="1",
        countable="1",
        recheckable="1",
    )
    assert r.status_code == 200 and "尚未核定" in r.text
    post("/twohigh/sources/kiln3/verify", note="示例")
    return csrf


def test_the_ledger_through_the_forms(web) -> None:
    with TestClient(web) as office:
        csrf = build_case(office)
        page = office.get(f"/twohigh{Q}")
        move = {
            "csrf_token": csrf,
            "move": "deposit",
            "source": "kiln3",
            "dimension": "carbon",
            "amount": "30000",
            "request_token": request_token(page.text),
        }
        assert office.post(f"/twohigh/move{Q}", data=move).status_code == 200
        again = office.post(f"/twohigh/move{Q}", data=move)  # the same form sent twice
        assert again.status_code == 200
        page = office.get(f"/twohigh{Q}")
        balance = page.text.split('data-testid="th-balance"')[1].split("</section>")[0]
        assert "30,000,000" in balance and "60,000,000" not in balance
        # refused: allocate before approval, naming the field; nothing stored
        refused = office.post(
            f"/twohigh/move{Q}",
            data={
                **move,
                "move": "allocate",
                "project": "huaming",
                "origin": "th_bank",
                "amount": "27841",
                "request_token": request_token(page.text),
            },
        )
        assert refused.status_code == 400 and "project:" in refused.text
        refused = office.post(
            f"/twohigh/move{Q}",
            data={**move, "amount": "-1", "request_token": request_token(page.text)},
        )
        assert refused.status_code == 400 and "amount:" in refused.text
        office.post(
            f"/twohigh/projects/huaming/stage{Q}", data={"csrf_token": csrf, "stage": "approved"}
        )
        page = office.get(f"/twohigh{Q}")
        ok = office.post(
            f"/twohigh/move{Q}",
            data={
                **move,
                "move": "allocate",
                "project": "huaming",
                "origin": "th_bank",
                "amount": "27841",
                "request_token": request_token(page.text),
            },
        )
        assert ok.status_code == 200
        page = office.get(f"/twohigh{Q}")
        assert 'data-testid="th-share">100%' in page.text
        project = office.get(f"/twohigh/projects/huaming{Q}")
        assert "kiln3" in project.text and "27,841,000" in project.text
        book = load_workbook(io.BytesIO(office.get(f"/twohigh/export.xlsx{Q}").content))
        rows = list(book["项目清单"].iter_rows(values_only=True))
        assert rows[1][10] == 27_841_000 and rows[1][13] == "kiln3: 27841000"
        assert [r[1] for r in book["流水"].iter_rows(values_only=True)][1:] == ["收储", "配置"]
        # evidence of the source: checked, stored, listed, downloadable
        pdf = ("closure.pdf", b"%PDF-1.4 closure notice", "application/pdf")
        saved = office.post(
            f"/twohigh/sources/kiln3/evidence{Q}",
            data={"csrf_token": csrf},
            files={"evidence": pdf},
        )
        assert saved.status_code == 200 and "closure.pdf" in saved.text
        link = re.search(r'href="(/twohigh/evidence/\d+\?unit=zhangqiu)"', saved.text).group(1)
        assert office.get(link).content == b"%PDF-1.4 closure notice"
        fake = ("closure.pdf", b"MZ not a pdf", "application/pdf")
        refused = office.post(
            f"/twohigh/sources/kiln3/evidence{Q}",
            data={"csrf_token": csrf},
            files={"evidence": fake},
        )
        assert refused.status_code == 400 and "evidence:" in refused.text


def test_the_english_pages_name_segments_and_dimensions_in_english(web) -> None:
    """Segments and dimensions have English names (data/twohigh/*.csv): the English pages use
    them in the lists, the requirements, the lots, the ratio table and the forms' choices."""
    with TestClient(web) as office:
        build_case(office)
        for path in ("/twohigh", "/twohigh/projects/huaming", "/twohigh/sources/kiln3"):
            en = office.get(f"{path}{Q}&lang=en").text
            zh = office.get(f"{path}{Q}&lang=zh").text
            # as a name (a cell, a choice, a line), not inside a document's title
            named = re.compile(r">\s*碳排放\s*[<（ ]")
            assert "carbon emissions (CO2)" in en and not named.search(en), path
            assert named.search(zh) and "carbon emissions (CO2)" not in zh, path
        listing = office.get(f"/twohigh{Q}&lang=en").text
        assert "cement grinding capacity" in listing and "水泥（粉磨）产能" not in listing
        assert ">cement<" in listing and ">水泥<" not in listing


def test_an_editor_enters_but_does_not_move(web) -> None:
    with TestClient(web) as viewer:
        page = log_in(viewer, "viewer")
        r = viewer.post(
            f"/twohigh/move{Q}",
            data={
                "csrf_token": token(page.text),
                "move": "deposit",
                "source": "x",
                "dimension": "carbon",
                "amount": "1",
                "request_token": "t",
            },
        )
        assert r.status_code == 403


@pytest.fixture
def base_url(web, serve_app):
    return serve_app(web)


def test_the_ledger_page_in_chromium(page, base_url) -> None:
    browser_log_in(page, base_url, "office", "/twohigh")
    form = page.get_by_test_id("th-project-form")
    form.locator("input[name=code]").fill("huaming")
    form.locator("input[name=name]").fill("年产110万吨水泥粉磨项目")
    form.locator("select[name=segment]").select_option("cement")
    form.locator("input[name=firm_name]").fill("章丘华明水泥有限公司")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=th-project]")
    need = page.get_by_test_id("th-need-form")
    need.locator("select[name=dimension]").select_option("carbon")
    need.locator("input[name=fuel]").fill("25310")
    need.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=th-saved]")
    stage = page.get_by_test_id("th-stage-form")
    stage.locator("select[name=stage]").select_option("review")
    stage.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=th-saved]")
    decide = page.get_by_test_id("th-decide-form")
    decide.locator("input[name=decided_on]").fill("2023-05-01")
    decide.locator("select[name=ratio_id]").select_option("zq_plan/huaming/carbon")
    decide.locator("select[name=ratio_dimension]").select_option("carbon")
    decide.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=th-required]")
    assert page.get_by_test_id("th-required").inner_text().startswith("27,841,000")
    # a refusal names the field on the page
    stage = page.get_by_test_id("th-stage-form")
    stage.locator("select[name=stage]").select_option("rejected")
    stage.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=th-error]")
    assert "reason" in page.get_by_test_id("th-error").inner_text()
    page.click("[data-testid=nav-twohigh]")
    page.wait_for_selector("[data-testid=th-projects]")
    assert "年产110万吨水泥粉磨项目" in page.get_by_test_id("th-projects").inner_text()
    assert "1:1.1" in page.get_by_test_id("th-projects").inner_text()
