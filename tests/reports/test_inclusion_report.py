"""The annual report's 五、碳普惠 section from the live figures of the report year, read back
from the PDF (pdftotext): participants, records accepted and rejected by reason, reductions
by methodology in t CO2e, the pooled reductions and indicator 6; a year without records says
so; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from nearzero.inclusion.choices import Scenario
from nearzero.reports.model import Paragraph, Table
from nearzero.reports.pdf import build_pdf
from nearzero.services import report as svc
from nearzero.services.context import Actor
from nearzero.services.inclusion import partners as partners_svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import make_engine, transaction

MASTER = b"report-test-master-key-0123456789"
BUS_TITLE = "深圳市低碳公共出行碳普惠方法学（试行）——纯电动公交"
METRO_TITLE = "深圳市低碳公共出行碳普惠方法学（试行）——地铁"
A, B, C = "a" * 64, "b" * 64, "c" * 64  # C never consented


def ride(rid: str, who: str, start: datetime, scenario: str, km: str) -> dict:
    return {
        "partner_record_id": rid,
        "resident_id": who,
        "scenario": scenario,
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=40)).isoformat(),
        "distance_km": km,
    }


@pytest.fixture
def ingested(zhangqiu_url, sessions):
    """Demo records of 2024 (and one of 2025) ingested through the intake path."""
    with transaction(sessions) as s:
        unit = get_unit(s, "zhangqiu")
        partners_svc.create_partner(
            s, Actor.system(), MASTER, unit, "ride-code", "乘车码平台", ["bus", "metro"]
        )
        for who in (A, B):
            for sc in (Scenario.BUS, Scenario.METRO):
                partners_svc.set_consent(
                    s, "ride-code", who, sc, True, datetime(2024, 1, 1, tzinfo=UTC)
                )
    t = datetime(2024, 3, 5, 1, 0, tzinfo=UTC)
    items = [
        ride("r1", A, t, "bus", "10"),  # 10 km × 26.9 g/pkm = 269 g (Shenzhen bus)
        ride("r2", A, t + timedelta(hours=3), "metro", "10"),  # 10 km × 46.8 = 468 g
        ride("r3", B, t + timedelta(days=40), "bus", "20"),  # 538 g
        ride("r4", C, t, "bus", "10"),  # no consent
        ride("r5", C, t + timedelta(hours=5), "metro", "10"),  # no consent
        ride("r6", B, t + timedelta(days=41), "shared_bicycle", "3"),  # not authorised
        ride("r7", A, datetime(2025, 2, 1, 1, tzinfo=UTC), "bus", "10"),  # next year
    ]
    engine = make_engine(zhangqiu_url)
    try:
        report = partners_svc.ingest(
            engine, "ride-code", items, now=datetime(2025, 3, 1, tzinfo=UTC)
        )
    finally:
        engine.dispose()
    assert [(r.partner_record_id, r.grams, r.reason) for r in report.results] == [
        ("r1", 269, ""),
        ("r2", 468, ""),
        ("r3", 538, ""),
        ("r4", 0, "no_consent"),
        ("r5", 0, "no_consent"),
        ("r6", 0, "scenario_not_authorised"),
        ("r7", 269, ""),
    ]
    return sessions


def section(report, key):
    return next(s for s in report.sections if s.key == key)


def pdf_text(report, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (poppler-utils; `make test` installs it)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(build_pdf(report))
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True).stdout
    return re.sub(r"\s+", "", out.decode())


def test_inclusion_section_has_the_years_figures_in_the_pdf(ingested, tmp_path):
    with transaction(ingested) as s:
        report = svc.build_report(s, get_unit(s, "zhangqiu"), 2024)
    blocks = section(report, "inclusion").blocks
    text = " ".join(b.text for b in blocks if isinstance(b, Paragraph))
    # 2024 only: r7 (2025) is not counted
    assert "共收到1家合作方报送的行为记录6条，受理入账3条，拒绝3条" in text
    assert "参与居民2人" in text
    assert "入账减排量合计0.001275吨二氧化碳当量" in text  # 269 + 468 + 538 g
    assert "归集至生态环境部门账户的减排量0.001275吨二氧化碳当量" in text
    assert "2024年已上线场景2个（公交出行、地铁出行）" in text
    tables = {b.caption: b for b in blocks if isinstance(b, Table)}
    people = tables["2024年碳普惠参与情况"]
    assert [[c.text for c in row] for row in people.rows] == [
        ["公交出行", "2", "2", "0.000807"],
        ["地铁出行", "1", "1", "0.000468"],
        ["合计（去重）", "2", "3", "0.001275"],
    ]
    outcomes = tables["2024年碳普惠记录受理情况"]
    assert [[c.text for c in row] for row in outcomes.rows] == [
        ["受理入账", "3"],
        ["拒绝：居民未授权该场景", "2"],
        ["拒绝：合作方无权申报该场景", "1"],
        ["合计", "6"],
    ]
    methods = tables["2024年按方法学统计的碳普惠减排量"]
    assert [[c.text for c in row][:4] for row in methods.rows] == [
        [f"《{BUS_TITLE}》（2021-12版）", "公交出行", "2", "0.000807"],
        [f"《{METRO_TITLE}》（2021-12版）", "地铁出行", "1", "0.000468"],
        ["合计", "", "3", "0.001275"],
    ]

    compact = pdf_text(report, tmp_path)
    assert "五、碳普惠" in compact
    for figure in (
        "行为记录6条，受理入账3条，拒绝3条",
        "参与居民2人",
        "0.001275吨二氧化碳当量",
        "已上线场景2个（公交出行、地铁出行）",
        "0.000807",
        "0.000468",
        "居民未授权该场景",
    ):
        assert figure in compact, figure
    for identifier in ("sz-transit-bus", "no_consent", "scenario_not_authorised"):
        assert identifier not in compact, identifier
    assert compact.count("该部分尚无数据。") == 3  # 四 六 七; 五 has figures


def test_a_year_without_records_says_so(ingested):
    with transaction(ingested) as s:
        report = svc.build_report(s, get_unit(s, "zhangqiu"), 2023)
    texts = [b.text for b in section(report, "inclusion").blocks]
    assert texts[0].startswith("2023年碳普惠平台（已登记合作方1家）未收到行为记录，")
    assert texts[0].endswith("没有入账的减排量，也没有归集的减排量。")
    assert texts[1].endswith("2023年已上线场景0个。")
    # the rules in force: whose, the version per scenario, what it lacks, what is still open
    assert texts[2].startswith(
        f"适用系统默认的平台规则（专班尚未保存本区版本）：公交出行采用《{BUS_TITLE}》（2021-12版）；"
    )
    assert "共享单车骑行采用《" in texts[2] and "gz-shared-bicycle" not in texts[2]
    assert "（缺" in texts[2] and "取值，暂不能入账）" in texts[2] and "缺RF" not in texts[2]
    assert texts[2].endswith(
        "尚未设定的平台规则45项（合理性范围、积分上限、补报时限、积分有效期）。"
    )
    with transaction(ingested) as s:
        report = svc.build_report(s, get_unit(s, "zhangqiu"), 2025)
    text = section(report, "inclusion").blocks[0].text
    assert "行为记录1条，受理入账1条，拒绝0条" in text and "0.000269吨" in text


def test_no_partner_no_section(sessions):
    with transaction(sessions) as s:
        report = svc.build_report(s, get_unit(s, "zhangqiu"), 2024)
    assert section(report, "inclusion").empty


def test_the_section_is_written_from_plain_data():
    """The prose takes plain figures (no database): 1 234 567 g is 1.234567 t; a saved
    scheme names its day, a methodology lacking values says it cannot credit yet."""
    from datetime import date

    from nearzero.reports.sections.inclusion import (
        RulesSummary,
        ScenarioMethodology,
        YearFigures,
        inclusion_blocks,
    )

    figures = YearFigures(
        year=2025,
        partners=2,
        participants=[
            {"scenario": "bus", "participants": 3, "records": 4, "grams": 1_234_567},
            {"scenario": "all", "participants": 3, "records": 4, "grams": 1_234_567},
        ],
        outcomes={"accepted": 4, "no_consent": 1},
        reductions=[
            {
                "methodology_id": "sz-transit-bus",
                "methodology_version": "2021-12",
                "scenario": "bus",
                "records": 4,
                "grams": 1_234_567,
                "computed_grams": 1_300_000,
            }
        ],
        pooled_g=1_234_567,
        pooled_transactions=2,
        live={"bus": 4},
    )
    rules = RulesSummary(
        "saved",
        date(2025, 3, 1),
        (
            ScenarioMethodology(
                Scenario.METRO,
                "sz-transit-metro@2021-12",
                ("grid_ef",),
                "地铁方法学",
                ("电网因子",),
            ),
        ),
        ("caps.total.daily_g",),
    )
    blocks = inclusion_blocks(figures, "开展碳普惠相关应用场景", rules)
    text = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert text == [
        "2025年，碳普惠平台共收到2家合作方报送的行为记录5条，受理入账4条，拒绝1条；"
        "参与居民3人；入账减排量合计1.234567吨二氧化碳当量。",
        "归集至生态环境部门账户的减排量1.234567吨二氧化碳当量（减排量支配权保留在生态环境"
        "部门），对应2笔账本交易，每笔可追溯至行为记录及所用方法学版本。",
        "指标6“开展碳普惠相关应用场景”：2025年已上线场景1个（公交出行）。",
        "适用专班保存的平台规则（2025-03-01）：地铁出行采用《地铁方法学》（2021-12版）"
        "（缺电网因子取值，暂不能入账）。尚未设定的平台规则1项（积分上限）。",
    ]
    tables = [b for b in blocks if isinstance(b, Table)]
    assert [t.caption for t in tables] == [
        "2025年碳普惠参与情况",
        "2025年碳普惠记录受理情况",
        "2025年按方法学统计的碳普惠减排量",
    ]
    empty = YearFigures(2025, 1, [], {}, [], 0, 0, {})
    words = [b.text for b in inclusion_blocks(empty, None, RulesSummary("none"))]
    assert words == [
        "2025年碳普惠平台（已登记合作方1家）未收到行为记录，没有入账的减排量，也没有归集的减排量。",
        "指标6（碳普惠应用场景）：2025年已上线场景0个。",
        "适用尚无平台规则：未选定任何方法学。",
    ]
