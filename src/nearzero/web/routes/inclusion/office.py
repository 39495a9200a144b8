"""The office's carbon-inclusion page and forms: statistics, the pool, partners, platform
rules, points expiry, offers. Each works on the unit of ``?unit=`` (or the default unit);
the page's context is built by :mod:`nearzero.services.inclusion.pages`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from nearzero.inclusion.choices import Period
from nearzero.inclusion.records import CHINA_TZ
from nearzero.services.access import Action
from nearzero.services.context import InvalidInput, PermissionDenied, Role
from nearzero.services.inclusion import pages, partners, redemption, rules as rules_svc, statistics
from nearzero.settings import Settings
from nearzero.store import tables as m
from nearzero.web.deps import (
    ActorDep,
    CsrfDep,
    LangDep,
    Refusal,
    SessionDep,
    SettingsDep,
    UnitDep,
    UserDep,
    allow,
    refusals,
)
from nearzero.web.i18n import translate
from nearzero.web.render import render, render_page
from nearzero.web.routes.inclusion import master_key, reason_label, scenario_label, unit_url

router = APIRouter()

YearQ = Annotated[int | None, Query(ge=1990, le=2100)]


_BAND_LABELS = {
    "typical_reduction_g": ("单条记录典型减排量（g CO2）", "Typical reduction per record (g CO2)"),
    "reduction_band_pct": ("减排量允许偏差（±%）", "Reduction band around it (± %)"),
}
"""The reduction band's names on the form (to move to the i18n dictionary)."""


def _policy_label(key: str, lang: str) -> str:
    """A policy number's name on the form, e.g. 公交出行 · 最高速度（km/h）."""
    parts = key.split(".")
    band = _BAND_LABELS.get(parts[-1])
    if band is not None:
        field = band[1] if lang == "en" else band[0]
    else:
        field = translate(f"inc_policy_{parts[-1]}", lang)
    if len(parts) == 1:
        return field
    scope = parts[1]
    where = translate("inc_policy_total", lang) if scope == "total" else scenario_label(scope, lang)
    return f"{where} · {field}"


