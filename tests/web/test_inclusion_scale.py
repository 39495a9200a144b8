"""Issue #13, untimed: the office's pages issue the same number of queries whatever the count
of carbon-inclusion records, and answer with more concurrent requests than the connection
pool holds (a request holds one connection, never two), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from nearzero.inclusion.choices import Scenario
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as partners_svc
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store.db import transaction
from nearzero.web.app import create_app
from webclient import log_in

SECRET_KEY = "inclusion-scale-test-secret-key-0123456789"
MASTER = SECRET_KEY.encode()
T0 = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
PAGES = ("/?year=2025", "/inclusion?year=2025", "/inclusion?year=2025&period=year")


def resident(i: int) -> str:
    return f"{i:064x}"


def rides(n: int, first: int, days: int, seed: int) -> list[dict[str, Any]]:
    """``n`` rides of 40 residents over ``days`` days of 2025 (ids from ``first``)."""
    rng = random.Random(seed)
    out = []
    for i in range(first, first + n):
        start = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * days))
        out.append(
            {
                "partner_record_id": f"s{i}",
                "resident_id": resident(rng.randrange(40)),
                "scenario": rng.choice(["bus", "metro"]),
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=20)).isoformat(),
                "distance_km": str(rng.randrange(1, 20)),
            }
        )
    return out


def make_app(url: str, **settings: Any) -> Any:
    app = create_app(Settings(database_url=url, secret_key=SECRET_KEY, **settings))
    with transaction(app.state.sessions) as s:
        unit = get_unit(s, "zhangqiu")
        partners_svc.create_partner(
            s, Actor.system(), MASTER, unit, "ride-code", "乘车码平台", ["bus", "metro"]
        )
        for i in range(40):
            for sc in (Scenario.BUS, Scenario.METRO):
                partners_svc.set_consent(s, "ride-code", resident(i), sc, True, T0)
    return app


class Queries:
    """Counts the statements an engine executes while ``counting``."""

    def __init__(self, engine: Any) -> None:
        self.n = 0
        self.counting = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        if self.counting:
            self.n += 1

    def of(self, client: TestClient, path: str) -> int:
        self.n, self.counting = 0, True
        try:
            assert client.get(path).status_code == 200
        finally:
            self.counting = False
        return self.n


def test_the_pages_issue_as_many_queries_at_ten_times_the_records(zhangqiu_url):
    app = make_app(zhangqiu_url)
    engine = app.state.engine
    queries = Queries(engine)
    try:
        partners_svc.ingest(engine, "ride-code", rides(60, 0, 20, seed=1), now=T0 + timedelta(400))
        with TestClient(app) as client:
            log_in(client, "office")
            for path in PAGES:
                client.get(path)  # warm: first-use lookups
            small = {path: queries.of(client, path) for path in PAGES}
            more = rides(600, 60, 300, seed=2)  # ten times the records, over ten months
            report = partners_svc.ingest(engine, "ride-code", more, now=T0 + timedelta(400))
            assert report.accepted > 300
            large = {path: queries.of(client, path) for path in PAGES}
        assert large == small
        assert all(n < 60 for n in small.values()), small
    finally:
        engine.dispose()


@pytest.mark.parametrize("concurrent", [8])
def test_more_concurrent_requests_than_the_pool_holds(zhangqiu_url, serve_app, concurrent):
    """A pool of 2 connections and no overflow, 8 users at once on the carbon-inclusion page
    and the overview (whose statistics once took a second connection from the same pool
    while the request held the first: the requests then waited on each other until the pool
    timed out)."""
    app = make_app(
        zhangqiu_url,
        database_pool_size=2,
        database_pool_overflow=0,
        database_pool_timeout=20,
    )
    partners_svc.ingest(
        app.state.engine, "ride-code", rides(200, 0, 60, seed=3), now=T0 + timedelta(400)
    )
    base = serve_app(app)
    try:
        clients = []
        for _ in range(concurrent):
            c = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
            log_in(c, "office")
            clients.append(c)
        start = threading.Barrier(concurrent)

        def user(c: httpx.Client) -> list[int]:
            start.wait()
            return [c.get(path).status_code for _ in range(3) for path in PAGES]

        with ThreadPoolExecutor(concurrent) as pool:
            codes = [code for got in pool.map(user, clients) for code in got]
        assert codes == [200] * (concurrent * 3 * len(PAGES))
        for c in clients:
            c.close()
    finally:
        app.state.engine.dispose()
