"""Enterprise pages (issue #9): the list with screening flags, an enterprise's page, a report's
page with its verification workflow and evidence, the screening, benchmark and compliance
tables, the Excel template and exports. Thin: each route reads its inputs, calls
services/enterprise and renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from nearzero.services.access import Action
from nearzero.services.context import InvalidInput
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
from nearzero.web.deps import CsrfDep, PageDep, PageRequest, Refusal, allow, refusals
from nearzero.web.render import CHOICES, render, render_page
from nearzero.web.routes.projects import EvidenceDirDep

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
Saved = Annotated[str | None, Query(max_length=32)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def error_page(p: PageRequest) -> Callable[[Refusal, int], Response]:
    """The error page a refused read or write of the enterprise (and footprint) pages gets."""

    def page(exc: Refusal, status: int) -> Response:
        context = CHOICES | {
            "lang": p.lang,
            "user": p.user,
            "unit": p.unit,
            "year": None,
            "title": "bad_request",
            "message": str(exc),
        }
        return render(p.request, "error.html", context, status)

    return page


def unit_query(unit: m.DemoUnit, **extra: Any) -> str:
    """``?unit=…`` and the other query parameters that are not None."""
    rest = "".join(f"&{k}={quote(str(v))}" for k, v in extra.items() if v is not None)
    return f"?unit={quote(unit.code)}{rest}"


def _int(text: str, field: str, optional: bool = False) -> int | None:
    if optional and not text.strip():
        return None
    try:
        return int(text.strip().replace(",", ""))
    except ValueError:
        raise InvalidInput(
            f"{field}: 应为整数，而不是“{text}” — expected a whole number, got {text!r}"
        ) from None


def _read(file: UploadFile | None, limit: int) -> tuple[str, bytes]:
    if file is None or not file.filename:
        return "", b""
    return file.filename, file.file.read(limit + 1)


def _refused(show: Callable[..., HTMLResponse]) -> Callable[[Refusal, int], Response]:
    """A form's refusal: ``show`` (the page the form is on) with the error and each problem."""

    def page(exc: Refusal, status: int) -> Response:
        errors = exc.errors if isinstance(exc, InvalidInput) else [str(exc)]
        return show(status_code=status, error=str(exc), errors=errors)

    return page


# --------------------------------------------------------------------------- list


def _list(p: PageRequest, year: int | None, status_code: int = 200, **extra: Any) -> HTMLResponse:
    page = registry.list_page(p.session, p.actor, p.unit, year)
    return render_page(p.request, "enterprises.html", page, p.lang, p.user, status_code, **extra)


@router.get("/enterprises", response_class=HTMLResponse)
def enterprise_list(p: PageDep, year: YearQ = None, saved: Saved = None) -> HTMLResponse:
    return _list(p, year, message=saved, error=None)


def _list_refused(p: PageRequest) -> Callable[[Refusal, int], Response]:
    return _refused(lambda **extra: _list(p, None, **extra))


@router.post("/enterprises/load", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)])
def post_load(p: PageDep, file: Annotated[UploadFile, File()]) -> Response:
    with refusals(p.session, _list_refused(p)):
        name, content = _read(file, registry.MAX_REGISTRY_BYTES)
        registry.load_registry_file(p.session, p.actor, p.unit, name, content)
    return RedirectResponse(f"/enterprises{unit_query(p.unit, saved='loaded')}", status_code=303)


