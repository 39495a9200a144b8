"""The inventory's energy and IPPU CO2 cross-checked against the sum of enterprise reports.

Each term of an enterprise report is placed in an IPCC 2006 category:

- fuel combustion of a power or heat plant (GB/T 4754 division 44, or a firm of sector
  ``power``) → 1.A.1.a; refining (class 2511) → 1.A.1.b; coking, coal processing and coal,
  oil and gas extraction (division 25 otherwise, 06, 07) → 1.A.1.c;
- fuel combustion of any other firm → 1.A.2.a–m by its GB/T 4754-2017 division, following the
  ISIC Rev. 4 divisions IPCC 2006 Vol 2 Ch 2 Table 2.1 gives for each 1.A.2 subcategory
  (:data:`COMBUSTION_BY_DIVISION`; without a code, the firm's sector key decides,
  :data:`COMBUSTION_BY_SECTOR`); a captive power plant stays with its industry (IPCC 2006
  Vol 2 Ch 2 §2.3.3: autoproducers are reported where the fuel is burnt);
- process CO2: clinker → 2.A.1, ammonia → 2.B.1, methanol → 2.B.8 (petrochemicals), other
  carbon balances by the firm's sector (:data:`PROCESS_BY_SECTOR`); CO2 recovered and sold or
  used is deducted from the same category as the firm's process CO2 (IPCC 2006 Vol 3 Ch 3
  §3.2.2.1: CO2 recovered for urea is subtracted from ammonia);
- purchased or exported electricity and heat are scope 2 (indirect): not compared.

The inventory side is the CO2 (not CO2e) of scope-1 records of 1.A.1, 1.A.2 and 2 [t CO2].
Where the inventory reports at a coarser level than a term's category (1.A.2 where the term
is 1.A.2.f), the term is compared at the inventory's level.

The GB/T 4754 ↔ ISIC correspondence used here is this module's own reading, not an official
concordance table: it is flagged ``to_confirm`` in :data:`MAPPING_SOURCE`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nearzero.enterprise.model import TO_CONFIRM, Source

#: The documents the mapping follows; the division table itself is to be confirmed.
MAPPING_SOURCE = Source(
    document="2006 IPCC Guidelines Vol 2 Ch 2 Table 2.1 (ISIC Rev. 4) ↔ GB/T 4754-2017",
    table="category ↔ division",
    year=2006,
    status=TO_CONFIRM,
    note="the division table is read from the ISIC correspondence, not an official concordance",
    zh=(
        "《2006年IPCC国家温室气体清单指南》第2卷第2章表2.1"
        "（《所有经济活动的国际标准行业分类》第4版）↔ GB/T 4754-2017《国民经济行业分类》",
        "清单类别 ↔ 行业大类",
        "",
    ),
)

#: 1.A.1 / 1.A.2 category of fuel combustion by GB/T 4754-2017 division (大类).
COMBUSTION_BY_DIVISION: dict[int, str] = {
    6: "1.A.1.c",  # 煤炭开采和洗选业
    7: "1.A.1.c",  # 石油和天然气开采业
    8: "1.A.2.i",  # 黑色金属矿采选业
    9: "1.A.2.i",  # 有色金属矿采选业
    10: "1.A.2.i",  # 非金属矿采选业
    13: "1.A.2.e",  # 农副食品加工业
    14: "1.A.2.e",  # 食品制造业
    15: "1.A.2.e",  # 酒、饮料和精制茶制造业
    16: "1.A.2.e",  # 烟草制品业
    17: "1.A.2.l",  # 纺织业
    18: "1.A.2.l",  # 纺织服装、服饰业
    19: "1.A.2.l",  # 皮革、毛皮、羽毛及其制品和制鞋业
    20: "1.A.2.j",  # 木材加工和木、竹、藤、棕、草制品业
    22: "1.A.2.d",  # 造纸和纸制品业
    23: "1.A.2.d",  # 印刷和记录媒介复制业
    25: "1.A.1.c",  # 石油、煤炭及其他燃料加工业 (class 2511 refining: 1.A.1.b)
    26: "1.A.2.c",  # 化学原料和化学制品制造业
    27: "1.A.2.c",  # 医药制造业
    28: "1.A.2.c",  # 化学纤维制造业
    30: "1.A.2.f",  # 非金属矿物制品业
    31: "1.A.2.a",  # 黑色金属冶炼和压延加工业
    32: "1.A.2.b",  # 有色金属冶炼和压延加工业
    33: "1.A.2.h",  # 金属制品业
    34: "1.A.2.h",  # 通用设备制造业
    35: "1.A.2.h",  # 专用设备制造业
    36: "1.A.2.g",  # 汽车制造业
    37: "1.A.2.g",  # 铁路、船舶、航空航天和其他运输设备制造业
    38: "1.A.2.h",  # 电气机械和器材制造业
    39: "1.A.2.h",  # 计算机、通信和其他电子设备制造业
    40: "1.A.2.h",  # 仪器仪表制造业
    44: "1.A.1.a",  # 电力、热力生产和供应业
    47: "1.A.2.k",  # 房屋建筑业
    48: "1.A.2.k",  # 土木工程建筑业
    49: "1.A.2.k",  # 建筑安装业
    50: "1.A.2.k",  # 建筑装饰、装修和其他建筑业
}
#: Manufacturing divisions (13–43) not named above: 1.A.2.m 其他工业.
OTHER_INDUSTRY = "1.A.2.m"

#: Fuel combustion of a firm without an industry code, by its sector key.
COMBUSTION_BY_SECTOR: dict[str, str] = {
    "power": "1.A.1.a",
    "power_reporting": "1.A.1.a",
    "cement": "1.A.2.f",
    "building_materials": "1.A.2.f",
    "steel": "1.A.2.a",
    "iron_steel": "1.A.2.a",
    "aluminium": "1.A.2.b",
    "non_ferrous": "1.A.2.b",
    "chemical": "1.A.2.c",
    "nitrogen_fertiliser": "1.A.2.c",
    "methanol": "1.A.2.c",
    "petrochemical": "1.A.1.b",
    "paper": "1.A.2.d",
    "foundry": "1.A.2.a",
}

#: Process CO2 by product (a carbon balance's product, or ``clinker``).
PROCESS_BY_PRODUCT: dict[str, str] = {
    "clinker": "2.A.1",
    "熟料": "2.A.1",
    "水泥熟料": "2.A.1",
    "lime": "2.A.2",
    "石灰": "2.A.2",
    "ammonia": "2.B.1",
    "合成氨": "2.B.1",
    "氨": "2.B.1",
    "methanol": "2.B.8",
    "甲醇": "2.B.8",
    "calcium_carbide": "2.B.5",
    "电石": "2.B.5",
    "soda_ash": "2.B.7",
    "纯碱": "2.B.7",
}

#: Process CO2 of a product not in :data:`PROCESS_BY_PRODUCT`, by the firm's sector key.
PROCESS_BY_SECTOR: dict[str, str] = {
    "cement": "2.A.1",
    "building_materials": "2.A.5",
    "nitrogen_fertiliser": "2.B.1",
    "chemical": "2.B.10",
    "methanol": "2.B.8",
    "petrochemical": "2.B.8",
    "steel": "2.C.1",
    "iron_steel": "2.C.1",
    "foundry": "2.C.1",
    "aluminium": "2.C.3",
    "non_ferrous": "2.C.7",
}

#: Component kinds that are scope 2 (indirect) and never compared.
INDIRECT_KINDS = frozenset({"electricity", "heat"})
#: Inventory categories in the comparison (energy industries, manufacturing, IPPU).
COMPARED_PREFIXES = ("1.A.1", "1.A.2", "2")

REPORTED = "reported"
VERIFIED = "verified"


def within(code: str, prefix: str) -> bool:
    """Whether the dotted IPCC code ``code`` is ``prefix`` or below it."""
    return code == prefix or code.startswith(prefix + ".")


@dataclass(frozen=True)
class Term:
    """One term of one enterprise report, as the cross-check needs it.

    tco2 : the term [t CO2] (a recovered term positive, as reported; it is deducted).
    kind : ``fuel``, ``process``, ``electricity``, ``heat`` or ``recovered``.
    product : a process term's product (``clinker``, ``ammonia``, ``甲醇`` …) or ``""``.
    industry_code : the firm's GB/T 4754 code digits (``"4411"``, ``"30"``) or ``""``.
    sector : the firm's sector key or ``""``.
    basis : ``verified`` (a verified or confirmed report's verified figures) or ``reported``.
    """

    firm: str
    kind: str
    tco2: float
    product: str = ""
    industry_code: str = ""
    sector: str = ""
    basis: str = REPORTED


def combustion_category(industry_code: str, sector: str) -> str:
    """The 1.A.1 / 1.A.2 category of a firm's fuel combustion (see the module rules)."""
    digits = "".join(ch for ch in industry_code if ch.isdigit())
    if len(digits) >= 2:
        if digits.startswith("2511"):
            return "1.A.1.b"
        division = int(digits[:2])
        if division in COMBUSTION_BY_DIVISION:
            return COMBUSTION_BY_DIVISION[division]
        if 13 <= division <= 43:
            return OTHER_INDUSTRY
    return COMBUSTION_BY_SECTOR.get(sector, OTHER_INDUSTRY)


def process_category(product: str, sector: str) -> str | None:
    """The IPPU category of a process term, or None when neither product nor sector says."""
    found = PROCESS_BY_PRODUCT.get(product.strip()) or PROCESS_BY_PRODUCT.get(
        product.strip().lower()
    )
    return found or PROCESS_BY_SECTOR.get(sector)


def category_of(term: Term, firm_process: str | None = None) -> str | None:
    """The IPCC category a term is compared in; None for scope 2 or a process term that
    cannot be placed. ``firm_process`` is the category of the firm's own process CO2 (where a
    recovered term is deducted)."""
    if term.kind in INDIRECT_KINDS:
        return None
    if term.kind == "fuel":
        return combustion_category(term.industry_code, term.sector)
    if term.kind == "process":
        return process_category(term.product, term.sector)
    if term.kind == "recovered":
        return firm_process or process_category("", term.sector)
    return None


@dataclass(frozen=True)
class CrossLine:
    """One category: the inventory's CO2 against the sum of enterprise reports [t CO2].

    difference : inventory − enterprises [t CO2].
    share_pct : enterprises / inventory × 100 [%], None when the inventory has nothing.
    verified_firms, reported_firms : firms counted with verified or reported figures.
    """

    category: str
    inventory_tco2: float
    enterprise_tco2: float
    difference: float
    share_pct: float | None
    verified_firms: tuple[str, ...]
    reported_firms: tuple[str, ...]

    @property
    def basis(self) -> str:
        """``verified``, ``reported``, ``mixed`` or ``""`` (no firm)."""
        if self.verified_firms and self.reported_firms:
            return "mixed"
        if self.verified_firms:
            return VERIFIED
        return REPORTED if self.reported_firms else ""


@dataclass(frozen=True)
class CrossCheck:
    """The table by category, the terms that could not be placed, and what was left out."""

    lines: tuple[CrossLine, ...]
    unplaced: tuple[Term, ...]
    indirect_tco2: float
    source: Source = MAPPING_SOURCE


def inventory_co2(records: Iterable[tuple[str, str, int, float]]) -> dict[str, float]:
    """Scope-1 CO2 [t] of the compared categories from (category, gas, scope, tonnes) rows."""
    out: dict[str, float] = {}
    for category, gas, scope, tonnes in records:
        if gas == "CO2" and scope == 1 and any(within(category, p) for p in COMPARED_PREFIXES):
            out[category] = out.get(category, 0.0) + tonnes
    return out


def _line_code(category: str, inventory_codes: Sequence[str]) -> str:
    """The coarsest inventory code the category lies within, else the category itself."""
    above = [c for c in inventory_codes if within(category, c)]
    return min(above, key=len) if above else category


def crosscheck(inventory: Mapping[str, float], terms: Sequence[Term]) -> CrossCheck:
    """Compare the inventory's CO2 by category with the sum of enterprise report terms.

    Parameters
    ----------
    inventory : mapping of str to float
        Scope-1 CO2 by IPCC category [t CO2] (see :func:`inventory_co2`).
    terms : sequence of Term
        Every term of every enterprise report of the year [t CO2].
    """
    codes = sorted(inventory)
    process_of: dict[str, str] = {}
    for t in terms:
        if t.kind == "process":
            cat = process_category(t.product, t.sector)
            if cat is not None:
                process_of.setdefault(t.firm, cat)
    sums: dict[str, float] = {}
    firms: dict[str, dict[str, str]] = {}
    unplaced: list[Term] = []
    indirect = 0.0
    for t in terms:
        if t.kind in INDIRECT_KINDS:
            indirect += t.tco2
            continue
        cat = category_of(t, process_of.get(t.firm))
        if cat is None:
            unplaced.append(t)
            continue
        line = _line_code(cat, codes)
        sign = -1.0 if t.kind == "recovered" else 1.0
        sums[line] = sums.get(line, 0.0) + sign * t.tco2
        firms.setdefault(line, {})[t.firm] = t.basis
    # every inventory code goes to the most detailed line it lies within
    inv: dict[str, float] = {}
    for code, tonnes in inventory.items():
        holders = [line for line in sums if within(code, line)]
        line = max(holders, key=len) if holders else code
        inv[line] = inv.get(line, 0.0) + tonnes
    lines = []
    for code in sorted({*sums, *inv}, key=_sort_key):
        i, e = inv.get(code, 0.0), sums.get(code, 0.0)
        basis = firms.get(code, {})
        lines.append(
            CrossLine(
                code,
                i,
                e,
                i - e,
                e / i * 100.0 if i else None,
                tuple(sorted(f for f, b in basis.items() if b == VERIFIED)),
                tuple(sorted(f for f, b in basis.items() if b != VERIFIED)),
            )
        )
    return CrossCheck(tuple(lines), tuple(unplaced), indirect)


def _sort_key(code: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in code.split("."))


__all__ = [
    "COMBUSTION_BY_DIVISION",
    "MAPPING_SOURCE",
    "CrossCheck",
    "CrossLine",
    "Term",
    "category_of",
    "combustion_category",
    "crosscheck",
    "inventory_co2",
    "process_category",
]
