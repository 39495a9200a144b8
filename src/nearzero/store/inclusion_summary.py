"""Summaries of the credited carbon-inclusion records, kept by the intake (issue #13).

The office's pages read these instead of the records, so they answer in the same time at
a thousand records and at a million:

``inclusion_credit_month``       credited records, grams and transactions per partner, month,
                                 scenario and methodology version;
``inclusion_participant``        each resident credited in a unit's month or year, per
                                 scenario and for any scenario ('*');
``inclusion_participant_count``  how many residents that set holds per period and scenario.

An accepted record never changes (its credit is on the ledger), so the intake only adds:
:func:`apply` runs in the transaction that writes a chunk's records, with the chunk's
:class:`SummaryDelta` (built from the validated chunk). Refused records may be replaced by a
later submission; they are counted from the records themselves through the partial index
``ix_inclusion_record_refused`` (they are few, and only they move).

:func:`rebuild` builds every summary again from the records (migration 0015, ``nearzero
inclusion rebuild-summaries``); :func:`drift` lists where the kept summaries differ from a
rebuild (empty when they agree; the tests check it after random intakes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from nearzero.store.dialect import copy_texts, day_value, is_pg

MONTH, YEAR = "M", "Y"
"""Period kinds of the participant tables."""

ANY_SCENARIO = "*"
"""The participant rows of a resident credited in any scenario of the period."""

MonthLine = tuple[date, str, str, str, int, int, int]
"""(month, scenario, methodology id, version, records, grams, computed grams)."""

Participant = tuple[str, date, str, str]
"""(period kind, period's first day, scenario or '*', resident)."""


@dataclass
class SummaryDelta:
    """What one written chunk adds: its credited lines per month (``months``), whether it
    is one ledger transaction (``transaction``), and its credited residents per period
    (``participants``, unique)."""

    months: list[MonthLine] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    transaction: bool = True
    copy_text: str | None = None
    """PostgreSQL: ``participants`` as COPY text lines (:func:`participant_lines`), made
    where the chunk was validated, so the writer only sends them."""


def participant_lines(rows: Sequence[Participant]) -> str:
    """Participants as the COPY text lines of ``nz_participant`` (kind, period, scenario,
    resident)."""
    if not rows:
        return ""
    kinds, periods, scenarios, residents = zip(*rows, strict=True)
    days = {d: d.isoformat() for d in set(periods)}
    return "".join(
        [
            f"{k}\t{days[p]}\t{s}\t{r}\n"
            for k, p, s, r in zip(
                kinds, periods, copy_texts(scenarios), copy_texts(residents), strict=True
            )
        ]
    )


def _day(con: Connection, d: date) -> Any:
    """A date bound as the column stores it (SQLite: 'YYYY-MM-DD' text)."""
    return d if is_pg(con) else d.isoformat()


def apply(con: Connection, unit_id: int, partner_id: int, delta: SummaryDelta) -> None:
    """Add a written chunk's :class:`SummaryDelta` to the summaries, on ``con`` (the chunk's
    transaction: the summaries and the records commit or roll back together).

    Intake batches are serialised (:func:`nearzero.store.intake.batch_lock`), so the counts
    are read and written by one intake at a time.
    """
    if delta.months:
        con.execute(
            text(
                "INSERT INTO inclusion_credit_month (partner_id, month, scenario, "
                "methodology_id, methodology_version, records, grams, computed_grams, "
                "transactions) VALUES (:p, :month, :scenario, :mid, :mver, :records, :grams, "
                ":computed, :tx) ON CONFLICT (partner_id, month, scenario, methodology_id, "
                "methodology_version) DO UPDATE SET "
                "records = inclusion_credit_month.records + excluded.records, "
                "grams = inclusion_credit_month.grams + excluded.grams, "
                "computed_grams = inclusion_credit_month.computed_grams + excluded.computed_grams, "
                "transactions = inclusion_credit_month.transactions + excluded.transactions"
            ),
            [
                {
                    "p": partner_id,
                    "month": _day(con, month),
                    "scenario": scenario,
                    "mid": mid,
                    "mver": mver,
                    "records": records,
                    "grams": grams,
                    "computed": computed,
                    "tx": int(delta.transaction),
                }
                for month, scenario, mid, mver, records, grams, computed in delta.months
            ],
        )
    if delta.participants or delta.copy_text:
        _participants(con, unit_id, delta)


def _participants(con: Connection, unit_id: int, delta: SummaryDelta) -> None:
    """Add the residents to each period's set and count those new to it (set-based;
    PostgreSQL in one statement, SQLite counting first, then adding)."""
    raw = con.connection.driver_connection
    assert raw is not None
    rows = delta.participants
    if is_pg(con):
        con.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS nz_participant (kind text, period date, "
            "scenario text, resident text) ON COMMIT DELETE ROWS"
        )
        with raw.cursor() as cur, cur.copy("COPY nz_participant FROM STDIN") as copy:
            copy.write(delta.copy_text if delta.copy_text is not None else participant_lines(rows))
    else:
        con.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS nz_participant (kind TEXT, period TEXT, "
            "scenario TEXT, resident TEXT)"
        )
        con.exec_driver_sql("DELETE FROM nz_participant")
        raw.executemany(
            "INSERT INTO nz_participant VALUES (?, ?, ?, ?)",
            [(k, p.isoformat(), s, r) for k, p, s, r in rows],
        )
    if is_pg(con):  # one pass: the residents new to a period are the rows the insert made
        con.execute(
            text(
                "WITH new AS (INSERT INTO inclusion_participant (unit_id, period_kind, period, "
                "scenario, resident) SELECT :u, kind, period, scenario, resident "
                "FROM nz_participant ON CONFLICT DO NOTHING "
                "RETURNING period_kind, period, scenario) "
                "INSERT INTO inclusion_participant_count (unit_id, period_kind, period, "
                "scenario, participants) SELECT :u, period_kind, period, scenario, COUNT(*) "
                "FROM new GROUP BY period_kind, period, scenario "
                "ON CONFLICT (unit_id, period_kind, period, scenario) DO UPDATE SET "
                "participants = inclusion_participant_count.participants + excluded.participants"
            ),
            {"u": unit_id},
        )
        return
    con.execute(
        text(
            "INSERT INTO inclusion_participant_count (unit_id, period_kind, period, scenario, "
            "participants) SELECT :u, s.kind, s.period, s.scenario, COUNT(*) "
            "FROM nz_participant s WHERE NOT EXISTS (SELECT 1 FROM inclusion_participant p "
            "WHERE p.unit_id = :u AND p.period_kind = s.kind AND p.period = s.period "
            "AND p.scenario = s.scenario AND p.resident = s.resident) "
            "GROUP BY s.kind, s.period, s.scenario "
            "ON CONFLICT (unit_id, period_kind, period, scenario) DO UPDATE SET "
            "participants = inclusion_participant_count.participants + excluded.participants"
        ),
        {"u": unit_id},
    )
    con.execute(
        text(
            "INSERT INTO inclusion_participant (unit_id, period_kind, period, scenario, "
            "resident) SELECT :u, kind, period, scenario, resident FROM nz_participant "
            "WHERE true ON CONFLICT DO NOTHING"
        ),
        {"u": unit_id},
    )


# --------------------------------------------------------------------------- rebuild


def truncate(con: Connection, column: str, kind: str) -> str:
    """SQL for the first day of the month (``M``) or year (``Y``) of a date column."""
    if is_pg(con):
        unit = "month" if kind == MONTH else "year"
        return f"CAST(date_trunc('{unit}', {column}) AS date)"
    if kind == MONTH:
        return f"substr({column}, 1, 7) || '-01'"
    return f"substr({column}, 1, 4) || '-01-01'"


SUMMARY_TABLES = ("inclusion_participant_count", "inclusion_participant", "inclusion_credit_month")


def rebuild(con: Connection, into: str = "") -> None:
    """Build every summary from the records (``into``: a prefix for the tables written, so
    :func:`drift` can build a copy beside the kept ones)."""
    credited = (  # the intake credits only records with these; a row without is not counted
        "FROM inclusion_record r JOIN inclusion_partner p ON p.id = r.partner_id "
        "WHERE r.accepted AND r.day IS NOT NULL AND r.scenario IS NOT NULL "
        "AND r.resident IS NOT NULL AND r.methodology_id IS NOT NULL "
        "AND r.methodology_version IS NOT NULL"
    )
    for table in SUMMARY_TABLES:
        con.exec_driver_sql(f"DELETE FROM {into}{table}")
    month = truncate(con, "r.day", MONTH)
    con.exec_driver_sql(
        f"INSERT INTO {into}inclusion_credit_month (partner_id, month, scenario, "
        "methodology_id, methodology_version, records, grams, computed_grams, transactions) "
        f"SELECT r.partner_id, {month}, r.scenario, r.methodology_id, r.methodology_version, "
        "COUNT(*), SUM(r.credited_g), COALESCE(SUM(r.computed_g), 0), COUNT(DISTINCT r.tx_id) "
        f"{credited} GROUP BY r.partner_id, {month}, r.scenario, r.methodology_id, "
        "r.methodology_version"
    )
    for kind in (MONTH, YEAR):
        period = truncate(con, "r.day", kind)
        for scenario in ("r.scenario", f"'{ANY_SCENARIO}'"):
            con.exec_driver_sql(
                f"INSERT INTO {into}inclusion_participant (unit_id, period_kind, period, "
                f"scenario, resident) SELECT DISTINCT p.unit_id, '{kind}', {period}, "
                f"{scenario}, r.resident {credited}"
            )
    con.exec_driver_sql(
        f"INSERT INTO {into}inclusion_participant_count (unit_id, period_kind, period, "
        "scenario, participants) SELECT unit_id, period_kind, period, scenario, COUNT(*) "
        f"FROM {into}inclusion_participant GROUP BY unit_id, period_kind, period, scenario"
    )


def drift(con: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Rows where the kept summaries differ from a rebuild from the records, per table
    (rows only in the kept table, then rows only in the rebuild). Empty when they agree."""
    for table in SUMMARY_TABLES:
        if is_pg(con):
            con.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS nz_check_{table} "
                f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
        else:
            con.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS nz_check_{table} AS SELECT * FROM {table} WHERE 0"
            )
    rebuild(con, into="nz_check_")
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in SUMMARY_TABLES:
        kept = f"SELECT * FROM {table} EXCEPT SELECT * FROM nz_check_{table}"
        built = f"SELECT * FROM nz_check_{table} EXCEPT SELECT * FROM {table}"
        rows = [tuple(r) for r in con.exec_driver_sql(kept)]
        rows += [tuple(r) for r in con.exec_driver_sql(built)]
        if rows:
            out[table] = rows
        con.exec_driver_sql(f"DROP TABLE nz_check_{table}")
    return out


# --------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class CreditLine:
    """Credited records of a unit in one month, scenario and methodology version."""

    month: date
    scenario: str
    methodology_id: str
    methodology_version: str
    records: int
    grams: int
    computed_grams: int
    transactions: int


def _range(
    session: Session, first: date | None, last: date | None, column: str
) -> tuple[str, dict[str, Any]]:
    """A condition keeping ``column`` in [first, last] (nothing when not given)."""
    if first is None or last is None:
        return "", {}
    con = session.connection()
    return (
        f" AND {column} >= :first AND {column} <= :last",
        {"first": _day(con, first), "last": _day(con, last)},
    )


def credit_lines(
    session: Session, unit_id: int, first: date | None = None, last: date | None = None
) -> list[CreditLine]:
    """The unit's credited lines (months in [first, last] when given), summed over its
    partners, in month and methodology order."""
    where, params = _range(session, first, last, "c.month")
    rows = session.execute(
        text(
            "SELECT c.month, c.scenario, c.methodology_id, c.methodology_version, "
            "SUM(c.records) AS records, SUM(c.grams) AS grams, "
            "SUM(c.computed_grams) AS computed_grams, SUM(c.transactions) AS transactions "
            "FROM inclusion_credit_month c JOIN inclusion_partner p ON p.id = c.partner_id "
            "WHERE p.unit_id = :u" + where + " GROUP BY c.month, c.scenario, c.methodology_id, "
            "c.methodology_version ORDER BY c.month, c.methodology_id, c.methodology_version, "
            "c.scenario"
        ),
        {"u": unit_id, **params},
    )
    return [
        CreditLine(
            day_value(r.month),
            str(r.scenario),
            str(r.methodology_id),
            str(r.methodology_version),
            int(r.records),
            int(r.grams),
            int(r.computed_grams),
            int(r.transactions),
        )
        for r in rows
    ]


def credited_month_range(session: Session, unit_id: int) -> tuple[date | None, date | None]:
    """The first and last month with credited records of the unit."""
    row = session.execute(
        text(
            "SELECT MIN(c.month) AS first, MAX(c.month) AS last FROM inclusion_credit_month c "
            "JOIN inclusion_partner p ON p.id = c.partner_id WHERE p.unit_id = :u"
        ),
        {"u": unit_id},
    ).one()
    return (
        None if row.first is None else day_value(row.first),
        None if row.last is None else day_value(row.last),
    )


@dataclass(frozen=True)
class ParticipantCount:
    period: date
    scenario: str  # or '*': any scenario
    participants: int


def participant_counts(
    session: Session, unit_id: int, kind: str, first: date | None = None, last: date | None = None
) -> list[ParticipantCount]:
    """Residents credited per period (``M`` or ``Y``) and scenario of the unit."""
    where, params = _range(session, first, last, "period")
    rows = session.execute(
        text(
            "SELECT period, scenario, participants FROM inclusion_participant_count "
            "WHERE unit_id = :u AND period_kind = :k" + where + " ORDER BY period, scenario"
        ),
        {"u": unit_id, "k": kind, **params},
    )
    return [
        ParticipantCount(day_value(r.period), str(r.scenario), int(r.participants)) for r in rows
    ]


@dataclass(frozen=True)
class RefusedCount:
    period: date | None  # None: a record without a readable day
    scenario: str | None
    reason: str | None
    records: int


def refused_counts(
    session: Session, unit_id: int, kind: str, first: date | None = None, last: date | None = None
) -> list[RefusedCount]:
    """Refused records of the unit per period (``M`` or ``Y``), scenario and reason (read
    through ``ix_inclusion_record_refused``)."""
    period = truncate(session.connection(), "r.day", kind)
    where, params = _range(session, first, last, "r.day")
    rows = session.execute(
        text(
            f"SELECT {period} AS period, r.scenario, r.reason, COUNT(*) AS records "
            "FROM inclusion_record r JOIN inclusion_partner p ON p.id = r.partner_id "
            "WHERE p.unit_id = :u AND NOT r.accepted" + where + f" GROUP BY {period}, "
            "r.scenario, r.reason"
        ),
        {"u": unit_id, **params},
    )
    return [
        RefusedCount(
            None if r.period is None else day_value(r.period),
            r.scenario,
            r.reason,
            int(r.records),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class TraceLine:
    """One ledger transaction behind a line of the pooled statement."""

    month: date
    scenario: str
    methodology_id: str
    methodology_version: str
    tx_key: str


def pooled_trace(
    session: Session, unit_id: int, first: date | None = None, last: date | None = None
) -> list[TraceLine]:
    """The ledger transactions behind each (month, scenario, methodology version) of the
    unit's credited records (the pooled statement's trace; reads the records: an export)."""
    month = truncate(session.connection(), "r.day", MONTH)
    where, params = _range(session, first, last, "r.day")
    rows = session.execute(
        text(
            f"SELECT DISTINCT {month} AS month, r.scenario, r.methodology_id, "
            "r.methodology_version, t.key AS tx_key FROM inclusion_record r "
            "JOIN inclusion_partner p ON p.id = r.partner_id "
            "JOIN ledger_transaction t ON t.id = r.tx_id "
            "WHERE p.unit_id = :u AND r.accepted" + where + " ORDER BY 1, 3, 4, 2, 5"
        ),
        {"u": unit_id, **params},
    )
    return [
        TraceLine(
            day_value(r.month),
            str(r.scenario),
            str(r.methodology_id),
            str(r.methodology_version),
            str(r.tx_key),
        )
        for r in rows
    ]


def pooled_transactions(session: Session, unit_id: int, first: date, last: date) -> int:
    """Ledger transactions with credited records of the unit with a day in [first, last]."""
    where, params = _range(session, first, last, "r.day")
    return int(
        session.execute(
            text(
                "SELECT COUNT(DISTINCT r.tx_id) FROM inclusion_record r "
                "JOIN inclusion_partner p ON p.id = r.partner_id "
                "WHERE p.unit_id = :u AND r.accepted" + where
            ),
            {"u": unit_id, **params},
        ).scalar_one()
    )
