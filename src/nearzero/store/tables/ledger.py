"""The double-entry ledger of :mod:`nearzero.ledger` in SQL: accounts, transactions
(idempotency ``key`` UNIQUE) and postings in integer units. Append-only: migration 0003
installs triggers that refuse UPDATE and DELETE (0009 keeps them). Balances are never
stored: they are ``SUM(amount)`` of the postings of an account and asset.

Generic: kinds, assets and transaction kinds are the strings of a ledger's
:class:`nearzero.ledger.Chart`, and no column refers to a table of a capability that
stands on the ledger (that capability points at the ledger instead, e.g.
``inclusion_record.tx_id``). Several ledgers share the tables: a transaction names its
ledger (the chart's name, ``ledger``), and the charts' account kinds are disjoint (a test
holds them so), so an account belongs to one ledger by its kind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nearzero.store.base import Base, BigId, utcnow

INCLUSION_LEDGER = "carbon-inclusion"
"""The ledger of transactions stored before 0014 named theirs, and of carbon inclusion's bulk
writers, which leave the column to its default."""


class LedgerAccount(Base):
    """An account ``kind:name`` (resident:<pseudonym>, pool:<unit>, merchant:<code> …)."""

    __tablename__ = "ledger_account"
    __table_args__ = (UniqueConstraint("kind", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))


class LedgerTransaction(Base):
    """A balanced set of postings, identified by its idempotency key.

    ``digest``: SHA-256 of the transaction's content, to tell a retry (same digest) from a
    different transaction under a used key. ``ledger``: the chart's name. ``aggregated``: a
    bulk transaction whose postings sum many logical transactions (e.g. a carbon-inclusion
    credit chunk: one resident posting per resident and methodology version); the capability
    that wrote it presents its logical entries (:class:`nearzero.store.ledger.BulkView`), its
    rows point at it.
    """

    __tablename__ = "ledger_transaction"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ledger: Mapped[str] = mapped_column(String(32), server_default=INCLUSION_LEDGER)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    effective_at: Mapped[dt.datetime]
    memo: Mapped[str] = mapped_column(Text, default="")
    digest: Mapped[str] = mapped_column(String(64))
    aggregated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerPosting(Base):
    """``amount`` units of ``asset`` into ``account`` (negative: out of it).

    Trace (:class:`nearzero.ledger.model.Trace`): ``trace`` (JSON) for postings appended
    one transaction at a time; or the compact columns of postings written in bulk,
    ``record_key`` (one record key, e.g. ``partner:record id``) and ``methodology``
    (id@version).
    """

    __tablename__ = "ledger_posting"
    __table_args__ = (
        Index("ix_ledger_posting_account_id", "account_id", "asset"),
        Index("ix_ledger_posting_tx_id", "tx_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tx_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    asset: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    record_key: Mapped[str | None] = mapped_column(String(200))
    methodology: Mapped[str | None] = mapped_column(String(100))
    trace: Mapped[dict[str, Any] | None] = mapped_column(JSON)
