"""The partner API's documentation (issue #11.9): its schema holds the partner API only, and
its page works offline from the vendored Swagger UI under the site's CSP."""

from __future__ import annotations

from typing import Any

import pytest

from nearzero.settings import Settings
from nearzero.web.app import create_app

PARTNER_PATHS = {"/api/inclusion/batches", "/api/inclusion/consents"}


def test_the_schema_documents_the_partner_api_only(client: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == PARTNER_PATHS
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "<script>" not in page.text  # no inline script: the CSP (script-src 'self') holds
    assert "cdn" not in page.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


@pytest.fixture
def base_url(zhangqiu_url: str, serve_app: Any) -> Any:
    app = create_app(Settings(database_url=zhangqiu_url))
    yield serve_app(app)
    app.state.engine.dispose()


def test_the_docs_page_renders_offline_in_chromium(page: Any, base_url: str) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None,
    )
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{base_url}/api/docs")
    page.wait_for_selector("[data-path='/api/inclusion/batches']")
    assert page.locator("[data-path='/api/inclusion/consents']").count() >= 1
    assert not outside
    assert not csp_errors
