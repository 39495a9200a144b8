"""Dashboard pages. Thin: each route reads its inputs, calls a service, renders a template."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nearzero.indicators.choices import Attribute, Basis, Status
from nearzero.indicators.evaluation import Outcome, evaluate
from nearzero.services import dashboard
from nearzero.services import indicators as svc
from nearzero.services.context import InvalidInput, PermissionDenied
from nearzero.services.users import authenticate
from nearzero.store import tables as m
from nearzero.web.deps import ActorDep, CsrfDep, LangDep, SessionDep, UserDep, csrf_token
from nearzero.web.i18n import translate

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=1990, le=2100)]
UnitQ = Annotated[str | None, Query(max_length=64)]


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    templates = request.app.state.templates
    context = {"request": request, "csrf_token": csrf_token(request)} | context
    response: HTMLResponse = templates.TemplateResponse(
        request, name, context, status_code=status_code
    )
    return response


def _unit(session: SessionDep, request: Request, code: str | None) -> m.DemoUnit:
    return svc.get_unit(session, code or request.app.state.settings.default_unit)


def _year(session: SessionDep, unit: m.DemoUnit, year: int | None) -> tuple[int, list[int]]:
    years = svc.years_on_record(session, unit) or [unit.base_year]
    return (year if year is not None else years[-1]), years


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: LangDep, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"lang": lang, "next": next, "error": None, "user": None})


@router.post("/login", dependencies=[CsrfDep])
def login(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    user = authenticate(session, username, password)
    if user is None:
        context = {"lang": lang, "next": next, "error": "login_failed", "user": None}
        return render(request, "login.html", context, status_code=401)
    request.session["username"] = user.username
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[CsrfDep])
def logout(request: Request) -> Response:
    request.session.pop("username", None)
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep,
    year: YearQ = None, unit: UnitQ = None,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    chosen, years = _year(session, the_unit, year)
    ev = svc.evaluate_unit(session, the_unit, chosen)
    chart = {
        "categories": [
            c.category.name_en if lang == "en" else c.category.name_zh for c in ev.categories
        ],
        "met": [c.met for c in ev.categories],
        "not_met": [c.total - c.met for c in ev.categories],
        "labels": {"met": translate("met", lang), "not_met": translate("not_met_label", lang)},
    }
    by_status: dict[str, int] = {}
    for e in ev.indicators:
        by_status[e.outcome.status.value] = by_status.get(e.outcome.status.value, 0) + 1
    context = {
        "lang": lang, "user": user, "unit": the_unit, "year": chosen, "years": years, "ev": ev,
        "chart": chart, "by_status": by_status, "Status": Status,
        "summary": dashboard.summary(session, the_unit, chosen),
    }  # fmt: skip
    return render(request, "overview.html", context)


@router.get("/indicators", response_class=HTMLResponse)
def indicator_table(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep,
    year: YearQ = None, unit: UnitQ = None, category: str | None = None,
    attribute: str | None = None,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    chosen, years = _year(session, the_unit, year)
    ev = svc.evaluate_unit(session, the_unit, chosen)
    rows = [
        e for e in ev.indicators
        if (not category or e.view.spec.category == category)
        and (not attribute or (e.view.spec.attribute and e.view.spec.attribute.value == attribute))
    ]  # fmt: skip
    context = {
        "lang": lang, "user": user, "unit": the_unit, "year": chosen, "years": years, "ev": ev,
        "rows": rows, "category": category, "attribute": attribute, "Attribute": Attribute,
        "Basis": Basis, "title": "indicators",
    }  # fmt: skip
    return render(request, "indicators.html", context)


@router.get("/tasks", response_class=HTMLResponse)
def task_targets(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep,
    year: YearQ = None, unit: UnitQ = None,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    chosen, years = _year(session, the_unit, year)
    ev = svc.evaluate_unit(session, the_unit, chosen)
    context = {
        "lang": lang, "user": user, "unit": the_unit, "year": chosen, "years": years, "ev": ev,
        "rows": ev.task_targets, "Basis": Basis, "title": "task_targets",
    }  # fmt: skip
    return render(request, "indicators.html", context)


def chart(view: svc.IndicatorView, outcome: Outcome, lang: str) -> dict[str, Any] | None:
    """The trend chart's data with its labels in the page's language."""
    data = svc.trend_data(view, outcome, lang)
    if data is not None:
        data["targetLabel"] = translate("target_line", lang)
        data["projectionLabel"] = translate("projected_value", lang)
    return data


def _indicator_page(
    request: Request, session: SessionDep, user: m.UserAccount, actor: Any, lang: str,
    unit: m.DemoUnit, code: str, year: int | None, error: str | None = None,
    message: str | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    (view,) = svc.catalogue(session, unit, code)
    chosen, years = _year(session, unit, year)
    outcome = evaluate(view.spec, view.record, chosen)
    history = svc.history(session, unit, code)
    rows = []
    for y in view.value_years():
        rows.append(
            {
                "year": y,
                "value": view.record.values.get(y),
                "parts": {
                    p.code: view.record.part_values.get(p.code, {}).get(y) for p in view.spec.parts
                },
                "text": view.texts.get(("", y), ""),
                "status": evaluate(view.spec, view.record, y),
            }
        )
    context = {
        "lang": lang, "user": user, "unit": unit, "year": chosen, "years": years, "view": view,
        "outcome": outcome, "rows": rows, "history": history,
        "chart": chart(view, outcome, lang),
        "may_edit": svc.may_edit(actor, view.row), "is_admin": actor.role.value == "admin",
        "error": error, "message": message, "Basis": Basis, "Status": Status,
        "next_year": (years[-1] + 1) if years else unit.base_year,
    }  # fmt: skip
    return render(request, "indicator.html", context, status_code=status_code)


@router.get("/indicators/{code}", response_class=HTMLResponse)
def indicator_page(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    code: str, year: YearQ = None, unit: UnitQ = None, saved: int = 0,
) -> HTMLResponse:  # fmt: skip
    the_unit = _unit(session, request, unit)
    message = "saved" if saved else None
    return _indicator_page(
        request, session, user, actor, lang, the_unit, code, year, message=message
    )


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"数值: 应为数字，实际为“{text}” (value: expected a number)") from None


def _after_write(request: Request, code: str, unit: m.DemoUnit, year: int) -> RedirectResponse:
    url = f"/indicators/{quote(code)}?unit={quote(unit.code)}&year={year}&saved=1"
    return RedirectResponse(url, status_code=303)


@router.post("/indicators/{code}/values", dependencies=[CsrfDep])
def post_value(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    code: str, year: Annotated[int, Form()], value: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "", part: Annotated[str, Form()] = "",
    unit_text: Annotated[str, Form(alias="value_unit")] = "",
    source: Annotated[str, Form()] = "", evidence: Annotated[str, Form()] = "",
    unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        entry = svc.ValueInput(
            code=code, year=year, value=_number(value), text=text or None, part=part,
            unit=unit_text or None, source=source.strip(), evidence=evidence.strip(),
        )  # fmt: skip
        with session.begin_nested():  # a refused write leaves nothing behind
            svc.set_value(session, actor, the_unit, entry)
    except (InvalidInput, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return _indicator_page(
            request,
            session,
            user,
            actor,
            lang,
            the_unit,
            code,
            year,
            error=str(exc),
            status_code=status,
        )
    return _after_write(request, code, the_unit, year)


@router.post("/indicators/{code}/assessments", dependencies=[CsrfDep])
def post_assessment(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    code: str, year: Annotated[int, Form()], status: Annotated[str, Form()],
    evidence: Annotated[str, Form()] = "", unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        if status not in ("met", "not_met"):
            raise InvalidInput("status: met or not_met")
        with session.begin_nested():
            svc.set_assessment(session, actor, the_unit, code, year, Status(status), evidence)
    except (InvalidInput, PermissionDenied) as exc:
        status_code = 403 if isinstance(exc, PermissionDenied) else 400
        return _indicator_page(
            request, session, user, actor, lang, the_unit, code, year, error=str(exc),
            status_code=status_code,
        )  # fmt: skip
    return _after_write(request, code, the_unit, year)


@router.post("/indicators/{code}/assigned-targets", dependencies=[CsrfDep])
def post_assigned_target(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    code: str, year: Annotated[int, Form()], value: Annotated[str, Form()],
    source: Annotated[str, Form()] = "", unit: UnitQ = None,
) -> Response:  # fmt: skip
    the_unit = _unit(session, request, unit)
    try:
        number = _number(value)
        if number is None:
            raise InvalidInput("value: a number is required")
        with session.begin_nested():
            svc.set_assigned_target(session, actor, the_unit, code, year, number, source)
    except (InvalidInput, PermissionDenied) as exc:
        status_code = 403 if isinstance(exc, PermissionDenied) else 400
        return _indicator_page(
            request, session, user, actor, lang, the_unit, code, year, error=str(exc),
            status_code=status_code,
        )  # fmt: skip
    return _after_write(request, code, the_unit, year)
