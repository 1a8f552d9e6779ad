"""The ingest engine: one way for every source, size and format from a delivered file to its
rows in ``raw_<source>``.

1. **Read** the file into DuckDB as text (:mod:`scp_metrics.ingest.text`; CSV, ``.csv.gz``,
   XLSX, XLS, ODS, the reshaped ONS workbook layouts) and recognise its source by its header
   (:mod:`scp_metrics.sources`).
2. **Tidy** it (:mod:`scp_metrics.ingest.tidy`: total rows, suppression markers, separators,
   extra columns, truncation), each step noted.
3. **Parse** each typed column once per distinct text (:mod:`scp_metrics.ingest.parse`), and
   **place** the rows in periods (:mod:`scp_metrics.ingest.periods`).
4. **Check** the model's rules with Pandera (:mod:`scp_metrics.ingest.checks`) and guard against
   personal data (:mod:`scp_metrics.ingest.guard`).
5. **Load** (:func:`ingest`): the typed rows go straight from the text table into
   ``raw_<source>`` in the one load transaction, :func:`scp_metrics.warehouse.load.load_batch`.

Every outcome names each failure by file, row (the line or spreadsheet row an analyst sees),
column (as headed in the file), check and offending value. :func:`validate_file` stops before
loading (``scp-metrics validate``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from scp_metrics.config.limits import read_limits
from scp_metrics.ingest import guard, limits, periods, tidy
from scp_metrics.ingest.checks import Cells, failing_rows, runtime_schema, word_failures
from scp_metrics.ingest.parse import lookup
from scp_metrics.ingest.profile import gather
from scp_metrics.ingest.readers import ReadError
from scp_metrics.ingest.reference import reference
from scp_metrics.ingest.text import TextTable, read_text_tables
from scp_metrics.ingest.tidy import failure
from scp_metrics.sources import Source, identify, police_uk_street
from scp_metrics.warehouse.history import LoadConflict
from scp_metrics.warehouse.load import LoadOutcome, SameRunOverlap, load_batch

FAILURE_COLUMNS = ["file", "row", "column", "check", "value"]
ROWS_VIEW = "_scp_rows"


@dataclass
class _Typed:
    """How to select one table's typed rows: SQL over its text table and the lookups it joins."""

    sql: str
    lookups: dict[str, pd.DataFrame]
    joined: bool = True
    """Whether the SQL joins (its rows then come in no set order)."""


@dataclass
class ValidationResult:
    """What validation found in one file."""

    path: Path
    source: Source | None
    failures: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    period_label: str | None = None
    rows: int = 0
    """Data rows read (0 when a column is missing or the file carries personal data)."""
    overlapping_batches: tuple[int, ...] = ()
    """Batches of the same run whose rows share this file's natural keys: refused with it."""
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    _tables: list[TextTable] = field(default_factory=list, repr=False)
    _typed: list[_Typed] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.source is not None and self.failures.empty

    @contextlib.contextmanager
    def typed_rows(self) -> Iterator[str]:
        """The name of a temporary view of the typed rows (the model's columns,
        ``period_start``, ``source_row``), while the ``with`` block lasts."""
        if self._typed is None or self._con is None:
            raise ValueError(f"{self.path.name}: no typed rows (the file was refused)")
        con = self._con
        for typed in self._typed:
            for name, frame in typed.lookups.items():
                con.register(name, frame)
        try:  # in file order (tables in turn, rows in order), as the raw table keeps them:
            # scans of one table, WHERE, SELECT and UNION ALL keep it; a join needs the sort
            parts = " union all ".join(f"select *, {i} as _table from ({t.sql})"
                                       for i, t in enumerate(self._typed))
            order = " order by _table, _position" if any(t.joined for t in self._typed) else ""
            con.execute(f"create or replace temp view {ROWS_VIEW} as select * exclude "
                        f"(_table, _position) from ({parts}){order}")
            yield ROWS_VIEW
        finally:
            con.execute(f"drop view if exists {ROWS_VIEW}")
            for typed in self._typed:
                for name in typed.lookups:
                    con.unregister(name)

    @property
    def frame(self) -> pd.DataFrame | None:
        """The typed rows as a frame, in line order (``None`` for a refused file)."""
        if self._typed is None or self._con is None or not self._tables:
            return None
        with self.typed_rows() as view:
            return self._con.execute(f"select * from {view} order by source_row").df()

    def release(self) -> None:
        """Drop the file's text tables (its typed rows are gone after this)."""
        for table in self._tables:
            table.drop()
        self._tables, self._typed = [], None


