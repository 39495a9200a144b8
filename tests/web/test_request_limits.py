"""Limits at the mechanism (issue #11.7): a body over the cap is refused as it streams in,
a cross-site state change is refused, and no page is kept by a browser's cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from nearzero.settings import Settings
from nearzero.web.app import create_app
from webclient import log_in, token


@pytest.fixture
def small_app(zhangqiu_url: str) -> Iterator[Any]:
    application = create_app(Settings(database_url=zhangqiu_url, max_upload_bytes=64 * 1024))
    yield application
    application.state.engine.dispose()


def test_an_upload_over_the_cap_is_refused_before_it_is_read(small_app: Any) -> None:
    with TestClient(small_app) as client:
        log_in(client, "office")
        big = b"x" * (200 * 1024)
        declared = client.post(
            "/inventory/upload", files={"file": ("a.xlsx", big)}, data={"year": "2022"}
        )
        assert declared.status_code == 413
        assert "超过上限" in declared.text

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield (
                b'--b\r\ncontent-disposition: form-data; name="file"; filename="a.xlsx"\r\n'
                b"content-type: application/octet-stream\r\n\r\n"
            )
            for _ in range(50):
                yield b"y" * 8192
            yield b"\r\n--b--\r\n"

        streamed = client.post(
            "/inventory/upload",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
        assert streamed.status_code == 413


def test_a_cross_site_post_is_refused(client: Any) -> None:
    page = log_in(client, "office")
    form = {"csrf_token": token(page.text)}  # a valid token: only the origin is wrong
    for header in (
        {"origin": "https://evil.example"},
        {"referer": "https://evil.example/x"},
        {"origin": "null"},
    ):
        refused = client.post("/logout", data=form, headers=header, follow_redirects=False)
        assert refused.status_code == 403, header
        assert "cross-origin" in refused.text
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in
    same = client.post(
        "/logout", data=form, headers={"origin": "http://testserver"}, follow_redirects=False
    )
    assert same.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303  # logged out


def test_pages_are_not_cached_and_static_assets_are(client: Any) -> None:
    log_in(client, "office")
    assert client.get("/").headers["cache-control"] == "no-store"
    assert client.get("/login").headers["cache-control"] == "no-store"
    asset = client.get("/static/app.css")
    assert asset.status_code == 200
    assert "no-store" not in asset.headers.get("cache-control", "")


def test_every_answer_carries_the_security_headers_once(client: Any) -> None:
    from nearzero.web.app import CSP

    log_in(client, "office")
    for path in ("/", "/login", "/static/app.css", "/no-such-page"):
        answer = client.get(path)
        assert answer.headers["content-security-policy"] == CSP, path
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["referrer-policy"] == "same-origin", path
        assert len(answer.headers.get_list("cache-control")) <= 1, path
