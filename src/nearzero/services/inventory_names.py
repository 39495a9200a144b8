"""The inventory page's names: activity rows, factors, sources, files and methods in the
page's language, never by their ids (``energy-coal-power``, ``cn_ncv_raw_coal``,
``china_energy.csv``).

The names come from the data: a row is named by its category (the provincial guideline's
Chinese title, IPCC 2006's English one) and its fuel or subject; a factor by its subject and
parameter; a source by the document and table its factor file cites, in Chinese with the
official titles (《2006年IPCC国家温室气体清单指南》第2卷第2章 表2.2) and the table and
equation numbers as the file has them. ``data/factors/names.csv`` holds the Chinese (and
English) names of the files' codes; a code it lacks shows as itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from nearzero.accounting.categories import UnknownCategory, category_title
from nearzero.accounting.factors import FactorLibrary, FactorRecord
from nearzero.accounting.inventory import METHODS, InventoryResult
from nearzero.accounting.model import ActivityRow, FactorRef, Notation
from nearzero.reports.inventory_tables import NOTATION_EN, NOTATION_ZH
from nearzero.reports.model import Cell, Table

NAMES_FILE = "names.csv"
#: The kinds of code ``names.csv`` names.
KINDS = ("parameter", "subject", "qualifier", "document", "table", "method", "citation", "file")
#: File name of a factor given in an activity row and of a local factor (FactorRef.file).
ROW_FILE, LOCAL_FILE = "activity row", "local"

_IPCC_DOC = re.compile(
    r"^(2019 Refinement to the )?2006 IPCC Guidelines for National GHG Inventories "
    r"Vol (\d+) Ch (\d+)$"
)
_IPCC_CITE = re.compile(r"IPCC 2006 Vol (\d+) Ch (\d+)")


@cache
def names_table() -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, code) → (Chinese, English) from ``data/factors/names.csv``; English empty
    where the code itself reads as English."""
    text = (
        resources.files("nearzero.data").joinpath("factors", NAMES_FILE).read_text(encoding="utf-8")
    )
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        if row["kind"] not in KINDS:
            raise ValueError(
                f"factors/{NAMES_FILE}: kind {row['kind']!r} is not one of {', '.join(KINDS)}"
            )
        out[(row["kind"], row["code"])] = (row["zh"], row["en"])
    return out


def name_of(kind: str, code: str, lang: str) -> str | None:
    """The name of ``code`` in ``lang`` (None when ``names.csv`` lacks it)."""
    found = names_table().get((kind, code))
    if found is None:
        return None
    zh, en = found
    if lang == "en":
        return en or code.replace("_", " ")
    return zh


def parameter_name(parameter: str, lang: str) -> str:
    return name_of("parameter", parameter, lang) or parameter


def subject_name(subject: str, lang: str) -> str:
    """A factor's subject (``原煤|energy_industries`` → 原煤（能源工业）); ``*`` → empty."""
    base, _, qualifier = subject.partition("|")
    if base in ("", "*"):
        return ""
    name = name_of("subject", base, lang) or base
    if qualifier:
        q = name_of("qualifier", qualifier, lang) or qualifier
        name += f" ({q})" if lang == "en" else f"（{q}）"
    return name


def parameter_names(parameters: Iterable[str], lang: str) -> dict[str, str]:
    """Code → name in ``lang`` of ``parameters``, in the order of their names."""
    named = {p: parameter_name(p, lang) for p in set(parameters)}
    return dict(sorted(named.items(), key=lambda item: item[1]))


def unit_text(unit: str, lang: str) -> str:
    """A factor's unit as read: ``GJ/(wan*m**3)`` → GJ/万m³, ``dimensionless`` → 无量纲."""
    if unit in ("dimensionless", "1", ""):
        return "—" if lang == "en" else "无量纲"
    text = unit.replace("**3", "³").replace("**2", "²").replace("*", "·")
    if lang == "en":
        return text.replace("wan·", "10⁴ ")
    text = text.replace("wan·", "万")
    for en, zh in (("person", "人"), ("head", "头"), ("year", "年"), ("day", "日")):
        text = re.sub(rf"\b{en}\b", zh, text)
    return text


def document_title(document: str, lang: str) -> str:
    """A factor file's ``source_document`` with its official Chinese title."""
    named = name_of("document", document, lang)
    if named:
        return named
    if lang == "en":
        return document
    m = _IPCC_DOC.match(document)
    if m:
        book = "2006年IPCC国家温室气体清单指南" + ("2019修订版" if m.group(1) else "")
        return f"《{book}》第{m.group(2)}卷第{m.group(3)}章"
    return document


