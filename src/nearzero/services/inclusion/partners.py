"""Carbon inclusion (碳普惠) for partners: registration, keys, consent, and the signed partner
API (batches and consents, with the timestamp and nonce check).

Secrets. A partner's HMAC secret is never stored: it is HMAC-SHA256(application secret
key, "nearzero/partner-secret/{key_id}") (:func:`partner_secret`), shown once to the
office when the partner is registered or its key rotated, and recomputed to verify a
request. The database keeps the public ``key_id`` and an 8-byte fingerprint. Resident
pseudonyms use another key derived the same way (:func:`pseudonym_secret`), and
resident page links carry an HMAC token of the pseudonym
(:func:`nearzero.services.inclusion.resident.resident_token`).

The pure rules are in :mod:`nearzero.inclusion` and :mod:`nearzero.ledger`; the bulk
intake path in :mod:`.intake`. Issue 4; the plan's task 四(一)4 and indicator 6.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.inclusion.intake import IntakeContext, validate_batch
from nearzero.inclusion.rules import Scheme
from nearzero.inclusion.security import (
    DEFAULT_WINDOW_S,
    IdKind,
    SignedRequest,
    pseudonymise,
    verify_request,
)
from nearzero.services import audit, indicators as indicator_service
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.inclusion.intake import (
    DEFAULT_CHUNK,
    IngestReport,
    Progress,
    RecordResult,
    batch_id,
    ingest_items,
    no_cyclic_gc,
)
from nearzero.services.inclusion.rules import bundled_library, load_scenarios, rules_on
from nearzero.services.inclusion.statistics import credited_years, sync_indicator_6
from nearzero.store import inclusion as store, tables as m
from nearzero.store.base import utcnow
from nearzero.store.intake import load_partner

# --------------------------------------------------------------------------- secrets


def derive(master: bytes, label: str) -> bytes:
    """A key derived from the application's secret key for one purpose ``label``."""
    return hmac.new(master, f"nearzero/{label}".encode(), hashlib.sha256).digest()


def partner_secret(master: bytes, key_id: str) -> bytes:
    """The HMAC secret of a partner key (derived, never stored; see the module docstring)."""
    return derive(master, f"partner-secret/{key_id}")


