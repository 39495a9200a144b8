"""Carbon inclusion over HTTP: the signed partner API (real HMAC), replay and duplicate batch,
consent; the office page; the resident page at mobile width with an idempotent redemption."""

from __future__ import annotations

import json
import re
import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.security import canonical_json, sign
from nearzero.services.context import Actor
from nearzero.services.inclusion import (
    partners as partners_svc,
    redemption as redemption_svc,
    resident as resident_svc,
)
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store import tables as inc
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app

SECRET_KEY = "inclusion-web-test-secret-key-0123456789"
PARTNER = "ride-code"
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


@pytest.fixture
def app(zhangqiu_url):
    app = create_app(Settings(database_url=zhangqiu_url, secret_key=SECRET_KEY))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def partner_secret(app) -> bytes:
    with transaction(app.state.sessions) as s:
        key = partners_svc.create_partner(
            s,
            Actor.system(),
            SECRET_KEY.encode(),
            get_unit(s, "zhangqiu"),
            PARTNER,
            "乘车码平台",
            ["bus", "metro"],
        )
        redemption_svc.create_merchant(
            s, Actor.system(), get_unit(s, "zhangqiu"), "tea", "章丘茶社"
        )
        redemption_svc.create_offer(s, Actor.system(), "tea", "一杯茶", 300)
    return bytes.fromhex(key.secret_hex)


def signed(secret: bytes, body: bytes, nonce: str | None = None, ts: int | None = None) -> dict:
    ts = int(time.time()) if ts is None else ts
    nonce = nonce or secrets.token_hex(16)
    return {
        "X-NZ-Partner": PARTNER,
        "X-NZ-Timestamp": str(ts),
        "X-NZ-Nonce": nonce,
        "X-NZ-Signature": sign(secret, PARTNER, ts, nonce, body),
    }


def consent(client, secret: bytes, phone: str) -> str:
    body = canonical_json(
        {
            "consents": [
                {
                    "phone": phone,
                    "scenario": s,
                    "granted": True,
                    "at": (START - timedelta(days=30)).isoformat(),
                }
                for s in ("bus", "metro")
            ]
        }
    )
    r = client.post("/api/inclusion/consents", content=body, headers=signed(secret, body))
    assert r.status_code == 200, r.text
    pseudonym = r.json()["consents"][0]["resident_id"]
    assert len(pseudonym) == 64 and phone not in r.text
    return pseudonym


def ride(rid: str, who: str, hours: int, km: str = "10", scenario: str = "bus") -> dict:
    t = START + timedelta(hours=hours)
    return {
        "partner_record_id": rid,
        "resident_id": who,
        "scenario": scenario,
        "start": t.isoformat(),
        "end": (t + timedelta(minutes=30)).isoformat(),
        "distance_km": km,
    }


def post_batch(client, secret, body: bytes, content_type="application/json", **kw):
    headers = signed(secret, body, **kw) | {"Content-Type": content_type}
    return client.post("/api/inclusion/batches", content=body, headers=headers)


def test_signed_batches_replay_and_duplicate(client, app, partner_secret):
    alice = consent(client, partner_secret, "138 0013 8000")
    body = canonical_json({"records": [ride("a1", alice, 0), ride("a2", "nobody", 2)]})
    nonce = secrets.token_hex(16)
    r = post_batch(client, partner_secret, body, nonce=nonce)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [
        (x["partner_record_id"], x["status"], x["grams"], x["reason"]) for x in out["results"]
    ] == [
        ("a1", "accepted", 269, ""),  # 10 km × 26.9 g/pkm, Shenzhen bus [S7]
        ("a2", "rejected", 0, "no_consent"),
    ]
    # the same request again: replay refused, nothing processed
    again = post_batch(client, partner_secret, body, nonce=nonce)
    assert again.status_code == 401 and again.json()["batch_reason"] == "replayed_nonce"
    # a wrong signature and a stale timestamp are refused
    bad = signed(partner_secret, body) | {"X-NZ-Signature": "0" * 64}
    r = client.post("/api/inclusion/batches", content=body, headers=bad)
    assert r.status_code == 401 and r.json()["batch_reason"] == "bad_signature"
    stale = post_batch(client, partner_secret, body, ts=int(time.time()) - 3600)
    assert stale.json()["batch_reason"] == "stale_timestamp"
    # the same batch with a fresh nonce: credited once
    dup = post_batch(client, partner_secret, body)
    assert [x["reason"] for x in dup.json()["results"]] == ["already_credited", "no_consent"]
    # JSON lines and CSV bodies
    lines = "\n".join(json.dumps(ride(f"l{i}", alice, 3 + i)) for i in range(2)).encode()
    r = post_batch(client, partner_secret, lines, "application/x-ndjson")
    assert r.json()["accepted"] == 2
    csv_body = (
        "partner_record_id,resident_id,scenario,start,end,distance_km\n"
        f"c1,{alice},metro,{(START + timedelta(hours=9)).isoformat()},"
        f"{(START + timedelta(hours=9, minutes=20)).isoformat()},10\n"
    ).encode()
    r = post_batch(client, partner_secret, csv_body, "text/csv")
    assert r.json()["results"][0]["grams"] == 468  # 10 km × 46.8 g/pkm metro [S7]
    with transaction(app.state.sessions) as s:
        assert resident_svc.resident_view(s, alice).balance == 269 + 2 * 269 + 468


