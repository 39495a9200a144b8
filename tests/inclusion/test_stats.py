"""Statistics over the intake history, written once with Ibis, on DuckDB and on Spark."""

from __future__ import annotations

import os
import random
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.inclusion.intake import BatchResult, Consent, IntakeContext, validate_batch
from nearzero.inclusion.methodology import load_library
from nearzero.inclusion.records import BehaviourRecord
from nearzero.inclusion.rules import CapRule, load_scheme
from nearzero.inclusion.stats import (
    COLUMNS,
    DuckDBRunner,
    Period,
    SparkRunner,
    outcome_rows,
    outcomes_table,
    participants,
    records_by_outcome,
    reductions_by_methodology,
    run,
    run_all,
)

LIB = load_library()
NOW = datetime(2025, 12, 31, tzinfo=UTC)


def _context(residents: list[str]) -> IntakeContext:
    scheme = replace(load_scheme("zhangqiu"), total_caps=CapRule(daily_g=1000))
    consents = [
        Consent(r, s, datetime(2024, 1, 1, tzinfo=UTC))
        for r in residents
        if r != residents[-1]
        for s in Scenario
    ]
    return IntakeContext(
        library=LIB,
        scheme=scheme,
        now=NOW,
        partners={"bus-co": frozenset(Scenario)},
        consents=consents,
    )


def _record(
    rid: str, resident: str, scenario: Scenario, start: datetime, km: int
) -> BehaviourRecord:
    return BehaviourRecord(
        "bus-co",
        rid,
        resident,
        scenario,
        start,
        start + timedelta(minutes=20),
        distance_km=Decimal(km),
    )


def small_history() -> list[BatchResult]:
    a, b, c = "res-a", "res-b", "res-c"  # c has no consent
    jan, feb = datetime(2025, 1, 6, 1, tzinfo=UTC), datetime(2025, 2, 3, 1, tzinfo=UTC)
    batch1 = [
        _record("1", a, Scenario.BUS, jan, 10),  # 269
        _record("2", a, Scenario.METRO, jan + timedelta(hours=2), 10),  # 468
        _record("3", b, Scenario.BUS, jan, 20),  # 538
        _record("4", c, Scenario.BUS, jan, 10),  # no consent
        _record("5", a, Scenario.SHARED_BICYCLE, jan + timedelta(hours=5), 3),  # RF empty
    ]
    batch2 = [
        _record("6", b, Scenario.METRO, feb, 10),  # 468
        _record("6", b, Scenario.METRO, feb, 11),  # duplicate in batch
        _record("7", b, Scenario.METRO, feb + timedelta(minutes=5), 10),  # overlaps 6
    ]
    ctx = _context([a, b, c])
    return [validate_batch("bus-co", batch1, ctx), validate_batch("bus-co", batch2, ctx)]


def test_outcome_rows_match_the_schema() -> None:
    rows = outcome_rows(small_history())
    assert len(rows) == 8 and all(len(r) == len(COLUMNS) for r in rows)
    first = dict(zip(COLUMNS, rows[0], strict=True))
    assert first["grams"] == 269 and first["methodology_id"] == "sz-transit-bus"
    assert first["day"] == date(2025, 1, 6) and first["accepted"] is True


def test_statistics_on_duckdb_pinned_by_hand() -> None:
    runner = DuckDBRunner()
    runner.load_outcomes(outcome_rows(small_history()))
    t = outcomes_table()
    jan, feb = date(2025, 1, 1), date(2025, 2, 1)
    got = run(runner, participants(t, Period.MONTH))
    assert got == [
        {"scenario": "all", "period": jan, "participants": 2, "records": 3, "grams": 1275},
        {"scenario": "bus", "period": jan, "participants": 2, "records": 2, "grams": 807},
        {"scenario": "metro", "period": jan, "participants": 1, "records": 1, "grams": 468},
        {"scenario": "all", "period": feb, "participants": 1, "records": 1, "grams": 468},
        {"scenario": "metro", "period": feb, "participants": 1, "records": 1, "grams": 468},
    ]
    outcomes = {
        (r["scenario"], r["period"], r["outcome"]): r["records"]
        for r in run(runner, records_by_outcome(t, Period.MONTH))
    }
    assert outcomes == {
        ("bus", jan, "accepted"): 2,
        ("bus", jan, ReasonCode.NO_CONSENT.value): 1,
        ("metro", jan, "accepted"): 1,
        ("shared_bicycle", jan, ReasonCode.PARAMETER_MISSING.value): 1,
        ("metro", feb, "accepted"): 1,
        ("metro", feb, ReasonCode.DUPLICATE_IN_BATCH.value): 1,
        ("metro", feb, ReasonCode.OVERLAPPING_TRIP.value): 1,
    }
    by_method = run(runner, reductions_by_methodology(t, Period.YEAR))
    assert [
        (r["methodology_id"], r["methodology_version"], r["grams"], r["records"]) for r in by_method
    ] == [
        ("sz-transit-bus", "2021-12", 807, 2),
        ("sz-transit-metro", "2021-12", 936, 2),
    ]


