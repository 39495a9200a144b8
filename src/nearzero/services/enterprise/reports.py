"""Annual reports of enterprises: a draft saved from a report file (YAML/JSON) or the Excel
template, computed by the core with its lineage; the verification workflow; evidence files.

Who does what (the core's :data:`~nearzero.enterprise.workflow.TRANSITIONS` decide the order):

- the firm's side — the office (admin) or a department editor entering it for the firm —
  saves drafts and submits;
- the office assigns a verifier (``start_verification``), confirms a verified report, and may
  return a report;
- a verifier (a user with role ``verifier``) sees and acts only on the reports assigned to it:
  it records the verified figures (an adjusted report file, or the reported one unchanged)
  and its findings, or returns the report for correction.

Every step is audited (entity ``enterprise_report``, key ``<firm>/<year>``). A step out of
order is refused with the core's message (state, step, steps allowed) and changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.orm import Session

from nearzero.enterprise import calendar as calendar_items, workflow as wf
from nearzero.enterprise.data import CSV_FILES, load_csv
from nearzero.enterprise.model import EnterpriseError, Source
from nearzero.enterprise.report import compute_report
from nearzero.enterprise.reportfile import INPUT_SCHEMA, parse_report, read_document, result_to_dict
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied, Role
from nearzero.services.enterprise import workbook
from nearzero.services.enterprise.common import get_enterprise, invalid, label, require_reader
from nearzero.services.files import store_file
from nearzero.services.projects import (
    DEFAULT_EVIDENCE_DIR,
    EVIDENCE_TYPES,
    MAX_EVIDENCE_BYTES,
    EvidenceUpload,
    check_evidence,
)
from nearzero.services.users import get_user
from nearzero.services.workbook import WorkbookInvalid
from nearzero.store import enterprise as store, tables as m, users as user_store
from nearzero.store.projects import remove_on_rollback

ENTITY = "enterprise_report"
MAX_REPORT_BYTES = 5 * 1024 * 1024
REPORT_FORMATS = (".xlsx", ".yaml", ".yml", ".json")

#: The workflow roles each account role takes.
WORKFLOW_ROLES: dict[Role, tuple[wf.Role, ...]] = {
    Role.ADMIN: (wf.Role.OFFICE, wf.Role.FIRM),
    Role.EDITOR: (wf.Role.FIRM,),
    Role.VERIFIER: (wf.Role.VERIFIER,),
    Role.VIEWER: (),
}


def _firm_mapping(row: m.Enterprise) -> dict[str, Any]:
    return {
        "key": row.key,
        "name_zh": row.name_zh,
        "credit_code": row.credit_code,
        "industry_code": row.industry_code,
        "sector": row.sector,
        "illustrative": row.illustrative,
    }


def read_upload(name: str, content: bytes) -> tuple[dict[str, Any], workbook.Parsed | None]:
    """The input document of an uploaded report file (.xlsx template, .yaml/.yml or .json)."""
    lower = name.lower()
    if not lower.endswith(REPORT_FORMATS):
        raise InvalidInput(
            f"file: 文件“{name or '（无）'}”应为{'、'.join(REPORT_FORMATS)}格式之一 — "
            f"the file {name or '(none)'}: expected one of {', '.join(REPORT_FORMATS)}"
        )
    if len(content) > MAX_REPORT_BYTES:
        raise InvalidInput(
            f"file: 文件“{name}”超过{MAX_REPORT_BYTES // 1024 // 1024} MB — "
            f"the file {name} is larger than {MAX_REPORT_BYTES // 1024 // 1024} MB"
        )
    if lower.endswith(".xlsx"):
        parsed = workbook.parse_workbook(content)
        return parsed.doc, parsed
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"file: 文件“{name}”不是UTF-8文本 — the file {name} is not UTF-8 text"
        ) from None
    try:
        data = read_document(name, text)
    except EnterpriseError as exc:
        raise invalid(exc) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            f"file: 文件“{name}”的顶层应为键值映射 — the file {name}: expected a mapping at the top"
        )
    return data, None


def compute_document(
    firm: m.Enterprise, doc: Mapping[str, Any], year: int | None, parsed: workbook.Parsed | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the stored input document, the computed result) of ``doc`` for ``firm``.

    The document's ``firm`` is replaced by the registry's; a credit code in the file that is
    not the firm's is refused (the file of another firm). Errors name the field, or the
    sheet, row and column of the workbook it came from.
    """
    given = doc.get("firm")
    if isinstance(given, Mapping) and given.get("credit_code") and firm.credit_code:
        if str(given["credit_code"]).strip().upper() != firm.credit_code:
            raise InvalidInput(
                f"firm.credit_code: 文件属于统一社会信用代码为{given['credit_code']}的企业，"
                f"而不是“{firm.name_zh}”（{firm.credit_code}） — "
                f"the file is for {given['credit_code']}, not "
                f"{firm.name_zh} ({firm.credit_code})"
            )
    stored = dict(doc) | {"schema": INPUT_SCHEMA, "firm": _firm_mapping(firm)}
    stored["illustrative"] = bool(stored.get("illustrative")) or firm.illustrative
    if year is not None and stored.get("year") != year:
        raise InvalidInput(
            f"year: 文件年份为{stored.get('year')!r}，应为{year} — "
            f"the file is for {stored.get('year')!r}, expected {year}"
        )
    try:
        result = result_to_dict(compute_report(parse_report(stored)))
    except EnterpriseError as exc:
        if parsed is not None:
            problem = workbook.locate(parsed, exc)
            raise WorkbookInvalid(str(problem), [problem]) from None
        raise invalid(exc) from None
    return stored, result


