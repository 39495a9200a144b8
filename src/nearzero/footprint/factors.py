"""Footprint factors: life-cycle (cradle-to-gate) factors, a family apart from emission factors.

An electricity *footprint* factor (电力碳足迹因子, e.g. national 2023 0.6205 kgCO2e/kWh) covers
the life cycle of the electricity supplied: fuel extraction, plant construction, losses. The
grid *emission* factors of the ETS and the GHG inventory (电力二氧化碳排放因子, ETS 0.5703
tCO2/MWh; ``accounting``'s ``factors/china_grid.csv``) count only combustion at the plant.
GB/T 24067-2024 asks for the former; mixing the two understates a footprint, so a footprint
study refuses an emission-family factor with :class:`FactorFamilyError`.

The shipped rows live in ``nearzero/data/footprint/*.csv`` with the columns of the accounting
factor files (source document, table, year and status on every row). None is verified yet:
every row is ``to_confirm`` and every result that uses one lists it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from nearzero.accounting.factors import (
    FactorLibrary,
    FactorNotFound,
    FactorRecord,
    default_library,
    parse_factor_csv,
)
from nearzero.footprint.model import FootprintError

#: Footprint factor files (family ``footprint``), in lookup order.
FOOTPRINT_FILES = ("electricity.csv",)
#: The pedigree variance table (not a footprint factor, same row format).
PEDIGREE_FILE = "pedigree_ecoinvent3.csv"
#: The parameter of electricity footprint factors.
ELECTRICITY = "electricity_footprint"
#: Pedigree indicators in the order of a score tuple (Weidema et al. 2013).
PEDIGREE_INDICATORS = ("reliability", "completeness", "temporal", "geographical", "technological")


class FactorFamilyError(FootprintError):
    """An emission-family factor (ETS or inventory) given where a footprint factor is needed."""


def _read(name: str) -> str:
    return resources.files("nearzero.data").joinpath("footprint", name).read_text(encoding="utf-8")


def read_footprint_texts() -> Mapping[str, str]:
    """The texts of the shipped footprint files, by file name (the one I/O step)."""
    return {name: _read(name) for name in (*FOOTPRINT_FILES, PEDIGREE_FILE)}


@cache
def footprint_library() -> FactorLibrary:
    """The shipped footprint factors (family ``footprint``), parsed once per process."""
    texts = read_footprint_texts()
    return FactorLibrary(
        r for name in FOOTPRINT_FILES for r in parse_factor_csv(texts[name], f"footprint/{name}")
    )


def is_footprint(record: FactorRecord) -> bool:
    """Whether a factor row belongs to the footprint family (a ``footprint/`` file)."""
    return record.file.startswith("footprint/")


def require_footprint(record: FactorRecord, where: str = "") -> FactorRecord:
    """``record`` itself if it is a footprint factor, else :class:`FactorFamilyError`."""
    if is_footprint(record):
        return record
    at = f"{where}: " if where else ""
    examples = ", ".join(sorted(r.factor_id for r in footprint_library().records)[:2])
    raise FactorFamilyError(
        f"{at}因子“{record.factor_id}”是排放因子（碳交易/温室气体清单类），产品碳足迹需使用"
        f"生命周期碳足迹因子，如{examples} — "
        f"factor {record.factor_id!r} ({record.parameter}, {record.file}, "
        f"{record.value} {record.unit}) is an emission factor (ETS/inventory family); a product "
        f"footprint needs a life-cycle footprint factor, e.g. {examples}"
    )


def footprint_factor(
    factor_id: str, where: str = "", library: FactorLibrary | None = None
) -> FactorRecord:
    """The footprint factor ``factor_id``; an emission factor id is refused by family.

    Raises :class:`FactorFamilyError` when the id names an emission factor of the accounting
    library, :class:`FootprintError` when no file has it.
    """
    lib = library or footprint_library()
    try:
        return require_footprint(lib.by_id(factor_id), where)
    except FactorNotFound:
        pass
    try:
        emission = default_library().by_id(factor_id)
    except FactorNotFound:
        at = f"{where}: " if where else ""
        raise FootprintError(
            f"{at}碳足迹因子库（{'、'.join(FOOTPRINT_FILES)}）中没有因子“{factor_id}” — "
            f"no footprint factor {factor_id!r} in {', '.join(FOOTPRINT_FILES)}"
        ) from None
    return require_footprint(emission, where)


def electricity_factor(year: int, subject: str = "national") -> FactorRecord:
    """The electricity footprint factor of a year and source. [kgCO2e/kWh]

    Chosen by year only, never by the nearest year: a year without a row raises.
    """
    for record in footprint_library().records:
        if record.parameter == ELECTRICITY and record.subject == subject and record.year == year:
            return record
    years = sorted(
        {r.year for r in footprint_library().records if r.parameter == ELECTRICITY and r.year}
    )
    raise FootprintError(
        f"没有{year}年“{subject}”的电力碳足迹因子（footprint/electricity.csv只有"
        f"{'、'.join(map(str, years))}年） — "
        f"no electricity footprint factor for {subject!r} in {year} "
        f"(footprint/electricity.csv has {', '.join(map(str, years))})"
    )


@cache
def pedigree_table() -> tuple[npt.NDArray[np.float64], tuple[FactorRecord, ...]]:
    """Pedigree variances as a 5 × 5 array [indicator, score − 1] and the rows they came from.

    Values are variances of ln(x) (Weidema et al. 2013); all rows are ``to_confirm``.
    """
    name = PEDIGREE_FILE
    records = tuple(parse_factor_csv(read_footprint_texts()[name], f"footprint/{name}"))
    table = np.zeros((5, 5))
    for r in records:
        indicator, score = r.subject.rsplit("_", 1)
        table[PEDIGREE_INDICATORS.index(indicator), int(score) - 1] = r.value
    return table, records
