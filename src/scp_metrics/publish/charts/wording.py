"""What charts say in words: the subject, the lineage footnote, units, values, periods, ranks.

Plain text helpers with no drawing (:mod:`scp_metrics.publish.charts.style` lays the words out);
the report's sentences use them too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from scp_metrics.publish.formats import format_number

__all__ = ["ChartSubject", "Lineage", "axis_label", "compact_ids", "format_value", "ordinal",
           "period_text", "polarity_text"]

_POLARITY = {
    "lower": "lower is better",
    "higher": "higher is better",
    "neutral": "neither higher nor lower is better (context measure)",
}


@dataclass(frozen=True)
class ChartSubject:
    """What a chart is about: the indicator (as in ``ref_indicators``) and the area.

    Parameters
    ----------
    indicator_id : str
        Indicator id, e.g. ``"all_crime"``.
    title : str
        Indicator title, e.g. ``"All recorded crime"``.
    unit : str
        ``"rate per 1,000"``, ``"rate per 10,000"``, ``"count"`` or ``"%"``.
    polarity : str
        ``"lower"``, ``"higher"`` or ``"neutral"``.
    measure : str
        ``"rate"``, ``"count"`` or ``"percentage"``.
    area_code, area_name : str
        ONS code and name of the area the chart is about.
    """

    indicator_id: str
    title: str
    unit: str
    polarity: str
    measure: str
    area_code: str
    area_name: str


@dataclass(frozen=True)
class Lineage:
    """Where a chart's numbers come from, for its footnote.

    Parameters
    ----------
    source : str
        The source in words, e.g. ``"police recorded crime (record-level extract)"``.
    data_to : date or str, optional
        End of the latest period the chart's data covers (the extract date a reader cares
        about: "data to 31 Dec 2009").
    batch_ids : sequence of int
        ``load_batches`` ids of the files the chart's mart was built from.
    loaded_at : datetime or str, optional
        When the latest of those files was loaded.
    sources : sequence of str
        The ledger's source names (``police_crime``, ``population``, ...) the batches belong
        to; shown after the batch ids.
    note : str, optional
        A last sentence, e.g. how many small counts were withheld (disclosure control).
    """

    source: str
    data_to: date | str | None = None
    batch_ids: tuple[int, ...] = ()
    loaded_at: datetime | date | str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""

    def text(self) -> str:
        """The footnote sentence(s)."""
        parts = [f"Source: {self.source.rstrip('.')}."]
        if self.data_to is not None:
            parts.append(f"Data to {_date_text(self.data_to)}.")
        if self.loaded_at is not None:
            parts.append(f"Extract loaded {_date_text(self.loaded_at)}.")
        if self.batch_ids:
            which = f" ({', '.join(self.sources)})" if self.sources else ""
            noun = "batch" if len(self.batch_ids) == 1 else "batches"
            parts.append(f"Load {noun} {compact_ids(self.batch_ids)}{which}.")
        else:
            parts.append("Load batches: not recorded.")
        if self.note:
            parts.append(self.note.rstrip(".") + ".")
        return " ".join(parts)


def _date_text(value: Any) -> str:
    """A date as "31 Dec 2009"; text that is not a date is kept as it is."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    return str(value) if pd.isna(ts) else f"{ts.day} {ts:%b %Y}"


def compact_ids(ids: Iterable[int]) -> str:
    """Batch ids as short ranges: ``[1, 2, 3, 7, 9, 10]`` → ``"1-3, 7, 9-10"``.

    Examples
    --------
    >>> compact_ids([9, 1, 2, 3, 7, 10])
    '1-3, 7, 9-10'
    """
    values = sorted({int(i) for i in ids})
    runs: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        runs.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ", ".join(runs)


def polarity_text(polarity: str) -> str:
    """Which way is better, in words.

    Examples
    --------
    >>> polarity_text("lower")
    'lower is better'
    """
    key = str(polarity).strip().lower()
    if key not in _POLARITY:
        raise ValueError(f"unknown polarity {polarity!r} (expected lower, higher or neutral)")
    return _POLARITY[key]


def axis_label(subject: ChartSubject, per: str | None = "month") -> str:
    """The value axis label with its unit, e.g. ``"Crimes per 1,000 residents, per month"``.

    Parameters
    ----------
    subject : ChartSubject
    per : str, optional
        The period each value covers (``"month"``, ``"12 months"``, ``"year to date"``);
        None for a percentage or a figure whose period is in the title.
    """
    unit = subject.unit.strip()
    if subject.measure == "percentage" or unit == "%":
        return "Percentage (%)"
    if subject.measure == "count" or unit == "count":
        label = "Number"
    elif unit.lower().startswith("rate per"):
        label = f"Rate per {unit[len('rate per'):].strip()} residents"
    else:
        label = unit[:1].upper() + unit[1:]
    return f"{label}, per {per}" if per else label


def format_value(value: float, subject: ChartSubject, unit: bool = False) -> str:
    """A value as a reader would quote it; with ``unit``, rates say "per 1,000".

    Percentages and counts at their unit's precision (:func:`scp_metrics.publish.formats.format_number`).

    Examples
    --------
    >>> s = ChartSubject("x", "X", "rate per 1,000", "lower", "rate", "E1", "A")
    >>> format_value(1.2149, s), format_value(106.3049, s, unit=True)
    ('1.21', '106.3 per 1,000')
    """
    if value is None or pd.isna(value):
        return "n/a"
    if subject.measure == "percentage" or subject.unit == "%":
        return f"{format_number(value, '%')}%"
    if subject.measure == "count":
        return format_number(value, "count")
    # A rate is quoted to three significant figures where the tables' 2 decimals would lose
    # them: a monthly NI 15 rate of 0.077 per 1,000 would read 0.08.
    if abs(value) >= 100:
        text = f"{value:,.1f}"
    elif abs(value) >= 1:
        text = f"{value:,.2f}"
    else:
        text = f"{value:.3f}"
    if unit and subject.unit.lower().startswith("rate per"):
        text += " per " + subject.unit[len("rate per"):].strip()
    return text


def period_text(period_type: str, period_start: Any, period_end: Any) -> str:
    """A period in words: "12 months to Dec 2009", "2008/09", "Apr to Dec 2009 (year to date)".

    Examples
    --------
    >>> period_text("rolling_12m", "2009-01-01", "2009-12-31")
    '12 months to Dec 2009'
    >>> period_text("financial_year", "2008-04-01", "2009-03-31")
    '2008/09'
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    if period_type == "rolling_12m":
        return f"12 months to {end:%b %Y}"
    if period_type == "financial_year":
        return f"{start.year}/{(start.year + 1) % 100:02d}"
    if period_type == "fytd":
        return f"{start:%b} to {end:%b %Y} (financial year to date)"
    if period_type == "quarter":
        return f"{start:%b} to {end:%b %Y}"
    if period_type == "month":
        return f"{end:%b %Y}"
    if period_type == "survey":
        return f"survey {start:%b} to {end:%b %Y}"
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


def ordinal(n: int) -> str:
    """1 → "1st", 13 → "13th".

    Examples
    --------
    >>> [ordinal(i) for i in (1, 2, 3, 11, 13, 22)]
    ['1st', '2nd', '3rd', '11th', '13th', '22nd']
    """
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
