"""What a workbook sheet is (:class:`Sheet`), what its function is given (:class:`SheetContext`)
and what it returns (:class:`SheetTable`); :func:`mart_table` builds a table from a mart query."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from scp_metrics.publish.formats import LEDGER_UNITS, cell_formats
from scp_metrics.publish.reader import MartReader, query_text
from scp_metrics.publish.suppression import SuppressionRules, assess, audit_reason, suppress_frame
from scp_metrics.settings import Settings
from scp_metrics.warehouse.contracts import MartContract, contract_for

EXCEL_MAX_ROWS = 1_048_576
"""Rows in an Excel sheet."""
TABLE_FIRST_ROW = 3
"""0-based row of a table's header: A1 title, A2 description, A3 a note line, A4 the header."""


@dataclass
class SheetContext:
    """What a sheet function may read: the reader, the settings, the home area, the month."""

    reader: MartReader
    settings: Settings
    home: str
    as_of: str | None
    rules: SuppressionRules

    @cached_property
    def tables(self) -> set[str]:
        return set(self.reader.tables())

    @cached_property
    def indicator_units(self) -> dict[str, str]:
        return self.reader.indicator_units() if "ref_indicators" in self.tables else {}

    @cached_property
    def indicator_measures(self) -> dict[str, str]:
        return self.reader.indicator_measures() if "ref_indicators" in self.tables else {}

    @cached_property
    def indicator_titles(self) -> dict[str, str]:
        from scp_metrics.config import catalogue

        return {i.id: i.title for i in catalogue.read_indicators(self.settings.config_dir)}


@dataclass
class SheetTable:
    """One sheet's table as the workbook shows it.

    frame : the rows, values as published (a suppressed count is its marker text, a withheld
        value empty); its column names are the headers, units included.
    formats : column → one Excel number format per row (None: General). Dates get a date
        format; a number never does.
    description : one or two sentences under the sheet's title.
    notes : notes for the Notes sheet (the sheet says "[note N]" beside its description).
    rag_column : a column holding Red / Amber / Green, coloured by conditional formatting.
    source : where the rows come from (a mart, a config file).
    suppressed : the cells withheld, for the suppression audit: (row position, column, reason).
    """

    frame: pd.DataFrame
    formats: dict[str, list[str | None]]
    description: str
    notes: list[str] = field(default_factory=list)
    rag_column: str | None = None
    source: str = ""
    suppressed: list[tuple[int, str, str]] = field(default_factory=list)


SheetFunction = Callable[[SheetContext], SheetTable | None]


@dataclass(frozen=True)
class Sheet:
    """One table sheet: ``name`` is its tab (at most 31 characters, no spaces needed), ``title``
    its A1 title, ``table(ctx)`` its table (None: the sheet is left out)."""

    name: str
    title: str
    table: SheetFunction

    def __post_init__(self) -> None:
        if len(self.name) > 31 or any(c in self.name for c in "[]:*?/\\"):
            raise ValueError(f"sheet name {self.name!r} is not a valid Excel sheet name")


def header(name: str, contract: MartContract | None, units: Mapping[str, str] | None = None) -> str:
    """``name`` with its unit: ``"value (rate per 1,000)"``; a column whose unit is the row's
    says so; text and dates have none."""
    column = contract.columns.get(name) if contract else None
    if column is None:
        unit = (units or {}).get(name)
        return f"{name} ({unit})" if unit and unit not in ("date", "id") else name
    if column.kind in ("text", "date", "flag"):
        return name
    if column.per_row:
        return f"{name} (unit of the row)"
    if column.unit in ("id", "date"):
        return name
    return f"{name} ({column.unit})"


def mart_table(ctx: SheetContext, query: str, table: str, description: str, *,
               columns: list[str] | None = None, limit: int | None = None,
               notes: list[str] | None = None, **params: Any) -> SheetTable | None:
    """A sheet from ``publish/sql/<query>.sql`` (rows of ``table``): formats, units and
    suppression from ``table``'s contract, only ``columns`` if given. None when ``table`` is
    missing. ``$home`` in the query is the home area."""
    if table not in ctx.tables:
        return None
    if "$home" in query_text(query):
        params.setdefault("home", ctx.home)
    frame = ctx.reader.frame(query, **params)
    notes = list(notes or [])
    limit = EXCEL_MAX_ROWS - TABLE_FIRST_ROW - 1 if limit is None else limit
    if len(frame) > limit:
        notes.append(f"Only the first {limit:,} of {len(frame):,} rows fit this sheet; every row "
                     f"is in {table}.csv beside the workbook.")
        frame = frame.iloc[:limit]
    contract = contract_for(table) if table.startswith("mart_") else None
    formats = cell_formats(frame, contract, ctx.indicator_units, LEDGER_UNITS)
    shown, suppressed = frame, []
    if contract is not None:
        shown, _ = suppress_frame(frame, ctx.rules, contract, ctx.indicator_measures, numbers=True)
        found = assess(frame, ctx.rules, contract, indicator_measures=ctx.indicator_measures)
        for col in shown.columns:
            changed = _changed(frame[col], shown[col])
            suppressed += [(int(i), str(col), audit_reason(found, col, i)) for i in changed]
    if columns is not None:
        keep = [c for c in columns if c in shown.columns]
        shown, formats = shown[keep], {c: formats[c] for c in keep}
        suppressed = [s for s in suppressed if s[1] in keep]
    units = LEDGER_UNITS if contract is None else None
    renamed = {c: header(c, contract, units) for c in shown.columns}
    return SheetTable(shown.rename(columns=renamed), {renamed[c]: f for c, f in formats.items()},
                      description, notes, source=table,
                      suppressed=[(r, renamed[c], why) for r, c, why in suppressed])


def _changed(before: pd.Series, after: pd.Series) -> list[int]:
    """Positions where suppression changed a value (a count to its marker, a value withheld)."""
    b = before.reset_index(drop=True)
    a = after.reset_index(drop=True)
    if a.empty:
        return []
    if a.dtype == b.dtype and a.dtype != object:
        # one type on both sides (numbers, dates, or pandas' text dtype, where every value
        # present is text): a value became text only where it was missing before
        became_text = a.notna() & b.isna() if pd.api.types.is_string_dtype(a) else False
        plain = (a.isna() & b.notna()) | became_text
        return [int(i) for i in plain[plain].index]
    text_a = a.map(lambda v: isinstance(v, str)).astype(bool)
    text_b = b.map(lambda v: isinstance(v, str)).astype(bool)
    differs = (a.isna() & b.notna()) | (text_a & ~text_b)
    return [int(i) for i in differs[differs].index]
