"""Key-project pages: the board with alerts, a project's page with its progress form and
evidence, the scenario chart. Thin: each route reads its inputs, calls services/projects.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from nearzero.projects.choices import (
    FIGURE_LABELS,
    KIND_LABELS,
    REPORTABLE,
    USE_LABELS,
    Stage,
)
from nearzero.projects.parameters import DEFAULT_GRID_REGION
from nearzero.projects.reduction import FIGURE_UNITS
from nearzero.services import projects as svc
from nearzero.services.context import InvalidInput, PermissionDenied
from nearzero.services.indicators import get_unit, years_on_record
from nearzero.store import tables as m
from nearzero.units import convert
from nearzero.web.deps import ActorDep, CsrfDep, LangDep, SessionDep, UserDep
from nearzero.web.i18n import translate
from nearzero.web.routes.pages import render

router = APIRouter()

UnitQ = Annotated[str | None, Query(max_length=64)]
RegionQ = Annotated[str | None, Query(max_length=64)]
GridYearQ = Annotated[int | None, Query(ge=2000, le=2100)]


def _unit(session: SessionDep, request: Request, code: str | None) -> m.DemoUnit:
    return get_unit(session, code or request.app.state.settings.default_unit)


def _grid(region: str | None, year: int | None) -> svc.GridChoice:
    return svc.GridChoice(region or DEFAULT_GRID_REGION, year)


def evidence_dir(request: Request) -> Path:
    """Where evidence files live: ``app.state.evidence_dir``, else a settings field
    ``evidence_dir`` if one exists (the report builder reads the same), else ``var/evidence``."""
    configured = getattr(request.app.state, "evidence_dir", None) or getattr(
        request.app.state.settings, "evidence_dir", None
    )
    return Path(configured) if configured else svc.DEFAULT_EVIDENCE_DIR


def _common(
    session: SessionDep, lang: str, user: m.UserAccount, unit: m.DemoUnit
) -> dict[str, Any]:
    years = years_on_record(session, unit)
    year = years[-1] if years else unit.base_year  # for the navigation links
    return {"lang": lang, "user": user, "unit": unit, "year": year, "Stage": Stage}


def _bad_request(
    request: Request, session: SessionDep, lang: str, user: m.UserAccount, unit: m.DemoUnit,
    exc: InvalidInput,
) -> HTMLResponse:  # fmt: skip
    context = _common(session, lang, user, unit) | {"title": "bad_request", "message": str(exc)}
    return render(request, "error.html", context, status_code=400)


@router.get("/projects", response_class=HTMLResponse)
def projects_board(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep, unit: UnitQ = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    stage: Annotated[str | None, Query(max_length=16)] = None,
    as_of: dt.date | None = None, grid_region: RegionQ = None, grid_year: GridYearQ = None,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    grid = _grid(grid_region, grid_year)
    try:
        board = svc.board(session, the_unit, as_of, department or None, stage or None, grid)
    except InvalidInput as exc:
        return _bad_request(request, session, lang, user, the_unit, exc)
    departments = {d.code: d for v in svc.views(session, the_unit, as_of, grid)
                   for d in v.row.departments}  # fmt: skip
    categories = {v.row.category.code: v.row.category for v in board.projects}
    context = _common(session, lang, user, the_unit) | {
        "page": "board", "board": board, "department": department, "stage": stage,
        "departments": sorted(departments.values(), key=lambda d: d.id),
        "categories": categories, "grid": grid.factor(),
    }  # fmt: skip
    return render(request, "projects.html", context)


@router.get("/projects/scenario", response_class=HTMLResponse)
def projects_scenario(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep, unit: UnitQ = None,
    grid_region: RegionQ = None, grid_year: GridYearQ = None,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        view = svc.scenario(session, the_unit, _grid(grid_region, grid_year))
    except InvalidInput as exc:
        return _bad_request(request, session, lang, user, the_unit, exc)
    context = _common(session, lang, user, the_unit) | {
        "page": "scenario", "sv": view, "chart": scenario_chart(view, lang),
        "wan": lambda t: None if t is None else convert(t, "吨", "万吨"),
    }  # fmt: skip
    return render(request, "projects.html", context)


def scenario_chart(view: svc.ScenarioView, lang: str) -> dict[str, Any]:
    """Series of the scenario chart [万吨]: recorded, BAU, with the projects, the target."""
    s = view.scenario

    def wan(values: dict[int, float] | Any) -> list[float | None]:
        return [
            round(convert(values[y], "吨", "万吨"), 2) if y in values else None for y in s.years
        ]

    allowed = {t.year: t.allowed_t for t in s.targets if t.allowed_t is not None}
    last = s.recorded_years[-1]
    bau = dict(s.bau) | {last: s.emissions[last]}  # the lines start from the last record
    with_projects = dict(s.with_projects) | {last: s.emissions[last]}
    return {
        "years": [str(y) for y in s.years],
        "unit": "万吨",
        "series": {
            "recorded": wan(s.emissions),
            "bau": wan(bau),
            "withProjects": wan(with_projects),
            "target": wan(allowed),
        },
        "labels": {
            key: translate(key, lang)
            for key in ("recorded", "bau", "with_projects", "target_allowed")
        },
    }


def _project_page(
    request: Request, session: SessionDep, user: m.UserAccount, actor: Any, lang: str,
    unit: m.DemoUnit, number: int, grid: svc.GridChoice, error: str | None = None,
    message: str | None = None, status_code: int = 200,
    entered: svc.FiguresInput | None = None, errors: list[str] | None = None,
) -> HTMLResponse:  # fmt: skip
    try:
        view = svc.project(session, unit, number, grid=grid)
    except InvalidInput as exc:
        return _bad_request(request, session, lang, user, unit, exc)
    evidence = svc.evidence_of(session, view.row)
    timeline = sorted(
        [("milestone", ms.due_date, ms) for ms in svc.milestones_of(session, view.row)]
        + [("progress", p.reported_on, p) for p in view.progress],
        key=lambda item: (item[1], item[0]),
        reverse=True,
    )
    context = _common(session, lang, user, unit) | {
        "page": "project", "view": view, "evidence": evidence, "timeline": timeline,
        "may_report": svc.may_report(actor, view.row), "error": error, "message": message,
        "reportable": REPORTABLE, "today": dt.date.today(), "grid": grid.factor(),
        "evidence_by_progress": {e.progress_id: e for e in evidence},
        "max_mb": svc.MAX_EVIDENCE_BYTES // (1024 * 1024),
        "accept": ",".join(svc.EVIDENCE_TYPES),
    }  # fmt: skip
    context |= _figures_form(view.row, entered, errors or [])
    return render(request, "project.html", context, status_code=status_code)


def _figures_form(
    row: m.KeyProject, entered: svc.FiguresInput | None, errors: list[str]
) -> dict[str, Any]:
    """The figures form: what the project holds, or what was entered when it was refused."""
    figures = row.figures or {}
    if entered is None:
        entered = svc.FiguresInput(
            kind=str(figures.get("kind", "")), use=str(figures.get("use", "")),
            values=svc.figure_form_values(row), source=str(figures.get("source", "")),
            note=str(figures.get("note", "")), start_date=svc.iso(row.start_date) or "",
        )  # fmt: skip
    fields = {name for error in errors for name in [error.split(":", 1)[0].split("（")[0]]}
    return {
        "form": entered, "form_fields": fields, "figure_units": FIGURE_UNITS,
        "figure_labels": FIGURE_LABELS, "kind_labels": KIND_LABELS, "use_labels": USE_LABELS,
    }  # fmt: skip


@router.get("/projects/{number}", response_class=HTMLResponse)
def project_page(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    number: int, unit: UnitQ = None, grid_region: RegionQ = None, grid_year: GridYearQ = None,
    saved: int = 0,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    return _project_page(
        request, session, user, actor, lang, the_unit, number, _grid(grid_region, grid_year),
        message="saved" if saved else None,
    )  # fmt: skip


def _upload(file: UploadFile | None) -> svc.EvidenceUpload | None:
    """The uploaded file, read up to one byte over the limit (so an oversized file is refused)."""
    if file is None or not file.filename:
        return None
    return svc.EvidenceUpload(file.filename, file.file.read(svc.MAX_EVIDENCE_BYTES + 1))


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{field}: expected a date like 2024-06-30, got {text!r}") from None


def _int(text: str, field: str) -> int:
    try:
        return int(text.strip() or "0")
    except ValueError:
        raise InvalidInput(f"{field}: expected a whole number, got {text!r}") from None


def _refused(
    request: Request, session: SessionDep, user: m.UserAccount, actor: Any, lang: str,
    unit: m.DemoUnit, number: int, exc: InvalidInput | PermissionDenied,
) -> HTMLResponse:  # fmt: skip
    return _project_page(
        request, session, user, actor, lang, unit, number, svc.GridChoice(), error=str(exc),
        status_code=403 if isinstance(exc, PermissionDenied) else 400,
    )  # fmt: skip


@router.post("/projects/{number}/progress", dependencies=[CsrfDep])
def post_progress(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    number: int, reported_on: Annotated[str, Form()], stage: Annotated[str, Form()],
    percent: Annotated[str, Form()] = "0", note: Annotated[str, Form()] = "",
    evidence: Annotated[UploadFile | None, File()] = None, unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        entry = svc.ProgressInput(
            _date(reported_on, "reported_on"), stage, _int(percent, "percent"), note
        )
        with session.begin_nested():  # a refused report leaves nothing behind
            svc.report_progress(
                session, actor, the_unit, number, entry, _upload(evidence), evidence_dir(request)
            )
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, actor, lang, the_unit, number, exc)
    url = f"/projects/{number}?unit={quote(the_unit.code)}&saved=1"
    return RedirectResponse(url, status_code=303)


@router.post("/projects/{number}/milestones", dependencies=[CsrfDep])
def post_milestone(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    number: int, title: Annotated[str, Form()], due_date: Annotated[str, Form()],
    unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        with session.begin_nested():
            svc.add_milestone(session, actor, the_unit, number, title, _date(due_date, "due_date"))
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, actor, lang, the_unit, number, exc)
    url = f"/projects/{number}?unit={quote(the_unit.code)}&saved=1"
    return RedirectResponse(url, status_code=303)


async def figures_input(request: Request) -> svc.FiguresInput:
    """The figures form as posted: each figure's number and unit, by field name."""
    form = await request.form()

    def text(key: str) -> str:
        value = form.get(key, "")
        return value[:500] if isinstance(value, str) else ""

    values = {name: (text(name), text(f"{name}_unit")) for name in FIGURE_UNITS}
    return svc.FiguresInput(
        kind=text("kind"), use=text("use"), values=values, source=text("source"),
        note=text("note"), start_date=text("start_date"),
    )  # fmt: skip


