"""The Excel workbook for Strategic Assessment authors: one sheet per table, plus a README.

Headers are frozen and filterable, numbers formatted by what they are (rates to 2 dp,
percentages to 1 dp, counts with thousands separators, dates as dates), and the README sheet
carries the definitions and sources of every indicator.

The workbook is the partnership's: its peer sheet (``indicators_all_areas``) holds the home
area and its Most Similar Group, not every area in the country (the published CSVs hold every
area). Sheets are streamed from DuckDB in chunks into openpyxl's write-only mode, so memory
does not grow with the warehouse, and a sheet never exceeds Excel's row limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from scp_metrics.config import catalogue
from scp_metrics.publish.suppression import SuppressionRules, suppress_frame, suppression_rules
from scp_metrics.settings import Settings

ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence "
               "v3.0 where real data were loaded. The embedded sample is synthetic.")

EXCEL_MAX_ROWS = 1_048_576
"""Rows in an Excel sheet, the header included."""
CHUNK_VECTORS = 16
"""DuckDB vectors (2,048 rows each) read into pandas at a time."""


@dataclass(frozen=True)
class SheetSpec:
    sheet: str
    table: str
    where: str = ""
    description: str = ""


PEER_PERIODS = "period_type in ('financial_year', 'rolling_12m', 'survey')"
MSG_AREAS = ("(area_code = $home or area_code in (select area_code from stg_msg_membership "
             "where upper(trim(group_id)) = $home))")
LATEST_PERIODS = "qualify period_start = max(period_start) over (partition by indicator_id, period_type)"

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("indicators", "mart_indicator_values", "area_code = $home",
              "Indicator values for the partnership's area, every period type, with 95% intervals."),
    SheetSpec("indicators_all_areas", "mart_indicator_values", f"{PEER_PERIODS} and {MSG_AREAS}",
              "Financial-year and rolling 12-month values of the partnership and its Most Similar "
              "Group (peers from the CSP table)."),
    SheetSpec("rankings", "mart_msg_rankings", "",
              "Most Similar Group positions (1 = best by the indicator's polarity)."),
    SheetSpec("targets", "mart_target_tracking", "",
              "Targets, trajectories, year-end projections, RAG and probability of meeting them."),
    SheetSpec("spc", "mart_spc", "area_code = $home",
              "Making Data Count XmR: limits, special-cause flags and point types by month."),
    SheetSpec("trends", "mart_trends", "", "Underlying annual change from a seasonal model."),
    SheetSpec("data_quality", "mart_data_quality", "",
              "Reconciliation differences and other data-quality findings."),
    SheetSpec("load_history", "load_batches", "", "Every file loaded: the lineage of each figure."),
)

ALL_AREAS_NOTE = ("Every area's values, every period type, are in mart_indicator_values.csv beside "
                  "this workbook (the published CSVs).")


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}


def _peer_scope(con: duckdb.DuckDBPyConnection, spec: SheetSpec, present: set[str],
                home: str) -> SheetSpec:
    """The peer sheet for the home area's Most Similar Group; without a group in the warehouse,
    every area's latest financial year and rolling 12 months (a bounded sheet either way)."""
    if spec.sheet != "indicators_all_areas":
        return spec
    members = 0
    if "stg_msg_membership" in present:
        members = con.execute(
            "select count(distinct area_code) from stg_msg_membership where upper(trim(group_id)) = $home",
            {"home": home}).fetchall()[0][0]
    if members:
        return replace(spec, description=f"{spec.description} {members} areas in the group "
                                         f"(group {home}). {ALL_AREAS_NOTE}")
    return replace(spec, where=f"{PEER_PERIODS} {LATEST_PERIODS}",
                   description="The latest financial year and rolling 12 months of every area (no "
                               f"Most Similar Group for {home} in the warehouse). {ALL_AREAS_NOTE}")


def _query(spec: SheetSpec) -> str:
    sql = f'select * from "{spec.table}"'
    if spec.where:
        sql += f" where {spec.where}"
    return sql


def _params(spec: SheetSpec, home: str) -> dict[str, str]:
    return {"home": home} if "$home" in spec.where else {}


