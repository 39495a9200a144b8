"""The resident's link token leaves the URL after the first visit (issue #11 item 7): it goes
into an httponly, SameSite=strict cookie and the browser to /inclusion/me; no later request,
the page's forms included, carries it, and uvicorn's access log shows it only once."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from nearzero.inclusion.choices import Scenario
from nearzero.services.context import Actor
from nearzero.services.inclusion import (
    partners as partners_svc,
    redemption as redemption_svc,
    resident as resident_svc,
)
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store.db import transaction
from nearzero.web.app import create_app

SECRET_KEY = "resident-token-test-secret-key-0123456789"
PARTNER = "ride-code"
WHO = "r" * 64
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


@pytest.fixture
def app(zhangqiu_url):
    app = create_app(Settings(database_url=zhangqiu_url, secret_key=SECRET_KEY))
    with transaction(app.state.sessions) as s:
        unit = get_unit(s, "zhangqiu")
        partners_svc.create_partner(
            s, Actor.system(), SECRET_KEY.encode(), unit, PARTNER, "乘车码平台", ["bus"]
        )
        redemption_svc.create_merchant(s, Actor.system(), unit, "tea", "章丘茶社")
        redemption_svc.create_offer(s, Actor.system(), "tea", "一杯茶", 200)
        partners_svc.set_consent(s, PARTNER, WHO, Scenario.BUS, True, START - timedelta(days=9))
    ride = {
        "partner_record_id": "b1",
        "resident_id": WHO,
        "scenario": "bus",
        "start": START.isoformat(),
        "end": (START + timedelta(minutes=30)).isoformat(),
        "distance_km": "10",
    }
    partners_svc.ingest(app.state.engine, PARTNER, [ride])
    yield app
    app.state.engine.dispose()


def link() -> str:
    return resident_svc.resident_token(SECRET_KEY.encode(), WHO)


def form_of(page: str, action: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the page's form posting to ``action``."""
    found = re.search(
        rf'<form method="post" action="([^"]*{action}[^"]*)">(.*?)</form>', page, re.S
    )
    assert found, f"no form to {action}"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', found.group(2)))
    return found.group(1).replace("&amp;", "&"), fields


def test_the_first_visit_moves_the_token_into_a_cookie(app) -> None:
    with TestClient(app) as client:
        first = client.get(f"/inclusion/me/{link()}?unit=zhangqiu", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/inclusion/me?unit=zhangqiu"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"nearzero_resident={link()};")
    parts = {p.strip().lower() for p in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/inclusion/me"} <= parts
    assert "secure" not in parts  # plain HTTP in development
    with TestClient(app, base_url="https://testserver") as client:
        cookie = client.get(f"/inclusion/me/{link()}", follow_redirects=False).headers
        assert "secure" in {p.strip().lower() for p in cookie["set-cookie"].split(";")}


def test_no_url_after_the_first_visit_carries_the_token(app) -> None:
    seen: list[str] = []
    with TestClient(app) as client:
        client.event_hooks["request"] = [lambda request: seen.append(str(request.url))]
        page = client.get(f"/inclusion/me/{link()}")
        assert re.search(r'data-testid="balance">269<', page.text)
        assert link() not in page.text  # not in the forms either
        action, fields = form_of(page.text, "/redeem")
        fields["offer_id"] = re.search(r'name="offer_id" value="(\d+)"', page.text).group(1)
        page = client.post(action, data=fields)
        assert re.search(r'data-testid="balance">69<', page.text)
        action, fields = form_of(page.text, "/consent")
        page = client.post(action, data=fields | {"scenario": "bus", "granted": "false"})
        assert page.status_code == 200 and 'data-testid="message"' in page.text
    assert len(seen) >= 6  # first visit, page, redeem, page, consent, page
    assert link() in seen[0]
    assert [url for url in seen[1:] if link() in url] == []


def test_neither_link_nor_cookie_gets_a_clear_page(app) -> None:
    with TestClient(app) as client:
        page = client.get("/inclusion/me")
        assert page.status_code == 401
        assert "个人专属链接" in page.text and 'data-testid="balance"' not in page.text
        assert client.get(f"/inclusion/me/{WHO}.{'0' * 32}").status_code == 404
        form = {"csrf_token": "x", "offer_id": "1", "client_key": "k"}
        assert client.post("/inclusion/me/redeem", data=form).status_code in (401, 403)


def test_uvicorn_access_log_shows_the_token_once(app, serve_app) -> None:
    base = serve_app(app, log_level="info", access_log=True)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Keep()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    try:
        with httpx.Client(base_url=base, follow_redirects=True) as client:
            page = client.get(f"/inclusion/me/{link()}")
            action, fields = form_of(page.text, "/redeem")
            fields["offer_id"] = re.search(r'name="offer_id" value="(\d+)"', page.text).group(1)
            assert client.post(action, data=fields).status_code == 200
            client.get("/inclusion/me")
    finally:
        access.removeHandler(handler)
    assert len(lines) >= 5, lines
    assert [line for line in lines if link() in line] == [lines[0]]
