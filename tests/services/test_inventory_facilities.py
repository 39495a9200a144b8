"""Facility tables (.csv) through the paths users take: ``nearzero inventory compute``,
``inventory load`` and the web upload's service (issue #13 item 3). Pooled by key, refused
naming the file, the line, the facility and the column; a refused file stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nearzero.accounting.facilities import pool_facilities
from nearzero.accounting.factors import default_library
from nearzero.accounting.inventory import compute_inventory
from nearzero.cli import app
from nearzero.services import indicators as indicator_service, inventory as svc
from nearzero.services.context import Actor, InvalidInput, Role
from nearzero.store.db import transaction

OFFICE = Actor("office", Role.ADMIN)
runner = CliRunner()

LINES = """facility,year,category,method,subject,unit,quantity
明水热电,2022,1.A.1.a,fuel_combustion,原煤,万吨,18.234
圣泉集团,2022,1.A.2,fuel_combustion,天然气,万m³,1210.5
重汽章丘,2022,1.A.2,fuel_combustion,天然气,万m³,830.25
某石灰厂,2022,2.A.2,lime,high_calcium,t,5000
"""


def table(text: str) -> dict[str, list[object]]:
    header, *rows = [line.split(",") for line in text.strip().splitlines()]
    columns: dict[str, list[object]] = {h: [] for h in header}
    for row in rows:
        for h, v in zip(header, row, strict=True):
            columns[h].append(int(v) if h == "year" else float(v) if h == "quantity" else v)
    return columns


def test_csv_pools_by_key_and_equals_the_core() -> None:
    activity = svc.read_activity("lines.csv", LINES.encode())
    assert [(r.row_id, r.quantity) for r in activity.rows] == [
        ("1.A.1.a/fuel_combustion/原煤/万吨", 18.234),
        ("1.A.2/fuel_combustion/天然气/万m³", 1210.5 + 830.25),
        ("2.A.2/lime/high_calcium/t", 5000.0),
    ]
    lib = default_library()
    expected = compute_inventory(pool_facilities(table(LINES), lib), lib, "AR5")
    result = svc.compute(activity)
    assert result.records == expected.records and result.totals == expected.totals
    # the stored document is an ordinary activity document of the pooled rows
    again = svc.read_activity("again.json", json.dumps(activity.document).encode())
    assert svc.compute(again).totals == result.totals


def test_excel_csv_with_a_byte_order_mark_reads_the_same() -> None:
    plain = svc.read_activity("a.csv", LINES.encode())
    marked = svc.read_activity("a.csv", "\ufeff".encode() + LINES.encode())
    assert marked.rows == plain.rows


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("坏厂,2022,1.A.2,fuel_combustion,原煤,t,-5", "row 6 (坏厂), field 'quantity'"),
        ("坏厂,2022,1.A.2,fuel_combustion,原煤,t,", "row 6 (坏厂), field 'quantity'"),
        ("坏厂,2022,1.A.2,fuel_combustion,原煤,t,abc", "row 6 (坏厂), field 'quantity'"),
        ("坏厂,20x2,1.A.2,fuel_combustion,原煤,t,1", "row 6 (坏厂), field 'year'"),
        ("坏厂,2022,1.A.2,fuel_combustion,不存在的煤,t,1", "row 6 (坏厂), field 'subject'"),
        ("坏厂,2022,1.A.2,fuel_combustion,原煤,parsec,1", "row 6 (坏厂), field 'unit'"),
        ("坏厂,2022,4.A,landfill_fod,msw,t,1", "row 6 (坏厂), field 'method'"),
    ],
)
def test_a_bad_line_is_refused_naming_file_line_facility_column(line: str, where: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        svc.read_activity("lines.csv", (LINES + line + "\n").encode())
    assert f"sheet 'lines.csv' {where}" in str(caught.value)
    assert any(f"sheet 'lines.csv' {where}" in e for e in caught.value.errors)


def test_every_bad_line_is_listed() -> None:
    bad = LINES + "a,2022,1.A.2,fuel_combustion,原煤,t,-1\nb,2022,1.A.2,fuel_combustion,原煤,t,x\n"
    with pytest.raises(InvalidInput) as caught:
        svc.read_activity("lines.csv", bad.encode())
    assert [e.split(", field")[0] for e in caught.value.errors] == [
        "sheet 'lines.csv' row 6 (a)",
        "sheet 'lines.csv' row 7 (b)",
    ]


def test_unknown_or_missing_columns_are_refused() -> None:
    with pytest.raises(InvalidInput, match="field 'colour': unknown column"):
        svc.read_activity("x.csv", b"colour,year\nred,2022\n")
    with pytest.raises(InvalidInput, match="field 'category': missing column"):
        svc.read_activity("x.csv", b"year,quantity\n2022,1\n")


def test_upload_bound_holds_for_the_web_and_not_for_a_local_file() -> None:
    big = (LINES + "x,2022,1.A.2,fuel_combustion,原煤,t,1\n" * 300_000).encode()
    assert len(big) > svc.MAX_FILE_BYTES
    with pytest.raises(InvalidInput, match="larger than"):
        svc.read_activity("big.csv", big)
    rows = svc.read_activity("big.csv", big, max_bytes=None).rows
    coal = next(r for r in rows if r.row_id == "1.A.2/fuel_combustion/原煤/t")
    assert coal.quantity == 300_000.0 and coal.note == "300000 facility lines"


def test_cli_compute_of_a_facility_table(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "lines.csv"
    fuels = [("原煤", "t"), ("天然气", "万m³"), ("柴油", "t")]
    lines = ["facility,year,category,method,subject,unit,quantity"]
    for i in range(2000):
        fuel, unit = fuels[i % 3]
        lines.append(f"f{i},2022,1.A.2,fuel_combustion,{fuel},{unit},{rng.uniform(0, 50):.6f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = runner.invoke(app, ["inventory", "compute", str(path), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert len({r["row_id"] for r in doc["records"]}) == 3
    expected = svc.compute(svc.read_activity(path.name, path.read_bytes()))
    assert doc["totals"]["gross"] == pytest.approx(expected.totals.gross, rel=1e-9)
    table_out = runner.invoke(app, ["inventory", "compute", str(path)])
    assert table_out.exit_code == 0 and "能源活动" in table_out.output
    path.write_text("\n".join([*lines, "坏厂,2022,1.A.2,fuel_combustion,原煤,t,-1"]) + "\n")
    refused = runner.invoke(app, ["inventory", "compute", str(path)])
    assert refused.exit_code == 2
    assert "row 2002 (坏厂), field 'quantity'" in refused.output


def test_load_a_facility_table_and_refuse_a_bad_one(sessions) -> None:
    with transaction(sessions) as session:
        unit = indicator_service.get_unit(session, "zhangqiu")
        run = svc.load_dataset(session, OFFICE, unit, "lines.csv", LINES.encode(), 2022)
        result = svc.result_of(run)
        assert {r.row_id for r in result.records} == {
            "1.A.1.a/fuel_combustion/原煤/万吨",
            "1.A.2/fuel_combustion/天然气/万m³",
            "2.A.2/lime/high_calcium/t",
        }
        expected = svc.compute(svc.read_activity("l.csv", LINES.encode())).totals
        assert result.totals.gross == pytest.approx(expected.gross, rel=1e-9)
    with transaction(sessions) as session:
        unit = indicator_service.get_unit(session, "zhangqiu")
        bad = LINES + "坏厂,2022,1.A.2,fuel_combustion,原煤,t,-1\n"
        with pytest.raises(InvalidInput, match="row 6"):
            svc.load_dataset(session, OFFICE, unit, "lines.csv", bad.encode(), 2023)
        assert svc.years(session, unit) == [2022]
