"""Required substitution of a two-high project: its new amount per dimension × the ratio in
force, as whole ledger units.

Shandong: substitution amount = project emissions × industry coefficient
(山东省高耗能高排放建设项目碳排放减量替代办法（试行）, reference §2.1 [VERIFIED]); capacity at
≥ 1:2 … 1:1.2 by segment (鲁政办字〔2021〕57号 [S]). The plan's case: a cement grinding
project at 1:1.1 "reducing 2,531 t" — the substitution exceeds the new emissions by 0.1 × E,
so E = 25,310 t and the substitution 27,841 t (:func:`net_reduction`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from nearzero.twohigh.model import Dimension, Ratio, TwoHighError
from nearzero.units import convert_exact


def to_ledger_units(amount: Decimal, dim: Dimension, *, field: str, up: bool) -> int:
    """``amount`` [dim.entry_unit] as whole [dim.ledger_unit], converted exactly.

    up : round a fraction up (a requirement never falls short) or down (a source never banks
    more than was verified).
    """
    if not amount.is_finite():
        raise TwoHighError(
            field,
            f"{amount}不是有限数值[{dim.entry_unit}] — "
            f"{amount} is not a finite number [{dim.entry_unit}]",
        )
    exact = convert_exact(amount, dim.entry_unit, dim.ledger_unit)
    return int(exact.to_integral_value(ROUND_CEILING if up else ROUND_FLOOR))


def from_ledger_units(amount: int, dim: Dimension) -> Decimal:
    """Whole [dim.ledger_unit] back in [dim.entry_unit], exactly."""
    return convert_exact(Decimal(amount), dim.ledger_unit, dim.entry_unit)


def applicable_ratios(
    ratios: Iterable[Ratio], segment: str, dimension: str, on: dt.date
) -> list[Ratio]:
    """The ``always`` ratios in force on ``on`` for the segment and dimension: each document's
    own row for the segment, else its ``*`` row; highest first."""
    by_document: dict[str, Ratio] = {}
    for r in ratios:
        if r.dimension != dimension or r.applies != "always" or not r.in_force(on):
            continue
        if r.segment == segment or (r.segment == "*" and r.document not in by_document):
            by_document[r.document] = r
    return sorted(by_document.values(), key=lambda r: (-r.ratio, r.id))


def choose_ratio(
    ratios: Iterable[Ratio],
    segment: str,
    dimension: str,
    on: dt.date,
    named: str | None = None,
) -> Ratio:
    """The ratio a project is decided under: the one its approval names (``named``), or the
    highest of the documents in force (each rule must hold, so the strictest binds)."""
    pool = list(ratios)
    if named:
        for r in pool:
            if r.id == named:
                if r.dimension != dimension:
                    raise TwoHighError(
                        "ratio",
                        f"{named}是{r.dimension}的替代比例，不适用于{dimension} — "
                        f"{named} is a ratio for {r.dimension}, not {dimension}",
                    )
                if r.segment not in ("*", segment):
                    raise TwoHighError(
                        "ratio",
                        f"{named}是行业{r.segment}的替代比例 — "
                        f"{named} is a ratio for segment {r.segment}",
                    )
                return r
        raise TwoHighError("ratio", f"没有替代比例{named!r} — no ratio {named!r}")
    found = applicable_ratios(pool, segment, dimension, on)
    if not found:
        raise TwoHighError(
            "ratio",
            f"{on}没有适用于行业{segment}、{dimension}的有效替代比例；"
            "请先由办公室录入文件规定的比例 — "
            f"no ratio in force on {on} for segment {segment} and dimension {dimension}; "
            "the office enters the document's ratio first",
        )
    return found[0]


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a project must substitute in one dimension, and the ratio it was decided under.

    new_amount : the project's new amount [dimension.entry_unit], signed as computed.
    required : whole [dimension.ledger_unit]; 0 when the new amount is not positive.
    """

    dimension: Dimension
    new_amount: Decimal
    ratio: Ratio
    required: int


def requirement(new_amount: Decimal, dim: Dimension, ratio: Ratio) -> Requirement:
    """Required substitution = new amount × ratio, rounded up to whole ledger units."""
    if ratio.dimension != dim.code:
        raise TwoHighError(
            "ratio",
            f"{ratio.id}适用于{ratio.dimension}，不适用于{dim.code} — "
            f"{ratio.id} is for {ratio.dimension}, not {dim.code}",
        )
    product = new_amount * ratio.ratio
    required = to_ledger_units(product, dim, field=dim.code, up=True) if product > 0 else 0
    return Requirement(dim, new_amount, ratio, required)


def net_reduction(req: Requirement) -> Decimal:
    """What the substitution takes out beyond the project's own new amount [entry unit]:
    substitution − new amount (the plan's "减少碳排放2531吨")."""
    return from_ledger_units(req.required, req.dimension) - req.new_amount
