"""Interface texts in zh-CN (the default) and English, in one place."""

from __future__ import annotations

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
    "bad_request": ("输入有误", "Invalid input"),
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
    "days_overdue": ("已逾期天数", "days overdue"),
    "days_left": ("剩余天数", "days left"),
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
    "done_on": ("完成于", "Done on"),
    "mark_done": ("标记完成", "Mark done"),
}


def translate(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang``; an unknown key is a bug and shows as itself."""
    zh, en = MESSAGES.get(key, (key, key))
    return en if lang == "en" else zh


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
        "inv_source_file": ("数据文件", "data file"),
        "inv_download_xlsx": ("下载Excel清单表", "Download the Excel tables"),
        "inv_download_docx": ("下载Word清单表", "Download the Word tables"),
        "inv_by_sector": ("分部门、分气体排放", "By sector and gas"),
        "inv_flows": ("部门—气体流向", "Sector → gas flows"),
        "inv_removal": ("吸收", "removal"),
        "inv_trend": ("历年排放趋势", "Trend over the years"),
        "inv_key_categories": ("关键类别分析", "Key category analysis"),
        "inv_key_method": (
            "IPCC 2006 第1卷第4章方法1：水平评估（式4.1）与趋势评估（式4.2），累计贡献95%。",
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
        "inc_expiry": ("积分过期处理", "Points expiry"),
        "inc_expiry_rule": (
            "积分自行为发生起{months}个月内有效，逾期未使用的积分转入积分过期账户"
            "（每笔可追溯；重复执行不会重复过期）。",
            "Points are valid for {months} months after the behaviour; points unspent by then "
            "move to the expiry account (each traceable; running it again expires nothing twice).",
        ),
        "inc_expiry_off": (
            "未设置积分有效期（平台规则 points_valid_months，或 "
            "NEARZERO_INCLUSION_POINTS_VALID_MONTHS），积分不过期。",
            "No points validity is set (the rules' points_valid_months, or "
            "NEARZERO_INCLUSION_POINTS_VALID_MONTHS): points do not expire.",
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
            "格式同 data/enterprise/firms.yaml；已登记的企业不变，全部校验通过后才写入。",
            "Shaped like data/enterprise/firms.yaml; registered firms are kept; nothing is "
            "written unless every firm is valid.",
        ),
        "ent_upload": ("上传", "Upload"),
        "ent_not_given": ("未提供（请按营业执照填写）", "not given (enter it from the licence)"),
        "ent_facilities": ("设施（机组、窑炉、生产线）", "Facilities (units, kilns, lines)"),
        "ent_facility": ("设施", "Facility"),
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
            "Excel模板或 YAML/JSON 报告文件（docs/enterprise-report.md）；"
            "有误时指出工作表、行、列，不保存任何内容。",
            "The Excel template or a YAML/JSON report file (docs/enterprise-report.md); an "
            "error names the sheet, row and column, and nothing is saved.",
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
