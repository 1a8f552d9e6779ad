"""Validation inside DuckDB for large delimited extracts: the same outcome, without pandas frames.

:func:`scp_metrics.ingest.validation.validate_file` reads a file into a pandas frame of text, parses it
cell by cell and checks it with Pandera. At national scale (millions of record-level rows) that
costs several times what DuckDB needs to read the same file. This module reaches the *same*
outcome — the same source, period, notes, failure rows (file, row, column, check, value) and the
same typed rows loaded — with DuckDB doing the row-level work:

1. The header is found exactly as :mod:`scp_metrics.ingest.readers` finds it (first 64 KB, same
   delimiter sniffing, same header test); DuckDB then reads the body with ``read_csv`` into a
   temporary table of text (``all_varchar``), in file order (row ``i`` is source line
   ``header_line + 1 + i``, as in the pandas path).
2. Parsing: a column's text is parsed once per *distinct* value by the pandas path's own parser
   (:func:`scp_metrics.ingest.validation._parse`) and joined back, so dates, times, flags and numbers
   parse exactly as they do there (a quarter of police records has a few hundred distinct
   dates); free-text columns are stripped in SQL with Python's whitespace set.
3. Checks: the runtime schema is the pandas path's (:func:`scp_metrics.ingest.validation._runtime_schema`:
   file quarter, future dates, known offence codes, …). Element checks run through Pandera on
   each column's distinct values and are joined back to rows; ``nullable`` and ``unique`` run
   in SQL over all rows; dataframe checks run on the distinct tuples of the columns they read
   (:data:`FRAME_CHECK_COLUMNS`).
4. Anything this path does not mirror exactly sends the file back to the pandas path (returns
   ``None``): a file that is not plain UTF-8 CSV, a ragged or oddly quoted row DuckDB refuses,
   blank lines inside the data, a missing column, a total row, suppression markers or thousands
   separators in a numeric column, a truncated last line, anything the personal-data guard
   might flag (a superset pre-filter in SQL, then :mod:`scp_metrics.ingest.guard`'s own tests on the
   candidates), a source not in :data:`FAST_SOURCES`.

``tests/unit/test_validation_duckdb.py`` runs both paths over good and bad files and asserts
identical outcomes; a new check in validation.py, tidy.py or privacy.py must be mirrored here
(or make :func:`validate_csv` return ``None``) for that test to pass.

The typed rows stay in DuckDB (a temporary table) and :func:`load_staged` moves them into
``raw_<source>`` with the transaction semantics of :func:`scp_metrics.warehouse.load.load_frame`.

Month-level sources (``police_uk_street``): each row's own month places it, as
``validation._add_month`` places it (the pandas expression run on the column's distinct texts),
with the same "month is not in the future" failures and period label; the source's own notes
(repeated Crime IDs, rows without a Crime ID or an LSOA) are counted in SQL; a load replaces the
earlier runs' rows of the same (month, ``replace_key``) slices only, as ``load_frame`` does.
``tests/unit/test_validation_duckdb_police_uk.py`` compares both paths on those files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from scp_metrics.ingest import guard, tidy
from scp_metrics.ingest.readers import HEADER_SCAN_ROWS, RawTable
from scp_metrics.ingest.validation import (
    FAILURE_COLUMNS,
    ValidationResult,
    _is_header,
    _parse,
    _runtime_schema,
    identify,
    month_label,
    police_uk_notes,
)
from scp_metrics.periods import Quarter, quarter_from_name
from scp_metrics.settings import get_settings
from scp_metrics.sources import Source
from scp_metrics.sources.schemas import CHECK_COLUMNS
from scp_metrics.warehouse.history import (
    LoadConflict,
    archive_rows,
    duplicate_conflict,
    mark_superseded,
    unique_key,
)
from scp_metrics.warehouse.ledger import next_batch_id
from scp_metrics.warehouse.load import LoadOutcome

#: Sources whose every check this module mirrors (others always take the pandas path).
FAST_SOURCES = frozenset({"police_crime", "police_uk_street"})
#: Files at least this big take this path in a refresh (smaller ones: pandas is as quick).
MIN_BYTES = 1_000_000
#: Columns each dataframe-level check reads (evaluated on their distinct combinations).
FRAME_CHECK_COLUMNS = {
    "offence_not_after_recorded": ("offence_date", "recorded_date"),
    "assault_before_arrival": ("assault_datetime", "arrival_datetime"),
    "lsoa_code_with_name": ("lsoa_code", "lsoa_name"),
}
PARSE_FAILURES_PER_COLUMN = 200
#: Characters ``str.strip()`` removes (Python's whitespace, checked in the tests), for ``trim``.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
              "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
#: A superset of what guard.CONTENT_KINDS finds (NHS numbers, emails, postcodes, phones).
PRIVACY_PREFILTER = (r"(?s)@|\p{Nd}{3}[ -]?\p{Nd}{3}[ -]?\p{Nd}{4}|[0-9]\pL\pL|"
                     r"(?:\+44|0044|0).{0,4}\p{Nd}{2}.{0,2}\p{Nd}{3}.{0,2}\p{Nd}{3}")
_HEAD_BYTES = 65536


@dataclass
class StagedResult(ValidationResult):
    """A validation outcome whose typed rows are in a DuckDB temporary table."""

    staged: str | None = None
    staged_rows: int = 0
    period_start: date | None = None
    first_line: int = 0
    """Source line of staged row 0 (row ``_i`` is line ``first_line + _i``)."""

    @property
    def rows(self) -> int:
        return self.staged_rows


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_TRIM = _sql_text(WHITESPACE)
_EDGE = _sql_text("^[{0}]|[{0}]$".format("".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE)))


def _strip(expr: str) -> str:
    """``str.strip()`` in SQL (DuckDB's ``trim`` with a character set is slow: only values
    with whitespace at an end are trimmed)."""
    text = f"coalesce({expr}, '')"
    return f"(case when regexp_matches({text}, {_EDGE}) then trim({text}, {_TRIM}) else {text} end)"


def _head(path: Path) -> tuple[str, list[str]] | None:
    """The first 64 KB decoded as the readers decode it, or ``None`` for the pandas path."""
    with open(path, "rb") as fh:
        raw = fh.read(_HEAD_BYTES)
        more = bool(fh.read(1))
    if not raw.strip() or b"\x00" in raw[:4096] or raw[:2] == b"\x1f\x8b":
        return None
    if raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None
    notes: list[str] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        notes.append("UTF-8 byte-order mark stripped")
        raw = raw[3:]
    for cut in range(4 if more else 1):  # a multi-byte character may straddle the cut
        try:
            return raw[:len(raw) - cut].decode("utf-8"), notes
        except UnicodeDecodeError:
            continue
    return None  # not UTF-8: the readers decode it as Windows-1252


def _find_header(head: str) -> tuple[str, int, list[str], list[str]] | None:
    """Delimiter, header index, headers and title lines, as readers._read_csv finds them."""
    try:
        delimiter = csv.Sniffer().sniff(head.split("\n", 1)[0] or head,
                                        delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    titles: list[str] = []
    for i, row in enumerate(csv.reader(io.StringIO(head), delimiter=delimiter)):
        if i >= HEADER_SCAN_ROWS:
            break
        cells = [c.strip() for c in row]
        if _is_header(cells):
            return delimiter, i, cells, titles
        if any(cells):
            titles.append(" ".join(c for c in cells if c))
    return None


def _line_count(path: Path) -> int:
    """Lines as pandas counts records when no field holds a line break."""
    count, last = 0, b"\n"
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last not in (b"\n", b"\r"))


def _trailing_blank_lines(path: Path) -> int:
    """Empty lines at the end of the file (pandas reads them as rows and drops them; DuckDB
    skips them)."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4096))
        tail = fh.read().replace(b"\r\n", b"\n")
    stripped = tail.rstrip(b"\n")
    return max(0, len(tail) - len(stripped) - 1) if stripped else 0


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) in (b"\n", b"\r")


