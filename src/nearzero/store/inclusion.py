"""Carbon inclusion (碳普惠) queries: partners, residents, consents, nonces, merchants, offers,
redemptions, methodology and scheme versions, and the statistics' reads.

The tables are in :mod:`nearzero.store.tables.inclusion`; the bulk intake's SQL is with the
intake (:mod:`nearzero.services.inclusion.intake`, :mod:`nearzero.store.ledger`). Every list
shown for a unit is filtered by the unit (DESIGN: nothing may assume one district):
partners and merchants carry ``unit_id``; offers, records and the pool follow them.
Times are UTC; bound and read through :mod:`nearzero.store.dialect`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from nearzero.store.dialect import storable, time_param, utc_time
from nearzero.store.tables import inclusion as inc, indicators as ind, ledger as led

# --------------------------------------------------------------------------- partners


def partner(session: Session, code: str) -> inc.InclusionPartner | None:
    """The partner ``code`` (partner codes are unique across units), or None."""
    if not storable(code):
        return None
    query = select(inc.InclusionPartner).where(inc.InclusionPartner.code == code)
    return session.scalar(query)


def partners(session: Session, unit_id: int) -> list[inc.InclusionPartner]:
    """The unit's partners, active or not, in code order."""
    query = select(inc.InclusionPartner).where(inc.InclusionPartner.unit_id == unit_id)
    return list(session.scalars(query.order_by(inc.InclusionPartner.code)))


def partner_codes(session: Session, unit_id: int) -> list[str]:
    """The codes of the unit's partners, active or not, in code order."""
    query = select(inc.InclusionPartner.code).where(inc.InclusionPartner.unit_id == unit_id)
    return list(session.scalars(query.order_by(inc.InclusionPartner.code)))


def add_partner(
    session: Session,
    unit_id: int,
    code: str,
    name_zh: str,
    scenarios: list[str],
    key_id: str,
    fingerprint: str,
) -> inc.InclusionPartner:
    """Insert an active partner."""
    row = inc.InclusionPartner(
        unit_id=unit_id,
        code=code,
        name_zh=name_zh,
        scenarios=scenarios,
        key_id=key_id,
        secret_fingerprint=fingerprint,
        active=True,
    )
    session.add(row)
    session.flush()
    return row


def authorised_scenarios(session: Session, unit_id: int) -> set[str]:
    """The scenarios some active partner of the unit is authorised for."""
    query = select(inc.InclusionPartner.scenarios).where(
        inc.InclusionPartner.unit_id == unit_id, inc.InclusionPartner.active
    )
    return {s for scenarios in session.scalars(query) for s in scenarios}


# --------------------------------------------------------------------------- residents, consent


def resident(session: Session, pseudonym: str) -> inc.InclusionResident:
    """The resident row of ``pseudonym``, inserted when new."""
    row = session.scalar(
        select(inc.InclusionResident).where(inc.InclusionResident.pseudonym == pseudonym)
    )
    if row is None:
        row = inc.InclusionResident(pseudonym=pseudonym)
        session.add(row)
        session.flush()
    return row


def open_consent(session: Session, resident_id: int, scenario: str) -> inc.InclusionConsent | None:
    """The resident's consent to ``scenario`` now in force (not revoked), or None."""
    return session.scalar(
        select(inc.InclusionConsent).where(
            inc.InclusionConsent.resident_id == resident_id,
            inc.InclusionConsent.scenario == scenario,
            inc.InclusionConsent.revoked_at.is_(None),
        )
    )


def add_consent(
    session: Session, resident_id: int, scenario: str, at: datetime, via: str
) -> inc.InclusionConsent:
    """Insert a consent granted at ``at`` through ``via``."""
    row = inc.InclusionConsent(
        resident_id=resident_id, scenario=scenario, granted_at=at, granted_via=via
    )
    session.add(row)
    session.flush()
    return row


def consented_scenarios(session: Session, pseudonym: str) -> set[str]:
    """The scenarios the resident's consent is now in force for."""
    query = (
        select(inc.InclusionConsent.scenario)
        .join(inc.InclusionResident, inc.InclusionResident.id == inc.InclusionConsent.resident_id)
        .where(
            inc.InclusionResident.pseudonym == pseudonym,
            inc.InclusionConsent.revoked_at.is_(None),
        )
    )
    return set(session.scalars(query))


# --------------------------------------------------------------------------- nonces


