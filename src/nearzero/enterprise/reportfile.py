"""One firm's annual report file (YAML or JSON) in, the result as JSON-ready data out.

The format is documented in ``docs/enterprise-report.md`` with an example under
``nearzero/data/enterprise/examples/``. Parsing is pure: it takes the file's name and text.
Unknown keys are refused (no silent new columns); every error names the field path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from nearzero.enterprise.combustion import FuelInput, FuelMonth, Sector
from nearzero.enterprise.electricity import EnergyFlow, GridFactor, parse_family
from nearzero.enterprise.model import EnterpriseError, ParameterUse, Source, Tier
from nearzero.enterprise.process import BalanceInput, CarbonFlow, ClinkerInput
from nearzero.enterprise.registry import firm_from_mapping
from nearzero.enterprise.report import AnnualReport, Recovered, ReportResult

INPUT_SCHEMA = "nearzero.enterprise.report-input/1"
RESULT_SCHEMA = "nearzero.enterprise.report/1"
TOP_KEYS = {
    "schema",
    "firm",
    "year",
    "sector",
    "factor_family",
    "fuels",
    "clinker",
    "carbon_balances",
    "recovered",
    "electricity",
    "heat",
    "feedstock_energy_gj",
    "illustrative",
    "note",
}
FIRM_KEYS = {
    "key",
    "name_zh",
    "credit_code",
    "industry_code",
    "subdistrict",
    "sector",
    "facilities",
    "illustrative",
}


def _mapping(value: Any, field_name: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise EnterpriseError(
            field_name,
            f"应为键值对，实际为{type(value).__name__} — "
            f"expected a mapping, got {type(value).__name__}",
        )
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise EnterpriseError(
            f"{field_name}.{unknown[0]}" if field_name else unknown[0],
            f"未知的键（应为{'、'.join(sorted(allowed))}之一） — "
            f"unknown key (expected one of {', '.join(sorted(allowed))})",
        )
    return value


def _list(value: Any, field_name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise EnterpriseError(
            field_name,
            f"应为列表，实际为{type(value).__name__} — expected a list, got {type(value).__name__}",
        )
    return value


def _number(
    data: Mapping[str, Any], key: str, field_name: str, default: float | None = None
) -> float:
    value = data.get(key)
    where = f"{field_name}.{key}"
    if value is None:
        if default is None:
            raise EnterpriseError(where, "缺少数值 — missing (expected a number)")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EnterpriseError(where, f"{value!r}不是数字 — {value!r} is not a number")
    return float(value)


def _optional(data: Mapping[str, Any], key: str, field_name: str) -> float | None:
    return _number(data, key, field_name) if data.get(key) is not None else None


def _text(data: Mapping[str, Any], key: str, field_name: str, default: str | None = None) -> str:
    value = data.get(key)
    if value is None or value == "":
        if default is None:
            raise EnterpriseError(f"{field_name}.{key}", "缺少文本 — missing (expected text)")
        return default
    return str(value)


MONTH_KEYS = {"month", "consumption", "ncv", "carbon_content", "element_carbon"}
FUEL_KEYS = {"key", "fuel", "unit", "ncv_unit", "oxidation", "facility", "months", "annual"}


def _fuel(raw: Any, where: str) -> FuelInput:
    data = _mapping(raw, where, FUEL_KEYS)
    months: list[FuelMonth] = []
    if data.get("annual") is not None and data.get("months") is not None:
        raise EnterpriseError(
            f"{where}.annual",
            "逐月数据（months）与全年数据（annual）只能填其一 — "
            "give either months or annual, not both",
        )
    entries = (
        [
            (
                f"{where}.annual",
                {**_mapping(data["annual"], f"{where}.annual", MONTH_KEYS - {"month"}), "month": 0},
            )
        ]
        if data.get("annual") is not None
        else [
            (f"{where}.months[{i}]", m)
            for i, m in enumerate(_list(data.get("months"), f"{where}.months"))
        ]
    )
    for path, entry in entries:
        m = _mapping(entry, path, MONTH_KEYS)
        month = m.get("month")
        if isinstance(month, bool) or not isinstance(month, int):
            raise EnterpriseError(
                f"{path}.month", f"{month!r}（月份应为1-12） — {month!r} (expected a month 1-12)"
            )
        months.append(
            FuelMonth(
                month,
                _number(m, "consumption", path),
                _optional(m, "ncv", path),
                _optional(m, "carbon_content", path),
                _optional(m, "element_carbon", path),
            )
        )
    return FuelInput(
        key=_text(data, "key", where),
        fuel=_text(data, "fuel", where),
        unit=_text(data, "unit", where),
        months=tuple(months),
        ncv_unit=str(data["ncv_unit"]) if data.get("ncv_unit") else None,
        oxidation=_optional(data, "oxidation", where),
        facility=str(data.get("facility") or ""),
        field=where,
    )


CLINKER_KEYS = {
    "key",
    "facility",
    "clinker",
    "cao",
    "mgo",
    "cao_non_carbonate",
    "mgo_non_carbonate",
    "dust",
    "raw_meal",
    "raw_meal_organic_carbon",
}


def _clinker(raw: Any, where: str) -> ClinkerInput:
    d = _mapping(raw, where, CLINKER_KEYS)
    return ClinkerInput(
        key=_text(d, "key", where),
        clinker=_number(d, "clinker", where),
        cao=_number(d, "cao", where),
        mgo=_number(d, "mgo", where),
        cao_non_carbonate=_number(d, "cao_non_carbonate", where, 0.0),
        mgo_non_carbonate=_number(d, "mgo_non_carbonate", where, 0.0),
        dust=_number(d, "dust", where, 0.0),
        raw_meal=_number(d, "raw_meal", where, 0.0),
        raw_meal_organic_carbon=_number(d, "raw_meal_organic_carbon", where, 0.0),
        facility=str(d.get("facility") or ""),
        field=where,
    )


FLOW_KEYS = {"name", "quantity", "carbon_content", "unit"}


def _flows(raw: Any, where: str) -> tuple[CarbonFlow, ...]:
    out = []
    for i, item in enumerate(_list(raw, where)):
        path = f"{where}[{i}]"
        d = _mapping(item, path, FLOW_KEYS)
        out.append(
            CarbonFlow(
                _text(d, "name", path),
                _number(d, "quantity", path),
                _number(d, "carbon_content", path),
                _text(d, "unit", path, "t"),
            )
        )
    return tuple(out)


def _balance(raw: Any, where: str) -> BalanceInput:
    d = _mapping(raw, where, {"key", "product", "facility", "inputs", "outputs"})
    return BalanceInput(
        key=_text(d, "key", where),
        product=_text(d, "product", where, ""),
        inputs=_flows(d.get("inputs"), f"{where}.inputs"),
        outputs=_flows(d.get("outputs"), f"{where}.outputs"),
        facility=str(d.get("facility") or ""),
        field=where,
    )


def _recovered(raw: Any, where: str) -> Recovered:
    d = _mapping(raw, where, {"key", "tonnes", "use", "facility"})
    return Recovered(
        _text(d, "key", where),
        _number(d, "tonnes", where),
        str(d.get("use") or ""),
        str(d.get("facility") or ""),
        f"{where}.tonnes",
    )


FACTOR_KEYS = {"value", "unit", "family", "document", "table", "clause", "year", "region"}


def _factor(raw: Any, where: str, carrier: str) -> GridFactor:
    d = _mapping(raw, where, FACTOR_KEYS)
    year = d.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise EnterpriseError(f"{where}.year", f"{year!r}（应为年份） — {year!r} (expected a year)")
    source = Source(
        document=_text(d, "document", where),
        table=str(d.get("table") or ""),
        clause=str(d.get("clause") or ""),
        year=year,
        status="given",
        note="factor given in the report file",
    )
    return GridFactor(
        parse_family(_text(d, "family", where), f"{where}.family"),
        carrier,
        str(d.get("region") or "given"),
        _number(d, "value", where),
        _text(d, "unit", where),
        source,
        Tier.GIVEN,
    )


FLOW_FILE_KEYS = {"key", "purchased", "exported", "unit", "region", "factor", "facility"}


def _flow(raw: Any, where: str, carrier: str) -> EnergyFlow:
    d = _mapping(raw, where, FLOW_FILE_KEYS)
    return EnergyFlow(
        key=_text(d, "key", where),
        carrier=carrier,
        purchased=_number(d, "purchased", where, 0.0),
        exported=_number(d, "exported", where, 0.0),
        unit=str(d.get("unit") or ""),
        region=str(d.get("region") or "national"),
        factor=_factor(d["factor"], f"{where}.factor", carrier) if d.get("factor") else None,
        facility=str(d.get("facility") or ""),
        field=where,
    )


def read_document(name: str, text: str) -> Any:
    """The parsed content of a ``.yaml``/``.yml`` or ``.json`` file's text."""
    lower = name.lower()
    try:
        if lower.endswith(".json"):
            return json.loads(text)
        if lower.endswith((".yaml", ".yml")):
            return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise EnterpriseError(
            "file",
            f"{name}：不是有效的{lower.rsplit('.', 1)[-1]}文件 — "
            f"{name!r}: not valid {lower.rsplit('.', 1)[-1]}: {exc}",
        ) from None
    raise EnterpriseError(
        "file",
        f"{name}：应为.yaml、.yml或.json文件 — {name!r}: expected a .yaml, .yml or .json file",
    )


