"""Two scans of a table gathering what every later step needs to know about its cells.

* **Distinct texts** (one ``GROUP BY GROUPING SETS`` scan): every distinct text, with its rows,
  of each typed column (parsed once each: :mod:`scp_metrics.ingest.parse`), of each text column
  the model checks or requires, and, for a source under the personal-data guard, of every other
  column too (tested whole by the guard).
* **Key columns** (one aggregate): a text column declared ``unique`` has about as many distinct
  texts as rows, so only its empty cells, whether a value repeats, whether a text has whitespace
  at an end and (guarded sources) how many texts the guard's pre-filter lets through are
  gathered (the texts themselves, by a second scan, only when there are some).

A text column that is neither checked, required, unique nor guarded needs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

from scp_metrics.ingest.guard import PREFILTER, prefiltered_texts
from scp_metrics.ingest.text import TextTable, sql_text, strip_sql
from scp_metrics.sources import Column, Source


def trivial(check: pa.Check, parse: str) -> bool:
    """``str_length(1, None)`` on stripped, non-empty text always holds."""
    stats = getattr(check, "statistics", None) or {}
    return (parse == "str" and check.name == "str_length" and stats.get("max_value") is None
            and stats.get("exact_value") is None and (stats.get("min_value") or 0) <= 1)


def checked_values(column: Column, schema: pa.DataFrameSchema) -> bool:
    """Whether a text column's checks need its values (more than presence and uniqueness)."""
    return any(not trivial(c, column.parse) for c in schema.columns[column.name].checks)


def stripped_counts(counts: dict[str, int]) -> dict[str, int]:
    """Distinct texts and their rows, as the texts read once stripped."""
    out: dict[str, int] = {}
    for text, n in counts.items():
        key = text.strip()
        out[key] = out.get(key, 0) + n
    return out


@dataclass
class Profile:
    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    """Columns by position: every distinct text (as delivered) and its rows."""
    empty: dict[int, int] = field(default_factory=dict)
    """Key columns: rows whose stripped text is empty."""
    repeats: dict[int, bool] = field(default_factory=dict)
    """Key columns: whether a non-empty stripped text is on more than one row."""
    candidates: dict[int, list[str]] = field(default_factory=dict)
    """Key columns of a guarded source: the texts the guard's pre-filter lets through."""
    unstripped: dict[int, bool] = field(default_factory=dict)
    """Key columns: whether some text has whitespace at an end (``str.strip()`` changes it)."""

    def clean(self) -> set[int]:
        """Positions whose every text reads the same stripped (the common case): their typed
        rows select the cell as it is, without :func:`~scp_metrics.ingest.text.strip_sql` on
        every row (most of the typed insert's time on a 333k-row police file)."""
        out = {p for p, counts in self.counts.items() if all(t == t.strip() for t in counts)}
        return out | {p for p, some in self.unstripped.items() if not some}


def gather(table: TextTable, source: Source, found: dict[str, int],
           schema: pa.DataFrameSchema) -> Profile:
    """Everything of :class:`Profile` about ``table``."""
    keys = {found[c.name] for c in source.columns if c.name in found and c.parse == "str"
            and schema.columns[c.name].unique and not checked_values(c, schema)}
    distinct = set()
    for column in source.columns:
        if column.name in found and found[column.name] not in keys and (
                column.parse != "str" or not column.nullable
                or checked_values(column, schema)):
            distinct.add(found[column.name])
    if source.personal_data_guard:
        distinct |= set(range(table.width)) - keys
    profile = Profile()
    _distinct_texts(table, sorted(distinct), profile)
    _key_columns(table, sorted(keys), source.personal_data_guard, profile)
    return profile


def _distinct_texts(table: TextTable, positions: list[int], profile: Profile) -> None:
    if not positions:
        return
    cells = ", ".join(f"{table.cell(p)} as t{p}" for p in positions)
    names = ", ".join(f"t{p}" for p in positions)
    sets = ", ".join(f"(t{p})" for p in positions)
    rows = table.con.execute(
        f"select grouping_id({names}), {names}, count(*) from (select {cells} from {table.ref} r "
        f"where {table.keep}) group by grouping sets ({sets})").fetchall()
    width = len(positions)
    which = {(1 << width) - 1 - (1 << (width - 1 - i)): p for i, p in enumerate(positions)}
    for p in positions:
        profile.counts[p] = {}
    for row in rows:
        p = which[row[0]]
        profile.counts[p][row[1 + positions.index(p)]] = int(row[-1])


def _key_columns(table: TextTable, positions: list[int], guarded: bool, profile: Profile) -> None:
    if not positions:
        return
    cells: list[str] = []
    parts: list[tuple[str, int, str]] = []
    pattern = sql_text(PREFILTER)
    for p in positions:
        cells += [f"{strip_sql(table.cell(p))} as s{p}", f"{table.cell(p)} as t{p}"]
        parts.append(("empty", p, f"count(*) filter (where s{p} = '')"))
        parts.append(("repeats", p, f"count(s{p}) filter (where s{p} <> '') - "
                      f"count(distinct s{p}) filter (where s{p} <> '')"))
        parts.append(("unstripped", p, f"bool_or(s{p} <> t{p})"))
        if guarded:  # how many: the texts only when some (guard.prefiltered_texts)
            parts.append(("candidates", p, f"count(*) filter (where "
                          f"regexp_matches(t{p}, {pattern}))"))
    row = table.con.execute(
        f"select {', '.join(a for _, _, a in parts)} from (select {', '.join(cells)} "
        f"from {table.ref} r where {table.keep})").fetchall()[0]
    some: list[int] = []
    for (kind, p, _), value in zip(parts, row, strict=True):
        if kind == "empty":
            profile.empty[p] = int(value or 0)
        elif kind == "repeats":
            profile.repeats[p] = bool(value)
        elif kind == "unstripped":
            profile.unstripped[p] = bool(value)
        else:
            profile.candidates[p] = []
            if value:
                some.append(p)
    profile.candidates.update(prefiltered_texts(table, some))
