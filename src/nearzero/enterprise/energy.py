"""Energy in tonnes of coal equivalent (tce) by cited coefficients.

- GB/T 2589-2020《综合能耗计算通则》: 1 kgce = 29 307.6 kJ (the definition in
  :mod:`nearzero.units`); a fuel with a known net calorific value converts by it:
  tce = FC × NCV / 29.3076 GJ/tce.
- A carrier without a heating value in the report converts by the coefficient of
  ``data/enterprise/tce_coefficients.csv`` (GB/T 2589-2020 Annex A; electricity and heat at
  their calorific equivalent, 当量值); each row's status travels with the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from nearzero.enterprise.data import load_csv
from nearzero.enterprise.model import EnterpriseError, ParameterUse, Tier, non_negative
from nearzero.units import UnitError, convert

COEFFICIENTS = "tce_coefficients.csv"


def tce_from_energy(energy: float) -> float:
    """Coal equivalent of a net energy. [tce]

    GB/T 2589-2020: 1 kgce = 29 307.6 kJ.

    Parameters
    ----------
    energy : float
        Net energy (consumption × NCV). [GJ]
    """
    return convert(energy, "GJ", "tce")


def tce_from_coefficient(quantity: float, coefficient: float) -> float:
    """Coal equivalent by a conversion coefficient (折标准煤系数). [tce]

    Parameters
    ----------
    quantity : float
        Energy carrier consumed, in the coefficient's denominator unit. [kg, kWh, MJ …]
    coefficient : float
        Coefficient of GB/T 2589-2020 Annex A. [tce per unit of quantity]
    """
    return quantity * coefficient


@dataclass(frozen=True)
class TceResult:
    """A carrier in tce with the parameter (NCV or coefficient) that converted it."""

    carrier: str
    tce: float
    parameter: ParameterUse


def coefficient_tce(carrier: str, quantity: float, unit: str, field_name: str) -> TceResult:
    """``quantity`` [unit] of ``carrier`` in tce by its GB/T 2589 coefficient.

    Raises :class:`EnterpriseError` naming ``field_name`` when the file has no coefficient
    for the carrier, or the quantity's unit does not convert to the coefficient's.
    """
    for row in load_csv(COEFFICIENTS):
        if row.text("carrier") == carrier:
            coef_unit = row.text("unit")  # e.g. kgce/kg
            per = coef_unit.split("/", 1)[1]
            try:
                amount = convert(quantity, unit, per)
                coefficient = convert(row.number("value"), coef_unit, f"tce/{per}")
            except UnitError:
                raise EnterpriseError(
                    field_name,
                    f"{unit!r}无法换算为{per!r}（GB/T 2589中{carrier}折标系数的计量单位） — "
                    f"{unit!r} does not convert to {per!r}, the unit the GB/T 2589 coefficient "
                    f"of {carrier} is per",
                ) from None
            use = ParameterUse(
                "tce_coefficient", coefficient, f"tce/{per}", Tier.DEFAULT, row.source(), field_name
            )
            return TceResult(carrier, tce_from_coefficient(amount, coefficient), use)
    raise EnterpriseError(
        field_name,
        f"未填写低位发热量，且data/enterprise/{COEFFICIENTS}中没有{carrier!r}的折标系数："
        "请填写低位发热量 — "
        f"no heating value given and data/enterprise/{COEFFICIENTS} has no coefficient for "
        f"{carrier!r}: give the NCV",
    )


def energy_tce(carrier: str, energy_gj: float, field_name: str) -> TceResult:
    """A net energy [GJ] in tce by the definition of standard coal (always verified)."""
    non_negative(energy_gj, field_name, "GJ")
    use = ParameterUse("energy", energy_gj, "GJ", Tier.MEASURED, None, field_name)
    return TceResult(carrier, tce_from_energy(energy_gj), use)