def _dec(value: float) -> Decimal:
    return round(Decimal(repr(value)), 6)


def _snapshot(row: m.EnterpriseReport) -> dict[str, Any]:
    return {
        "state": row.state,
        "reported_tco2": str(row.reported_tco2),
        "verified_tco2": str(row.verified_tco2) if row.verified_tco2 is not None else None,
        "verifier": row.verifier,
    }


def _key(row: m.EnterpriseReport) -> str:
    return f"{row.enterprise.key}/{row.year}"


def save_draft(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm_key: str,
    name: str,
    content: bytes,
    year: int | None = None,
) -> m.EnterpriseReport:
    """Save (or replace) the draft report of a firm from an uploaded file; computed at once.

    Only a draft may be replaced; refused input raises before anything is written.
    """
    if actor.role not in (Role.ADMIN, Role.EDITOR):
        raise PermissionDenied(
            f"{actor.username}无权录入排放报告：只有专班办公室或部门填报人员可以 — "
            f"{actor.username} may not enter a report: "
            "only the office or a department editor may"
        )
    firm = get_enterprise(session, unit, firm_key)
    doc, parsed = read_upload(name, content)
    if parsed is not None and parsed.firm_key and parsed.firm_key != firm.key:
        raise InvalidInput(
            f"file: 模板属于企业“{parsed.firm_key}”，而不是“{firm.name_zh}”（{firm.key}） — "
            f"the template is for {parsed.firm_key!r}, not {firm.key!r} ({firm.name_zh})"
        )
    return save_document(session, actor, unit, firm, doc, PurePath(name).name, year, parsed)


def save_document(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm: m.Enterprise,
    doc: Mapping[str, Any],
    source_name: str,
    year: int | None = None,
    parsed: workbook.Parsed | None = None,
) -> m.EnterpriseReport:
    """Save a parsed input document as the firm's draft of its year (see :func:`save_draft`)."""
    stored, result = compute_document(firm, doc, year, parsed)
    year = int(stored["year"])
    row = store.report_of_year(session, firm.id, year)
    old = None
    if row is not None:
        if row.state != wf.State.DRAFT.value:
            state = wf.State(row.state)
            raise InvalidInput(
                f"state: “{firm.name_zh}”{year}年的排放报告已{state.label_zh}，"
                "只有草稿可以替换 — "
                f"the {year} report of {firm.name_zh} is {state.value}; "
                "only a draft can be replaced"
            )
        old = _snapshot(row)
    else:
        row = m.EnterpriseReport(enterprise=firm, year=year, created_by=actor.username)
        session.add(row)
    row.state = wf.State.DRAFT.value
    row.input = stored
    row.result = result
    row.reported_tco2 = _dec(result["totals"]["total"])
    row.fossil_tce = _dec(result["energy"]["fossil_tce"])
    row.comprehensive_tce = _dec(result["energy"]["comprehensive_tce"])
    row.source_name = source_name[:255]
    session.flush()
    new = _snapshot(row) | {"source": row.source_name, "totals": result["totals"]}
    audit.record(session, actor, "report.draft", ENTITY, _key(row), old, new, unit.code)
    return row


