"""The ledger in SQL: :class:`SqlLedger` implements :class:`nearzero.ledger.LedgerStore`.

Generic over the ledger's :class:`~nearzero.ledger.Chart` (carbon inclusion's points, the
two-high indicator ledger): it knows no asset, no kind of account and no table of a
capability standing on it. Semantics are the in-memory reference's
(:class:`nearzero.ledger.InMemoryLedger`): append all or nothing (a SAVEPOINT), idempotent
by key (a retry with the same content returns the first entry; other content under a used
key raises ``IdempotencyConflict``), balanced per asset, within the chart, and no
non-system account below zero. Balances are sums of postings, read in the same database
transaction as the write; the accounts a transaction takes money out of are locked first
(PostgreSQL ``SELECT … FOR UPDATE``; on SQLite the transaction row is written first, which
takes the database's write lock).

A capability may write *aggregated* transactions in bulk (one stored transaction whose
postings sum many logical ones) and give the ledger a :class:`BulkView` that presents
each logical transaction as an entry (carbon inclusion's bulk credits:
:mod:`nearzero.store.inclusion_ledger`); without a view they read as stored.
:func:`check_invariants` checks the stored rows against the chart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from nearzero.ledger.memory import balances_from_postings
from nearzero.ledger.model import (
    Account,
    Chart,
    Entry,
    IdempotencyConflict,
    NegativeBalance,
    Posting,
    Trace,
    Transaction,
)
from nearzero.store.dialect import ArrayParam, is_pg, time_param, utc_time

ACCOUNT_IDS_PG = (
    "WITH new AS (INSERT INTO ledger_account (kind, name) "
    "SELECT %(k)s, unnest(%(r)s::text[]) ON CONFLICT (kind, name) DO NOTHING "
    "RETURNING name, id) SELECT name, id FROM new UNION ALL "
    "SELECT r.name, a.id FROM unnest(%(r)s::text[]) AS r(name) CROSS JOIN LATERAL "
    "(SELECT id FROM ledger_account WHERE kind = %(k)s AND name = r.name OFFSET 0) AS a"
)
"""PostgreSQL: the ``ledger_account`` ids of the names ``r`` of kind ``k``, created where
missing, in one statement: the new accounts as inserted, the others looked up name by name
through the (kind, name) key (``OFFSET 0`` keeps the lookup a subquery run per name: the
planner cannot turn it into a join that reads every account of the kind). Not ``kind = k
AND name IN (names)``: with statistics from when accounts of the kind were few (a
carbon-inclusion batch adds thousands of resident accounts before autovacuum analyses the
table), the planner read every account of the kind and compared each with every name
(issue #13 item 5: 3.1 s of a million records in chunks of 40,000, and growing with the
accounts)."""


def account_ids(con: Connection, kind: str, names: Sequence[str]) -> dict[str, int]:
    """The ids of the accounts ``kind:name`` for ``names``, created where missing (a few
    statements for all of them, not two each)."""
    raw = con.connection.driver_connection
    assert raw is not None
    names = sorted(set(names))
    if not names:
        return {}
    if is_pg(con):
        with raw.cursor() as cur:
            cur.execute(ACCOUNT_IDS_PG, {"k": kind, "r": ArrayParam(names)})
            return {name: int(i) for name, i in cur.fetchall()}
    raw.executemany(
        "INSERT INTO ledger_account (kind, name) VALUES (?, ?) ON CONFLICT (kind, name) DO NOTHING",
        [(kind, name) for name in names],
    )
    ids: dict[str, int] = {}
    step = 30_000  # below SQLite's limit of bound parameters
    for start in range(0, len(names), step):
        part = names[start : start + step]
        marks = ",".join("?" * len(part))
        for name, i in raw.execute(
            f"SELECT name, id FROM ledger_account WHERE kind = ? AND name IN ({marks})",
            (kind, *part),
        ):
            ids[name] = int(i)
    return ids


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
    """A posting's trace: its JSON, or (bulk postings) its record and methodology columns."""
    if row.trace is not None:
        return _trace(row.trace)
    return Trace(
        records=(row.record_key,) if row.record_key else (),
        methodologies=(row.methodology,) if row.methodology else (),
    )


