"""Benchmark: carbon-inclusion intake end to end against the raw bulk-insert rate.

nearzero: ``services.inclusion.ingest`` on N synthetic partner records (dicts as parsed
from JSON lines): the core's vectorised validation (consent, methodology, plausibility,
de-duplication against the batch and the stored ids, overlap, caps), chunked by resident,
the bulk write of the record rows, the ledger transaction and its aggregated postings, one
database transaction per chunk. Baseline, same database, same run, same input (the list of
dicts, timed from there for both): the same records' fields inserted raw into a plain table
without index in the same chunk size (SQLite: executemany INSERT in WAL mode; PostgreSQL:
COPY). Reported: records/s and the ratio.

Also reported, as a ceiling for any intake design: the "index floor", the same records
written the same way into the leanest table the intake's checks need (integer partner,
resident and times; a unique index on the partner record id, for "a batch sent twice
credits once"; an index on resident and start time, for the overlap and cap checks), with
the conversion to integers done before the clock starts and no validation at all. The
intake is printed as a share of it (target: at least 50 %).

And the "record-table floor": the same records as the intake writes them (migration 0020:
a record credited in full is one narrow ``inclusion_record_row`` row, its resident by id,
its times as integers, what its chunk's records share in one group row), written the same
way into a copy of that table with its key and index, in the intake's order (by resident
and start), converted before the clock starts, no validation. The gap between it and the
index floor is the record table's shape; the gap between the intake and it is the
validation, the ledger postings and the summaries. The same records as full rows of the
table as it was before 0020 (``inclusion_record_full``, with its indexes) show what the
narrow row bought.

Last, what bounds the intake: with its validation worker (a process that validates the
chunks while this one writes them, :class:`~nearzero.services.inclusion.intake.
ValidationWorker`), this process's path (reading the batch and its id, waiting for the
worker, the writes) beside the worker's validation; the CPU of both processes and of the
database server spread over every core (a floor no overlap can beat); and the share of
the index floor the writes alone would allow.

Run: uv run python bench/bench_inclusion_ingest.py [--n 1000000] [--pg URL]
(the PostgreSQL leg runs when --pg or NEARZERO_TEST_PG_URL is given).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from nearzero.indicators.catalogue import bundled_plan_path, load_plan
from nearzero.services import plans
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as svc
from nearzero.services.inclusion.intake import DEFAULT_CHUNK
from nearzero.services.indicators import get_unit
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.dialect import time_param, time_text
from nearzero.store.intake import RECORD_COLUMNS, ROW_COLUMNS
from nearzero.store.migrate import upgrade

MASTER = b"bench-master-key-0123456789abcdef"
NOW = datetime(2025, 12, 31, tzinfo=UTC)
RAW_COLUMNS = "partner, rid, resident, scenario, start_at, end_at, distance_km"


def residents(n: int) -> list[str]:
    return [f"{i:064x}" for i in range(max(100, n // 50))]


def records(n: int) -> list[dict[str, Any]]:
    """N bus and metro rides of 2 % non-consenting residents, 50 rides per resident."""
    people = residents(n)
    extra = [f"{i:064x}" for i in range(len(people), len(people) + len(people) // 50)]
    everyone = people + extra
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    for i in range(n):
        who = everyone[i % len(everyone)]
        start = t0 + timedelta(minutes=47 * (i // len(everyone)))
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


def prepare(url: str, n: int) -> Engine:
    upgrade(url)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        plans.load_plan(session, load_plan(bundled_plan_path()), Actor.system("bench"))
        unit = get_unit(session, "zhangqiu")
        svc.create_partner(
            session,
            Actor.system("bench"),
            MASTER,
            unit,
            "ride-code",
            "乘车码平台",
            ["bus", "metro"],
        )
        for who in residents(n):
            session.execute(
                text("INSERT INTO inclusion_resident (pseudonym, created_at) VALUES (:p, :t)"),
                {"p": who, "t": datetime(2024, 1, 1, tzinfo=UTC)},
            )
        session.execute(
            text(
                "INSERT INTO inclusion_consent (resident_id, scenario, granted_at, granted_via) "
                "SELECT r.id, s.scenario, :t, 'bench' FROM inclusion_resident r "
                "CROSS JOIN (SELECT 'bus' AS scenario UNION ALL SELECT 'metro') s WHERE true"
            ),
            {
                "t": datetime(2024, 1, 1, tzinfo=UTC)
                if engine.dialect.name != "sqlite"
                else "2024-01-01 00:00:00.000000"
            },
        )
        session.execute(
            text(
                "CREATE TABLE bench_raw ("
                + ", ".join(f"{c} TEXT" for c in RAW_COLUMNS.split(", "))
                + ")"
            )
        )
    return engine


def write_raw(engine: Engine, table: str, columns: str, part: list[tuple[Any, ...]]) -> None:
    """One transaction of a plain bulk write: COPY on PostgreSQL, executemany on SQLite."""
    with engine.begin() as con:
        if engine.dialect.name == "postgresql":
            raw = con.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
                for r in part:
                    cp.write_row(r)
        else:
            marks = ", ".join("?" * len(columns.split(", ")))
            con.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", part)


def raw_rate(engine: Engine, items: list[dict[str, Any]], chunk: int) -> float:
    """Rows/s of the plain bulk insert of the same records, ``chunk`` rows per transaction.

    Timed from the same input as the intake (the parsed dicts), so both pay for reading them.
    """
    t0 = time.perf_counter()
    for start in range(0, len(items), chunk):
        part = [
            (
                "ride-code",
                r["partner_record_id"],
                r["resident_id"],
                r["scenario"],
                r["start"],
                r["end"],
                r["distance_km"],
            )
            for r in items[start : start + chunk]
        ]
        write_raw(engine, "bench_raw", RAW_COLUMNS, part)
    return len(items) / (time.perf_counter() - t0)


FLOOR_COLUMNS = "partner_id, rid, resident_id, start_us, end_us, quantity"


def lean_rows(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The records as the floor table's integer row (not timed)."""
    ids: dict[str, int] = {}

    def us(iso: str) -> int:
        return int(datetime.fromisoformat(iso).timestamp() * 1_000_000)

    return [
        (
            1,
            r["partner_record_id"],
            ids.setdefault(r["resident_id"], len(ids)),
            us(r["start"]),
            us(r["end"]),
            float(r["distance_km"]),
        )
        for r in items
    ]