# --------------------------------------------------------------------------- reading


def _assigned(actor: Actor, row: m.EnterpriseReport) -> None:
    if actor.role is Role.VERIFIER and row.verifier != actor.username:
        raise PermissionDenied(
            f"{actor.username}无权查看排放报告{row.id}：该报告未分配给其核查 — "
            f"{actor.username} may not open report {row.id}: it is not assigned to it"
        )


def open_report(
    session: Session, actor: Actor, unit: m.DemoUnit, report_id: int
) -> m.EnterpriseReport:
    """Report ``report_id`` of ``unit``; a verifier may open only those assigned to it."""
    row = store.report(session, report_id)
    if row is None or row.enterprise.unit_id != unit.id:
        raise NotFound(
            f"report: 单位“{unit.code}”没有编号为{report_id}的企业排放报告 — "
            f"unit {unit.code!r} has no enterprise report {report_id}"
        )
    _assigned(actor, row)
    return row


def assigned_reports(session: Session, actor: Actor, unit: m.DemoUnit) -> list[m.EnterpriseReport]:
    """The reports a verifier is assigned (every report of the unit for the others)."""
    verifier = actor.username if actor.role is Role.VERIFIER else None
    return store.reports_of_unit(session, unit.id, verifier=verifier)


# --------------------------------------------------------------------------- workflow


def _role_for(actor: Actor, state: wf.State, step: wf.Step) -> wf.Role:
    """The workflow role ``actor`` takes for ``step`` (the first of its roles allowed)."""
    mine = WORKFLOW_ROLES.get(actor.role, ())
    move = wf.TRANSITIONS.get((state, step))
    if move is not None:
        for role in mine:
            if role in move[1]:
                return role
    if not mine:
        raise PermissionDenied(
            f"{actor.username}（{actor.role.value}）无权变更排放报告 — "
            f"{actor.username} ({actor.role.value}) may not change reports"
        )
    return mine[0]


def _next(actor: Actor, row: m.EnterpriseReport, step: wf.Step) -> wf.State:
    state = wf.State(row.state)
    try:
        return wf.next_state(state, step, _role_for(actor, state, step))
    except wf.WorkflowError as exc:
        if exc.field == "role":
            raise PermissionDenied(f"{actor.username}: {exc.detail}") from None
        raise InvalidInput(f"{exc.field}: {exc.detail}") from None


def allowed_steps(actor: Actor, row: m.EnterpriseReport) -> list[wf.Step]:
    """The steps ``actor`` may take on ``row`` now (for the page's buttons)."""
    if actor.role is Role.VERIFIER and row.verifier != actor.username:
        return []
    state = wf.State(row.state)
    mine = WORKFLOW_ROLES.get(actor.role, ())
    return [
        step
        for step in wf.allowed_steps(state)
        if any(role in wf.TRANSITIONS[(state, step)][1] for role in mine)
    ]


def _move(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    row: m.EnterpriseReport,
    step: wf.Step,
    target: wf.State,
    extra: dict[str, Any] | None = None,
) -> m.EnterpriseReport:
    old = _snapshot(row)
    row.state = target.value
    session.flush()
    new = _snapshot(row) | (extra or {})
    audit.record(session, actor, f"report.{step.value}", ENTITY, _key(row), old, new, unit.code)
    return row


def submit(session: Session, actor: Actor, unit: m.DemoUnit, report_id: int) -> m.EnterpriseReport:
    """The firm's side submits its draft."""
    row = open_report(session, actor, unit, report_id)
    return _move(session, actor, unit, row, wf.Step.SUBMIT, _next(actor, row, wf.Step.SUBMIT))


def assign(
    session: Session, actor: Actor, unit: m.DemoUnit, report_id: int, verifier: str
) -> m.EnterpriseReport:
    """The office assigns a verifier to a submitted report (it is then in verification)."""
    row = open_report(session, actor, unit, report_id)
    target = _next(actor, row, wf.Step.START_VERIFICATION)
    user = get_user(session, verifier.strip())
    if user is None or user.role != Role.VERIFIER.value:
        raise InvalidInput(
            f"verifier: “{verifier}”不是有效的核查账号 — "
            f"{verifier!r} is not an active verifier account"
        )
    row.verifier = user.username
    return _move(session, actor, unit, row, wf.Step.START_VERIFICATION, target)


