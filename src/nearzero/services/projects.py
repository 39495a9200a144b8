"""Key-project use cases: the board, a project's page, progress reports with evidence files,
the bundled figures, and the scenario to 2025/2030.

Evidence files are stored by content as ``<evidence dir>/<sha256>``; the directory is a
parameter (default ``var/evidence`` relative to the working directory). A file is validated
(size, extension and magic bytes) before anything is written, and written only after the
database rows are flushed; if the transaction then rolls back, a file this call created is
removed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

import yaml
from sqlalchemy.orm import Session

from nearzero.accounting.factors import default_library
from nearzero.formatting import china_today
from nearzero.indicators.evaluation import IndicatorSpec
from nearzero.projects.choices import (
    FIGURE_ENTRY_LABELS,
    FIGURE_LABELS,
    KIND_LABELS,
    REPORTABLE,
    UNIT_LABELS,
    USE_LABELS,
    Stage,
    amount_text,
)
from nearzero.projects.parameters import (
    DEFAULT_GRID_REGION,
    Label,
    MissingParameter,
    Parameter,
    ReductionError,
    default_factor_labels,
    default_parameters,
    grid_factor,
    grid_years,
)
from nearzero.projects.progress import (
    DUE_SOON_DAYS,
    GroupProgress,
    ProjectStatus,
    Update,
    progress_by,
    project_status,
)
from nearzero.projects.reduction import (
    CCU_USES,
    FIGURE_UNITS,
    KINDS,
    Reduction,
    check_figures,
    expected_reduction,
)
from nearzero.projects.scenario import Contribution, Scenario, ScenarioError, build_scenario
from nearzero.reports.model import Block
from nearzero.reports.sections import projects as section
from nearzero.services import audit
from nearzero.services.context import Actor, InvalidInput, NotFound, PermissionDenied
from nearzero.services.files import store_file
from nearzero.services.indicators import catalogue, evaluation_year
from nearzero.store import projects as store, tables as m
from nearzero.units import UnitError, convert, parse_unit

DEFAULT_EVIDENCE_DIR = Path("var/evidence")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

#: Allowed evidence types: extension → (content type, magic bytes at the start of the file).
EVIDENCE_TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}
#: The part an Office Open XML package of each kind must contain.
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


# --------------------------------------------------------------------------- reading


@lru_cache(maxsize=1)
def _parameters() -> dict[str, Parameter]:
    return default_parameters()


@lru_cache(maxsize=1)
def _labels() -> dict[str, Label]:
    return default_factor_labels()


@dataclass(frozen=True)
class GridChoice:
    """Which grid factor the expected reductions use: a region and a year (default newest)."""

    region: str = DEFAULT_GRID_REGION
    year: int | None = None

    def factor(self) -> Parameter:
        try:
            return grid_factor(default_library(), self.region, self.year, _labels())
        except ReductionError as exc:
            raise InvalidInput(f"grid: {exc}") from None

    def years(self) -> list[int]:
        return grid_years(default_library(), self.region)


def grid_regions() -> list[str]:
    """The regions with a grid factor in the factor library."""
    return default_library().subjects("grid_ef")


@dataclass(frozen=True)
class MissingInput:
    """An input a reduction lacks, as a page names it: the project's figure that would supply
    it and, when it is a row of the parameter table, that row's name (empty for a figure with
    no default, ``figures.<name>``)."""

    parameter: str  # the row's id or ``figures.<name>`` (for data attributes, not shown)
    figure: str
    figure_zh: str
    figure_en: str
    parameter_zh: str = ""
    parameter_en: str = ""

    def figure_name(self, lang: str = "zh") -> str:
        return self.figure_en if lang == "en" else self.figure_zh

    def parameter_name(self, lang: str = "zh") -> str:
        return self.parameter_en if lang == "en" else self.parameter_zh


def missing_input(parameter: str, figure: str) -> MissingInput:
    """``parameter`` (a parameter-table row or ``figures.<name>``) and ``figure`` by name."""
    zh, en = FIGURE_LABELS.get(figure, (figure, figure))
    row = _parameters().get(parameter)
    if row is not None:
        return MissingInput(parameter, figure, zh, en, row.name("zh"), row.name("en"))
    return MissingInput(parameter, figure, zh, en)


def figure_entries(figures: Mapping[str, Any] | None, lang: str = "zh") -> list[tuple[str, str]]:
    """A project's figures as (label, value) in ``lang``: 类型 光伏发电, 装机容量 20 MW,
    来源 …; a number with its figure's unit, a text as typed (``5500 亩``)."""
    out = []
    for key, raw in (figures or {}).items():
        if key in FIGURE_LABELS:
            zh, en = FIGURE_LABELS[key]
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                value = amount_text(float(raw), FIGURE_UNITS.get(key, ""), lang)
            else:
                value = str(raw)
        else:
            zh, en = FIGURE_ENTRY_LABELS.get(key, (key, key))
            choices = {"kind": KIND_LABELS, "use": USE_LABELS}.get(key, {})
            if str(raw) in choices:
                value = choices[str(raw)][1 if lang == "en" else 0]
            else:
                value = str(raw)
        out.append((en if lang == "en" else zh, value))
    return out


def unit_shown(unit: str, lang: str = "zh") -> str:
    """A figure's unit as the form shows it beside the field (``公顷`` for ``hectare``; the
    word for a fraction where the unit is ``dimensionless``)."""
    if unit == "dimensionless":
        return "fraction" if lang == "en" else "比例"
    zh, en = UNIT_LABELS.get(unit, (unit, unit))
    return en if lang == "en" else zh


