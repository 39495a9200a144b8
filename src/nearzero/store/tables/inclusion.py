"""Carbon inclusion (碳普惠) tables, on the same ``Base`` as the rest of the store.

Two groups:

``inclusion_*``  partners, residents (pseudonyms only), consents, behaviour records, nonces,
                 merchants, offers, redemptions; and the ``inclusion_outcomes`` view the Ibis
                 statistics of :mod:`nearzero.inclusion.stats` read (created by migration 0003).
``ledger_*``     the double-entry ledger of :mod:`nearzero.ledger` in SQL: accounts,
                 transactions (idempotency ``key`` UNIQUE) and postings in integer grams.
                 Append-only: migration 0003 installs triggers that refuse UPDATE and DELETE.

Balances are never stored: they are ``SUM(amount)`` of the postings of an account and
asset (index ``ix_ledger_posting_account_id``). A bulk credit is one ledger transaction
per written chunk (``aggregated``): one POINT posting per (resident, methodology version)
of the sum of those records' credited grams, and the counter-postings (pool and
issuance) summed per methodology version, so each transaction still balances per asset.
A posting's records are the ``inclusion_record`` rows of its transaction (``tx_id``), of
its resident (for a resident posting) and of its methodology version; see
:mod:`nearzero.services.inclusion.intake`.

Partner HMAC secrets are not stored at all: a partner's secret is derived from the
application's secret key and the partner's ``key_id`` (HMAC-SHA256, see
:func:`nearzero.services.inclusion.partners.partner_secret`), so a copy of the database alone
cannot sign requests; the table keeps the public ``key_id`` and a short fingerprint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from nearzero.store.base import Base, BigId, utcnow


class InclusionPartner(Base):
    """A partner operator (申报机构): bus company, ride-code platform, bike operator, recycler."""

    __tablename__ = "inclusion_partner"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    scenarios: Mapped[list[str]] = mapped_column(JSON)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_fingerprint: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[dt.datetime | None]


class InclusionResident(Base):
    """A resident, known only by a pseudonym (HMAC of the phone or ID number)."""

    __tablename__ = "inclusion_resident"
    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InclusionConsent(Base):
    """Consent of one resident to one scenario, in force on [granted_at, revoked_at)."""

    __tablename__ = "inclusion_consent"
    __table_args__ = (Index("ix_inclusion_consent_resident", "resident_id", "scenario"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("inclusion_resident.id", ondelete="CASCADE")
    )
    scenario: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    granted_via: Mapped[str] = mapped_column(String(64))
    revoked_via: Mapped[str | None] = mapped_column(String(64))


class InclusionRecordFull(Base):
    """A stored record in full: every record except those credited in full (which are
    :class:`InclusionRecordRow` rows of a :class:`InclusionRecordGroup`); read both through
    the ``inclusion_record`` view (:class:`InclusionRecord`).

    The refused records, those credited after a cap (``capped_by``), the claims on a named
    asset, the records of an ER = BE − PE methodology (``baseline_g``, ``project_g``) and
    records that did not parse: a few per cent of a partner's batch, each with its reason,
    detail and every value as received. Until migration 0020 this was ``inclusion_record``
    itself, and its indexes and unique key keep those names.

    One row per (partner, partner record id), and that id also has its key row in
    ``inclusion_record_row`` (the unique key of every stored record). An accepted row never
    changes (its credit is on the ledger, ``tx_id``); a rejected row may be replaced by a
    later submission of the same record. ``day``: local (UTC+8) day the behaviour started;
    ``quantity`` in ``quantity_unit`` (km, kWh, kg). ``asset``: the asset of a claim on an
    asset over a period (rooftop PV, heat pump, air conditioner), never credited twice
    (issue #15). ``partner_id`` and ``tx_id`` carry no foreign key (migration 0019): the
    parents guard them.
    """

    __tablename__ = "inclusion_record_full"
    __table_args__ = (
        UniqueConstraint("partner_id", "partner_record_id", name="uq_inclusion_record_partner_id"),
        Index("ix_inclusion_record_resident", "resident", "start_at"),
        # 0010; 0016: only the rows that name an asset (asset-period claims)
        Index(
            "ix_inclusion_record_asset",
            "asset",
            "start_at",
            sqlite_where=text("asset IS NOT NULL"),
            postgresql_where=text("asset IS NOT NULL"),
        ),
        # 0015: the refused records by outcome, without reading the credited ones
        Index(
            "ix_inclusion_record_refused",
            "partner_id",
            "day",
            "scenario",
            "reason",
            sqlite_where=text("NOT accepted"),
            postgresql_where=text("NOT accepted"),
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: ``inclusion_partner.id``, without a foreign key (0019)
    partner_id: Mapped[int]
    partner_record_id: Mapped[str] = mapped_column(String(128))
    resident: Mapped[str | None] = mapped_column(String(128))
    scenario: Mapped[str | None] = mapped_column(String(32))
    start_at: Mapped[dt.datetime | None]
    end_at: Mapped[dt.datetime | None]
    day: Mapped[dt.date | None] = mapped_column(Date)
    quantity: Mapped[Any] = mapped_column(Numeric(20, 6), nullable=True)
    quantity_unit: Mapped[str | None] = mapped_column(String(8))
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    methodology_id: Mapped[str | None] = mapped_column(String(64))
    methodology_version: Mapped[str | None] = mapped_column(String(32))
    computed_g: Mapped[int | None] = mapped_column(BigInteger)
    credited_g: Mapped[int] = mapped_column(BigInteger, default=0)
    capped_by: Mapped[str | None] = mapped_column(String(32))
    batch: Mapped[str] = mapped_column(String(64))
    #: ``ledger_transaction.id`` of the credit, without a foreign key (0019)
    tx_id: Mapped[int | None] = mapped_column(BigId)
    received_at: Mapped[dt.datetime]
    #: the asset of an asset-period claim (``asset_id``); NULL: the resident's own (0010)
    asset: Mapped[str | None] = mapped_column(String(128))
    #: BE and PE [g CO2] of an ER = BE − PE methodology; NULL for the other formulas (0010)
    baseline_g: Mapped[int | None] = mapped_column(BigInteger)
    project_g: Mapped[int | None] = mapped_column(BigInteger)


class InclusionRecordGroup(Base):
    """What the records of one chunk credited in full with one scenario, methodology version
    and unit share (migration 0020, issue #13 item 5): written once, not on every row."""

    __tablename__ = "inclusion_record_group"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: ``inclusion_partner.id``, without a foreign key (as its records')
    partner_id: Mapped[int]
    scenario: Mapped[str] = mapped_column(String(32))
    quantity_unit: Mapped[str | None] = mapped_column(String(8))
    methodology_id: Mapped[str] = mapped_column(String(64))
    methodology_version: Mapped[str] = mapped_column(String(32))
    batch: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime]
    #: ``ledger_transaction.id`` of the chunk's credit, without a foreign key
    tx_id: Mapped[int] = mapped_column(BigId)


class InclusionRecordRow(Base):
    """The key of every stored record, and the whole of a record credited in full.

    One row per (partner, partner record id): the unique key that makes "a batch sent twice
    credits once" hold for every record. A record credited in full (no cap, no named asset,
    not an ER = BE − PE split: nearly all of a partner's batch) is only this row: its
    resident by id, its times as µs since 1970 UTC (integers: the narrowest row and index,
    issue #13 item 5), its quantity, its grams (credited = computed) and its
    :class:`InclusionRecordGroup`. Any other record has ``group_id`` NULL here and is kept
    in :class:`InclusionRecordFull`. No foreign keys (as 0019): ``inclusion_resident`` rows
    are never deleted but with their unit's data, and ``inclusion_partner``'s trigger
    refuses deleting a partner with records.
    """

    __tablename__ = "inclusion_record_row"
    __table_args__ = (Index("ix_inclusion_record_row_resident", "resident_id", "start_us"),)
    partner_id: Mapped[int] = mapped_column(primary_key=True)
    #: compared byte by byte on PostgreSQL (``COLLATE "C"``, migration 0020)
    partner_record_id: Mapped[str] = mapped_column(
        String(128).with_variant(String(128, collation="C"), "postgresql"), primary_key=True
    )
    accepted: Mapped[bool] = mapped_column(Boolean)
    #: ``inclusion_resident.id``; NULL when the record is kept in full
    resident_id: Mapped[int | None]
    start_us: Mapped[int | None] = mapped_column(BigInteger)
    end_us: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[Any] = mapped_column(Numeric(20, 6), nullable=True)
    credited_g: Mapped[int | None] = mapped_column(BigInteger)
    #: ``inclusion_record_group.id``; NULL: the record is in ``inclusion_record_full``
    group_id: Mapped[int | None] = mapped_column(BigId)


VIEWS = MetaData()
"""Views, kept out of ``Base.metadata`` (the migrations make them, not ``create_all``)."""


class InclusionRecord(Base):
    """A behaviour record a partner sent, with its latest outcome and (when accepted) its
    credit: the view ``inclusion_record`` (migration 0020) over the records credited in full
    (:class:`InclusionRecordRow` with its group and resident) and the others
    (:class:`InclusionRecordFull`), in the columns the table had before 0020. Read only."""

    __table__ = Table(
        "inclusion_record",
        VIEWS,
        Column("partner_id", Integer, primary_key=True),
        Column("partner_record_id", String(128), primary_key=True),
        Column("resident", String(128)),
        Column("scenario", String(32)),
        Column("start_at", DateTime(timezone=True)),
        Column("end_at", DateTime(timezone=True)),
        Column("day", Date),
        Column("quantity", Numeric(20, 6)),
        Column("quantity_unit", String(8)),
        Column("accepted", Boolean),
        Column("reason", String(32)),
        Column("detail", Text),
        Column("methodology_id", String(64)),
        Column("methodology_version", String(32)),
        Column("computed_g", BigInteger),
        Column("credited_g", BigInteger),
        Column("capped_by", String(32)),
        Column("batch", String(64)),
        Column("tx_id", BigInteger),
        Column("received_at", DateTime(timezone=True)),
        Column("asset", String(128)),
        Column("baseline_g", BigInteger),
        Column("project_g", BigInteger),
    )
    partner_id: Mapped[int]
    partner_record_id: Mapped[str]
    resident: Mapped[str | None]
    scenario: Mapped[str | None]
    start_at: Mapped[dt.datetime | None]
    end_at: Mapped[dt.datetime | None]
    day: Mapped[dt.date | None]
    quantity: Mapped[Any]
    quantity_unit: Mapped[str | None]
    accepted: Mapped[bool]
    reason: Mapped[str | None]
    detail: Mapped[str | None]
    methodology_id: Mapped[str | None]
    methodology_version: Mapped[str | None]
    computed_g: Mapped[int | None]
    credited_g: Mapped[int]
    capped_by: Mapped[str | None]
    batch: Mapped[str]
    tx_id: Mapped[int | None]
    received_at: Mapped[dt.datetime]
    asset: Mapped[str | None]
    baseline_g: Mapped[int | None]
    project_g: Mapped[int | None]


class InclusionNonce(Base):
    """A request nonce a partner used; kept until ``expires_at`` (the timestamp window)."""

    __tablename__ = "inclusion_nonce"
    __table_args__ = (UniqueConstraint("partner_id", "nonce"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("inclusion_partner.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class InclusionMerchant(Base):
    """A merchant or redemption channel where residents spend points (ledger ``merchant:code``)."""

    __tablename__ = "inclusion_merchant"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InclusionOffer(Base):
    """Something a resident can get for points at a merchant."""

    __tablename__ = "inclusion_offer"
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("inclusion_merchant.id", ondelete="CASCADE")
    )
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    points: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InclusionRedemption(Base):
    """A redemption: the business record; the ledger transaction is the truth."""

    __tablename__ = "inclusion_redemption"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(128), unique=True)
    resident: Mapped[str] = mapped_column(String(128), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("inclusion_offer.id"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("inclusion_merchant.id"))
    points: Mapped[int] = mapped_column(BigInteger)
    tx_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InclusionMethodologyVersion(Base):
    """A methodology version the office published (the bundled files are the others).

    ``yaml_text`` is a ``methodologies/{id}@{version}.yaml`` file as the office wrote it
    (comments, i.e. the basis, kept), read by
    :func:`nearzero.inclusion.methodology.methodology_from_dict`. Rows are never changed: a
    new value is a new version, so a credit's ``id@version`` keeps meaning what it did.
    """

    __tablename__ = "inclusion_methodology_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(100), unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InclusionScenario(Base):
    """A scenario the office added (the bundled ones are ``data/inclusion/scenarios.yaml``).

    ``yaml_text`` is one scenario mapping as the office wrote it, read by
    :func:`nearzero.inclusion.choices.scenario_from_dict`. Rows are never changed: a code
    keeps meaning what it did for the records stored under it.
    """

    __tablename__ = "inclusion_scenario"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InclusionSchemeVersion(Base):
    """One saved version of a unit's platform rules (methodology per scenario, caps,
    plausibility, claim window); the newest applies, the older ones are the history.

    ``yaml_text`` is a ``schemes/{unit}.yaml`` file as the office wrote it
    (:func:`nearzero.inclusion.rules.scheme_from_dict`). A unit without a saved version
    uses its bundled file, if there is one.
    """

    __tablename__ = "inclusion_scheme_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"), index=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --------------------------------------------------------------------------- summaries (0015)
# Maintained by the intake in the transaction that writes the records (issue #13: the office's
# pages must not grow with the record count). Accepted records never change, so the summaries
# of accepted records only ever grow; :func:`nearzero.store.inclusion_summary.rebuild` builds
# them again from the records and :func:`~nearzero.store.inclusion_summary.drift` compares.


class InclusionCreditMonth(Base):
    """Credited records of one partner per month, scenario and methodology version.

    records, grams, computed_grams : as in ``inclusion_record`` (credited and before caps,
    [g CO2e]); transactions : ledger credit transactions with records in this line (a
    transaction is one written chunk, so each chunk adds one to every line it touches).
    """

    __tablename__ = "inclusion_credit_month"
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("inclusion_partner.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(32), primary_key=True)
    methodology_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    methodology_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    records: Mapped[int] = mapped_column(BigInteger)
    grams: Mapped[int] = mapped_column(BigInteger)
    computed_grams: Mapped[int] = mapped_column(BigInteger)
    transactions: Mapped[int] = mapped_column(BigInteger)


class InclusionParticipant(Base):
    """A resident credited at least once in a period of a unit: ``period_kind`` 'M' (month)
    or 'Y' (year), ``period`` its first day, ``scenario`` or '*' (any scenario). The set
    behind :class:`InclusionParticipantCount` (distinct residents do not add up)."""

    __tablename__ = "inclusion_participant"
    #: keyed by unit and resident first, the pseudonym compared byte by byte on
    #: PostgreSQL (migration 0021)
    __table_args__ = (
        PrimaryKeyConstraint("unit_id", "resident", "period_kind", "period", "scenario"),
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("demo_unit.id", ondelete="CASCADE"))
    period_kind: Mapped[str] = mapped_column(String(1))
    period: Mapped[dt.date] = mapped_column(Date)
    scenario: Mapped[str] = mapped_column(String(32))
    resident: Mapped[str] = mapped_column(
        String(128).with_variant(String(128, collation="C"), "postgresql")
    )


class InclusionParticipantCount(Base):
    """How many rows of :class:`InclusionParticipant` a (unit, period, scenario) has."""

    __tablename__ = "inclusion_participant_count"
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("demo_unit.id", ondelete="CASCADE"), primary_key=True
    )
    period_kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(32), primary_key=True)
    participants: Mapped[int] = mapped_column(BigInteger)
