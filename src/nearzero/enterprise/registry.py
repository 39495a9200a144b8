"""Enterprise registry: unified social credit code, industry code, firms and facilities.

- GB 32100-2015《法人和其他组织统一社会信用代码编码规则》: 18 characters from the set
  ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z); characters 3–8 are the registering
  authority's administrative-division code (digits); character 18 is a check character,
  C18 = 31 − (Σ Ci × Wi mod 31) with Wi = 3^(i−1) mod 31 (31 maps to 0).
- GB/T 4754-2017《国民经济行业分类》: a section letter A–T, a division of 2 digits, a group
  of 3 and a class of 4 (e.g. ``C3011`` 水泥制造); only the shape and the section's division
  range are checked here, not that the class exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from nearzero.enterprise.data import load_yaml
from nearzero.enterprise.model import EnterpriseError, Source

#: GB 32100-2015 character set, in code-value order (value = index).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: GB 32100-2015 weights of characters 1–17: 3^(i−1) mod 31.
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

#: GB/T 4754-2017 sections (门类) and their divisions (大类), inclusive.
SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters of a code."""
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=False)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(code: str, field_name: str = "credit_code") -> str:
    """The code upper-cased if it is a valid unified social credit code, else an error.

    Parameters
    ----------
    code : str
        The 18-character code as printed on the business licence.
    field_name : str
        The field to name in the error.
    """
    text = code.strip().upper()
    if len(text) != 18:
        raise EnterpriseError(
            field_name,
            f"{code!r}为{len(text)}位（应为18位，GB 32100-2015） — "
            f"{code!r} has {len(text)} characters (expected 18, GB 32100-2015)",
        )
    bad = sorted({c for c in text if c not in CREDIT_CODE_CHARS})
    if bad:
        raise EnterpriseError(
            field_name,
            f"{code!r}含有{'、'.join(repr(c) for c in bad)}（应为数字及字母A-H J-N P-R T U W-Y；"
            "不使用I、O、S、V、Z） — "
            f"{code!r} contains {', '.join(repr(c) for c in bad)} (expected digits and the "
            "letters A-H J-N P-R T U W-Y; I, O, S, V and Z are never used)",
        )
    if not text[2:8].isdigit():
        raise EnterpriseError(
            field_name,
            f"{code!r}：第3-8位应为行政区划代码（6位数字） — "
            f"{code!r}: characters 3-8 must be the administrative-division code (6 digits)",
        )
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        raise EnterpriseError(
            field_name,
            f"{code!r}：校验码为{text[17]!r}，按GB 32100-2015计算应为{expected!r}（有字符输错） — "
            f"{code!r}: check character is {text[17]!r}, the GB 32100-2015 checksum gives "
            f"{expected!r} (a character was mistyped)",
        )
    return text


@dataclass(frozen=True)
class IndustryCode:
    """A GB/T 4754-2017 code: section letter (when given), the digits, and its level."""

    section: str
    digits: str

    @property
    def level(self) -> str:
        """``division`` (2 digits), ``group`` (3) or ``class`` (4)."""
        return {2: "division", 3: "group", 4: "class"}[len(self.digits)]

    @property
    def division(self) -> int:
        """The division (大类) number."""
        return int(self.digits[:2])

    def __str__(self) -> str:
        return f"{self.section}{self.digits}"

    def within(self, prefix: str) -> bool:
        """Whether this code lies under ``prefix`` (digits, e.g. ``"30"`` or ``"3011"``)."""
        return self.digits.startswith(prefix)


def section_of(division: int) -> str:
    """The GB/T 4754-2017 section letter of a division number."""
    for letter, (first, last) in SECTIONS.items():
        if first <= division <= last:
            return letter
    raise KeyError(division)


def validate_industry_code(code: str, field_name: str = "industry_code") -> IndustryCode:
    """A GB/T 4754-2017 code of the right shape (``C3011``, ``3011``, ``301`` or ``30``)."""
    text = code.strip().upper()
    letter = text[:1] if text[:1].isalpha() else ""
    digits = text[len(letter) :]
    expected = "a section letter A-T (optional) and 2 to 4 digits, e.g. C3011 (GB/T 4754-2017)"
    if not digits.isdigit() or not 2 <= len(digits) <= 4:
        raise EnterpriseError(
            field_name,
            f"{code!r}不是国民经济行业代码：应为门类字母A-T（可省略）加2至4位数字，如C3011"
            f"（GB/T 4754-2017） — {code!r} is not an industry code: expected {expected}",
        )
    division = int(digits[:2])
    try:
        section = section_of(division)
    except KeyError:
        raise EnterpriseError(
            field_name,
            f"{code!r}：大类{digits[:2]}不存在（01-97） — "
            f"{code!r}: division {digits[:2]} does not exist (01-97)",
        ) from None
    if letter and letter != section:
        first, last = SECTIONS.get(letter, (0, 0))
        raise EnterpriseError(
            field_name,
            f"{code!r}：大类{digits[:2]}属于门类{section}，不属于{letter}"
            + (f"（门类{letter}为{first:02d}-{last:02d}）" if first else "")
            + f" — {code!r}: division {digits[:2]} belongs to section {section}, not {letter}"
            + (f" (section {letter} holds {first:02d}-{last:02d})" if first else ""),
        )
    return IndustryCode(section, digits)


