"""Issue #15 item 5 on the store (SQLite and PostgreSQL): an asset's period is credited once,
by any partner, in any later batch; a half-month overlap is refused or prorated as the
methodology says; the ledger stays sound.

126,000 g = 300 kWh × 0.42 kg/kWh, the Shanghai distributed-PV methodology [S28].
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.points import AccountKind, Asset
from nearzero.inclusion.records import CHINA_TZ
from nearzero.ledger import Account
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as partners_svc, rules as rules_svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction
from nearzero.store.inclusion_ledger import check_invariants, inclusion_ledger

MASTER = b"test-master-key-0123456789abcdef"
NOW = datetime(2025, 6, 30, tzinfo=UTC)
JAN = datetime(2025, 1, 1, tzinfo=CHINA_TZ)
ALICE = "a" * 64
BOB = "b" * 64
OFFICE = Actor.system("office")

PRORATE_YAML = """
id: sh-distributed-pv
version: "2024-prorate"
status: published
scenario: rooftop_pv
formula: generation_x_grid_factor
activity: energy
partial_overlap: prorate
title_zh: 上海市碳普惠减排场景方法学——分布式光伏（部分重叠按比例）
title_en: Shanghai distributed PV, a partly credited period prorated
source:
  document: 上海市碳普惠减排场景方法学 分布式光伏
  citations: ["[S28]"]
parameters:
  - name: EF_grid
    value: "0.42"
    unit: kg/kWh
    status: official_quoted
    source: "[S28] EF = 0.42 kgCO2/kWh"
