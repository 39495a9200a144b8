"""The office's audit page (issue #11.8): filters, times in China Standard Time (labelled), the
chain's state, an Excel export; department editors are refused. Every action the code base
audits, and the kind of object, has a name in both languages; the old and new values read as
"key: value" lines in the page's language, exactly (no \\u escape, no raw JSON, nothing dropped);
a code without a name (an older database's) shows as stored. The partner page names its key in
the page's language."""

from __future__ import annotations

import ast
import html
import importlib
import io
import re
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import nearzero
from nearzero.enterprise import workflow as wf
from nearzero.formatting import china_time
from nearzero.services import audit
from nearzero.services.context import Actor
from nearzero.store.db import transaction
from nearzero.store.tables import AuditLog
from nearzero.twohigh import bank
from nearzero.web import i18n
from webclient import log_in, token

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_office_reads_filters_and_exports_the_audit_log(client: Any, app: Any) -> None:
    page = log_in(client, "office")
    form = {"csrf_token": token(page.text), "year": "2022", "value": "5.6", "source": "核定"}
    saved = client.post("/indicators/21/values?unit=zhangqiu", data=form)
    assert saved.status_code == 200, saved.text

    view = client.get("/audit?unit=zhangqiu")
    assert view.status_code == 200
    assert "时间（北京时间）" in view.text
    assert "哈希链完整" in view.text
    with Session(app.state.engine) as session:
        newest = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert china_time(newest.at) in view.text

    only_office = client.get(f"/audit?unit=zhangqiu&who={newest.actor}")
    assert only_office.status_code == 200
    nobody = client.get("/audit?unit=zhangqiu&who=nobody")
    assert "符合条件0条" in nobody.text
    future = client.get("/audit?unit=zhangqiu&since=2099-01-01")
    assert "符合条件0条" in future.text
    bad = client.get("/audit?unit=zhangqiu&since=yesterday")
    assert bad.status_code == 400
    assert "since" in bad.text

    export = client.get(f"/audit.xlsx?unit=zhangqiu&who={newest.actor}")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "时间（北京时间）"
    assert sheet.max_row >= 2
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == {newest.actor}


def test_a_department_editor_cannot_read_the_audit_log(client: Any) -> None:
    log_in(client, "drc")
    assert client.get("/audit?unit=zhangqiu").status_code == 403
    assert client.get("/audit.xlsx?unit=zhangqiu").status_code == 403


# --------------------------------------------------------------------------- names, details

SRC = Path(nearzero.__file__).parent
#: The audited actions written with a format: the enumeration whose values fill it in.
FORMATTED_ACTIONS: dict[str, type[Enum]] = {
    "report.{step.value}": wf.Step,
    "twohigh.{kind.value}": bank.Move,
}


def _audit_calls() -> Iterator[tuple[Path, ast.FunctionDef, ast.Call]]:
    """Every ``audit.record(...)`` call of the code base, with the function it is in."""
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for scope in ast.walk(tree):
            if not isinstance(scope, ast.FunctionDef):
                continue
            for node in ast.walk(scope):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit"
                ):
                    yield path, scope, node


