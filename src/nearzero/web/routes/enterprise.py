"""Enterprise pages (issue #9): the list with screening flags, an enterprise's page, a report's
page with its verification workflow and evidence, the screening, benchmark and compliance
tables, the Excel template and exports. Thin: each route reads its inputs, calls
services/enterprise and renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from nearzero.services.access import Action
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.enterprise import (
    benchmarks,
    compliance,
    registry,
    report as ent_report,
    reports,
    screening,
    workbook as ent_workbook,
)
from nearzero.services.projects import MAX_EVIDENCE_BYTES, EvidenceUpload
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
from nearzero.web.routes.projects import EvidenceDirDep

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _q(unit: m.DemoUnit, **extra: Any) -> str:
    rest = "".join(f"&{k}={quote(str(v))}" for k, v in extra.items() if v is not None)
    return f"?unit={quote(unit.code)}{rest}"


def _int(text: str, field: str, optional: bool = False) -> int | None:
    if optional and not text.strip():
        return None
    try:
        return int(text.strip().replace(",", ""))
    except ValueError:
        raise InvalidInput(f"{field}: expected a whole number, got {text!r}") from None


def _read(file: UploadFile | None, limit: int) -> tuple[str, bytes]:
    if file is None or not file.filename:
        return "", b""
    return file.filename, file.file.read(limit + 1)


# --------------------------------------------------------------------------- list


def _list(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    year: int | None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    page = registry.list_page(session, actor, unit, year)
    return render_page(request, "enterprises.html", page, lang, user, status_code, **extra)


@router.get("/enterprises", response_class=HTMLResponse)
def enterprise_list(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    saved: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    return _list(request, session, user, actor, lang, unit, year, message=saved, error=None)


def _list_refused(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
) -> Callable[[Refusal, int], Response]:
    def page(exc: Refusal, status: int) -> Response:
        errors = exc.errors if isinstance(exc, InvalidInput) else [str(exc)]
        return _list(
            request, session, user, actor, lang, unit, None, status, error=str(exc), errors=errors
        )

    return page


@router.post("/enterprises/load", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)])
def post_load(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    with refusals(session, _list_refused(request, session, user, actor, lang, unit)):
        name, content = _read(file, registry.MAX_REGISTRY_BYTES)
        registry.load_registry_file(session, actor, unit, name, content)
    return RedirectResponse(f"/enterprises{_q(unit, saved='loaded')}", status_code=303)


@router.post("/enterprises/add", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)])
def post_add(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: Annotated[str, Form(max_length=64)],
    name_zh: Annotated[str, Form(max_length=200)],
    credit_code: Annotated[str, Form(max_length=40)] = "",
    industry_code: Annotated[str, Form(max_length=16)] = "",
    sector: Annotated[str, Form(max_length=64)] = "",
    subdistrict: Annotated[str, Form(max_length=100)] = "",
    covered_by_ets: Annotated[str, Form()] = "",
    illustrative: Annotated[str, Form()] = "",
) -> Response:
    entry = registry.EnterpriseInput(
        key,
        name_zh,
        credit_code,
        industry_code,
        sector,
        subdistrict,
        bool(covered_by_ets),
        bool(illustrative),
    )
    with refusals(session, _list_refused(request, session, user, actor, lang, unit)):
        row = registry.add_enterprise(session, actor, unit, entry)
    return RedirectResponse(f"/enterprises/{quote(row.key)}{_q(unit)}", status_code=303)


# --------------------------------------------------------------------------- tables


def _table_page(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    kind: str,
    year: int | None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    chosen = year or registry.default_year(session, unit)
    page: Any
    with refusals(session, _error_page(request, lang, user, unit)):
        if kind == "screening":
            page = screening.screening_page(session, actor, unit, chosen)
        elif kind == "benchmarks":
            page = benchmarks.benchmark_page(session, actor, unit, chosen)
        elif kind == "crosscheck":
            page = ent_report.crosscheck_page(session, actor, unit, chosen)
        else:
            page = compliance.compliance_page(session, actor, unit, chosen)
    return render_page(request, "enterprise_tables.html", page, lang, user, status_code, **extra)


@router.get("/enterprises/screening", response_class=HTMLResponse)
def screening_table(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
) -> HTMLResponse:
    return _table_page(request, session, user, actor, lang, unit, "screening", year)


@router.get("/enterprises/benchmarks", response_class=HTMLResponse)
def benchmark_table(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
) -> HTMLResponse:
    return _table_page(request, session, user, actor, lang, unit, "benchmarks", year)


@router.get("/enterprises/crosscheck", response_class=HTMLResponse)
def crosscheck_table(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
) -> HTMLResponse:
    return _table_page(request, session, user, actor, lang, unit, "crosscheck", year)


@router.get("/enterprises/compliance", response_class=HTMLResponse)
def compliance_table(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    saved: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    return _table_page(
        request, session, user, actor, lang, unit, "compliance", year, message=saved, error=None
    )


@router.post(
    "/enterprises/compliance/allowance", dependencies=[CsrfDep, allow(Action.ENTERPRISE_COMPLIANCE)]
)
def post_allowance(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    firm: Annotated[str, Form(max_length=64)],
    year: Annotated[str, Form(max_length=8)],
    allocated: Annotated[str, Form(max_length=20)],
    ccer_used: Annotated[str, Form(max_length=20)] = "0",
    surrendered_tonnes: Annotated[str, Form(max_length=20)] = "",
    surrendered_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    chosen = int(year) if year.isdigit() else None

    def refused(exc: Refusal, status: int) -> Response:
        return _table_page(
            request, session, user, actor, lang, unit, "compliance", chosen, status, error=str(exc)
        )

    with refusals(session, refused):
        day = None
        if surrendered_on.strip():
            try:
                day = dt.date.fromisoformat(surrendered_on.strip())
            except ValueError:
                raise InvalidInput(
                    f"surrendered_on: expected a date like 2025-12-31, got {surrendered_on!r}"
                ) from None
        compliance.set_allowance(
            session,
            actor,
            unit,
            firm,
            _int(year, "year") or 0,
            _int(allocated, "allocated") or 0,
            _int(ccer_used or "0", "ccer_used") or 0,
            _int(surrendered_tonnes, "surrendered_tonnes", optional=True),
            day,
        )
    return RedirectResponse(
        f"/enterprises/compliance{_q(unit, year=chosen, saved='saved')}", status_code=303
    )


@router.get("/enterprises/export.xlsx")
def export_list(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    kind: Annotated[
        str, Query(pattern="^(list|screening|benchmarks|compliance|crosscheck)$")
    ] = "list",
    year: YearQ = None,
) -> Response:
    chosen = year or registry.default_year(session, unit)
    page: Any
    with refusals(session, _error_page(request, lang, user, unit)):
        if kind == "screening":
            page = screening.screening_page(session, actor, unit, chosen)
        elif kind == "benchmarks":
            page = benchmarks.benchmark_page(session, actor, unit, chosen)
        elif kind == "compliance":
            page = compliance.compliance_page(session, actor, unit, chosen)
        elif kind == "crosscheck":
            page = ent_report.crosscheck_page(session, actor, unit, chosen)
        else:
            page = registry.list_page(session, actor, unit, chosen)
    headers, rows = page.table()
    titles = {
        "list": "企业名录",
        "screening": "筛查",
        "benchmarks": "能效标杆",
        "compliance": "履约",
        "crosscheck": "清单交叉核对",
    }
    data = ent_workbook.table_xlsx(f"{titles[kind]}{chosen}", headers, rows)
    name = quote(f"{unit.code}-enterprise-{kind}-{chosen}.xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


# --------------------------------------------------------------------------- reports


def _report(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    report_id: int,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    with refusals(session, _error_page(request, lang, user, unit)):
        page = reports.report_page(session, actor, unit, report_id)
    return render_page(request, "enterprise_report.html", page, lang, user, status_code, **extra)


@router.get("/enterprises/reports/{report_id}", response_class=HTMLResponse)
def report_view(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    report_id: int,
    saved: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    return _report(request, session, user, actor, lang, unit, report_id, message=saved, error=None)


def _report_refused(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    report_id: int,
) -> Callable[[Refusal, int], Response]:
    def page(exc: Refusal, status: int) -> Response:
        errors = exc.errors if isinstance(exc, InvalidInput) else [str(exc)]
        return _report(
            request,
            session,
            user,
            actor,
            lang,
            unit,
            report_id,
            status,
            error=str(exc),
            errors=errors,
        )

    return page


@router.post(
    "/enterprises/reports/{report_id}/step",
    dependencies=[CsrfDep, allow(Action.ENTERPRISE_WORKFLOW)],
)
def post_step(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    report_id: int,
    step: Annotated[str, Form(max_length=32)],
    verifier: Annotated[str, Form(max_length=64)] = "",
    findings: Annotated[str, Form(max_length=5000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    with refusals(session, _report_refused(request, session, user, actor, lang, unit, report_id)):
        if step == "submit":
            reports.submit(session, actor, unit, report_id)
        elif step == "start_verification":
            reports.assign(session, actor, unit, report_id, verifier)
        elif step == "verify":
            name, content = _read(file, reports.MAX_REPORT_BYTES)
            reports.verify(
                session, actor, unit, report_id, findings.splitlines(), name, content or None
            )
        elif step == "confirm":
            reports.confirm(session, actor, unit, report_id)
        elif step == "return":
            reports.return_report(session, actor, unit, report_id, reason)
        else:
            raise InvalidInput(f"step: {step!r} is not a workflow step")
    return RedirectResponse(
        f"/enterprises/reports/{report_id}{_q(unit, saved=step)}", status_code=303
    )


@router.post(
    "/enterprises/reports/{report_id}/evidence",
    dependencies=[CsrfDep, allow(Action.ENTERPRISE_EVIDENCE)],
)
def post_evidence(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    report_id: int,
    evidence: Annotated[UploadFile, File()],
    month: Annotated[str, Form(max_length=2)] = "",
    item: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    with refusals(session, _report_refused(request, session, user, actor, lang, unit, report_id)):
        name, content = _read(evidence, MAX_EVIDENCE_BYTES)
        upload = EvidenceUpload(name, content)
        chosen = _int(month, "month", optional=True)
        reports.add_evidence(session, actor, unit, report_id, upload, directory, chosen, item)
    return RedirectResponse(
        f"/enterprises/reports/{report_id}{_q(unit, saved='evidence')}", status_code=303
    )


@router.get("/enterprises/reports/{report_id}/evidence/{evidence_id}")
def download_evidence(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    report_id: int,
    evidence_id: int,
) -> FileResponse:
    with refusals(session, _error_page(request, lang, user, unit)):
        row, path = reports.evidence_file(session, actor, unit, report_id, evidence_id, directory)
    return FileResponse(path, media_type=row.content_type, filename=row.filename)


# --------------------------------------------------------------------------- one enterprise


def _enterprise(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    key: str,
    year: int | None = None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    with refusals(session, _error_page(request, lang, user, unit)):
        page = registry.enterprise_page(session, actor, unit, key, year)
    return render_page(request, "enterprise.html", page, lang, user, status_code, **extra)


def _enterprise_refused(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    key: str,
) -> Callable[[Refusal, int], Response]:
    def page(exc: Refusal, status: int) -> Response:
        errors = exc.errors if isinstance(exc, InvalidInput) else [str(exc)]
        return _enterprise(
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


@router.get("/enterprises/{key}", response_class=HTMLResponse)
def enterprise_view(
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
    return _enterprise(
        request, session, user, actor, lang, unit, key, year, message=saved, error=None
    )


@router.get("/enterprises/{key}/template.xlsx")
def template(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    year: Annotated[int, Query(ge=2000, le=2100)],
) -> Response:
    with refusals(session, _error_page(request, lang, user, unit)):
        data = reports.template(session, actor, unit, key, year)
    name = quote(f"{key}-{year}-report-template.xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/enterprises/{key}/reports", dependencies=[CsrfDep, allow(Action.ENTERPRISE_ENTRY)])
def post_report(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    file: Annotated[UploadFile, File()],
) -> Response:
    with refusals(session, _enterprise_refused(request, session, user, actor, lang, unit, key)):
        name, content = _read(file, reports.MAX_REPORT_BYTES)
        row = reports.save_draft(session, actor, unit, key, name, content)
    return RedirectResponse(
        f"/enterprises/reports/{row.id}{_q(unit, saved='draft')}", status_code=303
    )


@router.post("/enterprises/{key}/edit", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)])
def post_edit(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    name_zh: Annotated[str, Form(max_length=200)],
    credit_code: Annotated[str, Form(max_length=40)] = "",
    industry_code: Annotated[str, Form(max_length=16)] = "",
    sector: Annotated[str, Form(max_length=64)] = "",
    subdistrict: Annotated[str, Form(max_length=100)] = "",
    covered_by_ets: Annotated[str, Form()] = "",
    illustrative: Annotated[str, Form()] = "",
) -> Response:
    entry = registry.EnterpriseInput(
        key,
        name_zh,
        credit_code,
        industry_code,
        sector,
        subdistrict,
        bool(covered_by_ets),
        bool(illustrative),
    )
    with refusals(session, _enterprise_refused(request, session, user, actor, lang, unit, key)):
        registry.edit_enterprise(session, actor, unit, key, entry)
    return RedirectResponse(f"/enterprises/{quote(key)}{_q(unit, saved='saved')}", status_code=303)


@router.post(
    "/enterprises/{key}/facilities", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)]
)
def post_facility(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    facility_key: Annotated[str, Form(max_length=64)],
    name_zh: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=16)] = "line",
    capacity: Annotated[str, Form(max_length=32)] = "",
    capacity_unit: Annotated[str, Form(max_length=32)] = "",
    benchmark_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    entry = registry.FacilityInput(
        facility_key, name_zh, kind, capacity, capacity_unit, benchmark_id
    )
    with refusals(session, _enterprise_refused(request, session, user, actor, lang, unit, key)):
        registry.add_facility(session, actor, unit, key, entry)
    return RedirectResponse(f"/enterprises/{quote(key)}{_q(unit, saved='saved')}", status_code=303)


@router.post(
    "/enterprises/{key}/efficiency", dependencies=[CsrfDep, allow(Action.ENTERPRISE_ENTRY)]
)
def post_efficiency(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    key: str,
    facility_key: Annotated[str, Form(max_length=64)],
    year: Annotated[str, Form(max_length=8)],
    value: Annotated[str, Form(max_length=32)],
) -> Response:
    with refusals(session, _enterprise_refused(request, session, user, actor, lang, unit, key)):
        chosen = _int(year, "year") or 0
        benchmarks.set_efficiency(session, actor, unit, key, facility_key, chosen, value)
    return RedirectResponse(f"/enterprises/{quote(key)}{_q(unit, saved='saved')}", status_code=303)


@router.post("/enterprises/{key}/evidence", dependencies=[CsrfDep, allow(Action.ENTERPRISE_ENTRY)])
def post_monthly_evidence(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    key: str,
    evidence: Annotated[UploadFile, File()],
    year: Annotated[str, Form(max_length=8)],
    month: Annotated[str, Form(max_length=2)],
    item: Annotated[str, Form(max_length=32)],
) -> Response:
    with refusals(session, _enterprise_refused(request, session, user, actor, lang, unit, key)):
        name, content = _read(evidence, MAX_EVIDENCE_BYTES)
        chosen = _int(year, "year") or 0
        reports.file_monthly_evidence(
            session,
            actor,
            unit,
            key,
            chosen,
            _int(month, "month") or 0,
            item,
            EvidenceUpload(name, content),
            directory,
        )
    return RedirectResponse(
        f"/enterprises/{quote(key)}{_q(unit, year=chosen, saved='evidence')}", status_code=303
    )
