"""Issue #15 item 7: ``nearzero inclusion partners add|list|rotate-key|disable`` and
``nearzero inclusion consents import FILE --partner P``, with the checks and the audit of
the office's forms and the partner API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.inclusion.security import canonical_json
from nearzero.services.inclusion import partners as partners_svc
from nearzero.store.db import transaction

SECRET_KEY = "cli-test-secret-key-0123456789abcdef-0123456789"


@pytest.fixture
def cli(zhangqiu_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    monkeypatch.setenv("NEARZERO_SECRET_KEY", SECRET_KEY)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["inclusion", *args])

    return run


def test_partners_add_list_rotate_disable(cli: Any, sessions: Any) -> None:
    added = cli(
        "partners",
        "add",
        "ride-code",
        "--name",
        "乘车码平台",
        "--scenario",
        "bus",
        "--scenario",
        "metro",
    )
    assert added.exit_code == 0, added.output
    secret = added.output.split("secret (shown once; give it to the partner): ")[1].split()[0]
    assert len(secret) == 64
    # the secret signs requests as the API checks them
    with transaction(sessions) as s:
        known = partners_svc._secrets_for(s, SECRET_KEY.encode(), "ride-code")
    assert known == {"ride-code": bytes.fromhex(secret)}

    again = cli("partners", "add", "ride-code", "--name", "x", "--scenario", "bus")
    assert again.exit_code == 2 and "already exists" in again.output
    bad = cli("partners", "add", "bikes", "--name", "单车", "--scenario", "taxi")
    assert bad.exit_code == 2 and "taxi" in bad.output

    listed = cli("partners", "list")
    assert listed.exit_code == 0
    (row,) = [line.split("\t") for line in listed.output.splitlines()]
    assert row[:4] == ["ride-code", "乘车码平台", "bus,metro", "active"]

    rotated = cli("partners", "rotate-key", "ride-code")
    assert rotated.exit_code == 0
    new_secret = rotated.output.split("shown once; give it to the partner): ")[1].split()[0]
    assert new_secret != secret

    assert cli("partners", "disable", "ride-code").exit_code == 0
    assert "\tdisabled\t" in cli("partners", "list").output
    assert cli("partners", "disable", "nobody").exit_code == 2

    with transaction(sessions) as s:
        actions = [
            r.action
            for r in s.execute(
                text("SELECT action FROM audit_log WHERE entity = 'inclusion_partner' ORDER BY id")
            )
        ]
    assert actions == ["partner.create", "partner.rotate", "partner.update"]


def test_consents_import_all_or_nothing(cli: Any, sessions: Any, tmp_path: Path) -> None:
    assert (
        cli("partners", "add", "ride-code", "--name", "乘车码", "--scenario", "bus").exit_code == 0
    )
    good = tmp_path / "consents.csv"
    good.write_text(
        "phone,resident_id,scenario,granted,at\n"
        "13800138000,,bus,true,2025-03-01T07:55:00+08:00\n"
        f",{'3f' * 32},bus,false,2025-03-02T07:55:00+08:00\n",
        encoding="utf-8",
    )
    done = cli("consents", "import", str(good), "--partner", "ride-code")
    assert done.exit_code == 0, done.output
    lines = [line.split("\t") for line in done.output.splitlines() if "\t" in line]
    assert [(x[1], x[2]) for x in lines] == [("bus", "granted"), ("bus", "withdrawn")]
    assert len(lines[0][0]) == 64 and lines[1][0] == "3f" * 32  # never the phone number

    # one bad item: nothing of the file is stored, the item is named
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"phone": "13900139000", "scenario": "bus"})
        + "\n"
        + json.dumps({"phone": "13700137000", "scenario": "bus", "at": "yesterday"})
        + "\n",
        encoding="utf-8",
    )
    refused = cli("consents", "import", str(bad), "--partner", "ride-code")
    assert refused.exit_code == 2 and "consents[1].at" in refused.output
    not_allowed = tmp_path / "metro.json"
    not_allowed.write_text(
        canonical_json({"consents": [{"phone": "13600136000", "scenario": "metro"}]}).decode(),
        encoding="utf-8",
    )
    refused = cli("consents", "import", str(not_allowed), "--partner", "ride-code")
    assert refused.exit_code == 2 and "may not relay metro" in " ".join(refused.output.split())
    with transaction(sessions) as s:
        n = s.execute(text("SELECT COUNT(*) FROM inclusion_consent")).scalar_one()
        audited = s.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'consent.import'")
        ).scalar_one()
    assert n == 1 and audited == 1  # the withdrawal of a consent never given adds no row
