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
  numbers, small ones ``"<5"``); :func:`scp_metrics.publish.disclosure.publish_table` writes a mart's CSV;
* :func:`withhold` - charts (numbers stay numbers, withheld values are NaN) and
  :func:`suppressed_note` for their footnote;
* :func:`published_count` - a count in a sentence of the report.

Rounding to a base where a source is so configured: :mod:`scp_metrics.publish.rounding`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scp_metrics.config.privacy import SourcePolicy, SuppressionRules, suppression_rules
from scp_metrics.publish.rounding import apply_rounding, round_counts, rounded_rows
from scp_metrics.warehouse.contracts import MartContract

__all__ = ["SECONDARY_MARKER", "Assessment", "SuppressionRules", "assess", "audit_reason",
           "count_rows", "derived_columns", "is_small", "is_withheld",
           "published_count", "secondary_rows", "small_cells",
           "group_rows", "is_group_withheld",
           "small_rows", "suppress_frame", "suppress_small_numbers", "suppressed_note",
           "suppression_rules", "withhold"]


# ------------------------------------------------------------------------------- the rule

SECONDARY_MARKER = "[c]"
"""What a count withheld by secondary suppression is published as (GSS shorthand for
confidential): it need not be small, so it is not shown as ``"<threshold"``."""

# Marts without a period_type column whose rows are cells of one period type of a series.
PERIOD_TYPE_OF = {"mart_spc": "month", "mart_target_tracking": "fytd",
                  "mart_target_trajectory": "fytd"}

# Marts with figures of a whole group of areas in every member's row: the columns naming the
# group and period, and the group figures that would give back a member's count (the pooled
# rate is Σ numerators ÷ Σ denominators, the mean n × the members' values, a member's z-score
# or funnel limit has the mean or the pooled rate in it). A member's rank or funnel label
# bounds its value but gives nothing back.
GROUP_KEYS = ("indicator_id", "group_id", "period_type", "period_end")
GROUP_FIGURES = {"mart_msg_rankings": (
    "group_mean", "group_pooled_rate", "group_sd", "band_lower", "band_upper", "sd_from_mean",
    "funnel_lower_0001", "funnel_lower_0025", "funnel_upper_0025", "funnel_upper_0001",
    "overdispersion_phi")}


