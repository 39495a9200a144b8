"""Issue #15 item 3 through the intake (SQLite and PostgreSQL): the household-baseline
formula is fed the household's own history from the store.

Shenzhen's household-electricity methodology [S8]: below the city's baseline,
ER = (E_BL − E) × EF; at or above it, ER = (Ē₇ − E) × EF when the household used less than
its own mean of the 7 days before ("上一日往前计7日的7日均线"), else 0. The values (a city
baseline of 8 kWh a day, EF 0.5 kg/kWh) are illustrative, as in tests/inclusion/
test_formulas.py: no worked value was found.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from nearzero.inclusion.records import CHINA_TZ
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as partners_svc, rules as rules_svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction

MASTER = b"test-master-key-0123456789abcdef"
NOW = datetime(2025, 6, 30, tzinfo=UTC)
DAY1 = datetime(2025, 3, 1, tzinfo=CHINA_TZ)
ALICE, BOB = "a" * 64, "b" * 64
OFFICE = Actor.system("office")

POWER = """
code: household_power
label_zh: 居民低碳用电
label_en: household electricity saving
activity: energy
fields: [energy_kwh]
claim: asset_period
"""

SZ_POWER = """
id: sz-household-power
version: "illustrative"
status: draft
scenario: household_power
formula: household_baseline
activity: energy
title_zh: 深圳市居民低碳用电碳普惠方法学（示意取值）
title_en: Shenzhen household electricity saving (illustrative values)
source:
  document: 深圳市居民低碳用电碳普惠方法学(试行), 2022-06 (branches); values the office's
parameters:
  - name: E_baseline
    value: "8"
    unit: kWh
    status: office_decided
    source: illustrative city baseline for a day
  - name: EF_grid
    value: "0.5"
    unit: kg/kWh
    status: office_decided
    source: illustrative grid factor
  - name: trailing_periods
    value: "7"
    unit: ""
    status: official_quoted
    source: "[S8] 上一日往前计7日的7日均线"
"""


def setup(sessions: Any) -> None:
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        power = rules_svc.publish_scenario(s, OFFICE, POWER)
        rules_svc.publish_methodology(s, OFFICE, SZ_POWER)
        rules_svc.choose_methodology(
            s, OFFICE, unit, "household_power", "sz-household-power@illustrative"
        )
        partners_svc.create_partner(s, OFFICE, MASTER, unit, "grid-co", "电网", ["household_power"])
        for who in (ALICE, BOB):
            partners_svc.set_consent(
                s, "grid-co", who, power, True, datetime(2025, 1, 1, tzinfo=UTC)
            )


def day(k: int, kwh: str, who: str = ALICE) -> dict[str, Any]:
    start = DAY1 + timedelta(days=k - 1)
    return {
        "partner_record_id": f"{who[0]}-day-{k}",
        "resident_id": who,
        "scenario": "household_power",
        "start": start.isoformat(),
        "end": (start + timedelta(days=1)).isoformat(),
        "energy_kwh": kwh,
    }


def send(sessions: Any, items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    engine = sessions.kw["bind"]
    report = partners_svc.ingest(engine, "grid-co", items, now=NOW, sync_indicator=False)
    return [(r.reason, r.grams) for r in report.results]


def test_the_household_mean_of_its_last_7_days_is_read_from_the_store(sessions: Any) -> None:
    setup(sessions)
    # 12 kWh a day, above the city's 8 kWh and no 7-day history yet: nothing to credit
    assert send(sessions, [day(k, "12") for k in range(1, 8)]) == [("no_reduction", 0)] * 7
    # day 8: 10 kWh, under its own mean of days 1–7 (12 kWh): (12 − 10) × 500 g/kWh
    assert send(sessions, [day(8, "10")]) == [("", 1000)]
    # day 9: the last 7 days are 2–8, (6 × 12 + 10) / 7 kWh; (82/7 − 11) × 500 = 357.1 g
    assert send(sessions, [day(9, "11")]) == [("", 357)]
    # day 10 below the city's baseline: (8 − 6) × 500, whatever the history
    assert send(sessions, [day(10, "6")]) == [("", 1000)]
    # day 11 above its own mean: nothing
    assert send(sessions, [day(11, "13")]) == [("no_reduction", 0)]
    with transaction(sessions) as s:
        credited = s.execute(
            text("SELECT SUM(credited_g) FROM inclusion_record WHERE accepted")
        ).scalar_one()
    assert credited == 2357


def test_a_household_history_sent_in_one_batch(sessions: Any) -> None:
    """The days before a day in the same batch are its history too; another household's
    days are not."""
    setup(sessions)
    bob = [day(k, "20", BOB) for k in range(1, 8)]
    got = send(sessions, [day(k, "12") for k in range(1, 8)] + [day(8, "10")] + bob)
    assert got[7] == ("", 1000)
    assert got[:7] == [("no_reduction", 0)] * 7 and got[8:] == [("no_reduction", 0)] * 7
    assert send(sessions, [day(8, "19", BOB)]) == [("", 500)]  # (20 − 19) × 500
