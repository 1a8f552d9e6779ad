"""Placing a file's rows in periods: each source's period rule (:data:`scp_metrics.sources.PeriodRule`)
carried out once, on a column's distinct texts, and joined back to the rows.

The outcome is a :class:`Placement`: the SQL giving each row its ``period_start`` (and
``mid_year`` for population tables), the file's period label (``2009/10 Q3``, ``2018-10``,
``mid-2008`` …), a note saying how a quarter was found, and failures (a month in the future, a
title without its mid-year).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from scp_metrics.ingest.text import TextTable
from scp_metrics.ingest.tidy import FAILURES_PER_COLUMN, failure
from scp_metrics.periods import Quarter, parse_financial_year, quarter_from_name
from scp_metrics.sources import Source

_MID_YEAR = re.compile(r"mid[- ]?(\d{4})", re.IGNORECASE)


@dataclass
class Placement:
    """Where a table's rows fall in time."""

    start: str = "null::date"
    """SQL: ``period_start`` of row ``r`` (reading the joined ``lookups``)."""
    joins: list[str] = field(default_factory=list)
    lookups: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Frames ``joins`` read, registered under these names while the SQL runs."""
    extra: dict[str, str] = field(default_factory=dict)
    """Columns the rule adds (``mid_year``) and their SQL."""
    label: str | None = None
    quarter: Quarter | None = None
    """The file's quarter (``quarter`` rule): every date of its period column must lie in it."""
    notes: list[str] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    key_cells: list[int] = field(default_factory=list)
    """The cell positions the lookup's keys ``k0 …`` are the texts of (a joined placement)."""


Values = Callable[[str], pd.DataFrame]
"""A column's lookup by name: each distinct text ``k``, its typed value ``v``, its rows ``n``."""


def place(table: TextTable, source: Source, found: dict[str, int], values: Values,
          today: date, earliest: date | None = None) -> Placement:
    """Carry out ``source``'s period rule on ``table`` (its lookup is named
    ``<table>_period``), and check every period it gives is plausible: one that cannot be read
    (financial year ``2009/11``), starts after ``today`` (``2099/00``) or before ``earliest``
    (``config/limits.toml``) fails at its first row."""
    placed = _place(table, source, found, values, today)
    placed.failures += _implausible(table, placed, f"{table.name}_period", today, earliest,
                                    unreadable=source.period_rule == "financial_quarter")
    return placed


def _implausible(table: TextTable, placed: Placement, name: str, today: date,
                 earliest: date | None, unreadable: bool) -> list[dict]:
    """Rows whose period starts after ``today`` or before ``earliest``, and (``unreadable``: the
    rules whose texts no column check reads, a financial year and quarter) whose period cannot
    be read, which would load with a NULL period."""
    frame = placed.lookups.get(name)
    if frame is None or frame.empty:
        return []
    column = "v" if "v" in frame.columns else "start"
    starts = pd.to_datetime(frame[column])
    keys = [c for c in frame.columns if re.fullmatch(r"k\d+", c)]
    limit = f" (earliest_period = {earliest} in config/limits.toml)" if earliest else ""
    problems = {
        "period readable (e.g. financial year '2009/10', quarter 1-4)": starts.isna()
        if keys and unreadable else pd.Series(False, index=frame.index),
        f"period not in the future (today is {today:%Y-%m-%d})": (
            frame["mid_year"] > today.year if "mid_year" in frame.columns  # a year's estimate
            else starts > pd.Timestamp(today)),
        f"period not before {earliest}{limit}": starts < pd.Timestamp(earliest) if earliest
        else pd.Series(False, index=frame.index),
    }
    out: list[dict] = []
    for check, bad in problems.items():
        bad = bad.fillna(False).astype(bool)
        if not bad.any():
            continue
        if not keys:  # one period for the whole file (from its name or title)
            out.append(failure(table, table.header_line, None, check,
                               placed.label or f"{starts[bad].iloc[0]:%Y-%m-%d}"))
            continue
        cells = placed.key_cells
        rows = frame.loc[bad, keys].drop_duplicates()
        match = " or ".join(
            "(" + " and ".join(f"{table.cell(p)} is not distinct from ?" for p in cells) + ")"
            for _ in range(len(rows)))
        params = [v for r in rows.itertuples(index=False) for v in r]
        found = table.con.execute(
            f"select {table.line}, {', '.join(table.cell(p) for p in cells)} from {table.ref} r "
            f"where {table.keep} and ({match}) order by r.rowid limit {FAILURES_PER_COLUMN}",
            params).fetchall()
        header = str(table.headers[cells[0]]) if cells else None
        for line, *texts in found:
            out.append(failure(table, int(line), header, check, " ".join(map(str, texts))))
    return out