def _count(con: duckdb.DuckDBPyConnection, spec: SheetSpec, home: str) -> int:
    return int(con.execute(f"select count(*) from ({_query(spec)})", _params(spec, home)).fetchall()[0][0])


def _read(con: duckdb.DuckDBPyConnection, spec: SheetSpec, home: str) -> pd.DataFrame:
    """The whole sheet as one frame (small sheets, tests)."""
    return pd.concat(list(_chunks(con, spec, home, limit=None)) or [pd.DataFrame()], ignore_index=True)


def _chunks(con: duckdb.DuckDBPyConnection, spec: SheetSpec, home: str,
            limit: int | None) -> Iterator[pd.DataFrame]:
    """The sheet's rows in order, a few thousand at a time, on a cursor of its own."""
    sql = f"select * from ({_query(spec)}) order by all"
    if limit is not None:
        sql += f" limit {int(limit)}"
    cur = con.cursor()
    try:
        result = cur.execute(sql, _params(spec, home))
        while True:
            chunk = result.fetch_df_chunk(CHUNK_VECTORS)
            if chunk.empty:
                break
            yield chunk
    finally:
        cur.close()


COUNT_COLUMNS = ("numerator", "denominator", "population", "actual_value", "rows")
DECIMAL_COLUMNS = ("value", "ci95_lower", "ci95_upper", "rate", "group_mean", "group_pooled_rate",
                   "group_sd", "mean", "lpl", "upl", "near_lpl", "near_upl")


def _number_format(column: str, series: pd.Series) -> str | None:
    if pd.api.types.is_datetime64_any_dtype(series) or column.endswith(("_start", "_end", "as_of")):
        return "yyyy-mm-dd"
    if column in COUNT_COLUMNS:  # may hold "<5" text after suppression
        return "#,##0"
    if column in DECIMAL_COLUMNS:
        return "#,##0.00"
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    if column.endswith(("_year", "_id", "rank", "n_areas", "batch_id", "rows", "n")):
        return "0"
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    if "pct" in column or column.startswith(("probability", "coverage")):
        return "0.0"
    return "#,##0.00"


WORKBOOK_EXTRA_COUNTS = ("actual_value",)
"""Counted as counts in the workbook as well as ``config/privacy.toml``'s ``count_columns``
(a target's year-to-date outturn is a count for count targets)."""


def _suppress(frame: pd.DataFrame, rules: SuppressionRules, measures: dict[str, str]) -> pd.DataFrame:
    """The published CSVs' suppression (:func:`scp_metrics.publish.suppression.suppress_frame`), with
    unsuppressed counts kept numeric for Excel."""
    if rules.threshold <= 1:
        return frame
    out, _ = suppress_frame(frame, rules, measures, extra_counts=WORKBOOK_EXTRA_COUNTS)
    if out is frame:
        return frame
    for col in out.columns:  # columns made text by suppression: numbers back to numbers
        if out[col].dtype == object and frame[col].dtype != object:
            out[col] = [_number(v) for v in out[col]]
    return out


def _number(value: object) -> object:
    if isinstance(value, str) and not value.startswith("<"):
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as naive datetimes (Excel has no time zones)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
        elif out[col].dtype == object and out[col].map(lambda v: isinstance(v, date)).any():
            out[col] = pd.to_datetime(out[col])
    return out


