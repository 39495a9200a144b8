"""Process emissions: cement clinker by the oxide method, feedstock by carbon balance, and the
CO2 recovered and sold or used that the chemical guideline deducts.

Equations
---------
- 中国水泥生产企业温室气体排放核算方法与报告指南 / GB/T 32151.8-2015 (clinker, oxide method):
  E = Q_cl × [(CaO − CaO_nc) × 44/56 + (MgO − MgO_nc) × 44/40]
  + Q_dust × EF_cl (kiln and bypass dust leaving the system)
  + Q_raw_meal × C_org × 44/12 (non-fuel organic carbon of the raw meal).
  The structure is the IPCC Tier 2-3 chemistry (IPCC 2006 Vol 3 Ch 2 Eq 2.2); the
  reference marks the guideline's clause as still to be checked.
- 中国化工生产企业温室气体排放核算方法与报告指南 / GB/T 32151.10 (fossil fuel as feedstock):
  E = [Σ_r AD_r × CC_r − Σ_p AD_p × CC_p − Σ_w AD_w × CC_w] × 44/12 (the 合成氨 data
  sheet's 能源作为原材料产生的排放量, guideline Eq (8)).
- Same guideline: CO2回收利用量 (recovered and sold or fixed, e.g. in urea) is deducted from
  the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nearzero.enterprise.model import (
    CO2_PER_C,
    Component,
    EnterpriseError,
    ParameterUse,
    Tier,
    fraction,
    non_negative,
)

#: CO2/CaO and CO2/MgO mass ratios as the cement guideline writes them.
CO2_PER_CAO = 44.0 / 56.0
CO2_PER_MGO = 44.0 / 40.0
#: Carbon content of methanol CH3OH: 12.011 / 32.042 [t C/t] (stoichiometric).
METHANOL_CARBON = 12.011 / 32.042

CLINKER_EQUATION = (
    "E = Q_cl × [(CaO − CaO_nc) × 44/56 + (MgO − MgO_nc) × 44/40] + Q_dust × EF_cl "
    "+ Q_rm × C_org × 44/12 (水泥指南 / GB/T 32151.8-2015)"
)
BALANCE_EQUATION = (
    "E = [Σ AD_in × CC_in − Σ AD_out × CC_out] × 44/12 (化工指南 / GB/T 32151.10, 原料碳平衡)"
)
RECOVERED_EQUATION = "E_total −= CO2 回收利用量 (化工指南)"


def clinker_emission_factor(
    cao: float, mgo: float, cao_non_carbonate: float = 0.0, mgo_non_carbonate: float = 0.0
) -> float:
    """Calcination CO2 per tonne of clinker by the oxide method. [t CO2/t clinker]

    水泥指南 / GB/T 32151.8-2015; IPCC 2006 Vol 3 Ch 2 Eq 2.2 structure.

    Parameters
    ----------
    cao, mgo : float
        CaO and MgO mass fractions of the clinker. [-]
    cao_non_carbonate, mgo_non_carbonate : float
        The parts of those fractions from non-carbonate raw materials (slag, carbide
        residue …), which release no CO2. [-]
    """
    return (cao - cao_non_carbonate) * CO2_PER_CAO + (mgo - mgo_non_carbonate) * CO2_PER_MGO


def clinker_co2(
    clinker: float,
    cao: float,
    mgo: float,
    cao_non_carbonate: float = 0.0,
    mgo_non_carbonate: float = 0.0,
    dust: float = 0.0,
    raw_meal: float = 0.0,
    raw_meal_organic_carbon: float = 0.0,
) -> float:
    """Clinker process CO2: calcination of clinker and lost dust, plus raw-meal organic carbon.

    [t CO2]. 水泥指南 / GB/T 32151.8-2015 (see the module equations).

    Parameters
    ----------
    clinker : float
        Clinker produced (Q_cl). [t]
    cao, mgo, cao_non_carbonate, mgo_non_carbonate : float
        Oxide fractions, see :func:`clinker_emission_factor`. [-]
    dust : float
        Kiln and bypass dust leaving the system (Q_dust). [t]
    raw_meal : float
        Raw meal consumed (Q_rm). [t]
    raw_meal_organic_carbon : float
        Non-fuel organic carbon of the raw meal (C_org). [t C/t]
    """
    ef = clinker_emission_factor(cao, mgo, cao_non_carbonate, mgo_non_carbonate)
    return (clinker + dust) * ef + raw_meal * raw_meal_organic_carbon * CO2_PER_C


@dataclass(frozen=True)
class CarbonFlow:
    """A carbon-bearing input or output of a carbon balance.

    ``quantity`` [t] (or [10^4 Nm3] for gas) and ``carbon_content`` [t C per that unit].
    """

    name: str
    quantity: float
    carbon_content: float
    unit: str = "t"
    tier: Tier = Tier.MEASURED


def carbon_balance_co2(inputs: Sequence[CarbonFlow], outputs: Sequence[CarbonFlow]) -> float:
    """CO2 of fossil fuel used as feedstock by carbon balance. [t CO2]

    化工指南 / GB/T 32151.10: [Σ AD_r × CC_r − Σ AD_p × CC_p − Σ AD_w × CC_w] × 44/12, r the
    feedstocks, p the carbon products (methanol …), w other carbon outputs (slag carbon …).
    The result is signed: more carbon out than in is an input error the caller reports.

    Parameters
    ----------
    inputs : sequence of CarbonFlow
        Feedstocks, quantity [t or 10^4 Nm3] × carbon content [t C per unit].
    outputs : sequence of CarbonFlow
        Carbon products and other carbon outputs, same units.
    """
    carbon_in = sum(f.quantity * f.carbon_content for f in inputs)
    carbon_out = sum(f.quantity * f.carbon_content for f in outputs)
    return (carbon_in - carbon_out) * CO2_PER_C


@dataclass(frozen=True)
class ClinkerInput:
    """One kiln's clinker line for the year; fractions [-], masses [t], C_org [t C/t]."""

    key: str
    clinker: float
    cao: float
    mgo: float
    cao_non_carbonate: float = 0.0
    mgo_non_carbonate: float = 0.0
    dust: float = 0.0
    raw_meal: float = 0.0
    raw_meal_organic_carbon: float = 0.0
    facility: str = ""
    field: str = "clinker"


