"""Demonstration carbon-inclusion data for ``nearzero demo load`` (never in production).

An illustrative partner (示例, named so on every page), 120 pseudonymous residents made from
made-up phone numbers, consent to bus and metro for most of them, about 3 000 rides of the
last 60 days sent through the real intake (so some are refused: no consent, overlapping
trips), and one merchant offer. Indicator 6 is not touched: demo rides are not a live
scenario of the plan.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from nearzero.inclusion.choices import Scenario
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners, redemption
from nearzero.store import inclusion as store, tables as m

PARTNER = "demo-ride-code"
PARTNER_NAME = "示例合作方：乘车码平台（演示数据）"
MERCHANT = "demo-merchant"
RESIDENTS = 120
RIDES = 3000


def _phone(i: int) -> str:
    return f"1380000{i:04d}"


def rides(pseudonyms: list[str], now: datetime, seed: int = 2025) -> list[dict[str, Any]]:
    """Illustrative bus and metro rides of the 60 days before ``now`` (seeded)."""
    rng = random.Random(seed)
    out = []
    for i in range(RIDES):
        start = now - timedelta(days=60) + timedelta(minutes=rng.randrange(0, 60 * 24 * 59))
        minutes = rng.randrange(8, 70)
        out.append(
            {
                "partner_record_id": f"demo-{i:05d}",
                "resident_id": rng.choice(pseudonyms),
                "scenario": "bus" if rng.random() < 0.7 else "metro",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=minutes)).isoformat(),
                "distance_km": f"{max(1.0, minutes * rng.uniform(0.2, 0.45)):.1f}",
            }
        )
    return out


def demo_pseudonyms(master: bytes) -> list[str]:
    """The demo residents' pseudonyms (from made-up phone numbers 1380000xxxx)."""
    return [partners.resident_pseudonym(master, _phone(i)) for i in range(RESIDENTS)]


def register_demo(
    session: Session, unit: m.DemoUnit, master: bytes, now: datetime
) -> list[dict[str, Any]]:
    """Register the demo partner, consents, merchant and offer; the rides to send through
    :func:`nearzero.services.inclusion.partners.ingest` once this is committed. Empty when
    the demo partner is there already (a second ``demo load`` sends nothing)."""
    if store.partner(session, PARTNER) is not None:
        return []
    actor = Actor.system("demo")
    pseudonyms = demo_pseudonyms(master)
    partners.create_partner(session, actor, master, unit, PARTNER, PARTNER_NAME, ["bus", "metro"])
    granted = now - timedelta(days=90)
    for i, pseudonym in enumerate(pseudonyms):
        if i % 12 == 11:  # about one in twelve never consented: their rides are refused
            continue
        for scenario in (Scenario.BUS, Scenario.METRO):
            partners.set_consent(session, PARTNER, pseudonym, scenario, True, granted)
    redemption.create_merchant(session, actor, unit, MERCHANT, "示例商户：公交卡充值点（演示数据）")
    redemption.create_offer(session, actor, MERCHANT, "公交卡充值 1 元（演示）", 200)
    return rides(pseudonyms, now)
