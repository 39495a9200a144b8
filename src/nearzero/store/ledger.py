"""The ledger in SQL: :class:`SqlLedger` implements :class:`nearzero.ledger.LedgerStore`.

Semantics are the in-memory reference's (:class:`nearzero.ledger.InMemoryLedger`):
append all or nothing (a SAVEPOINT), idempotent by key (a retry with the same content
returns the first entry; other content under a used key raises ``IdempotencyConflict``),
balanced per asset, and no resident or merchant account below zero. Balances are sums of
postings, read in the same database transaction as the write; the accounts a transaction
takes money out of are locked first (PostgreSQL ``SELECT … FOR UPDATE``; on SQLite the
transaction row is written first, which takes the database's write lock).

Bulk credits (written by :class:`nearzero.store.intake.ChunkWriter`) are stored as one
aggregated transaction per chunk, with one resident posting per (resident, methodology
version) that traces to its records through ``tx_id``, the resident and the methodology.
This store presents each credited record as the transaction the core defines for it
(:func:`nearzero.inclusion.points.record_credit`, the builder of the core's
:func:`~nearzero.inclusion.points.credit_transaction`: key ``credit:{partner}:{record id}``,
effective at the behaviour's end, four postings), so lots, redemption, expiry and traces
work the same on both stores; the physical postings give the same balances
(:func:`check_invariants` verifies it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from nearzero.inclusion.points import record_credit
from nearzero.ledger.memory import balances_from_postings
from nearzero.ledger.model import (
    Account,
    AccountKind,
    Asset,
    Entry,
    IdempotencyConflict,
    NegativeBalance,
    Posting,
    Trace,
    Transaction,
    TxKind,
)
from nearzero.store.dialect import time_param, utc_time


def _trace_json(trace: Trace) -> dict[str, Any] | None:
    if not (trace.records or trace.methodologies or trace.refs):
        return None
    return {
        "records": list(trace.records),
        "methodologies": list(trace.methodologies),
        "refs": list(trace.refs),
    }


def _trace(raw: Any) -> Trace:
    if raw is None:
        return Trace()
    data = json.loads(raw) if isinstance(raw, str) else raw
    return Trace(
        tuple(data.get("records", ())),
        tuple(data.get("methodologies", ())),
        tuple(data.get("refs", ())),
    )


def _trace_of(row: Any) -> Trace:
    """A posting's trace: its JSON, or (bulk credits) its record and methodology columns."""
    if row.trace is not None:
        return _trace(row.trace)
    records = (f"{row.partner}:{row.partner_record_id}",) if row.partner_record_id else ()
    return Trace(records=records, methodologies=(row.methodology,) if row.methodology else ())


def _posting_row(tx_id: int, account_id: int, p: Posting) -> dict[str, Any]:
    trace = _trace_json(p.trace)
    return {
        "tx": tx_id,
        "account": account_id,
        "asset": p.asset.value,
        "amount": p.amount,
        "trace": json.dumps(trace) if trace else None,
    }


