"""Carbon inclusion's points ledger in SQL: the generic :class:`~nearzero.store.ledger.SqlLedger`
over :data:`~nearzero.inclusion.points.INCLUSION_CHART`, with the view of its bulk credits.

Bulk credits (written by :class:`nearzero.store.intake.ChunkWriter`) are stored as one
aggregated transaction per chunk, with one resident posting per (resident, methodology
version) that traces to its records through ``inclusion_record.tx_id``, the resident and
the methodology. :class:`BulkCredits` presents each credited record as the transaction the
core defines for it (:func:`nearzero.inclusion.points.record_credit`, the builder of the
core's :func:`~nearzero.inclusion.points.credit_transaction`: key
``credit:{partner}:{record id}``, effective at the behaviour's end, four postings), so lots,
redemption, expiry and traces work the same on both stores; the physical postings give the
same balances (:func:`check_invariants` verifies it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from nearzero.inclusion.points import INCLUSION_CHART, AccountKind, record_credit
from nearzero.ledger.model import Account, Entry
from nearzero.store import ledger as generic
from nearzero.store.dialect import utc_time
from nearzero.store.ledger import SqlLedger

_VIRTUAL = """
SELECT (SELECT MIN(p.id) FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id
        WHERE p.tx_id = r.tx_id AND a.kind = 'resident' AND a.name = r.resident
        AND p.methodology = r.methodology_id || '@' || r.methodology_version) AS seq,
       pa.code AS partner, r.partner_record_id, r.resident, r.scenario, r.end_at,
       r.credited_g, r.methodology_id, r.methodology_version, u.code AS unit
FROM inclusion_record r
JOIN ledger_transaction t ON t.id = r.tx_id AND t.aggregated
JOIN inclusion_partner pa ON pa.id = r.partner_id
JOIN demo_unit u ON u.id = pa.unit_id
"""
"""Each credited record of a bulk (aggregated) transaction, as the core's credit transaction.

Its sequence number is the id of the aggregated resident posting that carries it (the
records of one resident and methodology version in one chunk share it)."""


class BulkCredits:
    """The :class:`~nearzero.store.ledger.BulkView` of the bulk credit chunks: one credit
    transaction per credited record (module docstring)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _entries(self, where: str = "", **params: Any) -> list[Entry]:
        rows = self.session.execute(text(_VIRTUAL + where), params)
        return [self._entry(row) for row in rows if row.resident is not None]

    @staticmethod
    def _entry(row: Any) -> Entry:
        tx = record_credit(
            row.unit,
            row.partner,
            row.partner_record_id,
            row.resident,
            f"{row.methodology_id}@{row.methodology_version}",
            int(row.credited_g),
            utc_time(row.end_at),
            row.scenario,
        )
        return Entry(int(row.seq), tx)

    def get(self, key: str) -> Entry | None:
        if not key.startswith("credit:"):
            return None
        partner, _, rid = key[len("credit:") :].partition(":")
        found = self._entries(" WHERE pa.code = :p AND r.partner_record_id = :r", p=partner, r=rid)
        return found[0] if found else None

    def entries(self) -> list[Entry]:
        return self._entries()

    def account_entries(self, account: Account) -> list[Entry]:
        if account.kind == AccountKind.RESIDENT:
            return self._entries(" WHERE r.resident = :n", n=account.name)
        if account.kind in (AccountKind.POOL, AccountKind.ISSUANCE):
            return self._entries(" WHERE u.code = :n", n=account.name)
        return []


def inclusion_ledger(session: Session) -> SqlLedger:
    """The points ledger on the session's database transaction, bulk credits per record."""
    return SqlLedger(session, INCLUSION_CHART, BulkCredits(session))


_RECORDS_PER_POSTING = """
SELECT r.tx_id, r.resident, r.methodology_id || '@' || r.methodology_version AS ref,
       SUM(r.credited_g) AS grams
FROM inclusion_record r WHERE r.accepted AND r.tx_id IS NOT NULL
GROUP BY r.tx_id, r.resident, r.methodology_id || '@' || r.methodology_version
"""
_POSTINGS_PER_RESIDENT = """
SELECT p.tx_id, a.name AS resident, p.methodology AS ref, SUM(p.amount) AS grams
FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id
JOIN ledger_transaction t ON t.id = p.tx_id AND t.aggregated
WHERE a.kind = 'resident' GROUP BY p.tx_id, a.name, p.methodology
"""
_TRACE_CHECK = f"""
SELECT x.tx_id, x.resident, x.ref, x.grams AS records_g, y.grams AS postings_g
FROM ({_RECORDS_PER_POSTING}) x
LEFT JOIN ({_POSTINGS_PER_RESIDENT}) y
  ON y.tx_id = x.tx_id AND y.resident = x.resident AND y.ref = x.ref
WHERE y.grams IS NULL OR y.grams <> x.grams
UNION ALL
SELECT y.tx_id, y.resident, y.ref, NULL, y.grams FROM ({_POSTINGS_PER_RESIDENT}) y
LEFT JOIN ({_RECORDS_PER_POSTING}) x
  ON y.tx_id = x.tx_id AND y.resident = x.resident AND y.ref = x.ref
WHERE x.grams IS NULL
"""
"""Resident postings of bulk transactions against the records they trace to (module doc)."""


def check_invariants(session: Session) -> list[str]:
    """Problems with the points ledger in the database (empty when it is sound).

    The generic checks of :func:`nearzero.store.ledger.check_invariants` against the
    inclusion chart (postings sum to zero per asset; no resident or merchant balance below
    zero; no posting of reductions to a resident or merchant; balances equal a
    recomputation from the entries, bulk credits per record), and: every credited record
    belongs to a bulk credit transaction, and every resident posting of such a transaction
    equals the grams of the records it traces to (same transaction, resident and
    methodology version) and vice versa.
    """
    problems = generic.check_invariants(inclusion_ledger(session))
    for r in session.execute(text(_TRACE_CHECK)):
        problems.append(
            f"transaction {r.tx_id}, resident {r.resident}, {r.ref}: "
            f"records {r.records_g} g, postings {r.postings_g} g"
        )
    for r in session.execute(
        text(
            "SELECT p.code AS partner, r.partner_record_id FROM inclusion_record r "
            "JOIN inclusion_partner p ON p.id = r.partner_id LEFT JOIN ledger_transaction t "
            "ON t.id = r.tx_id WHERE r.accepted AND (t.id IS NULL OR NOT t.aggregated)"
        )
    ):
        problems.append(
            f"record {r.partner_record_id} of {r.partner} is accepted without a bulk credit "
            "transaction"
        )
    return problems