@dataclass
class ProjectView:
    """A project with its computed status and expected reduction.

    ``missing`` lists what keeps the reduction from being computed (or counted), as
    (parameter, figure) pairs: a row of the parameter table or ``figures.<name>``, and the
    project's own figure that would supply it.
    """

    row: m.KeyProject
    status: ProjectStatus
    reduction: Reduction | None
    reduction_error: str | None
    progress: list[m.ProjectProgress] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)

    @property
    def missing_inputs(self) -> list[MissingInput]:
        """What is missing, by name (the pages show these; ``missing`` holds the ids)."""
        return [missing_input(parameter, figure) for parameter, figure in self.missing]

    def figure_entries(self, lang: str = "zh") -> list[tuple[str, str]]:
        """The project's figures as (label, value) in ``lang``."""
        return figure_entries(self.row.figures, lang)

    @property
    def number(self) -> int:
        return self.row.number

    @property
    def reduction_t(self) -> float | None:
        """The expected annual reduction [t CO2/a] when it is computed, else None."""
        return self.reduction.reduction_t if self.reduction else None

    def missing_text(self, lang: str = "zh") -> str:
        """What is missing, plainly: the figure's name and the parameter row, e.g.
        ``年利用小时数（gas_chp_full_load_hours）``; empty when nothing is."""
        names = []
        for parameter, figure in self.missing:
            zh, en = FIGURE_LABELS.get(figure, (figure, figure))
            names.append(f"{en if lang == 'en' else zh}（{parameter}）")
        return ("; " if lang == "en" else "、").join(names)


def _projects(session: Session, unit: m.DemoUnit, number: int | None = None) -> list[m.KeyProject]:
    rows = store.key_projects(session, unit.id, number)
    if number is not None and not rows:
        raise NotFound(
            f"project: 单位“{unit.code}”没有第{number}项重点工程 — "
            f"unit {unit.code!r} has no key project {number}"
        )
    return rows


def _progress(session: Session, ids: Iterable[int]) -> dict[int, list[m.ProjectProgress]]:
    return store.progress_by_project(session, ids)


def _view(
    row: m.KeyProject,
    progress: list[m.ProjectProgress],
    as_of: dt.date,
    grid: Parameter,
    soon_days: int,
) -> ProjectView:
    updates = [Update(p.reported_on, Stage(p.stage), p.percent) for p in progress]
    status = project_status(row.due_date, updates, as_of, soon_days)
    missing: list[tuple[str, str]] = []
    reduction: Reduction | None = None
    error: str | None = None
    try:
        reduction = expected_reduction(
            row.figures, _parameters(), default_library(), grid, _labels()
        )
        missing = list(reduction.missing)
    except MissingParameter as exc:
        error = str(exc)
        missing = [(part.parameter, part.figure) for part in exc.every]
    except ReductionError as exc:
        error = str(exc)
    return ProjectView(row, status, reduction, error, progress, missing)


def views(
    session: Session,
    unit: m.DemoUnit,
    as_of: dt.date | None = None,
    grid: GridChoice | None = None,
    soon_days: int = DUE_SOON_DAYS,
) -> list[ProjectView]:
    """Every key project of ``unit`` with its status on ``as_of`` (default today)."""
    rows = _projects(session, unit)
    progress = _progress(session, (r.id for r in rows))
    factor = (grid or GridChoice()).factor()
    day = as_of or dt.date.today()
    return [_view(r, progress[r.id], day, factor, soon_days) for r in rows]


def statuses(
    session: Session,
    unit: m.DemoUnit,
    as_of: dt.date | None = None,
    soon_days: int = DUE_SOON_DAYS,
) -> list[ProjectStatus]:
    """Every key project's status on ``as_of`` (default today), in plan order: what the
    overview counts, without the rows' relations or the expected reductions of
    :func:`views`."""
    due = store.due_dates(session, unit.id)
    progress = _progress(session, due)
    day = as_of or dt.date.today()
    return [
        project_status(
            due_date,
            [Update(p.reported_on, Stage(p.stage), p.percent) for p in progress[project_id]],
            day,
            soon_days,
        )
        for project_id, due_date in due.items()
    ]


@dataclass
class Board:
    """The projects board: the projects shown, the alerts, progress per category/department."""

    projects: list[ProjectView]
    late: list[ProjectView]
    due_soon: list[ProjectView]
    by_category: list[GroupProgress]
    by_department: list[GroupProgress]
    as_of: dt.date


def board(
    session: Session,
    unit: m.DemoUnit,
    as_of: dt.date | None = None,
    department: str | None = None,
    stage: str | None = None,
    grid: GridChoice | None = None,
    soon_days: int = DUE_SOON_DAYS,
) -> Board:
    """The board of ``unit``, filtered by department code and stage.

    The alerts (late, due soon) and the progress summaries cover the projects of the
    department filter, whatever stage is chosen.
    """
    _check_stage(stage)
    return _board(views(session, unit, as_of, grid, soon_days), as_of, department, stage)


def _check_stage(stage: str | None) -> None:
    if stage and stage not in {s.value for s in Stage}:
        raise InvalidInput(
            f"stage: 阶段应为{'、'.join(Stage)}之一，而不是“{stage}” — "
            f"expected one of {', '.join(Stage)}, got {stage!r}"
        )


