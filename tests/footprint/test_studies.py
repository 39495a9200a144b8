"""Stored footprint studies (upload → compute → approve, every write audited, refusals write
nothing) and indicator 14 from the enterprise registry (exact Decimal; a year without key
industrial firms has no data, not 0); the Excel template and the web form."""

from __future__ import annotations

import io
from decimal import Decimal
from importlib import resources

import pytest
import yaml
from openpyxl import load_workbook

from nearzero.footprint.fileformat import dump
from nearzero.footprint.indicator import FirmLine, indicator_14, share_pct
from nearzero.footprint.olca import export_zip
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.enterprise import registry, reports
from nearzero.services.footprint import form, studies, workbook
from nearzero.services.indicators import get_unit
from nearzero.store import footprint as fp_store, tables as m
from nearzero.store.db import transaction

OFFICE = Actor("office", Role.ADMIN)
EDITOR = Actor("drc", Role.EDITOR, "drc")
VIEWER = Actor("viewer", Role.VIEWER)


def example(name: str) -> bytes:
    return resources.files("nearzero.data").joinpath("enterprise", "examples", name).read_bytes()


@pytest.fixture
def unit_with_firms(sessions):
    """Two industrial firms with a 2024 emission report (power D4411, cement C3011) and one
    registered firm without any report."""
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        for key, name, code in (
            ("example_power", "示例热电有限公司", "D4411"),
            ("example_cement", "示例水泥有限公司", "C3011"),
            ("example_resin", "示例树脂有限公司", "C2651"),
        ):
            entry = registry.EnterpriseInput(key, name, industry_code=code, illustrative=True)
            registry.add_enterprise(session, OFFICE, unit, entry)
        reports.save_draft(
            session,
            OFFICE,
            unit,
            "example_power",
            "p.yaml",
            example("power_2024_illustrative.yaml"),
        )
        reports.save_draft(
            session,
            OFFICE,
            unit,
            "example_cement",
            "c.yaml",
            example("cement_2024_illustrative.yaml"),
        )
    return sessions


def system_yaml(coproduct) -> bytes:
    return yaml.safe_dump(dump(coproduct("mass")), allow_unicode=True).encode()


def audit_actions(session) -> list[str]:
    from sqlalchemy import select

    rows = session.scalars(select(m.AuditLog).where(m.AuditLog.entity == studies.ENTITY))
    return [r.action for r in rows]


def test_upload_compute_approve_and_indicator_14(unit_with_firms, coproduct):
    sessions = unit_with_firms
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        before = studies.indicator(session, unit, 2024)
        assert (before.key_firms, before.with_footprint, before.share_pct) == (2, 0, Decimal(0))
        row = studies.upload_study(
            session, EDITOR, unit, "example_cement", "x.yaml", system_yaml(coproduct), 2024
        )
        assert row.state == studies.DRAFT and row.result is None
        row = studies.compute_study(session, EDITOR, unit, "example_cement", row.id)
        assert row.state == studies.COMPUTED
        assert row.result is not None
        assert row.result["total_kgco2e"] == pytest.approx(3.5777)  # conftest, by hand
        assert row.total_kgco2e == Decimal("3.5777")
        # computed is not completed: indicator 14 does not count it yet
        assert studies.indicator(session, unit, 2024).with_footprint == 0
        with pytest.raises(PermissionDenied):
            studies.approve_study(session, EDITOR, unit, "example_cement", row.id)
        studies.approve_study(session, OFFICE, unit, "example_cement", row.id)
        ind = studies.indicator(session, unit, 2024)
        assert (ind.key_firms, ind.with_footprint) == (2, 1)
        assert ind.share_pct == Decimal(50) and ind.met is True
        with pytest.raises(InvalidInput, match="approved"):
            studies.compute_study(session, OFFICE, unit, "example_cement", row.id)
        assert audit_actions(session) == [
            "footprint.upload",
            "footprint.compute",
            "footprint.approve",
        ]
        # a study of a firm without a report of the year does not count (not a key firm)
        other = studies.upload_study(
            session, OFFICE, unit, "example_resin", "x.yaml", system_yaml(coproduct), 2024
        )
        studies.compute_study(session, OFFICE, unit, "example_resin", other.id)
        studies.approve_study(session, OFFICE, unit, "example_resin", other.id)
        assert studies.indicator(session, unit, 2024).with_footprint == 1
        # the study of 2024 still counts in 2025, but 2025 has no key firm yet: no data
        later = studies.indicator(session, unit, 2025)
        assert later.key_firms == 0 and later.share_pct is None and later.met is None


def test_feed_writes_the_exact_share_and_refuses_a_year_without_data(unit_with_firms, coproduct):
    with transaction(unit_with_firms) as session:
        unit = get_unit(session, "zhangqiu")
        row = studies.upload_study(
            session, OFFICE, unit, "example_power", "x.yaml", system_yaml(coproduct), 2024
        )
        studies.compute_study(session, OFFICE, unit, "example_power", row.id)
        studies.approve_study(session, OFFICE, unit, "example_power", row.id)
        with pytest.raises(PermissionDenied):
            studies.feed_indicator(session, EDITOR, unit, 2024)
        studies.feed_indicator(session, OFFICE, unit, 2024)
        value = (
            session.query(m.IndicatorValue)
            .join(m.Indicator)
            .filter(m.Indicator.code == "14", m.IndicatorValue.year == 2024)
            .one()
        )
        assert value.value == 50.0
        assert "重点工业企业2家" in value.evidence
        with pytest.raises(InvalidInput, match="no data"):
            studies.feed_indicator(session, OFFICE, unit, 2023)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.txt", b"schema: x", "expected a product system"),
        ("x.yaml", b"name: [", "not valid YAML"),
        ("x.zip", b"not a zip", "not a zip file"),
    ],
)
def test_refused_uploads_write_nothing(unit_with_firms, name, data, message):
    with transaction(unit_with_firms) as session:
        unit = get_unit(session, "zhangqiu")
        with pytest.raises(InvalidInput, match=message):
            studies.upload_study(session, OFFICE, unit, "example_cement", name, data, 2024)
        assert fp_store.count(session) == 0


