"""Disclosure control worked out over a whole warehouse, and a mart's CSV written under it.

:func:`disclosure_rules` is the policy of ``config/privacy.toml`` with secondary suppression
found once over the whole of ``mart_indicator_values`` (:func:`secondary_withheld`: whole period
types of a series) and of ``mart_msg_rankings`` (:func:`withheld_groups`: the group figures of a
ranking with a member withheld), so every output (CSV, workbook, charts, report) withholds the
same cells; :func:`publish_table` writes a mart's CSV under it. The row-by-row rule is
:mod:`scp_metrics.publish.suppression`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from scp_metrics.config.privacy import SuppressionRules, suppression_rules
from scp_metrics.publish.reader import Connection, MartReader, as_reader
from scp_metrics.publish.suppression import (
    _group_keys,
    _small,
    _thresholds,
    count_rows,
    suppress_frame,
)
from scp_metrics.warehouse.contracts import contract_for

__all__ = ["LEVELS", "disclosure_rules", "publish_table", "secondary_withheld",
           "withheld_groups"]

# Period types a series' cells can be recovered from, finest first. A month is a difference of
# two year-to-date figures and, with the month a year earlier, of two rolling 12-month figures,
# so months, year-to-date and rolling 12 months stand or fall together; a quarter is the sum of
# its months (and a difference of year-to-date figures at quarter ends); a financial year is
# the sum of its quarters.
LEVELS: tuple[tuple[str, ...], ...] = (("month", "fytd", "rolling_12m"), ("quarter",),
                                       ("financial_year",))


def withheld_groups(members: pd.DataFrame, rules: SuppressionRules
                    ) -> frozenset[tuple[str, str, str, str]]:
    """The groups and periods of a ranking (``members``: :data:`GROUP_KEYS`, area_code,
    numerator, denominator) with a member whose count is small under its source's policy or
    whose series' period type secondary suppression withholds (``rules.withheld``)."""
    if members.empty:
        return frozenset()
    thresholds = _thresholds(members, rules)
    hit = _small(members["numerator"], thresholds) | _small(members["denominator"], thresholds)
    hit |= pd.Series([k in rules.withheld for k in zip(
        members["indicator_id"], members["area_code"], members["period_type"], strict=True)],
        index=members.index, dtype=bool)
    return frozenset(_group_keys(members[hit]))


def secondary_withheld(minima: pd.DataFrame,
                       rules: SuppressionRules) -> frozenset[tuple[str, str, str]]:
    """Secondary suppression from the smallest positive count of each period type of each
    series (``minima``: indicator_id, area_code, period_type, min_count).

    Where a series has a small count (primary) in a period type, every period type it could be
    recovered from by differences is withheld whole (:data:`LEVELS`): a small month, year to
    date or rolling 12 months withholds the months, year-to-date and rolling 12-month figures;
    a small quarter those and the quarters; a small financial year every level. Any other
    period type (``survey``) is withheld whole when it has a small count. Withholding whole
    period types is coarser than cell-by-cell complementary suppression, but no withheld cell
    is then a sum or difference of published ones: each published level is a sum of withheld
    cells of the level below, never fewer than two unknowns apart."""
    if minima.empty:
        return frozenset()
    thresholds = _thresholds(minima, rules)
    small = minima[_small(minima["min_count"], thresholds)]
    out: set[tuple[str, str, str]] = set()
    for (indicator_id, area_code), group in small.groupby(["indicator_id", "area_code"],
                                                          sort=True):
        types = set(group["period_type"])
        top = max((n for n, level in enumerate(LEVELS) if types & set(level)), default=-1)
        withheld = {t for level in LEVELS[:top + 1] for t in level}
        withheld |= types - {t for level in LEVELS for t in level}
        out |= {(indicator_id, area_code, t) for t in withheld}
    return frozenset(out)


def disclosure_rules(config_dir: Path, source: MartReader | Connection | None = None
                     ) -> SuppressionRules:
    """The policy of ``config/privacy.toml`` with secondary suppression worked out over the
    whole of ``mart_indicator_values`` in ``source`` (none without it): every output builds its
    rules here, so a cell withheld in one is withheld in all."""
    rules = suppression_rules(config_dir)
    if source is None:
        return rules
    reader = as_reader(source)
    if not reader.has("mart_indicator_values") or not {
            "indicator_id", "area_code", "period_type", "numerator", "denominator"} <= set(
            reader.columns("mart_indicator_values")):
        return rules  # no series to protect (a partial warehouse)
    rules = rules.with_withheld(secondary_withheld(reader.frame("disclosure_count_minima"),
                                                   rules))
    suppressing = sorted(i for i in rules.indicator_sources
                         if rules.policy_for(i).threshold is not None)
    if not suppressing or not reader.has("mart_msg_rankings"):
        return rules
    members = reader.frame("disclosure_group_members", indicator_ids=suppressing)
    return rules.with_withheld(rules.withheld, withheld_groups(members, rules))


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
    rules = disclosure_rules(config_dir, reader)
    contract = contract_for(name)
    header = pd.DataFrame(columns=list(reader.columns(name)))
    counts = count_rows(header, contract, rules)
    if not counts:
        reader.copy_table_csv(name, target, contract.order_by)
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
            for i, frame in enumerate(reader.table_chunks(name, chunk_vectors,
                                                          contract.order_by)):
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
