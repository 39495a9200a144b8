"""Energy: fuel combustion (CO2, CH4, N2O) and indirect electricity and heat.

Equations
---------
- 省级温室气体清单编制指南（试行）第一章 能源活动: CO2 = 消费量 × 低位发热量 ×
  单位热值含碳量 × 碳氧化率 × 44/12.
- IPCC 2006 Vol 2 Ch 2 Eq 2.1: Emissions = Fuel consumed [TJ] × EF [kg/TJ], where the
  default CO2 EF is carbon content × 44/12 with oxidation 1 (Vol 2 Ch 1 Table 1.4).
- Indirect (GPC scope 2): electricity or heat supplied by the grid × grid factor of
  the inventory year (MEE/NBS 电力二氧化碳排放因子 announcements).
"""

from __future__ import annotations

from nearzero.accounting.context import Method, MethodFn, RowContext
from nearzero.accounting.model import CO2_PER_C, ActivityRow, GasAmount


def fuel_energy(quantity: float, ncv: float) -> float:
    """Energy content of a fuel quantity. [GJ]

    IPCC 2006 Vol 2 Ch 1 §1.4.1.2 (conversion with the net calorific value).

    Parameters
    ----------
    quantity : float
        Fuel consumed. [t]
    ncv : float
        Net calorific value (低位发热量). [GJ/t]
    """
    return quantity * ncv


def co2_from_carbon(energy: float, carbon_content: float, oxidation: float) -> float:
    """CO2 from burning fuel of known carbon content. [t CO2]

    省级指南 第一章 (单位热值含碳量 × 碳氧化率 × 44/12); IPCC 2006 Vol 2 Ch 1 Table 1.4
    (EF = carbon content × 44/12 at oxidation 1).

    Parameters
    ----------
    energy : float
        Fuel consumed, as net energy. [GJ]
    carbon_content : float
        Carbon content per unit energy (单位热值含碳量). [t C/GJ]
    oxidation : float
        Fraction of the carbon oxidised (碳氧化率). [-]
    """
    return energy * carbon_content * oxidation * CO2_PER_C


def fuel_combustion_co2(
    quantity: float, ncv: float, carbon_content: float, oxidation: float
) -> float:
    """CO2 from a physical fuel quantity: quantity × NCV × carbon content × oxidation × 44/12.

    [t CO2]. See :func:`fuel_energy` and :func:`co2_from_carbon`.

    Parameters
    ----------
    quantity : float
        Fuel consumed. [t]
    ncv : float
        Net calorific value. [GJ/t]
    carbon_content : float
        Carbon content per unit energy. [t C/GJ]
    oxidation : float
        Fraction of the carbon oxidised. [-]
    """
    return co2_from_carbon(fuel_energy(quantity, ncv), carbon_content, oxidation)


def emissions_from_ef(energy: float, ef: float) -> float:
    """Emissions of one gas with an energy-based factor. [t]

    IPCC 2006 Vol 2 Ch 2 Eq 2.1 (Tier 1: fuel consumed × default EF; Tier 2: national EF).

    Parameters
    ----------
    energy : float
        Fuel consumed, as net energy. [GJ]
    ef : float
        Emission factor of the gas. [t/GJ]
    """
    return energy * ef


def indirect_emissions(imported: float, exported: float, ef: float) -> float:
    """Indirect CO2 of net grid-supplied electricity or heat. [t CO2]

    GHG Protocol GPC (2014) Ch 6 (stationary energy, scope 2); 省级指南
    电力调入调出间接排放: (调入 − 调出) × 排放因子.
    Negative when the city exports more than it imports.

    Parameters
    ----------
    imported : float
        Energy received from the grid. [MWh] (or [GJ] for heat)
    exported : float
        Energy delivered to the grid. [MWh] (or [GJ] for heat)
    ef : float
        Grid emission factor of the inventory year. [t CO2/MWh] (or [t CO2/GJ])
    """
    return (imported - exported) * ef


def _fuel_combustion(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    if ctx.is_dimension("GJ"):
        energy = ctx.quantity("GJ")
    else:
        energy = ctx.to_unit(ctx.activity() * ctx.factor_quantity("ncv"), "GJ", "ncv")
    out: list[GasAmount] = []
    if ctx.wants("CO2"):
        ef_co2 = ctx.optional_factor("ef_co2", "t/GJ")
        co2 = (
            emissions_from_ef(energy, ef_co2)
            if ef_co2 is not None
            else co2_from_carbon(
                energy, ctx.factor("carbon_content", "t/GJ"), ctx.factor("oxidation", "")
            )
        )
        out.append(GasAmount("CO2", co2))
    for gas in ("CH4", "N2O"):
        if ctx.wants(gas):
            out.append(
                GasAmount(gas, emissions_from_ef(energy, ctx.factor(f"ef_{gas.lower()}", "t/GJ")))
            )
    return out


def _indirect(parameter: str, unit: str, dated: bool) -> MethodFn:
    """A scope-2 method: net energy received [unit] × factor [t/unit] (of the year if dated)."""

    def method(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
        year = int(ctx.param("factor_year", "", float(row.year))) if dated else None
        return [
            GasAmount(
                "CO2",
                indirect_emissions(
                    ctx.quantity(unit),
                    ctx.param("exported", unit, 0.0),
                    ctx.factor(parameter, f"t/{unit}", year=year),
                ),
            )
        ]

    return method


METHODS = (
    Method(
        "fuel_combustion",
        _fuel_combustion,
        ("CO2", "CH4", "N2O"),
        "省级指南 第一章; IPCC 2006 Vol 2 Ch 2 Eq 2.1",
    ),
    Method(
        "electricity",
        _indirect("grid_ef", "MWh", dated=True),
        ("CO2",),
        "GPC scope 2; MEE/NBS grid factor of the year",
    ),
    Method(
        "heat",
        _indirect("heat_ef", "GJ", dated=False),
        ("CO2",),
        "GPC scope 2; heat factor supplied by the user",
    ),
)
