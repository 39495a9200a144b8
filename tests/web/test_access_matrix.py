"""The access-control matrix (issue #11.5), generated: every write route declares its action,
and every write route called as every role is refused by the matrix exactly when the matrix
says so. A new write route without a declared action fails here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from nearzero.services import users
from nearzero.services.access import MATRIX, PUBLIC, Action, allowed
from nearzero.services.context import Actor, Role
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction
from nearzero.web.deps import Allow
from webclient import DEMO_PASSWORD, token

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = {
    Role.ADMIN: "office",
    Role.EDITOR: "drc",
    Role.VIEWER: "viewer",
    Role.VERIFIER: "verifier1",
}


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """The app's API routes, through included routers (FastAPI keeps those wrapped)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += api_routes(route.original_router.routes)
    return out


def write_routes(app: Any) -> list[tuple[APIRoute, Action]]:
    found = []
    for route in api_routes(app.routes):
        if not isinstance(route, APIRoute) or not (route.methods & WRITES):
            continue
        declared = [
            d.call.action for d in route.dependant.dependencies if isinstance(d.call, Allow)
        ]
        assert len(declared) == 1, f"{route.path} declares {declared}: exactly one action"
        found.append((route, declared[0]))
    return found


def test_every_write_route_declares_one_action_of_the_matrix(app: Any) -> None:
    routes = write_routes(app)
    assert len(routes) >= 40
    used = {action for _route, action in routes}
    assert used - PUBLIC <= set(MATRIX), "an action no role is given"
    assert set(MATRIX) <= used, "a matrix row no route uses"


@pytest.fixture
def clients(app: Any) -> Any:
    with transaction(app.state.sessions) as session:
        unit = get_unit(session, "zhangqiu")
        users.create_user(
            session,
            Actor.system("test"),
            "verifier1",
            DEMO_PASSWORD,
            Role.VERIFIER,
            "核查机构",
            unit,
        )
    opened = {}
    for role, username in ROLES.items():
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        form = client.get("/login")
        data = {"csrf_token": token(form.text), "username": username, "password": DEMO_PASSWORD}
        assert client.post("/login", data={**data, "next": "/"}).status_code == 303
        opened[role] = (client, token(client.get("/login").text))
    yield opened
    for client, _csrf in opened.values():
        client.__exit__(None, None, None)


def _path(route: APIRoute) -> str:
    return re.sub(r"\{[^}]+\}", "1", route.path)


def test_every_write_route_as_every_role(app: Any, clients: Any) -> None:
    checked = 0
    for route, action in write_routes(app):
        if action in PUBLIC:
            continue
        method = sorted(route.methods & WRITES)[0]
        for role, (client, csrf) in clients.items():
            response = client.request(method, _path(route), data={"csrf_token": csrf})
            refused = response.headers.get("x-access-refused")
            if allowed(role, action):
                assert refused is None, (route.path, role, response.status_code)
            else:
                assert response.status_code == 403, (route.path, role, response.status_code)
                assert refused == action.value, (route.path, role)
            checked += 1
    assert checked >= 4 * 40