def table_text(table: str, lang: str) -> str:
    """A factor file's ``source_table`` (``Table 2.2 (energy industries, 1.A.1)`` →
    表2.2（能源工业，1.A.1）); the numbers as the file has them."""
    if lang == "en" or not table:
        return table
    named = name_of("table", table, lang)
    if named:
        return named
    return re.sub(r"^Table ", "表", re.sub(r"\bEq ", "式", table))


def citation(record: FactorRecord, lang: str) -> str:
    """Document, table and page a default factor row cites, in ``lang``."""
    parts = [document_title(record.source_document, lang)]
    if record.source_table:
        parts.append(table_text(record.source_table, lang))
    if record.source_page:
        parts.append(f"p {record.source_page}" if lang == "en" else f"第{record.source_page}页")
    return " ".join(p for p in parts if p)


def method_citation(text: str, lang: str) -> str:
    """A method's citation (``IPCC 2006 Vol 4 Ch 11 Eq 11.1``) in ``lang``."""
    named = name_of("citation", text, lang)
    if named:
        return named
    if lang == "en":
        return text
    out = _IPCC_CITE.sub(r"《2006年IPCC国家温室气体清单指南》第\1卷第\2章", text)
    out = re.sub(r"\bCh (\d+)", r"第\1章", out)
    out = re.sub(r"\bEq ", "式", out).replace("Tier 1", "方法1").replace("; ", "；")
    return out


def notation_meaning(key: str, lang: str) -> str:
    """A notation key's meaning in ``lang`` alone (未估算, not estimated)."""
    if lang == "en":
        return NOTATION_EN[Notation(key)]
    return NOTATION_ZH[Notation(key)].split(" (", 1)[0]


def notation_table_in(table: Table, lang: str) -> Table:
    """表4 with each meaning in the page's language only (the export keeps both)."""
    rows = tuple((*row[:-1], Cell(notation_meaning(row[3].text, lang))) for row in table.rows)
    return replace(table, rows=rows)


@dataclass(frozen=True)
class FactorLine:
    """One factor row of the result as the page shows it (names, not ids)."""

    factor_id: str
    name: str
    parameter: str
    subject: str
    value: float
    unit: str
    source: str
    status: str


@dataclass(frozen=True)
class InventoryNames:
    """Names in ``lang`` of one result's rows and factors.

    rows : the year's activity rows by id (their category and subject).
    library : the factor library the result was computed with (the citations).
    """

    lang: str
    rows: Mapping[str, ActivityRow]
    refs: Mapping[str, FactorRef]
    library: FactorLibrary

    def category(self, code: str) -> str:
        try:
            return category_title(code, self.lang)
        except UnknownCategory:
            return code

    def row(self, row_id: str, category: str = "") -> str:
        """``energy-coal-power`` → 公用电力与热力生产 · 原煤."""
        row = self.rows.get(row_id)
        if row is None:
            return self.category(category) if category else row_id
        subject = subject_name(row.subject, self.lang) if row.subject else ""
        title = self.category(row.category)
        return f"{title} · {subject}" if subject else title

    def label(self, label: str) -> str:
        """A record's label ``"<row id> <gas>"`` → the row's name and the gas."""
        row_id, _, gas = label.partition(" ")
        return f"{self.row(row_id)} {gas}".strip()

    def factor(self, factor_id: str) -> str:
        """``cn_ncv_raw_coal`` → 原煤 低位发热量; a factor of a row → the row's name and
        the parameter."""
        ref = self.refs.get(factor_id)
        if ref is None:
            row_id, sep, parameter = factor_id.rpartition(":")
            if sep and row_id in self.rows:
                return f"{self.row(row_id)} · {parameter_name(parameter, self.lang)}"
            return factor_id
        if ref.file == ROW_FILE:
            row_id = factor_id.rpartition(":")[0]
            return f"{self.row(row_id)} · {parameter_name(ref.parameter, self.lang)}"
        subject = subject_name(ref.subject, self.lang)
        parameter = parameter_name(ref.parameter, self.lang)
        if not subject or subject in parameter:
            return parameter
        return f"{subject} {parameter}" if self.lang == "en" else subject + parameter

    def factors(self, ids: Iterable[str]) -> list[str]:
        """Names of ``ids``, each once."""
        return list(dict.fromkeys(self.factor(i) for i in ids))

    def source(self, ref: FactorRef) -> str:
        """Where a factor comes from: the document and table of a default row, the office's
        citation of a local one, the activity data for a row's own factor."""
        if ref.file == ROW_FILE:
            return name_of("file", ROW_FILE, self.lang) or ROW_FILE
        try:
            record = self.library.by_id(ref.factor_id)
        except LookupError:
            return self.file(ref.file)
        if record.file == LOCAL_FILE:
            return record.source_document
        return citation(record, self.lang)

    def file(self, file: str) -> str:
        """A factor file by its title (``china_energy.csv`` → 中国能源排放因子…)."""
        return name_of("file", file, self.lang) or file

    def method(self, row_id: str, text: str) -> str:
        """A row's method ``"fuel_combustion: <citation>"`` → 化石燃料燃烧：<中文出处>."""
        method, _, _ = text.partition(": ")
        known = METHODS.get(method)
        cite = known.citation if known is not None else text.partition(": ")[2]
        name = name_of("method", method, self.lang) or method
        sep = ": " if self.lang == "en" else "："
        return f"{name}{sep}{method_citation(cite, self.lang)}"

    def lines(self, refs: Iterable[FactorRef]) -> list[FactorLine]:
        return [
            FactorLine(
                factor_id=r.factor_id,
                name=self.factor(r.factor_id),
                parameter=parameter_name(r.parameter, self.lang),
                subject=subject_name(r.subject, self.lang),
                value=r.value,
                unit=unit_text(r.unit, self.lang),
                source=self.source(r),
                status=r.status,
            )
            for r in refs
        ]


