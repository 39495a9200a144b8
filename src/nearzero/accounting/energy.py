"""Energy: fuel combustion (CO2, CH4, N2O) and indirect electricity and heat.

Equations
---------
- 省级温室气体清单编制指南（试行）第一章 能源活动: CO2 = 消费量 × 低位发热量 ×
  单位热值含碳量 × 碳氧化率 × 44/12.
- IPCC 2006 Vol 2 Ch 2 Eq 2.1: Emissions = Fuel consumed [TJ] × EF [kg/TJ], where the
  default CO2 EF is carbon content × 44/12 with oxidation 1 (Vol 2 Ch 1 Table 1.4).
- Tier 1 CH4 and N2O factors depend on the source category. Stationary (Vol 2 Ch 2
  §2.3.2.1): Table 2.2 energy industries (1.A.1), Table 2.3 manufacturing industries and
  construction (1.A.2), Table 2.4 commercial/institutional (1.A.4.a), Table 2.5 residential
  and agriculture/forestry/fishing (1.A.4.b, 1.A.4.c). Mobile (Vol 2 Ch 3): Table 3.2.2 road
  (1.A.3.b, Eq 3.2.3), Table 3.3.1 off-road machinery (1.A.3.e.ii, 1.A.2.g.vii, 1.A.4.b.ii,
  1.A.4.c.ii), Table 3.4.1 railways (1.A.3.c), Table 3.5.3 navigation (1.A.3.d), Table 3.6.5
  civil aviation (1.A.3.a). The library holds them under the subject ``<fuel>|<table key>``
  (e.g. ``原煤|manufacturing``, ``柴油|road``); see :func:`default_tables`. Where a table
  splits a fuel by emission control (road gasoline: uncontrolled, oxidation catalyst, low-
  mileage light-duty vehicles of 1995 or later) the row names it in ``params.control`` and
  the subject is ``<fuel>|<table>_<control>``.
- Indirect (GPC scope 2): electricity or heat supplied by the grid × grid factor of
  the inventory year (MEE/NBS 电力二氧化碳排放因子 announcements).
"""

from __future__ import annotations

from nearzero.accounting.context import Method, MethodFn, RowContext
from nearzero.accounting.factors import LOCAL_STATUS
from nearzero.accounting.model import CO2_PER_C, ActivityRow, GasAmount

#: IPCC 2006 Vol 2 default CH4/N2O tables: library subject suffix → (table, the categories
#: it covers).
DEFAULT_TABLES: dict[str, tuple[str, str]] = {
    "energy_industries": ("Table 2.2", "1.A.1"),
    "manufacturing": ("Table 2.3", "1.A.2"),
    "commercial": ("Table 2.4", "1.A.4.a"),
    "residential": ("Table 2.5", "1.A.4.b, 1.A.4.c"),
    "road": ("Table 3.2.2", "1.A.3.b"),
    "off_road": ("Table 3.3.1", "1.A.3.e.ii, 1.A.2.g.vii, 1.A.4.b.ii, 1.A.4.c.ii"),
    "railways": ("Table 3.4.1", "1.A.3.c"),
    "navigation": ("Table 3.5.3", "1.A.3.d"),
    "aviation": ("Table 3.6.5", "1.A.3.a"),
}
#: Off-road machinery within stationary categories (Vol 2 Ch 3 §3.3), checked first.
OFF_ROAD_CATEGORIES = ("1.A.3.e.ii", "1.A.2.g.vii", "1.A.4.b.ii", "1.A.4.c.ii")
#: Mobile categories by their one table.
MOBILE_CATEGORIES = {
    "1.A.3.a": "aviation",
    "1.A.3.b": "road",
    "1.A.3.c": "railways",
    "1.A.3.d": "navigation",
}


def _within(category: str, code: str) -> bool:
    return category == code or category.startswith(f"{code}.")


def default_tables(category: str) -> tuple[str, ...]:
    """Keys of the IPCC 2006 Vol 2 default CH4/N2O tables for a category (pure).

    Stationary: Table 2.2 for 1.A.1, 2.3 for 1.A.2, 2.4 for 1.A.4.a, 2.5 for 1.A.4.b and
    1.A.4.c (Ch 2 §2.3.2.1); 1.A.4 given whole spans Tables 2.4 and 2.5. Mobile (Ch 3): road
    1.A.3.b, railways 1.A.3.c, navigation 1.A.3.d, aviation 1.A.3.a, and off-road machinery
    wherever it is reported (1.A.3.e.ii, 1.A.2.g.vii, 1.A.4.b.ii, 1.A.4.c.ii). A category given
    too coarsely to choose (1.A.3, 1.A.3.e, 1.A.5) has none.

    Parameters
    ----------
    category : str
        Dotted IPCC 2006 category code, e.g. ``"1.A.2.f"``.
    """
    if any(_within(category, code) for code in OFF_ROAD_CATEGORIES):
        return ("off_road",)
    for code, table in MOBILE_CATEGORIES.items():
        if _within(category, code):
            return (table,)
    if _within(category, "1.A.1"):
        return ("energy_industries",)
    if _within(category, "1.A.2"):
        return ("manufacturing",)
    if _within(category, "1.A.4.a"):
        return ("commercial",)
    if _within(category, "1.A.4.b") or _within(category, "1.A.4.c"):
        return ("residential",)
    if category == "1.A.4":
        return ("commercial", "residential")
    return ()


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
            ef = _default_ef(row, ctx, f"ef_{gas.lower()}")
            out.append(GasAmount(gas, emissions_from_ef(energy, ef)))
    return out


