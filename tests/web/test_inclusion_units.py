"""Nothing assumes one district (DESIGN): a second unit's carbon-inclusion partners, offers,
statistics and pooled statement stay off the first unit's pages, and the other way round."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from fastapi.testclient import TestClient

from nearzero.inclusion.choices import Scenario
from nearzero.indicators.catalogue import bundled_plan_path, parse_plan
from nearzero.services import plans
from nearzero.services.context import Actor, InvalidInput, NotFound, Role
from nearzero.services.inclusion import (
    partners as partners_svc,
    redemption as redemption_svc,
    resident as resident_svc,
    rules as rules_svc,
    statistics as stats_svc,
)
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store.db import transaction
from nearzero.web.app import create_app
from webclient import log_in, token

SECRET_KEY = "inclusion-units-test-secret-key-0123456789"
MASTER = SECRET_KEY.encode()
OFFICE = Actor("office", Role.ADMIN)
PARK = "mingshui-park"
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
WHO = "a" * 64


def ride(rid: str, scenario: str, hours: int) -> dict[str, str]:
    t = START + timedelta(hours=hours)
    return {
        "partner_record_id": rid,
        "resident_id": WHO,
        "scenario": scenario,
        "start": t.isoformat(),
        "end": (t + timedelta(minutes=20)).isoformat(),
        "distance_km": "10",
    }


def part(html: str, testid: str) -> str:
    """The table or section of a page marked ``data-testid=testid``."""
    found = re.search(rf'<(table|section)[^>]*data-testid="{testid}".*?</\1>', html, re.S)
    assert found is not None, testid
    return found.group(0)


@pytest.fixture
def app(zhangqiu_url):
    """Zhangqiu with a bus partner and a tea house; a park with a metro partner and a café,
    its rules a copy of Zhangqiu's; one credited ride through each partner."""
    application = create_app(Settings(database_url=zhangqiu_url, secret_key=SECRET_KEY))
    sessions = application.state.sessions
    plan = yaml.safe_load(bundled_plan_path().read_text(encoding="utf-8"))
    park = copy.deepcopy(plan)
    park["unit"].update(code=PARK, kind="park", name_zh="明水经济技术开发区", name_en="Mingshui")
    park["indicators"], park["task_targets"], park["key_projects"] = [], [], []
    with transaction(sessions) as s:
        plans.load_plan(s, parse_plan(park, "park.yaml"), Actor.system("test"))
    with transaction(sessions) as s:
        zq, pk = get_unit(s, "zhangqiu"), get_unit(s, PARK)
        text = rules_svc.rules(s, zq).yaml_text.replace("unit_id: zhangqiu", f"unit_id: {PARK}")
        rules_svc.save_scheme(s, OFFICE, pk, text)
        partners_svc.create_partner(s, OFFICE, MASTER, zq, "zq-bus", "章丘公交", ["bus"])
        partners_svc.create_partner(s, OFFICE, MASTER, pk, "park-metro", "园区地铁", ["metro"])
        for scenario in (Scenario.BUS, Scenario.METRO):
            granted = START - timedelta(days=30)
            partners_svc.set_consent(s, "zq-bus", WHO, scenario, True, granted)
        redemption_svc.create_merchant(s, OFFICE, zq, "zq-tea", "章丘茶社")
        redemption_svc.create_offer(s, OFFICE, "zq-tea", "一杯茶", 100)
        redemption_svc.create_merchant(s, OFFICE, pk, "park-cafe", "园区咖啡馆")
        redemption_svc.create_offer(s, OFFICE, "park-cafe", "一杯咖啡", 200)
    engine = application.state.engine
    assert partners_svc.ingest(engine, "zq-bus", [ride("z1", "bus", 1)]).accepted == 1
    assert partners_svc.ingest(engine, "park-metro", [ride("p1", "metro", 3)]).accepted == 1
    yield application
    engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        log_in(c, "office")
        yield c


def test_each_units_page_shows_only_its_own_partners_offers_and_figures(client):
    zq = client.get(f"/inclusion?year={START.year}").text
    park = client.get(f"/inclusion?unit={PARK}&year={START.year}").text
    # partners
    assert 'data-partner="zq-bus"' in zq and 'data-partner="park-metro"' not in zq
    assert 'data-partner="park-metro"' in park and 'data-partner="zq-bus"' not in park
    # offers
    zq_offers, park_offers = part(zq, "offers"), part(park, "offers")
    assert "章丘茶社" in zq_offers and "园区咖啡馆" not in zq
    assert "园区咖啡馆" in park_offers and "章丘茶社" not in park
    # statistics: 10 km by bus 269 g [S7], by metro 468 g
    zq_people, park_people = part(zq, "participants"), part(park, "participants")
    assert 'data-scenario="bus"' in zq_people and 'data-scenario="metro"' not in zq_people
    assert 'data-scenario="metro"' in park_people and 'data-scenario="bus"' not in park_people
    zq_cut, park_cut = part(zq, "reductions"), part(park, "reductions")
    assert "sz-transit-bus@2021-12" in zq_cut and "metro" not in zq_cut
    assert "sz-transit-metro@2021-12" in park_cut and "bus" not in park_cut
    assert "<td>269</td>" in zq_cut and "<td>468</td>" in park_cut
    # the pool and the pooled statement
    assert "sz-transit-metro" not in part(zq, "statement")
    assert "sz-transit-bus" not in part(park, "statement")
    assert re.search(r'data-testid="statement-total">269<', zq)
    assert re.search(r'data-testid="statement-total">468<', park)
    assert re.search(r'data-testid="pool-g">269<', zq)
    assert re.search(r'data-testid="pool-g">468<', park)
    assert re.search(r'data-testid="live-count">1<', zq) and re.search(
        r'data-testid="live-count">1<', park
    )
    # forms post back to the unit shown
    assert f'action="/inclusion/offers?unit={PARK}"' in park


