"""Two-high pages (issue #10): the project list with indicator 4 and the ledger's balance, a
project's page with its requirement and trace, a source's page with its lots and evidence, a
form for each movement, the Excel export. Thin: parse, call services/twohigh, render."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from nearzero.services import twohigh as svc
from nearzero.services.access import Action
from nearzero.services.projects import MAX_EVIDENCE_BYTES, EvidenceUpload
from nearzero.web.deps import CsrfDep, PageDep, PageRequest, Refusal, allow, refusals
from nearzero.web.render import render_page
from nearzero.web.routes.projects import EvidenceDirDep

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Saved = Annotated[str | None, Query(max_length=32)]
ENTRY = [CsrfDep, allow(Action.TWOHIGH_ENTRY)]
OFFICE = [CsrfDep, allow(Action.TWOHIGH_OFFICE)]


def _form(max_length: int) -> Any:
    return Form(max_length=max_length)


def _show(
    p: PageRequest, template: str, code: str = "", status: int = 200, **extra: Any
) -> Response:
    """The list (no ``code``), a project's or a source's page, with a message or an error."""
    s, a, u = p.session, p.actor, p.unit
    if template == "twohigh_project.html":
        context: Any = svc.project_page(s, a, u, code)
    elif template == "twohigh_source.html":
        context = svc.source_page(s, a, u, code)
    else:
        context = svc.list_page(s, a, u)
    extra = {"message": None, "error": None} | extra
    return render_page(p.request, template, context, p.lang, p.user, status, **extra)


def _refused(p: PageRequest, template: str = "twohigh.html", code: str = "") -> Any:
    def page(exc: Refusal, status: int) -> Response:
        return _show(p, template, code, status, error=str(exc))

    return page


def _done(p: PageRequest, path: str, saved: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?unit={quote(p.unit.code)}&saved={saved}", status_code=303)


def _project(code: str) -> str:
    return f"/twohigh/projects/{quote(code.strip())}"


def _source(code: str) -> str:
    return f"/twohigh/sources/{quote(code.strip())}"


# --------------------------------------------------------------------------- pages


@router.get("/twohigh", response_class=HTMLResponse)
def twohigh_list(p: PageDep, saved: Saved = None) -> Response:
    return _show(p, "twohigh.html", message=saved)


@router.get("/twohigh/projects/{code}", response_class=HTMLResponse)
def twohigh_project(p: PageDep, code: str, saved: Saved = None) -> Response:
    return _show(p, "twohigh_project.html", code, message=saved)


@router.get("/twohigh/sources/{code}", response_class=HTMLResponse)
def twohigh_source(p: PageDep, code: str, saved: Saved = None) -> Response:
    return _show(p, "twohigh_source.html", code, message=saved)


@router.get("/twohigh/export.xlsx")
def twohigh_export(p: PageDep) -> Response:
    name = quote(f"两高项目碳排放指标台账_{p.unit.name_zh}.xlsx")
    return Response(
        svc.export_xlsx(p.session, p.unit),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/twohigh/template.xlsx")
def twohigh_template(p: PageDep) -> Response:
    name = quote("两高项目碳排放指标台账_导入模板.xlsx")
    return Response(
        svc.template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/twohigh/evidence/{evidence_id}")
def twohigh_evidence(p: PageDep, directory: EvidenceDirDep, evidence_id: int) -> FileResponse:
    row, path = svc.evidence_file(p.session, p.unit, evidence_id, directory)
    return FileResponse(path, media_type=row.content_type, filename=row.filename)


# --------------------------------------------------------------------------- writes


@router.post("/twohigh/projects", dependencies=ENTRY)
def twohigh_add_project(
    p: PageDep,
    code: Annotated[str, _form(40)],
    name: Annotated[str, _form(200)],
    segment: Annotated[str, _form(32)],
    firm_key: Annotated[str, _form(64)] = "",
    firm_name: Annotated[str, _form(200)] = "",
    credit_code: Annotated[str, _form(18)] = "",
    capacity: Annotated[str, _form(32)] = "",
    capacity_unit: Annotated[str, _form(32)] = "",
    classification: Annotated[str, _form(32)] = "",
    disposal: Annotated[str, _form(32)] = "",
    disposal_note: Annotated[str, _form(2000)] = "",
) -> Response:
    entry = svc.ProjectInput(
        code,
        name,
        segment,
        firm_key,
        firm_name,
        credit_code,
        capacity,
        capacity_unit,
        classification,
        disposal,
        disposal_note,
    )
    with refusals(p.session, _refused(p)):
        svc.add_project(p.session, p.actor, p.unit, entry)
    return _done(p, _project(code), "project")


@router.post("/twohigh/projects/{code}/need", dependencies=ENTRY)
def twohigh_need(
    p: PageDep,
    code: str,
    dimension: Annotated[str, _form(32)],
    amount: Annotated[str, _form(40)] = "",
    fuel: Annotated[str, _form(40)] = "",
    process: Annotated[str, _form(40)] = "",
    net_purchased: Annotated[str, _form(40)] = "",
    recovered: Annotated[str, _form(40)] = "",
) -> Response:
    terms = {"fuel": fuel, "process": process, "net_purchased": net_purchased}
    with refusals(p.session, _refused(p, "twohigh_project.html", code)):
        svc.set_need(
            p.session, p.actor, p.unit, code, dimension, amount, terms | {"recovered": recovered}
        )
    return _done(p, _project(code), "need")


@router.post("/twohigh/projects/{code}/decide", dependencies=OFFICE)
def twohigh_decide(
    p: PageDep,
    code: str,
    decided_on: Annotated[str, _form(10)] = "",
    ratio_id: Annotated[str, _form(120)] = "",
    ratio_dimension: Annotated[str, _form(32)] = "",
    approval_doc: Annotated[str, _form(200)] = "",
    recompute: Annotated[str, _form(1)] = "",
) -> Response:
    named = {ratio_dimension: ratio_id} if ratio_id and ratio_dimension else None
    with refusals(p.session, _refused(p, "twohigh_project.html", code)):
        svc.decide(
            p.session,
            p.actor,
            p.unit,
            code,
            decided_on or None,
            named,
            approval_doc,
            recompute == "1",
        )
    return _done(p, _project(code), "decided")


@router.post("/twohigh/projects/{code}/stage", dependencies=OFFICE)
def twohigh_stage(
    p: PageDep,
    code: str,
    stage: Annotated[str, _form(16)],
    reason: Annotated[str, _form(2000)] = "",
) -> Response:
    with refusals(p.session, _refused(p, "twohigh_project.html", code)):
        svc.set_stage(p.session, p.actor, p.unit, code, stage, reason)
    return _done(p, _project(code), "stage")


@router.post("/twohigh/sources", dependencies=ENTRY)
def twohigh_add_source(
    p: PageDep,
    code: Annotated[str, _form(40)],
    name: Annotated[str, _form(200)],
    mechanism: Annotated[str, _form(16)],
    formed_on: Annotated[str, _form(10)],
    location: Annotated[str, _form(200)],
    dimension: Annotated[str, _form(32)],
    reduction: Annotated[str, _form(40)],
    firm_key: Annotated[str, _form(64)] = "",
    firm_name: Annotated[str, _form(200)] = "",
    credit_code: Annotated[str, _form(18)] = "",
    in_shandong: Annotated[str, _form(1)] = "",
    monitorable: Annotated[str, _form(1)] = "",
    countable: Annotated[str, _form(1)] = "",
    recheckable: Annotated[str, _form(1)] = "",
    conditions_note: Annotated[str, _form(2000)] = "",
) -> Response:
    entry = svc.SourceInput(
        code=code,
        name=name,
        mechanism=mechanism,
        formed_on=formed_on,
        location=location,
        firm_key=firm_key,
        firm_name=firm_name,
        credit_code=credit_code,
        in_shandong=in_shandong == "1",
        monitorable=monitorable == "1",
        countable=countable == "1",
        recheckable=recheckable == "1",
        conditions_note=conditions_note,
        reductions={dimension: reduction},
    )
    with refusals(p.session, _refused(p)):
        svc.add_source(p.session, p.actor, p.unit, entry)
    return _done(p, _source(code), "source")


@router.post("/twohigh/sources/{code}/verify", dependencies=OFFICE)
def twohigh_verify(p: PageDep, code: str, note: Annotated[str, _form(2000)] = "") -> Response:
    with refusals(p.session, _refused(p, "twohigh_source.html", code)):
        svc.verify_source(p.session, p.actor, p.unit, code, note)
    return _done(p, _source(code), "verified")


@router.post("/twohigh/sources/{code}/evidence", dependencies=ENTRY)
def twohigh_add_evidence(
    p: PageDep,
    directory: EvidenceDirDep,
    code: str,
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    upload = EvidenceUpload("", b"")
    if evidence is not None and evidence.filename:
        upload = EvidenceUpload(evidence.filename, evidence.file.read(MAX_EVIDENCE_BYTES + 1))
    with refusals(p.session, _refused(p, "twohigh_source.html", code)):
        svc.add_evidence(p.session, p.actor, p.unit, code, upload, directory)
    return _done(p, _source(code), "evidence")


@router.post("/twohigh/move", dependencies=OFFICE)
def twohigh_move(
    p: PageDep,
    move: Annotated[str, _form(16)],
    source: Annotated[str, _form(40)],
    dimension: Annotated[str, _form(32)],
    amount: Annotated[str, _form(40)],
    request_token: Annotated[str, _form(40)],
    project: Annotated[str, _form(40)] = "",
    origin: Annotated[str, _form(16)] = "",
    memo: Annotated[str, _form(500)] = "",
    back: Annotated[str, _form(40)] = "",
) -> Response:
    entry = svc.MoveInput(move, source, dimension, amount, project, origin, request_token, memo)
    on_project = back == "project" and bool(project)
    refused = _refused(p, "twohigh_project.html", project) if on_project else _refused(p)
    with refusals(p.session, refused):
        svc.move(p.session, p.actor, p.unit, entry)
    return _done(p, _project(project) if on_project else "/twohigh", "moved")


@router.post("/twohigh/load", dependencies=OFFICE)
def twohigh_load(p: PageDep, file: Annotated[UploadFile, File()]) -> Response:
    """The ledger workbook (the template's shape), all or nothing."""
    with refusals(p.session, _refused(p)):
        content = file.file.read(svc.MAX_WORKBOOK_BYTES + 1)
        svc.load_workbook_file(p.session, p.actor, p.unit, content, file.filename or "")
    return _done(p, "/twohigh", "loaded")


@router.post("/twohigh/ratios", dependencies=OFFICE)
def twohigh_add_ratio(
    p: PageDep,
    ratio_id: Annotated[str, _form(120)],
    document: Annotated[str, _form(64)],
    document_zh: Annotated[str, _form(200)],
    segment: Annotated[str, _form(32)],
    dimension: Annotated[str, _form(32)],
    ratio: Annotated[str, _form(16)],
    effective_from: Annotated[str, _form(10)],
    source: Annotated[str, _form(2000)],
    effective_until: Annotated[str, _form(10)] = "",
    applies: Annotated[str, _form(8)] = "always",
    status: Annotated[str, _form(16)] = "to_confirm",
    note: Annotated[str, _form(2000)] = "",
) -> Response:
    values = {
        "id": ratio_id,
        "document": document,
        "document_zh": document_zh,
        "segment": segment,
        "dimension": dimension,
        "ratio": ratio,
        "effective_from": effective_from,
        "effective_until": effective_until,
        "applies": applies,
        "status": status,
        "source": source,
        "note": note,
    }
    with refusals(p.session, _refused(p)):
        svc.add_ratio(p.session, p.actor, p.unit, values)
    return _done(p, "/twohigh", "ratio")


@router.post("/twohigh/indicator", dependencies=[CsrfDep, allow(Action.INDICATOR_JUDGEMENT)])
def twohigh_feed_indicator(p: PageDep, year: Annotated[int, Form(ge=2000, le=2100)]) -> Response:
    with refusals(p.session, _refused(p)):
        svc.feed_indicator_4(p.session, p.actor, p.unit, year)
    return _done(p, "/twohigh", "indicator")
