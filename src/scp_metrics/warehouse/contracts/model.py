"""What a mart contract is: per column its type, unit, precision, number format and whether
small-number suppression can apply; per mart a Pandera schema built from them.

See :mod:`scp_metrics.warehouse.contracts` for the API and the marts' contracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from scp_metrics.config.units import ALIASES, Unit, unit_named

__all__ = ["KINDS", "ColumnContract", "MartContract", "MartContractError", "RowUnits"]

Kind = Literal["text", "date", "int", "int32", "float", "flag"]
Suppression = Literal["count", "derived"]
PER_ROW = "per row"
"""The ``unit`` of a column whose unit changes row by row (see :class:`RowUnits`)."""


class MartContractError(ValueError):
    """A mart that does not meet its contract (the message names the mart and the column)."""


class MartDate(pandas_engine.Date):
    """Pandera's ``date`` (Python ``datetime.date`` values in an object column), checked at C
    speed when every value is a date or missing (Pandera tests each value in Python: 0.8 s for
    750k rows); anything else falls back to Pandera's own check, which names the bad values."""

    def check(self, pandera_dtype: Any, data_container: pd.Series | None = None) -> Any:
        if (data_container is not None and data_container.dtype == object
                and pd.api.types.infer_dtype(data_container, skipna=True) in ("date", "empty")):
            return np.ones(len(data_container), dtype=bool)
        return super().check(pandera_dtype, data_container)


class MartText(pandas_engine.STRING):
    """Pandera's ``str`` (a string column, or an object column of ``str`` and missing values),
    with the same C-speed shortcut as :class:`MartDate`."""

    def check(self, pandera_dtype: Any, data_container: pd.Series | None = None) -> Any:
        if (data_container is not None and data_container.dtype == object
                and pd.api.types.infer_dtype(data_container, skipna=True) in ("string", "empty")):
            return np.ones(len(data_container), dtype=bool)
        return super().check(pandera_dtype, data_container)


class MartFlag(pandas_engine.BOOL):
    """A flag: numpy ``bool``, or pandas' nullable ``boolean`` when some values are missing."""

    def check(self, pandera_dtype: Any, data_container: pd.Series | None = None) -> Any:
        if data_container is not None and data_container.dtype == bool:
            return np.ones(len(data_container), dtype=bool)
        return super().check(pandera_dtype, data_container)


@dataclass(frozen=True)
class _KindSpec:
    dtype: Any
    """The Pandera data type the builder's frame must have."""
    sql_type: str
    """The DuckDB type the mart table is created with."""
    empty_dtype: Any
    """The pandas dtype a column with no values is given (an all-missing column's dtype says
    nothing: DuckDB would store it as NULL or DOUBLE)."""


KINDS: dict[str, _KindSpec] = {
    "text": _KindSpec(MartText(), "VARCHAR", "string"),  # type: ignore[call-arg]
    "date": _KindSpec(MartDate(), "DATE", object),
    "int": _KindSpec(pa.Int64, "BIGINT", "Int64"),
    "int32": _KindSpec(pa.Int32, "INTEGER", "Int32"),
    "float": _KindSpec(pa.Float64, "DOUBLE", "float64"),
    "flag": _KindSpec(MartFlag(), "BOOLEAN", "boolean"),  # type: ignore[call-arg]
}


@dataclass(frozen=True)
class RowUnits:
    """How a column whose unit changes row by row finds each row's unit.

    ``column`` is a column of the same mart. Its value is the unit's name (``mapping`` empty and
    ``by_indicator`` false: e.g. ``mart_indicator_values.unit``); or is looked up in ``mapping``,
    ``default`` for values not in it (e.g. by ``check_id``); or, with ``by_indicator``, is an
    indicator id whose unit comes from the indicator catalogue (``mart_spc.indicator_id``).
    ``units`` lists the units the column can hold, each with its own precision.
    """

    column: str
    units: tuple[str, ...]
    mapping: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    by_indicator: bool = False

    def of(self, frame: pd.DataFrame,
           indicator_units: Mapping[str, str] | None = None) -> pd.Series:
        """Each row's unit name (None where it has none)."""
        key = frame[self.column]
        if self.by_indicator:
            if indicator_units is None:
                raise ValueError(f"the unit of these rows is their indicator's: pass "
                                 f"indicator_units (indicator id -> unit) to read {self.column}")
            names = key.map(dict(indicator_units))
        elif self.mapping:
            names = key.map(dict(self.mapping))
            names = names.where(names.notna(), self.default)
        else:
            names = key
        return pd.Series([ALIASES.get(n, n) if isinstance(n, str) else None for n in names],
                         index=frame.index, dtype=object)


