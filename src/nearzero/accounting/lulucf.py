"""Land use, land-use change and forestry: forest biomass carbon, afforestation.

Equations (IPCC 2006 Vol 4 Ch 2)
--------------------------------
- Eq 2.8 (stock-difference): C = V × BCEF_S × (1 + R) × CF; ΔC = (C_t2 − C_t1)/(t2 − t1).
  The same form as 省级指南 第四章 (蓄积量 × 生物量扩展 × (1+根茎比) × 含碳率).
- Eq 2.7, 2.9, 2.10, 2.11, 2.12 (gain–loss): ΔC = ΔC_G − ΔC_L with
  ΔC_G = A × G_W × (1 + R) × CF and L_wood-removals = H × BCEF_R × (1 + R) × CF.
- Afforestation (land converted to forest land, Vol 4 Ch 4 §4.3) uses the gain term on
  the new area.

A carbon-stock gain is a removal: the CO2 "emission" is −ΔC × 44/12 (negative).
"""

from __future__ import annotations

from nearzero.accounting.context import Method, RowContext
from nearzero.accounting.model import CO2_PER_C, ActivityRow, GasAmount


def biomass_carbon(volume: float, bcef: float, root_shoot: float, carbon_fraction: float) -> float:
    """Carbon in live biomass from growing-stock volume. [t C]

    IPCC 2006 Vol 4 Ch 2 Eq 2.8 (the stock term).

    Parameters
    ----------
    volume : float
        Merchantable growing-stock volume (蓄积量). [m3]
    bcef : float
        Biomass conversion and expansion factor (BCEF_S = BEF × wood density). [t d.m./m3]
    root_shoot : float
        Ratio of below-ground to above-ground biomass (R). [-]
    carbon_fraction : float
        Carbon fraction of dry matter (CF). [t C/t d.m.]
    """
    return volume * bcef * (1.0 + root_shoot) * carbon_fraction


def stock_change(carbon_t1: float, carbon_t2: float, years: float) -> float:
    """Annual carbon stock change between two inventories. [t C/yr]

    IPCC 2006 Vol 4 Ch 2 Eq 2.8 (stock-difference method).

    Parameters
    ----------
    carbon_t1, carbon_t2 : float
        Carbon stocks at the first and second inventory. [t C]
    years : float
        Time between the inventories (t2 − t1), more than 0. [yr]

    Raises :class:`ValueError` for a time of 0 or less (no rate over no time).
    """
    if not years > 0:
        raise ValueError(
            f"years: 两次清查之间的间隔应大于0年，而不是{years:g} — "
            f"years: expected a time between the inventories > 0 yr, got {years:g}"
        )
    return (carbon_t2 - carbon_t1) / years


def biomass_gain(area: float, growth: float, root_shoot: float, carbon_fraction: float) -> float:
    """Annual carbon gain of biomass. [t C/yr]

    IPCC 2006 Vol 4 Ch 2 Eq 2.9 with G_TOTAL = G_W × (1 + R) (Eq 2.10).

    Parameters
    ----------
    area : float
        Area of the land category (A). [ha]
    growth : float
        Above-ground biomass growth (G_W; = I_V × BCEF_I for volume increments). [t d.m./ha/yr]
    root_shoot : float
        Root-to-shoot ratio (R). [-]
    carbon_fraction : float
        Carbon fraction of dry matter (CF). [t C/t d.m.]
    """
    return area * growth * (1.0 + root_shoot) * carbon_fraction


def removals_loss(
    removals: float, bcef_r: float, root_shoot: float, carbon_fraction: float
) -> float:
    """Annual carbon loss from wood removals. [t C/yr]

    IPCC 2006 Vol 4 Ch 2 Eq 2.12.

    Parameters
    ----------
    removals : float
        Annual wood removals (H). [m3/yr]
    bcef_r : float
        Biomass conversion and expansion factor for removals. [t d.m./m3]
    root_shoot : float
        Root-to-shoot ratio (R). [-]
    carbon_fraction : float
        Carbon fraction of dry matter (CF). [t C/t d.m.]
    """
    return removals * bcef_r * (1.0 + root_shoot) * carbon_fraction


def co2_of_stock_change(delta_carbon: float) -> float:
    """CO2 emission of a carbon stock change; negative for a gain (removal). [t CO2/yr]

    IPCC 2006 Vol 4 Ch 2 §2.2 (reporting convention: −ΔC × 44/12).

    Parameters
    ----------
    delta_carbon : float
        Annual carbon stock change. [t C/yr]
    """
    return -delta_carbon * CO2_PER_C


def _stock_difference(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    bcef = ctx.factor("bcef", "t/m**3")
    r = ctx.factor("root_shoot", "")
    cf = ctx.factor("carbon_fraction", "t/t")
    c_t1 = biomass_carbon(ctx.param("volume_t1", "m**3"), bcef, r, cf)
    c_t2 = biomass_carbon(ctx.quantity("m**3"), bcef, r, cf)
    years = ctx.param("years", "year")
    if not years > 0:
        raise row.error(
            "params.years",
            f"两次清查之间的间隔应大于0年，而不是{years:g} — "
            f"expected the time between the two inventories, more than 0 year; got {years:g}",
        )
    return [GasAmount("CO2", co2_of_stock_change(stock_change(c_t1, c_t2, years)))]


def _gain_loss(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    r = ctx.factor("root_shoot", "")
    cf = ctx.factor("carbon_fraction", "t/t")
    gain = biomass_gain(
        ctx.quantity("hectare"),
        ctx.param("increment", "m**3/hectare/year") * ctx.factor("bcef_increment", "t/m**3"),
        r,
        cf,
    )
    removals = ctx.param("removals", "m**3/year", 0.0)
    loss = (
        removals_loss(removals, ctx.factor("bcef_removals", "t/m**3"), r, cf) if removals else 0.0
    )
    return [GasAmount("CO2", co2_of_stock_change(gain - loss))]


def _afforestation(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    return [
        GasAmount(
            "CO2",
            co2_of_stock_change(
                biomass_gain(
                    ctx.quantity("hectare"),
                    ctx.param("growth", "t/hectare/year"),
                    ctx.factor("root_shoot", ""),
                    ctx.factor("carbon_fraction", "t/t"),
                )
            ),
        )
    ]


METHODS = (
    Method("forest_stock_difference", _stock_difference, ("CO2",), "IPCC 2006 Vol 4 Ch 2 Eq 2.8"),
    Method("forest_gain_loss", _gain_loss, ("CO2",), "IPCC 2006 Vol 4 Ch 2 Eq 2.7, 2.9-2.12"),
    Method("afforestation", _afforestation, ("CO2",), "IPCC 2006 Vol 4 Ch 2 Eq 2.9, 2.10"),
)
