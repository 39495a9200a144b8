"""Inventory use cases on SQLite and PostgreSQL: load, series, recalculation after a local
factor, feeding indicators 1–3 and 13 with the lineage in the audit log, rejected files."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from nearzero.accounting.activity import bundled_example, document_for_year
from nearzero.accounting.codec import result_from_dict
from nearzero.services import audit, indicators as indicator_service, inventory as svc
from nearzero.services.context import Actor, InvalidInput, PermissionDenied, Role
from nearzero.store.db import transaction
from nearzero.store.tables.inventory import InventoryDataset, InventoryFactor, InventoryRun

OFFICE = Actor("office", Role.ADMIN)
DRC = Actor("drc", Role.EDITOR, "drc", unit_id=1)
COAL_NCV = svc.LocalFactorInput(
    "zq_ncv_coal", "ncv", "原煤", 22.0, "GJ/t", "章丘区能源统计（示例），表3，第12页"
)


def example_for(year: int, coal_power_wan_t: float) -> bytes:
    doc = document_for_year(bundled_example(), 2022, as_year=year)  # copy-forward
    doc["rows"][0]["quantity"] = coal_power_wan_t
    return json.dumps(doc, ensure_ascii=False).encode()


def unit_of(session):
    return indicator_service.get_unit(session, "zhangqiu")


def counts(session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(t))
        for t in (InventoryDataset, InventoryRun, InventoryFactor)
    )


def test_load_series_and_recalculation(sessions):
    with transaction(sessions) as session:
        unit = unit_of(session)
        first = svc.load_example(session, OFFICE, unit)
        svc.load_dataset(session, OFFICE, unit, "2023.json", example_for(2023, 100.0), 2023)
    with transaction(sessions) as session:
        unit = unit_of(session)
        series = svc.series(session, unit)
        assert list(series) == [2020, 2021, 2022, 2023]  # the example's three years + 2023
        assert first.year == 2022
        t22, t23 = series[2022].totals, series[2023].totals
        # 6575467.55 with Table 2.2's CH4 for every sector, + 8824.75 t CO2e by hand: coal in
        # 1.A.2 at Table 2.3's 10 kg CH4/TJ and gas in 1.A.4 at Tables 2.4/2.5's 5 kg CH4/TJ,
        # (29748.95 TJ × 9 + 11857.25 TJ × 4) kg × GWP 28 (AR5)
        assert t22.direct_excl_lulucf == pytest.approx(6584292.30, rel=1e-9)
        # forest stock 142.8 -> 113.73万 m³ (indicator 31) × BCEF 0.6 × (1 + R 0.29) × CF 0.47
        forest = (142.8 - 113.73) * 1e4 * 0.6 * 1.29 * 0.47 * 44 / 12
        assert t22.direct_incl_lulucf == pytest.approx(6584292.30 + forest, rel=1e-9)
        # 42.285万吨 less coal for power: CO2 falls by that share of the row's CO2
        coal_row = next(r for r in series[2022].records if r.row_id == "energy-coal-power")
        assert t22.direct_excl_lulucf - t23.direct_excl_lulucf > 0.29 * coal_row.tco2e
        assert first.factor_versions["china_energy.csv"] == next(
            f.version for f in series[2022].lineage.factor_refs if f.file == "china_energy.csv"
        )
        before = {y: r.totals.direct_excl_lulucf for y, r in series.items()}
        recalc = svc.set_local_factor(session, OFFICE, unit, COAL_NCV)
        assert sorted(r.year for r in recalc.runs) == [2020, 2021, 2022, 2023]
        changed = {(c["year"], c["row_id"], c["gas"]) for c in recalc.changes}
        for year in (2020, 2021, 2022):
            assert (year, "energy-coal-power", "CO2") in changed
        assert (2023, "energy-coal-industry", "CH4") in changed
        assert not any(c["row_id"].startswith("waste") for c in recalc.changes)
        for c in recalc.changes:
            assert c["changed_factors"] == ["cn_ncv_raw_coal", "zq_ncv_coal"]
            assert c["new_tco2e"] / c["old_tco2e"] == pytest.approx(22.0 / 20.908, rel=1e-8)
    with transaction(sessions) as session:
        unit = unit_of(session)
        after = svc.series(session, unit)
        for year in (2020, 2021, 2022, 2023):
            assert after[year].totals.direct_excl_lulucf > before[year]
            assert "zq_ncv_coal" in after[year].lineage.local
        (entry,) = audit.entries(session, "inventory_factor", "zq_ncv_coal")
        assert entry.actor == "office" and entry.new["source"] == COAL_NCV.source
        svc.delete_local_factor(session, OFFICE, unit, "zq_ncv_coal")
        back = svc.series(session, unit)[2022].totals.direct_excl_lulucf
        assert back == pytest.approx(before[2022], rel=1e-9)
        assert counts(session) == (4, 12, 0)  # runs: 3 + 1 loaded, 4 + 4 recalculated


def test_feeding_indicators_writes_values_with_lineage(sessions):
    with transaction(sessions) as session:
        unit = unit_of(session)
        run = svc.load_example(session, OFFICE, unit)
        with pytest.raises(InvalidInput, match="illustrative"):
            svc.feed_indicators(session, OFFICE, unit, 2022)
        with pytest.raises(PermissionDenied):
            svc.feed_indicators(session, DRC, unit, 2022, allow_illustrative=True)
        industry = svc.IndustryValueAdded(4_000_000, "章丘区统计年鉴2023（示例）")
        values = svc.feed_indicators(session, OFFICE, unit, 2022, industry, True)
    result = result_from_dict(run.result)
    co2 = sum(r.tco2e for r in result.records if r.gas == "CO2" and r.sector != "lulucf")
    industrial = sum(
        r.tco2e for r in result.records if r.gas == "CO2" and r.category in ("1.A.1.a", "1.A.2")
    )
    assert values["1"] == pytest.approx(co2)
    assert values["2"] == pytest.approx(co2 / 1100233.7)
    assert values["3"] == pytest.approx(co2 / 1120.7e4)
    assert values["13"] == pytest.approx(industrial / 4_000_000)
    with transaction(sessions) as session:
        unit = unit_of(session)
        for code in ("1", "2", "3", "13"):
            (view,) = indicator_service.catalogue(session, unit, code)
            assert view.record.values[2022] == pytest.approx(values[code])
            entry = indicator_service.history(session, unit, code)[0]
            assert entry.action == "value.set" and entry.actor == "office"
            assert entry.new["source"] == f"温室气体清单（run {run.id}, GWP AR5）"
            assert f"清单运行 #{run.id}" in entry.new["evidence"]
            assert "china_energy.csv@" in entry.new["evidence"]
            assert "示例（部分数据为假设）" in entry.new["evidence"]
            assert entry.old["value"] is not None  # the plan's figure is kept in the log
        (fed,) = audit.entries(session, "inventory", "2022")[:1]
        assert fed.action == "inventory.feed" and fed.new["run"] == run.id


def test_rejected_file_stores_nothing(sessions):
    with transaction(sessions) as session:
        unit = unit_of(session)
        bad = bundled_example()
        bad["rows"][2]["fuel"] = "unobtainium"
        bad["rows"][5] = {**bad["rows"][5], "quantity": 3, "unit": "t"}  # notation + quantity
        data = json.dumps(bad, ensure_ascii=False).encode()
        with pytest.raises(InvalidInput) as caught:
            svc.load_dataset(session, OFFICE, unit, "bad.json", data, 2022)
        assert len(caught.value.errors) == 2
        assert "row 2 (energy-natural-gas)" in caught.value.errors[0]
        assert "row 5 (ippu-cement), field 'quantity'" in caught.value.errors[1]
        with pytest.raises(InvalidInput, match="year: .* — the file holds rows for 2022, not 2021"):
            svc.load_dataset(session, OFFICE, unit, "ok.json", example_for(2022, 1.0), 2021)
        with pytest.raises(InvalidInput, match="expected one of"):
            svc.load_dataset(session, OFFICE, unit, "data.txt", b"x", 2022)
        with pytest.raises(PermissionDenied):
            svc.load_dataset(session, DRC, unit, "ok.json", example_for(2022, 1.0), 2022)
        with pytest.raises(InvalidInput, match="source"):
            svc.set_local_factor(
                session,
                OFFICE,
                unit,
                svc.LocalFactorInput("x", "ncv", "原煤", 22.0, "GJ/t", " "),
            )
        assert counts(session) == (0, 0, 0)


def test_report_section_comes_from_the_latest_run(sessions):
    from nearzero.reports.model import Table

    with transaction(sessions) as session:
        unit = unit_of(session)
        assert svc.report_blocks(session, unit, 2022) is None
        svc.load_example(session, OFFICE, unit)
        blocks = svc.report_blocks(session, unit, 2022)
    assert blocks is not None and "658.43万吨二氧化碳当量" in blocks[0].text
    assert any(isinstance(b, Table) and "清单汇总表（万吨二氧化碳当量" in b.caption for b in blocks)
    # the report holds only the summary table: no note may point at a table it lacks
    assert not any("{表:" in b.text for b in blocks if not isinstance(b, Table))
