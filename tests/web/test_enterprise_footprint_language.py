"""The enterprise and product-footprint pages in both languages: on a Chinese page the data set
is named in words (示例企业数据（随软件提供）), not by its file name; the report file's format
by its title, not ``docs/enterprise-report.md``; the benchmark, ETS and cross-check citations,
the electricity footprint factors and the upload note read in Chinese (the IPCC Guidelines and
ISIC by their official Chinese titles, volume and table numbers kept); on an English page the
same texts read in English. Numbers stay as the data files give them."""

from __future__ import annotations

import html
import re
from importlib import resources

import pytest
import yaml
from fastapi.testclient import TestClient

from nearzero.footprint.fileformat import dump
from nearzero.footprint.model import Exchange, Flow, Process, ProductSystem
from nearzero.services import inventory, users
from nearzero.services.context import Actor, Role
from nearzero.services.enterprise import compliance, registry, reports
from nearzero.services.footprint import studies
from nearzero.services.indicators import get_unit
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import log_in

OFFICE = Actor("office", Role.ADMIN)
#: A product system with Chinese names only (what a firm would upload).
MILL = ProductSystem(
    name="示例锻件",
    functional_unit="1 t 锻件，出厂",
    reference_flow="steel",
    amount=1.0,
    unit="t",
    flows=(
        Flow("steel", "锻件", "t"),
        Flow("co2", "二氧化碳（化石）", "kg", "elementary", "fossil", gas="CO2"),
    ),
    processes=(
        Process(
            "mill",
            "锻造车间",
            "steel",
            (
                Exchange("steel", 1, "t", "output"),
                Exchange("electricity", 500, "kWh", factor="cn_elec_fp_2023_national"),
                Exchange("co2", 1500, "kg", "output"),
            ),
            "production",
        ),
    ),
)


def example(name: str) -> bytes:
    return resources.files("nearzero.data").joinpath("enterprise", "examples", name).read_bytes()


@pytest.fixture
def web(zhangqiu_url: str):
    engine = make_engine(zhangqiu_url)
    try:
        with transaction(session_factory(engine)) as session:
            unit = get_unit(session, "zhangqiu")
            inventory.load_example_years(session, OFFICE, unit)
            registry.load_bundled(session, OFFICE, unit)
            for key, name, code, sector, covered in (
                ("example_power", "示例热电有限公司", "D4411", "power", True),
                ("example_cement", "示例水泥有限公司", "C3011", "cement", False),
            ):
                entry = registry.EnterpriseInput(
                    key,
                    name,
                    industry_code=code,
                    sector=sector,
                    covered_by_ets=covered,
                    illustrative=True,
                )
                registry.add_enterprise(session, OFFICE, unit, entry)
            users.create_user(session, OFFICE, "verifier1", "zhangqiu-demo", Role.VERIFIER)
            power = reports.save_draft(
                session,
                OFFICE,
                unit,
                "example_power",
                "p.yaml",
                example("power_2024_illustrative.yaml"),
            )
            cement = reports.save_draft(
                session,
                OFFICE,
                unit,
                "example_cement",
                "c.yaml",
                example("cement_2024_illustrative.yaml"),
            )
            reports.submit(session, OFFICE, unit, power.id)
            reports.assign(session, OFFICE, unit, power.id, "verifier1")
            reports.verify(session, Actor("verifier1", Role.VERIFIER), unit, power.id, ["无"])
            reports.confirm(session, OFFICE, unit, power.id)
            compliance.set_allowance(session, OFFICE, unit, "example_power", 2024, 400000, 1000)
            system = yaml.safe_dump(dump(MILL), allow_unicode=True).encode()
            study = studies.upload_study(
                session, OFFICE, unit, "example_cement", "mill.yaml", system, 2024
            )
            studies.compute_study(session, OFFICE, unit, "example_cement", study.id, 20, 1)
    finally:
        engine.dispose()
    app = create_app(Settings(database_url=zhangqiu_url))
    app.state.ids = {"study": study.id, "power": power.id, "cement": cement.id}
    yield app
    app.state.engine.dispose()