def _posting_row(tx_id: int, account_id: int, p: Posting) -> dict[str, Any]:
    trace = _trace_json(p.trace)
    return {
        "tx": tx_id,
        "account": account_id,
        "asset": str(p.asset),
        "amount": p.amount,
        "trace": json.dumps(trace) if trace else None,
    }


def digest(tx: Transaction) -> str:
    """SHA-256 of a transaction's content (key, kind, time, memo, postings with traces)."""
    body = {
        "key": tx.key,
        "kind": str(tx.kind),
        "at": tx.effective_at.isoformat(),
        "memo": tx.memo,
        "postings": [
            [str(p.account), str(p.asset), p.amount, _trace_json(p.trace)] for p in tx.postings
        ],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class BulkView(Protocol):
    """The logical entries of the aggregated transactions a capability wrote in bulk.

    Each logical transaction must be what the capability's core would append one at a time
    (same key, kind, time, postings and traces), and the logical postings of an aggregated
    transaction must sum to its stored postings, so that balances are the same either way.
    """

    def get(self, key: str) -> Entry | None:
        """The logical entry with this key, if an aggregated transaction holds one."""
        ...

    def entries(self) -> list[Entry]:
        """Every logical entry of the aggregated transactions."""
        ...

    def account_entries(self, account: Account) -> list[Entry]:
        """The logical entries with a posting to ``account``."""
        ...


class SqlLedger:
    """A :class:`~nearzero.ledger.LedgerStore` over ``chart`` on the session's database
    transaction; ``bulk`` presents the aggregated transactions (module docstring)."""

    def __init__(self, session: Session, chart: Chart, bulk: BulkView | None = None) -> None:
        self.session = session
        self._chart = chart
        self.bulk = bulk
        self.pg = session.get_bind().dialect.name == "postgresql"

    @property
    def chart(self) -> Chart:
        return self._chart

    # ------------------------------------------------------------------ reading

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.session.execute(text(sql), params))

    def _entries_of(self, tx_ids: Sequence[int]) -> list[Entry]:
        """Transactions by id as stored, in the order of ``tx_ids``."""
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
                "p.record_key, p.methodology "
                "FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id "
                f"WHERE p.tx_id IN ({marks}) ORDER BY p.id",
                **params,
            ):
                postings.setdefault(p.tx_id, []).append(p)
            for tx_id in part:
                t, ps = txs[tx_id], postings.get(tx_id, [])
                tx = Transaction(
                    key=t.key,
                    kind=str(t.kind),
                    effective_at=utc_time(t.effective_at),
                    postings=tuple(
                        Posting(
                            Account(str(p.kind), str(p.name)),
                            str(p.asset),
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
            text("SELECT id FROM ledger_transaction WHERE key = :k"), {"k": key}
        ).first()
        if row is not None:
            return self._entries_of([int(row.id)])[0]
        return self.bulk.get(key) if self.bulk is not None else None

    def _stored(self) -> str:
        """The stored transactions read as they are: all, or those of no bulk view."""
        return "TRUE" if self.bulk is None else "NOT t.aggregated"

    def entries(self) -> Iterator[Entry]:
        plain = [
            int(r.id)
            for r in self._rows(
                "SELECT t.id FROM ledger_transaction t "
                f"WHERE t.ledger = :ledger AND {self._stored()} ORDER BY t.id",
                ledger=self._chart.name,
            )
        ]
        found = self._entries_of(plain)
        if self.bulk is not None:
            found += self.bulk.entries()
        return iter(sorted(found, key=lambda e: e.seq))

    def account_entries(self, account: Account) -> Iterator[Entry]:
        plain = [
            int(r.id)
            for r in self._rows(
                "SELECT DISTINCT t.id FROM ledger_transaction t "
                "JOIN ledger_posting p ON p.tx_id = t.id "
                "JOIN ledger_account a ON a.id = p.account_id "
                f"WHERE t.ledger = :ledger AND {self._stored()} AND a.kind = :k AND a.name = :n "
                "ORDER BY t.id",
                ledger=self._chart.name,
                k=str(account.kind),
                n=account.name,
            )
        ]
        found = self._entries_of(plain)
        if self.bulk is not None:
            found += self.bulk.account_entries(account)
        return iter(sorted(found, key=lambda e: e.seq))

    def accounts(self, kind: str) -> Iterator[Account]:
        rows = self._rows(
            "SELECT a.name FROM ledger_account a WHERE a.kind = :k AND EXISTS "
            "(SELECT 1 FROM ledger_posting p WHERE p.account_id = a.id)",
            k=str(kind),
        )
        return iter(sorted(Account(kind, r.name) for r in rows))

    def balance(self, account: Account, asset: str) -> int:
        value = self.session.execute(
            text(
                "SELECT COALESCE(SUM(p.amount), 0) FROM ledger_posting p "
                "JOIN ledger_account a ON a.id = p.account_id "
                "WHERE a.kind = :k AND a.name = :n AND p.asset = :s"
            ),
            {"k": str(account.kind), "n": account.name, "s": str(asset)},
        ).scalar_one()
        return int(value)

    def balances(self) -> Mapping[tuple[Account, str], int]:
        marks, params = _marks("k", sorted(self._chart.kinds))
        rows = self._rows(
            "SELECT a.kind, a.name, p.asset, SUM(p.amount) AS amount FROM ledger_posting p "
            f"JOIN ledger_account a ON a.id = p.account_id WHERE a.kind IN ({marks}) "
            "GROUP BY a.kind, a.name, p.asset",
            **params,
        )
        return {
            (Account(str(r.kind), str(r.name)), str(r.asset)): int(r.amount)
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
            {"k": str(account.kind), "n": account.name},
        )
        value = self.session.execute(
            text("SELECT id FROM ledger_account WHERE kind = :k AND name = :n"),
            {"k": str(account.kind), "n": account.name},
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
        tx.check(self._chart)
        delta: dict[tuple[Account, str], int] = {}
        for p in tx.postings:
            delta[(p.account, p.asset)] = delta.get((p.account, p.asset), 0) + p.amount
        bind = self.session.get_bind()
        with self.session.begin_nested():
            tx_id = self.session.execute(
                text(
                    "INSERT INTO ledger_transaction "
                    "(ledger, key, kind, effective_at, memo, digest, aggregated, created_at) "
                    "VALUES (:ledger, :key, :kind, :at, :memo, :digest, :agg, :now) "
                    "ON CONFLICT (key) DO NOTHING RETURNING id"
                ),
                self._transaction_row(tx, datetime.now(tx.effective_at.tzinfo)),
            ).scalar()
            if tx_id is None:  # appended concurrently since get(): compare with it
                raced = self.get(tx.key)
                assert raced is not None
                return self._same(raced, tx)
            ids = {a: self._account_id(a) for a in dict.fromkeys(p.account for p in tx.postings)}
            debited = sorted(
                ids[a] for (a, _s), d in delta.items() if d < 0 and not self._system(a)
            )
            if debited and bind.dialect.name == "postgresql":
                marks = ", ".join(f":a{i}" for i in range(len(debited)))
                self.session.execute(
                    text(f"SELECT id FROM ledger_account WHERE id IN ({marks}) FOR UPDATE"),
                    {f"a{i}": v for i, v in enumerate(debited)},
                )
            for (account, asset), change in sorted(delta.items()):
                if change < 0 and not self._system(account):
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
        """Ids of ``accounts``, created where missing (:func:`account_ids`, per kind)."""
        con = self.session.connection()
        ids: dict[Account, int] = {}
        for kind in dict.fromkeys(str(a.kind) for a in accounts):
            names = [a.name for a in accounts if a.kind == kind]
            ids.update({Account(kind, n): i for n, i in account_ids(con, kind, names).items()})
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
            tx.check(self._chart)
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
            if p.amount < 0 and not self._system(p.account)
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
                "(ledger, key, kind, effective_at, memo, digest, aggregated, created_at) "
                "VALUES (:ledger, :key, :kind, :at, :memo, :digest, :agg, :now)"
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
                sorted({i for i, a in debited if a == asset}),
                s=str(asset),
            )
            if below:
                account, key = debited[(int(below[0].account_id), asset)]
                raise NegativeBalance(account, asset, int(below[0].amount), key)
        return len(new)

    def _transaction_row(self, tx: Transaction, now: datetime) -> dict[str, Any]:
        return {
            "ledger": self._chart.name,
            "key": tx.key,
            "kind": str(tx.kind),
            "at": self._time(tx.effective_at),
            "memo": tx.memo,
            "digest": digest(tx),
            "agg": False,
            "now": self._time(now),
        }

    def _system(self, account: Account) -> bool:
        return self._chart.is_system(account.kind)

    def _time(self, t: datetime) -> Any:
        return time_param(self.session.connection(), t)


# --------------------------------------------------------------------------- invariants


def _marks(prefix: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    return (
        ", ".join(f":{prefix}{i}" for i in range(len(values))),
        {f"{prefix}{i}": v for i, v in enumerate(values)},
    )


def check_invariants(ledger: SqlLedger) -> list[str]:
    """Problems with the ledger in the database (empty when it is sound).

    Checked in SQL over the physical rows, against the ledger's chart: every transaction's
    postings sum to zero per asset; every account kind and asset is the chart's; no
    non-system balance below zero; no posting of an asset to a kind that may not hold it;
    and the store's balances equal a recomputation from its entries (through its bulk
    view, if any). A capability with bulk transactions adds its own checks (e.g.
    :func:`nearzero.store.inclusion_ledger.check_invariants`).
    """
    session, chart = ledger.session, ledger.chart
    problems: list[str] = []
    for r in session.execute(
        text(
            "SELECT t.key, p.asset, SUM(p.amount) AS amount FROM ledger_posting p "
            "JOIN ledger_transaction t ON t.id = p.tx_id WHERE t.ledger = :ledger "
            "GROUP BY t.key, p.asset HAVING SUM(p.amount) <> 0"
        ),
        {"ledger": chart.name},
    ):
        problems.append(f"transaction {r.key}: {r.asset} postings sum to {r.amount}")
    for r in session.execute(
        text(
            "SELECT DISTINCT a.kind, p.asset FROM ledger_posting p "
            "JOIN ledger_account a ON a.id = p.account_id "
            "JOIN ledger_transaction t ON t.id = p.tx_id WHERE t.ledger = :ledger "
            "ORDER BY a.kind, p.asset"
        ),
        {"ledger": chart.name},
    ):
        if r.kind not in chart.kinds:
            problems.append(f"account kind {r.kind} is not in chart {chart.name}")
        if r.asset not in chart.assets:
            problems.append(f"asset {r.asset} is not in chart {chart.name}")
    others = sorted(k for k in chart.kinds if not chart.is_system(k))
    if others:
        marks, params = _marks("k", others)
        for r in session.execute(
            text(
                "SELECT a.kind, a.name, p.asset, SUM(p.amount) AS amount FROM ledger_posting p "
                f"JOIN ledger_account a ON a.id = p.account_id WHERE a.kind IN ({marks}) "
                "GROUP BY a.kind, a.name, p.asset HAVING SUM(p.amount) < 0"
            ),
            params,
        ):
            problems.append(f"{r.kind}:{r.name} has {r.amount} {r.asset}")
    for kind, allowed in sorted(chart.holds.items()):
        marks, params = _marks("s", sorted(allowed) or [""])
        for r in session.execute(
            text(
                "SELECT p.asset, COUNT(*) AS n FROM ledger_posting p "
                "JOIN ledger_account a ON a.id = p.account_id "
                f"WHERE a.kind = :kind AND p.asset NOT IN ({marks}) GROUP BY p.asset"
            ),
            {"kind": kind, **params},
        ):
            problems.append(f"{r.n} {r.asset} postings to {kind} accounts, which may not hold it")
    recomputed = balances_from_postings(ledger.entries())
    stored = dict(ledger.balances())
    if recomputed != stored:
        problems.append("balances differ from a recomputation from the entries")
    return problems
