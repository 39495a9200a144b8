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
}


def translate(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang``; an unknown key is a bug and shows as itself."""
    zh, en = MESSAGES.get(key, (key, key))
    return en if lang == "en" else zh
