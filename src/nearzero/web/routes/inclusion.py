"""Carbon inclusion (碳普惠): the partner intake API (HMAC), the office page, the resident page.

The partner API has no session and no CSRF: every request is signed (see
:mod:`nearzero.inclusion.security`) with the headers ``X-NZ-Partner``,
``X-NZ-Timestamp`` (Unix seconds), ``X-NZ-Nonce`` and ``X-NZ-Signature`` (hex).
"""

from __future__ import annotations

import csv
import io
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.inclusion.records import CHINA_TZ
from nearzero.inclusion.security import SignedRequest
from nearzero.inclusion.stats import Period
from nearzero.services.context import InvalidInput, PermissionDenied, Role
from nearzero.services.inclusion import office as svc
from nearzero.services.inclusion import rules as rules_svc
from nearzero.services.indicators import get_unit
from nearzero.store import tables as m
from nearzero.web.deps import ActorDep, CsrfDep, LangDep, SessionDep, UserDep
from nearzero.web.i18n import translate
from nearzero.web.routes.pages import render

router = APIRouter()

AUTH_FAILURES = {
    ReasonCode.UNKNOWN_PARTNER,
    ReasonCode.BAD_SIGNATURE,
    ReasonCode.STALE_TIMESTAMP,
    ReasonCode.REPLAYED_NONCE,
}


def _master(request: Request) -> bytes:
    return str(request.app.state.settings.secret_key).encode()


class BodyTooLarge(Exception):
    """A request body over ``inclusion_max_body_bytes``; nothing was read past the limit."""

    def __init__(self, size: int | None, limit: int) -> None:
        self.size, self.limit = size, limit
        said = f"{size:,} bytes" if size is not None else "more bytes"
        super().__init__(
            f"body: {said} is over the limit of {limit:,} bytes for one request "
            "(NEARZERO_INCLUSION_MAX_BODY_BYTES); split the batch"
        )

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error": str(self), "limit_bytes": self.limit, "size_bytes": self.size},
            status_code=413,
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with :class:`BodyTooLarge` once it passes ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before anything is read; a body
    without one (chunked) is read until it passes the limit and no further.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(int(declared), limit)
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(None, limit)
        parts.append(chunk)
    return b"".join(parts)


async def _signed(
    request: Request, partner: str, timestamp: str, nonce: str, signature: str
) -> SignedRequest:
    try:
        ts = int(timestamp)
    except ValueError:
        ts = -1
    limit = int(request.app.state.settings.inclusion_max_body_bytes)
    return SignedRequest(partner, ts, nonce, await read_body(request, limit), signature)


H = Annotated[str, Header()]


@router.post("/api/inclusion/batches")
async def api_batch(
    request: Request,
    x_nz_partner: H = "",
    x_nz_timestamp: H = "",
    x_nz_nonce: H = "",
    x_nz_signature: H = "",
) -> Response:
    """A partner batch (JSON ``{"records": [...]}``, JSON lines or CSV); per-record results.

    A body over ``inclusion_max_body_bytes`` is refused with 413 before it is parsed (and
    before the signature is checked or the nonce remembered): nothing is stored.
    """
    try:
        signed = await _signed(request, x_nz_partner, x_nz_timestamp, x_nz_nonce, x_nz_signature)
    except BodyTooLarge as exc:
        return exc.response()
    try:
        report = await run_in_threadpool(  # a large batch must not block the event loop
            svc.handle_signed_batch,
            request.app.state.engine,
            _master(request),
            signed,
            request.headers.get("content-type", "application/json"),
            int(time.time()),
        )
    except InvalidInput as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    payload = report.summary() | {"results": [r.as_dict() for r in report.results]}
    status = 401 if report.batch_reason in AUTH_FAILURES else 200
    return JSONResponse(payload, status_code=status)


@router.post("/api/inclusion/consents")
async def api_consents(
    request: Request,
    x_nz_partner: H = "",
    x_nz_timestamp: H = "",
    x_nz_nonce: H = "",
    x_nz_signature: H = "",
) -> Response:
    """Consents relayed by a partner (with the resident's authorisation); returns pseudonyms."""
    try:
        signed = await _signed(request, x_nz_partner, x_nz_timestamp, x_nz_nonce, x_nz_signature)
    except BodyTooLarge as exc:
        return exc.response()
    try:
        done = await run_in_threadpool(
            svc.handle_signed_consents,
            request.app.state.engine,
            _master(request),
            signed,
            int(time.time()),
        )
    except PermissionDenied as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    except InvalidInput as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"consents": done})


