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


def china_today() -> dt.date:
    """Today's date in China Standard Time (the date a report or a dossier is dated)."""
    return dt.datetime.now(CHINA_TZ).date()


def china_time(value: dt.datetime | None, seconds: bool = False) -> str:
    """A stored time in China Standard Time, ``2026-12-05 09:30`` (a naive time is UTC, as
    the store writes it)."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


#: The plan's units in English (the pages in English show these; values stay in the plan's).
UNITS_EN: dict[str, str] = {
    "吨": "t",
    "万吨": "10⁴ t",
    "吨/万元": "t / 10⁴ yuan",
    "万吨标准煤": "10⁴ tce",
    "吨标准煤": "tce",
    "吨/人": "t per person",
    "kg/公顷": "kg/ha",
    "公顷": "ha",
    "亩": "mu",
    "辆": "vehicles",
    "个": "count",
    "家": "firms",
    "项": "items",
    "人": "persons",
    "立方米": "m³",
    "万立方米": "10⁴ m³",
    "亿立方米": "10⁸ m³",
    "m2/人": "m² per person",
    "万元": "10⁴ yuan",
    "亿元": "10⁸ yuan",
    "万千瓦": "10⁴ kW",
}


def unit_en(unit: str) -> str:
    """The plan's (Chinese) unit in English, for the pages and texts in English; a unit
    without an English name (or already in symbols) as it is."""
    return UNITS_EN.get(unit.strip(), unit)
