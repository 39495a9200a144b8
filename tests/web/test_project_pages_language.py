"""The key-project pages in both languages: each parameter of an expected reduction shows by
its name, with its source and verification status in the page's language, and the project's
figures with labels; no internal key (a parameter or factor id, ``figures.<name>``,
``kind=pv``, ``to_confirm``) is in the visible text of any project page, the board or the
scenario, in Chinese or in English."""

from __future__ import annotations

import csv
import html
import re
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from nearzero.accounting.factors import default_library
from nearzero.projects.parameters import default_factor_labels, default_parameters, grid_factor
from nearzero.projects.reduction import FIGURE_UNITS, expected_reduction
from nearzero.services import projects as svc
from nearzero.services.context import Actor
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import log_in

HAN = re.compile(r"[\u4e00-\u9fff]")
PAGES = ("/projects", "/projects/scenario", *(f"/projects/{n}" for n in range(1, 27)))

#: Figures beyond the plan's, so that every formula runs on the pages (the grid, the IPCC
#: carbon contents, the MSW composition and Table 2.4 rows, the wood carbon fraction); 23 and
#: 25 keep what they lack, so the pages also say what is missing.
MORE_FIGURES: dict[int, dict[str, Any]] = {
    9: {"kind": "storage", "capacity": "100 MW", "shifted_renewable": 120000},
    10: {
        "kind": "gas_chp",
        "capacity": "800 MW",
        "full_load_hours": 4000,
        "coal_efficiency": 0.38,
        "gas_efficiency": 0.5,
    },
    22: {"kind": "afforestation", "area": "5500 亩", "growth": 4.0, "root_shoot": 0.3},
    24: {"kind": "waste_to_energy", "capacity": "45 MW", "net_export": 200000, "waste": 600000},
}


def _rows(name: str) -> list[dict[str, str]]:
    folder = resources.files("nearzero.data").joinpath("projects")
    return list(csv.DictReader(folder.joinpath(name).read_text(encoding="utf-8").splitlines()))


PARAMETER_ROWS = {row["id"]: row for row in _rows("parameters.csv")}
FACTOR_LABEL_ROWS = {row["id"]: row for row in _rows("factor_labels.csv")}
#: Every internal key a page could leak: the rows of both tables, the figures' names written
#: as keys, the status codes and the raw ``key=value`` of the figures.
KEYS = (
    *PARAMETER_ROWS,
    *FACTOR_LABEL_ROWS,
    *(name for name in FIGURE_UNITS if "_" in name),
    *(f"figures.{name}" for name in FIGURE_UNITS),
    *(f"project.{name}" for name in FIGURE_UNITS),
    "to_confirm",
    "kind=",
    "use=",
    "dimensionless",
    "hectare",
)


@pytest.fixture
def app(zhangqiu_url):
    engine = make_engine(zhangqiu_url)
    with transaction(session_factory(engine)) as session:
        actor = Actor.system("test")
        unit = get_unit(session, "zhangqiu")
        svc.load_bundled_figures(session, actor, unit)
        for number, figures in MORE_FIGURES.items():
            svc.set_figures(session, actor, unit, number, figures)
    engine.dispose()
    application = create_app(Settings(database_url=zhangqiu_url))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def visible(page: str) -> str:
    """The text a person sees: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def parameter_table(page: str) -> list[tuple[str, str, str, str, str]]:
    """The rows of a project's parameter table: (key, name, unit, source, status)."""
    table = re.search(r'data-testid="parameters">(.*?)</table>', page, flags=re.S)
    if table is None:
        return []
    return [
        (key, *(visible(cell) for cell in (name, unit, source, status)))
        for key, name, unit, source, status in re.findall(
            r'<tr data-parameter="([^"]+)"><td>(.*?)</td><td class="num">.*?</td>'
            r'<td>(.*?)</td><td class="small">(.*?)</td><td>(.*?)</td></tr>',
            table.group(1),
            flags=re.S,
        )
    ]


def english_source(row: dict[str, str]) -> str:
    return ", ".join(
        row[c] for c in ("source_document", "source_table", "source_page") if row.get(c)
    )


