"""Issue #15: the office adds a scenario and a baseline-minus-project methodology in the
browser, applies it, registers a partner for it, and the partner's signed batch is credited
by it (BE and PE stored beside ER); over HTTP a refused scenario text comes back with its
field named and nothing stored.

The methodology's factors are illustrative office values (DB11/T 3043-2024's defaults were not
found), marked so in its source.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, text

from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.security import canonical_json, sign
from nearzero.services.inclusion import partners as partners_svc
from nearzero.settings import Settings
from nearzero.store import tables as inc
from nearzero.store.db import transaction
from nearzero.web.app import create_app
from webclient import browser_log_in, log_in, token

SECRET_KEY = "inclusion-scenarios-test-secret-key-0123456789"
WHO = "c" * 64

SCENARIO = """code: ev_carpool
label_zh: 新能源拼车出行
label_en: new-energy carpool ride
activity: distance
fields: [distance_km]
claim: trip
"""

METHODOLOGY = """id: ev-carpool-be-pe
version: "office-1"
status: draft
scenario: ev_carpool
formula: baseline_minus_project
activity: distance
title_zh: 新能源拼车出行（基准线排放减项目排放）
title_en: New-energy carpool, baseline minus project emissions
source:
  document: DB11/T 3043-2024 eq. 1, 2 (structure); values illustrative, to_confirm
parameters:
  - name: EF_baseline
    value: "180"
    unit: g/km
    status: office_decided
    source: "illustrative office value, to_confirm against the standard's appendix"
  - name: EF_project
    value: "45"
    unit: g/km
    status: office_decided
    source: "illustrative office value, to_confirm against the standard's appendix"
"""


def scenarios_stored(app) -> int:
    with transaction(app.state.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(inc.InclusionScenario)) or 0)


def test_a_refused_scenario_text_is_named_and_nothing_stored(client, app):
    log_in(client, "office")
    page = client.get("/inclusion")
    assert 'data-testid="scenario-form"' in page.text
    bad = SCENARIO.replace("claim: trip", "claim: sometimes")
    response = client.post(
        "/inclusion/scenarios", data={"csrf_token": token(page.text), "yaml_text": bad}
    )
    assert response.status_code == 400
    assert 'data-testid="scenario-error"' in response.text and "claim" in response.text
    assert "claim: sometimes" in response.text  # what was typed comes back
    assert scenarios_stored(app) == 0


def test_office_adds_a_scenario_and_a_be_pe_methodology_in_chromium(page, zhangqiu_url, serve_app):
    app = create_app(Settings(database_url=zhangqiu_url, secret_key=SECRET_KEY))
    try:
        base = serve_app(app)
        browser_log_in(page, base, "office", "/inclusion")

        def submit(form_id: str, value: str) -> None:
            form = page.get_by_test_id(form_id)
            form.locator("textarea").fill(value)
            form.locator("button[type=submit]").click()
            page.wait_for_selector("[data-testid=rules-saved]")

        submit("scenario-form", SCENARIO)
        submit("methodology-form", METHODOLOGY)
        choice = page.get_by_test_id("choice-form")
        choice.locator("select[name=scenario]").select_option("ev_carpool")
        choice.locator("select[name=methodology]").select_option("ev-carpool-be-pe@office-1")
        choice.locator("button[type=submit]").click()
        page.wait_for_selector("[data-testid=rules-saved]")
        row = page.locator('tr[data-scenario="ev_carpool"]')
        assert "ev-carpool-be-pe@office-1" in row.inner_text()
        assert "新能源拼车出行" in row.inner_text()

        partner = page.get_by_test_id("partner-form")
        partner.locator("input[name=code]").fill("carpool-app")
        partner.locator("input[name=name_zh]").fill("拼车平台")
        partner.locator('input[name=scenarios][value="ev_carpool"]').check()
        partner.locator("button[type=submit]").click()
        secret = bytes.fromhex(page.get_by_test_id("secret").inner_text().strip())

        with transaction(app.state.sessions) as s:
            partners_svc.set_consent(
                s,
                "carpool-app",
                WHO,
                Scenario("ev_carpool"),
                True,
                datetime(2025, 1, 1, tzinfo=UTC),
            )
        start = datetime.now(UTC) - timedelta(hours=2)
        body = canonical_json(
            {
                "records": [
                    {
                        "partner_record_id": "pool-1",
                        "resident_id": WHO,
                        "scenario": "ev_carpool",
                        "start": start.isoformat(),
                        "end": (start + timedelta(minutes=35)).isoformat(),
                        "distance_km": "20",
                    }
                ]
            }
        )
        ts, nonce = int(time.time()), secrets.token_hex(16)
        headers = {
            "X-NZ-Partner": "carpool-app",
            "X-NZ-Timestamp": str(ts),
            "X-NZ-Nonce": nonce,
            "X-NZ-Signature": sign(secret, "carpool-app", ts, nonce, body),
            "Content-Type": "application/json",
        }
        answer = httpx.post(f"{base}/api/inclusion/batches", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["accepted"] == 1 and result["credited_g"] == 2700  # 20 km × (180 − 45)
        with transaction(app.state.sessions) as s:
            row = s.execute(
                text(
                    "SELECT baseline_g, project_g, credited_g, methodology_id FROM inclusion_record"
                    " WHERE partner_record_id = 'pool-1'"
                )
            ).one()
            audited = s.execute(
                text("SELECT COUNT(*) FROM audit_log WHERE action = 'scenario.publish'")
            ).scalar_one()
        assert tuple(row) == (3600, 900, 2700, "ev-carpool-be-pe")
        assert audited == 1
    finally:
        app.state.engine.dispose()