def _board(
    everything: list[ProjectView], as_of: dt.date | None, department: str | None, stage: str | None
) -> Board:
    scoped = [
        v for v in everything if not department or department in {d.code for d in v.row.departments}
    ]
    return Board(
        projects=[v for v in scoped if not stage or v.status.stage.value == stage],
        late=[v for v in scoped if v.status.late],
        due_soon=sorted(
            (v for v in scoped if v.status.due_soon), key=lambda v: v.status.days_to_due
        ),
        by_category=progress_by((v.row.category.code, v.status) for v in scoped),
        by_department=progress_by((d.code, v.status) for v in scoped for d in v.row.departments),
        as_of=as_of or dt.date.today(),
    )


def project(
    session: Session,
    unit: m.DemoUnit,
    number: int,
    as_of: dt.date | None = None,
    grid: GridChoice | None = None,
) -> ProjectView:
    """One key project with its status, expected reduction and progress updates."""
    (row,) = _projects(session, unit, number)
    factor = (grid or GridChoice()).factor()
    return _view(
        row, _progress(session, [row.id])[row.id], as_of or dt.date.today(), factor, DUE_SOON_DAYS
    )


def evidence_of(session: Session, row: m.KeyProject) -> list[m.ProjectEvidence]:
    """The evidence files of ``row`` in upload order."""
    return store.evidence_of(session, row.id)


def milestones_of(session: Session, row: m.KeyProject) -> list[m.ProjectMilestone]:
    """The milestones of ``row`` by due date."""
    return store.milestones_of(session, row.id)


def evidence_file(
    session: Session,
    unit: m.DemoUnit,
    number: int,
    evidence_id: int,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
) -> tuple[m.ProjectEvidence, Path]:
    """An evidence row of project ``number`` and the path of its stored content."""
    (row,) = _projects(session, unit, number)
    evidence = store.evidence(session, evidence_id)
    if evidence is None or evidence.project_id != row.id:
        raise NotFound(
            f"evidence: 重点工程{number}没有编号为{evidence_id}的佐证材料 — "
            f"project {number} has no evidence {evidence_id}"
        )
    path = evidence_dir / evidence.sha256
    if not path.is_file():
        raise NotFound(
            f"evidence: 佐证材料{evidence_id}的文件已不在存储目录中 — "
            f"the content of evidence {evidence_id} is missing from {evidence_dir}"
        )
    return evidence, path


# --------------------------------------------------------------------------- writing


def may_report(actor: Actor, row: m.KeyProject) -> bool:
    """The office (admin) or an editor of one of the project's departments (of its unit)."""
    return actor.acts_for(row.departments)


@dataclass(frozen=True)
class ProgressInput:
    """A progress update as a person enters it."""

    reported_on: dt.date
    stage: str
    percent: int = 0
    note: str = ""


@dataclass(frozen=True)
class EvidenceUpload:
    """An uploaded evidence file: the name the person gave it and its bytes."""

    filename: str
    content: bytes


def check_evidence(upload: EvidenceUpload, max_bytes: int = MAX_EVIDENCE_BYTES) -> str:
    """Validate an evidence file; returns its content type.

    The extension must be one of :data:`EVIDENCE_TYPES` and the bytes must start as that type
    does (a .docx/.xlsx must be a zip holding the Word/Excel part). Raises
    :class:`InvalidInput` naming the field ``evidence``.
    """
    name = PurePath(upload.filename.replace("\\", "/")).name
    size = len(upload.content)
    if not name:
        raise InvalidInput("evidence: 文件没有名称 — the file has no name")
    if size == 0:
        raise InvalidInput(f"evidence: 文件“{name}”为空 — the file {name} is empty")
    if size > max_bytes:
        raise InvalidInput(
            f"evidence: 文件“{name}”为{size / 1024 / 1024:.1f} MB，"
            f"超过{max_bytes / 1024 / 1024:g} MB的上限 — "
            f"the file {name} is {size / 1024 / 1024:.1f} MB; "
            f"the limit is {max_bytes / 1024 / 1024:g} MB"
        )
    ext = PurePath(name).suffix.lower()
    if ext not in EVIDENCE_TYPES:
        allowed = sorted({e.lstrip(".") for e in EVIDENCE_TYPES})
        raise InvalidInput(
            f"evidence: 文件“{name}”的类型{ext or '（无）'}不允许，应为{'、'.join(allowed)}之一 — "
            f"the file {name}: type {ext or '(none)'} is not allowed; "
            f"expected one of {', '.join(allowed)}"
        )
    content_type, magic = EVIDENCE_TYPES[ext]
    if not upload.content.startswith(magic) or not _ooxml_ok(ext, upload.content):
        raise InvalidInput(
            f"evidence: 文件“{name}”的内容不是{ext.lstrip('.')}文件 — "
            f"the file {name}: the content is not a {ext.lstrip('.')} file"
        )
    return content_type


