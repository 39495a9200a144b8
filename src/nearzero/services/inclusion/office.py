"""Carbon inclusion (碳普惠) use cases: partners, consent, intake, statistics, redemption.

The pure rules are in :mod:`nearzero.inclusion` and :mod:`nearzero.ledger`; the bulk
intake path in :mod:`.intake`; the SQL ledger in :mod:`nearzero.store.ledger`.
Issue 4; the plan's task 四(一)4 and indicator 6 (开展碳普惠相关应用场景, at least 2).

Secrets. A partner's HMAC secret is never stored: it is HMAC-SHA256(application secret
key, "nearzero/partner-secret/{key_id}") (:func:`partner_secret`), shown once to the
office when the partner is registered or its key rotated, and recomputed to verify a
request. The database keeps the public ``key_id`` and an 8-byte fingerprint. Resident
pseudonyms use another key derived the same way (:func:`pseudonym_secret`), and
resident page links carry an HMAC token of the pseudonym (:func:`resident_token`).

Indicator 6 is written, not computed on read: after each intake (and from the office
page) :func:`sync_indicator_6` counts the scenarios *live* in a year (a partner
authorised for it and at least one record credited in that year) and, when the count
differs from the value on record, writes it through the indicator service's
``set_value`` with source 碳普惠平台, so the evaluation, reports and the audit log see
it like any other value.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.inclusion.intake import validate_batch
from nearzero.inclusion.records import CHINA_TZ
from nearzero.inclusion.security import (
    DEFAULT_WINDOW_S,
    IdKind,
    SignedRequest,
    pseudonymise,
    verify_request,
)
from nearzero.inclusion.stats import STATISTICS, Period, outcomes_table, run, run_all
from nearzero.ledger.model import Account, AccountKind, Asset, LedgerError, TxKind
from nearzero.ledger.points import (
    Lot,
    expiry_account,
    expiry_transactions,
    redeem,
    resident_account,
)
from nearzero.reports.model import Block, Cell, Paragraph, Table
from nearzero.services import audit
from nearzero.services import indicators as indicator_service
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.inclusion import rules as inclusion_rules
from nearzero.services.inclusion.intake import (
    DEFAULT_CHUNK,
    IngestReport,
    Progress,
    RecordResult,
    batch_id,
    ingest_items,
    load_partner,
    no_cyclic_gc,
    time_param,
    utc_time,
)
from nearzero.services.inclusion.rules import bundled_library, rules_on
from nearzero.store import tables as inc
from nearzero.store import tables as m
from nearzero.store.base import utcnow
from nearzero.store.ledger import SqlLedger

PLATFORM_SOURCE = "碳普惠平台"
INDICATOR_CODE = "6"

# --------------------------------------------------------------------------- secrets


def _derive(master: bytes, label: str) -> bytes:
    return hmac.new(master, f"nearzero/{label}".encode(), hashlib.sha256).digest()


def partner_secret(master: bytes, key_id: str) -> bytes:
    """The HMAC secret of a partner key (derived, never stored; see the module docstring)."""
    return _derive(master, f"partner-secret/{key_id}")


def fingerprint(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()[:16]


def pseudonym_secret(master: bytes) -> bytes:
    return _derive(master, "resident-pseudonym")


def resident_pseudonym(master: bytes, raw: str, kind: IdKind = IdKind.PHONE) -> str:
    """The pseudonym of a phone or ID number; the raw value is used only in this call."""
    try:
        return pseudonymise(raw, pseudonym_secret(master), kind)
    except ValueError as exc:
        raise InvalidInput(f"{kind.value}: {exc}") from exc


def resident_token(master: bytes, pseudonym: str) -> str:
    """A link token for the resident page: ``{pseudonym}.{hmac}``."""
    mac = hmac.new(_derive(master, "resident-link"), pseudonym.encode(), hashlib.sha256)
    return f"{pseudonym}.{mac.hexdigest()[:32]}"


def resident_from_token(master: bytes, token: str) -> str:
    pseudonym, _, _mac = token.rpartition(".")
    if not pseudonym or not hmac.compare_digest(resident_token(master, pseudonym), token):
        raise NotFound("链接无效或已过期 (invalid link)")
    return pseudonym


# --------------------------------------------------------------------------- partners


def _admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("only the office (administrator) manages carbon inclusion")


def _scenarios(raw: Iterable[str]) -> list[str]:
    out: list[str] = []
    for s in raw:
        try:
            out.append(Scenario(s.strip()).value)
        except ValueError:
            allowed = ", ".join(x.value for x in Scenario)
            raise InvalidInput(f"scenarios: 未知场景 {s!r} (expected one of: {allowed})") from None
    if not out:
        raise InvalidInput("scenarios: 请至少选择一个场景 (choose at least one scenario)")
    return sorted(set(out))


@dataclass(frozen=True)
class NewKey:
    """A partner key as shown once: the key id and the secret (hex)."""

    partner: str
    key_id: str
    secret_hex: str


def create_partner(
    session: Session,
    actor: Actor,
    master: bytes,
    unit: m.DemoUnit,
    code: str,
    name_zh: str,
    scenarios: Iterable[str],
) -> NewKey:
    """Register a partner (申报机构) with its scenarios; returns its key (shown once)."""
    _admin(actor)
    code = code.strip()
    if not code or len(code) > 64 or not all(c.isalnum() or c in "-_." for c in code):
        raise InvalidInput("code: 1 to 64 letters, digits, '-', '_' or '.'")
    _partner_name(name_zh)
    if session.scalar(select(inc.InclusionPartner.id).where(inc.InclusionPartner.code == code)):
        raise InvalidInput(f"code: partner {code!r} already exists")
    key_id = secrets.token_hex(8)
    secret = partner_secret(master, key_id)
    partner = inc.InclusionPartner(
        unit_id=unit.id,
        code=code,
        name_zh=name_zh.strip(),
        scenarios=_scenarios(scenarios),
        key_id=key_id,
        secret_fingerprint=fingerprint(secret),
        active=True,
    )
    session.add(partner)
    session.flush()
    audit.record(
        session, actor, "partner.create", "inclusion_partner", code, None,
        {"name_zh": partner.name_zh, "scenarios": partner.scenarios, "key_id": key_id},
        unit.code,
    )  # fmt: skip
    return NewKey(code, key_id, secret.hex())


def get_partner(session: Session, code: str) -> inc.InclusionPartner:
    p = session.scalar(select(inc.InclusionPartner).where(inc.InclusionPartner.code == code))
    if p is None:
        raise NotFound(f"no partner {code!r}")
    return p


def rotate_key(session: Session, actor: Actor, master: bytes, code: str) -> NewKey:
    """A new key for a partner; the old one stops working at once."""
    _admin(actor)
    p = get_partner(session, code)
    old = p.key_id
    p.key_id = secrets.token_hex(8)
    secret = partner_secret(master, p.key_id)
    p.secret_fingerprint = fingerprint(secret)
    p.rotated_at = utcnow()
    audit.record(
        session, actor, "partner.rotate", "inclusion_partner", code, {"key_id": old},
        {"key_id": p.key_id},
    )  # fmt: skip
    return NewKey(code, p.key_id, secret.hex())


def _partner_name(name_zh: str) -> str:
    name = name_zh.strip()
    if not name:
        raise InvalidInput("name_zh: 请填写合作方名称 (the partner's name is required)")
    if len(name) > 200:
        raise InvalidInput(
            f"name_zh: 名称最多200个字符，现为{len(name)}个 (at most 200 characters)"
        )
    return name


def update_partner(
    session: Session,
    actor: Actor,
    code: str,
    scenarios: Iterable[str],
    active: bool,
    name_zh: str | None = None,
) -> inc.InclusionPartner:
    """Change a partner's name, scenarios and active flag; audited when anything changed.

    A partner made inactive has its requests refused (``unknown_partner``) at once; what it
    already credited stays. Indicator 6 is brought up to date for every year the unit has
    credited records, since the scenarios live in a year depend on the active partners.
    """
    _admin(actor)
    p = get_partner(session, code)
    name = p.name_zh if name_zh is None else _partner_name(name_zh)
    chosen = _scenarios(scenarios)
    old = {"name_zh": p.name_zh, "scenarios": list(p.scenarios), "active": p.active}
    new = {"name_zh": name, "scenarios": chosen, "active": bool(active)}
    if old == new:
        return p
    p.name_zh, p.scenarios, p.active = name, chosen, bool(active)
    session.flush()
    audit.record(session, actor, "partner.update", "inclusion_partner", code, old, new)
    unit = session.get(m.DemoUnit, p.unit_id)
    if unit is not None and (old["scenarios"], old["active"]) != (chosen, bool(active)):
        for year in credited_years(session, unit):
            sync_indicator_6(session, unit, year)
    return p


def credited_years(session: Session, unit: m.DemoUnit) -> list[int]:
    """Years in which the unit's partners have credited records (by behaviour day)."""
    days = session.execute(
        select(func.min(inc.InclusionRecord.day), func.max(inc.InclusionRecord.day))
        .join(inc.InclusionPartner, inc.InclusionPartner.id == inc.InclusionRecord.partner_id)
        .where(inc.InclusionPartner.unit_id == unit.id, inc.InclusionRecord.accepted)
    ).one()
    first, last = (_as_date(d) for d in days)
    if first is None or last is None:
        return []
    return list(range(first.year, last.year + 1))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite may hand back text