def verify(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    report_id: int,
    findings: Sequence[str] = (),
    adjusted_name: str = "",
    adjusted_content: bytes | None = None,
) -> m.EnterpriseReport:
    """The assigned verifier records the verified figures and findings.

    ``adjusted_content`` is the report file as the verifier corrected it (same formats as a
    draft); without one the reported figures are verified unchanged.
    """
    row = open_report(session, actor, unit, report_id)
    state = wf.State(row.state)
    _next(actor, row, wf.Step.VERIFY)  # the order and the role, before any parsing
    notes = tuple(f.strip() for f in findings if f.strip())
    if adjusted_content:
        doc, parsed = read_upload(adjusted_name, adjusted_content)
        stored, result = compute_document(row.enterprise, doc, row.year, parsed)
    else:
        stored, result = row.input, row.result
    verified = _dec(result["totals"]["total"])
    try:
        target, outcome = wf.verify(state, row.reported_tco2, verified, notes)
    except EnterpriseError as exc:
        raise invalid(exc) from None
    row.verified_input = stored
    row.verified_result = result
    row.verified_tco2 = outcome.verified
    row.findings = list(outcome.findings)
    extra = {"difference": str(outcome.difference), "findings": list(outcome.findings)}
    return _move(session, actor, unit, row, wf.Step.VERIFY, target, extra)


def confirm(session: Session, actor: Actor, unit: m.DemoUnit, report_id: int) -> m.EnterpriseReport:
    """The office confirms a verified report."""
    row = open_report(session, actor, unit, report_id)
    return _move(session, actor, unit, row, wf.Step.CONFIRM, _next(actor, row, wf.Step.CONFIRM))


def return_report(
    session: Session, actor: Actor, unit: m.DemoUnit, report_id: int, reason: str
) -> m.EnterpriseReport:
    """Return a report one step back for correction, with the reason."""
    row = open_report(session, actor, unit, report_id)
    if not reason.strip():
        raise InvalidInput("reason: 请说明退回报告的原因 — say why the report is returned")
    target = _next(actor, row, wf.Step.RETURN)
    if target is wf.State.DRAFT:
        row.verified_input = None
        row.verified_result = None
        row.verified_tco2 = None
    return _move(session, actor, unit, row, wf.Step.RETURN, target, {"reason": reason.strip()})


# --------------------------------------------------------------------------- evidence


ITEM_LABELS = dict(calendar_items.ITEMS)


def _evidence(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm: m.Enterprise,
    year: int,
    upload: EvidenceUpload,
    evidence_dir: Path,
    month: int | None,
    item: str,
) -> m.EnterpriseEvidence:
    if month is not None and not 1 <= month <= 12:
        raise InvalidInput(f"month: {month}不是有效月份，应为1至12 — {month} (expected 1-12)")
    if item and item not in ITEM_LABELS:
        raise InvalidInput(
            f"item: {item!r}不是存证事项，应为{'、'.join(ITEM_LABELS)}之一 — "
            f"{item!r} (expected one of {', '.join(ITEM_LABELS)})"
        )
    if item and month is None:
        raise InvalidInput(
            "month: 月度存证事项须注明月份（1至12） — a calendar item is filed for a month (1-12)"
        )
    content_type = check_evidence(upload)
    sha = hashlib.sha256(upload.content).hexdigest()
    evidence = m.EnterpriseEvidence(
        enterprise_id=firm.id,
        year=year,
        month=month,
        item=item,
        filename=PurePath(upload.filename.replace("\\", "/")).name[:255],
        content_type=content_type,
        size=len(upload.content),
        sha256=sha,
        uploaded_by=actor.username,
    )
    session.add(evidence)
    session.flush()
    path, created = store_file(evidence_dir, sha, upload.content)
    if created:
        remove_on_rollback(session, path)
    new = {"filename": evidence.filename, "sha256": sha, "month": month, "item": item}
    key = f"{firm.key}/{year}"
    audit.record(session, actor, "report.evidence", ENTITY, key, None, new, unit.code)
    return evidence


