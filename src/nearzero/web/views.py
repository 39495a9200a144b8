"""View helpers: turn service results into what the templates and charts need."""

from __future__ import annotations

from typing import Any

from nearzero.indicators.evaluation import IndicatorSpec, Outcome, Part
from nearzero.indicators.rules import TargetRule
from nearzero.services.indicators import IndicatorView
from nearzero.web.i18n import translate


def fmt(value: float | None) -> str:
    """A number as the plan prints it: up to 4 decimals, thousands separated, no noise."""
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.4f}".rstrip("0").rstrip(".")


def chart_data(view: IndicatorView, outcome: Outcome, lang: str) -> dict[str, Any] | None:
    """Series for the indicator's trend chart with its target line; None when qualitative."""
    spec, record = view.spec, view.record
    years_on_record = set(record.values) | {y for vs in record.part_values.values() for y in vs}
    if not years_on_record:
        return None
    years = list(range(min(min(years_on_record), spec.base_year), spec.target_year + 1))

    def series(name: str, values: dict[int, float]) -> dict[str, Any]:
        return {"name": name, "data": [values.get(y) for y in years]}

    def target_of(rule: TargetRule, values: dict[int, float]) -> float | None:
        assigned = record.assigned.get(spec.target_year)
        target = rule.resolve(base=values.get(spec.base_year), assigned=assigned)
        return target.value if target else None

    def name_of(thing: Part | IndicatorSpec) -> str:
        return thing.name_en if lang == "en" else thing.name_zh

    out: dict[str, Any] = {
        "years": years,
        "unit": spec.unit,
        "series": [],
        "targets": [],
        "targetLabel": translate("target_line", lang),
        "projectionLabel": translate("projected_value", lang),
    }
    if spec.parts:
        for part in spec.parts:
            values = dict(record.part_values.get(part.code, {}))
            out["series"].append(series(name_of(part), values))
            out["targets"].append({"name": name_of(part), "value": target_of(part.rule, values)})
    else:
        values = dict(record.values)
        out["series"].append(series(name_of(spec), values))
        out["targets"].append({"name": name_of(spec), "value": target_of(spec.rule, values)})
        proj = outcome.projection
        if proj is not None and proj.value is not None:
            out["projection"] = {"year": proj.target_year, "value": proj.value}
    return out
