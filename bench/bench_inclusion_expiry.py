"""Benchmark: points expiry, the set-based append against appending one by one.

Both legs append the same expiry transactions (every credited lot of N synthetic rides,
expired after 1 month) to the same ledger, each in a transaction rolled back afterwards:
``SqlLedger.append`` once per transaction (about a dozen statements each) and
``SqlLedger.append_all`` (a few statements in all), on the points ledger
(``nearzero.store.inclusion_ledger.inclusion_ledger``). Reported: seconds and the speed-up.

Run: uv run python bench/bench_inclusion_expiry.py [--n 5000] [--pg URL]
(the PostgreSQL leg runs when --pg or NEARZERO_TEST_PG_URL is given).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bench_inclusion_ingest import pg_database, prepare, records
from nearzero.inclusion.points import expiry_transactions
from nearzero.services.inclusion import partners as svc
from nearzero.store.inclusion_ledger import inclusion_ledger

NOW = datetime(2025, 12, 31, tzinfo=UTC)


def leg(name: str, url: str, n: int) -> None:
    engine = prepare(url, n)
    try:
        report = svc.ingest(engine, "ride-code", records(n), now=NOW)
        timings = {}
        for how in ("one by one", "append_all"):
            with engine.connect() as con, Session(bind=con) as session:
                ledger = inclusion_ledger(session)
                txs = expiry_transactions(ledger, "zhangqiu", NOW + timedelta(days=400), 1)
                t0 = time.perf_counter()
                if how == "append_all":
                    ledger.append_all(txs)
                else:
                    for tx in txs:
                        ledger.append(tx)
                timings[how] = time.perf_counter() - t0
                session.rollback()
        one, bulk = timings["one by one"], timings["append_all"]
        print(
            f"{name}: {report.accepted:,} credited lots, {len(txs):,} expiry transactions; "
            f"one by one {one:.2f} s, append_all {bulk:.2f} s: {one / bulk:.1f}x faster"
        )
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000, help="rides (default 5,000)")
    parser.add_argument("--pg", default=os.environ.get("NEARZERO_TEST_PG_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        leg("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.n)
    if args.pg:
        with pg_database(args.pg) as url:
            leg("PostgreSQL", url, args.n)
    else:
        print("PostgreSQL: skipped (give --pg URL or set NEARZERO_TEST_PG_URL)")


if __name__ == "__main__":
    main()
