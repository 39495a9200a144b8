"""Footprint factors: a family apart, chosen by year, every row cited and to be confirmed."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from nearzero.accounting.factors import FACTOR_COLUMNS, default_library
from nearzero.footprint.factors import (
    FOOTPRINT_FILES,
    PEDIGREE_FILE,
    FactorFamilyError,
    electricity_factor,
    footprint_factor,
    pedigree_table,
    require_footprint,
)
from nearzero.footprint.model import FootprintError


def test_electricity_footprint_factors_by_year():
    # reference/enterprise_mrv.md §2: 2023 national 0.6205, 2024 national 0.5777 kgCO2e/kWh
    assert electricity_factor(2023).value == 0.6205
    assert electricity_factor(2024).value == 0.5777
    assert electricity_factor(2023, "wind").value == 0.0336
    assert electricity_factor(2023, "pv").value == 0.0545
    assert electricity_factor(2023, "biomass").value == 0.0457
    assert electricity_factor(2023).unit == "kgCO2e/kWh"
    with pytest.raises(FootprintError, match="no electricity footprint factor for 'national' in"):
        electricity_factor(2022)


def test_not_verified_rows_are_to_confirm():
    # the reference marks these [S] (secondary reprint), not verified: ship as to_confirm
    for year in (2023, 2024):
        assert electricity_factor(year).status == "to_confirm"


def test_emission_family_refused():
    grid = default_library().by_id("cn_grid_2022_national")
    with pytest.raises(FactorFamilyError, match="is an emission factor"):
        require_footprint(grid)
    with pytest.raises(FactorFamilyError):
        footprint_factor("cn_grid_2022_national")
    with pytest.raises(FootprintError, match="no footprint factor 'nothing'"):
        footprint_factor("nothing")


@pytest.mark.parametrize("name", [*FOOTPRINT_FILES, PEDIGREE_FILE])
def test_every_row_cites_its_source(name):
    text = resources.files("nearzero.data").joinpath("footprint", name).read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert rows and tuple(rows[0]) == FACTOR_COLUMNS
    for row in rows:
        for column in ("source_document", "source_table", "year", "status"):
            assert row[column].strip(), (row["id"], column)
        assert row["status"] in ("verified", "to_confirm")


def test_pedigree_table_shape():
    table, records = pedigree_table()
    assert table.shape == (5, 5) and len(records) == 25
    assert (table[:, 0] == 0).all()  # score 1 adds nothing
    assert (table[:, 1:] >= table[:, :-1]).all()  # worse scores never narrow
