"""Carbon inclusion (碳普惠) routes, one module per audience: :mod:`.partner_api` (signed
partner requests), :mod:`.office` (the office's page and forms), :mod:`.resident` (the
resident's page). Every page works on the unit of ``?unit=`` (or the default unit)."""

from __future__ import annotations

from urllib.parse import urlencode

from nearzero.inclusion.choices import ReasonCode, Scenario
from nearzero.settings import Settings
from nearzero.store import tables as m


def master_key(settings: Settings) -> bytes:
    """The application's secret key, from which partner and resident keys are derived."""
    return str(settings.secret_key).encode()


def unit_url(unit: m.DemoUnit, path: str, fragment: str = "", **query: object) -> str:
    """``path`` on ``unit`` with the other query parameters that are not None."""
    params = {"unit": unit.code} | {k: v for k, v in query.items() if v is not None}
    return f"{path}?{urlencode(params)}" + (f"#{fragment}" if fragment else "")


def reason_label(code: str | None, lang: str) -> str:
    """An outcome's label: 已入账 or the reason a record was refused."""
    if code in (None, "accepted"):
        return "已入账" if lang != "en" else "accepted"
    try:
        reason = ReasonCode(code)
    except ValueError:
        return str(code)
    return reason.label_en if lang == "en" else reason.label_zh


def scenario_label(code: str | None, lang: str) -> str:
    """A scenario's label (``all``: every scenario)."""
    if code == "all":
        return "全部场景" if lang != "en" else "all scenarios"
    try:
        s = Scenario(str(code))
    except ValueError:
        return str(code)
    return s.label_en if lang == "en" else s.label_zh
