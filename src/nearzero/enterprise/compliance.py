"""ETS compliance (配额清缴履约): allocated vs verified, surplus or shortfall, CCER within its
cap, surrendered or not; task targets T11 and T12 counted from it, never typed in.

All amounts are whole tonnes (allowances are issued per tCO2) and are compared as integers or
exact Decimals: a firm that surrenders exactly its verified emissions has complied; CCER up to
exactly the cap counts.

- Balance = allocated − verified: surplus when > 0, shortfall when < 0.
- CCER cap: CCER used ≤ ``ccer_offset_cap`` % of the verified emissions (``rules.csv``; the
  value 5 % is ``to_confirm``, see its row); CCER beyond the cap does not count.
- Complied: allowances surrendered + CCER counted ≥ verified emissions.
- T12 (plan 四（一）3): power firms that complied in the year.
- T11 (plan 四（一）3): key emitting units whose report of the year is verified (or confirmed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from nearzero.enterprise.data import rule
from nearzero.enterprise.model import EnterpriseError, Source
from nearzero.enterprise.workflow import State


class Position(StrEnum):
    """Allocated vs verified."""

    SURPLUS = "surplus"
    BALANCED = "balanced"
    SHORTFALL = "shortfall"
    NOT_VERIFIED = "not_verified"


def _tonnes(value: int | None, field_name: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise EnterpriseError(
            field_name,
            f"{value!r}（应为整吨数，即整数） — {value!r} (expected whole tonnes, an integer)",
        )
    if value < 0:
        raise EnterpriseError(
            field_name, f"{value}为负数（应≥0吨） — {value} is negative (expected ≥ 0 t)"
        )
    return value


@dataclass(frozen=True)
class ComplianceYear:
    """One covered firm's compliance year [t CO2, whole tonnes].

    ``verified`` is ``None`` before verification; ``surrendered`` is ``None`` before the firm
    surrenders.
    """

    firm_key: str
    name_zh: str
    year: int
    sector: str
    allocated: int
    verified: int | None = None
    ccer_used: int = 0
    surrendered: int | None = None
    illustrative: bool = False


@dataclass(frozen=True)
class ComplianceResult:
    """The compliance position of one firm and year."""

    entry: ComplianceYear
    balance: int | None
    position: Position
    ccer_cap: Decimal | None
    ccer_within_cap: bool | None
    ccer_counted: int
    complied: bool | None
    rule: Source


def assess(entry: ComplianceYear) -> ComplianceResult:
    """Surplus or shortfall, the CCER cap, and whether the firm complied (see module)."""
    _tonnes(entry.allocated, "allocated")
    verified = _tonnes(entry.verified, "verified", optional=True)
    ccer = _tonnes(entry.ccer_used, "ccer_used")
    surrendered = _tonnes(entry.surrendered, "surrendered", optional=True)
    cap_rule = rule("ccer_offset_cap")
    if verified is None:
        return ComplianceResult(
            entry, None, Position.NOT_VERIFIED, None, None, 0, None, cap_rule.source()
        )
    assert ccer is not None
    balance = entry.allocated - verified
    position = (
        Position.SURPLUS
        if balance > 0
        else Position.SHORTFALL
        if balance < 0
        else Position.BALANCED
    )
    cap = Decimal(verified) * cap_rule.decimal("value") / 100
    within = Decimal(ccer) <= cap
    counted = ccer if within else int(cap.to_integral_value(rounding=ROUND_FLOOR))
    complied = None if surrendered is None else surrendered + counted >= verified
    return ComplianceResult(
        entry, balance, position, cap, within, counted, complied, cap_rule.source()
    )


def t12(results: Sequence[ComplianceResult], year: int) -> tuple[int, tuple[str, ...]]:
    """T12: how many power firms complied in ``year``, and which."""
    keys = tuple(
        r.entry.firm_key
        for r in results
        if r.entry.year == year and r.entry.sector == "power" and r.complied
    )
    return len(keys), keys


@dataclass(frozen=True)
class ReportStatus:
    """A key emitting unit's report of a year and its workflow state."""

    firm_key: str
    year: int
    state: State
    key_emitting_unit: bool = True


def t11(statuses: Sequence[ReportStatus], year: int) -> tuple[int, tuple[str, ...]]:
    """T11: how many key emitting units' reports of ``year`` are verified or confirmed."""
    done = (State.VERIFIED, State.CONFIRMED)
    keys = tuple(
        dict.fromkeys(
            s.firm_key
            for s in statuses
            if s.year == year and s.key_emitting_unit and s.state in done
        )
    )
    return len(keys), keys
