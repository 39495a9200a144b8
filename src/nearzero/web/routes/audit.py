"""The office's audit log page: every write and log-in, filtered by user, object, action and
date (China Standard Time), the hash chain's state, an Excel export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from nearzero.services import audit as svc
from nearzero.services.context import InvalidInput, PermissionDenied
from nearzero.web.deps import (
    ActorDep,
    LangDep,
    Refusal,
    SessionDep,
    UnitDep,
    UserDep,
    refusals,
)
from nearzero.web.i18n import label_of, localise
from nearzero.web.render import render, render_page

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str, Query(max_length=64)]


@dataclass
class FilterQuery:
    """The audit filters as typed in the query string (``who`` is the user)."""

    who: Text = ""
    entity: Text = ""
    action: Text = ""
    since: Text = ""
    until: Text = ""

    def parse(self) -> svc.AuditFilter:
        def day(text: str, field: str) -> date | None:
            if not text:
                return None
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise InvalidInput(
                    f"{field}: 应为日期（如2026-12-05），而不是“{text}” — "
                    f"expected a date like 2026-12-05, got {text!r}"
                ) from None

        since, until = day(self.since, "since"), day(self.until, "until")
        return svc.AuditFilter(self.who, self.entity, self.action, since, until)


FilterDep = Annotated[FilterQuery, Depends()]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    query: FilterDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    def refused(exc: Refusal, status: int) -> Response:
        context = {"lang": lang, "user": user, "unit": unit, "title": "audit", "message": str(exc)}
        return render(request, "error.html", context, status)

    with refusals(session, refused):
        named = partial(label_of, lang=lang)
        view = svc.audit_page(session, actor, unit.code, query.parse(), page, named)
    return render_page(request, "audit.html", view, lang, user, unit=unit)


@router.get("/audit.xlsx")
def audit_export(
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    query: FilterDep,
) -> Response:
    try:
        data = svc.export_workbook(session, actor, unit.code, query.parse())
    except PermissionDenied as exc:
        text, status = localise(str(exc), lang), 403
        return Response(text, status_code=status, media_type="text/plain; charset=utf-8")
    except InvalidInput as exc:
        text, status = localise(str(exc), lang), 400
        return Response(text, status_code=status, media_type="text/plain; charset=utf-8")
    headers = {"Content-Disposition": f'attachment; filename="audit-{unit.code}.xlsx"'}
    return Response(data, media_type=XLSX, headers=headers)
