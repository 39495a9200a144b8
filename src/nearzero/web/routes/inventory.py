"""GHG inventory pages: a year's inventory (tables, charts, key categories, uncertainty,
lineage), the trend over years, and the office's upload, example, local factors and indicator
feed. Thin: each route reads its inputs, calls services/inventory.py and renders."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from nearzero.services import inventory as svc
from nearzero.services.access import Action
from nearzero.services.context import InvalidInput, Role
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
from nearzero.web.i18n import localise, translate
from nearzero.web.render import render
from nearzero.web.routes.pages import YearQ

router = APIRouter()

Saved = Literal["loaded", "example", "recalculated", "fed"]
"""What a write reports back through the query string: a code from this list, never text."""

GwpQ = Annotated[str, Query(pattern="^(SAR|AR4|AR5|AR6)$")]


def _page(
    request: Request,
    session: Session,
    user: m.UserAccount,
    lang: str,
    unit: m.DemoUnit,
    year: int | None,
    gwp: str = svc.DEFAULT_GWP,
    error: Refusal | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    words = {key: translate(key, lang) for key in svc.CHART_WORDS}
    page = svc.inventory_page(session, unit, year, gwp, lang, words)
    context = page.context() | {
        "lang": lang,
        "user": user,
        "unit": unit,
        "title": "inventory",
        "is_admin": user.role == Role.ADMIN.value,
        "message": message,
        "error": localise(str(error), lang) if error else None,
        "errors": [localise(e, lang) for e in error.errors]
        if isinstance(error, InvalidInput)
        else [],
        "label_example": translate("inv_example_label", lang),
    }
    return render(request, "inventory.html", context, status_code=status_code)


def _refusals(
    request: Request,
    session: Session,
    user: m.UserAccount,
    lang: str,
    unit: m.DemoUnit,
    year: int | None,
) -> AbstractContextManager[None]:
    """:func:`refusals` answering with this page (of ``year``) and the error."""
    return refusals(
        session,
        lambda exc, status: _page(
            request, session, user, lang, unit, year, error=exc, status_code=status
        ),
    )


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    gwp: GwpQ = svc.DEFAULT_GWP,
    saved: Saved | None = None,
) -> HTMLResponse:
    return _page(request, session, user, lang, unit, year, gwp, message=saved)


def _back(unit: m.DemoUnit, year: int | None, saved: Saved) -> RedirectResponse:
    url = f"/inventory?unit={quote(unit.code)}&saved={saved}"
    return RedirectResponse(url + (f"&year={year}" if year else ""), status_code=303)


def _int(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field}: 应为年份（如2022），而不是“{text}” — expected a year like 2022, got {text!r}"
        ) from None


def _float(text: str, field: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field}: 应为数字，而不是“{text}” — expected a number, got {text!r}"
        ) from None


def _year_back(year: str) -> int | None:
    """The page year a form carries (to return to), if it holds one."""
    return int(year) if year.isdigit() else None


@router.post("/inventory/upload", dependencies=[CsrfDep, allow(Action.INVENTORY)])
def upload(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    with _refusals(request, session, user, lang, unit, None):  # a rejected file leaves nothing
        chosen = _int(year, "year")
        data = file.file.read(svc.MAX_FILE_BYTES + 1)
        svc.load_dataset(session, actor, unit, file.filename or "", data, chosen)
    return _back(unit, chosen, "loaded")


@router.post("/inventory/example", dependencies=[CsrfDep, allow(Action.INVENTORY)])
def load_example(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
) -> Response:
    with _refusals(request, session, user, lang, unit, None):
        run = svc.load_example(session, actor, unit)
    return _back(unit, run.year, "example")


@router.post("/inventory/factors", dependencies=[CsrfDep, allow(Action.INVENTORY)])
def set_factor(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    factor_id: Annotated[str, Form()],
    parameter: Annotated[str, Form()],
    subject: Annotated[str, Form()],
    value: Annotated[str, Form()],
    factor_unit: Annotated[str, Form()],
    source: Annotated[str, Form()],
    factor_year: Annotated[str, Form()] = "",
    uncertainty_pct: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
) -> Response:
    back = _year_back(year)
    with _refusals(request, session, user, lang, unit, back):
        number = _float(value, "value")
        entry = svc.LocalFactorInput(
            factor_id.strip(),
            parameter.strip(),
            subject,
            number if number is not None else -1,
            factor_unit,
            source,
            _int(factor_year, "factor_year") if factor_year.strip() else None,
            _float(uncertainty_pct, "uncertainty_pct"),
        )
        svc.set_local_factor(session, actor, unit, entry)
    return _back(unit, back, "recalculated")


@router.post("/inventory/factors/delete", dependencies=[CsrfDep, allow(Action.INVENTORY)])
def delete_factor(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    factor_id: Annotated[str, Form()],
    year: Annotated[str, Form()] = "",
) -> Response:
    back = _year_back(year)
    with _refusals(request, session, user, lang, unit, back):
        svc.delete_local_factor(session, actor, unit, factor_id)
    return _back(unit, back, "recalculated")


@router.post("/inventory/feed", dependencies=[CsrfDep, allow(Action.INVENTORY)])
def feed(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: Annotated[str, Form()],
    industry_va: Annotated[str, Form()] = "",
    industry_source: Annotated[str, Form()] = "",
    allow_illustrative: Annotated[str, Form()] = "",
) -> Response:
    with _refusals(request, session, user, lang, unit, _year_back(year)):
        chosen = _int(year, "year")
        va = _float(industry_va, "industry_va")
        industry = svc.IndustryValueAdded(va, industry_source) if va is not None else None
        svc.feed_indicators(session, actor, unit, chosen, industry, allow_illustrative == "1")
    return _back(unit, chosen, "fed")


@router.get("/inventory/export")
def export(
    session: SessionDep,
    user: UserDep,
    unit: UnitDep,
    format: Annotated[str, Query(pattern="^(xlsx|docx)$")],
    year: YearQ = None,
    gwp: GwpQ = svc.DEFAULT_GWP,
) -> Response:
    built, chosen = svc.export_file(session, unit, year, gwp, format)
    fallback = f"{unit.code}-{chosen}-inventory-{gwp}.{format}"
    return _attachment(built.data, built.media_type, built.filename, fallback)


def _attachment(data: bytes, media_type: str, name: str, fallback: str) -> Response:
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/inventory/template")
def template(user: UserDep, year: YearQ = None) -> Response:
    data = svc.activity_template(year or 2022)
    return _attachment(
        data, svc.EXPORT_MEDIA["xlsx"], "温室气体清单活动数据模板.xlsx", "inventory-template.xlsx"
    )