def floor_rate(engine: Engine, rows: list[tuple[Any, ...]], chunk: int) -> float:
    """Rows/s of writing ``rows`` into the index-floor table, ``chunk`` rows per transaction."""
    big = "BIGINT" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as con:
        con.exec_driver_sql(
            "CREATE TABLE bench_floor (partner_id INTEGER NOT NULL, rid TEXT NOT NULL, "
            f"resident_id INTEGER NOT NULL, start_us {big} NOT NULL, end_us {big} NOT NULL, "
            "quantity DOUBLE PRECISION, UNIQUE (partner_id, rid))"
        )
        con.exec_driver_sql(
            "CREATE INDEX bench_floor_resident ON bench_floor (resident_id, start_us)"
        )
    t0 = time.perf_counter()
    for start in range(0, len(rows), chunk):
        write_raw(engine, "bench_floor", FLOOR_COLUMNS, rows[start : start + chunk])
    return len(rows) / (time.perf_counter() - t0)


def full_rows(engine: Engine, items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The records as full rows of an accepted ride with a credit transaction, as the one
    record table held them before migration 0020 (column order :data:`RECORD_COLUMNS` and
    ``tx_id``), sorted by resident and start as the intake writes them (not timed)."""
    pg = engine.dialect.name == "postgresql"
    partner, tx, _ = _partner_tx_group(engine)
    received = time_text(NOW, pg)
    out = []
    for r in sorted(items, key=lambda r: (r["resident_id"], r["start"])):
        start = datetime.fromisoformat(r["start"])
        out.append(
            (
                partner,
                r["partner_record_id"],
                r["resident_id"],
                r["scenario"],
                time_text(start, pg),
                time_text(datetime.fromisoformat(r["end"]), pg),
                (start + timedelta(hours=8)).date().isoformat(),
                r["distance_km"],
                "km",
                True,
                None,
                None,
                f"{r['scenario']}-ride",
                "2025.1",
                361,
                361,
                None,
                "0123456789abcdef0123456789abcdef",
                received,
                None,
                None,
                None,
                tx,
            )
        )
    return out


def narrow_rows(engine: Engine, items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The records as the intake writes a record credited in full since migration 0020: an
    ``inclusion_record_row`` row (column order :data:`ROW_COLUMNS`), sorted by resident and
    start (not timed)."""
    partner, _, group = _partner_tx_group(engine)
    with engine.connect() as con:
        ids = dict(con.execute(text("SELECT pseudonym, id FROM inclusion_resident")).all())

    def us(iso: str) -> int:
        return int(datetime.fromisoformat(iso).timestamp() * 1_000_000)

    return [
        (
            partner,
            r["partner_record_id"],
            True,
            ids.get(r["resident_id"], 0),
            us(r["start"]),
            us(r["end"]),
            r["distance_km"],
            361,
            group,
        )
        for r in sorted(items, key=lambda r: (r["resident_id"], r["start"]))
    ]


def _partner_tx_group(engine: Engine) -> tuple[int, int, int]:
    """The bench partner's id, and a credit transaction and a record group of its own."""
    with engine.begin() as con:
        partner = con.execute(
            text("SELECT id FROM inclusion_partner WHERE code = 'ride-code'")
        ).scalar_one()
        tx = con.execute(
            text(
                "INSERT INTO ledger_transaction "
                "(key, kind, effective_at, memo, digest, aggregated, created_at) "
                "VALUES (:k, 'credit', :t, '', '', :agg, :t) RETURNING id"
            ),
            {"k": f"bench:record-floor:{uuid.uuid4().hex}", "t": time_param(con, NOW), "agg": True},
        ).scalar_one()
        group = con.execute(
            text(
                "INSERT INTO inclusion_record_group (partner_id, scenario, quantity_unit, "
                "methodology_id, methodology_version, batch, received_at, tx_id) "
                "VALUES (:p, 'bus', 'km', 'bus-ride', '2025.1', 'bench', :t, :tx) RETURNING id"
            ),
            {"p": partner, "t": time_param(con, NOW), "tx": tx},
        ).scalar_one()
    return int(partner), int(tx), int(group)


def record_floor_rate(
    engine: Engine, table: str, columns: str, rows: list[tuple[Any, ...]], chunk: int
) -> float:
    """Rows/s of writing ``rows`` into a copy of ``table`` (same columns, key and indexes),
    ``chunk`` rows per transaction; the copy is dropped after."""
    with engine.begin() as con:
        if engine.dialect.name == "postgresql":
            con.exec_driver_sql(f"CREATE TABLE bench_record_floor (LIKE {table} INCLUDING ALL)")
        else:
            for (sql,) in con.exec_driver_sql(
                f"SELECT sql FROM sqlite_master WHERE tbl_name = '{table}' "
                "AND sql IS NOT NULL ORDER BY type DESC"  # the table, then its indexes
            ):
                sql = re.sub(r"INDEX (\w+) ON", r"INDEX bench_\1 ON", sql)
                sql = sql.replace(f'"{table}"', table).replace(table, "bench_record_floor")
                con.exec_driver_sql(sql)
    t0 = time.perf_counter()
    for start in range(0, len(rows), chunk):
        write_raw(engine, "bench_record_floor", columns, rows[start : start + chunk])
    rate = len(rows) / (time.perf_counter() - t0)
    with engine.begin() as con:
        con.exec_driver_sql("DROP TABLE bench_record_floor")
    return rate


def server_cpu() -> float | None:
    """CPU seconds used so far by the processes named ``postgres`` on this machine (the
    local test cluster: server, backends, WAL writer, checkpointer); None without /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name == "postgres":
            fields = stat[stat.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _own_cpu() -> float:
    """CPU seconds of this process and of its children waited for (the intake's validation
    worker is joined before the intake returns)."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def cpu_floor(client: float, server: float | None, took: float, floor: float, n: int) -> str:
    """The intake's CPU (this process and, on PostgreSQL, the database server's processes)
    spread over every core of the machine: a wall-time floor no overlap can beat."""
    cores = os.cpu_count() or 1
    total = client + (server or 0.0)
    best = total / cores
    where = f" + database server {server:.1f} s" if server is not None else ""
    return (
        f"CPU: this process and its worker {client:.1f} s{where} = {total:.1f} s on {cores} "
        f"cores: even spread over all of them the intake takes at least {best:.1f} s (of "
        f"{took:.1f} s) = "
        f"at most {n / best / floor:.1%} of the index floor on this machine"
    )


def bound(t: dict[str, float], took: float, n: int, floor: float, record_floor: float) -> str:
    """What the intake's time went to: with the validation worker, this process's path
    (reading the batch, waiting for the worker, the writes) beside the worker's validation;
    without, the CPU side after the writes. And what the writes alone would allow."""
    write = t["write"]
    validation = t["context"] + t["validate"] + t["rows"]
    alone = (
        f"writes {write:.1f} s = {write / took:.0%} (the record rows alone at the record-table "
        f"floor: {n / record_floor:.1f} s); the writes alone would be "
        f"{n / write / floor:.1%} of the index floor"
    )
    if "worker" in t:
        wait = t["worker.wait"]
        service = max(0.0, took - (t["chunking"] + wait + write))  # partner, rules, indicator
        return (
            f"bound: the worker validated {validation:.1f} s (context reads {t['context']:.1f}, "
            f"validation {t['validate']:.1f}, rows {t['rows']:.1f}) beside the writes; this "
            f"process read the batch and its id {t['chunking']:.1f} s, waited for the worker "
            f"{wait:.1f} s (its first chunk, then reading each result), partner/rules/"
            f"indicator {service:.1f} s; {alone}"
        )
    cpu = t["chunking"] + validation
    service = max(0.0, took - (cpu + write))
    return (
        f"bound (validated in place, chunk after chunk): CPU side {cpu + service:.1f} s = "
        f"{(cpu + service) / took:.0%} of the intake (batch fields and id, chunking "
        f"{t['chunking']:.1f}, context reads {t['context']:.1f}, validation "
        f"{t['validate']:.1f}, rows {t['rows']:.1f}, partner/rules/indicator {service:.1f}); "
        f"{alone}"
    )


def check(engine: Engine, report: svc.IngestReport) -> None:
    with engine.connect() as con:
        points = con.execute(
            text(
                "SELECT COALESCE(SUM(p.amount), 0) FROM ledger_posting p "
                "JOIN ledger_account a ON a.id = p.account_id WHERE a.kind = 'resident'"
            )
        ).scalar_one()
        unbalanced = con.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT tx_id, asset FROM ledger_posting "
                "GROUP BY tx_id, asset HAVING SUM(amount) <> 0) x"
            )
        ).scalar_one()
    assert int(points) == report.credited_g, (points, report.credited_g)
    assert unbalanced == 0