def nonce_used(session: Session, partner_code: str, nonce: str) -> bool:
    """Whether the partner used ``nonce`` already (and it has not been purged)."""
    found = session.execute(
        text(
            "SELECT 1 FROM inclusion_nonce n JOIN inclusion_partner p ON p.id = n.partner_id "
            "WHERE p.code = :p AND n.nonce = :n"
        ),
        {"p": partner_code, "n": nonce},
    ).first()
    return found is not None


def purge_nonces(session: Session, now: datetime) -> None:
    """Delete the nonces whose window ended before ``now``."""
    con = session.connection()
    con.execute(
        text("DELETE FROM inclusion_nonce WHERE expires_at < :now"), {"now": time_param(con, now)}
    )


def remember_nonce(session: Session, partner_id: int, nonce: str, expires_at: datetime) -> bool:
    """Store a used nonce; False when the partner used it already (a replay)."""
    con = session.connection()
    inserted = con.execute(
        text(
            "INSERT INTO inclusion_nonce (partner_id, nonce, expires_at) "
            "VALUES (:p, :n, :e) ON CONFLICT (partner_id, nonce) DO NOTHING RETURNING id"
        ),
        {"p": partner_id, "n": nonce, "e": time_param(con, expires_at)},
    ).scalar()
    return inserted is not None


# --------------------------------------------------------------------------- merchants, offers


def merchant(session: Session, code: str) -> inc.InclusionMerchant | None:
    """The merchant ``code`` (merchant codes are unique across units), or None."""
    query = select(inc.InclusionMerchant).where(inc.InclusionMerchant.code == code)
    return session.scalar(query)


def merchants(session: Session, unit_id: int) -> list[inc.InclusionMerchant]:
    """The unit's merchants, in code order."""
    query = select(inc.InclusionMerchant).where(inc.InclusionMerchant.unit_id == unit_id)
    return list(session.scalars(query.order_by(inc.InclusionMerchant.code)))


def add_merchant(session: Session, unit_id: int, code: str, name_zh: str) -> inc.InclusionMerchant:
    """Insert an active merchant."""
    row = inc.InclusionMerchant(unit_id=unit_id, code=code, name_zh=name_zh)
    session.add(row)
    session.flush()
    return row


def add_offer(session: Session, merchant_id: int, title_zh: str, points: int) -> inc.InclusionOffer:
    """Insert an active offer."""
    row = inc.InclusionOffer(merchant_id=merchant_id, title_zh=title_zh, points=points)
    session.add(row)
    session.flush()
    return row


def offers(
    session: Session, unit_id: int | None
) -> list[tuple[inc.InclusionOffer, inc.InclusionMerchant]]:
    """Active offers of active merchants, cheapest first, with their merchant; those of the
    unit, or of every unit when ``unit_id`` is None (a resident's points spend anywhere)."""
    query = (
        select(inc.InclusionOffer, inc.InclusionMerchant)
        .join(inc.InclusionMerchant, inc.InclusionMerchant.id == inc.InclusionOffer.merchant_id)
        .where(inc.InclusionOffer.active, inc.InclusionMerchant.active)
    )
    if unit_id is not None:
        query = query.where(inc.InclusionMerchant.unit_id == unit_id)
    rows = session.execute(query.order_by(inc.InclusionOffer.points, inc.InclusionOffer.id))
    return [(row.InclusionOffer, row.InclusionMerchant) for row in rows]


def active_offer(
    session: Session, offer_id: int
) -> tuple[inc.InclusionOffer, inc.InclusionMerchant] | None:
    """The active offer ``offer_id`` with its merchant, or None."""
    row = session.execute(
        select(inc.InclusionOffer, inc.InclusionMerchant)
        .join(inc.InclusionMerchant, inc.InclusionMerchant.id == inc.InclusionOffer.merchant_id)
        .where(inc.InclusionOffer.id == offer_id, inc.InclusionOffer.active)
    ).first()
    return None if row is None else (row.InclusionOffer, row.InclusionMerchant)


# --------------------------------------------------------------------------- redemptions


def redemption(session: Session, client_key: str) -> inc.InclusionRedemption | None:
    """The redemption made with ``client_key``, or None."""
    query = select(inc.InclusionRedemption).where(inc.InclusionRedemption.client_key == client_key)
    return session.scalar(query)


