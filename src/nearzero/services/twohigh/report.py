"""The annual report's two-high section from the ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nearzero.reports.sections.twohigh import BalanceRow, TraceRow, TwoHighYear, twohigh_blocks
from nearzero.services.twohigh.ledger import ledger_view
from nearzero.store import tables as m
from nearzero.twohigh import data
from nearzero.twohigh.model import STAGE_ZH, Stage


def report_blocks(session: Session, unit: m.DemoUnit, year: int) -> list[Any] | None:
    """The report's two-high section (the ledger as it stands; None when empty)."""
    view = ledger_view(session, unit)
    names = {s.code: s.name for s in view.sources}
    traces = tuple(
        TraceRow(
            project_zh=p.row.name,
            firm_zh=p.row.firm_name,
            stage_zh=STAGE_ZH[Stage(p.row.stage)],
            dimension_zh=r.name_zh,
            new_amount=r.new_amount,
            entry_unit=r.entry_unit,
            ratio_text=f"1:{r.ratio.normalize():f}",
            ratio_document=r.ratio_document,
            to_confirm=r.ratio_status != "verified",
            required=r.required,
            substituted=r.substituted,
            unit=r.ledger_unit,
            sources_zh=tuple((names.get(s, s), a) for s, a in sorted(r.by_source.items())),
        )
        for p in view.projects
        for r in p.requirements
    )
    balance = tuple(
        BalanceRow(
            data.dimension(dim).name_zh,
            data.dimension(dim).ledger_unit,
            row["deposited"],
            row["banked"],
            row["reserved"],
            row["allocated"],
            row["retired"],
        )
        for dim, row in view.balance.items()
    )
    by_code = {p.row.code: p.row.name for p in view.projects}
    ind = view.indicator
    return twohigh_blocks(
        TwoHighYear(
            ind.counted,
            ind.substituted,
            ind.share,
            balance,
            traces,
            tuple(by_code.get(c, c) for c in ind.undecided),
        )
    )
