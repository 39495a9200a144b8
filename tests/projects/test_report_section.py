"""The annual report's key-projects section from plain data (no database)."""

import datetime as dt

from nearzero.indicators.choices import Status
from nearzero.projects.choices import Stage
from nearzero.projects.parameters import Parameter
from nearzero.reports.model import Paragraph, Table
from nearzero.reports.sections.projects import ProjectLine, blocks

GRID = Parameter("grid_ef", 0.5703, "t CO2/MWh", "生态环境部 国家统计局公告", "verified", year=2022)
HOURS = "年利用小时数（gas_chp_full_load_hours）"


def line(number, stage, percent, reduction=None, captured=None, missing="", departments=()):
    return ProjectLine(
        number=number,
        category_zh="能源低碳转型",
        name_zh=f"工程{number}",
        content_zh=f"工程{number}的内容",
        due_text="2024年底",
        stage=stage,
        percent=percent,
        reduction_t=reduction,
        captured_t=captured,
        missing_zh=missing,
        departments_zh=departments,
    )


LINES = [
    line(1, Stage.DONE, 100, reduction=12000.0, departments=("区发展和改革局",)),
    line(2, Stage.LATE, 40, missing=HOURS, departments=("区发展和改革局", "区住房和城乡建设局")),
    line(3, Stage.UNDER_WAY, 50, captured=5000.0),
    line(4, Stage.PLANNED, 0),
]


def test_counts_table_reductions_and_what_is_missing():
    out = blocks(LINES, dt.date(2024, 12, 31), GRID)
    assert out[0] == Paragraph(
        "实施方案列出重点工程4项。截至2024年12月31日，已完成1项，逾期1项，实施中1项，未开工1项。"
    )
    table = out[1]
    assert isinstance(table, Table)
    assert table.caption == "重点工程进展（截至2024年12月31日）"
    assert table.headers[7] == "预计年减排量（吨CO2）" and table.wide
    first, late, captured, planned = table.rows
    assert [c.text for c in first] == [
        "1",
        "能源低碳转型",
        "工程1",
        "工程1的内容",
        "2024年底",
        "已完成",
        "100%",
        "12,000",
        "区发展和改革局",
    ]
    assert first[7].value == 12000.0 and first[7].num
    assert (first[5].status, late[5].status, captured[5].status, planned[5].status) == (
        Status.MET,
        Status.NOT_MET,
        Status.NEEDS_ASSESSMENT,
        None,
    )
    assert late[7].text == "未量化（缺年利用小时数）"  # the name, not its id (issue #12 item 9)
    assert late[8].text == "区发展和改革局、区住房和城乡建设局"
    assert captured[7].text == "捕集5,000（未计入）"
    assert planned[7].text == "—"
    assert out[2] == Paragraph(
        "已量化预计年减排量的工程1项，合计12,000吨CO2/年（1号12,000吨）；"
        "电网排放因子取2022年华北区域0.5703吨CO2/兆瓦时（生态环境部 国家统计局公告），"
        "光伏年利用小时数缺省值的来源与核实状态见各工程页面。"
    )
    assert out[3] == Paragraph("尚不能量化（或计入）减排量的工程1项：2号缺年利用小时数。")
    assert len(out) == 4


def test_nothing_quantified_nor_missing_gives_the_table_only():
    out = blocks([line(4, Stage.PLANNED, 0)], dt.date(2025, 6, 30), GRID)
    assert [type(b) for b in out] == [Paragraph, Table]
    assert out[0] == Paragraph("实施方案列出重点工程1项。截至2025年6月30日，未开工1项。")
