"""Request values never come back as markup (issue #11.6) and a malformed query value gets a
page naming it, not raw JSON (issue #12.10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from webclient import log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "nearzero" / "web" / "templates"
PAYLOAD = '"><meta http-equiv="refresh" content="0;url=https://evil.example"><x "'


def test_a_query_value_is_escaped_where_it_is_shown(client: Any) -> None:
    log_in(client, "office")
    page = client.get("/indicators", params={"unit": "zhangqiu", "category": PAYLOAD})
    assert page.status_code == 200
    assert "<meta http-equiv" not in page.text
    assert "&#34;&gt;&lt;meta http-equiv" in page.text  # kept, as text


def test_no_template_marks_text_safe() -> None:
    marked = [p.name for p in TEMPLATES.glob("*.html") if "|safe" in p.read_text("utf-8")]
    assert not marked, f"templates mark text safe (autoescape bypassed): {marked}"


def test_a_status_code_in_the_query_is_from_a_fixed_list(client: Any) -> None:
    log_in(client, "office")
    forged = client.get("/inventory", params={"unit": "zhangqiu", "saved": "您的账号已被冻结"})
    assert forged.status_code == 400
    assert "您的账号已被冻结" not in forged.text
    assert "saved" in forged.text


def test_a_malformed_query_value_gets_a_page_in_the_user_s_language(client: Any) -> None:
    log_in(client, "office")
    page = client.get("/indicators", params={"unit": "zhangqiu", "year": "twenty"})
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "取值不符合要求" in page.text
    assert "year" in page.text
    api = client.get("/api/evaluation", params={"year": "twenty"})
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/json")
