"""The Excel workbook for Strategic Assessment authors, built the Government Analysis Function's
way for statistical tables: Cover, Contents and Notes sheets, then one table per sheet (the
ordered list :data:`~scp_metrics.publish.workbook.sheets.SHEETS`; adding a sheet is one line
there, see that module), then the suppression audit (every cell withheld, and why).

Numbers keep their number formats from the mart contracts (never a date for a number), counts
are suppressed by the one policy (:mod:`scp_metrics.publish.suppression`) and every text cell
is neutralised (:func:`scp_metrics.publish.cells.neutralise`). The workbook is written to a
temporary file and moved into place, so a reader never sees half of it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from scp_metrics.publish.disclosure import disclosure_rules
from scp_metrics.publish.reader import Connection, MartReader, as_reader
from scp_metrics.publish.workbook.model import TABLE_FIRST_ROW, Sheet, SheetContext, SheetTable, mart_table
from scp_metrics.publish.workbook.sheets import SHEETS
from scp_metrics.publish.workbook.writer import Writer, write_simple_table, write_table_sheet
from scp_metrics.settings import Settings

__all__ = ["SHEETS", "Sheet", "SheetContext", "SheetTable", "mart_table", "write_workbook"]

ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence "
               "v3.0 where real data were loaded. The embedded sample is synthetic.")
AUDIT_SHEET = "Suppression_audit"


def build_tables(ctx: SheetContext, sheets: list[Sheet] | None = None) -> list[tuple[Sheet, SheetTable]]:
    """Every sheet with a table, in order."""
    built = [(sheet, sheet.table(ctx)) for sheet in (SHEETS if sheets is None else sheets)]
    return [(sheet, table) for sheet, table in built if table is not None]


def _cover(ctx: SheetContext) -> list[str]:
    area = ctx.reader.area_name(ctx.home) if "ref_areas" in ctx.tables else None
    return [
        f"Community safety performance tables for {area or ctx.home} ({ctx.home})"
        + (f", as of {ctx.as_of}" if ctx.as_of else "") + ".",
        "About these tables: indicator values, targets and projections, Most Similar Group "
        "positions, statistical process control and data quality, as the scp-metrics pipeline "
        "computed them from the loaded files.",
        f"Produced {datetime.now():%d %B %Y} by scp-metrics. Each indicator's own latest month is "
        "on the Data_to sheet.",
        "Disclosure control: counts that could identify people are withheld as the privacy "
        "policy (config/privacy.toml) says; each withheld cell is listed on the "
        f"{AUDIT_SHEET} sheet.",
        ATTRIBUTION,
        "The Contents sheet lists every table; the Notes sheet holds the notes the tables refer to.",
    ]


def write_workbook(source: MartReader | Connection, settings: Settings, path: Path,
                   as_of: str | None = None) -> Path:
    """Write the workbook to ``path`` from whatever marts exist; returns the path."""
    reader = as_reader(source)
    ctx = SheetContext(reader, settings, settings.home_area.strip().upper(), as_of,
                       disclosure_rules(settings.config_dir, reader))
    tables = build_tables(ctx)
    notes: list[str] = []
    note_numbers: list[list[int]] = []
    for _, table in tables:
        numbers = []
        for text in table.notes:
            if text not in notes:
                notes.append(text)
            numbers.append(notes.index(text) + 1)
        note_numbers.append(numbers)
    audit = pd.DataFrame([{"Sheet": sheet.name, "Row": TABLE_ROW_OFFSET + r, "Column": col,
                           "Reason": why}
                          for sheet, table in tables for r, col, why in table.suppressed],
                         columns=["Sheet", "Row", "Column", "Reason"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    w = Writer(tmp)
    try:
        write_simple_table(w, "Cover", "Community safety performance tables", _cover(ctx),
                           pd.DataFrame({"Contact": ["The partnership's performance analyst"]}))
        contents = pd.DataFrame({
            "Sheet": [s.name for s, _ in tables] + [AUDIT_SHEET],
            "Title": [s.title for s, _ in tables] + ["Every cell withheld by disclosure control"],
            "Rows": [f"{len(t.frame):,}" for _, t in tables] + [f"{len(audit):,}"]})
        write_simple_table(w, "Contents", "Contents", ["One table per sheet; select a sheet name "
                           "to go to it."], contents, links="Sheet")
        write_simple_table(w, "Notes", "Notes", ["Notes referred to in the tables as [note N]."],
                           pd.DataFrame({"Note": [f"note {i}" for i in range(1, len(notes) + 1)],
                                         "Text": notes}))
        for (sheet, table), numbers in zip(tables, note_numbers, strict=True):
            write_table_sheet(w, sheet, table, numbers)
        write_table_sheet(w, Sheet(AUDIT_SHEET, "Suppression audit", lambda _: None), SheetTable(
            audit, {}, "Every cell of this workbook withheld by disclosure control: its sheet, "
            "its row number in Excel, its column and why.", source="config/privacy.toml"), [])
    finally:
        w.close()
    tmp.replace(path)
    return path


TABLE_ROW_OFFSET = TABLE_FIRST_ROW + 2
"""Excel's row number of a table's first data row (title, description, note line, header, then
the data from row 5)."""