def _ooxml_ok(ext: str, content: bytes) -> bool:
    part = _OOXML_PART.get(ext)
    if part is None:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return part in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _check_progress(row: m.KeyProject, entry: ProgressInput, today: dt.date) -> Stage:
    errors = []
    if entry.stage not in {s.value for s in REPORTABLE}:
        stages = [s.value for s in REPORTABLE]
        errors.append(
            f"stage: 阶段应为{'、'.join(stages)}之一，而不是“{entry.stage}” — "
            f"expected one of {', '.join(stages)}, got {entry.stage!r}"
        )
    if not 0 <= entry.percent <= 100:
        errors.append(
            f"percent: 应为0至100的整数，而不是{entry.percent} — "
            f"expected a whole number from 0 to 100, got {entry.percent}"
        )
    if row.start_date is not None and entry.reported_on < row.start_date:
        errors.append(
            f"reported_on: 填报日期{entry.reported_on}早于工程开工日期{row.start_date} — "
            f"{entry.reported_on} is before the project's start date {row.start_date}"
        )
    if entry.reported_on > today:
        errors.append(
            f"reported_on: 填报日期{entry.reported_on}晚于今天（{today}） — "
            f"{entry.reported_on} is in the future (today is {today})"
        )
    if errors:
        raise InvalidInput("；".join(errors), errors)
    return Stage(entry.stage)


def report_progress(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    number: int,
    entry: ProgressInput,
    evidence: EvidenceUpload | None = None,
    evidence_dir: Path = DEFAULT_EVIDENCE_DIR,
    today: dt.date | None = None,
) -> m.ProjectProgress:
    """Record a progress update of project ``number``, with an optional evidence file.

    Only the office or an editor of one of the project's departments may report. Bad input
    raises :class:`InvalidInput` naming the field before anything is stored.
    """
    (row,) = _projects(session, unit, number)
    if not may_report(actor, row):
        owners = "、".join(d.name_zh for d in row.departments)
        raise PermissionDenied(
            f"{actor.username}无权填报重点工程{number}的进展（由{owners}负责） — "
            f"{actor.username} may not report on project {number}: it belongs to {owners}"
        )
    stage = _check_progress(row, entry, today or dt.date.today())
    content_type = check_evidence(evidence) if evidence is not None else None
    progress = m.ProjectProgress(
        project_id=row.id,
        reported_on=entry.reported_on,
        stage=stage.value,
        percent=100 if stage is Stage.DONE else entry.percent,
        note=entry.note.strip(),
        reported_by=actor.username,
    )
    session.add(progress)
    session.flush()
    key = f"{number}/progress/{progress.id}"
    new: dict[str, Any] = {
        "reported_on": entry.reported_on.isoformat(),
        "stage": progress.stage,
        "percent": progress.percent,
        "note": progress.note,
    }
    if evidence is not None and content_type is not None:
        sha = hashlib.sha256(evidence.content).hexdigest()
        row_evidence = m.ProjectEvidence(
            project_id=row.id,
            progress_id=progress.id,
            filename=PurePath(evidence.filename.replace("\\", "/")).name[:255],
            content_type=content_type,
            size=len(evidence.content),
            sha256=sha,
            uploaded_by=actor.username,
        )
        session.add(row_evidence)
        session.flush()
        path, created = store_file(evidence_dir, sha, evidence.content)
        if created:
            store.remove_on_rollback(session, path)
        new["evidence"] = {"filename": row_evidence.filename, "sha256": sha}
    audit.record(session, actor, "progress.report", "key_project", key, None, new, unit.code)
    return progress


def add_milestone(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    number: int,
    title: str,
    due_date: dt.date,
    done_on: dt.date | None = None,
    today: dt.date | None = None,
) -> m.ProjectMilestone:
    """Add a milestone to project ``number`` (same permission as a progress report)."""
    (row,) = _projects(session, unit, number)
    if not may_report(actor, row):
        raise PermissionDenied(
            f"{actor.username}无权为重点工程{number}安排节点 — "
            f"{actor.username} may not plan project {number}"
        )
    if not title.strip():
        raise InvalidInput("title: 请填写节点名称 — a milestone needs a title")
    if done_on is not None:
        _check_done_on(row, done_on, today or dt.date.today())
    milestone = m.ProjectMilestone(
        project_id=row.id,
        title_zh=title.strip(),
        due_date=due_date,
        done_on=done_on,
        position=len(milestones_of(session, row)),
    )
    session.add(milestone)
    session.flush()
    new = {
        "title": milestone.title_zh,
        "due_date": due_date.isoformat(),
        "done_on": done_on.isoformat() if done_on else None,
    }
    key = f"{number}/milestone/{milestone.id}"
    audit.record(session, actor, "milestone.add", "key_project", key, None, new, unit.code)
    return milestone


def _check_done_on(row: m.KeyProject, done_on: dt.date, today: dt.date) -> None:
    errors = []
    if row.start_date is not None and done_on < row.start_date:
        errors.append(
            f"done_on: 完成日期{done_on}早于工程开工日期{row.start_date} — "
            f"{done_on} is before the project's start date {row.start_date}"
        )
    if done_on > today:
        errors.append(
            f"done_on: 完成日期{done_on}晚于今天（{today}） — "
            f"{done_on} is in the future (today is {today})"
        )
    if errors:
        raise InvalidInput("；".join(errors), errors)


