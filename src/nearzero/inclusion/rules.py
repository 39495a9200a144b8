"""Platform rules of one demonstration unit: which methodology per scenario, caps, plausibility.

Kept apart from the methodologies, as every existing system does: a methodology
says how much a behaviour reduces; the platform decides which methodology it
applies (from which date), how much one resident may earn per day and year, what
counts as a plausible trip, and how long a partner has to report. These are policy
choices of the working-group office, not published factors, so the bundled
default file leaves every number empty; :meth:`Scheme.unset` lists them so the
shell can warn (or refuse to go live) until the office has set them.

A rule left empty is not applied (there is no cap, no speed limit). The only
plausibility checks that always apply need no number: a PV record cannot report
more energy than its installed capacity running flat out for the whole period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from nearzero.inclusion.choices import Scenario
from nearzero.inclusion.methodology import (
    MethodologyDataError,
    MethodologyError,
    MethodologyLibrary,
    MethodologyRef,
    _decimal,
    data_root,
)


@dataclass(frozen=True, slots=True)
class Plausibility:
    """Plausible ranges for one scenario; None = not checked.

    min_distance_km, max_distance_km [km]; max_speed_kmh [km/h] (distance / duration);
    max_energy_kwh [kWh]; max_mass_kg [kg] per record.
    typical_reduction_g [g], reduction_band_pct [%]: the reduction of one record must lie
    within ± ``reduction_band_pct`` % of the methodology's typical record (e.g. a typical
    trip); both set or the band is not checked. Numbers of :meth:`Scheme.policy` (the
    office's numbers form) for every scenario.
    """

    min_distance_km: Decimal | None = None
    max_distance_km: Decimal | None = None
    max_speed_kmh: Decimal | None = None
    max_energy_kwh: Decimal | None = None
    max_mass_kg: Decimal | None = None
    typical_reduction_g: Decimal | None = None
    reduction_band_pct: Decimal | None = None

    def reduction_outside(self, grams: int) -> str | None:
        """Why ``grams`` [g] is outside the reduction band, or None (inside, or no band)."""
        typical, pct = self.typical_reduction_g, self.reduction_band_pct
        if typical is None or pct is None:
            return None
        low, high = typical * (100 - pct) / 100, typical * (100 + pct) / 100
        if low <= grams <= high:
            return None
        band = f"{low.normalize()}–{high.normalize()} g"
        return f"reduction {grams} g outside {typical} g ± {pct} % ({band})"


_BAND = ("typical_reduction_g", "reduction_band_pct")


@dataclass(frozen=True, slots=True)
class CapRule:
    """Per-resident caps [g CO2]; None = no cap."""

    daily_g: int | None = None
    yearly_g: int | None = None


@dataclass(frozen=True, slots=True)
class MethodologyChoice:
    """The platform applies ``ref`` to ``scenario`` for behaviour on or after ``valid_from``."""

    scenario: Scenario
    ref: MethodologyRef
    valid_from: date | None = None


@dataclass(frozen=True, slots=True)
class Scheme:
    """The carbon-inclusion rules of one demonstration unit (city, park, community)."""

    unit_id: str
    name_zh: str
    methodologies: tuple[MethodologyChoice, ...] = ()
    plausibility: Mapping[Scenario, Plausibility] = field(default_factory=dict)
    scenario_caps: Mapping[Scenario, CapRule] = field(default_factory=dict)
    total_caps: CapRule = field(default_factory=CapRule)
    claim_window_days: int | None = None
    #: How long credited points stay spendable [months after the behaviour]; None: they do
    #: not expire unless the installation sets ``NEARZERO_INCLUSION_POINTS_VALID_MONTHS``.
    points_valid_months: int | None = None

    def methodology_for(self, scenario: Scenario, day: date) -> MethodologyRef | None:
        """The methodology version in force for ``scenario`` on ``day`` (latest valid_from)."""
        best: MethodologyChoice | None = None
        for c in self.methodologies:
            if c.scenario is not scenario or (c.valid_from is not None and c.valid_from > day):
                continue
            if best is None or (c.valid_from or date.min) >= (best.valid_from or date.min):
                best = c
        return None if best is None else best.ref

    def plausibility_for(self, scenario: Scenario) -> Plausibility:
        return self.plausibility.get(scenario, Plausibility())

    def caps_for(self, scenario: Scenario) -> CapRule:
        return self.scenario_caps.get(scenario, CapRule())

    def check(self, library: MethodologyLibrary) -> None:
        """Raise when a chosen methodology is missing from ``library`` or has another scenario."""
        for c in self.methodologies:
            m = library.get(c.ref)
            if m.scenario is not c.scenario:
                raise MethodologyDataError(
                    f"scheme {self.unit_id!r}: {c.ref}是{m.scenario.label_zh}场景的方法学，"
                    f"却被选用于{c.scenario.label_zh}场景 — "
                    f"{c.ref} is a {m.scenario.value} methodology, "
                    f"chosen for {c.scenario.value}"
                )

    def policy(self) -> dict[str, int | Decimal | None]:
        """Every number of the platform's policy by its key (e.g. ``caps.bus.daily_g``,
        ``plausibility.bus.max_speed_kmh``, ``claim_window_days``), None where unset; in the
        order of the office's form."""
        out: dict[str, int | Decimal | None] = {}
        for s in Scenario:
            p = self.plausibility_for(s)
            for name in Plausibility.__slots__:
                if _relevant(s, name):
                    out[f"plausibility.{s.value}.{name}"] = getattr(p, name)
            c = self.caps_for(s)
            for n in ("daily_g", "yearly_g"):
                out[f"caps.{s.value}.{n}"] = getattr(c, n)
        for n in ("daily_g", "yearly_g"):
            out[f"caps.total.{n}"] = getattr(self.total_caps, n)
        out["claim_window_days"] = self.claim_window_days
        out["points_valid_months"] = self.points_valid_months
        return out

    def unset(self) -> tuple[str, ...]:
        """The platform rules still empty, for the office to decide (e.g. 'caps.bus.daily_g'):
        a scenario without a methodology, then every :meth:`policy` number not set."""
        chosen = {c.scenario for c in self.methodologies}
        missing = [f"methodologies.{s.value}" for s in Scenario if s not in chosen]
        return (*missing, *(k for k, v in self.policy().items() if v is None))


