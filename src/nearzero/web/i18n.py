"""Interface texts in zh-CN (the default) and English, in one place."""

from __future__ import annotations

import re
from typing import Any

from nearzero.formatting import fmt, unit_en
from nearzero.indicators.evaluation import IndicatorSpec, Outcome

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "app_name": ("近零碳城市示范创建管理系统", "Near-zero-carbon demonstration"),
    "overview": ("总览", "Overview"),
    "indicators": ("指标体系", "Indicators"),
    "task_targets": ("任务目标", "Task targets"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "switch_lang": ("English", "中文"),
    "year": ("年度", "Year"),
    "acceptance": ("验收条件", "Acceptance readiness"),
    "ready": ("具备验收条件", "Ready for acceptance"),
    "not_ready": ("尚不具备验收条件", "Not yet ready for acceptance"),
    "binding_met": ("约束指标完成", "Binding indicators met"),
    "reference_met": ("参考指标完成", "Reference indicators met"),
    "featured_met": ("特色指标完成", "Featured indicators met"),
    "reference_required": ("参考指标需完成至少", "Reference indicators required"),
    "acceptance_rule": (
        "验收规则：约束指标全部完成，参考指标完成比例不低于70%。",
        "Rule: all binding indicators met and at least 70% of reference indicators met.",
    ),
    "by_category": ("分类完成情况", "Met by category"),
    "category": ("类别", "Category"),
    "code": ("序号", "No."),
    "name": ("指标名称", "Indicator"),
    "unit": ("单位", "Unit"),
    "attribute": ("属性", "Attribute"),
    "target_2025": ("目标", "Target"),
    "value": ("数值", "Value"),
    "status": ("完成情况", "Status"),
    "gap": ("差距", "Gap"),
    "projection": ("趋势预测", "Projection"),
    "departments": ("责任部门", "Departments"),
    "basis_assessment": ("办公室评估", "office assessment"),
    "conflict": ("评估与数据不一致", "assessment conflicts with figures"),
    "trend_chart": ("历年数值与目标", "Values and target"),
    "values_on_record": ("历年数据", "Values on record"),
    "text": ("文字说明", "Text"),
    "source": ("数据来源", "Source"),
    "evidence": ("佐证材料", "Evidence"),
    "entered_by": ("填报人", "Entered by"),
    "entered_at": ("填报时间", "Entered at"),
    "enter_value": ("填报数值", "Enter a value"),
    "part": ("分项", "Part"),
    "save": ("保存", "Save"),
    "saved": ("已保存", "Saved"),
    "history": ("修改记录", "Change history"),
    "when": ("时间", "When"),
    "who": ("操作人", "Who"),
    "action": ("操作", "Action"),
    "old": ("原值", "Old"),
    "new": ("新值", "New"),
    "no_history": ("暂无修改记录", "No changes recorded"),
    "record_assessment": ("记录办公室评估", "Record the office's assessment"),
    "assigned_target": ("上级下达目标", "Target set by the higher government"),
    "enter_assigned": ("录入上级下达目标", "Enter the assigned target"),
    "read_only": ("您的账号只能查看本指标", "Your account may only view this indicator"),
    "task_ref": ("出处", "Where in the plan"),
    "plan": ("实施方案", "Plan"),
    "all": ("全部", "All"),
    "met": ("完成", "met"),
    "not_met_label": ("未完成", "not met"),
    "total": ("总数", "total"),
    "on_track": ("按期可达", "on track"),
    "off_track": ("按期难达", "off track"),
    "not_found": ("未找到", "Not found"),
    "forbidden": ("无权操作", "Not allowed"),
    "note": ("备注", "Note"),
    "projected_value": ("预测值", "Projected"),
    "target_line": ("目标", "Target"),
    # the annual evaluation report (/report)
    "report": ("评估报告", "Report"),
    "report_downloads": ("报告与验收材料", "Report and acceptance dossier"),
    "report_downloads_note": (
        "年度评估报告按所选年度的数据即时生成；验收材料包含指标台账（Excel）、报告（Word、PDF）、"
        "重点工程佐证材料及SHA-256文件清单。",
        "The annual report is built from the year's data when you ask for it; the dossier "
        "holds the indicator workbook (Excel), the report (Word, PDF), key-project evidence "
        "and a SHA-256 manifest.",
    ),
    "download_docx": ("下载Word版", "Download Word"),
    "download_pdf": ("下载PDF版", "Download PDF"),
    "download_dossier": ("下载验收材料包", "Download the acceptance dossier"),
    "building": ("正在生成", "Building"),
    "build_ready": ("已生成，点击下载", "Ready: click to download"),
    "build_failed": ("生成失败", "Build failed"),
    "report_summary": ("总体情况", "Summary"),
    "report_problems": ("存在问题", "Problems"),
    "report_next_year": ("下一年度工作安排", "Next year's work plan"),
    "report_section_hint": (
        "每段一行；保存后写入年度评估报告。",
        "One paragraph per line; saved into the annual report.",
    ),
    "report_admin_only": ("本部分由专班办公室编写。", "The office writes this section."),
    "not_written": ("尚未填写", "Not written yet"),
    # key projects (/projects)
    "projects": ("项目", "Projects"),
    "key_projects": ("重点工程", "Key projects"),
    "project_board": ("工程看板", "Project board"),
    "project_name": ("项目名称", "Project"),
    "project_content": ("项目内容", "Content"),
    "due_date": ("完成日期", "Due"),
    "start_date": ("开工日期", "Start date"),
    "stage": ("进度状态", "Stage"),
    "percent": ("完成进度", "Progress"),
    "mean_percent": ("平均进度", "Mean progress"),
    "alerts": ("提醒", "Alerts"),
    "as_of": ("截至", "as of"),
    "late_alert": ("逾期未完成", "Late (past due, not done)"),
    "due_soon_alert": ("即将到期", "Due soon"),
    "no_alerts": ("暂无逾期或即将到期的工程", "No project is late or due soon"),
    "no_projects": ("没有符合条件的工程", "No project matches"),
    "by_department": ("分部门进度", "Progress by department"),
    "expected_reduction": ("预计年减排量", "Expected annual reduction"),
    "captured": ("年捕集量", "Captured per year"),
    "not_quantified": ("未量化", "Not quantified"),
    "equation": ("计算公式", "Equation"),
    "caveats": ("说明", "Caveats"),
    "parameter": ("参数", "Parameter"),
    "param_status": ("核实状态", "Verification"),
    "figures": ("工程数据", "Project figures"),
    "grid_factor": ("电网排放因子", "Grid factor"),
    "linked_indicators": ("关联指标", "Linked indicators"),
    "timeline": ("进展时间线", "Timeline"),
    "milestone": ("节点", "Milestone"),
    "add_milestone": ("添加节点", "Add a milestone"),
    "no_progress": ("暂无进展记录", "No progress reported yet"),
    "report_progress": ("填报进展", "Report progress"),
    "reported_on": ("日期", "Date"),
    "evidence_file": ("佐证文件", "Evidence file"),
    "no_evidence": ("暂无佐证材料", "No evidence yet"),
    "file": ("文件", "File"),
    "size": ("大小", "Size"),
    "project_read_only": ("您的账号只能查看本工程", "Your account may only view this project"),
    "scenario": ("情景分析", "Scenario"),
    "scenario_chart": ("二氧化碳排放情景", "CO2 emission scenarios"),
    "scenario_method": (
        "基准情景按历年二氧化碳排放总量和地区生产总值（总量÷单位GDP排放）做最小二乘线性外推；"
        "重点工程自完成次年起按预计年减排量计入；目标排放量 = 单位GDP排放目标 × 预测GDP。",
        "Business as usual carries total CO2 and GDP (total ÷ CO2 per GDP) on by least "
        "squares; each project counts its expected annual reduction from the year after it "
        "completes; allowed emissions = CO2-per-GDP target × projected GDP.",
    ),
    "recorded": ("历史排放", "Recorded"),
    "bau": ("基准情景", "Business as usual"),
    "with_projects": ("实施重点工程后", "With the key projects"),
    "target_allowed": ("目标允许排放", "Allowed by the target"),
    "gdp_projected": ("预测地区生产总值", "Projected GDP"),
    "needed": ("基准情景下尚需减排", "Reduction needed beyond BAU"),
    "remaining": ("计入工程后仍需减排", "Still needed with the projects"),
    "bau_meets_target": ("基准情景已可达标", "BAU meets the target"),
    "margin": ("余量", "margin"),
    "no_target_year": ("方案未设定该年目标", "The plan sets no target for this year"),
    "closes": ("弥补缺口", "Closes"),
    "already_in_record": ("已计入历史数据的工程", "Already in the recorded years"),
    "missing_inputs": ("缺少", "Missing"),
    "not_counted": ("未计入减排", "Not counted as a reduction"),
    "edit_figures": (
        "工程数据（用于计算预计年减排量）",
        "Project figures (for the expected reduction)",
    ),
    "figures_hint": (
        "按可研报告或实测数据填写；数值可用任意可换算的单位（如 10080 kW、5500 亩、40 %），"
        "保存时按右侧单位核验换算；留空的项按已核实的缺省参数计算或提示缺少。",
        "Enter the feasibility study's or measured figures in any convertible unit (10080 kW, "
        "5500 亩, 40 %); each is checked against the unit on its right. Empty figures use a "
        "confirmed default or are reported missing.",
    ),
    "reduction_kind": ("减排方式", "Method of reduction"),
    "no_method": ("无（不量化）", "None (not quantified)"),
    "co2_use": ("二氧化碳用途", "Use of the CO2"),
    "figure": ("数据项", "Figure"),
    "missing_hint": (
        "参数表中没有这些数据的确认值，请在工程数据中填写本工程的数据。",
        "The parameter table has no confirmed value for these: enter the project's own figures.",
    ),
    "done_on": ("完成于", "Done on"),
    "mark_done": ("标记完成", "Mark done"),
}


