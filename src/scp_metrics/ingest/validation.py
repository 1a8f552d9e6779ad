"""Validation: read a file, recognise its source, parse every cell, check it against its schema.

The outcome names every failure by file, row (the line or spreadsheet row an analyst sees),
column (as headed in the file), check and offending value. Nothing here touches the warehouse.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from scp_metrics.config import catalogue
from scp_metrics.ingest import tidy
from scp_metrics.ingest.layouts import read_tables
from scp_metrics.ingest.readers import RawTable, ReadError
from scp_metrics.periods import Quarter, parse_financial_year, quarter_from_name
from scp_metrics.settings import get_settings
from scp_metrics.sources import SOURCES, Column, Source, match_columns
from scp_metrics.sources.schemas import CHECK_COLUMNS

FAILURE_COLUMNS = ["file", "row", "column", "check", "value"]
_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
_MID_YEAR = re.compile(r"mid[- ]?(\d{4})", re.IGNORECASE)


@dataclass
class ValidationResult:
    """What validation found in one file."""

    path: Path
    source: Source | None
    frame: pd.DataFrame | None
    failures: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    period_label: str | None = None

    @property
    def ok(self) -> bool:
        return self.source is not None and self.failures.empty

    @property
    def rows(self) -> int:
        return 0 if self.frame is None else len(self.frame)


def _failure(path: Path, row: int | None, column: str | None, check: str, value: object) -> dict:
    return {"file": path.name, "row": row, "column": column, "check": check,
            "value": None if value is None else str(value)[:80]}


def _rank_sources(headers: list[str]) -> list[tuple[float, Source, dict[str, int]]]:
    ranked = []
    for source in SOURCES:
        found = match_columns(source, headers)
        score = len(found) / len(source.columns)
        if any(name in found for name in source.signature):
            ranked.append((score, source, found))
    return sorted(ranked, key=lambda t: -t[0])


def _is_header(cells: list[str]) -> bool:
    return any(score >= 0.5 for score, _, _ in _rank_sources(cells))


def identify(headers: list[str]) -> tuple[Source, dict[str, int]] | None:
    """The source a header row belongs to and where its columns are, if recognisable."""
    ranked = _rank_sources(headers)
    if not ranked or ranked[0][0] < 0.5:
        return None
    _, source, found = ranked[0]
    return source, found


def _parse(column: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells that are present but do not parse."""
    stripped = text.str.strip()
    blank = stripped == ""
    kind = column.parse
    if kind == "str":
        return stripped.where(~blank, None).astype(object), pd.Series(False, index=text.index)
    if kind in ("int", "float"):
        cleaned = stripped.str.replace(",", "", regex=False)
        numbers = pd.to_numeric(cleaned.where(~blank), errors="coerce")
        bad = numbers.isna() & ~blank
        if kind == "int":
            fractional = numbers.notna() & (numbers != np.floor(numbers.fillna(0)))
            bad |= fractional
            return numbers.where(~bad).astype("Int64"), bad
        return numbers.astype("Float64"), bad
    if kind == "flag":
        lower = stripped.str.lower()
        values = pd.Series(pd.NA, index=text.index, dtype="boolean")
        values[lower.isin(_YES)] = True
        values[lower.isin(_NO)] = False
        return values, values.isna() & ~blank
    if kind == "time":
        normal = stripped.str.slice(0, 5).where(stripped.str.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?"))
        normal = normal.str.zfill(5)
        bad = normal.isna() & ~blank
        return normal.where(~bad, None).astype(object), bad
    formats = _DATETIME_FORMATS + _DATE_FORMATS if kind == "datetime" else _DATE_FORMATS
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        missing = parsed.isna() & ~blank
        if not missing.any():
            break
        parsed[missing] = pd.to_datetime(stripped[missing], format=fmt, errors="coerce")
    bad = parsed.isna() & ~blank
    if kind == "date":
        parsed = parsed.dt.normalize()
    return parsed, bad


def _file_quarter(path: Path, dates: pd.Series) -> tuple[Quarter | None, str]:
    named = quarter_from_name(path.name)
    if named is not None:
        return named, "from the file name"
    valid = dates.dropna()
    if valid.empty:
        return None, "no dates"
    quarters = valid.map(lambda d: Quarter.containing(d.date()))
    return quarters.mode().iloc[0], "from most of its dates"


def validate_file(path: Path, *, today: date | None = None) -> ValidationResult:
    """Validate one file without loading it."""
    path = Path(path)
    today = today or date.today()
    try:
        tables = read_tables(path, _is_header)
    except ReadError as exc:
        fail = [_failure(path, None, None, "readable file", str(exc))]
        return ValidationResult(path, None, None, pd.DataFrame(fail, columns=FAILURE_COLUMNS))
    results = []
    for table in tables:
        identified = identify(table.headers)
        if identified is None:  # a reshaped workbook table no source recognises
            fail = [_failure(path, table.header_line, None, "recognisable header",
                             f"sheet '{table.sheet}'")]
            return ValidationResult(path, None, None, pd.DataFrame(fail, columns=FAILURE_COLUMNS))
        source, found = identified
        # tidy: total rows, extra columns, truncation, personal data guard (privacy.py)
        results.append(tidy.checked(table, source, found, today, _validate_table))
    return results[0] if len(results) == 1 else _combine(path, results)


def _combine(path: Path, results: list[ValidationResult]) -> ValidationResult:
    """One result for a workbook read as several tables of one source (see layouts.py)."""
    sources = {r.source.name for r in results if r.source is not None}
    failures = pd.concat([r.failures for r in results], ignore_index=True)
    if len(sources) != 1:
        extra = pd.DataFrame([_failure(path, None, None, "one source per file",
                                       ", ".join(sorted(sources)))], columns=FAILURE_COLUMNS)
        failures = pd.concat([failures, extra], ignore_index=True)
    notes = list(dict.fromkeys(n for r in results for n in r.notes))
    frames = [r.frame for r in results if r.frame is not None]
    frame = pd.concat(frames, ignore_index=True) if len(frames) == len(results) else None
    labels = sorted({r.period_label for r in results if r.period_label})
    label = None if not labels else labels[0] if len(labels) == 1 else \
        f"{labels[0]} … {labels[-1]} ({len(labels)} periods)"
    return ValidationResult(path, results[0].source, frame, failures, notes, label)


def _validate_table(table: RawTable, source: Source, found: dict[str, int], today: date) -> ValidationResult:
    path = table.path
    failures: list[dict] = []
    notes = list(table.notes)
    typed: dict[str, pd.Series] = {}
    bad_cells: dict[str, pd.Series] = {}
    header_of: dict[str, str] = {}
    for column in source.columns:
        if column.name not in found:
            if column.nullable:
                notes.append(f"column '{column.headers[0]}' absent: left empty")
                typed[column.name] = pd.Series([None] * len(table.data), index=table.data.index,
                                                dtype=object)
                header_of[column.name] = column.headers[0]
                continue
            failures.append(_failure(path, table.header_line, column.headers[0], "column present",
                                     "missing"))
            continue
        position = found[column.name]
        header_of[column.name] = table.headers[position]
        text, marked = tidy.suppressed_cells(table, position, column, failures, notes)
        values, bad = _parse(column, text)
        typed[column.name] = values
        bad_cells[column.name] = bad | marked
        for idx in bad[bad].index[:200]:
            failures.append(_failure(path, table.line_of(idx), header_of[column.name],
                                     f"parse as {column.parse}", table.data.at[idx, position]))
    if any(f["check"] == "column present" for f in failures):
        return ValidationResult(path, source, None, pd.DataFrame(failures, columns=FAILURE_COLUMNS), notes)
    frame = pd.DataFrame(typed, index=table.data.index)
    if frame.empty:
        failures.append(_failure(path, table.header_line, None, "has data rows", "header only"))
    period_label = _add_period(source, table, frame, failures, notes, today)
    if source.name == "police_uk_street":
        notes.extend(_police_uk_notes(frame))
    schema = _runtime_schema(source, frame, table, failures, today)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures.extend(_schema_failures(exc.failure_cases, table, header_of, bad_cells))
    frame.insert(0, "source_row", frame.index.map(table.line_of).astype("int64"))
    failures_frame = pd.DataFrame(failures, columns=FAILURE_COLUMNS)
    return ValidationResult(path, source, frame, failures_frame, notes, period_label)


def _add_period(source: Source, table: RawTable, frame: pd.DataFrame, failures: list[dict],
                notes: list[str], today: date) -> str | None:
    """Add ``period_start`` (the quarter or mid-year that places each row) to ``frame``."""
    path = table.path
    if source.name == "ho_csp_crime":
        starts: list[date | None] = []
        for fy, q in zip(frame["financial_year"], frame["financial_quarter"], strict=True):
            try:
                starts.append(Quarter(parse_financial_year(fy), int(q)).start)
            except (ValueError, TypeError):
                starts.append(None)
        frame["period_start"] = pd.to_datetime(pd.Series(starts, index=frame.index, dtype=object))
    elif source.name == "population":
        title = " ".join(table.title_lines + [table.sheet or ""])
        match = _MID_YEAR.search(title)
        if not match:
            failures.append(_failure(path, 1, None, "title names the mid-year (e.g. 'Mid-2008')",
                                     title[:80]))
            frame["mid_year"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
            frame["period_start"] = pd.NaT
            return None
        year = int(match.group(1))
        frame["mid_year"] = pd.Series(year, index=frame.index, dtype="Int64")
        frame["period_start"] = pd.Timestamp(year, 6, 30)
        return f"mid-{year}"
    elif source.period_rule == "month" and source.period_column:
        return _add_month(source, table, frame, failures, today)
    elif source.period_rule == "year" and source.period_column in frame:
        ends = pd.to_datetime(frame[source.period_column])
        frame["period_start"] = ends - pd.DateOffset(years=1) + pd.Timedelta(days=1)
        labels = sorted({f"year ending {d:%b %Y}" for d in ends.dropna()})
        return ", ".join(labels) or None
    elif source.period_rule == "quarter" and source.period_column:
        dates = frame[source.period_column]
        quarter, how = _file_quarter(path, dates)
        if quarter is None:
            frame["period_start"] = pd.NaT
            return None
        notes.append(f"quarter {quarter.label} ({how})")
        frame["period_start"] = pd.Timestamp(quarter.start)
        frame.attrs["quarter"] = quarter
        return quarter.label
    else:
        frame["period_start"] = pd.NaT
        return None
    labels = sorted({Quarter.containing(d.date()).label for d in frame["period_start"].dropna()})
    return ", ".join(labels) if len(labels) <= 2 else f"{labels[0]} … {labels[-1]}"


def _add_month(source: Source, table: RawTable, frame: pd.DataFrame, failures: list[dict],
               today: date) -> str | None:
    """Month-level periods: each row's own month (``YYYY-MM`` text or a date) places it; a
    re-issued month replaces that month (for police.uk, that force's month)."""
    period_column = source.period_column
    assert period_column is not None, f"{source.name} has no period column"  # month sources have one
    values = frame[period_column]
    if pd.api.types.is_datetime64_any_dtype(values):
        starts = values.dt.to_period("M").dt.to_timestamp()
    else:
        starts = pd.to_datetime(values.astype("string").str.strip() + "-01", format="%Y-%m-%d",
                                errors="coerce")
    frame["period_start"] = starts.astype("datetime64[us]")
    future = starts > pd.Timestamp(today)
    if future.any():
        header = source.column(period_column).headers[0]
        for idx in future[future].index[:200]:
            failures.append(_failure(table.path, table.line_of(idx), header,
                                     "month is not in the future", values.at[idx]))
    return month_label(starts.dropna().unique())


def month_label(starts: Iterable) -> str | None:
    """The period label of a month-level file from its rows' month starts: ``2018-10``, or
    ``2018-09 … 2018-11 (3 months)``; ``None`` when there are none."""
    months = sorted({f"{pd.Timestamp(d):%Y-%m}" for d in starts})
    if not months:
        return None
    return months[0] if len(months) == 1 else f"{months[0]} … {months[-1]} ({len(months)} months)"


def _police_uk_notes(frame: pd.DataFrame) -> list[str]:
    """Facts about a police.uk file worth a line in the ledger (none of them refuse it)."""
    ids = frame["crime_id"].dropna()
    repeated = ids[ids.duplicated(keep=False)]
    return police_uk_notes(repeated.nunique(), len(repeated), int(frame["crime_id"].isna().sum()),
                           int(frame["lsoa_name"].isna().sum()))


def police_uk_notes(repeated_ids: int, repeated_rows: int, without_id: int,
                    without_lsoa: int) -> list[str]:
    """The ledger notes of a police.uk file from its counts (both ingest routes word them here)."""
    notes = []
    if repeated_rows:
        notes.append(f"{repeated_ids:,} Crime IDs appear on more than one row "
                     f"({repeated_rows:,} rows): every row is counted, as police.uk does")
    if without_id:
        notes.append(f"{without_id:,} rows without a Crime ID (anti-social behaviour), "
                     "not de-duplicated")
    if without_lsoa:
        notes.append(f"{without_lsoa:,} rows without an LSOA (no location): loaded, "
                     "reported as unplaced")
    return notes


@functools.lru_cache(maxsize=4)
def _reference_for(config_dir: Path) -> dict[str, frozenset[str]]:
    codes = catalogue.read_offence_codes(config_dir)["offence_code"]
    names = catalogue.read_area_name_lookup(config_dir)["name"].str.strip().str.lower()
    crime_types = catalogue.read_police_uk_crime_types(config_dir)["crime_type"]
    return {"offence_codes": frozenset(codes), "area_names": frozenset(names),
            "police_uk_crime_types": frozenset(crime_types)}


def _reference() -> dict[str, frozenset[str]]:
    return _reference_for(get_settings().config_dir)


def _runtime_schema(source: Source, frame: pd.DataFrame, table: RawTable, failures: list[dict],
                    today: date) -> pa.DataFrameSchema:
    schema = source.model.to_schema()
    updates: dict[str, dict] = {}
    for column in source.columns:
        if column.parse in ("date", "datetime") and column.name in frame:
            frame[column.name] = frame[column.name].astype("datetime64[us]")
            updates[column.name] = {
                "checks": [*schema.columns[column.name].checks,
                           pa.Check.le(pd.Timestamp(today) + pd.Timedelta(days=1),
                                       error="date is not in the future")],
                "dtype": "datetime64[us]",
            }
        elif column.parse == "int":
            updates[column.name] = {"dtype": "Int64"}
        elif column.parse == "float":
            updates[column.name] = {"dtype": "Float64"}
        elif column.parse == "flag":
            updates[column.name] = {"dtype": "boolean"}
        elif column.parse in ("str", "time"):
            updates[column.name] = {"dtype": None}
    reference = _reference()
    if "offence_code" in frame:
        known = reference["offence_codes"]
        updates.setdefault("offence_code", {})["checks"] = [
            *schema.columns["offence_code"].checks,
            pa.Check(lambda s: s.str.strip().str.upper().isin(known) | s.isna(),
                     element_wise=False,
                     error="known Home Office offence code (config/offence_codes.csv)"),
        ]
    if source.name == "ho_csp_crime":
        names = reference["area_names"]
        updates.setdefault("csp_name", {})["checks"] = [
            pa.Check(lambda s: s.str.strip().str.lower().isin(names) | s.isna(),
                     error="CSP name known (config/area_name_lookup.csv)"),
        ]
    if source.name == "police_uk_street" and reference["police_uk_crime_types"]:
        types = reference["police_uk_crime_types"]
        updates.setdefault("crime_type", {})["checks"] = [
            pa.Check(lambda s: s.isin(types) | s.isna(), element_wise=False,
                     error="known police.uk crime type (config/police_uk_crime_types.csv)"),
        ]
    quarter = frame.attrs.get("quarter")
    col = source.period_column
    if quarter is not None and col is not None and col in frame:
        start, end = pd.Timestamp(quarter.start), pd.Timestamp(quarter.end)
        updates.setdefault(col, {})["checks"] = [
            *updates.get(col, {}).get("checks", schema.columns[col].checks),
            pa.Check.in_range(start, end, error=f"date inside the file's quarter {quarter.label}"),
        ]
    for name, kwargs in updates.items():
        if name in schema.columns:
            schema = schema.update_column(name, **kwargs)
    return schema


def _schema_failures(cases: pd.DataFrame, table: RawTable, header_of: dict[str, str],
                     bad_cells: dict[str, pd.Series]) -> list[dict]:
    out = []
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else None
        frame_check = CHECK_COLUMNS.get(str(case.check))
        if frame_check:
            column = frame_check[0]
        index = case.index
        value = case.failure_case
        if column in bad_cells and index is not None and not pd.isna(index) \
                and bool(bad_cells[column].get(index, False)) and "null" in str(case.check):
            continue  # already reported as unparseable
        column_label = None if column == table.path.name or column not in header_of else header_of[column]
        row = None if index is None or pd.isna(index) else table.line_of(int(index))
        if frame_check and row is not None and column in header_of:
            position = table.headers.index(header_of[column])
            value = table.data.at[int(index), position]
        check = frame_check[1] if frame_check else str(case.check)
        if (row, column_label, check) in seen:
            continue
        seen.add((row, column_label, check))
        if check == "not_nullable":
            check = "value present"
        elif check.startswith("field_uniqueness") or check == "unique":
            check = "unique"
        out.append(_failure(table.path, row, column_label, check, value))
    return out
