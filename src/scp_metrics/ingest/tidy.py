"""What validation does to a delivered table before and after checking it, each step reported.

Published tables come with furniture that is not data, and files get damaged in transit. Each
rule here either normalises the table *and says so in the file's notes* (which reach the
``validate`` output, the ledger and the refresh summary) or refuses it with a failure naming
row, column and reason. Nothing is dropped silently.

* **Total rows.** Trailing rows whose first filled cell is ``Total``, ``Grand total``, ``All``,
  ``All areas`` … (a published table's sum line) are dropped and reported: loaded, they would
  count as an area or double every count.
* **Suppression markers** (``*``, ``..``, ``:``, ``x``, ``[c]`` …) in a numeric column: in a
  column the data dictionary allows to be empty they are read as empty and counted in a note;
  in a required column (a count, a percentage, a population) the file is refused: a table with
  withheld counts would understate every total built on it.
* **Thousands separators** (``"1,204"``) are parsed, and counted in a note.
* **Extra columns** not in the data dictionary are not loaded, and named in a note.
* **A truncated CSV** (its last line stops mid-row, with no line end) is refused at that row.
* **A CSV name on a workbook** is read as the workbook its bytes are, and noted.
* **Title rows, another delimiter, a header under another accepted name** are noted.
* **Unknown area codes** in a Most Similar Group file are refused.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from scp_metrics.ingest import guard
from scp_metrics.ingest.readers import RawTable
from scp_metrics.settings import get_settings
from scp_metrics.sources import Column, Source, normalise_header

TOTAL_LABEL = re.compile(
    r"^(?:grand\s+)?totals?(?:\s*[:(].*)?$|^all(?:\s+(?:areas|authorities|councils|csps|"
    r"partnerships|forces|offences|ages|persons|people|incidents|cases|respondents|"
    r"indicators))?$", re.IGNORECASE)
SUPPRESSION_MARKERS = frozenset({"*", "**", "..", ":", "x", "c", "[c]", "[x]", "[z]", "[u]",
                                 "~", "s", "[s]"})
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def drop_total_rows(table: RawTable) -> RawTable:
    """Drop trailing total rows (first filled cell 'Total', 'All', …), noting each."""
    data = table.data
    keep = len(data)
    dropped: list[tuple[int, str]] = []
    while keep > 0:
        cells = [str(c).strip() for c in data.iloc[keep - 1].tolist()]
        first = next((c for c in cells if c), "")
        if not TOTAL_LABEL.match(first):
            break
        dropped.append((table.line_of(data.index[keep - 1]), first))
        keep -= 1
    if dropped:
        table.data = data.iloc[:keep]
        for line, label in reversed(dropped):
            table.notes.append(f"total row at row {line} ('{label}') dropped: a table's sum, "
                               "not data")
    return table


def suppressed_cells(table: RawTable, position: int, column: Column, failures: list[dict],
                     notes: list[str]) -> tuple[pd.Series, pd.Series]:
    """The column's text with suppression markers blanked, and a mask of the markers that
    refuse the file (a required column); notes markers read as empty and thousands
    separators."""
    text = table.data[position]
    none = pd.Series(False, index=text.index)
    if column.parse not in ("int", "float"):
        return text, none
    header = table.headers[position]
    stripped = text.str.strip()
    separated = int(stripped.str.match(_THOUSANDS).sum())
    if separated:
        notes.append(f"{separated} value(s) in '{header}' with thousands separators parsed "
                     "(e.g. '1,204' as 1204)")
    marked = stripped.str.lower().isin(SUPPRESSION_MARKERS)
    if not marked.any():
        return text, none
    shown = ", ".join(f"'{m}'" for m in sorted(set(stripped[marked])))
    if column.nullable:
        notes.append(f"{int(marked.sum())} suppressed cell(s) ({shown}) in '{header}' read as "
                     "empty")
        return text.where(~marked, ""), none
    for idx in marked[marked].index[:200]:
        failures.append({"file": table.path.name, "row": table.line_of(idx), "column": header,
                         "check": "value not suppressed (a marker such as '*' or '..' "
                                  "withholds a value this table must carry)",
                         "value": stripped.at[idx]})
    return text.where(~marked, ""), marked


def _raw_text(table: RawTable) -> bytes | None:
    try:
        raw = table.path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        return None
    return raw


def truncated_last_row(table: RawTable) -> dict | None:
    """A failure when a CSV's last line stops mid-row (no line end and too few values)."""
    if table.sheet is not None or table.data.empty:
        return None
    raw = _raw_text(table)
    if raw is None or raw.endswith((b"\n", b"\r")):
        return None
    last_line = raw.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    try:
        delimiter = csv.Sniffer().sniff(last_line, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    fields = next(csv.reader(io.StringIO(last_line), delimiter=delimiter), [])
    if len(fields) >= len(table.headers):
        return None
    return {"file": table.path.name, "row": table.line_of(table.data.index[-1]), "column": None,
            "check": "complete last row (the file ends mid-row, without a line end: truncated "
                     "in transfer?)",
            "value": f"{len(fields)} of {len(table.headers)} values"}


def _header_bytes(table: RawTable) -> bytes | None:
    """The header line's bytes (without its line end), reading no further than it."""
    try:
        with open(table.path, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
        opener = gzip.open if gzipped else open
        with opener(table.path, "rb") as stream:
            lines = [stream.readline() for _ in range(table.header_line)]  # 1-based, ≥ 1
    except (OSError, EOFError, zlib.error):
        return None
    if not lines or not lines[0]:
        return None
    lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
    return lines[-1].removesuffix(b"\n")


def _delimiter(table: RawTable) -> str | None:
    header = _header_bytes(table) if table.sheet is None else None
    if header is None:
        return None
    try:
        return csv.Sniffer().sniff(header.decode("utf-8", "replace"), delimiters=",;\t|").delimiter
    except csv.Error:
        return None


def prepare(table: RawTable, source: Source, found: dict[str, int]) -> RawTable:
    """Normalise ``table`` before validation, noting each step."""
    suffixes = [s.lower() for s in table.path.suffixes if s.lower() != ".gz"]
    if table.sheet is not None and suffixes and suffixes[-1] in (".csv", ".txt"):
        table.notes.append(f"named {suffixes[-1]} but holds a spreadsheet workbook: read as one")
    delimiter = _delimiter(table)
    if delimiter not in (None, ","):
        table.notes.append(f"values separated by {delimiter!r}, not commas")
    if table.title_lines:
        table.notes.append(f"{len(table.title_lines)} title row(s) above the header (row "
                           f"{table.header_line}) skipped")
    for column in source.columns:
        if column.name in found:
            header = str(table.headers[found[column.name]])
            if normalise_header(header) != normalise_header(column.headers[0]):
                table.notes.append(f"column '{' '.join(header.split())}' read as "
                                   f"'{column.headers[0]}'")
    used = set(found.values())
    extra = [h for i, h in enumerate(table.headers) if i not in used and str(h).strip()]
    if extra:
        table.notes.append(f"column(s) not in the data dictionary, not loaded: "
                           f"{', '.join(repr(h) for h in extra[:10])}"
                           + (f" and {len(extra) - 10} more" if len(extra) > 10 else ""))
    return drop_total_rows(table)


def checked(table: RawTable, source: Source, found: dict[str, int], today: date,
            validate: Callable) -> Any:
    """``validate`` (validation's per-table check) wrapped in the steps above and the personal
    data guard."""
    table = prepare(table, source, found)
    result = validate(table, source, found, today)
    extra = [f for f in (truncated_last_row(table),) if f] + unknown_area_codes(table, source,
                                                                                  found)
    if extra:
        result.failures = pd.concat([result.failures, pd.DataFrame(extra)], ignore_index=True)
    return guard.guard(table, source, result)


@functools.lru_cache(maxsize=4)
def _known_area_codes(config_dir: Path) -> frozenset[str]:
    codes: set[str] = set()
    for name in ("areas.csv", "police_force_areas.csv", "area_name_lookup.csv"):
        path = config_dir / name
        if path.is_file():
            codes |= set(pd.read_csv(path, dtype=str)["area_code"].dropna().str.strip())
    return frozenset(codes)


def unknown_area_codes(table: RawTable, source: Source, found: dict[str, int]) -> list[dict]:
    """Most Similar Group members must be areas the catalogues know (``config/areas.csv``,
    ``config/police_force_areas.csv``): a member without a name and population cannot be
    ranked."""
    if source.name != "msg_membership" or "area_code" not in found:
        return []
    known = _known_area_codes(get_settings().config_dir)
    position = found["area_code"]
    codes = table.data[position].str.strip()
    unknown = codes.ne("") & ~codes.isin(known)
    return [{"file": table.path.name, "row": table.line_of(idx),
             "column": table.headers[position],
             "check": "area code known (config/areas.csv, config/police_force_areas.csv)",
             "value": codes.at[idx]} for idx in unknown[unknown].index[:200]]