def translate(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang``; an unknown key is a bug and shows as itself."""
    zh, en = MESSAGES.get(key, (key, key))
    return en if lang == "en" else zh


def label_of(prefix: str, value: str | None, lang: str) -> str:
    """A stored code (a facility's kind or status) as its name in ``lang``, the message
    ``prefix + value``; a code without one (typed by the office) as it is, none as ``—``."""
    if not value:
        return "—"
    return translate(prefix + value, lang) if prefix + value in MESSAGES else value


def name_in(named: Any, lang: str) -> str:
    """A thing's name in ``lang`` (a segment, a dimension, a line of them): its ``name_en`` on
    English pages when it has one, else its ``name_zh``."""
    english = getattr(named, "name_en", "") if lang == "en" else ""
    return str(english or named.name_zh)


# the overview's line per capability
MESSAGES.update(
    {
        "work_status": ("各项工作", "Work under the plan"),
        "sum_inventory": ("温室气体清单", "GHG inventory"),
        "sum_inventory_total": ("排放总量（不含LULUCF）", "Emissions excl. LULUCF"),
        "sum_inventory_net": ("净排放（含LULUCF）", "Net emissions incl. LULUCF"),
        "sum_illustrative": ("示例数据，部分为假设", "illustrative, partly assumed"),
        "sum_projects": ("重点工程", "Key projects"),
        "sum_projects_done": ("已完成", "done"),
        "sum_projects_late": ("逾期", "late"),
        "sum_projects_soon": ("即将到期", "due soon"),
        "sum_latest_year": ("最近有数据的年份", "latest year with data"),
        "sum_inclusion": ("碳普惠", "Carbon inclusion"),
        "sum_inclusion_live": ("已上线场景", "live scenarios"),
        "sum_inclusion_records": ("入账记录", "credited records"),
        "sum_inclusion_pooled": ("归集减排量", "pooled reductions"),
        "sum_none": ("尚无数据", "no data yet"),
        "no_reduction_method": (
            "未登记减排量核算方式（可在项目页填写工程数据）",
            "no method of reduction recorded (enter the project's figures on its page)",
        ),
        "wan_t": ("万吨CO₂当量", "10⁴ tCO₂e"),
    }
)


# GHG inventory (温室气体清单) pages
MESSAGES.update(
    {
        "inventory": ("温室气体清单", "GHG inventory"),
        "inv_none": (
            "尚无清单数据：请上传活动数据文件，或加载示例清单。",
            "No inventory yet: upload an activity data file or load the example.",
        ),
        "inv_total_excl": ("总排放量（不含土地利用变化和林业）", "Total excl. LULUCF"),
        "inv_total_incl": ("总排放量（含土地利用变化和林业）", "Total incl. LULUCF"),
        "inv_indirect": ("调入电力、热力间接排放", "Indirect (grid electricity, heat)"),
        "inv_intensity": ("人均排放（不含LULUCF）", "Per capita (excl. LULUCF)"),
        "inv_unit_wan_co2e": ("万吨二氧化碳当量", "10⁴ tCO2e"),
        "inv_run": ("清单运行", "Inventory run"),
        "inv_live": (
            "按当前数据即时计算（未保存）",
            "Computed now from the stored data (not stored)",
        ),
        "inv_source_file": ("活动数据", "activity data"),
        "inv_download_xlsx": ("下载Excel清单表", "Download the Excel tables"),
        "inv_download_docx": ("下载Word清单表", "Download the Word tables"),
        "inv_by_sector": ("分部门、分气体排放", "By sector and gas"),
        "inv_flows": ("部门—气体流向", "Sector → gas flows"),
        "inv_removal": ("吸收", "removal"),
        "inv_trend": ("历年排放趋势", "Trend over the years"),
        "inv_key_categories": ("关键类别分析", "Key category analysis"),
        "inv_key_method": (
            "《2006年IPCC国家温室气体清单指南》第1卷第4章方法1：水平评估（式4.1）与趋势评估"
            "（式4.2），累计贡献95%。",
            "IPCC 2006 Vol 1 Ch 4, Approach 1: level (Eq 4.1) and trend (Eq 4.2), 95 %.",
        ),
        "inv_category": ("类别", "Category"),
        "inv_share": ("占比", "Share"),
        "inv_cumulative": ("累计", "Cumulative"),
        "inv_level": ("水平评估", "Level"),
        "inv_trend_key": ("趋势评估", "Trend"),
        "inv_key": ("关键类别", "Key"),
        "inv_key_count": ("关键类别数", "Key categories"),
        "inv_uncertainty": ("不确定性", "Uncertainty"),
        "inv_approach1": ("方法1 误差传递", "Approach 1 (error propagation)"),
        "inv_monte_carlo": ("方法2 蒙特卡罗", "Approach 2 (Monte Carlo)"),
        "inv_iterations": ("次模拟", "iterations"),
        "inv_per_category": ("分类别不确定性", "Per category"),
        "inv_mean": ("均值", "Mean"),
        "inv_range95": ("95%区间", "95 % range"),
        "inv_lineage": ("数据来源与因子", "Lineage: factors and sources"),
        "inv_illustrative_rows": ("假设数据行", "rows with assumed data"),
        "inv_to_confirm": (
            "部分排放因子尚待与官方文件核对",
            "Some factors are still to be confirmed",
        ),
        "inv_factor": ("因子编号", "Factor id"),
        "inv_subject": ("对象", "Subject"),
        "inv_status": ("状态", "Status"),
        "inv_status_to_confirm": ("待确认", "to confirm"),
        "inv_status_local": ("本地因子", "local"),
        "inv_status_verified": ("已核实", "verified"),
        "inv_methods": ("计算方法", "Methods"),
        "inv_assumed": ("假设", "assumed"),
        "inv_recalculation": ("重新计算记录", "Recalculation"),
        "inv_no_changes": ("最近一次计算与上一次相比没有变化。", "The latest run changed nothing."),
        "inv_row": ("数据行", "Row"),
        "inv_gas": ("气体", "Gas"),
        "inv_old": ("原值 tCO2e", "Before, tCO2e"),
        "inv_new": ("新值 tCO2e", "After, tCO2e"),
        "inv_changed_factors": ("变化的因子", "Factors changed"),
        "inv_history": ("计算历史", "Run history"),
        "inv_reason": ("原因", "Reason"),
        "inv_by": ("操作人", "By"),
        "inv_data": ("活动数据与因子管理", "Activity data and factors"),
        "inv_template": ("下载Excel活动数据模板", "Download the Excel template"),
        "inv_formats": ("支持格式", "Formats"),
        "inv_upload": ("上传并计算", "Upload and compute"),
        "inv_upload_note": (
            "文件中任何一行有误，整个文件不予保存，并列出出错的行和字段。",
            "Any bad row rejects the whole file; the rows and fields at fault are listed.",
        ),
        "inv_load_example": ("加载章丘示例清单", "Load the Zhangqiu example"),
        "inv_local_factors": ("本地排放因子（Tier 2）", "Local factors (Tier 2)"),
        "inv_factor_year": ("适用年份（可空）", "Year (optional)"),
        "inv_source_hint": ("文件名称、表号、页码", "document, table, page"),
        "inv_save_recalculate": ("保存并重算全部年份", "Save and recalculate every year"),
        "inv_remove": ("删除", "Remove"),
        "inv_feed": ("写入指标1—3、13", "Write indicators 1–3 and 13"),
        "inv_feed_note": (
            "口径：二氧化碳，不含土地利用变化和林业，含调入电力、热力间接排放；指标13需填写工业增加值。"
            "写入后在指标页面可见，来源注明清单运行编号。",
            "Scope: CO2, excl. LULUCF, incl. indirect electricity and heat; indicator 13 needs "
            "the industrial value added. The source names the inventory run.",
        ),
        "inv_indicator_1": ("指标1 二氧化碳排放总量（吨）", "1 Total CO2 (t)"),
        "inv_indicator_2": ("指标2 人均二氧化碳排放（吨/人）", "2 CO2 per capita (t/person)"),
        "inv_indicator_3": ("指标3 单位GDP二氧化碳排放（吨/万元）", "3 CO2 per GDP (t/10⁴ yuan)"),
        "inv_indicator_13": (
            "指标13 单位工业增加值二氧化碳排放（吨/万元）",
            "13 CO2 per industrial value added",
        ),
        "inv_industry_va": ("工业增加值（万元）", "Industrial value added (10⁴ yuan)"),
        "inv_industry_source": ("工业增加值来源", "Source of the value added"),
        "inv_allow_illustrative": (
            "确认使用含假设数据的清单",
            "Accept an inventory with assumed data",
        ),
        "inv_feed_button": ("写入指标", "Write the indicators"),
        "inv_office_only": (
            "上传数据、本地因子和写入指标由专班办公室操作。",
            "Uploads, local factors and indicator writes are done by the office.",
        ),
        "inv_example_label": ("示例（部分数据为假设）", "Example (partly assumed)"),
        "inv_per_person": ("tCO2e/人", "tCO2e per person"),
        "inv_per_wan_yuan": ("tCO2e/万元", "tCO2e per 10⁴ yuan"),
        "inv_exact_inputs": (
            "{n} 个排放因子或参数没有不确定性范围，分析中按精确值计入（结果因此偏小）：",
            "{n} factors or parameters give no uncertainty range and count as exact (so the "
            "result understates the uncertainty):",
        ),
        "inv_gpc_basic": (
            "GPC（城市温室气体核算国际标准）BASIC 级 {basic} · BASIC+ 级 {plus}",
            "GPC BASIC {basic} · BASIC+ {plus}",
        ),
        "inv_approach1_source": (
            "《2006年IPCC国家温室气体清单指南》第1卷第3章 式3.1、3.2",
            "IPCC 2006 Vol 1 Ch 3 Eq 3.1/3.2",
        ),
        "inv_seed": ("随机数种子", "seed"),
        "inv_mc_short": ("蒙特卡罗", "MC"),
        "inv_version_of": ("（版本 {v}）", " (version {v})"),
        "inv_factor_name": ("排放因子或参数", "Factor or parameter"),
        "inv_factor_id_hint": ("自定编号，如 ZQ-01", "your own id, e.g. ZQ-01"),
        "inv_saved_loaded": ("活动数据已保存并完成计算。", "Activity data stored and computed."),
        "inv_saved_example": (
            "已加载示例清单（部分数据为假设）。",
            "Example loaded (partly assumed data).",
        ),
        "inv_saved_recalculated": (
            "因子已更新，全部年份已重新计算。",
            "Factor saved; every year recalculated.",
        ),
        "inv_saved_fed": ("已写入指标（见指标页面）。", "Indicators written."),
    }
)

# Carbon inclusion (碳普惠): web/routes/inclusion/ and templates/inclusion*.html
MESSAGES.update(
    {
        "inclusion": ("碳普惠", "Carbon inclusion"),
        "inc_period": ("统计期", "Period"),
        "inc_period_day": ("按日", "By day"),
        "inc_period_month": ("按月", "By month"),
        "inc_period_year": ("按年", "By year"),
        "inc_new_key": (
            "合作方密钥仅显示这一次，请妥善转交：",
            "The partner's secret is shown only this once; hand it over safely:",
        ),
        "inc_partner": ("合作方", "Partner"),
        "inc_partners": ("合作方（申报机构）", "Partners (reporting operators)"),
        "inc_code": ("编码", "Code"),
        "inc_live": ("已上线碳普惠场景", "Live carbon-inclusion scenarios"),
        "inc_sync_indicator": ("写入指标6", "Write indicator 6"),
        "inc_pool": ("生态环境部门归集减排量", "Reductions pooled by the department"),
        "inc_pool_note": (
            "减排量支配权保留在生态环境部门",
            "ownership stays with the ecology and environment department",
        ),
        "inc_reductions": ("按方法学统计的减排量", "Reductions by methodology"),
        "inc_methodology": ("方法学（版本）", "Methodology (version)"),
        "inc_scenario": ("场景", "Scenario"),
        "inc_records": ("记录数", "Records"),
        "inc_grams": ("入账减排量（克）", "Credited (g CO2)"),
        "inc_computed": ("方法学计算值（克）", "Methodology result (g)"),
        "inc_participants": ("参与人数", "Participants"),
        "inc_outcomes": ("记录受理情况", "Records accepted and rejected"),
        "inc_outcome": ("结果", "Outcome"),
        "inc_statement": ("归集减排量清单", "Pooled reductions statement"),
        "inc_statement_note": (
            "用于登记或交易：按方法学版本与月份汇总，每行可追溯至账本交易及其行为记录。",
            "For registration or sale: by methodology version and month; each line traces to "
            "its ledger transactions and their behaviour records.",
        ),
        "inc_trace": ("溯源", "Trace"),
        "inc_transactions": ("笔账本交易", "ledger transactions"),
        "inc_total": ("合计", "Total"),
        "inc_rotate": ("更换密钥", "Rotate key"),
        "inc_add_partner": ("登记合作方", "Register partner"),
        "inc_offers": ("可兑换权益", "Offers"),
        "inc_offer": ("权益", "Offer"),
        "inc_merchant": ("商户", "Merchant"),
        "inc_points": ("积分", "points"),
        "inc_add_offer": ("新增权益", "Add offer"),
        "inc_my_account": ("我的碳账户", "My carbon account"),
        "inc_balance": ("积分余额", "Points balance"),
        "inc_credited_total": ("累计减排", "Reduced in total"),
        "inc_point_rule": ("1积分 = 1克二氧化碳减排", "1 point = 1 g CO2 reduced"),
        "inc_history": ("积分明细", "History"),
        "inc_redeemed": ("兑换", "Redeemed"),
        "inc_no_offers": ("暂无可兑换权益", "No offers yet"),
        "inc_consents": ("场景授权", "Scenario consent"),
        "inc_consent_on": ("已授权", "granted"),
        "inc_consent_off": ("未授权", "not granted"),
        "inc_msg_redeemed": ("兑换成功", "Redeemed"),
        "inc_msg_insufficient": ("积分不足，未兑换", "Not enough points; nothing redeemed"),
        # resident consent
        "inc_consent_note": (
            "撤回授权后，该场景此后的行为不再记入积分；已获得的积分保留。",
            "After you withdraw, behaviour from then on in that scenario earns no points; "
            "points already credited stay.",
        ),
        "inc_consent_grant": ("授权", "Grant"),
        "inc_consent_withdraw": ("撤回授权", "Withdraw"),
        "inc_msg_consent_granted": ("已授权", "Consent granted"),
        "inc_msg_consent_withdrawn": (
            "已撤回授权，已获得的积分保留",
            "Consent withdrawn; points already credited stay",
        ),
        "inc_msg_bad_scenario": ("未知场景，未作更改", "Unknown scenario; nothing changed"),
        # points expiry
        "inc_expired": ("积分过期", "Points expired"),
        "inc_no_history": ("暂无积分明细", "Nothing yet"),
        "inc_rules": ("平台规则与方法学", "Platform rules and methodologies"),
        "inc_rules_origin_saved": (
            "当前规则：专班 {by} 于 {at} 保存的版本。",
            "Rules in force: the version {by} saved on {at}.",
        ),
        "inc_rules_origin_bundled": (
            "当前规则：随系统提供的默认文件（专班尚未保存本区的版本）。",
            "Rules in force: the bundled default file (the office has not saved its own).",
        ),
        "inc_rules_origin_none": (
            "尚无规则：未选定任何方法学，所有记录将被拒绝（no_methodology）。",
            "No rules yet: no methodology is chosen, every record is refused (no_methodology).",
        ),
        "inc_rules_in_force": ("今日适用的方法学（版本）", "Methodology in force today (version)"),
        "inc_rules_status": ("状态", "Status"),
        "inc_rules_missing": ("缺少取值的参数", "Parameters without a value"),
        "inc_rules_none": ("未选定", "none chosen"),
        "inc_rules_published": ("已发布", "published"),
        "inc_rules_draft": ("草案", "draft"),
        "inc_rules_unset": ("尚未设定的平台规则：{n} 项", "Platform rules not yet set: {n}"),
        "inc_rules_scheme_text": (
            "本区平台规则（YAML，格式同 data/inclusion/schemes）",
            "This unit's platform rules (YAML, as data/inclusion/schemes)",
        ),
        "inc_rules_note": ("修改说明", "Note on the change"),
        "inc_rules_save": ("保存为新版本", "Save as a new version"),
        "inc_rules_methodology_text": (
            "发布方法学新版本（YAML，格式同 data/inclusion/methodologies；须为新版本号）",
            "Publish a methodology version (YAML, as data/inclusion/methodologies; a new version)",
        ),
        "inc_policy": (
            "积分上限、合理性范围、补报时限和积分有效期",
            "Caps, plausibility, claim window, validity",
        ),
        "inc_policy_hint": (
            "留空表示不设定（不检查、不设上限）；保存为平台规则的新版本，方法学选择不变。",
            "Empty means not set (no check, no cap); saved as a new version of the rules, the "
            "methodology choices unchanged.",
        ),
        "inc_policy_total": ("全部场景合计", "All scenarios"),
        "inc_policy_min_distance_km": ("最短距离（km）", "Shortest distance (km)"),
        "inc_policy_max_distance_km": ("最长距离（km）", "Longest distance (km)"),
        "inc_policy_max_speed_kmh": ("最高平均速度（km/h）", "Highest mean speed (km/h)"),
        "inc_policy_max_energy_kwh": ("单条记录最大电量（kWh）", "Most energy per record (kWh)"),
        "inc_policy_max_mass_kg": ("单条记录最大重量（kg）", "Most mass per record (kg)"),
        "inc_policy_daily_g": ("每人每日上限（g CO2）", "Daily cap per resident (g CO2)"),
        "inc_policy_yearly_g": ("每人每年上限（g CO2）", "Yearly cap per resident (g CO2)"),
        "inc_policy_claim_window_days": ("补报时限（天）", "Claim window (days)"),
        "inc_policy_points_valid_months": ("积分有效期（月）", "Points validity (months)"),
        "inc_rules_new_version": ("以此发布新版本", "new version from this"),
        "inc_rules_history": ("平台规则的历次版本（{n}）", "Saved versions of the rules ({n})"),
        "inc_rules_saved_at": ("保存时间", "Saved"),
        "inc_rules_saved_by": ("保存人", "By"),
        "inc_rules_current": ("现行", "in force"),
        "inc_rules_valid_from": ("自（可空）", "From (optional)"),
        "inc_rules_apply": ("适用（保存为新版本）", "Apply (a new version)"),
        "inc_rules_publish": ("发布", "Publish"),
        "inc_rules_saved_scheme": ("平台规则已保存为新版本。", "Rules saved as a new version."),
        "inc_rules_saved_methodology": ("方法学版本已发布。", "Methodology version published."),
        "inc_rules_saved_scenario": ("场景已添加。", "Scenario added."),
        "inc_rules_scenario_text": (
            "添加场景（YAML：code、label_zh、label_en、activity、fields、claim，格式同 "
            "data/inclusion/scenarios.yaml 的一项）",
            "Add a scenario (YAML: code, label_zh, label_en, activity, fields, claim; one item "
            "of data/inclusion/scenarios.yaml)",
        ),
        "inc_expiry": ("积分过期处理", "Points expiry"),
        "inc_expiry_rule": (
            "积分自行为发生起{months}个月内有效，逾期未使用的积分转入积分过期账户"
            "（每笔可追溯；重复执行不会重复过期）。",
            "Points are valid for {months} months after the behaviour; points unspent by then "
            "move to the expiry account (each traceable; running it again expires nothing twice).",
        ),
        "inc_expiry_off": (
            "未设置积分有效期（平台规则中的“积分有效期（月）”，或系统安装时的设置），积分不过期。",
            "No points validity is set (the platform rules' points validity in months, or the "
            "installation's setting): points do not expire.",
        ),
        "inc_expire_as_of": ("截至日期", "As of"),
        "inc_expire_run": ("执行过期处理", "Expire points"),
        "inc_expired_total": ("累计过期积分", "Points expired so far"),
        "inc_msg_expired": (
            "过期处理完成：{transactions}笔，{points}积分，涉及{residents}位居民。",
            "Expiry posted: {transactions} transactions, {points} points, {residents} residents.",
        ),
        # partner edit form
        "inc_edit": ("编辑", "Edit"),
        "inc_edit_partner": ("编辑合作方", "Edit partner"),
        "inc_field_name_zh": ("合作方名称", "Partner name"),
        "inc_field_scenarios": ("授权场景", "Authorised scenarios"),
        "inc_field_active": ("启用（可提交数据）", "Active (may submit data)"),
        "inc_active_note": (
            "停用后该合作方的请求一律拒绝；已入账的积分和减排量不受影响。",
            "An inactive partner's requests are all refused; what it already credited stays.",
        ),
        "inc_inactive": ("已停用", "inactive"),
        "inc_key": ("接口密钥", "API key"),
        "inc_rotated_at": ("上次更换", "last rotated"),
        "inc_key_id": ("密钥编号", "Key ID"),
        "inc_secret": ("密钥", "Secret"),
        "inc_rotate_note": (
            "更换后旧密钥立即失效；新密钥只显示一次。",
            "The old key stops working at once; the new secret is shown only once.",
        ),
    }
)


# enterprises (重点企业 / 重点排放单位) pages
MESSAGES.update(
    {
        "enterprises": ("重点企业", "Enterprises"),
        "ent_title": ("重点企业碳排放管理", "Enterprises: emissions, verification, compliance"),
        "ent_list": ("企业名录", "Registry"),
        "ent_screening": ("筛查名单", "Screening"),
        "ent_benchmarks": ("能效标杆", "Efficiency benchmarks"),
        "ent_compliance": ("配额履约", "ETS compliance"),
        "ent_assigned": ("分配给本机构核查的报告", "Reports assigned to you"),
        "ent_none_assigned": ("暂无分配的报告", "No report is assigned to you"),
        "ent_firm": ("企业", "Enterprise"),
        "ent_state": ("报告状态", "Report state"),
        "ent_reported": ("报告数", "Reported"),
        "ent_verified": ("核查数", "Verified"),
        "ent_difference": ("差异（核查−报告）", "Difference (verified − reported)"),
        "ent_example": ("示例", "illustrative"),
        "ent_export": ("导出Excel", "Export to Excel"),
        "ent_credit_code": ("统一社会信用代码", "Unified social credit code"),
        "ent_industry_code": ("行业代码（GB/T 4754）", "Industry code (GB/T 4754)"),
        "ent_industry": ("行业", "Industry"),
        "ent_sector": ("行业类型", "Sector"),
        "ent_subdistrict": ("所在街道", "Subdistrict"),
        "ent_ets": ("纳入全国碳市场", "Covered by the ETS"),
        "ent_emissions": ("二氧化碳排放量", "CO2 emissions"),
        "ent_fossil": ("化石能源消费量", "Fossil energy"),
        "ent_comprehensive": ("综合能耗", "Comprehensive energy"),
        "ent_energy": ("能源消费", "Energy"),
        "ent_flags": ("筛查标记", "Screening flags"),
        "ent_over_2000": ("化石能源＞2000吨标煤", "> 2,000 tce fossil energy"),
        "ent_candidate": ("重点排放单位候选", "Key emitting unit candidate"),
        "ent_market": ("全国碳市场行业", "National market sector"),
        "ent_no_report": ("无报告", "no report"),
        "ent_none": (
            "尚无企业：可加载名录文件或逐个登记。",
            "No enterprise yet: load a registry file or add one.",
        ),
        "ent_add": ("登记企业", "Register an enterprise"),
        "ent_key": ("标识", "Key"),
        "ent_load": ("加载企业名录文件（YAML）", "Load a registry file (YAML)"),
        "ent_load_note": (
            "格式同随软件提供的示例企业数据；已登记的企业不变，全部校验通过后才写入。",
            "Shaped like the example firm data shipped with the software; registered firms are "
            "kept; nothing is written unless every firm is valid.",
        ),
        "ent_source_bundled": (
            "示例企业数据（随软件提供）",
            "Example firm data (shipped with the software)",
        ),
        "ent_source_entered": ("网页登记（{who}）", "Entered on the web ({who})"),
        "ent_source_registry": ("企业名录文件“{name}”", "Registry file “{name}”"),
        "ent_basis_emissions": ("按排放量", "by emissions"),
        "ent_basis_energy_proxy": ("按综合能耗估算", "by energy use, as a proxy"),
        "ent_upload": ("上传", "Upload"),
        "ent_not_given": ("未提供（请按营业执照填写）", "not given (enter it from the licence)"),
        "ent_facilities": ("设施（机组、窑炉、生产线）", "Facilities (units, kilns, lines)"),
        "ent_facility": ("设施", "Facility"),
        "ent_facility_kind_unit": ("机组", "unit"),
        "ent_facility_kind_kiln": ("窑", "kiln"),
        "ent_facility_kind_line": ("生产线", "line"),
        "ent_facility_kind_boiler": ("锅炉", "boiler"),
        "ent_facility_kind_other": ("其他", "other"),
        "ent_facility_status_operating": ("运行", "operating"),
        "ent_facility_status_project": ("项目（在建或拟建）", "project (planned or building)"),
        "ent_facility_status_closed": ("已关停", "closed"),
        "ent_kind": ("类别", "Kind"),
        "ent_capacity": ("产能/装机", "Capacity"),
        "ent_capacity_at": ("达到标杆的产能", "Capacity at benchmark"),
        "ent_status": ("状态", "Status"),
        "ent_benchmark": ("能效标杆行", "Benchmark row"),
        "ent_reports": ("年度排放报告", "Annual emission reports"),
        "ent_defaults": ("缺省值", "Defaults"),
        "ent_to_confirm": ("待确认", "to confirm"),
        "ent_to_confirm_note": (
            "使用了尚待与官方文件核对的缺省值",
            "uses defaults still to be checked against the official document",
        ),
        "ent_enter_report": ("填报年度报告", "Enter an annual report"),
        "ent_template": ("下载Excel填报模板", "Download the Excel template"),
        "ent_save_draft": ("保存为草稿", "Save as draft"),
        "ent_report_note": (
            "Excel模板或 YAML/JSON 报告文件（格式见说明文档《企业年度排放报告文件》）；"
            "有误时指出工作表、行、列，不保存任何内容。",
            "The Excel template or a YAML/JSON report file (see “One firm's annual report "
            "file” in the documentation); an error names the sheet, row and column, and nothing "
            "is saved.",
        ),
        "ent_edit": ("修改企业信息", "Edit the enterprise"),
        "ent_add_facility": ("增加设施", "Add a facility"),
        "ent_efficiency": ("填报能效指标值", "Enter an efficiency value"),
        "ent_source_file": ("报告文件", "Report file"),
        "ent_factor_family": ("电力热力因子", "Electricity/heat factors"),
        "ent_verifier": ("核查机构", "Verifier"),
        "ent_findings": ("核查发现", "Findings"),
        "ent_components": ("排放构成与数据来源", "Components and lineage"),
        "ent_equation": ("公式", "Equation"),
        "ent_lineage": ("参数来源", "Parameters"),
        "ent_months": ("月份", "months"),
        "ent_month": ("月", "month"),
        "ent_workflow": ("核查流程", "Verification workflow"),
        "ent_adjusted_file": ("核查调整后的报告文件（可空）", "Adjusted report file (optional)"),
        "ent_reason": ("退回原因", "Reason"),
        "ent_step_submit": ("提交", "Submit"),
        "ent_step_start_verification": ("指派核查机构", "Assign a verifier"),
        "ent_step_verify": ("提交核查结果", "Record verification"),
        "ent_step_confirm": ("办公室确认", "Confirm"),
        "ent_step_return": ("退回", "Return"),
        "ent_state_draft": ("草稿", "draft"),
        "ent_state_submitted": ("已提交", "submitted"),
        "ent_state_in_verification": ("核查中", "in verification"),
        "ent_state_verified": ("已核查", "verified"),
        "ent_state_confirmed": ("已确认", "confirmed"),
        "ent_kind_fuel": ("燃料燃烧", "Fuel combustion"),
        "ent_kind_process": ("工业生产过程", "Process"),
        "ent_kind_electricity": ("净购入电力", "Net purchased electricity"),
        "ent_kind_heat": ("净购入热力", "Net purchased heat"),
        "ent_kind_recovered": ("回收利用（扣减）", "Recovered (deducted)"),
        "ent_kind_total": ("合计", "Total"),
        "ent_tier_measured": ("实测", "measured"),
        "ent_tier_default": ("缺省值", "default"),
        "ent_tier_gap_filled": ("缺失月份补齐", "gap-filled"),
        "ent_tier_given": ("文件给定", "given"),
        # a report's page: parameters, notes and history by name, not by their codes
        "ent_param_consumption": ("消耗量", "consumption"),
        "ent_param_ncv": ("低位发热量", "net calorific value"),
        "ent_param_carbon_content": ("单位热值含碳量", "carbon content per unit of heat"),
        "ent_param_oxidation": ("碳氧化率", "oxidation rate"),
        "ent_param_purchased": ("购入量", "purchased"),
        "ent_param_exported": ("输出量", "exported"),
        "ent_param_ef_electricity": ("电力排放因子", "electricity emission factor"),
        "ent_param_ef_heat": ("热力排放因子", "heat emission factor"),
        "ent_param_clinker": ("熟料产量", "clinker produced"),
        "ent_param_cao": ("熟料中CaO含量", "CaO in clinker"),
        "ent_param_mgo": ("熟料中MgO含量", "MgO in clinker"),
        "ent_param_cao_non_carbonate": ("非碳酸盐来源的CaO含量", "non-carbonate CaO"),
        "ent_param_mgo_non_carbonate": ("非碳酸盐来源的MgO含量", "non-carbonate MgO"),
        "ent_param_dust": ("窑炉粉尘量", "kiln dust"),
        "ent_param_raw_meal": ("生料量", "raw meal"),
        "ent_param_raw_meal_organic_carbon": ("生料中有机碳含量", "organic carbon in raw meal"),
        "ent_param_inputs": ("原料", "input"),
        "ent_param_outputs": ("产品", "output"),
        "ent_param_flow_carbon_content": ("含碳量", "carbon content"),
        "ent_param_recovered": ("回收利用量", "recovered"),
        "ent_param_tce_coefficient": ("折标准煤系数", "tce coefficient"),
        "ent_fuel_rules_general": ("通用核算规则", "general rules"),
        "ent_fuel_rules_power": ("发电设施核算规则", "power-facility rules"),
        "ent_factor_family_ets_reporting": ("碳市场报告口径", "ETS reporting"),
        "ent_factor_family_general_accounting": ("一般核算口径", "general accounting"),
        "ent_product_clinker": ("熟料", "clinker"),
        "ent_industry_coal_power": ("煤电", "coal power"),
        "ent_eq_indirect": (
            "E = (购入量 − 输出量) × EF［{family}，{region}］（{kind}）",
            "E = (purchased − exported) × EF [{family}, {region}] ({kind})",
        ),
        "ent_region_national": ("全国", "national"),
        "ent_region_national_fossil": ("全国化石能源电力", "national, fossil-fuel power"),
        "ent_region_national_non_market": (
            "全国（不含市场化交易的非化石能源电量）",
            "national, without market-traded non-fossil power",
        ),
        "ent_region_north_china": ("华北区域", "North China"),
        "ent_region_east_china": ("华东区域", "East China"),
        "ent_region_shandong": ("山东省", "Shandong"),
        "ent_region_renewable_or_waste_heat": (
            "可再生能源、余热发电",
            "renewable or waste-heat power",
        ),
        "ent_region_waste_heat": ("余热回收", "waste heat"),
        "ent_sector_general": ("一般工业", "general industry"),
        "ent_action_report.draft": ("保存草稿", "draft saved"),
        "ent_action_report.submit": ("提交", "submitted"),
        "ent_action_report.start_verification": ("指派核查机构", "verifier assigned"),
        "ent_action_report.verify": ("提交核查结果", "verification recorded"),
        "ent_action_report.confirm": ("办公室确认", "confirmed"),
        "ent_action_report.return": ("退回", "returned"),
        "ent_action_report.evidence": ("上传佐证材料", "evidence added"),
        "ent_figures": ("数据", "Figures"),
        "ent_screening_rule": (
            "化石能源消费量大于2000吨标煤（方案四（一）3）；排放量达到2.6万吨二氧化碳当量为"
            "重点排放单位候选（无排放量时以综合能耗1万吨标煤代替）；已核查的以核查数为准。",
            "Fossil energy over 2,000 tce (plan 四（一）3); 26,000 tCO2e or more makes a key "
            "emitting unit candidate (10,000 tce of energy as a proxy); verified figures once "
            "verified.",
        ),
        "ent_no_reports_year": ("该年度尚无报告", "No report for this year"),
        "ent_without_report": ("无该年度报告的企业", "Enterprises without a report this year"),
        "ent_indicator_15": (
            "指标15：达到能效标杆水平的产能比例",
            "Indicator 15: capacity at benchmark",
        ),
        "ent_met": ("完成（>30%）", "met (> 30 %)"),
        "ent_not_met": ("未完成", "not met"),
        "ent_no_lines": ("尚无填报能效指标值的设施", "No facility has an efficiency value"),
        "ent_lines": ("设施能效判定", "Facilities judged"),
        "ent_product": ("产品", "Product"),
        "ent_level": ("判定", "Level"),
        "ent_levels": ("标杆水平与基准水平", "Benchmark and baseline levels"),
        "ent_benchmark_level": ("标杆水平", "Benchmark"),
        "ent_baseline_level": ("基准水平", "Baseline"),
        "ent_t11": ("重点排放单位完成报告与核查", "key emitting units reported and verified"),
        "ent_t12": ("电力企业完成配额清缴", "power firms that surrendered"),
        "ent_allocated": ("分配配额（t）", "Allocated (t)"),
        "ent_balance": ("盈余(+)/缺口(−)", "Surplus (+) / shortfall (−)"),
        "ent_ccer_counted": ("CCER计入", "CCER counted"),
        "ent_surrendered": ("已清缴（t）", "Surrendered (t)"),
        "ent_surrendered_on": ("清缴日期", "Surrendered on"),
        "ent_complied": ("履约", "Complied"),
        "ent_no_covered": ("尚无纳入全国碳市场的企业", "No enterprise is covered by the ETS"),
        "ent_allowance": ("登记配额与清缴", "Record allowances and surrender"),
        "ent_calendar": ("月度存证", "Monthly evidence"),
        "ent_calendar_note": (
            "每月参数与检测报告应在月末后规定天数内上传（见下方规则）。",
            "Each month's parameters and lab reports are due within the days the rule below "
            "sets after the month ends.",
        ),
        "ent_item": ("存证项目", "Item"),
        "ent_due": ("截止日期", "Due"),
        "ent_overdue": ("逾期未上传的月度存证", "Monthly evidence overdue"),
        "ent_overdue_count": ("逾期项数", "Items overdue"),
        "ent_oldest": ("最早逾期", "Oldest"),
        "ent_overdue_none": ("无逾期存证", "Nothing overdue"),
        "ent_as_of": ("截至", "as of"),
        "ent_file_evidence": ("上传月度存证", "File monthly evidence"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
    }
)


# the office's audit log page
MESSAGES.update(
    {
        "audit": ("审计日志", "Audit log"),
        "audit_chain_intact": ("哈希链完整", "Hash chain intact"),
        "audit_chain_broken": (
            "哈希链断裂：记录被修改、插入或删除",
            "Hash chain broken: an entry was edited, inserted or deleted",
        ),
        "audit_chain_entries": ("共{n}条记录", "{n} entries"),
        "audit_chain_head": ("最新", "newest"),
        "audit_user": ("用户", "User"),
        "audit_object": ("对象", "Object"),
        "audit_action": ("操作", "Action"),
        "audit_since": ("起始日期", "From"),
        "audit_until": ("截止日期", "To"),
        "audit_filter": ("筛选", "Filter"),
        "audit_export": ("导出Excel", "Export to Excel"),
        "audit_count": ("符合条件{n}条", "{n} matching"),
        "audit_time_cst": ("时间（北京时间）", "Time (China Standard Time)"),
        "audit_old": ("原值", "Old"),
        "audit_new": ("新值", "New"),
    }
)

# the audit log's actions, objects and detail keys by name (label_of("audit_act_", code, lang));
# every action the services audit has a name (tests/web/test_audit_page.py checks)
MESSAGES.update(
    {
        "audit_value_true": ("是", "Yes"),
        "audit_value_false": ("否", "No"),
        "audit_value_empty": ("（空）", "(empty)"),
        "audit_value_sep": ("、", ", "),
        "audit_break_link": (
            "与前一条记录不相接：此处有记录被删除或插入",
            "does not follow the entry before: an entry was deleted or inserted here",
        ),
        "audit_break_hash": (
            "内容与哈希不符：记录被修改",
            "content does not match its hash: edited",
        ),
        "audit_act_assessment.set": ("设定评估结论", "Assessment set"),
        "audit_act_assigned_target.set": ("设定下达目标值", "Assigned target set"),
        "audit_act_consent.import": ("导入居民授权", "Consents imported"),
        "audit_act_cycle.confirmation": ("设置数值确认", "Value confirmation switched"),
        "audit_act_cycle.deadline": ("设置填报截止日期", "Reporting deadline set"),
        "audit_act_cycle.evaluation_year": ("设置评估年度", "Evaluation year set"),
        "audit_act_enterprise.add": ("登记企业", "Enterprise registered"),
        "audit_act_enterprise.allowance": ("登记配额履约", "Allowance recorded"),
        "audit_act_enterprise.edit": ("修改企业信息", "Enterprise edited"),
        "audit_act_enterprise.efficiency": ("填报能效指标值", "Efficiency value entered"),
        "audit_act_enterprise.facility.add": ("增加设施", "Facility added"),
        "audit_act_enterprise.load": ("载入企业数据", "Enterprise data loaded"),
        "audit_act_evidence.attach": ("上传佐证材料", "Evidence attached"),
        "audit_act_evidence.download": ("下载佐证材料", "Evidence downloaded"),
        "audit_act_figures.set": ("修改工程数据", "Project figures set"),
        "audit_act_footprint.approve": ("批准碳足迹核算", "Footprint study approved"),
        "audit_act_footprint.compute": ("计算碳足迹", "Footprint computed"),
        "audit_act_footprint.feed": ("碳足迹结果记入指标", "Footprints written to the indicator"),
        "audit_act_footprint.upload": ("上传碳足迹数据", "Footprint data uploaded"),
        "audit_act_inclusion.summaries.rebuild": ("重建碳普惠汇总", "Inclusion summaries rebuilt"),
        "audit_act_inventory.factor.delete": ("删除本地排放因子", "Local factor deleted"),
        "audit_act_inventory.factor.set": ("设定本地排放因子", "Local factor set"),
        "audit_act_inventory.feed": ("清单结果记入指标", "Inventory written to the indicators"),
        "audit_act_inventory.load": ("载入清单数据", "Inventory data loaded"),
        "audit_act_merchant.create": ("登记商户", "Merchant registered"),
        "audit_act_methodology.publish": ("发布方法学", "Methodology published"),
        "audit_act_milestone.add": ("增加工程节点", "Milestone added"),
        "audit_act_milestone.done": ("工程节点完成", "Milestone done"),
        "audit_act_offer.create": ("新增权益", "Offer added"),
        "audit_act_partner.create": ("登记合作方", "Partner registered"),
        "audit_act_partner.rotate": ("更换合作方密钥", "Partner key rotated"),
        "audit_act_partner.update": ("修改合作方", "Partner edited"),
        "audit_act_plan.load": ("载入实施方案", "Plan loaded"),
        "audit_act_points.expire": ("积分过期处理", "Points expired"),
        "audit_act_progress.report": ("填报工程进展", "Progress reported"),
        "audit_act_report.draft": ("保存排放报告草稿", "Emission report draft saved"),
        "audit_act_report.submit": ("提交排放报告", "Emission report submitted"),
        "audit_act_report.start_verification": ("指派核查机构", "Verifier assigned"),
        "audit_act_report.verify": ("提交核查结果", "Verification recorded"),
        "audit_act_report.confirm": ("确认排放报告", "Emission report confirmed"),
        "audit_act_report.return": ("退回排放报告", "Emission report returned"),
        "audit_act_report.evidence": ("上传报告证明材料", "Report evidence attached"),
        "audit_act_report_section.set": ("修改报告章节", "Report section edited"),
        "audit_act_scenario.publish": ("发布碳普惠场景", "Scenario published"),
        "audit_act_scheme.save": ("保存碳普惠规则", "Inclusion scheme saved"),
        "audit_act_twohigh.allocate": ("配置替代指标", "Indicators allocated"),
        "audit_act_twohigh.decide": ("确定应替代量", "Requirement decided"),
        "audit_act_twohigh.deposit": ("收储替代指标", "Indicators deposited"),
        "audit_act_twohigh.evidence": ("上传替代源证明材料", "Source evidence attached"),
        "audit_act_twohigh.need": ("填报新增量", "New amount entered"),
        "audit_act_twohigh.project": ("新增“两高”项目", "Two-high project added"),
        "audit_act_twohigh.ratio": ("设定替代比例", "Substitution ratio set"),
        "audit_act_twohigh.load": ("导入台账文件", "Ledger file loaded"),
        "audit_act_twohigh.release": ("释放替代指标", "Indicators released"),
        "audit_act_twohigh.reserve": ("预留替代指标", "Indicators reserved"),
        "audit_act_twohigh.retire": ("注销替代指标", "Indicators retired"),
        "audit_act_twohigh.source": ("登记替代源", "Substitution source registered"),
        "audit_act_twohigh.stage": ("变更项目阶段", "Project stage changed"),
        "audit_act_twohigh.verify": ("核定替代源", "Source verified"),
        "audit_act_user.change_password": ("修改密码", "Password changed"),
        "audit_act_user.create": ("新建用户", "User created"),
        "audit_act_user.disable": ("停用用户", "User disabled"),
        "audit_act_user.enable": ("启用用户", "User enabled"),
        "audit_act_user.end_all_sessions": ("结束全部会话", "All sessions ended"),
        "audit_act_user.lockout": ("暂时锁定登录", "Log-in locked out"),
        "audit_act_user.login": ("登录", "Logged in"),
        "audit_act_user.login_failed": ("登录失败", "Log-in failed"),
        "audit_act_user.login_refused": ("拒绝登录（已锁定）", "Log-in refused (locked out)"),
        "audit_act_user.logout": ("退出登录", "Logged out"),
        "audit_act_user.reset_password": ("重置密码", "Password reset"),
        "audit_act_user.set_role": ("修改角色", "Role changed"),
        "audit_act_value.confirm": ("确认指标数值", "Value confirmed"),
        "audit_act_value.correct": ("更正指标数值", "Value corrected"),
        "audit_act_value.return": ("退回指标数值", "Value returned"),
        "audit_act_value.set": ("填报指标数值", "Value entered"),
        "audit_act_value.withdraw": ("撤回指标数值", "Value withdrawn"),
        "audit_ent_enterprise": ("企业", "Enterprise"),
        "audit_ent_enterprise_report": ("企业排放报告", "Emission report"),
        "audit_ent_footprint_study": ("碳足迹研究", "Footprint study"),
        "audit_ent_inclusion_expiry": ("积分过期", "Points expiry"),
        "audit_ent_inclusion_merchant": ("商户", "Merchant"),
        "audit_ent_inclusion_methodology": ("方法学", "Methodology"),
        "audit_ent_inclusion_offer": ("权益", "Offer"),
        "audit_ent_inclusion_partner": ("合作方", "Partner"),
        "audit_ent_inclusion_scenario": ("碳普惠场景", "Inclusion scenario"),
        "audit_ent_inclusion_scheme": ("碳普惠规则", "Inclusion scheme"),
        "audit_ent_inclusion_summary": ("碳普惠汇总", "Inclusion summaries"),
        "audit_ent_indicator": ("指标", "Indicator"),
        "audit_ent_inventory": ("温室气体清单", "GHG inventory"),
        "audit_ent_inventory_factor": ("本地排放因子", "Local factor"),
        "audit_ent_key_project": ("重点工程", "Key project"),
        "audit_ent_report_section": ("报告章节", "Report section"),
        "audit_ent_twohigh": ("“两高”项目台账", "Two-high ledger"),
        "audit_ent_unit": ("示范单位", "Demonstration unit"),
        "audit_ent_user": ("用户", "User"),
        "audit_ent_value_evidence": ("数值佐证材料", "Value evidence"),
        "audit_key_active": ("启用", "Active"),
        "audit_key_file": ("文件", "File"),
        "audit_key_movements": ("指标调剂（笔）", "Movements"),
        "audit_key_projects": ("项目（个）", "Projects"),
        "audit_key_ratios": ("替代比例（条）", "Ratios"),
        "audit_key_sources": ("替代源（个）", "Sources"),
        "audit_key_activity": ("行为类型", "Activity"),
        "audit_key_address": ("来源地址", "Address"),
        "audit_key_allocated": ("分配配额", "Allocated"),
        "audit_key_amount": ("数量", "Amount"),
        "audit_key_as_of": ("截至日期", "As of"),
        "audit_key_benchmark_id": ("能效标杆行", "Benchmark row"),
        "audit_key_body": ("正文", "Text"),
        "audit_key_capacity": ("产能/装机", "Capacity"),
        "audit_key_capacity_unit": ("产能单位", "Capacity unit"),
        "audit_key_carbon": ("碳排放", "Carbon"),
        "audit_key_ccer_used": ("使用CCER", "CCER used"),
        "audit_key_claim": ("申报方式", "Claim"),
        "audit_key_coal": ("煤炭消费", "Coal"),
        "audit_key_conditions": (
            "条件（可监测、可统计、可复核）",
            "Conditions (monitorable, countable, re-checkable)",
        ),
        "audit_key_confirmation": ("数值确认", "Confirmation"),
        "audit_key_consents": ("授权条数", "Consents"),
        "audit_key_count": ("数量", "Count"),
        "audit_key_covered_by_ets": ("纳入全国碳市场", "Covered by the ETS"),
        "audit_key_credit_code": ("统一社会信用代码", "Credit code"),
        "audit_key_department": ("部门", "Department"),
        "audit_key_dimension": ("替代维度", "Dimension"),
        "audit_key_done_on": ("完成日期", "Done on"),
        "audit_key_draws": ("抽样次数", "Draws"),
        "audit_key_due": ("截止日期", "Due"),
        "audit_key_due_date": ("计划完成日期", "Due date"),
        "audit_key_ended": ("结束的会话数", "Sessions ended"),
        "audit_key_energy": ("能耗", "Energy"),
        "audit_key_evaluation_year": ("评估年度", "Evaluation year"),
        "audit_key_evidence": ("佐证", "Evidence"),
        "audit_key_example": ("示例数据", "Example data"),
        "audit_key_facilities": ("设施", "Facilities"),
        "audit_key_fields": ("数据项", "Fields"),
        "audit_key_figures": ("工程数据", "Figures"),
        "audit_key_filename": ("文件名", "File name"),
        "audit_key_firm": ("企业", "Firm"),
        "audit_key_formed_on": ("减排量形成日期", "Formed on"),
        "audit_key_fuel": ("燃料燃烧", "Fuel"),
        "audit_key_granted": ("同意数", "Granted"),
        "audit_key_illustrative": ("示例", "Illustrative"),
        "audit_key_indicators": ("指标数", "Indicators"),
        "audit_key_industry_code": ("行业代码", "Industry code"),
        "audit_key_item": ("事项", "Item"),
        "audit_key_key": ("标识", "Key"),
        "audit_key_key_firms": ("重点工业企业数", "Key firms"),
        "audit_key_key_id": ("密钥编号", "Key ID"),
        "audit_key_key_projects": ("重点工程数", "Key projects"),
        "audit_key_kind": ("类别", "Kind"),
        "audit_key_label_zh": ("名称", "Name"),
        "audit_key_mechanism": ("形成方式", "Mechanism"),
        "audit_key_month": ("月份", "Month"),
        "audit_key_months": ("月数", "Months"),
        "audit_key_move": ("动作", "Movement"),
        "audit_key_must_change_password": ("须修改密码", "Must change password"),
        "audit_key_name": ("名称", "Name"),
        "audit_key_name_zh": ("名称", "Name"),
        "audit_key_net_purchased": ("净购入电力热力", "Net purchased"),
        "audit_key_new_amount": ("新增量", "New amount"),
        "audit_key_note": ("说明", "Note"),
        "audit_key_origin": ("来源", "Origin"),
        "audit_key_parameter": ("参数", "Parameter"),
        "audit_key_percent": ("百分比", "Percent"),
        "audit_key_points": ("积分", "Points"),
        "audit_key_process": ("工业生产过程", "Process"),
        "audit_key_product": ("产品", "Product"),
        "audit_key_project": ("项目", "Project"),
        "audit_key_ratio": ("替代比例", "Ratio"),
        "audit_key_reason": ("原因", "Reason"),
        "audit_key_recovered": ("回收", "Recovered"),
        "audit_key_reductions": ("减排量", "Reductions"),
        "audit_key_released": ("释放量", "Released"),
        "audit_key_reported_on": ("报告日期", "Reported on"),
        "audit_key_reported_tco2": ("报告排放量（tCO2）", "Reported (tCO2)"),
        "audit_key_required": ("应替代量", "Required"),
        "audit_key_residents": ("居民数", "Residents"),
        "audit_key_role": ("角色", "Role"),
        "audit_key_rows": ("行数", "Rows"),
        "audit_key_run": ("清单运行", "Run"),
        "audit_key_scenario": ("场景", "Scenario"),
        "audit_key_scenarios": ("场景", "Scenarios"),
        "audit_key_scope": ("范围", "Scope"),
        "audit_key_sector": ("行业类型", "Sector"),
        "audit_key_seed": ("随机种子", "Seed"),
        "audit_key_segment": ("行业", "Segment"),
        "audit_key_sessions_ended": ("结束的会话数", "Sessions ended"),
        "audit_key_sha256": ("SHA-256校验值", "SHA-256"),
        "audit_key_share_pct": ("占比（%）", "Share (%)"),
        "audit_key_size": ("大小（字节）", "Size (bytes)"),
        "audit_key_source": ("来源", "Source"),
        "audit_key_source_name": ("数据文件", "Source file"),
        "audit_key_stage": ("阶段", "Stage"),
        "audit_key_start_date": ("开工日期", "Start date"),
        "audit_key_state": ("状态", "State"),
        "audit_key_status": ("状态", "Status"),
        "audit_key_subdistrict": ("所在街道", "Subdistrict"),
        "audit_key_subject": ("对象", "Subject"),
        "audit_key_surrendered": ("已清缴", "Surrendered"),
        "audit_key_surrendered_on": ("清缴日期", "Surrendered on"),
        "audit_key_surrendered_tonnes": ("清缴量（吨）", "Surrendered (t)"),
        "audit_key_task_targets": ("任务目标数", "Task targets"),
        "audit_key_terms": ("分项", "Terms"),
        "audit_key_text": ("文字说明", "Text"),
        "audit_key_title": ("标题", "Title"),
        "audit_key_title_zh": ("标题", "Title"),
        "audit_key_to_confirm": ("待确认项", "To confirm"),
        "audit_key_total_kgco2e": ("碳足迹（kgCO2e）", "Total (kgCO2e)"),
        "audit_key_totals": ("合计", "Totals"),
        "audit_key_transactions": ("交易笔数", "Transactions"),
        "audit_key_uncertainty_pct": ("不确定性（%）", "Uncertainty (%)"),
        "audit_key_unit": ("单位", "Unit"),
        "audit_key_unset": ("未设定项数", "Unset"),
        "audit_key_until": ("截至", "Until"),
        "audit_key_value": ("数值", "Value"),
        "audit_key_values": ("数值", "Values"),
        "audit_key_verified_tco2": ("核查排放量（tCO2）", "Verified (tCO2)"),
        "audit_key_verifier": ("核查机构", "Verifier"),
        "audit_key_with_footprint": ("已完成碳足迹企业数", "With a footprint"),
        "audit_key_withdrawn": ("撤回数", "Withdrawn"),
        "audit_key_year": ("年度", "Year"),
        # a key project's figures (projects.choices.FIGURE_LABELS)
        "audit_key_full_load_hours": ("年利用小时数", "Full-load hours"),
        "audit_key_generation": ("年发电量", "Annual generation"),
        "audit_key_shifted_renewable": (
            "储能促进消纳的可再生能源电量",
            "Renewable energy the storage lets in",
        ),
        "audit_key_coal_efficiency": (
            "被替代燃煤机组供电效率",
            "Net efficiency of the coal units replaced",
        ),
        "audit_key_gas_efficiency": ("燃气机组发电效率", "Net efficiency of the gas units"),
        "audit_key_captured": ("实际年捕集量", "CO2 captured per year (measured)"),
        "audit_key_design_capacity": ("设计捕集能力", "Design capture capacity"),
        "audit_key_permanent_share": ("永久封存比例", "Share kept permanently"),
        "audit_key_net_export": ("年上网电量", "Net electricity exported"),
        "audit_key_waste": ("年焚烧垃圾量", "Waste burnt per year"),
        "audit_key_fossil_co2_per_t": ("每吨垃圾化石源CO2", "Fossil CO2 per tonne of waste"),
        "audit_key_area": ("造林面积", "Area planted"),
        "audit_key_sink_rate": ("单位面积年固碳量", "Sink rate"),
        "audit_key_growth": ("地上生物量年增长量", "Above-ground biomass growth"),
        "audit_key_root_shoot": ("根茎比", "Root-to-shoot ratio"),
    }
)

# log-in, sessions, passwords and the office's user administration
MESSAGES.update(
    {
        "login_locked": (
            "登录失败次数过多，该账户或地址已暂时锁定，请{minutes}分钟后再试",
            "Too many failed log-ins: this account or address is locked; "
            "try again in {minutes} min",
        ),
        "change_password": ("修改密码", "Change password"),
        "must_change_password": (
            "管理员已重置您的密码，请先设置新密码",
            "Your password was reset by the office: set a new one first",
        ),
        "current_password": ("当前密码", "Current password"),
        "new_password": ("新密码", "New password"),
        "confirm_password": ("再次输入新密码", "New password again"),
        "password_policy": (
            "密码至少12个字符，不能与用户名相同，须混合至少两类字符（小写字母、大写字母、数字、符号）。",
            "At least 12 characters, not the username, mixing at least two kinds of character "
            "(lower-case, upper-case, digits, symbols).",
        ),
        "password_changed": (
            "密码已修改，其他会话已退出",
            "Password changed; your other sessions have ended",
        ),
        "users_title": ("用户管理", "Users"),
        "user_add": ("新建用户", "Add user"),
        "display_name": ("姓名", "Name"),
        "role": ("角色", "Role"),
        "department": ("部门", "Department"),
        "user_unit": ("示范单位", "Unit"),
        "initial_password": ("初始密码", "Initial password"),
        "user_must_change": (
            "新用户首次登录后须修改密码。",
            "New users must change the password at first log-in.",
        ),
        "user_state": ("状态", "State"),
        "open_sessions": ("在线会话", "Open sessions"),
        "user_active": ("正常", "active"),
        "user_state_disabled": ("已停用", "disabled"),
        "user_must_change_badge": ("待改密码", "must change password"),
        "user_set_role": ("保存角色", "Set role"),
        "user_reset_password": ("重置密码", "Reset password"),
        "user_disable": ("停用", "Disable"),
        "user_enable": ("启用", "Enable"),
        "temporary_password": (
            "临时密码（仅显示一次，用户登录后须修改）",
            "Temporary password (shown once; the user must change it at log-in)",
        ),
        "user_created": ("用户已创建", "User created"),
        "user_role_set": ("角色已保存", "Role saved"),
        "user_reset": (
            "密码已重置，该用户的会话已全部退出",
            "Password reset; the user's sessions ended",
        ),
        "user_disabled": ("用户已停用，其会话已全部退出", "User disabled; their sessions ended"),
        "user_enabled": ("用户已启用", "User enabled"),
        "role_admin": ("管理员（专班办公室）", "Administrator (office)"),
        "role_editor": ("部门填报员", "Department editor"),
        "role_viewer": ("只读", "Viewer"),
        "role_verifier": ("核查机构", "Verifier"),
    }
)


# enterprises: the cross-check of the inventory against enterprise reports (issue #9 item 10)
MESSAGES.update(
    {
        "ent_crosscheck": ("清单交叉核对", "Inventory cross-check"),
        "ent_cc_intro": (
            "企业报告的直接排放按排放源归入清单类别，与清单相应类别的二氧化碳排放量对比；"
            "外购电力和热力属间接排放，不参与对比。已核查（或确认）的报告采用核查数，"
            "其余采用报告数。",
            "Each enterprise report's direct emissions are placed in an inventory category and "
            "compared with the inventory's CO2 of that category; purchased electricity and heat "
            "are indirect and not compared. Verified (or confirmed) reports count with their "
            "verified figures, the others with the reported ones.",
        ),
        "ent_cc_category": ("清单类别", "Inventory category"),
        "ent_cc_inventory": ("清单（tCO2）", "Inventory (tCO2)"),
        "ent_cc_enterprises": ("企业报告合计（tCO2）", "Sum of enterprise reports (tCO2)"),
        "ent_cc_difference": ("差额：清单−企业（tCO2）", "Difference: inventory − firms (tCO2)"),
        "ent_cc_share": ("企业占比", "Firms' share"),
        "ent_cc_basis": ("企业数据", "Figures"),
        "ent_cc_mixed": ("核查数与报告数", "verified and reported"),
        "ent_cc_none": ("无可对比的类别", "No category to compare"),
        "ent_cc_no_inventory": (
            "{year}年尚无清单活动数据，无法与企业报告对比。",
            "No inventory activity data for {year} yet: nothing to compare the reports with.",
        ),
        "ent_cc_indirect": (
            "未参与对比的净购入电力和热力排放",
            "Net purchased electricity and heat (indirect, not compared)",
        ),
        "ent_cc_unplaced": (
            "无法归入清单类别的过程排放（未计入）",
            "Process emissions that fit no inventory category (left out)",
        ),
        "ent_cc_run": ("清单运行", "Inventory run"),
        "ent_cc_computed": (
            "（本年度尚无保存的清单运行，按已保存的活动数据即时计算）",
            "(no stored run for the year: computed now from its stored activity data)",
        ),
    }
)


# a malformed query or form value, shown as a page
MESSAGES.update(
    {
        "bad_request": ("请求参数有误", "Bad request"),
        "bad_request_fields": (
            "以下参数的取值不符合要求：{fields}。请返回上一页重试。",
            "These values are not valid: {fields}. Go back and try again.",
        ),
    }
)


# the access-control matrix (nearzero.services.access)
MESSAGES.update(
    {
        "access_denied": ("无权操作", "Not allowed"),
        "access_denied_text": (
            "您的角色无权执行此操作。如需权限，请联系专班办公室。",
            "Your role may not do this. Ask the working-group office if you need to.",
        ),
    }
)


# the office's yearly data cycle (issue #12): evaluation year, to-do, submit and confirm
MESSAGES.update(
    {
        "todo": ("待办", "To-do"),
        "todo_title": ("数据填报待办", "Data to-do"),
        "evaluation_year": ("评估年度", "Evaluation year"),
        "evaluation_year_default": (
            "专班办公室尚未设定，默认为上一年度",
            "not set by the office: last year by default",
        ),
        "cycle_settings": ("年度数据工作设置", "The year's data cycle"),
        "set_evaluation_year": ("设定评估年度", "Set the evaluation year"),
        "evaluation_year_help": (
            "各页面、报告和验收材料默认显示评估年度；不得晚于当前年份（北京时间）。",
            "Every page, report and dossier shows the evaluation year by default; it may not "
            "be after the current year (China Standard Time).",
        ),
        "deadline": ("填报截止日期", "Deadline for the values"),
        "set_deadline": ("设定截止日期", "Set the deadline"),
        "no_deadline": ("未设定", "not set"),
        "deadline_passed": ("已过截止日期", "deadline passed"),
        "confirmation": ("数值确认", "Confirmation of values"),
        "confirmation_on": (
            "开启：部门填报的数值经专班办公室确认后计入评估",
            "On: a department's value counts once the office confirms it",
        ),
        "confirmation_off": (
            "关闭：数值保存后即计入评估",
            "Off: a value counts once it is saved",
        ),
        "missing_values": ("缺少本年度数值的指标", "Indicators without this year's value"),
        "missing_values_none": ("本年度数值已齐全。", "Every value of the year is in."),
        "pending_values": ("待确认的数值", "Values awaiting confirmation"),
        "pending_none": ("没有待确认的数值。", "No value awaits confirmation."),
        "pending_count": ("待确认数值", "values awaiting confirmation"),
        "pending_note": (
            "待确认的数值不计入评估、报告和验收材料。",
            "Values awaiting confirmation do not count in the evaluation, report or dossier.",
        ),
        "returned_values": ("被退回的数值", "Values sent back"),
        "returned_none": ("没有被退回的数值。", "No value was sent back."),
        "return_reason": ("退回原因", "Reason sent back"),
        "milestones_due": ("到期的项目节点", "Project milestones due"),
        "milestones_none": ("没有到期的项目节点。", "No milestone is due."),
        "late_projects": ("逾期项目", "Overdue projects"),
        "overdue_data": ("逾期未报数据", "Overdue data"),
        "confirm": ("确认", "Confirm"),
        "send_back": ("退回", "Send back"),
        "reason": ("原因", "Reason"),
        "correct": ("更正", "Correct"),
        "withdraw": ("撤回", "Withdraw"),
        "correct_value": ("更正或撤回数值", "Correct or withdraw a value"),
        "correct_help": (
            "更正（含年份）或撤回须填写原因；修改记录保留原值与新值。",
            "A correction (of the figure or its year) or a withdrawal needs a reason; the "
            "history keeps the value before and after.",
        ),
        "new_year": ("更正后年份", "Year after correction"),
        "value_state": ("确认状态", "Review"),
        "submitted_by": ("填报人", "Submitted by"),
        "no_data_label": ("无数据", "no data"),
        "status_counts": ("完成情况统计", "Status counts"),
        "missing_binding_note": (
            "缺少数据的约束指标在验收中按未完成计，但单独列为“无数据”。",
            "A binding indicator without data is not met for acceptance, but shown as missing.",
        ),
        "days_overdue": ("已逾期{days}天", "{days} days overdue"),
        "days_left": ("{days}天后到期", "due in {days} days"),
        "nothing_to_do": ("本部门本年度没有待办事项。", "Nothing to do this year."),
        "on": ("开启", "On"),
        "off": ("关闭", "Off"),
        "project": ("项目", "Project"),
        "milestone_due": ("到期日", "Due"),
        "pending_badge": ("待确认", "pending"),
    }
)


# product carbon footprints (产品碳足迹, issue #14)
MESSAGES.update(
    {
        "fp_nav": ("产品碳足迹", "Product footprints"),
        "fp_indicator_14": (
            "指标14：开展产品碳足迹核算重点工业企业数量占比",
            "Indicator 14: share of key industrial firms with a product carbon footprint",
        ),
        "fp_show": ("查看", "Show"),
        "fp_key_firms": ("重点工业企业（家）", "Key industrial firms"),
        "fp_with_footprint": ("已完成产品碳足迹（家）", "With a completed footprint"),
        "fp_share": ("占比", "Share"),
        "fp_no_data": ("无数据", "no data"),
        "fp_met": ("完成", "met"),
        "fp_not_met": ("未完成", "not met"),
        "fp_target": ("目标", "target"),
        "fp_rule": (
            "重点工业企业：名录中有本年度排放报告的工业企业（国民经济行业分类B、C、D门类）；"
            "已完成：本年度或以前年度的产品碳足迹研究经办公室审核确认。",
            "Key industrial firms: the registry's industrial firms (GB/T 4754 sections B, C, D) "
            "with an annual emission report of the year; completed: a footprint study of the "
            "year or earlier approved by the office.",
        ),
        "fp_feed": ("写入指标14数值", "Write into indicator 14"),
        "fp_firms": ("企业产品碳足迹研究", "Firms' footprint studies"),
        "fp_studies": ("研究数", "Studies"),
        "fp_completed": ("已完成", "Completed"),
        "fp_no_firms": ("名录中尚无企业", "No firm in the registry yet"),
        "fp_template": ("下载Excel数据模板", "Download the Excel template"),
        "fp_product": ("产品", "Product"),
        "fp_state": ("状态", "State"),
        "fp_total": ("产品碳足迹", "Product carbon footprint"),
        "fp_functional_unit": ("功能单位", "Functional unit"),
        "fp_source": ("数据来源", "Source"),
        "fp_no_studies": ("尚无产品碳足迹研究", "No footprint study yet"),
        "fp_upload": ("上传产品系统", "Upload a product system"),
        "fp_upload_note": (
            "产品系统文件（YAML/JSON，格式见说明文档《产品碳足迹》）、导出为 openLCA JSON-LD "
            "格式的压缩包或Excel模板。",
            "A product-system file (YAML/JSON, see “Product carbon footprints” in the "
            "documentation), a zip exported in openLCA JSON-LD format or the Excel template.",
        ),
        "fp_upload_button": ("上传", "Upload"),
        "fp_data_year": ("数据年份", "Data year"),
        "fp_form": ("简易填报（单一生产过程）", "Simple form (one production process)"),
        "fp_form_note": (
            "每行一项：外购电力等按碳足迹因子，直接排放按千克，外购原材料按供应商声明的单位碳足迹。",
            "One line each: electricity and other background inputs by footprint factor, direct "
            "emissions in kg, purchased materials with the supplier's footprint per unit.",
        ),
        "fp_form_button": ("保存", "Save"),
        "fp_amount": ("数量", "Amount"),
        "fp_line_kind": ("类型", "Kind"),
        "fp_line_name": ("名称", "Name"),
        "fp_factor": ("碳足迹因子", "Footprint factor"),
        "fp_factor_choice": ("{name}，{year}年，{value} {unit}", "{name}, {year}, {value} {unit}"),
        "fp_factor_to_confirm": ("，待确认", ", to confirm"),
        "fp_per_unit": ("单位碳足迹（kgCO2e/单位）", "Footprint per unit (kgCO2e)"),
        "fp_kind_factor": ("外购电力等（碳足迹因子）", "Electricity etc. (footprint factor)"),
        "fp_kind_CO2": ("直接排放 CO2（化石）", "Direct CO2 (fossil)"),
        "fp_kind_CH4": ("直接排放 CH4", "Direct CH4"),
        "fp_kind_N2O": ("直接排放 N2O", "Direct N2O"),
        "fp_kind_CO2_biogenic": ("直接排放 CO2（生物源）", "Direct CO2 (biogenic)"),
        "fp_kind_material": ("外购原材料（供应商数据）", "Purchased material (supplier data)"),
        "fp_computed_at": ("计算时间", "Computed"),
        "fp_approved_at": ("审核时间", "Approved"),
        "fp_draws": ("蒙特卡洛次数", "Monte Carlo draws"),
        "fp_seed": ("随机种子", "Seed"),
        "fp_compute": ("计算", "Compute"),
        "fp_approve": ("审核确认（完成）", "Approve (completed)"),
        "fp_result": ("计算结果", "Result"),
        "fp_allocation": ("分配", "allocation"),
        "fp_report_docx": ("下载研究报告（Word）", "Report (Word)"),
        "fp_report_pdf": ("下载研究报告（PDF）", "Report (PDF)"),
        "fp_families": (
            "化石、生物源、土地利用变化与航空运输分列",
            "Fossil, biogenic, dLUC, aircraft",
        ),
        "fp_emissions": ("排放", "Emissions"),
        "fp_removals": ("清除", "Removals"),
        "fp_net": ("净值", "Net"),
        "fp_stages": ("按生命周期阶段", "By life-cycle stage"),
        "fp_contributions": ("过程贡献", "Contributions by process"),
        "fp_process": ("过程", "Process"),
        "fp_stage": ("阶段", "Stage"),
        "fp_share_col": ("占比", "Share"),
        "fp_inputs": ("产品过程各输入的隐含碳足迹", "Footprint embodied in each input"),
        "fp_sensitivity": ("分配敏感性", "Allocation sensitivity"),
        "fp_uncertainty": ("不确定性（蒙特卡洛）", "Uncertainty (Monte Carlo)"),
        "fp_mean": ("均值", "mean"),
        "fp_cut_off": ("按取舍准则未计入", "Left out under the cut-off rule"),
        "fp_to_confirm": ("待确认的因子", "Factors still to confirm"),
        "fp_to_confirm_note": (
            "以下因子尚未与官方发布文本核对，计算已使用其当前数值。",
            "These factors are not yet checked against the official release; the result uses "
            "their current values.",
        ),
    }
)


def localise(message: str, lang: str) -> str:
    """A service's refusal in ``lang``: of a bilingual message ``field: 中文 — English`` (the
    form every refusal that names a sheet, row or field takes) the part in ``lang``, keeping
    what stands before the first colon of the Chinese part (the file or field it names); of
    ``中文 (English)`` or ``English (中文)`` the part in ``lang``; any other message as it is.

    The English part may hold a colon or brackets of its own (``drc无权… — drc may not edit
    indicator 17: it belongs to …``, ``subject: 请填写… — required (the fuel, … or * for
    all)``): a dash after Chinese is read first. A list of such refusals joined by ``；``
    (every problem of one form) is shown part by part."""
    listed = message.split("；")
    if len(listed) > 1 and all(_bilingual(part) for part in listed):
        return ("; " if lang == "en" else "；").join(localise(part, lang) for part in listed)
    if not _bilingual(message):
        for shape in (_ZH_THEN_EN, _EN_THEN_ZH):
            match = shape.match(message)
            if match is not None:
                return match.group("en" if lang == "en" else "zh").strip()
        return message
    zh, en = _DASH.split(message, maxsplit=1)
    if lang != "en":
        return zh
    head, sep, _ = zh.partition(": ")
    return f"{head}: {en}" if sep and not en.startswith(f"{head}: ") else en


#: ``中文 (English)``: the Chinese first, the English in brackets at the end.
_ZH_THEN_EN = re.compile(
    r"^(?P<zh>.*[\u4e00-\u9fff].*?)\s*\((?P<en>[A-Za-z][^()\u4e00-\u9fff]*)\)$"
)
#: ``English (中文)``: the English first, the Chinese in brackets at the end.
_EN_THEN_ZH = re.compile(
    r"^(?P<en>[A-Za-z][^()（）\u4e00-\u9fff]*?)\s*[(（](?P<zh>[^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]$"
)


_DASH = re.compile(r"\s?—\s(?=[A-Za-z0-9'\"(\[{]|-\d)")
"""The dash between a refusal's Chinese and its English (``…格式 — not a readable …``; the
English may open with a negative number: ``…为负数 — -3 is negative``)."""
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _bilingual(message: str) -> bool:
    """Whether ``message`` reads ``field: 中文 — English``."""
    parts = _DASH.split(message, maxsplit=1)
    return len(parts) == 2 and _HAN.search(parts[0]) is not None


# the indicator workbook in the browser (issue #12 item 7)
MESSAGES.update(
    {
        "workbook_title": ("数据填报（Excel）", "Data entry (Excel)"),
        "workbook_nav": ("Excel填报", "Excel entry"),
        "workbook_download": ("下载填报模板", "Download the template"),
        "workbook_scope_department": (
            "模板只列出{department}负责的指标和任务目标，已有数值已预先填好。",
            "The template lists only the indicators and task targets of {department}, "
            "prefilled with the values on record.",
        ),
        "workbook_scope_all": (
            "模板列出全部指标和任务目标，已有数值已预先填好。",
            "The template lists every indicator and task target, prefilled with the values "
            "on record.",
        ),
        "workbook_download_button": ("下载模板（.xlsx）", "Download (.xlsx)"),
        "workbook_upload": ("上传填好的模板", "Upload the filled-in template"),
        "workbook_upload_note": (
            "上传后先逐行检查、列出全部变更供核对；确认后才保存。任何一处有误则不保存任何数据。",
            "The file is checked row by row and its changes are listed for you to check; "
            "nothing is saved until you confirm, and nothing at all if any row is wrong.",
        ),
        "workbook_file": ("文件", "File"),
        "workbook_check": ("检查并预览", "Check and preview"),
        "workbook_problems": ("发现{n}处错误", "{n} problem(s) found"),
        "workbook_nothing_saved": (
            "文件未保存任何数据。请按下表改正后重新上传。",
            "Nothing was saved. Correct the cells below and upload the file again.",
        ),
        "workbook_sheet": ("工作表", "Sheet"),
        "workbook_row": ("行", "Row"),
        "workbook_column": ("列", "Column"),
        "workbook_problem": ("问题", "Problem"),
        "workbook_preview": ("变更预览", "Preview of the changes"),
        "workbook_preview_counts": (
            "将保存{changes}项新数值或修改；{unchanged}项与已有记录相同，{skipped}行为空未导入。",
            "{changes} new or changed value(s) to save; {unchanged} as on record; {skipped} "
            "empty row(s) left out.",
        ),
        "workbook_old": ("原值", "On record"),
        "workbook_new": ("新值", "New"),
        "workbook_none": ("（无）", "(none)"),
        "workbook_confirm": ("确认保存{n}项", "Save {n} value(s)"),
        "workbook_confirm_note": (
            "部门填报的数值保存后为“已报送”，经专班办公室确认后计入评估。",
            "A department's values are saved as submitted; they count once the office "
            "confirms them.",
        ),
        "workbook_no_changes": (
            "文件与已有记录相同，没有需要保存的数据。",
            "The file holds nothing new: every value is as on record.",
        ),
        "workbook_saved": ("已保存{n}项数值。", "{n} value(s) saved."),
        "workbook_changed": (
            "预览后已有数据被修改，请核对更新后的变更再确认。",
            "Values changed since the preview: check the updated changes and confirm again.",
        ),
        "evidence_files": ("佐证材料", "Evidence files"),
        "evidence_attached": ("佐证材料已上传。", "The evidence file was attached."),
        "workbook_part": ("分项", "Part"),
        "workbook_part_hint": ("无分项可留空", "empty if none"),
        "workbook_attach": ("上传佐证材料", "Attach"),
        "workbook_uploaded_by": ("上传人", "Uploaded by"),
        "workbook_uploaded_at": ("上传时间（北京时间）", "Uploaded (China time)"),
        "workbook_no_evidence": ("本年度尚无佐证材料。", "No evidence files for this year."),
        "workbook_cancel": ("取消", "Cancel"),
    }
)

# two-high projects and the emission-indicator ledger (issue #10)
MESSAGES.update(
    {
        "twohigh": ("两高项目", "Two-high projects"),
        "th_title": ("“两高”项目与碳排放指标台账", "Two-high projects and the indicator ledger"),
        "th_export": ("导出Excel", "Export to Excel"),
        "th_import": ("从Excel导入台账", "Import the ledger from Excel"),
        "th_import_hint": (
            "按模板填写替代比例、替代源及其减量、项目清单及其新增量和决定比例、指标调剂；"
            "整个文件要么全部导入，要么（有一处不符时）全部不导入，并指出工作表、行和列。",
            "Fill in the template's sheets (ratios, sources and their reductions, projects with "
            "their new amounts and decided ratios, movements); the file is loaded whole or, if "
            "one entry is refused, not at all, and the sheet, row and column are named.",
        ),
        "th_template": ("下载空白模板", "Download the blank template"),
        "th_import_file": ("台账工作簿（.xlsx）", "Ledger workbook (.xlsx)"),
        "th_import_submit": ("导入", "Import"),
        "th_indicator_4": (
            "指标4：“两高”项目碳排放减量替代（100%执行）",
            "Indicator 4: two-high projects substituted (100 %)",
        ),
        "th_none_going": ("尚无已批准的新建“两高”项目", "No new two-high project is going ahead"),
        "th_undecided": ("尚未确定应替代量的项目", "Projects without a decided requirement"),
        "th_short": ("尚缺", "short by"),
        "th_to_confirm": ("依据待确认的替代比例", "Ratios still to be confirmed"),
        "th_balance": ("台账余额（按替代维度）", "Ledger balance by dimension"),
        "th_dimension": ("替代维度", "Dimension"),
        "th_deposited": ("已收储", "Deposited"),
        "th_banked": ("可用（收储）", "Banked"),
        "th_reserved": ("预留", "Reserved"),
        "th_allocated": ("已配置", "Allocated"),
        "th_retired": ("已注销", "Retired"),
        "th_empty": ("台账尚无指标", "The ledger holds no indicators yet"),
        "th_projects": ("“两高”项目清单", "Two-high project list"),
        "th_project": ("项目", "Project"),
        "th_segment": ("行业", "Segment"),
        "th_stage": ("阶段", "Stage"),
        "th_requirement": ("应替代量", "Required substitution"),
        "th_substituted": ("已落实", "Substituted"),
        "th_not_decided": ("尚未确定", "not decided"),
        "th_no_projects": ("清单中尚无项目", "No project on the list"),
        "th_sources": ("替代源", "Substitution sources"),
        "th_source": ("替代源", "Source"),
        "th_verified": ("核定减排量", "Verified reduction"),
        "th_to_projects": ("去向（项目）", "Went to (projects)"),
        "th_no_sources": ("尚无替代源", "No substitution source"),
        "th_reconcile": ("减排量核对（次年数据）", "Reconciliation with next year's figures"),
        "th_reconcile_ok": (
            "所有替代源的减排量均已在次年数据中体现",
            "Every source's reduction shows",
        ),
        "th_missing": ("未体现", "not showing"),
        "th_finding_shown": ("已体现", "shows"),
        "th_finding_short": ("未完全体现", "does not fully show"),
        "th_finding_no_figures": ("缺少年度数据", "no figures"),
        "th_finding_no_firm": ("未关联企业，无法核对", "no firm linked: cannot check"),
        "th_finding_not_yet": ("次年数据尚未到期", "next year's figures not yet due"),
        "th_move": ("指标变动", "Move indicators"),
        "th_movement": ("动作", "Movement"),
        "th_move_deposit": ("收储", "deposit"),
        "th_move_reserve": ("预留", "reserve"),
        "th_move_allocate": ("配置", "allocate"),
        "th_move_release": ("释放", "release"),
        "th_move_retire": ("注销", "retire"),
        "th_origin": ("从", "From"),
        "th_origin_default": ("默认", "default"),
        "th_amount": ("数量（录入单位）", "Amount (entry unit)"),
        "th_memo": ("备注", "Note"),
        "th_add_project": ("新增项目", "Add a project"),
        "th_add_source": ("登记替代源", "Register a source"),
        "th_code": ("编号", "Code"),
        "th_firm_key": ("企业库编号（可空）", "Registry key (optional)"),
        "th_capacity": ("产能", "Capacity"),
        "th_classification": ("分类（四个区分）", "Classification"),
        "th_disposal": ("处置方式（四类处置）", "Disposal"),
        "th_disposal_note": ("处置意见", "Disposal note"),
        "th_mechanism": ("形成方式", "Mechanism"),
        "th_mech_shutdown": ("关停", "shutdown"),
        "th_mech_conversion": ("转产", "conversion"),
        "th_mech_backward": ("淘汰落后产能", "backward capacity eliminated"),
        "th_mech_overcapacity": ("压减过剩产能", "excess capacity cut"),
        "th_mech_clean_energy": ("清洁能源替代", "clean energy substitution"),
        "th_mech_retrofit": ("节能改造", "energy-saving retrofit"),
        "th_mech_other": ("其他", "other"),
        "th_formed_on": ("减排量形成日期", "Formed on"),
        "th_location": ("地点", "Location"),
        "th_in_shandong": ("位于山东省内", "In Shandong"),
        "th_monitorable": ("可监测", "monitorable"),
        "th_countable": ("可统计", "countable"),
        "th_recheckable": ("可复核", "re-checkable"),
        "th_conditions_note": ("条件说明", "Conditions note"),
        "th_ratios": ("替代比例（按文件、行业、维度）", "Ratios by document, segment, dimension"),
        "th_document": ("文件", "Document"),
        "th_document_code": ("文件代号", "Document code"),
        "th_ratio": ("替代比例", "Ratio"),
        "th_in_force": ("有效期", "In force"),
        "th_all_segments": ("其他行业", "other segments"),
        "th_case": ("仅限批复指定", "only where named"),
        "th_always": ("普遍适用", "always"),
        "th_applies": ("适用", "Applies"),
        "th_from": ("起", "From"),
        "th_until": ("止", "Until"),
        "th_basis": ("依据与来源", "Basis and source"),
        "th_verified_status": ("已核实", "verified"),
        "th_to_confirm_status": ("待确认", "to confirm"),
        "th_stage_proposed": ("拟建", "proposed"),
        "th_stage_review": ("审查中", "in review"),
        "th_stage_approved": ("已批准", "approved"),
        "th_stage_construction": ("在建", "under construction"),
        "th_stage_operating": ("已投产", "operating"),
        "th_stage_rejected": ("未通过", "rejected"),
        "th_stage_lapsed": ("已失效", "lapsed"),
        "th_stage_closed": ("关停退出", "closed"),
        "th_approval_doc": ("批复文号", "Approval"),
        "th_new_amount": ("新增量", "New amount"),
        "th_required": ("应替代量", "Required"),
        "th_trace": ("来源（替代源）", "From sources"),
        "th_past": ("此前的决定", "Earlier decisions"),
        "th_needs": ("新增量（按替代维度）", "New amounts by dimension"),
        "th_terms": (
            "燃料燃烧 + 工业过程 + 净购入电力热力 − 回收",
            "fuel + process + net purchased − recovered",
        ),
        "th_fuel": ("碳排放：燃料燃烧（t）", "Carbon: fuel (t)"),
        "th_process": ("碳排放：工业生产过程（t）", "Carbon: process (t)"),
        "th_net_purchased": (
            "碳排放：净购入电力和热力（t，可为负）",
            "Carbon: net purchased (t, may be negative)",
        ),
        "th_recovered": ("碳排放：回收（t）", "Carbon: recovered (t)"),
        "th_amount_other": ("其他维度：新增量", "Other dimensions: new amount"),
        "th_decide": ("确定应替代量", "Decide the requirement"),
        "th_decided_on": ("决定日期", "Decided on"),
        "th_named_ratio": ("批复指定的比例", "Ratio named by the approval"),
        "th_ratio_in_force": ("按当日有效的最高比例", "the highest ratio in force"),
        "th_recompute": ("重新计算（保留原决定记录）", "Recompute (the earlier decision is kept)"),
        "th_reason": ("原因", "Reason"),
        "th_history": ("阶段记录", "Stage history"),
        "th_entries": ("台账流水", "Ledger entries"),
        "th_verified_by": ("核定人", "Verified by"),
        "th_verify": ("核定", "Verify"),
        "th_evidence": ("证明材料", "Evidence"),
        "th_not_met": ("未完成", "not met"),
        "th_feed": ("将台账结果记入指标4", "Record indicator 4 from the ledger"),
    }
)


def unit_label(unit: str, lang: str) -> str:
    """A unit as the page in ``lang`` shows it: the plan's (Chinese) unit, or its English."""
    return unit_en(unit) if lang == "en" else unit