def mark_milestone_done(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    number: int,
    milestone_id: int,
    done_on: dt.date,
    today: dt.date | None = None,
) -> m.ProjectMilestone:
    """Mark milestone ``milestone_id`` of project ``number`` done on ``done_on``.

    Same permission as a progress report. The date may not be before the project's start date
    nor in the future; a milestone already done gets the new date (the audit log keeps the old).
    """
    (row,) = _projects(session, unit, number)
    milestone = store.milestone(session, milestone_id)
    if milestone is None or milestone.project_id != row.id:
        raise NotFound(
            f"milestone: 重点工程{number}没有编号为{milestone_id}的节点 — "
            f"project {number} has no milestone {milestone_id}"
        )
    if not may_report(actor, row):
        owners = "、".join(d.name_zh for d in row.departments)
        raise PermissionDenied(
            f"{actor.username}无权填报重点工程{number}的进展（由{owners}负责） — "
            f"{actor.username} may not report on project {number}: it belongs to {owners}"
        )
    _check_done_on(row, done_on, today or dt.date.today())
    old = {"done_on": iso(milestone.done_on)}
    milestone.done_on = done_on
    session.flush()
    key = f"{number}/milestone/{milestone.id}"
    new = {"title": milestone.title_zh, "done_on": done_on.isoformat()}
    audit.record(session, actor, "milestone.done", "key_project", key, old, new, unit.code)
    return milestone


def set_figures(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    number: int,
    figures: Mapping[str, Any] | None,
    start_date: dt.date | None = None,
) -> m.KeyProject:
    """Set a project's figures (for its expected reduction) and start date.

    The office, or an editor of one of the project's departments. Bad figures raise
    :class:`InvalidInput` listing every field at fault, and nothing is changed.
    """
    (row,) = _projects(session, unit, number)
    if not may_report(actor, row):
        owners = "、".join(d.name_zh for d in row.departments)
        raise PermissionDenied(
            f"{actor.username}无权设定重点工程{number}的参数（由{owners}负责） — "
            f"{actor.username} may not set the figures of project {number}: it belongs to {owners}"
        )
    problems: list[str] = []
    if figures is not None:
        problems += check_figures(figures)
    if start_date is not None and start_date > row.due_date:
        problems.append(
            f"start_date: 开工日期{start_date}晚于完成期限{row.due_date} — "
            f"{start_date} is after the due date {row.due_date}"
        )
    if problems:
        raise InvalidInput("；".join(problems), problems)
    old = {"figures": row.figures, "start_date": iso(row.start_date)}
    row.figures = dict(figures) if figures is not None else None
    row.start_date = start_date
    new = {"figures": row.figures, "start_date": iso(start_date)}
    key = f"{number}/figures"
    audit.record(session, actor, "figures.set", "key_project", key, old, new, unit.code)
    return row


@dataclass(frozen=True)
class FiguresInput:
    """A project's figures as a person enters them in the figures form.

    ``values`` maps a figure name (:data:`~nearzero.projects.reduction.FIGURE_UNITS`) to the
    text of its number and of its unit, e.g. ``{"capacity": ("10080", "kW")}``; a figure left
    empty is not set. ``kind`` empty means the project has no method of reduction.
    """

    kind: str
    use: str = ""
    values: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    source: str = ""
    note: str = ""
    start_date: str = ""


def figures_from_input(entry: FiguresInput) -> tuple[dict[str, Any] | None, dt.date | None]:
    """The figures mapping and start date of a form entry (pure).

    Each number must parse and each unit must convert to the figure's unit (via
    :mod:`nearzero.units`); a figure in its own unit is kept as a number, one in another unit
    as the text "value unit" the person entered (e.g. "5500 亩"), so the record shows what was
    typed. Raises :class:`InvalidInput` listing every field at fault, each named.
    """
    errors: list[str] = []
    start: dt.date | None = None
    if entry.start_date.strip():
        try:
            start = dt.date.fromisoformat(entry.start_date.strip())
        except ValueError:
            errors.append(
                f"start_date: 应为日期（如2024-06-30），而不是“{entry.start_date}” — "
                f"expected a date like 2024-06-30, got {entry.start_date!r}"
            )
    kind = entry.kind.strip()
    if not kind:
        unexpected = [name for name, (number, _) in entry.values.items() if number.strip()]
        errors += [
            f"{name}: 填写参数前请先选择减排核算方法（kind） — "
            "figures need a method of reduction (kind)"
            for name in unexpected
        ]
        if errors:
            raise InvalidInput("；".join(errors), errors)
        return None, start
    if kind not in KINDS:
        errors.append(
            f"kind: 核算方法应为{'、'.join(KINDS)}之一，而不是“{kind}” — "
            f"expected one of {', '.join(KINDS)}, got {kind!r}"
        )
    figures: dict[str, Any] = {"kind": kind}
    if kind == "ccu":
        if entry.use not in CCU_USES:
            errors.append(
                f"use: 用途应为{'、'.join(CCU_USES)}之一，而不是“{entry.use}” — "
                f"expected one of {', '.join(CCU_USES)}, got {entry.use!r}"
            )
        figures["use"] = entry.use
    for name, (number_text, unit_text) in entry.values.items():
        if name not in FIGURE_UNITS:
            errors.append(f"{name}: 没有这项参数 — unknown figure")
            continue
        if not number_text.strip():
            continue
        label = f"{name}（{FIGURE_LABELS[name][0]}）"
        canonical = FIGURE_UNITS[name]
        unit = unit_text.strip() or canonical
        try:
            number = float(number_text.strip().replace(",", ""))
        except ValueError:
            errors.append(
                f"{label}: 应为数字，而不是“{number_text}” — expected a number, got {number_text!r}"
            )
            continue
        if number != number or number in (float("inf"), float("-inf")):
            errors.append(
                f"{label}: 应为有限数值，而不是“{number_text}” — "
                f"expected a finite number, got {number_text!r}"
            )
            continue
        try:
            convert(number, unit, canonical)
        except UnitError:
            try:
                parse_unit(unit)
                errors.append(
                    f"{label}: 单位“{unit}”不能换算为{canonical} — "
                    f"unit {unit!r} does not convert to {canonical}"
                )
            except UnitError:
                errors.append(f"{label}: 无法识别单位“{unit}” — unknown unit {unit!r}")
            continue
        if " " in unit:
            errors.append(
                f"{label}: 单位中不要有空格，如{canonical} — "
                f"write the unit without spaces, e.g. {canonical}"
            )
            continue
        figures[name] = number if unit == canonical else f"{number:g} {unit}"
    for key, text in (("source", entry.source), ("note", entry.note)):
        if text.strip():
            figures[key] = text.strip()[:500]
    if not errors:
        errors += [_named(problem) for problem in check_figures(figures)]
    if errors:
        raise InvalidInput("；".join(errors), errors)
    return figures, start


