"""Typed dependencies: settings, the database session, the unit, the logged-in user, the
language, CSRF; and :func:`refusals`, the one way a route turns a refused write into its page."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from nearzero.services.context import Actor, InvalidInput, PermissionDenied
from nearzero.services.indicators import get_unit
from nearzero.services.users import actor_of, get_user
from nearzero.settings import Settings
from nearzero.store import tables as m
from nearzero.store.db import transaction
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


def current_user(request: Request, session: SessionDep) -> m.UserAccount:
    username = request.session.get("username")
    user = get_user(session, username) if username else None
    if user is None:
        request.session.pop("username", None)
        raise LoginRequired
    return user


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