def target_label(spec: IndicatorSpec, outcome: Outcome | None, lang: str) -> str:
    """A target as the page in ``lang`` shows it: the plan's words in Chinese; in English
    the rule in words (``20.5% lower than 2020 (≤ 0.7314)``), the number it resolves to
    where the words leave it implicit."""
    rule = spec.rule
    kind = rule.kind.value
    target = outcome.target if outcome is not None else None
    shown = f" ({target.comparator.value} {_number(target.value)})" if target is not None else ""
    if lang != "en":
        implicit = kind not in ("at_least", "above", "at_most", "below", "count_at_least")
        return str(rule.text_zh) + (shown if implicit and target is not None else "")
    unit = unit_label(spec.unit, "en")
    base = spec.base_year
    words = {
        "lower_than_base": f"lower than {base}{shown}",
        "higher_than_base": f"higher than {base}{shown}",
        "no_growth": f"no growth over {base}{shown}",
        "reduce_by_pct": f"{_number(rule.pct)}% lower than {base}{shown}",
        "increase_by_pct": f"{_number(rule.pct)}% higher than {base}{shown}",
        "at_least": f"≥ {_number(rule.threshold)} {unit}",
        "above": f"> {_number(rule.threshold)} {unit}",
        "at_most": f"≤ {_number(rule.threshold)} {unit}",
        "below": f"< {_number(rule.threshold)} {unit}",
        "count_at_least": f"at least {_number(rule.threshold)}",
        "all_parts": "every part meets its own target",
        "assigned_target": f"the target set by the higher government{shown}",
        "qualitative": "qualitative: assessed by the office",
    }
    return words.get(kind, str(rule.text_zh)).replace(" %", "%")


def _number(value: float | None) -> str:
    return fmt(value)


_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_DUE = re.compile(r"^(\d{4})年(?:(\d{1,2})月)?(底|年底|上半年|下半年)?$")


def due_label(text: str, lang: str) -> str:
    """A due date as the plan writes it (``2025年底``, ``2024年6月``) in ``lang``:
    ``end of 2025``, ``June 2024``; a text of another shape as it is."""
    if lang != "en":
        return text
    match = _DUE.match(text.strip())
    if match is None:
        return text
    year, month, part = match.groups()
    if month:
        return f"{_MONTHS[int(month) - 1]} {year}" + (" (end)" if part else "")
    return {
        "底": "end of ",
        "年底": "end of ",
        "上半年": "first half of ",
        "下半年": "second half of ",
    }.get(part or "", "") + year
