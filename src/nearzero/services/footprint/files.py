"""Product systems from uploaded files and the study report as a Word or PDF file."""

from __future__ import annotations

import datetime as dt

from nearzero.footprint.fileformat import loads
from nearzero.footprint.model import FootprintError, ProductSystem
from nearzero.footprint.olca import import_zip
from nearzero.footprint.study import FootprintResult
from nearzero.formatting import china_today
from nearzero.reports.footprint import StudyInfo, footprint_report, report_stem
from nearzero.reports.model import BuiltFile
from nearzero.services.context import InvalidInput

FORMATS: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
#: Upload kinds by file suffix.
KINDS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".zip": "olca", ".xlsx": "xlsx"}
MAX_SYSTEM_BYTES = 8 * 1024 * 1024


def kind_of(name: str) -> str:
    """The upload kind of a file name (yaml, json, olca, xlsx); refuses another suffix."""
    lower = name.lower()
    for suffix, kind in KINDS.items():
        if lower.endswith(suffix):
            return kind
    raise InvalidInput(
        f"file: 文件“{name}”应为.yaml、.json格式的产品系统、openLCA JSON-LD .zip"
        "或Excel模板（.xlsx） — "
        f"the file {name!r}: expected a product system as .yaml, .json, "
        "an openLCA JSON-LD .zip or the Excel template (.xlsx)"
    )


def read_system(name: str, data: bytes) -> ProductSystem:
    """A product system from a YAML, JSON or openLCA JSON-LD zip file's bytes.

    Raises :class:`InvalidInput` with the parser's message (it names the file and field, or
    the process and exchange).
    """
    if len(data) > MAX_SYSTEM_BYTES:
        raise InvalidInput(
            f"file: 文件“{name}”超过{MAX_SYSTEM_BYTES // (1024 * 1024)} MB — "
            f"the file {name} is over {MAX_SYSTEM_BYTES // (1024 * 1024)} MB"
        )
    kind = kind_of(name)
    try:
        if kind == "olca":
            return import_zip(data, name)
        if kind == "xlsx":
            raise InvalidInput(
                f"file: Excel模板“{name}”须用workbook.read_workbook读取 — "
                f"the file {name}: read the Excel template with workbook.read_workbook"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                f"file: 文件“{name}”不是UTF-8文本 — the file {name} is not UTF-8 text"
            ) from None
        return loads(text, name)
    except FootprintError as exc:
        raise InvalidInput(str(exc)) from None


def build_report(
    system: ProductSystem, result: FootprintResult, info: StudyInfo, kind: str
) -> BuiltFile:
    """The study report as ``docx`` or ``pdf`` bytes with its file name."""
    if kind not in FORMATS:
        raise InvalidInput(
            f"format: 格式应为{'、'.join(FORMATS)}之一，而不是“{kind}” — "
            f"expected one of {', '.join(FORMATS)}, got {kind!r}"
        )
    from nearzero.reports.pdf import build_pdf
    from nearzero.reports.word import build_docx

    report = footprint_report(result, system, info)
    data = build_docx(report) if kind == "docx" else build_pdf(report)
    return BuiltFile(f"{report_stem(result, info)}.{kind}", FORMATS[kind], data)


def study_info(
    firm: str = "",
    year: int | None = None,
    computed_at: dt.datetime | None = None,
    approved_at: dt.datetime | None = None,
    approved_by: str = "",
) -> StudyInfo:
    """The report's study details, dated today in China Standard Time (computed now unless
    ``computed_at`` is given)."""
    return StudyInfo(
        prepared=china_today(),
        firm=firm,
        year=year,
        computed_at=computed_at or dt.datetime.now(dt.UTC),
        approved_at=approved_at,
        approved_by=approved_by,
    )
