"""Section 四 温室气体清单: the year's totals, the guideline's summary table and the notes,
written from the year's latest stored inventory run (plain data: the result and the run id).
The run is found by :func:`nearzero.services.inventory.report_blocks`."""

from __future__ import annotations

from nearzero.accounting.inventory import InventoryResult
from nearzero.formatting import fmt
from nearzero.reports.inventory_tables import WAN, notes, summary_tables
from nearzero.reports.model import Block, Paragraph


def inventory_blocks(result: InventoryResult, run_id: int, unit_name_zh: str) -> list[Block]:
    """The totals with and without LULUCF [万吨CO2e], table 2 of the provincial guideline's
    summary and the notes of ``result`` (run ``run_id``, kept out of the document: it is an
    internal number); the region defaults to the unit."""
    t = result.totals
    text = (
        f"{result.year}年{result.region or unit_name_zh}"
        "温室气体排放总量（不包括土地利用变化和林业）为"
        f"{fmt(round(t.direct_excl_lulucf * WAN, 2))}万吨二氧化碳当量，包括土地利用变化和林业为"
        f"{fmt(round(t.direct_incl_lulucf * WAN, 2))}万吨二氧化碳当量。"
    )
    _, table2 = summary_tables(result)
    plain = notes(result, plain=True)
    return [Paragraph(text), table2, *(Paragraph(n) for n in plain)]
