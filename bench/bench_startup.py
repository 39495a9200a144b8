"""Benchmark: start-up, issue #13 item 6. Each beside `python -c pass` in the same run, each the
minimum of several runs (these machines are shared: ratios hold, absolute times drift):

- `nearzero --help` (target ≤ 0.5 s);
- a one-row `nearzero inventory compute` (target ≤ 1.5 s);
- the first visit of a page after `nearzero serve` starts (target ≤ 0.5 s): the server is
  started on a fresh SQLite demo database, and once /healthz answers, the login page and then
  the overview (logged in) are each timed on their first request.

Run: uv run python bench/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

NEARZERO = str(Path(sys.executable).with_name("nearzero"))
ONE_ROW = """format: nearzero.inventory-activity/1
region: bench
rows:
  - {id: coal, year: 2022, category: 1.A.1.a, sector: energy, method: fuel_combustion,
     fuel: 原煤, quantity: 142.285, unit: 万吨}
"""


def timed(cmd: list[str], env: dict[str, str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def first_visits(env: dict[str, str]) -> tuple[float, float]:
    """(first /login, first / after logging in) on a freshly started server [s]."""
    port = free_port()
    server = subprocess.Popen(
        [NEARZERO, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=60) as client:
            t0 = time.perf_counter()
            form = client.get("/login")
            login = time.perf_counter() - t0
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert csrf is not None
            data = {"csrf_token": csrf.group(1), "username": "office", "password": "zhangqiu-demo"}
            client.post("/login", data={**data, "next": "/login"})
            t0 = time.perf_counter()
            answer = client.get("/")
            overview = time.perf_counter() - t0
            assert answer.status_code == 200
        return login, overview
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {
            "NEARZERO_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "NEARZERO_DATA_DIR": tmp,
        }
        row = Path(tmp) / "one.yaml"
        row.write_text(ONE_ROW, encoding="utf-8")
        floor = timed([sys.executable, "-c", "pass"], env, args.runs)
        helped = timed([NEARZERO, "--help"], env, args.runs)
        compute = timed([NEARZERO, "inventory", "compute", str(row)], env, args.runs)
        subprocess.run([NEARZERO, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([NEARZERO, "demo", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
        visits = [first_visits(env) for _ in range(min(args.runs, 3))]
    login = min(v[0] for v in visits)
    overview = min(v[1] for v in visits)
    print(f"python -c pass               : {floor:6.3f} s (floor)")
    print(f"nearzero --help              : {helped:6.3f} s  ({helped / floor:5.1f}x floor)")
    print("                               target <= 0.5 s")
    print(f"inventory compute, one row   : {compute:6.3f} s  ({compute / floor:5.1f}x floor)")
    print("                               target <= 1.5 s")
    print(f"first visit: /login          : {login:6.3f} s  (target <= 0.5 s)")
    print(f"first visit: / (logged in)   : {overview:6.3f} s  (target <= 0.5 s)")


if __name__ == "__main__":
    main()
