"""Backup and restore (issue #11.10): a round trip gives back every table row for row, on
SQLite and PostgreSQL and across them; a restore never overwrites data and is all or nothing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from nearzero.cli import app as cli
from nearzero.indicators.catalogue import bundled_plan_path, load_plan
from nearzero.services import plans, users
from nearzero.services.context import Actor
from nearzero.services.indicators import get_unit
from nearzero.store.backup import BackupError, _encode, backup, restore
from nearzero.store.base import Base
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.store.migrate import upgrade


def _contents(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as con:
        return {
            t.name: [
                {k: _encode(v) for k, v in row.items()}
                for row in con.execute(
                    select(t).order_by(*(list(t.primary_key.columns) or list(t.columns)))
                ).mappings()
            ]
            for t in Base.metadata.sorted_tables
        }


def _fresh_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


def _loaded_sqlite(path: Path) -> str:
    url = _fresh_sqlite(path)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        plans.load_plan(session, load_plan(bundled_plan_path()), Actor.system("test"))
        users.ensure_demo_accounts(session, get_unit(session, "zhangqiu"))
    engine.dispose()
    return url


def test_round_trip_into_sqlite_gives_back_every_row(zhangqiu_url: str, tmp_path: Path) -> None:
    source = make_engine(zhangqiu_url)
    target = make_engine(_fresh_sqlite(tmp_path / "restored.sqlite3"))
    try:
        manifest = backup(source, tmp_path / "b.zip")
        assert manifest.rows > 100
        assert {t.name for t in manifest.tables} == set(Base.metadata.tables)
        restore(target, tmp_path / "b.zip")
        before, after = _contents(source), _contents(target)
        assert sum(map(len, before.values())) == manifest.rows
        assert after == before
    finally:
        source.dispose()
        target.dispose()


def test_a_sqlite_backup_restores_into_either_database(database_url: str, tmp_path: Path) -> None:
    source = make_engine(_loaded_sqlite(tmp_path / "source.sqlite3"))
    upgrade(database_url)
    target = make_engine(database_url)
    try:
        backup(source, tmp_path / "b.zip")
        restore(target, tmp_path / "b.zip")
        assert _contents(target) == _contents(source)
        # ids continue after the restored rows: a new row gets a fresh id
        with transaction(session_factory(target)) as session:
            users.ensure_demo_accounts(session, get_unit(session, "zhangqiu"))
    finally:
        source.dispose()
        target.dispose()


def test_restore_refuses_a_database_with_data_and_a_tampered_file(
    zhangqiu_url: str, tmp_path: Path
) -> None:
    engine = make_engine(zhangqiu_url)
    empty = make_engine(_fresh_sqlite(tmp_path / "empty.sqlite3"))
    try:
        backup(engine, tmp_path / "b.zip")
        before = _contents(engine)
        with pytest.raises(BackupError, match="not empty"):
            restore(engine, tmp_path / "b.zip")
        assert _contents(engine) == before

        with (
            zipfile.ZipFile(tmp_path / "b.zip") as src,
            zipfile.ZipFile(tmp_path / "t.zip", "w") as dst,
        ):
            for item in src.namelist():
                data = src.read(item)
                if item == "tables/indicator_value.jsonl":
                    data = data.replace(b'"value": 1', b'"value": 9', 1)
                dst.writestr(item, data)
        with pytest.raises(BackupError, match="SHA-256"):
            restore(empty, tmp_path / "t.zip")
        assert not any(_contents(empty).values())  # all or nothing

        manifest = json.loads(zipfile.ZipFile(tmp_path / "b.zip").read("manifest.json"))
        assert manifest["format"] == "nearzero.backup/1"
    finally:
        engine.dispose()
        empty.dispose()


def test_backup_and_restore_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("NEARZERO_DATABASE_URL", _loaded_sqlite(tmp_path / "a.sqlite3"))
    made = runner.invoke(cli, ["backup", str(tmp_path / "b.zip")])
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("NEARZERO_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    done = runner.invoke(cli, ["restore", str(tmp_path / "b.zip")])
    assert done.exit_code == 0, done.output
    assert "restored" in done.output
    again = runner.invoke(cli, ["restore", str(tmp_path / "b.zip")])
    assert again.exit_code == 2
    assert "not empty" in again.output
    bad = runner.invoke(cli, ["restore", str(tmp_path / "a.sqlite3")])
    assert bad.exit_code == 2
    assert "not a zip" in bad.output