def test_every_parameter_and_factor_the_formulas_read_has_its_names_and_chinese_source():
    parameters = default_parameters()
    for key, row in PARAMETER_ROWS.items():
        for column in ("name_zh", "source_zh"):
            assert HAN.search(row[column]), (key, column)
        assert row["name_en"] and not HAN.search(row["name_en"]), key
        assert parameters[key].source_in("en") == english_source(row)
        assert parameters[key].source_in("zh") == row["source_zh"]
    labels = default_factor_labels()
    library = default_library()
    grids = {r.factor_id for r in library.records if r.parameter == "grid_ef"}
    assert grids and grids <= set(labels)  # every grid region and year can be chosen
    # the factor rows each formula reads, found by running it
    grid = grid_factor(library, "north_china", labels=labels)
    used = {
        p.id
        for figures in MORE_FIGURES.values()
        for p in expected_reduction(figures, parameters, library, grid, labels).parameters
    }
    factors = {key for key in used if key not in parameters and not key.startswith("project.")}
    assert {"ipcc2006_cc_natural_gas", "ipcc2006_fcf_plastics", "cn_grid_2023_north_china"} <= (
        factors
    )
    assert factors <= set(labels)
    for key in factors:
        assert HAN.search(labels[key].name_zh) and HAN.search(labels[key].source_zh), key


def test_a_table_with_a_row_wider_than_its_columns_is_refused():
    from nearzero.projects.parameters import parse_parameters

    head = ",".join(PARAMETER_ROWS["pv_full_load_hours_national"])
    row = "x,p,s,1,h/a,doc,table,,2023,verified,,,,a note, with a comma,名,name,来源"
    with pytest.raises(ValueError, match="line 2: more cells than columns"):
        parse_parameters(f"{head}\n{row}\n")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_project_page_shows_an_internal_key(client, lang):
    log_in(client, "office")
    for path in PAGES:
        response = client.get(path, params={"lang": lang})
        assert response.status_code == 200, path
        text = visible(response.text)
        assert [key for key in KEYS if key in text] == [], (path, lang)
        if lang == "zh":  # the status in words, the figures with labels
            assert not re.search(r"\bverified\b|\bproject figures\b", text), path
            # no English words left but units, symbols and acronyms (IPCC, CO2, EF_grid …)
            words = re.findall(r"[A-Za-z]{3,}(?: [A-Za-z]{3,})+", text)
            assert words == [], (path, words)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_parameter_shows_by_name_with_its_source_and_status_in_the_pages_language(
    client, lang
):
    log_in(client, "office")
    names = {k: (r["name_zh"], r["name_en"]) for k, r in PARAMETER_ROWS.items()}
    names |= {k: (r["name_zh"], r["name_en"]) for k, r in FACTOR_LABEL_ROWS.items()}
    zh_sources = {k: r["source_zh"] for k, r in (PARAMETER_ROWS | FACTOR_LABEL_ROWS).items()}
    factor_rows = {r.factor_id: r for r in default_library().records}
    statuses = {"zh": {"已核实", "待核实", "本工程数据"}, "en": {"verified", "to confirm"}}
    seen = set()
    for number in range(1, 27):
        page = client.get(f"/projects/{number}", params={"lang": lang}).text
        for key, name, _unit, source, status in parameter_table(page):
            seen.add(key)
            assert status in statuses[lang] | {"project figure"}, (number, key, status)
            if key.startswith("project."):
                assert name and (HAN.search(name) if lang == "zh" else not HAN.search(name))
                assert source.startswith("章政办字〔2024〕1号") or source in (
                    "本工程数据",
                    "project figures",
                ), (number, key, source)
                continue
            assert name == names[key][0 if lang == "zh" else 1], (number, key)
            if lang == "zh":
                assert source == zh_sources[key], (number, key)
            elif key in PARAMETER_ROWS:
                assert source == english_source(PARAMETER_ROWS[key]), (number, key)
            else:
                record = factor_rows[key]
                cited = (record.source_document, record.source_table, record.source_page)
                assert source == ", ".join(p for p in cited if p), (number, key)
    # the formulas of every kind ran: the PV default, the grid, a Table 2.4 row, the wood
    assert {
        "project.capacity",
        "pv_full_load_hours_national",
        "cn_grid_2023_north_china",
        "ipcc2006_cc_other_bituminous_coal",
        "waste_composition_cn_plastics",
        "ipcc2006_fcf_plastics",
        "ipcc2006_carbon_fraction_wood",
        "ccu_permanent_share_urea",
        "project.design_capacity",
        "project.shifted_renewable",
    } <= seen


