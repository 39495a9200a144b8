"""Rendering a page: the template, the request's CSRF token, the choices every page may use,
and a page context built by a service (a dataclass whose fields are the template's names)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from nearzero.indicators.choices import Attribute, Basis, Status
from nearzero.projects.choices import Stage
from nearzero.store import tables as m
from nearzero.web.deps import csrf_token

CHOICES: dict[str, Any] = {"Attribute": Attribute, "Basis": Basis, "Stage": Stage, "Status": Status}
"""The enumerations templates list or compare against, available to every page."""


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render template ``name`` with ``context`` (plus the request and its CSRF token)."""
    templates = request.app.state.templates
    context = {"request": request, "csrf_token": csrf_token(request)} | context
    response: HTMLResponse = templates.TemplateResponse(
        request, name, context, status_code=status_code
    )
    return response


def fields_of(page: Any) -> dict[str, Any]:
    """A page dataclass's fields by name (shallow: the values are not copied)."""
    return {f.name: getattr(page, f.name) for f in dataclasses.fields(page)}


def render_page(
    request: Request,
    name: str,
    page: Any,
    lang: str,
    user: m.UserAccount | None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """Render template ``name`` with the fields of ``page`` (a service's page dataclass), the
    language, the user and ``extra`` (a message, an error)."""
    context = CHOICES | fields_of(page) | {"lang": lang, "user": user} | extra
    return render(request, name, context, status_code)