def _failure(path: Path, row: int | None, column: str | None, check: str, value: object) -> dict:
    return {"file": path.name, "row": row, "column": column, "check": check,
            "value": None if value is None else str(value)[:80]}


def _null_text(dtype: object) -> str:
    """How the pandas path shows the value of a missing required cell: Pandera's failure case
    for a null, as text (``nan`` for text, ``NaT`` for dates, ``<NA>`` for nullable types)."""
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "NaT"
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return "<NA>"
    return "nan"


@dataclass
class _Prepared:
    path: Path
    source: Source
    found: dict[str, int]
    shell: RawTable
    delimiter: str


def _prepare(path: Path) -> _Prepared | None:
    """Header, source and header-level notes, as the pandas path finds them; ``None`` when
    this file is not one this module handles."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return None
    head = _head(path)
    if head is None:
        return None
    text, notes = head
    found_header = _find_header(text)
    if found_header is None:
        return None
    delimiter, header_index, headers, titles = found_header
    identified = identify(headers)
    if identified is None:
        return None
    source, found = identified
    if source.name not in FAST_SOURCES or any(c.name not in found for c in source.columns):
        return None
    if not _ends_with_newline(path):
        return None  # tidy's truncated-last-row check reads the bytes: leave it to pandas
    shell = RawTable(path, headers, pd.DataFrame(columns=range(len(headers))), header_index + 1,
                     titles, None, list(notes))
    shell = tidy.prepare(shell, source, found)  # notes on extra columns (no rows yet)
    if source.personal_data_guard and guard.scan_table(shell, source):
        return None  # a column named like an identifier, or a title row holding one
    return _Prepared(path, source, found, shell, delimiter)


def validate_csv(con: duckdb.DuckDBPyConnection, path: Path, *, today: date | None = None,
                 staged: str = "_scp_incoming") -> StagedResult | None:
    """Validate a delimited file inside DuckDB; ``None`` when it needs the pandas path.

    On success the typed rows are left in the temporary table ``staged`` for
    :func:`load_staged`; a refused file leaves nothing behind.
    """
    path = Path(path)
    prepared = _prepare(path)
    if prepared is None:
        return None
    raw = f"{staged}_raw"
    try:
        return _validate(con, path, prepared.source, prepared.found, prepared.shell,
                         prepared.delimiter, raw, staged, today or date.today())
    finally:
        con.execute(f'drop table if exists "{raw}"')


def _read(con: duckdb.DuckDBPyConnection, path: Path, width: int, skip: int, delimiter: str,
          raw: str) -> bool:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    try:
        con.execute(
            f'create or replace temp table "{raw}" as select * from read_csv({_sql_text(str(path))}, '
            f"header = false, skip = {skip}, columns = {columns}, delim = {_sql_text(delimiter)}, "
            "quote = '\"', escape = '\"', null_padding = true, auto_detect = false, "
            "strict_mode = true, encoding = 'utf-8')")
    except duckdb.Error:
        return False  # a ragged row, bad quoting or bytes that are not UTF-8: pandas decides
    return True


def _validate(con: duckdb.DuckDBPyConnection, path: Path, source: Source, found: dict[str, int],
              shell: RawTable, delimiter: str, raw: str, staged: str,
              today: date) -> StagedResult | None:
    width = len(shell.headers)
    header_line = shell.header_line
    if not _read(con, path, width, header_line, delimiter, raw):
        return None
    total = con.execute(f'select count(*) from "{raw}"').fetchall()[0][0]
    if _line_count(path) - _trailing_blank_lines(path) != header_line + total:
        return None  # blank lines inside the data (pandas keeps them as rows) or quoted breaks
    # trailing rows with nothing in them are dropped, as readers._drop_trailing_blank does
    tail = con.execute(f'select * from "{raw}" where rowid >= {total - 100} '
                       "order by rowid").fetchall()
    while tail and not any(c is not None and c.strip() for c in tail[-1]):
        tail.pop()
    if not tail:
        return None  # header only, or 100 blank rows at the end: the pandas path decides
    n = total - 100 + len(tail) if total > 100 else len(tail)
    first = next((c.strip() for c in tail[-1] if c is not None and c.strip()), "")
    if tidy.TOTAL_LABEL.match(first):
        return None  # a total row: tidy drops and notes it
    if source.personal_data_guard and _privacy_candidates(con, raw, width, n):
        return None
    failures: list[dict] = []
    notes = list(shell.notes)
    header_of = {c.name: shell.headers[found[c.name]] for c in source.columns}
    typed_sql: dict[str, str] = {}
    joins: list[str] = []
    lookups: dict[str, pd.DataFrame] = {}
    for column in source.columns:
        cell = f"r.c{found[column.name]}"
        if column.parse == "str":
            typed_sql[column.name] = f"nullif({_strip(cell)}, '')"
            continue
        distinct = [r[0] for r in con.execute(
            f'select distinct coalesce(c{found[column.name]}, \'\') from "{raw}" '
            f"where rowid < {n}").fetchall()]
        text = pd.Series(distinct, dtype=object).astype(str)
        if column.parse in ("int", "float"):
            stripped = text.str.strip()
            if (stripped.str.match(tidy._THOUSANDS).any()
                    or stripped.str.lower().isin(tidy.SUPPRESSION_MARKERS).any()):
                return None  # tidy notes separators and refuses or blanks markers
        values, bad = _parse(column, text)
        lookup = pd.DataFrame({"k": text, "v": values, "bad": bad.astype(bool)})
        lookups[column.name] = lookup
        name = f"_lk_{column.name}"
        con.register(name, lookup)
        joins.append(f'left join {name} on {name}.k = coalesce({cell}, \'\')')
        typed_sql[column.name] = f"{name}.v"
        typed_sql[f"_bad_{column.name}"] = f"coalesce({name}.bad, false)"
    monthly = source.period_rule == "month"
    months: pd.DataFrame | None = None
    if monthly:  # each row's own month places it (validation._add_month)
        months = _month_lookup(con, source, found, raw, n)
        if months is None:
            return None
        con.register("_lk_period", months)
        joins.append(f"left join _lk_period on _lk_period.k = "
                     f"coalesce(r.c{found[str(source.period_column)]}, '')")
        typed_sql["period_start"] = "_lk_period.v::date"
    try:
        select = ", ".join(f'{expr} as "{name}"' for name, expr in typed_sql.items())
        con.execute(f'create or replace temp table "{staged}" as select r.rowid as _i, {select} '
                    f'from "{raw}" as r {" ".join(joins)} where r.rowid < {n}')
    finally:
        for name in lookups:
            con.unregister(f"_lk_{name}")
        if monthly:
            con.unregister("_lk_period")
    # parse failures, as validation._validate_table reports them (first 200 per column)
    for column in source.columns:
        if column.name not in lookups:
            continue
        pos = found[column.name]
        for i, value in con.execute(
                f'select s._i, r.c{pos} from "{staged}" s join "{raw}" r on r.rowid = s._i '
                f'where s."_bad_{column.name}" order by s._i '
                f"limit {PARSE_FAILURES_PER_COLUMN}").fetchall():
            failures.append(_failure(path, header_line + 1 + i, header_of[column.name],
                                     f"parse as {column.parse}", "" if value is None else value))
    frame_stub = pd.DataFrame({c.name: pd.Series(dtype=_dtype(c, lookups)) for c in source.columns})
    quarter: Quarter | None = None
    if months is not None:
        period_label = _month_period(con, source, staged, months, path, header_line, failures,
                                     today)
        if source.name == "police_uk_street":
            notes.extend(_police_uk_notes(con, f'"{staged}"'))
    else:
        quarter, period_label = _period(con, source, path, staged, notes)
        if quarter is None:
            return None
        frame_stub.attrs["quarter"] = quarter
    schema = _runtime_schema(source, frame_stub, shell, failures, today)
    schema_failures = _column_failures(con, source, schema, staged, raw, found, header_of,
                                       lookups, header_line, path)
    if schema_failures is None:
        return None
    frame_failures = _frame_failures(con, source, schema, staged, raw, found, header_of,
                                     lookups, header_line, path)
    if frame_failures is None:
        return None
    failures.extend(_dedupe(frame_failures + schema_failures))
    frame = pd.DataFrame(failures, columns=FAILURE_COLUMNS)
    result = StagedResult(path, source, None, frame, notes, period_label,
                          staged=staged if frame.empty else None, staged_rows=n,
                          period_start=None if quarter is None else quarter.start,
                          first_line=header_line + 1)
    if not frame.empty:
        con.execute(f'drop table if exists "{staged}"')
    return result


def _month_lookup(con: duckdb.DuckDBPyConnection, source: Source, found: dict[str, int],
                  raw: str, n: int) -> pd.DataFrame | None:
    """Each distinct text of the period column with the month it places a row in, computed as
    :func:`scp_metrics.ingest.validation._add_month` computes it (``NaT`` when it names no month)."""
    column = source.column(str(source.period_column))
    if column.parse != "str":
        return None
    distinct = [r[0] for r in con.execute(
        f'select distinct coalesce(c{found[column.name]}, \'\') from "{raw}" '
        f"where rowid < {n}").fetchall()]
    text = pd.Series(distinct, dtype=object).astype(str)
    values, _ = _parse(column, text)
    starts = pd.to_datetime(values.astype("string").str.strip() + "-01", format="%Y-%m-%d",
                            errors="coerce")
    return pd.DataFrame({"k": text, "v": starts.astype("datetime64[us]")})


def _month_period(con: duckdb.DuckDBPyConnection, source: Source, staged: str,
                  months: pd.DataFrame, path: Path, header_line: int, failures: list[dict],
                  today: date) -> str | None:
    """Months in the future (first 200 rows) and the period label, as ``_add_month`` words
    them: a single ``YYYY-MM`` or ``first … last (n months)``."""
    name = str(source.period_column)
    header = source.column(name).headers[0]
    for i, value in con.execute(
            f'select _i, "{name}" from "{staged}" where period_start > ? order by _i '
            f"limit {PARSE_FAILURES_PER_COLUMN}", [today]).fetchall():
        failures.append(_failure(path, header_line + 1 + i, header, "month is not in the future",
                                 value))
    return month_label(months["v"].dropna().unique())


def _police_uk_notes(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    """:func:`scp_metrics.ingest.validation._police_uk_notes`, counted in SQL over ``relation``."""
    ids, rows, asb, no_lsoa = con.execute(
        f"with s as (select crime_id, lsoa_name from {relation}), "
        "rep as (select crime_id from s where crime_id is not null group by 1 "
        "having count(*) > 1) "
        "select (select count(*) from rep), "
        "(select count(*) from s where crime_id in (select crime_id from rep)), "
        "(select count(*) from s where crime_id is null), "
        "(select count(*) from s where lsoa_name is null)").fetchall()[0]
    return police_uk_notes(int(ids), int(rows), int(asb), int(no_lsoa))


def _dtype(column: object, lookups: dict[str, pd.DataFrame]) -> object:
    name = column.name  # type: ignore[attr-defined]
    return lookups[name]["v"].dtype if name in lookups else object


def _period(con: duckdb.DuckDBPyConnection, source: Source, path: Path, staged: str,
            notes: list[str]) -> tuple[Quarter | None, str | None]:
    """The file's quarter: from its name, else the quarter most of its dates fall in."""
    quarter = quarter_from_name(path.name)
    how = "from the file name"
    if quarter is None:
        if source.period_column is None:
            return None, None
        rows = con.execute(
            f'select "{source.period_column}"::date from "{staged}" where '
            f'"{source.period_column}" is not null').fetchall()
        if not rows:
            return None, None
        counts = pd.Series([Quarter.containing(r[0]) for r in rows]).value_counts()
        best = counts[counts == counts.max()].index
        quarter, how = min(best), "from most of its dates"
    notes.append(f"quarter {quarter.label} ({how})")
    return quarter, quarter.label


