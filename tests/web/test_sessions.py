"""Server-side log-in sessions over HTTP, on SQLite and PostgreSQL: log-out, a password change
and disabling a user end them at once; a replayed cookie is refused; the idle and absolute
time-outs; the Secure flag over HTTPS and in production."""

import base64
import datetime as dt
import hashlib
import json

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from nearzero.services import users as svc
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.tables.users import UserSession
from nearzero.web.deps import LOGIN_COOKIE
from webclient import log_in, token


@pytest.fixture
def db(zhangqiu_url):
    engine = make_engine(zhangqiu_url)
    yield session_factory(engine)
    engine.dispose()


def replay(app, cookie: str, **kwargs):
    """A new client (another browser) holding only the log-in cookie ``cookie``."""
    client = TestClient(app, follow_redirects=False, **kwargs)
    client.cookies.set(LOGIN_COOKIE, cookie)
    return client


def post(client, path: str, **data):
    page = client.get("/account/password")
    data = {"csrf_token": token(page.text), **data}
    return client.post(path, data=data, follow_redirects=False)


def test_a_cookie_replayed_after_log_out_is_refused(app, client, db):
    log_in(client, "office")
    cookie = client.cookies[LOGIN_COOKIE]
    assert replay(app, cookie).get("/").status_code == 200
    with transaction(db) as session:
        stored = session.scalar(select(UserSession.token_hash))
    assert stored == hashlib.sha256(cookie.encode()).hexdigest()  # the id itself is not kept

    response = post(client, "/logout")
    assert response.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303
    refused = replay(app, cookie).get("/indicators")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/login?next=/indicators"
    assert replay(app, cookie).get("/api/evaluation?year=2022").status_code == 401


def test_a_signed_cookie_naming_a_user_no_longer_logs_in(app, client):
    """The log-in is the server-side session: a cookie signed with the installation's own
    key that names a user (as log-ins once were) gives nothing."""
    key = app.state.settings.secret_key
    payload = base64.b64encode(json.dumps({"username": "office"}).encode())
    client.cookies.set("nearzero_session", itsdangerous.TimestampSigner(key).sign(payload).decode())
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_disabling_a_user_ends_their_sessions_at_once(app, client):
    viewer = TestClient(app)
    log_in(viewer, "viewer")
    assert viewer.get("/").status_code == 200
    log_in(client, "office")
    response = post(client, "/admin/users/viewer/disable")
    assert response.status_code == 303
    assert viewer.get("/", follow_redirects=False).status_code == 303
    again = viewer.get("/login")
    answer = viewer.post(
        "/login",
        data={"csrf_token": token(again.text), "username": "viewer", "password": "zhangqiu-demo"},
    )
    assert answer.status_code == 401


def test_a_password_change_ends_the_other_sessions(app, client):
    other = TestClient(app)
    log_in(other, "drc")
    log_in(client, "drc")
    response = post(
        client,
        "/account/password",
        current="zhangqiu-demo",
        new="Brand-new-pass-1",
        confirm="Brand-new-pass-1",
    )
    assert response.headers["location"] == "/account/password?done=1"
    assert "密码已修改" in client.get(response.headers["location"]).text
    assert client.get("/").status_code == 200  # the session that changed it goes on
    assert other.get("/", follow_redirects=False).status_code == 303


def test_idle_and_absolute_timeouts(app, client, db):
    log_in(client, "viewer")
    assert client.get("/").status_code == 200
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
    with transaction(db) as session:
        session.execute(update(UserSession).values(last_seen_at=past))
    assert client.get("/", follow_redirects=False).status_code == 303  # idle 31 min > 30

    log_in(client, "viewer")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=8, minutes=1)
    with transaction(db) as session:
        session.execute(
            update(UserSession).where(UserSession.ended_at.is_(None)).values(created_at=long_ago)
        )
    assert client.get("/", follow_redirects=False).status_code == 303  # older than 8 h


def test_timeouts_are_settings(zhangqiu_url):
    settings = Settings(database_url=zhangqiu_url, session_idle_timeout=60, session_max_age=600)
    policy = svc.LoginPolicy.from_settings(settings)
    assert policy.idle == dt.timedelta(minutes=1) and policy.absolute == dt.timedelta(minutes=10)


def _login_cookie_header(app, base_url: str) -> str:
    with TestClient(app, base_url=base_url, follow_redirects=False) as client:
        form = client.get("/login")
        response = client.post(
            "/login",
            data={
                "csrf_token": token(form.text),
                "username": "office",
                "password": "zhangqiu-demo",
            },
        )
    assert response.status_code == 303
    return next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(f"{LOGIN_COOKIE}=")
    )


def test_the_login_cookie_is_secure_over_https_and_httponly(app):
    plain = _login_cookie_header(app, "http://testserver").lower()
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    assert "max-age=28800" in plain
    assert "; secure" in _login_cookie_header(app, "https://testserver").lower()


def test_the_login_cookie_is_secure_in_production(zhangqiu_url, tmp_path):
    """Behind a proxy that ends TLS the app may see plain HTTP: production marks it Secure."""
    from starlette.requests import Request

    from nearzero.web.deps import secure_cookies

    scope = {"type": "http", "scheme": "http", "server": ("testserver", 80), "path": "/"}
    plain = Request({**scope, "headers": []})
    production = Settings(
        database_url=zhangqiu_url, env="production", secret_key="s" * 48, data_dir=tmp_path
    )
    development = Settings(database_url=zhangqiu_url, data_dir=tmp_path)
    assert secure_cookies(plain, production)
    assert not secure_cookies(plain, development)
    assert secure_cookies(Request({**scope, "scheme": "https", "headers": []}), development)
