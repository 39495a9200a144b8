"""Key-project pages: the board with alerts, a project's page with its progress form and
evidence, the scenario chart. Thin: each route reads its inputs, calls services/projects.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from nearzero.projects.parameters import DEFAULT_GRID_REGION
from nearzero.projects.reduction import FIGURE_UNITS
from nearzero.services import projects as svc
from nearzero.services.access import Action
from nearzero.services.context import Actor, InvalidInput
from nearzero.store import tables as m
from nearzero.web.deps import (
    ActorDep,
    CsrfDep,
    LangDep,
    Refusal,
    SessionDep,
    SettingsDep,
    UnitDep,
    UserDep,
    allow,
    refusals,
)
from nearzero.web.render import CHOICES, render, render_page

router = APIRouter()

RegionQ = Annotated[str | None, Query(max_length=64)]
GridYearQ = Annotated[int | None, Query(ge=2000, le=2100)]


def grid_choice(grid_region: RegionQ = None, grid_year: GridYearQ = None) -> svc.GridChoice:
    """The grid factor asked for by ``?grid_region=&grid_year=`` (default: the newest)."""
    return svc.GridChoice(grid_region or DEFAULT_GRID_REGION, grid_year)


GridDep = Annotated[svc.GridChoice, Depends(grid_choice)]


def evidence_dir(request: Request, settings: SettingsDep) -> Path:
    """Where evidence files live: ``app.state.evidence_dir``, else a settings field
    ``evidence_dir`` if one exists (the report builder reads the same), else ``var/evidence``."""
    configured = getattr(request.app.state, "evidence_dir", None) or getattr(
        settings, "evidence_dir", None
    )
    return Path(configured) if configured else svc.DEFAULT_EVIDENCE_DIR


EvidenceDirDep = Annotated[Path, Depends(evidence_dir)]


def _bad_request(
    request: Request, session: SessionDep, lang: str, user: m.UserAccount, unit: m.DemoUnit
) -> Callable[[Refusal, int], Response]:
    """The error page for a refused request (a bad filter or grid choice)."""

    def page(exc: Refusal, status: int) -> Response:
        context = CHOICES | {
            "lang": lang,
            "user": user,
            "unit": unit,
            "year": svc.nav_year(session, unit),
            "title": "bad_request",
            "message": str(exc),
        }
        return render(request, "error.html", context, status)

    return page


@router.get("/projects", response_class=HTMLResponse)
def projects_board(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    grid: GridDep,
    department: Annotated[str | None, Query(max_length=64)] = None,
    stage: Annotated[str | None, Query(max_length=16)] = None,
    as_of: dt.date | None = None,
) -> HTMLResponse:
    with refusals(session, _bad_request(request, session, lang, user, unit)):
        page = svc.board_page(session, unit, as_of, department, stage, grid)
    return render_page(request, "projects.html", page, lang, user)


@router.get("/projects/scenario", response_class=HTMLResponse)
def projects_scenario(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    grid: GridDep,
) -> HTMLResponse:
    with refusals(session, _bad_request(request, session, lang, user, unit)):
        page = svc.scenario_page(session, unit, grid)
    return render_page(request, "projects.html", page, lang, user)


def _project(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    number: int,
    grid: svc.GridChoice,
    status_code: int = 200,
    entered: svc.FiguresInput | None = None,
    errors: list[str] | None = None,
    **extra: str | None,
) -> HTMLResponse:
    with refusals(session, _bad_request(request, session, lang, user, unit)):
        page = svc.project_page(session, actor, unit, number, grid, entered, errors or [])
    return render_page(request, "project.html", page, lang, user, status_code, **extra)


@router.get("/projects/{number}", response_class=HTMLResponse)
def project_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    grid: GridDep,
    number: int,
    saved: int = 0,
) -> HTMLResponse:
    message = "saved" if saved else None
    return _project(
        request, session, user, actor, lang, unit, number, grid, message=message, error=None
    )


def _refused(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    number: int,
    entered: svc.FiguresInput | None = None,
) -> Callable[[Refusal, int], Response]:
    """The project's page again with the refusal's message (and, for the figures form, what
    was entered, with the fields at fault marked)."""

    def page(exc: Refusal, status: int) -> Response:
        errors = exc.errors if isinstance(exc, InvalidInput) else [str(exc)]
        return _project(
            request,
            session,
            user,
            actor,
            lang,
            unit,
            number,
            svc.GridChoice(),
            status,
            entered,
            errors if entered is not None else None,
            error=str(exc),
        )

    return page


def _upload(file: UploadFile | None) -> svc.EvidenceUpload | None:
    """The uploaded file, read up to one byte over the limit (so an oversized file is refused)."""
    if file is None or not file.filename:
        return None
    return svc.EvidenceUpload(file.filename, file.file.read(svc.MAX_EVIDENCE_BYTES + 1))


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field}: 应为日期（如2024-06-30），而不是“{text}” — "
            f"expected a date like 2024-06-30, got {text!r}"
        ) from None


def _int(text: str, field: str) -> int:
    try:
        return int(text.strip() or "0")
    except ValueError:
        raise InvalidInput(
            f"{field}: 应为整数，而不是“{text}” — expected a whole number, got {text!r}"
        ) from None


def _saved(number: int, unit: m.DemoUnit, anchor: str = "") -> RedirectResponse:
    url = f"/projects/{number}?unit={quote(unit.code)}&saved=1{anchor}"
    return RedirectResponse(url, status_code=303)


@router.post("/projects/{number}/progress", dependencies=[CsrfDep, allow(Action.PROJECT_PROGRESS)])
def post_progress(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    number: int,
    reported_on: Annotated[str, Form()],
    stage: Annotated[str, Form()],
    percent: Annotated[str, Form()] = "0",
    note: Annotated[str, Form()] = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, number)):
        day = _date(reported_on, "reported_on")
        entry = svc.ProgressInput(day, stage, _int(percent, "percent"), note)
        upload = _upload(evidence)
        svc.report_progress(session, actor, unit, number, entry, upload, directory)
    return _saved(number, unit)


@router.post(
    "/projects/{number}/milestones", dependencies=[CsrfDep, allow(Action.PROJECT_PROGRESS)]
)
def post_milestone(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    number: int,
    title: Annotated[str, Form()],
    due_date: Annotated[str, Form()],
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, number)):
        svc.add_milestone(session, actor, unit, number, title, _date(due_date, "due_date"))
    return _saved(number, unit)


async def figures_input(request: Request) -> svc.FiguresInput:
    """The figures form as posted: each figure's number and unit, by field name."""
    form = await request.form()

    def text(key: str) -> str:
        value = form.get(key, "")
        return value[:500] if isinstance(value, str) else ""

    values = {name: (text(name), text(f"{name}_unit")) for name in FIGURE_UNITS}
    return svc.FiguresInput(
        kind=text("kind"),
        use=text("use"),
        values=values,
        source=text("source"),
        note=text("note"),
        start_date=text("start_date"),
    )


@router.post("/projects/{number}/figures", dependencies=[CsrfDep, allow(Action.PROJECT_PROGRESS)])
def post_figures(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    number: int,
    entry: Annotated[svc.FiguresInput, Depends(figures_input)],
) -> Response:
    refused = _refused(request, session, user, actor, lang, unit, number, entered=entry)
    with refusals(session, refused):  # refused figures leave the project as it was
        svc.update_figures(session, actor, unit, number, entry)
    return _saved(number, unit, "#figures")


@router.post(
    "/projects/{number}/milestones/{milestone_id}/done",
    dependencies=[CsrfDep, allow(Action.PROJECT_PROGRESS)],
)
def post_milestone_done(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    number: int,
    milestone_id: int,
    done_on: Annotated[str, Form()],
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, number)):
        day = _date(done_on, "done_on")
        svc.mark_milestone_done(session, actor, unit, number, milestone_id, day)
    return _saved(number, unit)


@router.get("/projects/{number}/evidence/{evidence_id}")
def download_evidence(
    session: SessionDep,
    user: UserDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    number: int,
    evidence_id: int,
) -> FileResponse:
    row, path = svc.evidence_file(session, unit, number, evidence_id, directory)
    return FileResponse(path, media_type=row.content_type, filename=row.filename)