def test_an_upload_whose_matrices_do_not_build_names_process_and_exchange(
    unit_with_firms, coproduct
):
    data = dump(coproduct("mass"))
    data["processes"][0]["exchanges"][3]["unit"] = "m"
    with transaction(unit_with_firms) as session:
        unit = get_unit(session, "zhangqiu")
        with pytest.raises(InvalidInput, match=r"process 'J', exchange 4 \(input 'electricity'\)"):
            studies.upload_study(
                session,
                OFFICE,
                unit,
                "example_cement",
                "x.yaml",
                yaml.safe_dump(data).encode(),
                2024,
            )
        with pytest.raises(PermissionDenied):
            studies.upload_study(
                session,
                VIEWER,
                unit,
                "example_cement",
                "x.yaml",
                yaml.safe_dump(data).encode(),
                2024,
            )
        assert fp_store.count(session) == 0


def test_openlca_zip_upload_and_report(unit_with_firms, coproduct):
    with transaction(unit_with_firms) as session:
        unit = get_unit(session, "zhangqiu")
        data = export_zip(coproduct("mass"))
        row = studies.upload_study(session, OFFICE, unit, "example_cement", "x.zip", data, 2024)
        assert row.source_kind == "olca"
        studies.compute_study(session, OFFICE, unit, "example_cement", row.id, draws=50, seed=4)
        with pytest.raises(InvalidInput, match="format"):
            studies.report_file(session, VIEWER, unit, "example_cement", row.id, "txt")
        built = studies.report_file(session, VIEWER, unit, "example_cement", row.id, "docx")
        assert built.filename.endswith(".docx") and "示例水泥有限公司" in built.filename
        page = studies.study_page(session, VIEWER, unit, "example_cement", row.id)
        assert page.view is not None and page.view.total == pytest.approx(3.5777)
        assert page.view.uncertainty is not None and page.view.uncertainty["draws"] == 50
        assert any("电力碳足迹因子" in r.name for r in page.view.to_confirm)


def test_the_template_reads_back_and_refusals_name_sheet_row_column():
    system = workbook.read_workbook(workbook.template(), "t.xlsx")
    assert system.name == "示例产品（illustrative）"
    assert [p.process_id for p in system.processes] == ["plant", "mine"]
    book = load_workbook(io.BytesIO(workbook.template()))
    book["过程"]["F3"] = "many"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InvalidInput, match=r"sheet '过程', row 3, column F \(数量 amount\)"):
        workbook.read_workbook(buffer.getvalue(), "t.xlsx")
    book = load_workbook(io.BytesIO(workbook.template()))
    book["流"]["C2"] = None
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(
        InvalidInput, match=r"sheet '流', row 2, column C \(单位 unit\): 必填 — required"
    ):
        workbook.read_workbook(buffer.getvalue(), "t.xlsx")


def test_template_computes_by_hand():
    """The template's example: plant 400 kg CO2 + 80 kWh × 0.5777 + 0.2 t coal × 15 kg/t
    = 400 + 46.216 + 3 = 449.216 kgCO2e per t."""
    from nearzero.footprint.study import compute

    assert compute(workbook.read_workbook(workbook.template())).total == pytest.approx(449.216)


def test_the_web_form_builds_a_small_system():
    """1 t: 100 kWh at 0.5777 (57.77), 10 kg CH4 × 27.9 (AR6 GWP100 of CH4 in the accounting
    GWP table) = 279, 2 t of a material at 50 kgCO2e/t = 100: 436.77 kgCO2e."""
    from nearzero.footprint.study import compute

    lines = [
        form.FormLine("factor", "电力", "100", "kWh", "cn_elec_fp_2024_national"),
        form.FormLine("CH4", "甲烷逸散", "10", "kg"),
        form.FormLine("material", "外购树脂", "2", "t", per_unit="50"),
        form.FormLine("CO2"),
    ]
    system = form.to_system(form.FormInput("示例", "1 t 示例", "t", lines=lines))
    assert compute(system).total == pytest.approx(436.77)
    with pytest.raises(InvalidInput, match=r"lines\[1\].amount"):
        form.to_system(form.FormInput("示例", "1 t", "t", lines=[form.FormLine("CO2", "x", "-1")]))


def test_indicator_14_pure():
    assert share_pct(1, 20) == Decimal(5)
    assert share_pct(0, 0) is None
    with pytest.raises(ValueError, match="with_footprint"):
        share_pct(3, 2)
    lines = [FirmLine(f"f{i}", True, True, i == 0) for i in range(20)]
    lines.append(FirmLine("shop", False, True, True))  # not industrial: not counted
    found = indicator_14(2024, lines)
    assert (found.key_firms, found.with_footprint, found.share_pct, found.met) == (
        20,
        1,
        Decimal(5),
        True,
    )
    assert indicator_14(2024, []).share_pct is None
