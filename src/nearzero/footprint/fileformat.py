"""The product-system file (YAML or JSON), schema ``nearzero.footprint.system/1``.

Parsing is split from file access: :func:`loads` takes the text and a name (for messages and
to tell YAML from JSON); the CLI reads the file. The format is documented in
``docs/footprint.md``; an example ships in ``nearzero/data/footprint/examples/``. Every error
names the path of the field (``processes[2].exchanges[1].amount``) and what was expected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from nearzero.footprint.model import (
    ALLOCATION_METHODS,
    DISTRIBUTIONS,
    FAMILIES,
    Exchange,
    Flow,
    FootprintError,
    Process,
    ProductSystem,
    Uncertainty,
)

SCHEMA = "nearzero.footprint.system/1"


class SystemFileError(FootprintError):
    """A product-system file that does not follow the format; names the file and field."""


def loads(text: str, name: str = "system.yaml") -> ProductSystem:
    """Parse a product-system file's text; ``name`` ending in ``.json`` reads JSON."""
    try:
        data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if name.endswith(".json") else "YAML"
        raise SystemFileError(f"{name}: 不是有效的{kind}文件 — not valid {kind}: {exc}") from None
    if not isinstance(data, Mapping):
        raise SystemFileError(f"{name}: 文件顶层应为键值映射 — the top level must be a mapping")
    return parse(data, name)


def _get(data: Mapping[str, Any], key: str, path: str, kind: type, required: bool = True) -> Any:
    value = data.get(key)
    if value is None:
        if required:
            raise SystemFileError(
                f"{path}.{key}: 必填（{kind.__name__}） — required ({kind.__name__})"
            )
        return None
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind):
        raise SystemFileError(
            f"{path}.{key}: {value!r}不是{kind.__name__}类型 — {value!r} is not a {kind.__name__}"
        )
    return value


def parse(data: Mapping[str, Any], name: str = "system") -> ProductSystem:
    """A :class:`ProductSystem` from a parsed mapping (pure)."""
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise SystemFileError(
            f"{name}.schema: 文件格式“{schema}”应为“{SCHEMA}” — {schema!r} is not {SCHEMA!r}"
        )
    allocation = _get(data, "allocation", name, str, required=False)
    if allocation is not None and allocation not in ALLOCATION_METHODS:
        raise SystemFileError(
            f"{name}.allocation: 分配方法“{allocation}”应为"
            f"{'、'.join(ALLOCATION_METHODS)}之一 — "
            f"{allocation!r} is not one of {', '.join(ALLOCATION_METHODS)}"
        )
    flows = [_flow(f, f"{name}.flows[{i}]") for i, f in enumerate(_list(data, "flows", name))]
    processes = [
        _process(p, f"{name}.processes[{i}]") for i, p in enumerate(_list(data, "processes", name))
    ]
    metadata = data.get("metadata") or {}
    return ProductSystem(
        name=_get(data, "name", name, str),
        functional_unit=_get(data, "functional_unit", name, str),
        reference_flow=_get(data, "reference_flow", name, str),
        amount=_get(data, "amount", name, float),
        unit=str(_get(data, "unit", name, str)),
        flows=tuple(flows),
        processes=tuple(processes),
        allocation=allocation,
        gwp_set=_get(data, "gwp_set", name, str, required=False) or "AR6",
        boundary=_get(data, "boundary", name, str, required=False) or "cradle-to-gate",
        metadata={str(k): str(v) for k, v in dict(metadata).items()},
    )