def _cell_values(series: pd.Series) -> list[object]:
    """Plain Python values for openpyxl; missing values as empty cells."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    return series.astype(object).where(series.notna(), None).tolist()


def _readme(settings: Settings, included: list[tuple[SheetSpec, int]], as_of: str | None,
            truncated: dict[str, int] | None = None) -> pd.DataFrame:
    rows: list[dict[str, object]] = [
        {"item": "scp-metrics workbook", "detail": f"generated {datetime.now():%Y-%m-%d %H:%M}"
                                                   + (f", data to {as_of}" if as_of else "")
                                                   + f", for {settings.home_area}"},
        {"item": "Attribution", "detail": ATTRIBUTION},
        {"item": "Small numbers", "detail": "Counts of 1 to 4 are shown as '<5' (disclosure control)."},
        {"item": "Intervals", "detail": "95% confidence intervals: rates and counts by the PHE "
                                        "method (exact Poisson below 10 events, Byars from 10); "
                                        "percentages by Wilson."},
        {"item": "Every area", "detail": "This workbook is the partnership's: its peers are its Most "
                                         "Similar Group. Every area's tables are the mart_*.csv files "
                                         "published beside it."},
    ]
    truncated = truncated or {}
    for spec, count in included:
        cut = (f"; only the first {count - truncated[spec.sheet]:,} fit an Excel sheet, the rest are in "
               f"{spec.table}.csv") if spec.sheet in truncated else ""
        rows.append({"item": f"sheet: {spec.sheet}", "detail": f"{spec.description} ({count:,} rows; "
                                                              f"table {spec.table}{cut})"})
    for ind in catalogue.read_indicators(settings.config_dir):
        rows.append({"item": f"indicator: {ind.id}",
                     "detail": f"{ind.title}. Numerator: {ind.numerator}. Denominator: "
                               f"{ind.denominator}. Unit: {ind.unit}. Polarity: {ind.polarity} "
                               f"is better. Source: {ind.source}."})
    return pd.DataFrame(rows)


def write_workbook(con: duckdb.DuckDBPyConnection, settings: Settings, path: Path,
                   as_of: str | None = None, suppress_below: int = 5) -> Path:
    """Write the workbook to ``path`` from whatever marts exist; returns the path.

    Each sheet is read from DuckDB a chunk at a time and streamed to disk (openpyxl's write-only
    mode): memory stays flat however many rows a sheet has."""
    home = settings.home_area.strip().upper()
    present = _tables(con)
    rules = replace(suppression_rules(settings.config_dir), threshold=suppress_below)
    measures = dict(con.execute("select indicator_id, measure from ref_indicators").fetchall()) \
        if "ref_indicators" in present else {}
    specs = [_peer_scope(con, spec, present, home) for spec in SHEETS if spec.table in present]
    counts = [(spec, _count(con, spec, home)) for spec in specs]
    room = EXCEL_MAX_ROWS - 1
    truncated = {spec.sheet: n - room for spec, n in counts if n > room}
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    readme = _readme(settings, counts, as_of, truncated)
    ws = wb.create_sheet("README")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 140
    ws.freeze_panes = "A2"
    ws.append(_header(ws, list(readme.columns)))
    for row in readme.itertuples(index=False):
        ws.append(list(row))

    for spec, count in counts:
        ws = wb.create_sheet(spec.sheet)
        ws.freeze_panes = "A2"
        formats: list[str | None] | None = None
        written = 0
        for chunk in _chunks(con, spec, home, limit=room if count > room else None):
            out = _excel_ready(_suppress(chunk, rules, measures))
            if formats is None:  # the first chunk sets the columns' widths and formats
                formats = _start_sheet(ws, out)
            columns = [_cell_values(out[c]) for c in out.columns]
            for values in zip(*columns, strict=True):
                ws.append([_cell(ws, v, fmt) if fmt and v is not None else v
                           for v, fmt in zip(values, formats, strict=True)])
            written += len(out)
        if formats is None:  # no rows: the columns alone
            formats = _start_sheet(ws, _excel_ready(_empty(con, spec, home)))
        if formats:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(formats))}{written + 1}"
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def _header(ws, names: list[str]) -> list[WriteOnlyCell]:  # noqa: ANN001
    bold = Font(bold=True)
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cells.append(cell)
    return cells


def _cell(ws, value: object, fmt: str) -> WriteOnlyCell:  # noqa: ANN001
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = fmt
    return cell


def _empty(con: duckdb.DuckDBPyConnection, spec: SheetSpec, home: str) -> pd.DataFrame:
    return con.execute(f"select * from ({_query(spec)}) limit 0", _params(spec, home)).df()


def _start_sheet(ws, out: pd.DataFrame) -> list[str | None]:  # noqa: ANN001
    for j, col in enumerate(out.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(len(str(col)) + 2, 11), 40)
    ws.append(_header(ws, [str(c) for c in out.columns]))
    return [_number_format(str(col), out[col]) for col in out.columns]
