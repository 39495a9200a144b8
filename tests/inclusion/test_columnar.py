"""The intake rule set (:func:`nearzero.inclusion.columnar.validate_columns`) on random
batches full of edge cases: repeated and already credited ids, overlaps within the batch and
with trips credited through another partner, caps that bind part-way, consent revoked and
granted again, records in the future or too old, malformed fields of every kind, speeds at
the limit, PV above its capacity, periods across two years, methodology versions switching
on a day.

Pinned here are the properties the rules promise (the reasons themselves are pinned record
by record in ``test_intake.py``): the outcome of a batch does not depend on the order its
records arrive in, nor on whether a record comes as the partner's JSON or as a parsed
record; accepted trips of a resident never overlap each other or a credited trip; credited
grams never pass a cap nor the methodology's result; and the per-record outcomes
(:func:`~nearzero.inclusion.intake.validate_batch`) are the columns' own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nearzero.inclusion.batch import Outcome
from nearzero.inclusion.calculation import RECORD_CEILING_G
from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.inclusion.columnar import (
    ColumnarResult,
    days_from_civil,
    from_us,
    parse_times,
    to_us,
    validate_columns,
    year_of_days,
)
from nearzero.inclusion.intake import (
    Consent,
    CreditedPeriod,
    CreditedTrip,
    IntakeContext,
    validate_batch,
)
from nearzero.inclusion.methodology import MethodologyRef, load_library
from nearzero.inclusion.records import RecordFormatError, RecordKey, record_from_mapping
from nearzero.inclusion.rules import CapRule, MethodologyChoice, Plausibility, load_scheme
from nearzero.services.inclusion.intake import BatchColumns, batch_id

LIB = load_library()
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T0 = datetime(2025, 2, 10, 0, 30, tzinfo=UTC)
PARTNER = "bus-co"
RESIDENTS = ["a" * 64, "b" * 64, "c" * 64, "d" * 64]  # d never consented
BASE = load_scheme("zhangqiu")
SCHEME = replace(
    BASE,
    methodologies=BASE.methodologies
    + (
        MethodologyChoice(
            Scenario.ROOFTOP_PV, MethodologyRef("sh-distributed-pv", "2024"), T0.date()
        ),
    ),
    plausibility={
        Scenario.BUS: Plausibility(
            min_distance_km=Decimal("0.3"),
            max_distance_km=Decimal("80"),
            max_speed_kmh=Decimal("90"),
        ),
        Scenario.METRO: Plausibility(max_speed_kmh=Decimal("120")),
        Scenario.ROOFTOP_PV: Plausibility(max_energy_kwh=Decimal("100000")),
        Scenario.USED_CLOTHES: Plausibility(max_mass_kg=Decimal("50")),
    },
    claim_window_days=30,
)


def consents() -> list[Consent]:
    t = datetime(2024, 1, 1, tzinfo=UTC)
    out = [Consent(r, s, t) for r in RESIDENTS[:2] for s in Scenario]
    # c: bus consent revoked on T0 + 1 day and granted again a day later
    out += [
        Consent(RESIDENTS[2], Scenario.BUS, t, T0 + timedelta(days=1)),
        Consent(RESIDENTS[2], Scenario.BUS, T0 + timedelta(days=2)),
        Consent(RESIDENTS[2], Scenario.METRO, T0),
    ]
    return out


def context(scheme: Any = SCHEME, **over: Any) -> IntakeContext:
    base: dict[str, Any] = {
        "library": LIB,
        "scheme": scheme,
        "now": NOW,
        "partners": {
            PARTNER: frozenset(Scenario) - {Scenario.EFFICIENT_AC},
            "other-co": frozenset(Scenario),
        },
        "consents": consents(),
    }
    base.update(over)
    return IntakeContext(**base)


def iso(t: datetime, form: int) -> Any:
    if form == 0:
        return t.isoformat()
    if form == 1:
        return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    if form == 2:
        return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == 3:
        return t.astimezone(UTC).replace(tzinfo=None).isoformat()  # no offset: malformed
    if form == 4:
        from nearzero.inclusion.records import CHINA_TZ

        return t.astimezone(CHINA_TZ).isoformat()
    if form == 5:
        return " " + t.isoformat()
    return ["yesterday", 17, None, "2025-02-30T00:00:00+00:00", "2025-02-10T25:00:00+00:00"][
        form - 6
    ]


QUANTITY = st.one_of(
    st.sampled_from(["10", "0.5", "3.50", " 7 ", "0", "-1", "abc", "NaN", "1e2", "200", "0.01"]),
    st.sampled_from(["1e18", "4e7", "1e31", "1e400"]),  # past the per-record ceiling, too large
    st.integers(0, 300),
    st.floats(0, 300, allow_nan=False).map(lambda x: round(x, 2)),
    st.sampled_from([True, None, [1]]),
)


@st.composite
def record(draw: st.DrawFn) -> dict[str, Any]:
    scenario = draw(
        st.sampled_from(
            ["bus"] * 6
            + ["metro"] * 3
            + ["shared_bicycle", "rooftop_pv", "used_clothes", "heat_pump", "efficient_ac"]
            + ["taxi", " bus", 5]
        )
    )
    start = T0 + timedelta(
        minutes=draw(st.sampled_from([0, 5, 10, 30, 60, 1440, 2880, -40 * 1440, 30 * 1440]))
        + draw(st.integers(0, 20))
    )
    if draw(st.integers(0, 9)) == 0:
        start = datetime(2024, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 local on New Year's Eve
    minutes = draw(st.sampled_from([0, -5, 1, 7, 10, 20, 45, 90, 600, 60 * 24 * 31]))
    rid = draw(
        st.one_of(
            st.sampled_from([f"r{k}" for k in range(12)]),
            st.sampled_from(["", " r1", "r2 ", "x" * 129, "\x1cr3"]),
            st.integers(0, 3),
        )
    )
    d: dict[str, Any] = {
        "partner_record_id": rid,
        "resident_id": draw(st.sampled_from(RESIDENTS + [" " + RESIDENTS[0], ""])),
        "scenario": scenario,
        "start": iso(start, draw(st.sampled_from([0] * 8 + list(range(1, 11))))),
        "end": iso(start + timedelta(minutes=minutes), draw(st.sampled_from([0] * 8 + [1, 2, 4]))),
    }
    field_name = draw(
        st.sampled_from(["distance_km"] * 6 + ["energy_kwh", "mass_kg", "distance", "none", "both"])
    )
    if field_name == "distance":
        d["distance"] = {"value": draw(st.sampled_from(["1200", 3])), "unit": "m"}
    elif field_name == "both":
        d["energy_kwh"] = draw(QUANTITY)
        d["installed_capacity_kw"] = draw(st.sampled_from(["5", "0.5", "2000", 3]))
    elif field_name != "none":
        d[field_name] = draw(QUANTITY)
    if draw(st.integers(0, 19)) == 0:
        d["note"] = "extra key"
    if scenario in ("rooftop_pv", "heat_pump") or draw(st.integers(0, 19)) == 0:
        asset = draw(st.sampled_from([None, None, "meter-1", "meter-2", "", "\x01m", 7]))
        if asset is not None:
            d["asset_id"] = asset
    return d


def prior(draw: st.DrawFn) -> dict[str, Any]:
    keys = frozenset(
        RecordKey(PARTNER, f"r{k}") for k in draw(st.sets(st.integers(0, 11), max_size=3))
    )
    trips = [
        CreditedTrip(
            draw(st.sampled_from(RESIDENTS)),
            T0 + timedelta(minutes=m),
            T0 + timedelta(minutes=m + draw(st.sampled_from([5, 30]))),
            RecordKey("other-co", f"o{k}"),
        )
        for k, m in enumerate(draw(st.lists(st.sampled_from([0, 8, 25, 1440, 2890]), max_size=4)))
    ]
    daily = {
        (RESIDENTS[0], Scenario.BUS, date(2025, 2, 10)): draw(st.sampled_from([0, 300, 650])),
    }
    yearly = {(RESIDENTS[1], Scenario.BUS, 2025): draw(st.sampled_from([0, 4000, 4990]))}
    periods = [
        CreditedPeriod(
            draw(st.sampled_from(RESIDENTS)),
            draw(st.sampled_from([Scenario.ROOFTOP_PV, Scenario.HEAT_PUMP])),
            draw(st.sampled_from(["", "meter-1"])),
            T0 + timedelta(minutes=m),
            T0 + timedelta(minutes=m + draw(st.sampled_from([60, 1440]))),
            RecordKey("other-co", f"p{k}"),
        )
        for k, m in enumerate(draw(st.lists(st.sampled_from([0, 30, 1440]), max_size=3)))
    ]
    return {
        "credited_periods": periods,
        "credited_keys": keys,
        "credited_trips": trips,
        "credited_daily_g": daily,
        "credited_yearly_g": yearly,
    }


@st.composite
def case(draw: st.DrawFn) -> tuple[list[dict[str, Any]], IntakeContext]:
    items = draw(st.lists(record(), min_size=1, max_size=30))
    scheme = SCHEME
    if draw(st.booleans()):
        scheme = replace(
            scheme,
            total_caps=CapRule(daily_g=draw(st.sampled_from([700, 1000]))),
            scenario_caps={Scenario.BUS: CapRule(yearly_g=5000)},
        )
    if draw(st.booleans()):
        scheme = replace(scheme, claim_window_days=None)
    return items, context(scheme, **prior(draw))


def decided(got: ColumnarResult, i: int) -> tuple[Any, ...]:
    """What the rules decided for item ``i``: reason, detail, credited grams, methodology."""
    return (got.reason_of(i), got.detail_of(i), int(got.grams[i]), got.ref_of(i))


def check_rules(items: list[Any], ctx: IntakeContext) -> None:
    got = validate_columns(PARTNER, items, ctx)
    assert len(got) == len(items)
    outcomes = [decided(got, i) for i in range(len(items))]

    # the arrival order does not count: the same items reversed and rotated decide alike
    for order in (list(range(len(items)))[::-1], list(range(1, len(items))) + [0]):
        again = validate_columns(PARTNER, [items[k] for k in order], ctx)
        assert sorted(
            (repr(items[k]), repr(decided(again, pos))) for pos, k in enumerate(order)
        ) == sorted((repr(items[k]), repr(outcomes[k])) for k in range(len(items)))

    # nor the form: a parsed record decides as the JSON it came from
    records: list[Any] = []
    for item in items:
        try:
            records.append(record_from_mapping(item, PARTNER))
        except RecordFormatError:
            records.append(item)
    as_records = validate_columns(PARTNER, records, ctx)
    # (up to which of two copies with equal records is kept: the JSON may differ in what a
    # record does not keep — an extra key, "0" for 0 — and breaks that tie by it)
    assert Counter((repr(r), decided(as_records, i)) for i, r in enumerate(records)) == Counter(
        (repr(r), outcomes[i]) for i, r in enumerate(records)
    )

    # the times read once for a whole batch (the intake's BatchColumns) decide the same
    whole = BatchColumns.of(items).times(np.arange(len(items), dtype=np.int64))
    again = validate_columns(PARTNER, items, ctx, times=whole)
    assert [decided(again, i) for i in range(len(items))] == outcomes

    # the per-record outcomes are the columns'
    result = validate_batch(PARTNER, items, ctx)
    assert result.batch_reason is None
    for i, o in enumerate(result.outcomes):
        assert isinstance(o, Outcome) and o.index == i
        have = (o.reason, o.detail, o.credit.grams if o.credit else 0, o.methodology)
        assert have == outcomes[i], (i, items[i])
        assert o.partner_record_id == got.partner_record_id[i]
        assert (o.record is not None) == bool(got.record[i])
        if o.record is not None:
            assert from_us(int(got.start_us[i])) == o.record.start
            assert from_us(int(got.end_us[i])) == o.record.end
            assert got.resident[i] == o.record.resident_id
        if o.credit is not None:
            assert int(got.computed_g[i]) == o.credit.reduction.grams
            assert 0 < o.credit.grams <= o.credit.reduction.grams
            assert (o.credit.capped_by is None) == (o.credit.grams == o.credit.reduction.grams)
            assert got.quantity[i] == str(o.credit.reduction.activity)
            assert got.unit[i] == o.credit.reduction.activity_unit

    # accepted trips of a resident overlap neither each other nor a credited trip
    credits = result.credits
    accepted = [c.record for c in credits if c.record.scenario.is_trip]
    for k, r in enumerate(accepted):
        others = [(x.start, x.end) for x in accepted[k + 1 :] if x.resident_id == r.resident_id]
        others += [(t.start, t.end) for t in ctx.credited_trips if t.resident_id == r.resident_id]
        for start, end in others:
            assert end <= r.start or r.end <= start, (r, start, end)

    # accepted asset periods of one asset never overlap (the methodologies here refuse a
    # partly credited period), and nothing passes the per-record ceiling
    claims = [p for c in credits if (p := c.as_period()) is not None]
    for k, x in enumerate(claims):
        for y in claims[k + 1 :] + list(ctx.credited_periods):
            if x.resident_id == y.resident_id and x.scenario is y.scenario:
                if x.asset == y.asset or not x.asset or not y.asset:
                    assert x.end <= y.start or y.end <= x.start, (x, y)
    assert all(c.grams <= RECORD_CEILING_G for c in credits)

    # credited grams stay within every cap, counting what was credited before
    scheme = ctx.scheme
    day_g: dict[tuple[str, Any, date], int] = {}
    year_g: dict[tuple[str, Any, int], int] = {}
    for (who, sc, d), g in ctx.credited_daily_g.items():
        for k in (sc, None):
            day_g[(who, k, d)] = day_g.get((who, k, d), 0) + g
    for (who, sc, y), g in ctx.credited_yearly_g.items():
        for k in (sc, None):
            year_g[(who, k, y)] = year_g.get((who, k, y), 0) + g
    for c in credits:
        r, d = c.record, c.record.local_day
        for k in (r.scenario, None):
            day_g[(r.resident_id, k, d)] = day_g.get((r.resident_id, k, d), 0) + c.grams
            year_g[(r.resident_id, k, d.year)] = year_g.get((r.resident_id, k, d.year), 0) + c.grams
    for (who, sc, d), total in day_g.items():
        prior = sum(
            v
            for (w, s, dd), v in ctx.credited_daily_g.items()
            if w == who and dd == d and (sc is None or s == sc)
        )
        rule = scheme.total_caps if sc is None else scheme.caps_for(sc)
        if rule.daily_g is not None and total > prior:
            assert total <= max(rule.daily_g, prior), (who, sc, d)
    for (who, sc, y), total in year_g.items():
        prior = sum(
            v
            for (w, s, yy), v in ctx.credited_yearly_g.items()
            if w == who and yy == y and (sc is None or s == sc)
        )
        rule = scheme.total_caps if sc is None else scheme.caps_for(sc)
        if rule.yearly_g is not None and total > prior:
            assert total <= max(rule.yearly_g, prior), (who, sc, y)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_rules_hold_on_batches_full_of_edge_cases(data: tuple[list[Any], IntakeContext]) -> None:
    items, ctx = data
    check_rules(items, ctx)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 300))
def test_rules_hold_on_bulk_trips(seed: int, n: int) -> None:
    """Many clean trips of a few residents: the vectorised paths (not the walks) decide most."""
    import random

    rng = random.Random(seed)
    items = []
    for _ in range(n):
        start = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 10, 3))
        items.append(
            {
                "partner_record_id": f"p{rng.randrange(2 * n)}",
                "resident_id": rng.choice(RESIDENTS),
                "scenario": rng.choice(["bus", "metro", "shared_bicycle"]),
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=rng.choice([4, 12, 25, 60]))).isoformat(),
                "distance_km": str(rng.choice([1, 2.5, 7, 12, 30, 95])),
            }
        )
    caps = replace(SCHEME, total_caps=CapRule(daily_g=rng.choice([400, 2000, 10**9])))
    check_rules(items, context(caps))
    check_rules(items, context())


def test_copies_of_an_id_with_other_residents_keep_the_same_one_in_any_order() -> None:
    """The copy that stays is the first in content order, the resident included."""
    items = [
        {
            "partner_record_id": "r1",
            "resident_id": who,
            "scenario": "bus",
            "start": T0.isoformat(),
            "end": (T0 + timedelta(minutes=20)).isoformat(),
            "distance_km": "5",
        }
        for who in (RESIDENTS[1], RESIDENTS[0])
    ]
    for batch in (items, items[::-1]):
        got = validate_batch(PARTNER, batch, context())
        kept = [o.record.resident_id for o in got.outcomes if o.accepted and o.record]
        assert kept == [RESIDENTS[0]]
        assert [o.reason for o in got.outcomes].count(ReasonCode.DUPLICATE_IN_BATCH) == 1


def test_a_refused_batch_gives_every_item_its_reason() -> None:
    items: list[Any] = [{"partner_record_id": "r1"}, {"partner_record_id": 7}, "not an object"]
    for reason in (ReasonCode.BAD_SIGNATURE, ReasonCode.REPLAYED_NONCE):
        got = validate_batch(PARTNER, items, context(), batch_reason=reason)
        assert got.batch_reason is reason
        assert [(o.partner_record_id, o.reason, o.detail, o.record) for o in got.outcomes] == [
            ("r1", reason, reason.label_en, None),
            ("7", reason, reason.label_en, None),
            ("", reason, reason.label_en, None),
        ]
    unknown = validate_columns("nobody", items, context())
    assert unknown.batch_reason is ReasonCode.UNKNOWN_PARTNER
    assert [unknown.reason_of(i) for i in range(3)] == [ReasonCode.UNKNOWN_PARTNER] * 3


def test_speed_exactly_at_the_limit_is_plausible() -> None:
    # 45 km in 30 minutes = 90 km/h, the bus limit: plausible; 45.001 km is not
    items = [
        {
            "partner_record_id": rid,
            "resident_id": RESIDENTS[0],
            "scenario": "bus",
            "start": T0.isoformat(),
            "end": (T0 + timedelta(minutes=30)).isoformat(),
            "distance_km": km,
        }
        for rid, km in (("at", "45"), ("above", "45.001"))
    ]
    got = validate_columns(PARTNER, items, context())
    assert [got.reason_of(i) for i in range(2)] == [None, ReasonCode.IMPLAUSIBLE_SPEED]
    assert got.detail_of(1) == "speed 90.0 km/h > 90 km/h"
    check_rules(items, context())


def test_time_parsing_matches_fromisoformat() -> None:
    texts = [
        "2025-02-10T08:30:00+08:00",
        "2024-02-29T23:59:59-05:30",
        "2023-02-29T00:00:00+00:00",
        "1999-12-31T23:59:59.123456+14:00",
        "2025-13-01T00:00:00+00:00",
        "2025-01-01T00:00:60+00:00",
        "2025-01-01 00:00:00+00:00",
        "0001-01-01T00:00:00+01:00",
    ]
    us, ok = parse_times(texts)
    for t, u, good in zip(texts, us.tolist(), ok.tolist(), strict=True):
        if good:
            assert from_us(u) == datetime.fromisoformat(t).astimezone(UTC)
    assert ok.tolist() == [True, True, False, True, False, False, False, False]


@pytest.mark.parametrize(
    "day", [date(1, 1, 1), date(1970, 1, 1), date(2000, 2, 29), date(2100, 3, 1)]
)
def test_calendar_helpers(day: date) -> None:
    days = np.array([(day - date(1970, 1, 1)).days], np.int64)
    assert (
        int(days_from_civil(np.array([day.year]), np.array([day.month]), np.array([day.day]))[0])
        == days[0]
    )
    assert int(year_of_days(days)[0]) == day.year
    assert (
        int(year_of_days(days - 1)[0]) == (day - timedelta(days=1)).year if day.year > 1 else True
    )
    assert to_us(from_us(123_456_789)) == 123_456_789


def test_batch_id_depends_on_the_content_only() -> None:
    """The column digest of same-key text batches: key order does not count, value
    boundaries and every value do; other batches fall back to the canonical JSON."""
    a = [
        {"partner_record_id": "1", "resident_id": "ab"},
        {"partner_record_id": "2", "resident_id": "c"},
    ]
    b = [
        {"resident_id": "ab", "partner_record_id": "1"},
        {"partner_record_id": "2", "resident_id": "c"},
    ]
    assert batch_id("p", a) == batch_id("p", b)
    assert batch_id("p", a) != batch_id("q", a)
    shifted = [
        {"partner_record_id": "1", "resident_id": "a"},
        {"partner_record_id": "2", "resident_id": "bc"},
    ]
    assert batch_id("p", a) != batch_id("p", shifted)
    assert batch_id("p", a) != batch_id("p", a[::-1])
    mixed = [{"partner_record_id": 1, "resident_id": "ab"}]
    assert batch_id("p", mixed) == batch_id("p", [{"resident_id": "ab", "partner_record_id": 1}])
    assert batch_id("p", mixed) != batch_id("p", [{"partner_record_id": "1", "resident_id": "ab"}])
    assert len(batch_id("p", [])) == 32
    # values holding the separator (NUL) themselves: still one reading each
    one = [
        {"partner_record_id": "a\x00b", "resident_id": "x"},
        {"partner_record_id": "c", "resident_id": "y"},
    ]
    two = [
        {"partner_record_id": "a", "resident_id": "x"},
        {"partner_record_id": "b\x00c", "resident_id": "y"},
    ]
    assert batch_id("p", one) != batch_id("p", two)
    assert batch_id("p", one) == batch_id("p", [dict(reversed(list(r.items()))) for r in one])
    # n values joined by n - 1 NULs, against n values one of which is empty
    assert batch_id("p", [{"k": "a"}, {"k": ""}]) != batch_id("p", [{"k": "a\x00"}])
