"""What a method sees of one activity row: quantities, parameters and factors.

:class:`RowContext` resolves a factor in the order row override → library, converts
it to the unit the equation wants, and records the :class:`FactorRef` and the
relative uncertainty of everything it hands out. Every failure is re-raised as an
:class:`~nearzero.accounting.model.ActivityError` naming the row and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pint

from nearzero.accounting.factors import (
    LOCAL_STATUS,
    FactorLibrary,
    FactorNotFound,
    content_version,
)
from nearzero.accounting.model import ActivityRow, FactorRef, GasAmount
from nearzero.units import Quantity, UnitError, convert, parse_unit, ureg

if "head" not in ureg:
    ureg.define("head = item = heads")  # a count of animals (头), dimensionless like item

#: ``(key, relative 95 % half-width)``: one independent input of a row's estimate.
UncertaintyComponent = tuple[str, float]


MethodFn = Callable[[ActivityRow, "RowContext"], list[GasAmount]]


@dataclass(frozen=True)
class Method:
    """A calculation method: its name, equation citation and the gases it can report.

    A method with no ``gases`` reports the gases the row names (user factor, F-gas bank).
    """

    name: str
    fn: MethodFn
    gases: tuple[str, ...]
    citation: str
    #: Gases reported when a row names none (default: all of ``gases``).
    defaults: tuple[str, ...] = ()

    @property
    def default_gases(self) -> tuple[str, ...]:
        """The gases of a row that names none."""
        return self.defaults or self.gases


class RowContext:
    """Factor and parameter access for one row, with provenance and uncertainty."""

    def __init__(self, row: ActivityRow, library: FactorLibrary) -> None:
        self.row = row
        self.library = library
        self.refs: list[FactorRef] = []
        self._gas: str | None = None
        #: ``(gas or None for all gases, component)`` in the order they were used.
        self.components: list[tuple[str | None, UncertaintyComponent]] = []
        if row.uncertainty_pct is not None:
            self.components.append((None, (f"activity:{row.row_id}", row.uncertainty_pct / 100)))

    def components_of(self, gas: str) -> tuple[UncertaintyComponent, ...]:
        """The uncertain inputs of ``gas``: shared ones plus those used for it alone."""
        return tuple(dict.fromkeys(c for g, c in self.components if g in (None, gas)))

    # -- activity side -------------------------------------------------------------
    def wants(self, gas: str) -> bool:
        """Whether the row asks for ``gas``.

        When it does, factors fetched from then on count as inputs of ``gas`` alone (for
        uncertainty); factors fetched before the first call are shared by every gas.
        """
        if gas in self.row.gases:
            self._gas = gas
            return True
        return False

    def quantity(self, unit: str) -> float:
        """The row's quantity in ``unit``."""
        return self._convert(self._quantity(), self.row.unit, unit, "unit")

    def _quantity(self) -> float:
        if self.row.quantity is None:
            raise self.row.error("quantity", "缺少数量 — missing")
        return self.row.quantity

    def activity(self) -> pint.Quantity[Any]:
        """The row's quantity as a pint quantity (for unit-generic products)."""
        return Quantity(self._quantity(), self._unit(self.row.unit, "unit"))

    def is_dimension(self, unit: str) -> bool:
        """Whether the row's unit has the dimension of ``unit``."""
        return bool(
            self._unit(self.row.unit, "unit").dimensionality == parse_unit(unit).dimensionality
        )

    def param(self, name: str, unit: str, default: float | None = None) -> float:
        """Activity parameter ``params.<name>`` in ``unit`` (``default`` when absent)."""
        param = self.row.params.get(name)
        if param is None:
            if default is None:
                raise self.row.error(
                    f"params.{name}",
                    f"缺少参数（应为以{unit}计的数值） — missing (expected a value in {unit})",
                )
            return default
        if isinstance(param.value, str):
            raise self.row.error(
                f"params.{name}", f"{param.value!r}不是数值 — {param.value!r} is not a number"
            )
        return self._convert(param.value, param.unit or unit, unit, f"params.{name}")

    def text(self, name: str, default: str) -> str:
        """Text parameter ``params.<name>`` (a choice such as a site type)."""
        param = self.row.params.get(name)
        return default if param is None else str(param.value)

    def series(self, name: str, unit: str) -> dict[int, float]:
        """A year-indexed parameter ``params.<name>.<year>`` in ``unit`` (e.g. deposits)."""
        prefix = f"{name}."
        out = {
            int(k[len(prefix) :]): self.param(k, unit)
            for k in self.row.params
            if k.startswith(prefix)
        }
        if not out:
            raise self.row.error(
                f"params.{name}", "缺少参数（应为逐年数值） — missing (expected values by year)"
            )
        return dict(sorted(out.items()))

    # -- factors ---------------------------------------------------------------------
    def factor(
        self, parameter: str, unit: str, subject: str | None = None, year: int | None = None
    ) -> float:
        """Factor ``parameter`` in ``unit``: the row's override, else the library's row."""
        value, from_unit, field_name = self._resolve(parameter, subject, year)
        return self._convert(value, from_unit, unit, field_name)

    def factor_quantity(self, parameter: str, subject: str | None = None) -> pint.Quantity[Any]:
        """Factor ``parameter`` as a pint quantity in the unit it was given in."""
        value, from_unit, field_name = self._resolve(parameter, subject, None)
        return Quantity(value, self._unit(from_unit, field_name))

    def optional_factor(
        self, parameter: str, unit: str, subject: str | None = None
    ) -> float | None:
        """Factor ``parameter`` in ``unit``, or ``None`` when neither row nor library has one."""
        if (
            parameter in self.row.factors
            or self.library.find(parameter, subject or self.row.subject) is not None
        ):
            return self.factor(parameter, unit, subject)
        return None

    def _resolve(
        self, parameter: str, subject: str | None, year: int | None
    ) -> tuple[float, str, str]:
        override = self.row.factors.get(parameter)
        field_name = f"factors.{parameter}"
        if override is not None and override.value is not None:
            ref = FactorRef(
                f"{self.row.row_id}:{parameter}",
                "activity row",
                content_version(repr(override)),
                parameter,
                self.row.subject,
                override.value,
                override.unit,
                LOCAL_STATUS,
            )
            self._record(
                ref,
                override.uncertainty_pct / 100.0 if override.uncertainty_pct is not None else None,
            )
            return override.value, override.unit, field_name
        try:
            if override is not None:
                record = self.library.by_id(override.ref_id)
                if record.parameter != parameter:
                    raise self.row.error(
                        field_name,
                        f"排放因子{record.factor_id!r}是{record.parameter}，而不是{parameter} — "
                        f"factor {record.factor_id!r} is a {record.parameter}, not a {parameter}",
                    )
            else:
                record = self.library.get(parameter, subject or self.row.subject, year)
        except FactorNotFound as exc:
            blame_subject = subject is None and override is None and self.row.subject
            raise self.row.error(
                self.row.subject_field if blame_subject else field_name, str(exc)
            ) from None
        self._record(record.ref(), record.half_width)
        return record.value, record.unit, f"{field_name} ({record.factor_id} in {record.file})"

    def _record(self, ref: FactorRef, half_width: float | None) -> None:
        self.refs.append(ref)
        if half_width is not None:
            self.components.append(
                (self._gas, (f"factor:{ref.factor_id}@{ref.version}", half_width))
            )

    # -- units -----------------------------------------------------------------------
    def _unit(self, text: str, field_name: str) -> pint.Unit:
        try:
            unit: pint.Unit = parse_unit(text)
        except UnitError as exc:
            raise self.row.error(field_name, f"单位{text!r}无法识别 — {exc}") from None
        return unit

    def _convert(self, value: float, from_unit: str, to_unit: str, field_name: str) -> float:
        try:
            return convert(value, from_unit, to_unit)
        except UnitError as exc:
            raise self.row.error(
                field_name,
                f"单位{from_unit!r}无法换算为计算方法所需的{to_unit} — "
                f"{exc} (the method needs {to_unit})",
            ) from None

    def to_unit(self, value: pint.Quantity[Any], unit: str, parameter: str) -> float:
        """Activity × factor ``parameter`` (a pint product) in ``unit``; blames the row's unit."""
        try:
            return float(value.to(parse_unit(unit)).magnitude)
        except pint.errors.DimensionalityError:
            raise self.row.error(
                "unit",
                f"{self.row.unit!r}乘以{parameter}得到{value.units:~}，无法换算为{unit}："
                "请按排放因子所对应的单位填写数量，或另行指定排放因子 — "
                f"{self.row.unit!r} times the {parameter} gives {value.units:~}, which does not "
                f"convert to {unit}: give the quantity in the unit the factor is per, or "
                f"override the factor",
            ) from None
