"""Product carbon footprint pages (issue #14): indicator 14 with each firm's studies, a firm's
studies with the upload (YAML, JSON, openLCA JSON-LD zip, the Excel template) and the web
form, a study's result with its contributions and the factors still to confirm, the study
report as Word or PDF. Thin: each route reads its inputs, calls services/footprint, renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nearzero.reports.jobs import Busy
from nearzero.reports.model import BuiltFile
from nearzero.services.access import Action
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.footprint import files, form, studies, workbook
from nearzero.store import tables as m
from nearzero.web.deps import (
    ActorDep,
    CsrfDep,
    LangDep,
    Refusal,
    SessionDep,
    UnitDep,
    UserDep,
    allow,
    refusals,
)
from nearzero.web.render import CHOICES, render, render_page
from nearzero.web.routes.reports import report_jobs

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_LINES = 6


def _year(year: int | None) -> int:
    return year or dt.date.today().year - 1


def _q(unit: m.DemoUnit, **extra: Any) -> str:
    rest = "".join(f"&{k}={quote(str(v))}" for k, v in extra.items() if v is not None)
    return f"?unit={quote(unit.code)}{rest}"


def _error_page(
    request: Request, lang: str, user: m.UserAccount, unit: m.DemoUnit
) -> Callable[[Refusal, int], Response]:
    def page(exc: Refusal, status: int) -> Response:
        context = CHOICES | {
            "lang": lang,
            "user": user,
            "unit": unit,
            "year": None,
            "title": "bad_request",
            "message": str(exc),
        }
        return render(request, "error.html", context, status)

    return page


def _attachment(built: BuiltFile, fallback: str) -> Response:
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(built.filename)}"
    return Response(
        built.data, media_type=built.media_type, headers={"Content-Disposition": disposition}
    )


# --------------------------------------------------------------------------- overview


@router.get("/footprint", response_class=HTMLResponse)
def overview(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    saved: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    with refusals(session, _error_page(request, lang, user, unit)):
        page = studies.overview_page(session, actor, unit, _year(year))
    return render_page(request, "footprint.html", page, lang, user, message=saved, error=None)


@router.post("/footprint/indicator", dependencies=[CsrfDep, allow(Action.FOOTPRINT_APPROVE)])
def post_feed(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: Annotated[int, Form(ge=2000, le=2100)],
) -> Response:
    with refusals(session, _error_page(request, lang, user, unit)):
        studies.feed_indicator(session, actor, unit, year)
    return RedirectResponse(f"/footprint{_q(unit, year=year, saved='fed')}", status_code=303)


@router.get("/footprint/template.xlsx")
def template(user: UserDep) -> Response:
    return Response(
        workbook.template(),
        media_type=XLSX,
        headers={
            "Content-Disposition": 'attachment; filename="footprint-template.xlsx"; '
            f"filename*=UTF-8''{quote('产品碳足迹数据模板.xlsx')}"
        },
    )


# --------------------------------------------------------------------------- a firm


def _firm(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    key: str,
    year: int | None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    with refusals(session, _error_page(request, lang, user, unit)):
        page = studies.firm_page(session, actor, unit, key, _year(year))
    extra.setdefault("message", None)
    extra.setdefault("error", None)
    return render_page(
        request,
        "footprint_firm.html",
        page,
        lang,
        user,
        status_code,
        form_lines=FORM_LINES,
        **extra,
    )


def _firm_refused(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    key: str,
) -> Callable[[Refusal, int], Response]:
    def page(exc: Refusal, status: int) -> Response:
        errors = getattr(exc, "errors", [str(exc)])
        return _firm(
            request,
            session,
            user,
            actor,
            lang,
            unit,
            key,
            None,
            status,
            error=str(exc),
            errors=errors,
        )

    return page


@router.get("/footprint/{key}", response_class=HTMLResponse)
def firm(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    year: YearQ = None,
    saved: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    return _firm(request, session, user, actor, lang, unit, key, year, message=saved)


@router.post("/footprint/{key}/upload", dependencies=[CsrfDep, allow(Action.FOOTPRINT_ENTRY)])
def post_upload(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    year: Annotated[int, Form(ge=2000, le=2100)],
    file: Annotated[UploadFile, File()],
) -> Response:
    with refusals(session, _firm_refused(request, session, user, actor, lang, unit, key)):
        name = file.filename or ""
        data = file.file.read(files.MAX_SYSTEM_BYTES + 1)
        row = studies.upload_study(session, actor, unit, key, name, data, year)
    return RedirectResponse(f"/footprint/{quote(key)}/studies/{row.id}{_q(unit)}", status_code=303)


@router.post("/footprint/{key}/form", dependencies=[CsrfDep, allow(Action.FOOTPRINT_ENTRY)])
async def post_form(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    year: Annotated[int, Form(ge=2000, le=2100)],
    product: Annotated[str, Form(max_length=200)],
    functional_unit: Annotated[str, Form(max_length=200)],
    fu_unit: Annotated[str, Form(max_length=32)],
    amount: Annotated[str, Form(max_length=32)] = "1",
) -> Response:
    data = await request.form()

    def text(name: str) -> str:
        value = data.get(name, "")
        return value[:200] if isinstance(value, str) else ""

    lines = [
        form.FormLine(
            text(f"kind_{i}"),
            text(f"name_{i}"),
            text(f"amount_{i}"),
            text(f"unit_{i}"),
            text(f"factor_{i}"),
            text(f"per_unit_{i}"),
        )
        for i in range(1, FORM_LINES + 1)
    ]
    entry = form.FormInput(product, functional_unit, fu_unit, amount, lines=lines)
    with refusals(session, _firm_refused(request, session, user, actor, lang, unit, key)):
        row = studies.form_study(session, actor, unit, key, entry, year)
    return RedirectResponse(f"/footprint/{quote(key)}/studies/{row.id}{_q(unit)}", status_code=303)


# --------------------------------------------------------------------------- a study


@router.get("/footprint/{key}/studies/{study_id}", response_class=HTMLResponse)
def study(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    study_id: int,
    saved: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    with refusals(session, _error_page(request, lang, user, unit)):
        page = studies.study_page(session, actor, unit, key, study_id)
    return render_page(request, "footprint_study.html", page, lang, user, message=saved, error=None)


@router.post(
    "/footprint/{key}/studies/{study_id}/compute",
    dependencies=[CsrfDep, allow(Action.FOOTPRINT_ENTRY)],
)
def post_compute(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    study_id: int,
    draws: Annotated[int, Form(ge=0, le=studies.MAX_DRAWS)] = 0,
    seed: Annotated[int, Form(ge=0, le=2**31)] = 0,
) -> Response:
    with refusals(session, _error_page(request, lang, user, unit)):
        studies.compute_study(session, actor, unit, key, study_id, draws, seed)
    url = f"/footprint/{quote(key)}/studies/{study_id}{_q(unit, saved='computed')}"
    return RedirectResponse(url, status_code=303)


@router.post(
    "/footprint/{key}/studies/{study_id}/approve",
    dependencies=[CsrfDep, allow(Action.FOOTPRINT_APPROVE)],
)
def post_approve(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    study_id: int,
) -> Response:
    with refusals(session, _error_page(request, lang, user, unit)):
        studies.approve_study(session, actor, unit, key, study_id)
    url = f"/footprint/{quote(key)}/studies/{study_id}{_q(unit, saved='approved')}"
    return RedirectResponse(url, status_code=303)


@router.get("/footprint/{key}/studies/{study_id}/report.{kind}")
def report(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    study_id: int,
    kind: str,
) -> Response:
    page = _error_page(request, lang, user, unit)
    try:  # one build per person at a time, as for the annual report
        with report_jobs(request).building(user.username, f"footprint/{study_id}/{kind}"):
            with refusals(session, page):
                built = studies.report_file(session, actor, unit, key, study_id, kind)
    except Busy as exc:
        return page(InvalidInput(str(exc)), 429)
    return _attachment(built, f"footprint-{study_id}.{kind}")
