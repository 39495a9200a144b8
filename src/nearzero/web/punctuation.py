"""The templates' full-width punctuation in the page's language.

The templates are written in Chinese layout: ``{{ t('th_stage', lang) }}：{{ stage }}``,
``（{{ unit }}）``. On an English page that read ``Stage：operating`` and ``emissions（kg）``.
:class:`PagePunctuation` rewrites each full-width mark in a template's own text (never in its
expressions or in the data they print) as a call that gives it back on a Chinese page and its
English form on an English one. A template rendered without ``lang`` keeps the Chinese mark.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

ENGLISH = {"：": ": ", "（": " (", "）": ")", "；": "; ", "，": ", ", "、": ", "}
"""Each full-width mark the templates use and its English form."""

_CODE = re.compile(r"({{.*?}}|{%.*?%}|{#.*?#})", re.S)
_MARK = re.compile("[" + "".join(ENGLISH) + "]")


@pass_context
def punctuation(context: Context, mark: str) -> str:
    """``mark`` on a Chinese page (or without a language), its English form on an English one."""
    return ENGLISH[mark] if context.get("lang") == "en" else mark


class PagePunctuation(Extension):
    """Rewrites the full-width marks of the templates' own text (module docstring)."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.globals["_punctuation"] = punctuation

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        parts = _CODE.split(source)
        for i in range(0, len(parts), 2):  # the text between the tags and expressions
            parts[i] = _MARK.sub(lambda m: "{{ _punctuation('" + m.group(0) + "') }}", parts[i])
        return "".join(parts)