def add_evidence(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    report_id: int,
    upload: EvidenceUpload,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
    month: int | None = None,
    item: str = "",
) -> m.EnterpriseEvidence:
    """Attach an evidence file (stored by SHA-256) to a report not yet confirmed.

    The firm's side (office or editor) or the assigned verifier may attach.
    """
    row = open_report(session, actor, unit, report_id)
    if actor.role is Role.VIEWER:
        raise PermissionDenied(
            f"{actor.username}无权上传佐证材料 — {actor.username} may not attach evidence"
        )
    if row.state == wf.State.CONFIRMED.value:
        raise InvalidInput(
            "state: 报告已确认，不能再添加佐证材料 — "
            "the report is confirmed; no evidence can be added"
        )
    return _evidence(
        session, actor, unit, row.enterprise, row.year, upload, evidence_dir, month, item
    )


def file_monthly_evidence(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    firm_key: str,
    year: int,
    month: int,
    item: str,
    upload: EvidenceUpload,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
) -> m.EnterpriseEvidence:
    """File a month's item of the evidence calendar (月度存证) for a firm (office or editor)."""
    if actor.role not in (Role.ADMIN, Role.EDITOR):
        raise PermissionDenied(
            f"{actor.username}无权为企业上传月度存证 — "
            f"{actor.username} may not file evidence for a firm"
        )
    if not 2000 <= year <= 2100:
        raise InvalidInput(f"year: 年份{year}应为如2024的年份 — {year} (expected a year like 2024)")
    if not item:
        raise InvalidInput(
            f"item: 请选择存证事项（{'、'.join(ITEM_LABELS)}之一） — "
            f"missing (expected one of {', '.join(ITEM_LABELS)})"
        )
    firm = get_enterprise(session, unit, firm_key)
    return _evidence(session, actor, unit, firm, year, upload, evidence_dir, month, item)


def evidence_file(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    report_id: int,
    evidence_id: int,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
) -> tuple[m.EnterpriseEvidence, Path]:
    """An evidence row of a report and the path of its stored content."""
    row = open_report(session, actor, unit, report_id)
    evidence = store.evidence(session, evidence_id)
    if evidence is None or (evidence.enterprise_id, evidence.year) != (row.enterprise_id, row.year):
        raise NotFound(
            f"evidence: 排放报告{report_id}没有编号为{evidence_id}的佐证材料 — "
            f"report {report_id} has no evidence {evidence_id}"
        )
    path = evidence_dir / evidence.sha256
    if not path.is_file():
        raise NotFound(
            f"evidence: 佐证材料{evidence_id}的文件已不在存储目录中 — "
            f"the content of evidence {evidence_id} is missing from {evidence_dir}"
        )
    return evidence, path


# --------------------------------------------------------------------------- page


@dataclass(frozen=True)
class ComponentLine:
    """A component reported beside its verified figure [t CO2]."""

    key: str
    kind: str
    reported: dict[str, Any] | None
    verified: dict[str, Any] | None

    @property
    def difference(self) -> float | None:
        if self.verified is None:
            return None
        return float(self.verified["tco2"]) - float(self.reported["tco2"] if self.reported else 0)

    @property
    def note(self) -> tuple[str, str]:
        """The component's note as ``(text, code)`` for the page to name the code in its
        language: a fuel's ``烟煤 (power)`` → ``("烟煤", "power")`` (the guideline's rules),
        electricity's ``ets_reporting <citation>`` → ``("", "ets_reporting")`` (the factor
        family; the citation is shown with the factor), a process's or a recovery's product
        or use → ``("", "clinker")``."""
        shown = self.reported or self.verified or {}
        note = str(shown.get("note") or "")
        if self.kind == "fuel" and note.endswith(")") and " (" in note:
            text, _, code = note[:-1].rpartition(" (")
            return text, code
        if self.kind in ("electricity", "heat"):
            return "", note.partition(" ")[0]
        return "", note

    @property
    def indirect(self) -> tuple[str, str] | None:
        """The factor family and region of a purchased electricity or heat term, read from its
        equation ``E = (purchased − exported) × EF [family, region] (净购入电力)``, for the page
        to write the equation with names; ``None`` for any other equation."""
        shown = self.reported or self.verified or {}
        found = _INDIRECT.match(str(shown.get("equation") or ""))
        if self.kind not in ("electricity", "heat") or found is None:
            return None
        return found["family"], found["region"]


_INDIRECT = re.compile(r"^E = \(purchased − exported\) × EF \[(?P<family>\w+), (?P<region>\w+)\]")
"""The equation :func:`~nearzero.enterprise.electricity` writes for a purchased carrier."""


