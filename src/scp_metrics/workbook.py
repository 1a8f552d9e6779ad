"""The Excel workbook for Strategic Assessment authors: one sheet per table, plus a README.

Headers are frozen and filterable, numbers formatted by what they are (rates to 2 dp,
percentages to 1 dp, counts with thousands separators, dates as dates), and the README sheet
carries the definitions and sources of every indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from scp_metrics import catalogue
from scp_metrics.privacy import suppress_small_numbers
from scp_metrics.settings import Settings

ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence "
               "v3.0 where real data were loaded. The embedded sample is synthetic.")


@dataclass(frozen=True)
class SheetSpec:
    sheet: str
    table: str
    where: str = ""
    description: str = ""


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("indicators", "mart_indicator_values", "area_code = $home",
              "Indicator values for the partnership's area, every period type, with 95% intervals."),
    SheetSpec("indicators_all_areas", "mart_indicator_values",
              "period_type in ('financial_year', 'rolling_12m', 'survey')",
              "Every area's financial-year and rolling 12-month values (peers from the CSP table)."),
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


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}


def _read(con: duckdb.DuckDBPyConnection, spec: SheetSpec, home: str) -> pd.DataFrame:
    sql = f'select * from "{spec.table}"'
    params: dict[str, str] = {}
    if spec.where:
        sql += f" where {spec.where}"
        if "$home" in spec.where:
            params["home"] = home
    return con.execute(sql + " order by all", params).df()


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


def _readme(settings: Settings, included: list[tuple[SheetSpec, int]], as_of: str | None) -> pd.DataFrame:
    rows: list[dict[str, object]] = [
        {"item": "scp-metrics workbook", "detail": f"generated {datetime.now():%Y-%m-%d %H:%M}"
                                                   + (f", data to {as_of}" if as_of else "")},
        {"item": "Attribution", "detail": ATTRIBUTION},
        {"item": "Small numbers", "detail": "Counts of 1 to 4 are shown as '<5' (disclosure control)."},
        {"item": "Intervals", "detail": "95% confidence intervals: rates and counts by the PHE "
                                        "method (exact Poisson below 10 events, Byars from 10); "
                                        "percentages by Wilson."},
    ]
    for spec, count in included:
        rows.append({"item": f"sheet: {spec.sheet}", "detail": f"{spec.description} ({count:,} rows; "
                                                              f"table {spec.table})"})
    for ind in catalogue.read_indicators(settings.config_dir):
        rows.append({"item": f"indicator: {ind.id}",
                     "detail": f"{ind.title}. Numerator: {ind.numerator}. Denominator: "
                               f"{ind.denominator}. Unit: {ind.unit}. Polarity: {ind.polarity} "
                               f"is better. Source: {ind.source}."})
    return pd.DataFrame(rows)


def write_workbook(con: duckdb.DuckDBPyConnection, settings: Settings, path: Path,
                   as_of: str | None = None, suppress_below: int = 5) -> Path:
    """Write the workbook to ``path`` from whatever marts exist; returns the path."""
    from openpyxl.utils import get_column_letter

    present = _tables(con)
    frames: list[tuple[SheetSpec, pd.DataFrame]] = []
    for spec in SHEETS:
        if spec.table in present:
            frame = _read(con, spec, settings.home_area)
            counts = [c for c in ("numerator", "denominator", "actual_value") if c in frame]
            if counts and suppress_below > 1:
                derived = [c for c in ("value", "ci95_lower", "ci95_upper") if c in frame]
                frame = suppress_small_numbers(frame, counts, threshold=suppress_below,
                                               derived=derived)
                for col in counts:  # keep unsuppressed counts numeric in Excel
                    frame[col] = frame[col].map(
                        lambda v: int(v) if isinstance(v, str) and v.isdigit() else v)
            frames.append((spec, frame))
    path.parent.mkdir(parents=True, exist_ok=True)
    readme = _readme(settings, [(s, len(f)) for s, f in frames], as_of)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        readme.to_excel(writer, sheet_name="README", index=False)
        sheet = writer.sheets["README"]
        sheet.column_dimensions["A"].width = 34
        sheet.column_dimensions["B"].width = 140
        for spec, frame in frames:
            out = frame.copy()
            for col in out.columns:
                if isinstance(out[col].dtype, pd.DatetimeTZDtype):
                    out[col] = out[col].dt.tz_localize(None)
                elif out[col].dtype == object and out[col].map(lambda v: isinstance(v, date)).any():
                    out[col] = pd.to_datetime(out[col])
            out.to_excel(writer, sheet_name=spec.sheet, index=False)
            ws = writer.sheets[spec.sheet]
            ws.freeze_panes = "A2"
            if len(out.columns):
                ws.auto_filter.ref = f"A1:{get_column_letter(len(out.columns))}{len(out) + 1}"
            for j, col in enumerate(out.columns, start=1):
                letter = get_column_letter(j)
                ws.column_dimensions[letter].width = min(max(len(str(col)) + 2, 11), 40)
                fmt = _number_format(str(col), out[col])
                if fmt:
                    for cell in ws[letter][1:]:
                        cell.number_format = fmt
    return path
