"""The report's sections written from plain data, without a database."""

from __future__ import annotations

from nearzero.accounting.activity import bundled_example, document_for_year, parse_activity
from nearzero.accounting.factors import default_library
from nearzero.accounting.inventory import compute_inventory
from nearzero.reports.model import NOT_WRITTEN_ZH, Paragraph, Table
from nearzero.reports.sections import SECTIONS
from nearzero.reports.sections.editable import editable_blocks
from nearzero.reports.sections.enterprises import enterprises_blocks
from nearzero.reports.sections.inventory import inventory_blocks


def test_the_office_text_is_one_paragraph_a_line_or_says_it_is_not_written():
    assert editable_blocks(" 一是数据报送不及时。\r\n\n 二是清单未编制。 ") == [
        Paragraph("一是数据报送不及时。"),
        Paragraph("二是清单未编制。"),
    ]
    assert editable_blocks("  \n ") == [Paragraph(NOT_WRITTEN_ZH)]


def test_the_enterprise_section_is_not_built_and_says_no_data():
    assert enterprises_blocks() is None
    assert next(s for s in SECTIONS if s.key == "enterprises").title_zh == "企业与“两高”项目"


def test_the_inventory_section_from_a_result():
    library = default_library()
    rows, metadata = parse_activity(document_for_year(bundled_example(), 2022), library)
    result = compute_inventory(rows, library, "AR5", metadata, 2022)
    blocks = inventory_blocks(result, 7, "济南市章丘区")
    first = blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text.startswith("2022年")
    assert "658.43万吨二氧化碳当量" in first.text and "#7" not in first.text  # no run id
    notes = " ".join(b.text for b in blocks if isinstance(b, Paragraph))
    assert "cn_ncv_raw_coal" not in notes and "原煤低位发热量" in notes
    assert isinstance(blocks[1], Table) and "清单汇总表（万吨二氧化碳当量" in blocks[1].caption