"""


def setup(sessions: Any, methodology: str = "sh-distributed-pv@2024") -> None:
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        for code in ("grid-co", "solar-app"):
            partners_svc.create_partner(s, OFFICE, MASTER, unit, code, "光伏合作方", ["rooftop_pv"])
            for who in (ALICE, BOB):
                partners_svc.set_consent(
                    s, code, who, Scenario.ROOFTOP_PV, True, datetime(2024, 1, 1, tzinfo=UTC)
                )
        if methodology.endswith("prorate"):
            rules_svc.publish_methodology(s, OFFICE, PRORATE_YAML)
        rules_svc.choose_methodology(s, OFFICE, unit, "rooftop_pv", methodology)


def pv(
    rid: str,
    start: datetime = JAN,
    days: int = 30,
    asset: str | None = None,
    resident: str = ALICE,
) -> dict[str, Any]:
    d = {
        "partner_record_id": rid,
        "resident_id": resident,
        "scenario": "rooftop_pv",
        "start": start.isoformat(),
        "end": (start + timedelta(days=days)).isoformat(),
        "energy_kwh": str(10 * days),
        "installed_capacity_kw": "5",
    }
    if asset is not None:
        d["asset_id"] = asset
    return d


def send(
    sessions: Any, partner: str, items: list[dict[str, Any]], chunk_size: int = 50_000
) -> list[tuple[str, int]]:
    engine = sessions.kw["bind"]
    report = partners_svc.ingest(
        engine, partner, items, now=NOW, sync_indicator=False, chunk_size=chunk_size
    )
    return [(r.reason, r.grams) for r in report.results]


def points(sessions: Any, who: str = ALICE) -> int:
    with transaction(sessions) as s:
        assert check_invariants(s) == []
        balances = dict(inclusion_ledger(s).balances())
    return balances.get((Account(AccountKind.RESIDENT, who), Asset.POINT), 0)


def test_a_pv_month_resent_under_a_new_id_or_by_a_second_partner_is_credited_once(sessions):
    setup(sessions)
    assert send(sessions, "grid-co", [pv("2025-01", asset="M-0001")]) == [("", 126_000)]
    assert send(sessions, "grid-co", [pv("2025-01")]) == [("already_credited", 0)]
    assert send(sessions, "grid-co", [pv("2025-01-v2", asset="M-0001")]) == [
        ("period_already_credited", 0)
    ]
    assert send(sessions, "solar-app", [pv("SA-202501")]) == [("period_already_credited", 0)]
    # the next month, and the same month of another installation, are credited
    feb = pv("2025-02", start=JAN + timedelta(days=31), days=28, asset="M-0001")
    other = pv("2025-01-M2", asset="M-0002")
    assert send(sessions, "grid-co", [feb, other]) == [("", 117_600), ("", 126_000)]
    assert points(sessions) == 126_000 + 117_600 + 126_000
    with transaction(sessions) as s:
        rows = dict(
            s.execute(
                text("SELECT partner_record_id, asset FROM inclusion_record WHERE accepted")
            ).all()
        )
    assert rows == {"2025-01": "M-0001", "2025-02": "M-0001", "2025-01-M2": "M-0002"}


def test_half_a_month_overlapping_is_refused(sessions):
    setup(sessions)
    assert send(sessions, "grid-co", [pv("jan")]) == [("", 126_000)]
    half = pv("mid-jan", start=JAN + timedelta(days=15))
    assert send(sessions, "solar-app", [half]) == [("period_already_credited", 0)]
    assert points(sessions) == 126_000


def test_half_a_month_overlapping_is_prorated_when_the_methodology_says_so(sessions):
    setup(sessions, "sh-distributed-pv@2024-prorate")
    assert send(sessions, "grid-co", [pv("jan")]) == [("", 126_000)]
    half = pv("mid-jan", start=JAN + timedelta(days=15))
    assert send(sessions, "solar-app", [half]) == [("", 63_000)]  # 15 of 30 days uncovered
    assert send(sessions, "grid-co", [pv("jan-again")]) == [("period_already_credited", 0)]
    assert points(sessions) == 126_000 + 63_000
    with transaction(sessions) as s:
        row = s.execute(
            text(
                "SELECT computed_g, credited_g, capped_by FROM inclusion_record "
                "WHERE partner_record_id = 'mid-jan'"
            )
        ).one()
    assert (row.computed_g, row.credited_g, row.capped_by) == (
        126_000,
        63_000,
        "period_already_credited",
    )


def test_claims_in_one_batch_across_chunks(sessions):
    """Copies of one month in one batch: the earliest is credited, the others refused."""
    setup(sessions)
    batch = [pv(f"copy-{k}", start=JAN + timedelta(hours=k)) for k in range(4)]
    got = send(sessions, "grid-co", batch)
    assert sorted(got) == [("", 126_000)] + [("period_already_credited", 0)] * 3
    assert got[0] == ("", 126_000)  # the earliest start is the one credited
    assert points(sessions) == 126_000


def test_one_meter_claimed_by_two_residents_through_two_partners_is_credited_once(sessions):
    """The asset is the meter, whoever claims it: Bob's claim on Alice's credited meter-month
    is refused, in a later batch or by a second partner; his own meter is credited."""
    setup(sessions)
    assert send(sessions, "grid-co", [pv("jan", asset="M-0001")]) == [("", 126_000)]
    bob = pv("bob-jan", asset="M-0001", resident=BOB)
    assert send(sessions, "solar-app", [bob]) == [("period_already_credited", 0)]
    assert send(sessions, "grid-co", [dict(bob, partner_record_id="bob-jan-2")]) == [
        ("period_already_credited", 0)
    ]
    own = pv("bob-own", asset="M-0002", resident=BOB)
    assert send(sessions, "solar-app", [own]) == [("", 126_000)]
    assert (points(sessions), points(sessions, BOB)) == (126_000, 126_000)


def test_one_meter_of_two_residents_in_one_batch_whatever_the_chunks(sessions):
    """Two residents' claims on one meter in one batch, in chunks of one resident each: the
    chunk of the first resident (by pseudonym) credits it, the next reads it from the store
    by asset."""
    setup(sessions)
    batch = [
        pv("bob-jan", asset="M-0001", resident=BOB),
        pv("alice-jan", asset="M-0001", start=JAN + timedelta(days=1)),
    ]
    assert send(sessions, "grid-co", batch, chunk_size=1) == [
        ("period_already_credited", 0),
        ("", 126_000),
    ]
    assert (points(sessions), points(sessions, BOB)) == (126_000, 0)


def test_a_second_resident_prorated_on_a_meter_half_credited(sessions):
    setup(sessions, "sh-distributed-pv@2024-prorate")
    assert send(sessions, "grid-co", [pv("jan", asset="M-0001")]) == [("", 126_000)]
    half = pv("bob-mid-jan", start=JAN + timedelta(days=15), asset="M-0001", resident=BOB)
    assert send(sessions, "solar-app", [half]) == [("", 63_000)]  # 15 of 30 days uncovered
    assert points(sessions, BOB) == 63_000


def test_a_malformed_record_under_a_credited_id_does_not_fail_its_chunk(sessions):
    """A malformed record whose id was credited in an earlier batch is refused as
    ``already_credited`` (its row could not replace the credited one: the chunk failed with
    RowCountMismatch); the stored row is kept as it was, the chunk's valid records credited."""
    setup(sessions)
    assert send(sessions, "grid-co", [pv("jan", asset="M-0001")]) == [("", 126_000)]
    bad = dict(pv("jan", asset="M-0001"), energy_kwh="lots")
    feb = pv("feb", start=JAN + timedelta(days=31), days=28, asset="M-0001")
    assert send(sessions, "grid-co", [bad, feb]) == [("already_credited", 0), ("", 117_600)]
    assert points(sessions) == 126_000 + 117_600
    with transaction(sessions) as s:
        row = s.execute(
            text(
                "SELECT accepted, credited_g, quantity FROM inclusion_record "
                "WHERE partner_record_id = 'jan'"
            )
        ).one()
    assert (bool(row.accepted), row.credited_g, float(row.quantity)) == (True, 126_000, 300.0)
