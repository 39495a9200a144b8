"""Backup and restore of a whole installation's database, SQLite or PostgreSQL.

A backup is a zip: ``manifest.json`` (format, schema revision, the database it came from,
when, and per table its row count and the SHA-256 of its rows file) and one JSON-lines file
per table, rows in primary-key order. It is read in one snapshot while the server runs
(PostgreSQL ``REPEATABLE READ, READ ONLY``; SQLite one read transaction), so it is consistent
without stopping anything, and it restores into either database (a SQLite backup restores
into PostgreSQL and back).

A restore goes into a database migrated to the same schema revision and still empty: it
refuses anything else, so nothing already stored is lost, and it is one transaction, so a
failure leaves the target as it was. The append-only triggers of the ledger and the audit
log refuse UPDATE and DELETE only; a restore only inserts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.sql.sqltypes import Date, DateTime, LargeBinary, Numeric

import nearzero.store.tables  # noqa: F401  (registers every table on Base.metadata)
from nearzero.store.base import Base

FORMAT = "nearzero.backup/1"
MANIFEST = "manifest.json"


class BackupError(ValueError):
    """A backup that cannot be read or restored here; nothing was written."""


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class BackupManifest:
    revision: str
    dialect: str
    created_at: str
    tables: tuple[TableCopy, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _tables() -> list[Table]:
    """Every table, parents before children (foreign keys)."""
    return list(Base.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    """A column value as JSON. Times are UTC with their offset: SQLite hands back the naive
    UTC times the store wrote, PostgreSQL aware ones, and a backup reads the same from both."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _decoder(table: Table) -> dict[str, Any]:
    """Per column, the function that turns a JSON value back into what the column takes."""
    out: dict[str, Any] = {}
    for column in table.columns:
        kind = column.type
        if isinstance(kind, DateTime):
            out[column.name] = dt.datetime.fromisoformat
        elif isinstance(kind, Date):
            out[column.name] = dt.date.fromisoformat
        elif isinstance(kind, Numeric) and kind.asdecimal:
            out[column.name] = Decimal
        elif isinstance(kind, LargeBinary):
            out[column.name] = base64.b64decode
    return out


def _revision(con: Connection) -> str:
    try:
        value = con.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    except Exception as exc:  # no alembic_version table: not a nearzero database
        raise BackupError("the database has no schema revision: run `nearzero db upgrade`") from exc
    return str(value)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    level = "REPEATABLE READ" if engine.dialect.name == "postgresql" else "SERIALIZABLE"
    with engine.connect().execution_options(isolation_level=level) as con, con.begin():
        if engine.dialect.name == "postgresql":
            con.execute(text("SET TRANSACTION READ ONLY"))
        yield con


def backup(engine: Engine, out: Path) -> BackupManifest:
    """Write every table of the database behind ``engine`` to the zip ``out``."""
    copies: list[TableCopy] = []
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with _snapshot(engine) as con:
            revision = _revision(con)
            for table in _tables():
                order = list(table.primary_key.columns) or list(table.columns)
                buffer = io.BytesIO()
                digest = hashlib.sha256()
                count = 0
                for row in con.execute(select(table).order_by(*order)).mappings():
                    line = json.dumps(
                        {k: _encode(v) for k, v in row.items()},
                        ensure_ascii=False,
                        sort_keys=True,
                    ).encode("utf-8")
                    buffer.write(line + b"\n")
                    digest.update(line + b"\n")
                    count += 1
                archive.writestr(f"tables/{table.name}.jsonl", buffer.getvalue())
                copies.append(TableCopy(table.name, count, digest.hexdigest()))
        manifest = BackupManifest(
            revision,
            engine.dialect.name,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            tuple(copies),
        )
        archive.writestr(MANIFEST, json.dumps(_manifest_json(manifest), indent=2))
    tmp.replace(out)
    return manifest


def _manifest_json(m: BackupManifest) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "revision": m.revision,
        "dialect": m.dialect,
        "created_at": m.created_at,
        "tables": [{"name": t.name, "rows": t.rows, "sha256": t.sha256} for t in m.tables],
    }


def read_manifest(archive: zipfile.ZipFile, source: str) -> BackupManifest:
    try:
        raw = json.loads(archive.read(MANIFEST))
    except (KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{source}: no readable {MANIFEST}: not a nearzero backup") from exc
    if raw.get("format") != FORMAT:
        raise BackupError(f"{source}: format {raw.get('format')!r}, expected {FORMAT!r}")
    return BackupManifest(
        raw["revision"],
        raw["dialect"],
        raw["created_at"],
        tuple(TableCopy(t["name"], int(t["rows"]), t["sha256"]) for t in raw["tables"]),
    )


def restore(engine: Engine, source: Path) -> BackupManifest:
    """Restore the backup ``source`` into the empty, migrated database behind ``engine``."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{source}: not a zip file ({exc})") from exc
    with archive:
        manifest = read_manifest(archive, str(source))
        known = {t.name: t for t in _tables()}
        unknown = [t.name for t in manifest.tables if t.name not in known]
        if unknown:
            raise BackupError(f"{source}: tables {unknown} are not in this schema")
        with engine.begin() as con:
            here = _revision(con)
            if here != manifest.revision:
                raise BackupError(
                    f"{source}: schema revision {manifest.revision}, this database is at "
                    f"{here}: migrate both to the same revision first"
                )
            filled = [
                name
                for name, table in known.items()
                if con.execute(select(func.count()).select_from(table)).scalar_one()
            ]
            if filled:
                raise BackupError(
                    f"the target database is not empty (tables {filled[:5]} have rows): "
                    "restore only into a new database, so nothing stored is lost"
                )
            by_name = {t.name: t for t in manifest.tables}
            for name, table in known.items():
                entry = by_name.get(name)
                if entry is None:
                    continue
                data = archive.read(f"tables/{name}.jsonl")
                if hashlib.sha256(data).hexdigest() != entry.sha256:
                    raise BackupError(f"{source}: tables/{name}.jsonl does not match its SHA-256")
                decode = _decoder(table)
                rows = [
                    {
                        k: (decode[k](v) if v is not None and k in decode else v)
                        for k, v in r.items()
                    }
                    for r in map(json.loads, data.splitlines())
                ]
                if len(rows) != entry.rows:
                    raise BackupError(
                        f"{source}: {name} has {len(rows)} rows, manifest {entry.rows}"
                    )
                for start in range(0, len(rows), 5000):
                    con.execute(table.insert(), rows[start : start + 5000])
            if engine.dialect.name == "postgresql":
                _reset_sequences(con)
    return manifest


def _reset_sequences(con: Connection) -> None:
    """Serial ids continue after the restored rows (PostgreSQL keeps them apart)."""
    for table in _tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                sequence = con.execute(
                    text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": table.name, "c": column.name},
                ).scalar()
                if sequence:
                    con.execute(
                        text(
                            f"SELECT setval('{sequence}', COALESCE("
                            f"(SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                        )
                    )