def visible(page: str) -> str:
    """The text a person sees, whitespace collapsed: no scripts, styles, tags or attributes."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


#: The section's pages (the crosscheck of 2022, the year the example inventory has).
PAGES = (
    "/enterprises?year=2024",
    "/enterprises/huadian_zhangqiu",
    "/enterprises/example_power",
    "/enterprises/screening?year=2024",
    "/enterprises/benchmarks?year=2024",
    "/enterprises/compliance?year=2024",
    "/enterprises/crosscheck?year=2022",
    "/footprint?year=2024",
    "/footprint/example_cement?year=2024",
    "/footprint/example_cement/studies/{study}",
    "/enterprises/reports/{power}",
    "/enterprises/reports/{cement}",
)
#: The English (file names, notes, module names) the Chinese pages showed before.
GONE_IN_CHINESE = (
    "firms.yaml",
    "enterprise-report.md",
    "existing units above",
    "new units below",
    "CCER offsetting",
    "since April",
    "IPCC Guidelines Vol",
    "ISIC Rev",
    "by source:",
    "biomass power",
    "photovoltaic power",
    "wind power",
    "national average electricity",
    "nearzero.footprint.system",
    "entered by",
    "fossil_energy_screen",
    "(seed",
    "released 2025",
    "Annex A",
    "[power_of_coal",
    "report.confirm",
    "ets_reporting",
    "consumption =",
    "(power)",
)
#: An English phrase: three or more English words in a row.
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,;:]+[A-Za-z][A-Za-z'’-]+){2,}")


def pages(client: TestClient, lang: str, ids: dict[str, int]) -> dict[str, str]:
    out = {}
    for path in PAGES:
        path = path.format(**ids)
        sep = "&" if "?" in path else "?"
        response = client.get(f"{path}{sep}unit=zhangqiu&lang={lang}")
        assert response.status_code == 200, (path, lang, response.status_code)
        out[path] = visible(response.text)
    return out


def test_the_chinese_pages_name_data_and_cite_sources_in_chinese(web) -> None:
    with TestClient(web) as office:
        log_in(office, "office")
        shown = pages(office, "zh", web.state.ids)
    for path, text in shown.items():
        for phrase in GONE_IN_CHINESE:
            assert phrase not in text, (path, phrase)
        body = text.split("nearzero 0.1", 1)[0]  # the footer names the software
        assert [s for s in ENGLISH.findall(body) if s != "openLCA JSON-LD"] == [], path
    assert "格式同随软件提供的示例企业数据" in shown["/enterprises?year=2024"]
    assert "数据来源 示例企业数据（随软件提供）" in shown["/enterprises/huadian_zhangqiu"]
    firm = shown["/enterprises/example_power"]
    assert "数据来源 网页登记（专班办公室）" in firm
    assert "格式见说明文档《企业年度排放报告文件》" in firm
    assert "能效标杆行 — 水泥熟料 煤电机组 合成氨（优质无烟块煤）" in firm  # by name, not id
    screening = shown["/enterprises/screening?year=2024"]
    assert "是（按排放量）" in screening and "报告范围" in screening
    assert (
        "全国煤电机组改造升级实施方案 (2021)，新建机组供电煤耗低于270；"
        "供电煤耗300以上的现役机组实施节能改造（2021）"
        in (shown["/enterprises/benchmarks?year=2024"])
    )
    ets = shown["/enterprises/compliance?year=2024"]
    assert (
        "碳排放权交易管理办法（试行）(生态环境部令第19号)，CCER抵销，不得超过应清缴碳排放配额的5%（2020）"
        in ets
    )
    assert (
        "生态环境部 发电行业 月度信息化存证（自2022年4月起），月度存证，每月结束后40日内（2022）"
        in ets
    )
    assert (
        "《2006年IPCC国家温室气体清单指南》第2卷第2章表2.1（《所有经济活动的国际标准行业分类》第4版）"
        "↔ GB/T 4754-2017《国民经济行业分类》，清单类别 ↔ 行业大类（2006）"
    ) in shown["/enterprises/crosscheck?year=2022"]
    form = shown["/footprint/example_cement?year=2024"]
    assert "导出为 openLCA JSON-LD 格式的压缩包" in form
    for choice in (
        "全国电力平均，2023年，0.6205 kgCO2e/kWh，待确认",
        "风电，2023年，0.0336 kgCO2e/kWh，待确认",
        "光伏，2023年，0.0545 kgCO2e/kWh，待确认",
        "生物质发电，2023年，0.0457 kgCO2e/kWh，待确认",
        "全国电力平均，2024年，0.5777 kgCO2e/kWh，待确认",
    ):
        assert choice in form, choice
    study = shown[f"/footprint/example_cement/studies/{web.state.ids['study']}"]
    assert "20 × (随机种子 1)" in study
    assert "从摇篮到大门（原材料获取至产品出厂）" in study and "化石温室气体" in study
    assert "2023年电力碳足迹因子（2025年1月发布）" in study
    power = shown[f"/enterprises/reports/{web.state.ids['power']}"]
    assert "行业类型 发电 · 电力热力因子 碳市场报告口径" in power
    assert "烟煤（发电设施核算规则）" in power
    assert "单位热值含碳量 = 0.03085 t/GJ · 缺省值" in power
    assert "E = (购入量 − 输出量) × EF［碳市场报告口径，全国］（净购入电力）" in power
    assert "办公室确认 已确认" in power  # the history: the step and the state by name
    cement = shown[f"/enterprises/reports/{web.state.ids['cement']}"]
    assert "GB/T 32150-2015 工业企业温室气体排放核算和报告通则，附录A（2015）" in cement
    assert "熟料产量 = 380000.0 t · 实测" in cement


def test_the_english_pages_keep_the_english_texts(web) -> None:
    with TestClient(web) as office:
        log_in(office, "office")
        shown = pages(office, "en", web.state.ids)
    assert (
        "Shaped like the example firm data shipped with the software"
        in (shown["/enterprises?year=2024"])
    )
    assert (
        "Source Example firm data (shipped with the software)"
        in (shown["/enterprises/huadian_zhangqiu"])
    )
    firm = shown["/enterprises/example_power"]
    assert "Source Entered on the web (专班办公室)" in firm
    assert "see “One firm's annual report file” in the documentation" in firm
    assert "Benchmark row — cement clinker coal power unit" in firm
    assert "yes (by emissions)" in shown["/enterprises/screening?year=2024"]
    assert (
        "全国煤电机组改造升级实施方案 (2021), new units below 270; existing units above 300 "
        "retrofitted (2021)"
    ) in shown["/enterprises/benchmarks?year=2024"]
    ets = shown["/enterprises/compliance?year=2024"]
    assert (
        "碳排放权交易管理办法（试行）(生态环境部令第19号), CCER offsetting, at most 5% of the "
        "allowances to be surrendered (2020)"
    ) in ets
    assert (
        "生态环境部 发电行业 月度信息化存证 (since April 2022), monthly evidence, within 40 days "
        "after the end of each month (2022)"
    ) in ets
    assert (
        "2006 IPCC Guidelines Vol 2 Ch 2 Table 2.1 (ISIC Rev. 4) ↔ GB/T 4754-2017, "
        "category ↔ division (2006)"
    ) in shown["/enterprises/crosscheck?year=2022"]
    form = shown["/footprint/example_cement?year=2024"]
    assert "a zip exported in openLCA JSON-LD format" in form
    assert "nearzero.footprint.system" not in form
    for choice in (
        "national average electricity, 2023, 0.6205 kgCO2e/kWh, to confirm",
        "by source: wind power, 2023, 0.0336 kgCO2e/kWh, to confirm",
        "by source: photovoltaic power, 2023, 0.0545 kgCO2e/kWh, to confirm",
        "by source: biomass power, 2023, 0.0457 kgCO2e/kWh, to confirm",
        "national average electricity, 2024, 0.5777 kgCO2e/kWh, to confirm",
    ):
        assert choice in form, choice
    for text in shown.values():
        for chinese in (
            "示例企业数据",
            "CCER抵销",
            "自2022年4月起",
            "国家温室气体清单指南",
            "风电，",
        ):
            assert chinese not in text
    power = shown[f"/enterprises/reports/{web.state.ids['power']}"]
    assert "Sector power generation · Electricity/heat factors ETS reporting" in power
    assert "E = (purchased − exported) × EF [ETS reporting, national]" in power
    assert "carbon content per unit of heat = 0.03085 t/GJ · default" in power
    cement = shown[f"/enterprises/reports/{web.state.ids['cement']}"]
    assert "GB/T 32150-2015 工业企业温室气体排放核算和报告通则, Annex A (2015)" in cement
    assert (
        "1.A.1.a Main Activity Electricity and Heat Production"
        in (shown["/enterprises/crosscheck?year=2022"])
    )
    assert "cement clinker" in shown["/enterprises/benchmarks?year=2024"]
    study = shown[f"/footprint/example_cement/studies/{web.state.ids['study']}"]
    assert "cradle to gate (raw materials to the plant gate)" in study
    assert "fossil GHG" in study and "化石温室气体" not in study
    assert "20 × (Seed 1)" in shown[f"/footprint/example_cement/studies/{web.state.ids['study']}"]
