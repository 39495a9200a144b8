"""The district's emission-indicator bank (碳排放指标台账) as a chart of the generic ledger.

Indicators are kept per source lot, so every tonne allocated to a project names the source it
came from, and every source shows the projects it went to (the trace both ways):

=================  =======================================  ==============================
account            name                                     holds
=================  =======================================  ==============================
``th_source``      ``<unit>/<source>``  (system)             minus what it deposited
``th_bank``        ``<unit>/<source>``                       banked (收储), free to use
``th_reserved``    ``<unit>/<project>/<source>``             reserved for a project in review
``th_allocated``   ``<unit>/<project>/<source>``             allocated on approval (调配)
``th_retired``     ``<unit>/<project or ->/<source>``        retired (注销), for good
=================  =======================================  ==============================

Movements: deposit (source → bank), reserve (bank → reserved), allocate (reserved or bank →
allocated), release (reserved or allocated → bank), retire (allocated or bank → retired).
Amounts are whole ledger units of a dimension (kg CO2, kg coal, kgce, t/a, kW). The ledger
refuses a balance below zero, so no unit is used twice; the rules here refuse a deposit beyond
a source's verified reduction and a cover beyond a project's requirement.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from nearzero.ledger import Account, Chart, Posting, Trace, Transaction
from nearzero.twohigh.data import dimensions
from nearzero.twohigh.model import TwoHighError

SOURCE, BANK, RESERVED, ALLOCATED, RETIRED = (
    "th_source",
    "th_bank",
    "th_reserved",
    "th_allocated",
    "th_retired",
)
NO_PROJECT = "-"


class Move(StrEnum):
    DEPOSIT = "deposit"  # 收储
    RESERVE = "reserve"  # 预留
    ALLOCATE = "allocate"  # 配置
    RELEASE = "release"  # 释放
    RETIRE = "retire"  # 注销


MOVE_ZH = {
    Move.DEPOSIT: "收储",
    Move.RESERVE: "预留",
    Move.ALLOCATE: "配置",
    Move.RELEASE: "释放",
    Move.RETIRE: "注销",
}

TWOHIGH_CHART = Chart(
    name="two-high",
    assets={d.asset: f"{d.name_zh}（{d.ledger_unit}）" for d in dimensions().values()},
    kinds={
        SOURCE: "替代源",
        BANK: "收储指标",
        RESERVED: "预留指标",
        ALLOCATED: "已配置指标",
        RETIRED: "已注销指标",
    },
    system=frozenset({SOURCE}),
    transactions=frozenset(Move),
)
"""The two-high indicator ledger's chart: one asset per dimension, the five kinds above."""

# Where each movement may take from, and where it puts to.
ORIGINS: Mapping[Move, tuple[str, ...]] = {
    Move.DEPOSIT: (SOURCE,),
    Move.RESERVE: (BANK,),
    Move.ALLOCATE: (RESERVED, BANK),
    Move.RELEASE: (RESERVED, ALLOCATED),
    Move.RETIRE: (ALLOCATED, BANK),
}
TARGET: Mapping[Move, str] = {
    Move.DEPOSIT: BANK,
    Move.RESERVE: RESERVED,
    Move.ALLOCATE: ALLOCATED,
    Move.RELEASE: BANK,
    Move.RETIRE: RETIRED,
}

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")


def check_code(value: str, field_name: str) -> str:
    """A project, source or unit code as it appears in account names."""
    if not CODE.fullmatch(value):
        raise TwoHighError(
            field_name,
            f"{value!r}（只能用字母、数字及_ . -，最多40个字符，不含空格和/） — "
            f"{value!r} (letters, digits, _ . -; at most 40; no spaces or /)",
        )
    return value