def fingerprint(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()[:16]


def pseudonym_secret(master: bytes) -> bytes:
    return derive(master, "resident-pseudonym")


def resident_pseudonym(master: bytes, raw: str, kind: IdKind = IdKind.PHONE) -> str:
    """The pseudonym of a phone or ID number; the raw value is used only in this call."""
    try:
        return pseudonymise(raw, pseudonym_secret(master), kind)
    except ValueError as exc:
        raise InvalidInput(f"{kind.value}: {exc}") from exc


# --------------------------------------------------------------------------- partners


def require_office(actor: Actor) -> None:
    """Refuse anyone but the office (administrator)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            f"{actor.username}无权管理碳普惠：只有专班办公室（管理员）可以 — "
            "only the office (administrator) manages carbon inclusion"
        )


def _scenarios(session: Session, raw: Iterable[str]) -> list[str]:
    known = load_scenarios(session.connection())
    out: list[str] = []
    for s in raw:
        try:
            found = Scenario(s.strip())
            if found not in known:
                raise ValueError(s)
            out.append(found.value)
        except ValueError:
            allowed = ", ".join(x.value for x in known)
            raise InvalidInput(f"scenarios: 未知场景 {s!r} (expected one of: {allowed})") from None
    if not out:
        raise InvalidInput("scenarios: 请至少选择一个场景 (choose at least one scenario)")
    return sorted(set(out))


def _partner_name(name_zh: str) -> str:
    name = name_zh.strip()
    if not name:
        raise InvalidInput("name_zh: 请填写合作方名称 (the partner's name is required)")
    if len(name) > 200:
        raise InvalidInput(
            f"name_zh: 名称最多200个字符，现为{len(name)}个 (at most 200 characters)"
        )
    return name


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
    require_office(actor)
    code = code.strip()
    if not code or len(code) > 64 or not all(c.isalnum() or c in "-_." for c in code):
        raise InvalidInput(
            "code: 合作方代码应为1至64个字母、数字、“-”“_”或“.” — "
            "1 to 64 letters, digits, '-', '_' or '.'"
        )
    _partner_name(name_zh)
    if store.partner(session, code) is not None:
        raise InvalidInput(f"code: 合作方“{code}”已存在 — partner {code!r} already exists")
    key_id = secrets.token_hex(8)
    secret = partner_secret(master, key_id)
    partner = store.add_partner(
        session,
        unit.id,
        code,
        name_zh.strip(),
        _scenarios(session, scenarios),
        key_id,
        fingerprint(secret),
    )
    new = {"name_zh": partner.name_zh, "scenarios": partner.scenarios, "key_id": key_id}
    audit.record(session, actor, "partner.create", "inclusion_partner", code, None, new, unit.code)
    return NewKey(code, key_id, secret.hex())


def get_partner(session: Session, code: str, unit: m.DemoUnit | None = None) -> m.InclusionPartner:
    """The partner ``code``; :class:`NotFound` when there is none (or it is another unit's)."""
    p = store.partner(session, code)
    if p is None or (unit is not None and p.unit_id != unit.id):
        raise NotFound(f"partner: 没有合作方“{code}” — no partner {code!r}")
    return p


def partners(session: Session, unit: m.DemoUnit) -> list[m.InclusionPartner]:
    """The unit's partners, in code order."""
    return store.partners(session, unit.id)


def rotate_key(
    session: Session, actor: Actor, master: bytes, code: str, unit: m.DemoUnit | None = None
) -> NewKey:
    """A new key for a partner; the old one stops working at once."""
    require_office(actor)
    p = get_partner(session, code, unit)
    old = p.key_id
    p.key_id = secrets.token_hex(8)
    secret = partner_secret(master, p.key_id)
    p.secret_fingerprint = fingerprint(secret)
    p.rotated_at = utcnow()
    audit.record(
        session,
        actor,
        "partner.rotate",
        "inclusion_partner",
        code,
        {"key_id": old},
        {"key_id": p.key_id},
    )
    return NewKey(code, p.key_id, secret.hex())


def update_partner(
    session: Session,
    actor: Actor,
    code: str,
    scenarios: Iterable[str],
    active: bool,
    name_zh: str | None = None,
    unit: m.DemoUnit | None = None,
) -> m.InclusionPartner:
    """Change a partner's name, scenarios and active flag; audited when anything changed.

    A partner made inactive has its requests refused (``unknown_partner``) at once; what it
    already credited stays. Indicator 6 is brought up to date for every year the unit has
    credited records, since the scenarios live in a year depend on the active partners.
    """
    require_office(actor)
    p = get_partner(session, code, unit)
    name = p.name_zh if name_zh is None else _partner_name(name_zh)
    chosen = _scenarios(session, scenarios)
    old = {"name_zh": p.name_zh, "scenarios": list(p.scenarios), "active": p.active}
    new = {"name_zh": name, "scenarios": chosen, "active": bool(active)}
    if old == new:
        return p
    p.name_zh, p.scenarios, p.active = name, chosen, bool(active)
    session.flush()
    audit.record(session, actor, "partner.update", "inclusion_partner", code, old, new)
    owner = session.get(m.DemoUnit, p.unit_id)
    if owner is not None and (old["scenarios"], old["active"]) != (chosen, bool(active)):
        for year in credited_years(session, owner):
            sync_indicator_6(session, owner, year)
    return p


def _secrets_for(session: Session, master: bytes, code: str) -> dict[str, bytes]:
    p = store.partner(session, code)
    if p is None or not p.active:
        return {}
    return {p.code: partner_secret(master, p.key_id)}


# --------------------------------------------------------------------------- consent


def set_consent(
    session: Session, via: str, pseudonym: str, scenario: Scenario, granted: bool, at: datetime
) -> m.InclusionConsent | None:
    """Grant (a new consent from ``at``) or withdraw (the open one ends at ``at``) consent.

    Granting when a consent is already open, or withdrawing when none is, changes nothing.
    ``via``: who relayed it (a partner code, ``resident`` or ``office``).
    """
    if at.tzinfo is None:
        raise InvalidInput("at: 时间须带UTC时差 — a time with a UTC offset is required")
    pseudonym = pseudonym.strip()
    if not pseudonym or len(pseudonym) > 128:
        raise InvalidInput(
            "resident_id: 请填写1至128个字符的居民假名 — "
            "a pseudonym of 1 to 128 characters is required"
        )
    resident = store.resident(session, pseudonym)
    open_one = store.open_consent(session, resident.id, scenario.value)
    if granted:
        if open_one is not None:
            return open_one
        return store.add_consent(session, resident.id, scenario.value, at, via)
    if open_one is not None:
        granted_at = open_one.granted_at
        if granted_at.tzinfo is None:  # SQLite keeps UTC without the offset
            granted_at = granted_at.replace(tzinfo=UTC)
        open_one.revoked_at = max(at, granted_at)
        open_one.revoked_via = via
    return open_one


def consents_of(session: Session, pseudonym: str) -> dict[str, bool]:
    """Scenario → consent currently in force."""
    on = store.consented_scenarios(session, pseudonym)
    return {s.value: s.value in on for s in Scenario}


# --------------------------------------------------------------------------- batches


def parse_body(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """Records of a batch body: JSON ``{"records": [...]}``, JSON lines, or CSV with a header.

    Empty CSV cells are left out (an empty quantity is no quantity).
    """
    kind = content_type.split(";")[0].strip().lower()
    try:
        textual = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("body: 请求内容不是UTF-8编码 — not UTF-8") from exc
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
                raise InvalidInput(f"line {n}: 不是有效的JSON — not JSON ({exc.msg})") from exc
            out.append(item if isinstance(item, dict) else {"_": item})
        return out
    try:
        data = json.loads(textual)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"body: 请求内容不是有效的JSON — not JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise InvalidInput('body: 请求内容应为{"records": [...]} — expected {"records": [...]}')
    return [r if isinstance(r, dict) else {"_": r} for r in data["records"]]


def read_file(path: Path) -> list[dict[str, Any]]:
    """A batch file: ``.csv`` or JSON lines (``.jsonl``, ``.ndjson``), or ``.json``."""
    kind = {
        ".csv": "text/csv",
        ".jsonl": "application/x-ndjson",
        ".ndjson": "application/x-ndjson",
    }.get(path.suffix.lower(), "application/json")
    return parse_body(path.read_bytes(), kind)


def write_results(report: IngestReport, path: Path) -> Path:
    """The per-record result file (CSV), next to the input: ``FILE.results.csv``."""
    out = path.with_name(path.name + ".results.csv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["index", "partner_record_id", "status", "grams", "reason", "detail"])
        for r in report.results:
            status = "accepted" if r.accepted else "rejected"
            w.writerow([r.index, r.partner_record_id, status, r.grams, r.reason, r.detail])
    return out


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
        load_scenarios(con)  # the office's scenarios, before the partner's are read
        info = load_partner(con, partner_code)
        in_force = rules_on(con, info.unit_code) if info is not None else None
    if info is None or not info.active or in_force is None:
        batch = batch or batch_id(partner_code, items)
        return refused(partner_code, items, ReasonCode.UNKNOWN_PARTNER, batch)
    with no_cyclic_gc():  # the whole intake: the batch's million objects are not walked
        report = ingest_items(
            engine,
            info,
            items,
            now=now,
            batch=batch,  # None: its content id, from the fields read once
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
    ctx = IntakeContext(bundled_library(), Scheme("", ""), datetime.now(UTC), {})
    result = validate_batch(partner, list(items), ctx, batch_reason=reason)
    report = IngestReport(batch, partner, batch_reason=reason)
    report.results = [
        RecordResult(o.index, o.partner_record_id, False, 0, reason.value, o.detail)
        for o in result.outcomes
    ]
    return report


# --------------------------------------------------------------------------- signed requests


class _SeenNonces:
    """The (partner, nonce) pairs already used, looked up in the database on demand."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        return store.nonce_used(self.session, str(item[0]), str(item[1]))


def verify_and_remember(
    engine: Engine, master: bytes, request: SignedRequest, now_s: int
) -> ReasonCode | None:
    """The core's request check (:func:`verify_request`); on success the nonce is stored.

    The nonce is committed before the batch is processed: a retry after a failure needs a
    new nonce, and the batch itself is idempotent. Expired nonces are purged here.
    """
    now = datetime.fromtimestamp(now_s, UTC)
    with engine.begin() as con, Session(bind=con) as session:
        known = _secrets_for(session, master, request.partner_id)
        reason = verify_request(request, known, now_s, _SeenNonces(session))
        if reason is not None:
            return reason
        partner = get_partner(session, request.partner_id)
        store.purge_nonces(session, now)
        expires = now + timedelta(seconds=2 * DEFAULT_WINDOW_S)
        if not store.remember_nonce(session, partner.id, request.nonce, expires):
            return ReasonCode.REPLAYED_NONCE
    return None


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


def _consent_time(where: str, raw: Any, now_s: int) -> datetime:
    """A relayed consent's ``at``: an ISO 8601 time with an offset, else now."""
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if raw is not None and (at is None or at.tzinfo is None):
        raise InvalidInput(
            f"{where}.at: 应为带时区的 ISO 8601 时间，如 2025-03-01T08:00:00+08:00，"
            f"实际为 {raw!r} (expected an ISO 8601 time with a UTC offset)"
        )
    return at or datetime.fromtimestamp(now_s, UTC)


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
        raise InvalidInput(
            'body: 请求内容应为{"consents": [...]} — expected {"consents": [...]}'
        ) from exc
    with engine.begin() as con, Session(bind=con) as session:
        partner = get_partner(session, request.partner_id)
        out = apply_consents(session, master, partner, items, now_s)
        session.flush()
    return out


def apply_consents(
    session: Session, master: bytes, partner: m.InclusionPartner, items: list[Any], now_s: int
) -> list[dict[str, Any]]:
    """Grant or withdraw each relayed consent (``{resident_id | phone | id_card, scenario,
    granted, at}``), checked as the partner API checks them: a bad item raises naming it
    (``consents[1].at``) and the caller's transaction stores nothing."""
    load_scenarios(session.connection())
    out: list[dict[str, Any]] = []
    for n, item in enumerate(items):
        where = f"consents[{n}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where}: 应为JSON对象 — expected an object")
        pseudonym = str(item.get("resident_id") or "")
        for kind in (IdKind.PHONE, IdKind.ID_CARD):
            if item.get(kind.value):
                pseudonym = resident_pseudonym(master, str(item[kind.value]), kind)
        try:
            scenario = Scenario(str(item.get("scenario")))
        except ValueError:
            raise InvalidInput(
                f"{where}.scenario: 未知场景{item.get('scenario')!r} — "
                f"unknown {item.get('scenario')!r}"
            ) from None
        if scenario.value not in partner.scenarios:
            raise PermissionDenied(
                f"{where}: 该合作方无权报送“{scenario.value}”场景 — "
                f"partner may not relay {scenario.value}"
            )
        at = _consent_time(where, item.get("at"), now_s)
        granted = _granted(where, item.get("granted", True))
        set_consent(session, partner.code, pseudonym, scenario, granted, at)
        out.append({"resident_id": pseudonym, "scenario": scenario.value, "granted": granted})
    return out


def _granted(where: str, raw: Any) -> bool:
    """``granted`` as JSON or CSV gives it (true/false, 1/0, yes/no; empty: true)."""
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in ("", "true", "1", "yes", "y"):
            return True
        if text in ("false", "0", "no", "n"):
            return False
        raise InvalidInput(
            f"{where}.granted: 应为true或false，而不是{raw!r} — expected true or false, not {raw!r}"
        )
    return bool(raw)


def read_consents(path: Path) -> list[Any]:
    """A consents file: ``.csv`` (header ``phone,id_card,resident_id,scenario,granted,at``;
    empty cells are left out), JSON lines, or JSON ``{"consents": [...]}``."""
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: 不是UTF-8文本 — not UTF-8 text") from exc
    if suffix == ".csv":
        rows = csv.DictReader(io.StringIO(text))
        return [{k: v for k, v in row.items() if k and v not in (None, "")} for row in rows]
    if suffix in (".jsonl", ".ndjson"):
        items: list[Any] = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InvalidInput(
                        f"{path.name} line {n}: 不是有效的JSON — not JSON ({exc.msg})"
                    ) from exc
        return items
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path.name}: 不是有效的JSON — not JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("consents"), list):
        raise InvalidInput(
            f'{path.name}: 文件应为{{"consents": [...]}} — expected {{"consents": [...]}}'
        )
    return list(data["consents"])


def import_consents(
    session: Session,
    actor: Actor,
    master: bytes,
    code: str,
    items: list[Any],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The office imports consents a partner relayed offline (``nearzero inclusion consents
    import``): each item checked as the partner API checks it, all or nothing, audited."""
    require_office(actor)
    partner = get_partner(session, code)
    if not partner.active:
        raise InvalidInput(f"partner: 合作方“{code}”已停用 — {code!r} is disabled")
    now_s = int((now or datetime.now(UTC)).timestamp())
    out = apply_consents(session, master, partner, items, now_s)
    granted = sum(1 for x in out if x["granted"])
    owner = session.get(m.DemoUnit, partner.unit_id)
    audit.record(
        session,
        actor,
        "consent.import",
        "inclusion_partner",
        code,
        None,
        {"consents": len(out), "granted": granted, "withdrawn": len(out) - granted},
        owner.code if owner is not None else "",
    )
    session.flush()
    return out
