"""The office's user administration, on SQLite and PostgreSQL: the /admin/users page (over
HTTP and in Chromium), the forced password change, and `nearzero users ...`; every write
in the audit log."""

import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from nearzero.services import audit
from nearzero.settings import Settings
from nearzero.store.db import make_engine, session_factory, transaction
from nearzero.web.app import create_app
from webclient import DEMO_PASSWORD, browser_log_in, log_in, token

STRONG = "Solar-roofs-2025"


def audited(url: str, username: str) -> list[tuple[str, str]]:
    """(actor, action) of the audit log's entries on ``username``, oldest first."""
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            rows = audit.entries(session, "user", username)
            return [(e.actor, e.action) for e in reversed(rows) if e.entity_key == username]
    finally:
        engine.dispose()


def submit(client, path: str, **data):
    page = client.get("/admin/users")
    return client.post(path, data={"csrf_token": token(page.text), **data})


def attempt(client, username: str, password: str):
    form = client.get("/login")
    data = {"csrf_token": token(form.text), "username": username, "password": password}
    return client.post("/login", data=data)


def test_the_page_is_the_office_s(client):
    log_in(client, "viewer")
    assert client.get("/admin/users").status_code == 403
    form = client.get("/")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token(form.text),
            "username": "x1",
            "password": STRONG,
            "role": "viewer",
        },
    )
    assert response.status_code == 403
    disable = client.post("/admin/users/drc/disable", data={"csrf_token": token(form.text)})
    assert disable.status_code == 403


def test_office_creates_a_user_who_must_change_the_password(app, client, zhangqiu_url):
    log_in(client, "office")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert all(f'data-username="{name}"' in page.text for name in ("office", "drc", "viewer"))
    assert "核查机构" in page.text  # the verifier role can be given

    weak = submit(client, "/admin/users", username="wang", password="wang12345", role="viewer")
    assert weak.status_code == 400
    # the Chinese page shows the Chinese of a refusal; the English page its English
    assert "密码至少12个字符" in weak.text and "at least 12 characters" not in weak.text
    assert 'value="wang"' in weak.text  # what was typed comes back
    no_dept = submit(client, "/admin/users", username="wang", password=STRONG, role="editor")
    assert no_dept.status_code == 400 and "department: 部门填报员须属于" in no_dept.text
    assert "an editor belongs" not in no_dept.text
    client.get("/admin/users?lang=en")
    weak_en = submit(client, "/admin/users", username="wang", password="wang", role="viewer")
    assert weak_en.status_code == 400
    error = re.search(r'data-testid="error">(.*?)</p>', weak_en.text, re.S).group(1)
    assert "password: at least 12 characters, got 4" in error and "密码" not in error
    assert "; password: must not be the username" in error
    no_dept_en = submit(client, "/admin/users", username="wang", password=STRONG, role="editor")
    assert "department: an editor belongs to a department" in no_dept_en.text
    assert "部门填报员须属于" not in no_dept_en.text
    client.get("/admin/users?lang=zh")

    made = submit(
        client,
        "/admin/users",
        username="wang",
        display_name="王工",
        password=STRONG,
        role="editor",
        department="housing",
    )
    assert made.status_code == 200 and "用户已创建" in made.text
    row = re.search(r'<tr data-username="wang">(.*?)</tr>', made.text, re.S).group(1)
    assert "王工" in row and "housing" in row and "待改密码" in row

    # the new user is sent to change the password, from any page, until it is changed
    wang = TestClient(app)
    landed = attempt(wang, "wang", STRONG)
    assert landed.url.path == "/account/password" and "请先设置新密码" in landed.text
    assert wang.get("/indicators").url.path == "/account/password"
    assert wang.get("/api/evaluation?year=2022").status_code == 403
    form = wang.get("/account/password")
    mismatch = wang.post(
        "/account/password",
        data={
            "csrf_token": token(form.text),
            "current": STRONG,
            "new": "Wang-own-pass-9",
            "confirm": "Wang-own-pass-0",
        },
    )
    assert mismatch.status_code == 400 and "两次输入的新密码不一致" in mismatch.text
    assert "the two entries differ" not in mismatch.text
    wrong = wang.post(
        "/account/password?lang=en",
        data={
            "csrf_token": token(form.text),
            "current": "not-the-password",
            "new": "Wang-own-pass-9",
            "confirm": "Wang-own-pass-9",
        },
    )
    assert wrong.status_code == 400 and "current password: wrong" in wrong.text
    assert "当前密码不正确" not in wrong.text
    wang.get("/account/password?lang=zh")
    changed = wang.post(
        "/account/password",
        data={
            "csrf_token": token(form.text),
            "current": STRONG,
            "new": "Wang-own-pass-9",
            "confirm": "Wang-own-pass-9",
        },
    )
    assert changed.url.path == "/" and changed.status_code == 200
    assert wang.get("/indicators").url.path == "/indicators"
    assert audited(zhangqiu_url, "wang") == [
        ("office", "user.create"),
        ("wang", "user.login"),
        ("wang", "user.change_password"),
    ]


