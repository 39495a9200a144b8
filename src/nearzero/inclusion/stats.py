"""Carbon-inclusion statistics over the full intake history, written once with Ibis.

The history is one table of intake outcomes, one row per record a partner ever sent
(:data:`OUTCOMES_SCHEMA`, built from :class:`~nearzero.inclusion.intake.BatchResult` by
:func:`outcome_rows`). The statistics are Ibis expressions over an *unbound* table of
that schema:

- :func:`participants`: residents with at least one credited record, per scenario and
  period, plus an ``all`` row per period (distinct residents do not add up);
- :func:`records_by_outcome`: records per scenario, period and outcome (``accepted``
  or the rejection reason code);
- :func:`reductions_by_methodology`: credited grams and records per methodology version.

Each expression is compiled by Ibis to the SQL dialect of the engine that runs it
(:func:`ibis.to_sql`): DuckDB embedded by default (:class:`DuckDBRunner`), Apache
Spark when one machine is not enough (:class:`SparkRunner`), and the same expressions
compile for PostgreSQL. Results come back as plain rows (dicts), so nothing here
needs pyarrow; a period is identified by its first day (a :class:`datetime.date`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir

from nearzero.inclusion.choices import Period
from nearzero.inclusion.intake import BatchResult

OUTCOMES_TABLE = "inclusion_outcomes"

OUTCOMES_SCHEMA = ibis.schema(
    {
        "partner_id": "string",
        "partner_record_id": "string",
        "resident_id": "string",
        "scenario": "string",
        "day": "date",
        "accepted": "boolean",
        "reason": "string",
        "grams": "int64",
        "computed_grams": "int64",
        "methodology_id": "string",
        "methodology_version": "string",
    }
)
"""One row per intake record. ``day``: local (UTC+8) day the behaviour started;
``grams``: credited grams (0 when rejected); ``computed_grams``: the methodology's
result before caps (null when not computed); null fields where a malformed record
did not carry them."""

COLUMNS: tuple[str, ...] = tuple(OUTCOMES_SCHEMA.names)


_UNIT = {Period.MONTH: "M", Period.YEAR: "Y"}


def outcome_rows(results: Iterable[BatchResult]) -> list[tuple[Any, ...]]:
    """Rows of :data:`OUTCOMES_SCHEMA` from batch results (pure)."""
    rows: list[tuple[Any, ...]] = []
    for result in results:
        for o in result.outcomes:
            r = o.record
            ref = o.methodology
            rows.append(
                (
                    o.partner_id,
                    o.partner_record_id,
                    r.resident_id if r else None,
                    r.scenario.value if r else None,
                    r.local_day if r else None,
                    o.accepted,
                    o.reason.value if o.reason else None,
                    o.credit.grams if o.credit else 0,
                    o.credit.reduction.grams if o.credit else None,
                    ref.id if ref else None,
                    ref.version if ref else None,
                )
            )
    return rows


def outcomes_table(name: str = OUTCOMES_TABLE) -> ir.Table:
    """The unbound history table the statistics are written against."""
    return ibis.table(OUTCOMES_SCHEMA, name=name)


def _with_period(t: ir.Table, period: Period) -> ir.Table:
    if period is Period.DAY:
        return t.mutate(period=t.day)
    return t.mutate(period=t.day.truncate(_UNIT[period]))


def participants(t: ir.Table, period: Period = Period.MONTH) -> ir.Table:
    """Distinct residents with a credited record, per scenario and period (and ``all``)."""
    a = _with_period(t.filter(t.accepted), period)
    per_scenario = a.group_by([a.scenario, a.period]).aggregate(
        participants=a.resident_id.nunique(), records=a.count(), grams=a.grams.sum()
    )
    overall = (
        a.group_by(a.period)
        .aggregate(participants=a.resident_id.nunique(), records=a.count(), grams=a.grams.sum())
        .mutate(scenario=ibis.literal("all"))
    )
    cols = ["scenario", "period", "participants", "records", "grams"]
    return per_scenario.select(cols).union(overall.select(cols)).order_by(["period", "scenario"])


def records_by_outcome(t: ir.Table, period: Period = Period.MONTH) -> ir.Table:
    """Records per scenario, period and outcome ('accepted' or the reason code)."""
    p = _with_period(t, period)
    p = p.mutate(outcome=ibis.ifelse(p.accepted, "accepted", p.reason.fill_null("unknown")))
    return (
        p.group_by([p.scenario, p.period, p.outcome])
        .aggregate(records=p.count())
        .order_by(["period", "scenario", "outcome"])
    )


def reductions_by_methodology(t: ir.Table, period: Period = Period.YEAR) -> ir.Table:
    """Credited grams (and the methodologies' own totals before caps) per version and period."""
    a = _with_period(t.filter(t.accepted), period)
    return (
        a.group_by([a.methodology_id, a.methodology_version, a.scenario, a.period])
        .aggregate(records=a.count(), grams=a.grams.sum(), computed_grams=a.computed_grams.sum())
        .order_by(["period", "methodology_id", "methodology_version", "scenario"])
    )


STATISTICS: Mapping[str, Callable[[ir.Table, Period], ir.Table]] = {
    "participants": participants,
    "records_by_outcome": records_by_outcome,
    "reductions_by_methodology": reductions_by_methodology,
}


# --------------------------------------------------------------------------- engines


class Runner(Protocol):
    """An engine that runs Ibis expressions compiled to its SQL dialect."""

    dialect: str

    def fetch(self, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
        """Column names and rows of a query."""
        ...


def run(runner: Runner, expr: ir.Table) -> list[dict[str, Any]]:
    """Compile ``expr`` for the runner's engine, run it, and return plain rows.

    Date columns come back as :class:`datetime.date` on every engine (Spark returns a
    truncated date as a timestamp, SQLite as text); integers as ``int``. A store runs the
    same statistics on its own database with a runner of two members: ``dialect``
    (an Ibis/sqlglot dialect name: "postgres", "sqlite", …) and ``fetch``.
    """
    sql = str(ibis.to_sql(expr, dialect=runner.dialect))
    names, rows = runner.fetch(sql)
    schema = expr.schema()
    out: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {}
        for name, value in zip(names, row, strict=True):
            dtype = schema[name]
            if value is not None and dtype.is_date() and isinstance(value, datetime):
                value = value.date()
            elif value is not None and dtype.is_date() and isinstance(value, str):
                value = date.fromisoformat(value[:10])  # SQLite keeps dates as text
            elif value is not None and dtype.is_integer():
                value = int(value)
            item[name] = value
        out.append(item)
    return out


def run_all(
    runner: Runner, period: Period = Period.MONTH, table: str = OUTCOMES_TABLE
) -> dict[str, list[dict[str, Any]]]:
    """Every statistic in :data:`STATISTICS` for ``period``."""
    t = outcomes_table(table)
    return {name: run(runner, f(t, period)) for name, f in STATISTICS.items()}


_DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN", "int64": "BIGINT"}


class DuckDBRunner:
    """DuckDB, embedded (in memory by default, or a database file)."""

    dialect = "duckdb"

    def __init__(self, database: str = ":memory:") -> None:
        import duckdb

        self.con = duckdb.connect(database)

    def fetch(self, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description or ()]
        return names, list(cur.fetchall())

    def load_outcomes(self, rows: Sequence[Sequence[Any]], table: str = OUTCOMES_TABLE) -> None:
        """Append outcome rows (creating the table) through a pandas scan (no pyarrow)."""
        import pandas as pd

        cols = ", ".join(f'"{n}" {_DUCKDB_TYPES[str(OUTCOMES_SCHEMA[n])]}' for n in COLUMNS)
        self.con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
        if not rows:
            return
        frame = pd.DataFrame.from_records(list(rows), columns=list(COLUMNS))
        self.con.register("_nz_outcomes_in", frame)
        try:
            casts = ", ".join(
                f'CAST("{n}" AS {_DUCKDB_TYPES[str(OUTCOMES_SCHEMA[n])]})' for n in COLUMNS
            )
            self.con.execute(f'INSERT INTO "{table}" SELECT {casts} FROM _nz_outcomes_in')
        finally:
            self.con.unregister("_nz_outcomes_in")


class SparkRunner:
    """Apache Spark (an existing ``SparkSession``; ``local[2]`` in the tests)."""

    dialect = "pyspark"

    def __init__(self, session: Any) -> None:
        self.session = session

    def fetch(self, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
        frame = self.session.sql(sql)
        return list(frame.columns), [tuple(r) for r in frame.collect()]

    def load_outcomes(self, rows: Sequence[Sequence[Any]], table: str = OUTCOMES_TABLE) -> None:
        """Register the rows as a temporary view (small data; at scale read the store)."""
        from pyspark.sql import types as T

        kinds = {
            "string": T.StringType(),
            "date": T.DateType(),
            "boolean": T.BooleanType(),
            "int64": T.LongType(),
        }
        struct = T.StructType(
            [T.StructField(n, kinds[str(OUTCOMES_SCHEMA[n])], True) for n in COLUMNS]
        )
        self.session.createDataFrame([tuple(r) for r in rows], struct).createOrReplaceTempView(
            table
        )
