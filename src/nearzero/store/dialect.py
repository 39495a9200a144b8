"""SQLite and PostgreSQL differences the stores share: timestamps, days, bulk parameters.

SQLite stores a timestamp as naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLAlchemy's
form, so ORM rows and bulk rows compare as text); PostgreSQL stores ``timestamptz``.
Every value read back goes through :func:`utc_time` (an aware UTC datetime) and every
value bound to a comparison through :func:`time_param`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection


def storable(text: str) -> bool:
    """Whether ``text`` can be stored and looked up on both databases: PostgreSQL text holds
    no NUL character, so a key containing one is simply not on record (never an error)."""
    return "\x00" not in text


def stored_text(text: str) -> str:
    """``text`` as both databases keep it: a NUL (which PostgreSQL text cannot hold) becomes
    U+FFFD, so a refused record's id is still written as received, but for that character."""
    return text.replace("\x00", "\ufffd")


class ArrayParam(list[Any]):
    """Values (texts or integers) bound as one PostgreSQL array parameter in the binary
    format (the engine registers psycopg's binary list dumper for this type,
    :func:`nearzero.store.db.make_engine`). A plain list goes in the text format, whose
    dumper tests every element against a regular expression for quoting: a chunk's
    pseudonyms took 4 times as long (issue #13 item 5)."""

    __slots__ = ()


def is_pg(con: Connection) -> bool:
    return con.dialect.name == "postgresql"


def utc_time(value: Any) -> datetime:
    """A timestamp from the database as an aware UTC datetime (SQLite returns text or naive)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def day_value(value: Any) -> date:
    """A ``date`` column from the database (SQLite returns 'YYYY-MM-DD' text)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def sqlite_time(t: datetime) -> str:
    """SQLAlchemy's SQLite text form of a UTC timestamp (what ORM rows hold, comparable)."""
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def time_param(con: Connection, t: datetime) -> Any:
    """A bound timestamp comparable with the stored column (SQLite stores naive UTC text)."""
    if con.dialect.name == "sqlite":
        return sqlite_time(t)
    return t


def time_text(t: datetime, pg: bool) -> str:
    """A timestamp as bulk-written text: ISO with offset (PostgreSQL) or :func:`sqlite_time`."""
    return t.astimezone(UTC).isoformat() if pg else sqlite_time(t)


def times_text(us: npt.NDArray[np.int64], pg: bool) -> list[str]:
    """µs since 1970 UTC as :func:`time_text` writes them, for a whole column at once."""
    text_ = np.datetime_as_string(us.astype("datetime64[us]"), unit="us")
    if pg:
        return [t + "+00:00" for t in text_.tolist()]
    return np.char.replace(text_, "T", " ").tolist()  # type: ignore[no-any-return]


def days_text(days: npt.NDArray[np.int64]) -> list[str]:
    """Days since 1970-01-01 as 'YYYY-MM-DD'."""
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()  # type: ignore[no-any-return]


def literal(value: str | int | bool | None) -> str:
    """A value as an SQL literal (for values common to every row of a bulk statement)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


_COPY_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_texts(values: Sequence[str | None]) -> list[str]:
    """Values as fields of PostgreSQL's COPY text format: backslash, tab, newline and
    carriage return escaped (looked for once in the whole column), None as ``\\N``."""
    try:
        joined = "".join(values)  # type: ignore[arg-type]  # a None: TypeError
    except TypeError:
        present = [v for v in values if v is not None]
        if any(ch in "".join(present) for ch in "\\\t\n\r"):
            return ["\\N" if v is None else v.translate(_COPY_SPECIAL) for v in values]
        return ["\\N" if v is None else v for v in values]
    if any(ch in joined for ch in "\\\t\n\r"):
        return [v.translate(_COPY_SPECIAL) for v in values]  # type: ignore[union-attr]
    return list(values)  # type: ignore[arg-type]
