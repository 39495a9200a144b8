"""Industrial processes and product use: cement, lime, ammonia, SF6, HFCs, user factors.

Equations
---------
- Cement: IPCC 2006 Vol 3 Ch 2 Eq 2.2 (Tier 2): CO2 = M_cl × EF_cl × CF_ckd, with
  EF_cl from the CaO content of clinker by stoichiometry (CaO → CO2: 44.01/56.08).
- Lime: IPCC 2006 Vol 3 Ch 2 §2.3.1 (Tier 1): CO2 = M_lime × EF_lime.
- Ammonia: IPCC 2006 Vol 3 Ch 3 Eq 3.1: CO2 = AP × FR × CCF × COF × 44/12 − R_CO2.
- SF6 in electrical equipment and HFCs in refrigeration, emission-factor approach on
  the bank: IPCC 2006 Vol 3 Ch 8 §8.2.2 (SF6, Tier 1/2) and Vol 3 Ch 7 §7.5.2
  (refrigeration, Tier 2a operating emissions): E = bank × annual emission rate.
- Any other process: activity × a user-supplied factor with its citation.
"""

from __future__ import annotations

from nearzero.accounting.context import Method, RowContext
from nearzero.accounting.model import CO2_PER_C, ActivityRow, GasAmount

#: Molar masses of CO2 and CaO [g/mol] (IUPAC), for the clinker factor.
M_CO2 = 44.01
M_CAO = 56.08


def clinker_emission_factor(cao_fraction: float) -> float:
    """CO2 per tonne of clinker from its CaO content. [t CO2/t clinker]

    IPCC 2006 Vol 3 Ch 2 §2.2.1.2 (stoichiometry CaCO3 → CaO + CO2).

    Parameters
    ----------
    cao_fraction : float
        Mass fraction of CaO in clinker from carbonates. [-]
    """
    return cao_fraction * M_CO2 / M_CAO


def cement_co2(clinker: float, ef_clinker: float, ckd_correction: float) -> float:
    """Process CO2 of clinker production. [t CO2]

    IPCC 2006 Vol 3 Ch 2 Eq 2.2 (Tier 2).

    Parameters
    ----------
    clinker : float
        Clinker produced. [t]
    ef_clinker : float
        Emission factor of clinker. [t CO2/t clinker]
    ckd_correction : float
        Cement kiln dust correction factor CF_ckd. [-]
    """
    return clinker * ef_clinker * ckd_correction


def ammonia_co2(
    ammonia: float,
    fuel_requirement: float,
    carbon_content: float,
    oxidation: float,
    recovered_co2: float,
) -> float:
    """Process CO2 of ammonia production. [t CO2]

    IPCC 2006 Vol 3 Ch 3 Eq 3.1.

    Parameters
    ----------
    ammonia : float
        Ammonia produced (AP). [t NH3]
    fuel_requirement : float
        Total fuel requirement per tonne of ammonia (FR). [GJ/t NH3]
    carbon_content : float
        Carbon content of the fuel (CCF). [t C/GJ]
    oxidation : float
        Carbon oxidation factor of the fuel (COF). [-]
    recovered_co2 : float
        CO2 recovered for downstream use, e.g. urea (R_CO2). [t CO2]
    """
    return ammonia * fuel_requirement * carbon_content * oxidation * CO2_PER_C - recovered_co2


def activity_times_factor(activity: float, ef: float) -> float:
    """Emissions as activity × emission factor. [t]

    The Tier 1 form shared by IPCC 2006 Vol 3 (e.g. Ch 2 §2.3.1 lime; Ch 7 §7.5.2 and
    Ch 8 §8.2.2 emissions from a bank of F-gas: bank × annual emission rate).

    Parameters
    ----------
    activity : float
        Activity (product made, gas bank, …). [activity unit]
    ef : float
        Emission factor. [t/activity unit]
    """
    return activity * ef


def _cement(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    ef = ctx.optional_factor("ef_clinker", "t/t")
    if ef is None:
        ef = clinker_emission_factor(ctx.factor("cao_fraction", "", subject="clinker"))
    return [
        GasAmount(
            "CO2",
            cement_co2(ctx.quantity("t"), ef, ctx.factor("ckd_correction", "", subject="clinker")),
        )
    ]


def _lime(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    return [
        GasAmount("CO2", activity_times_factor(ctx.quantity("t"), ctx.factor("ef_lime", "t/t")))
    ]


def _ammonia(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    fuel = ctx.text("feedstock", row.subject)
    return [
        GasAmount(
            "CO2",
            ammonia_co2(
                ctx.quantity("t"),
                ctx.factor("fuel_requirement", "GJ/t"),
                ctx.factor("carbon_content", "t/GJ", subject=fuel),
                ctx.factor("carbon_oxidation_nh3", ""),
                ctx.param("recovered_co2", "t", 0.0),
            ),
        )
    ]


def _fgas_bank(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    rate = ctx.factor("emission_rate", "1/year")
    return [GasAmount(gas, activity_times_factor(ctx.quantity("t"), rate)) for gas in row.gases]


def _user_factor(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    return [
        GasAmount(
            gas,
            ctx.to_unit(
                ctx.activity() * ctx.factor_quantity(f"ef_{gas.lower()}"),
                "t",
                f"factors.ef_{gas.lower()}",
            ),
        )
        for gas in row.gases
    ]


METHODS = (
    Method("cement_clinker", _cement, ("CO2",), "IPCC 2006 Vol 3 Ch 2 Eq 2.2"),
    Method("lime", _lime, ("CO2",), "IPCC 2006 Vol 3 Ch 2 §2.3.1 Tier 1"),
    Method("ammonia", _ammonia, ("CO2",), "IPCC 2006 Vol 3 Ch 3 Eq 3.1"),
    Method("fgas_bank", _fgas_bank, (), "IPCC 2006 Vol 3 Ch 7 §7.5.2; Ch 8 §8.2.2"),
    Method("user_factor", _user_factor, (), "activity × user factor (with citation)"),
)
