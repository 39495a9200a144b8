"""A small product system from the web form: one production process, its direct emissions,
its inputs of electricity (or other background inputs) by footprint factor, and purchased
materials with the footprint their supplier declares.

The form's lines become a file-format mapping (``nearzero.footprint.system/1``) read by
:func:`nearzero.footprint.fileformat.parse`, so the same checks apply; a refusal names the
line and field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nearzero.footprint.fileformat import SCHEMA, parse
from nearzero.footprint.model import FootprintError, ProductSystem
from nearzero.services.context import InvalidInput

#: Line kinds: a background input by footprint factor, a direct emission of a gas [kg],
#: a purchased material with its supplier's footprint [kgCO2e per unit].
KINDS = ("factor", "CO2", "CH4", "N2O", "CO2_biogenic", "material")
MAX_LINES = 20


@dataclass(frozen=True)
class FormLine:
    """One line of the form; ``per_unit`` is the material's footprint [kgCO2e/unit]."""

    kind: str
    name: str = ""
    amount: str = ""
    unit: str = ""
    factor: str = ""
    per_unit: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.amount.strip())


@dataclass(frozen=True)
class FormInput:
    """The form: the product and its functional unit, the data year and the lines."""

    product: str
    functional_unit: str
    unit: str
    amount: str = "1"
    boundary: str = "cradle-to-gate"
    lines: Sequence[FormLine] = field(default_factory=tuple)


def _number(text: str, where: str, unit: str) -> float:
    try:
        value = float(text.strip().replace(",", ""))
    except ValueError:
        raise InvalidInput(
            f"{where}: “{text}”不是数字［{unit}］ — {text!r} is not a number [{unit}]"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise InvalidInput(
            f"{where}: {text}应为不小于0的数［{unit}］ — {text!r}: expected a number ≥ 0 [{unit}]"
        )
    return value


def to_mapping(form: FormInput) -> dict[str, Any]:
    """The form as a product-system mapping of the file format."""
    if not form.product.strip():
        raise InvalidInput("product: 请填写产品名称 — required (the product's name)")
    if not form.functional_unit.strip():
        raise InvalidInput(
            "functional_unit: 请填写功能单位，如“1 t 产品，出厂” — required, e.g. 1 t 产品，出厂"
        )
    if not form.unit.strip():
        raise InvalidInput(
            "unit: 请填写功能单位的计量单位，如t — "
            "required (the unit of the functional unit, e.g. t)"
        )
    amount = _number(form.amount, "amount", form.unit)
    lines = [(i, ln) for i, ln in enumerate(form.lines, start=1) if not ln.blank]
    if not lines:
        raise InvalidInput("lines: 请至少填写一行输入或排放 — enter at least one input or emission")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"lines: 最多{MAX_LINES}行 — at most {MAX_LINES}")
    flows: list[dict[str, Any]] = [
        {"id": "product", "name": form.product.strip(), "unit": form.unit}
    ]
    exchanges: list[dict[str, Any]] = [
        {"flow": "product", "amount": 1, "unit": form.unit, "direction": "output"}
    ]
    processes: list[dict[str, Any]] = []
    gases: set[str] = set()
    for i, ln in lines:
        where = f"lines[{i}]"
        if ln.kind not in KINDS:
            raise InvalidInput(
                f"{where}.kind: 类型“{ln.kind}”应为{'、'.join(KINDS)}之一 — "
                f"{ln.kind!r} is not one of {', '.join(KINDS)}"
            )
        unit = ln.unit.strip() or ("kg" if ln.kind not in ("factor", "material") else "")
        if not unit:
            raise InvalidInput(f"{where}.unit: 请填写单位 — required")
        value = _number(ln.amount, f"{where}.amount", unit)
        name = ln.name.strip() or ln.kind
        if ln.kind == "factor":
            if not ln.factor.strip():
                raise InvalidInput(f"{where}.factor: 请选择碳足迹因子 — choose a footprint factor")
            exchanges.append({"flow": name, "amount": value, "unit": unit, "factor": ln.factor})
        elif ln.kind == "material":
            per_unit = _number(ln.per_unit, f"{where}.per_unit", f"kgCO2e/{unit}")
            flow = f"material_{i}"
            flows.append({"id": flow, "name": name, "unit": unit})
            gases.add("supplied")
            exchanges.append({"flow": flow, "amount": value, "unit": unit, "provider": f"s{i}"})
            processes.append(
                {
                    "id": f"s{i}",
                    "name": f"{name}（供应商数据）",
                    "stage": "raw materials",
                    "reference": flow,
                    "exchanges": [
                        {"flow": flow, "amount": 1, "unit": unit, "direction": "output"},
                        {
                            "flow": "supplied",
                            "amount": per_unit,
                            "unit": "kg",
                            "direction": "output",
                        },
                    ],
                }
            )
        else:
            gases.add(ln.kind)
            exchanges.append(
                {"flow": ln.kind, "amount": value, "unit": unit, "direction": "output"}
            )
    for gas in sorted(gases):
        if gas == "supplied":
            flows.append(
                {
                    "id": gas,
                    "name": "供应商声明的碳足迹",
                    "unit": "kg",
                    "kind": "elementary",
                    "cf": 1.0,
                }
            )
            continue
        biogenic = gas == "CO2_biogenic"
        flows.append(
            {
                "id": gas,
                "name": "CO2 生物源" if biogenic else gas,
                "unit": "kg",
                "kind": "elementary",
                "family": "biogenic" if biogenic else "fossil",
                "gas": "CO2" if biogenic else gas,
            }
        )
    main = {
        "id": "plant",
        "name": f"{form.product.strip()}生产",
        "stage": "production",
        "reference": "product",
        "exchanges": exchanges,
    }
    return {
        "schema": SCHEMA,
        "name": form.product.strip(),
        "functional_unit": form.functional_unit.strip(),
        "reference_flow": "product",
        "amount": amount,
        "unit": form.unit.strip(),
        "boundary": form.boundary or "cradle-to-gate",
        "flows": flows,
        "processes": [main, *processes],
    }


def to_system(form: FormInput) -> ProductSystem:
    """The form as a product system; refusals name the line and field."""
    try:
        return parse(to_mapping(form), "form")
    except FootprintError as exc:
        raise InvalidInput(str(exc)) from None
