"""Numbers and times as the plan's readers expect them, for pages, reports and exports alike."""

from __future__ import annotations

import datetime as dt

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time (北京时间, UTC+8, no daylight saving)."""


def fmt(value: float | None) -> str:
    """A number as the plan prints it: up to 4 decimals, thousands separated, no noise."""
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.4f}".rstrip("0").rstrip(".")


def china_time(value: dt.datetime | None, seconds: bool = False) -> str:
    """A stored time in China Standard Time, ``2026-12-05 09:30`` (a naive time is UTC, as
    the store writes it)."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
