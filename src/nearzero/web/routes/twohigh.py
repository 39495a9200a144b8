"""Two-high pages (issue #10): the project list with indicator 4 and the ledger's balance, a
project's page with its requirement and trace, a source's page with its lots and evidence, a
form for each movement, the Excel export. Thin: parse, call services/twohigh, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from nearzero.services import twohigh as svc
from nearzero.services.access import Action
from nearzero.services.context import Actor
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
from nearzero.web.render import render_page
from nearzero.web.routes.projects import EvidenceDirDep

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Saved = Annotated[str | None, Query(max_length=32)]
ENTRY = [CsrfDep, allow(Action.TWOHIGH_ENTRY)]
OFFICE = [CsrfDep, allow(Action.TWOHIGH_OFFICE)]


def _q(unit: m.DemoUnit) -> str:
    return f"?unit={quote(unit.code)}"


def _done(path: str, unit: m.DemoUnit, saved: str) -> RedirectResponse:
    return RedirectResponse(f"{path}{_q(unit)}&saved={saved}", status_code=303)


Page = Callable[[Refusal, int], Response]


def _list_page(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
) -> Page:
    def page(exc: Refusal, status: int) -> Response:
        context = svc.list_page(session, actor, unit)
        return render_page(
            request, "twohigh.html", context, lang, user, status, error=str(exc), message=None
        )

    return page


def _project_page(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    code: str,
) -> Page:
    def page(exc: Refusal, status: int) -> Response:
        context = svc.project_page(session, actor, unit, code)
        return render_page(
            request,
            "twohigh_project.html",
            context,
            lang,
            user,
            status,
            error=str(exc),
            message=None,
        )

    return page


def _source_page(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    code: str,
) -> Page:
    def page(exc: Refusal, status: int) -> Response:
        context = svc.source_page(session, actor, unit, code)
        return render_page(
            request,
            "twohigh_source.html",
            context,
            lang,
            user,
            status,
            error=str(exc),
            message=None,
        )

    return page


# --------------------------------------------------------------------------- pages


@router.get("/twohigh", response_class=HTMLResponse)
def twohigh_list(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    saved: Saved = None,
) -> HTMLResponse:
    context = svc.list_page(session, actor, unit)
    return render_page(request, "twohigh.html", context, lang, user, message=saved, error=None)


@router.get("/twohigh/projects/{code}", response_class=HTMLResponse)
def twohigh_project(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    saved: Saved = None,
) -> HTMLResponse:
    context = svc.project_page(session, actor, unit, code)
    return render_page(
        request, "twohigh_project.html", context, lang, user, message=saved, error=None
    )


@router.get("/twohigh/sources/{code}", response_class=HTMLResponse)
def twohigh_source(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    saved: Saved = None,
) -> HTMLResponse:
    context = svc.source_page(session, actor, unit, code)
    return render_page(
        request, "twohigh_source.html", context, lang, user, message=saved, error=None
    )


@router.get("/twohigh/export.xlsx")
def twohigh_export(session: SessionDep, user: UserDep, unit: UnitDep) -> Response:
    content = svc.export_xlsx(session, unit)
    name = quote(f"两高项目碳排放指标台账_{unit.name_zh}.xlsx")
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/twohigh/evidence/{evidence_id}")
def twohigh_evidence(
    session: SessionDep, user: UserDep, unit: UnitDep, directory: EvidenceDirDep, evidence_id: int
) -> FileResponse:
    row, path = svc.evidence_file(session, unit, evidence_id, directory)
    return FileResponse(path, media_type=row.content_type, filename=row.filename)


# --------------------------------------------------------------------------- writes


@router.post("/twohigh/projects", dependencies=ENTRY)
def twohigh_add_project(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=200)],
    segment: Annotated[str, Form(max_length=32)],
    firm_key: Annotated[str, Form(max_length=64)] = "",
    firm_name: Annotated[str, Form(max_length=200)] = "",
    credit_code: Annotated[str, Form(max_length=18)] = "",
    capacity: Annotated[str, Form(max_length=32)] = "",
    capacity_unit: Annotated[str, Form(max_length=32)] = "",
    classification: Annotated[str, Form(max_length=32)] = "",
    disposal: Annotated[str, Form(max_length=32)] = "",
    disposal_note: Annotated[str, Form(max_length=2000)] = "",
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
    with refusals(session, _list_page(request, session, user, actor, lang, unit)):
        svc.add_project(session, actor, unit, entry)
    return _done(f"/twohigh/projects/{quote(code.strip())}", unit, "project")


@router.post("/twohigh/projects/{code}/need", dependencies=ENTRY)
def twohigh_need(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    dimension: Annotated[str, Form(max_length=32)],
    amount: Annotated[str, Form(max_length=40)] = "",
    fuel: Annotated[str, Form(max_length=40)] = "",
    process: Annotated[str, Form(max_length=40)] = "",
    net_purchased: Annotated[str, Form(max_length=40)] = "",
    recovered: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    terms = {
        "fuel": fuel,
        "process": process,
        "net_purchased": net_purchased,
        "recovered": recovered,
    }
    with refusals(session, _project_page(request, session, user, actor, lang, unit, code)):
        svc.set_need(session, actor, unit, code, dimension, amount, terms)
    return _done(f"/twohigh/projects/{quote(code)}", unit, "need")


@router.post("/twohigh/projects/{code}/decide", dependencies=OFFICE)
def twohigh_decide(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    decided_on: Annotated[str, Form(max_length=10)] = "",
    ratio_id: Annotated[str, Form(max_length=120)] = "",
    ratio_dimension: Annotated[str, Form(max_length=32)] = "",
    approval_doc: Annotated[str, Form(max_length=200)] = "",
    recompute: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    named = {ratio_dimension: ratio_id} if ratio_id and ratio_dimension else None
    with refusals(session, _project_page(request, session, user, actor, lang, unit, code)):
        svc.decide(
            session, actor, unit, code, decided_on or None, named, approval_doc, recompute == "1"
        )
    return _done(f"/twohigh/projects/{quote(code)}", unit, "decided")


@router.post("/twohigh/projects/{code}/stage", dependencies=OFFICE)
def twohigh_stage(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    stage: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with refusals(session, _project_page(request, session, user, actor, lang, unit, code)):
        svc.set_stage(session, actor, unit, code, stage, reason)
    return _done(f"/twohigh/projects/{quote(code)}", unit, "stage")


@router.post("/twohigh/sources", dependencies=ENTRY)
def twohigh_add_source(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=200)],
    mechanism: Annotated[str, Form(max_length=16)],
    formed_on: Annotated[str, Form(max_length=10)],
    location: Annotated[str, Form(max_length=200)],
    dimension: Annotated[str, Form(max_length=32)],
    reduction: Annotated[str, Form(max_length=40)],
    firm_key: Annotated[str, Form(max_length=64)] = "",
    firm_name: Annotated[str, Form(max_length=200)] = "",
    credit_code: Annotated[str, Form(max_length=18)] = "",
    in_shandong: Annotated[str, Form(max_length=1)] = "",
    monitorable: Annotated[str, Form(max_length=1)] = "",
    countable: Annotated[str, Form(max_length=1)] = "",
    recheckable: Annotated[str, Form(max_length=1)] = "",
    conditions_note: Annotated[str, Form(max_length=2000)] = "",
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
    with refusals(session, _list_page(request, session, user, actor, lang, unit)):
        svc.add_source(session, actor, unit, entry)
    return _done(f"/twohigh/sources/{quote(code.strip())}", unit, "source")


@router.post("/twohigh/sources/{code}/verify", dependencies=OFFICE)
def twohigh_verify(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with refusals(session, _source_page(request, session, user, actor, lang, unit, code)):
        svc.verify_source(session, actor, unit, code, note)
    return _done(f"/twohigh/sources/{quote(code)}", unit, "verified")


@router.post("/twohigh/sources/{code}/evidence", dependencies=ENTRY)
def twohigh_add_evidence(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    code: str,
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    upload = EvidenceUpload("", b"")
    if evidence is not None and evidence.filename:
        upload = EvidenceUpload(evidence.filename, evidence.file.read(MAX_EVIDENCE_BYTES + 1))
    with refusals(session, _source_page(request, session, user, actor, lang, unit, code)):
        svc.add_evidence(session, actor, unit, code, upload, directory)
    return _done(f"/twohigh/sources/{quote(code)}", unit, "evidence")


@router.post("/twohigh/move", dependencies=OFFICE)
def twohigh_move(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    move: Annotated[str, Form(max_length=16)],
    source: Annotated[str, Form(max_length=40)],
    dimension: Annotated[str, Form(max_length=32)],
    amount: Annotated[str, Form(max_length=40)],
    request_token: Annotated[str, Form(max_length=40)],
    project: Annotated[str, Form(max_length=40)] = "",
    origin: Annotated[str, Form(max_length=16)] = "",
    memo: Annotated[str, Form(max_length=500)] = "",
    back: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    entry = svc.MoveInput(move, source, dimension, amount, project, origin, request_token, memo)
    page = (
        _project_page(request, session, user, actor, lang, unit, project)
        if back == "project" and project
        else _list_page(request, session, user, actor, lang, unit)
    )
    with refusals(session, page):
        svc.move(session, actor, unit, entry)
    path = f"/twohigh/projects/{quote(project)}" if back == "project" and project else "/twohigh"
    return _done(path, unit, "moved")


@router.post("/twohigh/ratios", dependencies=OFFICE)
def twohigh_add_ratio(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    ratio_id: Annotated[str, Form(max_length=120)],
    document: Annotated[str, Form(max_length=64)],
    document_zh: Annotated[str, Form(max_length=200)],
    segment: Annotated[str, Form(max_length=32)],
    dimension: Annotated[str, Form(max_length=32)],
    ratio: Annotated[str, Form(max_length=16)],
    effective_from: Annotated[str, Form(max_length=10)],
    source: Annotated[str, Form(max_length=2000)],
    effective_until: Annotated[str, Form(max_length=10)] = "",
    applies: Annotated[str, Form(max_length=8)] = "always",
    status: Annotated[str, Form(max_length=16)] = "to_confirm",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values: dict[str, Any] = {
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
    with refusals(session, _list_page(request, session, user, actor, lang, unit)):
        svc.add_ratio(session, actor, unit, values)
    return _done("/twohigh", unit, "ratio")