def test_the_pv_and_urea_projects_read_in_chinese_and_in_english(client):
    log_in(client, "office")
    zh = client.get("/projects/14", params={"lang": "zh"}).text
    en = client.get("/projects/14", params={"lang": "en"}).text
    # 20 MW × 1 286 h (CEC 2023) × 0.6361 t/MWh (华北 2023) = 16 360.49 t/a: no number changed
    for page in (zh, en):
        value = re.search(r'data-testid="reduction-value">(.*?)</dd>', page, re.S).group(1)
        assert "16,360.49" in value
    table = visible(re.search(r'data-testid="parameters">.*?</table>', zh, re.S).group(0))
    for shown in (
        "装机容量",
        "全国光伏平均利用小时数",
        "华北区域电网排放因子（2023年）",
        "中国电力企业联合会《2023-2024年度全国电力供需形势分析预测报告》（2024-01-31发布）",
        "生态环境部 国家统计局《关于发布2023年电力二氧化碳排放因子的公告》，附件 区域表（华北）",
        "已核实",
    ):
        assert shown in table, shown
    assert "National Power Supply" not in table and "annex" not in table
    table = visible(re.search(r'data-testid="parameters">.*?</table>', en, re.S).group(0))
    for shown in (
        "Capacity",
        "National average PV utilisation hours",
        "North China regional grid emission factor (2023)",
        "National Power Supply and Demand Analysis and Forecast (published 2024-01-31)",
        "annex regional table (华北)",
        "verified",
    ):
        assert shown in table, shown
    assert "已核实" not in table and "全国光伏" not in table
    figures = visible(re.search(r'data-testid="figures">.*?</p>', zh, re.S).group(0))
    assert "工程数据：类型：光伏发电，装机容量：20 MW，来源：章政办字〔2024〕1号" in figures
    figures = visible(re.search(r'data-testid="figures">.*?</p>', en, re.S).group(0))
    assert (
        "Project figures: Type: Solar PV; Capacity: 20 MW; Source: 章政办字〔2024〕1号" in figures
    )
    grid = visible(re.search(r'data-testid="grid-factor".*?</p>', zh, re.S).group(0))
    assert "电网排放因子：华北区域电网排放因子（2023年） 0.6361 t/MWh" in grid and "已核实" in grid

    urea = visible(client.get("/projects/26", params={"lang": "zh"}).text)
    assert "用于生产尿素的二氧化碳永久封存比例" in urea
    assert (
        "《2006年IPCC国家温室气体清单指南》第4卷 第11章，11.4节 尿素施用（式11.13；"
        "方法1排放因子0.20 t C/t尿素，即尿素的含碳量）"
    ) in urea
    assert "待核实" in urea and "捕集量 = C；减排量 = C × f_perm" in urea
    assert "类型：二氧化碳捕集利用，用途：生产尿素，设计捕集能力：90000 t/a" in urea
    urea = visible(client.get("/projects/26", params={"lang": "en"}).text)
    assert "Share kept permanently of the CO2 used for urea" in urea
    assert "Vol 4 Ch 11, §11.4 urea application (Eq. 11.13" in urea and "to confirm" in urea


def test_what_is_missing_shows_by_name_on_the_board_the_scenario_and_the_project(client):
    log_in(client, "office")
    for lang, shown in (
        ("zh", "永久封存比例（外售液体二氧化碳的永久封存比例）"),
        ("en", "Share kept permanently (Share kept permanently of the liquid CO2 sold)"),
    ):
        for path in ("/projects", "/projects/scenario", "/projects/25"):
            text = visible(client.get(path, params={"lang": lang}).text)
            assert shown in text, (path, lang)
    forest = visible(client.get("/projects/23", params={"lang": "zh"}).text)
    assert re.search(
        r"缺少 地上生物量年增长量（造林地上生物量年增长量） ?、 ?根茎比（造林根茎比）", forest
    )
    assert "参数表中没有这些数据的确认值" in forest
