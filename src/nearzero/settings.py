"""Settings: one typed source of truth, read from NEARZERO_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret.key"
"""The installation's secret in ``data_dir``: made at first run, readable by its owner only."""
MIN_SECRET_CHARS = 32


class SecretMissing(ValueError):
    """Production without a secret of its own (environment or a file made beforehand)."""


def secret_path(data_dir: Path) -> Path:
    return data_dir / SECRET_FILE


def write_secret(data_dir: Path, *, replace: bool = False) -> str:
    """A new random secret written to ``data_dir/secret.key`` with mode 0600.

    Without ``replace`` an existing file wins (two processes starting at once agree on one
    secret); with it the file is replaced atomically (``nearzero secret rotate``).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_urlsafe(48)
    path = secret_path(data_dir)
    if replace:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(fresh + "\n")
        os.replace(tmp, path)
        return fresh
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret(path)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(fresh + "\n")
    return fresh


def read_secret(path: Path) -> str:
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_SECRET_CHARS:
        raise SecretMissing(f"{path}: the secret is shorter than {MIN_SECRET_CHARS} characters")
    return value


class XlsxLimits(BaseSettings):
    """The limits an uploaded .xlsx is checked against before it is parsed (the ``xlsx_*``
    fields of :class:`Settings`, documented there); readable alone, without the secret."""

    model_config = SettingsConfigDict(env_prefix="NEARZERO_")

    xlsx_max_unpacked_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    xlsx_max_member_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    xlsx_max_ratio: int = Field(default=100, gt=0)
    xlsx_max_members: int = Field(default=1000, gt=0)
    xlsx_max_rows: int = Field(default=100_000, gt=0)
    xlsx_max_cells: int = Field(default=2_000_000, gt=0)


class Settings(XlsxLimits):
    """nearzero's settings. Each field is read from ``NEARZERO_<FIELD>``.

    database_url: SQLAlchemy URL; the embedded default is a SQLite file under var/.
    database_pool_size, database_pool_overflow, database_pool_timeout: each process's
        connection pool: connections kept, more opened under load, and how long [s] a request
        waits for one before it fails (a request holds one connection, never two).
    secret_key: the installation's secret: signs session cookies and CSRF tokens, and partner
        HMAC keys and resident tokens are derived from it. Never a constant in the code: when
        unset it is read from ``data_dir/secret.key``, made at first run with mode 0600; in
        production it must exist beforehand (this variable, or ``nearzero secret init``).
        ``nearzero secret rotate`` replaces the file (see docs/deployment.md).
    data_dir: the installation's data folder (the secret; the embedded database by default).
    env: ``development`` or ``production`` (production refuses the default secret and demo data).
    host, port: where ``nearzero serve`` listens.
    default_unit: the unit shown when none is chosen (the bundled plan is ``zhangqiu``).
    session_max_age: absolute time-out of a log-in [s]: it ends this long after it began,
        however active (default 8 h).
    session_idle_timeout: idle time-out of a log-in [s]: it ends when no request came for this
        long (default 30 min). Log-ins are server-side sessions: log-out, a password change or
        reset and disabling the user end them at once.
    login_max_failures: failed log-ins of one username within ``login_window`` that lock it
        for ``login_lockout`` [attempts] (default 5; unknown usernames are counted alike).
    login_max_failures_per_address: failed log-ins from one client address within
        ``login_window`` that lock the address for ``login_lockout`` [attempts] (default 20).
    login_window: how far back failed log-ins are counted [s] (default 15 min).
    login_lockout: how long a lock-out lasts [s] (default 15 min).
    max_upload_bytes: largest request body any form or upload may send [bytes]; a larger one
        is refused with 413 as it streams in, before a route reads it (default 25 MiB).
    inclusion_max_body_bytes: largest request body the carbon-inclusion partner API accepts
        [bytes]; a larger batch is refused with 413 before it is read or parsed (default 20 MiB).
    xlsx_max_unpacked_bytes: largest total an uploaded .xlsx may unpack to [bytes]; checked
        from the zip's directory before the workbook is parsed (default 100 MiB).
    xlsx_max_member_bytes: largest any one part of an .xlsx may unpack to [bytes]
        (default 64 MiB).
    xlsx_max_ratio: largest unpacked-to-packed ratio of a part over 1 MiB [times]
        (default 100; zip bombs run to thousands).
    xlsx_max_members: most parts an .xlsx zip may hold [parts] (default 1000).
    xlsx_max_rows: most rows a sheet of an uploaded .xlsx may declare or hold [rows]
        (default 100 000).
    xlsx_max_cells: most cells a sheet may declare (its dimension) or hold [cells]
        (default 2 000 000).
    inclusion_points_valid_months: how long carbon-inclusion points stay valid [months after
        the behaviour]; empty (the default) means points never expire.
    """

    model_config = SettingsConfigDict(env_prefix="NEARZERO_")

    database_url: str = "sqlite:///var/nearzero.sqlite3"
    database_pool_size: int = Field(default=5, gt=0, le=100)
    database_pool_overflow: int = Field(default=10, ge=0, le=100)
    database_pool_timeout: float = Field(default=30.0, gt=0, le=600)
    secret_key: str = ""
    data_dir: Path = Path("var")
    env: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    default_unit: str = "zhangqiu"
    session_max_age: int = Field(default=8 * 3600, gt=0)
    session_idle_timeout: int = Field(default=30 * 60, gt=0)
    login_max_failures: int = Field(default=5, gt=0)
    login_max_failures_per_address: int = Field(default=20, gt=0)
    login_window: int = Field(default=15 * 60, gt=0)
    login_lockout: int = Field(default=15 * 60, gt=0)
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    inclusion_max_body_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    inclusion_points_valid_months: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _installation_secret(self) -> Settings:
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET_CHARS:
                raise SecretMissing(
                    f"NEARZERO_SECRET_KEY must be {MIN_SECRET_CHARS}+ random characters"
                )
            return self
        path = secret_path(self.data_dir)
        if path.exists():
            self.secret_key = read_secret(path)
        elif self.env == "production":
            raise SecretMissing(
                f"production needs the installation's secret: set NEARZERO_SECRET_KEY or run "
                f"`nearzero secret init` (writes {path})"
            )
        else:
            self.secret_key = write_secret(self.data_dir)
        return self
