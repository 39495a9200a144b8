"""Product systems for a product carbon footprint (GB/T 24067-2024, ISO 14067).

A product system is a set of unit processes, each described per its own reference amount
(the functional unit of the process): the product it makes, the products it takes from other
processes (technosphere inputs), its co-products, and the greenhouse gases it emits or removes
(elementary flows). The footprint of the system's functional unit is computed by matrix LCA
(Heijungs & Suh 2002, *The Computational Structure of Life Cycle Assessment*, Eq. 2.8:
h = C·B·A⁻¹·f); see :mod:`nearzero.footprint.matrices` and :mod:`nearzero.footprint.engine`.

Signs are carried by ``direction``, never by the amount: every amount is ≥ 0 and an
``input`` of an elementary flow is an uptake (a removal, e.g. CO2 absorbed by biomass).

Elementary flows belong to one reporting family, because ISO 14067:2018 §7.2 / GB/T 24067-2024
ask for these to be documented apart: ``fossil``, ``biogenic``, ``land_use_change`` (dLUC
emissions and removals) and ``aircraft`` (emissions from aircraft transport).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Reporting families of elementary flows (ISO 14067:2018 §7.2 e–h; GB/T 24067-2024 §7.2).
FAMILIES: tuple[str, ...] = ("fossil", "biogenic", "land_use_change", "aircraft")
#: Allocation methods for multi-output processes (ISO 14044 §4.3.4.2; GB/T 24067 §6.4.6).
ALLOCATION_METHODS: tuple[str, ...] = ("mass", "economic", "system_expansion")
DISTRIBUTIONS: tuple[str, ...] = ("lognormal", "normal", "triangular", "uniform")

Direction = Literal["input", "output"]
FlowKind = Literal["product", "elementary"]


class FootprintError(ValueError):
    """A product system that cannot be computed; the message names the process and exchange."""


class MissingFlow(FootprintError):
    """An exchange names a flow the system does not define, or an input has no provider."""


class SingularSystem(FootprintError):
    """The technosphere matrix A cannot be inverted (a loop that cannot be solved)."""


class NegativeAmount(FootprintError):
    """An amount below zero where the direction already carries the sign."""


class ExchangeUnitError(FootprintError):
    """An exchange's unit does not convert to the unit of its flow."""


@dataclass(frozen=True)
class Flow:
    """A product or an elementary flow.

    Parameters
    ----------
    flow_id : str
        Identifier used by exchanges.
    unit : str
        Reference unit of the flow (pint or Chinese syntax, see :mod:`nearzero.units`).
    kind : str
        ``product`` (made by a process) or ``elementary`` (a greenhouse gas to or from air).
    family : str
        One of :data:`FAMILIES` (elementary flows only).
    gas : str
        Gas name for the GWP lookup (``CO2``, ``CH4``, ``N2O`` …), when ``cf`` is not given.
    cf : float | None
        Characterisation factor. [kgCO2e per kg of gas, or per reference unit of the flow]
    """

    flow_id: str
    name: str
    unit: str
    kind: FlowKind = "product"
    family: str = "fossil"
    gas: str = ""
    cf: float | None = None


@dataclass(frozen=True)
class Uncertainty:
    """A distribution of an exchange amount.

    ``lognormal``: geometric mean = the amount, ``gsd`` the geometric standard deviation [-]
    (σ = ln gsd); ``normal``: mean = the amount, ``sd`` [unit of the exchange];
    ``triangular``: ``minimum``, ``mode``, ``maximum``; ``uniform``: ``minimum``, ``maximum``
    [unit of the exchange]. Pedigree scores widen a lognormal (see
    :mod:`nearzero.footprint.uncertainty`).
    """

    distribution: str
    gsd: float | None = None
    sd: float | None = None
    minimum: float | None = None
    mode: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Exchange:
    """One line of a process: a flow, its amount per the process's reference amount.

    Parameters
    ----------
    flow : str
        Flow id (or, with ``factor``, a label for a background input).
    amount : float
        Amount per the process's reference amount, ≥ 0. [``unit``]
    unit : str
        Unit of ``amount``; must convert to the flow's unit.
    direction : str
        ``input`` or ``output``.
    provider : str | None
        Process expected to make an input product (checked, not required).
    factor : str | None
        Id of a footprint factor (``data/footprint/*.csv``) that supplies this input.
    mass, price : float | None
        Allocation properties of an output: its mass [kg] and its value [yuan] for the
        output amount.
    substitutes : str | None
        System expansion: the product flow this co-product displaces (avoided production).
    cut_off : bool
        Excluded under the study's cut-off rule; listed in the result, not computed.
    """

    flow: str
    amount: float
    unit: str
    direction: Direction = "input"
    provider: str | None = None
    factor: str | None = None
    uncertainty: Uncertainty | None = None
    pedigree: tuple[int, int, int, int, int] | None = None
    mass: float | None = None
    price: float | None = None
    substitutes: str | None = None
    cut_off: bool = False


@dataclass(frozen=True)
class Process:
    """A unit process; ``reference`` is the flow id of the output it is described per."""

    process_id: str
    name: str
    reference: str
    exchanges: tuple[Exchange, ...]
    stage: str = ""

    def label(self, index: int) -> str:
        """How an error names exchange ``index`` of this process."""
        ex = self.exchanges[index]
        return f"process {self.process_id!r}, exchange {index + 1} ({ex.direction} {ex.flow!r})"

    def reference_exchange(self) -> tuple[int, Exchange]:
        """The output exchange of the reference product (the first one)."""
        for i, ex in enumerate(self.exchanges):
            if ex.direction == "output" and ex.flow == self.reference and not ex.substitutes:
                return i, ex
        raise MissingFlow(
            f"process {self.process_id!r}: 没有其参考流“{self.reference}”的输出交换 — "
            f"no output exchange of its reference flow "
            f"{self.reference!r}"
        )


@dataclass(frozen=True)
class ProductSystem:
    """A product system with its functional unit and the method choices of the study.

    Parameters
    ----------
    reference_flow : str
        Product flow of the functional unit.
    amount : float
        Amount of the functional unit. [``unit``]
    allocation : str | None
        One of :data:`ALLOCATION_METHODS`, required when a process has co-products.
    gwp_set : str
        GWP set for gases given by name (``AR6`` default, GB/T 24067-2024 §6.6 asks for the
        latest IPCC 100-year values).
    """

    name: str
    functional_unit: str
    reference_flow: str
    amount: float
    unit: str
    flows: tuple[Flow, ...]
    processes: tuple[Process, ...]
    allocation: str | None = None
    gwp_set: str = "AR6"
    boundary: str = "cradle-to-gate"
    metadata: dict[str, str] = field(default_factory=dict)

    def flow_map(self) -> dict[str, Flow]:
        return {f.flow_id: f for f in self.flows}