def test_office_sets_roles_resets_and_disables(app, client, zhangqiu_url):
    log_in(client, "office")
    viewer = TestClient(app)
    log_in(viewer, "viewer")

    moved = submit(client, "/admin/users/viewer/role", role="editor", department="eeb")
    assert moved.status_code == 200 and "角色已保存" in moved.text
    row = re.search(r'<tr data-username="viewer">(.*?)</tr>', moved.text, re.S).group(1)
    assert "部门填报员" in row and "eeb" in row
    own = submit(client, "/admin/users/office/role", role="viewer")
    assert own.status_code == 400 and "不能修改自己的角色" in own.text
    assert "own role" not in own.text
    unknown = submit(client, "/admin/users/viewer/role", role="superuser")
    assert unknown.status_code == 400 and "role: 角色应为admin、" in unknown.text
    assert "one of admin" not in unknown.text
    client.get("/admin/users?lang=en")
    own = submit(client, "/admin/users/office/role", role="viewer")
    assert "you cannot change your own role" in own.text and "不能修改自己" not in own.text
    unknown = submit(client, "/admin/users/viewer/role", role="superuser")
    assert "role: one of admin" in unknown.text and "角色应为" not in unknown.text
    client.get("/admin/users?lang=zh")

    reset = submit(client, "/admin/users/viewer/reset-password")
    assert reset.status_code == 200
    temporary = re.search(
        r'data-testid="temporary-password">.*?<code>([^<]+)</code>', reset.text, re.S
    ).group(1)
    assert len(temporary) >= 12
    assert viewer.get("/", follow_redirects=False).status_code == 303  # its session ended
    assert attempt(viewer, "viewer", DEMO_PASSWORD).status_code == 401
    assert attempt(viewer, "viewer", temporary).url.path == "/account/password"

    chosen = submit(client, "/admin/users/drc/reset-password", password="short")
    assert chosen.status_code == 400 and "密码至少12个字符" in chosen.text

    disabled = submit(client, "/admin/users/viewer/disable")
    assert disabled.status_code == 200 and "用户已停用" in disabled.text
    assert viewer.get("/", follow_redirects=False).status_code == 303
    assert submit(client, "/admin/users/office/disable").status_code == 400
    enabled = submit(client, "/admin/users/viewer/enable")
    assert "用户已启用" in enabled.text
    assert [a for actor, a in audited(zhangqiu_url, "viewer") if actor == "office"] == [
        "user.set_role",
        "user.reset_password",
        "user.disable",
        "user.enable",
    ]
    assert temporary not in str(
        [e.new for e in _entries(zhangqiu_url, "viewer") if e.action == "user.reset_password"]
    )


def _entries(url, key):
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            rows = audit.entries(session, "user", key)
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli(zhangqiu_url, monkeypatch):
    from nearzero.cli import app

    monkeypatch.setenv("NEARZERO_DATABASE_URL", zhangqiu_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_users_command(cli, client, zhangqiu_url):
    weak = cli("users", "add", "li", "--role", "viewer", "--password", "li")
    assert weak.exit_code == 2 and "at least 12 characters" in weak.output
    added = cli("users", "add", "li", "--role", "viewer", "--name", "李工")
    assert added.exit_code == 0, added.output
    initial = re.search(r"initial password: (\S+)", added.output).group(1)
    listed = cli("users", "list")
    assert listed.exit_code == 0 and "li" in listed.output and "must" in listed.output
    assert attempt(client, "li", initial).url.path == "/account/password"

    assert cli("users", "set-role", "li", "editor").exit_code == 2  # an editor needs one
    role = cli("users", "set-role", "li", "editor", "--department", "drc")
    assert role.exit_code == 0, role.output
    reset = cli("users", "reset-password", "li", "--password", "Reset-by-cli-1")
    assert reset.exit_code == 0 and "temporary password" not in reset.output
    assert client.get("/", follow_redirects=False).status_code == 303  # the session ended
    assert attempt(client, "li", "Reset-by-cli-1").url.path == "/account/password"
    assert cli("users", "disable", "li").exit_code == 0
    assert client.get("/", follow_redirects=False).status_code == 303
    assert cli("users", "disable", "nobody").exit_code == 2
    assert [a for actor, a in audited(zhangqiu_url, "li") if actor == "cli"] == [
        "user.create",
        "user.set_role",
        "user.reset_password",
        "user.disable",
    ]


# --------------------------------------------------------------------------- Chromium


@pytest.fixture
def base_url(zhangqiu_url, serve_app):
    app = create_app(Settings(database_url=zhangqiu_url))
    yield serve_app(app)
    app.state.engine.dispose()


def test_office_manages_users_in_the_browser(page, browser, base_url):
    browser_log_in(page, base_url, "office", "/admin/users")
    form = page.get_by_test_id("create-user")
    form.locator("input[name=username]").fill("zhao")
    form.locator("input[name=display_name]").fill("赵工")
    form.locator("select[name=role]").select_option("verifier")
    form.locator("input[name=password]").fill("zhao")
    form.locator("button[type=submit]").click()
    assert "密码至少12个字符" in page.get_by_test_id("error").inner_text()
    form = page.get_by_test_id("create-user")
    form.locator("input[name=password]").fill(STRONG)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=message]")
    row = page.locator('tr[data-username="zhao"]')
    assert "核查机构" in row.inner_text() and "待改密码" in row.inner_text()

    # zhao logs in elsewhere and is sent to change the password
    other = browser.new_context(locale="zh-CN")
    try:
        zhao = other.new_page()
        zhao.goto(f"{base_url}/login")
        zhao.fill("input[name=username]", "zhao")
        zhao.fill("input[name=password]", STRONG)
        zhao.click("button[type=submit]")
        zhao.wait_for_url(f"{base_url}/account/password")
        assert zhao.get_by_test_id("must-change").is_visible()

        row.get_by_test_id("disable-form").locator("button").click()
        page.wait_for_selector("text=用户已停用")
        assert "已停用" in page.locator('tr[data-username="zhao"]').inner_text()
        zhao.reload()
        assert "/login" in zhao.url
    finally:
        other.close()
