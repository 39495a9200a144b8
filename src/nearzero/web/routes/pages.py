"""Dashboard pages. Thin: each route reads its inputs, calls a service, renders a template."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nearzero.indicators.choices import Status
from nearzero.services import dashboard, indicators as svc
from nearzero.services.access import Action
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.users import log_in, log_out
from nearzero.store import tables as m
from nearzero.web.deps import (
    LOGIN_COOKIE,
    ActorDep,
    CsrfDep,
    LangDep,
    LoginPolicyDep,
    Refusal,
    SessionDep,
    SettingsDep,
    UnitDep,
    UserDep,
    allow,
    clear_login_cookie,
    refusals,
    set_login_cookie,
)
from nearzero.web.render import render, render_page

__all__ = ["router", "render", "UnitQ", "YearQ", "_unit", "_year"]

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=1990, le=2100)]
UnitQ = Annotated[str | None, Query(max_length=64)]
"""``?unit=`` for the routers that have not moved to :data:`~nearzero.web.deps.UnitDep`."""


def _unit(session: SessionDep, request: Request, code: str | None) -> m.DemoUnit:
    """The unit ``code`` or the default; kept for the routers not yet on ``UnitDep``."""
    return svc.get_unit(session, code or request.app.state.settings.default_unit)


def _year(session: SessionDep, unit: m.DemoUnit, year: int | None) -> tuple[int, list[int]]:
    """Kept for the routers not yet on the services' page contexts."""
    return dashboard.year_choice(session, unit, year)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: LangDep, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"lang": lang, "next": next, "error": None, "user": None})


@router.post("/login", dependencies=[CsrfDep, allow(Action.SIGN_IN)])
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    policy: LoginPolicyDep,
    lang: LangDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else ""
    result = log_in(session, username, password, address, policy)
    if result.token is None:
        context: dict[str, object] = {"lang": lang, "next": next, "error": "login_failed"}
        context["user"] = None
        if result.locked_until is None:
            return render(request, "login.html", context, status_code=401)
        minutes = -(-result.retry_after // 60)
        context |= {"error": "login_locked", "minutes": minutes}
        response = render(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    redirect = RedirectResponse(target, status_code=303)
    set_login_cookie(redirect, request, settings, result.token)
    return redirect


@router.post("/logout", dependencies=[CsrfDep, allow(Action.SIGN_IN)])
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    log_out(session, request.cookies.get(LOGIN_COOKIE))
    request.session.pop("username", None)
    redirect = RedirectResponse("/login", status_code=303)
    clear_login_cookie(redirect, request, settings)
    return redirect


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
) -> HTMLResponse:
    page = dashboard.overview_page(session, unit, year, lang)
    return render_page(request, "overview.html", page, lang, user)


@router.get("/indicators", response_class=HTMLResponse)
def indicator_table(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    category: str | None = None,
    attribute: str | None = None,
) -> HTMLResponse:
    page = dashboard.indicator_table_page(session, unit, year, category, attribute)
    return render_page(request, "indicators.html", page, lang, user)


@router.get("/tasks", response_class=HTMLResponse)
def task_targets(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
) -> HTMLResponse:
    page = dashboard.task_targets_page(session, unit, year)
    return render_page(request, "indicators.html", page, lang, user)


def _indicator(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    code: str,
    year: int | None,
    status_code: int = 200,
    **extra: str | None,
) -> HTMLResponse:
    page = dashboard.indicator_page(session, actor, unit, code, year, lang)
    return render_page(request, "indicator.html", page, lang, user, status_code, **extra)


@router.get("/indicators/{code}", response_class=HTMLResponse)
def indicator_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: YearQ = None,
    saved: int = 0,
) -> HTMLResponse:
    message = "saved" if saved else None
    return _indicator(
        request, session, user, actor, lang, unit, code, year, message=message, error=None
    )


def _refused(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    code: str,
    year: int,
) -> Callable[[Refusal, int], Response]:
    """The indicator's page again with the refusal's message (see :func:`refusals`)."""

    def page(exc: Refusal, status: int) -> Response:
        return _indicator(
            request, session, user, actor, lang, unit, code, year, status, error=str(exc)
        )

    return page


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(
            f"value: 应为数字，实际为“{text}” — expected a number, got {text!r}"
        ) from None


def _after_write(code: str, unit: m.DemoUnit, year: int) -> RedirectResponse:
    url = f"/indicators/{quote(code)}?unit={quote(unit.code)}&year={year}&saved=1"
    return RedirectResponse(url, status_code=303)


@router.post("/indicators/{code}/values", dependencies=[CsrfDep, allow(Action.INDICATOR_VALUE)])
def post_value(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: Annotated[int, Form()],
    value: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    part: Annotated[str, Form()] = "",
    unit_text: Annotated[str, Form(alias="value_unit")] = "",
    source: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, code, year)):
        entry = svc.ValueInput(
            code=code,
            year=year,
            value=_number(value),
            text=text or None,
            part=part,
            unit=unit_text or None,
            source=source.strip(),
            evidence=evidence.strip(),
        )
        svc.set_value(session, actor, unit, entry)
    return _after_write(code, unit, year)