def add_redemption(
    session: Session,
    client_key: str,
    pseudonym: str,
    offer: inc.InclusionOffer,
    merchant: inc.InclusionMerchant,
    tx_key: str,
    at: datetime,
) -> inc.InclusionRedemption:
    """Insert the business record of a redemption whose ledger transaction is ``tx_key``."""
    query = select(led.LedgerTransaction.id).where(led.LedgerTransaction.key == tx_key)
    tx_id = session.execute(query).scalar_one()
    row = inc.InclusionRedemption(
        client_key=client_key,
        resident=pseudonym,
        offer_id=offer.id,
        merchant_id=merchant.id,
        points=offer.points,
        tx_id=int(tx_id),
        at=at,
    )
    session.add(row)
    session.flush()
    return row


# --------------------------------------------------------------------------- resident page


def credited_records(session: Session, pseudonym: str, limit: int) -> list[inc.InclusionRecord]:
    """The resident's latest credited records, newest first."""
    query = (
        select(inc.InclusionRecord)
        .where(inc.InclusionRecord.resident == pseudonym, inc.InclusionRecord.accepted)
        .order_by(inc.InclusionRecord.start_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def credited_total(session: Session, pseudonym: str) -> int:
    """Reductions credited to the resident over all time [g CO2e]."""
    total = session.scalar(
        select(func.coalesce(func.sum(inc.InclusionRecord.credited_g), 0)).where(
            inc.InclusionRecord.resident == pseudonym, inc.InclusionRecord.accepted
        )
    )
    return int(total or 0)


def redemptions_of(
    session: Session, pseudonym: str, limit: int
) -> list[tuple[inc.InclusionRedemption, str]]:
    """The resident's latest redemptions with the merchant's name, newest first."""
    rows = session.execute(
        select(inc.InclusionRedemption, inc.InclusionMerchant.name_zh)
        .join(
            inc.InclusionMerchant, inc.InclusionMerchant.id == inc.InclusionRedemption.merchant_id
        )
        .where(inc.InclusionRedemption.resident == pseudonym)
        .order_by(inc.InclusionRedemption.id.desc())
        .limit(limit)
    )
    return [(row.InclusionRedemption, row.name_zh) for row in rows]


def expiries_of(
    session: Session, pseudonym: str, asset: str, kind: str, limit: int
) -> list[tuple[datetime, int]]:
    """The resident's latest expiry postings: (effective time [UTC], points expired > 0)."""
    rows = session.execute(
        text(
            "SELECT t.effective_at AS at, p.amount AS amount FROM ledger_posting p "
            "JOIN ledger_transaction t ON t.id = p.tx_id "
            "JOIN ledger_account a ON a.id = p.account_id "
            "WHERE a.kind = 'resident' AND a.name = :n AND p.asset = :asset "
            "AND t.kind = :kind ORDER BY t.effective_at DESC, t.id DESC LIMIT :limit"
        ),
        {"n": pseudonym, "asset": asset, "kind": kind, "limit": limit},
    )
    return [(utc_time(row.at), -int(row.amount)) for row in rows]


def holders(session: Session, asset: str) -> list[str]:
    """The residents holding a positive balance of ``asset`` (their pseudonyms)."""
    rows = session.execute(
        text(
            "SELECT a.name AS name FROM ledger_posting p "
            "JOIN ledger_account a ON a.id = p.account_id "
            "WHERE a.kind = 'resident' AND p.asset = :asset GROUP BY a.name "
            "HAVING SUM(p.amount) > 0"
        ),
        {"asset": asset},
    )
    return [str(row.name) for row in rows]


# --------------------------------------------------------------------------- statistics


def indicator_name(session: Session, unit_id: int, code: str) -> str | None:
    """The Chinese name of the unit's indicator ``code``; None when the unit has none."""
    return session.scalar(
        select(ind.Indicator.name_zh).where(
            ind.Indicator.unit_id == unit_id, ind.Indicator.code == code
        )
    )


def indicator_value(
    session: Session, unit_id: int, code: str, year: int
) -> ind.IndicatorValue | None:
    """The whole-indicator value (no part) of the unit's indicator ``code`` for ``year``."""
    return session.scalar(
        select(ind.IndicatorValue)
        .join(ind.Indicator, ind.Indicator.id == ind.IndicatorValue.indicator_id)
        .where(
            ind.Indicator.unit_id == unit_id,
            ind.Indicator.code == code,
            ind.IndicatorValue.part_code == "",
            ind.IndicatorValue.year == year,
        )
    )


class SessionRunner:
    """Runs the core's Ibis statistics (:func:`nearzero.inclusion.stats.run`) on the
    session's own connection and transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        name = session.get_bind().dialect.name
        self.dialect = {"postgresql": "postgres"}.get(name, name)

    def fetch(self, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
        res = self.session.connection().exec_driver_sql(sql)
        return list(res.keys()), [tuple(r) for r in res]


# --------------------------------------------------------------------------- rules


def published_scenarios(con: Connection) -> tuple[tuple[str, str], ...]:
    """Every scenario the office added: (code, YAML), oldest first."""
    rows = con.execute(
        select(inc.InclusionScenario.code, inc.InclusionScenario.yaml_text).order_by(
            inc.InclusionScenario.id
        )
    )
    return tuple((str(row.code), str(row.yaml_text)) for row in rows)


def add_scenario(session: Session, code: str, yaml_text: str, by: str) -> inc.InclusionScenario:
    """Insert a scenario the office added."""
    row = inc.InclusionScenario(code=code, yaml_text=yaml_text, published_by=by)
    session.add(row)
    session.flush()
    return row


def published_methodologies(con: Connection) -> tuple[tuple[str, str], ...]:
    """Every methodology version the office published: (ref, YAML), oldest first."""
    rows = con.execute(
        select(
            inc.InclusionMethodologyVersion.ref, inc.InclusionMethodologyVersion.yaml_text
        ).order_by(inc.InclusionMethodologyVersion.id)
    )
    return tuple((str(row.ref), str(row.yaml_text)) for row in rows)


@dataclass(frozen=True)
class SavedScheme:
    """The newest saved scheme of a unit: its YAML, when and by whom it was saved."""

    yaml_text: str
    saved_at: datetime
    saved_by: str


def saved_scheme(con: Connection, unit_code: str) -> SavedScheme | None:
    """The unit's scheme version in force (the newest saved), or None."""
    row = con.execute(
        text(
            "SELECT s.yaml_text AS yaml_text, s.saved_at AS saved_at, s.saved_by AS saved_by "
            "FROM inclusion_scheme_version s JOIN demo_unit u ON u.id = s.unit_id "
            "WHERE u.code = :c ORDER BY s.id DESC LIMIT 1"
        ),
        {"c": unit_code},
    ).first()
    if row is None:
        return None
    saved_at = row.saved_at
    if not isinstance(saved_at, datetime):
        saved_at = datetime.fromisoformat(str(saved_at))
    return SavedScheme(str(row.yaml_text), saved_at, str(row.saved_by))


def add_methodology_version(
    session: Session, ref: str, yaml_text: str, by: str
) -> inc.InclusionMethodologyVersion:
    """Insert a published methodology version."""
    row = inc.InclusionMethodologyVersion(ref=ref, yaml_text=yaml_text, published_by=by)
    session.add(row)
    session.flush()
    return row


def methodology_yaml(session: Session, ref: str) -> str | None:
    """The YAML of the published methodology version ``ref``, or None."""
    query = select(inc.InclusionMethodologyVersion.yaml_text).where(
        inc.InclusionMethodologyVersion.ref == ref
    )
    found = session.scalar(query)
    return None if found is None else str(found)


def methodology_versions(session: Session) -> list[inc.InclusionMethodologyVersion]:
    """The published methodology versions, newest first."""
    query = select(inc.InclusionMethodologyVersion)
    return list(session.scalars(query.order_by(inc.InclusionMethodologyVersion.id.desc())))


def add_scheme_version(
    session: Session, unit_id: int, yaml_text: str, note: str, by: str
) -> inc.InclusionSchemeVersion:
    """Insert a saved version of a unit's scheme (it is then the one in force)."""
    row = inc.InclusionSchemeVersion(unit_id=unit_id, yaml_text=yaml_text, note=note, saved_by=by)
    session.add(row)
    session.flush()
    return row


def scheme_versions(session: Session, unit_id: int) -> list[inc.InclusionSchemeVersion]:
    """The unit's saved scheme versions, newest (the one in force) first."""
    query = select(inc.InclusionSchemeVersion).where(inc.InclusionSchemeVersion.unit_id == unit_id)
    return list(session.scalars(query.order_by(inc.InclusionSchemeVersion.id.desc())))


def scheme_version(session: Session, version_id: int) -> inc.InclusionSchemeVersion | None:
    """The saved scheme version ``version_id``, or None."""
    return session.get(inc.InclusionSchemeVersion, version_id)
