"""The annual evaluation report page: year, summary, the office's sections, downloads, builds.

Downloads work without JavaScript (``/report/download`` builds while the browser waits); with
it, app.js starts a background build (``POST /report/jobs``), polls its progress
(``GET /report/jobs/{id}``) and then offers the file (``GET /report/jobs/{id}/file``).
Both check the year first (400 for a year the unit has no report for), allow one build in
progress per user (429 for a second), and serve unchanged data from the build cache
(:func:`nearzero.services.report.cached_build`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from nearzero.reports.jobs import BuildCache, Busy, JobStore
from nearzero.reports.model import BuiltFile, Progress
from nearzero.services import indicators as indicator_service, report as svc
from nearzero.services.access import Action
from nearzero.services.context import InvalidInput, Role
from nearzero.settings import Settings
from nearzero.store import tables as m
from nearzero.store.db import transaction
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
    current_unit,
    refusals,
)
from nearzero.web.render import render_page
from nearzero.web.routes.pages import YearQ

router = APIRouter()

KindQ = Annotated[str, Query(alias="format", pattern="^(docx|pdf|dossier)$")]


def report_jobs(request: Request) -> JobStore:
    """The app's job store, made on first use (every build a person waits for holds a place)."""
    store: JobStore | None = getattr(request.app.state, "report_jobs", None)
    if store is None:
        store = request.app.state.report_jobs = JobStore()
    return store


def _cache(request: Request) -> BuildCache:
    """The app's cache of built files, made on first use."""
    cache: BuildCache | None = getattr(request.app.state, "report_cache", None)
    if cache is None:
        cache = request.app.state.report_cache = BuildCache()
    return cache


def _evidence_store(settings: Settings) -> Path:
    configured = getattr(settings, "evidence_dir", None)
    return Path(configured) if configured else svc.DEFAULT_EVIDENCE_STORE


def _attachment(built: BuiltFile, fallback: str) -> Response:
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(built.filename)}"
    return Response(
        built.data, media_type=built.media_type, headers={"Content-Disposition": disposition}
    )


def _fallback_name(unit: str, year: int, kind: str) -> str:
    suffix = svc.FORMATS[kind][0]
    return f"{unit}-{year}-{'dossier' if kind == 'dossier' else 'report'}.{suffix}"


def _page(
    request: Request,
    session: Session,
    user: m.UserAccount,
    lang: str,
    unit: m.DemoUnit,
    year: int | None,
    error: Refusal | Busy | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render_page(
        request,
        "report.html",
        svc.report_page(session, unit, year, lang=lang),
        lang,
        user,
        status_code,
        unit=unit,
        is_admin=user.role == Role.ADMIN.value,
        error=str(error) if error else None,
        message=message,
        title="report",
    )


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    saved: int = 0,
) -> HTMLResponse:
    return _page(request, session, user, lang, unit, year, message="saved" if saved else None)


@router.post("/report/sections", dependencies=[CsrfDep, allow(Action.REPORT_TEXT)])
def post_section(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: Annotated[int, Form()],
    key: Annotated[str, Form()],
    body: Annotated[str, Form()] = "",
) -> Response:
    def page(exc: Refusal, status: int) -> Response:
        return _page(request, session, user, lang, unit, year, exc, status_code=status)

    with refusals(session, page):  # a refused write leaves nothing behind
        svc.set_section(session, actor, unit, year, key, body)
    url = f"/report?unit={quote(unit.code)}&year={year}&saved=1#{quote(key)}"
    return RedirectResponse(url, status_code=303)


@router.get("/report/download")
def download(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    year: Annotated[int, Query()],
    kind: KindQ = "pdf",
) -> Response:
    def page(exc: Refusal | Busy, status: int) -> Response:
        return _page(request, session, user, lang, unit, None, exc, status_code=status)

    store = _evidence_store(settings)
    with refusals(session, page):  # a year the unit has no report for: 400
        svc.check_build(session, unit, year, kind)
    try:
        with report_jobs(request).building(user.username, f"{unit.code}/{year}/{kind}"):
            built = svc.cached_build(
                session, _cache(request), unit, year, kind, evidence_store=store
            )
    except Busy as exc:
        return page(exc, 429)
    return _attachment(built, _fallback_name(unit.code, year, kind))


def _build(
    sessions: sessionmaker[Session],
    cache: BuildCache,
    unit_code: str,
    year: int,
    kind: str,
    store: Path,
) -> Any:
    """The work of one background build, in its own read-only transaction."""

    def work(progress: Progress) -> BuiltFile:
        with transaction(sessions) as session:
            unit = indicator_service.get_unit(session, unit_code)
            return svc.cached_build(session, cache, unit, year, kind, progress, store)

    return work


@router.post("/report/jobs", dependencies=[CsrfDep, allow(Action.REPORT_BUILD)])
def start_job(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: UserDep,
    year: Annotated[int, Form()],
    kind: Annotated[str, Form(alias="format", pattern="^(docx|pdf|dossier)$")] = "pdf",
    unit: Annotated[str | None, Form(max_length=64)] = None,
) -> JSONResponse:
    the_unit = current_unit(session, settings, unit)  # the unit comes with the form here
    try:
        svc.check_build(session, the_unit, year, kind)
    except InvalidInput as exc:
        raise HTTPException(400, str(exc)) from None
    store = _evidence_store(settings)
    work = _build(request.app.state.sessions, _cache(request), the_unit.code, year, kind, store)
    try:
        job = report_jobs(request).start(user.username, f"{the_unit.code}/{year}/{kind}", work)
    except Busy as exc:
        raise HTTPException(429, str(exc)) from None
    return JSONResponse(_job_json(job.to_dict()), status_code=202)


def _job_json(data: dict[str, object]) -> dict[str, object]:
    base = f"/report/jobs/{data['id']}"
    return data | {"poll": base, "download": f"{base}/file" if data["state"] == "done" else None}


@router.get("/report/jobs/{job_id}")
def job_status(request: Request, user: UserDep, job_id: str) -> dict[str, object]:
    job = report_jobs(request).get(job_id, user.username)
    if job is None:
        raise HTTPException(
            404, "job: 没有这项生成任务（可能已过期） — no such build (it may have expired)"
        )
    return _job_json(job.to_dict())


@router.get("/report/jobs/{job_id}/file")
def job_file(request: Request, user: UserDep, job_id: str) -> Response:
    job = report_jobs(request).get(job_id, user.username)
    if job is None or job.result is None:
        raise HTTPException(404, "job: 没有已完成的这项生成任务 — no finished build with this id")
    unit, year, kind = job.label.split("/")
    return _attachment(job.result, _fallback_name(unit, int(year), kind))
