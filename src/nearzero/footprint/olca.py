"""openLCA JSON-LD interchange (olca-schema 2, the zip layout of ``olca_schema.zipio``).

Written and read with the standard library (``zipfile``, ``json``): bytes in, bytes out.
The layout is one JSON file per entity under ``unit_groups/``, ``flow_properties/``,
``flows/``, ``processes/``, ``product_systems/``, ``lcia_categories/``, ``lcia_methods/``,
plus ``olca-schema.json`` (``{"version": 2}``).

Mapping (nearzero → openLCA):

- a flow → ``Flow`` (``PRODUCT_FLOW`` / ``ELEMENTARY_FLOW``) with a unit group and flow
  property of its reference unit; an elementary flow's family is the last part of its
  ``category`` (``Elementary flows/air/fossil``); nearzero's id is kept in ``tags``;
- the characterisation c → one ``ImpactCategory`` (GWP100, kg CO2 eq) in an ``ImpactMethod``;
- a process → ``Process`` (category = life-cycle stage); amounts in the flow's reference unit;
  uncertainty as ``Uncertainty`` (geomSd = the basic gsd), pedigree as ``dqEntry``
  ``(1;2;1;1;3)``; co-products with ``allocationFactors`` (PHYSICAL = mass share, ECONOMIC =
  value share); under system expansion a co-product is an avoided product
  (``isAvoidedProduct``) of the product it displaces;
- a footprint factor → an ``LCI_RESULT`` process tagged ``nearzero:factor=<id>`` (its value
  as one emission of the aggregated CO2e flow), turned back into a factor line on import;
- the system → ``ProductSystem`` with ``processLinks``, the reference exchange and amount.

Cut-off lines are not exported (they do not count in the result).
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Mapping
from typing import Any

from nearzero.footprint.allocation import co_products, shares
from nearzero.footprint.factors import footprint_factor
from nearzero.footprint.matrices import FACTOR_FLOW, characterisation_factor
from nearzero.footprint.model import (
    FAMILIES,
    Direction,
    Exchange,
    Flow,
    FootprintError,
    Process,
    ProductSystem,
    Uncertainty,
)
from nearzero.units import convert

_NS = uuid.UUID("6f1e1c8e-3b0a-4c55-9a55-5d1a6e0f2b14")
TAG = "nearzero:"


class OlcaError(FootprintError):
    """A JSON-LD zip nearzero cannot read; names the entity and field."""


def _refusal(where: str, zh: str, en: str) -> str:
    """``where: 中文 — English``, the bilingual form of a refusal. A ``where`` naming the file
    and then a process (``x.zip: process 'kiln'``) repeats the process before the English,
    as the English page keeps only what stands before the first colon."""
    _, sep, inner = where.partition(": ")
    return f"{where}: {zh} — {inner}: {en}" if sep else f"{where}: {zh} — {en}"


def _uid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


def _ref(kind: str, uid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"@type": kind, "@id": uid, "name": name, **extra}


def _tag(entity: Mapping[str, Any], key: str) -> str | None:
    for tag in entity.get("tags") or []:
        if isinstance(tag, str) and tag.startswith(f"{TAG}{key}="):
            return tag.split("=", 1)[1]
    return None


def _uncertainty(u: Uncertainty | None, amount: float, scale: float) -> dict[str, Any] | None:
    if u is None:
        return None
    if u.distribution == "lognormal":
        return {"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": amount, "geomSd": u.gsd}
    if u.distribution == "normal":
        return {
            "distributionType": "NORMAL_DISTRIBUTION",
            "mean": amount,
            "sd": (u.sd or 0) * scale,
        }
    low = (u.minimum or 0.0) * scale
    high = (u.maximum or 0.0) * scale
    if u.distribution == "triangular":
        mode = amount if u.mode is None else u.mode * scale
        return {
            "distributionType": "TRIANGLE_DISTRIBUTION",
            "minimum": low,
            "mode": mode,
            "maximum": high,
        }
    return {"distributionType": "UNIFORM_DISTRIBUTION", "minimum": low, "maximum": high}


def export_zip(system: ProductSystem) -> bytes:
    """The system as an openLCA JSON-LD zip (bytes)."""
    flows = system.flow_map()
    entities: dict[str, dict[str, Any]] = {}

    def put(folder: str, entity: dict[str, Any]) -> None:
        entities[f"{folder}/{entity['@id']}.json"] = entity

    def unit_refs(unit: str) -> tuple[dict[str, Any], dict[str, Any]]:
        ug, fp = _uid("unitgroup", unit), _uid("flowproperty", unit)
        put(
            "unit_groups",
            {
                "@type": "UnitGroup",
                "@id": ug,
                "name": f"Units of {unit}",
                "units": [
                    {
                        "@type": "Unit",
                        "@id": _uid("unit", unit),
                        "name": unit,
                        "conversionFactor": 1.0,
                        "isRefUnit": True,
                    }
                ],
            },
        )
        put(
            "flow_properties",
            {
                "@type": "FlowProperty",
                "@id": fp,
                "name": f"Amount in {unit}",
                "flowPropertyType": "PHYSICAL_QUANTITY",
                "unitGroup": _ref("UnitGroup", ug, f"Units of {unit}"),
            },
        )
        return _ref("FlowProperty", fp, f"Amount in {unit}"), {"@type": "Unit", "name": unit}

    def flow_entity(flow: Flow) -> dict[str, Any]:
        prop, _ = unit_refs(flow.unit)
        elementary = flow.kind == "elementary"
        entity = {
            "@type": "Flow",
            "@id": _uid("flow", flow.flow_id),
            "name": flow.name,
            "flowType": "ELEMENTARY_FLOW" if elementary else "PRODUCT_FLOW",
            "category": f"Elementary flows/air/{flow.family}" if elementary else "Products",
            "flowProperties": [
                {
                    "@type": "FlowPropertyFactor",
                    "flowProperty": prop,
                    "conversionFactor": 1.0,
                    "isRefFlowProperty": True,
                }
            ],
            "tags": [f"{TAG}id={flow.flow_id}"] + ([f"{TAG}gas={flow.gas}"] if flow.gas else []),
        }
        put("flows", entity)
        return entity

    def flow_ref(flow: Flow) -> dict[str, Any]:
        ftype = "ELEMENTARY_FLOW" if flow.kind == "elementary" else "PRODUCT_FLOW"
        return _ref(
            "Flow", _uid("flow", flow.flow_id), flow.name, flowType=ftype, refUnit=flow.unit
        )

    all_flows = dict(flows)
    for flow in system.flows:
        flow_entity(flow)
    producer: dict[str, str] = {}
    for p in system.processes:
        producer[p.reference] = p.process_id
        if system.allocation in ("mass", "economic"):
            for _, ex in co_products(p, _elementary(system)):
                producer[ex.flow] = p.process_id

    impact: list[dict[str, Any]] = []
    factor_processes: dict[str, str] = {}
    links: list[dict[str, Any]] = []
    process_refs: list[dict[str, Any]] = []

    def factor_process(factor_id: str) -> tuple[Flow, str]:
        record = footprint_factor(factor_id)
        product = Flow(
            f"factor:{factor_id}",
            f"{record.parameter} {record.subject} {record.year}",
            record.unit.partition("/")[2],
        )
        if factor_id in factor_processes:
            return product, factor_processes[factor_id]
        agg = Flow(FACTOR_FLOW, FACTOR_FLOW, "kgCO2e", "elementary", "fossil", cf=1.0)
        all_flows[FACTOR_FLOW] = agg
        all_flows[product.flow_id] = product
        flow_entity(product)
        flow_entity(agg)
        pid = _uid("process", product.flow_id)
        put(
            "processes",
            {
                "@type": "Process",
                "@id": pid,
                "name": f"footprint factor {factor_id}",
                "processType": "LCI_RESULT",
                "category": "background",
                "tags": [f"{TAG}factor={factor_id}"],
                "exchanges": [
                    {
                        "@type": "Exchange",
                        "internalId": 1,
                        "amount": 1.0,
                        "isInput": False,
                        "isQuantitativeReference": True,
                        "flow": flow_ref(product),
                        "unit": unit_refs(product.unit)[1],
                        "flowProperty": unit_refs(product.unit)[0],
                    },
                    {
                        "@type": "Exchange",
                        "internalId": 2,
                        "amount": record.value
                        * convert(1.0, record.unit.partition("/")[0], "kgCO2e"),
                        "isInput": False,
                        "flow": flow_ref(agg),
                        "unit": unit_refs("kgCO2e")[1],
                        "flowProperty": unit_refs("kgCO2e")[0],
                    },
                ],
            },
        )
        factor_processes[factor_id] = pid
        process_refs.append(_ref("Process", pid, f"footprint factor {factor_id}"))
        return product, pid

    ref_exchange: dict[str, Any] = {}
    elementary = _elementary(system)
    for p in system.processes:
        pid = _uid("process", p.process_id)
        process_refs.append(_ref("Process", pid, p.name))
        exchanges: list[dict[str, Any]] = []
        alloc: list[dict[str, Any]] = []
        ref_i, _ = p.reference_exchange()
        partition = system.allocation in ("mass", "economic") and co_products(p, elementary)
        for i, ex in enumerate(p.exchanges):
            if ex.cut_off:
                continue
            internal = i + 1
            avoided = (
                ex.direction == "output"
                and i != ref_i
                and ex.substitutes is not None
                and system.allocation == "system_expansion"
            )
            provider = None
            if ex.factor is not None:
                flow, provider = factor_process(ex.factor)
            elif avoided and ex.substitutes and ex.substitutes.startswith("factor:"):
                flow, provider = factor_process(ex.substitutes.removeprefix("factor:"))
            else:
                flow = flows[ex.substitutes if avoided and ex.substitutes else ex.flow]
                if flow.kind == "product" and (ex.direction == "input" or avoided):
                    provider = (
                        _uid("process", producer[flow.flow_id])
                        if flow.flow_id in producer
                        else None
                    )
            scale = convert(1.0, ex.unit, flow.unit)
            amount = ex.amount * scale
            prop, unit = unit_refs(flow.unit)
            entry: dict[str, Any] = {
                "@type": "Exchange",
                "internalId": internal,
                "amount": amount,
                "isInput": ex.direction == "input",
                "flow": flow_ref(flow),
                "unit": unit,
                "flowProperty": prop,
            }
            if i == ref_i:
                entry["isQuantitativeReference"] = True
                ref_exchange[p.process_id] = {"@type": "Exchange", "internalId": internal}
            if avoided:
                entry["isAvoidedProduct"] = True
            unc = _uncertainty(ex.uncertainty, amount, scale)
            if unc is None and ex.pedigree:
                unc = {
                    "distributionType": "LOG_NORMAL_DISTRIBUTION",
                    "geomMean": amount,
                    "geomSd": 1.0,
                }
            if unc is not None:
                entry["uncertainty"] = unc
            if ex.pedigree:
                entry["dqEntry"] = "(" + ";".join(map(str, ex.pedigree)) + ")"
            if provider is not None:
                entry["defaultProvider"] = _ref("Process", provider, "")
                if ex.direction == "input" or avoided:
                    links.append(
                        {
                            "@type": "ProcessLink",
                            "provider": _ref("Process", provider, ""),
                            "flow": flow_ref(flow),
                            "process": _ref("Process", pid, p.name),
                            "exchange": {"@type": "Exchange", "internalId": internal},
                        }
                    )
            exchanges.append(entry)
        if partition:
            for method, atype in (
                ("mass", "PHYSICAL_ALLOCATION"),
                ("economic", "ECONOMIC_ALLOCATION"),
            ):
                try:
                    values = shares(p, method, elementary)
                except FootprintError:
                    continue
                for i, value in values.items():
                    alloc.append(
                        {
                            "@type": "AllocationFactor",
                            "allocationType": atype,
                            "product": flow_ref(flows[p.exchanges[i].flow]),
                            "value": value,
                        }
                    )
        process: dict[str, Any] = {
            "@type": "Process",
            "@id": pid,
            "name": p.name,
            "category": p.stage,
            "processType": "UNIT_PROCESS",
            "tags": [f"{TAG}id={p.process_id}"],
            "exchanges": exchanges,
        }
        if alloc:
            process["allocationFactors"] = alloc
            process["defaultAllocationMethod"] = (
                "PHYSICAL_ALLOCATION" if system.allocation == "mass" else "ECONOMIC_ALLOCATION"
            )
        put("processes", process)

    for flow in all_flows.values():
        if flow.kind == "elementary":
            impact.append(
                {
                    "@type": "ImpactFactor",
                    "flow": flow_ref(flow),
                    "value": characterisation_factor(flow, system.gwp_set),
                    "unit": unit_refs(flow.unit)[1],
                    "flowProperty": unit_refs(flow.unit)[0],
                }
            )
    cat = _uid("impact", system.gwp_set)
    put(
        "lcia_categories",
        {
            "@type": "ImpactCategory",
            "@id": cat,
            "name": f"Climate change GWP100 ({system.gwp_set})",
            "refUnit": "kg CO2 eq",
            "impactFactors": impact,
        },
    )
    put(
        "lcia_methods",
        {
            "@type": "ImpactMethod",
            "@id": _uid("method", system.gwp_set),
            "name": f"nearzero GWP100 ({system.gwp_set})",
            "impactCategories": [_ref("ImpactCategory", cat, "GWP100")],
        },
    )
    ref_process = producer[system.reference_flow]
    ref_flow = flows[system.reference_flow]
    put(
        "product_systems",
        {
            "@type": "ProductSystem",
            "@id": _uid("system", system.name),
            "name": system.name,
            "description": system.functional_unit,
            "tags": [
                f"{TAG}allocation={system.allocation or ''}",
                f"{TAG}boundary={system.boundary}",
                f"{TAG}gwp_set={system.gwp_set}",
                f"{TAG}reference={system.reference_flow}",
            ],
            "refProcess": _ref("Process", _uid("process", ref_process), ref_process),
            "refExchange": ref_exchange[ref_process],
            "targetAmount": convert(system.amount, system.unit, ref_flow.unit),
            "targetUnit": {"@type": "Unit", "name": ref_flow.unit},
            "processes": process_refs,
            "processLinks": links,
        },
    )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("olca-schema.json", json.dumps({"version": 2}))
        for path, entity in sorted(entities.items()):
            z.writestr(path, json.dumps(entity, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def _elementary(system: ProductSystem) -> set[str]:
    return {f.flow_id for f in system.flows if f.kind == "elementary"}


def _read(z: zipfile.ZipFile, folder: str) -> list[dict[str, Any]]:
    out = []
    for name in sorted(z.namelist()):
        if name.startswith(f"{folder}/") and name.endswith(".json"):
            data = json.loads(z.read(name))
            if not isinstance(data, dict):
                raise OlcaError(f"{name}: 不是JSON对象 — not a JSON object")
            out.append(data)
    return out


def _unc(d: Mapping[str, Any] | None) -> Uncertainty | None:
    if not d:
        return None
    kind = d.get("distributionType")
    if kind == "LOG_NORMAL_DISTRIBUTION":
        gsd = float(d.get("geomSd") or 1.0)
        return None if gsd == 1.0 else Uncertainty("lognormal", gsd=gsd)
    if kind == "NORMAL_DISTRIBUTION":
        return Uncertainty("normal", sd=float(d.get("sd") or 0.0))
    if kind == "TRIANGLE_DISTRIBUTION":
        return Uncertainty(
            "triangular", minimum=d.get("minimum"), mode=d.get("mode"), maximum=d.get("maximum")
        )
    if kind == "UNIFORM_DISTRIBUTION":
        return Uncertainty("uniform", minimum=d.get("minimum"), maximum=d.get("maximum"))
    return None


def _family(flow: Mapping[str, Any]) -> str:
    """An elementary flow's family: the last part of its category when it names one, else
    from openLCA's naming ("Carbon dioxide, biogenic", "…, land transformation"), else fossil."""
    last = str(flow.get("category") or "").rsplit("/", 1)[-1]
    if last in FAMILIES:
        return last
    name = str(flow.get("name") or "").lower()
    if "biogenic" in name or "non-fossil" in name:
        return "biogenic"
    if "land use change" in name or "land transformation" in name:
        return "land_use_change"
    if "aircraft" in name:
        return "aircraft"
    return "fossil"


