"""The platform the suite stands on: PostgreSQL and SQLite, headless Chromium, CJK fonts."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

CITY = "近零碳城市"


def test_database_url_gives_a_fresh_writable_database(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            assert sa.inspect(conn).get_table_names() == []
            conn.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY, name TEXT)"))
            conn.execute(sa.text("INSERT INTO probe VALUES (1, :name)"), {"name": CITY})
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name FROM probe")).scalar_one() == CITY
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                version = conn.execute(sa.text("SHOW server_version_num")).scalar_one()
                encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
            assert int(version) >= 150000
            assert encoding == "UTF8"
    finally:
        engine.dispose()


def _city_app() -> Starlette:
    async def home(request: Any) -> HTMLResponse:
        return HTMLResponse(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{CITY}</title></head>"
            f'<body style="font-size:48px"><h1 id="city">{CITY}</h1></body></html>'
        )

    return Starlette(routes=[Route("/", home)])


def test_chromium_renders_chinese_from_a_live_server(
    serve_app: Any, page: Any, tmp_path: Path
) -> None:
    base_url = serve_app(_city_app())
    assert base_url.startswith("http://127.0.0.1:")

    response = page.goto(base_url)
    assert response is not None and response.status == 200
    assert page.title() == CITY
    assert page.locator("#city").inner_text() == CITY
    assert page.evaluate("navigator.language") == "zh-CN"

    shot = tmp_path / "city.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 300 and height >= 200
    # Rendered glyphs, not a blank page: count the dark pixels of the 48px heading.
    with Image.open(shot) as image:
        dark = sum(image.convert("L").histogram()[:128])
    assert dark > 5_000, f"only {dark} dark pixels: the Chinese heading did not render"


def test_cjk_fonts_are_installed() -> None:
    if shutil.which("fc-list") is None:
        pytest.fail("fc-list not found (fontconfig); install fonts-noto-cjk fonts-wqy-microhei")
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip(), "no font covers Chinese: apt-get install fonts-noto-cjk fonts-wqy-microhei"
