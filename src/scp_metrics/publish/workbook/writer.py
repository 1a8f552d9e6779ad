"""Writing the workbook with xlsxwriter, the Government Analysis Function's way.

Cover, Contents and Notes sheets first, then one sheet per :data:`SHEETS` entry with a table,
then the suppression audit. Each table sheet: the title in A1, a description in A2, a line
saying it holds one table (and its notes) in A3, then one Excel Table (filterable, named) with
headers that give units, number formats from the mart contracts and widths that fit.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from scp_metrics.publish.cells import neutralise
from scp_metrics.publish.workbook.model import TABLE_FIRST_ROW, Sheet, SheetTable

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False,
                    "strings_to_urls": False, "nan_inf_to_errors": True, "remove_timezone": True}
"""Text is always text: nothing a mart holds can become a formula, a number or a link."""

RAG_COLOURS = {"Red": ("#D4351C", "#FFFFFF"), "Amber": ("#FFDD00", "#0B0C0C"),
               "Green": ("#00703C", "#FFFFFF")}
"""RAG fills (GOV.UK red, yellow, green) with text colours that meet WCAG AA contrast."""

MAX_WIDTH = 60
MIN_WIDTH = 8


class Writer:
    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        self._formats: dict[tuple[str | None, bool], Any] = {}
        self.title = self.book.add_format({"bold": True, "font_size": 15})
        self.bold = self.book.add_format({"bold": True})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.header = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.link = self.book.add_format({"font_color": "#1D70B8", "underline": 1})

    def number(self, fmt: str | None) -> Any:
        key = (fmt, False)
        if key not in self._formats:
            self._formats[key] = self.book.add_format({"num_format": fmt} if fmt else {})
        return self._formats[key]

    def close(self) -> None:
        self.book.close()


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value))


def _display_length(value: Any, fmt: str | None) -> int:
    if _is_missing(value):
        return 0
    if isinstance(value, datetime | date | pd.Timestamp):
        return 10
    if isinstance(value, int | float) and not isinstance(value, bool):
        plain = (fmt or "").split(";")[-1]
        decimals = len(plain.split(".")[1].rstrip("%")) if "." in plain else 0
        return len(f"{float(value):,.{decimals}f}") + (1 if fmt and "%" in fmt else 0)
    return len(str(value))


def write_cell(ws: Any, w: Writer, row: int, col: int, value: Any, fmt: str | None) -> None:
    """One cell: text neutralised (never a formula), a number with its format, a date as a date."""
    if _is_missing(value):
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, pd.Timestamp | datetime | date):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime().replace(tzinfo=None),
                          w.number(fmt or "yyyy-mm-dd"))
    elif isinstance(value, int | float):
        ws.write_number(row, col, float(value) if isinstance(value, float) else int(value),
                        w.number(fmt))
    elif hasattr(value, "item"):  # numpy scalars
        write_cell(ws, w, row, col, value.item(), fmt)
    else:
        ws.write_string(row, col, neutralise(str(value)))


def write_column(ws: Any, w: Writer, first_row: int, col: int, values: list[Any],
                 formats: list[str | None]) -> None:
    """``values`` down column ``col`` from ``first_row``: each cell as :func:`write_cell` writes
    it, the common types (Python floats, ints, text, None: what ``Series.tolist`` gives) without
    its checks, one number format object per format string."""
    number: dict[str | None, Any] = {}
    write_number, write_string = ws.write_number, ws.write_string
    for i, value in enumerate(values):
        kind = type(value)
        if kind is float or kind is int:
            if value != value:  # NaN: an empty cell
                continue
            fmt = formats[i]
            style = number.get(fmt)
            if style is None:
                style = number[fmt] = w.number(fmt)
            write_number(first_row + i, col, value, style)
        elif kind is str:
            write_string(first_row + i, col, neutralise(value))
        elif kind is pd.Timestamp:
            fmt = formats[i] or "yyyy-mm-dd"
            style = number.get(fmt)
            if style is None:
                style = number[fmt] = w.number(fmt)
            ws.write_datetime(first_row + i, col, value.to_pydatetime().replace(tzinfo=None),
                              style)
        elif value is not None:
            write_cell(ws, w, first_row + i, col, value, formats[i])


_INFINITE = (math.inf, -math.inf)


def longest_display(values: list[Any], formats: list[str | None]) -> int:
    """``max(_display_length(v, f))`` over the column, working out the length of only the
    largest and smallest finite number of each format (a number's displayed length grows with
    its size, plus the minus sign)."""
    longest = 0
    extremes: dict[str | None, list[float]] = {}
    for value, fmt in zip(values, formats, strict=True):
        kind = type(value)
        if (kind is float or kind is int) and value == value and value not in _INFINITE:
            seen = extremes.get(fmt)
            if seen is None:
                extremes[fmt] = [value, value]
            elif value > seen[0]:
                seen[0] = value
            elif value < seen[1]:
                seen[1] = value
        elif kind is str:
            longest = max(longest, len(value))
        elif value is not None:
            longest = max(longest, _display_length(value, fmt))
    for fmt, (high, low) in extremes.items():
        longest = max(longest, _display_length(high, fmt), _display_length(low, fmt))
    return longest


def write_table_sheet(w: Writer, sheet: Sheet, table: SheetTable, note_numbers: list[int]) -> None:
    ws = w.book.add_worksheet(sheet.name)
    ws.write_string(0, 0, neutralise(sheet.title), w.title)
    ws.write_string(1, 0, neutralise(table.description))
    notes = "".join(f" [note {n}]" for n in note_numbers)
    ws.write_string(2, 0, f"This worksheet contains one table. Source: {table.source}.{notes}")
    frame = table.frame
    columns = [str(c) for c in frame.columns]
    first = TABLE_FIRST_ROW
    n = len(frame)
    last = first + max(n, 1)
    ws.add_table(first, 0, last, max(len(columns) - 1, 0), {
        "name": "table_" + "".join(ch if ch.isalnum() else "_" for ch in sheet.name.lower()),
        "columns": [{"header": neutralise(c), "header_format": w.header} for c in columns],
        "style": "Table Style Light 1", "autofilter": True})
    widths = [min(max(len(c) // 2 + 2, max((len(word) for word in c.split()), default=0) + 2,
                      MIN_WIDTH), 30) for c in columns]
    for j, col in enumerate(columns):
        values = frame[col].tolist()
        formats = table.formats.get(col) or [None] * n
        write_column(ws, w, first + 1, j, values, formats)
        longest = longest_display(values, formats)
        widths[j] = min(max(widths[j], longest + 2), MAX_WIDTH)
        ws.set_column(j, j, widths[j], w.wrap if longest > MAX_WIDTH else None)
    ws.set_row(first, None, w.header)
    ws.freeze_panes(first + 1, 0)
    if table.rag_column in columns and n:
        j = columns.index(str(table.rag_column))
        for word, (fill, font) in RAG_COLOURS.items():
            ws.conditional_format(first + 1, j, first + n, j, {
                "type": "cell", "criteria": "==", "value": f'"{word}"',
                "format": w.book.add_format({"bg_color": fill, "font_color": font, "bold": True})})


def write_simple_table(w: Writer, name: str, title: str, intro: list[str], frame: pd.DataFrame,
                       links: str | None = None) -> None:
    """Cover-like sheets: title, lines of text, then an Excel Table of text (``links``: a column
    whose values are sheet names, written as links to them)."""
    ws = w.book.add_worksheet(name)
    ws.write_string(0, 0, title, w.title)
    for i, line in enumerate(intro, start=1):
        ws.write_string(i, 0, neutralise(line))
    first = len(intro) + 2
    columns = [str(c) for c in frame.columns]
    ws.add_table(first, 0, first + max(len(frame), 1), len(columns) - 1, {
        "name": "table_" + name.lower(), "style": "Table Style Light 1",
        "columns": [{"header": c, "header_format": w.header} for c in columns]})
    for j, col in enumerate(columns):
        values = frame[col].tolist()
        longest = max([len(str(v)) for v in values] + [len(col)])
        ws.set_column(j, j, min(max(longest + 2, MIN_WIDTH), 100), w.wrap)
        for i, value in enumerate(values):
            if links == col:
                ws.write_url(first + 1 + i, j, f"internal:'{value}'!A1", w.link, string=str(value))
            else:
                write_cell(ws, w, first + 1 + i, j, value, None)