def _named(problem: str) -> str:
    """A check_figures problem ("figures.capacity: …") with the figure's Chinese name."""
    head, sep, rest = problem.partition(": ")
    name = head.removeprefix("figures.")
    if sep and name in FIGURE_LABELS:
        return f"{name}（{FIGURE_LABELS[name][0]}）: {rest}"
    return problem


def update_figures(
    session: Session, actor: Actor, unit: m.DemoUnit, number: int, entry: FiguresInput
) -> m.KeyProject:
    """Set project ``number``'s figures and start date from the figures form (audited)."""
    (row,) = _projects(session, unit, number)
    if not may_report(actor, row):  # before reading the input, so a refusal says so plainly
        owners = "、".join(d.name_zh for d in row.departments)
        raise PermissionDenied(
            f"{actor.username}无权设定重点工程{number}的参数（由{owners}负责） — "
            f"{actor.username} may not set the figures of project {number}: it belongs to {owners}"
        )
    figures, start = figures_from_input(entry)
    return set_figures(session, actor, unit, number, figures, start)


def figure_form_values(row: m.KeyProject) -> dict[str, tuple[str, str]]:
    """The figures of ``row`` as the form shows them: name → (number text, unit text)."""
    out: dict[str, tuple[str, str]] = {}
    for name, canonical in FIGURE_UNITS.items():
        raw = (row.figures or {}).get(name)
        if raw is None or raw == "":
            out[name] = ("", canonical)
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            out[name] = (f"{raw:g}", canonical)
        else:
            number, _, text_unit = str(raw).strip().partition(" ")
            out[name] = (number, text_unit.strip() or canonical)
    return out


KIND_CHOICES = KIND_LABELS


def iso(day: dt.date | None) -> str | None:
    """``day`` as YYYY-MM-DD, or None."""
    return day.isoformat() if day else None


def bundled_figures_path(code: str) -> Path | None:
    """``nearzero/data/projects/<code>.yaml`` when nearzero ships figures for unit ``code``."""
    path = Path(str(resources.files("nearzero.data") / "projects" / f"{code}.yaml"))
    return path if path.is_file() else None