@dataclass(frozen=True)
class ReportPage:
    """A report's page: components with lineage, reported vs verified, buttons, evidence."""

    unit: m.DemoUnit
    year: int
    report: m.EnterpriseReport
    firm_label: str
    state: wf.State
    components: list[ComponentLine]
    totals: list[tuple[str, float, float | None]]  # (kind, reported, verified)
    difference: Decimal | None
    difference_pct: Decimal | None
    steps: list[str]
    evidence: list[m.EnterpriseEvidence]
    verifiers: list[str]
    may_attach: bool
    history: list[m.AuditLog]
    verifier_name: str
    sources: dict[str, Source]
    page: str = "report"
    accept: str = ",".join(EVIDENCE_TYPES)
    max_mb: int = MAX_EVIDENCE_BYTES // (1024 * 1024)
    States: type[wf.State] = wf.State
    items: tuple[tuple[str, str], ...] = calendar_items.ITEMS
    items_en: tuple[tuple[str, str], ...] = calendar_items.ITEMS_EN


TOTAL_KINDS = ("fuel", "process", "electricity", "heat", "recovered", "total")


def cited_sources(components: Sequence[ComponentLine]) -> dict[str, Source]:
    """The bundled data rows the components' parameters cite, by ``file|row_id``, where the
    row still cites what the report stored (the page then shows its citation in the page's
    language, :meth:`~nearzero.enterprise.model.Source.cite_in`); a row since changed or
    gone is left out and the stored citation shows as it is."""
    out: dict[str, Source] = {}
    for c in components:
        for shown in (c.reported, c.verified):
            for p in (shown or {}).get("parameters", []):
                cited = p.get("source") or {}
                file, row_id = str(cited.get("file") or ""), str(cited.get("row_id") or "")
                name = file.removeprefix("data/enterprise/")
                if name not in CSV_FILES or not row_id:
                    continue
                for row in load_csv(name):
                    now = row.source()
                    same = (now.document, now.table) == (cited.get("document"), cited.get("table"))
                    if row.row_id == row_id and same:
                        out[f"{file}|{row_id}"] = now
    return out


def report_page(session: Session, actor: Actor, unit: m.DemoUnit, report_id: int) -> ReportPage:
    row = open_report(session, actor, unit, report_id)
    reported = {c["key"]: c for c in row.result["components"]}
    verified = {c["key"]: c for c in (row.verified_result or {}).get("components", [])}
    keys = list(dict.fromkeys([*reported, *verified]))
    components = [
        ComponentLine(
            k,
            (reported.get(k) or verified[k])["kind"],
            reported.get(k),
            verified.get(k) if row.verified_result else None,
        )
        for k in keys
    ]
    vt = (row.verified_result or {}).get("totals")
    totals = [
        (kind, float(row.result["totals"][kind]), float(vt[kind]) if vt else None)
        for kind in TOTAL_KINDS
    ]
    difference = pct = None
    if row.verified_tco2 is not None:
        outcome = wf.VerificationOutcome(row.reported_tco2, row.verified_tco2)
        difference, pct = outcome.difference, outcome.difference_pct
    verifiers = store.verifier_usernames(session) if actor.role is Role.ADMIN else []
    return ReportPage(
        unit=unit,
        year=row.year,
        report=row,
        firm_label=label(row.enterprise),
        state=wf.State(row.state),
        components=components,
        totals=totals,
        difference=difference,
        difference_pct=pct,
        steps=[s.value for s in allowed_steps(actor, row)],
        evidence=store.evidence_of(session, row.enterprise_id, row.year),
        verifiers=verifiers,
        may_attach=actor.role is not Role.VIEWER and row.state != wf.State.CONFIRMED.value,
        history=audit.entries(session, ENTITY, _key(row), 50, unit.code),
        verifier_name=_person(session, row.verifier),
        sources=cited_sources(components),
    )


def _person(session: Session, username: str | None) -> str:
    """A person's display name for the page (the account name if the account is gone)."""
    if not username:
        return ""
    user = user_store.any_user(session, username)
    return user.display_name if user else username


def template(session: Session, actor: Actor, unit: m.DemoUnit, firm_key: str, year: int) -> bytes:
    """The Excel template of a firm and year, prefilled with its stored report if any."""
    require_reader(actor)
    firm = get_enterprise(session, unit, firm_key)
    row = store.report_of_year(session, firm.id, year)
    return workbook.write_template(firm.key, firm.name_zh, year, row.input if row else None)