def _dq_refusal(where: str, entry: str) -> str:
    return _refusal(
        where,
        f"数据质量评分dqEntry“{entry}”应为五项谱系评分",
        f"dqEntry {entry!r} is not five scores",
    )


def _pedigree(entry: str | None, where: str) -> tuple[int, int, int, int, int] | None:
    if not entry:
        return None
    try:
        s = [int(x) for x in entry.strip("()").split(";")]
    except ValueError:
        raise OlcaError(_dq_refusal(where, entry)) from None
    if len(s) != 5:
        raise OlcaError(_dq_refusal(where, entry))
    return (s[0], s[1], s[2], s[3], s[4])


def import_zip(data: bytes, name: str = "system.zip") -> ProductSystem:
    """A product system from an openLCA JSON-LD zip (the first product system in it)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise OlcaError(f"{name}: 不是zip文件 — not a zip file") from None
    with z:
        systems = _read(z, "product_systems")
        if not systems:
            raise OlcaError(
                f"{name}: 文件中没有产品系统（product_systems/*.json） — no product_systems/*.json"
            )
        ps = systems[0]
        flow_docs = {f["@id"]: f for f in _read(z, "flows")}
        docs = {p["@id"]: p for p in _read(z, "processes")}
        order = [r["@id"] for r in ps.get("processes") or [] if r.get("@id") in docs]
        processes = {k: docs[k] for k in [*order, *(k for k in docs if k not in order)]}
        properties = {d["@id"]: d for d in _read(z, "flow_properties")}
        groups = {d["@id"]: d for d in _read(z, "unit_groups")}
        cf: dict[str, float] = {}
        for cat in _read(z, "lcia_categories"):
            for factor in cat.get("impactFactors") or []:
                cf[factor["flow"]["@id"]] = float(factor["value"])

    def unit_of(flow: Mapping[str, Any], where: str) -> str:
        """The reference unit of a flow: its ref's ``refUnit``, else the reference unit of
        the unit group of its reference flow property."""
        if flow.get("refUnit"):
            return str(flow["refUnit"])
        doc = flow_docs.get(str(flow.get("@id")), {})
        for factor in doc.get("flowProperties") or []:
            if not factor.get("isRefFlowProperty"):
                continue
            prop = properties.get((factor.get("flowProperty") or {}).get("@id"), {})
            group = groups.get((prop.get("unitGroup") or {}).get("@id"), {})
            for unit in group.get("units") or []:
                if unit.get("isRefUnit"):
                    return str(unit["name"])
        raise OlcaError(
            _refusal(
                where,
                f"流“{flow.get('name')}”没有参考单位",
                f"no reference unit for flow {flow.get('name')!r}",
            )
        )

    def flow_id(ref: Mapping[str, Any]) -> str:
        doc = flow_docs.get(ref["@id"], ref)
        return _tag(doc, "id") or str(ref["@id"])

    flows: dict[str, Flow] = {}
    factor_of: dict[str, str] = {}  # process @id → footprint factor id
    for pid, p in processes.items():
        factor = _tag(p, "factor")
        if factor:
            factor_of[pid] = factor
    out_processes: list[Process] = []
    for pid, p in processes.items():
        if pid in factor_of:
            continue
        where_p = f"{name}: process {p.get('name')!r}"
        exchanges: list[Exchange] = []
        masses: dict[str, float] = {}
        prices: dict[str, float] = {}
        for a in p.get("allocationFactors") or []:
            target = masses if a.get("allocationType") == "PHYSICAL_ALLOCATION" else prices
            target[flow_id(a["product"])] = float(a["value"])
        reference = ""
        for e in p.get("exchanges") or []:
            ref = e.get("flow") or {}
            where = f"{where_p}, exchange {e.get('internalId')}"
            doc = flow_docs.get(ref.get("@id", ""), ref)
            provider = (e.get("defaultProvider") or {}).get("@id")
            fid = flow_id(ref)
            unit = str((e.get("unit") or {}).get("name") or unit_of(ref, where))
            amount = float(e.get("amount", 0.0))
            direction: Direction = "input" if e.get("isInput") else "output"
            if provider in factor_of and not fid.startswith(FACTOR_FLOW):
                factor = factor_of[provider]
                if e.get("isAvoidedProduct"):
                    exchanges.append(
                        Exchange(
                            fid,
                            amount,
                            unit,
                            "output",
                            substitutes=f"factor:{factor}",
                            uncertainty=_unc(e.get("uncertainty")),
                            pedigree=_pedigree(e.get("dqEntry"), where),
                        )
                    )
                else:
                    exchanges.append(
                        Exchange(
                            fid,
                            amount,
                            unit,
                            "input",
                            factor=factor,
                            uncertainty=_unc(e.get("uncertainty")),
                            pedigree=_pedigree(e.get("dqEntry"), where),
                        )
                    )
                continue
            if fid not in flows:
                elementary = doc.get("flowType", ref.get("flowType")) == "ELEMENTARY_FLOW"
                family = _family(doc)
                if elementary and ref.get("@id") not in cf:
                    raise OlcaError(
                        _refusal(
                            where,
                            f"基本流“{fid}”没有特征化因子",
                            f"no characterisation factor for flow {fid!r}",
                        )
                    )
                flows[fid] = Flow(
                    fid,
                    str(doc.get("name") or fid),
                    unit_of(ref, where),
                    "elementary" if elementary else "product",
                    family,
                    gas=_tag(doc, "gas") or "",
                    cf=cf.get(ref["@id"]) if elementary else None,
                )
            if e.get("isQuantitativeReference"):
                reference = fid
            exchanges.append(
                Exchange(
                    fid,
                    amount,
                    unit,
                    direction,
                    uncertainty=_unc(e.get("uncertainty")),
                    pedigree=_pedigree(e.get("dqEntry"), where),
                    mass=masses.get(fid) if direction == "output" else None,
                    price=prices.get(fid) if direction == "output" else None,
                    substitutes=fid if e.get("isAvoidedProduct") else None,
                )
            )
        if not reference:
            raise OlcaError(
                _refusal(where_p, "该过程没有定量参考（参考流）", "no quantitative reference")
            )
        out_processes.append(
            Process(
                _tag(p, "id") or pid,
                str(p.get("name") or pid),
                reference,
                tuple(exchanges),
                str(p.get("category") or ""),
            )
        )

    allocation = _tag(ps, "allocation") or None
    ref_doc = processes.get(ps["refProcess"]["@id"], {})
    ref_internal = (ps.get("refExchange") or {}).get("internalId")
    reference_flow = _tag(ps, "reference") or ""
    for e in ref_doc.get("exchanges") or []:
        if e.get("internalId") == ref_internal:
            reference_flow = flow_id(e["flow"])
    if reference_flow not in flows:
        raise OlcaError(
            f"{name}: 产品系统的参考流不在任何过程中 — "
            f"the product system's reference flow is not in any process"
        )
    return ProductSystem(
        name=str(ps.get("name") or name),
        functional_unit=str(ps.get("description") or ""),
        reference_flow=reference_flow,
        amount=float(ps.get("targetAmount") or 1.0),
        unit=str((ps.get("targetUnit") or {}).get("name") or flows[reference_flow].unit),
        flows=tuple(flows.values()),
        processes=tuple(out_processes),
        allocation=allocation,
        gwp_set=_tag(ps, "gwp_set") or "AR6",
        boundary=_tag(ps, "boundary") or "cradle-to-gate",
    )