def random_history(seed: int, n: int) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    residents = [f"res-{i}" for i in range(40)]
    records = []
    for i in range(n):
        start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(0, 60 * 24 * 700)
        )
        records.append(
            _record(
                f"r{i % (n - 7)}",
                rng.choice(residents),
                rng.choice([Scenario.BUS, Scenario.METRO, Scenario.SHARED_BICYCLE]),
                start,
                rng.randrange(1, 30),
            )
        )
    rows: list[tuple[Any, ...]] = outcome_rows(
        [validate_batch("bus-co", records, _context(residents))]
    )
    return rows


def python_reference(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The same statistics by plain Python, to pin the Ibis expressions."""
    people: dict[tuple[str, date], set[str]] = defaultdict(set)
    reasons: dict[tuple[str, date, str], int] = defaultdict(int)
    grams: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        r = dict(zip(COLUMNS, row, strict=True))
        month = r["day"].replace(day=1)
        reasons[(r["scenario"], month, "accepted" if r["accepted"] else r["reason"])] += 1
        if r["accepted"]:
            people[(r["scenario"], month)].add(r["resident_id"])
            people[("all", month)].add(r["resident_id"])
            grams[(r["methodology_id"], r["methodology_version"])] += r["grams"]
    return {
        "people": {k: len(v) for k, v in people.items()},
        "reasons": dict(reasons),
        "grams": dict(grams),
    }


def test_duckdb_statistics_equal_a_python_reference() -> None:
    rows = random_history(3, 3000)
    runner = DuckDBRunner()
    runner.load_outcomes(rows)
    ref = python_reference(rows)
    t = outcomes_table()
    got_people = {
        (r["scenario"], r["period"]): r["participants"]
        for r in run(runner, participants(t, Period.MONTH))
    }
    assert got_people == ref["people"]
    got_reasons = {
        (r["scenario"], r["period"], r["outcome"]): r["records"]
        for r in run(runner, records_by_outcome(t, Period.MONTH))
    }
    assert got_reasons == ref["reasons"]
    got_grams: dict[tuple[str, str], int] = defaultdict(int)
    for r in run(runner, reductions_by_methodology(t, Period.DAY)):
        got_grams[(r["methodology_id"], r["methodology_version"])] += r["grams"]
    assert dict(got_grams) == ref["grams"]
    assert len({r[8] for r in rows}) > 1  # the history has credits and rejections


# --------------------------------------------------------------------------- Spark


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if shutil.which("java") is None:
        if _in_ci():
            pytest.fail("java is not installed (Spark needs Java 17)")
        pytest.skip("java is not installed")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if _in_ci():
            pytest.fail("pyspark is not installed (the 'spark' extra)")
        pytest.skip("pyspark is not installed")
    warehouse: Path = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("nearzero-inclusion-stats")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()


@pytest.mark.spark
@pytest.mark.slow
def test_same_ibis_code_on_spark_equals_duckdb(spark: Any) -> None:
    rows = random_history(11, 2000) + outcome_rows(small_history())
    duck = DuckDBRunner()
    duck.load_outcomes(rows)
    sp = SparkRunner(spark)
    sp.load_outcomes(rows)
    for period in (Period.MONTH, Period.YEAR):
        expected = run_all(duck, period)
        got = run_all(sp, period)
        assert got.keys() == expected.keys()
        for name in expected:
            assert got[name] == expected[name], (name, period)
    day = reductions_by_methodology(outcomes_table(), Period.DAY)
    assert run(sp, day) == run(duck, day)


class SQLAlchemyRunner:
    """A runner over a SQLAlchemy engine: what the store uses for its own database."""

    def __init__(self, url: str, rows: list[tuple[Any, ...]]) -> None:
        import sqlalchemy as sa

        self.engine = sa.create_engine(url)
        self.dialect = {"postgresql": "postgres"}.get(
            self.engine.dialect.name, self.engine.dialect.name
        )
        kinds = {
            "string": sa.String,
            "date": sa.Date,
            "boolean": sa.Boolean,
            "int64": sa.BigInteger,
        }
        from nearzero.inclusion.stats import OUTCOMES_SCHEMA

        meta = sa.MetaData()
        table = sa.Table(
            "inclusion_outcomes",
            meta,
            *(sa.Column(n, kinds[str(OUTCOMES_SCHEMA[n])]) for n in COLUMNS),
        )
        meta.create_all(self.engine)
        with self.engine.begin() as con:
            con.execute(table.insert(), [dict(zip(COLUMNS, r, strict=True)) for r in rows])

    def fetch(self, sql: str) -> tuple[list[str], list[Any]]:
        import sqlalchemy as sa

        with self.engine.connect() as con:
            res = con.execute(sa.text(sql))
            return list(res.keys()), [tuple(r) for r in res]


def test_same_ibis_code_on_the_store_databases(database_url: str) -> None:
    """SQLite and PostgreSQL (the store's engines) give DuckDB's results."""
    rows = random_history(9, 800) + outcome_rows(small_history())
    duck = DuckDBRunner()
    duck.load_outcomes(rows)
    runner = SQLAlchemyRunner(database_url, rows)
    try:
        for period in (Period.MONTH, Period.YEAR):
            assert run_all(runner, period) == run_all(duck, period), period
    finally:
        runner.engine.dispose()
