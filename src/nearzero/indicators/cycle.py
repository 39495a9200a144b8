"""The office's yearly data cycle: the evaluation year, a value's state, what is missing.

Pure functions over plain data (issue #12):

- the office chooses the evaluation year; a year after the current calendar year (China
  Standard Time) is refused, for the evaluation year as for a value;
- a department's value is *submitted*, the office *confirms* it or *returns* it with a
  reason; only confirmed values count (a unit may switch confirmation off: then a value
  counts once saved, unless it was returned);
- missing is not failing: an indicator without a value in the year is ``no data`` (无数据),
  listed apart from ``not met`` (未完成).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from nearzero.formatting import CHINA_TZ  # China Standard Time: the office's calendar
from nearzero.indicators.choices import Status
from nearzero.indicators.evaluation import IndicatorSpec, Outcome


class ValueState(StrEnum):
    """Where a stored value stands in the office's review."""

    SUBMITTED = "submitted"  # entered by a department, awaiting the office
    CONFIRMED = "confirmed"  # confirmed by the office (or entered/loaded by it)
    RETURNED = "returned"  # sent back to the department with a reason

    @property
    def label_zh(self) -> str:
        return {"submitted": "待确认", "confirmed": "已确认", "returned": "已退回"}[self.value]

    @property
    def label_en(self) -> str:
        return {"submitted": "pending", "confirmed": "confirmed", "returned": "returned"}[
            self.value
        ]


class YearError(ValueError):
    """A year outside what the cycle accepts; names the field, with a Chinese message.

    ``detail`` and ``detail_zh`` say what is wrong without the field; ``message_zh`` is the
    Chinese message with it (``year：年份不能晚于…``).
    """

    def __init__(self, field: str, message: str, message_zh: str) -> None:
        self.field = field
        self.detail, self.detail_zh = message, message_zh
        self.message_zh = f"{field}：{message_zh}"
        super().__init__(f"{field}: {message}")


def china_today(now: dt.datetime) -> dt.date:
    """The calendar date in China Standard Time at the instant ``now`` (naive: UTC)."""
    aware = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA_TZ).date()


def check_year(year: int, today: dt.date, field: str = "year") -> int:
    """``year`` when it is not after the calendar year of ``today`` (China Standard Time).

    Parameters
    ----------
    year : int
        The year of a value, or the evaluation year the office chooses. [a]
    today : date
        Today's date in China Standard Time (:func:`china_today`).
    field : str
        The field named in the refusal ("year", "evaluation_year", "Sheet1!B5" …).
    """
    if year > today.year:
        raise YearError(
            field,
            f"expected a year up to the current year {today.year} (China Standard Time), "
            f"got {year}",
            f"年份不能晚于当前年份{today.year}年（北京时间），而不是{year}",
        )
    return year


def default_evaluation_year(today: dt.date, base_year: int, target_year: int) -> int:
    """The year evaluated when the office has chosen none: last calendar year, within the
    demonstration's years (a year's figures are collected in the year after)."""
    return max(base_year, min(target_year, today.year - 1))


def counts(state: ValueState, confirmation: bool) -> bool:
    """Whether a value in ``state`` counts in the evaluation, the report and the dossier.

    With confirmation on only confirmed values count; with it off a value counts once saved,
    except one the office returned.
    """
    if state is ValueState.CONFIRMED:
        return True
    return not confirmation and state is ValueState.SUBMITTED


def state_after_entry(office: bool, confirmation: bool) -> ValueState:
    """The state of a value just entered (or corrected): the office's own entries, and every
    entry when the unit has switched confirmation off, are confirmed; else submitted."""
    return ValueState.CONFIRMED if office or not confirmation else ValueState.SUBMITTED


@dataclass(frozen=True)
class StatusCounts:
    """Indicators by status in one year: missing (``no_data``) apart from ``not_met``.

    (Acceptance, :func:`~nearzero.indicators.evaluation.acceptance`, counts only ``met``: a
    binding indicator without data is not met for acceptance, but shown as missing.)
    """

    met: int = 0
    not_met: int = 0
    no_data: int = 0
    needs_assessment: int = 0

    @property
    def total(self) -> int:
        return self.met + self.not_met + self.no_data + self.needs_assessment


def status_counts(outcomes: Iterable[tuple[IndicatorSpec, Outcome]]) -> StatusCounts:
    """Count ``outcomes`` by status."""
    by: dict[Status, int] = dict.fromkeys(Status, 0)
    for _spec, outcome in outcomes:
        by[outcome.status] += 1
    return StatusCounts(
        met=by[Status.MET],
        not_met=by[Status.NOT_MET],
        no_data=by[Status.NO_DATA],
        needs_assessment=by[Status.NEEDS_ASSESSMENT],
    )


def missing(
    outcomes: Iterable[tuple[IndicatorSpec, Outcome]],
) -> list[IndicatorSpec]:
    """The indicators (or task targets) whose status in the year is ``no data``."""
    return [spec for spec, outcome in outcomes if outcome.status is Status.NO_DATA]


def overdue(due: dt.date | None, today: dt.date) -> bool:
    """Whether a deadline ``due`` has passed on ``today`` (China Standard Time)."""
    return due is not None and today > due