def test_the_statement_csv_and_partner_form_are_the_units(client):
    zq = client.get(f"/inclusion/statement.csv?year={START.year}").content.decode("utf-8-sig")
    park = client.get(f"/inclusion/statement.csv?unit={PARK}&year={START.year}")
    park_text = park.content.decode("utf-8-sig")
    assert "sz-transit-bus@2021-12" in zq and "metro" not in zq
    assert "sz-transit-metro@2021-12" in park_text and "bus" not in park_text
    assert f"pooled-reductions-{PARK}-{START.year}.csv" in park.headers["content-disposition"]
    # another unit's partner is not found through this unit
    assert client.get("/inclusion/partners/park-metro").status_code == 404
    assert client.get(f"/inclusion/partners/park-metro?unit={PARK}").status_code == 200
    csrf = token(client.get(f"/inclusion?unit={PARK}").text)
    form = {"csrf_token": csrf, "name_zh": "改名", "scenarios": ["metro"], "active": "1"}
    assert client.post("/inclusion/partners/park-metro", data=form).status_code == 404


def test_an_offer_goes_to_the_units_merchant_only(client, app):
    csrf = token(client.get(f"/inclusion?unit={PARK}").text)
    form = {
        "csrf_token": csrf,
        "merchant_code": "zq-tea",
        "merchant_name": "冒名茶社",
        "title_zh": "冒名优惠",
        "points": "50",
    }
    page = client.post(f"/inclusion/offers?unit={PARK}", data=form)
    assert page.status_code == 200 and 'data-testid="inc-error"' in page.text
    assert "冒名优惠" not in page.text
    assert "冒名优惠" not in client.get("/inclusion").text
    with transaction(app.state.sessions) as s:
        with pytest.raises(InvalidInput, match="merchant_code"):
            redemption_svc.add_offer(
                s, OFFICE, get_unit(s, PARK), "zq-tea", "冒名茶社", "冒名优惠", 50
            )
        with pytest.raises(NotFound):
            redemption_svc.create_offer(s, OFFICE, "zq-tea", "冒名优惠", 50, get_unit(s, PARK))


def test_services_filter_by_unit(app):
    with transaction(app.state.sessions) as s:
        zq, pk = get_unit(s, "zhangqiu"), get_unit(s, PARK)
        assert [p.code for p in partners_svc.partners(s, zq)] == ["zq-bus"]
        assert [p.code for p in partners_svc.partners(s, pk)] == ["park-metro"]
        assert [o.title_zh for o, _m in redemption_svc.offers(s, zq)] == ["一杯茶"]
        assert [o.title_zh for o, _m in redemption_svc.offers(s, pk)] == ["一杯咖啡"]
        assert [mm.code for mm in redemption_svc.merchants(s, pk)] == ["park-cafe"]
        assert stats_svc.live_scenarios(s, zq, START.year) == {"bus": 1}
        assert stats_svc.live_scenarios(s, pk, START.year) == {"metro": 1}
        assert [x.grams for x in stats_svc.pooled_statement(s, pk)] == [468]
        # the resident's page offers the unit's offers
        offered = resident_svc.resident_view(s, WHO, pk).offers
        assert [o.title_zh for o, _m in offered] == ["一杯咖啡"]
    for unit, grams in (("zhangqiu", 269), (PARK, 468)):
        with transaction(app.state.sessions) as s:
            target = get_unit(s, unit)
            stats = stats_svc.statistics(s, target)
        assert sum(r["grams"] for r in stats["reductions_by_methodology"]) == grams
        assert {r["outcome"] for r in stats["records_by_outcome"]} == {"accepted"}


def test_the_resident_page_lists_the_units_offers(client, app):
    link = resident_svc.resident_token(MASTER, WHO)
    zq = client.get(f"/inclusion/me/{link}").text
    park = client.get(f"/inclusion/me/{link}?unit={PARK}").text
    assert "一杯茶" in zq and "一杯咖啡" not in zq
    assert "一杯咖啡" in park and "一杯茶" not in park
    assert re.search(r'data-testid="balance">737<', park)  # 269 + 468 points: one resident
