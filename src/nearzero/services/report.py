"""The annual evaluation report and the acceptance dossier of a unit for a year.

The plan (六（一）) has the working-group office evaluate the implementation every year and
report to the district government. :func:`build_report` gathers what the sections of
:data:`nearzero.reports.sections.SECTIONS` are written from (the year's evaluation, the
office's texts, the blocks other capabilities contribute) and assembles the report; a
section with nothing says plainly “该部分尚无数据”.

The capabilities that contribute a section are listed in :data:`CONTRIBUTORS`, each by its
service's ``report_blocks(session, unit, year) -> list[Block] | None``. Each runs in a
savepoint: if one fails, its section says so and the rest of the report is built.

Sections 八 存在问题 and 九 下一年度工作安排 are written by the office (admins only) and
kept in ``report_section`` with every change in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from nearzero.formatting import china_today
from nearzero.indicators.evaluation import Acceptance
from nearzero.reports.jobs import BuildCache
from nearzero.reports.model import (
    Block,
    BuiltFile,
    Paragraph,
    Progress,
    Report,
    Section,
    no_progress,
)
from nearzero.reports.sections import CONTRIBUTED, EDITABLE, SECTIONS, ReportData
from nearzero.reports.sections.indicators import (
    CategoryCount,
    Evaluation,
    IndicatorLine,
    Sources,
    summary,
    summary_en,
    workbook_tables,
)
from nearzero.services import audit, evidence as evidence_service, inventory, projects, twohigh
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.services.enterprise import report as enterprise_report
from nearzero.services.inclusion import report as inclusion_report
from nearzero.services.indicators import (
    EvaluatedIndicator,
    UnitEvaluation,
    catalogue,
    counted_values,
    evaluate_unit,
    evaluation_year,
    trend_data,
    years_on_record,
)
from nearzero.store import reports as store, tables as m
from nearzero.store.base import utcnow

log = logging.getLogger(__name__)

REPORT_TITLE_ZH = "近零碳城市示范创建年度评估报告"
NUMERALS = "一二三四五六七八九十"
MAX_SECTION_CHARS = 20_000

Contributor = Callable[[Session, m.DemoUnit, int], list[Block] | None]

#: The services that write a section, by the section's key in SECTIONS.
CONTRIBUTORS: dict[str, Contributor] = {
    "inventory": inventory.report_blocks,
    "inclusion": inclusion_report.report_blocks,
    "enterprises": enterprise_report.report_blocks,
    "twohigh": twohigh.report_blocks,
    "projects": projects.report_blocks,
}


# --------------------------------------------------------------------------- gathering


def _line(e: EvaluatedIndicator) -> IndicatorLine:
    view = e.view
    return IndicatorLine(
        spec=view.spec,
        record=view.record,
        outcome=e.outcome,
        category_zh=view.row.category.name_zh,
        departments_zh="、".join(d.name_zh for d in view.departments),
        texts=dict(view.texts),
        task_ref_zh=view.row.task_ref_zh or "",
        trend=trend_data(view, e.outcome, "zh"),
    )


def evaluation_data(ev: UnitEvaluation) -> Evaluation:
    """The year's evaluation as the report's plain data."""
    unit = ev.unit
    return Evaluation(
        unit_name_zh=unit.name_zh,
        base_year=unit.base_year,
        target_year=unit.target_year,
        year=ev.year,
        indicators=tuple(_line(e) for e in ev.indicators),
        task_targets=tuple(_line(e) for e in ev.task_targets),
        acceptance=ev.acceptance,
        categories=tuple(
            CategoryCount(c.category.name_zh, c.met, c.total, c.no_data) for c in ev.categories
        ),
    )


def _guarded(
    session: Session, unit: m.DemoUnit, year: int, key: str, contribute: Contributor
) -> list[Block] | None:
    """Another capability's section, in a savepoint; if it fails the report says so."""
    try:
        # a failed statement must not abort the report's transaction (PostgreSQL)
        with session.begin_nested():
            return contribute(session, unit, year)
    except Exception as exc:
        log.exception("report section %s of %s/%s failed", key, unit.code, year)
        return [Paragraph(f"该部分数据暂时无法生成（{type(exc).__name__}），请联系系统管理员。")]