def _place(table: TextTable, source: Source, found: dict[str, int], values: Values,
           today: date) -> Placement:
    rule = source.period_rule
    name = f"{table.name}_period"
    if rule == "financial_quarter":
        return _financial_quarters(table, found, values, name)
    if rule == "mid_year":
        return _mid_year(table, name)
    if rule == "month" and source.period_column:
        return _months(table, source, found, values, today, name)
    if rule == "year" and source.period_column in found:
        return _years_ending(table, found[str(source.period_column)],
                             values(str(source.period_column)), name)
    if rule == "quarter" and source.period_column:
        return _file_quarter(table, values(source.period_column), name)
    return Placement()


def quarter_labels(starts: Iterable) -> str | None:
    """``2009/10 Q1``, ``2009/10 Q1, 2009/10 Q2`` or ``first … last`` for the rows' starts."""
    labels = sorted({Quarter.containing(pd.Timestamp(d).date()).label for d in starts})
    if not labels:
        return None
    return ", ".join(labels) if len(labels) <= 2 else f"{labels[0]} … {labels[-1]}"


def month_label(starts: Iterable) -> str | None:
    """The period label of a month-level file from its rows' month starts: ``2018-10``, or
    ``2018-09 … 2018-11 (3 months)``; ``None`` when there are none."""
    months = sorted({f"{pd.Timestamp(d):%Y-%m}" for d in starts})
    if not months:
        return None
    return months[0] if len(months) == 1 else f"{months[0]} … {months[-1]} ({len(months)} months)"


def _joined(name: str, keys: list[int], frame: pd.DataFrame) -> Placement:
    """A placement reading ``frame`` (key texts ``k0 …``, ``v``) joined on the cells ``keys``."""
    on = " and ".join(f"{name}.k{j} = {TextTable.cell(p)}" for j, p in enumerate(keys))
    return Placement(start=f"{name}.v::date", joins=[f"left join {name} on {on}"],
                     lookups={name: frame}, key_cells=list(keys))


def _financial_quarters(table: TextTable, found: dict[str, int], values: Values,
                        name: str) -> Placement:
    """Each row's own quarter, from its financial year and quarter."""
    fy, q = found["financial_year"], found["financial_quarter"]
    pairs = table.con.execute(
        f"select distinct {table.cell(fy)}, {table.cell(q)} from {table.ref} r where {table.keep} "
        "order by 1, 2").fetchall()
    years = dict(zip(values("financial_year")["k"], values("financial_year")["v"], strict=True))
    numbers = dict(zip(values("financial_quarter")["k"], values("financial_quarter")["v"],
                       strict=True))
    starts: list[date | None] = []
    for fy_text, q_text in pairs:
        try:
            starts.append(Quarter(parse_financial_year(years[fy_text]),
                                  int(numbers[q_text])).start)
        except (ValueError, TypeError):
            starts.append(None)
    frame = pd.DataFrame({"k0": [p[0] for p in pairs], "k1": [p[1] for p in pairs],
                          "v": pd.to_datetime(pd.Series(starts, dtype=object))})
    placed = _joined(name, [fy, q], frame)
    placed.label = quarter_labels(frame["v"].dropna())
    return placed


