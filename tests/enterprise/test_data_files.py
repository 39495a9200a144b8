"""The bundled enterprise data: a source and a status on every row; verified vs to_confirm."""

from importlib import resources

import pytest

from nearzero.enterprise.data import CSV_FILES, DataFileError, load_csv, parse_csv, to_confirm_rows

FILES = list(CSV_FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_row_has_a_source_and_a_status(name):
    rows = load_csv(name)
    assert rows
    for row in rows:
        source = row.source()
        assert source.document and source.status in ("verified", "to_confirm"), row.row_id
        assert source.year is not None, row.row_id


def test_status_follows_the_reference():
    ids = {r.row_id: r.text("status") for n in FILES for r in load_csv(n)}
    # verified in the reference
    for key in (
        "ets_grid_2021_2022",
        "ets_grid_from2023",
        "cement_clinker",
        "key_emitter_emissions",
    ):
        assert ids[key] == "verified", key
    # unverified or only in secondary copies: shipped, flagged
    for key in (
        "power_cc_coal_2021_2022",
        "gb32150_cc_natural_gas",
        "gb2589_electricity",
        "methanol_bituminous",
        "gen_grid_2022_shandong",
        "evidence_due_days",
    ):
        assert ids[key] == "to_confirm", key
    flagged = {s.row_id for s in to_confirm_rows()}
    assert flagged == {k for k, status in ids.items() if status == "to_confirm"}


def test_a_row_without_status_is_refused():
    text = "id,source_document,source_table,source_clause,source_year,status,note\nx,d,,,2020,,\n"
    with pytest.raises(DataFileError, match="line 2, column 'status'"):
        parse_csv(text, "t.csv")


def test_examples_are_labelled_illustrative():
    folder = resources.files("nearzero.data").joinpath("enterprise", "examples")
    for entry in folder.iterdir():
        text = entry.read_text(encoding="utf-8")
        assert "示例" in text and "illustrative: true" in text, entry.name
