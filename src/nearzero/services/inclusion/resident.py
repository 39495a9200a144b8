"""Carbon inclusion (碳普惠) for residents: the link token of the resident page and what the
page shows (balance, credits, redemptions, expiries, offers, consents).

A resident is known only by a pseudonym; the page's link carries an HMAC token of it
(:func:`resident_token`), so the link is the credential and nothing else is needed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from nearzero.inclusion.points import Asset, TxKind, resident_account
from nearzero.inclusion.records import CHINA_TZ
from nearzero.services.context import NotFound
from nearzero.services.inclusion.partners import consents_of, derive
from nearzero.services.inclusion.redemption import offers
from nearzero.store import inclusion as store, tables as m
from nearzero.store.dialect import utc_time
from nearzero.store.inclusion_ledger import inclusion_ledger


def resident_token(master: bytes, pseudonym: str) -> str:
    """A link token for the resident page: ``{pseudonym}.{hmac}``."""
    mac = hmac.new(derive(master, "resident-link"), pseudonym.encode(), hashlib.sha256)
    return f"{pseudonym}.{mac.hexdigest()[:32]}"


def resident_from_token(master: bytes, token: str) -> str:
    """The pseudonym a link token was made for; :class:`NotFound` for a forged one."""
    pseudonym, _, _mac = token.rpartition(".")
    if not pseudonym or not hmac.compare_digest(resident_token(master, pseudonym), token):
        raise NotFound("链接无效或已过期 (invalid link)")
    return pseudonym


@dataclass(frozen=True)
class HistoryItem:
    """One line of a resident's history: a credit (+), a redemption or an expiry (−)."""

    at: datetime
    kind: str  # "credit", "redemption" or "expiry"
    label: str  # the scenario code of a credit, the merchant's name of a redemption
    points: int  # signed: + credited, − spent or expired

    @property
    def day(self) -> date:
        """The local (UTC+8) day."""
        return self.at.astimezone(CHINA_TZ).date()


@dataclass
class ResidentView:
    """The resident page: ``balance`` [points], ``credited_g`` [g CO2e] over all time, the
    latest credits, redemptions (with the merchant's name) and expiries (time, points), the
    offers on hand and the consent per scenario."""

    pseudonym: str
    balance: int
    records: list[m.InclusionRecord]
    redemptions: list[tuple[m.InclusionRedemption, str]]
    offers: list[tuple[m.InclusionOffer, m.InclusionMerchant]]
    consents: dict[str, bool]
    credited_g: int
    expiries: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def history(self) -> list[HistoryItem]:
        """Credits, redemptions and expiries, newest first."""
        items = [
            HistoryItem(utc_time(r.start_at or r.end_at), "credit", r.scenario or "", r.credited_g)
            for r in self.records
            if (r.start_at or r.end_at) is not None
        ]
        items += [
            HistoryItem(utc_time(red.at), "redemption", name, -int(red.points))
            for red, name in self.redemptions
        ]
        items += [HistoryItem(at, "expiry", "", -points) for at, points in self.expiries]
        return sorted(items, key=lambda i: i.at, reverse=True)


def resident_view(
    session: Session, pseudonym: str, unit: m.DemoUnit | None = None, limit: int = 50
) -> ResidentView:
    """Balance (sum of postings), latest credited records, redemptions, expiries, and the
    offers of ``unit`` (of every unit when None)."""
    balance = inclusion_ledger(session).balance(resident_account(pseudonym), Asset.POINT)
    return ResidentView(
        pseudonym,
        balance,
        store.credited_records(session, pseudonym, limit),
        store.redemptions_of(session, pseudonym, limit),
        offers(session, unit),
        consents_of(session, pseudonym),
        store.credited_total(session, pseudonym),
        store.expiries_of(session, pseudonym, Asset.POINT.value, TxKind.EXPIRY.value, limit),
    )
