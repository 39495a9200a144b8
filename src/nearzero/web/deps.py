"""Typed dependencies: settings, the database session, the unit, the logged-in user, the
language, CSRF; and :func:`refusals`, the one way a route turns a refused write into its page."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from nearzero.services.access import PUBLIC, Action, allowed
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.indicators import get_unit
from nearzero.services.users import LoginPolicy, actor_of, session_of
from nearzero.settings import Settings
from nearzero.store import tables as m
from nearzero.store.db import transaction
from nearzero.store.tables.users import UserSession
from nearzero.web.i18n import DEFAULT_LANG, LANGS


class LoginRequired(Exception):
    """Raised by :func:`current_user` when nobody is logged in; the app redirects to /login."""


class CsrfFailed(Exception):
    pass


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error.

    Function scope, so the commit happens before the response is sent: with FastAPI's
    default (request) scope a browser following a post's 303 could read the page before
    the write was committed, and a failed commit would follow a response already sent.
    """
    with transaction(request.app.state.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]


def current_unit(
    session: SessionDep,
    settings: SettingsDep,
    unit: Annotated[str | None, Query(max_length=64)] = None,
) -> m.DemoUnit:
    """The unit named by ``?unit=`` or, without one, the installation's default unit.

    Every page and form works on any unit: nothing assumes there is only one district.
    An unknown code raises :class:`~nearzero.services.context.NotFound` (a 404 page).
    """
    return get_unit(session, unit or settings.default_unit)


UnitDep = Annotated[m.DemoUnit, Depends(current_unit)]


LOGIN_COOKIE = "nearzero_login"
"""The cookie holding a log-in's random session id (its SHA-256 is in ``user_session``)."""
CHANGE_PASSWORD_URL = "/account/password"


def login_policy(settings: SettingsDep) -> LoginPolicy:
    """Rate limits, lock-outs and session time-outs from the settings."""
    return LoginPolicy.from_settings(settings)


LoginPolicyDep = Annotated[LoginPolicy, Depends(login_policy)]


def login_session(request: Request, session: SessionDep, policy: LoginPolicyDep) -> UserSession:
    """The request's open server-side session (checked on every request), or
    :class:`LoginRequired`: none, logged out, ended by the office, idle or too old."""
    request.session.pop("username", None)  # a log-in of old lived in the signed cookie
    row = session_of(session, request.cookies.get(LOGIN_COOKIE), policy)
    if row is None:
        raise LoginRequired
    return row


LoginSessionDep = Annotated[UserSession, Depends(login_session)]


def current_user(request: Request, login: LoginSessionDep) -> m.UserAccount:
    """The logged-in user; one whose password was reset is sent to change it first."""
    user = login.user
    if user.must_change_password:
        if request.url.path.startswith("/api/"):
            response: Response = PlainTextResponse("password change required", status_code=403)
        else:
            response = RedirectResponse(CHANGE_PASSWORD_URL, status_code=303)
        raise RenderedRefusal(response)
    return user


def secure_cookies(request: Request, settings: Settings) -> bool:
    """Cookies carry the Secure flag when served over HTTPS or in production."""
    return request.url.scheme == "https" or settings.env == "production"


def set_login_cookie(response: Response, request: Request, settings: Settings, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=settings.session_max_age,
        path="/",
        secure=secure_cookies(request, settings),
        httponly=True,
        samesite="lax",
    )


def clear_login_cookie(response: Response, request: Request, settings: Settings) -> None:
    response.delete_cookie(
        LOGIN_COOKIE,
        path="/",
        secure=secure_cookies(request, settings),
        httponly=True,
        samesite="lax",
    )


UserDep = Annotated[m.UserAccount, Depends(current_user)]


def actor(user: UserDep) -> Actor:
    return actor_of(user)


ActorDep = Annotated[Actor, Depends(actor)]


def lang(request: Request) -> str:
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        request.session["lang"] = chosen
    value = request.session.get("lang", DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


LangDep = Annotated[str, Depends(lang)]


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use); every form carries it."""
    token = request.session.get("csrf")
    if isinstance(token, str):
        return token
    fresh = secrets.token_urlsafe(32)
    request.session["csrf"] = fresh
    return fresh


def check_csrf(request: Request, csrf: Annotated[str, Form(alias="csrf_token")] = "") -> None:
    """Refuse a form post whose token is not this session's."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(expected, csrf):
        raise CsrfFailed


CsrfDep = Depends(check_csrf)


Refusal = InvalidInput | PermissionDenied
"""The errors a write refuses with: the person's input (400) or their rights (403)."""


class RenderedRefusal(Exception):
    """Carries the page a refused write is answered with (see :func:`refusals`)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def refusal_status(exc: Refusal) -> int:
    return 403 if isinstance(exc, PermissionDenied) else 400


@contextmanager
def refusals(session: Session, page: Callable[[Refusal, int], Response]) -> Iterator[None]:
    """Run a route's writes in a savepoint; a refusal undoes them and answers with ``page``.

    ``page(exc, status)`` renders the form again with the error (and what was typed); the
    request's transaction is then rolled back as for any error, so nothing is half-written::

        with refusals(session, lambda exc, status: _page(..., error=exc, status_code=status)):
            svc.save(session, actor, unit, ...)
    """
    try:
        with session.begin_nested():
            yield
    except (InvalidInput, PermissionDenied) as exc:
        raise RenderedRefusal(page(exc, refusal_status(exc))) from exc


class AccessDenied(Exception):
    """The access-control matrix refuses this role the route's action (403)."""

    def __init__(self, action: Action, role: str) -> None:
        super().__init__(f"{role} may not {action.value}")
        self.action, self.role = action, role


class Allow:
    """A write route's declared action (``dependencies=[allow(Action.X)]``): the matrix
    (:mod:`nearzero.services.access`) decides before anything is read or written."""

    def __init__(self, action: Action) -> None:
        self.action = action

    def __call__(self, user: UserDep) -> None:
        if not allowed(Role(user.role), self.action):
            raise AccessDenied(self.action, user.role)


class Public(Allow):
    """A declared action without an account (log-in, a resident's link, a signed partner
    request): the route checks the link or the signature itself."""

    def __call__(self) -> None:  # type: ignore[override]
        return None


class OwnAccount(Allow):
    """A user's own account (change one's password): any open log-in, also one that must
    change its password first (the current-user check would send it to this very form)."""

    def __call__(self, login: LoginSessionDep) -> None:  # type: ignore[override]
        if not allowed(Role(login.user.role), self.action):
            raise AccessDenied(self.action, login.user.role)


def allow(action: Action) -> Any:
    """``Depends`` on the route's declared action: every write route lists one (a test
    checks), so a new route without a declared action fails the suite."""
    if action in PUBLIC:
        return Depends(Public(action))
    return Depends(OwnAccount(action) if action is Action.OWN_ACCOUNT else Allow(action))


@dataclass(frozen=True)
class PageRequest:
    """What a signed-in page route works with, as one dependency: the request, its database
    transaction, the user and their actor, the language and the unit."""

    request: Request
    session: Session
    user: m.UserAccount
    actor: Actor
    lang: str
    unit: m.DemoUnit


def page_request(
    request: Request,
    session: SessionDep,
    user: UserDep,
    who: ActorDep,
    language: LangDep,
    unit: UnitDep,
) -> PageRequest:
    return PageRequest(request, session, user, who, language, unit)


PageDep = Annotated[PageRequest, Depends(page_request)]
