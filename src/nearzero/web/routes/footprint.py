"""Product carbon footprint pages (issue #14): indicator 14 with each firm's studies, a firm's
studies with the upload (YAML, JSON, openLCA JSON-LD zip, the Excel template) and the web
form, a study's result with its contributions and the factors still to confirm, the study
report as Word or PDF. Thin: each route reads its inputs, calls services/footprint, renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nearzero.reports.jobs import Busy
from nearzero.reports.model import BuiltFile
from nearzero.services.access import Action
from nearzero.services.context import InvalidInput
from nearzero.services.footprint import files, form, studies, workbook
from nearzero.web.deps import CsrfDep, PageDep, PageRequest, Refusal, UserDep, allow, refusals
from nearzero.web.render import render_page
from nearzero.web.routes.enterprise import error_page, unit_query
from nearzero.web.routes.reports import report_jobs

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
Saved = Annotated[str | None, Query(max_length=32)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_LINES = 6
ENTRY = [CsrfDep, allow(Action.FOOTPRINT_ENTRY)]
APPROVE = [CsrfDep, allow(Action.FOOTPRINT_APPROVE)]


def _year(year: int | None) -> int:
    return year or dt.date.today().year - 1


def _attachment(built: BuiltFile, fallback: str) -> Response:
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(built.filename)}"
    return Response(
        built.data, media_type=built.media_type, headers={"Content-Disposition": disposition}
    )


def _study_url(p: PageRequest, key: str, study_id: int, saved: str | None = None) -> str:
    return f"/footprint/{quote(key)}/studies/{study_id}{unit_query(p.unit, saved=saved)}"


# --------------------------------------------------------------------------- overview


@router.get("/footprint", response_class=HTMLResponse)
def overview(p: PageDep, year: YearQ = None, saved: Saved = None) -> HTMLResponse:
    with refusals(p.session, error_page(p)):
        page = studies.overview_page(p.session, p.actor, p.unit, _year(year))
    return render_page(p.request, "footprint.html", page, p.lang, p.user, message=saved, error=None)


@router.post("/footprint/indicator", dependencies=APPROVE)
def post_feed(p: PageDep, year: Annotated[int, Form(ge=2000, le=2100)]) -> Response:
    with refusals(p.session, error_page(p)):
        studies.feed_indicator(p.session, p.actor, p.unit, year)
    url = f"/footprint{unit_query(p.unit, year=year, saved='fed')}"
    return RedirectResponse(url, status_code=303)


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
    p: PageRequest, key: str, year: int | None, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    with refusals(p.session, error_page(p)):
        page = studies.firm_page(p.session, p.actor, p.unit, key, _year(year))
    extra.setdefault("message", None)
    extra.setdefault("error", None)
    return render_page(
        p.request,
        "footprint_firm.html",
        page,
        p.lang,
        p.user,
        status_code,
        form_lines=FORM_LINES,
        **extra,
    )


def _firm_refused(p: PageRequest, key: str) -> Callable[[Refusal, int], Response]:
    def page(exc: Refusal, status: int) -> Response:
        errors = getattr(exc, "errors", [str(exc)])
        return _firm(p, key, None, status, error=str(exc), errors=errors)

    return page


@router.get("/footprint/{key}", response_class=HTMLResponse)
def firm(p: PageDep, key: str, year: YearQ = None, saved: Saved = None) -> HTMLResponse:
    return _firm(p, key, year, message=saved)


@router.post("/footprint/{key}/upload", dependencies=ENTRY)
def post_upload(
    p: PageDep,
    key: str,
    year: Annotated[int, Form(ge=2000, le=2100)],
    file: Annotated[UploadFile, File()],
) -> Response:
    with refusals(p.session, _firm_refused(p, key)):
        name = file.filename or ""
        data = file.file.read(files.MAX_SYSTEM_BYTES + 1)
        row = studies.upload_study(p.session, p.actor, p.unit, key, name, data, year)
    return RedirectResponse(_study_url(p, key, row.id), status_code=303)


@router.post("/footprint/{key}/form", dependencies=ENTRY)
async def post_form(
    p: PageDep,
    key: str,
    year: Annotated[int, Form(ge=2000, le=2100)],
    product: Annotated[str, Form(max_length=200)],
    functional_unit: Annotated[str, Form(max_length=200)],
    fu_unit: Annotated[str, Form(max_length=32)],
    amount: Annotated[str, Form(max_length=32)] = "1",
) -> Response:
    data = await p.request.form()

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
    with refusals(p.session, _firm_refused(p, key)):
        row = studies.form_study(p.session, p.actor, p.unit, key, entry, year)
    return RedirectResponse(_study_url(p, key, row.id), status_code=303)


# --------------------------------------------------------------------------- a study


@router.get("/footprint/{key}/studies/{study_id}", response_class=HTMLResponse)
def study(p: PageDep, key: str, study_id: int, saved: Saved = None) -> HTMLResponse:
    with refusals(p.session, error_page(p)):
        page = studies.study_page(p.session, p.actor, p.unit, key, study_id)
    return render_page(
        p.request, "footprint_study.html", page, p.lang, p.user, message=saved, error=None
    )


@router.post("/footprint/{key}/studies/{study_id}/compute", dependencies=ENTRY)
def post_compute(
    p: PageDep,
    key: str,
    study_id: int,
    draws: Annotated[int, Form(ge=0, le=studies.MAX_DRAWS)] = 0,
    seed: Annotated[int, Form(ge=0, le=2**31)] = 0,
) -> Response:
    with refusals(p.session, error_page(p)):
        studies.compute_study(p.session, p.actor, p.unit, key, study_id, draws, seed)
    return RedirectResponse(_study_url(p, key, study_id, "computed"), status_code=303)


@router.post("/footprint/{key}/studies/{study_id}/approve", dependencies=APPROVE)
def post_approve(p: PageDep, key: str, study_id: int) -> Response:
    with refusals(p.session, error_page(p)):
        studies.approve_study(p.session, p.actor, p.unit, key, study_id)
    return RedirectResponse(_study_url(p, key, study_id, "approved"), status_code=303)


@router.get("/footprint/{key}/studies/{study_id}/report.{kind}")
def report(p: PageDep, key: str, study_id: int, kind: str) -> Response:
    page = error_page(p)
    try:  # one build per person at a time, as for the annual report
        with report_jobs(p.request).building(p.user.username, f"footprint/{study_id}/{kind}"):
            with refusals(p.session, page):
                built = studies.report_file(p.session, p.actor, p.unit, key, study_id, kind)
    except Busy as exc:
        return page(InvalidInput(str(exc)), 429)
    return _attachment(built, f"footprint-{study_id}.{kind}")
