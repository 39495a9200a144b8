"""Report charts rendered by matplotlib to PNG (Agg, no pyplot, no display needed).

Chinese labels need a CJK font: Noto Sans CJK SC first, WenQuanYi Micro Hei as the fallback
for the glyphs Noto's CJK face lacks in matplotlib (the subscript in CO₂). matplotlib's
settings are process-wide, so charts are drawn one at a time under a lock with the fonts set
in an ``rc_context``; report builds running in threads never see each other's settings.

Each figure is drawn once: its constrained layout is solved a single time and then frozen
(``savefig`` would solve it twice and draw the figure twice), and the picture is written as an
opaque RGB PNG (a chart has no transparency; an alpha channel is one more image for the PDF to
split off and compress).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

FONTS = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans"]
GREEN, RED, ORANGE, BLUE = "#2e7d32", "#c62828", "#ef6c00", "#1565c0"
DPI = 150

_LOCK = threading.Lock()
_RC: dict[Any, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "axes.unicode_minus": False,  # the CJK faces have no U+2212 minus
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes, laid out and drawn once (call inside the fonts' rc_context)."""
    canvas: Any = FigureCanvasAgg(fig)  # the Agg backend has no type hints
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)  # place the axes around their labels, once
        fig.set_layout_engine("none")  # and keep them there for the one draw
    canvas.draw()
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    buffer = io.BytesIO()
    rgba.convert("RGB").save(buffer, format="png", dpi=(fig.dpi, fig.dpi))
    return buffer.getvalue()


def _thousands(value: float, _pos: int) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def category_chart(
    names: Sequence[str],
    met: Sequence[int],
    totals: Sequence[int],
    no_data: Sequence[int] | None = None,
) -> bytes:
    """Stacked bars: indicators met, not met and without data (无数据) per category (counts)."""
    missing = list(no_data) if no_data is not None else [0] * len(met)
    not_met = [t - m - n for m, t, n in zip(met, totals, missing, strict=True)]
    with _LOCK, rc_context(_RC):
        fig = Figure(figsize=(6.4, 3.0), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        ax.bar(names, met, color=GREEN, label="完成")
        ax.bar(names, not_met, bottom=met, color=RED, label="未完成")
        if any(missing):
            below = [m + n for m, n in zip(met, not_met, strict=True)]
            ax.bar(names, missing, bottom=below, color="#78849e", label="无数据")
        for x, (m, t) in enumerate(zip(met, totals, strict=True)):
            ax.annotate(f"{m}/{t}", (x, t), ha="center", va="bottom", fontsize=8)
        ax.set_ylabel("指标数（项）")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max(totals, default=1) * 1.2)
        ax.tick_params(axis="x", labelrotation=30)
        ax.legend(loc="upper right", frameon=False, ncols=3)
        return _png(fig)


def trend_chart(data: dict[str, Any], title: str) -> bytes:
    """One indicator's values by year against its target line, with the projected value.

    ``data`` is :func:`nearzero.services.indicators.trend_data`'s: years, unit, series, targets and
    an optional projection {year, value}.
    """
    years: list[int] = data["years"]
    with _LOCK, rc_context(_RC):
        fig = Figure(figsize=(6.4, 2.9), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        for series, target in zip(data["series"], data["targets"], strict=True):
            points = [(y, v) for y, v in zip(years, series["data"], strict=True) if v is not None]
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="o",
                color=BLUE,
                label=series["name"],
            )
            if target["value"] is not None:
                ax.axhline(target["value"], color=RED, linestyle="--", linewidth=1)
                ax.annotate(
                    f"目标 {_thousands(target['value'], 0)}",
                    (years[0], target["value"]),
                    xytext=(0, 3),
                    textcoords="offset points",
                    color=RED,
                    fontsize=8,
                )
        projection = data.get("projection")
        if projection:
            ax.plot(
                [projection["year"]],
                [projection["value"]],
                marker="D",
                linestyle="none",
                color=ORANGE,
                label=f"{projection['year']}年预测值",
            )
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(data["unit"])
        ax.set_xticks(years)
        ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.margins(y=0.25)
        ax.legend(loc="best", frameon=False, fontsize=8)
        return _png(fig)


def contribution_chart(labels: Sequence[str], values: Sequence[float], unit: str) -> bytes:
    """Horizontal bars: each contributor's value [``unit``], largest at the top; negative
    values (removals, credits) drawn in green to the left of zero."""
    with _LOCK, rc_context(_RC):
        height = 1.0 + 0.32 * max(len(labels), 1)
        fig = Figure(figsize=(6.4, height), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        y = list(range(len(labels)))[::-1]
        colours = [GREEN if v < 0 else BLUE for v in values]
        ax.barh(y, values, color=colours)
        ax.set_yticks(y, labels)
        ax.axvline(0, color="#666666", linewidth=0.8)
        ax.set_xlabel(unit)
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.margins(x=0.15)
        for yy, v in zip(y, values, strict=True):
            ax.annotate(
                f"{v:,.4g}",
                (v, yy),
                xytext=(3 if v >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if v >= 0 else "right",
                va="center",
                fontsize=8,
            )
        return _png(fig)