def in_file_order(failures: list[dict], headers: Sequence[object]) -> list[dict]:
    """``failures`` in the order a reader meets them in the file: by row (problems of the whole
    file, without a row, first), then by column as the file's ``headers`` place them (a problem
    of the whole row first, a column the file lacks after those it has); problems at the same
    row and column keep the order the checks found them in. Every listing of a refusal (the
    quarantine report, the console's "first:", ``scp-metrics validate``) shows this order; a
    file carrying personal data lists those findings first (:func:`guard.withhold`), each part
    in this order."""
    position: dict[str, int] = {}
    for i, header in enumerate(headers):
        position.setdefault(str(header), i)

    def key(f: dict) -> tuple[int, int]:
        row, column = f.get("row"), f.get("column")
        return (-1 if row is None or pd.isna(row) else int(row),
                -1 if column is None or pd.isna(column)
                else position.get(str(column), len(position)))

    return sorted(failures, key=key)


def _refusal(path: Path, row: int | None, check: str, value: str) -> ValidationResult:
    record = {"file": path.name, "row": row, "column": None, "check": check, "value": value[:80]}
    return ValidationResult(path, None, pd.DataFrame([record], columns=FAILURE_COLUMNS))


def validate_file(path: Path, *, config_dir: Path, today: date | None = None,
                  con: duckdb.DuckDBPyConnection | None = None) -> ValidationResult:
    """Validate one file without loading it (in ``con``, else an in-memory DuckDB)."""
    return _validate(con or duckdb.connect(), Path(path), Path(config_dir),
                     today or date.today())


def ingest(con: duckdb.DuckDBPyConnection, path: Path, *, config_dir: Path, sha256: str,
           run_id: str, today: date | None = None, loaded_at: datetime | None = None,
           accept_shrink: bool = False, validated: ValidationResult | None = None,
           ) -> tuple[ValidationResult, LoadOutcome | None]:
    """Validate ``path`` and, when it passes, load it as one batch: ``(result, outcome)``, the
    outcome ``None`` when the file is refused (its failures in ``result``; nothing changed).

    ``validated``: ``path``'s :func:`validate_file` result, still holding its text tables
    (validated ahead on a cursor of ``con``'s database while the file before it loaded): it is
    loaded through its own cursor instead of validating the file again, and released."""
    path = Path(path)
    result = validated if validated is not None else \
        _validate(con, path, Path(config_dir), today or date.today())
    try:
        if not result.ok:
            return result, None
        assert result.source is not None
        con = result._con if result._con is not None else con  # the cursor holding its rows
        with result.typed_rows() as view:
            try:
                outcome = load_batch(con, result.source, view, file_name=path.name,
                                     sha256=sha256, run_id=run_id, period=result.period_label,
                                     notes="; ".join(result.notes), loaded_at=loaded_at,
                                     accept_shrink=accept_shrink)
            except LoadConflict as exc:  # rows already live from another file: refused
                result.failures = pd.DataFrame(
                    in_file_order(exc.frame().to_dict("records"), []), columns=FAILURE_COLUMNS)
                if isinstance(exc, SameRunOverlap):
                    result.overlapping_batches = exc.other_batches
                return result, None
        return result, outcome
    finally:
        result.release()


def _validate(con: duckdb.DuckDBPyConnection, path: Path, config_dir: Path,
              today: date) -> ValidationResult:
    caps = read_limits(config_dir)
    over = limits.container_refusal(path, caps)
    if over is not None:
        return _refusal(path, None, over, "")
    try:
        tables = read_text_tables(con, path)
    except ReadError as exc:
        return _refusal(path, None, "readable file", str(exc))
    failures = [f for table in tables
                for f in in_file_order(limits.table_failures(table, caps), table.headers)]
    if failures:
        for table in tables:
            table.drop()
        return ValidationResult(path, None, pd.DataFrame(failures, columns=FAILURE_COLUMNS))
    results = []
    for table in tables:
        identified = identify(table.headers)
        if identified is None:  # a reshaped workbook table no source recognises
            for t in tables:
                t.drop()
            return _refusal(path, table.header_line, "recognisable header",
                            f"sheet '{table.sheet}'")
        source, found = identified
        results.append(_check_table(table, source, found, today, config_dir))
    result = results[0] if len(results) == 1 else _combine(path, results)
    result._con, result._tables = con, tables
    if result._typed is None:
        result.release()
    return result


