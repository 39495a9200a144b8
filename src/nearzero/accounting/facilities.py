"""Facility-level activity data: one line per facility, pooled into one activity row per key.

A facility table (a ``.csv`` file, header on line 1) has the columns of
:data:`FACILITY_COLUMNS`: ``year, category, method, subject, unit, quantity`` and,
optionally, ``facility`` (the facility's name or code, named in errors) and ``sector``
(checked against the category, as in an activity row). Example::

    facility,year,category,method,subject,unit,quantity
    明水热电,2022,1.A.1.a,fuel_combustion,原煤,吨,182340
    圣泉集团,2022,1.A.2,fuel_combustion,天然气,万m³,1210.5

Lines sharing ``(year, category, method, subject, unit)`` are summed into one
:class:`~nearzero.accounting.model.ActivityRow` whose id is that key
(``1.A.2/fuel_combustion/天然气/万m³``), then computed like any activity row. Pooling is
valid for the methods of :data:`POOLED_METHODS` (activity × factors, IPCC 2006 Tier 1):
without row parameters their emissions are linear in the quantity, so the emissions of the
summed quantity are the sum of the facilities' emissions (equal to rounding: (Σ q)·f and
Σ (q·f) round differently). Methods that need row parameters (a landfill's deposits, a
forest's volumes) are refused: give them as activity rows.

Checks are the activity rows' own (:func:`~nearzero.accounting.activity.parse_row`): every
distinct ``(key, sector)`` is parsed once on its first line, and every line whose year or
quantity is not a number ≥ 0 is parsed alone, so an error names the line (header = line 1),
the facility and the column, exactly as an activity row's would. The work per line is
vectorised (the codes of columns read as categories, else pandas factorize; numpy
bincount); a line costs no factor lookup and no unit conversion — those happen once per
pooled row, with the row's own unit (:func:`nearzero.units.convert`, the one path).

The quantities of a key are summed in line order (``numpy.bincount`` adds the weights one
after the other, like ``total += q`` in a loop), so the pooled quantity is the same float a
per-line loop gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pandas is imported where a facility table is pooled, not to check a row
    import pandas as pd

from nearzero.accounting.activity import check_rows, parse_row
from nearzero.accounting.factors import FactorLibrary
from nearzero.accounting.model import ActivityError, ActivityRow

#: The columns of a facility table.
FACILITY_COLUMNS = (
    "facility",
    "year",
    "category",
    "sector",
    "method",
    "subject",
    "unit",
    "quantity",
)
#: Columns every facility table has.
REQUIRED_COLUMNS = ("year", "category", "method", "subject", "unit", "quantity")
#: The columns whose values make one pooled row.
KEY_COLUMNS = ("year", "category", "method", "subject", "unit")
#: Columns read as text.
TEXT_COLUMNS = ("facility", "category", "sector", "method", "subject", "unit")
#: Methods whose emissions, without row parameters, are activity × factors: additive over
#: facilities (IPCC 2006 Tier 1 equations; see each method's citation).
POOLED_METHODS = frozenset(
    {
        "fuel_combustion",
        "electricity",
        "heat",
        "cement_clinker",
        "lime",
        "ammonia",
        "enteric_fermentation",
        "manure_ch4",
        "soil_n2o_direct",
        "incineration",
        "biological_treatment",
    }
)

#: A column: a numpy array or a pandas Categorical (a column read as categories); a column
#: outside the key and the numbers (``facility``) may be any sequence, read only for errors.
Column: TypeAlias = "Sequence[Any] | NDArray[Any] | pd.Categorical"


def _codes(values: Any) -> tuple[NDArray[np.int64], int]:
    """Integer codes of a column and how many distinct values it holds (missing: one more)."""
    import pandas as pd

    if isinstance(values, pd.Categorical):  # read as categories: the codes are there
        codes, count = values.codes.astype(np.int64), len(values.categories)
    else:
        raw, uniques = pd.factorize(values)
        codes, count = raw.astype(np.int64, copy=False), len(uniques)
    missing = codes < 0
    if missing.any():
        codes[missing] = count
        count += 1
    return codes, count


def _combine(
    key: NDArray[np.int64], size: int, codes: NDArray[np.int64], count: int
) -> tuple[NDArray[np.int64], int]:
    """Codes of the pairs (key, codes): compact again when the product would overflow."""
    if size * count >= 2**62:
        key, size = _codes(key)
    combined = key * count + codes
    if size * count >= 2**31:
        return _codes(combined)
    return combined, size * count


def _first_of(inverse: NDArray[np.int64], groups: int) -> NDArray[np.int64]:
    """The first line of each group (groups numbered in order of first appearance)."""
    first = np.empty(groups, dtype=np.int64)
    positions = np.arange(len(inverse), dtype=np.int64)
    first[inverse[::-1]] = positions[::-1]
    return first


class _Table:
    """The columns of a facility table as numpy arrays, with the raw line for the checks."""

    def __init__(self, columns: Mapping[str, Column], sheet: str, first_line: int) -> None:
        self.sheet = sheet
        self.first_line = first_line
        self.columns: dict[str, Any] = {
            name: np.asarray(values) if isinstance(values, list | tuple) else values
            for name, values in columns.items()
        }
        self.size = len(self.columns["quantity"])

    def line(self, i: int) -> int:
        return self.first_line + i

    def raw(self, i: int, quantity: object = None) -> dict[str, object]:
        """Line ``i`` as the fields :func:`parse_row` reads (numbers where they are numbers)."""
        raw: dict[str, object] = {}
        for name, values in self.columns.items():
            value = values[i]
            if name == "facility":
                if value not in (None, ""):
                    raw["id"] = str(value)
                continue
            if isinstance(value, np.generic):
                value = value.item()
            if name in ("year", "quantity"):
                value = _number_or_text(value)
                if isinstance(value, float) and value != value:  # NaN: an empty cell
                    value = None
            if value is None or value == "":
                continue
            raw[name] = value if name in ("year", "quantity") else str(value)
        if quantity is not None:
            raw["quantity"] = quantity
        return raw

    def parse(self, i: int, quantity: object = None, row_id: str = "") -> ActivityRow:
        """Line ``i`` through the activity row's checks (raises :class:`ActivityError`)."""
        raw = self.raw(i, quantity)
        if row_id:
            raw["id"] = row_id
        try:
            return parse_row(raw, self.line(i), None, sheet=self.sheet)
        except ActivityError as exc:
            raise self._named(exc, i) from None

    def _named(self, exc: ActivityError, i: int) -> ActivityError:
        """The error with the line's facility (or none) instead of a generated row id."""
        facility = self.columns.get("facility")
        name = "" if facility is None else str(facility[i] or "")
        return ActivityError(exc.index, exc.field, exc.message, row_id=name, sheet=exc.sheet)