def _codes_of(path: Path, scope: ast.FunctionDef, arg: ast.expr) -> set[str]:
    """The codes an argument of ``audit.record`` can be: a string, a format of
    :data:`FORMATTED_ACTIONS`, a variable of the function (every string assigned to it) or a
    constant of the module."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.JoinedStr):
        text = ast.unparse(arg)[2:-1]
        assert text in FORMATTED_ACTIONS, f"{path}: name the codes of f{text!r} in the test"
        prefix = text.split("{", 1)[0]
        return {prefix + member.value for member in FORMATTED_ACTIONS[text]}
    assert isinstance(arg, ast.Name), f"{path}: {ast.unparse(arg)}"
    assigned = {
        c.value
        for node in ast.walk(scope)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets)
        for c in ast.walk(node.value)
        if isinstance(c, ast.Constant) and isinstance(c.value, str)
    }
    if assigned:
        return assigned
    module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    return {getattr(importlib.import_module(module), arg.id)}


def audited(position: int) -> set[str]:
    """Every code the code base passes to ``audit.record`` as argument ``position``."""
    return {
        code
        for path, scope, call in _audit_calls()
        for code in _codes_of(path, scope, call.args[position])
    }


def test_every_audited_action_and_object_has_a_name_in_both_languages() -> None:
    actions, objects = audited(2), audited(3)
    assert {"enterprise.load", "figures.set", "twohigh.allocate", "user.login"} <= actions
    assert {"report.return", "twohigh.retire", "user.disable", "user.enable"} <= actions
    assert len(actions) > 70 and {"twohigh", "enterprise_report", "user"} <= objects
    for prefix, codes in (("audit_act_", actions), ("audit_ent_", objects)):
        unnamed = sorted(c for c in codes if prefix + c not in i18n.MESSAGES)
        assert unnamed == [], f"give these a name (i18n.MESSAGES[{prefix!r} + code]): {unnamed}"
        for code in codes:
            zh, en = i18n.label_of(prefix, code, "zh"), i18n.label_of(prefix, code, "en")
            assert HAN.search(zh) and not HAN.search(en) and en != code, code


COMMON_KEYS = (
    "note name year unit count amount source reason state status value evidence filename "
    "sha256 title name_zh scenarios key_id conditions figures address role department active"
).split()


def test_the_common_detail_keys_have_labels_in_both_languages() -> None:
    for key in COMMON_KEYS:
        zh, en = (i18n.label_of("audit_key_", key, lang) for lang in ("zh", "en"))
        assert HAN.search(zh) and not HAN.search(en) and en != key, key


def zh(prefix: str, code: str) -> str:
    return i18n.label_of(prefix, code, "zh")


def en(prefix: str, code: str) -> str:
    return i18n.label_of(prefix, code, "en")


def test_a_stored_value_reads_exactly_as_key_value_lines() -> None:
    stored = {
        "name": "示例替代源",
        "conditions": [True, False, True],
        "reductions": {"carbon": "27841", "energy": 12.5},
        "terms": {},
        "project": "",
        "scenarios": [],
        "done_on": None,
        "amount": 27841000,
        "mystery": [{"a": 1}, "x"],
    }
    assert audit.details(stored, zh) == (
        audit.Detail("名称", "示例替代源"),
        audit.Detail("条件（可监测、可统计、可复核）", "是、否、是"),
        audit.Detail("减排量 · 碳排放", "27841"),
        audit.Detail("减排量 · 能耗", "12.5"),
        audit.Detail("分项", "（空）"),
        audit.Detail("项目", "（空）"),
        audit.Detail("场景", "（空）"),
        audit.Detail("完成日期", "—"),
        audit.Detail("数量", "27841000"),
        audit.Detail("mystery", "(a: 1)、x"),
    )
    lines = audit.details(stored, en)
    assert lines is not None
    assert lines[1] == audit.Detail(
        "Conditions (monitorable, countable, re-checkable)", "Yes, No, Yes"
    )
    assert lines[-1] == audit.Detail("mystery", "(a: 1), x")
    # none stored; a value that is no object; an older database's JSON held as a string
    assert audit.details(None, zh) is None
    assert audit.details([1, True], en) == (audit.Detail("", "1, Yes"),)
    assert audit.details('{"name": "\\u793a\\u4f8b"}', zh) == (audit.Detail("名称", "示例"),)


def cells(page: str, column: str) -> list[str]:
    """The visible text of one column's cells, newest entry first."""
    found = re.findall(rf'<td data-testid="audit-{column}">(.*?)</td>', page, re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", c))).strip() for c in found]


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_log_names_actions_and_reads_details_in_the_pages_language(
    client: Any, app: Any
) -> None:
    csrf = token(log_in(client, "office").text)
    source = {
        "csrf_token": csrf,
        "code": "kiln3",
        "name": "示例：3号熟料窑关停",
        "mechanism": "shutdown",
        "formed_on": "2022-03-01",
        "location": "章丘区",
        "firm_name": "示例建材有限公司",
        "dimension": "carbon",
        "reduction": "30000",
        "in_shandong": "1",
        "monitorable": "1",
        "countable": "1",
        "recheckable": "1",
    }
    assert client.post("/twohigh/sources?unit=zhangqiu", data=source).status_code == 200
    partner = {"csrf_token": csrf, "code": "bus-app", "name_zh": "公交App", "scenarios": ["bus"]}
    made = client.post("/inclusion/partners?unit=zhangqiu", data=partner, follow_redirects=False)
    assert made.status_code == 303, made.text
    with transaction(app.state.sessions) as session:  # as an older database may hold one
        audit.record(session, Actor.system("test"), "legacy.thing", "gadget", "g1", None, None)
        actions = set(session.scalars(select(AuditLog.action).distinct()))
        key_id = (
            session.scalars(select(AuditLog).where(AuditLog.action == "partner.create"))
            .one()
            .new["key_id"]
        )
    assert {"plan.load", "user.create", "user.login", "twohigh.source"} <= actions

    page = client.get("/audit?unit=zhangqiu&lang=zh")
    assert page.status_code == 200
    text = visible(page.text)
    action, new = cells(page.text, "action"), cells(page.text, "new")
    # newest first: the old database's entry, the partner, the source, the log-in
    assert action[:4] == ["legacy.thing", "登记合作方", "登记替代源", "登录"]
    assert new[1] == f"名称： 公交App 场景： bus 密钥编号： {key_id}"
    assert "名称： 示例：3号熟料窑关停" in new[2]
    assert "条件（可监测、可统计、可复核）： 是、是、是" in new[2]
    assert "减排量 · 碳排放： 30000" in new[2]
    assert new[3] == "来源地址： testclient"
    assert "“两高”项目台账 source/kiln3" in text and "gadget g1" in text
    assert "载入实施方案" in text and "新建用户" in text
    assert '<option value="twohigh.source" >登记替代源</option>' in page.text
    assert "\\u" not in page.text and '{"' not in text
    assert [code for code in actions - {"legacy.thing"} if code in text] == []

    page = client.get("/audit?unit=zhangqiu&lang=en")
    text = visible(page.text)
    action, new = cells(page.text, "action"), cells(page.text, "new")
    assert action[:4] == [
        "legacy.thing",
        "Partner registered",
        "Substitution source registered",
        "Logged in",
    ]
    assert new[1] == f"Name: 公交App Scenarios: bus Key ID: {key_id}"
    assert "Conditions (monitorable, countable, re-checkable): Yes, Yes, Yes" in new[2]
    assert new[3] == "Address: testclient"
    assert "Two-high ledger source/kiln3" in text and "Plan loaded" in text
    assert not HAN.search(" ".join(action[1:] + cells(page.text, "old")))
    assert "\\u" not in page.text and '{"' not in text
    assert [code for code in actions - {"legacy.thing"} if code in text] == []

    # the filter by an action's name keeps its code
    only = client.get("/audit?unit=zhangqiu&action=twohigh.source&lang=zh")
    assert cells(only.text, "action") == ["登记替代源"]


def test_the_partner_page_names_the_key_in_the_pages_language(client: Any) -> None:
    csrf = token(log_in(client, "office").text)
    partner = {"csrf_token": csrf, "code": "bus-app", "name_zh": "公交App", "scenarios": ["bus"]}
    made = client.post("/inclusion/partners?unit=zhangqiu", data=partner, follow_redirects=False)
    assert made.status_code == 303, made.text
    # a new key: shown once, its id and secret named
    for lang, shown in (
        ("en", r"Key ID [0-9a-f]{16} · Secret [0-9a-f]+"),
        ("zh", r"密钥编号 [0-9a-f]{16} · 密钥 [0-9a-f]+"),
    ):
        client.get(f"/inclusion/partners/bus-app?lang={lang}")  # the language is remembered
        rotated = client.post("/inclusion/partners/bus-app/rotate", data={"csrf_token": csrf})
        assert re.search(shown, visible(rotated.text)), lang
    for lang, named, other in (("zh", "密钥编号", "Key ID"), ("en", "Key ID", "密钥编号")):
        page = visible(client.get(f"/inclusion/partners/bus-app?lang={lang}").text)
        assert named in page and other not in page and "key id" not in page
    # a refusal in the page's language alone
    form = {"csrf_token": csrf, "name_zh": "公交App", "active": "1"}
    zh_page = visible(client.post("/inclusion/partners/bus-app?lang=zh", data=form).text)
    assert (
        re.search(r"授权场景 ?：请至少选择一个场景", zh_page) and "choose at least" not in zh_page
    )
    en_page = visible(client.post("/inclusion/partners/bus-app?lang=en", data=form).text)
    assert re.search(r"Authorised scenarios ?: choose at least one scenario", en_page)
    assert "请至少选择" not in en_page


def test_a_broken_chain_is_told_in_the_pages_language(client: Any, app: Any) -> None:
    log_in(client, "office")
    with app.state.engine.begin() as con:  # an edit past the append-only triggers
        newest = con.scalar(select(func.max(AuditLog.id)))
        edit = f'UPDATE audit_log SET new = \'{{"address": "forged"}}\' WHERE id = {newest}'
        if con.dialect.name == "sqlite":
            con.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            con.execute(text(edit))
        else:
            con.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            con.execute(text(edit))
            con.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    zh_page = client.get("/audit?unit=zhangqiu&lang=zh").text
    assert f"#{newest}: 内容与哈希不符：记录被修改" in zh_page
    assert "edited" not in visible(zh_page)
    en_page = client.get("/audit?unit=zhangqiu&lang=en").text
    assert f"#{newest}: content does not match its hash: edited" in en_page