def test_office_page_and_resident_page(client, app, partner_secret):
    alice = consent(client, partner_secret, "13900139000")
    body = canonical_json(
        {"records": [ride(f"m{i}", alice, 2 * i, scenario="metro") for i in range(2)]}
    )
    assert post_batch(client, partner_secret, body).json()["accepted"] == 2  # 936 g
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    client.post(
        "/login",
        data={"csrf_token": token, "username": "office", "password": "zhangqiu-demo", "next": "/"},
    )
    page = client.get(f"/inclusion?year={START.year}")
    assert page.status_code == 200
    assert "碳普惠" in page.text and "sz-transit-metro@2021-12" in page.text
    assert re.search(r'data-testid="pool-g">936<', page.text)
    assert re.search(r'data-testid="statement-total">936<', page.text)
    csv_text = client.get(f"/inclusion/statement.csv?year={START.year}").content.decode("utf-8-sig")
    assert "sz-transit-metro@2021-12" in csv_text and "credit-batch:" in csv_text
    # the overview of 2022 (no carbon inclusion then) shows the latest year with credits
    overview = client.get("/?year=2022").text
    card = re.search(r'data-testid="sum-inclusion".*?</a>', overview, re.S).group(0)
    assert f"碳普惠 · {START.year}" in card and "最近有数据的年份" in card and "1 <small>" in card
    assert f'href="/inclusion?unit=zhangqiu&year={START.year}"' in overview

    link = resident_svc.resident_token(SECRET_KEY.encode(), alice)
    me = client.get(f"/inclusion/me/{link}")
    assert re.search(r'data-testid="balance">936<', me.text)
    assert client.get(f"/inclusion/me/{alice}.{'0' * 32}").status_code == 404
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', me.text).group(1)
    key = re.search(r'name="client_key" value="([^"]+)"', me.text).group(1)
    offer = re.search(r'name="offer_id" value="(\d+)"', me.text).group(1)
    for _ in range(2):  # a double tap redeems once
        form = {"csrf_token": csrf, "offer_id": offer, "client_key": key}
        r = client.post("/inclusion/me/redeem", data=form)
        assert r.status_code == 200
    assert re.search(r'data-testid="balance">636<', client.get("/inclusion/me").text)


def test_resident_page_at_mobile_width(page, serve_app, zhangqiu_url):
    app = create_app(Settings(database_url=zhangqiu_url, secret_key=SECRET_KEY))
    try:
        engine = make_engine(zhangqiu_url)
        sessions = session_factory(engine)
        with transaction(sessions) as s:
            partners_svc.create_partner(
                s,
                Actor.system(),
                SECRET_KEY.encode(),
                get_unit(s, "zhangqiu"),
                PARTNER,
                "乘车码平台",
                ["bus"],
            )
            redemption_svc.create_merchant(
                s, Actor.system(), get_unit(s, "zhangqiu"), "tea", "章丘茶社"
            )
            redemption_svc.create_offer(s, Actor.system(), "tea", "一杯茶", 200)
            partners_svc.set_consent(
                s, PARTNER, "p" * 64, Scenario.BUS, True, START - timedelta(days=9)
            )
        partners_svc.ingest(engine, PARTNER, [ride("b1", "p" * 64, 1)])
        engine.dispose()
        base = serve_app(app)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(
            f"{base}/inclusion/me/{resident_svc.resident_token(SECRET_KEY.encode(), 'p' * 64)}"
        )
        assert page.get_by_test_id("balance").inner_text() == "269"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page scrolls sideways at 390 px ({width})"
        page.click("[data-offer] button")
        page.wait_for_selector("[data-testid=message]")
        assert page.get_by_test_id("balance").inner_text() == "69"
        assert "兑换成功" in page.get_by_test_id("message").inner_text()
    finally:
        app.state.engine.dispose()


@pytest.mark.parametrize("at", ["next tuesday", "2025-03-01T08:00:00"])
def test_a_bad_consent_time_is_refused_naming_the_field(client, app, partner_secret, at):
    body = canonical_json(
        {
            "consents": [
                {"phone": "13900139001", "scenario": "bus", "granted": True},
                {"phone": "13900139002", "scenario": "bus", "granted": True, "at": at},
            ]
        }
    )
    r = client.post("/api/inclusion/consents", content=body, headers=signed(partner_secret, body))
    assert r.status_code == 400 and "consents[1].at" in r.json()["error"]
    with transaction(app.state.sessions) as s:  # the first consent is not stored either
        assert s.scalar(select(func.count()).select_from(inc.InclusionConsent)) == 0