def parse_report(data: Any) -> AnnualReport:
    """An :class:`AnnualReport` from parsed file content; errors name the field path."""
    d = _mapping(data, "", TOP_KEYS)
    schema = d.get("schema", INPUT_SCHEMA)
    if schema != INPUT_SCHEMA:
        raise EnterpriseError(
            "schema", f"{schema!r}（应为{INPUT_SCHEMA}） — {schema!r} (expected {INPUT_SCHEMA})"
        )
    firm_raw = _mapping(d.get("firm"), "firm", FIRM_KEYS)
    firm = firm_from_mapping(dict(firm_raw), "firm", None)
    year = d.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise EnterpriseError(
            "year",
            f"{year!r}（应为报告年度，如2024） — {year!r} (expected the reporting year, e.g. 2024)",
        )
    try:
        sector = Sector(str(d.get("sector", "general")))
    except ValueError:
        raise EnterpriseError(
            "sector",
            f"{d.get('sector')!r}（应为general（一般）或power（发电）） — "
            f"{d.get('sector')!r} (expected general or power)",
        ) from None
    family = parse_family(str(d.get("factor_family", "ets_reporting")), "factor_family")
    flows = [
        _flow(raw, f"{carrier}[{i}]", carrier)
        for carrier in ("electricity", "heat")
        for i, raw in enumerate(_list(d.get(carrier), carrier))
    ]
    return AnnualReport(
        firm=firm,
        year=year,
        sector=sector,
        factor_family=family,
        fuels=tuple(_fuel(r, f"fuels[{i}]") for i, r in enumerate(_list(d.get("fuels"), "fuels"))),
        clinker=tuple(
            _clinker(r, f"clinker[{i}]") for i, r in enumerate(_list(d.get("clinker"), "clinker"))
        ),
        carbon_balances=tuple(
            _balance(r, f"carbon_balances[{i}]")
            for i, r in enumerate(_list(d.get("carbon_balances"), "carbon_balances"))
        ),
        recovered=tuple(
            _recovered(r, f"recovered[{i}]")
            for i, r in enumerate(_list(d.get("recovered"), "recovered"))
        ),
        energy_flows=tuple(flows),
        feedstock_energy_gj=_number(d, "feedstock_energy_gj", "", 0.0)
        if d.get("feedstock_energy_gj") is not None
        else 0.0,
        illustrative=bool(d.get("illustrative", False)) or firm.illustrative,
        note=str(d.get("note") or ""),
    )