def report_data(
    session: Session, unit: m.DemoUnit, year: int, progress: Progress = no_progress
) -> ReportData:
    """Evaluate ``year`` once, read the office's texts and ask every contributor for its
    section: what the sections are written from."""
    progress("汇总指标评估结果", 0.05)
    evaluation = evaluation_data(evaluate_unit(session, unit, year))
    texts = {key: s.body for key, s in store.sections(session, unit.id, year).items()}
    contributed = {
        key: _guarded(session, unit, year, key, CONTRIBUTORS[key])
        for key in CONTRIBUTED
        if key in CONTRIBUTORS
    }
    return ReportData(evaluation, texts, contributed, progress)


def assemble(data: ReportData, unit: m.DemoUnit, year: int, today: dt.date | None = None) -> Report:
    """The report from its data: one section per entry of SECTIONS, in the plan's order."""
    sections = [
        Section(spec.key, f"{NUMERALS[n]}、{spec.title_zh}", spec.write(data) or [], spec.editable)
        for n, spec in enumerate(SECTIONS)
    ]
    plan = unit.plan_title_zh + (f"（{unit.plan_document_no}）" if unit.plan_document_no else "")
    data.progress("报告内容已汇总", 1.0)
    return Report(
        unit_code=unit.code,
        unit_name=unit.name_zh,
        year=year,
        title=REPORT_TITLE_ZH,
        office=unit.office_zh or f"{unit.name_zh}近零碳城市示范创建工作专班办公室",
        date=today or china_today(),
        plan=plan,
        sections=sections,
    )


def build_report(
    session: Session,
    unit: m.DemoUnit,
    year: int,
    progress: Progress = no_progress,
    today: dt.date | None = None,
) -> Report:
    """The report of ``unit`` for ``year``."""
    return assemble(report_data(session, unit, year, progress), unit, year, today)


# --------------------------------------------------------------------------- editable sections


def get_sections(
    session: Session, unit: m.DemoUnit, year: int
) -> dict[str, m.ReportSection | None]:
    """The office's texts for ``year`` by key (None where nothing is written yet)."""
    found = store.sections(session, unit.id, year)
    return {key: found.get(key) for key in EDITABLE}


def set_section(
    session: Session, actor: Actor, unit: m.DemoUnit, year: int, key: str, body: str
) -> m.ReportSection:
    """The office writes 存在问题 or 下一年度工作安排; the change lands in the audit log."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            "report: 报告仅限专班办公室编辑 — only the working-group office edits the report"
        )
    if key not in EDITABLE:
        raise InvalidInput(
            f"key: 应为{'、'.join(EDITABLE.values())}之一 — expected one of "
            f"{', '.join(EDITABLE)}, got {key!r}"
        )
    lo, hi = unit.base_year, unit.target_year + 10
    if not lo <= year <= hi:
        raise InvalidInput(
            f"year: 年份应在{lo}至{hi}之间，实际为{year} — expected {lo}–{hi}, got {year}"
        )
    body = body.replace("\r\n", "\n").strip()
    if len(body) > MAX_SECTION_CHARS:
        raise InvalidInput(
            f"body: 最多{MAX_SECTION_CHARS}字，实际{len(body)}字 — at most {MAX_SECTION_CHARS} "
            f"characters, got {len(body)}"
        )
    row = get_sections(session, unit, year)[key]
    old = {"body": row.body} if row else None
    if row is None:
        row = m.ReportSection(unit_id=unit.id, year=year, key=key)
    row.body, row.updated_by, row.updated_at = body, actor.username, utcnow()
    store.save_section(session, row)
    audit.record(
        session,
        actor,
        "report_section.set",
        "report_section",
        f"{year}/{key}",
        old,
        {"body": body},
        unit.code,
    )
    return row


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class ReportPage:
    """What the report page shows for a year: the year picker, the acceptance counts and the
    summary sentences, and the office's sections (None where nothing is written)."""

    year: int
    years: list[int]
    acceptance: Acceptance
    summary: list[str]
    sections: dict[str, m.ReportSection | None]
    labels: dict[str, str]


def report_years(session: Session, unit: m.DemoUnit, today: dt.date | None = None) -> list[int]:
    """The years a report of ``unit`` may be built for: the years with values on record and
    every year of the demonstration from its base year to this year (at most the target)."""
    on_record = years_on_record(session, unit) or [unit.base_year]
    last = min(unit.target_year, max((today or china_today()).year, on_record[-1]))
    return sorted({*on_record, *range(unit.base_year, last + 1)})


