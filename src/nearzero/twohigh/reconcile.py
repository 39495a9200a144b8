"""Reconciliation: a source's reduction should show in the figures of the year after it formed.

A source formed in year Y (a kiln closed, a line cut) claims a reduction R. Its firm's figure
of year Y + 1 should be at least R below the figure of year Y − 1 (the last whole year before
it). A source whose drop falls short, or whose firm has no figure for either year, is listed
for the office to re-check (the rule's 可复核 condition).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Finding(StrEnum):
    SHOWN = "shown"  # 已体现
    SHORT = "short"  # 未完全体现
    NO_FIGURES = "no_figures"  # 缺少年度数据
    NO_FIRM = "no_firm"  # 未关联企业，无法核对
    NOT_YET = "not_yet"  # 次年数据尚未到期


FINDING_ZH = {
    Finding.SHOWN: "已体现",
    Finding.SHORT: "未完全体现",
    Finding.NO_FIGURES: "缺少年度数据",
    Finding.NO_FIRM: "未关联企业，无法核对",
    Finding.NOT_YET: "次年数据尚未到期",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One source's reduction in one dimension against its firm's figures [entry unit]."""

    source: str
    dimension: str
    claimed: Decimal
    before_year: int
    after_year: int
    before: Decimal | None
    after: Decimal | None
    finding: Finding

    @property
    def drop(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.before - self.after

    @property
    def missing(self) -> Decimal | None:
        """How much of the claimed reduction does not show (0 when it shows)."""
        drop = self.drop
        return None if drop is None else max(Decimal(0), self.claimed - drop)


def check_source(
    source: str,
    dimension: str,
    claimed: Decimal,
    formed_on: dt.date,
    figures: Mapping[int, Decimal] | None,
    latest_year: int,
) -> Check:
    """Does ``claimed`` show in ``figures`` (the firm's figure per year; None: no firm)?

    latest_year : the last year whose figures are due; a later after-year is not yet checkable.
    """
    before_year, after_year = formed_on.year - 1, formed_on.year + 1
    if figures is None:
        return Check(
            source, dimension, claimed, before_year, after_year, None, None, Finding.NO_FIRM
        )
    before, after = figures.get(before_year), figures.get(after_year)
    if after_year > latest_year:
        finding = Finding.NOT_YET
    elif before is None or after is None:
        finding = Finding.NO_FIGURES
    elif before - after >= claimed:
        finding = Finding.SHOWN
    else:
        finding = Finding.SHORT
    return Check(source, dimension, claimed, before_year, after_year, before, after, finding)
