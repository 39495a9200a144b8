"""The indicator workbook in the browser: download the template, upload it, see every problem
(sheet, row, column) or a preview of the changes, confirm; evidence files of a value.

Thin: each route reads its input and calls :mod:`nearzero.services.workbook` (the same
validation as ``nearzero indicators import``) or :mod:`nearzero.services.evidence`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from nearzero.services import evidence as evidence_service, workbook as svc
from nearzero.services.access import Action
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.indicators import evaluation_year
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
from nearzero.web.routes.pages import YearQ
from nearzero.web.routes.projects import EvidenceDirDep  # one evidence folder for every file

router = APIRouter()

MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
"""The largest workbook read from an upload [bytes]; the xlsx guard then checks its parts."""


def _page(
    request: Request,
    session: Session,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    year: int | None,
    status_code: int = 200,
    **extra: object,
) -> HTMLResponse:
    shown = {k: v for k, v in extra.items() if k in ("problems", "plan", "upload", "saved")}
    page = svc.workbook_page(session, actor, unit, year, **shown)  # type: ignore[arg-type]
    rest = {k: v for k, v in extra.items() if k not in shown}
    rest.setdefault("message", None)
    rest.setdefault("error", None)
    return render_page(request, "workbook.html", page, lang, user, status_code, **rest)


def _refused(
    request: Request,
    session: Session,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    year: int | None,
) -> Callable[[Refusal, int], Response]:
    """The workbook page again with the refusal: every problem of a refused workbook."""

    def page(exc: Refusal, status: int) -> Response:
        problems = exc.problems if isinstance(exc, svc.WorkbookInvalid) else []
        return _page(
            request, session, user, actor, lang, unit, year, status, problems=problems, error=exc
        )

    return page


@router.get("/workbook", response_class=HTMLResponse)
def workbook_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    saved: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    attached: Annotated[int, Query(ge=0, le=1)] = 0,
) -> HTMLResponse:
    message = "workbook_saved" if saved is not None else "evidence_attached" if attached else None
    return _page(request, session, user, actor, lang, unit, year, message=message, count=saved)


@router.get("/workbook/template")
def download_template(
    session: SessionDep, actor: ActorDep, unit: UnitDep, year: YearQ = None
) -> Response:
    chosen = year if year is not None else evaluation_year(session, unit)
    template = svc.template_for(session, actor, unit, chosen)
    fallback = f"{unit.code}-{chosen}-template.xlsx"
    disposition = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(template.filename)}"
    )
    return Response(
        template.data,
        media_type=template.media_type,
        headers={"Content-Disposition": disposition},
    )


def _read(file: UploadFile) -> tuple[str, bytes]:
    name = Path((file.filename or "upload.xlsx").replace("\\", "/")).name or "upload.xlsx"
    content = file.file.read(MAX_WORKBOOK_BYTES + 1)
    if len(content) > MAX_WORKBOOK_BYTES:
        raise InvalidInput(
            f"{name}: 文件超过{MAX_WORKBOOK_BYTES // 1024 // 1024} MB，未读取 — the file is over "
            f"{MAX_WORKBOOK_BYTES // 1024 // 1024} MB and was not read"
        )
    return name, content


@router.post("/workbook/upload", dependencies=[CsrfDep, allow(Action.INDICATOR_VALUE)])
def upload(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    file: Annotated[UploadFile, File()],
    year: Annotated[int | None, Form()] = None,
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, year)):
        name, content = _read(file)
        plan = svc.plan_import(session, actor, unit, name, content)
    return _page(request, session, user, actor, lang, unit, year, plan=plan, upload=content)


@router.post("/workbook/confirm", dependencies=[CsrfDep, allow(Action.INDICATOR_VALUE)])
def confirm(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    name: Annotated[str, Form(max_length=255)],
    content: Annotated[str, Form()],
    digest: Annotated[str, Form(max_length=64)],
    year: Annotated[int | None, Form()] = None,
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, year)):
        data = svc.decode_upload(content, name)
        outcome = svc.confirm_import(session, actor, unit, name, data, digest)
    if isinstance(outcome, svc.ImportPlan):  # the records changed since the preview
        return _page(
            request,
            session,
            user,
            actor,
            lang,
            unit,
            year,
            409,
            plan=outcome,
            upload=data,
            message="workbook_changed",
        )
    saved = outcome.created + outcome.changed
    url = f"/workbook?unit={quote(unit.code)}&saved={saved}"
    if year is not None:
        url += f"&year={year}"
    return RedirectResponse(url, status_code=303)


@router.post("/workbook/evidence", dependencies=[CsrfDep, allow(Action.INDICATOR_VALUE)])
def attach_evidence(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    code: Annotated[str, Form(max_length=32)],
    year: Annotated[int, Form()],
    file: Annotated[UploadFile, File()],
    part: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, year)):
        upload = evidence_service.EvidenceUpload(
            file.filename or "", file.file.read(evidence_service.MAX_EVIDENCE_BYTES + 1)
        )
        evidence_service.attach(session, actor, unit, code, part, year, upload, directory)
    url = f"/workbook?unit={quote(unit.code)}&year={year}&attached=1#evidence"
    return RedirectResponse(url, status_code=303)


@router.get("/workbook/evidence/{evidence_id}")
def download_evidence(
    session: SessionDep,
    actor: ActorDep,
    unit: UnitDep,
    directory: EvidenceDirDep,
    evidence_id: int,
) -> FileResponse:
    row, path = evidence_service.evidence_file(session, actor, unit, evidence_id, directory)
    return FileResponse(path, media_type=row.content_type, filename=row.filename)
