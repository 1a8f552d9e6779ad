"""The Excel workbook for Strategic Assessment authors: one sheet per table, plus a README.

Headers are frozen and filterable, numbers formatted by their unit as each mart's contract
declares it (:mod:`scp_metrics.publish.formats`: rates to 2 dp, percentages to 1 dp, counts with
thousands separators, dates as dates; a column whose unit is the row's, row by row), small
numbers suppressed by the one rule (:mod:`scp_metrics.publish.suppression`), and the README
sheet carries the definitions and sources of every indicator.

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

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from scp_metrics.config import catalogue
from scp_metrics.publish.formats import LEDGER_UNITS, cell_formats
from scp_metrics.publish.reader import Connection, MartReader, as_reader, query_text
from scp_metrics.publish.suppression import SuppressionRules, suppress_frame, suppression_rules
from scp_metrics.settings import Settings
from scp_metrics.warehouse.contracts import MartContract, contract_for

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
    query: str
    """The sheet's rows: ``publish/sql/<query>.sql`` (``$home``: the partnership's code)."""
    description: str = ""


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("indicators", "mart_indicator_values", "workbook_indicators",
              "Indicator values for the partnership's area, every period type, with 95% intervals."),
    SheetSpec("data_to", "mart_indicator_as_of", "workbook_as_of",
              "Each indicator's own latest complete month (sources arrive out of step: e.g. "
              "police data to Dec 2009, ED data to Jan 2010)."),
    SheetSpec("indicators_all_areas", "mart_indicator_values", "workbook_peers",
              "Financial-year and rolling 12-month values of the partnership and its Most Similar "
              "Group (peers from the CSP table)."),
    SheetSpec("rankings", "mart_msg_rankings", "workbook_rankings",
              "Most Similar Group positions (1 = best by the indicator's polarity)."),
    SheetSpec("targets", "mart_target_tracking", "workbook_targets",
              "Targets, trajectories, year-end projections, RAG and probability of meeting them."),
    SheetSpec("spc", "mart_spc", "workbook_spc",
              "Making Data Count XmR: limits, special-cause flags and point types by month."),
    SheetSpec("trends", "mart_trends", "workbook_trends",
              "Underlying annual change from a seasonal model."),
    SheetSpec("data_quality", "mart_data_quality", "workbook_data_quality",
              "Reconciliation differences and other data-quality findings."),
    SheetSpec("load_history", "load_batches", "workbook_load_history",
              "Every file loaded: the lineage of each figure."),
)

ALL_AREAS_NOTE = ("Every area's values, every period type, are in mart_indicator_values.csv beside "
                  "this workbook (the published CSVs).")


def _peer_scope(reader: MartReader, spec: SheetSpec, present: set[str], home: str) -> SheetSpec:
    """The peer sheet for the home area's Most Similar Group; without a group in the warehouse,
    every area's latest financial year and rolling 12 months (a bounded sheet either way)."""
    if spec.sheet != "indicators_all_areas":
        return spec
    members = 0
    if "stg_msg_membership" in present:
        members = int(reader.value("workbook_group_size", home=home))
    if members:
        return replace(spec, description=f"{spec.description} {members} areas in the group "
                                         f"(group {home}). {ALL_AREAS_NOTE}")
    return replace(spec, query="workbook_peers_latest",
                   description="The latest financial year and rolling 12 months of every area (no "
                               f"Most Similar Group for {home} in the warehouse). {ALL_AREAS_NOTE}")


def _params(spec: SheetSpec, home: str) -> dict[str, str]:
    return {"home": home} if "$home" in query_text(spec.query) else {}


def _count(reader: MartReader, spec: SheetSpec, home: str) -> int:
    return reader.count(spec.query, **_params(spec, home))


def _read(reader: MartReader, spec: SheetSpec, home: str) -> pd.DataFrame:
    """The whole sheet as one frame (small sheets, tests)."""
    return pd.concat(list(_chunks(reader, spec, home, limit=None)) or [pd.DataFrame()],
                     ignore_index=True)


def _chunks(reader: MartReader, spec: SheetSpec, home: str,
            limit: int | None) -> Iterator[pd.DataFrame]:
    """The sheet's rows in order, a few thousand at a time, on a cursor of its own."""
    return reader.chunks(spec.query, _params(spec, home), CHUNK_VECTORS, limit)


