"""The report as PDF: a Jinja2 HTML template laid out by WeasyPrint, CJK fonts embedded.

Borders are CSS (WeasyPrint ignores the HTML ``border`` attribute). Only ``data:`` URLs are
fetched, so a build never reaches the network; charts are embedded as data URLs.
"""

from __future__ import annotations

import base64
import dataclasses
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from nearzero.reports import offload
from nearzero.reports.model import (
    NO_DATA_ZH,
    Figure,
    Heading,
    Paragraph,
    Progress,
    Report,
    Table,
    no_progress,
    numbered,
)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("nearzero.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["data_url"] = lambda png: (
        "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    )
    env.globals.update(Heading=Heading, Paragraph=Paragraph, Table=Table, Figure=Figure)
    env.tests["kind"] = isinstance
    return env


def report_html(report: Report) -> str:
    """The report as one HTML document (the PDF's source; also handy to inspect)."""
    report = dataclasses.replace(report, sections=numbered(report.sections))
    return _environment().get_template("report.html").render(r=report, no_data=NO_DATA_ZH)


def build_pdf(report: Report, progress: Progress = no_progress) -> bytes:
    """The report as PDF bytes (A4, page numbers, CJK font subset embedded)."""
    progress("PDF：排版", 0.05)
    return offload.layout_pdf(report_html(report))


def layout_pdf(html: str) -> bytes:
    """``html`` (:func:`report_html`'s) laid out in the report's stylesheet and written as PDF.

    WeasyPrint is imported here, not with the module: a build from the command line lays the
    PDF out in a worker that imported it while the data was gathered (:mod:`.offload`)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).render(
        stylesheets=[CSS(string=_stylesheet())]
    )
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)


@cache
def _stylesheet() -> str:
    source = _environment().loader.get_source(_environment(), "report.css")  # type: ignore[union-attr]
    return source[0]