def _number_or_text(value: object) -> object:
    """A number read from a cell: int or float when it is one, else the text (or None)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value).strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _numbers(values: Any) -> NDArray[np.float64]:
    import pandas as pd

    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return values.astype(np.float64, copy=False)
    numbers: NDArray[np.float64] = pd.to_numeric(
        pd.Series(values, dtype=object), errors="coerce"
    ).to_numpy(np.float64)
    return numbers


def _pool(
    columns: Mapping[str, Column],
    factors: FactorLibrary | None,
    sheet: str,
    first_line: int,
    limit: int,
) -> tuple[list[ActivityRow], list[ActivityError]]:
    import pandas as pd

    header = [str(c) for c in columns]
    unknown = [c for c in header if c not in FACILITY_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing:
        field = (unknown or missing)[0]
        what = "unknown column" if unknown else "missing column"
        what_zh = "未知列" if unknown else "缺少列"
        error = ActivityError(
            first_line - 1,
            field,
            f"{what_zh}，应为{'、'.join(FACILITY_COLUMNS)} — "
            f"{what}; expected {', '.join(FACILITY_COLUMNS)}",
            sheet=sheet,
        )
        return [], [error]
    table = _Table(columns, sheet, first_line)
    if table.size == 0:
        return [], []
    cols = table.columns
    quantity = _numbers(cols["quantity"])
    years = _numbers(cols["year"])
    bad = ~np.isfinite(quantity) | (quantity < 0) | ~np.isfinite(years) | (years % 1 != 0)
    errors: list[ActivityError] = []
    for i in np.flatnonzero(bad)[:limit].tolist():
        try:
            table.parse(i)
        except ActivityError as exc:
            errors.append(exc)
        else:  # a year written 2022.0: the number is a year, the cell is not
            error = ActivityError(
                table.line(i), "year", "应为年份 — expected a year", sheet=table.sheet
            )
            errors.append(table._named(error, i))
    key, size = np.zeros(table.size, dtype=np.int64), 1
    for name in KEY_COLUMNS:
        codes, count = _codes(years if name == "year" else cols[name])
        key, size = _combine(key, size, codes, count)
    inverse, groups = pd.factorize(key)
    inverse = inverse.astype(np.int64, copy=False)
    checked = inverse
    if "sector" in cols:  # each (key, sector) once: a sector that contradicts the category
        codes, count = _codes(cols["sector"])
        checked, _ = _combine(inverse, len(groups), codes, count)
        checked = pd.factorize(checked)[0].astype(np.int64, copy=False)
    firsts = _first_of(checked, int(checked.max()) + 1)
    for i in np.sort(firsts).tolist():
        if len(errors) >= limit:
            break
        if bad[i]:
            continue
        try:
            first = table.parse(i)
            method = first.method
            if method not in POOLED_METHODS:
                raise table._named(
                    ActivityError(
                        table.line(i),
                        "method",
                        f"方法{method}不能按设施汇总（需要逐行参数），应为"
                        f"{'、'.join(sorted(POOLED_METHODS))}之一，或把该行作为活动数据行填写"
                        "（.yaml、.json或.xlsx） — "
                        f"{method} is not pooled over facilities (it needs row parameters); "
                        f"expected one of {', '.join(sorted(POOLED_METHODS))}, or give the "
                        "line as an activity row (.yaml, .json or .xlsx)",
                        sheet=table.sheet,
                    ),
                    i,
                )
            check_rows([first], factors)  # its method runs: fuel, unit and factors
        except ActivityError as exc:
            errors.append(exc)
    if errors:
        return [], sorted(errors, key=lambda e: e.index)[:limit]
    sums = np.bincount(inverse, weights=quantity, minlength=len(groups))
    counts = np.bincount(inverse, minlength=len(groups))
    rows = []
    for g, first in enumerate(_first_of(inverse, len(groups)).tolist()):
        label = "/".join(str(cols[c][first]) for c in KEY_COLUMNS[1:])
        row = table.parse(first, float(sums[g]), label)
        rows.append(replace(row, note=f"{int(counts[g])} facility lines"))
    try:
        check_rows(rows, None)  # one id per key and year ("/" inside a subject could clash)
    except ActivityError as exc:
        return [], [exc]
    return rows, []


def pool_facilities(
    columns: Mapping[str, Column],
    factors: FactorLibrary | None = None,
    *,
    sheet: str = "",
    first_line: int = 2,
) -> list[ActivityRow]:
    """One activity row per ``(year, category, method, subject, unit)`` of a facility table.

    Parameters
    ----------
    columns : mapping of column name to values
        The table by column (:data:`FACILITY_COLUMNS`), one value per line.
    factors : FactorLibrary, optional
        With it, the first line of every key is run once, so a fuel without factors or a
        unit that does not convert is refused now, naming that line and its facility.
    sheet : str
        The file (or sheet) named in errors.
    first_line : int
        The line number of the first value (2: the header is line 1).

    Raises
    ------
    ActivityError
        The first bad line, naming the line, the facility and the column.
    """
    rows, errors = _pool(columns, factors, sheet, first_line, 1)
    if errors:
        raise errors[0]
    return rows


def facility_errors(
    columns: Mapping[str, Column],
    factors: FactorLibrary | None = None,
    *,
    sheet: str = "",
    first_line: int = 2,
    limit: int = 50,
) -> list[str]:
    """Every bad line of a facility table (up to ``limit``), in line order, for a listing."""
    return [str(e) for e in _pool(columns, factors, sheet, first_line, limit)[1]]


def aggregate_facility_rows(
    year: NDArray[Any],
    category: NDArray[Any],
    method: NDArray[Any],
    subject: NDArray[Any],
    unit: NDArray[Any],
    quantity: NDArray[np.float64],
) -> list[ActivityRow]:
    """:func:`pool_facilities` of columns given one by one (lines numbered from 0)."""
    columns = {
        "year": year,
        "category": category,
        "method": method,
        "subject": subject,
        "unit": unit,
        "quantity": quantity,
    }
    return pool_facilities(columns, first_line=0)