def _contract(table: str) -> MartContract | None:
    """The contract of a mart sheet's table (None: the ledger, which is not a mart)."""
    return contract_for(table) if table.startswith("mart_") else None


def _suppress(frame: pd.DataFrame, rules: SuppressionRules, contract: MartContract | None,
              measures: dict[str, str]) -> pd.DataFrame:
    """The published CSVs' suppression (:func:`scp_metrics.publish.suppression.suppress_frame`),
    with the counts that are shown kept as numbers for Excel."""
    if contract is None:
        return frame
    out, _ = suppress_frame(frame, rules, contract, measures, numbers=True)
    for col in out.columns:  # columns made objects by suppression: numbers typed again
        if out[col].dtype == object and frame[col].dtype != object:
            out[col] = out[col].tolist()
    return out


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


def _readme(settings: Settings, rules: SuppressionRules, included: list[tuple[SheetSpec, int]],
            as_of: str | None, truncated: dict[str, int] | None = None) -> pd.DataFrame:
    rows: list[dict[str, object]] = [
        {"item": "scp-metrics workbook", "detail": f"generated {datetime.now():%Y-%m-%d %H:%M}"
                                                   + (f", dated {as_of} (each indicator's own "
                                                      "month: sheet data_to)" if as_of else "")
                                                   + f", for {settings.home_area}"},
        {"item": "Attribution", "detail": ATTRIBUTION},
        {"item": "Small numbers", "detail": f"Counts of 1 to {rules.threshold - 1} are shown as "
                                            f"'{rules.marker}' (disclosure control)."},
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


def write_workbook(source: MartReader | Connection, settings: Settings, path: Path,
                   as_of: str | None = None) -> Path:
    """Write the workbook to ``path`` from whatever marts exist; returns the path.

    Each sheet is read from the warehouse a chunk at a time and streamed to disk (openpyxl's
    write-only mode): memory stays flat however many rows a sheet has. Small numbers are
    suppressed as in the published CSVs (``config/privacy.toml``)."""
    reader = as_reader(source)
    home = settings.home_area.strip().upper()
    present = set(reader.tables())
    rules = suppression_rules(settings.config_dir)
    measures = reader.indicator_measures() if "ref_indicators" in present else {}
    units = reader.indicator_units() if "ref_indicators" in present else {}
    specs = [_peer_scope(reader, spec, present, home) for spec in SHEETS if spec.table in present]
    counts = [(spec, _count(reader, spec, home)) for spec in specs]
    room = EXCEL_MAX_ROWS - 1
    truncated = {spec.sheet: n - room for spec, n in counts if n > room}
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    readme = _readme(settings, rules, counts, as_of, truncated)
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
        contract = _contract(spec.table)
        width = 0
        written = 0
        for chunk in _chunks(reader, spec, home, limit=room if count > room else None):
            out = _excel_ready(_suppress(chunk, rules, contract, measures))
            if not width:  # the first chunk sets the columns' widths
                width = _start_sheet(ws, out)
            formats = cell_formats(chunk, contract, units, LEDGER_UNITS)
            columns = [_cell_values(out[c]) for c in out.columns]
            cell_format = [formats[str(c)] for c in out.columns]
            for i, values in enumerate(zip(*columns, strict=True)):
                ws.append([_cell(ws, v, fmt[i]) if fmt[i] and v is not None else v
                           for v, fmt in zip(values, cell_format, strict=True)])
            written += len(out)
        if not width:  # no rows: the columns alone
            width = _start_sheet(ws, reader.empty(spec.query, **_params(spec, home)))
        if width:
            ws.auto_filter.ref = f"A1:{get_column_letter(width)}{written + 1}"
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


def _cell(ws, value: object, fmt: str | None) -> WriteOnlyCell:  # noqa: ANN001
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = fmt
    return cell


def _start_sheet(ws, out: pd.DataFrame) -> int:  # noqa: ANN001
    """The sheet's header and column widths; returns the number of columns."""
    for j, col in enumerate(out.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(len(str(col)) + 2, 11), 40)
    ws.append(_header(ws, [str(c) for c in out.columns]))
    return len(out.columns)