def _label(check: object) -> str:
    text = str(check)
    if text == "not_nullable":
        return "value present"
    if text.startswith("field_uniqueness") or text == "unique":
        return "unique"
    return text


def _column_failures(con: duckdb.DuckDBPyConnection, source: Source, schema: pa.DataFrameSchema,
                     staged: str, raw: str, found: dict[str, int], header_of: dict[str, str],
                     lookups: dict[str, pd.DataFrame], header_line: int,
                     path: Path) -> list[dict] | None:
    out: list[dict] = []
    for column in source.columns:
        spec = schema.columns[column.name]
        name, header = column.name, header_of[column.name]
        bad = f'"_bad_{name}"' if name in lookups else "false"
        if not spec.nullable:
            null_text = _null_text(_dtype(column, lookups))
            for (i,) in con.execute(f'select _i from "{staged}" where "{name}" is null '
                                    f"and not {bad} order by _i").fetchall():
                out.append(_failure(path, header_line + 1 + i, header, "value present",
                                    null_text))
        if spec.unique:
            for i, value in con.execute(
                    f'select _i, "{name}" from "{staged}" where "{name}" in (select "{name}" '
                    f'from "{staged}" where "{name}" is not null group by all having '
                    f"count(*) > 1) order by _i").fetchall():
                out.append(_failure(path, header_line + 1 + i, header, "unique", value))
        checks = [c for c in spec.checks if not _trivial(c, column.parse)]
        if not checks:
            continue
        if name in lookups:
            lookup = lookups[name]
            keys = lookup.loc[lookup["v"].notna(), ["k", "v"]].reset_index(drop=True)
        else:
            values = [r[0] for r in con.execute(
                f'select distinct "{name}" from "{staged}" where "{name}" is not null').fetchall()]
            keys = pd.DataFrame({"k": pd.Series(values, dtype=object),
                                 "v": pd.Series(values, dtype=object)})
        if keys.empty:
            continue
        one = pa.DataFrameSchema({name: pa.Column(spec.dtype, checks=checks, nullable=True,
                                                  name=name)})
        try:
            one.validate(pd.DataFrame({name: keys["v"]}), lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        if cases.empty:
            return None  # a failure not tied to values (dtype): let pandas report it
        failing = pd.DataFrame({"k": keys["k"].iloc[cases["index"].astype(int)].to_numpy(),
                                "check": [_label(c) for c in cases["check"]],
                                "value": [None if v is None else str(v)[:80]
                                          for v in cases["failure_case"]],
                                "o": range(len(cases))})  # Pandera's order within a row
        con.register("_scp_failing", failing)
        try:
            join = (f'join "{raw}" as raw on raw.rowid = s._i '
                    f"join _scp_failing as r on r.k = coalesce(raw.c{found[name]}, '')"
                    if name in lookups else f'join _scp_failing as r on r.k = s."{name}"')
            rows = con.execute(f'select s._i, r."check", r.value from "{staged}" as s {join} '
                               "order by s._i, r.o").fetchall()
        finally:
            con.unregister("_scp_failing")
        out.extend(_failure(path, header_line + 1 + i, header, check, value)
                   for i, check, value in rows)
    return out


def _trivial(check: pa.Check, parse: str) -> bool:
    """``str_length(1, None)`` on stripped, non-empty text always holds."""
    stats = getattr(check, "statistics", None) or {}
    return (parse == "str" and check.name == "str_length" and stats.get("max_value") is None
            and stats.get("exact_value") is None and (stats.get("min_value") or 0) <= 1)


def _frame_failures(con: duckdb.DuckDBPyConnection, source: Source, schema: pa.DataFrameSchema,
                    staged: str, raw: str, found: dict[str, int], header_of: dict[str, str],
                    lookups: dict[str, pd.DataFrame], header_line: int,
                    path: Path) -> list[dict] | None:
    out: list[dict] = []
    for check in schema.checks:
        columns = FRAME_CHECK_COLUMNS.get(str(check.name))
        labelled = CHECK_COLUMNS.get(str(check.name))
        if columns is None or labelled is None:
            return None
        cols = ", ".join(f'"{c}"' for c in columns)
        combos = con.execute(f'select distinct {cols} from "{staged}"').df()
        for c in columns:
            if c in lookups:
                combos[c] = combos[c].astype(lookups[c]["v"].dtype)
        passed = check(combos).check_output
        failing = combos[~passed.to_numpy(dtype=bool)]
        if failing.empty:
            continue
        target, label = labelled
        con.register("_scp_failing", failing)
        try:
            same = " and ".join(f's."{c}" is not distinct from f."{c}"' for c in columns)
            rows = con.execute(
                f'select s._i, r.c{found[target]} from "{staged}" s join _scp_failing f on {same} '
                f'join "{raw}" r on r.rowid = s._i order by s._i').fetchall()
        finally:
            con.unregister("_scp_failing")
        out.extend(_failure(path, header_line + 1 + i, header_of[target], label,
                            "" if v is None else v) for i, v in rows)
    return out


def _dedupe(failures: list[dict]) -> list[dict]:
    seen: set[tuple] = set()
    out = []
    for f in failures:
        key = (f["row"], f["column"], f["check"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _privacy_candidates(con: duckdb.DuckDBPyConnection, raw: str, width: int, n: int) -> bool:
    """Whether any cell holds something the personal-data guard would flag (exact test on the
    distinct values a superset pattern picks out)."""
    for i in range(width):
        values = [r[0] for r in con.execute(
            f'select distinct c{i} from "{raw}" where rowid < {n} and '
            f"regexp_matches(c{i}, {_sql_text(PRIVACY_PREFILTER)})").fetchall()]
        if values and guard._content_hits(pd.Series(values, dtype=str)):
            return True
    return False


def _replaced(source: Source, run_id: str, period_start: date | None, *,
              slices: str | None = None) -> tuple[str, list[object]]:
    """Which live rows a load replaces (``where`` over ``raw_<source>``, and its parameters):
    earlier runs' rows of the same quarter, or, given ``slices`` (a relation of the
    ``period_start`` and ``replace_key`` values loaded: month-level sources), of those slices
    only (police.uk: a re-issued force-month replaces that force's month), as ``load_frame``."""
    earlier = "batch_id in (select batch_id from load_batches where run_id <> ?)"
    if slices is None:
        return f"{earlier} and period_start = ?", [run_id, period_start]
    same = " and ".join(f'i."{c}" is not distinct from {source.table}."{c}"'
                        for c in ("period_start", *source.replace_key))
    return f"{earlier} and exists (select 1 from {slices} as i where {same})", [run_id]


def load_staged(con: duckdb.DuckDBPyConnection, result: StagedResult, *, file_name: str,
                sha256: str, run_id: str, notes: str = "",
                loaded_at: datetime | None = None) -> LoadOutcome:
    """Load a :func:`validate_csv` result as one batch, as ``load_frame`` loads a frame: one
    transaction; rows of the same quarter (month-level sources: the same month and
    ``replace_key`` slice) from earlier runs move to history; a unique key already live refuses
    the load (:class:`~scp_metrics.warehouse.history.LoadConflict`)."""
    source, staged = result.source, result.staged
    assert source is not None and staged is not None
    table = source.table
    columns = [c.name for c in source.columns] + ["period_start", "source_row"]
    per_row = source.period_rule == "month"  # the staged rows carry their own period_start
    con.execute("begin transaction")
    try:
        batch_id = next_batch_id(con)
        where, params = _replaced(source, run_id, result.period_start,
                                  slices=f'"{staged}"' if per_row else None)
        touched = [r[0] for r in con.execute(
            f"select distinct batch_id from {table} where {where}", params).fetchall()]
        replaced = archive_rows(con, source, where, params, batch_id)
        key = unique_key(source)
        line = int(result.first_line)
        if key is not None:
            clash = con.execute(
                f'select i._i + {line} as source_row, i."{key}", r.batch_id from "{staged}" i '
                f'join "{table}" r on i."{key}" = r."{key}" order by 1 limit 200').fetchall()
            if clash:
                raise duplicate_conflict(file_name, source.column(key).headers[0], clash)
        names = [c.name for c in source.columns]
        col_sql = ", ".join(f'"{c}"' for c in columns)
        values = ", ".join(f'"{c}"' for c in names)
        if per_row:
            con.execute(f'insert into {table} ({col_sql}, batch_id) select {values}, '
                        f'period_start, _i + {line}, ? from "{staged}"', [batch_id])
        else:
            con.execute(f'insert into {table} ({col_sql}, batch_id) select {values}, ?::date, '
                        f'_i + {line}, ? from "{staged}"', [result.period_start, batch_id])
        mark_superseded(con, source, touched, batch_id)
        con.execute(
            "insert into load_batches values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', null, ?)",
            [batch_id, run_id, source.name, file_name, sha256, result.staged_rows,
             result.period_label, loaded_at or datetime.now(), notes])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute(f'drop table if exists "{staged}"')
    return LoadOutcome(batch_id, result.staged_rows, int(replaced or 0), tuple(sorted(touched)))


def eligible(path: Path) -> bool:
    """Whether a refresh should try this path first (a plain CSV of at least MIN_BYTES)."""
    try:
        return path.suffix.lower() == ".csv" and path.stat().st_size >= MIN_BYTES
    except OSError:
        return False


__all__ = ["FAST_SOURCES", "MIN_BYTES", "StagedResult", "eligible", "load_staged",
           "validate_csv"]


# ---------------------------------------------------------------------------------------------
# The clean-file route: one read of the file, straight into raw_<source>.
#
# Most large extracts are clean. For them, the file is read once and inserted into its raw table
# inside the load transaction, every cell parsed by SQL that accepts only *canonical* text
# (``dd/mm/yyyy`` dates, ``HH:MM`` times, ``Y``/``N``-style flags, text without whitespace at
# its ends or trimmed exactly): text in canonical form parses to the same value in the pandas
# path, and anything else becomes NULL (or a sentinel in text columns). The checks then run over
# the inserted, typed rows of the batch (nulls and sentinels, uniqueness, each column's checks
# on its distinct values, dataframe checks on distinct tuples, the personal-data guard on
# distinct text values). If anything at all is not clean, the transaction is rolled back and the
# exact route above (:func:`validate_csv`) words the outcome: the same outcome as the pandas
# path either way. Month-level files (police.uk) take it too: canonical ``YYYY-MM`` text gives
# each row its month, canonical decimals (at most 15 digits) their double; the period label,
# the source's notes and the slices it replaces are read back from the inserted rows.

_SENTINEL = "\x00not canonical"
_CANONICAL_DATES = {  # validation._DATE_FORMATS whose canonical (zero-padded) text is unambiguous
    "%d/%m/%Y": r"\d\d/\d\d/\d\d\d\d",
    "%Y-%m-%d": r"\d\d\d\d-\d\d-\d\d",
}
#: Canonical float text: plain decimals with at most 15 digits, which pandas and DuckDB both
#: parse to the correctly rounded double (checked against ``validation._parse`` in the tests).
_CANONICAL_FLOAT = r"-?\d{1,3}\.\d{1,12}"
#: Canonical month text (``YYYY-MM``, years 1900-2099): its first day, as ``_add_month`` reads it.
_CANONICAL_MONTH = r"(19|20)\d\d-(0[1-9]|1[0-2])"
_YES_SQL = "('y', 'yes', 'true', '1')"
_NO_SQL = "('n', 'no', 'false', '0')"


def _canonical(column: object, cell: str) -> str | None:
    """SQL for the typed value of ``cell`` when it is in canonical form (else NULL/sentinel);
    ``None`` when the column's kind has no canonical SQL here."""
    parse = column.parse  # type: ignore[attr-defined]
    if parse == "str":
        return (f"(case when {cell} is null or {cell} = '' then null "
                f"when regexp_matches({cell}, {_EDGE}) then "
                f"nullif(trim({cell}, {_TRIM}), '') else {cell} end)")
    if parse == "date":
        branches = " ".join(
            f"when regexp_full_match({cell}, {_sql_text(rx)}) then "
            f"try_strptime({cell}, {_sql_text(fmt)})"
            for fmt, rx in _CANONICAL_DATES.items())
        return f"(case {branches} else null end)"
    if parse == "time":
        return (f"(case when {cell} is null or {cell} = '' then null when "
                rf"regexp_full_match({cell}, '\d\d:\d\d') then {cell} "
                f"else {_sql_text(_SENTINEL)} end)")
    if parse == "float":  # NaN (which pandas never loads) marks text that is not canonical
        return (f"(case when {cell} is null or {cell} = '' then null when "
                f"regexp_full_match({cell}, {_sql_text(_CANONICAL_FLOAT)}) then {cell}::double "
                "else 'nan'::double end)")
    if parse == "flag":
        return (f"(case when lower({cell}) in {_YES_SQL} then true "
                f"when lower({cell}) in {_NO_SQL} then false else null end)")
    return None


def ingest_csv(con: duckdb.DuckDBPyConnection, path: Path, *, sha256: str, run_id: str,
               today: date | None = None,
               loaded_at: datetime | None = None) -> tuple[StagedResult, LoadOutcome | None] | None:
    """Validate and load a large CSV inside DuckDB: ``(result, load outcome)``, the outcome
    ``None`` when the file is refused (failures in ``result``, nothing changed); ``None`` when
    the file needs the pandas path."""
    path = Path(path)
    prepared = _prepare(path)
    if prepared is None:
        return None
    today = today or date.today()
    clean = _ingest_clean(con, prepared, sha256=sha256, run_id=run_id, today=today,
                          loaded_at=loaded_at)
    if clean is not None:
        return clean
    result = validate_csv(con, path, today=today)
    if result is None:
        return None
    if not result.ok:
        return result, None
    try:
        return result, load_staged(con, result, file_name=path.name, sha256=sha256,
                                   run_id=run_id, notes="; ".join(result.notes),
                                   loaded_at=loaded_at)
    except LoadConflict as exc:
        result.failures = exc.frame()
        return result, None


class _NotClean(Exception):
    """The clean route cannot vouch for this file (rolled back; the exact route decides)."""


def _ingest_clean(con: duckdb.DuckDBPyConnection, prepared: _Prepared, *, sha256: str,
                  run_id: str, today: date,
                  loaded_at: datetime | None) -> tuple[StagedResult, LoadOutcome | None] | None:
    path, source, found, shell = prepared.path, prepared.source, prepared.found, prepared.shell
    monthly = source.period_rule == "month" and source.period_column in found
    quarter = None if monthly else quarter_from_name(path.name)
    width = len(shell.headers)
    used = set(found.values())
    if (quarter is None and not monthly) or (source.period_rule != "quarter" and not monthly) \
            or len(used) != width:
        return None  # period from the dates, or columns not loaded (still scanned for privacy)
    canonical = {c.name: _canonical(c, f"r.c{found[c.name]}") for c in source.columns}
    typed = {name: sql for name, sql in canonical.items() if sql is not None}
    if len(typed) != len(canonical):
        return None
    if monthly:  # canonical YYYY-MM text places the row in that month (else NULL: not clean)
        month = f"r.c{found[str(source.period_column)]}"
        period_sql = (f"(case when regexp_full_match({month}, {_sql_text(_CANONICAL_MONTH)}) "
                      f"then strptime({month} || '-01', '%Y-%m-%d')::date else null end)")
    else:
        assert quarter is not None
        period_sql = f"{_sql_text(quarter.start.isoformat())}::date"
    if _last_line_is_total(path, prepared.delimiter):
        return None
    lines = _line_count(path) - _trailing_blank_lines(path)
    header_line = shell.header_line
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    reader = (f"read_csv({_sql_text(str(path))}, header = false, skip = {header_line}, "
              f"columns = {columns}, delim = {_sql_text(prepared.delimiter)}, quote = '\"', "
              "escape = '\"', null_padding = true, auto_detect = false, strict_mode = true, "
              "encoding = 'utf-8', parallel = false)")  # numbered in one thread: 10% faster
    table = source.table
    names = [c.name for c in source.columns]
    notes = list(shell.notes)
    label = None
    if quarter is not None:
        notes.append(f"quarter {quarter.label} (from the file name)")
        label = quarter.label
    con.execute("begin transaction")
    try:
        batch_id = next_batch_id(con)
        col_sql = ", ".join(f'"{c}"' for c in names)
        select = ", ".join(typed[c] for c in names)
        try:
            con.execute(
                f"insert into {table} ({col_sql}, period_start, source_row, batch_id) "
                f"select {select}, {period_sql}, r._n + {header_line}, ? from "
                f"(select row_number() over () as _n, * from {reader}) as r", [batch_id])
        except duckdb.Error as exc:
            raise _NotClean("unreadable by DuckDB") from exc
        n = _check_clean(con, source, shell, batch_id, quarter, today, lines - header_line)
        if monthly:
            label = _clean_month_label(con, source, batch_id, today)
            if source.name == "police_uk_street":
                notes.extend(_police_uk_notes(
                    con, f"(select * from {table} where batch_id = {int(batch_id)})"))
            # a re-issued slice (police.uk: one force's month) replaces only that slice
            slice_columns = ", ".join(f'"{c}"' for c in ("period_start", *source.replace_key))
            con.execute(f"create or replace temp table _scp_slices as select distinct "
                        f"{slice_columns} from {table} where batch_id = {int(batch_id)}")
            where, params = _replaced(source, run_id, None, slices="_scp_slices")
        else:
            assert quarter is not None
            where, params = _replaced(source, run_id, quarter.start)
        touched = [r[0] for r in con.execute(
            f"select distinct batch_id from {table} where {where}", params).fetchall()]
        replaced = archive_rows(con, source, where, params, batch_id)
        key = unique_key(source)
        if key is not None:
            clash = con.execute(
                f'select i.source_row, i."{key}", r.batch_id from {table} i join {table} r '
                f'on i."{key}" = r."{key}" and r.batch_id <> i.batch_id where i.batch_id = ? '
                "order by 1 limit 200", [batch_id]).fetchall()
            if clash:
                raise duplicate_conflict(path.name, source.column(key).headers[0], clash)
        mark_superseded(con, source, touched, batch_id)
        con.execute(
            "insert into load_batches values (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', null, ?)",
            [batch_id, run_id, source.name, path.name, sha256, n, label,
             loaded_at or datetime.now(), "; ".join(notes)])
        con.execute("commit")
    except _NotClean:
        con.execute("rollback")
        return None
    except LoadConflict as exc:
        con.execute("rollback")
        empty = pd.DataFrame(columns=FAILURE_COLUMNS)
        result = StagedResult(path, source, None, empty, notes, label, staged_rows=0)
        result.failures = exc.frame()
        return result, None
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        if monthly:
            con.execute("drop table if exists _scp_slices")
    result = StagedResult(path, source, None, pd.DataFrame(columns=FAILURE_COLUMNS), notes,
                          label, staged_rows=n,
                          period_start=None if quarter is None else quarter.start,
                          first_line=header_line + 1)
    return result, LoadOutcome(batch_id, n, int(replaced or 0), tuple(sorted(touched)))


def _clean_month_label(con: duckdb.DuckDBPyConnection, source: Source, batch_id: int,
                       today: date) -> str:
    """The period label of a clean month-level batch (``_add_month``'s wording); raises
    :class:`_NotClean` for a row without a canonical month or a month in the future."""
    months, bad = con.execute(
        f"select list(distinct period_start) filter (where period_start is not null), "
        f"count(*) filter (where period_start is null or period_start > ?) "
        f"from {source.table} where batch_id = {int(batch_id)}", [today]).fetchall()[0]
    label = month_label(months or [])
    if bad or label is None:
        raise _NotClean("a month that is not canonical, or in the future")
    return label


def _last_line_is_total(path: Path, delimiter: str) -> bool:
    """Whether the last non-blank line's first filled cell is a total label (tidy drops it)."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - 65536))
        tail = fh.read().decode("utf-8", errors="replace")
    for line in reversed(tail.splitlines()):
        cells = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        if any(c.strip() for c in cells):
            first = next(c.strip() for c in cells if c.strip())
            return bool(tidy.TOTAL_LABEL.match(first))
    return True


def _check_clean(con: duckdb.DuckDBPyConnection, source: Source, shell: RawTable, batch_id: int,
                 quarter: Quarter | None, today: date, expected_rows: int) -> int:
    """Rows in the batch when every check passes; raises :class:`_NotClean` otherwise. One scan
    of the batch's rows gathers the counts and every column's distinct values."""
    schema = _clean_schema(source, shell, quarter, today)
    unique = [c.name for c in source.columns if schema.columns[c.name].unique]
    aggs = ["count(*)"]
    for c in source.columns:
        if not c.nullable:
            aggs.append(f'count(*) filter (where "{c.name}" is null)')
        if c.parse == "time":
            aggs.append(f'count(*) filter (where "{c.name}" = {_sql_text(_SENTINEL)})')
        if c.parse == "float":
            aggs.append(f'count(*) filter (where isnan("{c.name}"))')
    aggs += [f'count("{u}") - count(distinct "{u}")' for u in unique]
    counted = len(aggs)
    # (column, scan for personal data, its checks): a unique column is scanned only in the
    # values the prefilter lets through, its full list (if it has checks) is not scanned again
    lists: list[tuple[str, bool, list]] = []
    for c in source.columns:
        checks = [k for k in schema.columns[c.name].checks if not _trivial(k, c.parse)]
        guarded = c.parse == "str" and source.personal_data_guard
        if guarded and c.name in unique:
            lists.append((c.name, True, []))
            aggs.append(f'list(distinct "{c.name}") filter (where regexp_matches("{c.name}", '
                        f"{_sql_text(PRIVACY_PREFILTER)}))")
        if checks or (guarded and c.name not in unique):
            lists.append((c.name, guarded and c.name not in unique, checks))
            aggs.append(f'list(distinct "{c.name}") filter (where "{c.name}" is not null)')
    frame_checks = []
    for check in schema.checks:
        cols = FRAME_CHECK_COLUMNS.get(str(check.name))
        if cols is None:
            raise _NotClean("a dataframe check this module does not know")
        frame_checks.append((check, cols))
        aggs.append("list(distinct struct_pack("
                    + ", ".join(f'"{x}" := "{x}"' for x in cols) + "))")
    row = con.execute(f"select {', '.join(aggs)} from {source.table} "
                      f"where batch_id = {int(batch_id)}").fetchall()[0]
    n = int(row[0])
    if n != expected_rows or n == 0 or any(int(v) for v in row[1:counted]):
        raise _NotClean("nulls, odd text, duplicates or blank lines")
    for (name, scan, checks), values in zip(lists, row[counted:counted + len(lists)],
                                            strict=True):
        values = values or []
        if scan and values and guard._content_hits(pd.Series(values, dtype=str)):
            raise _NotClean("personal data")
        if not checks or not values:
            continue
        spec = schema.columns[name]
        series = pd.Series(values, dtype=object).astype(_clean_dtype(source.column(name).parse))
        one = pa.DataFrameSchema({name: pa.Column(spec.dtype, checks=checks, nullable=True,
                                                  name=name)})
        try:
            one.validate(pd.DataFrame({name: series}), lazy=True)
        except pa.errors.SchemaErrors as exc:
            raise _NotClean(f"{name} fails a check") from exc
    for (check, cols), combos in zip(frame_checks, row[counted + len(lists):], strict=True):
        frame = pd.DataFrame(list(combos or []), columns=list(cols))
        for x in cols:
            frame[x] = frame[x].astype(_clean_dtype(source.column(x).parse))
        if not bool(check(frame).check_output.all()):
            raise _NotClean(f"{check.name} fails")
    return n


_SCHEMAS: dict[tuple, pa.DataFrameSchema] = {}


def _clean_schema(source: Source, shell: RawTable, quarter: Quarter | None,
                  today: date) -> pa.DataFrameSchema:
    """The pandas path's runtime schema for a file of ``quarter`` (built once per quarter;
    ``None``: a month-level source, whose schema does not depend on the file)."""
    key = (source.name, quarter, today, str(get_settings().config_dir))
    if key not in _SCHEMAS:
        stub = pd.DataFrame({c.name: pd.Series(dtype=_clean_dtype(c.parse))
                             for c in source.columns})
        stub.attrs["quarter"] = quarter
        if len(_SCHEMAS) > 256:
            _SCHEMAS.clear()
        _SCHEMAS[key] = _runtime_schema(source, stub, shell, [], today)
    return _SCHEMAS[key]


def _clean_dtype(parse: str) -> object:
    return {"date": "datetime64[us]", "datetime": "datetime64[us]", "flag": "boolean",
            "int": "Int64", "float": "Float64"}.get(parse, object)
