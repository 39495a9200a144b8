"""Key-project services on SQLite and PostgreSQL: progress, evidence files, permission, board,
figures, scenario."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from pytest import approx
from sqlalchemy import func, select

from nearzero.services import projects as svc
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.indicators import get_unit
from nearzero.store import tables as m
from nearzero.store.db import transaction

OFFICE = Actor("office", Role.ADMIN)
TODAY = dt.date(2025, 10, 15)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def drc(session):
    unit = get_unit(session, "zhangqiu")
    return Actor("drc", Role.EDITOR, "drc", unit.id)


def counts(session):
    return (
        session.scalar(select(func.count()).select_from(m.ProjectProgress)),
        session.scalar(select(func.count()).select_from(m.ProjectEvidence)),
    )


@pytest.fixture
def folder(tmp_path):
    """The evidence folder (tmp_path also holds the SQLite database)."""
    return tmp_path / "evidence"


def docx(part="word/document.xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<w:document/>")
    return buffer.getvalue()


def report(session, actor, number=3, evidence=None, folder=None, **entry):
    values = {"reported_on": dt.date(2024, 5, 1), "stage": "under_way", "percent": 40} | entry
    return svc.report_progress(
        session,
        actor,
        get_unit(session, "zhangqiu"),
        number,
        svc.ProgressInput(**values),
        evidence,
        folder,
        today=TODAY,
    )


def test_progress_with_evidence_is_stored_by_sha256(sessions, folder):
    with transaction(sessions) as session:
        progress = report(
            session,
            drc(session),
            evidence=svc.EvidenceUpload("验收报告.pdf", PDF),
            folder=folder,
            note="土建完成",
        )
        progress_id = progress.id
    sha = hashlib.sha256(PDF).hexdigest()
    assert (folder / sha).read_bytes() == PDF
    with transaction(sessions) as session:
        (evidence,) = session.scalars(select(m.ProjectEvidence)).all()
        assert (evidence.filename, evidence.sha256, evidence.size) == (
            "验收报告.pdf",
            sha,
            len(PDF),
        )
        assert evidence.progress_id == progress_id and evidence.content_type == "application/pdf"
        (entry,) = session.scalars(
            select(m.AuditLog).where(m.AuditLog.action == "progress.report")
        ).all()
        assert entry.actor == "drc" and entry.new["evidence"]["sha256"] == sha
        view = svc.project(session, get_unit(session, "zhangqiu"), 3, as_of=TODAY)
        assert view.status.stage.value == "late" and view.status.percent == 40  # due 2023年底


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("big.pdf", b"%PDF-" + b"0" * svc.MAX_EVIDENCE_BYTES, "limit is 20 MB"),
        ("setup.exe", b"MZ\x90\x00", "type .exe is not allowed"),
        ("fake.pdf", b"<html>not a pdf</html>", "not a pdf file"),
        ("fake.png", PDF, "not a png file"),
        ("fake.docx", docx("xl/workbook.xml"), "not a docx file"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_evidence_stores_nothing(sessions, folder, filename, content, message):
    with transaction(sessions) as session:
        with pytest.raises(InvalidInput, match=message) as err:
            report(
                session, drc(session), evidence=svc.EvidenceUpload(filename, content), folder=folder
            )
        assert str(err.value).startswith("evidence:")
        assert counts(session) == (0, 0)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_accepted_office_documents_and_images(sessions, folder):
    with transaction(sessions) as session:
        actor = drc(session)
        report(session, actor, evidence=svc.EvidenceUpload("台账.docx", docx()), folder=folder)
        report(
            session,
            actor,
            evidence=svc.EvidenceUpload("现场.JPG", b"\xff\xd8\xff\xe0rest"),
            folder=folder,
        )
        assert counts(session) == (2, 2)
    assert len(list(folder.iterdir())) == 2


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"reported_on": dt.date(2023, 2, 28)}, "reported_on: .* — 2023-02-28 is before the"),
        ({"reported_on": dt.date(2025, 10, 16)}, "reported_on: .* — 2025-10-16 is in the future"),
        ({"percent": 120}, "percent: .* — expected a whole number from 0 to 100"),
        ({"percent": -1}, "percent"),
        ({"stage": "finished"}, "stage: .* — expected one of planned, under_way, done"),
        ({"stage": "late"}, "stage"),  # late is computed, never reported
    ],
)
def test_bad_progress_names_the_field_and_stores_nothing(sessions, folder, entry, field):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.set_figures(
            session,
            OFFICE,
            unit,
            3,
            {"kind": "pv", "capacity": 10.08},
            start_date=dt.date(2023, 3, 1),
        )
    with transaction(sessions) as session:
        with pytest.raises(InvalidInput, match=field):
            report(
                session,
                drc(session),
                evidence=svc.EvidenceUpload("a.pdf", PDF),
                folder=folder,
                **entry,
            )
        assert counts(session) == (0, 0)
    assert not folder.exists()


def test_file_is_removed_when_the_transaction_fails(sessions, folder):
    sha = hashlib.sha256(PDF).hexdigest()
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        report(session, drc(session), evidence=svc.EvidenceUpload("a.pdf", PDF), folder=folder)
        assert (folder / sha).exists()
        raise RuntimeError("the request failed after the write")
    assert not (folder / sha).exists()
    with transaction(sessions) as session:
        assert counts(session) == (0, 0)
        # a savepoint that rolls back removes its file too, and the outer commit keeps nothing
        with pytest.raises(RuntimeError), session.begin_nested():
            report(session, drc(session), evidence=svc.EvidenceUpload("a.pdf", PDF), folder=folder)
            raise RuntimeError
    assert not (folder / sha).exists()


def test_only_admin_or_the_projects_department_may_report(sessions, folder):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        eeb = Actor("eeb", Role.EDITOR, "eeb", unit.id)
        with pytest.raises(PermissionDenied, match="区发展和改革局"):
            report(session, eeb, number=3)
        with pytest.raises(PermissionDenied):
            report(session, Actor("viewer", Role.VIEWER), number=3)
        with pytest.raises(PermissionDenied):  # an editor of another unit's drc
            report(session, Actor("x", Role.EDITOR, "drc", unit.id + 1000), number=3)
        with pytest.raises(PermissionDenied):  # figures: the same rule as progress
            svc.set_figures(session, eeb, unit, 3, {"kind": "pv"})
        report(session, eeb, number=20, folder=folder)  # 20 belongs to 区城市管理局 and eeb
        report(session, OFFICE, number=3, folder=folder)
        assert counts(session) == (2, 0)


def test_board_alerts_filters_and_progress(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.report_progress(
            session, OFFICE, unit, 14, svc.ProgressInput(dt.date(2023, 12, 20), "done"), today=TODAY
        )
        board = svc.board(session, unit, TODAY)
        late = [v.number for v in board.late]
        assert 3 in late and 14 not in late  # 14 reported done before its due date
        assert [v.number for v in board.due_soon][:1] == [2]  # due 2025-12-31, 77 days
        assert all(v.status.days_to_due == 77 for v in board.due_soon)
        assert len(board.projects) == 26
        energy = next(g for g in board.by_category if g.key == "energy")
        assert energy.total == 8
        buildings = next(g for g in board.by_category if g.key == "buildings")
        assert buildings.done == 1 and buildings.mean_percent == 50
        eeb = svc.board(session, unit, TODAY, department="eeb")
        assert {v.number for v in eeb.projects} == {1, 2, 11, 12, 13, 20, 25, 26}
        assert [g.key for g in eeb.by_department if g.key == "urban"] == ["urban"]  # no. 20
        only_late = svc.board(session, unit, TODAY, stage="late")
        assert {v.status.stage.value for v in only_late.projects} == {"late"}
        with pytest.raises(InvalidInput, match="stage"):
            svc.board(session, unit, TODAY, stage="bogus")


def test_bundled_figures_and_expected_reductions(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        assert svc.load_bundled_figures(session, OFFICE, unit) == 12
        views = {v.number: v for v in svc.views(session, unit, TODAY)}
        assert views[3].row.figures["capacity"] == "10.08 MW"
        assert "第3项" in views[3].row.figures["source"]
        # 10.08 MW × 1 286 h (CEC 2023 national average, the stated proxy) × 0.6361 t/MWh
        # (2023 华北, the newest) = 8 245.687968 t/a
        assert views[3].reduction_t == approx(8245.687968)
        assert "proxy" in " ".join(map(str, views[3].reduction.caveats)) and views[3].missing == []
        assert views[1].reduction_error.startswith("no figures") and views[1].missing == []
        assert views[26].reduction.captured_t == 90000 and views[26].reduction.reduction_t == 0
        assert views[25].reduction.reduction_t is None
        assert views[25].missing == [("ccu_permanent_share_liquid_co2", "permanent_share")]
        assert views[10].missing == [
            ("gas_chp_full_load_hours", "full_load_hours"),
            ("coal_unit_efficiency", "coal_efficiency"),
            ("gas_chp_efficiency", "gas_efficiency"),
        ]
        assert views[10].missing_text() == (
            "年利用小时数（gas_chp_full_load_hours）、被替代燃煤机组供电效率（coal_unit_efficiency）、"
            "燃气机组发电效率（gas_chp_efficiency）"
        )
        assert views[22].missing_text("en") == (
            "Above-ground biomass growth（afforestation_growth_agb）; "
            "Root-to-shoot ratio（afforestation_root_shoot）"
        )
        # EF_fossil has a default now: project 24 lacks only the plant's own figures
        assert views[24].missing == [
            ("figures.net_export", "net_export"),
            ("figures.waste", "waste"),
        ]
        assert views[24].missing[0] == ("figures.net_export", "net_export")
        # the office enters the owner's figure: 10.08 MW × 1100 h × 0.6361 t/MWh (2023 华北)
        svc.set_figures(
            session, OFFICE, unit, 3, {"kind": "pv", "capacity": 10.08, "full_load_hours": 1100}
        )
        view = svc.project(session, unit, 3, as_of=TODAY)
        assert view.reduction.reduction_t == approx(10.08 * 1100 * 0.6361)
        view = svc.project(session, unit, 3, TODAY, svc.GridChoice("north_china", 2022))
        assert view.reduction.reduction_t == approx(10.08 * 1100 * 0.6776)
        with pytest.raises(InvalidInput, match="figures.kind"):
            svc.set_figures(session, OFFICE, unit, 3, {"kind": "wind"})
        with pytest.raises(InvalidInput, match="grid"):
            svc.project(session, unit, 3, TODAY, svc.GridChoice("north_china", 2030))
        history = session.scalars(select(m.AuditLog).where(m.AuditLog.action == "figures.set"))
        assert len(list(history)) == 13


def test_scenario_for_zhangqiu(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.set_figures(
            session, OFFICE, unit, 4, {"kind": "pv", "capacity": 8.5, "full_load_hours": 1000}
        )
        sv = svc.scenario(session, unit, svc.GridChoice("north_china", 2023))
    s = sv.scenario
    # GDP = E / I: 9 290 749.01 / 0.92, 10 048 799.38 / 0.90, 8 537 813.87 / 0.76 [万元]
    assert s.gdp[2020] == approx(10098640.23, rel=1e-9)
    y2025 = s.targets[0]
    # E_BAU(2025) = mean 9 292 454.0867 + 4 × slope (8 537 813.87 − 9 290 749.01) / 2
    assert y2025.bau_t == approx(9292454.0867 - 4 * 376467.57, rel=1e-9)
    # GDP(2025) = mean 10 832 646.16 + 4 × (11 233 965.62 − 10 098 640.23) / 2
    assert y2025.gdp == approx(10832646.16 + 4 * 567662.70, rel=1e-8)
    assert y2025.target_intensity == approx(0.92 * (1 - 0.205))  # 0.7314 t/万元
    # BAU already falls below the target by the straight line through 2020–2022
    assert y2025.needed_t < 0
    # project 4 (due 2025年底) counts from 2026: 8.5 MW × 1000 h × 0.6361 = 5 406.85 t/a
    assert y2025.projects_t == 0 and s.targets[1].projects_t == approx(5406.85)
    assert 26 in [v.number for v in sv.not_quantified]


def test_cli_projects_list_and_alerts(database_url, monkeypatch):
    import json

    from typer.testing import CliRunner

    from nearzero.cli import app

    runner = CliRunner()
    monkeypatch.setenv("NEARZERO_DATABASE_URL", database_url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "load"]).exit_code == 0  # sets the bundled figures
    result = runner.invoke(app, ["projects", "list", "--json", "--as-of", "2025-10-15"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "nearzero.projects.list/1" and len(data["projects"]) == 26
    no3 = data["projects"][2]
    assert (no3["number"], no3["stage"], no3["late"], no3["days_to_due"]) == (3, "late", True, -654)
    assert data["projects"][25]["reduction"]["captured_t"] == 90000
    alerts = runner.invoke(app, ["projects", "alerts", "--as-of", "2025-10-15"])
    assert alerts.exit_code == 0 and "逾期未完成 14 项" in alerts.output
    assert "10.08兆瓦" in alerts.output
    bad = runner.invoke(app, ["projects", "alerts", "--as-of", "15.10.2025"])
    assert bad.exit_code == 2 and "--as-of" in bad.output


def audit_count(session, action):
    return session.scalar(
        select(func.count()).select_from(m.AuditLog).where(m.AuditLog.action == action)
    )


def english(errors: list[str]) -> list[str]:
    """The English of each ``field: 中文 — English`` refusal, with its field."""
    out = []
    for error in errors:
        head, _, rest = error.partition(": ")
        out.append(f"{head}: {rest.split(' — ', 1)[-1]}")
    return out


def test_figures_form_converts_units_and_names_every_bad_field(sessions):
    entry = svc.FiguresInput(
        kind="pv",
        values={
            "capacity": ("10080", "kW"),
            "full_load_hours": ("1100", "h/a"),
            "generation": ("", "MWh/a"),
        },
        source="可研报告（2023）",
        start_date="2023-03-01",
    )
    figures, start = svc.figures_from_input(entry)
    assert figures == {
        "kind": "pv",
        "capacity": "10080 kW",
        "full_load_hours": 1100.0,
        "source": "可研报告（2023）",
    }
    assert start == dt.date(2023, 3, 1)
    with pytest.raises(InvalidInput) as caught:
        svc.figures_from_input(
            svc.FiguresInput(
                kind="afforestation",
                values={
                    "area": ("5500", "MW"),
                    "sink_rate": ("abc", "t/ha/a"),
                    "capacity": ("-1", "MW"),
                    "waste": ("3", "斤斤"),
                },
                start_date="2023-02-30",
            )
        )
    errors = english(caught.value.errors)
    assert "start_date: expected a date like 2024-06-30, got '2023-02-30'" in errors
    assert "area（造林面积）: unit 'MW' does not convert to hectare" in errors
    assert "sink_rate（单位面积年固碳量）: expected a number, got 'abc'" in errors
    assert "waste（年焚烧垃圾量）: unknown unit '斤斤'" in errors
    with pytest.raises(InvalidInput, match=r"capacity（装机容量）: .* — must not be negative"):
        svc.figures_from_input(svc.FiguresInput("pv", values={"capacity": ("-1", "MW")}))
    with pytest.raises(
        InvalidInput, match=r"gas_efficiency（燃气机组发电效率）: .* — expected a fraction"
    ):
        svc.figures_from_input(svc.FiguresInput("gas_chp", values={"gas_efficiency": ("150", "%")}))
    with pytest.raises(InvalidInput, match="use: .* — expected one of urea, liquid_co2"):
        svc.figures_from_input(svc.FiguresInput("ccu", use="dry ice"))
    with pytest.raises(InvalidInput, match="kind: .* — expected one of"):
        svc.figures_from_input(svc.FiguresInput("wind"))
    # no method: no figures (the project is then not quantified); numbers without one are refused
    assert svc.figures_from_input(svc.FiguresInput("")) == (None, None)
    with pytest.raises(InvalidInput, match="capacity: .* — figures need a method"):
        svc.figures_from_input(svc.FiguresInput("", values={"capacity": ("3", "MW")}))
    # 40 % is a fraction of 0.4
    figures, _ = svc.figures_from_input(
        svc.FiguresInput("gas_chp", values={"coal_efficiency": ("40", "%")})
    )
    assert figures["coal_efficiency"] == "40 %"


def test_department_editor_sets_figures_of_its_projects_audited(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.load_bundled_figures(session, OFFICE, unit)
        before = audit_count(session, "figures.set")
        entry = svc.FiguresInput(
            "pv",
            values={"capacity": ("10.08", "MW"), "full_load_hours": ("1100", "h/a")},
            source="伊莱特可研报告",
            start_date="2023-01-10",
        )
        row = svc.update_figures(session, drc(session), unit, 3, entry)
        assert row.start_date == dt.date(2023, 1, 10)
        # 10.08 MW × 1 100 h × 0.6361 t/MWh = 7 053.0768 t/a, now from the owner's hours
        view = svc.project(session, unit, 3, as_of=TODAY)
        assert view.reduction_t == approx(7053.0768)
        assert not any("proxy" in c for c in map(str, view.reduction.caveats))
        assert audit_count(session, "figures.set") == before + 1
        log = session.scalars(
            select(m.AuditLog).where(m.AuditLog.action == "figures.set").order_by(m.AuditLog.id)
        ).all()[-1]
        assert log.actor == "drc" and log.old["figures"]["capacity"] == "10.08 MW"
        assert log.new["figures"]["full_load_hours"] == 1100
        eeb = Actor("eeb", Role.EDITOR, "eeb", unit.id)
        with pytest.raises(PermissionDenied):
            svc.update_figures(session, eeb, unit, 3, entry)
        viewer = Actor("viewer", Role.VIEWER, None, unit.id)
        with pytest.raises(PermissionDenied):
            svc.set_figures(session, viewer, unit, 3, {"kind": "pv"})
        # bad input changes nothing and logs nothing
        bad = svc.FiguresInput("pv", values={"capacity": ("x", "MW")})
        with pytest.raises(InvalidInput, match="capacity"):
            svc.update_figures(session, drc(session), unit, 3, bad)
        with pytest.raises(InvalidInput, match="start_date: .* — 2026-01-01 is after the due date"):
            svc.update_figures(
                session, drc(session), unit, 3, svc.FiguresInput("pv", start_date="2026-01-01")
            )
        assert audit_count(session, "figures.set") == before + 1
        assert svc.project(session, unit, 3, as_of=TODAY).row.figures["full_load_hours"] == 1100


def test_milestone_marked_done_within_the_projects_dates(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.set_figures(session, OFFICE, unit, 3, None, dt.date(2023, 1, 10))
        milestone = svc.add_milestone(
            session, drc(session), unit, 3, "并网验收", dt.date(2023, 12, 31)
        )
        for day, message in (
            (dt.date(2023, 1, 9), "before the project's start date 2023-01-10"),
            (dt.date(2025, 10, 16), "in the future"),
        ):
            with pytest.raises(InvalidInput, match=message):
                svc.mark_milestone_done(
                    session, drc(session), unit, 3, milestone.id, day, today=TODAY
                )
        assert milestone.done_on is None and audit_count(session, "milestone.done") == 0
        eeb = Actor("eeb", Role.EDITOR, "eeb", unit.id)
        with pytest.raises(PermissionDenied):
            svc.mark_milestone_done(
                session, eeb, unit, 3, milestone.id, dt.date(2024, 1, 5), today=TODAY
            )
        with pytest.raises(NotFound):
            svc.mark_milestone_done(
                session, drc(session), unit, 4, milestone.id, dt.date(2024, 1, 5), today=TODAY
            )
        done = svc.mark_milestone_done(
            session, drc(session), unit, 3, milestone.id, dt.date(2024, 1, 5), today=TODAY
        )
        assert done.done_on == dt.date(2024, 1, 5)
        log = session.scalars(select(m.AuditLog).where(m.AuditLog.action == "milestone.done")).one()
        assert log.actor == "drc" and log.old == {"done_on": None}
        assert log.new == {"title": "并网验收", "done_on": "2024-01-05"}
        # a milestone added as done obeys the same dates
        with pytest.raises(InvalidInput, match="in the future"):
            svc.add_milestone(
                session,
                drc(session),
                unit,
                3,
                "x",
                dt.date(2024, 1, 1),
                dt.date(2026, 1, 1),
                today=TODAY,
            )


def test_scenario_counts_the_bundled_pv_projects(sessions):
    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.load_bundled_figures(session, OFFICE, unit)
        sv = svc.scenario(session, unit, svc.GridChoice("north_china", 2023))
    counted = {c.number: c.reduction_t for c in sv.scenario.counted}
    # PV at 1 286 h × 0.6361 t/MWh; 26 (urea) counts 0 t/a
    assert counted == {
        3: approx(8245.687968),
        4: approx(6953.2091),
        5: approx(2617.67872),
        14: approx(16360.492),
        15: approx(20450.615),
        26: 0,
    }
    assert {v.number for v in sv.not_quantified} >= {9, 10, 22, 23, 24, 25}


def test_report_section_shows_reductions_and_what_is_missing(sessions):
    from nearzero.reports.model import Paragraph, Table

    with transaction(sessions) as session:
        unit = get_unit(session, "zhangqiu")
        svc.load_bundled_figures(session, OFFICE, unit)
        blocks = svc.report_blocks(session, unit, 2022)
    intro, table, quantified, missing = blocks
    assert isinstance(table, Table) and intro.text.startswith("实施方案列出重点工程26项")
    rows = {r[0].text: r for r in table.rows}
    # the 2022 report takes the 2022 华北 grid factor: 10.08 MW × 1 286 h × 0.6776 t/MWh
    assert rows["3"][7].value == approx(8783.647488) and rows["3"][7].text == "8,783.65"
    # the missing parameters by name, without their internal ids (issue #12 item 9)
    assert rows["10"][7].text.startswith("未量化（缺年利用小时数、")
    assert "gas_chp" not in rows["10"][7].text
    assert rows["1"][7].text == "—"
    # PV 66.78 MW × 1 286 h × 0.6776 = 58 191.66 t/a, and project 26 (urea) 0 t/a
    assert isinstance(quantified, Paragraph) and "合计58,191.66吨CO2/年" in quantified.text
    assert "2022年华北区域0.6776" in quantified.text
    assert "25号缺永久封存比例。" in missing.text
    assert "22号缺地上生物量年增长量、根茎比；" in missing.text
    assert "ccu_" not in missing.text and "afforestation_" not in missing.text
    # a year with no published grid factor takes the newest (2023, 0.6361)
    assert svc.report_grid(2025).factor().value == 0.6361
