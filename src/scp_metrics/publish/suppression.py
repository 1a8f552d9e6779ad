"""Small-number suppression: the one rule every output applies (``config/privacy.toml``, read by
:func:`scp_metrics.config.privacy.suppression_rules`).

A row *rests on a small count* when one of its counts (``count_columns``, e.g. ``numerator``,
``denominator``) is from 1 to ``threshold - 1`` (default 1-4); in a table without count columns
but with an indicator's ``value`` (``mart_spc``), when that value is itself a count (the
indicator's measure is one of ``count_measures``) from 1 to ``threshold - 1``. Such a count is
published as ``"<threshold"`` (``"<5"``) and the values derived from it in the row
(``derived_columns``: the value, its interval, the change) are withheld. Zero is shown. The
warehouse keeps the exact figures.

:func:`small_cells` is the rule; the rest renders it for each output:

* :func:`suppress_frame` - the published CSVs (counts as text) and the workbook (counts stay
  numbers, small ones ``"<5"``); :func:`publish_table` writes a mart's CSV;
* :func:`withhold` - charts (numbers stay numbers, withheld values are NaN) and
  :func:`suppressed_note` for their footnote;
* :func:`published_count` - a count in a sentence of the report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from scp_metrics.config.privacy import SuppressionRules, suppression_rules
from scp_metrics.publish.reader import Connection, MartReader, as_reader

__all__ = ["SuppressionRules", "is_small", "publish_table", "published_count", "small_cells",
           "small_rows", "suppress_frame", "suppress_small_numbers", "suppressed_note",
           "suppression_rules", "withhold"]


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


def _count_columns(frame: pd.DataFrame, rules: SuppressionRules,
                   extra_counts: tuple[str, ...] = ()) -> list[str]:
    return [c for c in (*rules.count_columns, *extra_counts) if c in frame.columns]


def small_cells(frame: pd.DataFrame, rules: SuppressionRules, *,
                measures: dict[str, str] | None = None, extra_counts: tuple[str, ...] = (),
                counts: pd.DataFrame | None = None) -> dict[str, pd.Series]:
    """The rule: for each count column of ``frame``, which of its cells are small counts.

    Parameters
    ----------
    frame : DataFrame
        Rows of a mart.
    rules : SuppressionRules
    measures : dict, optional
        Indicator id → measure; with it, a frame without count columns but with
        ``indicator_id`` and ``value`` has the value of count indicators as its count.
    extra_counts : tuple of str
        Columns that are counts besides ``rules.count_columns``.
    counts : DataFrame, optional
        The counts a frame without count columns rests on (``mart_spc``'s months), joined on
        ``period_start``; the masks are then indexed like ``frame``.

    Returns
    -------
    dict
        Count column → boolean mask of ``frame``'s rows (empty: nothing can be suppressed).
    """
    source = frame
    if counts is not None:
        source = frame[["period_start"]].merge(counts, on="period_start", how="left")
        source.index = frame.index
    names = _count_columns(source, rules, extra_counts)
    if names:
        return {c: _small(source[c], rules.threshold) for c in names}
    if measures is not None and {"value", "indicator_id"} <= set(frame.columns):
        is_count = frame["indicator_id"].map(measures).isin(rules.count_measures)
        return {"value": _small(frame["value"], rules.threshold) & is_count}
    return {}


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


def suppress_frame(frame: pd.DataFrame, rules: SuppressionRules,
                   measures: dict[str, str] | None = None,
                   extra_counts: tuple[str, ...] = (), *,
                   numbers: bool = False) -> tuple[pd.DataFrame, int]:
    """``frame`` as it may be published under ``rules``, and how many rows were suppressed.

    Counts (:func:`small_cells`) from 1 to ``threshold - 1`` are shown as ``"<threshold"``,
    with the ``rules.derived_columns`` of those rows blanked; a frame with nothing that can be
    suppressed is returned as it is. The other counts are text (``"1200"``, for the CSVs)
    or, with ``numbers``, numbers (for the workbook). A frame whose count is its indicator's
    ``value`` (``mart_spc``) has only that value suppressed.
    """
    cells = small_cells(frame, rules, measures=measures, extra_counts=extra_counts)
    if not cells:
        return frame, 0
    by_measure = not _count_columns(frame, rules, extra_counts)
    derived = () if by_measure else rules.derived_columns
    out = _render(frame, cells, rules.marker, derived, numbers)
    return out, int(small_rows(cells, frame.index).sum())


def publish_table(source: MartReader | Connection, name: str, target: Path, config_dir: Path,
                  chunk_vectors: int | None = None) -> int:
    """Write mart ``name`` to ``target`` as CSV with small numbers suppressed; returns the
    number of rows suppressed. Marts without counts are copied as they are.

    ``chunk_vectors``: suppress and write that many DuckDB vectors (2,048 rows each) at a time,
    so memory is bounded by the chunk rather than the mart; the bytes written are the same.
    ``None``: the whole mart at once."""
    reader = as_reader(source)
    rules = suppression_rules(config_dir)
    types = reader.columns(name)
    header = pd.DataFrame(columns=list(types))
    by_measure = not _count_columns(header, rules) and {"value", "indicator_id"} <= set(types)
    if not _count_columns(header, rules) and not by_measure:
        reader.copy_table_csv(name, target)
        return 0
    measures = reader.indicator_measures() if by_measure else None
    dates = tuple(c for c, t in types.items() if t == "DATE")
    part = target.with_name(target.name + ".part")
    suppressed = 0
    try:
        with open(target, "wb") as out_file:
            for i, frame in enumerate(reader.table_chunks(name, chunk_vectors)):
                out, small = suppress_frame(frame, rules, measures)
                suppressed += small
                reader.write_frame_csv(out, part, header=i == 0, dates=dates)
                with open(part, "rb") as chunk_file:
                    shutil.copyfileobj(chunk_file, out_file)
    finally:
        part.unlink(missing_ok=True)
    return suppressed


# ------------------------------------------------------------------------ charts, report


def withhold(frame: pd.DataFrame, rules: SuppressionRules,
             counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """A copy of ``frame`` for drawing: the ``rules.derived_columns`` of rows that rest on a
    small count (:func:`small_cells`; ``counts`` for a frame without count columns) are NaN,
    every number stays a number. ``attrs["suppressed"]`` holds how many rows were withheld
    and ``attrs["threshold"]`` the threshold, for :func:`suppressed_note`."""
    out = frame.copy()
    small = small_rows(small_cells(frame, rules, counts=counts), out.index)
    if small.any():
        for column in rules.derived_columns:
            if column in out.columns:
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
