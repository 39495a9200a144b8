"""Carbon inclusion, managing it over HTTP: the partner API's body size limit (413 before
parsing, nothing stored), the office's partner edit form (errors name the field, audit,
deactivation refuses the partner's requests, key rotation shows the new secret once), and
the resident withdrawing consent (later records refused ``no_consent`` through the real
signed intake API, past credits kept), also in Chromium at 390 px."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from nearzero.inclusion.security import canonical_json, sign
from nearzero.services.audit import entries
from nearzero.services.context import Actor, Role
from nearzero.services.inclusion import partners as partners_svc, resident as resident_svc
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store import tables as inc
from nearzero.store.db import transaction
from nearzero.web.app import create_app
from webclient import log_in, token

SECRET_KEY = "inclusion-manage-test-secret-key-0123456789"
PARTNER = "ride-code"
PHONE = "13700137000"


def make_app(url: str, **settings):
    return create_app(Settings(database_url=url, secret_key=SECRET_KEY, **settings))


@pytest.fixture
def app(zhangqiu_url):
    app = make_app(zhangqiu_url)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def register(app, scenarios=("bus", "metro")) -> bytes:
    with transaction(app.state.sessions) as s:
        key = partners_svc.create_partner(
            s,
            Actor.system(),
            SECRET_KEY.encode(),
            get_unit(s, "zhangqiu"),
            PARTNER,
            "乘车码平台",
            list(scenarios),
        )
    return bytes.fromhex(key.secret_hex)


def signed(secret: bytes, body: bytes, partner: str = PARTNER) -> dict[str, str]:
    ts, nonce = int(time.time()), secrets.token_hex(16)
    return {
        "X-NZ-Partner": partner,
        "X-NZ-Timestamp": str(ts),
        "X-NZ-Nonce": nonce,
        "X-NZ-Signature": sign(secret, partner, ts, nonce, body),
        "Content-Type": "application/json",
    }


def ride(rid: str, who: str, start: datetime, scenario: str = "bus", minutes: int = 20) -> dict:
    return {
        "partner_record_id": rid,
        "resident_id": who,
        "scenario": scenario,
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=minutes)).isoformat(),
        "distance_km": "10",
    }


def short(rid: str, who: str, start: datetime, scenario: str) -> dict:
    """A ride of 0.4 s (so that it has ended a moment after it started)."""
    return ride(rid, who, start, scenario) | {"end": (start + timedelta(seconds=0.4)).isoformat()}


def post_batch(client, secret: bytes, records: list[dict]):
    body = canonical_json({"records": records})
    return client.post("/api/inclusion/batches", content=body, headers=signed(secret, body))


def consent_via_partner(client, secret: bytes, at: datetime) -> str:
    body = canonical_json(
        {
            "consents": [
                {"phone": PHONE, "scenario": s, "granted": True, "at": at.isoformat()}
                for s in ("bus", "metro")
            ]
        }
    )
    r = client.post("/api/inclusion/consents", content=body, headers=signed(secret, body))
    assert r.status_code == 200, r.text
    pseudonym: str = r.json()["consents"][0]["resident_id"]
    return pseudonym


def count(app, column) -> int:
    with transaction(app.state.sessions) as s:
        return int(s.scalar(select(func.count(column))) or 0)


# --------------------------------------------------------------------------- size limit


def test_default_body_limit_is_20_mib():
    assert Settings().inclusion_max_body_bytes == 20 * 1024 * 1024


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_stored(zhangqiu_url):
    app = make_app(zhangqiu_url, inclusion_max_body_bytes=2_000)
    try:
        secret = register(app)
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
        with TestClient(app) as client:
            who = consent_via_partner(client, secret, start - timedelta(days=1))
            nonces = count(app, inc.InclusionNonce.id)
            big = [ride(f"b{i}", who, start + timedelta(hours=i)) for i in range(30)]
            body = canonical_json({"records": big})
            assert len(body) > 2_000
            r = client.post("/api/inclusion/batches", content=body, headers=signed(secret, body))
            assert r.status_code == 413
            payload = r.json()
            assert payload["limit_bytes"] == 2_000 and payload["size_bytes"] == len(body)
            assert "over the limit of 2,000 bytes" in payload["error"]
            assert "NEARZERO_INCLUSION_MAX_BODY_BYTES" in payload["error"]

            # no Content-Length (chunked): read only up to the limit, then refused
            def chunks():
                for i in range(0, len(body), 500):
                    yield body[i : i + 500]

            headers = signed(secret, body)
            r = client.post("/api/inclusion/batches", content=chunks(), headers=headers)
            assert r.status_code == 413 and r.json()["size_bytes"] is None
            # the consent endpoint has the same limit
            r = client.post("/api/inclusion/consents", content=body, headers=signed(secret, body))
            assert r.status_code == 413

            # nothing stored: no record, no nonce remembered
            assert count(app, inc.InclusionRecord.partner_record_id) == 0
            assert count(app, inc.InclusionNonce.id) == nonces
            # a batch under the limit goes through
            r = post_batch(client, secret, big[:3])
            assert r.status_code == 200 and r.json()["accepted"] == 3
            assert count(app, inc.InclusionRecord.partner_record_id) == 3
    finally:
        app.state.engine.dispose()


# --------------------------------------------------------------------------- partner form


def test_office_edits_a_partner_with_errors_naming_the_field(client, app):
    secret = register(app)
    csrf = token(log_in(client, "office").text)
    page = client.get(f"/inclusion/partners/{PARTNER}")
    assert page.status_code == 200 and "乘车码平台" in page.text
    assert page.headers["cache-control"] == "no-store"

    # an empty name: refused, the field named, what was typed kept
    form = {"csrf_token": csrf, "name_zh": "  ", "scenarios": ["bus"], "active": "1"}
    r = client.post(f"/inclusion/partners/{PARTNER}", data=form)
    assert r.status_code == 400
    assert 'data-field="name_zh"' in r.text and "<strong>合作方名称</strong>" in r.text
    assert re.search(r'name="name_zh" value="  "[^>]*aria-invalid="true"', r.text)
    # no scenario chosen
    form = {"csrf_token": csrf, "name_zh": "章丘公交", "active": "1"}
    r = client.post(f"/inclusion/partners/{PARTNER}", data=form)
    assert r.status_code == 400 and 'data-field="scenarios"' in r.text
    assert "请至少选择一个场景" in r.text and 'value="章丘公交"' in r.text
    # in English the field is named in English
    r = client.post(f"/inclusion/partners/{PARTNER}?lang=en", data=form)
    assert "<strong>Authorised scenarios</strong>" in r.text
    client.get("/inclusion?lang=zh")
    # without the CSRF token nothing happens
    bad = {"name_zh": "X", "scenarios": ["bus"], "active": "1"}
    assert client.post(f"/inclusion/partners/{PARTNER}", data=bad).status_code == 403
    with transaction(app.state.sessions) as s:
        p = partners_svc.get_partner(s, PARTNER)
        assert (p.name_zh, p.scenarios, p.active) == ("乘车码平台", ["bus", "metro"], True)
        assert entries(s, "inclusion_partner", PARTNER)[0].action == "partner.create"

    # a valid change: saved, audited with old and new
    form = {"csrf_token": csrf, "name_zh": "章丘公交集团", "scenarios": ["bus"], "active": "1"}
    r = client.post(f"/inclusion/partners/{PARTNER}", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert "已保存" in client.get(r.headers["location"]).text
    with transaction(app.state.sessions) as s:
        last = entries(s, "inclusion_partner", PARTNER)[0]
        assert (last.action, last.actor) == ("partner.update", "office")
        assert last.old == {"name_zh": "乘车码平台", "scenarios": ["bus", "metro"], "active": True}
        assert last.new == {"name_zh": "章丘公交集团", "scenarios": ["bus"], "active": True}
    assert "章丘公交集团" in client.get("/inclusion").text
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    who = consent_via_partner_bus_only(client, secret, start - timedelta(days=1))
    r = post_batch(client, secret, [ride("m1", who, start, "metro")])
    assert r.json()["results"][0]["reason"] == "scenario_not_authorised"

    # deactivated: its requests are refused, what it credited stays
    assert post_batch(client, secret, [ride("b1", who, start)]).json()["accepted"] == 1
    form = {"csrf_token": csrf, "name_zh": "章丘公交集团", "scenarios": ["bus"]}
    assert client.post(f"/inclusion/partners/{PARTNER}", data=form).status_code == 200
    r = post_batch(client, secret, [ride("b2", who, start + timedelta(hours=2))])
    assert r.status_code == 401 and r.json()["batch_reason"] == "unknown_partner"
    with transaction(app.state.sessions) as s:
        assert resident_svc.resident_view(s, who).balance == 269
        assert entries(s, "inclusion_partner", PARTNER)[0].new["active"] is False
    assert "已停用" in client.get("/inclusion").text
    # active again
    form["active"] = "1"
    client.post(f"/inclusion/partners/{PARTNER}", data=form)

    # rotation: the new secret shown once; the old one stops working, the new one works
    r = client.post(f"/inclusion/partners/{PARTNER}/rotate", data={"csrf_token": csrf})
    assert r.status_code == 200 and r.url.path == f"/inclusion/partners/{PARTNER}"
    new_secret = bytes.fromhex(re.search(r'data-testid="secret">([0-9a-f]+)<', r.text).group(1))
    assert 'data-testid="secret"' not in client.get(f"/inclusion/partners/{PARTNER}").text
    old = post_batch(client, secret, [ride("b3", who, start + timedelta(hours=4))])
    assert old.status_code == 401 and old.json()["batch_reason"] == "bad_signature"
    assert (
        post_batch(client, new_secret, [ride("b3", who, start + timedelta(hours=4))]).json()[
            "accepted"
        ]
        == 1
    )
    with transaction(app.state.sessions) as s:
        assert entries(s, "inclusion_partner", PARTNER)[0].action == "partner.rotate"


def consent_via_partner_bus_only(client, secret: bytes, at: datetime) -> str:
    body = canonical_json(
        {"consents": [{"phone": PHONE, "scenario": "bus", "granted": True, "at": at.isoformat()}]}
    )
    r = client.post("/api/inclusion/consents", content=body, headers=signed(secret, body))
    assert r.status_code == 200, r.text
    pseudonym: str = r.json()["consents"][0]["resident_id"]
    return pseudonym


def test_only_the_office_edits_partners(client, app):
    register(app)
    csrf = token(log_in(client, "viewer").text)
    assert client.get(f"/inclusion/partners/{PARTNER}").status_code == 403
    form = {"csrf_token": csrf, "name_zh": "X", "scenarios": ["bus"], "active": "1"}
    assert client.post(f"/inclusion/partners/{PARTNER}", data=form).status_code == 403
    assert client.get("/inclusion/partners/nobody").status_code == 404
    with transaction(app.state.sessions) as s:
        assert partners_svc.get_partner(s, PARTNER).name_zh == "乘车码平台"


# --------------------------------------------------------------------------- consent


def withdraw(client, link: str, scenario: str, granted: bool = False):
    me = client.get(f"/inclusion/me/{link}")
    form = {"csrf_token": token(me.text), "scenario": scenario, "granted": str(granted).lower()}
    return client.post(f"/inclusion/me/{link}/consent", data=form)


def test_resident_withdraws_consent_and_later_records_are_refused(client, app):
    secret = register(app)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    who = consent_via_partner(client, secret, start - timedelta(days=1))
    assert post_batch(client, secret, [ride("before", who, start)]).json()["accepted"] == 1
    link = resident_svc.resident_token(SECRET_KEY.encode(), who)

    r = withdraw(client, link, "bus")
    assert r.status_code == 200 and "已撤回授权，已获得的积分保留" in r.text
    assert re.search(r'data-consent="bus" data-granted="no"', r.text)
    assert re.search(r'data-consent="metro" data-granted="yes"', r.text)
    assert re.search(r'data-testid="balance">269<', r.text)  # past credits stay
    # without the CSRF token nothing changes
    bad = client.post(
        f"/inclusion/me/{link}/consent", data={"scenario": "metro", "granted": "false"}
    )
    assert bad.status_code == 403

    # behaviour after the withdrawal, through the signed intake API
    after = datetime.now(UTC) + timedelta(seconds=1)
    time.sleep(3.2)  # the rides below have ended (in whole seconds) when they are sent
    r = post_batch(
        client,
        secret,
        [
            short("bus-after", who, after, "bus"),
            short("metro-after", who, after + timedelta(seconds=0.5), "metro"),
        ],
    )
    assert r.status_code == 200, r.text
    results = {x["partner_record_id"]: x for x in r.json()["results"]}
    assert results["bus-after"]["status"] == "rejected"
    assert results["bus-after"]["reason"] == "no_consent"
    assert results["metro-after"]["status"] == "accepted"
    # a ride from before the withdrawal, sent late, is still covered by the consent then
    r = post_batch(client, secret, [ride("before-late", who, start + timedelta(hours=3))])
    assert r.json()["accepted"] == 1
    with transaction(app.state.sessions) as s:
        assert partners_svc.consents_of(s, who)["bus"] is False
        consent = s.scalars(
            select(inc.InclusionConsent).where(inc.InclusionConsent.scenario == "bus")
        ).one()
        assert consent.revoked_via == "resident" and consent.revoked_at is not None
        view = resident_svc.resident_view(s, who)
        assert {r.partner_record_id for r in view.records} == {
            "before",
            "metro-after",
            "before-late",
        }

    # granting again from the page: bus rides from then on are credited again
    r = withdraw(client, link, "bus", granted=True)
    assert "已授权" in r.text and re.search(r'data-consent="bus" data-granted="yes"', r.text)


def test_consent_withdrawal_at_mobile_width(page, serve_app, zhangqiu_url):
    app = make_app(zhangqiu_url)
    try:
        register(app, ["bus"])
        who = "c" * 64
        with transaction(app.state.sessions) as s:
            from nearzero.inclusion.choices import Scenario

            partners_svc.set_consent(
                s, PARTNER, who, Scenario.BUS, True, datetime.now(UTC) - timedelta(days=9)
            )
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
        partners_svc.ingest(app.state.engine, PARTNER, [ride("b1", who, start)])
        base = serve_app(app)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/inclusion/me/{resident_svc.resident_token(SECRET_KEY.encode(), who)}")
        bus = page.locator('[data-consent="bus"]')
        assert bus.get_by_test_id("consent-state").inner_text() == "已授权"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page scrolls sideways at 390 px ({width})"
        box = bus.get_by_test_id("consent-withdraw").bounding_box()
        assert box is not None and box["height"] >= 40 and box["x"] + box["width"] <= 390
        bus.get_by_test_id("consent-withdraw").click()
        page.wait_for_selector("[data-testid=message]")
        assert "已撤回授权" in page.get_by_test_id("message").inner_text()
        bus = page.locator('[data-consent="bus"]')
        assert bus.get_by_test_id("consent-state").inner_text() == "未授权"
        assert page.get_by_test_id("balance").inner_text() == "269"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        app.state.engine.dispose()


# --------------------------------------------------------------------------- expiry


def test_office_expires_points_and_the_resident_sees_it(zhangqiu_url):
    app = make_app(zhangqiu_url, inclusion_points_valid_months=12)
    try:
        register(app)
        who = "e" * 64
        with transaction(app.state.sessions) as s:
            from nearzero.inclusion.choices import Scenario

            granted = datetime(2024, 1, 1, tzinfo=UTC)
            partners_svc.set_consent(s, PARTNER, who, Scenario.BUS, True, granted)
        start = datetime(2024, 5, 6, 1, tzinfo=UTC)
        items = [ride("old", who, start), ride("new", who, datetime.now(UTC) - timedelta(days=3))]
        report = partners_svc.ingest(app.state.engine, PARTNER, items)
        assert report.summary()["accepted"] == 2
        with TestClient(app) as client:
            csrf = token(log_in(client, "office").text)
            page = client.get("/inclusion")
            assert "积分自行为发生起12个月内有效" in page.text
            r = client.post("/inclusion/expire", data={"csrf_token": csrf, "as_of": "2025-12-31"})
            assert r.status_code == 200
            assert "过期处理完成：1笔，269积分，涉及1位居民。" in r.text
            assert re.search(r'data-testid="expired-total">269<', r.text)
            r = client.post("/inclusion/expire", data={"csrf_token": csrf, "as_of": "2025-12-31"})
            assert "过期处理完成：0笔，0积分，涉及0位居民。" in r.text
            assert re.search(r'data-testid="expired-total">269<', r.text)
            r = client.post("/inclusion/expire", data={"csrf_token": csrf, "as_of": "2099-01-01"})
            assert "晚于今天" in r.text
            r = client.post("/inclusion/expire", data={"csrf_token": csrf, "as_of": "soon"})
            assert "应为日期" in r.text

            me = client.get(
                f"/inclusion/me/{resident_svc.resident_token(SECRET_KEY.encode(), who)}"
            )
            assert re.search(r'data-testid="balance">269<', me.text)  # the recent ride
            assert re.search(r'data-kind="expiry">\s*<span>积分过期 · 2025-05-06</span>', me.text)
            assert 'data-testid="expired">−269<' in me.text
            assert me.text.count('data-kind="credit"') == 2  # both credits still listed
    finally:
        app.state.engine.dispose()


def test_without_a_validity_points_do_not_expire(client, app):
    register(app)
    csrf = token(log_in(client, "office").text)
    page = client.get("/inclusion")
    assert "未设置积分有效期" in page.text
    assert re.search(r'<button type="submit" disabled data-testid="expire">', page.text)
    r = client.post("/inclusion/expire", data={"csrf_token": csrf, "as_of": "2025-12-31"})
    assert (
        'data-testid="inc-error"' in r.text and "NEARZERO_INCLUSION_POINTS_VALID_MONTHS" in r.text
    )


def test_the_units_rules_set_the_validity_the_installation_does_not(client, app):
    """points_valid_months in the saved scheme applies without the installation setting."""
    from nearzero.services.inclusion import rules as rules_svc

    register(app)
    csrf = token(log_in(client, "office").text)
    with transaction(app.state.sessions) as s:
        unit = get_unit(s, "zhangqiu")
        text = rules_svc.rules(s, unit).yaml_text.replace(
            "points_valid_months:\n", "points_valid_months: 6\n"
        )
        rules_svc.save_scheme(s, Actor("office", Role.ADMIN), unit, text)
        assert "points_valid_months" not in rules_svc.rules(s, unit).scheme.unset()
    page = client.get("/inclusion")
    assert "积分自行为发生起6个月内有效" in page.text
    r = client.post("/inclusion/expire", data={"csrf_token": csrf, "as_of": "2025-12-31"})
    assert "过期处理完成：0笔" in r.text  # nothing credited yet: a run, not a refusal
