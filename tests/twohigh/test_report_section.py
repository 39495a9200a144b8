"""The report's two-high section from plain data: indicator 4 worded, the balance and every
project's trace in tables, ratios still to be confirmed flagged, no internal identifier."""

from __future__ import annotations

from decimal import Decimal

from nearzero.reports.model import Paragraph, Table
from nearzero.reports.sections.twohigh import BalanceRow, TraceRow, TwoHighYear, twohigh_blocks


def case(share: Decimal | None, substituted: int, to_confirm: bool) -> TwoHighYear:
    trace = TraceRow(
        project_zh="年产110万吨水泥粉磨项目",
        firm_zh="章丘华明水泥有限公司",
        stage_zh="已投产",
        dimension_zh="碳排放",
        new_amount=Decimal("25310"),
        entry_unit="t",
        ratio_text="1:1.1",
        ratio_document="济南市章丘区近零碳城市示范创建实施方案",
        to_confirm=to_confirm,
        required=27_841_000,
        substituted=substituted,
        unit="kg",
        sources_zh=(("示例替代源", substituted),) if substituted else (),
    )
    balance = BalanceRow("碳排放", "kg", 27_841_000, 0, 0, 27_841_000, 0)
    return TwoHighYear(1, 1 if substituted else 0, share, (balance,), (trace,), ())


def text(blocks) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, Table):
            out += [c.text for row in b.rows for c in row] + [b.caption]
    return "\n".join(out)


def test_the_plans_case_worded():
    body = text(twohigh_blocks(case(Decimal(100), 27_841_000, False)))
    assert "新建“两高”项目1个，其中1个已按应替代量落实替代源，执行比例100%，完成" in body
    assert "27,841,000 kg" in body and "示例替代源 27,841,000" in body and "1:1.1" in body
    assert "待确认" not in body
    for identifier in ("huaming", "demo-source", "zq_plan", "co2_kg", "th_"):
        assert identifier not in body


def test_not_met_and_to_confirm_are_said():
    body = text(twohigh_blocks(case(Decimal(0), 0, True)))
    assert "执行比例0%，未完成" in body and "1:1.1（待确认）" in body and "尚待与原文件核对" in body


def test_nothing_to_report_is_none():
    assert twohigh_blocks(TwoHighYear(0, 0, None, (), (), ())) is None
