"""The nearzero.inventory.result/1 document: an inventory year written and read back."""

from __future__ import annotations

import json

import pytest

from nearzero.accounting.activity import bundled_example, document_for_year, parse_activity
from nearzero.accounting.codec import (
    RESULT_SCHEMA,
    result_from_dict,
    result_to_dict,
    rounded,
    stable,
)
from nearzero.accounting.factors import default_library
from nearzero.accounting.inventory import compute_inventory


@pytest.fixture(scope="module")
def result_2022():
    library = default_library()
    rows, metadata = parse_activity(document_for_year(bundled_example(), 2022), library)
    return compute_inventory(rows, library, "AR5", metadata, 2022)


def test_a_result_read_back_is_the_result_as_stored(result_2022):
    doc = result_to_dict(result_2022)
    assert doc["schema"] == RESULT_SCHEMA and doc["year"] == 2022 and doc["gwp_set"] == "AR5"
    # the document is plain JSON
    assert json.loads(json.dumps(doc)) == doc
    back = result_from_dict(doc)
    assert result_to_dict(back) == doc
    assert stable(back) == back
    assert len(back.records) == len(result_2022.records)
    assert back.lineage.factor_refs == result_2022.lineage.factor_refs
    assert back.totals.direct_excl_lulucf == pytest.approx(
        result_2022.totals.direct_excl_lulucf, rel=1e-9
    )
    # the illustrative Zhangqiu 2022 year: 658.43万吨 CO2e without LULUCF (the report's figure)
    assert round(back.totals.direct_excl_lulucf / 10_000, 2) == 658.43


def test_numbers_are_stored_to_ten_significant_digits():
    assert rounded(1 / 3) == 0.3333333333
    assert rounded(123_456_789.123_456) == 123_456_789.1
    assert rounded(0.0) == 0.0 and rounded(float("inf")) == float("inf")


def test_another_schema_is_refused():
    with pytest.raises(ValueError, match="nearzero.inventory.result/1"):
        result_from_dict({"schema": "nearzero.inventory-activity/1"})
