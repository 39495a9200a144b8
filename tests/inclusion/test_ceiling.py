"""Issue #15 item 6: a bound that holds without the office's ranges.

One record with ``distance_km: "1e18"`` is one refused record (``exceeds_ceiling``), never
a 500, and the valid records of its batch are credited; sums are exact integers; what is
stored reads back. The bundled Zhangqiu scheme has no plausibility ranges, so only the
engine's hard ceiling stands between such a record and the ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from nearzero.inclusion.calculation import (
    ReductionTooLarge,
    compute_reduction,
)
from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.inclusion.intake import Consent, IntakeContext, validate_batch
from nearzero.inclusion.methodology import load_library
from nearzero.inclusion.points import AccountKind, Asset
from nearzero.inclusion.rules import load_scheme
from nearzero.ledger import Account
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as partners_svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction
from nearzero.store.inclusion_ledger import check_invariants, inclusion_ledger

MASTER = b"test-master-key-0123456789abcdef"
NOW = datetime(2025, 6, 30, tzinfo=UTC)
T0 = datetime(2025, 3, 3, 0, 30, tzinfo=UTC)
PARTNER = "ride-code"
BUS = load_library().get("sz-transit-bus@2021-12")
# 26.9 g/pkm [S7]: the largest whole km under the ceiling, and one more
KM_UNDER = 37_174_721  # × 26.9 = 999,999,994.9 g
KM_OVER = KM_UNDER + 1  # × 26.9 = 1,000,000,021.8 g


def resident(i: int) -> str:
    return f"{i:064x}"


def ride(rid: str, who: int, km: str, hours: int = 0) -> dict[str, Any]:
    start = T0 + timedelta(hours=hours)
    return {
        "partner_record_id": rid,
        "resident_id": resident(who),
        "scenario": "bus",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
        "distance_km": km,
    }


def context() -> IntakeContext:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return IntakeContext(
        load_library(),
        load_scheme("zhangqiu"),
        NOW,
        {PARTNER: frozenset(Scenario)},
        [Consent(resident(i), s, start) for i in range(3) for s in Scenario],
    )


def test_the_ceiling_is_on_the_exact_reduction_before_rounding() -> None:
    assert compute_reduction(BUS, Decimal(KM_UNDER), year=2025).grams == 999_999_995
    with pytest.raises(ReductionTooLarge, match="ceiling"):
        compute_reduction(BUS, Decimal(KM_OVER), year=2025)
    with pytest.raises(ReductionTooLarge):  # 2.69e19 g: past int64, refused before rounding
        compute_reduction(BUS, Decimal("1e18"), year=2025)


@pytest.mark.parametrize("km", ["1e18", str(KM_OVER), "1e30"])
def test_a_huge_record_is_refused_alone_in_the_core(km: str) -> None:
    batch = [ride("ok-1", 0, "10"), ride("huge", 1, km), ride("ok-2", 2, "10", hours=1)]
    res = validate_batch(PARTNER, batch, context())
    assert [(o.reason, o.credit.grams if o.credit else 0) for o in res.outcomes] == [
        (None, 269),  # 10 km × 26.9 g/pkm [S7]
        (ReasonCode.EXCEEDS_CEILING, 0),
        (None, 269),
    ]


def test_a_number_too_large_to_convert_is_malformed() -> None:
    res = validate_batch(PARTNER, [ride("x", 0, "1e31"), ride("y", 1, "1e999999")], context())
    assert [o.reason for o in res.outcomes] == [ReasonCode.MALFORMED] * 2
    assert "distance_km" in res.outcomes[0].detail
    quantity = dict(ride("z", 0, "1"), distance={"value": "9e30", "unit": "Gm"})
    del quantity["distance_km"]
    (o,) = validate_batch(PARTNER, [quantity], context()).outcomes
    assert o.reason is ReasonCode.EXCEEDS_CEILING


def setup_partner(sessions: Any) -> None:
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        partners_svc.create_partner(
            s, Actor.system(), MASTER, unit, PARTNER, "乘车码平台", ["bus", "metro"]
        )
        for i in range(3):
            for sc in (Scenario.BUS, Scenario.METRO):
                partners_svc.set_consent(
                    s, PARTNER, resident(i), sc, True, datetime(2025, 1, 1, tzinfo=UTC)
                )


def test_one_bad_record_never_fails_its_batch_on_the_store(sessions: Any) -> None:
    setup_partner(sessions)
    engine = sessions.kw["bind"]
    batch = [
        ride("ok-1", 0, "10"),
        ride("huge", 1, "1e18"),
        ride("ceiling", 1, str(KM_UNDER), hours=2),
        ride("over", 2, str(KM_OVER)),
        ride("ok-2", 2, "10", hours=1),
        ride("malformed", 0, "1e400", hours=3),
    ]
    report = partners_svc.ingest(engine, PARTNER, batch, now=NOW, sync_indicator=False)
    got = [(r.partner_record_id, r.reason, r.grams) for r in report.results]
    assert got == [
        ("ok-1", "", 269),
        ("huge", "exceeds_ceiling", 0),
        ("ceiling", "", 999_999_995),
        ("over", "exceeds_ceiling", 0),
        ("ok-2", "", 269),
        ("malformed", "malformed", 0),
    ]
    assert report.credited_g == 269 + 999_999_995 + 269
    with transaction(sessions) as s:
        balances = dict(inclusion_ledger(s).balances())
        assert check_invariants(s) == []
        rows = {
            r.partner_record_id: (r.reason, r.credited_g, r.quantity)
            for r in s.execute(
                text("SELECT partner_record_id, reason, credited_g, quantity FROM inclusion_record")
            )
        }
    assert balances[(Account(AccountKind.RESIDENT, resident(1)), Asset.POINT)] == 999_999_995
    assert rows["huge"][:2] == ("exceeds_ceiling", 0)
    assert rows["huge"][2] is None  # 1e18 does not fit numeric(20, 6): the detail names it
    assert Decimal(rows["ceiling"][2]) == KM_UNDER
    # the same batch again credits nothing more
    again = partners_svc.ingest(engine, PARTNER, batch, now=NOW, sync_indicator=False)
    assert again.accepted == 0 and again.credited_g == 0


def test_ceiling_sized_records_sum_exactly_past_2_53(sessions: Any) -> None:
    """Ten thousand records at 999,999,995 g for one resident: 9,999,999,950,000 g, past
    2^53 when summed with float64 weights it would not be exact; every sum here is."""
    setup_partner(sessions)
    engine = sessions.kw["bind"]
    n = 10_000
    batch = [
        {
            "partner_record_id": f"c{i}",
            "resident_id": resident(0),
            "scenario": "bus",
            "start": (T0 + timedelta(minutes=31 * i)).isoformat(),
            "end": (T0 + timedelta(minutes=31 * i + 30)).isoformat(),
            "distance_km": str(KM_UNDER),
        }
        for i in range(n)
    ]
    report = partners_svc.ingest(
        engine, PARTNER, batch, now=NOW + timedelta(days=365), sync_indicator=False
    )
    assert report.accepted == n
    total = n * 999_999_995
    assert report.credited_g == total
    with transaction(sessions) as s:
        balances = dict(inclusion_ledger(s).balances())
        assert check_invariants(s) == []
        stored = s.execute(
            text("SELECT SUM(credited_g) FROM inclusion_record WHERE accepted")
        ).scalar_one()
    assert int(stored) == total
    assert balances[(Account(AccountKind.RESIDENT, resident(0)), Asset.POINT)] == total


def test_copies_of_a_malformed_id_are_stored_once(sessions: Any) -> None:
    """Copies of an id that never parse are not marked duplicate_in_batch (only parsed records
    are): the store keeps the first, and a credited record beats a malformed copy of its id
    (one INSERT … ON CONFLICT may not meet a row twice on PostgreSQL)."""
    setup_partner(sessions)
    engine = sessions.kw["bind"]
    batch = [
        ride("twice", 0, "1e31"),
        ride("twice", 1, "1e40", hours=1),
        ride("ok", 2, "10"),
        ride("ok", 2, "abc", hours=2),
    ]
    report = partners_svc.ingest(engine, PARTNER, batch, now=NOW, sync_indicator=False)
    assert [(r.reason, r.grams) for r in report.results] == [
        ("malformed", 0),
        ("malformed", 0),
        ("", 269),
        ("malformed", 0),
    ]
    with transaction(sessions) as s:
        rows = s.execute(
            text("SELECT partner_record_id, accepted FROM inclusion_record ORDER BY 1")
        ).all()
        assert check_invariants(s) == []
    assert [tuple(r) for r in rows] == [("ok", True), ("twice", False)]
