"""Tables and figures are numbered in document order, whatever capability made them."""

import pytest

from nearzero.reports.model import Cell, Figure, Paragraph, Section, Table, numbered


def table(caption, label=""):
    return Table(("a",), ((Cell("1"),),), caption, label=label)


def test_captions_are_numbered_across_sections_and_references_resolved():
    sections = [
        Section("one", "一、指标", [Paragraph("见{表:keys}与{图:trend}。"), table("主要指标")]),
        Section("two", "二、清单", [Figure(b"png", "趋势", label="trend"), table("", "x")]),
        Section("three", "三、碳普惠", [table("参与情况"), table("注释代码", "keys")]),
    ]
    out = numbered(sections)
    captions = [b.caption for s in out for b in s.blocks if isinstance(b, Table | Figure)]
    # an uncaptioned table takes no number
    assert captions == ["表1  主要指标", "图1  趋势", "", "表2  参与情况", "表3  注释代码"]
    assert out[0].blocks[0] == Paragraph("见表3与图1。")
    assert sections[0].blocks[1].caption == "主要指标"  # the input is left as it was


def test_a_reference_to_a_table_not_in_the_document_is_an_error():
    with pytest.raises(ValueError, match="表:factors"):
        numbered([Section("s", "t", [Paragraph("见{表:factors}。"), table("汇总表")])])
