"""Small-number suppression: the one rule every output applies.

What can be suppressed is the mart's contract's (:mod:`scp_metrics.warehouse.contracts`): a
column marked ``count`` holds counts of people or events, a column marked ``derived`` would give
such a count back. Where a column's unit changes row by row, it holds a count only in the rows
whose unit is ``count`` (a target's outturn: counted for a count target, not for a rate or a
rank); in a mart whose rows take their unit from their indicator (``mart_spc``), only in the
rows of indicators whose measure ``config/privacy.toml`` lists in ``count_measures``. The
policy (``config/privacy.toml``, read by :func:`scp_metrics.config.privacy.suppression_rules`:
the threshold, the count measures) then decides row by row.

A row *rests on a small count* when one of its counts is from 1 to ``threshold - 1`` (default
1-4). Such a count is published as ``"<threshold"`` (``"<5"``) and the row's derived values are
withheld. Zero is shown. The warehouse keeps the exact figures.

:func:`small_cells` is the rule; the rest renders it for each output:

* :func:`suppress_frame` - the published CSVs (counts as text) and the workbook (counts stay
  numbers, small ones ``"<5"``); :func:`publish_table` writes a mart's CSV;
* :func:`withhold` - charts (numbers stay numbers, withheld values are NaN) and
  :func:`suppressed_note` for their footnote;
* :func:`published_count` - a count in a sentence of the report.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from scp_metrics.config.privacy import SuppressionRules, suppression_rules
from scp_metrics.publish.reader import Connection, MartReader, as_reader
from scp_metrics.warehouse.contracts import MartContract, contract_for

__all__ = ["SuppressionRules", "count_rows", "derived_columns", "is_small", "publish_table",
           "published_count", "small_cells", "small_rows", "suppress_frame",
           "suppress_small_numbers", "suppressed_note", "suppression_rules", "withhold"]


# ------------------------------------------------------------------------------- the rule


def _small(values: pd.Series, threshold: int) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return ((numbers >= 1) & (numbers < threshold)).fillna(False).astype(bool)


def is_small(count: object, rules: SuppressionRules) -> bool:
    """Whether ``count`` is a small count under ``rules`` (1 to ``threshold - 1``)."""
    if count is None or count is pd.NA:
        return False
    try:
        number = float(count)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return 1 <= number < rules.threshold


def count_rows(frame: pd.DataFrame, contract: MartContract, rules: SuppressionRules,
               indicator_measures: Mapping[str, str] | None = None) -> dict[str, pd.Series]:
    """For each ``count`` column of ``contract`` in ``frame``: the rows in which it holds a count.

    A column of one unit holds counts in every row. A column whose unit is the row's holds a
    count where the row's unit is ``count``, or, when the row's unit is its indicator's, where
    the indicator's measure (``indicator_measures``) is one of ``rules.count_measures`` (no
    row without ``indicator_measures``).
    """
    out: dict[str, pd.Series] = {}
    for name, column in contract.columns.items():
        if column.suppression != "count" or name not in frame.columns:
            continue
        units = column.row_units
        if units is None:
            rows = pd.Series(True, index=frame.index)
        elif units.by_indicator:
            measures = frame[units.column].map(dict(indicator_measures or {}))
            rows = measures.isin(rules.count_measures)
        else:
            rows = units.of(frame).eq("count")
        out[name] = rows.fillna(False).astype(bool)
    return out


def derived_columns(frame: pd.DataFrame, contract: MartContract) -> list[str]:
    """The columns of ``frame`` that ``contract`` marks as derived from a count."""
    return [name for name, column in contract.columns.items()
            if column.suppression == "derived" and name in frame.columns]


def small_cells(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract, *,
                indicator_measures: Mapping[str, str] | None = None) -> dict[str, pd.Series]:
    """The rule: for each count column of ``frame`` (``contract``'s), which cells are small
    counts (from 1 to ``threshold - 1`` in a row where the column holds a count,
    :func:`count_rows`). An empty result: nothing in ``frame`` can be suppressed."""
    return {name: _small(frame[name], rules.threshold) & rows
            for name, rows in count_rows(frame, contract, rules, indicator_measures).items()}


def small_rows(cells: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """The rows with any small count (``cells`` from :func:`small_cells`)."""
    small = pd.Series(False, index=index)
    for hit in cells.values():
        small |= hit
    return small


# ------------------------------------------------------------------ CSV and the workbook


def _count_text(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else str(value)


def _count_number(value: object) -> object:
    text = _count_text(value)
    if text is None:
        return None
    number = float(text)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else number


def _render(frame: pd.DataFrame, cells: dict[str, pd.Series], marker: str,
            derived: tuple[str, ...] | list[str], numbers: bool) -> pd.DataFrame:
    out = frame.copy()
    as_cell = _count_number if numbers else _count_text
    for column, hit in cells.items():
        shown = pd.Series([as_cell(v) for v in out[column]], index=out.index, dtype=object)
        shown[hit] = marker
        out[column] = shown
    small = small_rows(cells, out.index)
    if small.any():
        for column in derived:
            if column in out.columns:
                out[column] = out[column].astype(object).where(~small, None)
    return out


def suppress_small_numbers(frame: pd.DataFrame, columns: list[str] | tuple[str, ...],
                           threshold: int = 5, *, derived: list[str] | tuple[str, ...] = (),
                           rows: pd.Series | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with counts from 1 to ``threshold - 1`` in ``columns`` shown as
    ``"<threshold"`` (zero and larger counts kept, as text); in those rows the ``derived``
    columns are blanked. ``rows`` limits suppression to a mask of rows."""
    cells = {}
    for column in columns:
        if column in frame.columns:
            hit = _small(frame[column], threshold)
            cells[column] = hit & rows.fillna(False).astype(bool) if rows is not None else hit
    return _render(frame, cells, f"<{threshold}", derived, numbers=False)


def suppress_frame(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract,
                   indicator_measures: Mapping[str, str] | None = None, *,
                   numbers: bool = False) -> tuple[pd.DataFrame, int]:
    """``frame`` (rows of the mart ``contract`` describes) as it may be published under
    ``rules``, and how many rows were suppressed.

    Small counts (:func:`small_cells`) are shown as ``"<threshold"`` and the contract's derived
    columns of their rows are blanked; a frame with no count column is returned as it is. The
    other values of a count column are text (``"1200"``, for the CSVs) or, with ``numbers``,
    numbers (for the workbook).
    """
    cells = small_cells(frame, rules, contract, indicator_measures=indicator_measures)
    if not cells:
        return frame, 0
    out = _render(frame, cells, rules.marker, derived_columns(frame, contract), numbers)
    return out, int(small_rows(cells, frame.index).sum())


def publish_table(source: MartReader | Connection, name: str, target: Path, config_dir: Path,
                  chunk_vectors: int | None = None) -> int:
    """Write mart ``name`` to ``target`` as CSV with small numbers suppressed as its contract
    and ``config/privacy.toml`` say; returns the number of rows suppressed. A mart with
    nothing suppressible is copied as it is. Text that a spreadsheet would read as a formula
    (``=``, ``+``, ``-``, ``@``, a tab or a CR first) gets a leading single quote: the mart's
    text columns only (numbers, and counts shown as text, are written as they are).

    ``chunk_vectors``: suppress and write that many DuckDB vectors (2,048 rows each) at a time,
    so memory is bounded by the chunk rather than the mart; the bytes written are the same.
    ``None``: the whole mart at once.

    Raises
    ------
    KeyError
        When ``name`` has no contract (nothing unchecked is published).
    """
    reader = as_reader(source)
    rules = suppression_rules(config_dir)
    contract = contract_for(name)
    header = pd.DataFrame(columns=list(reader.columns(name)))
    counts = count_rows(header, contract, rules)
    if not counts:
        reader.copy_table_csv(name, target)
        return 0
    by_indicator = any(c.row_units is not None and c.row_units.by_indicator
                       for n, c in contract.columns.items() if n in counts)
    measures = reader.indicator_measures() if by_indicator else None
    dates = tuple(n for n, c in contract.columns.items() if c.kind == "date")
    texts = tuple(n for n, kind in reader.columns(name).items()
                  if kind == "VARCHAR" and n not in counts)
    part = target.with_name(target.name + ".part")
    suppressed = 0
    try:
        with open(target, "wb") as out_file:
            for i, frame in enumerate(reader.table_chunks(name, chunk_vectors)):
                out, small = suppress_frame(frame, rules, contract, measures)
                suppressed += small
                reader.write_frame_csv(out, part, header=i == 0,
                                       dates=tuple(c for c in dates if c in out.columns),
                                       texts=tuple(c for c in texts if c in out.columns))
                with open(part, "rb") as chunk_file:
                    shutil.copyfileobj(chunk_file, out_file)
    finally:
        part.unlink(missing_ok=True)
    return suppressed


# ------------------------------------------------------------------------ charts, report


def withhold(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract,
             counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """A copy of ``frame`` for drawing: the values of rows that rest on a small count are NaN,
    every number stays a number.

    ``contract`` describes ``frame``'s counts and derived columns; or, with ``counts``, the
    mart of ``counts``, the counts ``frame`` rests on (an SPC series' months: the month's
    numerator and denominator from ``mart_indicator_values``, whose derived ``value`` is the
    point drawn), joined on ``period_start``. ``attrs["suppressed"]`` holds how many rows were
    withheld and ``attrs["threshold"]`` the threshold, for :func:`suppressed_note`."""
    source = frame
    if counts is not None:
        source = frame[["period_start"]].merge(counts, on="period_start", how="left")
        source.index = frame.index
    out = frame.copy()
    small = small_rows(small_cells(source, rules, contract), out.index)
    if small.any():
        for column in derived_columns(out, contract):
            out[column] = out[column].astype(float).where(~small)
    out.attrs["suppressed"] = int(small.sum())
    out.attrs["threshold"] = rules.threshold
    return out


def suppressed_note(*frames: pd.DataFrame) -> str:
    """Footnote sentence for values withheld by :func:`withhold` ("" when none)."""
    n = sum(int(f.attrs.get("suppressed", 0)) for f in frames)
    if not n:
        return ""
    threshold = max(int(f.attrs.get("threshold", SuppressionRules.threshold)) for f in frames)
    return (f"{n} value{'s' if n != 1 else ''} resting on counts of 1 to {threshold - 1} not "
            "shown (disclosure control)")


def published_count(count: int | None, rules: SuppressionRules) -> str:
    """A count as a sentence publishes it: ``"<5"`` when small, ``"1,234"`` otherwise."""
    if count is None:
        return "not available"
    if is_small(count, rules):
        return rules.marker
    return f"{count:,}"
