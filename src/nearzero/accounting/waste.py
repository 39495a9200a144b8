"""Waste: landfill (first-order decay), incineration, biological treatment, wastewater.

Equations (IPCC 2006 Vol 5)
---------------------------
- Ch 3 Eq 3.1, 3.2, 3.4, 3.5, 3.6: first-order decay (FOD) of degradable organic carbon
  deposited in solid waste disposal sites, over the whole deposition history. Decay
  starts on 1 January of the year after deposition (the equations as printed; the
  IPCC Waste Model's optional delay of a few months is not applied).
- Ch 5 Eq 5.1: fossil CO2 of incineration; Eq 5.4 and 5.5: CH4 and N2O.
- Ch 4 Eq 4.1 and 4.2: CH4 and N2O of composting and anaerobic digestion.
- Ch 6 Eq 6.1–6.3: domestic wastewater CH4; Eq 6.4–6.6: industrial wastewater CH4;
  Eq 6.7–6.8: N2O from domestic effluent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nearzero.accounting.context import Method, RowContext
from nearzero.accounting.model import CH4_PER_C, CO2_PER_C, N2O_PER_N, ActivityRow, GasAmount

#: Eq 6.3 counts 365 days a year (pint's year is 365.25 days).
DAYS_PER_YEAR = 365.0


def landfill_ch4_generated(
    deposits: Sequence[float] | NDArray[np.float64],
    doc: float,
    docf: float,
    mcf: float,
    k: float,
    methane_fraction: float,
) -> NDArray[np.float64]:
    """CH4 generated in each year of a deposition history, first-order decay. [t CH4/yr]

    IPCC 2006 Vol 5 Ch 3: Eq 3.2 (DDOCm = W × DOC × DOCf × MCF), Eq 3.4
    (DDOCma_T = DDOCmd_T + DDOCma_T-1 × e^-k), Eq 3.5 (DDOCm decomp_T = DDOCma_T-1 ×
    (1 − e^-k)) and Eq 3.6 (CH4 generated = DDOCm decomp × F × 16/12).

    Parameters
    ----------
    deposits : sequence of float
        Waste deposited in consecutive years, oldest first (W). [t/yr]
    doc : float
        Degradable organic carbon of the waste, same basis (wet/dry) as ``deposits``. [t C/t]
    docf : float
        Fraction of DOC that decomposes (DOCf). [-]
    mcf : float
        Methane correction factor of the site (MCF). [-]
    k : float
        Decay rate constant. [1/yr]
    methane_fraction : float
        Fraction of CH4 in generated landfill gas by volume (F). [-]

    Returns
    -------
    numpy.ndarray
        CH4 generated in each year of ``deposits``. [t CH4/yr]
    """
    deposited = np.asarray(deposits, dtype=np.float64) * doc * docf * mcf
    keep = np.exp(-k)
    accumulated = 0.0
    decomposed = np.empty_like(deposited)
    for t, ddocm in enumerate(deposited):
        decomposed[t] = accumulated * (1.0 - keep)
        accumulated = ddocm + accumulated * keep
    return decomposed * methane_fraction * CH4_PER_C


def landfill_ch4_emitted(generated: float, recovered: float, ox: float) -> float:
    """CH4 emitted by a disposal site in a year. [t CH4]

    IPCC 2006 Vol 5 Ch 3 Eq 3.1.

    Parameters
    ----------
    generated : float
        CH4 generated in the year (sum over waste types). [t CH4]
    recovered : float
        CH4 recovered (flared or used) in the year (R). [t CH4]
    ox : float
        Oxidation factor of the cover (OX). [-]
    """
    return (generated - recovered) * (1.0 - ox)


def incineration_co2(
    waste: float,
    dry_matter: float,
    carbon_fraction: float,
    fossil_fraction: float,
    oxidation: float,
) -> float:
    """Fossil CO2 of incinerated waste of one component. [t CO2]

    IPCC 2006 Vol 5 Ch 5 Eq 5.1 (one term of the sum over components).

    Parameters
    ----------
    waste : float
        Waste incinerated, wet weight (SW). [t]
    dry_matter : float
        Dry-matter content of the wet waste (dm). [-]
    carbon_fraction : float
        Total carbon of the dry matter (CF). [-]
    fossil_fraction : float
        Fossil share of the total carbon (FCF). [-]
    oxidation : float
        Oxidation factor (OF). [-]
    """
    return waste * dry_matter * carbon_fraction * fossil_fraction * oxidation * CO2_PER_C


def mass_times_factor(mass: float, ef: float, recovered: float = 0.0) -> float:
    """Emissions of a treated mass with a mass-based factor, less recovery. [t]

    IPCC 2006 Vol 5 Ch 5 Eq 5.4, 5.5 (incineration CH4, N2O) and Ch 4 Eq 4.1, 4.2
    (biological treatment: E = Σ(M × EF) × 10^-3 − R, the 10^-3 being g/kg → t/t).

    Parameters
    ----------
    mass : float
        Waste treated, wet weight. [t]
    ef : float
        Emission factor. [t/t]
    recovered : float
        Gas recovered (R; CH4 only). [t]
    """
    return mass * ef - recovered


def domestic_tow(population: float, bod: float, i_factor: float) -> float:
    """Total organics in domestic wastewater. [t BOD/yr]

    IPCC 2006 Vol 5 Ch 6 Eq 6.3 (TOW = P × BOD × 0.001 × I × 365; the 0.001 is the g → kg
    conversion, done here by the units).

    Parameters
    ----------
    population : float
        Population served (P). [person]
    bod : float
        Per-capita BOD. [t BOD/person/day]
    i_factor : float
        Correction for industrial BOD discharged into sewers (I). [-]
    """
    return population * bod * i_factor * DAYS_PER_YEAR


def industrial_tow(production: float, wastewater: float, cod: float) -> float:
    """Total organics in industrial wastewater. [t COD/yr]

    IPCC 2006 Vol 5 Ch 6 Eq 6.6 (TOW_i = P_i × W_i × COD_i).

    Parameters
    ----------
    production : float
        Industrial output (P). [t/yr]
    wastewater : float
        Wastewater generated per tonne of product (W). [m3/t]
    cod : float
        COD concentration of the wastewater. [t COD/m3]
    """
    return production * wastewater * cod


def wastewater_ch4(
    tow: float, sludge: float, b0: float, mcf: float, share: float, recovered: float
) -> float:
    """CH4 of a wastewater treatment or discharge pathway. [t CH4]

    IPCC 2006 Vol 5 Ch 6 Eq 6.1 with EF = B0 × MCF (Eq 6.2); for industry Eq 6.4, 6.5.

    Parameters
    ----------
    tow : float
        Total organics in wastewater (TOW). [t BOD or t COD]
    sludge : float
        Organics removed as sludge (S). [same unit as ``tow``]
    b0 : float
        Maximum CH4 producing capacity. [t CH4/t BOD or t CH4/t COD]
    mcf : float
        Methane correction factor of the pathway. [-]
    share : float
        Share of the organics that goes through the pathway (U_i × T_ij). [-]
    recovered : float
        CH4 recovered (R). [t CH4]
    """
    return share * b0 * mcf * (tow - sludge) - recovered


def wastewater_n2o_effluent(
    population: float,
    protein: float,
    f_npr: float,
    f_non_con: float,
    f_ind_com: float,
    n_sludge: float,
    ef_effluent: float,
) -> float:
    """N2O from domestic wastewater effluent. [t N2O]

    IPCC 2006 Vol 5 Ch 6 Eq 6.7 (N2O = N_effluent × EF × 44/28) and Eq 6.8
    (N_effluent = P × Protein × F_NPR × F_NON-CON × F_IND-COM − N_SLUDGE).

    Parameters
    ----------
    population : float
        Population (P). [person]
    protein : float
        Annual per-capita protein consumption. [t/person/yr]
    f_npr : float
        Fraction of nitrogen in protein. [t N/t protein]
    f_non_con, f_ind_com : float
        Factors for non-consumed protein and industrial/commercial co-discharge. [-]
    n_sludge : float
        Nitrogen removed with sludge. [t N]
    ef_effluent : float
        Emission factor of discharged N. [kg N2O-N/kg N]
    """
    n_effluent = population * protein * f_npr * f_non_con * f_ind_com - n_sludge
    return n_effluent * ef_effluent * N2O_PER_N


def _landfill(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    deposits = ctx.series("deposits", "t")
    if row.year in deposits:
        raise row.error(
            f"params.deposits.{row.year}",
            "清单年份的填埋量即本行数量，请勿重复填写 — "
            "the inventory year's deposit is the row quantity; do not repeat it",
        )
    deposits[row.year] = ctx.quantity("t")
    years = sorted(deposits)
    if years != list(range(years[0], row.year + 1)):
        raise row.error(
            "params.deposits",
            f"须填写{years[0]}至{row.year}年的每一年（无填埋的年份填0），不得晚于清单年份 — "
            f"needs every year from {years[0]} to {row.year} "
            "(write 0 for a year with no deposit); no year after the inventory",
        )
    site = ctx.text("site", "uncategorised")
    generated = landfill_ch4_generated(
        [deposits[y] for y in years],
        ctx.factor("doc", ""),
        ctx.factor("docf", ""),
        ctx.factor("mcf", "", subject=site),
        ctx.factor("k", "1/year", subject=f"{row.subject}|{ctx.text('climate', 'temperate_dry')}"),
        ctx.factor("methane_fraction", ""),
    )
    return [
        GasAmount(
            "CH4",
            landfill_ch4_emitted(
                float(generated[-1]),
                ctx.param("recovered", "t", 0.0),
                ctx.factor("ox", "", subject=site),
            ),
        )
    ]


def _incineration(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    waste = ctx.quantity("t")
    technology = ctx.text("technology", "continuous_stoker")
    out: list[GasAmount] = []
    if ctx.wants("CO2"):
        out.append(
            GasAmount(
                "CO2",
                incineration_co2(
                    waste,
                    ctx.factor("dry_matter", ""),
                    ctx.factor("carbon_fraction_dry", ""),
                    ctx.factor("fossil_carbon_fraction", ""),
                    ctx.factor("oxidation_incineration", ""),
                ),
            )
        )
    for gas in ("CH4", "N2O"):
        if ctx.wants(gas):
            out.append(
                GasAmount(
                    gas,
                    mass_times_factor(
                        waste,
                        ctx.factor(f"ef_{gas.lower()}_incineration", "t/t", subject=technology),
                    ),
                )
            )
    return out


def _biological(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    mass = ctx.quantity("t")
    out: list[GasAmount] = []
    if ctx.wants("CH4"):
        out.append(
            GasAmount(
                "CH4",
                mass_times_factor(
                    mass, ctx.factor("ef_ch4_bio", "t/t"), ctx.param("recovered", "t", 0.0)
                ),
            )
        )
    if ctx.wants("N2O"):
        out.append(GasAmount("N2O", mass_times_factor(mass, ctx.factor("ef_n2o_bio", "t/t"))))
    return out


def _wastewater_domestic(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    population = ctx.quantity("person")
    out: list[GasAmount] = []
    if ctx.wants("CH4"):
        tow = domestic_tow(
            population,
            ctx.factor("bod_per_capita", "t/person/day", subject=ctx.text("region", "china")),
            ctx.factor("i_factor", "", subject=ctx.text("collection", "collected")),
        )
        out.append(
            GasAmount(
                "CH4",
                wastewater_ch4(
                    tow,
                    ctx.param("sludge", "t", 0.0),
                    ctx.factor("b0_bod", "t/t"),
                    ctx.factor("mcf_wastewater", ""),
                    ctx.param("share", "", 1.0),
                    ctx.param("recovered", "t", 0.0),
                ),
            )
        )
    if ctx.wants("N2O"):
        out.append(
            GasAmount(
                "N2O",
                wastewater_n2o_effluent(
                    population,
                    ctx.param("protein", "t/person/year"),
                    ctx.factor("f_npr", "t/t"),
                    ctx.factor("f_non_con", ""),
                    ctx.factor("f_ind_com", ""),
                    ctx.param("n_sludge", "t", 0.0),
                    ctx.factor("ef_effluent", ""),
                ),
            )
        )
    return out


def _wastewater_industrial(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    tow = industrial_tow(
        ctx.quantity("t"), ctx.param("wastewater", "m**3/t"), ctx.param("cod", "t/m**3")
    )
    return [
        GasAmount(
            "CH4",
            wastewater_ch4(
                tow,
                ctx.param("sludge", "t", 0.0),
                ctx.factor("b0_cod", "t/t"),
                ctx.factor("mcf_wastewater", ""),
                1.0,
                ctx.param("recovered", "t", 0.0),
            ),
        )
    ]


METHODS = (
    Method("landfill_fod", _landfill, ("CH4",), "IPCC 2006 Vol 5 Ch 3 Eq 3.1-3.6"),
    Method(
        "incineration",
        _incineration,
        ("CO2", "CH4", "N2O"),
        "IPCC 2006 Vol 5 Ch 5 Eq 5.1, 5.4, 5.5",
    ),
    Method("biological_treatment", _biological, ("CH4", "N2O"), "IPCC 2006 Vol 5 Ch 4 Eq 4.1, 4.2"),
    Method(
        "wastewater_domestic",
        _wastewater_domestic,
        ("CH4", "N2O"),
        "IPCC 2006 Vol 5 Ch 6 Eq 6.1-6.3, 6.7, 6.8",
        defaults=("CH4",),
    ),
    Method(
        "wastewater_industrial", _wastewater_industrial, ("CH4",), "IPCC 2006 Vol 5 Ch 6 Eq 6.4-6.6"
    ),
)
