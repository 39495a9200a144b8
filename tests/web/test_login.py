"""Log-in hardening over HTTP and in Chromium, on SQLite and PostgreSQL: the lock-out per
account and per address, the same answer for unknown and known users, every attempt audited."""

import re

import pytest
from fastapi.testclient import TestClient

from nearzero.services import audit
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import DEMO_PASSWORD, token


def attempt(client, username: str, password: str):
    form = client.get("/login")
    data = {"csrf_token": token(form.text), "username": username, "password": password}
    return client.post("/login", data=data, follow_redirects=False)


def audited(url: str, username: str) -> list[str]:
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            rows = audit.entries(session, "user", username)
            return [e.action for e in reversed(rows) if e.entity_key == username]
    finally:
        engine.dispose()


@pytest.fixture
def strict(zhangqiu_url):
    """The dashboard with 8 failures per address allowed (5 per account, the default)."""
    application = create_app(Settings(database_url=zhangqiu_url, login_max_failures_per_address=8))
    yield application
    application.state.engine.dispose()


def test_five_failures_lock_the_account_for_fifteen_minutes(client, zhangqiu_url):
    for _ in range(4):
        response = attempt(client, "office", "wrong-password")
        assert response.status_code == 401 and "用户名或密码错误" in response.text
    locked = attempt(client, "office", "wrong-password")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.text and "15分钟" in locked.text
    assert locked.headers["retry-after"] == "900"
    # the right password is refused while locked, and no log-in cookie is set
    refused = attempt(client, "office", DEMO_PASSWORD)
    assert refused.status_code == 429 and "nearzero_login" not in refused.headers.get(
        "set-cookie", ""
    )
    assert client.get("/", follow_redirects=False).status_code == 303
    # another account is not locked
    assert attempt(client, "viewer", DEMO_PASSWORD).status_code == 303
    assert audited(zhangqiu_url, "office")[1:] == [
        *["user.login_failed"] * 5,
        "user.lockout",
        "user.login_refused",
    ]
    assert audited(zhangqiu_url, "viewer")[-1] == "user.login"


def test_english_lockout_message(client):
    client.get("/login?lang=en")
    for _ in range(5):
        response = attempt(client, "drc", "wrong-password")
    assert "Too many failed log-ins" in response.text and "15 min" in response.text


def test_unknown_and_known_users_get_the_same_answer(client, zhangqiu_url):
    known = attempt(client, "office", "wrong-password")
    unknown = attempt(client, "no-such-user", "wrong-password")
    assert known.status_code == unknown.status_code == 401
    strip = lambda html: re.sub(r'value="[^"]+"', "", html)  # noqa: E731  (the CSRF token)
    assert strip(known.text) == strip(unknown.text)
    assert audited(zhangqiu_url, "no-such-user") == ["user.login_failed"]


def test_failures_from_one_address_lock_the_address(strict):
    with TestClient(strict) as client:
        for n in range(7):
            assert attempt(client, f"guess{n}", "x").status_code == 401
        assert attempt(client, "guess7", "x").status_code == 429
        # the address is locked: a real account cannot log in from it either
        assert attempt(client, "office", DEMO_PASSWORD).status_code == 429


def test_a_disabled_user_cannot_log_in(client, zhangqiu_url):
    from nearzero.services import users
    from nearzero.services.context import Actor

    engine = make_engine(zhangqiu_url)
    with transaction(session_factory(engine)) as session:
        users.set_active(session, Actor.system("test"), "eeb", False)
    engine.dispose()
    response = attempt(client, "eeb", DEMO_PASSWORD)
    assert response.status_code == 401 and "用户名或密码错误" in response.text


# --------------------------------------------------------------------------- Chromium


@pytest.fixture
def lockable(zhangqiu_url, serve_app):
    app = create_app(Settings(database_url=zhangqiu_url, login_max_failures=2))
    yield serve_app(app)
    app.state.engine.dispose()


def test_browser_log_in_log_out_and_lockout(page, lockable):
    page.goto(f"{lockable}/indicators")
    assert "/login" in page.url
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{lockable}/indicators")
    cookie = next(c for c in page.context.cookies() if c["name"] == "nearzero_login")
    assert cookie["httpOnly"] and not cookie["secure"]  # plain HTTP on the loopback
    page.click("header button[type=submit]")  # log out
    page.wait_for_url(f"{lockable}/login")
    page.goto(f"{lockable}/")
    assert "/login" in page.url

    for _ in range(2):
        page.fill("input[name=username]", "office")
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=login-error]")
    assert "登录失败次数过多" in page.get_by_test_id("login-error").inner_text()
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=login-error]")
    assert "登录失败次数过多" in page.get_by_test_id("login-error").inner_text()
    assert "/login" in page.url
