"""The resident's page: balance, history, offers to redeem, consent per scenario.

The link is the credential (an HMAC token of the resident's pseudonym); there is no log-in.
The offers shown are those of the unit of ``?unit=`` (or the default unit).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nearzero.inclusion.choices import Scenario
from nearzero.services.inclusion import partners, redemption, resident
from nearzero.store import tables as m
from nearzero.web.deps import CsrfDep, LangDep, SessionDep, SettingsDep, UnitDep, refusals
from nearzero.web.render import render
from nearzero.web.routes.inclusion import master_key, scenario_label, unit_url

router = APIRouter()


def _me(unit: m.DemoUnit, token: str, fragment: str = "", **query: object) -> str:
    return unit_url(unit, f"/inclusion/me/{token}", fragment, **query)


@router.get("/inclusion/me/{token}", response_class=HTMLResponse)
def resident_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    lang: LangDep,
    token: str,
) -> HTMLResponse:
    """The resident's page (a forged link is a 404)."""
    pseudonym = resident.resident_from_token(master_key(settings), token)
    view = resident.resident_view(session, pseudonym, unit)
    chosen = request.query_params.get("scenario")
    context = {
        "lang": lang,
        "user": None,
        "unit": None,  # no unit in the header: the page is the resident's, not the office's
        "offers_unit": unit,
        "view": view,
        "token": token,
        "client_key": secrets.token_urlsafe(16),
        "scenario_label": scenario_label,
        "message": request.query_params.get("message"),
        "message_scenario": (
            scenario_label(chosen, lang) if chosen in Scenario._value2member_map_ else ""
        ),
    }
    return render(request, "inclusion_me.html", context)


@router.post("/inclusion/me/{token}/redeem", dependencies=[CsrfDep])
def resident_redeem(
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    token: str,
    offer_id: Annotated[int, Form()],
    client_key: Annotated[str, Form()],
) -> Response:
    """Spend points on an offer (idempotent by the form's client key)."""
    pseudonym = resident.resident_from_token(master_key(settings), token)
    refused = RedirectResponse(_me(unit, token, message="insufficient"), status_code=303)
    with refusals(session, lambda _exc, _status: refused):
        redemption.redeem_offer(session, pseudonym, offer_id, client_key)
    return RedirectResponse(_me(unit, token, message="redeemed"), status_code=303)


@router.post("/inclusion/me/{token}/consent", dependencies=[CsrfDep])
def resident_consent(
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    token: str,
    scenario: Annotated[str, Form()],
    granted: Annotated[bool, Form()],
) -> Response:
    """The resident grants or withdraws consent to one scenario, from now on.

    After a withdrawal, records of behaviour from then on in that scenario are refused
    ``no_consent``; points already credited stay.
    """
    pseudonym = resident.resident_from_token(master_key(settings), token)
    try:
        chosen = Scenario(scenario)
    except ValueError:
        return RedirectResponse(_me(unit, token, message="bad_scenario"), status_code=303)
    partners.set_consent(session, "resident", pseudonym, chosen, granted, datetime.now(UTC))
    message = "consent_granted" if granted else "consent_withdrawn"
    target = _me(unit, token, "consents", message=message, scenario=chosen.value)
    return RedirectResponse(target, status_code=303)
