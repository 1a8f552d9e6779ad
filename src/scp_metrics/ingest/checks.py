"""The data dictionary's checks, run by Pandera on a table in DuckDB without a frame of its rows.

Every check is the source model's (:mod:`scp_metrics.sources`), plus the checks that depend on
the file or the catalogues (:func:`runtime_schema`: dates not in the future and inside the
file's quarter, known offence codes, CSP names and police.uk crime types). They run in two
passes, both through Pandera:

1. **Finding** the failing rows. Each column is validated (its type, ``nullable``, ``unique``
   and every check) on its *distinct* values, each repeated twice when it repeats, so
   uniqueness is seen too; each dataframe check on the distinct combinations of the columns it
   reads (:class:`~scp_metrics.sources.FrameCheck`). The failing values are joined back to the
   rows that hold them. A clean file ends here: a few hundred distinct values checked, however
   many rows.
2. **Wording** the failures. The failing rows alone (every row sharing a repeated value comes
   along, so uniqueness holds on them as on the file) are parsed into a frame and validated
   whole, lazily, and each failure case becomes a record naming file, row, column (as headed in
   the file), check and value — exactly as validating the whole file would word them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from scp_metrics.config.limits import read_limits
from scp_metrics.ingest.inline import expression
from scp_metrics.ingest.parse import dtype_of, lookup, parse_text
from scp_metrics.ingest.profile import Profile, stripped_counts
from scp_metrics.ingest.reference import reference
from scp_metrics.ingest.text import TextTable
from scp_metrics.ingest.tidy import failure
from scp_metrics.periods import Quarter
from scp_metrics.sources import Source

_NA = object()  # the key of a missing value among a column's distinct values


@dataclass
class Cells:
    """How a table's columns read: the model's columns found in it (``found``: position), each
    typed column's lookup (distinct text → typed value), the texts read as empty."""

    table: TextTable
    source: Source
    found: dict[str, int]
    lookups: dict[str, pd.DataFrame]
    blanked: dict[str, frozenset[str]]
    """Per column, suppression markers read as empty (refusing the file or not)."""
    refused: dict[str, frozenset[str]]
    text_lookups: set[str] = field(default_factory=set)
    """Text columns whose lookup was built for a period rule (still read as stripped text)."""
    counted: dict[int, dict[str, int]] = field(default_factory=dict)
    """Columns (by position) whose distinct texts were already counted (the profile)."""
    clean: set[int] = field(default_factory=set)
    """Columns (by position) with no text that stripping changes (:meth:`Profile.clean`)."""
    inlined: dict[str, str | None] = field(default_factory=dict)
    """Typed columns read by an expression instead of a join (:meth:`inline`), or ``None``."""

    def inline(self, name: str) -> str | None:
        """SQL reading typed column ``name`` of row ``r`` as its lookup does, without a join
        (:func:`scp_metrics.ingest.inline.expression`), or ``None``: the lookup is joined."""
        if name not in self.inlined:
            column = self.source.column(name)
            self.inlined[name] = expression(
                self.table.con, column.parse, self.lookups[name],
                self.table.cell(self.found[name]), f"{self.table.name}_inline")
        return self.inlined[name]

    def values(self, name: str) -> pd.DataFrame:
        """Column ``name``'s lookup (each distinct text ``k``, typed value ``v``, rows ``n``);
        built on first use for a text column."""
        if name not in self.lookups:
            column = self.source.column(name)
            position = self.found[name]
            counts = self.counted.get(position)
            self.lookups[name] = lookup(column, self.table.counts(position) if counts is None
                                        else counts)
            self.text_lookups.add(name)
        return self.lookups[name]

    def header(self, name: str) -> str:
        column = self.source.column(name)
        return self.table.headers[self.found[name]] if name in self.found else column.headers[0]

    def typed_sql(self, name: str, alias: str) -> str:
        """SQL: the typed value of column ``name`` of row ``r`` (lookups joined as ``alias``)."""
        column = self.source.column(name)
        if name not in self.found:
            return f"null::{column.sql_type}"
        if name in self.lookups and name not in self.text_lookups:
            return self.inlined.get(name) or f"{alias}.v"
        position = self.found[name]
        text = self.table.cell(position) if position in self.clean \
            else self.table.stripped(position)
        return f"nullif({text}, '')"