@dataclass(frozen=True)
class Facility:
    """A facility of a firm: a generating unit, kiln or line, with its capacity."""

    key: str
    name_zh: str
    kind: str
    capacity: Decimal | None = None
    capacity_unit: str = ""
    status: str = "operating"
    clause: str = ""


#: The sector keys a firm may carry (``firms.yaml``, ``sectors.csv``, the cross-check's
#: category maps) as Chinese and English names; a key not listed is shown as it was typed.
SECTOR_NAMES: dict[str, tuple[str, str]] = {
    "power": ("发电", "power generation"),
    "power_reporting": ("电力", "power"),
    "cement": ("水泥", "cement"),
    "building_materials": ("建材", "building materials"),
    "steel": ("钢铁", "steel"),
    "iron_steel": ("钢铁", "iron and steel"),
    "aluminium": ("铝冶炼", "aluminium smelting"),
    "non_ferrous": ("有色金属", "non-ferrous metals"),
    "chemical": ("化工", "chemicals"),
    "nitrogen_fertiliser": ("氮肥（合成氨）", "nitrogen fertiliser (ammonia)"),
    "methanol": ("甲醇", "methanol"),
    "petrochemical": ("石化", "petrochemicals"),
    "paper": ("造纸", "paper"),
    "foundry": ("铸造", "foundry"),
    "aviation": ("民航", "civil aviation"),
}


def sector_name(key: str | None, lang: str = "zh") -> str:
    """A sector key as its name in ``lang`` (``zh`` or ``en``); an unknown key as it is,
    none as ``—``."""
    if not key:
        return "—"
    names = SECTOR_NAMES.get(key)
    if names is None:
        return key
    return names[1] if lang == "en" else names[0]


@dataclass(frozen=True)
class Firm:
    """An enterprise of a demonstration unit.

    ``credit_code`` is ``None`` when it is not known (never invented). ``illustrative`` firms
    are examples (示例), not real records.
    """

    key: str
    name_zh: str
    sector: str | None = None
    credit_code: str | None = None
    industry_code: IndustryCode | None = None
    subdistrict: str = ""
    facilities: tuple[Facility, ...] = ()
    illustrative: bool = False
    name_is_full: bool = True
    source: Source | None = None
    clauses: tuple[str, ...] = ()

    @property
    def label_zh(self) -> str:
        """The name, marked 示例 when the firm is illustrative."""
        return f"{self.name_zh}（示例）" if self.illustrative else self.name_zh


def _decimal(value: Any, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise EnterpriseError(
            field_name, f"{value!r}不是数字 — {value!r} is not a number"
        ) from None


def firm_from_mapping(data: dict[str, Any], field_name: str, source: Source | None) -> Firm:
    """A :class:`Firm` from a parsed mapping (YAML or JSON); errors name the field."""
    name = str(data.get("name_zh") or "").strip()
    if not name:
        raise EnterpriseError(
            f"{field_name}.name_zh", "缺少企业名称 — missing (expected the firm's name)"
        )
    code = data.get("credit_code")
    industry = data.get("industry_code")
    facilities = []
    for i, raw in enumerate(data.get("facilities") or []):
        where = f"{field_name}.facilities[{i}]"
        if not isinstance(raw, dict) or not raw.get("key"):
            raise EnterpriseError(
                f"{where}.key", "缺少设施编号 — missing (expected a facility key)"
            )
        facilities.append(
            Facility(
                key=str(raw["key"]),
                name_zh=str(raw.get("name_zh") or raw["key"]),
                kind=str(raw.get("kind") or "unit"),
                capacity=_decimal(raw.get("capacity"), f"{where}.capacity"),
                capacity_unit=str(raw.get("capacity_unit") or ""),
                status=str(raw.get("status") or "operating"),
                clause=str(raw.get("clause") or ""),
            )
        )
    return Firm(
        key=str(data.get("key") or name),
        name_zh=name,
        sector=str(data["sector"]) if data.get("sector") else None,
        credit_code=validate_credit_code(str(code), f"{field_name}.credit_code") if code else None,
        industry_code=(
            validate_industry_code(str(industry), f"{field_name}.industry_code")
            if industry
            else None
        ),
        subdistrict=str(data.get("subdistrict") or ""),
        facilities=tuple(facilities),
        illustrative=bool(data.get("illustrative", False)),
        name_is_full=bool(data.get("name_in_plan_is_full", True)),
        source=source,
        clauses=tuple(str(c) for c in data.get("clauses") or ()),
    )


def bundled_firms() -> tuple[Firm, ...]:
    """The firms the Zhangqiu plan names (``data/enterprise/firms.yaml``)."""
    data, version = load_yaml("firms.yaml")
    meta = data.get("source") or {}
    source = Source(
        document=str(meta.get("document", "")),
        year=int(meta["year"]) if meta.get("year") else None,
        status=str(meta.get("status", "")),
        file="data/enterprise/firms.yaml",
        version=version,
    )
    return tuple(
        firm_from_mapping(raw, f"firms[{i}]", source) for i, raw in enumerate(data["firms"])
    )