@router.post(
    "/indicators/{code}/assessments", dependencies=[CsrfDep, allow(Action.INDICATOR_JUDGEMENT)]
)
def post_assessment(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: Annotated[int, Form()],
    status: Annotated[str, Form()],
    evidence: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, code, year)):
        if status not in ("met", "not_met"):
            raise InvalidInput(
                f"status: 评估结果应为完成（met）或未完成（not_met），而不是“{status}” — "
                f"met or not_met, got {status!r}"
            )
        svc.set_assessment(session, actor, unit, code, year, Status(status), evidence)
    return _after_write(code, unit, year)


@router.post(
    "/indicators/{code}/assigned-targets", dependencies=[CsrfDep, allow(Action.INDICATOR_JUDGEMENT)]
)
def post_assigned_target(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: Annotated[int, Form()],
    value: Annotated[str, Form()],
    source: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, code, year)):
        number = _number(value)
        if number is None:
            raise InvalidInput("value: 请填写数值 — a number is required")
        svc.set_assigned_target(session, actor, unit, code, year, number, source)
    return _after_write(code, unit, year)


# --------------------------------------------------------------------------- the data cycle


@router.post(
    "/indicators/{code}/values/correct", dependencies=[CsrfDep, allow(Action.INDICATOR_VALUE)]
)
def post_correct_value(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: Annotated[int, Form()],
    new_year: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=2000)],
    value: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    part: Annotated[str, Form()] = "",
    unit_text: Annotated[str, Form(alias="value_unit")] = "",
    source: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, code, year)):
        entry = svc.ValueInput(
            code=code,
            year=new_year,
            value=_number(value),
            text=text or None,
            part=part,
            unit=unit_text or None,
            source=source.strip(),
            evidence=evidence.strip(),
        )
        svc.correct_value(session, actor, unit, year, entry, reason)
    return _after_write(code, unit, new_year)


@router.post(
    "/indicators/{code}/values/withdraw", dependencies=[CsrfDep, allow(Action.INDICATOR_VALUE)]
)
def post_withdraw_value(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=2000)],
    part: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit, code, year)):
        svc.withdraw_value(session, actor, unit, code, year, reason, part)
    return _after_write(code, unit, year)


def _todo(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    year: int | None,
    status_code: int = 200,
    **extra: str | None,
) -> HTMLResponse:
    page = dashboard.todo_page(session, actor, unit, year)
    return render_page(request, "todo.html", page, lang, user, status_code, **extra)


@router.get("/todo", response_class=HTMLResponse)
def todo(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: YearQ = None,
    saved: int = 0,
) -> HTMLResponse:
    message = "saved" if saved else None
    return _todo(request, session, user, actor, lang, unit, year, message=message, error=None)


def _todo_refused(
    request: Request,
    session: SessionDep,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
) -> Callable[[Refusal, int], Response]:
    """The to-do page again with the refusal's message (see :func:`refusals`)."""

    def page(exc: Refusal, status: int) -> Response:
        return _todo(request, session, user, actor, lang, unit, None, status, error=str(exc))

    return page


def _after_review(unit: m.DemoUnit, year: int | None) -> RedirectResponse:
    tail = f"&year={year}" if year is not None else ""
    return RedirectResponse(f"/todo?unit={quote(unit.code)}{tail}&saved=1", status_code=303)


@router.post(
    "/indicators/{code}/values/confirm", dependencies=[CsrfDep, allow(Action.INDICATOR_REVIEW)]
)
def post_confirm_value(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: Annotated[int, Form()],
    part: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _todo_refused(request, session, user, actor, lang, unit)):
        svc.confirm_value(session, actor, unit, code, year, part)
    return _after_review(unit, None)


@router.post(
    "/indicators/{code}/values/return", dependencies=[CsrfDep, allow(Action.INDICATOR_REVIEW)]
)
def post_return_value(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    code: str,
    year: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
    part: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _todo_refused(request, session, user, actor, lang, unit)):
        svc.return_value(session, actor, unit, code, year, reason, part)
    return _after_review(unit, None)


@router.post("/todo/evaluation-year", dependencies=[CsrfDep, allow(Action.DATA_CYCLE)])
def post_evaluation_year(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    evaluation_year: Annotated[int, Form(ge=1990, le=2100)],
) -> Response:
    with refusals(session, _todo_refused(request, session, user, actor, lang, unit)):
        svc.set_evaluation_year(session, actor, unit, evaluation_year)
    return _after_review(unit, evaluation_year)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field}: 应为日期（如2026-03-31），而不是“{text}” — "
            f"expected a date such as 2026-03-31, got {text!r}"
        ) from None


@router.post("/todo/deadline", dependencies=[CsrfDep, allow(Action.DATA_CYCLE)])
def post_deadline(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    year: Annotated[int, Form(ge=1990, le=2100)],
    due: Annotated[str, Form(max_length=32)],
) -> Response:
    with refusals(session, _todo_refused(request, session, user, actor, lang, unit)):
        svc.set_deadline(session, actor, unit, year, _date(due, "due"))
    return _after_review(unit, year)


@router.post("/todo/confirmation", dependencies=[CsrfDep, allow(Action.DATA_CYCLE)])
def post_confirmation(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    confirmation: Annotated[str, Form()] = "",
) -> Response:
    with refusals(session, _todo_refused(request, session, user, actor, lang, unit)):
        if confirmation not in ("on", "off"):
            raise InvalidInput(
                f"confirmation: 应为 on（开启）或 off（关闭），而不是“{confirmation}” — "
                f"on or off, got {confirmation!r}"
            )
        svc.set_confirmation(session, actor, unit, confirmation == "on")
    return _after_review(unit, None)