def _office_page(
    request: Request,
    session: Session,
    settings: Settings,
    unit: m.DemoUnit,
    user: m.UserAccount,
    lang: str,
    *,
    year: int | None = None,
    period: Period = Period.MONTH,
    entered: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The office page; a refused rules form comes back with its text and the error."""
    page = pages.office_page(
        session,
        unit,
        year=year or datetime.now(UTC).year,
        today=datetime.now(CHINA_TZ).date(),
        is_admin=user.role == Role.ADMIN.value,
        installation_validity=settings.inclusion_points_valid_months,
        period=period,
        entered=entered,
        errors=errors,
    )
    return render_page(
        request,
        "inclusion.html",
        page,
        lang,
        user,
        status_code,
        reason_label=reason_label,
        scenario_label=scenario_label,
        policy_label=_policy_label,
        new_key=request.session.pop("inclusion_new_key", None),
        expired_run=request.session.pop("inclusion_expired", None),
        error=request.query_params.get("error"),
        rules_saved=request.query_params.get("saved"),
        other_unit=unit.code if unit.code != settings.default_unit else None,
    )


@router.get("/inclusion", response_class=HTMLResponse)
def office(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
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
        entered = {"methodology": rules_svc.draft_from(session, start_from, unit)}
    return _office_page(
        request, session, settings, unit, user, lang, year=year, period=period, entered=entered
    )


def _rules_change(
    request: Request,
    session: Session,
    settings: Settings,
    unit: m.DemoUnit,
    user: m.UserAccount,
    lang: str,
    form: str,
    entered: Mapping[str, str],
    change: Callable[[], object],
) -> Response:
    """Run one of the office's rules changes; back to the page with a notice, or, refused,
    the page again with ``form``'s error and what was entered (nothing stored)."""

    def page(exc: Refusal, status: int) -> Response:
        return _office_page(
            request,
            session,
            settings,
            unit,
            user,
            lang,
            entered=entered,
            errors={form: str(exc)},
            status_code=status,
        )

    with refusals(session, page):
        change()
    saved = form if form in ("methodology", "scenario") else "scheme"
    return RedirectResponse(unit_url(unit, "/inclusion", "rules", saved=saved), status_code=303)


@router.post("/inclusion/rules", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def save_rules(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    yaml_text: Annotated[str, Form(max_length=rules_svc.MAX_YAML_CHARS + 1)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Save a new version of the unit's scheme; a refused text comes back with its error."""
    return _rules_change(
        request,
        session,
        settings,
        unit,
        user,
        lang,
        "scheme",
        {"scheme": yaml_text},
        lambda: rules_svc.save_scheme(session, actor, unit, yaml_text, note),
    )


async def policy_input(request: Request) -> dict[str, str]:
    """The policy form as posted: each number's text by its key (see ``Scheme.policy``)."""
    form = await request.form()
    return {
        k: v[:50] for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "note")
    }


@router.post("/inclusion/policy", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def save_policy(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    entered: Annotated[dict[str, str], Depends(policy_input)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The policy numbers (caps, plausibility, claim window, validity) as a new scheme version;
    a refused form comes back with what was typed and every bad field named."""
    return _rules_change(
        request,
        session,
        settings,
        unit,
        user,
        lang,
        "policy",
        entered,
        lambda: rules_svc.save_policy(session, actor, unit, entered, note),
    )


@router.post("/inclusion/choice", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def choose_methodology(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    scenario: Annotated[str, Form(max_length=32)],
    methodology: Annotated[str, Form(max_length=100)],
    valid_from: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Apply a methodology version to a scenario (from a date) as a new scheme version."""
    entered = {
        "choice.scenario": scenario,
        "choice.methodology": methodology,
        "choice.valid_from": valid_from,
    }

    def change() -> object:
        try:
            day = date.fromisoformat(valid_from.strip()) if valid_from.strip() else None
        except ValueError:
            raise InvalidInput(
                f"valid_from: 应为日期，如 2026-01-01，实际为“{valid_from}” (a date)"
            ) from None
        return rules_svc.choose_methodology(session, actor, unit, scenario, methodology, day, note)

    return _rules_change(request, session, settings, unit, user, lang, "choice", entered, change)


@router.post("/inclusion/methodologies", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def publish_methodology(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    yaml_text: Annotated[str, Form(max_length=rules_svc.MAX_YAML_CHARS + 1)],
) -> Response:
    """Publish a methodology version; a refused text comes back with its error."""
    return _rules_change(
        request,
        session,
        settings,
        unit,
        user,
        lang,
        "methodology",
        {"methodology": yaml_text},
        lambda: rules_svc.publish_methodology(session, actor, yaml_text),
    )


@router.post("/inclusion/scenarios", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def publish_scenario(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    user: UserDep,
    actor: ActorDep,
    lang: LangDep,
    yaml_text: Annotated[str, Form(max_length=rules_svc.MAX_YAML_CHARS + 1)],
) -> Response:
    """Add a scenario (as data); a refused text comes back with its error."""
    return _rules_change(
        request,
        session,
        settings,
        unit,
        user,
        lang,
        "scenario",
        {"scenario": yaml_text},
        lambda: rules_svc.publish_scenario(session, actor, yaml_text),
    )


@router.get("/inclusion/rules/{version_id}.yaml")
def scheme_version_yaml(
    session: SessionDep, unit: UnitDep, user: UserDep, version_id: int
) -> Response:
    """One saved version of the unit's platform rules, as it was saved."""
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


def _back(unit: m.DemoUnit, year: int | None = None, error: str | None = None) -> Response:
    """Back to the office page (of ``year``), with a refusal's message when there is one."""
    return RedirectResponse(unit_url(unit, "/inclusion", year=year, error=error), status_code=303)


def _back_refused(unit: m.DemoUnit) -> Callable[[Refusal, int], Response]:
    """The office page again with a refused form's message (nothing of it stored)."""
    return lambda exc, _status: _back(unit, error=str(exc)[:200])


@router.post("/inclusion/partners", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def create_partner(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    actor: ActorDep,
    code: Annotated[str, Form()],
    name_zh: Annotated[str, Form()],
    scenarios: Annotated[list[str], Form()],
) -> Response:
    """Register a partner of the unit; its key's secret is shown once, on the next page."""
    with refusals(session, _back_refused(unit)):
        key = partners.create_partner(
            session, actor, master_key(settings), unit, code, name_zh, scenarios
        )
    request.session["inclusion_new_key"] = key.__dict__
    return _back(unit)


def _partner_page(
    request: Request,
    session: Session,
    unit: m.DemoUnit,
    user: m.UserAccount,
    lang: str,
    code: str,
    *,
    entered: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        page = pages.partner_page(
            session,
            unit,
            code,
            is_admin=user.role == Role.ADMIN.value,
            entered=entered,
            refusal=refusal,
        )
    except PermissionDenied as exc:
        context = {"lang": lang, "user": user, "title": "forbidden", "message": str(exc)}
        return render(request, "error.html", context, status_code=403)
    response = render_page(
        request,
        "inclusion_partner.html",
        page,
        lang,
        user,
        status_code,
        unit=unit,
        year=datetime.now(UTC).year,
        new_key=request.session.pop("inclusion_new_key", None),
        message=request.query_params.get("message"),
        is_admin=True,
    )
    response.headers["Cache-Control"] = "no-store"  # it may show a secret, once
    return response


@router.get("/inclusion/partners/{code}", response_class=HTMLResponse)
def partner_form(
    request: Request, session: SessionDep, unit: UnitDep, user: UserDep, lang: LangDep, code: str
) -> HTMLResponse:
    """The office's edit form of one partner: name, scenarios, active; key rotation."""
    return _partner_page(request, session, unit, user, lang, code)


@router.post("/inclusion/partners/{code}", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def partner_save(
    request: Request,
    session: SessionDep,
    unit: UnitDep,
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
    typed = {"name_zh": name_zh, "scenarios": chosen, "active": active is not None}

    def page(exc: Refusal, status: int) -> Response:
        return _partner_page(
            request, session, unit, user, lang, code, entered=typed, refusal=exc, status_code=status
        )

    with refusals(session, page):
        partners.update_partner(
            session, actor, code, chosen, active is not None, name_zh=name_zh, unit=unit
        )
    target = unit_url(unit, f"/inclusion/partners/{quote(code)}", message="saved")
    return RedirectResponse(target, status_code=303)


@router.post(
    "/inclusion/partners/{code}/rotate", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)]
)
def rotate_partner(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    actor: ActorDep,
    code: str,
) -> Response:
    """A new key for the partner; its secret is shown once, on the partner's page."""
    with refusals(session, _back_refused(unit)):
        key = partners.rotate_key(session, actor, master_key(settings), code, unit)
    request.session["inclusion_new_key"] = key.__dict__
    return RedirectResponse(unit_url(unit, f"/inclusion/partners/{quote(code)}"), status_code=303)


@router.post("/inclusion/indicator", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def sync_indicator(
    session: SessionDep, unit: UnitDep, actor: ActorDep, year: Annotated[int, Form()]
) -> Response:
    """Bring indicator 6 (live scenarios) of ``year`` up to date (the office)."""
    if actor.role is not Role.ADMIN:
        return _back(unit, year, "admin only")
    statistics.sync_indicator_6(session, unit, year)
    return _back(unit, year)


@router.post("/inclusion/expire", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def expire_points(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    unit: UnitDep,
    actor: ActorDep,
    as_of: Annotated[str, Form()],
) -> Response:
    """Post the expiry of points past the scheme's validity as of a date (idempotent)."""
    with refusals(session, _back_refused(unit)):
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            raise InvalidInput(f"as_of: 应为日期，如 2025-06-30，实际为 {as_of!r}") from None
        months = rules_svc.points_validity(
            rules_svc.rules(session, unit), settings.inclusion_points_valid_months
        )
        run = redemption.expire_points(session, actor, unit, day, months)
    request.session["inclusion_expired"] = {
        "transactions": run.transactions,
        "points": run.points,
        "residents": run.residents,
    }
    return _back(unit)


@router.post("/inclusion/offers", dependencies=[CsrfDep, allow(Action.INCLUSION_OFFICE)])
def create_offer(
    session: SessionDep,
    unit: UnitDep,
    actor: ActorDep,
    merchant_code: Annotated[str, Form()],
    merchant_name: Annotated[str, Form()],
    title_zh: Annotated[str, Form()],
    points: Annotated[int, Form(gt=0)],
) -> Response:
    """An offer at one of the unit's merchants (registered with the offer when new)."""
    with refusals(session, _back_refused(unit)):
        redemption.add_offer(session, actor, unit, merchant_code, merchant_name, title_zh, points)
    return _back(unit)


@router.get("/inclusion/statement.csv")
def statement_csv(
    session: SessionDep, unit: UnitDep, user: UserDep, year: YearQ = None
) -> Response:
    """The unit's pooled reductions statement with its trace (ledger transactions), as CSV."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["period", "methodology", "scenario", "records", "grams", "transactions"])
    trace = statistics.pooled_trace(session, unit, year)
    for line in statistics.pooled_statement(session, unit, year):
        w.writerow(
            [
                line.period.isoformat(),
                line.methodology,
                line.scenario,
                line.records,
                line.grams,
                " ".join(trace.get((line.period, line.methodology, line.scenario), [])),
            ]
        )
    name = f"pooled-reductions-{unit.code}-{year or 'all'}.csv"
    return Response(
        buf.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
