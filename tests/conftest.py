"""Shared fixtures: databases (SQLite and PostgreSQL), headless Chromium, a live ASGI server.

Fixtures
--------
database_url      function; a fresh database URL, parametrized [sqlite] and [postgresql]
pg_admin_url      session; NEARZERO_TEST_PG_URL (the throwaway cluster), or skip/fail
browser           session; Playwright ``Browser`` on Debian's Chromium, headless
page              function; a new ``Page`` in a fresh zh-CN context
serve_app         function; ``serve_app(app) -> base_url`` runs an ASGI app with uvicorn
                  in a background thread on a free 127.0.0.1 port
app, client       function; the dashboard on the loaded Zhangqiu database, and it over HTTP

Outside CI a missing PostgreSQL cluster or Chromium skips the tests that need it; with the
environment variable CI set (as in ``.ci/run``) it fails them, so CI can't silently skip.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PG_URL_ENV = "NEARZERO_TEST_PG_URL"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    """True when the environment variable CI is set (and not to a false-ish value)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail(reason: str) -> None:
    """Skip the test outside CI; fail it in CI, where every platform piece must be there."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses the browser fixtures with ``browser``."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """SQLAlchemy URL of the throwaway cluster's ``postgres`` database (NEARZERO_TEST_PG_URL)."""
    url = os.environ.get(PG_URL_ENV, "")
    if not url:
        skip_or_fail(
            f"{PG_URL_ENV} is not set: run the suite with `make test` "
            "(or start scripts/pg-cluster.sh and export its url)"
        )
    return url


def _libpq_url(sqlalchemy_url: Any) -> str:
    """postgresql+psycopg://... -> postgresql://... for psycopg.connect."""
    return str(sqlalchemy_url.set(drivername="postgresql").render_as_string(hide_password=False))


@pytest.fixture
def _postgres_database_url(pg_admin_url: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    admin = make_url(pg_admin_url)
    name = f"nz_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq_url(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(_libpq_url(admin), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database as a SQLAlchemy URL; the test runs once per backend.

    sqlite:      ``sqlite:///{tmp_path}/nearzero.sqlite3``
    postgresql:  a new uniquely named database in the NEARZERO_TEST_PG_URL cluster,
                 ``postgresql+psycopg://postgres@127.0.0.1:PORT/nz_test_...``, dropped
                 (WITH (FORCE)) at teardown. Dispose your engines before the test ends.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nearzero.sqlite3'}"
    url: str = request.getfixturevalue("_postgres_database_url")
    return url


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Playwright ``Browser``: Debian's Chromium, headless (sync API)."""
    executable = shutil.which("chromium")
    if executable is None:
        skip_or_fail("chromium is not installed (apt-get install chromium; `make test` does)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new Playwright ``Page`` in a fresh browser context with locale zh-CN."""
    context = browser.new_context(locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


# --------------------------------------------------------------------------- live server


def _wait_until_answers(host: str, port: int, server: Any, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 30
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("uvicorn stopped before it served (see the log above)")
        if server.started:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            try:
                conn.request("GET", "/")
                conn.getresponse().read()
                return
            except OSError as exc:
                last_error = exc
            finally:
                conn.close()
        time.sleep(0.02)
    raise RuntimeError(f"uvicorn did not answer on {host}:{port} within 30 s: {last_error!r}")


@pytest.fixture
def serve_app() -> Iterator[Callable[[Any], str]]:
    """Factory: ``serve_app(app, **uvicorn_config) -> "http://127.0.0.1:PORT"``.

    Runs the ASGI app with uvicorn in a background thread on a free loopback port, waits
    until it answers HTTP, and shuts every server down at the end of the test. Call it
    more than once for several apps. ``uvicorn_config`` overrides ``uvicorn.Config``
    options (defaults: log_level="warning", lifespan="auto", ws="none").
    """
    import uvicorn

    running: list[tuple[Any, threading.Thread, socket.socket]] = []

    def start(app: Any, **uvicorn_config: Any) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        host, port = sock.getsockname()
        options: dict[str, Any] = {"log_level": "warning", "lifespan": "auto", "ws": "none"}
        options.update(uvicorn_config)
        config = uvicorn.Config(app, **options)
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{port}", daemon=True
        )
        thread.start()
        running.append((server, thread, sock))
        _wait_until_answers(host, port, server, thread)
        return f"http://{host}:{port}"

    yield start

    for server, thread, sock in running:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("uvicorn did not shut down within 15 s")


# --------------------------------------------------------------------------- loaded data


@pytest.fixture
def zhangqiu_url(database_url: str) -> str:
    """``database_url`` migrated to the newest schema, with the bundled Zhangqiu plan and the
    demo accounts (password ``zhangqiu-demo``) loaded."""
    from nearzero.indicators.catalogue import bundled_plan_path, load_plan
    from nearzero.services import plans, users
    from nearzero.services.context import Actor
    from nearzero.services.indicators import get_unit
    from nearzero.store.db import make_engine, session_factory, transaction
    from nearzero.store.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with transaction(session_factory(engine)) as session:
            plans.load_plan(session, load_plan(bundled_plan_path()), Actor.system("test"))
            users.ensure_demo_accounts(session, get_unit(session, "zhangqiu"))
    finally:
        engine.dispose()
    return database_url


@pytest.fixture
def sessions(zhangqiu_url: str) -> Iterator[Any]:
    """A ``sessionmaker`` on the loaded Zhangqiu database; the engine is disposed afterwards."""
    from nearzero.store.db import make_engine, session_factory

    engine = make_engine(zhangqiu_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def app(zhangqiu_url: str) -> Iterator[Any]:
    """The dashboard app on the loaded Zhangqiu database (default settings)."""
    from nearzero.settings import Settings
    from nearzero.web.app import create_app

    application = create_app(Settings(database_url=zhangqiu_url))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    """``app`` driven over HTTP (no one logged in)."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c
