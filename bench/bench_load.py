"""Benchmark: a bounded load run on loopback against `nearzero serve --workers N` on PostgreSQL.

Issue #13 item 8. A throwaway PostgreSQL cluster (scripts/pg-cluster.sh) gets the schema and the
demo data; `nearzero serve --workers N` serves it. First each page is timed alone (one user,
warm: the single-user latency). Then two runs of U virtual users for D seconds each: office
users browse the main pages, department editors save a value, a viewer reads the report page,
and a partner sends a signed batch of rides every few seconds (the real intake, with its
ledger and summaries):

1. **capacity**: every user asks again as soon as answered (no think time). Throughput here is
   what the workers can serve on this machine (the load generator's threads share its cores);
   by Little's law a user then waits U / throughput on average, so this run's latencies say
   how far the machine is from the target, not how users fare.
2. **users**: each user thinks between requests (exponential, mean ``--think`` seconds), as
   people at a desk do; this run's p95 is the one the target is about.

Printed per page: single-user p50, and per run p50 / p95 / count and p95 / single-user p50
(machines are shared: ratios hold, absolute times drift), the offered load against the
capacity, and the partner's batches. Target (the issue): main pages p95 < 100 ms at 50 users
on 2 cores.

Workers: 4 by default, as docs/deployment.md runs them (two to four per core). Requests are
CPU-bound Python: inside one worker they take turns on its interpreter lock, so with one
worker per core a page that arrives during a partner's batch waits for the batch's slices;
more worker processes than cores let the system scheduler share the cores between them
(measured on 2 cores: worst main-page p95 150 ms with 2 workers, 80 ms with 4).

Each run lasts 60 s by default: a p95 needs its page's 100-odd answers (in 20 s a page got
30-50, and its p95 was its second or third slowest answer).

Run: uv run python bench/bench_load.py [--users 50] [--seconds 60] [--workers 4] [--think 2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
NEARZERO = str(Path(sys.executable).with_name("nearzero"))  # the console script of this env
PASSWORD = "zhangqiu-demo"
OFFICE_PAGES = (
    "/",
    "/indicators",
    "/projects",
    "/inventory",
    "/enterprises",
    "/inclusion",
    "/twohigh",
    "/report",
)
EDITOR_VALUES = {"drc": ("10", "385.55"), "eeb": ("4", "")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nearzero(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [NEARZERO, *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def log_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf, "no CSRF token on the login page"
    data = {"csrf_token": csrf.group(1), "username": username, "password": PASSWORD, "next": "/"}
    answer = client.post("/login", data=data)
    assert answer.status_code == 200, (username, answer.status_code)
    return client


def csrf_of(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    return found.group(1) if found else ""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--think", type=float, default=2.0, help="mean think time [s]")
    parser.add_argument("--batch", type=int, default=200, help="rides per partner batch")
    args = parser.parse_args()

    cluster = ROOT / "var" / f"pg-bench-{os.getpid()}"
    url = (
        subprocess.run(
            ["scripts/pg-cluster.sh", "start", str(cluster)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    env = os.environ | {
        "NEARZERO_DATABASE_URL": url,
        "NEARZERO_SECRET_KEY": "bench-" + "x" * 40,
        "NEARZERO_PORT": str(port),
        "NEARZERO_DATA_DIR": str(cluster / "data"),
        "NEARZERO_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
    }
    server = None
    cluster.mkdir(parents=True, exist_ok=True)
    log = (cluster / "serve.log").open("w")
    try:
        nearzero(env, "db", "upgrade")
        nearzero(env, "demo", "load")
        server = subprocess.Popen(
            [NEARZERO, "serve", "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None:
                    log_text = (cluster / "serve.log").read_text()
                    raise SystemExit(f"serve exited: {log_text}") from None
                time.sleep(0.2)
        secret, people = partner_key(env)
        run(base, args, secret, people)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["scripts/pg-cluster.sh", "stop", str(cluster)], cwd=ROOT, check=False)


RIDES = itertools.count()
"""The partner's rides, numbered across both runs (every ride is new)."""


def partner_key(env: dict[str, str]) -> tuple[bytes, list[str]]:
    """A fresh key for the demo partner (the office rotates it) and its residents."""
    os.environ.update(env)
    from nearzero.services.context import Actor
    from nearzero.services.inclusion import demo, partners
    from nearzero.settings import Settings
    from nearzero.store.db import make_engine, session_factory, transaction

    settings = Settings()
    master = str(settings.secret_key).encode()
    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            key = partners.rotate_key(session, Actor.system("bench"), master, demo.PARTNER)
    finally:
        engine.dispose()
    return bytes.fromhex(key.secret_hex), demo.demo_pseudonyms(master)