def _constant(name: str, start: pd.Timestamp, **values: object) -> Placement:
    """A placement giving every row the same ``start`` (and the other ``values``), written as
    a literal rather than joined: the typed rows need no join, so no sort back into file order
    (:mod:`scp_metrics.ingest.inline`); the one-row frame is kept for the plausibility check."""
    frame = pd.DataFrame({k: [v] for k, v in {"start": start, **values}.items()})
    return Placement(start=f"date '{start:%Y-%m-%d}'", lookups={name: frame})


def _mid_year(table: TextTable, name: str) -> Placement:
    """The mid-year the title rows (or the sheet name) name, for every row."""
    title = " ".join(table.title_lines + [table.sheet or ""])
    match = _MID_YEAR.search(title)
    if not match:
        fail = failure(table, 1, None, "title names the mid-year (e.g. 'Mid-2008')", title[:80])
        return Placement(extra={"mid_year": "null::integer"}, failures=[fail])
    year = int(match.group(1))
    placed = _constant(name, start=pd.Timestamp(year, 6, 30), mid_year=year)
    placed.extra = {"mid_year": f"{year:d}::integer"}
    placed.label = f"mid-{year}"
    return placed


def _months(table: TextTable, source: Source, found: dict[str, int], values: Values,
            today: date, alias: str) -> Placement:
    """Each row's own month (``YYYY-MM`` text or a date); a month after ``today`` fails."""
    name = str(source.period_column)
    lookup = values(name)
    typed = lookup["v"]
    if pd.api.types.is_datetime64_any_dtype(typed):
        starts = typed.dt.to_period("M").dt.to_timestamp()
    else:
        starts = pd.to_datetime(typed.astype("string").str.strip() + "-01", format="%Y-%m-%d",
                                errors="coerce")
    starts = starts.astype("datetime64[us]")
    frame = pd.DataFrame({"k0": lookup["k"], "v": starts})
    placed = _joined(alias, [found[name]], frame)
    future = set(lookup["k"][starts > pd.Timestamp(today)])
    if future:
        shown = dict(zip(lookup["k"], typed, strict=True))
        header = source.column(name).headers[0]
        cell = table.cell(found[name])
        for line, text in table.con.execute(
                f"select {table.line}, {cell} from {table.ref} r where {table.keep} and {cell} in "
                f"(select unnest(?::varchar[])) order by r.rowid limit {FAILURES_PER_COLUMN}",
                [sorted(future)]).fetchall():
            placed.failures.append(failure(table, int(line), header,
                                           "month is not in the future", shown[text]))
    placed.label = month_label(starts.dropna().unique())
    return placed


def _years_ending(table: TextTable, position: int, lookup: pd.DataFrame,
                  name: str) -> Placement:
    """Each row covers the 12 months ending on its date."""
    ends = pd.to_datetime(lookup["v"])
    starts = (ends - pd.DateOffset(years=1) + pd.Timedelta(days=1)).astype("datetime64[us]")
    placed = _joined(name, [position], pd.DataFrame({"k0": lookup["k"], "v": starts}))
    labels = sorted({f"year ending {d:%b %Y}" for d in ends.dropna()})
    placed.label = ", ".join(labels) or None
    return placed


def _file_quarter(table: TextTable, lookup: pd.DataFrame, name: str) -> Placement:
    """The quarter the file name names, else the one most of its dates fall in."""
    quarter = quarter_from_name(table.path.name)
    how = "from the file name"
    if quarter is None:
        counts: dict[Quarter, int] = {}
        for value, n in zip(lookup["v"], lookup["n"], strict=True):
            if not pd.isna(value):
                q = Quarter.containing(pd.Timestamp(value).date())
                counts[q] = counts.get(q, 0) + int(n)
        if not counts:
            return Placement()
        most = max(counts.values())
        quarter, how = min(q for q, n in counts.items() if n == most), "from most of its dates"
    placed = _constant(name, start=pd.Timestamp(quarter.start))
    placed.label, placed.quarter = quarter.label, quarter
    placed.notes = [f"quarter {quarter.label} ({how})"]
    return placed