@functools.lru_cache(maxsize=64)
def runtime_schema(source: Source, quarter: Quarter | None, today: date,
                   config_dir: Path) -> pa.DataFrameSchema:
    """``source``'s schema with the checks that depend on the file and the catalogues, and the
    dtypes the engine's parsers give."""
    schema = source.model.to_schema()
    known = reference(config_dir)
    earliest = read_limits(config_dir).earliest_date
    updates: dict[str, dict] = {}
    for column in source.columns:
        if column.parse in ("date", "datetime"):
            updates[column.name] = {
                "checks": [*schema.columns[column.name].checks,
                           pa.Check.le(pd.Timestamp(today) + pd.Timedelta(days=1),
                                       error="date is not in the future"),
                           pa.Check.ge(pd.Timestamp(earliest),
                                       error=f"date is not before {earliest} (earliest_date in "
                                             "config/limits.toml)")],
                "dtype": "datetime64[us]",
            }
        elif column.parse in ("int", "float", "flag"):
            updates[column.name] = {"dtype": dtype_of(column.parse)}
        else:
            updates[column.name] = {"dtype": None}
    if "offence_code" in schema.columns:
        codes = known.offence_codes
        updates["offence_code"]["checks"] = [
            *schema.columns["offence_code"].checks,
            pa.Check(lambda s: s.str.strip().str.upper().isin(codes) | s.isna(),
                     element_wise=False,
                     error="known Home Office offence code (config/offence_codes.csv)"),
        ]
    if source.name == "ho_csp_crime":
        names = known.area_names
        updates["csp_name"]["checks"] = [
            pa.Check(lambda s: s.str.strip().str.lower().isin(names) | s.isna(),
                     error="CSP name known (config/area_name_lookup.csv)"),
        ]
    if source.name == "police_uk_street" and known.police_uk_crime_types:
        types = known.police_uk_crime_types
        updates["crime_type"]["checks"] = [
            pa.Check(lambda s: s.isin(types) | s.isna(), element_wise=False,
                     error="known police.uk crime type (config/police_uk_crime_types.csv)"),
        ]
    if source.name == "partner_returns" and known.kpi_ids:
        updates["indicator"]["checks"] = [
            pa.Check(lambda s: s.str.strip().isin(known.kpi_ids) | s.isna(), element_wise=False,
                     error="known KPI id (config/kpi_register.toml)"),
        ]
    if source.name == "action_status" and known.action_ids:
        updates["action_id"]["checks"] = [
            pa.Check(lambda s: s.str.strip().isin(known.action_ids) | s.isna(),
                     element_wise=False, error="known action id (config/action_plan.csv)"),
        ]
    col = source.period_column
    if quarter is not None and col is not None:
        start, end = pd.Timestamp(quarter.start), pd.Timestamp(quarter.end)
        updates[col]["checks"] = [
            *updates[col].get("checks", schema.columns[col].checks),
            pa.Check.in_range(start, end, error=f"date inside the file's quarter {quarter.label}"),
        ]
    return schema.update_columns(updates)


def _key(value: object) -> object:
    return _NA if value is None or pd.isna(value) else value


def _twice(keys: list[object], values: list[object], counts: list[int],
           kind: str) -> tuple[pd.Series, list[object]]:
    """The distinct values, each once, or twice when it is on more than one row."""
    total: dict[object, int] = {}
    shown: dict[object, object] = {}
    for key, value, n in zip(keys, values, counts, strict=True):
        total[key] = total.get(key, 0) + int(n)
        shown.setdefault(key, value)
    order = [k for k in shown for _ in range(min(total[k], 2))]
    series = pd.Series([None if k is _NA else shown[k] for k in order], dtype=object)
    return series.astype(dtype_of(kind)) if kind != "str" and kind != "time" else series, order


def _failing_keys(schema: pa.DataFrameSchema,
                  reduced: dict[str, tuple[pd.Series, list[object]]]) -> dict[str, set[object]]:
    """Per column, the distinct values (keys) failing its checks. Columns without ``unique``
    are validated together, each column's values repeated to the longest's length (its
    failing values are the same); a ``unique`` column alone."""
    out: dict[str, set[object]] = {name: set() for name in reduced}
    reduced = {n: r for n, r in reduced.items() if len(r[1])}
    shared = [n for n in reduced if not schema.columns[n].unique]
    groups = [shared] if shared else []
    groups += [[n] for n in reduced if schema.columns[n].unique]
    for names in groups:
        length = max(len(reduced[n][0]) for n in names)
        frame = pd.DataFrame({n: reduced[n][0].iloc[np.arange(length) % len(reduced[n][0])]
                              .reset_index(drop=True) for n in names})
        try:
            pa.DataFrameSchema({n: schema.columns[n] for n in names}).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases.dropna(subset=["index"])
            for column, index in zip(cases["column"], cases["index"].astype(int), strict=True):
                order = reduced[str(column)][1]
                out[str(column)].add(order[index % len(order)])
    return out