def partner(base: str, secret: bytes, people: list[str], size: int, stop_at: float) -> list[Any]:
    """Signed batches of ``size`` rides (new ids, the last days) until ``stop_at``; each
    batch's (seconds, accepted, status)."""
    from nearzero.inclusion.security import canonical_json, sign
    from nearzero.services.inclusion.demo import PARTNER as PARTNER_CODE

    out = []
    with httpx.Client(base_url=base, timeout=120) as client:
        while time.perf_counter() < stop_at:
            today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            rides = []
            for _ in range(size):
                n = next(RIDES)  # one ride a day per resident, going back from yesterday
                who = n % len(people)
                start = today - timedelta(days=1 + n // len(people), minutes=-7 * who)
                rides.append(
                    {
                        "partner_record_id": f"load-{os.getpid()}-{n}",
                        "resident_id": people[who],
                        "scenario": "bus",
                        "start": start.isoformat(),
                        "end": (start + timedelta(minutes=20)).isoformat(),
                        "distance_km": "5",
                    }
                )
            body = canonical_json({"records": rides})
            ts, nonce = int(time.time()), uuid.uuid4().hex
            headers = {
                "X-NZ-Partner": PARTNER_CODE,
                "X-NZ-Timestamp": str(ts),
                "X-NZ-Nonce": nonce,
                "X-NZ-Signature": sign(secret, PARTNER_CODE, ts, nonce, body),
                "Content-Type": "application/json",
            }
            t0 = time.perf_counter()
            answer = client.post("/api/inclusion/batches", content=body, headers=headers)
            took = time.perf_counter() - t0
            accepted = answer.json().get("accepted", 0) if answer.status_code == 200 else 0
            out.append((took, accepted, answer.status_code))
            time.sleep(max(0.0, 3.0 - took))
    return out


def run(base: str, args: argparse.Namespace, secret: bytes, people: list[str]) -> None:
    office = log_in(base, "office")
    single: dict[str, float] = {}
    for page in OFFICE_PAGES:
        office.get(page)  # warm every worker's first use as far as one client can
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            assert office.get(page).status_code == 200, page
            times.append(time.perf_counter() - t0)
        single[page] = statistics.median(times)
    clients: list[tuple[str, httpx.Client]] = []
    for i in range(args.users):
        role = "office" if i % 5 < 3 else ("viewer" if i % 5 == 3 else ("drc", "eeb")[i % 2])
        clients.append((role, log_in(base, role)))
    capacity = load(base, args, clients, single, secret, people, think=0.0)
    offered = args.users / (args.think + statistics.mean(single.values()))
    print(
        f"offered load with a {args.think:.1f} s think time: {offered:.1f} req/s "
        f"= {offered / capacity:.0%} of the capacity measured above"
    )
    load(base, args, clients, single, secret, people, think=args.think)


def load(
    base: str,
    args: argparse.Namespace,
    clients: list[tuple[str, httpx.Client]],
    single: dict[str, float],
    secret: bytes,
    people: list[str],
    think: float,
) -> float:
    """One run of the users (and the partner) for ``args.seconds``; the throughput [req/s]."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.seconds

    def user(role: str, client: httpx.Client, seed: int) -> None:
        rng = random.Random(seed)
        csrf = csrf_of(client) if role in EDITOR_VALUES else ""
        while time.perf_counter() < stop_at:
            if think:
                time.sleep(rng.expovariate(1 / think))
            if role in EDITOR_VALUES:
                code, value = EDITOR_VALUES[role]
                label = "POST value"
                t0 = time.perf_counter()
                answer = client.post(
                    f"/indicators/{code}/values",
                    data={"csrf_token": csrf, "year": "2022", "value": value, "text": "bench"},
                )
            else:
                label = "/report" if role == "viewer" else rng.choice(OFFICE_PAGES)
                t0 = time.perf_counter()
                answer = client.get(label)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies[label].append(elapsed)
                if answer.status_code >= 500:
                    errors[label] += 1

    threads = [
        threading.Thread(target=user, args=(role, client, i))
        for i, (role, client) in enumerate(clients)
    ]
    batches: list[Any] = []
    feeder = threading.Thread(
        target=lambda: batches.extend(partner(base, secret, people, args.batch, stop_at))
    )
    started = time.perf_counter()
    for t in [*threads, feeder]:
        t.start()
    for t in [*threads, feeder]:
        t.join()
    wall = time.perf_counter() - started
    total = sum(len(v) for v in latencies.values())
    name = "capacity (no think time)" if not think else f"users (think {think:.1f} s)"
    print(
        f"\n{name}: users={args.users} workers={args.workers} seconds={wall:.1f} "
        f"requests={total} ({total / wall:.1f} req/s)"
    )
    print(
        f"{'page':<14}{'single p50':>12}{'load p50':>10}{'load p95':>10}{'n':>7}"
        f"{'p95/single':>12}{'5xx':>6}"
    )
    for page in [*OFFICE_PAGES, "POST value"]:
        got = latencies.get(page)
        if not got:
            continue
        alone = single.get(page)
        p50, p95 = percentile(got, 50), percentile(got, 95)
        ratio = f"{p95 / alone:10.1f}x" if alone else f"{'-':>11}"
        alone_ms = f"{alone * 1000:10.0f}ms" if alone else f"{'-':>12}"
        print(
            f"{page:<14}{alone_ms}{p50 * 1000:8.0f}ms{p95 * 1000:8.0f}ms{len(got):7d} {ratio}"
            f"{errors.get(page, 0):6d}"
        )
    if batches:
        took = [b[0] for b in batches]
        print(
            f"partner: {len(batches)} batches of {args.batch} rides, "
            f"{sum(b[1] for b in batches)} credited, statuses {sorted({b[2] for b in batches})}, "
            f"p50 {percentile(took, 50) * 1000:.0f} ms, max {max(took) * 1000:.0f} ms"
        )
    main_p95 = max(percentile(latencies[p], 95) for p in OFFICE_PAGES if latencies.get(p))
    print(f"worst main-page p95: {main_p95 * 1000:.0f} ms (target < 100 ms)")
    return total / wall


if __name__ == "__main__":
    main()
