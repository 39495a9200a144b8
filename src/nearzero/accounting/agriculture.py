"""Agriculture: enteric fermentation, manure management, rice, managed soils (N2O).

Equations (IPCC 2006 Vol 4)
---------------------------
- Ch 10 Eq 10.19: enteric CH4 = EF × N.
- Ch 10 Eq 10.22: manure CH4 = EF × N.
- Ch 10 Eq 10.25: direct manure N2O = N × Nex × MS × EF3 × 44/28.
- Ch 5 Eq 5.1 and 5.2: rice CH4 = EF_c × SF_w × SF_p × SF_o × t × A.
- Ch 11 Eq 11.1: direct soil N2O = N inputs × EF1 × 44/28.
- Ch 11 Eq 11.9 and 11.10: indirect soil N2O from volatilisation (EF4) and
  leaching/runoff (EF5).
"""

from __future__ import annotations

from nearzero.accounting.context import Method, MethodFn, RowContext
from nearzero.accounting.model import N2O_PER_N, ActivityRow, GasAmount


def livestock_ch4(head: float, ef: float) -> float:
    """CH4 of a livestock category, enteric or manure. [t CH4]

    IPCC 2006 Vol 4 Ch 10 Eq 10.19 (enteric) and Eq 10.22 (manure management).

    Parameters
    ----------
    head : float
        Number of animals. [head]
    ef : float
        Emission factor. [t CH4/head/yr]
    """
    return head * ef


def manure_n2o_direct(head: float, n_excretion: float, system_fraction: float, ef3: float) -> float:
    """Direct N2O of manure in one management system. [t N2O]

    IPCC 2006 Vol 4 Ch 10 Eq 10.25.

    Parameters
    ----------
    head : float
        Number of animals. [head]
    n_excretion : float
        Annual N excretion per head (Nex). [t N/head/yr]
    system_fraction : float
        Fraction of the N excreted that is managed in the system (MS). [-]
    ef3 : float
        Emission factor of the system. [kg N2O-N/kg N]
    """
    return head * n_excretion * system_fraction * ef3 * N2O_PER_N


def rice_ch4(
    area: float,
    days: float,
    ef_daily: float,
    sf_water: float = 1.0,
    sf_preseason: float = 1.0,
    sf_organic: float = 1.0,
) -> float:
    """CH4 of rice cultivation. [t CH4]

    IPCC 2006 Vol 4 Ch 5 Eq 5.1 (CH4 = EF × t × A) with Eq 5.2 (EF = EF_c × SF_w × SF_p × SF_o).

    Parameters
    ----------
    area : float
        Harvested area (A). [ha]
    days : float
        Cultivation period (t). [day]
    ef_daily : float
        Baseline emission factor (EF_c). [t CH4/ha/day]
    sf_water, sf_preseason, sf_organic : float
        Scaling factors for water regime, pre-season water regime and organic amendment. [-]
    """
    return area * days * ef_daily * sf_water * sf_preseason * sf_organic


def soil_n2o_direct(n_input: float, ef1: float) -> float:
    """Direct N2O from N added to managed soils. [t N2O]

    IPCC 2006 Vol 4 Ch 11 Eq 11.1 (the F_SN + F_ON + F_CR + F_SOM term) converted with 44/28.

    Parameters
    ----------
    n_input : float
        N applied (synthetic, organic, crop residue or mineralised). [t N]
    ef1 : float
        Emission factor for N additions (EF1). [kg N2O-N/kg N]
    """
    return n_input * ef1 * N2O_PER_N


def soil_n2o_indirect(
    synthetic_n: float,
    organic_n: float,
    frac_gasf: float,
    frac_gasm: float,
    frac_leach: float,
    ef4: float,
    ef5: float,
) -> float:
    """Indirect N2O from managed soils: volatilisation plus leaching and runoff. [t N2O]

    IPCC 2006 Vol 4 Ch 11 Eq 11.9 (N2O(ATD)-N) and Eq 11.10 (N2O(L)-N), × 44/28.

    Parameters
    ----------
    synthetic_n : float
        Synthetic fertiliser N applied (F_SN). [t N]
    organic_n : float
        Organic N applied, incl. urine and dung deposited (F_ON + F_PRP). [t N]
    frac_gasf, frac_gasm : float
        Fractions of synthetic / organic N that volatilise. [-]
    frac_leach : float
        Fraction of N lost by leaching and runoff. [-]
    ef4, ef5 : float
        Emission factors for volatilised / leached N. [kg N2O-N/kg N]
    """
    volatilised = (synthetic_n * frac_gasf + organic_n * frac_gasm) * ef4
    leached = (synthetic_n + organic_n) * frac_leach * ef5
    return (volatilised + leached) * N2O_PER_N


def _livestock(parameter: str) -> MethodFn:
    def method(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
        return [
            GasAmount(
                "CH4", livestock_ch4(ctx.quantity("head"), ctx.factor(parameter, "t/head/year"))
            )
        ]

    return method


def _manure_n2o(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    system = ctx.text("system", "solid_storage")
    return [
        GasAmount(
            "N2O",
            manure_n2o_direct(
                ctx.quantity("head"),
                ctx.param("n_excretion", "t/head/year"),
                ctx.param("system_fraction", "", 1.0),
                ctx.factor("ef3", "", subject=system),
            ),
        )
    ]


def _rice(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    return [
        GasAmount(
            "CH4",
            rice_ch4(
                ctx.quantity("hectare"),
                ctx.param("days", "day"),
                ctx.factor("ef_rice_daily", "t/hectare/day"),
                ctx.param("sf_water", "", 1.0),
                ctx.param("sf_preseason", "", 1.0),
                ctx.param("sf_organic", "", 1.0),
            ),
        )
    ]


def _soil_direct(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    return [GasAmount("N2O", soil_n2o_direct(ctx.quantity("t"), ctx.factor("ef1", "")))]


def _soil_indirect(row: ActivityRow, ctx: RowContext) -> list[GasAmount]:
    return [
        GasAmount(
            "N2O",
            soil_n2o_indirect(
                ctx.quantity("t"),
                ctx.param("organic_n", "t", 0.0),
                ctx.factor("frac_gasf", ""),
                ctx.factor("frac_gasm", ""),
                ctx.factor("frac_leach", ""),
                ctx.factor("ef4", ""),
                ctx.factor("ef5", ""),
            ),
        )
    ]


METHODS = (
    Method(
        "enteric_fermentation", _livestock("ef_enteric"), ("CH4",), "IPCC 2006 Vol 4 Ch 10 Eq 10.19"
    ),
    Method("manure_ch4", _livestock("ef_manure_ch4"), ("CH4",), "IPCC 2006 Vol 4 Ch 10 Eq 10.22"),
    Method("manure_n2o", _manure_n2o, ("N2O",), "IPCC 2006 Vol 4 Ch 10 Eq 10.25"),
    Method("rice_cultivation", _rice, ("CH4",), "IPCC 2006 Vol 4 Ch 5 Eq 5.1, 5.2"),
    Method("soil_n2o_direct", _soil_direct, ("N2O",), "IPCC 2006 Vol 4 Ch 11 Eq 11.1"),
    Method("soil_n2o_indirect", _soil_indirect, ("N2O",), "IPCC 2006 Vol 4 Ch 11 Eq 11.9, 11.10"),
)