@router.post("/projects/{number}/figures", dependencies=[CsrfDep])
def post_figures(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    number: int, entry: Annotated[svc.FiguresInput, Depends(figures_input)], unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        with session.begin_nested():  # refused figures leave the project as it was
            svc.update_figures(session, actor, the_unit, number, entry)
    except (InvalidInput, PermissionDenied) as exc:
        errors = exc.errors if isinstance(exc, InvalidInput) else [str(exc)]
        return _project_page(
            request, session, user, actor, lang, the_unit, number, svc.GridChoice(),
            error=str(exc), status_code=403 if isinstance(exc, PermissionDenied) else 400,
            entered=entry, errors=errors,
        )  # fmt: skip
    url = f"/projects/{number}?unit={quote(the_unit.code)}&saved=1#figures"
    return RedirectResponse(url, status_code=303)


@router.post("/projects/{number}/milestones/{milestone_id}/done", dependencies=[CsrfDep])
def post_milestone_done(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    number: int, milestone_id: int, done_on: Annotated[str, Form()], unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        with session.begin_nested():
            svc.mark_milestone_done(
                session, actor, the_unit, number, milestone_id, _date(done_on, "done_on")
            )
    except (InvalidInput, PermissionDenied) as exc:
        return _refused(request, session, user, actor, lang, the_unit, number, exc)
    url = f"/projects/{number}?unit={quote(the_unit.code)}&saved=1"
    return RedirectResponse(url, status_code=303)


@router.get("/projects/{number}/evidence/{evidence_id}")
def download_evidence(
    request: Request, session: SessionDep, user: UserDep, number: int, evidence_id: int,
    unit: UnitQ = None,
) -> FileResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    row, path = svc.evidence_file(session, the_unit, number, evidence_id, evidence_dir(request))
    return FileResponse(path, media_type=row.content_type, filename=row.filename)