def names_for(
    result: InventoryResult, rows: Iterable[ActivityRow], library: FactorLibrary, lang: str
) -> InventoryNames:
    """The names of ``result``'s rows and factors in ``lang``."""
    return InventoryNames(
        lang=lang,
        rows={r.row_id: r for r in rows if r.year == result.year},
        refs={f.factor_id: f for f in result.lineage.factor_refs},
        library=library,
    )


def page_notes(result: InventoryResult, names: InventoryNames) -> list[str]:
    """What the page's tables rest on (the facts of
    :func:`nearzero.reports.inventory_tables.notes`), rows and factors by name."""
    lin, lang = result.lineage, names.lang
    exact = result.factors_without_range
    rows = [names.row(r) for r in lin.illustrative_rows]
    if lang == "en":
        out = [
            f"GWP values: IPCC {lin.gwp_set} (100-year), from {lin.gwp_source}.",
            "An empty cell: the activity data do not cover it; the notation keys are explained "
            "below. Indirect emissions (electricity and heat brought in) are a memo item, not "
            "in the totals.",
        ]
        if rows:
            out.append(
                f"Illustrative (partly assumed): {len(rows)} activity rows are assumptions "
                f"({'; '.join(rows)}); not an official inventory."
            )
        if lin.to_confirm:
            out.append(
                f"{len(lin.to_confirm)} factors are still to be checked against the official "
                "documents (status: to be confirmed); see the factor table below."
            )
        if lin.local:
            out.append(f"Local factors (Tier 2): {'; '.join(names.factors(lin.local))}.")
        if exact:
            out.append(
                f"{len(exact)} factors or parameters give no uncertainty range (e.g. "
                f"{'; '.join(names.factors(exact[:3]))}); the uncertainty analysis counts them "
                "as exact, so it understates the uncertainty."
            )
        return out
    out = [
        f"全球增温潜势采用IPCC {lin.gwp_set}（100年），数据来源：{lin.gwp_source}。",
        "空白单元格表示活动数据文件未涉及；注释代码的含义见下方注释代码表。"
        "间接排放（调入电力、热力）作为备忘项列示，不计入总排放量。",
    ]
    if rows:
        out.append(
            f"示例（部分数据为假设）：{len(rows)}行活动数据为假设值（{'；'.join(rows)}），"
            "不得作为正式清单使用。"
        )
    if lin.to_confirm:
        out.append(
            f"{len(lin.to_confirm)}个排放因子尚待与官方文件核对（状态“待确认”），"
            "明细见下方排放因子表。"
        )
    if lin.local:
        out.append(f"本地因子（Tier 2）：{'、'.join(names.factors(lin.local))}。")
    if exact:
        out.append(
            f"{len(exact)}个排放因子或参数未给出不确定性范围"
            f"（如{'、'.join(names.factors(exact[:3]))}），"
            "不确定性分析中按精确值处理，分析所得的不确定性因此偏小。"
        )
    return out
