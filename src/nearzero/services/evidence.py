"""Evidence files attached to an indicator's value (issue #12 item 7).

A department attaches a file (PDF, image, Word, Excel; at most
:data:`~nearzero.services.projects.MAX_EVIDENCE_BYTES`) to the value of one of its indicators
for a year. The file is checked the way a key project's evidence is (its extension, and bytes
that start as that type does), kept in the evidence folder by its SHA-256 (the same folder and
naming as the projects' evidence, so the dossier can gather both), and recorded in
``value_evidence`` with who uploaded it; the attachment lands in the audit log. Anyone who may
read the unit's indicators may download it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy.orm import Session

from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied
from nearzero.services.files import store_file
from nearzero.services.indicators import catalogue, may_edit
from nearzero.services.projects import (
    DEFAULT_EVIDENCE_DIR,
    EVIDENCE_TYPES,
    MAX_EVIDENCE_BYTES,
    EvidenceUpload,
    check_evidence,
)
from nearzero.store import evidence as store, tables as m
from nearzero.store.tables.evidence import ValueEvidence

__all__ = [
    "DEFAULT_EVIDENCE_DIR",
    "EVIDENCE_TYPES",
    "MAX_EVIDENCE_BYTES",
    "EvidenceUpload",
    "attach",
    "evidence_file",
    "evidence_of",
]


@dataclass(frozen=True)
class EvidenceLine:
    """An attached file as a page lists it."""

    id: int
    code: str
    part: str
    year: int
    filename: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime


def attach(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    code: str,
    part: str,
    year: int,
    upload: EvidenceUpload,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
) -> ValueEvidence:
    """Attach ``upload`` to the value of indicator ``code`` (part ``part``) for ``year``.

    Only the office or the indicator's department may; the file must be of an allowed type
    and size (:func:`~nearzero.services.projects.check_evidence`, naming the field
    ``evidence``). Raises :class:`InvalidInput`, :class:`PermissionDenied` or :class:`NotFound`.
    """
    views = catalogue(session, unit, code)
    row = views[0].row
    if not may_edit(actor, row):
        owners = "、".join(d.name_zh for d in row.departments) or "办公室"
        raise PermissionDenied(
            f"{actor.username} 无权为指标{code}上传佐证材料（由{owners}负责） — "
            f"{actor.username} may not attach evidence to indicator {code}"
        )
    parts = {p.code for p in row.parts}
    if part and part not in parts:
        raise InvalidInput(
            f"part: 指标{code}没有分项“{part}” — indicator {code} has no part {part!r}"
        )
    lo, hi = unit.base_year - 30, unit.target_year + 10
    if not lo <= year <= hi:
        raise InvalidInput(f"year: 年份应在{lo}至{hi}之间 — expected a year from {lo} to {hi}")
    content_type = check_evidence(upload)
    digest = hashlib.sha256(upload.content).hexdigest()
    store_file(evidence_dir, digest, upload.content)
    name = PurePath(upload.filename.replace("\\", "/")).name
    record = store.add(
        session,
        ValueEvidence(
            indicator_id=row.id,
            part_code=part,
            year=year,
            filename=name[:255],
            content_type=content_type,
            size=len(upload.content),
            sha256=digest,
            uploaded_by=actor.username,
        ),
    )
    new = {"filename": record.filename, "sha256": digest, "size": record.size}
    key = f"{code}/{part}/{year}"
    audit.record(session, actor, "evidence.attach", "indicator", key, None, new, unit.code)
    return record


def evidence_of(session: Session, unit: m.DemoUnit, year: int | None = None) -> list[EvidenceLine]:
    """The files attached to ``unit``'s values (of ``year``), newest first."""
    codes = {v.row.id: v.row.code for v in catalogue(session, unit)}
    return [
        EvidenceLine(
            r.id,
            codes.get(r.indicator_id, "?"),
            r.part_code,
            r.year,
            r.filename,
            r.size,
            r.sha256,
            r.uploaded_by,
            r.uploaded_at,
        )
        for r in store.of_unit(session, unit.id, year)
    ]


def evidence_file(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    evidence_id: int,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
) -> tuple[ValueEvidence, Path]:
    """An attached file of ``unit`` and the path of its content; who read it is recorded in
    the audit log (``evidence.download``)."""
    row = store.get(session, unit.id, evidence_id)
    if row is None:
        raise NotFound(f"单位“{unit.code}”没有佐证材料{evidence_id} — no evidence {evidence_id}")
    path = evidence_dir / row.sha256
    if not path.is_file():
        raise NotFound(
            f"佐证材料{evidence_id}的文件缺失 — the content of evidence {evidence_id} is missing"
        )
    seen = {"year": row.year, "filename": row.filename, "sha256": row.sha256}
    key = str(row.id)
    audit.record(session, actor, "evidence.download", "value_evidence", key, None, seen, unit.code)
    return row, path