def report_page(
    session: Session,
    unit: m.DemoUnit,
    year: int | None,
    today: dt.date | None = None,
    lang: str = "zh",
) -> ReportPage:
    """The report page of ``year`` (default: the office's evaluation year), its summary in
    ``lang``. Any year of the demonstration may be reported on, with data or not (yet)."""
    chosen = year if year is not None else evaluation_year(session, unit)
    years = sorted({chosen, *report_years(session, unit, today)})
    evaluated = evaluate_unit(session, unit, chosen)
    ev = evaluation_data(evaluated)
    names_en = {e.view.row.code: e.view.row.name_en for e in evaluated.indicators}
    return ReportPage(
        chosen,
        years,
        ev.acceptance,
        summary_en(ev, names_en) if lang == "en" else summary(ev),
        get_sections(session, unit, chosen),
        dict(EDITABLE),
    )


# --------------------------------------------------------------------------- dossier


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file of a key project, where its content should be, and its place in the zip."""

    project_number: int
    project_name: str
    filename: str
    sha256: str
    size: int
    path: Path


def evidence_files(session: Session, unit: m.DemoUnit, evidence_store: Path) -> list[EvidenceFile]:
    """Every key-project evidence file of ``unit``; content is at ``evidence_store/<sha256>``."""
    return [
        EvidenceFile(
            r.project_number,
            r.project_name,
            r.filename,
            r.sha256,
            r.size,
            evidence_store / r.sha256,
        )
        for r in store.evidence(session, unit.id)
    ]


def value_evidence_files(
    session: Session, unit: m.DemoUnit, year: int, evidence_store: Path
) -> list[tuple[str, str, EvidenceFile]]:
    """The files attached to indicator values of ``year`` and before, as (folder in the zip,
    description, file); content at ``evidence_store/<sha256>``."""
    names = {v.row.code: v.row.name_zh for v in catalogue(session, unit)}
    out = []
    for line in evidence_service.evidence_of(session, unit):
        if line.year > year:
            continue
        code = f"{line.code}（{line.part}）" if line.part else line.code
        folder = f"佐证材料/指标{_safe(line.code)}_{_safe(names.get(line.code, ''))}"
        what = f"指标{code}“{names.get(line.code, '')}”{line.year}年数值佐证材料"
        size, path = line.size, evidence_store / line.sha256
        out.append((folder, what, EvidenceFile(0, "", line.filename, line.sha256, size, path)))
    return out


def value_sources(session: Session, unit: m.DemoUnit) -> Sources:
    """The source and evidence of every value that counts, by (code, part code, year)."""
    return {
        key: (v.source or "", v.evidence or "") for key, v in counted_values(session, unit).items()
    }


# --------------------------------------------------------------------------- files

DEFAULT_EVIDENCE_STORE = Path("var/evidence")
FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("pdf", "application/pdf"),
    "dossier": ("zip", "application/zip"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stage(progress: Progress, start: float, end: float) -> Progress:
    """``progress`` for one stage of a longer build: its 0–1 mapped onto start–end."""

    def report(step: str, fraction: float) -> None:
        progress(step, start + (end - start) * min(max(fraction, 0.0), 1.0))

    return report


def _safe(name: str) -> str:
    """A file or folder name that can sit inside the zip (no separators, no dot-dot)."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|\0' else ch for ch in name).strip(" .")
    return cleaned or "unnamed"


def build_file(
    session: Session,
    unit: m.DemoUnit,
    year: int,
    kind: str,
    progress: Progress = no_progress,
    evidence_store: Path = DEFAULT_EVIDENCE_STORE,
) -> BuiltFile:
    """The report as ``docx`` or ``pdf``, or the acceptance ``dossier`` (zip)."""
    if kind not in FORMATS:
        raise InvalidInput(
            f"format: 格式应为{'、'.join(FORMATS)}之一 — expected one of {', '.join(FORMATS)}, "
            f"got {kind!r}"
        )
    if kind == "dossier":
        return build_dossier_file(session, unit, year, progress, evidence_store)
    suffix, media_type = FORMATS[kind]
    split = 0.5 if kind == "docx" else 0.35
    report = build_report(session, unit, year, stage(progress, 0, split))
    progress("准备排版组件", split)  # imported only here: WeasyPrint alone takes a second
    if kind == "docx":
        from nearzero.reports.word import build_docx as builder
    else:
        from nearzero.reports.pdf import build_pdf as builder
    data = builder(report, stage(progress, split, 1.0))
    progress("完成", 1.0)
    return BuiltFile(f"{report.stem}.{suffix}", media_type, data)


