"""Logging in to the dashboard over HTTP (Starlette's TestClient), shared by the web tests."""

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