def read_report(name: str, text: str) -> AnnualReport:
    """Parse one firm's annual report file (``name`` chooses YAML or JSON)."""
    return parse_report(read_document(name, text))


def _r(value: float) -> float:
    return round(value, 6) + 0.0  # + 0.0 turns -0.0 into 0.0


def _source(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {
        "document": source.document,
        "table": source.table,
        "clause": source.clause,
        "year": source.year,
        "status": source.status,
        "file": source.file,
        "row_id": source.row_id,
        "version": source.version,
    }


def _parameter(p: ParameterUse) -> dict[str, Any]:
    return {
        "name": p.name,
        "value": p.value,
        "unit": p.unit,
        "tier": p.tier.value,
        "months": list(p.months),
        "field": p.field,
        "source": _source(p.source),
    }


def result_to_dict(result: ReportResult) -> dict[str, Any]:
    """The result as stable JSON-ready data (``nearzero.enterprise.report/1``, docs/json.md)."""
    report, t, e = result.report, result.totals, result.energy
    firm = report.firm
    return {
        "schema": RESULT_SCHEMA,
        "firm": {
            "name_zh": firm.name_zh,
            "credit_code": firm.credit_code,
            "industry_code": str(firm.industry_code) if firm.industry_code else None,
            "illustrative": firm.illustrative,
        },
        "year": report.year,
        "sector": report.sector.value,
        "factor_family": report.factor_family.value,
        "illustrative": report.illustrative,
        "totals": {
            "fuel": _r(t.fuel),
            "process": _r(t.process),
            "electricity": _r(t.electricity),
            "heat": _r(t.heat),
            "recovered": _r(t.recovered),
            "direct": _r(t.direct),
            "total": _r(t.total),
        },
        "energy": {
            "fossil_tce": _r(e.fossil_tce),
            "electricity_tce": _r(e.electricity_tce),
            "heat_tce": _r(e.heat_tce),
            "comprehensive_tce": _r(e.comprehensive_tce),
        },
        "components": [
            {
                "key": c.key,
                "kind": c.kind,
                "facility": c.facility,
                "note": c.note,
                "tco2": _r(c.tco2),
                "equation": c.equation,
                "parameters": [_parameter(p) for p in c.parameters],
            }
            for c in result.components
        ],
        "to_confirm": [_source(s) for s in result.to_confirm],
        "data_files": [{"file": f, "version": v} for f, v in result.data_files],
    }