@router.post("/enterprises/add", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)])
def post_add(
    p: PageDep,
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
    with refusals(p.session, _list_refused(p)):
        row = registry.add_enterprise(p.session, p.actor, p.unit, entry)
    return RedirectResponse(f"/enterprises/{quote(row.key)}{unit_query(p.unit)}", status_code=303)


# --------------------------------------------------------------------------- tables


def _table(p: PageRequest, kind: str, year: int) -> Any:
    """The page of table ``kind`` (the firms' list for any other kind) of ``year``."""
    s, a, u = p.session, p.actor, p.unit
    with refusals(s, error_page(p)):
        if kind == "screening":
            return screening.screening_page(s, a, u, year)
        if kind == "benchmarks":
            return benchmarks.benchmark_page(s, a, u, year)
        if kind == "crosscheck":
            return ent_report.crosscheck_page(s, a, u, year)
        if kind == "compliance":
            return compliance.compliance_page(s, a, u, year)
        return registry.list_page(s, a, u, year)


def _table_page(
    p: PageRequest, kind: str, year: int | None, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    page = _table(p, kind, year or registry.default_year(p.session, p.unit))
    return render_page(
        p.request, "enterprise_tables.html", page, p.lang, p.user, status_code, **extra
    )


@router.get("/enterprises/screening", response_class=HTMLResponse)
def screening_table(p: PageDep, year: YearQ = None) -> HTMLResponse:
    return _table_page(p, "screening", year)


@router.get("/enterprises/benchmarks", response_class=HTMLResponse)
def benchmark_table(p: PageDep, year: YearQ = None) -> HTMLResponse:
    return _table_page(p, "benchmarks", year)


@router.get("/enterprises/crosscheck", response_class=HTMLResponse)
def crosscheck_table(p: PageDep, year: YearQ = None) -> HTMLResponse:
    return _table_page(p, "crosscheck", year)


@router.get("/enterprises/compliance", response_class=HTMLResponse)
def compliance_table(p: PageDep, year: YearQ = None, saved: Saved = None) -> HTMLResponse:
    return _table_page(p, "compliance", year, message=saved, error=None)


@router.post(
    "/enterprises/compliance/allowance", dependencies=[CsrfDep, allow(Action.ENTERPRISE_COMPLIANCE)]
)
def post_allowance(
    p: PageDep,
    firm: Annotated[str, Form(max_length=64)],
    year: Annotated[str, Form(max_length=8)],
    allocated: Annotated[str, Form(max_length=20)],
    ccer_used: Annotated[str, Form(max_length=20)] = "0",
    surrendered_tonnes: Annotated[str, Form(max_length=20)] = "",
    surrendered_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    chosen = int(year) if year.isdigit() else None

    def refused(exc: Refusal, status: int) -> Response:
        return _table_page(p, "compliance", chosen, status, error=str(exc))

    with refusals(p.session, refused):
        day = None
        if surrendered_on.strip():
            try:
                day = dt.date.fromisoformat(surrendered_on.strip())
            except ValueError:
                raise InvalidInput(
                    f"surrendered_on: 应为日期（如2025-12-31），而不是“{surrendered_on}” — "
                    f"expected a date like 2025-12-31, got {surrendered_on!r}"
                ) from None
        compliance.set_allowance(
            p.session,
            p.actor,
            p.unit,
            firm,
            _int(year, "year") or 0,
            _int(allocated, "allocated") or 0,
            _int(ccer_used or "0", "ccer_used") or 0,
            _int(surrendered_tonnes, "surrendered_tonnes", optional=True),
            day,
        )
    return RedirectResponse(
        f"/enterprises/compliance{unit_query(p.unit, year=chosen, saved='saved')}", status_code=303
    )


@router.get("/enterprises/export.xlsx")
def export_list(
    p: PageDep,
    kind: Annotated[
        str, Query(pattern="^(list|screening|benchmarks|compliance|crosscheck)$")
    ] = "list",
    year: YearQ = None,
) -> Response:
    chosen = year or registry.default_year(p.session, p.unit)
    headers, rows = _table(p, kind, chosen).table()
    titles = {
        "list": "企业名录",
        "screening": "筛查",
        "benchmarks": "能效标杆",
        "compliance": "履约",
        "crosscheck": "清单交叉核对",
    }
    data = ent_workbook.table_xlsx(f"{titles[kind]}{chosen}", headers, rows)
    name = quote(f"{p.unit.code}-enterprise-{kind}-{chosen}.xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


# --------------------------------------------------------------------------- reports


def _report(p: PageRequest, report_id: int, status_code: int = 200, **extra: Any) -> HTMLResponse:
    with refusals(p.session, error_page(p)):
        page = reports.report_page(p.session, p.actor, p.unit, report_id)
    return render_page(
        p.request, "enterprise_report.html", page, p.lang, p.user, status_code, **extra
    )


@router.get("/enterprises/reports/{report_id}", response_class=HTMLResponse)
def report_view(p: PageDep, report_id: int, saved: Saved = None) -> HTMLResponse:
    return _report(p, report_id, message=saved, error=None)


def _report_refused(p: PageRequest, report_id: int) -> Callable[[Refusal, int], Response]:
    return _refused(lambda **extra: _report(p, report_id, **extra))


@router.post(
    "/enterprises/reports/{report_id}/step",
    dependencies=[CsrfDep, allow(Action.ENTERPRISE_WORKFLOW)],
)
def post_step(
    p: PageDep,
    report_id: int,
    step: Annotated[str, Form(max_length=32)],
    verifier: Annotated[str, Form(max_length=64)] = "",
    findings: Annotated[str, Form(max_length=5000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    s, a, u = p.session, p.actor, p.unit
    with refusals(s, _report_refused(p, report_id)):
        if step == "submit":
            reports.submit(s, a, u, report_id)
        elif step == "start_verification":
            reports.assign(s, a, u, report_id, verifier)
        elif step == "verify":
            name, content = _read(file, reports.MAX_REPORT_BYTES)
            reports.verify(s, a, u, report_id, findings.splitlines(), name, content or None)
        elif step == "confirm":
            reports.confirm(s, a, u, report_id)
        elif step == "return":
            reports.return_report(s, a, u, report_id, reason)
        else:
            raise InvalidInput(
                f"step: “{step}”不是报告流程中的步骤 — {step!r} is not a workflow step"
            )
    return RedirectResponse(
        f"/enterprises/reports/{report_id}{unit_query(u, saved=step)}", status_code=303
    )


@router.post(
    "/enterprises/reports/{report_id}/evidence",
    dependencies=[CsrfDep, allow(Action.ENTERPRISE_EVIDENCE)],
)
def post_evidence(
    p: PageDep,
    directory: EvidenceDirDep,
    report_id: int,
    evidence: Annotated[UploadFile, File()],
    month: Annotated[str, Form(max_length=2)] = "",
    item: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    with refusals(p.session, _report_refused(p, report_id)):
        name, content = _read(evidence, MAX_EVIDENCE_BYTES)
        upload = EvidenceUpload(name, content)
        chosen = _int(month, "month", optional=True)
        reports.add_evidence(p.session, p.actor, p.unit, report_id, upload, directory, chosen, item)
    return RedirectResponse(
        f"/enterprises/reports/{report_id}{unit_query(p.unit, saved='evidence')}", status_code=303
    )


@router.get("/enterprises/reports/{report_id}/evidence/{evidence_id}")
def download_evidence(
    p: PageDep, directory: EvidenceDirDep, report_id: int, evidence_id: int
) -> FileResponse:
    with refusals(p.session, error_page(p)):
        row, path = reports.evidence_file(
            p.session, p.actor, p.unit, report_id, evidence_id, directory
        )
    return FileResponse(path, media_type=row.content_type, filename=row.filename)


# --------------------------------------------------------------------------- one enterprise


def _enterprise(
    p: PageRequest, key: str, year: int | None = None, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    with refusals(p.session, error_page(p)):
        page = registry.enterprise_page(p.session, p.actor, p.unit, key, year)
    return render_page(p.request, "enterprise.html", page, p.lang, p.user, status_code, **extra)


def _enterprise_refused(p: PageRequest, key: str) -> Callable[[Refusal, int], Response]:
    return _refused(lambda **extra: _enterprise(p, key, None, **extra))


def _saved(p: PageRequest, key: str, **query: Any) -> RedirectResponse:
    return RedirectResponse(
        f"/enterprises/{quote(key)}{unit_query(p.unit, **query)}", status_code=303
    )


@router.get("/enterprises/{key}", response_class=HTMLResponse)
def enterprise_view(p: PageDep, key: str, year: YearQ = None, saved: Saved = None) -> HTMLResponse:
    return _enterprise(p, key, year, message=saved, error=None)


@router.get("/enterprises/{key}/template.xlsx")
def template(p: PageDep, key: str, year: Annotated[int, Query(ge=2000, le=2100)]) -> Response:
    with refusals(p.session, error_page(p)):
        data = reports.template(p.session, p.actor, p.unit, key, year)
    name = quote(f"{key}-{year}-report-template.xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/enterprises/{key}/reports", dependencies=[CsrfDep, allow(Action.ENTERPRISE_ENTRY)])
def post_report(p: PageDep, key: str, file: Annotated[UploadFile, File()]) -> Response:
    with refusals(p.session, _enterprise_refused(p, key)):
        name, content = _read(file, reports.MAX_REPORT_BYTES)
        row = reports.save_draft(p.session, p.actor, p.unit, key, name, content)
    return RedirectResponse(
        f"/enterprises/reports/{row.id}{unit_query(p.unit, saved='draft')}", status_code=303
    )


@router.post("/enterprises/{key}/edit", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)])
def post_edit(
    p: PageDep,
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
    with refusals(p.session, _enterprise_refused(p, key)):
        registry.edit_enterprise(p.session, p.actor, p.unit, key, entry)
    return _saved(p, key, saved="saved")


@router.post(
    "/enterprises/{key}/facilities", dependencies=[CsrfDep, allow(Action.ENTERPRISE_REGISTRY)]
)
def post_facility(
    p: PageDep,
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
    with refusals(p.session, _enterprise_refused(p, key)):
        registry.add_facility(p.session, p.actor, p.unit, key, entry)
    return _saved(p, key, saved="saved")


@router.post(
    "/enterprises/{key}/efficiency", dependencies=[CsrfDep, allow(Action.ENTERPRISE_ENTRY)]
)
def post_efficiency(
    p: PageDep,
    key: str,
    facility_key: Annotated[str, Form(max_length=64)],
    year: Annotated[str, Form(max_length=8)],
    value: Annotated[str, Form(max_length=32)],
) -> Response:
    with refusals(p.session, _enterprise_refused(p, key)):
        chosen = _int(year, "year") or 0
        benchmarks.set_efficiency(p.session, p.actor, p.unit, key, facility_key, chosen, value)
    return _saved(p, key, saved="saved")


@router.post("/enterprises/{key}/evidence", dependencies=[CsrfDep, allow(Action.ENTERPRISE_ENTRY)])
def post_monthly_evidence(
    p: PageDep,
    directory: EvidenceDirDep,
    key: str,
    evidence: Annotated[UploadFile, File()],
    year: Annotated[str, Form(max_length=8)],
    month: Annotated[str, Form(max_length=2)],
    item: Annotated[str, Form(max_length=32)],
) -> Response:
    with refusals(p.session, _enterprise_refused(p, key)):
        name, content = _read(evidence, MAX_EVIDENCE_BYTES)
        chosen = _int(year, "year") or 0
        reports.file_monthly_evidence(
            p.session,
            p.actor,
            p.unit,
            key,
            chosen,
            _int(month, "month") or 0,
            item,
            EvidenceUpload(name, content),
            directory,
        )
    return _saved(p, key, year=chosen, saved="evidence")