def partners(session: Session) -> list[inc.InclusionPartner]:
    return list(session.scalars(select(inc.InclusionPartner).order_by(inc.InclusionPartner.code)))


def _secrets_for(session: Session, master: bytes, code: str) -> dict[str, bytes]:
    p = session.scalar(select(inc.InclusionPartner).where(inc.InclusionPartner.code == code))
    if p is None or not p.active:
        return {}
    return {p.code: partner_secret(master, p.key_id)}


# --------------------------------------------------------------------------- consent


def _resident(session: Session, pseudonym: str) -> inc.InclusionResident:
    pseudonym = pseudonym.strip()
    if not pseudonym or len(pseudonym) > 128:
        raise InvalidInput("resident_id: a pseudonym of 1 to 128 characters is required")
    row = session.scalar(
        select(inc.InclusionResident).where(inc.InclusionResident.pseudonym == pseudonym)
    )
    if row is None:
        row = inc.InclusionResident(pseudonym=pseudonym)
        session.add(row)
        session.flush()
    return row


def set_consent(
    session: Session, via: str, pseudonym: str, scenario: Scenario, granted: bool, at: datetime
) -> inc.InclusionConsent | None:
    """Grant (a new consent from ``at``) or withdraw (the open one ends at ``at``) consent.

    Granting when a consent is already open, or withdrawing when none is, changes nothing.
    ``via``: who relayed it (a partner code, ``resident`` or ``office``).
    """
    if at.tzinfo is None:
        raise InvalidInput("at: a time with a UTC offset is required")
    resident = _resident(session, pseudonym)
    open_one = session.scalar(
        select(inc.InclusionConsent).where(
            inc.InclusionConsent.resident_id == resident.id,
            inc.InclusionConsent.scenario == scenario.value,
            inc.InclusionConsent.revoked_at.is_(None),
        )
    )
    if granted:
        if open_one is not None:
            return open_one
        row = inc.InclusionConsent(
            resident_id=resident.id, scenario=scenario.value, granted_at=at, granted_via=via
        )
        session.add(row)
        session.flush()
        return row
    if open_one is not None:
        granted_at = open_one.granted_at
        if granted_at.tzinfo is None:  # SQLite keeps UTC without the offset
            granted_at = granted_at.replace(tzinfo=UTC)
        open_one.revoked_at = max(at, granted_at)
        open_one.revoked_via = via
    return open_one


