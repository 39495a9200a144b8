"""The installation's secret (issue #11.1): never a constant in the code, made at first run
with owner-only permissions, required beforehand in production, rotated by a command; a
session cookie signed with any other key (such as the old shipped default) is refused."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from nearzero.cli import app as cli
from nearzero.settings import SECRET_FILE, Settings
from nearzero.store.migrate import upgrade
from nearzero.web.app import create_app

OLD_SHIPPED_DEFAULT = "dev-only-secret-change-me"


def test_made_at_first_run_owner_only_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).secret_key
    path = tmp_path / SECRET_FILE
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path).secret_key == first
    assert Settings(data_dir=tmp_path / "other").secret_key != first


def test_production_refuses_to_start_without_its_own_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="secret init"):
        Settings(env="production", data_dir=tmp_path)
    assert not (tmp_path / SECRET_FILE).exists()
    with pytest.raises(ValidationError, match="32"):
        Settings(env="production", secret_key="short", data_dir=tmp_path)
    assert Settings(env="production", secret_key="k" * 40, data_dir=tmp_path).secret_key


def test_init_and_rotate_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEARZERO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEARZERO_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    monkeypatch.setenv("NEARZERO_DATABASE_URL", url)
    runner = CliRunner()
    assert "written" in runner.invoke(cli, ["secret", "init"]).output
    made = Settings(env="production").secret_key
    assert "kept" in runner.invoke(cli, ["secret", "init"]).output
    assert Settings(env="production").secret_key == made
    result = runner.invoke(cli, ["secret", "rotate"])
    assert result.exit_code == 0, result.output
    assert "0 sessions ended" in result.output
    assert Settings(env="production").secret_key != made
    monkeypatch.setenv("NEARZERO_SECRET_KEY", "e" * 40)
    assert runner.invoke(cli, ["secret", "rotate"]).exit_code == 2


def _session_cookie(data: dict[str, str], key: str) -> str:
    """A Starlette session cookie as SessionMiddleware signs it."""
    payload = base64.b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(key).sign(payload).decode()


def test_a_cookie_forged_with_the_old_default_key_gives_nothing(
    zhangqiu_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=zhangqiu_url, data_dir=tmp_path)
    application = create_app(settings)
    try:
        with TestClient(application, follow_redirects=False) as client:
            # Neither key helps: a log-in is a server-side session now, not a signed name
            # (tests/web/test_sessions.py shows the real key's cookie refused too).
            for key in (OLD_SHIPPED_DEFAULT, settings.secret_key):
                client.cookies.set("nearzero_session", _session_cookie({"username": "office"}, key))
                page = client.get("/")
                assert page.status_code == 303, key
                assert page.headers["location"].startswith("/login")
    finally:
        application.state.engine.dispose()
