"""Section 六 企业与“两高”项目 of the annual report: a unit with firms and reports shows it
(on SQLite and PostgreSQL), the figures worked by hand in tests/enterprise/firms_2022.py;
the wording from plain data without a database."""

from __future__ import annotations

import re

from enterprise import firms_2022 as ex
from nearzero.reports.model import Paragraph, Table
from nearzero.reports.sections.enterprises import CrossRow, EnterpriseYear, enterprises_blocks
from nearzero.services import report as svc
from nearzero.services.indicators import get_unit
from nearzero.store.db import transaction


def _text(blocks):
    return "\n".join(b.text for b in blocks if isinstance(b, Paragraph))


def test_a_unit_with_firms_and_reports_has_its_enterprise_section(sessions):
    with transaction(sessions) as session:
        ex.load(session)
    with transaction(sessions) as session:
        report = svc.build_report(session, get_unit(session, "zhangqiu"), ex.YEAR)
    section = next(s for s in report.sections if s.key == "enterprises")
    assert section.title == "六、企业与“两高”项目" and not section.empty
    text = _text(section.blocks)
    assert "已登记企业3家，2022年度有3家企业录入温室气体排放报告" in text
    assert "草稿1家、已提交1家、已确认1家" in text
    # 1,796.667 + 4,110.773 + 53,271.429 + 2,750 − 1,100 (hand-worked, see firms_2022)
    total = ex.POWER_FUEL + ex.CEMENT_FUEL + ex.CLINKER + ex.AMMONIA - ex.RECOVERED
    assert round(total, 2) == 60828.87
    assert "报告合计二氧化碳排放量60,828.87吨（1家采用核查数，2家采用报告数）" in text
    assert "化石燃料燃烧5,907.44吨" in text and "回收利用（扣减）1,100吨" in text
    assert "重点排放单位候选1家" in text  # the cement firm, 57,382 t ≥ 26,000 t
    assert "化石能源消费量大于2000吨标准煤的0家" in text  # 682 and 1,501 tce
    # T11: the covered power firm's report is confirmed; T12: it surrendered 1,797 ≥ 1,797
    assert "重点排放单位1家，2022年度报告已核查或确认的1家（任务目标T11）" in text
    assert "发电企业1家中完成配额清缴的1家（任务目标T12）" in text
    assert "配额盈余1家、合计203吨" in text  # 2,000 − 1,797
    assert "本年度尚未录入主要产品的能效数据，本部分尚无数据" in text
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert table.rows[0][0].text == "1.A.1.a 公用电力与热力生产"
    assert abs(table.rows[0][2].value - ex.POWER_FUEL) < 1e-6
    assert table.rows[0][5].text == "核查数"
    assert "待确认" in text  # the category ↔ industry mapping is to be confirmed
    # no internal identifiers: no firm keys, factor or field names
    assert not re.search(r"ex_power|ex_cement|boiler_coal|carbon_content|to_confirm", text)


def test_a_unit_without_enterprise_data_for_the_year_says_no_data(sessions):
    with transaction(sessions) as session:
        report = svc.build_report(session, get_unit(session, "zhangqiu"), 2022)
    assert next(s for s in report.sections if s.key == "enterprises").empty


def test_figures_on_unconfirmed_defaults_are_flagged():
    data = EnterpriseYear(
        "某区",
        2024,
        registered=1,
        states={"已提交": 1},
        totals={"fuel": 100.0, "total": 100.0},
        totals_reported=1,
        to_confirm_totals=True,
        key_units=1,
        t11=0,
        power_covered=1,
        t12=1,
        covered_with_allowance=1,
        shortfall_t=50,
        shortfall_firms=1,
        compliance_to_confirm=True,
    )
    text = _text(enterprises_blocks(data) or [])
    assert "报告合计二氧化碳排放量100吨（待确认）（1家采用报告数）" in text
    assert "尚待与官方文件核对的缺省值" in text
    assert "完成配额清缴的1家（待确认）（任务目标T12）" in text
    assert "配额缺口1家、合计50吨" in text and "盈余" not in text


def test_the_wording_from_plain_data():
    blocks = enterprises_blocks(
        EnterpriseYear(
            "某区",
            2024,
            registered=2,
            crosscheck=(CrossRow("2.A.1", "水泥生产", 100.0, 80.0, 20.0, 80.0, "mixed"),),
            to_confirm_documents=("某文件, 表1 (2024)",),
        )
    )
    assert blocks is not None
    text = _text(blocks)
    assert "2024年度尚无企业提交温室气体排放报告，本部分尚无数据" in text
    assert "本年度尚无可供筛查的企业报告" in text
    assert "尚无纳入碳排放权交易的企业登记" in text
    assert text.endswith("涉及：某文件, 表1 (2024)。")
    table = next(b for b in blocks if isinstance(b, Table))
    assert [c.text for c in table.rows[0]] == [
        "2.A.1 水泥生产",
        "100",
        "80",
        "20",
        "80%",
        "核查数与报告数",
    ]
    assert enterprises_blocks(None) is None