def load_figures(session: Session, actor: Actor, unit: m.DemoUnit, path: Path) -> int:
    """Set the figures (and start dates) of a figures file; returns how many projects it set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("projects"), dict):
        raise InvalidInput(f"{path}: expected a mapping with 'projects: {{number: figures}}'")
    source = str(data.get("source", ""))
    count = 0
    for number, entry in data["projects"].items():
        if not isinstance(entry, dict):
            raise InvalidInput(f"{path}: projects.{number}: expected a mapping")
        figures = {k: v for k, v in entry.items() if k != "start_date"}
        if source and figures:
            figures.setdefault("source", source)
        start = entry.get("start_date")
        if start is not None and not isinstance(start, dt.date):
            raise InvalidInput(f"{path}: projects.{number}.start_date: expected a date")
        try:
            set_figures(session, actor, unit, int(number), figures or None, start)
        except InvalidInput as exc:  # the file and the project, then what is wrong
            raise InvalidInput(f"{path}: projects.{number}: {exc}", exc.errors) from None
        count += 1
    return count


def load_bundled_figures(session: Session, actor: Actor, unit: m.DemoUnit) -> int:
    """Load the figures nearzero ships for ``unit`` (0 when there are none)."""
    path = bundled_figures_path(unit.code)
    return load_figures(session, actor, unit, path) if path else 0


LIST_SCHEMA = "nearzero.projects.list/1"


def views_to_dict(unit: m.DemoUnit, items: list[ProjectView], as_of: dt.date) -> dict[str, Any]:
    """The JSON of ``nearzero projects list --json``."""
    return {
        "schema": LIST_SCHEMA,
        "unit": {"code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en},
        "as_of": as_of.isoformat(),
        "projects": [
            {
                "number": v.number,
                "category": v.row.category.code,
                "name_zh": v.row.name_zh,
                "content_zh": v.row.content_zh,
                "due_text": v.row.due_text,
                "due": v.row.due_date.isoformat(),
                "start_date": iso(v.row.start_date),
                "departments": [d.code for d in v.row.departments],
                "stage": v.status.stage.value,
                "percent": v.status.percent,
                "done_on": iso(v.status.done_on),
                "late": v.status.late,
                "due_soon": v.status.due_soon,
                "days_to_due": v.status.days_to_due,
                "figures": v.row.figures,
                "reduction": v.reduction.to_dict() if v.reduction else None,
                "reduction_error": v.reduction_error,
                "missing": [{"parameter": p, "figure": f} for p, f in v.missing],
            }
            for v in items
        ],
    }


# --------------------------------------------------------------------------- scenario


@dataclass
class ScenarioView:
    scenario: Scenario
    target: IndicatorSpec
    """Indicator 3 (CO2 per GDP), whose target the scenario meets or misses."""
    grid: Parameter
    not_quantified: list[ProjectView]


def _series(session: Session, unit: m.DemoUnit, code: str, to_unit: str) -> dict[int, float]:
    (view,) = catalogue(session, unit, code)
    return {y: convert(v, view.row.unit, to_unit) for y, v in view.record.values.items()}


def scenario(
    session: Session,
    unit: m.DemoUnit,
    grid: GridChoice | None = None,
    years: tuple[int, ...] = (2025, 2030),
) -> ScenarioView:
    """BAU vs. with the projects vs. the CO2-per-GDP target (indicators 1 and 3 of the plan)."""
    emissions = _series(session, unit, "1", "吨")
    intensity = _series(session, unit, "3", "吨/万元")
    (ind3,) = catalogue(session, unit, "3")
    target = ind3.spec.rule.resolve(base=intensity.get(unit.base_year), assigned=None)
    targets = {unit.target_year: target.value} if target else {}
    all_views = views(session, unit, grid=grid)
    contributions = [
        Contribution(
            v.number,
            v.row.content_zh,
            (v.status.done_on or v.row.due_date).year,
            v.reduction.reduction_t,
        )
        for v in all_views
        if v.reduction is not None and v.reduction.reduction_t is not None
    ]
    try:
        result = build_scenario(emissions, intensity, contributions, targets, years)
    except ScenarioError as exc:
        raise InvalidInput(str(exc)) from None
    return ScenarioView(
        result,
        ind3.spec,
        (grid or GridChoice()).factor(),
        [v for v in all_views if v.reduction is None or v.reduction.reduction_t is None],
    )


# --------------------------------------------------------------------------- report section


def report_grid(year: int) -> GridChoice:
    """The grid factor of ``year`` for the report (the newest published when ``year`` has
    none yet)."""
    choice = GridChoice(DEFAULT_GRID_REGION, year)
    return choice if year in choice.years() else GridChoice(DEFAULT_GRID_REGION)


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Block] | None:
    """七、重点工程进展 of the annual report (read by :mod:`nearzero.services.report`).

    The progress table as at the end of ``year`` (or today for the current year), then the
    expected annual reductions with the grid factor of the year, and for every project that
    has a method of reduction but no figure yet, which parameter is missing; the prose is
    :func:`nearzero.reports.sections.projects.blocks`.
    """
    as_of = min(dt.date(year, 12, 31), china_today())  # the report's day, in Beijing
    grid = report_grid(year)
    items = views(session, unit, as_of, grid)
    if not items:
        return None
    return section.blocks([report_line(v) for v in items], as_of, grid.factor())


def report_line(view: ProjectView) -> section.ProjectLine:
    """A project as the report's section takes it (plain data)."""
    row, status = view.row, view.status
    return section.ProjectLine(
        number=row.number,
        category_zh=row.category.name_zh,
        name_zh=row.name_zh,
        content_zh=row.content_zh,
        due_text=row.due_text,
        stage=status.stage,
        percent=status.percent,
        reduction_t=view.reduction_t,
        captured_t=view.reduction.captured_t if view.reduction else None,
        missing_zh=view.missing_text() if view.missing else "",
        departments_zh=tuple(d.name_zh for d in row.departments),
    )


# --------------------------------------------------------------------------- pages


def nav_year(session: Session, unit: m.DemoUnit) -> int:
    """The year the pages' navigation links carry: the office's evaluation year."""
    return evaluation_year(session, unit)


# --------------------------------------------------------------------------- to-do


@dataclass(frozen=True)
class MilestoneDue:
    """A milestone not done by ``as_of`` whose due date has passed or comes within the
    due-soon window, with its project."""

    project: m.KeyProject
    milestone: m.ProjectMilestone
    days_to_due: int  # negative: overdue

    @property
    def overdue(self) -> bool:
        return self.days_to_due < 0


def milestones_due(
    session: Session,
    unit: m.DemoUnit,
    as_of: dt.date,
    department: str | None = None,
    soon_days: int = DUE_SOON_DAYS,
) -> list[MilestoneDue]:
    """The milestones of ``unit``'s key projects (those of ``department`` when given) due by
    ``as_of`` + ``soon_days`` and not done, soonest (most overdue) first."""
    out = []
    for row in _projects(session, unit):
        if department and department not in {d.code for d in row.departments}:
            continue
        for ms in milestones_of(session, row):
            days = (ms.due_date - as_of).days
            if ms.done_on is None and days <= soon_days:
                out.append(MilestoneDue(row, ms, days))
    return sorted(out, key=lambda d: (d.days_to_due, d.project.number))


@dataclass(frozen=True)
class BoardPage:
    """The projects board page: the board, the filters as chosen and their choices."""

    unit: m.DemoUnit
    year: int  # for the navigation links
    board: Board
    department: str | None
    stage: str | None
    departments: list[m.Department]  # every department owning a project, in plan order
    categories: dict[str, m.Category]  # the categories of the projects shown, by code
    grid: Parameter
    page: str = "board"


