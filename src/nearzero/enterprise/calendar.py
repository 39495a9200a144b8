"""Monthly evidence calendar (月度信息化存证) for covered firms, and the overdue list.

Each month's parameters and lab reports are due within ``evidence_due_days`` days after the
month ends (``rules.csv``: 40 days, read in a secondary reprint of the MEE notice, status
``to_confirm``). The last day is still in time; the day after, an item not yet filed is
overdue.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from nearzero.enterprise.data import rule
from nearzero.enterprise.model import EnterpriseError, Source

#: What a covered firm files each month (reference §2 additions).
ITEMS: tuple[tuple[str, str], ...] = (
    ("fuel_use", "燃料消耗量（盖章台账扫描件）"),
    ("ncv", "低位发热量"),
    ("element_carbon", "元素碳含量"),
    ("purchased_electricity", "购入电量"),
    ("lab_report", "检测报告（CMA/CNAS，同一样品测元素碳、发热量、氢、全硫、水分）"),
    ("production", "生产数据（供电量、供热量、负荷率）"),
)
#: The same items named in English (for the pages in English).
ITEMS_EN: tuple[tuple[str, str], ...] = (
    ("fuel_use", "fuel consumption (scan of the stamped ledger)"),
    ("ncv", "net calorific value"),
    ("element_carbon", "elemental carbon content"),
    ("purchased_electricity", "purchased electricity"),
    (
        "lab_report",
        "test report (CMA/CNAS; elemental carbon, calorific value, hydrogen, total sulphur and "
        "moisture of the same sample)",
    ),
    ("production", "production data (power and heat supplied, load factor)"),
)


@dataclass(frozen=True)
class DueItem:
    """One evidence item of one firm and month, and its due date."""

    firm_key: str
    year: int
    month: int
    item: str
    due: date

    @property
    def key(self) -> tuple[str, int, int, str]:
        """``(firm, year, month, item)``: what a filing is matched on."""
        return (self.firm_key, self.year, self.month, self.item)


def due_rule() -> Source:
    """The source and status of the due-date rule."""
    return rule("evidence_due_days").source()


def due_date(year: int, month: int) -> date:
    """Last day on which the evidence of ``month`` is in time: month end + the rule's days."""
    if not 1 <= month <= 12:
        raise EnterpriseError("month", f"{month}（月份应为1-12） — {month} (expected 1-12)")
    days = int(rule("evidence_due_days").decimal("value"))
    end = date(year, month, _calendar.monthrange(year, month)[1])
    return end + timedelta(days=days)


def monthly_items(
    firm_key: str, year: int, months: Sequence[int] = tuple(range(1, 13))
) -> list[DueItem]:
    """Every evidence item a covered firm owes for ``months`` of ``year``."""
    return [
        DueItem(firm_key, year, m, item, due_date(year, m)) for m in months for item, _ in ITEMS
    ]


def overdue(
    items: Sequence[DueItem], filed: Collection[tuple[str, int, int, str]], as_of: date
) -> list[DueItem]:
    """Items not filed whose due date is before ``as_of``, oldest first."""
    return sorted(
        (i for i in items if i.key not in filed and as_of > i.due),
        key=lambda i: (i.due, i.firm_key, i.item),
    )