def failing_rows(cells: Cells, schema: pa.DataFrameSchema, profile: Profile) -> set[int]:
    """Positions of the rows that fail some check of ``schema`` (the finding pass)."""
    table = cells.table
    reduced: dict[str, tuple[pd.Series, list[object]]] = {}
    texts_of: dict[str, Callable[[set[object]], tuple[str, set[str]]]] = {}
    for column in cells.source.columns:
        name = column.name
        if name not in cells.found:
            continue
        cell = table.cell(cells.found[name])
        if name in cells.lookups and name not in cells.text_lookups:
            lookup = cells.lookups[name]
            keys = [_key(v) for v in lookup["v"]]
            reduced[name] = _twice(keys, list(lookup["v"]), list(lookup["n"]), column.parse)
            texts_of[name] = functools.partial(_texts_with, cell, list(lookup["k"]), keys)
            continue
        position = cells.found[name]
        raw: dict[str, int] | None = profile.counts.get(position)
        if raw is not None:  # its distinct texts: failing values mapped back through them
            counts = stripped_counts(raw)
            nulls = counts.pop("", 0)
            expr = cell
        elif position in profile.empty:  # a key column: its repeated values, its empty cells
            expr = table.stripped(position)
            counts, nulls = {}, profile.empty[position]
            if profile.repeats.get(position):
                counts = dict(table.con.execute(
                    f"select {expr}, count(*) from {table.ref} r where {table.keep} and "
                    f"{expr} <> '' group by all having count(*) > 1").fetchall())
        else:
            continue  # optional, unchecked text: nothing to check
        values: list[object] = list(counts)
        numbers = list(counts.values())
        if nulls:
            values.append(None)
            numbers.append(nulls)
        if not values:
            continue
        reduced[name] = _twice([_key(v) for v in values], values, numbers, column.parse)
        texts_of[name] = functools.partial(_stripped_texts, expr, raw)
    out: set[int] = set()
    for name, failing in _failing_keys(schema, reduced).items():
        if failing:
            out |= _positions(table, *texts_of[name](failing))
    for check in schema.checks:
        out |= _frame_check_rows(cells, check)
    return out


def _texts_with(expr: str, texts: list[str], keys: list[object],
                failing: set[object]) -> tuple[str, set[str]]:
    """A typed column's failing values as the texts (cells ``expr``) that read as them."""
    return expr, {t for t, key in zip(texts, keys, strict=True) if key in failing}


def _stripped_texts(expr: str, raw: dict[str, int] | None,
                    failing: set[object]) -> tuple[str, set[str]]:
    """A text column's failing values as the texts ``expr`` gives (the delivered texts that
    strip to them, when ``raw`` has them)."""
    bad = {"" if k is _NA else str(k) for k in failing}
    return expr, bad if raw is None else {t for t in raw if t.strip() in bad}


def _positions(table: TextTable, expr: str, texts: set[str]) -> set[int]:
    if not texts:
        return set()
    return {int(r[0]) for r in table.con.execute(
        f"select r.rowid from {table.ref} r where {table.keep} and {expr} in "
        "(select unnest(?::varchar[]))", [sorted(texts)]).fetchall()}


