"""Plausible indicator values: the range a figure must lie in before it is stored or counted.

One check, :func:`check_value`, for every path a figure takes (the services' form and
workbook, the plan file, the evaluation engine): finite, not negative, and for a share (unit
``%``) between 0 and 100. A refusal names the field, the unit and the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nearzero.units import Number, decimal_of

#: Units that mark a share of a whole (比重, 占比, 利用率, 覆盖率 …). [%]
SHARE_UNITS = frozenset({"%", "％", "percent"})


class ValueRangeError(ValueError):
    """A figure outside its plausible range; the message names the field and the range.

    ``message_zh`` says the same in Chinese, for the pages and notes in Chinese.
    """

    def __init__(self, field: str, message: str, message_zh: str = "") -> None:
        self.field = field
        self.message_zh = message_zh or message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class ValueRange:
    """The closed range a figure of one unit must lie in (None: unbounded above)."""

    minimum: Decimal
    maximum: Decimal | None

    def describe(self, unit: str) -> str:
        """The range in words: "≥ 0 in 万吨", "between 0 and 100 %"."""
        if self.maximum is None:
            return f"≥ {self.minimum} in {unit}"
        return f"between {self.minimum} and {self.maximum} {unit}"

    def describe_zh(self, unit: str) -> str:
        if self.maximum is None:
            return f"不小于{self.minimum}{unit}"
        return f"{self.minimum}～{self.maximum}{unit}"

    def contains(self, value: Decimal) -> bool:
        return self.minimum <= value and (self.maximum is None or value <= self.maximum)


def is_share(unit: str) -> bool:
    """Whether ``unit`` marks a share of a whole (``%``)."""
    return unit.strip() in SHARE_UNITS


def value_range(unit: str) -> ValueRange:
    """The plausible range of an indicator figure in ``unit``: [0, 100] for a share, else ≥ 0."""
    if is_share(unit):
        return ValueRange(Decimal(0), Decimal(100))
    return ValueRange(Decimal(0), None)


def check_value(value: Number, unit: str, field: str = "value") -> Decimal:
    """The figure as an exact decimal, or :class:`ValueRangeError` naming ``field`` and the range.

    Parameters
    ----------
    value : float, int or Decimal
        The figure, already in the indicator's unit. [unit]
    unit : str
        The indicator's (or part's) unit as the plan writes it ("%", "万吨标准煤" …).
    field : str
        The name of the field in the message ("value", "values.2022", "Sheet1!D5" …).
    """
    allowed = value_range(unit)
    try:
        number = decimal_of(value)
    except ValueError:
        raise ValueRangeError(
            field,
            f"expected a finite number {allowed.describe(unit)}, got {value!r}",
            f"{field}应为{allowed.describe_zh(unit)}的有限数值，而不是{value!r}",
        ) from None
    if not allowed.contains(number):
        what = "a share is" if is_share(unit) else "expected"
        shown = format(number.normalize(), "f")  # 150.0 → 150
        raise ValueRangeError(
            field,
            f"{what} a number {allowed.describe(unit)}, got {shown}",
            f"{field}{shown}超出合理范围（{allowed.describe_zh(unit)}）",
        )
    return number


def plausible(value: Number, unit: str) -> bool:
    """Whether :func:`check_value` accepts ``value``."""
    try:
        check_value(value, unit)
    except ValueRangeError:
        return False
    return True
