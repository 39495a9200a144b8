"""carbon-inclusion records: a narrow row for the records credited in full (issue #13 item 5)

Writing a million records, the record row was the intake's largest cost: 23 columns, the
resident's 64-character pseudonym and text times in the row and in the (resident, start)
index, and seven values (scenario, unit, methodology id and version, batch, time received,
credit transaction) that every record of a chunk shares. The same records in the narrowest
table the intake's checks need wrote 2.5 to 3 times as fast.

The records are now kept in three tables and read through one view:

- ``inclusion_record_row``: the key of every stored record (partner, partner record id; the
  unique key that makes a batch sent twice credit once) and, for a record credited in full
  (nearly all of them), the whole record: resident id, start and end as µs since 1970 UTC,
  quantity, grams and its group;
- ``inclusion_record_group``: what a chunk's records of one scenario, methodology version
  and unit share, once;
- ``inclusion_record_full``: the table as it was (renamed, its indexes and unique key keep
  their names), for every other record: refused, capped, a claim on a named asset, an
  ER = BE − PE split, unparsed;
- the view ``inclusion_record``: both kinds, in the columns the table had (less ``id``), so
  every reader keeps its SQL; ``inclusion_outcomes`` is made again over it.

The records already stored stay in ``inclusion_record_full``, each with its key row. The
partner's guard (0019) now looks at ``inclusion_record_row``, where every record has a row.
Downgrade puts the rows credited in full back into the one table.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD_ID = sa.String(128).with_variant(sa.String(128, collation="C"), "postgresql")
"""A record id compared byte by byte on PostgreSQL (``COLLATE "C"``): an id is no word to
sort by a language's rules, and its key is 11 % quicker to write (as the view reads it,
in the database's default collation, like the records kept in full)."""

GUARD = "inclusion_partner_keeps_records"
REFUSAL = "inclusion_partner has records: it cannot be deleted or change its id"

OUTCOMES_VIEW = """
CREATE VIEW inclusion_outcomes AS
SELECT p.code AS partner_id, r.partner_record_id, r.resident AS resident_id, r.scenario,
       r.day, r.accepted, r.reason, r.credited_g AS grams, r.computed_g AS computed_grams,
       r.methodology_id, r.methodology_version
FROM inclusion_record r JOIN inclusion_partner p ON p.id = r.partner_id
"""
"""As in 0003 (a view over ``inclusion_record`` is made again when it changes)."""

COLUMNS = (
    "partner_id, partner_record_id, resident, scenario, start_at, end_at, day, quantity, "
    "quantity_unit, accepted, reason, detail, methodology_id, methodology_version, "
    "computed_g, credited_g, capped_by, batch, tx_id, received_at, asset, baseline_g, project_g"
)


def _time(column: str, sqlite: bool) -> str:
    """SQL: µs since 1970 UTC as the database's timestamp (SQLite: SQLAlchemy's text)."""
    if sqlite:
        return (
            f"strftime('%Y-%m-%d %H:%M:%S', {column} / 1000000, 'unixepoch') "
            f"|| printf('.%06d', {column} % 1000000)"
        )
    return f"(timestamptz '1970-01-01 00:00:00+00' + {column} * interval '1 microsecond')"


def _day(column: str, sqlite: bool) -> str:
    """SQL: the local (UTC+8) day of µs since 1970 UTC."""
    if sqlite:
        return f"date({column} / 1000000 + 28800, 'unixepoch')"
    return (
        f"CAST((timestamptz '1970-01-01 00:00:00+00' + ({column} + 28800000000) "
        "* interval '1 microsecond') AT TIME ZONE 'UTC' AS date)"
    )