def clinker_component(line: ClinkerInput) -> Component:
    """The clinker process term of one line, its inputs validated. [t CO2]"""
    f = line.field
    for name in ("clinker", "dust", "raw_meal"):
        non_negative(getattr(line, name), f"{f}.{name}", "t")
    for name in ("cao", "mgo", "cao_non_carbonate", "mgo_non_carbonate", "raw_meal_organic_carbon"):
        fraction(getattr(line, name), f"{f}.{name}")
    if line.cao_non_carbonate > line.cao:
        raise EnterpriseError(
            f"{f}.cao_non_carbonate",
            "超过氧化钙含量（应为其中一部分） — exceeds cao (expected a part of it)",
        )
    if line.mgo_non_carbonate > line.mgo:
        raise EnterpriseError(
            f"{f}.mgo_non_carbonate",
            "超过氧化镁含量（应为其中一部分） — exceeds mgo (expected a part of it)",
        )
    tco2 = clinker_co2(
        line.clinker,
        line.cao,
        line.mgo,
        line.cao_non_carbonate,
        line.mgo_non_carbonate,
        line.dust,
        line.raw_meal,
        line.raw_meal_organic_carbon,
    )
    params = tuple(
        ParameterUse(name, float(getattr(line, name)), unit, Tier.MEASURED, None, f"{f}.{name}")
        for name, unit in (
            ("clinker", "t"),
            ("cao", ""),
            ("mgo", ""),
            ("cao_non_carbonate", ""),
            ("mgo_non_carbonate", ""),
            ("dust", "t"),
            ("raw_meal", "t"),
            ("raw_meal_organic_carbon", "t/t"),
        )
    )
    return Component(line.key, "process", tco2, CLINKER_EQUATION, params, line.facility, "clinker")


@dataclass(frozen=True)
class BalanceInput:
    """A carbon balance of one plant (ammonia, methanol …)."""

    key: str
    product: str
    inputs: tuple[CarbonFlow, ...]
    outputs: tuple[CarbonFlow, ...]
    facility: str = ""
    field: str = "carbon_balance"


def balance_component(balance: BalanceInput) -> Component:
    """The feedstock term of one plant by carbon balance; refuses more carbon out than in."""
    f = balance.field
    params: list[ParameterUse] = []
    for side, flows in (("inputs", balance.inputs), ("outputs", balance.outputs)):
        for i, flow in enumerate(flows):
            non_negative(flow.quantity, f"{f}.{side}[{i}].quantity", flow.unit)
            non_negative(flow.carbon_content, f"{f}.{side}[{i}].carbon_content", f"t C/{flow.unit}")
            where = f"{f}.{side}[{i}]"
            params.append(
                ParameterUse(
                    f"{side}:{flow.name}",
                    flow.quantity,
                    flow.unit,
                    flow.tier,
                    None,
                    f"{where}.quantity",
                )
            )
            params.append(
                ParameterUse(
                    f"{side}:{flow.name}:carbon_content",
                    flow.carbon_content,
                    f"t/{flow.unit}",
                    flow.tier,
                    None,
                    f"{where}.carbon_content",
                )
            )
    tco2 = carbon_balance_co2(balance.inputs, balance.outputs)
    if tco2 < 0:
        raise EnterpriseError(
            f"{f}.outputs",
            "产品带出的碳多于原料带入的碳：请核对数量和含碳量（吨碳/单位） — "
            "more carbon leaves in products than enters in feedstocks: check quantities and "
            "carbon contents (t C per unit)",
        )
    return Component(
        balance.key,
        "process",
        tco2,
        BALANCE_EQUATION,
        tuple(params),
        balance.facility,
        balance.product,
    )


def recovered_component(
    key: str, tonnes: float, use: str, field_name: str, facility: str = ""
) -> Component:
    """CO2 recovered and sold or used (e.g. liquid CO2 for sale, fixed in urea). [t CO2]

    Stored positive; the report total subtracts it (化工指南, CO2回收利用量).
    """
    non_negative(tonnes, field_name, "t CO2")
    param = ParameterUse("recovered", tonnes, "t", Tier.MEASURED, None, field_name)
    return Component(key, "recovered", tonnes, RECOVERED_EQUATION, (param,), facility, use)
