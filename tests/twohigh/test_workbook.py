"""The two-high ledger as an Excel workbook, on SQLite and PostgreSQL: the blank template from the
CLI and the page, filled with the plan's case in Chinese values, loads like the YAML file
(华明水泥 1:1.1: 27,841 t required and allocated, indicator 4 met); a refusal names the
file, sheet, row and column and stores nothing; a file that is not a workbook, an unknown sheet
or column, a child row naming no entry, and an oversized file are refused; the page imports
the same workbook."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text
from typer.testing import CliRunner

from nearzero.cli import app
from nearzero.services.context import Actor, InvalidInput
from nearzero.services.indicators import get_unit
from nearzero.services.twohigh import workbook
from nearzero.store.db import make_engine, session_factory, transaction

runner = CliRunner()

CASE: dict[str, list[list[Any]]] = {
    # the plan's case (一（二）1), as docs/twohigh.md's example and the bundled YAML file
    "替代源": [
        ["代码", "名称", "企业名称", "形成方式", "形成日期", "所在地", "可监测", "可核算"]
        + ["可核查", "已核定"],
        ["demo-source-1", "示例替代源", "示例企业", "关停", dt.datetime(2022, 3, 1), "章丘区"]
        + ["是", True, "1", "是"],
    ],
    "替代源减量": [["替代源代码", "替代维度", "减量"], ["demo-source-1", "碳排放", 27841]],
    "项目清单": [
        ["代码", "项目名称", "企业代码", "行业", "产能", "产能单位", "分类", "处置"]
        + ["阶段", "决定日期", "批复文号"],
        ["huaming-grinding", "年产110万吨水泥粉磨项目", "huaming_cement", "水泥", 1100000]
        + ["t/a", "new_operating", "continue", "审查中、已批准、已投产", "2023-01-01", "实施方案"],
    ],
    "项目新增量": [
        ["项目代码", "替代维度", "化石燃料燃烧", "工业生产过程", "净购入电力和热力", "回收利用"],
        ["huaming-grinding", "carbon", 0, 0, 25310.0, 0],
    ],
    "决定比例": [
        ["项目代码", "替代维度", "比例编号"],
        ["huaming-grinding", "碳排放", "zq_plan/huaming/carbon"],
    ],
    "指标调剂": [
        ["操作", "替代源代码", "项目代码", "来源账户", "替代维度", "数量", "请求编号"],
        ["收储", "demo-source-1", None, None, "碳排放", 27841, "d1"],
        ["配置", "demo-source-1", "huaming-grinding", "th_bank", "carbon", 27841, "a1"],
    ],
}


def filled(template: bytes, sheets: dict[str, list[list[Any]]]) -> bytes:
    """The template with ``sheets``' rows written from its first row (headers as given)."""
    book = load_workbook(io.BytesIO(template))
    for title, rows in sheets.items():
        page = book[title]
        page.delete_rows(1, page.max_row)
        for row in rows:
            page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger() -> dict[str, Any]:
    out = runner.invoke(app, ["twohigh", "ledger", "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def load_firms(tmp_path: Path) -> None:
    firms = tmp_path / "firms.yaml"  # the plan's firms, as the demo loads them
    firms.write_text(
        resources.files("nearzero.data").joinpath("enterprise", "firms.yaml").read_text("utf-8"),
        encoding="utf-8",
    )
    assert runner.invoke(app, ["enterprise", "load", str(firms)]).exit_code == 0


def test_the_plans_case_from_the_template(zhangqiu_url: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    load_firms(tmp_path)
    blank = tmp_path / "blank.xlsx"
    assert runner.invoke(app, ["twohigh", "template", str(blank)]).exit_code == 0
    template = blank.read_bytes()
    notes = load_workbook(io.BytesIO(template))["填写说明"]
    listed = [tuple(r) for r in notes.iter_rows(values_only=True)]
    assert (
        None,
        "形成方式",
        "mechanism",
        "是",
        "关停、转产、淘汰落后产能、压减过剩产能等",
    ) in listed
    coded = {r[:3] for r in listed}
    assert ("行业", "水泥", "cement") in coded and ("操作", "配置", "allocate") in coded

    bad = tmp_path / "bad.xlsx"
    wrong = {**CASE, "项目新增量": [CASE["项目新增量"][0], ["huaming-grinding", "碳排放", "许多"]]}
    bad.write_bytes(filled(template, wrong))
    refused = runner.invoke(app, ["twohigh", "load", str(bad)])
    assert refused.exit_code == 2
    said = " ".join(refused.output.split())
    assert "bad.xlsx 工作表“项目新增量”第2行" in said and "fuel" in said, said
    assert ledger()["sources"] == [] and ledger()["projects"] == []  # nothing kept

    good = tmp_path / "case.xlsx"
    good.write_bytes(filled(template, CASE))
    loaded = runner.invoke(app, ["twohigh", "load", str(good)])
    assert loaded.exit_code == 0, loaded.output
    assert "1 projects, 1 sources, 2 movements" in loaded.output
    data = ledger()
    (project,) = data["projects"]
    (req,) = project["requirements"]
    # E = 2,531 t / 0.1 = 25,310 t; 1.1 E = 27,841 t, in kg (the plan, 一（二）1)
    assert req["ratio"] == "1.1" and req["required"] == 27_841_000
    assert req["sources"] == {"demo-source-1": 27_841_000}
    assert data["indicator_4"]["share_pct"] == "100" and data["indicator_4"]["met"] is True
    (source,) = data["sources"]
    assert source["code"] == "demo-source-1"
    engine = make_engine(zhangqiu_url)
    try:
        with engine.connect() as con:
            loads = con.execute(
                text("SELECT entity_key, new FROM audit_log WHERE action = 'twohigh.load'")
            ).all()
    finally:
        engine.dispose()
    (load,) = loads  # the refused file wrote nothing, not even its audit entry
    new = load.new if isinstance(load.new, dict) else json.loads(load.new)
    assert load.entity_key == "file/case.xlsx"
    assert new == {"file": "case.xlsx", "ratios": 0, "sources": 1, "projects": 1, "movements": 2}


def refusal(content: bytes, name: str = "ledger.xlsx") -> str:
    with pytest.raises(InvalidInput) as caught:
        workbook.ledger_sections(workbook.read_sheets(content, name), name)
    return str(caught.value)


def test_what_is_not_the_template_is_refused_by_name() -> None:
    template = workbook.template_xlsx()
    assert "不是Excel工作簿" in refusal(b"id,ratio\n1,2\n")
    assert "文件过大" in refusal(b"x" * (workbook.MAX_BYTES + 1))

    book = Workbook()
    assert book.active is not None
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    assert "工作表“Sheet1”: 不是台账的工作表" in refusal(out.getvalue())

    header = [*CASE["替代源"][0][:-1], "核定人"]
    message = refusal(filled(template, {"替代源": [header, CASE["替代源"][1]]}))
    assert "工作表“替代源”第1行J列: 未知列名“核定人”" in message

    orphan = [CASE["替代源减量"][0], ["kiln-9", "碳排放", 100]]
    message = refusal(filled(template, {**CASE, "替代源减量": orphan}))
    assert "工作表“替代源减量”第2行（替代源代码）: “kiln-9”不在“替代源”表中" in message

    twice = [CASE["决定比例"][0], CASE["决定比例"][1], CASE["决定比例"][1]]
    message = refusal(filled(template, {**CASE, "决定比例": twice}))
    assert "工作表“决定比例”第3行（替代维度）: “carbon”重复" in message

    blank_name = [CASE["项目清单"][0], ["p2", None, None, "水泥"]]
    message = refusal(filled(template, {"项目清单": blank_name}))
    assert "工作表“项目清单”第2行B列（项目名称）: 必填" in message

    flag = [CASE["替代源"][0], [*CASE["替代源"][1][:-1], "也许"]]
    message = refusal(filled(template, {"替代源": flag}))
    assert "第2行（已核定）: “也许”应为是或否" in message


def test_the_page_imports_the_workbook(client, zhangqiu_url: str, tmp_path: Path) -> None:
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = get_unit(session, "zhangqiu")
            from nearzero.services import enterprise

            firms = resources.files("nearzero.data").joinpath("enterprise", "firms.yaml")
            enterprise.registry.load_registry_file(
                session, Actor.system("test"), unit, "firms.yaml", firms.read_bytes()
            )
    finally:
        engine.dispose()
    login = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": "office", "password": "zhangqiu-demo"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get("/twohigh?unit=zhangqiu")
    assert "从Excel导入台账" in page.text and "/twohigh/template.xlsx" in page.text
    template = client.get("/twohigh/template.xlsx?unit=zhangqiu")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None

    def send(content: bytes) -> Any:
        return client.post(
            "/twohigh/load?unit=zhangqiu",
            data={"csrf_token": csrf.group(1)},
            files={
                "file": (
                    "台账.xlsx",
                    content,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            },
            follow_redirects=False,
        )

    wrong = {**CASE, "指标调剂": [CASE["指标调剂"][0], ["收储", "demo-source-1", "", "", "碳排放"]]}
    refused = send(filled(template.content, wrong))
    assert refused.status_code == 400
    assert "工作表“指标调剂”第2行F列（数量）: 必填" in refused.text
    assert "huaming-grinding" not in client.get("/twohigh?unit=zhangqiu").text
    answer = send(filled(template.content, CASE))
    assert answer.status_code == 303, answer.text
    listed = client.get("/twohigh?unit=zhangqiu").text
    assert "年产110万吨水泥粉磨项目" in listed
