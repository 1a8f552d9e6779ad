"""How a published figure looks: Excel number formats and text, from the marts' contracts.

A column's unit (:mod:`scp_metrics.warehouse.contracts`; the row's unit where it changes row by
row) gives its precision and number format (:data:`scp_metrics.config.units.UNITS`): rates to 2
decimals, percentages to 1, counts and ranks whole, dates as dates. Nothing is guessed from a
column's name.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from scp_metrics.config.units import unit_named
from scp_metrics.warehouse.contracts import ColumnContract, MartContract

__all__ = ["DATE_FORMAT", "LEDGER_UNITS", "cell_formats", "format_figure", "format_number",
           "row_unit", "unit_precision"]

DATE_FORMAT = unit_named("date").number_format
"""The number format of a date (``yyyy-mm-dd``)."""

LEDGER_UNITS: dict[str, str] = {"batch_id": "id", "rows": "count", "loaded_at": "date",
                                "superseded_by": "id"}
"""The units of the load ledger's numeric and date columns (``load_batches`` is not a mart and
has no contract; its other columns are text)."""


def _format_of(unit: str | None) -> str | None:
    if unit is None:
        return None
    try:
        return unit_named(unit).number_format
    except KeyError:  # a unit outside the vocabulary is shown as Excel's General
        return None


def _column_formats(frame: pd.DataFrame, name: str, column: ColumnContract | None,
                    unit: str | None, indicator_units: Mapping[str, str]) -> list[str | None]:
    n = len(frame)
    if column is None:
        if unit is None and pd.api.types.is_datetime64_any_dtype(frame[name]):
            unit = "date"  # a date by its type: a column a contract does not list
        return [_format_of(unit)] * n
    if column.kind == "date":
        return [DATE_FORMAT] * n
    if not column.per_row:
        return [column.number_format] * n
    return [_format_of(u) for u in column.units_of(frame, indicator_units)]


def cell_formats(frame: pd.DataFrame, contract: MartContract | None,
                 indicator_units: Mapping[str, str] | None = None,
                 units: Mapping[str, str] | None = None) -> dict[str, list[str | None]]:
    """The Excel number format of every cell of ``frame``, column by column (None: General).

    Parameters
    ----------
    frame : DataFrame
        Rows of the mart ``contract`` describes, as the mart holds them.
    contract : MartContract or None
        None for a table that is not a mart (then ``units`` names its columns' units).
    indicator_units : mapping, optional
        Indicator id → unit, for a mart whose rows take their indicator's unit (``mart_spc``).
    units : mapping, optional
        Column → unit name for the columns of a table without a contract (:data:`LEDGER_UNITS`).
    """
    known = dict(units or {})
    ind = dict(indicator_units or {})
    return {str(name): _column_formats(frame, str(name),
                                       contract.columns.get(str(name)) if contract else None,
                                       known.get(str(name)), ind)
            for name in frame.columns}


def unit_precision(unit: str | None) -> int | None:
    """Decimals a value in ``unit`` is shown with (None: not a number, or an unknown unit)."""
    if unit is None:
        return None
    try:
        return unit_named(unit).precision
    except KeyError:
        return None


def format_number(value: object, unit: str | None, *, missing: str = "—") -> str:
    """``value`` as text at its unit's precision with thousands separators:
    ``format_number(0.9269, "rate per 1,000") == "0.93"``, ``format_number(3017.0, "count")
    == "3,017"``, ``format_number(13.0, "rank (1 = best)") == "13"``. A missing value is
    ``missing``; a value of an unknown unit is given to 2 decimals."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return missing
    if not isinstance(value, int | float):
        return str(value)
    precision = unit_precision(unit)
    return f"{float(value):,.{2 if precision is None else precision}f}"


def row_unit(column: ColumnContract, row: Mapping[str, object],
             indicator_units: Mapping[str, str] | None = None) -> str | None:
    """The unit of ``column`` in one row of its mart (its own unit when it has one)."""
    if column.row_units is None:
        return column.unit
    key = column.row_units.column
    frame = pd.DataFrame({key: [row.get(key)]})
    unit = column.row_units.of(frame, indicator_units).iloc[0]
    return None if unit is None else str(unit)


#: Columns that hold a target or where the figure should be on the way to it: shown as set, so
#: a count target that is not whole keeps one decimal (222.5 schemes expected, not "222").
TARGET_COLUMNS = ("target_value", "expected_value", "trajectory_value", "milestone_value")


def format_figure(contract: MartContract, name: str, row: Mapping[str, object], *,
                  missing: str = "—") -> str:
    """Column ``name`` of one row of the mart ``contract`` describes, as text at the unit's
    precision (the row's unit where the column's unit is the row's): :func:`format_number`;
    a target column (:data:`TARGET_COLUMNS`) whose unit has no decimals and whose value is not
    whole gets one decimal."""
    column = contract.columns[name]
    unit = row_unit(column, row)
    value = row.get(name)
    if (name in TARGET_COLUMNS and isinstance(value, int | float) and value == value
            and unit_precision(unit) == 0 and abs(float(value) - round(float(value))) > 1e-9):
        return f"{float(value):,.1f}"
    return format_number(value, unit, missing=missing)
