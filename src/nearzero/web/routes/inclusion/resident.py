"""The resident's page: balance, history, offers to redeem, consent per scenario.

The link is the credential (an HMAC token of the resident's pseudonym); there is no log-in.
The token must not land in access logs, proxies or the Referer: the first visit,
``/inclusion/me/{token}``, checks it, puts it in a cookie (httponly, SameSite=strict, Secure
under HTTPS or in production, scoped to ``/inclusion/me``) and redirects (303) to
``/inclusion/me``; the page and its forms then work from the cookie alone. A request with
neither gets a page saying to open the link again. A forged token is a 404.
The offers shown are those of the unit of ``?unit=`` (or the default unit).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from nearzero.inclusion.choices import Scenario
from nearzero.services.access import Action
from nearzero.services.inclusion import partners, redemption, resident
from nearzero.settings import Settings
from nearzero.store import tables as m
from nearzero.web.deps import (
    CsrfDep,
    LangDep,
    SessionDep,
    SettingsDep,
    UnitDep,
    allow,
    refusals,
    secure_cookies,
)
from nearzero.web.render import render
from nearzero.web.routes.inclusion import master_key, scenario_label, unit_url

router = APIRouter()

COOKIE = "nearzero_resident"
"""The cookie that carries the resident's link token after the first visit."""
PATH = "/inclusion/me"


def _me(unit: m.DemoUnit, fragment: str = "", **query: object) -> str:
    return unit_url(unit, PATH, fragment, **query)


def _remember(response: Response, secure: bool, token: str) -> Response:
    response.set_cookie(COOKIE, token, path=PATH, secure=secure, httponly=True, samesite="strict")
    return response


@router.get("/inclusion/me/{token}")
def first_visit(request: Request, settings: SettingsDep, token: str) -> Response:
    """The link: a valid token goes into the cookie and the browser to ``/inclusion/me``
    with the same query (a forged link is a 404)."""
    resident.resident_from_token(master_key(settings), token)
    target = PATH + (f"?{request.url.query}" if request.url.query else "")
    redirect = RedirectResponse(target, status_code=303)
    return _remember(redirect, secure_cookies(request, settings), token)


def _no_token(request: Request, lang: str) -> HTMLResponse:
    context = {"lang": lang, "user": None, "unit": None}
    return render(request, "inclusion_me_missing.html", context, status_code=401)


@router.get(PATH, response_class=HTMLResponse)
def resident_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    lang: LangDep,
) -> HTMLResponse:
    """The resident's page, from the cookie the first visit set."""
    token = request.cookies.get(COOKIE)
    if not token:
        return _no_token(request, lang)
    pseudonym = resident.resident_from_token(master_key(settings), token)
    view = resident.resident_view(session, pseudonym, unit)
    chosen = request.query_params.get("scenario")
    context = {
        "lang": lang,
        "user": None,
        "unit": None,  # no unit in the header: the page is the resident's, not the office's
        "offers_unit": unit,
        "view": view,
        "client_key": secrets.token_urlsafe(16),
        "scenario_label": scenario_label,
        "message": request.query_params.get("message"),
        "message_scenario": (scenario_label(chosen, lang) if chosen in Scenario else ""),
    }
    return render(request, "inclusion_me.html", context)


def _token(request: Request) -> str:
    """The token of the cookie; "" when there is none."""
    return request.cookies.get(COOKIE, "")


def _redeem(
    session: Session, settings: Settings, unit: m.DemoUnit, token: str, offer_id: int, key: str
) -> Response:
    pseudonym = resident.resident_from_token(master_key(settings), token)
    refused = RedirectResponse(_me(unit, message="insufficient"), status_code=303)
    with refusals(session, lambda _exc, _status: refused):
        redemption.redeem_offer(session, pseudonym, offer_id, key)
    return RedirectResponse(_me(unit, message="redeemed"), status_code=303)


def _consent(
    session: Session, settings: Settings, unit: m.DemoUnit, token: str, scenario: str, on: bool
) -> Response:
    pseudonym = resident.resident_from_token(master_key(settings), token)
    try:
        chosen = Scenario(scenario)
    except ValueError:
        return RedirectResponse(_me(unit, message="bad_scenario"), status_code=303)
    partners.set_consent(session, "resident", pseudonym, chosen, on, datetime.now(UTC))
    message = "consent_granted" if on else "consent_withdrawn"
    target = _me(unit, "consents", message=message, scenario=chosen.value)
    return RedirectResponse(target, status_code=303)


@router.post(f"{PATH}/redeem", dependencies=[CsrfDep, allow(Action.RESIDENT)])
def resident_redeem(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    lang: LangDep,
    offer_id: Annotated[int, Form()],
    client_key: Annotated[str, Form()],
) -> Response:
    """Spend points on an offer (idempotent by the form's client key)."""
    if not (token := _token(request)):
        return _no_token(request, lang)
    return _redeem(session, settings, unit, token, offer_id, client_key)


@router.post(f"{PATH}/consent", dependencies=[CsrfDep, allow(Action.RESIDENT)])
def resident_consent(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    lang: LangDep,
    scenario: Annotated[str, Form()],
    granted: Annotated[bool, Form()],
) -> Response:
    """The resident grants or withdraws consent to one scenario, from now on.

    After a withdrawal, records of behaviour from then on in that scenario are refused
    ``no_consent``; points already credited stay.
    """
    if not (token := _token(request)):
        return _no_token(request, lang)
    return _consent(session, settings, unit, token, scenario, granted)


# The forms of pages served before the token left the URL posted to these; each answers as
# the cookie route does, sets the cookie, and redirects to the token-free page.


@router.post("/inclusion/me/{token}/redeem", dependencies=[CsrfDep, allow(Action.RESIDENT)])
def resident_redeem_by_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    token: str,
    offer_id: Annotated[int, Form()],
    client_key: Annotated[str, Form()],
) -> Response:
    """Spend points on an offer, from an old form that carried the token in its URL."""
    response = _redeem(session, settings, unit, token, offer_id, client_key)
    return _remember(response, secure_cookies(request, settings), token)


@router.post("/inclusion/me/{token}/consent", dependencies=[CsrfDep, allow(Action.RESIDENT)])
def resident_consent_by_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    token: str,
    scenario: Annotated[str, Form()],
    granted: Annotated[bool, Form()],
) -> Response:
    """Grant or withdraw consent, from an old form that carried the token in its URL."""
    response = _consent(session, settings, unit, token, scenario, granted)
    return _remember(response, secure_cookies(request, settings), token)