def _small(values: pd.Series, threshold: int | float | pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return ((numbers >= 1) & (numbers < threshold)).fillna(False).astype(bool)


# The column naming a row's series: an indicator (most marts) or a KPI (mart_kpi_values).
ID_COLUMNS = ("indicator_id", "kpi_id")


def _ids(frame: pd.DataFrame) -> pd.Series | None:
    column = next((c for c in ID_COLUMNS if c in frame.columns), None)
    return frame[column] if column is not None else None


def _per_row(frame: pd.DataFrame, rules: SuppressionRules, mart: str | None,
             what: Callable[[SourcePolicy], object]) -> pd.Series:
    """``what`` of each row's source policy: the mart's source (``marts`` of a
    ``[source.*]``), else its indicator's or KPI's, else the default."""
    ids = _ids(frame)
    default = what(rules.policy_for(None, mart))
    if ids is None or not rules.sources:
        return pd.Series([default] * len(frame), index=frame.index, dtype=object)
    by_id = {i: what(rules.policy_for(i, mart)) for i in ids.dropna().unique()}
    out = ids.map(by_id).astype(object)
    return out.where(ids.notna(), default)


def _thresholds(frame: pd.DataFrame, rules: SuppressionRules,
                mart: str | None = None) -> pd.Series:
    """Each row's threshold (NaN: its source is not suppressed)."""
    return _per_row(frame, rules, mart, lambda p: p.threshold).astype(float)


def _policy_names(frame: pd.DataFrame, rules: SuppressionRules,
                  mart: str | None = None) -> pd.Series:
    return _per_row(frame, rules, mart, lambda p: p.describe())


def is_small(count: object, rules: SuppressionRules, indicator_id: str | None = None,
             mart: str | None = None) -> bool:
    """Whether ``count`` is a small count under ``rules`` (1 to ``threshold - 1`` of
    ``indicator_id``'s source, or ``mart``'s; the default policy without one)."""
    if count is None or count is pd.NA:
        return False
    try:
        number = float(count)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    threshold = rules.policy_for(indicator_id, mart).threshold
    return threshold is not None and 1 <= number < threshold


def is_withheld(rules: SuppressionRules, indicator_id: str | None, area_code: str | None,
                period_type: str | None) -> bool:
    """Whether secondary suppression withholds that period type of that series, or its source
    rounds its counts (a figure worked out from exact counts must not be published then)."""
    return ((indicator_id, area_code, period_type) in rules.withheld
            or bool(rules.policy_for(indicator_id).round_to))


def _group_keys(frame: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    ends = pd.to_datetime(frame["period_end"]).dt.strftime("%Y-%m-%d")
    return list(zip(frame["indicator_id"].astype(str), frame["group_id"].astype(str),
                    frame["period_type"].astype(str), ends, strict=True))


def group_rows(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract
               ) -> pd.Series:
    """The rows of ``frame`` whose group figures (:data:`GROUP_FIGURES`) are withheld: a
    member of their group has a count withheld (``rules.withheld_groups``)."""
    if (not rules.withheld_groups or contract.name not in GROUP_FIGURES
            or not set(GROUP_KEYS) <= set(frame.columns)):
        return pd.Series(False, index=frame.index)
    return pd.Series([k in rules.withheld_groups for k in _group_keys(frame)],
                     index=frame.index, dtype=bool)


def is_group_withheld(rules: SuppressionRules, indicator_id: str, group_id: str,
                      period_type: str, period_end: object) -> bool:
    """Whether the group figures of that ranking are withheld
    (:func:`scp_metrics.publish.disclosure.withheld_groups`)."""
    end = pd.Timestamp(period_end).strftime("%Y-%m-%d")  # type: ignore[arg-type]
    return (indicator_id, group_id, period_type, end) in rules.withheld_groups


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


def secondary_rows(frame: pd.DataFrame, rules: SuppressionRules,
                   contract: MartContract) -> pd.Series:
    """The rows of ``frame`` in a period type of a series that secondary suppression withholds
    (``rules.withheld``, :func:`scp_metrics.publish.disclosure.disclosure_rules`)."""
    none = pd.Series(False, index=frame.index)
    ids = _ids(frame)  # an indicator's id, or a KPI's (mart_kpi_status: the same ids)
    if not rules.withheld or ids is None or "area_code" not in frame.columns:
        return none
    if "period_type" in frame.columns:
        types = frame["period_type"]
    elif contract.name in PERIOD_TYPE_OF:
        types = pd.Series(PERIOD_TYPE_OF[contract.name], index=frame.index)
    else:
        return none
    keys = zip(ids, frame["area_code"], types, strict=True)
    return pd.Series([k in rules.withheld for k in keys], index=frame.index, dtype=bool)


@dataclass(frozen=True)
class Assessment:
    """Which cells of a frame are withheld, and why.

    ``cells``: count column → the cells withheld; ``markers``: count column → what each withheld
    cell shows (``"<8"``, or ``"[c]"`` for secondary suppression); ``reason``: per row
    ``"primary"``, ``"secondary"``, ``"rounded"`` (:mod:`scp_metrics.publish.rounding`) or
    ``""``; ``policy``: per row the source policy in words; ``counts``: count column → the rows
    in which it holds a count; ``base``: per row the base its counts are rounded to (NaN:
    none); ``rescaled``: derived columns a rounded row recomputes (the others are withheld)."""

    cells: dict[str, pd.Series]
    markers: dict[str, pd.Series]
    reason: pd.Series
    policy: pd.Series
    counts: dict[str, pd.Series]
    base: pd.Series
    rescaled: frozenset[str] = frozenset()
    group: pd.Series | None = None
    """Rows whose group figures are withheld (:func:`group_rows`); None: none."""
    group_figures: tuple[str, ...] = ()
    derived: frozenset[str] = frozenset()

    @property
    def rounded(self) -> pd.Series:
        return self.reason.eq("rounded")


def assess(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract, *,
           indicator_measures: Mapping[str, str] | None = None) -> Assessment:
    """The rule, for every row of ``frame`` (rows of the mart ``contract`` describes).

    Primary: a count from 1 to ``threshold - 1`` of the row's source policy, in a row where the
    column holds a count (:func:`count_rows`). Secondary: every count of a row whose series'
    period type is withheld (:func:`secondary_rows`). The row's derived values go with either.
    """
    counts = count_rows(frame, contract, rules, indicator_measures)
    thresholds = _thresholds(frame, rules, contract.name)
    secondary = secondary_rows(frame, rules, contract)
    cells, markers = {}, {}
    primary_rows = pd.Series(False, index=frame.index)
    labels = thresholds.map(lambda t: f"<{int(t)}" if t == t else None)
    for name, rows in counts.items():
        primary = _small(frame[name], thresholds) & rows
        primary_rows |= primary
        cells[name] = primary | secondary
        markers[name] = labels.where(primary, SECONDARY_MARKER).astype(object)
    if secondary.any():  # a mart whose counts are all by-indicator values (mart_spc)
        for name, column in contract.columns.items():
            if column.suppression == "count" and name in frame.columns and name not in cells:
                cells[name] = secondary.copy()
                markers[name] = pd.Series(SECONDARY_MARKER, index=frame.index, dtype=object)
    base = _per_row(frame, rules, contract.name, lambda p: p.round_to).astype(float)
    reason = pd.Series("", index=frame.index, dtype=object)
    reason[rounded_rows(counts, frame, base, small_rows(cells, frame.index))] = "rounded"
    reason[secondary] = "secondary"
    reason[primary_rows] = "primary"
    rescaled = frozenset(c for c, (num, _) in rules.rescaled.items()
                         if indicator_measures is not None and c in frame.columns
                         and {"indicator_id", num} <= set(frame.columns))
    group = group_rows(frame, rules, contract)
    figures = tuple(c for c in GROUP_FIGURES.get(contract.name, ()) if c in frame.columns)
    return Assessment(cells, markers, reason, _policy_names(frame, rules, contract.name), counts,
                      base, rescaled, group if group.any() else None, figures,
                      frozenset(derived_columns(frame, contract)))


def _blank_group_figures(out: pd.DataFrame, found: Assessment, blank: object) -> None:
    """Withhold the group figures of the rows :func:`group_rows` names, in place."""
    if found.group is None:
        return
    for column in found.group_figures:
        out[column] = out[column].astype(object if blank is None else float).where(
            ~found.group, blank)


def audit_reason(found: Assessment, column: str, position: int) -> str:
    """Why the cell at ``position`` (row position) of ``column`` is withheld, for the
    suppression audit: primary or secondary, what was withheld, and the source policy."""
    reason = found.reason.iloc[position]
    policy = found.policy.iloc[position]
    own = column in found.cells and bool(found.cells[column].iloc[position])
    base = int(found.base.fillna(0).iloc[position])  # 0: the source does not round
    if base and not own and column in found.counts and bool(found.counts[column].iloc[position]):
        return f"Rounded: count rounded to the nearest {base} ({policy})"
    if reason == "rounded":
        if column in found.rescaled:
            return (f"Rounded: recomputed from the counts rounded to the nearest {base} "
                    f"({policy})")
        return (f"Rounded: withheld, it would give back a count rounded to the nearest {base} "
                f"({policy})")
    if own and found.markers[column].iloc[position] != SECONDARY_MARKER:
        return f"Primary: small count ({policy})"
    if (found.group is not None and column in found.group_figures and not own
            and bool(found.group.iloc[position])
            and (reason == "" or column not in found.derived)):
        return ("Secondary: group figure withheld so that no member's suppressed count can be "
                f"recovered from it and the other members' figures ({policy})")
    if own or reason == "secondary":
        what = "count" if own else "value resting on it"
        return (f"Secondary: {what} withheld so that no suppressed count of this series can be "
                f"recovered from other period types ({policy})")
    return f"Primary: derived from a small count ({policy})"


def small_cells(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract, *,
                indicator_measures: Mapping[str, str] | None = None) -> dict[str, pd.Series]:
    """For each count column of ``frame`` (``contract``'s), which cells are withheld
    (:func:`assess`: a small count, or secondary suppression). An empty result: nothing in
    ``frame`` can be suppressed."""
    return assess(frame, rules, contract, indicator_measures=indicator_measures).cells


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
    return str(int(float(value))) if float(value).is_integer() else str(value)  # type: ignore[arg-type]


def _count_number(value: object) -> object:
    text = _count_text(value)
    number = None if text is None else float(text)  # type: ignore[arg-type]
    return int(number) if number is not None and number.is_integer() else number


def _render(frame: pd.DataFrame, cells: dict[str, pd.Series], marker: str | dict[str, pd.Series],
            derived: tuple[str, ...] | list[str], numbers: bool) -> pd.DataFrame:
    out = frame.copy()
    as_cell = _count_number if numbers else _count_text
    for column, hit in cells.items():
        shown = pd.Series([as_cell(v) for v in out[column]], index=out.index, dtype=object)
        shown[hit] = marker[column][hit] if isinstance(marker, dict) else marker
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
    found = assess(frame, rules, contract, indicator_measures=indicator_measures)
    if not found.cells:
        return frame, 0
    derived = derived_columns(frame, contract)
    out = _render(frame, found.cells, found.markers, derived, numbers)
    out = apply_rounding(out, frame, found, derived, rules, indicator_measures, numbers)
    _blank_group_figures(out, found, None)
    return out, int(small_rows(found.cells, frame.index).sum())


# ------------------------------------------------------------------------ charts, report


def withhold(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract,
             counts: pd.DataFrame | None = None,
             indicator_measures: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` for drawing: the values of rows that rest on a small count are NaN,
    every number stays a number.

    ``contract`` describes ``frame``'s counts and derived columns; or, with ``counts``, the
    mart of ``counts``, the counts ``frame`` rests on (an SPC series' months: the month's
    numerator and denominator from ``mart_indicator_values``, whose derived ``value`` is the
    point drawn), joined on ``period_start``. ``attrs["suppressed"]`` holds how many rows were
    withheld and ``attrs["threshold"]`` the threshold, for :func:`suppressed_note`. Where the
    source rounds its counts, the values drawn are those recomputed from the rounded counts
    (with ``indicator_measures``; withheld without) and the others are NaN."""
    source = frame
    if counts is not None:
        source = frame[["period_start"]].merge(counts, on="period_start", how="left")
        source.index = frame.index
    out = frame.copy()
    found = assess(source, rules, contract, indicator_measures=indicator_measures)
    small = small_rows(found.cells, out.index)
    if small.any():
        for column in derived_columns(out, contract):
            out[column] = out[column].astype(float).where(~small)
    if found.rounded.any():  # values recomputed from the rounded counts, or withheld
        again = apply_rounding(source, source, found, derived_columns(source, contract), rules,
                               indicator_measures, True)
        for column in derived_columns(out, contract):
            redrawn = pd.to_numeric(again[column]) if column in again.columns else np.nan
            out[column] = out[column].astype(float).where(~found.rounded, redrawn)
    _blank_group_figures(out, found, np.nan)
    out.attrs["suppressed"] = int(small.sum())
    out.attrs["secondary"] = int((found.reason.to_numpy() == "secondary").sum())
    ids = _ids(source)
    thresholds = [t for t in (rules.policy_for(i, contract.name).threshold
                              for i in (ids.dropna().unique() if ids is not None else [None]))
                  if t is not None]
    out.attrs["threshold"] = max(thresholds, default=rules.threshold)
    return out


def suppressed_note(*frames: pd.DataFrame) -> str:
    """Footnote sentence for values withheld by :func:`withhold` ("" when none)."""
    n = sum(int(f.attrs.get("suppressed", 0)) for f in frames)
    if not n:
        return ""
    threshold = max(int(f.attrs.get("threshold", SuppressionRules.threshold)) for f in frames)
    secondary = sum(int(f.attrs.get("secondary", 0)) for f in frames)
    if secondary:
        return (f"{n} value{'s' if n != 1 else ''} not shown (disclosure control: counts of 1 to "
                f"{threshold - 1}, and the figures they could be worked out from)")
    return (f"{n} value{'s' if n != 1 else ''} resting on counts of 1 to {threshold - 1} not "
            "shown (disclosure control)")


def published_count(count: int | None, rules: SuppressionRules,
                    indicator_id: str | None = None) -> str:
    """A count as a sentence publishes it: ``"<5"`` when small under ``indicator_id``'s
    source policy (the default without one), ``"1,234"`` otherwise."""
    if count is None:
        return "not available"
    if is_small(count, rules, indicator_id):
        return f"<{rules.policy_for(indicator_id).threshold}"
    base = rules.policy_for(indicator_id).round_to  # rounded where the source is so configured
    return f"{int(round_counts(pd.Series([count]), base or 1).iloc[0]):,}"
