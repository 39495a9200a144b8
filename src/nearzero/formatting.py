"""Numbers as the plan prints them, for pages, reports and exports alike."""

from __future__ import annotations


def fmt(value: float | None) -> str:
    """A number as the plan prints it: up to 4 decimals, thousands separated, no noise."""
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.4f}".rstrip("0").rstrip(".")
