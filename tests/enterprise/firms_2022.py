"""Three firms with hand-made 2022 reports, the bundled inventory years, and the figures
worked by hand from the guideline equations (shared by the cross-check and report tests).

- 示例电厂 (D4411, power, covered): 烟煤 1,000 t × 20 GJ/t × 0.025 t C/GJ × 0.98 × 44/12
  = 1,796.666… t CO2; confirmed; allowances 2,000 t, surrendered 1,797 t.
- 示例水泥 (C3011): 烟煤 2,000 t × 22 × 0.026 × 0.98 × 44/12 = 4,110.773… t CO2; clinker
  100,000 t × (0.65 × 44/56 + 0.02 × 44/40) = 53,271.428… t CO2; submitted.
- 示例化肥 (C2621): carbon balance 合成氨, 无烟煤 1,000 t × 0.75 t C/t × 44/12 = 2,750 t CO2,
  1,100 t recovered into urea; draft.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from nearzero.services import inventory
from nearzero.services.context import Actor, Role
from nearzero.services.enterprise import compliance, registry, reports
from nearzero.services.indicators import get_unit
from nearzero.services.users import create_user

OFFICE = Actor("office", Role.ADMIN)
YEAR = 2022

POWER_FUEL = 1000 * 20 * 0.025 * 0.98 * 44 / 12
CEMENT_FUEL = 2000 * 22 * 0.026 * 0.98 * 44 / 12
CLINKER = 100_000 * (0.65 * 44 / 56 + 0.02 * 44 / 40)
AMMONIA = 1000 * 0.75 * 44 / 12
RECOVERED = 1100.0


def _fuel(key: str, tonnes: float, ncv: float, cc: float) -> dict[str, object]:
    return {
        "key": key,
        "fuel": "烟煤",
        "unit": "t",
        "ncv_unit": "GJ/t",
        "oxidation": 0.98,
        "annual": {"consumption": tonnes, "ncv": ncv, "carbon_content": cc},
    }


DOCS = {
    "ex_power": {"fuels": [_fuel("boiler_coal", 1000, 20, 0.025)]},
    "ex_cement": {
        "fuels": [_fuel("kiln_coal", 2000, 22, 0.026)],
        "clinker": [{"key": "kiln_clinker", "clinker": 100_000, "cao": 0.65, "mgo": 0.02}],
    },
    "ex_ammonia": {
        "carbon_balances": [
            {
                "key": "ammonia",
                "product": "合成氨",
                "inputs": [{"name": "无烟煤", "quantity": 1000, "carbon_content": 0.75}],
                "outputs": [],
            }
        ],
        "recovered": [{"key": "urea", "tonnes": RECOVERED, "use": "尿素"}],
    },
}
FIRMS = [
    registry.EnterpriseInput(
        "ex_power", "示例电厂", industry_code="D4411", sector="power", covered_by_ets=True
    ),
    registry.EnterpriseInput("ex_cement", "示例水泥", industry_code="C3011", sector="cement"),
    registry.EnterpriseInput(
        "ex_ammonia", "示例化肥", industry_code="C2621", sector="nitrogen_fertiliser"
    ),
]


def load(session: Session) -> None:
    """The inventory example years, three firms and their 2022 reports in three states."""
    unit = get_unit(session, "zhangqiu")
    inventory.load_example_years(session, OFFICE, unit)
    create_user(session, OFFICE, "verifier1", "verify-pass-1", Role.VERIFIER)
    ids = {}
    for firm in FIRMS:
        registry.add_enterprise(session, OFFICE, unit, firm)
        doc = {"schema": "nearzero.enterprise.report-input/1", "year": YEAR, **DOCS[firm.key]}
        data = json.dumps(doc, ensure_ascii=False).encode()
        ids[firm.key] = reports.save_draft(session, OFFICE, unit, firm.key, "r.json", data).id
    reports.submit(session, OFFICE, unit, ids["ex_power"])
    reports.assign(session, OFFICE, unit, ids["ex_power"], "verifier1")
    reports.verify(session, Actor("verifier1", Role.VERIFIER), unit, ids["ex_power"], ["无"])
    reports.confirm(session, OFFICE, unit, ids["ex_power"])
    reports.submit(session, OFFICE, unit, ids["ex_cement"])
    compliance.set_allowance(session, OFFICE, unit, "ex_power", YEAR, 2000, 0, 1797)