def digest(tx: Transaction) -> str:
    """SHA-256 of a transaction's content (key, kind, time, memo, postings with traces)."""
    body = {
        "key": tx.key,
        "kind": tx.kind.value,
        "at": tx.effective_at.isoformat(),
        "memo": tx.memo,
        "postings": [
            [str(p.account), p.asset.value, p.amount, _trace_json(p.trace)] for p in tx.postings
        ],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


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


class SqlLedger:
    """A :class:`~nearzero.ledger.LedgerStore` on the session's database transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pg = session.get_bind().dialect.name == "postgresql"

    # ------------------------------------------------------------------ reading

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.session.execute(text(sql), params))

    def _virtual(self, row: Any) -> Entry:
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

    def _entries_of(self, tx_ids: Sequence[int]) -> list[Entry]:
        """Whole (not aggregated) transactions by id, in append order."""
        if not tx_ids:
            return []
        out: list[Entry] = []
        for start in range(0, len(tx_ids), 500):
            part = list(tx_ids[start : start + 500])
            marks = ", ".join(f":t{i}" for i in range(len(part)))
            params = {f"t{i}": v for i, v in enumerate(part)}
            txs = {
                r.id: r
                for r in self._rows(
                    "SELECT id, key, kind, effective_at, memo FROM ledger_transaction "
                    f"WHERE id IN ({marks})",
                    **params,
                )
            }
            postings: dict[int, list[Any]] = {}
            for p in self._rows(
                "SELECT p.tx_id, p.id, a.kind, a.name, p.asset, p.amount, p.trace, "
                "p.methodology, pa.code AS partner, r.partner_record_id "
                "FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id "
                "LEFT JOIN inclusion_record r ON r.id = p.record_id "
                "LEFT JOIN inclusion_partner pa ON pa.id = r.partner_id "
                f"WHERE p.tx_id IN ({marks}) ORDER BY p.id",
                **params,
            ):
                postings.setdefault(p.tx_id, []).append(p)
            for tx_id in part:
                t, ps = txs[tx_id], postings.get(tx_id, [])
                tx = Transaction(
                    key=t.key,
                    kind=TxKind(t.kind),
                    effective_at=utc_time(t.effective_at),
                    postings=tuple(
                        Posting(
                            Account(AccountKind(p.kind), p.name),
                            Asset(p.asset),
                            int(p.amount),
                            _trace_of(p),
                        )
                        for p in ps
                    ),
                    memo=t.memo,
                )
                out.append(Entry(int(ps[0].id) if ps else 0, tx))
        return out

    def get(self, key: str) -> Entry | None:
        row = self.session.execute(
            text("SELECT id, aggregated FROM ledger_transaction WHERE key = :k"), {"k": key}
        ).first()
        if row is not None:
            return self._entries_of([int(row.id)])[0]
        if key.startswith("credit:"):
            partner, _, rid = key[len("credit:") :].partition(":")
            rows = self._rows(
                _VIRTUAL + " WHERE pa.code = :p AND r.partner_record_id = :r", p=partner, r=rid
            )
            if rows and rows[0].resident is not None:
                return self._virtual(rows[0])
        return None

    def entries(self) -> Iterator[Entry]:
        plain = [
            int(r.id)
            for r in self._rows(
                "SELECT id FROM ledger_transaction WHERE NOT aggregated ORDER BY id"
            )
        ]
        found = self._entries_of(plain) + [self._virtual(r) for r in self._rows(_VIRTUAL)]
        return iter(sorted(found, key=lambda e: e.seq))

    def account_entries(self, account: Account) -> Iterator[Entry]:
        plain = [
            int(r.id)
            for r in self._rows(
                "SELECT DISTINCT t.id FROM ledger_transaction t "
                "JOIN ledger_posting p ON p.tx_id = t.id "
                "JOIN ledger_account a ON a.id = p.account_id "
                "WHERE NOT t.aggregated AND a.kind = :k AND a.name = :n ORDER BY t.id",
                k=account.kind.value,
                n=account.name,
            )
        ]
        found = self._entries_of(plain)
        if account.kind is AccountKind.RESIDENT:
            found += [
                self._virtual(r)
                for r in self._rows(_VIRTUAL + " WHERE r.resident = :n", n=account.name)
            ]
        elif account.kind in (AccountKind.POOL, AccountKind.ISSUANCE):
            found += [
                self._virtual(r)
                for r in self._rows(_VIRTUAL + " WHERE u.code = :n", n=account.name)
            ]
        return iter(sorted(found, key=lambda e: e.seq))

    def accounts(self, kind: AccountKind) -> Iterator[Account]:
        rows = self._rows(
            "SELECT a.name FROM ledger_account a WHERE a.kind = :k AND EXISTS "
            "(SELECT 1 FROM ledger_posting p WHERE p.account_id = a.id)",
            k=kind.value,
        )
        return iter(sorted(Account(kind, r.name) for r in rows))

    def balance(self, account: Account, asset: Asset) -> int:
        value = self.session.execute(
            text(
                "SELECT COALESCE(SUM(p.amount), 0) FROM ledger_posting p "
                "JOIN ledger_account a ON a.id = p.account_id "
                "WHERE a.kind = :k AND a.name = :n AND p.asset = :s"
            ),
            {"k": account.kind.value, "n": account.name, "s": asset.value},
        ).scalar_one()
        return int(value)

    def balances(self) -> Mapping[tuple[Account, Asset], int]:
        rows = self._rows(
            "SELECT a.kind, a.name, p.asset, SUM(p.amount) AS amount FROM ledger_posting p "
            "JOIN ledger_account a ON a.id = p.account_id GROUP BY a.kind, a.name, p.asset"
        )
        return {
            (Account(AccountKind(r.kind), r.name), Asset(r.asset)): int(r.amount)
            for r in rows
            if int(r.amount)
        }

    # ------------------------------------------------------------------ writing

    def _account_id(self, account: Account) -> int:
        self.session.execute(
            text(
                "INSERT INTO ledger_account (kind, name) VALUES (:k, :n) "
                "ON CONFLICT (kind, name) DO NOTHING"
            ),
            {"k": account.kind.value, "n": account.name},
        )
        value = self.session.execute(
            text("SELECT id FROM ledger_account WHERE kind = :k AND name = :n"),
            {"k": account.kind.value, "n": account.name},
        ).scalar_one()
        return int(value)

    def _same(self, existing: Entry, tx: Transaction) -> Entry:
        if existing.tx != tx:
            raise IdempotencyConflict(
                f"key {tx.key!r} was already used for a different transaction "
                f"(entry {existing.seq})"
            )
        return existing

    def append(self, tx: Transaction) -> Entry:
        existing = self.get(tx.key)
        if existing is not None:
            return self._same(existing, tx)
        tx.check()
        delta: dict[tuple[Account, Asset], int] = {}
        for p in tx.postings:
            delta[(p.account, p.asset)] = delta.get((p.account, p.asset), 0) + p.amount
        bind = self.session.get_bind()
        with self.session.begin_nested():
            tx_id = self.session.execute(
                text(
                    "INSERT INTO ledger_transaction "
                    "(key, kind, effective_at, memo, digest, aggregated, created_at) "
                    "VALUES (:key, :kind, :at, :memo, :digest, :agg, :now) "
                    "ON CONFLICT (key) DO NOTHING RETURNING id"
                ),
                self._transaction_row(tx, datetime.now(tx.effective_at.tzinfo)),
            ).scalar()
            if tx_id is None:  # appended concurrently since get(): compare with it
                raced = self.get(tx.key)
                assert raced is not None
                return self._same(raced, tx)
            ids = {a: self._account_id(a) for a in dict.fromkeys(p.account for p in tx.postings)}
            debited = sorted(ids[a] for (a, _s), d in delta.items() if d < 0 and not a.kind.system)
            if debited and bind.dialect.name == "postgresql":
                marks = ", ".join(f":a{i}" for i in range(len(debited)))
                self.session.execute(
                    text(f"SELECT id FROM ledger_account WHERE id IN ({marks}) FOR UPDATE"),
                    {f"a{i}": v for i, v in enumerate(debited)},
                )
            for (account, asset), change in sorted(delta.items()):
                if change < 0 and not account.kind.system:
                    after = self.balance(account, asset) + change
                    if after < 0:
                        raise NegativeBalance(account, asset, after, tx.key)
            self.session.execute(
                text(
                    "INSERT INTO ledger_posting (tx_id, account_id, asset, amount, trace) "
                    "VALUES (:tx, :account, :asset, :amount, :trace)"
                ),
                [_posting_row(int(tx_id), ids[p.account], p) for p in tx.postings],
            )
        entry = self.get(tx.key)
        assert entry is not None
        return entry

    def _in_chunks(self, sql: str, values: Sequence[Any], **params: Any) -> list[Any]:
        """Rows of ``sql`` whose ``{marks}`` is filled with ``values``, 500 at a time."""
        out: list[Any] = []
        for start in range(0, len(values), 500):
            part = list(values[start : start + 500])
            marks = ", ".join(f":v{i}" for i in range(len(part)))
            bound = {f"v{i}": v for i, v in enumerate(part)}
            out += self._rows(sql.format(marks=marks), **params, **bound)
        return out

    def _account_ids(self, accounts: Sequence[Account]) -> dict[Account, int]:
        """Ids of ``accounts``, created where missing (two statements per kind, not two each)."""
        ids: dict[Account, int] = {}
        for kind in dict.fromkeys(a.kind for a in accounts):
            names = sorted({a.name for a in accounts if a.kind is kind})
            self.session.execute(
                text(
                    "INSERT INTO ledger_account (kind, name) VALUES (:k, :n) "
                    "ON CONFLICT (kind, name) DO NOTHING"
                ),
                [{"k": kind.value, "n": n} for n in names],
            )
            for r in self._in_chunks(
                "SELECT name, id FROM ledger_account WHERE kind = :k AND name IN ({marks})",
                names,
                k=kind.value,
            ):
                ids[Account(kind, str(r.name))] = int(r.id)
        return ids

    def append_all(self, txs: Sequence[Transaction]) -> int:
        """Append many transactions set-based: a few statements in all, not a dozen each.

        The guarantees of :meth:`append`, for the whole list: each transaction balances; a
        key stored already (or twice in the list) must hold the same transaction, else
        :class:`IdempotencyConflict`, and is skipped; no non-system account ends below zero,
        checked once for every debited account after the inserts (its rows locked first on
        PostgreSQL), else :class:`NegativeBalance` and the caller's transaction rolls back
        whole. Returns how many transactions were new.
        """
        unique: dict[str, Transaction] = {}
        for tx in txs:
            tx.check()
            if unique.setdefault(tx.key, tx) != tx:
                raise IdempotencyConflict(f"key {tx.key!r} appears twice with different content")
        stored = {
            str(r.key)
            for r in self._in_chunks(
                "SELECT key FROM ledger_transaction WHERE key IN ({marks})", list(unique)
            )
        }
        for key in stored:
            existing = self.get(key)
            assert existing is not None
            self._same(existing, unique[key])
        new = [tx for key, tx in unique.items() if key not in stored]
        if not new:
            return 0
        accounts = list(dict.fromkeys(p.account for tx in new for p in tx.postings))
        ids = self._account_ids(accounts)
        debited = {
            (ids[p.account], p.asset): (p.account, tx.key)
            for tx in new
            for p in tx.postings
            if p.amount < 0 and not p.account.kind.system
        }
        locked = sorted({i for i, _ in debited})
        if locked and self.pg:
            self._in_chunks(
                "SELECT id FROM ledger_account WHERE id IN ({marks}) FOR UPDATE", locked
            )
        now = datetime.now(UTC)
        self.session.execute(
            text(
                "INSERT INTO ledger_transaction "
                "(key, kind, effective_at, memo, digest, aggregated, created_at) "
                "VALUES (:key, :kind, :at, :memo, :digest, :agg, :now)"
            ),
            [self._transaction_row(tx, now) for tx in new],
        )
        tx_ids = {
            str(r.key): int(r.id)
            for r in self._in_chunks(
                "SELECT key, id FROM ledger_transaction WHERE key IN ({marks})",
                [tx.key for tx in new],
            )
        }
        self.session.execute(
            text(
                "INSERT INTO ledger_posting (tx_id, account_id, asset, amount, trace) "
                "VALUES (:tx, :account, :asset, :amount, :trace)"
            ),
            [_posting_row(tx_ids[tx.key], ids[p.account], p) for tx in new for p in tx.postings],
        )
        assets = {asset for _, asset in debited}
        for asset in assets:
            below = self._in_chunks(
                "SELECT account_id, SUM(amount) AS amount FROM ledger_posting WHERE asset = :s AND "
                "account_id IN ({marks}) GROUP BY account_id HAVING SUM(amount) < 0",
                sorted({i for i, a in debited if a is asset}),
                s=asset.value,
            )
            if below:
                account, key = debited[(int(below[0].account_id), asset)]
                raise NegativeBalance(account, asset, int(below[0].amount), key)
        return len(new)

    def _transaction_row(self, tx: Transaction, now: datetime) -> dict[str, Any]:
        return {
            "key": tx.key,
            "kind": tx.kind.value,
            "at": self._time(tx.effective_at),
            "memo": tx.memo,
            "digest": digest(tx),
            "agg": False,
            "now": self._time(now),
        }

    def _time(self, t: datetime) -> Any:
        return time_param(self.session.connection(), t)


# --------------------------------------------------------------------------- invariants


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
    """Problems with the ledger in the database (empty when it is sound).

    Checked in SQL over the physical rows: every transaction's postings sum to zero per
    asset; no resident or merchant balance below zero; no posting of reductions to a
    resident or merchant; every credited record belongs to a bulk credit transaction, and
    every resident posting of such a transaction equals the grams of the records it traces
    to (same transaction, resident and methodology version) and vice versa; and the store's
    balances equal a recomputation from its entries.
    """
    problems: list[str] = []
    for r in session.execute(
        text(
            "SELECT t.key, p.asset, SUM(p.amount) AS amount FROM ledger_posting p "
            "JOIN ledger_transaction t ON t.id = p.tx_id GROUP BY t.key, p.asset "
            "HAVING SUM(p.amount) <> 0"
        )
    ):
        problems.append(f"transaction {r.key}: {r.asset} postings sum to {r.amount}")
    for r in session.execute(
        text(
            "SELECT a.kind, a.name, p.asset, SUM(p.amount) AS amount FROM ledger_posting p "
            "JOIN ledger_account a ON a.id = p.account_id "
            "WHERE a.kind IN ('resident', 'merchant') GROUP BY a.kind, a.name, p.asset "
            "HAVING SUM(p.amount) < 0"
        )
    ):
        problems.append(f"{r.kind}:{r.name} has {r.amount} {r.asset}")
    for r in session.execute(
        text(
            "SELECT COUNT(*) AS n FROM ledger_posting p "
            "JOIN ledger_account a ON a.id = p.account_id "
            "WHERE a.kind IN ('resident', 'merchant') AND p.asset = 'reduction_g'"
        )
    ):
        if r.n:
            problems.append(f"{r.n} reduction postings to residents or merchants")
    for r in session.execute(text(_TRACE_CHECK)):
        problems.append(
            f"transaction {r.tx_id}, resident {r.resident}, {r.ref}: "
            f"records {r.records_g} g, postings {r.postings_g} g"
        )
    for r in session.execute(
        text(
            "SELECT r.id FROM inclusion_record r LEFT JOIN ledger_transaction t "
            "ON t.id = r.tx_id WHERE r.accepted AND (t.id IS NULL OR NOT t.aggregated)"
        )
    ):
        problems.append(f"record {r.id} is accepted without a bulk credit transaction")
    ledger = SqlLedger(session)
    recomputed = balances_from_postings(ledger.entries())
    stored = dict(ledger.balances())
    if recomputed != stored:
        problems.append("balances differ from a recomputation from the entries")
    return problems
