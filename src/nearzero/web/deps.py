"""Typed dependencies: the database session, the logged-in user, the language, CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Form, Request
from sqlalchemy.orm import Session

from nearzero.services.context import Actor
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


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error.

    Function scope, so the commit happens before the response is sent: with FastAPI's
    default (request) scope a browser following a post's 303 could read the page before
    the write was committed, and a failed commit would follow a response already sent.
    """
    with transaction(request.app.state.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]


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