@dataclass(frozen=True)
class ColumnContract:
    """One column of a published mart.

    ``unit`` is a unit name of :data:`scp_metrics.config.units.UNITS`, or ``"per row"`` with
    ``row_units`` saying where each row's unit is. ``suppression``: ``"count"`` (a count that
    ``config/privacy.toml`` may show as ``"<5"``), ``"derived"`` (blanked in a row whose count is
    suppressed: it would give the count back), or None (never suppressed).
    """

    name: str
    kind: Kind
    unit: str
    description: str
    nullable: bool = True
    suppression: Suppression | None = None
    row_units: RowUnits | None = None
    checks: tuple[pa.Check, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")
        if (self.unit == PER_ROW) != (self.row_units is not None):
            raise ValueError(f"column {self.name}: a 'per row' unit needs row_units, and only it")
        for name in (self.row_units.units if self.row_units else (self.unit,)):
            unit_named(name)  # a unit that is not in the vocabulary is refused here

    @property
    def per_row(self) -> bool:
        """True when the unit (and so the precision) is the row's, see :meth:`units_of`."""
        return self.row_units is not None

    @property
    def unit_spec(self) -> Unit | None:
        """The column's :class:`~scp_metrics.config.units.Unit` (None when it is per row)."""
        return None if self.per_row else unit_named(self.unit)

    @property
    def precision(self) -> int | None:
        """Decimals shown (None: not a number to round, or per row: :meth:`precision_for`)."""
        spec = self.unit_spec
        return spec.precision if spec else None

    @property
    def number_format(self) -> str | None:
        """Excel number format (None: General; per row: :meth:`number_format_for`)."""
        spec = self.unit_spec
        return spec.number_format if spec else None

    @property
    def suppressible(self) -> bool:
        """Whether small-number suppression can apply (the privacy policy decides per row)."""
        return self.suppression is not None

    @property
    def sql_type(self) -> str:
        return KINDS[self.kind].sql_type

    def units_of(self, frame: pd.DataFrame,
                 indicator_units: Mapping[str, str] | None = None) -> pd.Series:
        """The unit name of each row of ``frame`` (the column's own unit when it is fixed)."""
        if self.row_units is None:
            return pd.Series(self.unit, index=frame.index, dtype=object)
        return self.row_units.of(frame, indicator_units)

    def precision_for(self, unit: str | None) -> int | None:
        """Decimals shown for a value in ``unit`` (a row's unit; the column's when fixed)."""
        if not self.per_row:
            return self.precision
        return None if unit is None else unit_named(unit).precision

    def number_format_for(self, unit: str | None) -> str | None:
        """Excel number format for a value in ``unit`` (a row's unit; the column's when fixed)."""
        if not self.per_row:
            return self.number_format
        return None if unit is None else unit_named(unit).number_format

    def pandera_column(self) -> pa.Column:
        return pa.Column(KINDS[self.kind].dtype, checks=list(self.checks), nullable=self.nullable,
                         title=self.name, description=self.description,
                         metadata={"unit": self.unit, "precision": self.precision,
                                   "number_format": self.number_format,
                                   "suppression": self.suppression,
                                   "row_units": self.row_units})


@dataclass(frozen=True)
class MartContract:
    """A published mart: its columns in order, and the Pandera schema checking a frame of it."""

    name: str
    description: str
    columns: Mapping[str, ColumnContract]
    order_by: tuple[str, ...] = ()
    """The columns its published CSV is sorted by first (the rest of its columns break ties);
    none: every column in turn."""

    @classmethod
    def of(cls, name: str, description: str, *columns: ColumnContract,
           order_by: tuple[str, ...] = ()) -> MartContract:
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{name}: a column is declared twice")
        unknown = [c for c in order_by if c not in names]
        if unknown:
            raise ValueError(f"{name}: order_by names {', '.join(unknown)}, not a column of it")
        for column in columns:
            if column.row_units and column.row_units.column not in names:
                raise ValueError(f"{name}.{column.name}: its unit column "
                                 f"{column.row_units.column} is not a column of the mart")
        return cls(name, description, {c.name: c for c in columns}, tuple(order_by))

    @cached_property
    def schema(self) -> pa.DataFrameSchema:
        """The Pandera schema: every column, in order, nothing else."""
        return pa.DataFrameSchema({n: c.pandera_column() for n, c in self.columns.items()},
                                  name=self.name, description=self.description, strict=True,
                                  ordered=True, coerce=False)

    @property
    def sql_types(self) -> dict[str, str]:
        """Column name → the DuckDB type the mart's table is created with."""
        return {n: c.sql_type for n, c in self.columns.items()}

    @property
    def suppressible_columns(self) -> dict[str, str]:
        """Column name → ``"count"`` or ``"derived"``, for the columns suppression can touch."""
        return {n: c.suppression for n, c in self.columns.items() if c.suppression}

    def empty(self) -> pd.DataFrame:
        """The mart with no rows, every column of its type."""
        return pd.DataFrame({n: pd.Series(dtype=KINDS[c.kind].empty_dtype)
                             for n, c in self.columns.items()})

    def conform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with every column that holds no value given its kind's dtype, whole numbers
        in a float column declared integer as integers, and midnight timestamps in a column
        declared a date as dates (DuckDB reads DATE into pandas as datetime64). Values are not
        touched: such a dtype is an accident of how the frame was built."""
        out = frame
        for name, column in self.columns.items():
            if name not in frame.columns:
                continue
            values = frame[name]
            if values.first_valid_index() is None:  # no value (stops at the first there is)
                fixed = pd.Series([None] * len(frame), index=frame.index,
                                  dtype=KINDS[column.kind].empty_dtype)
            elif column.kind in ("int", "int32") and _whole_floats(values):
                fixed = values.astype(KINDS[column.kind].empty_dtype)  # NaN from a join
            elif column.kind == "date" and _midnights(values):
                fixed = pd.Series(_as_dates(values), index=frame.index, dtype=object)
            else:
                continue
            if out is frame:
                out = frame.copy(deep=False)
            out[name] = fixed
        return out

    def validate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (:meth:`conform`-ed) when it meets the contract.

        Raises
        ------
        MartContractError
            Naming the mart, each failing column and what is wrong with it.
        """
        expected = list(self.columns)
        if list(frame.columns) != expected:
            missing = [c for c in expected if c not in frame.columns]
            extra = [c for c in frame.columns if c not in self.columns]
            parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
                    ([f"undeclared column(s) {', '.join(map(str, extra))}"] if extra else [])
            raise MartContractError(f"{self.name}: " + ("; ".join(parts) or
                                    f"columns out of order (expected {', '.join(expected)})"))
        out = self.conform(frame)
        try:
            self.schema.validate(out, lazy=True, inplace=True)  # checks only: no copy
        except pa.errors.SchemaErrors as exc:
            raise MartContractError(_describe(self.name, exc.failure_cases)) from None
        return out


def _whole_floats(values: pd.Series) -> bool:
    """A float column whose values are all whole numbers or missing (integers a join made
    nullable, e.g. a DuckDB INTEGER column with NULLs read into pandas)."""
    if not pd.api.types.is_float_dtype(values):
        return False
    present = values.dropna().to_numpy(dtype=float)
    return bool(np.all(np.isfinite(present) & (present == np.round(present))))


def _midnights(values: pd.Series) -> bool:
    """A datetime64 column whose values are all midnights (dates) or missing."""
    if not pd.api.types.is_datetime64_dtype(values):
        return False
    present = values.dropna()
    return bool((present == present.dt.normalize()).all())


def _as_dates(values: pd.Series) -> np.ndarray:
    """``values.dt.date`` as an object array, converting each distinct date once."""
    codes, uniques = pd.factorize(values)
    dates = np.empty(len(uniques) + 1, dtype=object)  # the last one (code -1): missing
    dates[:-1] = uniques.date
    return dates[codes]


def _describe(mart: str, cases: pd.DataFrame) -> str:
    """One sentence per failing column: ``mart.column: check (e.g. value, value)``."""
    parts = []
    for (column, check), group in cases.groupby(["column", "check"], sort=True, dropna=False):
        values = ", ".join(repr(v) for v in group["failure_case"].drop_duplicates().head(3))
        where = f"{mart}.{column}" if isinstance(column, str) else mart
        parts.append(f"{where}: {check}" + (f" (e.g. {values})" if values else ""))
    return "mart contract not met: " + "; ".join(parts)