def account(kind: str, unit: str, source: str, project: str | None) -> Account:
    if kind in (SOURCE, BANK):
        return Account(kind, f"{unit}/{source}")
    return Account(kind, f"{unit}/{project or NO_PROJECT}/{source}")


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement of ``amount`` whole units of ``asset`` of a source's lot.

    origin : the kind of account it takes from (one of :data:`ORIGINS` of ``move``).
    project : the project it is for (none for a deposit or a retirement from the bank).
    """

    move: Move
    source: str
    asset: str
    amount: int
    project: str | None = None
    origin: str = ""

    def resolved_origin(self) -> str:
        return self.origin or ORIGINS[self.move][0]


def transaction(
    unit: str, m: Movement, key: str, at: dt.datetime, ref: str = "", memo: str = ""
) -> Transaction:
    """The balanced ledger transaction of a movement (its postings trace source and project)."""
    check_code(unit, "unit")
    check_code(m.source, "source")
    if m.asset not in TWOHIGH_CHART.assets:
        raise TwoHighError(
            "dimension",
            f"{m.asset!r}不是台账的指标类别 — {m.asset!r} is not a dimension of the ledger",
        )
    if isinstance(m.amount, bool) or not isinstance(m.amount, int) or m.amount <= 0:
        raise TwoHighError(
            "amount",
            f"{m.amount!r}（应为大于0的整数） — {m.amount!r} (expected a whole number > 0)",
        )
    origin = m.resolved_origin()
    if origin not in ORIGINS[m.move]:
        raise TwoHighError(
            "origin",
            f"{MOVE_ZH[m.move]}只能取自"
            f"{'、'.join(TWOHIGH_CHART.kinds.get(o, o) for o in ORIGINS[m.move])}，"
            f"不能取自{TWOHIGH_CHART.kinds.get(origin, origin)} — "
            f"{m.move.value} takes from {', '.join(ORIGINS[m.move])}, not {origin}",
        )
    needs_project = m.move in (Move.RESERVE, Move.ALLOCATE) or origin in (RESERVED, ALLOCATED)
    if needs_project and not m.project:
        raise TwoHighError(
            "project", f"{MOVE_ZH[m.move]}须注明项目 — {m.move.value} names the project"
        )
    if m.project:
        check_code(m.project, "project")
    project = m.project if needs_project else None
    records = (f"source:{m.source}",) + ((f"project:{project}",) if project else ())
    trace = Trace(records=records, refs=(ref,) if ref else ())
    take = account(origin, unit, m.source, project)
    put = account(TARGET[m.move], unit, m.source, project)
    return Transaction(
        key=key,
        kind=m.move.value,
        effective_at=at,
        postings=(
            Posting(take, m.asset, -m.amount, trace),
            Posting(put, m.asset, m.amount, trace),
        ),
        memo=memo,
    )


# --------------------------------------------------------------------------- positions


@dataclass
class Lot:
    """A source's lot of one asset: what it deposited and where it went (whole units)."""

    source: str
    asset: str
    deposited: int = 0
    banked: int = 0
    reserved: dict[str, int] = field(default_factory=dict)
    allocated: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)

    def balanced(self) -> bool:
        """Everything deposited is somewhere (banked, reserved, allocated or retired)."""
        spread = sum(self.reserved.values()) + sum(self.allocated.values())
        return self.deposited == self.banked + spread + sum(self.retired.values())


@dataclass
class Cover:
    """What covers a project in one asset, per source (whole units)."""

    reserved: dict[str, int] = field(default_factory=dict)
    allocated: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)

    @property
    def substituted(self) -> int:
        """Allocated and retired: what the project has for good."""
        return sum(self.allocated.values()) + sum(self.retired.values())

    @property
    def total(self) -> int:
        return self.substituted + sum(self.reserved.values())


@dataclass
class Positions:
    """The bank of one unit read from the ledger's balances."""

    lots: dict[tuple[str, str], Lot] = field(default_factory=dict)
    covers: dict[tuple[str, str], Cover] = field(default_factory=dict)

    def lot(self, source: str, asset: str) -> Lot:
        return self.lots.setdefault((source, asset), Lot(source, asset))

    def cover(self, project: str, asset: str) -> Cover:
        return self.covers.setdefault((project, asset), Cover())

    def banked(self) -> dict[str, int]:
        """Free indicators per asset."""
        out: dict[str, int] = defaultdict(int)
        for lot in self.lots.values():
            out[lot.asset] += lot.banked
        return dict(out)