# --------------------------------------------------------------------------- office


YearQ = Annotated[int | None, Query(ge=1990, le=2100)]


@router.get("/inclusion", response_class=HTMLResponse)
def office(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: LangDep,
    year: YearQ = None,
    period: Annotated[Period, Query()] = Period.MONTH,
    start_from: Annotated[str | None, Query(alias="from", max_length=100)] = None,
) -> HTMLResponse:
    """The office page; ``from=ID@VERSION`` fills the publish form with that version's YAML
    as the start of a new one (the office)."""
    entered = None
    if start_from and user.role == Role.ADMIN.value:
        unit = get_unit(session, request.app.state.settings.default_unit)
        entered = {"methodology": rules_svc.draft_from(session, start_from, unit)}
    return _office_page(request, session, user, lang, year, period, entered=entered)


def _office_page(
    request: Request, session: Session, user: m.UserAccount, lang: str, year: int | None = None,
    period: Period = Period.MONTH, entered: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The office page; a refused rules form comes back with its text and the error."""
    unit = get_unit(session, request.app.state.settings.default_unit)
    year = year or datetime.now(UTC).year
    in_force = rules_svc.rules(session, unit)
    today = datetime.now(CHINA_TZ).date()
    engine = request.app.state.engine
    stats = svc.statistics(engine, period)
    statement = svc.pooled_statement(session, unit, year)
    chart = _chart(stats["reductions_by_methodology"])
    context: dict[str, Any] = {
        "lang": lang,
        "user": user,
        "unit": unit,
        "year": year,
        "period": period.value,
        "stats": stats,
        "statement": statement,
        "statement_total": sum(line.grams for line in statement),
        "pool_g": svc.pool_balance(session, unit.code),
        "live": svc.live_scenarios(session, unit, year),
        "partners": svc.partners(session),
        "offers": svc.offers(session),
        "scenarios": list(Scenario),
        "reason_label": _reason_label,
        "scenario_label": _scenario_label,
        "chart": chart,
        "new_key": request.session.pop("inclusion_new_key", None),
        "is_admin": user.role == Role.ADMIN.value,
        "error": request.query_params.get("error"),
        "valid_months": rules_svc.points_validity(
            in_force, request.app.state.settings.inclusion_points_valid_months
        ),
        "expired_g": svc.expired_total(session, unit.code),
        "expired_run": request.session.pop("inclusion_expired", None),
        "today": today.isoformat(),
        "rules": in_force,
        "scenario_rules": rules_svc.scenario_rules(in_force, today),
        "published": rules_svc.published_versions(session),
        "scheme_versions": rules_svc.scheme_versions(session, unit)[:20],
        "versions": list(in_force.library),
        "rules_text": (entered or {}).get("scheme", in_force.yaml_text),
        "methodology_text": (entered or {}).get("methodology", ""),
        "rules_errors": errors or {},
        "policy": {
            k: (entered or {}).get(k, "" if v is None else str(v))
            for k, v in in_force.scheme.policy().items()
        },
        "policy_label": _policy_label,
        "rules_saved": request.query_params.get("saved"),
    }
    return render(request, "inclusion.html", context, status_code=status_code)


@router.post("/inclusion/rules", dependencies=[CsrfDep])
def save_rules(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    yaml_text: Annotated[str, Form(max_length=rules_svc.MAX_YAML_CHARS + 1)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    """Save a new version of the unit's scheme; a refused text comes back with its error."""
    unit = get_unit(session, request.app.state.settings.default_unit)
    return _rules_change(
        request, session, user, lang, "scheme", {"scheme": yaml_text},
        lambda: rules_svc.save_scheme(session, actor, unit, yaml_text, note),
    )  # fmt: skip


async def policy_input(request: Request) -> dict[str, str]:
    """The policy form as posted: each number's text by its key (see ``Scheme.policy``)."""
    form = await request.form()
    return {
        k: v[:50] for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "note")
    }