def _list(data: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
    items = _get(data, key, path, list)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise SystemFileError(f"{path}.{key}[{i}]: 应为键值映射 — must be a mapping")
    return list(items)


def _flow(data: Mapping[str, Any], path: str) -> Flow:
    kind = _get(data, "kind", path, str, required=False) or "product"
    if kind not in ("product", "elementary"):
        raise SystemFileError(
            f"{path}.kind: 流类型“{kind}”应为product（产品流）或elementary（基本流） — "
            f"{kind!r} is not product or elementary"
        )
    family = _get(data, "family", path, str, required=False) or "fossil"
    if family not in FAMILIES:
        raise SystemFileError(
            f"{path}.family: 排放类别“{family}”应为{'、'.join(FAMILIES)}之一 — "
            f"{family!r} is not one of {', '.join(FAMILIES)}"
        )
    flow_id = _get(data, "id", path, str)
    return Flow(
        flow_id=flow_id,
        name=_get(data, "name", path, str, required=False) or flow_id,
        unit=_get(data, "unit", path, str),
        kind="elementary" if kind == "elementary" else "product",
        family=family,
        gas=_get(data, "gas", path, str, required=False) or "",
        cf=_get(data, "cf", path, float, required=False),
    )


def _process(data: Mapping[str, Any], path: str) -> Process:
    exchanges = [
        _exchange(e, f"{path}.exchanges[{i}]") for i, e in enumerate(_list(data, "exchanges", path))
    ]
    process_id = _get(data, "id", path, str)
    return Process(
        process_id=process_id,
        name=_get(data, "name", path, str, required=False) or process_id,
        reference=_get(data, "reference", path, str),
        exchanges=tuple(exchanges),
        stage=_get(data, "stage", path, str, required=False) or "",
    )


def _exchange(data: Mapping[str, Any], path: str) -> Exchange:
    direction = _get(data, "direction", path, str, required=False) or "input"
    if direction not in ("input", "output"):
        raise SystemFileError(
            f"{path}.direction: 交换方向“{direction}”应为input（输入）或output（输出） — "
            f"{direction!r} is not input or output"
        )
    pedigree = data.get("pedigree")
    if pedigree is not None:
        if (
            not isinstance(pedigree, list)
            or len(pedigree) != 5
            or not all(isinstance(s, int) and 1 <= s <= 5 for s in pedigree)
        ):
            raise SystemFileError(
                f"{path}.pedigree: 谱系矩阵需五项1至5的评分 — five scores from 1 to 5 are needed"
            )
    unc = data.get("uncertainty")
    uncertainty = None
    if unc is not None:
        if not isinstance(unc, Mapping):
            raise SystemFileError(f"{path}.uncertainty: 应为键值映射 — must be a mapping")
        dist = _get(unc, "distribution", f"{path}.uncertainty", str)
        if dist not in DISTRIBUTIONS:
            raise SystemFileError(
                f"{path}.uncertainty.distribution: 分布类型“{dist}”应为"
                f"{'、'.join(DISTRIBUTIONS)}之一 — {dist!r} is not one of "
                f"{', '.join(DISTRIBUTIONS)}"
            )
        p = f"{path}.uncertainty"
        uncertainty = Uncertainty(
            dist,
            gsd=_get(unc, "gsd", p, float, required=False),
            sd=_get(unc, "sd", p, float, required=False),
            minimum=_get(unc, "minimum", p, float, required=False),
            mode=_get(unc, "mode", p, float, required=False),
            maximum=_get(unc, "maximum", p, float, required=False),
        )
    return Exchange(
        flow=_get(data, "flow", path, str),
        amount=_get(data, "amount", path, float),
        unit=str(_get(data, "unit", path, str)),
        direction="output" if direction == "output" else "input",
        provider=_get(data, "provider", path, str, required=False),
        factor=_get(data, "factor", path, str, required=False),
        uncertainty=uncertainty,
        pedigree=None if pedigree is None else _scores(pedigree),
        mass=_get(data, "mass", path, float, required=False),
        price=_get(data, "price", path, float, required=False),
        substitutes=_get(data, "substitutes", path, str, required=False),
        cut_off=bool(data.get("cut_off", False)),
    )


def _scores(p: list[int]) -> tuple[int, int, int, int, int]:
    return (p[0], p[1], p[2], p[3], p[4])


def dump(system: ProductSystem) -> dict[str, Any]:
    """The file form of a system (the inverse of :func:`parse`)."""

    def drop_none(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v is not None and v != "" and v is not False}

    def exchange(e: Exchange) -> dict[str, Any]:
        unc = None
        if e.uncertainty is not None:
            u = e.uncertainty
            unc = drop_none(
                {
                    "distribution": u.distribution,
                    "gsd": u.gsd,
                    "sd": u.sd,
                    "minimum": u.minimum,
                    "mode": u.mode,
                    "maximum": u.maximum,
                }
            )
        return drop_none(
            {
                "flow": e.flow,
                "amount": e.amount,
                "unit": e.unit,
                "direction": e.direction,
                "provider": e.provider,
                "factor": e.factor,
                "uncertainty": unc,
                "pedigree": list(e.pedigree) if e.pedigree else None,
                "mass": e.mass,
                "price": e.price,
                "substitutes": e.substitutes,
                "cut_off": e.cut_off,
            }
        )

    return drop_none(
        {
            "schema": SCHEMA,
            "name": system.name,
            "functional_unit": system.functional_unit,
            "reference_flow": system.reference_flow,
            "amount": system.amount,
            "unit": system.unit,
            "boundary": system.boundary,
            "allocation": system.allocation,
            "gwp_set": system.gwp_set,
            "metadata": dict(system.metadata) or None,
            "flows": [
                drop_none(
                    {
                        "id": f.flow_id,
                        "name": f.name,
                        "unit": f.unit,
                        "kind": f.kind,
                        "family": f.family if f.kind == "elementary" else None,
                        "gas": f.gas,
                        "cf": f.cf,
                    }
                )
                for f in system.flows
            ],
            "processes": [
                drop_none(
                    {
                        "id": p.process_id,
                        "name": p.name,
                        "stage": p.stage,
                        "reference": p.reference,
                        "exchanges": [exchange(e) for e in p.exchanges],
                    }
                )
                for p in system.processes
            ],
        }
    )
