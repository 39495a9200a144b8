"""The bundled two-high data files (``nearzero/data/twohigh/``): segments, dimensions, ratios,
and the plan's classification and disposal lists, each row with its source and status
(``verified`` or ``to_confirm``). A malformed row is refused naming the file, line and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from nearzero.twohigh.model import Dimension, Ratio, Segment, TwoHighError

STATUSES = ("verified", "to_confirm")
APPLIES = ("always", "case")


def _rows(name: str) -> list[tuple[int, dict[str, str]]]:
    text = resources.files("nearzero.data").joinpath(f"twohigh/{name}").read_text("utf-8")
    return [(i + 2, row) for i, row in enumerate(csv.DictReader(io.StringIO(text)))]


def _where(name: str, line: int, column: str) -> str:
    return f"data/twohigh/{name} line {line} column {column}"


@cache
def segments() -> Mapping[str, Segment]:
    """The 16 segments by code."""
    out: dict[str, Segment] = {}
    for line, r in _rows("segments.csv"):
        if r["status"] not in STATUSES:
            raise TwoHighError(_where("segments.csv", line, "status"), "verified or to_confirm")
        out[r["code"]] = Segment(r["code"], r["name_zh"], r["name_en"], r["status"])
    return out


@cache
def dimensions() -> Mapping[str, Dimension]:
    """The substitution dimensions by code, in file order."""
    return {
        r["code"]: Dimension(
            r["code"],
            r["asset"],
            r["group"],
            r["name_zh"],
            r["name_en"],
            r["entry_unit"],
            r["ledger_unit"],
            r["note"],
        )
        for _line, r in _rows("dimensions.csv")
    }


def dimension(code: str) -> Dimension:
    """The dimension ``code``, or :class:`TwoHighError` naming the known ones."""
    found = dimensions().get(code)
    if found is None:
        raise TwoHighError(
            "dimension",
            f"{code!r}（应为{'、'.join(dimensions())}之一） — "
            f"{code!r} (expected one of {', '.join(dimensions())})",
        )
    return found


def dimension_of_asset(asset: str) -> Dimension:
    for d in dimensions().values():
        if d.asset == asset:
            return d
    raise TwoHighError("asset", f"{asset!r} is no dimension's asset")


def parse_ratio(values: Mapping[str, str], where: str = "ratio") -> Ratio:
    """A ratio row (the CSV's columns, or the office's form), checked."""

    def need(column: str) -> str:
        value = (values.get(column) or "").strip()
        if not value:
            raise TwoHighError(f"{where} {column}", "必填 — required")
        return value

    try:
        ratio = Decimal(need("ratio"))
    except InvalidOperation:
        raise TwoHighError(
            f"{where} ratio",
            f"{values.get('ratio')!r}不是数字 — {values.get('ratio')!r} is not a number",
        ) from None
    if not ratio.is_finite() or ratio < 1:
        raise TwoHighError(
            f"{where} ratio",
            f"{ratio}（替代比例不小于1） — {ratio} (a substitution ratio is at least 1)",
        )
    dates: list[dt.date | None] = []
    for column in ("effective_from", "effective_until"):
        text = (values.get(column) or "").strip()
        try:
            dates.append(dt.date.fromisoformat(text) if text else None)
        except ValueError:
            raise TwoHighError(
                f"{where} {column}",
                f"{text!r}（日期格式应为YYYY-MM-DD） — {text!r} (expected YYYY-MM-DD)",
            ) from None
    start, until = dates
    if start is None:
        raise TwoHighError(f"{where} effective_from", "必填（YYYY-MM-DD） — required (YYYY-MM-DD)")
    if until is not None and until < start:
        raise TwoHighError(
            f"{where} effective_until", f"{until}早于{start} — {until} is before {start}"
        )
    segment = need("segment")
    if segment != "*" and segment not in segments():
        raise TwoHighError(
            f"{where} segment",
            f"{segment!r}（应为16个行业之一或*） — {segment!r} (expected one of the 16 or *)",
        )
    dim = need("dimension")
    if dim not in dimensions():
        raise TwoHighError(
            f"{where} dimension",
            f"{dim!r}（应为{'、'.join(dimensions())}之一） — "
            f"{dim!r} (expected one of {', '.join(dimensions())})",
        )
    applies = (values.get("applies") or "always").strip()
    if applies not in APPLIES:
        raise TwoHighError(
            f"{where} applies",
            f"{applies!r}（应为always或case） — {applies!r} (expected always or case)",
        )
    status = (values.get("status") or "to_confirm").strip()
    if status not in STATUSES:
        raise TwoHighError(
            f"{where} status",
            f"{status!r}（应为verified或to_confirm） — "
            f"{status!r} (expected verified or to_confirm)",
        )
    return Ratio(
        id=need("id"),
        document=need("document"),
        document_zh=need("document_zh"),
        segment=segment,
        dimension=dim,
        ratio=ratio,
        effective_from=start,
        effective_until=until,
        applies=applies,
        status=status,
        source=need("source"),
        note=(values.get("note") or "").strip(),
    )


@cache
def bundled_ratios() -> tuple[Ratio, ...]:
    """The ratios shipped with nearzero (``ratios.csv``)."""
    return tuple(
        parse_ratio(r, f"data/twohigh/ratios.csv line {line} column")
        for line, r in _rows("ratios.csv")
    )


@cache
def dispositions() -> Mapping[str, Mapping[str, tuple[str, str, str]]]:
    """``classification`` and ``disposal`` → code → (Chinese, English, status)."""
    out: dict[str, dict[str, tuple[str, str, str]]] = {}
    for _line, r in _rows("dispositions.csv"):
        out.setdefault(r["field"], {})[r["code"]] = (r["name_zh"], r["name_en"], r["status"])
    return out
