"""The stable JSON of an inventory year: the ``nearzero.inventory.result/1`` document.

A stored run keeps its whole result in this document (docs/json.md): totals, sector × gas
tables, records, notation keys, uncertainty components and the lineage (methods, factor rows
with file versions, GWP set), so a stored figure says what produced it.
:func:`result_from_dict` reads back what :func:`result_to_dict` wrote; numbers are rounded
to 10 significant digits (:func:`rounded`), so a result read back equals the document.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nearzero.accounting.categories import Sector
from nearzero.accounting.inventory import Change, InventoryResult, Lineage, Totals
from nearzero.accounting.model import EmissionRecord, FactorRef

RESULT_SCHEMA = "nearzero.inventory.result/1"


def rounded(value: float) -> float:
    """``value`` rounded to 10 significant digits, as the documents store numbers (docs/json.md).

    Zero, infinities and NaN are returned as they are.
    """
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.10g}")


def _ref_dict(f: FactorRef) -> dict[str, Any]:
    return {
        "id": f.factor_id,
        "file": f.file,
        "version": f.version,
        "parameter": f.parameter,
        "subject": f.subject,
        "value": f.value,
        "unit": f.unit,
        "status": f.status,
    }


def _record_dict(r: EmissionRecord) -> dict[str, Any]:
    return {
        "row_id": r.row_id,
        "category": r.category,
        "sector": r.sector,
        "method": r.method,
        "gas": r.gas,
        "gas_group": r.gas_group,
        "tonnes": rounded(r.tonnes),
        "tco2e": rounded(r.tco2e),
        "scope": r.scope,
        "uncertainty_pct": None if r.uncertainty_pct is None else rounded(r.uncertainty_pct),
        "illustrative": r.illustrative,
        "factors": [f.factor_id for f in r.factor_refs],
    }


def result_to_dict(result: InventoryResult) -> dict[str, Any]:
    """The stable JSON of an inventory year (``nearzero.inventory.result/1``, docs/json.md)."""
    lineage = result.lineage
    sectors = []
    for s in Sector:
        co2e = result.sector_gas_tco2e.get(s.value, {})
        tonnes = result.sector_gas_tonnes.get(s.value, {})
        sectors.append(
            {
                "sector": s.value,
                "name_zh": s.label_zh,
                "tonnes": {g: rounded(v) for g, v in tonnes.items()},
                "tco2e": {g: rounded(v) for g, v in co2e.items()},
                "total_tco2e": rounded(sum(co2e.values())),
            }
        )
    return {
        "schema": RESULT_SCHEMA,
        "region": result.region,
        "year": result.year,
        "gwp_set": lineage.gwp_set,
        "totals": {k: rounded(v) for k, v in vars(result.totals).items()},
        "per_capita": {k: rounded(v) for k, v in result.per_capita.items()},
        "per_gdp": {k: rounded(v) for k, v in result.per_gdp.items()},
        "sectors": sectors,
        "records": [_record_dict(r) for r in result.records],
        "notation_keys": [{"category": c, "gas": g, "key": k} for c, g, k in result.notation_keys],
        "components": {
            label: [[key, rounded(width)] for key, width in parts]
            for label, parts in result.components.items()
        },
        "lineage": {
            "gwp_set": lineage.gwp_set,
            "gwp_source": lineage.gwp_source,
            "methods": dict(lineage.methods),
            "factors": [_ref_dict(f) for f in lineage.factor_refs],
            "to_confirm": list(lineage.to_confirm),
            "local": list(lineage.local),
            "illustrative_rows": list(lineage.illustrative_rows),
        },
    }


def _ref(f: Mapping[str, Any]) -> FactorRef:
    return FactorRef(
        f["id"],
        f["file"],
        f["version"],
        f["parameter"],
        f["subject"],
        f["value"],
        f["unit"],
        f["status"],
    )


def result_from_dict(doc: Mapping[str, Any]) -> InventoryResult:
    """Rebuild an :class:`InventoryResult` from its document (:func:`result_to_dict`).

    Raises ``ValueError`` for a document of another schema.
    """
    if doc.get("schema") != RESULT_SCHEMA:
        raise ValueError(f"expected a {RESULT_SCHEMA} document, got {doc.get('schema')!r}")
    lin = doc["lineage"]
    refs = {f["id"]: _ref(f) for f in lin["factors"]}
    year = int(doc["year"])
    records = tuple(
        EmissionRecord(
            row_id=r["row_id"],
            year=year,
            category=r["category"],
            sector=r["sector"],
            method=r["method"],
            gas=r["gas"],
            gas_group=r["gas_group"],
            tonnes=r["tonnes"],
            tco2e=r["tco2e"],
            scope=r["scope"],
            factor_refs=tuple(refs[i] for i in r["factors"]),
            uncertainty_pct=r["uncertainty_pct"],
            illustrative=r["illustrative"],
        )
        for r in doc["records"]
    )
    sectors = doc["sectors"]
    return InventoryResult(
        year=year,
        region=doc["region"],
        records=records,
        notation_keys=tuple((k["category"], k["gas"], k["key"]) for k in doc["notation_keys"]),
        sector_gas_tonnes={s["sector"]: dict(s["tonnes"]) for s in sectors if s["tonnes"]},
        sector_gas_tco2e={s["sector"]: dict(s["tco2e"]) for s in sectors if s["tco2e"]},
        totals=Totals(**doc["totals"]),
        per_capita=dict(doc["per_capita"]),
        per_gdp=dict(doc["per_gdp"]),
        components={
            label: tuple((str(k), float(w)) for k, w in parts)
            for label, parts in doc["components"].items()
        },
        lineage=Lineage(
            gwp_set=lin["gwp_set"],
            gwp_source=lin["gwp_source"],
            methods=dict(lin["methods"]),
            factor_refs=tuple(refs.values()),
            to_confirm=tuple(lin["to_confirm"]),
            local=tuple(lin["local"]),
            illustrative_rows=tuple(lin["illustrative_rows"]),
        ),
    )


def stable(result: InventoryResult) -> InventoryResult:
    """``result`` as it reads back from its document (numbers rounded as stored)."""
    return result_from_dict(result_to_dict(result))


def change_to_dict(c: Change) -> dict[str, Any]:
    """A recalculated record (IPCC 2006 Vol 1 Ch 5 §5.2) as a run's ``changes`` list holds it."""
    return {
        "year": c.year,
        "row_id": c.row_id,
        "category": c.category,
        "gas": c.gas,
        "old_tco2e": rounded(c.old_tco2e),
        "new_tco2e": rounded(c.new_tco2e),
        "changed_factors": list(c.changed_factors),
    }