@router.post("/inclusion/policy", dependencies=[CsrfDep])
def save_policy(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    entered: Annotated[dict[str, str], Depends(policy_input)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    """The policy numbers (caps, plausibility, claim window, validity) as a new scheme version;
    a refused form comes back with what was typed and every bad field named."""
    unit = get_unit(session, request.app.state.settings.default_unit)
    return _rules_change(
        request, session, user, lang, "policy", entered,
        lambda: rules_svc.save_policy(session, actor, unit, entered, note),
    )  # fmt: skip


def _policy_label(key: str, lang: str) -> str:
    """A policy number's name on the form, e.g. 公交出行 · 最高速度（km/h）."""
    parts = key.split(".")
    field = translate(f"inc_policy_{parts[-1]}", lang)
    if len(parts) == 1:
        return field
    scope = parts[1]
    where = (
        translate("inc_policy_total", lang) if scope == "total" else _scenario_label(scope, lang)
    )
    return f"{where} · {field}"


@router.post("/inclusion/choice", dependencies=[CsrfDep])
def choose_methodology(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    scenario: Annotated[str, Form(max_length=32)],
    methodology: Annotated[str, Form(max_length=100)],
    valid_from: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    """Apply a methodology version to a scenario (from a date) as a new scheme version."""
    unit = get_unit(session, request.app.state.settings.default_unit)
    entered = {"choice.scenario": scenario, "choice.methodology": methodology,
               "choice.valid_from": valid_from}  # fmt: skip

    def change() -> object:
        try:
            day = date.fromisoformat(valid_from.strip()) if valid_from.strip() else None
        except ValueError:
            raise InvalidInput(
                f"valid_from: 应为日期，如 2026-01-01，实际为“{valid_from}” (a date)"
            ) from None
        return rules_svc.choose_methodology(session, actor, unit, scenario, methodology, day, note)

    return _rules_change(request, session, user, lang, "choice", entered, change)


@router.post("/inclusion/methodologies", dependencies=[CsrfDep])
def publish_methodology(
    request: Request, session: SessionDep, user: UserDep, actor: ActorDep, lang: LangDep,
    yaml_text: Annotated[str, Form(max_length=rules_svc.MAX_YAML_CHARS + 1)],
) -> Response:  # fmt: skip
    """Publish a methodology version; a refused text comes back with its error."""
    return _rules_change(
        request, session, user, lang, "methodology", {"methodology": yaml_text},
        lambda: rules_svc.publish_methodology(session, actor, yaml_text),
    )  # fmt: skip


@router.get("/inclusion/rules/{version_id}.yaml")
def scheme_version_yaml(
    request: Request, session: SessionDep, user: UserDep, version_id: int
) -> Response:
    """One saved version of the unit's platform rules, as it was saved."""
    unit = get_unit(session, request.app.state.settings.default_unit)
    return Response(
        rules_svc.scheme_version_text(session, unit, version_id),
        media_type="text/plain; charset=utf-8",
    )


@router.get("/inclusion/methodologies/{ref}.yaml")
def methodology_yaml(session: SessionDep, user: UserDep, ref: str) -> Response:
    """A methodology version's YAML, to start a new version from."""
    return Response(
        rules_svc.methodology_text(session, ref),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(ref)}.yaml"},
    )


def _rules_change(
    request: Request, session: Session, user: m.UserAccount, lang: str, form: str,
    entered: Mapping[str, str], change: Callable[[], object],
) -> Response:  # fmt: skip
    """Run one of the office's rules changes; back to the page with a notice, or, refused,
    the page again with ``form``'s error and what was entered (nothing stored)."""
    try:
        with session.begin_nested():
            change()
    except (InvalidInput, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return _office_page(
            request, session, user, lang, entered=entered, errors={form: str(exc)},
            status_code=status,
        )  # fmt: skip
    saved = "methodology" if form == "methodology" else "scheme"
    return RedirectResponse(f"/inclusion?saved={saved}#rules", status_code=303)


def _reason_label(code: str | None, lang: str) -> str:
    if code in (None, "accepted"):
        return "已入账" if lang != "en" else "accepted"
    try:
        reason = ReasonCode(code)
    except ValueError:
        return str(code)
    return reason.label_en if lang == "en" else reason.label_zh


def _scenario_label(code: str | None, lang: str) -> str:
    if code == "all":
        return "全部场景" if lang != "en" else "all scenarios"
    try:
        s = Scenario(str(code))
    except ValueError:
        return str(code)
    return s.label_en if lang == "en" else s.label_zh


def _chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Grams per methodology version per period, for the ``inclusion`` chart renderer."""
    periods = sorted({str(r["period"]) for r in rows})
    refs = sorted({f"{r['methodology_id']}@{r['methodology_version']}" for r in rows})
    series = []
    for ref in refs:
        by = {
            str(r["period"]): r["grams"]
            for r in rows
            if f"{r['methodology_id']}@{r['methodology_version']}" == ref
        }
        series.append({"name": ref, "data": [by.get(p, 0) for p in periods]})
    return {"periods": periods, "series": series, "unit": "g CO2"}


def _back(year: int | None, error: str | None = None) -> RedirectResponse:
    target = "/inclusion" + (f"?year={year}" if year else "")
    if error:
        target += ("&" if year else "?") + "error=" + error
    return RedirectResponse(target, status_code=303)


@router.post("/inclusion/partners", dependencies=[CsrfDep])
def create_partner(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    code: Annotated[str, Form()],
    name_zh: Annotated[str, Form()],
    scenarios: Annotated[list[str], Form()],
) -> Response:
    unit = get_unit(session, request.app.state.settings.default_unit)
    try:
        key = svc.create_partner(session, actor, _master(request), unit, code, name_zh, scenarios)
    except (InvalidInput, PermissionDenied) as exc:
        return _back(None, str(exc)[:200])
    request.session["inclusion_new_key"] = key.__dict__
    return _back(None)


PARTNER_FIELDS = ("name_zh", "scenarios", "active")


def _field_of(message: str) -> str | None:
    """The form field a service error names (``"scenarios: …"`` → ``scenarios``)."""
    head = message.split(":", 1)[0].strip()
    return head if head in PARTNER_FIELDS else None


def _partner_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    lang: str,
    code: str,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    partner = svc.get_partner(session, code)
    is_admin = user.role == Role.ADMIN.value
    if not is_admin:
        message = "只有工作专班办公室（管理员）可以管理合作方 (office only)"
        context = {"lang": lang, "user": user, "title": "forbidden", "message": message}
        return render(request, "error.html", context, status_code=403)
    values = form or {
        "name_zh": partner.name_zh,
        "scenarios": list(partner.scenarios),
        "active": partner.active,
    }
    context = {
        "lang": lang,
        "user": user,
        "partner": partner,
        "values": values,
        "scenarios": list(Scenario),
        "error": error,
        "error_field": _field_of(error) if error else None,
        "new_key": request.session.pop("inclusion_new_key", None),
        "message": request.query_params.get("message"),
        "is_admin": is_admin,
    }
    response = render(request, "inclusion_partner.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # it may show a secret, once
    return response


@router.get("/inclusion/partners/{code}", response_class=HTMLResponse)
def partner_form(
    request: Request, session: SessionDep, user: UserDep, lang: LangDep, code: str
) -> HTMLResponse:
    """The office's edit form of one partner: name, scenarios, active; key rotation."""
    return _partner_page(request, session, user, lang, code)


@router.post("/inclusion/partners/{code}", dependencies=[CsrfDep])
def partner_save(
    request: Request,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    code: str,
    name_zh: Annotated[str, Form()] = "",
    scenarios: Annotated[list[str] | None, Form()] = None,
    active: Annotated[str | None, Form()] = None,
) -> Response:
    """Save the partner form; a refused change is shown on the form, with what was typed."""
    chosen = scenarios or []
    try:
        svc.update_partner(session, actor, code, chosen, active is not None, name_zh=name_zh)
    except (InvalidInput, PermissionDenied) as exc:  # refused before anything changed
        form = {"name_zh": name_zh, "scenarios": chosen, "active": active is not None}
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return _partner_page(
            request, session, user, lang, code, form=form, error=str(exc), status_code=status
        )
    return RedirectResponse(f"/inclusion/partners/{code}?message=saved", status_code=303)


@router.post("/inclusion/partners/{code}/rotate", dependencies=[CsrfDep])
def rotate_partner(request: Request, session: SessionDep, actor: ActorDep, code: str) -> Response:
    """A new key for the partner; its secret is shown once, on the partner's page."""
    try:
        key = svc.rotate_key(session, actor, _master(request), code)
    except PermissionDenied as exc:
        return _back(None, str(exc)[:200])
    request.session["inclusion_new_key"] = key.__dict__
    return RedirectResponse(f"/inclusion/partners/{code}", status_code=303)


@router.post("/inclusion/indicator", dependencies=[CsrfDep])
def sync_indicator(
    request: Request, session: SessionDep, actor: ActorDep, year: Annotated[int, Form()]
) -> Response:
    if actor.role is not Role.ADMIN:
        return _back(year, "admin only")
    svc.sync_indicator_6(session, get_unit(session, request.app.state.settings.default_unit), year)
    return _back(year)


@router.post("/inclusion/expire", dependencies=[CsrfDep])
def expire_points(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    as_of: Annotated[str, Form()],
) -> Response:
    """Post the expiry of points past the scheme's validity as of a date (idempotent)."""
    unit = get_unit(session, request.app.state.settings.default_unit)
    try:
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            raise InvalidInput(f"as_of: 应为日期，如 2025-06-30，实际为 {as_of!r}") from None
        run = svc.expire_points(
            session,
            actor,
            unit,
            day,
            rules_svc.points_validity(
                rules_svc.rules(session, unit),
                request.app.state.settings.inclusion_points_valid_months,
            ),
        )
    except (InvalidInput, PermissionDenied) as exc:
        return _back(None, str(exc)[:200])
    request.session["inclusion_expired"] = {
        "transactions": run.transactions,
        "points": run.points,
        "residents": run.residents,
    }
    return _back(None)


@router.post("/inclusion/offers", dependencies=[CsrfDep])
def create_offer(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    merchant_code: Annotated[str, Form()],
    merchant_name: Annotated[str, Form()],
    title_zh: Annotated[str, Form()],
    points: Annotated[int, Form(gt=0)],
) -> Response:
    unit = get_unit(session, request.app.state.settings.default_unit)
    try:
        if merchant_code not in {mm.code for _o, mm in svc.offers(session)}:
            from sqlalchemy import select

            from nearzero.store.tables.inclusion import InclusionMerchant

            exists = session.scalar(
                select(InclusionMerchant.id).where(InclusionMerchant.code == merchant_code)
            )
            if exists is None:
                svc.create_merchant(session, actor, unit, merchant_code, merchant_name)
        svc.create_offer(session, actor, merchant_code, title_zh, points)
    except (InvalidInput, PermissionDenied) as exc:
        return _back(None, str(exc)[:200])
    return _back(None)


@router.get("/inclusion/statement.csv")
def statement_csv(
    request: Request, session: SessionDep, user: UserDep, year: YearQ = None
) -> Response:
    """The pooled reductions statement with its trace (ledger transactions), as CSV."""
    unit = get_unit(session, request.app.state.settings.default_unit)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["period", "methodology", "scenario", "records", "grams", "transactions"])
    for line in svc.pooled_statement(session, unit, year):
        w.writerow([line.period.isoformat(), line.methodology, line.scenario, line.records,
                    line.grams, " ".join(line.transactions)])  # fmt: skip
    name = f"pooled-reductions-{unit.code}-{year or 'all'}.csv"
    return Response(
        buf.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --------------------------------------------------------------------------- resident


@router.get("/inclusion/me/{token}", response_class=HTMLResponse)
def resident_page(request: Request, session: SessionDep, lang: LangDep, token: str) -> HTMLResponse:
    pseudonym = svc.resident_from_token(_master(request), token)
    view = svc.resident_view(session, pseudonym)
    context = {
        "lang": lang,
        "user": None,
        "unit": None,
        "view": view,
        "token": token,
        "client_key": secrets.token_urlsafe(16),
        "scenario_label": _scenario_label,
        "message": request.query_params.get("message"),
        "message_scenario": _scenario_label(request.query_params.get("scenario"), lang)
        if request.query_params.get("scenario") in Scenario._value2member_map_
        else "",
    }
    return render(request, "inclusion_me.html", context)


@router.post("/inclusion/me/{token}/redeem", dependencies=[CsrfDep])
def resident_redeem(
    request: Request,
    session: SessionDep,
    token: str,
    offer_id: Annotated[int, Form()],
    client_key: Annotated[str, Form()],
) -> Response:
    pseudonym = svc.resident_from_token(_master(request), token)
    try:
        svc.redeem_offer(session, pseudonym, offer_id, client_key)
        message = "redeemed"
    except InvalidInput:
        message = "insufficient"
    return RedirectResponse(f"/inclusion/me/{token}?message={message}", status_code=303)


@router.post("/inclusion/me/{token}/consent", dependencies=[CsrfDep])
def resident_consent(
    request: Request,
    session: SessionDep,
    token: str,
    scenario: Annotated[str, Form()],
    granted: Annotated[bool, Form()],
) -> Response:
    """The resident grants or withdraws consent to one scenario, from now on.

    After a withdrawal, records of behaviour from then on in that scenario are refused
    ``no_consent``; points already credited stay.
    """
    pseudonym = svc.resident_from_token(_master(request), token)
    try:
        chosen = Scenario(scenario)
    except ValueError:
        return RedirectResponse(f"/inclusion/me/{token}?message=bad_scenario", status_code=303)
    svc.set_consent(session, "resident", pseudonym, chosen, granted, datetime.now(UTC))
    message = "consent_granted" if granted else "consent_withdrawn"
    return RedirectResponse(
        f"/inclusion/me/{token}?message={message}&scenario={chosen.value}#consents",
        status_code=303,
    )