def leg(name: str, url: str, items: list[dict[str, Any]], chunk: int) -> None:
    engine = prepare(url, len(items))
    try:
        raw = raw_rate(engine, items, chunk)
        floor = floor_rate(engine, lean_rows(items), chunk)
        record_floor = record_floor_rate(
            engine, "inclusion_record_row", ROW_COLUMNS, narrow_rows(engine, items), chunk
        )
        old_floor = record_floor_rate(
            engine,
            "inclusion_record_full",
            ", ".join((*RECORD_COLUMNS, "tx_id")),
            full_rows(engine, items),
            chunk,
        )
        pg = engine.dialect.name == "postgresql"
        cpu0, db0 = _own_cpu(), server_cpu() if pg else None
        t0 = time.perf_counter()
        report = svc.ingest(engine, "ride-code", items, now=NOW, chunk_size=chunk)
        took = time.perf_counter() - t0
        client = _own_cpu() - cpu0
        db1 = server_cpu() if pg else None
        server = db1 - db0 if db0 is not None and db1 is not None else None
        check(engine, report)
        ours = len(items) / took
        print(
            f"{name}: n={len(items):,} chunks={report.chunks_written} "
            f"accepted={report.accepted:,} rejected={dict(report.rejected())} "
            f"intake {took:.1f} s = {ours:,.0f} records/s; raw bulk insert {raw:,.0f} rows/s; "
            f"ratio {ours / raw:.1%} (target >= 50%)"
        )
        print(
            f"  index floor (lean rows with the two indexes the checks need, no validation): "
            f"{floor:,.0f} rows/s = {floor / raw:.1%} of raw"
        )
        print(
            "  record-table floor (the intake's rows of records credited in full, "
            "inclusion_record_row with its key and index, no validation): "
            f"{record_floor:,.0f} rows/s = {record_floor / floor:.1%} of the index floor"
        )
        print(
            "  the same records as full rows of the table before migration 0020 "
            f"(inclusion_record_full): {old_floor:,.0f} rows/s: the narrow row cut the time "
            f"to write the record rows by {1 - old_floor / record_floor:.0%}"
        )
        print(
            f"  intake = {ours / floor:.1%} of the index floor (target >= 50%); "
            f"{ours / record_floor:.1%} of the record-table floor"
        )
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(report.timings.items()))
        print(f"  of which: {parts}")
        print("  " + bound(report.timings, took, len(items), floor, record_floor))
        print("  " + cpu_floor(client, server, took, floor, len(items)))
    finally:
        engine.dispose()


@contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url)
    name = f"nz_bench_{uuid.uuid4().hex[:12]}"
    libpq = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records (default 1,000,000)")
    parser.add_argument("--pg", default=os.environ.get("NEARZERO_TEST_PG_URL", ""))
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    args = parser.parse_args()
    items = records(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        leg("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", items, args.chunk)
    if args.pg:
        with pg_database(args.pg) as url:
            leg("PostgreSQL", url, items, args.chunk)
    else:
        print("PostgreSQL: skipped (give --pg URL or set NEARZERO_TEST_PG_URL)")


if __name__ == "__main__":
    main()
