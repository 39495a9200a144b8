"""Benchmark: the office's main pages at 10k and at 1M carbon-inclusion records, 70 units.

Issue #13 item 1: the overview and the carbon-inclusion page must not grow with the record
count (target: under 50 ms warm at 1M records and 70 units, on SQLite and PostgreSQL).

The database gets the schema, the bundled Zhangqiu plan and 69 more units (copies of the plan
under other codes, so every table holds 70 units' rows), one partner with consenting
residents, and records through the real intake (``services.inclusion.ingest``: validation,
ledger, the summaries it keeps), spread over two years. Each page is served in process
(Starlette's TestClient: routing, services, SQL, templates) to a logged-in office user, warm,
several times; printed: the median and the minimum per page at the small and the large count,
their ratio (the baseline is the same page at 10k, same process, same run), and the target.

Run: uv run python bench/bench_pages.py [--small 10000] [--large 1000000] [--units 70]
[--pg URL] (the PostgreSQL leg runs when --pg or NEARZERO_TEST_PG_URL is given).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from bench_inclusion_ingest import pg_database, prepare  # beside this file (sys.path[0])
from nearzero.indicators.catalogue import bundled_plan_path, parse_plan
from nearzero.services import plans
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as svc
from nearzero.services.indicators import get_unit
from nearzero.services.users import ensure_demo_accounts
from nearzero.settings import Settings
from nearzero.store.db import transaction
from nearzero.web.app import create_app

SECRET = "bench-pages-secret-key-0123456789abcdef"
PASSWORD = "zhangqiu-demo"
YEAR = 2025
PAGES = (
    ("overview", f"/?year={YEAR}"),
    ("carbon inclusion (months)", f"/inclusion?year={YEAR}"),
    ("carbon inclusion (years)", f"/inclusion?year={YEAR}&period=year"),
    ("indicators", f"/indicators?year={YEAR}"),
)
TARGET_MS = 50.0
BATCH = 200_000


def residents(n: int) -> list[str]:
    """The consenting residents :func:`bench_inclusion_ingest.prepare` registers for ``n``."""
    return [f"{i:064x}" for i in range(max(100, n // 50))]


def rides(first: int, n: int, people: list[str]) -> list[dict[str, Any]]:
    """Records ``first`` .. ``first + n`` of a two-year history: 50 rides per resident, one
    every 14.6 days, by bus or metro (the ``i``-th record is always the same ride), so the
    first 10k already span both years."""
    t0 = datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    out = []
    for i in range(first, first + n):
        who = people[(i // 50) % len(people)]
        start = t0 + timedelta(hours=(i % 50) * 350 + (i // 50) % 13)
        out.append(
            {
                "partner_record_id": f"r{i}",
                "resident_id": who,
                "scenario": "bus" if i % 3 else "metro",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=25)).isoformat(),
                "distance_km": str(3 + i % 17),
            }
        )
    return out


def more_units(url: str, count: int) -> None:
    """``count`` more units, each a copy of the bundled plan under its own code."""
    plan = yaml.safe_load(bundled_plan_path().read_text(encoding="utf-8"))
    from nearzero.store.db import make_engine, session_factory

    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        for k in range(count):
            other = copy.deepcopy(plan)
            other["unit"].update(code=f"unit-{k:02d}", name_zh=f"示范单元{k:02d}")
            with transaction(sessions) as s:
                plans.load_plan(s, parse_plan(other, f"unit-{k}.yaml"), Actor.system("bench"))
        with transaction(sessions) as s:
            ensure_demo_accounts(s, get_unit(s, "zhangqiu"))
    finally:
        engine.dispose()


def ingest(engine: Any, first: int, last: int, people: list[str]) -> int:
    accepted = 0
    for start in range(first, last, BATCH):
        items = rides(start, min(BATCH, last - start), people)
        accepted += svc.ingest(
            engine, "ride-code", items, now=datetime(2026, 1, 1, tzinfo=UTC)
        ).accepted
    return accepted


def page_times(client: TestClient, runs: int) -> dict[str, tuple[float, float]]:
    """(median, minimum) [ms] of each page, warm."""
    out = {}
    for name, path in PAGES:
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, path
        out[name] = (statistics.median(times), min(times))
    return out


def log_in(client: TestClient) -> None:
    import re

    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    client.post(
        "/login",
        data={
            "csrf_token": token.group(1),
            "username": "office",
            "password": PASSWORD,
            "next": "/",
        },
    )


def leg(name: str, url: str, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    engine = prepare(url, args.large)
    engine.dispose()
    more_units(url, args.units - 1)
    app = create_app(Settings(database_url=url, secret_key=SECRET))
    people = residents(args.large)
    try:
        with TestClient(app) as client:
            log_in(client)
            small_ok = ingest(app.state.engine, 0, args.small, people)
            small = page_times(client, args.runs)
            t1 = time.perf_counter()
            large_ok = small_ok + ingest(app.state.engine, args.small, args.large, people)
            took = time.perf_counter() - t1
            large = page_times(client, args.runs)
    finally:
        app.state.engine.dispose()
    print(
        f"{name}: {args.units} units; {args.small:,} records ({small_ok:,} credited) then "
        f"{args.large:,} ({large_ok:,} credited; intake of the rest {took:.0f} s); "
        f"set-up {time.perf_counter() - t0:.0f} s"
    )
    print(f"  {'page':28} {'at small':>18} {'at large':>18} {'large/small':>12}  target")
    for page, _path in PAGES:
        (sm, smin), (lg, lmin) = small[page], large[page]
        verdict = "ok" if lg <= TARGET_MS else "over"
        print(
            f"  {page:28} {sm:8.1f} (min {smin:5.1f}) {lg:8.1f} (min {lmin:5.1f}) "
            f"{lg / sm:11.2f}x  {TARGET_MS:.0f} ms {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=70)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pg", default=os.environ.get("NEARZERO_TEST_PG_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        leg("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args)
    if args.pg:
        with pg_database(args.pg) as url:
            leg("PostgreSQL", url, args)
    else:
        print("PostgreSQL: skipped (give --pg URL or set NEARZERO_TEST_PG_URL)")


if __name__ == "__main__":
    main()