def credited_in_full(sqlite: bool) -> str:
    """SELECT of the records credited in full, in the order of :data:`COLUMNS`. Their
    outcome is written as constants (accepted, no reason), so a query for refused records
    skips them without reading a row."""
    accepted = "1" if sqlite else "true"
    collate = "" if sqlite else ' COLLATE "default"'
    return (
        f"SELECT r.partner_id, r.partner_record_id{collate}, s.pseudonym, g.scenario, "
        f"{_time('r.start_us', sqlite)}, {_time('r.end_us', sqlite)}, "
        f"{_day('r.start_us', sqlite)}, r.quantity, g.quantity_unit, {accepted}, "
        "CAST(NULL AS VARCHAR(32)), CAST(NULL AS TEXT), g.methodology_id, g.methodology_version, "
        "r.credited_g, r.credited_g, CAST(NULL AS VARCHAR(32)), g.batch, g.tx_id, g.received_at, "
        "CAST(NULL AS VARCHAR(128)), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) "
        "FROM inclusion_record_row r JOIN inclusion_record_group g ON g.id = r.group_id "
        "JOIN inclusion_resident s ON s.id = r.resident_id"
    )


def _guard(table: str) -> None:
    """The partner's guard of 0019, looking at ``table`` (SQLite: its two triggers made
    again; PostgreSQL: its function replaced)."""
    if op.get_bind().dialect.name == "sqlite":
        for event in ("DELETE", "UPDATE OF id"):
            op.execute(
                f"CREATE TRIGGER {GUARD}_{event.split()[0].lower()} BEFORE {event} "
                f"ON inclusion_partner WHEN EXISTS (SELECT 1 FROM {table} "
                f"WHERE partner_id = OLD.id) BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )
        return
    op.execute(
        f"CREATE OR REPLACE FUNCTION {GUARD}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id) AND EXISTS "
        f"(SELECT 1 FROM {table} WHERE partner_id = OLD.id) THEN "
        f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'foreign_key_violation'; END IF; "
        "RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END $$"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.execute("DROP VIEW inclusion_outcomes")
    if sqlite:  # renaming would rewrite the triggers to the new name: made again below
        for event in ("delete", "update"):
            op.execute(f"DROP TRIGGER {GUARD}_{event}")
    op.rename_table("inclusion_record", "inclusion_record_full")
    op.create_table(
        "inclusion_record_group",
        sa.Column("id", big, primary_key=True),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(32), nullable=False),
        sa.Column("quantity_unit", sa.String(8), nullable=True),
        sa.Column("methodology_id", sa.String(64), nullable=False),
        sa.Column("methodology_version", sa.String(32), nullable=False),
        sa.Column("batch", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tx_id", big, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inclusion_record_group"),
    )
    op.create_table(
        "inclusion_record_row",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("partner_record_id", RECORD_ID, nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("start_us", sa.BigInteger(), nullable=True),
        sa.Column("end_us", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.Numeric(20, 6), nullable=True),
        sa.Column("credited_g", sa.BigInteger(), nullable=True),
        sa.Column("group_id", big, nullable=True),
        sa.PrimaryKeyConstraint("partner_id", "partner_record_id", name="pk_inclusion_record_row"),
    )
    op.create_index(
        "ix_inclusion_record_row_resident", "inclusion_record_row", ["resident_id", "start_us"]
    )
    op.execute(
        "INSERT INTO inclusion_record_row (partner_id, partner_record_id, accepted) "
        "SELECT partner_id, partner_record_id, accepted FROM inclusion_record_full"
    )
    op.execute(
        f"CREATE VIEW inclusion_record ({COLUMNS}) AS SELECT {COLUMNS} "
        f"FROM inclusion_record_full UNION ALL {credited_in_full(sqlite)}"
    )
    op.execute(OUTCOMES_VIEW)
    _guard("inclusion_record_row")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute("DROP VIEW inclusion_outcomes")
    op.execute(
        f"INSERT INTO inclusion_record_full ({COLUMNS}) "
        f"SELECT * FROM ({credited_in_full(sqlite)}) AS credited"
    )
    op.execute("DROP VIEW inclusion_record")
    if sqlite:
        for event in ("delete", "update"):
            op.execute(f"DROP TRIGGER {GUARD}_{event}")
    op.drop_index("ix_inclusion_record_row_resident", table_name="inclusion_record_row")
    op.drop_table("inclusion_record_row")
    op.drop_table("inclusion_record_group")
    op.rename_table("inclusion_record_full", "inclusion_record")
    op.execute(OUTCOMES_VIEW)
    _guard("inclusion_record")