def positions(balances: Mapping[tuple[Account, str], int], unit: str) -> Positions:
    """The unit's lots and project covers from the ledger's balances (the trace both ways)."""
    out = Positions()
    prefix = f"{unit}/"
    for (account, asset), amount in sorted(balances.items()):
        if account.kind not in TWOHIGH_CHART.kinds or not account.name.startswith(prefix):
            continue
        parts = account.name[len(prefix) :].split("/")
        if account.kind in (SOURCE, BANK):
            lot = out.lot(parts[0], asset)
            if account.kind == SOURCE:
                lot.deposited = -amount
            else:
                lot.banked = amount
            continue
        project, source = parts[0], parts[1]
        lot = out.lot(source, asset)
        cover = out.cover(project, asset)
        if account.kind == RESERVED:
            lot.reserved[project] = cover.reserved[source] = amount
        elif account.kind == ALLOCATED:
            lot.allocated[project] = cover.allocated[source] = amount
        else:
            lot.retired[project] = amount
            if project != NO_PROJECT:
                cover.retired[source] = amount
    return out


# --------------------------------------------------------------------------- rules


def check_deposit(pos: Positions, source: str, asset: str, amount: int, verified: int) -> None:
    """A source banks at most its verified reduction in an asset."""
    already = pos.lot(source, asset).deposited
    if already + amount > verified:
        raise TwoHighError(
            "amount",
            f"替代源 {source} 已收储 {already}，再收储 {amount} 超过其核定减排量 {verified} — "
            f"source {source} has {already} deposited; {amount} more exceeds its verified "
            f"reduction {verified}",
        )


def check_cover(pos: Positions, project: str, asset: str, amount: int, required: int) -> None:
    """A project is covered (reserved, allocated, retired) at most up to its requirement."""
    have = pos.cover(project, asset).total
    if have + amount > required:
        raise TwoHighError(
            "amount",
            f"项目 {project} 已落实 {have}，再落实 {amount} 超过其应替代量 {required} — "
            f"project {project} has {have} covered; {amount} more exceeds its required "
            f"substitution {required}",
        )


# --------------------------------------------------------------------------- indicator 4


@dataclass(frozen=True, slots=True)
class Shortfall:
    project: str
    asset: str
    required: int
    substituted: int


@dataclass(frozen=True, slots=True)
class Indicator4:
    """Indicator 4 (“两高”项目碳排放减量替代, 100%执行减量替代), from the ledger.

    counted : new two-high projects going ahead (approved, in construction, in operation).
    substituted : those whose allocated and retired indicators meet every requirement.
    share : substituted / counted × 100 [%], exact; None when no project is counted.
    undecided : projects going ahead without a decided requirement (not substituted).
    """

    counted: int
    substituted: int
    share: Decimal | None
    met: bool | None
    shortfalls: tuple[Shortfall, ...]
    undecided: tuple[str, ...]


def indicator_4(
    going_ahead: Iterable[str],
    required: Mapping[str, Mapping[str, int]],
    pos: Positions,
) -> Indicator4:
    """100% of new two-high projects substituted: each project going ahead has, in every asset
    it must substitute, allocated + retired ≥ required."""
    counted = sorted(set(going_ahead))
    shortfalls: list[Shortfall] = []
    undecided: list[str] = []
    done = 0
    for project in counted:
        needs = required.get(project)
        if not needs:
            undecided.append(project)
            continue
        short = [
            Shortfall(project, asset, need, pos.cover(project, asset).substituted)
            for asset, need in sorted(needs.items())
            if pos.cover(project, asset).substituted < need
        ]
        shortfalls += short
        done += not short
    if not counted:
        return Indicator4(0, 0, None, None, (), ())
    share = Decimal(done) * 100 / Decimal(len(counted))
    return Indicator4(
        len(counted), done, share, done == len(counted), tuple(shortfalls), tuple(undecided)
    )