def _default_ef(row: ActivityRow, ctx: RowContext, parameter: str) -> float:
    """CH4 or N2O factor of a fuel row [t/GJ]: the row's own, else the category's table.

    A local (Tier 2) library factor for the bare fuel applies to every table unless a local
    factor for ``<fuel>|<table>`` is more specific. Where 1.A.4 spans Tables 2.4 and 2.5
    the two must agree for the fuel, else the row must name its sub-category. Where the
    table splits the fuel by emission control, ``params.control`` chooses the row.
    """
    if parameter in row.factors:
        return ctx.factor(parameter, "t/GJ")
    tables = default_tables(row.category)
    if not tables:
        raise row.error(
            "category",
            f"{row.category}不在缺省CH4/N2O排放因子表（IPCC 2006第2卷表2.2-2.5和3.2.2-3.6.5）"
            f"范围内：请填写子类别、本行自己的factors.{parameter}（注明出处），或只报告CO2 — "
            f"{row.category} is not covered by a default CH4/N2O table (IPCC 2006 Vol 2 Tables "
            "2.2-2.5 and 3.2.2-3.6.5 need 1.A.1, 1.A.2, 1.A.3.a-d, 1.A.3.e.ii or 1.A.4.a-c): "
            f"give the sub-category, or the row's own factors.{parameter} with its source, or "
            "report CO2 only",
        )
    control = ctx.text("control", "")
    keys = {t: f"{t}_{control}" if control else t for t in tables}
    found = {t: ctx.library.find(parameter, f"{row.subject}|{k}") for t, k in keys.items()}
    if not any(found.values()) and not control:
        _need_control(row, ctx, parameter, tables)
    values = {(r.value, r.unit) for r in found.values() if r is not None}
    if len(values) > 1:
        listed = ", ".join(
            f"{DEFAULT_TABLES[t][0]} {r.value:g} {r.unit}" for t, r in found.items() if r
        )
        raise row.error(
            "category",
            f"{row.category}跨表2.4和表2.5，两表中{row.subject!r}的{parameter}不同（{listed}）："
            f"请填写1.A.4.a、1.A.4.b或1.A.4.c，或factors.{parameter} — "
            f"{row.category} spans Tables 2.4 and 2.5, whose {parameter} for {row.subject!r} "
            f"differ ({listed}): give 1.A.4.a, 1.A.4.b or 1.A.4.c, or factors.{parameter}",
        )
    table = next((t for t, r in found.items() if r is not None), tables[0])
    subject = f"{row.subject}|{keys[table]}"
    general = ctx.library.find(parameter, row.subject)
    specific = found[table]
    if (
        general is not None
        and general.status == LOCAL_STATUS
        and (specific is None or specific.status != LOCAL_STATUS)
    ):
        subject = row.subject
    elif specific is None and control:
        choices = _controls(ctx, parameter, row.subject, table)
        raise row.error(
            "params.control",
            f"{control!r}不是{DEFAULT_TABLES[table][0]}中{row.subject!r}的排放控制方式，应为"
            f"{'、'.join(choices) or '（无：不填control）'}之一 — "
            f"{control!r} is not an emission control of {DEFAULT_TABLES[table][0]} for "
            f"{row.subject!r}: expected one of {', '.join(choices) or '(none: omit control)'}",
        )
    return ctx.factor(parameter, "t/GJ", subject=subject)


def _controls(ctx: RowContext, parameter: str, fuel: str, table: str) -> list[str]:
    """The emission-control variants the library holds for ``fuel`` in ``table``."""
    prefix = f"{fuel}|{table}_"
    return sorted(s[len(prefix) :] for s in ctx.library.subjects(parameter) if s.startswith(prefix))


def _need_control(
    row: ActivityRow, ctx: RowContext, parameter: str, tables: tuple[str, ...]
) -> None:
    """Raise when the fuel's default is split by emission control and the row names none."""
    for table in tables:
        choices = _controls(ctx, parameter, row.subject, table)
        if choices:
            raise row.error(
                "params.control",
                f"{DEFAULT_TABLES[table][0]}按排放控制方式给出{row.subject!r}的{parameter}："
                f"请在params.control中填写{'、'.join(choices)}之一 — "
                f"{DEFAULT_TABLES[table][0]} gives {parameter} for {row.subject!r} by emission "
                f"control: name it in params.control, one of {', '.join(choices)}",
            )


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
        "省级指南 第一章; IPCC 2006 Vol 2 Ch 2 Eq 2.1, CH4/N2O by Tables 2.2-2.5",
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