def board_page(
    session: Session,
    unit: m.DemoUnit,
    as_of: dt.date | None = None,
    department: str | None = None,
    stage: str | None = None,
    grid: GridChoice | None = None,
) -> BoardPage:
    """The board of ``unit`` filtered by department code and stage (empty means all)."""
    choice = grid or GridChoice()
    _check_stage(stage or None)
    everything = views(session, unit, as_of, choice)
    shown = _board(everything, as_of, department or None, stage or None)
    departments = {d.code: d for v in everything for d in v.row.departments}
    return BoardPage(
        unit=unit,
        year=nav_year(session, unit),
        board=shown,
        department=department,
        stage=stage,
        departments=sorted(departments.values(), key=lambda d: d.id),
        categories={v.row.category.code: v.row.category for v in shown.projects},
        grid=choice.factor(),
    )


def to_wan(tonnes: float | None) -> float | None:
    """Tonnes as 万吨 (None stays None)."""
    return None if tonnes is None else convert(tonnes, "吨", "万吨")


def scenario_chart(view: ScenarioView) -> dict[str, Any]:
    """Series of the scenario chart [万吨]: recorded, BAU, with the projects, the target
    (the page adds the series' names in its language)."""
    s = view.scenario

    def wan(values: Mapping[int, float]) -> list[float | None]:
        return [
            round(convert(values[y], "吨", "万吨"), 2) if y in values else None for y in s.years
        ]

    allowed = {t.year: t.allowed_t for t in s.targets if t.allowed_t is not None}
    last = s.recorded_years[-1]
    bau = dict(s.bau) | {last: s.emissions[last]}  # the lines start from the last record
    with_projects = dict(s.with_projects) | {last: s.emissions[last]}
    return {
        "years": [str(y) for y in s.years],
        "unit": "万吨",
        "series": {
            "recorded": wan(s.emissions),
            "bau": wan(bau),
            "withProjects": wan(with_projects),
            "target": wan(allowed),
        },
    }


@dataclass(frozen=True)
class ScenarioPage:
    """The scenario page: BAU vs. with the projects vs. the target, and its chart's data."""

    unit: m.DemoUnit
    year: int  # for the navigation links
    sv: ScenarioView
    chart: dict[str, Any]
    page: str = "scenario"
    wan: Callable[[float | None], float | None] = to_wan


def scenario_page(
    session: Session, unit: m.DemoUnit, grid: GridChoice | None = None
) -> ScenarioPage:
    view = scenario(session, unit, grid)
    return ScenarioPage(unit, nav_year(session, unit), view, scenario_chart(view))


def _figure_fields(errors: Iterable[str]) -> set[str]:
    """The form fields the errors name ("capacity（装机容量）: …" names ``capacity``)."""
    return {error.split(":", 1)[0].split("（")[0] for error in errors}


def figures_form(row: m.KeyProject) -> FiguresInput:
    """The figures form filled with what the project holds."""
    figures = row.figures or {}
    return FiguresInput(
        kind=str(figures.get("kind", "")),
        use=str(figures.get("use", "")),
        values=figure_form_values(row),
        source=str(figures.get("source", "")),
        note=str(figures.get("note", "")),
        start_date=iso(row.start_date) or "",
    )


@dataclass(frozen=True)
class ProjectPage:
    """A project's page: status, reduction, timeline, evidence and the forms."""

    unit: m.DemoUnit
    year: int  # for the navigation links
    view: ProjectView
    evidence: list[m.ProjectEvidence]
    evidence_by_progress: dict[int | None, m.ProjectEvidence]
    timeline: list[tuple[str, dt.date, m.ProjectMilestone | m.ProjectProgress]]  # newest first
    may_report: bool
    today: dt.date
    grid: Parameter
    form: FiguresInput  # what the project holds, or what was entered when it was refused
    form_fields: set[str]  # the fields the refusal named
    page: str = "project"
    reportable: tuple[Stage, ...] = tuple(REPORTABLE)
    max_mb: int = MAX_EVIDENCE_BYTES // (1024 * 1024)
    accept: str = ",".join(EVIDENCE_TYPES)
    figure_units: Mapping[str, str] = field(default_factory=lambda: FIGURE_UNITS)
    figure_labels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: FIGURE_LABELS)
    kind_labels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: KIND_LABELS)
    use_labels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: USE_LABELS)
    unit_shown: Callable[[str, str], str] = unit_shown


def project_page(
    session: Session,
    actor: Actor,
    unit: m.DemoUnit,
    number: int,
    grid: GridChoice | None = None,
    entered: FiguresInput | None = None,
    errors: Iterable[str] = (),
) -> ProjectPage:
    """Project ``number``'s page; ``entered`` and ``errors`` refill a refused figures form."""
    choice = grid or GridChoice()
    view = project(session, unit, number, grid=choice)
    evidence = evidence_of(session, view.row)
    timeline: list[tuple[str, dt.date, m.ProjectMilestone | m.ProjectProgress]] = [
        ("milestone", ms.due_date, ms) for ms in milestones_of(session, view.row)
    ]
    timeline += [("progress", p.reported_on, p) for p in view.progress]
    timeline.sort(key=lambda item: (item[1], item[0]), reverse=True)
    return ProjectPage(
        unit=unit,
        year=nav_year(session, unit),
        view=view,
        evidence=evidence,
        evidence_by_progress={e.progress_id: e for e in evidence},
        timeline=timeline,
        may_report=may_report(actor, view.row),
        today=dt.date.today(),
        grid=choice.factor(),
        form=entered or figures_form(view.row),
        form_fields=_figure_fields(errors),
    )
