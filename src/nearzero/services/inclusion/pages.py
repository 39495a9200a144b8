"""What the office's carbon-inclusion pages show, as typed data built from the services: the
office page (statistics, pool, partners, rules, expiry, offers) and a partner's edit form.

Every list is the unit's (DESIGN: nothing may assume one district). The web layer adds
only what belongs to the request (the language, a secret shown once, a notice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from nearzero.inclusion.choices import Period, Scenario
from nearzero.inclusion.methodology import Methodology
from nearzero.services.context import InvalidInput, PermissionDenied
from nearzero.services.inclusion import rules as rules_service
from nearzero.services.inclusion.partners import get_partner, partners
from nearzero.services.inclusion.redemption import expired_total, offers
from nearzero.services.inclusion.statistics import (
    Rows,
    StatementLine,
    live_scenarios,
    pool_balance,
    pooled_statement,
    statistics,
)
from nearzero.store import tables as m


def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Grams per methodology version per period [g CO2e], for the ``inclusion`` chart."""
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


@dataclass
class OfficePage:
    """The office page of one unit for ``year`` (statistics by ``period``).

    pool_g : reductions held by the department's pool [g CO2e]; ``statement_total`` those
        pooled in ``year`` [g CO2e]; ``expired_g`` points expired so far.
    valid_months : the points validity in force (None: points do not expire).
    rules_text, methodology_text, policy : the rules forms' texts (as typed when refused).
    unset : the platform rules still empty (:meth:`~nearzero.inclusion.rules.Scheme.unset`
        keys; the page shows each by its name).
    """

    unit: m.DemoUnit
    year: int
    period: str
    is_admin: bool
    stats: Rows
    chart: dict[str, Any]
    statement: list[StatementLine]
    statement_total: int
    pool_g: int
    live: dict[str, int]
    partners: list[m.InclusionPartner]
    offers: list[tuple[m.InclusionOffer, m.InclusionMerchant]]
    valid_months: int | None
    expired_g: int
    today: str
    rules: rules_service.Rules
    scenario_rules: list[rules_service.ScenarioRule]
    published: list[m.InclusionMethodologyVersion]
    scheme_versions: list[m.InclusionSchemeVersion]
    versions: list[Methodology]
    rules_text: str
    methodology_text: str
    policy: dict[str, str]
    scenario_text: str = ""
    unset: tuple[str, ...] = ()
    rules_errors: Mapping[str, str] = field(default_factory=dict)
    scenarios: list[Scenario] = field(default_factory=lambda: list(Scenario))


def office_page(
    session: Session,
    unit: m.DemoUnit,
    *,
    year: int,
    today: date,
    is_admin: bool,
    installation_validity: int | None,
    period: Period = Period.MONTH,
    entered: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> OfficePage:
    """The office page; ``entered`` holds a refused form's texts (``scheme``,
    ``methodology`` or policy keys) and ``errors`` its error by form."""
    entered = entered or {}
    in_force = rules_service.rules(session, unit)
    stats = statistics(session, unit, period)
    statement = pooled_statement(session, unit, year)
    policy = {
        k: entered.get(k, "" if v is None else str(v)) for k, v in in_force.scheme.policy().items()
    }
    return OfficePage(
        unit=unit,
        year=year,
        period=period.value,
        is_admin=is_admin,
        stats=stats,
        chart=chart(stats["reductions_by_methodology"]),
        statement=statement,
        statement_total=sum(line.grams for line in statement),
        pool_g=pool_balance(session, unit.code),
        live=live_scenarios(session, unit, year),
        partners=partners(session, unit),
        offers=offers(session, unit),
        valid_months=rules_service.points_validity(in_force, installation_validity),
        expired_g=expired_total(session, unit.code),
        today=today.isoformat(),
        rules=in_force,
        scenario_rules=rules_service.scenario_rules(in_force, today),
        published=rules_service.published_versions(session),
        scheme_versions=rules_service.scheme_versions(session, unit)[:20],
        versions=list(in_force.library),
        rules_text=entered.get("scheme", in_force.yaml_text),
        methodology_text=entered.get("methodology", ""),
        scenario_text=entered.get("scenario", ""),
        policy=policy,
        unset=in_force.scheme.unset(),
        rules_errors=errors or {},
        scenarios=list(rules_service.load_scenarios(session.connection())),
    )


PARTNER_FIELDS = ("name_zh", "scenarios", "active")


def field_of(message: str) -> str | None:
    """The partner form field a service error names (``"scenarios: …"`` → ``scenarios``)."""
    head = message.split(":", 1)[0].strip()
    return head if head in PARTNER_FIELDS else None


@dataclass
class PartnerPage:
    """A partner's edit form: the partner, the values shown (as typed when refused), and
    the refusal with the field it names."""

    partner: m.InclusionPartner
    values: dict[str, Any]
    error: str | None = None
    error_field: str | None = None
    scenarios: list[Scenario] = field(default_factory=lambda: list(Scenario))


def partner_page(
    session: Session,
    unit: m.DemoUnit,
    code: str,
    *,
    is_admin: bool,
    entered: dict[str, Any] | None = None,
    refusal: InvalidInput | PermissionDenied | None = None,
) -> PartnerPage:
    """The edit form of the unit's partner ``code`` (:class:`NotFound` otherwise); only the
    office sees it (:class:`PermissionDenied`)."""
    partner = get_partner(session, code, unit)
    if not is_admin:
        raise PermissionDenied("只有工作专班办公室（管理员）可以管理合作方 (office only)")
    values = entered or {
        "name_zh": partner.name_zh,
        "scenarios": list(partner.scenarios),
        "active": partner.active,
    }
    error = str(refusal) if refusal is not None else None
    known = list(rules_service.load_scenarios(session.connection()))
    return PartnerPage(partner, values, error, field_of(error) if error else None, known)