def _frame_check_rows(cells: Cells, check: pa.Check) -> set[int]:
    """Rows failing a dataframe check, found on the distinct combinations of its columns."""
    declared = cells.source.frame_checks.get(str(check.name))
    if declared is None:
        raise LookupError(f"{cells.source.name}: dataframe check {check.name!r} has no "
                          "FrameCheck saying which columns it reads")
    table = cells.table
    present = [c for c in declared.reads if c in cells.found]
    if not present:
        return set()
    texts = [table.cell(cells.found[c]) for c in present]
    combos = table.con.execute(
        f"select {', '.join(texts)}, count(*) from {table.ref} r where {table.keep} "
        "group by all").fetchall()
    typed: dict[str, list[object]] = {}
    for j, name in enumerate(present):
        raw = pd.Series([c[j] for c in combos], dtype=object).astype(str)
        if name in cells.lookups:
            values = cells.lookups[name]
            mapping = dict(zip(values["k"], values["v"], strict=True))
            typed[name] = [mapping[t] for t in raw]
        else:
            typed[name] = list(parse_text(cells.source.column(name), raw)[0])
    keys = [tuple(_key(typed[n][i]) for n in present) for i in range(len(combos))]
    first: dict[tuple, int] = {}
    total: dict[tuple, int] = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
        total[key] = total.get(key, 0) + int(combos[i][-1])
    order = [k for k in first for _ in range(min(total[k], 2))]
    frame = pd.DataFrame({name: pd.Series([typed[name][first[k]] for k in order], dtype=object)
                          for name in declared.reads if name in present})
    for name in declared.reads:
        parse = cells.source.column(name).parse
        if name not in present:
            frame[name] = pd.Series([None] * len(order), dtype=object)
        if parse not in ("str", "time"):
            frame[name] = frame[name].astype(dtype_of(parse))
    passed = check(frame).check_output.to_numpy(dtype=bool)
    failing = {order[i] for i in range(len(order)) if not passed[i]}
    rows = [combos[i][:-1] for i, key in enumerate(keys) if key in failing]
    if not rows:
        return set()
    bad = pd.DataFrame(rows, columns=[f"k{j}" for j in range(len(present))])
    table.con.register("_scp_failing", bad)
    try:
        on = " and ".join(f"f.k{j} = {t}" for j, t in enumerate(texts))
        return {int(r[0]) for r in table.con.execute(
            f"select r.rowid from {table.ref} r join _scp_failing f on {on} "
            f"where {table.keep}").fetchall()}
    finally:
        table.con.unregister("_scp_failing")


def subset_frame(cells: Cells, positions: list[int]) -> tuple[pd.DataFrame, pd.DataFrame,
                                                               dict[str, pd.Series]]:
    """The rows at ``positions``: their text, their typed frame (as the model reads it) and
    per column the cells that did not parse or hold a refusing marker."""
    text = cells.table.fetch(positions)
    typed: dict[str, pd.Series] = {}
    bad_cells: dict[str, pd.Series] = {}
    for column in cells.source.columns:
        if column.name not in cells.found:
            typed[column.name] = pd.Series([None] * len(text), index=text.index, dtype=object)
            continue
        cell = text[cells.found[column.name]].astype(str)
        marked = cell.isin(cells.blanked.get(column.name, frozenset()))
        values, bad = parse_text(column, cell.where(~marked, ""))
        typed[column.name] = values
        bad_cells[column.name] = bad | cell.isin(cells.refused.get(column.name, frozenset()))
    frame = pd.DataFrame(typed, index=text.index)
    for column in cells.source.columns:
        if column.parse in ("date", "datetime"):
            frame[column.name] = frame[column.name].astype("datetime64[us]")
    return text, frame, bad_cells


def word_failures(cells: Cells, schema: pa.DataFrameSchema, positions: set[int]) -> list[dict]:
    """The failure records of the rows at ``positions`` (the wording pass), in the order
    Pandera reports them."""
    if not positions:
        return []
    text, frame, bad_cells = subset_frame(cells, sorted(positions))
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _records(cells, exc.failure_cases, text, bad_cells)
    return []


def _records(cells: Cells, cases: pd.DataFrame, text: pd.DataFrame,
             bad_cells: dict[str, pd.Series]) -> list[dict]:
    table, out = cells.table, []
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else None
        frame_check = cells.source.frame_checks.get(str(case.check))
        if frame_check:
            column = frame_check.reported
        index = case.index
        value = case.failure_case
        if column in bad_cells and index is not None and not pd.isna(index) \
                and bool(bad_cells[column].get(index, False)) and "null" in str(case.check):
            continue  # already reported as unparseable
        label = cells.header(column) if column in cells.found else None
        row = None if index is None or pd.isna(index) else table.line_of(int(index))
        if frame_check and row is not None and column in cells.found:
            value = text.at[int(index), cells.found[column]]
        check = str(case.check)
        if frame_check:
            check = _description(cells.source, str(case.check))
        if (row, label, check) in seen:
            continue
        seen.add((row, label, check))
        if check == "not_nullable":
            check = "value present"
        elif check.startswith("field_uniqueness") or check == "unique":
            check = "unique"
        out.append(failure(table, row, label, check, value))
    return out


@functools.cache
def _descriptions(source: Source) -> dict[str, str]:
    return {str(c.name): str(c.description) for c in source.model.to_schema().checks}


def _description(source: Source, name: str) -> str:
    return _descriptions(source)[name]

