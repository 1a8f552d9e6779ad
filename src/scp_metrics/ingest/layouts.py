"""Workbook layouts that are more than one header row over one table.

Most extracts are a single table under a header row (:func:`scp_metrics.ingest.readers.read_table`).
Two real ONS workbooks are not, and are reshaped here into ordinary tables of text that the
usual validation then checks cell by cell:

* **ONS mid-year population estimates** (e.g. ``ukmidyearestimates20192020ladcodes.xls``):
  single-year sheets (``MYE2 - Persons``: ``Code, Name, Geography1, All ages, 0 … 90`` with
  the mid-year in the title) and the ``MYE 5`` series (``Estimated Population mid-2019`` …
  ``mid-2001``, one column per year). Every year of the series becomes one table (the year in
  its title, as the single-year sheets have it); the males / females sheets are skipped; a
  single-year sheet whose year the series also holds must agree with it and is then loaded
  once. Notes below a blank row under the table are not data.
* **ONS "Police Force Area data tables"** (tables P1, number of offences, and P3, rates per
  1,000 with the populations used): two header rows, footnote marks glued to names and
  headings (``Violence against the person4``, ``ENGLAND AND WALES7,8``), ``..`` for not
  available. Reshaped to one row per area and column (``PFA Table, Area Code, Area Name,
  Measure, Value, Year Ending``), the source row kept for every value.

Layouts are recognised by content (sheet titles and header cells), never by file name. Any
other file is read as before.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scp_metrics.ingest.readers import (
    HeaderTest,
    RawTable,
    ReadError,
    is_workbook,
    read_sheets,
    read_table,
    table_from_sheets,
)

__all__ = ["ReshapedTable", "read_tables", "clean_label"]

Sheets = list[tuple[str, list[list[str]]]]
HEADER_SCAN_ROWS = 30
_MID_YEAR = re.compile(r"mid[- ]?(\d{4})", re.IGNORECASE)
_SERIES_COLUMN = re.compile(r"^(?:estimated\s+)?population,?\s+mid[- ]?(\d{4})$", re.IGNORECASE)
_SEX_SHEET = re.compile(r"\b(?:fe)?males?\b", re.IGNORECASE)
_PFA_TITLE = re.compile(
    r"^table\s+(P\d+)\s*:\s*police recorded crime by offence group and police force area.*?"
    r"year ending\s+([a-z]+)\s+(\d+)", re.IGNORECASE | re.DOTALL)
_PFA_TABLES = ("P1", "P3")
_AREA_CODE = re.compile(r"^[EWKN]\d{8}$")
_NOT_AVAILABLE = {"..", ":", "-", "+", "x", "[x]", "[z]", "[c]"}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}


@dataclass
class ReshapedTable(RawTable):
    """A table built from a workbook layout: each data row remembers its spreadsheet row."""

    rows: list[int] = field(default_factory=list)

    def line_of(self, index: int) -> int:
        return self.rows[int(index)] if self.rows else super().line_of(index)


def read_tables(path: Path, is_header: HeaderTest) -> list[RawTable]:
    """The tables in ``path`` to validate: reshaped ones for a known ONS workbook layout,
    otherwise the one table :func:`~scp_metrics.ingest.readers.read_table` finds."""
    path = Path(path)
    if not is_workbook(path):
        return [read_table(path, is_header)]
    sheets = read_sheets(path)
    for layout in LAYOUTS:
        tables = layout(path, sheets)
        if tables:
            return tables
    table = table_from_sheets(path, sheets, is_header)  # not parsed a second time
    return [table if table is not None else read_table(path, is_header)]


def clean_label(text: str) -> str:
    """A heading or name without line breaks, doubled spaces and glued footnote marks.

    >>> clean_label("Total recorded crime (excluding fraud3)")
    'Total recorded crime (excluding fraud)'
    >>> clean_label("ENGLAND AND WALES7,8")
    'ENGLAND AND WALES'
    >>> clean_label("Population figures\\n (mid-2017)3  rounded to 100")
    'Population figures (mid-2017) rounded to 100'
    >>> clean_label("Residential burglary (households) 6,7,9")
    'Residential burglary (households)'
    >>> clean_label("Stalking and harassment 5")
    'Stalking and harassment'
    """
    text = " ".join(str(text).split())
    # footnote numbers are small: glued to a word or ')' anywhere, or spaced at the very end
    text = re.sub(r"(?<=[A-Za-z)])\d{1,2}(?:,\s?\d{1,2})*(?=[\s)]|$)", "", text)
    text = re.sub(r"\s\d{1,2}(?:,\s?\d{1,2})*$", "", text)
    return " ".join(text.split()).strip()


def _norm(cell: str) -> str:
    return " ".join(str(cell).lower().split())


def _header_index(rows: list[list[str]], test: Callable[[list[str]], bool]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if test([_norm(c) for c in row]):
            return i
    return None


def _body(rows: list[list[str]], header: int) -> tuple[list[tuple[int, list[str]]], int]:
    """Data rows under the header up to the first blank row after data (ONS puts notes there);
    returns (spreadsheet row number, cells) pairs and how many note rows were left out."""
    out: list[tuple[int, list[str]]] = []
    for i in range(header + 1, len(rows)):
        cells = rows[i]
        if not any(c.strip() for c in cells):
            if out:
                notes = sum(1 for r in rows[i:] if any(c.strip() for c in r))
                return out, notes
            continue
        out.append((i + 1, cells))
    return out, 0


# --------------------------------------------------------------------------- population


def _population_tables(path: Path, sheets: Sheets) -> list[RawTable]:
    # (year, years in its sheet, table): a year in several sheets is taken from the sheet
    # with the longest series, and every other sheet must agree with it
    found: list[tuple[int, int, ReshapedTable]] = []
    for name, rows in sheets:
        header = _header_index(rows, lambda c: len(c) >= 2 and c[0] == "code" and c[1] == "name")
        if header is None:
            continue
        cells = [_norm(c) for c in rows[header]]
        titles = [" ".join(c for c in r if c) for r in rows[:header] if any(r)]
        body, note_rows = _body(rows, header)
        geography = next((j for j, c in enumerate(cells) if c.startswith("geography")), None)
        years = {j: int(m.group(1)) for j, c in enumerate(cells) if (m := _SERIES_COLUMN.match(c))}
        notes = [f"read sheet '{name}'"]
        if note_rows:
            notes.append(f"sheet '{name}': {note_rows} note rows below the table not read")
        if years:
            for j, year in years.items():
                found.append((year, len(years), _population_table(
                    path, name, rows[header], header, body, geography, j,
                    [f"Mid-{year}: sheet '{name}' column '{' '.join(rows[header][j].split())}'"],
                    notes)))
            continue
        if "all ages" not in cells:
            continue
        title = " ".join([*titles, name])
        if _SEX_SHEET.search(title) and "persons" not in title.lower():
            continue
        match = _MID_YEAR.search(title)
        if match is None:
            continue
        found.append((int(match.group(1)), 1, _population_table(
            path, name, rows[header], header, body, geography, cells.index("all ages"), titles,
            notes)))
    chosen: dict[int, ReshapedTable] = {}
    for year, _, table in sorted(found, key=lambda t: (-t[0], -t[1])):
        other = chosen.get(year)
        if other is None:
            chosen[year] = table
            continue
        mine = dict(zip(table.data[0], table.data[3], strict=True))
        theirs = dict(zip(other.data[0], other.data[3], strict=True))
        differ = [code for code, value in mine.items() if code and theirs.get(code) != value]
        if differ:
            raise ReadError(
                f"{path.name}: mid-{year} differs between sheet '{table.sheet}' and "
                f"'{other.sheet}' ({len(differ)} areas, first {differ[0]}).")
        other.notes.append(f"mid-{year} in sheet '{table.sheet}' equals sheet '{other.sheet}' "
                           f"({len(mine)} areas): loaded once")
    return [chosen[year] for year in sorted(chosen, reverse=True)]


def _population_table(path: Path, sheet: str, header_cells: list[str], header: int,
                      body: list[tuple[int, list[str]]], geography: int | None, value: int,
                      titles: list[str], notes: list[str]) -> ReshapedTable:
    def cell(cells: list[str], j: int | None) -> str:
        return cells[j] if j is not None and j < len(cells) else ""

    data = pd.DataFrame(
        [[cell(c, 0), cell(c, 1), cell(c, geography), cell(c, value)] for _, c in body],
        columns=range(4), dtype=str)
    headers = ["Code", "Name", header_cells[geography] if geography is not None else "Geography",
               "All ages"]
    return ReshapedTable(path, headers, data, header + 1, list(titles), sheet, list(notes),
                         rows=[r for r, _ in body])


# --------------------------------------------------------------------------- PFA tables


def _year_ending(month: str, digits: str) -> pd.Timestamp | None:
    """'March', '20191,2' → 2019-03-31 (footnote marks glued to the year are dropped)."""
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    year = int(digits[:4]) if digits.startswith(("19", "20")) and len(digits) >= 4 \
        else 2000 + int(digits[:2])
    return pd.Timestamp(year, number, 1) + pd.offsets.MonthEnd(0)


def _pfa_tables(path: Path, sheets: Sheets) -> list[RawTable]:
    tables: list[RawTable] = []
    for name, rows in sheets:
        title = next((c for r in rows[:3] for c in r if c.strip()), "")
        match = _PFA_TITLE.match(" ".join(title.split()))
        if not match or match.group(1).upper() not in _PFA_TABLES:
            continue
        table_id = match.group(1).upper()
        ending = _year_ending(match.group(2), match.group(3))
        header = _header_index(rows, lambda c: len(c) >= 2 and c[0] == "area code"
                               and c[1] == "area name")
        if ending is None or header is None:
            continue
        above = rows[header - 1] if header > 0 else []
        measures: dict[int, str] = {}
        for j in range(2, len(rows[header])):
            label = rows[header][j] or (above[j] if j < len(above) else "")
            if label.strip():
                measures[j] = clean_label(label)
        records: list[list[str]] = []
        numbers: list[int] = []
        skipped: list[str] = []
        missing = 0
        for i in range(header + 1, len(rows)):
            cells = rows[i]
            code = cells[0].strip() if cells else ""
            if not _AREA_CODE.match(code):
                if len(cells) > 2 and cells[1].strip() and any(c.strip() for c in cells[2:]):
                    skipped.append(clean_label(cells[1]))
                continue
            area = clean_label(cells[1])
            for j, measure in measures.items():
                value = cells[j].strip() if j < len(cells) else ""
                if value in _NOT_AVAILABLE:
                    missing += 1
                    value = ""
                records.append([table_id, code, area, measure, value, f"{ending:%Y-%m-%d}"])
                numbers.append(i + 1)
        notes = [f"read sheet '{name}': table {table_id}, year ending {ending:%B %Y}, "
                 f"{len(set(numbers))} areas × {len(measures)} columns"]
        if missing:
            notes.append(f"sheet '{name}': {missing} values shown as not available ('..') "
                         "loaded as empty")
        if skipped:
            notes.append(f"sheet '{name}': rows without an area code not loaded: "
                         f"{', '.join(skipped)}")
        data = pd.DataFrame(records, columns=range(6), dtype=str)
        headers = ["PFA Table", "Area Code", "Area Name", "Measure", "Value", "Year Ending"]
        titles = [" ".join(title.split())]
        tables.append(ReshapedTable(path, headers, data, header + 1, titles, name, notes,
                                    rows=numbers))
    return tables


LAYOUTS: tuple[Callable[[Path, Sheets], list[RawTable]], ...] = (_pfa_tables, _population_tables)