def consents_of(session: Session, pseudonym: str) -> dict[str, bool]:
    """Scenario → consent currently in force."""
    rows = session.execute(
        select(inc.InclusionConsent.scenario)
        .join(inc.InclusionResident, inc.InclusionResident.id == inc.InclusionConsent.resident_id)
        .where(
            inc.InclusionResident.pseudonym == pseudonym,
            inc.InclusionConsent.revoked_at.is_(None),
        )
    ).all()
    on = {r[0] for r in rows}
    return {s.value: s.value in on for s in Scenario}


# --------------------------------------------------------------------------- intake


def parse_body(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """Records of a batch body: JSON ``{"records": [...]}``, JSON lines, or CSV with a header.

    Empty CSV cells are left out (an empty quantity is no quantity).
    """
    kind = content_type.split(";")[0].strip().lower()
    try:
        textual = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("body: not UTF-8") from exc
    if kind in ("text/csv", "application/csv"):
        reader = csv.DictReader(io.StringIO(textual))
        return [{k: v for k, v in row.items() if k and v not in (None, "")} for row in reader]
    if kind in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
        out: list[dict[str, Any]] = []
        for n, line in enumerate(textual.splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"line {n}: not JSON ({exc.msg})") from exc
            out.append(item if isinstance(item, dict) else {"_": item})
        return out
    try:
        data = json.loads(textual)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"body: not JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise InvalidInput('body: expected {"records": [...]}')
    return [r if isinstance(r, dict) else {"_": r} for r in data["records"]]


def read_file(path: Path) -> list[dict[str, Any]]:
    """A batch file: ``.csv`` or JSON lines (``.jsonl``, ``.ndjson``), or ``.json``."""
    kind = {
        ".csv": "text/csv",
        ".jsonl": "application/x-ndjson",
        ".ndjson": "application/x-ndjson",
    }.get(path.suffix.lower(), "application/json")
    return parse_body(path.read_bytes(), kind)


def ingest(
    engine: Engine,
    partner_code: str,
    items: Sequence[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    batch: str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    sync_indicator: bool = True,
) -> IngestReport:
    """Validate and credit a partner batch (set-based, chunked; see :mod:`.intake`).

    An unknown or inactive partner gets every record refused with ``unknown_partner`` and
    nothing is written. After the batch, indicator 6 is brought up to date for the years
    the batch credited.
    """
    now = now or datetime.now(UTC)
    with engine.connect() as con:
        info = load_partner(con, partner_code)
        in_force = rules_on(con, info.unit_code) if info is not None else None
    if info is None or not info.active or in_force is None:
        batch = batch or batch_id(partner_code, items)
        return refused(partner_code, items, ReasonCode.UNKNOWN_PARTNER, batch)
    with no_cyclic_gc():
        report = ingest_items(
            engine,
            info,
            items,
            now=now,
            batch=batch or batch_id(partner_code, items),
            partners={info.code: info.scenarios},
            library=in_force.library,
            scheme=in_force.scheme,
            chunk_size=chunk_size,
            progress=progress,
        )
    if sync_indicator and report.days:
        with engine.begin() as con, Session(bind=con) as session:
            unit = indicator_service.get_unit(session, info.unit_code)
            for year in sorted({d.year for d in report.days}):
                sync_indicator_6(session, unit, year)
            session.flush()
    return report


def refused(
    partner: str, items: Sequence[Mapping[str, Any]], reason: ReasonCode, batch: str = ""
) -> IngestReport:
    """A batch refused as a whole: every record carries the batch-level reason (the core's)."""
    from nearzero.inclusion.rules import Scheme

    ctx_library = bundled_library()
    from nearzero.inclusion.intake import IntakeContext

    ctx = IntakeContext(ctx_library, Scheme("", ""), datetime.now(UTC), {})
    result = validate_batch(partner, list(items), ctx, batch_reason=reason)
    report = IngestReport(batch, partner, batch_reason=reason)
    report.results = [
        RecordResult(o.index, o.partner_record_id, False, 0, reason.value, o.detail)
        for o in result.outcomes
    ]
    return report


class _SeenNonces:
    """The (partner, nonce) pairs already used, looked up in the database on demand."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        found = self.session.execute(
            text(
                "SELECT 1 FROM inclusion_nonce n JOIN inclusion_partner p ON p.id = n.partner_id "
                "WHERE p.code = :p AND n.nonce = :n"
            ),
            {"p": item[0], "n": item[1]},
        ).first()
        return found is not None


def verify_and_remember(
    engine: Engine, master: bytes, request: SignedRequest, now_s: int
) -> ReasonCode | None:
    """The core's request check (:func:`verify_request`); on success the nonce is stored.

    The nonce is committed before the batch is processed: a retry after a failure needs a
    new nonce, and the batch itself is idempotent. Expired nonces are purged here.
    """
    now = datetime.fromtimestamp(now_s, UTC)
    with engine.begin() as con, Session(bind=con) as session:
        reason = verify_request(
            request, _secrets_for(session, master, request.partner_id), now_s,
            _SeenNonces(session),
        )  # fmt: skip
        if reason is not None:
            return reason
        partner = get_partner(session, request.partner_id)
        session.execute(
            text("DELETE FROM inclusion_nonce WHERE expires_at < :now"),
            {"now": _time_param(session, now)},
        )
        inserted = session.execute(
            text(
                "INSERT INTO inclusion_nonce (partner_id, nonce, expires_at) "
                "VALUES (:p, :n, :e) ON CONFLICT (partner_id, nonce) DO NOTHING RETURNING id"
            ),
            {
                "p": partner.id,
                "n": request.nonce,
                "e": _time_param(session, now + timedelta(seconds=2 * DEFAULT_WINDOW_S)),
            },
        ).scalar()
        if inserted is None:
            return ReasonCode.REPLAYED_NONCE
    return None


def _time_param(session: Session, t: datetime) -> Any:
    return time_param(session.connection(), t)


def handle_signed_batch(
    engine: Engine, master: bytes, request: SignedRequest, content_type: str, now_s: int
) -> IngestReport:
    """The partner API: verify the signature, timestamp and nonce, then ingest the body."""
    reason = verify_and_remember(engine, master, request, now_s)
    try:
        items = parse_body(request.body, content_type)
    except InvalidInput:
        if reason is not None:
            return IngestReport("", request.partner_id, batch_reason=reason)
        raise
    if reason is not None:
        return refused(request.partner_id, items, reason)
    return ingest(engine, request.partner_id, items, now=datetime.fromtimestamp(now_s, UTC))


def handle_signed_consents(
    engine: Engine, master: bytes, request: SignedRequest, now_s: int
) -> list[dict[str, Any]]:
    """Partner API for consent: ``{"consents": [{resident_id | phone | id_card, scenario,
    granted: bool, at}]}``; returns each resident's pseudonym and the consent state."""
    reason = verify_and_remember(engine, master, request, now_s)
    if reason is not None:
        raise PermissionDenied(reason.value)
    try:
        data = json.loads(request.body)
        items = data["consents"]
        assert isinstance(items, list)
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        raise InvalidInput('body: expected {"consents": [...]}') from exc
    out: list[dict[str, Any]] = []
    with engine.begin() as con, Session(bind=con) as session:
        partner = get_partner(session, request.partner_id)
        for n, item in enumerate(items):
            where = f"consents[{n}]"
            if not isinstance(item, dict):
                raise InvalidInput(f"{where}: expected an object")
            pseudonym = str(item.get("resident_id") or "")
            for kind in (IdKind.PHONE, IdKind.ID_CARD):
                if item.get(kind.value):
                    pseudonym = resident_pseudonym(master, str(item[kind.value]), kind)
            try:
                scenario = Scenario(str(item.get("scenario")))
            except ValueError:
                raise InvalidInput(f"{where}.scenario: unknown {item.get('scenario')!r}") from None
            if scenario.value not in partner.scenarios:
                raise PermissionDenied(f"{where}: partner may not relay {scenario.value}")
            at_raw = item.get("at")
            try:
                at = datetime.fromisoformat(at_raw) if isinstance(at_raw, str) else None
            except ValueError:
                at = None
            if at_raw is not None and (at is None or at.tzinfo is None):
                raise InvalidInput(
                    f"{where}.at: 应为带时区的 ISO 8601 时间，如 2025-03-01T08:00:00+08:00，"
                    f"实际为 {at_raw!r} (expected an ISO 8601 time with a UTC offset)"
                )
            at = at or datetime.fromtimestamp(now_s, UTC)
            set_consent(
                session, partner.code, pseudonym, scenario, bool(item.get("granted", True)), at
            )
            out.append(
                {
                    "resident_id": pseudonym,
                    "scenario": scenario.value,
                    "granted": bool(item.get("granted", True)),
                }
            )
        session.flush()
    return out


def write_results(report: IngestReport, path: Path) -> Path:
    """The per-record result file (CSV), next to the input: ``FILE.results.csv``."""
    out = path.with_name(path.name + ".results.csv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["index", "partner_record_id", "status", "grams", "reason", "detail"])
        for r in report.results:
            w.writerow([r.index, r.partner_record_id, "accepted" if r.accepted else "rejected",
                        r.grams, r.reason, r.detail])  # fmt: skip
    return out


# --------------------------------------------------------------------------- indicator 6


def live_scenarios(session: Session, unit: m.DemoUnit, year: int) -> dict[str, int]:
    """Scenarios live in ``year``: authorised for an active partner and credited that year.

    Returns scenario → records credited in the year.
    """
    authorised: set[str] = set()
    for p in session.scalars(
        select(inc.InclusionPartner).where(
            inc.InclusionPartner.unit_id == unit.id, inc.InclusionPartner.active
        )
    ):
        authorised |= set(p.scenarios)
    rows = session.execute(
        select(inc.InclusionRecord.scenario, func.count())
        .join(inc.InclusionPartner, inc.InclusionPartner.id == inc.InclusionRecord.partner_id)
        .where(
            inc.InclusionPartner.unit_id == unit.id,
            inc.InclusionRecord.accepted,
            inc.InclusionRecord.day >= date(year, 1, 1),
            inc.InclusionRecord.day <= date(year, 12, 31),
        )
        .group_by(inc.InclusionRecord.scenario)
    ).all()
    return {s: int(n) for s, n in rows if s in authorised}


def sync_indicator_6(session: Session, unit: m.DemoUnit, year: int) -> bool:
    """Write indicator 6's value for ``year`` from the live scenarios when it changed."""
    has_indicator = session.scalar(
        select(m.Indicator.id).where(
            m.Indicator.unit_id == unit.id, m.Indicator.code == INDICATOR_CODE
        )
    )
    if has_indicator is None:
        return False
    live = live_scenarios(session, unit, year)
    value = float(len(live))
    existing = session.scalar(
        select(m.IndicatorValue)
        .join(m.Indicator, m.Indicator.id == m.IndicatorValue.indicator_id)
        .where(
            m.Indicator.unit_id == unit.id,
            m.Indicator.code == INDICATOR_CODE,
            m.IndicatorValue.part_code == "",
            m.IndicatorValue.year == year,
        )
    )
    if existing is not None and existing.value == value and existing.source == PLATFORM_SOURCE:
        return False
    names = "、".join(Scenario(s).label_zh for s in sorted(live))
    evidence = "；".join(
        f"{Scenario(s).label_zh} {n} 条已入账记录" for s, n in sorted(live.items())
    )
    indicator_service.set_value(
        session,
        Actor.system(PLATFORM_SOURCE),
        unit,
        indicator_service.ValueInput(
            code=INDICATOR_CODE,
            year=year,
            value=value,
            text=f"已上线场景：{names}" if names else "尚无上线场景",
            source=PLATFORM_SOURCE,
            evidence=evidence,
        ),
    )
    return True


# --------------------------------------------------------------------------- statistics


class EngineRunner:
    """Runs the core's Ibis statistics on the store's own database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = {"postgresql": "postgres"}.get(engine.dialect.name, engine.dialect.name)

    def fetch(self, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
        with self.engine.connect() as con:
            res = con.exec_driver_sql(sql)
            return list(res.keys()), [tuple(r) for r in res]


def statistics(engine: Engine, period: Period = Period.MONTH) -> dict[str, list[dict[str, Any]]]:
    """Participants, records by outcome and reductions by methodology over the full history,
    with the core's Ibis expressions compiled for the store's database (view
    ``inclusion_outcomes``)."""
    return run_all(EngineRunner(engine), period)


def statistic(engine: Engine, name: str, period: Period) -> list[dict[str, Any]]:
    return run(EngineRunner(engine), STATISTICS[name](outcomes_table(), period))


@dataclass
class StatementLine:
    """Pooled reductions of one methodology version in one period, with the trace."""

    methodology: str
    scenario: str
    period: date
    records: int
    grams: int
    transactions: list[str] = field(default_factory=list)


def pooled_statement(
    session: Session, unit: m.DemoUnit, year: int | None = None
) -> list[StatementLine]:
    """The department's pool (减排量支配权保留在生态环境部门): grams of reductions by
    methodology version and month, with the ledger transactions behind each line; every
    resident posting sums the records of its transaction, resident and methodology version
    (``inclusion_record.tx_id``; see :mod:`.intake`)."""
    params: dict[str, Any] = {"unit": unit.code}
    where = ""
    if year is not None:
        where = " AND r.day BETWEEN :first AND :last"
        params |= {"first": date(year, 1, 1), "last": date(year, 12, 31)}
    rows = session.execute(
        text(
            "SELECT r.methodology_id || '@' || r.methodology_version, r.scenario, r.day, "
            "r.credited_g, t.key FROM inclusion_record r "
            "JOIN ledger_transaction t ON t.id = r.tx_id "
            "JOIN inclusion_partner p ON p.id = r.partner_id "
            "JOIN demo_unit u ON u.id = p.unit_id WHERE r.accepted AND u.code = :unit" + where
        ),
        params,
    )
    lines: dict[tuple[str, str, date], StatementLine] = {}
    for ref, scenario, day, grams, key in rows:
        d = date.fromisoformat(day[:10]) if isinstance(day, str) else day
        month = d.replace(day=1)
        line = lines.setdefault((ref, scenario, month), StatementLine(ref, scenario, month, 0, 0))
        line.records += 1
        line.grams += int(grams)
        if key not in line.transactions:
            line.transactions.append(key)
    return sorted(lines.values(), key=lambda x: (x.period, x.methodology))


def pool_balance(session: Session, unit_code: str) -> int:
    """Reductions held by the department's pool [g] (sum of its postings)."""
    return SqlLedger(session).balance(Account(AccountKind.POOL, unit_code), Asset.REDUCTION)


# --------------------------------------------------------------------------- merchants


def create_merchant(
    session: Session, actor: Actor, unit: m.DemoUnit, code: str, name_zh: str
) -> inc.InclusionMerchant:
    _admin(actor)
    if not code.strip() or not name_zh.strip():
        raise InvalidInput("code and name_zh are required")
    row = inc.InclusionMerchant(unit_id=unit.id, code=code.strip(), name_zh=name_zh.strip())
    session.add(row)
    session.flush()
    audit.record(session, actor, "merchant.create", "inclusion_merchant", code, None,
                 {"name_zh": name_zh}, unit.code)  # fmt: skip
    return row


def create_offer(
    session: Session, actor: Actor, merchant_code: str, title_zh: str, points: int
) -> inc.InclusionOffer:
    _admin(actor)
    merchant = session.scalar(
        select(inc.InclusionMerchant).where(inc.InclusionMerchant.code == merchant_code)
    )
    if merchant is None:
        raise NotFound(f"no merchant {merchant_code!r}")
    if points <= 0:
        raise InvalidInput("points: a positive whole number is required")
    row = inc.InclusionOffer(merchant_id=merchant.id, title_zh=title_zh.strip(), points=points)
    session.add(row)
    session.flush()
    audit.record(session, actor, "offer.create", "inclusion_offer", str(row.id), None,
                 {"title_zh": title_zh, "points": points})  # fmt: skip
    return row


def offers(session: Session) -> list[tuple[inc.InclusionOffer, inc.InclusionMerchant]]:
    rows = session.execute(
        select(inc.InclusionOffer, inc.InclusionMerchant)
        .join(inc.InclusionMerchant, inc.InclusionMerchant.id == inc.InclusionOffer.merchant_id)
        .where(inc.InclusionOffer.active, inc.InclusionMerchant.active)
        .order_by(inc.InclusionOffer.points)
    ).all()
    return [(o, mm) for o, mm in rows]


def redeem_offer(
    session: Session, pseudonym: str, offer_id: int, client_key: str, at: datetime | None = None
) -> inc.InclusionRedemption:
    """Spend points on an offer at its merchant; idempotent by ``client_key``.

    The same key again returns the first redemption and writes nothing (a double tap, a
    retried request). Not enough points raises :class:`InvalidInput`; nothing is written.
    """
    if not client_key or len(client_key) > 100:
        raise InvalidInput("client_key: 1 to 100 characters")
    done = session.scalar(
        select(inc.InclusionRedemption).where(inc.InclusionRedemption.client_key == client_key)
    )
    if done is not None:
        if done.resident != pseudonym or done.offer_id != offer_id:
            raise InvalidInput("client_key: already used for another redemption")
        return done
    found = session.execute(
        select(inc.InclusionOffer, inc.InclusionMerchant)
        .join(inc.InclusionMerchant, inc.InclusionMerchant.id == inc.InclusionOffer.merchant_id)
        .where(inc.InclusionOffer.id == offer_id, inc.InclusionOffer.active)
    ).first()
    if found is None:
        raise NotFound(f"no offer {offer_id}")
    offer, merchant = found
    when = at or datetime.now(UTC)
    try:
        entry = redeem(
            SqlLedger(session), client_key, pseudonym,
            Account(AccountKind.MERCHANT, merchant.code), int(offer.points),
            when, memo=offer.title_zh,
        )  # fmt: skip
    except LedgerError as exc:
        raise InvalidInput(f"积分不足或兑换无效：{exc}") from exc
    tx_id = session.execute(
        text("SELECT id FROM ledger_transaction WHERE key = :k"), {"k": entry.tx.key}
    ).scalar_one()
    row = inc.InclusionRedemption(
        client_key=client_key, resident=pseudonym, offer_id=offer.id, merchant_id=merchant.id,
        points=offer.points, tx_id=int(tx_id), at=when,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


# --------------------------------------------------------------------------- expiry


@dataclass(frozen=True)
class ExpiryRun:
    """What one expiry run posted: transactions, points and residents (all zero on a rerun)."""

    unit: str
    as_of: date
    months: int
    transactions: int
    points: int
    residents: int


def expiry_cutoff(as_of: date) -> datetime:
    """The last instant of ``as_of`` in China time (UTC+8): points whose validity ended by
    then expire."""
    return datetime.combine(as_of + timedelta(days=1), time(0), CHINA_TZ) - timedelta(
        microseconds=1
    )


def expire_points(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    as_of: date,
    months: int | None,
    today: date | None = None,
) -> ExpiryRun:
    """Post the expiry of points credited through ``unit``'s partners and still unspent
    ``months`` after the behaviour, as of the end of ``as_of`` (UTC+8).

    One balanced transaction per expiring lot (``resident −x``, ``expiry:{unit} +x``,
    :func:`nearzero.ledger.points.expiry_transactions`), appended to the append-only
    ledger; keys are deterministic, so a second run (or a run for an earlier date) posts
    nothing and writes no audit entry. ``months`` is the validity in force
    (:func:`nearzero.services.inclusion.rules.points_validity`: the unit's scheme, else
    ``NEARZERO_INCLUSION_POINTS_VALID_MONTHS``); None refuses, as does a date after today.
    """
    _admin(actor)
    if months is None:
        raise InvalidInput(
            "months: 未设置积分有效期（平台规则 points_valid_months，或 "
            "NEARZERO_INCLUSION_POINTS_VALID_MONTHS），积分不过期 "
            "(no points validity is set, so points do not expire)"
        )
    if isinstance(months, bool) or months <= 0:
        raise InvalidInput(f"months: 有效期应为正整数月，实际为 {months!r} (a positive number)")
    today = today or datetime.now(CHINA_TZ).date()
    if as_of > today:
        raise InvalidInput(
            f"as_of: {as_of.isoformat()} 晚于今天 {today.isoformat()}，不能预先过期 "
            "(a date in the future)"
        )
    codes = set(
        session.scalars(
            select(inc.InclusionPartner.code).where(inc.InclusionPartner.unit_id == unit.id)
        )
    )
    holders = [
        str(r[0])
        for r in session.execute(
            text(
                "SELECT a.name FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id "
                "WHERE a.kind = 'resident' AND p.asset = :asset GROUP BY a.name "
                "HAVING SUM(p.amount) > 0"
            ),
            {"asset": Asset.POINT.value},
        )
    ]

    def of_unit(lot: Lot) -> bool:
        return bool(lot.trace.records) and all(
            r.partition(":")[0] in codes for r in lot.trace.records
        )

    ledger = SqlLedger(session)
    txs = expiry_transactions(
        ledger, unit.code, expiry_cutoff(as_of), months, residents=holders, include=of_unit
    )
    ledger.append_all(txs)
    points = 0
    residents: set[str] = set()
    for tx in txs:
        out = next(p for p in tx.postings if p.account.kind is AccountKind.RESIDENT)
        points -= out.amount
        residents.add(out.account.name)
    run = ExpiryRun(unit.code, as_of, months, len(txs), points, len(residents))
    if txs:
        audit.record(
            session, actor, "points.expire", "inclusion_expiry",
            f"{unit.code}/{as_of.isoformat()}", None,
            {"as_of": as_of.isoformat(), "months": months, "transactions": len(txs),
             "points": points, "residents": len(residents)},
            unit.code,
        )  # fmt: skip
    return run


def expired_total(session: Session, unit_code: str) -> int:
    """Points expired so far into the unit's expiry account."""
    return SqlLedger(session).balance(expiry_account(unit_code), Asset.POINT)


# --------------------------------------------------------------------------- resident page


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
    pseudonym: str
    balance: int
    records: list[inc.InclusionRecord]
    redemptions: list[tuple[inc.InclusionRedemption, str]]
    offers: list[tuple[inc.InclusionOffer, inc.InclusionMerchant]]
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
        items += [HistoryItem(utc_time(red.at), "redemption", name, -int(red.points))
                  for red, name in self.redemptions]  # fmt: skip
        items += [HistoryItem(at, "expiry", "", -points) for at, points in self.expiries]
        return sorted(items, key=lambda i: i.at, reverse=True)


def resident_view(session: Session, pseudonym: str, limit: int = 50) -> ResidentView:
    """Balance (sum of postings), latest credited records, redemptions and offers."""
    ledger = SqlLedger(session)
    balance = ledger.balance(resident_account(pseudonym), Asset.POINT)
    records = list(
        session.scalars(
            select(inc.InclusionRecord)
            .where(inc.InclusionRecord.resident == pseudonym, inc.InclusionRecord.accepted)
            .order_by(inc.InclusionRecord.start_at.desc())
            .limit(limit)
        )
    )
    credited = session.scalar(
        select(func.coalesce(func.sum(inc.InclusionRecord.credited_g), 0)).where(
            inc.InclusionRecord.resident == pseudonym, inc.InclusionRecord.accepted
        )
    )
    redemptions = [
        (r, name)
        for r, name in session.execute(
            select(inc.InclusionRedemption, inc.InclusionMerchant.name_zh)
            .join(
                inc.InclusionMerchant,
                inc.InclusionMerchant.id == inc.InclusionRedemption.merchant_id,
            )
            .where(inc.InclusionRedemption.resident == pseudonym)
            .order_by(inc.InclusionRedemption.id.desc())
            .limit(limit)
        ).all()
    ]
    expiries = [
        (utc_time(at), -int(amount))
        for at, amount in session.execute(
            text(
                "SELECT t.effective_at, p.amount FROM ledger_posting p "
                "JOIN ledger_transaction t ON t.id = p.tx_id "
                "JOIN ledger_account a ON a.id = p.account_id "
                "WHERE a.kind = 'resident' AND a.name = :n AND p.asset = :asset "
                "AND t.kind = :kind ORDER BY t.effective_at DESC, t.id DESC LIMIT :limit"
            ),
            {"n": pseudonym, "asset": Asset.POINT.value, "kind": TxKind.EXPIRY.value,
             "limit": limit},
        )
    ]  # fmt: skip
    return ResidentView(
        pseudonym, balance, records, redemptions, offers(session), consents_of(session, pseudonym),
        int(credited or 0), expiries,
    )  # fmt: skip


# --------------------------------------------------------------------------- annual report


class SessionRunner:
    """Runs the core's Ibis statistics on the session's own connection (and transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        name = session.get_bind().dialect.name
        self.dialect = {"postgresql": "postgres"}.get(name, name)

    def fetch(self, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
        res = self.session.connection().exec_driver_sql(sql)
        return list(res.keys()), [tuple(r) for r in res]


@dataclass
class YearFigures:
    """A unit's carbon-inclusion figures for one year (by the local day of the behaviour)."""

    year: int
    partners: int
    participants: list[dict[str, Any]]
    outcomes: dict[str, int]
    reductions: list[dict[str, Any]]
    pooled_g: int
    pooled_transactions: int
    live: dict[str, int]

    @property
    def records(self) -> int:
        return sum(self.outcomes.values())

    @property
    def accepted(self) -> int:
        return self.outcomes.get("accepted", 0)

    @property
    def credited_g(self) -> int:
        return sum(int(r["grams"] or 0) for r in self.reductions)

    @property
    def residents(self) -> int:
        return next(
            (int(r["participants"]) for r in self.participants if r["scenario"] == "all"), 0
        )


def year_figures(session: Session, unit: m.DemoUnit, year: int) -> YearFigures | None:
    """The figures of ``year`` for the unit's partners, with the core's Ibis statistics
    (the same expressions as :func:`statistics`) restricted to the year and the unit;
    None when the unit has no carbon-inclusion partner at all."""
    codes = list(
        session.scalars(
            select(inc.InclusionPartner.code).where(inc.InclusionPartner.unit_id == unit.id)
        )
    )
    if not codes:
        return None
    t = outcomes_table()
    t = t.filter(t.day >= date(year, 1, 1), t.day <= date(year, 12, 31), t.partner_id.isin(codes))
    runner = SessionRunner(session)
    stats = {name: run(runner, f(t, Period.YEAR)) for name, f in STATISTICS.items()}
    outcomes: dict[str, int] = {}
    for r in stats["records_by_outcome"]:
        outcomes[str(r["outcome"])] = outcomes.get(str(r["outcome"]), 0) + int(r["records"])
    statement = pooled_statement(session, unit, year)
    return YearFigures(
        year=year,
        partners=len(codes),
        participants=stats["participants"],
        outcomes=outcomes,
        reductions=stats["reductions_by_methodology"],
        pooled_g=sum(line.grams for line in statement),
        pooled_transactions=len({k for line in statement for k in line.transactions}),
        live=live_scenarios(session, unit, year),
    )


def tonnes(grams: int | None) -> str:
    """Grams as tonnes of CO2e, exact to the gram (six decimals, thousands separated)."""
    return f"{(grams or 0) / 1_000_000:,.6f}"


def _scenario_zh(code: Any) -> str:
    if code == "all":
        return "合计（去重）"
    try:
        return Scenario(str(code)).label_zh
    except ValueError:
        return str(code)


def _outcome_zh(code: str) -> str:
    if code == "accepted":
        return "受理入账"
    try:
        return f"拒绝：{ReasonCode(code).label_zh}"
    except ValueError:
        return f"拒绝：{code}"


def _rules_paragraph(session: Session, unit: m.DemoUnit, year: int) -> Paragraph:
    """The platform rules in force at the end of ``year``: whose they are, the methodology
    version per scenario, what they still lack."""
    in_force = inclusion_rules.rules(session, unit)
    origin = {
        "saved": f"专班保存的平台规则（{in_force.saved_at:%Y-%m-%d}）" if in_force.saved_at else "",
        "bundled": "系统默认的平台规则（专班尚未保存本区版本）",
        "none": "尚无平台规则",
    }[in_force.origin]
    chosen = [
        f"{r.scenario.label_zh}采用{r.methodology.ref}"
        + (f"（缺{'、'.join(r.missing)}取值，暂不能入账）" if r.missing else "")
        for r in inclusion_rules.scenario_rules(in_force, date(year, 12, 31))
        if r.methodology is not None
    ]
    unset = in_force.scheme.unset()
    kinds = "、".join(dict.fromkeys(_RULE_KINDS_ZH[key.split(".")[0]] for key in unset))
    left = f"尚未设定的平台规则{len(unset)}项（{kinds}）。" if unset else ""
    return Paragraph(f"适用{origin}：{'；'.join(chosen) or '未选定任何方法学'}。{left}")


_RULE_KINDS_ZH = {
    "methodologies": "场景方法学",
    "plausibility": "合理性范围",
    "caps": "积分上限",
    "claim_window_days": "补报时限",
    "points_valid_months": "积分有效期",
}


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Block] | None:
    """The annual report's 碳普惠 section (see :mod:`nearzero.services.report`): participants,
    records accepted and rejected by reason, reductions by methodology [t CO2e], the
    reductions pooled by the department, and indicator 6 (live scenarios) for ``year``.

    None when the unit has no carbon-inclusion partner (the report then says it has no
    data); a year without records says so in words.
    """
    figures = year_figures(session, unit, year)
    if figures is None:
        return None
    indicator = session.scalar(
        select(m.Indicator.name_zh).where(
            m.Indicator.unit_id == unit.id, m.Indicator.code == INDICATOR_CODE
        )
    )
    live = "、".join(Scenario(s).label_zh for s in sorted(figures.live))
    ind_text = (
        f"指标{INDICATOR_CODE}“{indicator}”"
        if indicator
        else f"指标{INDICATOR_CODE}（碳普惠应用场景）"
    )
    live_text = (
        f"{ind_text}：{year}年已上线场景{len(figures.live)}个（{live}）。"
        if figures.live
        else f"{ind_text}：{year}年已上线场景0个。"
    )
    rules_text = _rules_paragraph(session, unit, year)
    if figures.records == 0:
        return [
            Paragraph(
                f"{year}年碳普惠平台（已登记合作方{figures.partners}家）未收到行为记录，"
                "没有入账的减排量，也没有归集的减排量。"
            ),
            Paragraph(live_text),
            rules_text,
        ]
    rejected = figures.records - figures.accepted
    blocks: list[Block] = [
        Paragraph(
            f"{year}年，碳普惠平台共收到{figures.partners}家合作方报送的行为记录"
            f"{figures.records:,}条，受理入账{figures.accepted:,}条，拒绝{rejected:,}条；"
            f"参与居民{figures.residents:,}人；入账减排量合计{tonnes(figures.credited_g)}"
            "吨二氧化碳当量。"
        ),
        Paragraph(
            f"归集至生态环境部门账户的减排量{tonnes(figures.pooled_g)}吨二氧化碳当量"
            f"（减排量支配权保留在生态环境部门），对应{figures.pooled_transactions:,}笔账本交易，"
            "每笔可追溯至行为记录及所用方法学版本。"
        ),
        Paragraph(live_text),
        rules_text,
    ]
    people: list[tuple[Cell, ...]] = [
        (Cell(_scenario_zh(r["scenario"])), Cell(f"{int(r['participants']):,}", num=True),
         Cell(f"{int(r['records']):,}", num=True),
         Cell(tonnes(r["grams"]), num=True, value=(r["grams"] or 0) / 1e6))
        for r in sorted(figures.participants, key=lambda r: (r["scenario"] == "all", r["scenario"]))
    ]  # fmt: skip
    blocks.append(
        Table(
            ("场景", "参与人数", "入账记录（条）", "减排量（吨CO2e）"),
            tuple(people),
            f"{year}年碳普惠参与情况",
            (4, 3, 3, 4),
        )  # fmt: skip
    )
    order = sorted(figures.outcomes, key=lambda k: (k != "accepted", -figures.outcomes[k], k))
    judged: list[tuple[Cell, ...]] = [
        (Cell(_outcome_zh(k)), Cell(f"{figures.outcomes[k]:,}", num=True), Cell(k)) for k in order
    ]
    judged.append((Cell("合计"), Cell(f"{figures.records:,}", num=True), Cell("")))
    blocks.append(
        Table(
            ("受理结果", "记录数（条）", "原因代码"),
            tuple(judged),
            f"{year}年碳普惠记录受理情况",
            (6, 3, 4),
        )  # fmt: skip
    )
    methods: list[tuple[Cell, ...]] = [
        (Cell(f"{r['methodology_id']}@{r['methodology_version']}"),
         Cell(_scenario_zh(r["scenario"])),
         Cell(f"{int(r['records']):,}", num=True),
         Cell(tonnes(r["grams"]), num=True, value=(r["grams"] or 0) / 1e6),
         Cell(tonnes(r["computed_grams"]), num=True))
        for r in figures.reductions
    ]  # fmt: skip
    methods.append((Cell("合计"), Cell(""), Cell(f"{figures.accepted:,}", num=True),
                    Cell(tonnes(figures.credited_g), num=True), Cell("")))  # fmt: skip
    blocks.append(
        Table(
            (
                "方法学（版本）",
                "场景",
                "记录数（条）",
                "入账减排量（吨CO2e）",
                "方法学计算值（吨CO2e）",
            ),
            tuple(methods),
            f"{year}年按方法学统计的碳普惠减排量",
            (6, 3, 3, 4, 4),
        )  # fmt: skip
    )
    return blocks
