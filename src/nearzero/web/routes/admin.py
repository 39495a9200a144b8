"""The office's user administration (/admin/users) and a user's own password change
(/account/password). Thin: each route reads its form, calls services.users, renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from nearzero.services import users as svc
from nearzero.services.access import Action
from nearzero.services.context import Actor, InvalidInput, Role
from nearzero.store import tables as m
from nearzero.web.deps import (
    ActorDep,
    CsrfDep,
    LangDep,
    LoginSessionDep,
    Refusal,
    SessionDep,
    UnitDep,
    UserDep,
    allow,
    get_settings,
    login_policy,
    refusals,
)
from nearzero.web.render import render, render_page

router = APIRouter()

DONE = ("created", "role_set", "disabled", "enabled")
"""The messages ``?done=`` may name (a fixed list: no free text from the query)."""
Username = Annotated[str, Path(max_length=64)]


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        roles = [r.value for r in Role]
        raise InvalidInput(
            f"role: 角色应为{'、'.join(roles)}之一 — one of {', '.join(roles)}"
        ) from None


def _page(
    request: Request,
    session: Session,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    status_code: int = 200,
    **extra: object,
) -> HTMLResponse:
    page = svc.user_admin_page(session, actor, unit, login_policy(get_settings(request)))
    extra = {"error": None, "message": None, "temporary": None, "form": {}} | extra
    return render_page(request, "admin_users.html", page, lang, user, status_code, **extra)


def _refused(
    request: Request,
    session: Session,
    user: m.UserAccount,
    actor: Actor,
    lang: str,
    unit: m.DemoUnit,
    form: dict[str, str] | None = None,
) -> Callable[[Refusal, int], Response]:
    """The user page again with the refusal (a non-admin gets the error page, 403)."""

    def page(exc: Refusal, status: int) -> Response:
        if actor.role is not Role.ADMIN:
            context = {"lang": lang, "user": user, "title": "forbidden", "message": str(exc)}
            return render(request, "error.html", context, status_code=status)
        return _page(
            request, session, user, actor, lang, unit, status, error=str(exc), form=form or {}
        )

    return page


def _done(unit: m.DemoUnit, what: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/users?unit={quote(unit.code)}&done={what}", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    done: str = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit)):
        message = f"user_{done}" if done in DONE else None
        return _page(request, session, user, actor, lang, unit, message=message)


@router.post("/admin/users", dependencies=[CsrfDep, allow(Action.USERS)])
def create_user(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form(max_length=16)],
    display_name: Annotated[str, Form(max_length=100)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    form = {"username": username, "display_name": display_name, "role": role}
    form["department"] = department
    with refusals(session, _refused(request, session, user, actor, lang, unit, form)):
        svc.create_user(
            session,
            actor,
            username,
            password,
            _role(role),
            display_name,
            unit,
            department or None,
            must_change_password=True,
        )
    return _done(unit, "created")


@router.post("/admin/users/{username}/role", dependencies=[CsrfDep, allow(Action.USERS)])
def set_role(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    username: Username,
    role: Annotated[str, Form(max_length=16)],
    department: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit)):
        svc.set_role(session, actor, username, _role(role), unit, department or None)
    return _done(unit, "role_set")


@router.post("/admin/users/{username}/reset-password", dependencies=[CsrfDep, allow(Action.USERS)])
def reset_password(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    username: Username,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The temporary password is shown once, on this answer (never in a URL)."""
    with refusals(session, _refused(request, session, user, actor, lang, unit)):
        temporary = svc.reset_password(session, actor, username, password or None)
    shown = {"username": username, "password": temporary}
    return _page(request, session, user, actor, lang, unit, message="user_reset", temporary=shown)


@router.post("/admin/users/{username}/disable", dependencies=[CsrfDep, allow(Action.USERS)])
def disable_user(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    username: Username,
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit)):
        svc.set_active(session, actor, username, False)
    return _done(unit, "disabled")


@router.post("/admin/users/{username}/enable", dependencies=[CsrfDep, allow(Action.USERS)])
def enable_user(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    unit: UnitDep,
    username: Username,
) -> Response:
    with refusals(session, _refused(request, session, user, actor, lang, unit)):
        svc.set_active(session, actor, username, True)
    return _done(unit, "enabled")


# --------------------------------------------------------------------------- own password


def _password_page(
    request: Request,
    login: LoginSessionDep,
    lang: str,
    status_code: int = 200,
    error: str | None = None,
    message: str | None = None,
) -> HTMLResponse:
    context = {
        "lang": lang,
        "user": login.user,
        "forced": login.user.must_change_password,
        "error": error,
        "message": message,
        "min_password": svc.MIN_PASSWORD,
    }
    return render(request, "change_password.html", context, status_code=status_code)


@router.get("/account/password", response_class=HTMLResponse)
def password_form(
    request: Request, login: LoginSessionDep, lang: LangDep, done: int = 0
) -> HTMLResponse:
    return _password_page(request, login, lang, message="password_changed" if done else None)


@router.post("/account/password", dependencies=[CsrfDep, allow(Action.OWN_ACCOUNT)])
def change_password(
    request: Request,
    session: SessionDep,
    login: LoginSessionDep,
    lang: LangDep,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
    confirm: Annotated[str, Form(max_length=1000)],
) -> Response:
    def page(exc: Refusal, status: int) -> Response:
        return _password_page(request, login, lang, status, error=str(exc))

    forced = login.user.must_change_password
    with refusals(session, page):
        if new != confirm:
            raise InvalidInput("两次输入的新密码不一致 (new password: the two entries differ)")
        svc.change_password(session, login.user, current, new, login)
    return RedirectResponse("/" if forced else "/account/password?done=1", status_code=303)
