"""The inventory pages over HTTP on SQLite and PostgreSQL: the office loads the example,
uploads files (a bad one is rejected whole, naming row and field), downloads the tables;
other roles only read."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from nearzero.accounting.activity import bundled_example, document_for_year
from nearzero.store.tables.inventory import InventoryDataset, InventoryRun
from webclient import log_in, token


def counts(client) -> tuple[int, int]:
    with client.app.state.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(InventoryDataset)),
            session.scalar(select(func.count()).select_from(InventoryRun)),
        )


def example_bytes(**row_changes) -> bytes:
    doc = bundled_example()
    for index, fields in row_changes.items():
        doc["rows"][int(index.removeprefix("row"))].update(fields)
    return json.dumps(doc, ensure_ascii=False).encode()


def test_office_loads_the_example_and_sees_the_inventory(client):
    csrf = token(log_in(client, "office").text)
    empty = client.get("/inventory")
    assert empty.status_code == 200 and 'data-testid="inv-empty"' in empty.text
    response = client.post("/inventory/example", data={"csrf_token": csrf})
    assert response.status_code == 200 and "示例（部分数据为假设）" in response.text
    html = response.text
    assert 'data-testid="inv-sector-table"' in html and "能源活动" in html
    assert re.search(r'data-testid="inv-total-excl">658\.43<', html)  # 万吨CO2e
    for chart in ("inv-sectors", "inv-sankey", "inv-trend", "inv-ranges"):
        assert f'id="{chart}-data"' in html
    assert 'data-status="to_confirm"' in html and 'data-testid="inv-illustrative"' in html
    # inputs without a range count as exact in the uncertainty analysis, and are named
    exact = re.search(r'data-testid="inv-exact">(.*?)</p>', html, re.S).group(1)
    assert "39 个排放因子或参数没有不确定性范围" in exact and "cn_ncv_raw_coal" in exact
    assert counts(client) == (3, 3)  # the example's 2020, 2021 and 2022
    series = re.search(r'data-testid="inv-series">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r"<tr><td>(\d{4})</td>", series) == ["2020", "2021", "2022"]
    for cell in ("683.2672", "687.9298", "658.4292", "697.2045"):  # 万吨CO2e, excl./incl. LULUCF
        assert f'<td class="num">{cell}' in series
    # categories carry their names: the provincial guideline's in Chinese, IPCC 2006's in English
    assert 'data-testid="inv-cat-title">公用电力与热力生产<' in html
    assert "<td>农用地直接氧化亚氮排放</td>" in html  # 表3
    english = client.get("/inventory?lang=en&gwp=AR4")
    assert "Key category analysis" in english.text and "GWP AR4" in english.text
    assert 'data-testid="inv-cat-title">Main Activity Electricity and Heat Production<' in (
        english.text
    )
    assert "公用电力与热力生产" not in english.text
    # the summary tables, their notes and labels follow the language too (the exports stay zh)
    assert "Total (excluding LULUCF)" in english.text and "总排放量" not in english.text
    assert "Illustrative (partly assumed)" in english.text and "示例" not in english.text
    assert counts(client) == (3, 3)  # another GWP set is computed, not stored, on a GET


def test_downloads_hold_the_totals(client):
    csrf = token(log_in(client, "office").text)
    client.post("/inventory/example", data={"csrf_token": csrf})
    xlsx = client.get("/inventory/export?format=xlsx&year=2022")
    assert xlsx.status_code == 200
    assert "filename*=UTF-8''" in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    totals = {r[0]: r[-1] for r in book["表2 汇总表（CO2当量）"].iter_rows(values_only=True)}
    assert totals["总排放量（不包括土地利用变化和林业）"] == pytest.approx(658.4292296, rel=1e-8)
    docx = client.get("/inventory/export?format=docx&year=2022")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    template = client.get("/inventory/template")
    assert "能源活动" in load_workbook(io.BytesIO(template.content)).sheetnames


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"row0": {"unit": "furlong"}}, "'unit'"),
        ({"row1": {"quantity": -5}}, "'quantity'"),
        ({"row2": {"fuel": "unobtainium"}}, "row 2"),
    ],
    ids=["wrong-unit", "negative-quantity", "unknown-fuel"],
)
def test_bad_upload_is_rejected_whole_naming_row_and_field(client, change, field):
    csrf = token(log_in(client, "office").text)
    response = client.post(
        "/inventory/upload",
        data={"csrf_token": csrf, "year": "2022"},
        files={"file": ("bad.json", example_bytes(**change), "application/json")},
    )
    assert response.status_code == 400
    found = re.search(r'data-testid="inv-error"><strong>(.*?)</strong>', response.text)
    error = html.unescape(found.group(1))
    assert "row" in error and field in error
    assert counts(client) == (0, 0)


def test_every_bad_row_is_listed(client):
    csrf = token(log_in(client, "office").text)
    bad = example_bytes(row0={"unit": "furlong"}, row1={"quantity": -5})
    response = client.post(
        "/inventory/upload",
        data={"csrf_token": csrf, "year": "2022"},
        files={"file": ("bad.json", bad, "application/json")},
    )
    listed = re.search(r'data-testid="inv-errors">(.*?)</ul>', response.text, re.S).group(1)
    assert "row 0 (energy-coal-power), field &#39;unit&#39;" in listed
    assert "row 1 (energy-coal-industry), field &#39;quantity&#39;" in listed
    assert counts(client) == (0, 0)


def test_upload_a_good_file_for_another_year_and_trend(client):
    csrf = token(log_in(client, "office").text)
    client.post("/inventory/example", data={"csrf_token": csrf})
    doc = document_for_year(bundled_example(), 2022, as_year=2023)
    doc["rows"][0]["quantity"] = 100.0  # less coal for power
    response = client.post(
        "/inventory/upload",
        data={"csrf_token": csrf, "year": "2023"},
        files={"file": ("2023.yaml", json.dumps(doc, ensure_ascii=False).encode(), "text/yaml")},
    )
    assert response.status_code == 200, response.text[:2000]
    assert "活动数据已保存并完成计算" in response.text
    assert "（2020→2023）" in response.text  # trend key categories against the first year
    assert counts(client) == (4, 4)


def test_viewer_and_department_cannot_write(client):
    csrf = token(log_in(client, "viewer").text)
    response = client.post("/inventory/example", data={"csrf_token": csrf})
    assert response.status_code == 403
    assert counts(client) == (0, 0)
    assert 'data-testid="inv-upload"' not in client.get("/inventory").text
