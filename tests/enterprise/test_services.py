"""Enterprise services on SQLite and PostgreSQL: the registry, a report through the whole
verification workflow, compliance and screening from it, and bad input refused with nothing
stored (rows counted before and after)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from nearzero.enterprise.report import compute_report
from nearzero.enterprise.reportfile import read_report
from nearzero.services import users
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.enterprise import benchmarks, compliance, registry, reports, screening
from nearzero.services.indicators import get_unit
from nearzero.services.projects import EvidenceUpload
from nearzero.store import enterprise as store
from nearzero.store.db import transaction

OFFICE = Actor("office", Role.ADMIN)
VALID_CODE = "91350100M000100Y43"  # the GB 32100-2015 example code (check character 3)


def example(name: str) -> str:
    return (
        resources.files("nearzero.data").joinpath("enterprise", "examples", name).read_text("utf-8")
    )


def power_total() -> float:
    """The total of the bundled power example computed straight by the core (no database)."""
    text = example("power_2024_illustrative.yaml")
    return compute_report(read_report("power.yaml", text)).totals.total


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        registry.load_bundled(session, OFFICE, unit)
        registry.add_enterprise(
            session,
            OFFICE,
            unit,
            registry.EnterpriseInput(
                "example_power",
                "示例热电有限公司",
                credit_code=VALID_CODE,
                industry_code="D4411",
                sector="power",
                covered_by_ets=True,
                illustrative=True,
            ),
        )
        users.create_user(session, OFFICE, "verifier1", "verify-pass-1", Role.VERIFIER)
        users.create_user(session, OFFICE, "verifier2", "verify-pass-2", Role.VERIFIER)
    yield sessions


def counts(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with transaction(sessions) as session:
        rows = store.counts(session)
        reports_ = [
            (r.state, r.verifier, r.verified_tco2) for r in store.reports_of_unit(session, 1)
        ]
        from nearzero.services import audit

        return rows | {"reports": reports_, "audit": len(audit.entries(session, "", "", 10000))}


def test_bundled_firms_load_once(db: sessionmaker[Session]) -> None:
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        names = {f.key: f for f in store.enterprises(session, unit.id)}
        assert names["huadian_zhangqiu"].name_zh == "华电章丘发电有限公司"
        assert names["huadian_zhangqiu"].credit_code is None  # never invented
        assert names["huaming_cement"].facilities[0].capacity == Decimal(110)
        again = registry.load_bundled(session, OFFICE, unit)
        assert again.added == ()
        assert "huadian_zhangqiu" in again.skipped


def test_registry_file_loads_and_refuses_bad_codes(db: sessionmaker[Session]) -> None:
    good = {
        "firms": [
            {
                "key": "f1",
                "name_zh": "一号企业",
                "credit_code": "91110000600037341L",
                "covered_by_ets": True,
                "facilities": [
                    {
                        "key": "kiln",
                        "name_zh": "1#窑",
                        "kind": "kiln",
                        "capacity": 5000,
                        "capacity_unit": "t/d",
                        "benchmark_id": "cement_clinker",
                    }
                ],
            }
        ]
    }
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        result = registry.load_registry_file(
            session, OFFICE, unit, "r.yaml", yaml.safe_dump(good, allow_unicode=True).encode()
        )
        assert result.added == ("f1",)
        firm = store.enterprise(session, unit.id, "f1")
        assert firm is not None and firm.covered_by_ets
        assert firm.facilities[0].benchmark_id == "cement_clinker"
    before = counts(db)
    bad = {
        "firms": [
            {"key": "f2", "name_zh": "二号"},
            {"key": "f3", "name_zh": "三号", "credit_code": "91110000600037341M"},
        ]
    }
    with pytest.raises(InvalidInput, match=r"firms\[1\]\.credit_code.*checksum"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            registry.load_registry_file(
                session, OFFICE, unit, "r.yaml", yaml.safe_dump(bad).encode()
            )
    assert counts(db) == before


def test_invalid_credit_code_is_refused_and_nothing_stored(db: sessionmaker[Session]) -> None:
    before = counts(db)
    with pytest.raises(InvalidInput, match="credit_code.*checksum gives"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            registry.add_enterprise(
                session,
                OFFICE,
                unit,
                registry.EnterpriseInput("x1", "某企业", credit_code="91350100M000100Y44"),
            )
    with pytest.raises(InvalidInput, match="credit_code: .* already registered"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            registry.add_enterprise(
                session, OFFICE, unit, registry.EnterpriseInput("x2", "某企业", VALID_CODE)
            )
    assert counts(db) == before


def _save_power(session: Session, actor: Actor = OFFICE) -> int:
    unit = get_unit(session, "zhangqiu")
    text = example("power_2024_illustrative.yaml")
    row = reports.save_draft(session, actor, unit, "example_power", "power.yaml", text.encode())
    return row.id


def test_report_through_the_workflow(db: sessionmaker[Session], tmp_path: Path) -> None:
    verifier = Actor("verifier1", Role.VERIFIER)
    with transaction(db) as session:
        report_id = _save_power(session)
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        row = reports.open_report(session, OFFICE, unit, report_id)
        assert row.state == "draft"
        assert float(row.reported_tco2) == pytest.approx(power_total(), abs=1e-6)
        assert row.result["totals"]["electricity"] < 0  # a net exporter stays negative
        reports.submit(session, OFFICE, unit, report_id)
        reports.assign(session, OFFICE, unit, report_id, "verifier1")
        reports.add_evidence(
            session,
            verifier,
            unit,
            report_id,
            EvidenceUpload("lab.pdf", b"%PDF-1.4 lab report"),
            tmp_path,
            month=1,
        )
    # the verifier corrects January's coal use from 50,000 t to 51,000 t
    adjusted = yaml.safe_load(example("power_2024_illustrative.yaml"))
    adjusted["fuels"][0]["months"][0]["consumption"] = 51000
    expected = compute_report(
        read_report("adjusted.yaml", yaml.safe_dump(adjusted, allow_unicode=True))
    ).totals.total
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        reports.verify(
            session,
            verifier,
            unit,
            report_id,
            ["1月燃煤量按入厂煤台账更正为51000吨"],
            "adjusted.yaml",
            yaml.safe_dump(adjusted, allow_unicode=True).encode(),
        )
        page = reports.report_page(session, OFFICE, unit, report_id)
        assert page.state.value == "verified"
        assert float(page.report.verified_tco2) == pytest.approx(expected, abs=1e-6)
        assert page.difference is not None and page.difference > 0
        coal = next(c for c in page.components if c.key == "boiler_coal")
        assert coal.difference == pytest.approx(expected - power_total(), abs=1e-3)
        assert "confirm" in page.steps
        reports.confirm(session, OFFICE, unit, report_id)
        compliance.set_allowance(session, OFFICE, unit, "example_power", 2024, 1_000_000, 0, 0)
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        row = reports.open_report(session, OFFICE, unit, report_id)
        assert row.state == "confirmed"
        (evidence,) = store.evidence_of(session, row.enterprise_id, row.year)
        assert (tmp_path / evidence.sha256).read_bytes() == b"%PDF-1.4 lab report"
        actions = [
            e.action
            for e in reports.audit.entries(session, "enterprise_report", "example_power/2024")
        ]
        assert {
            "report.draft",
            "report.submit",
            "report.start_verification",
            "report.verify",
            "report.confirm",
            "report.evidence",
        } <= set(actions)
        page = compliance.compliance_page(session, OFFICE, unit, 2024)
        line = next(ln for ln in page.lines if ln.enterprise.key == "example_power")
        assert line.result is not None
        assert line.result.entry.verified == int(Decimal(repr(expected)).quantize(1))
        assert page.t11 == (1, ("example_power",))
        assert page.t12 == (0, ())  # nothing surrendered
        shown = screening.screening_page(session, OFFICE, unit, 2024)
        assert [ln.enterprise.key for ln in shown.lines] == ["example_power"]
        assert shown.lines[0].verified


def test_bad_report_input_is_refused_and_nothing_stored(db: sessionmaker[Session]) -> None:
    before = counts(db)
    doc = yaml.safe_load(example("power_2024_illustrative.yaml"))
    negative = yaml.safe_load(example("power_2024_illustrative.yaml"))
    negative["fuels"][0]["months"][1]["consumption"] = -5
    wrong_unit = yaml.safe_load(example("power_2024_illustrative.yaml"))
    wrong_unit["fuels"][0]["unit"] = "kWh"
    cases = [
        (negative, r"fuels\[0\]\.months\[1\]\.consumption.*negative"),
        (wrong_unit, r"fuels\[0\].*kWh"),
    ]
    for bad, message in cases:
        with pytest.raises(InvalidInput, match=message):
            with transaction(db) as session:
                unit = get_unit(session, "zhangqiu")
                reports.save_draft(
                    session,
                    OFFICE,
                    unit,
                    "example_power",
                    "bad.yaml",
                    yaml.safe_dump(bad, allow_unicode=True).encode(),
                )
    assert counts(db) == before
    assert doc["year"] == 2024


def test_steps_out_of_order_and_foreign_verifier_refused(db: sessionmaker[Session]) -> None:
    with transaction(db) as session:
        report_id = _save_power(session)
    before = counts(db)
    refusals = [
        (
            lambda s, u: reports.confirm(s, OFFICE, u, report_id),
            InvalidInput,
            "step: .* — 'confirm'",
        ),
        (
            lambda s, u: reports.assign(s, OFFICE, u, report_id, "verifier1"),
            InvalidInput,
            "not allowed on a report that is draft",
        ),
        (
            lambda s, u: reports.open_report(s, Actor("verifier2", Role.VERIFIER), u, report_id),
            PermissionDenied,
            "not assigned",
        ),
        (
            lambda s, u: reports.submit(s, Actor("viewer", Role.VIEWER), u, report_id),
            PermissionDenied,
            "may not",
        ),
    ]
    for call, error, message in refusals:
        with pytest.raises(error, match=message):
            with transaction(db) as session:
                call(session, get_unit(session, "zhangqiu"))
    assert counts(db) == before
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        reports.submit(session, OFFICE, unit, report_id)
        reports.assign(session, OFFICE, unit, report_id, "verifier1")
    before = counts(db)
    with pytest.raises(PermissionDenied, match="not assigned"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            reports.verify(session, Actor("verifier2", Role.VERIFIER), unit, report_id, ["x"])
    with pytest.raises(PermissionDenied, match="verifier"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            reports.verify(session, OFFICE, unit, report_id, ["the office is no verifier"])
    assert counts(db) == before


def test_allowance_and_efficiency_refusals(db: sessionmaker[Session]) -> None:
    before = counts(db)
    with pytest.raises(InvalidInput, match="not covered by the ETS"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            compliance.set_allowance(session, OFFICE, unit, "huaming_cement", 2024, 100)
    with pytest.raises(InvalidInput, match="allocated: .* — -1 is negative"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            compliance.set_allowance(session, OFFICE, unit, "example_power", 2024, -1)
    with pytest.raises(InvalidInput, match="no benchmark row"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            benchmarks.set_efficiency(
                session, OFFICE, unit, "huaming_cement", "grinding_project", 2024, "95"
            )
    assert counts(db) == before


def test_benchmark_classification_and_indicator_15(db: sessionmaker[Session]) -> None:
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        for key, capacity, value in (("k1", "3000", "98"), ("k2", "2000", "110")):
            registry.add_facility(
                session,
                OFFICE,
                unit,
                "huaming_cement",
                registry.FacilityInput(key, key, "kiln", capacity, "t/d", "cement_clinker"),
            )
            benchmarks.set_efficiency(session, OFFICE, unit, "huaming_cement", key, 2024, value)
        page = benchmarks.benchmark_page(session, OFFICE, unit, 2024)
        levels = {c.line.key: c.level.value for c in page.lines}
        # 发改产业〔2021〕1609号 cement clinker: benchmark 100, baseline 117 kgce/t
        assert levels == {"huaming_cement/k1": "at_benchmark", "huaming_cement/k2": "between"}
        (share,) = page.shares
        assert share.share_pct == Decimal(60)  # 3000 of 5000 t/d
        assert share.met  # > 30 %
        assert dt.date.today().year > 2000


def test_monthly_evidence_calendar(db: sessionmaker[Session], tmp_path: Path) -> None:
    """Each month's items are due 40 days after the month ends (rules.csv evidence_due_days):
    January 2024's on 2024-03-11 (still in time that day), so on 2024-03-12 its six items are
    overdue; one filed leaves five."""
    with transaction(db) as session:
        unit = get_unit(session, "zhangqiu")
        page = compliance.compliance_page(session, OFFICE, unit, 2024, dt.date(2024, 3, 11))
        assert page.overdue == []
        page = compliance.compliance_page(session, OFFICE, unit, 2024, dt.date(2024, 3, 12))
        assert [(i.firm_key, i.month) for i in page.overdue] == [("example_power", 1)] * 6
        reports.file_monthly_evidence(
            session,
            OFFICE,
            unit,
            "example_power",
            2024,
            1,
            "fuel_use",
            EvidenceUpload("ledger.pdf", b"%PDF-1.4 ledger"),
            tmp_path,
        )
        page = compliance.compliance_page(session, OFFICE, unit, 2024, dt.date(2024, 3, 12))
        assert len(page.overdue) == 5 and "fuel_use" not in {i.item for i in page.overdue}
    before = counts(db)
    with pytest.raises(InvalidInput, match="item: 'gossip'"):
        with transaction(db) as session:
            unit = get_unit(session, "zhangqiu")
            reports.file_monthly_evidence(
                session,
                OFFICE,
                unit,
                "example_power",
                2024,
                1,
                "gossip",
                EvidenceUpload("x.pdf", b"%PDF-1.4"),
                tmp_path,
            )
    assert counts(db) == before