def _relevant(s: Scenario, name: str) -> bool:
    if name in _BAND:
        return True  # a reduction per record: every scenario has one
    if name in ("min_distance_km", "max_distance_km", "max_speed_kmh"):
        return s.is_trip
    if name == "max_mass_kg":
        return s is Scenario.USED_CLOTHES
    return s in (Scenario.ROOFTOP_PV, Scenario.HEAT_PUMP, Scenario.EFFICIENT_AC)


def _cap(raw: Any, origin: str) -> CapRule:
    raw = raw or {}
    out: dict[str, int | None] = {}
    for key in ("daily_g", "yearly_g"):
        v = raw.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise MethodologyDataError(
                f"{origin}.{key}应为非负整数（克） — "
                f"{origin}.{key} must be a non-negative integer of grams"
            )
        out[key] = v
    return CapRule(**out)


def _positive(data: Mapping[str, Any], key: str, origin: str) -> int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise MethodologyDataError(f"{origin}: {key}应为正整数 — {key} must be a positive integer")
    return value


def scheme_from_dict(data: Mapping[str, Any], origin: str = "<dict>") -> Scheme:
    """Build a :class:`Scheme` from its data-file mapping (pure)."""

    def scen(raw: Any, where: str) -> Scenario:
        try:
            return Scenario(str(raw))
        except ValueError as exc:
            raise MethodologyDataError(
                f"{where}: 未知场景{raw!r} — unknown scenario {raw!r}"
            ) from exc

    choices: list[MethodologyChoice] = []
    for i, item in enumerate(data.get("methodologies", ()) or ()):
        where = f"{origin} methodologies[{i}]"
        vf = item.get("valid_from")
        if vf is not None and not isinstance(vf, date):
            raise MethodologyDataError(
                f"{where}: valid_from应为日期（YYYY-MM-DD） — "
                "valid_from must be a date (YYYY-MM-DD)"
            )
        try:
            ref = MethodologyRef.parse(str(item.get("methodology")))
        except MethodologyError as exc:
            raise MethodologyDataError(f"{where}: {exc}") from exc
        choices.append(MethodologyChoice(scen(item.get("scenario"), where), ref, vf))
    plaus: dict[Scenario, Plausibility] = {}
    for key, item in (data.get("plausibility") or {}).items():
        where = f"{origin} plausibility.{key}"
        plaus[scen(key, where)] = Plausibility(
            **{
                name: _decimal((item or {}).get(name), where, name)
                for name in Plausibility.__slots__
            }
        )
    caps = {
        scen(k, f"{origin} caps"): _cap(v, f"{origin} caps.{k}")
        for k, v in (data.get("caps") or {}).items()
        if k != "total"
    }
    window = _positive(data, "claim_window_days", origin)
    validity = _positive(data, "points_valid_months", origin)
    return Scheme(
        unit_id=str(data.get("unit_id") or ""),
        name_zh=str(data.get("name_zh") or ""),
        methodologies=tuple(choices),
        plausibility=plaus,
        scenario_caps=caps,
        total_caps=_cap((data.get("caps") or {}).get("total"), f"{origin} caps.total"),
        claim_window_days=window,
        points_valid_months=validity,
    )


def load_scheme(name: str = "zhangqiu", folder: Traversable | None = None) -> Scheme:
    """Read ``schemes/{name}.yaml`` (default: the bundled Zhangqiu rules)."""
    root = folder if folder is not None else data_root().joinpath("schemes")
    path = root.joinpath(f"{name}.yaml")
    if not path.is_file():
        raise MethodologyDataError(
            f"没有规则文件schemes/{name}.yaml — no scheme file schemes/{name}.yaml"
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise MethodologyDataError(f"schemes/{name}.yaml: 应为键值映射 — expected a mapping")
    return scheme_from_dict(data, f"schemes/{name}.yaml")