def _check_table(table: TextTable, source: Source, found: dict[str, int], today: date,
                 config_dir: Path) -> ValidationResult:
    """Tidy, parse, place and check one table."""
    tidy.prepare(table, source, found)
    failures: list[dict] = []
    notes = list(table.notes)
    profile = gather(table, source, found, runtime_schema(source, None, today, config_dir))
    cells = Cells(table, source, found, {}, {}, {}, counted=profile.counts, clean=profile.clean())
    for column in source.columns:
        name = column.name
        if name not in found:
            if column.nullable:
                notes.append(f"column '{column.headers[0]}' absent: left empty")
            else:
                failures.append(failure(table, table.header_line, column.headers[0],
                                        "column present", "missing"))
            continue
        position = found[name]
        if column.parse == "str":
            continue
        suppressed = tidy.suppression(table, position, column, profile.counts[position])
        notes += suppressed.notes
        failures += suppressed.failures
        values = lookup(column, profile.counts[position], suppressed.blanked, suppressed.refused)
        cells.lookups[name] = values
        cells.blanked[name] = suppressed.blanked | suppressed.refused
        cells.refused[name] = suppressed.refused
        unparsed = set(values["k"][values["bad"]]) - suppressed.refused
        failures += [failure(table, line, table.headers[position], f"parse as {column.parse}",
                             text) for line, text in tidy.rows_with(table, position, unparsed)]
    typed: _Typed | None = None
    label = None
    if not any(f["check"] == "column present" for f in failures):
        if table.rows == 0:
            failures.append(failure(table, table.header_line, None, "has data rows",
                                    "header only"))
        placed = periods.place(table, source, found, cells.values, today,
                               read_limits(config_dir).earliest_period)
        failures += placed.failures
        notes += placed.notes + _source_notes(cells)
        label = placed.label
        schema = runtime_schema(source, placed.quarter, today, config_dir)
        failures += word_failures(cells, schema, failing_rows(cells, schema, profile))
        typed = _typed_rows(cells, placed)
        if "offence_code" in found and not failures:
            failures += _codes_out_of_date(cells, placed, config_dir)
    failures += [f for f in (tidy.truncated_last_row(table),) if f]
    failures += tidy.unknown_area_codes(table, source, found, reference(config_dir).area_codes)
    if source.personal_data_guard:
        personal = guard.scan_table(table, source, profile.counts, profile.candidates)
    else:
        personal = guard.scan_headers(table)
    failures = in_file_order(failures, table.headers)
    if personal:
        failures = guard.withhold(in_file_order(personal, table.headers), failures, notes,
                                  source)
        typed = None
    if source.personal_data_guard:
        failures = guard.withhold_values(failures)
    return ValidationResult(table.path, source, pd.DataFrame(failures, columns=FAILURE_COLUMNS),
                            notes, label, table.rows if typed is not None else 0,
                            _typed=None if typed is None else [typed])


def _codes_out_of_date(cells: Cells, placed: periods.Placement, config_dir: Path) -> list[dict]:
    """Offence codes used in a period their ``valid_from``/``valid_to`` in
    ``config/offence_codes.csv`` rule out (a 2008 code in a 2003/04 file): one failure per code
    and period, at its first row. Only the codes that can fail are looked for among the rows:
    those the file uses (its distinct texts, read as the rows read them) and, for a file of one
    quarter, that this quarter breaks; when none can, the rows are not scanned."""
    table = cells.table
    header = str(table.headers[cells.found["offence_code"]])
    validity = reference(config_dir).offence_code_validity
    if placed.quarter is not None and not validity.empty:  # every row's period
        start = pd.Timestamp(placed.quarter.start)
        validity = validity[(validity["valid_from"].notna()
                             & (start + pd.DateOffset(months=3) <= validity["valid_from"]))
                            | (validity["valid_to"].notna() & (start > validity["valid_to"]))]
    validity = _codes_used(cells, validity)
    if validity.empty:
        return []
    typed = _typed_rows(cells, placed, frozenset({"offence_code"}))
    con = table.con
    for name, frame in typed.lookups.items():
        con.register(name, frame)
    con.register("_scp_code_validity", validity)
    try:
        rows = con.execute(
            f"select min(t.source_row), t.offence_code, t.period_start, any_value(v.valid_from), "
            f"any_value(v.valid_to) from ({typed.sql}) t join _scp_code_validity v "
            "on v.offence_code = upper(trim(t.offence_code)) "
            "where (v.valid_from is not null and t.period_start + interval 3 month <= v.valid_from) "
            "or (v.valid_to is not null and t.period_start > v.valid_to) "
            f"group by all order by 1 limit {tidy.FAILURES_PER_COLUMN}").fetchall()
    finally:
        con.unregister("_scp_code_validity")
        for name in typed.lookups:
            con.unregister(name)
    out = []
    for row, code, start, valid_from, valid_to in rows:
        span = f"from {valid_from:%Y-%m-%d}" if valid_from else ""
        span += f"{' ' if span else ''}to {valid_to:%Y-%m-%d}" if valid_to else ""
        out.append(failure(table, int(row), header,
                           f"offence code valid for the period (config/offence_codes.csv: "
                           f"code {code} is valid {span}, the row is in the period starting "
                           f"{start:%Y-%m-%d})", str(code)))
    return out


