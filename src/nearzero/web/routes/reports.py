"""The annual evaluation report page: year, summary, the office's sections, downloads, builds.

Downloads work without JavaScript (``/report/download`` builds while the browser waits); with
it, app.js starts a background build (``POST /report/jobs``), polls its progress
(``GET /report/jobs/{id}``) and then offers the file (``GET /report/jobs/{id}/file``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from nearzero.reports.jobs import Busy, JobStore
from nearzero.reports.model import BuiltFile, Progress
from nearzero.services import indicators as indicator_service
from nearzero.services import report as svc
from nearzero.services.context import InvalidInput, PermissionDenied, Role
from nearzero.store import tables as m
from nearzero.store.db import transaction
from nearzero.web.deps import ActorDep, CsrfDep, LangDep, SessionDep, UserDep
from nearzero.web.routes.pages import UnitQ, YearQ, _unit, _year, render

router = APIRouter()

KindQ = Annotated[str, Query(alias="format", pattern="^(docx|pdf|dossier)$")]


def _jobs(request: Request) -> JobStore:
    """The app's job store, made on first use."""
    store: JobStore | None = getattr(request.app.state, "report_jobs", None)
    if store is None:
        store = request.app.state.report_jobs = JobStore()
    return store


def _evidence_store(request: Request) -> Path:
    configured = getattr(request.app.state.settings, "evidence_dir", None)
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
    request: Request, session: Session, user: m.UserAccount, lang: str, unit: m.DemoUnit,
    year: int | None, error: str | None = None, message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    chosen, years = _year(session, unit, year)
    # any year of the demonstration may be reported on, with data or not (yet)
    last = min(unit.target_year, max(dt.date.today().year, years[-1]))
    years = sorted({*years, chosen, *range(unit.base_year, last + 1)})
    ev = indicator_service.evaluate_unit(session, unit, chosen)
    sections = svc.get_sections(session, unit, chosen)
    context: dict[str, Any] = {
        "lang": lang, "user": user, "unit": unit, "year": chosen, "years": years, "ev": ev,
        "summary": svc.summary(ev), "sections": sections, "labels": svc.EDITABLE,
        "is_admin": user.role == Role.ADMIN.value, "error": error, "message": message,
        "title": "report",
    }  # fmt: skip
    return render(request, "report.html", context, status_code=status_code)


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep,
    year: YearQ = None, unit: UnitQ = None, saved: int = 0,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    return _page(request, session, user, lang, the_unit, year, message="saved" if saved else None)


@router.post("/report/sections", dependencies=[CsrfDep])
def post_section(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    year: Annotated[int, Form()], key: Annotated[str, Form()],
    body: Annotated[str, Form()] = "", unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        with session.begin_nested():  # a refused write leaves nothing behind
            svc.set_section(session, actor, the_unit, year, key, body)
    except (InvalidInput, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return _page(request, session, user, lang, the_unit, year, str(exc), status_code=status)
    url = f"/report?unit={quote(the_unit.code)}&year={year}&saved=1#{quote(key)}"
    return RedirectResponse(url, status_code=303)


@router.get("/report/download")
def download(
    request: Request, session: SessionDep, user: UserDep, year: Annotated[int, Query()],
    kind: KindQ = "pdf", unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    built = svc.build_file(session, the_unit, year, kind, evidence_store=_evidence_store(request))
    return _attachment(built, _fallback_name(the_unit.code, year, kind))


def _build(
    sessions: sessionmaker[Session], unit_code: str, year: int, kind: str, store: Path
) -> Any:
    """The work of one background build, in its own read-only transaction."""

    def work(progress: Progress) -> BuiltFile:
        with transaction(sessions) as session:
            unit = indicator_service.get_unit(session, unit_code)
            return svc.build_file(session, unit, year, kind, progress, store)

    return work


@router.post("/report/jobs", dependencies=[CsrfDep])
def start_job(
    request: Request, session: SessionDep, user: UserDep, year: Annotated[int, Form()],
    kind: Annotated[str, Form(alias="format", pattern="^(docx|pdf|dossier)$")] = "pdf",
    unit: Annotated[str | None, Form(max_length=64)] = None,
) -> JSONResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    work = _build(request.app.state.sessions, the_unit.code, year, kind, _evidence_store(request))
    try:
        job = _jobs(request).start(user.username, f"{the_unit.code}/{year}/{kind}", work)
    except Busy as exc:
        raise HTTPException(429, str(exc)) from None
    return JSONResponse(_job_json(job.to_dict()), status_code=202)


def _job_json(data: dict[str, object]) -> dict[str, object]:
    base = f"/report/jobs/{data['id']}"
    return data | {"poll": base, "download": f"{base}/file" if data["state"] == "done" else None}


@router.get("/report/jobs/{job_id}")
def job_status(request: Request, user: UserDep, job_id: str) -> dict[str, object]:
    job = _jobs(request).get(job_id, user.username)
    if job is None:
        raise HTTPException(404, "no such build (it may have expired)")
    return _job_json(job.to_dict())


@router.get("/report/jobs/{job_id}/file")
def job_file(request: Request, user: UserDep, job_id: str) -> Response:
    job = _jobs(request).get(job_id, user.username)
    if job is None or job.result is None:
        raise HTTPException(404, "no finished build with this id")
    unit, year, kind = job.label.split("/")
    return _attachment(job.result, _fallback_name(unit, int(year), kind))
