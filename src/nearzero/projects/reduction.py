"""Expected annual CO2 reduction of a key project from its own figures and cited parameters.

Small pure functions on :mod:`pint` quantities (units in brackets in each docstring), and
:func:`expected_reduction`, which reads a project's figures, picks each parameter (the
project's own figure first, then the shipped table), calls the formula and records every
parameter it used. A parameter without a confirmed value raises :class:`MissingParameter`.

The figures are a mapping such as ``{"kind": "pv", "capacity": 10.08}``: a number is in the
unit :data:`FIGURE_UNITS` gives for the field, a text carries its own unit (``"5500 亩"``,
``"10080 kW"``). ``source`` names where the figures come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pint

from nearzero.accounting.factors import FactorLibrary
from nearzero.projects.choices import (
    CAVEAT_PAGE_TEXTS,
    CAVEAT_TEXTS,
    EQUATION_ZH,
    FIGURE_LABELS,
    amount_text,
)
from nearzero.projects.parameters import (
    Label,
    MissingParameter,
    Parameter,
    ReductionError,
    from_factor,
    project_figure,
)
from nearzero.units import UnitError, parse_unit, ureg

Q = pint.Quantity
#: Mass ratio of CO2 to C (44/12), IPCC 2006 Vol 2 Ch 1 Eq. 1.1 (CO2 = C × 44/12).
CO2_PER_C = 44.0 / 12.0

KINDS = ("pv", "storage", "gas_chp", "ccu", "waste_to_energy", "afforestation")
CCU_USES = ("urea", "liquid_co2")

#: The unit of each figure when it is given as a plain number.
FIGURE_UNITS: dict[str, str] = {
    "capacity": "MW",
    "full_load_hours": "h/a",
    "generation": "MWh/a",
    "shifted_renewable": "MWh/a",
    "coal_efficiency": "dimensionless",
    "gas_efficiency": "dimensionless",
    "captured": "t/a",
    "design_capacity": "t/a",
    "permanent_share": "dimensionless",
    "net_export": "MWh/a",
    "waste": "t/a",
    "fossil_co2_per_t": "t/t",
    "area": "hectare",
    "sink_rate": "t/ha/a",
    "growth": "t/ha/a",
    "root_shoot": "dimensionless",
}

#: MSW components whose fossil carbon IPCC 2006 Vol 5 Ch 2 Table 2.4 gives per component, by
#: their subject in ``factors/ipcc2006_waste.csv`` (dm, CF and FCF rows ``ipcc2006_dm_<c>`` …).
WASTE_CARBON_COMPONENTS = (
    "paper",
    "textiles",
    "food",
    "wood",
    "garden",
    "nappies",
    "rubber_leather",
    "plastics",
    "other_inert",
)
#: Components without carbon (Table 2.4 gives no carbon content for glass and metal).
WASTE_INERT_COMPONENTS = ("glass", "metal")
#: Default MSW composition of :func:`fossil_co2_per_tonne` (rows ``waste_composition_<region>_<c>``
#: of the parameter table): China's own row of the IPCC composition table.
DEFAULT_WASTE_COMPOSITION = "cn"
#: Factor-library row of the carbon fraction of wood (IPCC 2006 Vol 4 Ch 4 Table 4.3), the one
#: the inventory's forest category uses.
WOOD_CARBON_FRACTION = "ipcc2006_carbon_fraction_wood"


# --------------------------------------------------------------------------- formulas


def _to(value: Any, unit: str) -> Q[Any]:
    """``value`` (a pint expression) in ``unit``; one typed exit for the formulas below."""
    out: Q[Any] = value.to(unit)
    return out


def generation(capacity: Q[Any], full_load_hours: Q[Any]) -> Q[Any]:
    """Annual generation [MWh/a] = capacity [MW] × full-load (equivalent) hours [h/a]."""
    return _to(capacity * full_load_hours, "MWh/a")


def avoided_grid_emissions(energy: Q[Any], grid_factor: Q[Any]) -> Q[Any]:
    """Avoided emissions [t/a] = electricity displacing the grid [MWh/a] × grid factor [t/MWh].

    ER = EG × EF_grid,y, the structure of the CDM/CCER grid-connected renewable methodologies
    (ACM0002) that the provincial PV methodologies follow, with the MEE/NBS average grid
    factor of year y.
    """
    return _to(energy * grid_factor, "t/a")


def unit_emission_factor(carbon_content: Q[Any], efficiency: Q[Any]) -> Q[Any]:
    """CO2 per MWh of electricity [t/MWh] of a unit burning a fuel.

    EF = CC [kg C/GJ] × 44/12 × 3.6 [GJ/MWh] / η, with oxidation 1 as IPCC 2006 Vol 2 Ch 1
    Table 1.4 assumes; CC from Vol 2 Ch 1 Table 1.3; η the unit's net electrical efficiency.
    """
    if not 0 < efficiency.to("dimensionless").magnitude <= 1:
        raise ReductionError(
            f"efficiency: 发电效率应为(0, 1]之间的比例，而不是{efficiency:~P} — "
            f"expected a fraction in (0, 1], got {efficiency:~P}"
        )
    energy_per_mwh = ureg.Quantity(1, "MWh").to("GJ") / ureg.Quantity(1, "MWh")
    return _to(carbon_content * CO2_PER_C * energy_per_mwh / efficiency, "t/MWh")


def fuel_switch_reduction(energy: Q[Any], ef_replaced: Q[Any], ef_new: Q[Any]) -> Q[Any]:
    """Reduction [t/a] = generation [MWh/a] × (EF of the replaced units − EF of the new) [t/MWh]."""
    return _to(energy * (ef_replaced - ef_new), "t/a")


def stored_share_of_capture(captured: Q[Any], permanent_share: Q[Any]) -> Q[Any]:
    """The part of captured CO2 [t/a] kept out of the atmosphere = captured × permanent share.

    Captured CO2 used for urea is released when the urea is applied (IPCC 2006 Vol 4 Ch 11,
    §11.4, Eq. 11.13), and liquid CO2 sold to industry is mostly released soon after use, so
    the share is 0 for urea and only a documented end use justifies more.
    """
    share = permanent_share.to("dimensionless").magnitude
    if not 0 <= share <= 1:
        raise ReductionError(
            f"permanent_share: 永久封存比例应在[0, 1]之间，而不是{share:g} — "
            f"expected a fraction in [0, 1], got {share:g}"
        )
    return _to(captured * permanent_share, "t/a")


def waste_to_energy_reduction(
    net_export: Q[Any], grid_factor: Q[Any], waste: Q[Any], fossil_co2_per_t: Q[Any]
) -> Q[Any]:
    """Net reduction [t/a] = net exported electricity [MWh/a] × grid factor [t/MWh]
    − waste burnt [t/a] × fossil CO2 of the waste [t CO2/t].

    The fossil CO2 per tonne is IPCC 2006 Vol 5 Ch 5 Eq. 5.1 (dm × CF × FCF × OF × 44/12 over
    the waste's components); biogenic CO2 is not counted. Landfill methane avoided is not
    credited here.
    """
    return _to(avoided_grid_emissions(net_export, grid_factor) - waste * fossil_co2_per_t, "t/a")


def fossil_co2_per_tonne(
    components: list[tuple[Q[Any], Q[Any], Q[Any], Q[Any]]], oxidation: Q[Any]
) -> Q[Any]:
    """Fossil CO2 per tonne of wet MSW burnt [t CO2/t].

    EF = Σ_j WF_j × dm_j × CF_j × FCF_j × OF × 44/12, IPCC 2006 Vol 5 Ch 5 Eq. 5.2 (Eq. 5.1 for
    MSW by composition) divided by the mass burnt; ``components`` are (WF_j share of the wet
    waste, dm_j dry matter of the wet weight, CF_j carbon of the dry matter, FCF_j fossil share
    of the carbon), all fractions; OF the oxidation factor. Components without carbon (glass,
    metal) are left out.
    """
    shares = sum(float(wf.to("dimensionless").magnitude) for wf, _, _, _ in components)
    if shares > 1.0 + 1e-6:
        raise ReductionError(
            f"waste composition: 垃圾组分比例合计{shares:g}，超过1 — "
            f"shares add up to {shares:g}, more than 1"
        )
    carbon = sum(
        (wf * dm * cf * fcf for wf, dm, cf, fcf in components), ureg.Quantity(0.0, "dimensionless")
    )
    return _to(carbon * oxidation * CO2_PER_C, "t/t")


def gain_method_sink_rate(growth: Q[Any], root_shoot: Q[Any], carbon_fraction: Q[Any]) -> Q[Any]:
    """Annual removal per hectare [t CO2/ha/a] = G_W × (1 + R) × CF × 44/12.

    The gain method of IPCC 2006 Vol 4 Ch 2: Eq. 2.10 (G_TOTAL = G_W × (1 + R), with G_W the
    above-ground biomass growth [t d.m./ha/a] and R the ratio of below- to above-ground biomass)
    and Eq. 2.9 (ΔC_G = A × G_TOTAL × CF, CF the carbon fraction of dry matter [t C/t d.m.]),
    converted to CO2 by 44/12.
    """
    if root_shoot.to("dimensionless").magnitude < 0:
        raise ReductionError(
            f"root_shoot: 根茎比不得为负，而不是{root_shoot:~P} — "
            f"must not be negative, got {root_shoot:~P}"
        )
    if not 0 < carbon_fraction.to("dimensionless").magnitude <= 1:
        raise ReductionError(
            f"carbon fraction: 含碳率应为(0, 1]之间的比例，而不是{carbon_fraction} — "
            f"expected a fraction in (0, 1], got {carbon_fraction}"
        )
    return _to(growth * (1 + root_shoot) * carbon_fraction * CO2_PER_C, "t/ha/a")


def afforestation_sink(area: Q[Any], sink_rate: Q[Any]) -> Q[Any]:
    """Annual removal [t CO2/a] = planted area [ha] × sink rate [t CO2/ha/a].

    The sink rate is the project's measured one or :func:`gain_method_sink_rate` for the
    species and age planted; 1 亩 = 1/15 ha.
    """
    return _to(area * sink_rate, "t/a")


# --------------------------------------------------------------------------- orchestration


@dataclass(frozen=True)
class Caveat:
    """What a reduction does not cover or leans on, in Chinese and English (the report and
    the zh pages read ``zh``; ``str()`` is the English). ``zh_page`` and ``en_page`` are
    what a page shows where ``zh`` and ``en`` name parameters by id: their names instead."""

    code: str
    zh: str
    en: str
    zh_page: str = ""
    en_page: str = ""

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def page_text(self, lang: str = "zh") -> str:
        """The caveat as a page in ``lang`` shows it (parameters by name, not id)."""
        if lang == "en":
            return self.en_page or self.en
        return self.zh_page or self.zh

    def __str__(self) -> str:
        return self.en


def caveat(code: str, **values: object) -> Caveat:
    """The caveat ``code`` of :data:`~nearzero.projects.choices.CAVEAT_TEXTS`, filled in."""
    zh, en = CAVEAT_TEXTS[code]
    zh_page, en_page = CAVEAT_PAGE_TEXTS.get(code, ("", ""))
    return Caveat(
        code,
        zh.format(**values),
        en.format(**values),
        zh_page.format(**values),
        en_page.format(**values),
    )


@dataclass(frozen=True)
class Reduction:
    """An expected annual reduction and everything that produced it.

    ``reduction_t`` is what counts toward the targets [t CO2/a]; ``captured_t`` is the CO2
    captured by a capture project [t/a], reported apart and never as permanent removal.
    """

    kind: str
    reduction_t: float | None
    equation: str
    parameters: tuple[Parameter, ...]
    captured_t: float | None = None
    caveats: tuple[Caveat, ...] = field(default_factory=tuple)
    #: (parameter, figure) still missing when ``reduction_t`` is None (e.g. a CCU end use).
    missing: tuple[tuple[str, str], ...] = ()

    def equation_in(self, lang: str = "zh") -> str:
        """The equation as a page in ``lang`` shows it (its words in Chinese on zh pages)."""
        return self.equation if lang == "en" else EQUATION_ZH.get(self.equation, self.equation)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "reduction_t": self.reduction_t,
            "captured_t": self.captured_t,
            "equation": self.equation,
            "parameters": [p.to_dict() for p in self.parameters],
            "caveats": [c.en for c in self.caveats],
            "caveats_zh": [c.zh for c in self.caveats],
            "missing": [{"parameter": p, "figure": f} for p, f in self.missing],
        }


class _Reader:
    """Reads a project's figures and the parameters, recording each one used."""

    def __init__(
        self,
        figures: Mapping[str, Any],
        parameters: Mapping[str, Parameter],
        factors: FactorLibrary,
        labels: Mapping[str, Label] | None = None,
    ) -> None:
        self.figures = figures
        self.parameters = parameters
        self.factors = factors
        self.labels = labels or {}
        self.used: list[Parameter] = []
        self.proxies: list[Caveat] = []
        self.missing: list[MissingParameter] = []
        self.source = str(figures.get("source", ""))  # empty: "project figures"

    def figure(self, name: str) -> Q[Any] | None:
        """The project's figure ``name`` in :data:`FIGURE_UNITS`, or None when not given."""
        raw = self.figures.get(name)
        if raw is None or raw == "":
            return None
        unit = FIGURE_UNITS[name]
        try:
            if isinstance(raw, bool):
                raise ValueError
            if isinstance(raw, int | float):
                value = ureg.Quantity(float(raw), parse_unit(unit))
            else:
                number, _, text_unit = str(raw).strip().partition(" ")
                value = ureg.Quantity(float(number), parse_unit(text_unit.strip() or unit))
            value = value.to(parse_unit(unit))
        except (ValueError, UnitError, pint.errors.DimensionalityError):
            raise ReductionError(
                f"figures.{name}: 应为以{unit}计的数字或如“12 {unit}”的文字，而不是“{raw}” — "
                f"expected a number in {unit} or a text like '12 {unit}', got {raw!r}"
            ) from None
        self.used.append(project_figure(name, float(value.magnitude), unit, self.source))
        return value

    def missing_input(self, exc: MissingParameter, unit: str) -> Q[Any]:
        """Record a missing input and stand in 1 [unit] for it, so that the formula runs on
        and every other missing input is found too; :func:`expected_reduction` then raises."""
        self.missing.append(exc)
        return ureg.Quantity(1.0, parse_unit(unit))

    def need(self, name: str) -> Q[Any]:
        """A figure the formula cannot do without (there is no default)."""
        value = self.figure(name)
        if value is None:
            return self.missing_input(
                MissingParameter(
                    f"figures.{name}: 须填写本工程的“{name}”[{FIGURE_UNITS[name]}]，"
                    f"无默认值 — the project's own {name} [{FIGURE_UNITS[name]}] is "
                    "needed; there is no default",
                    f"figures.{name}",
                    name,
                ),
                FIGURE_UNITS[name],
            )
        return value

    def figure_or_parameter(self, name: str, parameter_id: str) -> Q[Any]:
        """The project's figure ``name``, else the shipped parameter ``parameter_id``."""
        return self.figure_or_parameters(name, parameter_id)

    def figure_or_parameters(self, name: str, preferred: str, *proxies: str) -> Q[Any]:
        """The project's figure ``name``, else the ``preferred`` parameter, else the first of
        ``proxies`` with a confirmed value (recorded as a caveat: a proxy, not the value the
        formula asks for). When none has a value, ``preferred`` is recorded as missing."""
        value = self.figure(name)
        if value is not None:
            return value
        for candidate in (preferred, *proxies):
            param = self.parameters.get(candidate)
            if param is not None and param.value is not None:
                if candidate != preferred:
                    wanted = self.parameters.get(preferred)
                    self.proxies.append(
                        caveat(
                            "proxy",
                            preferred=preferred,
                            preferred_zh=wanted.name("zh") if wanted else preferred,
                            preferred_en=wanted.name("en") if wanted else preferred,
                            candidate=candidate,
                            candidate_zh=param.name("zh"),
                            candidate_en=param.name("en"),
                            value=f"{param.value:g}",
                            unit=param.unit,
                            amount_zh=amount_text(param.value, param.unit),
                            amount_en=amount_text(param.value, param.unit, "en"),
                            source=param.source,
                            source_zh=param.source_in("zh"),
                            figure=name,
                            figure_zh=FIGURE_LABELS.get(name, (name, name))[0],
                            figure_en=FIGURE_LABELS.get(name, (name, name))[1],
                        )
                    )
                self.used.append(param)
                return ureg.Quantity(param.value, parse_unit(param.unit))
        param = self.parameters.get(preferred)
        if param is None:
            exc = MissingParameter(
                f"{preferred}: 参数表中没有该参数 — not in the parameter table", preferred, name
            )
            return self.missing_input(exc, FIGURE_UNITS[name])
        return self.missing_input(param.missing(name), param.unit)

    def factor(self, factor_id: str) -> Q[Any]:
        param = from_factor(self.factors.by_id(factor_id), self.labels)
        self.used.append(param)
        return ureg.Quantity(param.require(factor_id), parse_unit(param.unit))

    def grid(self, grid: Parameter) -> Q[Any]:
        self.used.append(grid)
        return ureg.Quantity(grid.require("grid_factor"), parse_unit(grid.unit))

    def result(
        self,
        kind: str,
        reduction: Q[Any] | None,
        equation: str,
        *extra: Caveat,
        captured: Q[Any] | None = None,
        missing: tuple[tuple[str, str], ...] = (),
    ) -> Reduction:
        caveats = [
            caveat(
                "to_confirm",
                id=p.id,
                name_zh=p.name("zh"),
                name_en=p.name("en"),
                value=f"{p.value:g}",
                unit=p.unit,
                amount_zh=amount_text(p.value, p.unit),
                amount_en=amount_text(p.value, p.unit, "en"),
                source=p.source,
                source_zh=p.source_in("zh"),
                note=p.note or f"confirm against {p.source}",
            )
            for p in self.used
            if p.status == "to_confirm" and p.value is not None
        ]
        return Reduction(
            kind=kind,
            reduction_t=None if reduction is None else float(reduction.to("t/a").magnitude),
            equation=equation,
            parameters=tuple(dict.fromkeys(self.used)),
            captured_t=None if captured is None else float(captured.to("t/a").magnitude),
            caveats=(*extra, *self.proxies, *caveats),
            missing=missing,
        )


def expected_reduction(
    figures: Mapping[str, Any] | None,
    parameters: Mapping[str, Parameter],
    factors: FactorLibrary,
    grid: Parameter,
    labels: Mapping[str, Label] | None = None,
) -> Reduction:
    """The expected annual reduction of a project from its ``figures``.

    ``grid`` is the grid factor chosen for the year of interest (see
    :func:`~nearzero.projects.parameters.grid_factor`); ``labels`` name the factor-library
    rows the formula reads (see :func:`~nearzero.projects.parameters.default_factor_labels`).
    Raises :class:`ReductionError` (or its
    :class:`MissingParameter`, naming every missing input) when it cannot be computed.
    """
    if not figures or not figures.get("kind"):
        raise ReductionError(
            "no figures: 项目未登记减排量核算方式 — "
            "the project records no method of reduction (kind)"
        )
    kind = str(figures["kind"])
    r = _Reader(figures, parameters, factors, labels)
    result = _compute(kind, r, figures, grid)
    if r.missing:
        raise MissingParameter.of(r.missing)
    return result


def _compute(kind: str, r: _Reader, figures: Mapping[str, Any], grid: Parameter) -> Reduction:
    """The formula of ``kind``; missing inputs are recorded on ``r``, not raised."""
    if kind == "pv":
        energy = r.figure("generation")
        if energy is None:
            energy = generation(
                r.need("capacity"),
                r.figure_or_parameters(
                    "full_load_hours", "pv_full_load_hours_shandong", "pv_full_load_hours_national"
                ),
            )
        return r.result(
            kind,
            avoided_grid_emissions(energy, r.grid(grid)),
            "E = P × h × EF_grid (or EG × EF_grid)",
        )
    if kind == "storage":
        shifted = r.need("shifted_renewable")
        return r.result(
            kind,
            avoided_grid_emissions(shifted, r.grid(grid)),
            "E = E_shifted,RE × EF_grid",
            caveat("storage_renewable_only"),
        )
    if kind == "gas_chp":
        energy = r.figure("generation")
        if energy is None:
            energy = generation(
                r.need("capacity"),
                r.figure_or_parameter("full_load_hours", "gas_chp_full_load_hours"),
            )
        ef_coal = unit_emission_factor(
            r.factor("ipcc2006_cc_other_bituminous_coal"),
            r.figure_or_parameter("coal_efficiency", "coal_unit_efficiency"),
        )
        ef_gas = unit_emission_factor(
            r.factor("ipcc2006_cc_natural_gas"),
            r.figure_or_parameter("gas_efficiency", "gas_chp_efficiency"),
        )
        return r.result(
            kind,
            fuel_switch_reduction(energy, ef_coal, ef_gas),
            "E = EG × (CC_coal × 44/12 × 3.6 / η_coal − CC_gas × 44/12 × 3.6 / η_gas)",
            caveat("chp_electricity_only"),
        )
    if kind == "ccu":
        return _ccu(r, figures)
    if kind == "waste_to_energy":
        net_export, ef_grid, waste = r.need("net_export"), r.grid(grid), r.need("waste")
        fossil = r.figure("fossil_co2_per_t")
        caveats = [caveat("landfill_methane")]
        if fossil is None:
            fossil = _default_fossil_co2_per_t(r)
            caveats.append(caveat("default_waste_composition"))
        reduction = waste_to_energy_reduction(net_export, ef_grid, waste, fossil)
        return r.result(kind, reduction, "E = EG_net × EF_grid − W × EF_fossil", *caveats)
    if kind == "afforestation":
        area = r.need("area")
        rate = r.figure("sink_rate")
        equation = "R = A × s"
        if rate is None:
            rate = gain_method_sink_rate(
                r.figure_or_parameter("growth", "afforestation_growth_agb"),
                r.figure_or_parameter("root_shoot", "afforestation_root_shoot"),
                r.factor(WOOD_CARBON_FRACTION),
            )
            equation = "R = A × G_W × (1 + R) × CF × 44/12"
        return r.result(
            kind,
            afforestation_sink(area, rate),
            equation,
            caveat("removal_reversible"),
        )
    raise ReductionError(
        f"figures.kind: 核算方式应为{'、'.join(KINDS)}之一，而不是“{kind}” — "
        f"expected one of {', '.join(KINDS)}, got {kind!r}"
    )


def _default_fossil_co2_per_t(r: _Reader) -> Q[Any]:
    """EF_fossil [t CO2/t] by :func:`fossil_co2_per_tonne` from the parameter table's default
    MSW composition and the factor library's Table 2.4 dm, CF, FCF and Table 5.2 OF rows.

    Terms that are 0 (a share of 0, glass and metal without carbon, FCF 0) read no dm or CF, so
    that only the factors the result depends on are recorded (and their caveats given)."""
    prefix = f"waste_composition_{DEFAULT_WASTE_COMPOSITION}_"
    rows = {
        pid.removeprefix(prefix): p for pid, p in r.parameters.items() if pid.startswith(prefix)
    }
    if not rows:
        exc = MissingParameter(
            f"{prefix}*: 参数表中没有默认垃圾组分，请在工程数据中填写本厂的“fossil_co2_per_t”"
            "[t/t] — no default waste composition in the parameter table; supply the "
            "plant's own 'fossil_co2_per_t' [t/t] in its figures",
            f"{prefix}*",
            "fossil_co2_per_t",
        )
        return r.missing_input(exc, "t/t")
    total = sum(row.value or 0.0 for row in rows.values())
    if total > 1.0 + 1e-6:
        raise ReductionError(
            f"{prefix}*: 垃圾组分比例合计{total:g}，超过1 — shares add up to {total:g}, more than 1"
        )
    components = []
    for name, row in rows.items():
        share = ureg.Quantity(row.require("fossil_co2_per_t"), parse_unit(row.unit))
        r.used.append(row)
        if name not in WASTE_CARBON_COMPONENTS + WASTE_INERT_COMPONENTS:
            raise ReductionError(f"{prefix}{name}: 未知的垃圾组分 — unknown waste component")
        if name in WASTE_INERT_COMPONENTS or share.magnitude == 0:
            continue
        fcf = r.factor(f"ipcc2006_fcf_{name}")
        if fcf.magnitude == 0:  # no fossil carbon (food, wood, garden): the term is 0
            continue
        dm, cf = r.factor(f"ipcc2006_dm_{name}"), r.factor(f"ipcc2006_cf_{name}")
        components.append((share, dm, cf, fcf))
    return fossil_co2_per_tonne(components, r.factor("ipcc2006_of_incineration"))


def _ccu(r: _Reader, figures: Mapping[str, Any]) -> Reduction:
    use = str(figures.get("use", ""))
    if use not in CCU_USES:
        raise ReductionError(
            f"figures.use: 用途应为{'、'.join(CCU_USES)}之一，而不是“{use}” — "
            f"expected one of {', '.join(CCU_USES)}, got {use!r}"
        )
    captured = r.figure("captured")
    caveats = []
    if captured is None:
        captured = r.need("design_capacity")
        caveats.append(caveat("design_capacity"))
    caveats.append(caveat(f"ccu_{use}"))
    known = len(r.missing)
    share = r.figure_or_parameter("permanent_share", f"ccu_permanent_share_{use}")
    if len(r.missing) > known:  # the share is unknown: captured, but nothing counted as avoided
        exc = r.missing.pop()
        wanted = r.parameters.get(exc.parameter)
        figure = FIGURE_LABELS.get(exc.figure, (exc.parameter, exc.parameter))
        caveats.append(
            caveat(
                "avoided_share_unknown",
                parameter=exc.parameter,
                parameter_zh=wanted.name("zh") if wanted else figure[0],
                parameter_en=wanted.name("en") if wanted else figure[1],
                reason=exc,
            )
        )
        return r.result(
            "ccu",
            None,
            "captured = C; avoided = C × f_perm",
            *caveats,
            captured=captured,
            missing=((exc.parameter, exc.figure),),
        )
    return r.result(
        "ccu",
        stored_share_of_capture(captured, share),
        "captured = C; avoided = C × f_perm",
        *caveats,
        captured=captured,
    )


def check_figures(figures: Mapping[str, Any]) -> list[str]:
    """Problems with a project's figures (empty when they can be stored), each naming its field.

    Missing figures are not problems here: the reduction then says what it still needs.
    """
    problems = []
    kind = figures.get("kind")
    if kind not in KINDS:
        problems.append(
            f"figures.kind: 核算方式应为{'、'.join(KINDS)}之一，而不是“{kind}” — "
            f"expected one of {', '.join(KINDS)}, got {kind!r}"
        )
    if kind == "ccu" and figures.get("use") not in CCU_USES:
        problems.append(
            f"figures.use: 用途应为{'、'.join(CCU_USES)}之一，而不是“{figures.get('use')}” — "
            f"expected one of {', '.join(CCU_USES)}, got {figures.get('use')!r}"
        )
    known = {"kind", "use", "source", "note", *FIGURE_UNITS}
    problems += [f"figures.{k}: 未知参数 — unknown figure" for k in figures if k not in known]
    reader = _Reader(figures, {}, FactorLibrary(()))
    for name in FIGURE_UNITS:
        try:
            value = reader.figure(name)
        except ReductionError as exc:
            problems.append(str(exc))
            continue
        if value is None:
            continue
        number = float(value.magnitude)
        if name in FRACTIONS:
            low, high, closed_low = FRACTIONS[name]
            if not (low <= number <= high) or (not closed_low and number == low):
                bracket = "[" if closed_low else "("
                problems.append(
                    f"figures.{name}: 应为{bracket}{low:g}, {high:g}]之间的比例"
                    f"（如0.4或“40 %”），而不是{number:g} — "
                    f"expected a fraction in {bracket}{low:g}, {high:g}] "
                    f"(e.g. 0.4 or '40 %'), got {number:g}"
                )
        elif number < 0:
            problems.append(
                f"figures.{name}: 不得为负，而不是{number:g} — must not be negative, got {number:g}"
            )
    return problems


#: Figures that are fractions: (lowest, highest, lowest allowed?).
FRACTIONS: dict[str, tuple[float, float, bool]] = {
    "coal_efficiency": (0.0, 1.0, False),
    "gas_efficiency": (0.0, 1.0, False),
    "permanent_share": (0.0, 1.0, True),
}
