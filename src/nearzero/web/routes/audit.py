"""The office's audit log page: every write and log-in, filtered by user, object, action and
date (China Standard Time), the hash chain's state, an Excel export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from nearzero.services import audit as svc
from nearzero.services.context import InvalidInput, PermissionDenied
from nearzero.web.deps import ActorDep, LangDep, SessionDep, UnitDep, UserDep
from nearzero.web.render import render, render_page

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str, Query(max_length=64)]


def _filter(actor: str, entity: str, action: str, since: str, until: str) -> svc.AuditFilter:
    def day(text: str, field: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{field}: expected a date like 2026-12-05, got {text!r}") from None

    return svc.AuditFilter(actor, entity, action, day(since, "since"), day(until, "until"))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    who: Text = "",
    entity: Text = "",
    action: Text = "",
    since: Text = "",
    until: Text = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    try:
        filt = _filter(who, entity, action, since, until)
        view = svc.audit_page(session, actor, unit.code, filt, page)
    except (InvalidInput, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        context = {"lang": lang, "user": user, "unit": unit, "title": "audit", "message": str(exc)}
        return render(request, "error.html", context, status)
    return render_page(request, "audit.html", view, lang, user, unit=unit)


@router.get("/audit.xlsx")
def audit_export(
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    unit: UnitDep,
    who: Text = "",
    entity: Text = "",
    action: Text = "",
    since: Text = "",
    until: Text = "",
) -> Response:
    try:
        data = svc.export_workbook(
            session, actor, unit.code, _filter(who, entity, action, since, until)
        )
    except PermissionDenied as exc:
        return Response(str(exc), status_code=403, media_type="text/plain; charset=utf-8")
    except InvalidInput as exc:
        return Response(str(exc), status_code=400, media_type="text/plain; charset=utf-8")
    headers = {"Content-Disposition": f'attachment; filename="audit-{unit.code}.xlsx"'}
    return Response(data, media_type=XLSX, headers=headers)
