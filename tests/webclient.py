"""Logging in to the dashboard over HTTP (Starlette's TestClient) and in Chromium (a Playwright
page), shared by the web tests."""

import re

DEMO_PASSWORD = "zhangqiu-demo"


def token(html: str) -> str:
    """The CSRF token a page's forms carry (one per session)."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, username: str, password: str = DEMO_PASSWORD):
    """Log in through the real form (with its CSRF token); the overview page it lands on."""
    form = client.get("/login")
    data = {"csrf_token": token(form.text), "username": username, "password": password}
    response = client.post("/login", data={**data, "next": "/"})
    assert response.status_code == 200, response.text
    return response


def browser_log_in(page, base_url: str, username: str, path: str = "/") -> None:
    """Open ``path`` in the browser, log in on the form it is sent to, and land on ``path``."""
    page.goto(f"{base_url}{path}")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(f"{base_url}{path}") + r"(\?.*)?$"))