def _codes_used(cells: Cells, validity: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``validity`` whose code the table uses: its distinct offence-code texts
    typed by the SQL that types its rows (so read exactly as the rows are); ``validity`` as it
    is when the texts were not counted or the column is typed through a lookup."""
    position = cells.found["offence_code"]
    texts = cells.counted.get(position)
    if validity.empty or texts is None or (
            "offence_code" in cells.lookups and "offence_code" not in cells.text_lookups):
        return validity
    con = cells.table.con
    con.register("_scp_code_texts", pd.DataFrame({f"c{position}": list(texts)}, dtype=object))
    con.register("_scp_code_validity", validity)
    try:
        return con.execute(
            "select * from _scp_code_validity where offence_code in (select "
            f"upper(trim({cells.typed_sql('offence_code', '')})) from _scp_code_texts r) "
            "order by offence_code").df()
    finally:
        con.unregister("_scp_code_validity")
        con.unregister("_scp_code_texts")


def _source_notes(cells: Cells) -> list[str]:
    """Counts a source words in its notes (police.uk: repeated Crime IDs, rows without a Crime
    ID or an LSOA)."""
    if cells.source.name != "police_uk_street":
        return []
    table = cells.table
    crime_id = cells.typed_sql("crime_id", "")
    lsoa = cells.typed_sql("lsoa_name", "")
    ids, rows, without_id, without_lsoa = table.con.execute(
        f"with s as (select {crime_id} as crime_id, {lsoa} as lsoa_name from {table.ref} r "
        f"where {table.keep}), rep as (select crime_id from s where crime_id is not null "
        "group by 1 having count(*) > 1) select (select count(*) from rep), "
        "(select count(*) from s where crime_id in (select crime_id from rep)), "
        "(select count(*) from s where crime_id is null), "
        "(select count(*) from s where lsoa_name is null)").fetchall()[0]
    return police_uk_street.notes(int(ids), int(rows), int(without_id), int(without_lsoa))


def _typed_rows(cells: Cells, placed: periods.Placement,
                only: frozenset[str] | None = None) -> _Typed:
    """The SQL selecting the table's typed rows, and the lookups it joins (``only``: just
    those model columns, with ``period_start`` and ``source_row``: fewer joins)."""
    table, source = cells.table, cells.source
    lookups = dict(placed.lookups)
    joins: list[str] = []
    columns: list[str] = []
    for i, column in enumerate(source.columns):
        if only is not None and column.name not in only:
            continue
        alias = f"{table.name}_lk{i}"
        if column.name in cells.lookups and column.name not in cells.text_lookups \
                and cells.inline(column.name) is None:
            lookups[alias] = cells.lookups[column.name][["k", "v"]]
            joins.append(f"left join {alias} on {alias}.k = {table.cell(cells.found[column.name])}")
        columns.append(f'{cells.typed_sql(column.name, alias)} as "{column.name}"')
    columns.append(f"{placed.start} as period_start")
    columns.append(f"{table.line} as source_row")
    columns.append("r.rowid as _position")
    columns += [f'{sql} as "{name}"' for name, sql in placed.extra.items()]
    sql = (f"select {', '.join(columns)} from {table.ref} r {' '.join(joins + placed.joins)} "
           f"where {table.keep}")
    return _Typed(sql, lookups, joined=bool(joins or placed.joins))


def _combine(path: Path, results: list[ValidationResult]) -> ValidationResult:
    """One result for a workbook read as several tables of one source (see layouts.py): the
    tables' failures in turn, each table's in file order."""
    sources = {r.source.name for r in results if r.source is not None}
    failures = pd.concat([r.failures for r in results], ignore_index=True)
    if len(sources) != 1:
        extra = pd.DataFrame([{"file": path.name, "row": None, "column": None,
                               "check": "one source per file", "value": ", ".join(sorted(sources))}],
                             columns=FAILURE_COLUMNS)
        failures = pd.concat([extra, failures], ignore_index=True)  # the whole file's first
    notes = list(dict.fromkeys(n for r in results for n in r.notes))
    loadable = all(r._typed is not None for r in results)
    labels = sorted({r.period_label for r in results if r.period_label})
    label = None if not labels else labels[0] if len(labels) == 1 else \
        f"{labels[0]} … {labels[-1]} ({len(labels)} periods)"
    typed = [t for r in results for t in (r._typed or [])] if loadable else None
    return ValidationResult(path, results[0].source, failures, notes, label,
                            sum(r.rows for r in results) if loadable else 0, _typed=typed)
