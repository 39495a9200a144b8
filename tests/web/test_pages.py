"""The dashboard over HTTP: log-in, CSRF, roles, value entry, on SQLite and PostgreSQL."""

import re

from sqlalchemy import func, select

from nearzero.services.context import Actor, Role
from nearzero.services.indicators import confirm_value, get_unit
from nearzero.store import tables as m
from nearzero.store.db import transaction
from webclient import DEMO_PASSWORD, log_in, token


def test_pages_need_login(client):
    response = client.get("/indicators", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/indicators"
    assert client.get("/api/evaluation?year=2022").status_code == 401


def test_wrong_password(client):
    form = client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": token(form.text), "username": "office", "password": "x"}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "office", "password": DEMO_PASSWORD})
    assert response.status_code == 403


def test_overview_counts_and_security_headers(client):
    page = log_in(client, "viewer")
    assert re.search(r'data-testid="binding-met">12<', page.text)
    assert re.search(r'data-testid="reference-met">6<', page.text)
    assert "尚不具备验收条件" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "cdn" not in page.text.lower()


def test_english_switch(client):
    log_in(client, "viewer")
    page = client.get("/indicators?lang=en")
    assert "Total CO2 emissions" in page.text and "not met" in page.text
    assert "Total CO2 emissions" in client.get("/").text or "Overview" in client.get("/").text


def test_api_matches_cli_schema(client):
    log_in(client, "viewer")
    data = client.get("/api/evaluation?year=2022").json()
    assert data["schema"] == "nearzero.indicators.evaluation/1"
    assert data["acceptance"]["binding"] == {"met": 12, "total": 18}


def test_editor_enters_value_and_status_changes(client):
    log_in(client, "drc")
    page = client.get("/indicators/17?year=2022")
    response = client.post(
        "/indicators/17/values?unit=zhangqiu",
        data={
            "csrf_token": token(page.text),
            "year": "2023",
            "value": "0.25",
            "value_unit": "%",
            "source": "2023年统计年报",
        },
    )
    assert response.status_code == 200 and "已保存" in response.text
    # submitted: shown as pending, counted once the office confirms it (issue #12.5)
    assert 'data-state="submitted"' in response.text
    assert "value.set" in response.text  # the change history shows the write
    with transaction(client.app.state.sessions) as session:
        confirm_value(
            session, Actor("office", Role.ADMIN), get_unit(session, "zhangqiu"), "17", 2023
        )
    response = client.get("/indicators/17?year=2023")
    assert re.search(
        r'data-testid="status">\s*<span class="badge green" data-status="met"', response.text
    )


def test_editor_outside_department_gets_403_and_nothing_is_written(client, sessions):
    log_in(client, "eeb")
    page = client.get("/indicators/17")
    assert "您的账号只能查看本指标" in page.text
    with sessions() as s:
        before = s.scalar(select(func.count()).select_from(m.IndicatorValue))
    response = client.post(
        "/indicators/17/values?unit=zhangqiu",
        data={"csrf_token": token(page.text), "year": "2023", "value": "9"},
    )
    assert response.status_code == 403
    assert "eeb无权修改指标17" in response.text and "may not edit" not in response.text
    english = client.post(
        "/indicators/17/values?unit=zhangqiu&lang=en",
        data={"csrf_token": token(page.text), "year": "2023", "value": "9"},
    )
    assert english.status_code == 403
    assert "eeb may not edit indicator 17" in english.text and "无权修改" not in english.text
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(m.IndicatorValue)) == before


def test_bad_number_is_explained(client):
    log_in(client, "office")
    page = client.get("/indicators/1")
    response = client.post(
        "/indicators/1/values?unit=zhangqiu",
        data={"csrf_token": token(page.text), "year": "2023", "value": "八百万"},
    )
    assert response.status_code == 400
    assert "应为数字" in response.text


def test_unknown_indicator_is_404(client):
    log_in(client, "viewer")
    assert client.get("/indicators/99").status_code == 404


def test_static_assets_ship_with_the_package(client):
    response = client.get("/static/vendor/echarts.min.js")
    assert response.status_code == 200 and len(response.content) > 500_000


def test_overview_summarises_each_capability_as_its_own_page_does(client, zhangqiu_url):
    """The line under the acceptance cards says "no data" until a capability holds data, and
    then shows the same figures as that capability's service."""
    from nearzero.services import inventory, projects
    from nearzero.services.context import Actor
    from nearzero.services.indicators import get_unit
    from nearzero.store.db import make_engine, session_factory, transaction

    page = log_in(client, "viewer")
    inventory_card = re.search(r'data-testid="sum-inventory".*?</a>', page.text, re.S).group(0)
    assert "尚无数据" in inventory_card
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = get_unit(session, "zhangqiu")
            inventory.load_example(session, Actor.system("test"), unit)
            year = inventory.years(session, unit)[-1]
            total = inventory.series(session, unit)[year].totals.direct_excl_lulucf
            late = len(projects.board(session, unit).late)
    finally:
        engine.dispose()
    page = client.get(f"/?year={year}")
    inventory_card = re.search(r'data-testid="sum-inventory".*?</a>', page.text, re.S).group(0)
    assert f"{total / 10000:,.2f}".rstrip("0").rstrip(".") in inventory_card
    assert "示例数据" in inventory_card  # the bundled example is labelled as assumed
    assert re.search(rf'data-testid="sum-projects-late">{late}<', page.text)
    assert "尚无数据" in re.search(r'data-testid="sum-inclusion".*?</a>', page.text, re.S).group(0)
    english = client.get(f"/?year={year}&lang=en").text
    assert "Key projects" in english and "no data yet" in english


def test_a_write_is_committed_before_its_response_starts(zhangqiu_url, sessions):
    """A browser follows a post's 303 at once: the write must be visible by then.

    The commit is slowed down so that a response sent before it would be caught.
    """
    import time

    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from nearzero.settings import Settings
    from nearzero.web.app import create_app

    app = create_app(Settings(database_url=zhangqiu_url))
    event.listen(app.state.engine, "commit", lambda connection: time.sleep(0.5))
    seen: list[int] = []

    def stored_2023_values() -> int:
        with sessions() as s:
            query = select(func.count()).select_from(m.IndicatorValue)
            return s.scalar(query.where(m.IndicatorValue.year == 2023))

    async def watching(scope, receive, send):
        async def send_and_look(message):
            if message["type"] == "http.response.start" and scope["method"] == "POST":
                seen.append(stored_2023_values())
            await send(message)

        await app(scope, receive, send_and_look if scope["type"] == "http" else send)

    with TestClient(watching) as client:
        log_in(client, "drc")
        page = client.get("/indicators/17?year=2022")
        seen.clear()
        before = stored_2023_values()
        response = client.post(
            "/indicators/17/values?unit=zhangqiu",
            data={
                "csrf_token": token(page.text),
                "year": "2023",
                "value": "0.25",
                "value_unit": "%",
                "source": "2023年统计年报",
            },
            follow_redirects=False,
        )
    app.state.engine.dispose()
    assert response.status_code == 303
    assert seen == [before + 1]
