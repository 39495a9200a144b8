"""Global warming potentials (100-year) of the seven inventory gases.

The numbers are read from the ``globalwarmingpotentials`` package (openclimatedata,
whose upstream is the GHG Protocol GWP table for SAR/AR4/AR5 and IPCC AR6 WGI
Ch 7 SM Table 7.SM.7); none is typed here. A gas without a value in the chosen set
(NF3 under SAR) raises :class:`GWPNotAvailable`, never 0.
"""

from __future__ import annotations

import re

import globalwarmingpotentials as _gwp

#: Names accepted for ``gwp_set`` and the package's column for each.
GWP_SETS: dict[str, str] = {
    "SAR": "SARGWP100",
    "AR4": "AR4GWP100",
    "AR5": "AR5GWP100",
    "AR6": "AR6GWP100",
}

#: Provenance string recorded beside every result.
GWP_SOURCE = f"globalwarmingpotentials {_gwp.__version__} (openclimatedata)"

#: The seven gases (groups) of 省级温室气体清单 and the plan (四(一)6).
GAS_GROUPS = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")

_PFCS = frozenset(
    {"CF4", "C2F6", "C3F8", "cC4F8", "C4F10", "C5F12", "C6F14", "C7F16", "C8F18", "C10F18", "cC3F6"}
)


class GWPNotAvailable(LookupError):
    """The gas has no GWP in the chosen set, or the set or the gas is unknown."""


def _key(gas: str) -> str:
    return re.sub(r"[\s\-_]", "", gas).lower()


_CANONICAL: dict[str, str] = {_key(name): name for table in _gwp.data.values() for name in table}
_CANONICAL[_key("CO2")] = "CO2"


def canonical_gas(gas: str) -> str:
    """The package's spelling of a gas name ("HFC-134a" -> "HFC134a").

    Raises :class:`GWPNotAvailable` for a name no GWP table knows.
    """
    try:
        return _CANONICAL[_key(gas)]
    except KeyError:
        raise GWPNotAvailable(f"未知气体{gas!r} — unknown gas {gas!r}") from None


def gas_group(gas: str) -> str:
    """The inventory group of a gas: one of :data:`GAS_GROUPS`.

    Raises :class:`GWPNotAvailable` for a gas outside the seven groups (e.g. HCFC-22,
    which the Montreal Protocol covers, not the inventory).
    """
    name = canonical_gas(gas)
    if name in ("CO2", "CH4", "N2O", "SF6", "NF3"):
        return name
    if name.startswith("HFC"):
        return "HFCs"
    if name in _PFCS:
        return "PFCs"
    raise GWPNotAvailable(
        f"{gas!r}不是清单气体（{'、'.join(GAS_GROUPS)}）之一 — "
        f"{gas!r} is not one of the inventory gases {', '.join(GAS_GROUPS)}"
    )


def gwp(gas: str, gwp_set: str = "AR5") -> float:
    """100-year GWP of ``gas`` in ``gwp_set`` [tCO2e/t].

    Parameters
    ----------
    gas : str
        Gas name, e.g. "CH4", "HFC-134a", "NF3".
    gwp_set : str
        One of :data:`GWP_SETS` ("SAR", "AR4", "AR5", "AR6").

    Raises
    ------
    GWPNotAvailable
        Unknown set, unknown gas, or no value for the gas in the set.
    """
    try:
        column = _gwp.data[GWP_SETS[gwp_set]]
    except KeyError:
        raise GWPNotAvailable(
            f"未知的全球变暖潜势（GWP）版本{gwp_set!r}，请选择{'、'.join(GWP_SETS)}之一 — "
            f"unknown GWP set {gwp_set!r}; choose one of {', '.join(GWP_SETS)}"
        ) from None
    name = canonical_gas(gas)
    if name == "CO2":
        return 1.0
    try:
        return float(column[name])
    except KeyError:
        raise GWPNotAvailable(
            f"{gwp_set}版本中没有{gas!r}的全球变暖潜势 — no GWP for {gas!r} in the {gwp_set} set"
        ) from None