def build_dossier_file(
    session: Session,
    unit: m.DemoUnit,
    year: int,
    progress: Progress = no_progress,
    evidence_store: Path = DEFAULT_EVIDENCE_STORE,
) -> BuiltFile:
    """The acceptance dossier: workbook, report (docx and pdf), evidence files, manifest."""
    from nearzero.reports.dossier import Entry, Missing, build_dossier, sha256
    from nearzero.reports.pdf import build_pdf
    from nearzero.reports.word import build_docx
    from nearzero.reports.workbook import build_workbook

    gathered = report_data(session, unit, year, stage(progress, 0, 0.3))
    report = assemble(gathered, unit, year)
    docx = build_docx(report, stage(progress, 0.3, 0.45))
    pdf = build_pdf(report, stage(progress, 0.45, 0.8))
    progress("指标台账（Excel）", 0.82)
    sheets = workbook_tables(gathered.evaluation, value_sources(session, unit))
    xlsx = build_workbook(sheets, f"{unit.name_zh}{year}年指标完成情况")
    entries = [
        Entry(
            f"{year}年指标完成情况.xlsx", "指标台账：历年数值、目标、完成情况、判定依据与佐证", xlsx
        ),
        Entry(f"{report.stem}.docx", "年度评估报告（Word）", docx),
        Entry(f"{report.stem}.pdf", "年度评估报告（PDF）", pdf),
    ]
    missing = []
    files = [
        (
            f"佐证材料/{f.project_number:02d}_{_safe(f.project_name)}",
            f"重点工程{f.project_number}“{f.project_name}”佐证材料",
            f,
        )
        for f in evidence_files(session, unit, evidence_store)
    ] + value_evidence_files(session, unit, year, evidence_store)
    used: set[str] = set()
    for n, (folder, description, f) in enumerate(files, start=1):
        progress(f"佐证材料 {n}/{len(files)}", 0.85 + 0.1 * n / len(files))
        path = f"{folder}/{_safe(f.filename)}"
        if path in used:
            path = f"{folder}/{f.sha256[:8]}_{_safe(f.filename)}"
        used.add(path)
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            missing.append(Missing(path, description, f.sha256, f"文件缺失：{exc.strerror}"))
            continue
        if sha256(data) != f.sha256:
            missing.append(Missing(path, description, f.sha256, "文件内容与登记的SHA-256不符"))
            continue
        entries.append(Entry(path, description, data))
    progress("打包", 0.97)
    title = f"{unit.name_zh}近零碳城市示范创建验收材料（{year}年度）"
    data = build_dossier(title, entries, missing)
    progress("完成", 1.0)
    return BuiltFile(f"{unit.name_zh}_{year}年度验收材料.zip", "application/zip", data)


# --------------------------------------------------------------------------- builds


def check_build(
    session: Session, unit: m.DemoUnit, year: int, kind: str, today: dt.date | None = None
) -> None:
    """Refuse a build of a format or a year ``unit`` has no report for, before any work."""
    if kind not in FORMATS:
        raise InvalidInput(
            f"format: 格式应为{'、'.join(FORMATS)}之一 — expected one of {', '.join(FORMATS)}, "
            f"got {kind!r}"
        )
    years = report_years(session, unit, today)
    if year not in years:
        raise InvalidInput(
            f"year: {unit.name_zh}的报告年份为{years[0]}–{years[-1]}年 — expected a report year "
            f"of {unit.code}, {years[0]}–{years[-1]}, got {year}"
        )


def cached_build(
    session: Session,
    cache: BuildCache,
    unit: m.DemoUnit,
    year: int,
    kind: str,
    progress: Progress = no_progress,
    evidence_store: Path = DEFAULT_EVIDENCE_STORE,
    today: dt.date | None = None,
) -> BuiltFile:
    """:func:`build_file` through ``cache``: kept per (unit, year, format, data version, day,
    evidence store), so a second download of unchanged data is served from the cache and
    any write (a new data version, see :func:`nearzero.store.reports.data_version`) or a new
    day (the report is dated) builds afresh. The year and format are checked first."""
    day = today or china_today()
    check_build(session, unit, year, kind, day)
    key = (unit.code, year, kind, store.data_version(session), day, str(evidence_store))
    found = cache.get(key)
    if found is not None:
        progress("完成", 1.0)
        return found
    built = build_file(session, unit, year, kind, progress, evidence_store)
    cache.put(key, built)
    return built
