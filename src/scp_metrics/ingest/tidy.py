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

Each works on a :class:`~scp_metrics.ingest.text.TextTable` (the cells in DuckDB): a column's
distinct texts with their counts, and the rows of the few texts that fail.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field

from scp_metrics.ingest.text import TextTable
from scp_metrics.sources import Column, Source, normalise_header

TOTAL_LABEL = re.compile(
    r"^(?:grand\s+)?totals?(?:\s*[:(].*)?$|^all(?:\s+(?:areas|authorities|councils|csps|"
    r"partnerships|forces|offences|ages|persons|people|incidents|cases|respondents|"
    r"indicators))?$", re.IGNORECASE)
SUPPRESSION_MARKERS = frozenset({"*", "**", "..", ":", "x", "c", "[c]", "[x]", "[z]", "[u]",
                                 "~", "s", "[s]"})
THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
FAILURES_PER_COLUMN = 200
"""Rows named per column for a parse or marker failure (the rest are counted in the file)."""


def failure(table: TextTable, row: int | None, column: str | None, check: str,
            value: object) -> dict:
    """One failure record (values shortened to 80 characters)."""
    return {"file": table.path.name, "row": row, "column": column, "check": check,
            "value": None if value is None else str(value)[:80]}


def rows_with(table: TextTable, position: int, texts: set[str] | frozenset[str],
              limit: int | None = FAILURES_PER_COLUMN, *,
              stripped: bool = False) -> list[tuple[int, str]]:
    """(line, cell text) of the kept rows whose cell is one of ``texts`` (compared after
    stripping when ``stripped``), first row first."""
    if not texts:
        return []
    cell = table.cell(position)
    key = table.stripped(position) if stripped else cell
    bound = "" if limit is None else f"limit {int(limit)}"
    return [(int(line), text) for line, text in table.con.execute(
        f"select {table.line}, {cell} from {table.ref} r where {table.keep} and {key} in "
        f"(select unnest(?::varchar[])) order by r.rowid {bound}", [sorted(texts)]).fetchall()]


def drop_total_rows(table: TextTable) -> None:
    """Drop trailing total rows (first filled cell 'Total', 'All', …), noting each."""
    dropped: list[tuple[int, str]] = []
    while table.rows > 0:
        tail = table.tail(50)
        for row in tail:
            first = next((c.strip() for c in row if c.strip()), "")
            if not TOTAL_LABEL.match(first):
                break
            table.rows -= 1
            dropped.append((table.line_of(table.rows), first))
        else:
            continue
        break
    for line, label in reversed(dropped):
        table.notes.append(f"total row at row {line} ('{label}') dropped: a table's sum, "
                           "not data")


@dataclass
class Suppression:
    """What the suppression-marker and separator rules found in one numeric column."""

    blanked: frozenset[str] = frozenset()
    """Texts read as empty (markers in a column allowed to be empty)."""
    refused: frozenset[str] = frozenset()
    """Texts that refuse the file (markers in a required column), read as empty."""
    notes: list[str] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)


def suppression(table: TextTable, position: int, column: Column,
                counts: dict[str, int]) -> Suppression:
    """Markers and thousands separators among a numeric column's texts (``counts``: each
    distinct text and its rows)."""
    out = Suppression()
    if column.parse not in ("int", "float"):
        return out
    header = table.headers[position]
    separated = sum(n for text, n in counts.items() if THOUSANDS.match(text.strip()))
    if separated:
        out.notes.append(f"{separated} value(s) in '{header}' with thousands separators parsed "
                         "(e.g. '1,204' as 1204)")
    marked = {text for text in counts if text.strip().lower() in SUPPRESSION_MARKERS}
    if not marked:
        return out
    shown = ", ".join(f"'{m}'" for m in sorted({t.strip() for t in marked}))
    if column.nullable:
        out.notes.append(f"{sum(counts[t] for t in marked)} suppressed cell(s) ({shown}) in "
                         f"'{header}' read as empty")
        out.blanked = frozenset(marked)
        return out
    out.refused = frozenset(marked)
    out.failures = [failure(table, line, header, "value not suppressed (a marker such as '*' "
                            "or '..' withholds a value this table must carry)", text.strip())
                    for line, text in rows_with(table, position, marked)]
    return out


def _raw_bytes(table: TextTable, tail_only: bool) -> bytes | None:
    try:
        with open(table.path, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
            if gzipped:
                fh.seek(0)
                return gzip.decompress(fh.read())
            if tail_only:
                fh.seek(0, 2)
                fh.seek(max(0, fh.tell() - 65536))
            else:
                fh.seek(0)
            return fh.read()
    except (OSError, EOFError, zlib.error):
        return None


def truncated_last_row(table: TextTable) -> dict | None:
    """A failure when a CSV's last line stops mid-row (no line end and too few values)."""
    if table.sheet is not None or table.rows == 0:
        return None
    raw = _raw_bytes(table, tail_only=True)
    if raw is None or raw.endswith((b"\n", b"\r")):
        return None
    last_line = raw.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    try:
        delimiter = csv.Sniffer().sniff(last_line, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    fields = next(csv.reader(io.StringIO(last_line), delimiter=delimiter), [])
    if len(fields) >= table.width:
        return None
    return failure(table, table.line_of(table.rows - 1), None,
                   "complete last row (the file ends mid-row, without a line end: truncated "
                   "in transfer?)", f"{len(fields)} of {table.width} values")


def _header_bytes(table: TextTable) -> bytes | None:
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


def _delimiter(table: TextTable) -> str | None:
    header = _header_bytes(table) if table.sheet is None else None
    if header is None:
        return None
    try:
        return csv.Sniffer().sniff(header.decode("utf-8", "replace"), delimiters=",;\t|").delimiter
    except csv.Error:
        return None


def prepare(table: TextTable, source: Source, found: dict[str, int]) -> None:
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
    drop_total_rows(table)


def unknown_area_codes(table: TextTable, source: Source, found: dict[str, int],
                       known: frozenset[str]) -> list[dict]:
    """Most Similar Group members must be areas the catalogues know (``config/areas.csv``,
    ``config/police_force_areas.csv``): a member without a name and population cannot be
    ranked."""
    if source.name != "msg_membership" or "area_code" not in found:
        return []
    position = found["area_code"]
    unknown = {t for t in table.counts(position) if t.strip() and t.strip() not in known}
    return [failure(table, line, table.headers[position],
                    "area code known (config/areas.csv, config/police_force_areas.csv)",
                    text.strip()) for line, text in rows_with(table, position, unknown)]
