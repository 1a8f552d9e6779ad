"""A delivered file as tables of text cells inside DuckDB, whatever its format.

Every later step of the engine (tidy, the personal-data guard, parsing, checks, the load) works
on a :class:`TextTable`: a DuckDB temporary table of text columns ``c0 … c{n-1}``, one row per
data row in file order (its ``rowid`` is the data row's position), with where its header was
found. Two readers fill it:

* a plain UTF-8 delimited file is read by DuckDB's ``read_csv`` (no pandas frame: fast at any
  size), after the header has been found exactly as :mod:`scp_metrics.ingest.readers` finds
  it (first 64 KB, same delimiter sniffing, same header test);
* everything else (gzipped, Windows-1252, XLSX, XLS, ODS, the reshaped ONS layouts, and any
  CSV DuckDB reads differently from Python: ragged or oddly quoted rows, blank lines inside the
  data) is read by :mod:`scp_metrics.ingest.readers` / :mod:`scp_metrics.ingest.layouts` and
  its text copied into the same kind of table.

Both give the same cells: an empty cell is ``''`` or NULL (read :meth:`TextTable.cell`), blank
rows at the end are dropped, and every cell keeps its text as delivered (unstripped).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from scp_metrics.ingest.layouts import ReshapedTable, read_tables
from scp_metrics.ingest.readers import HEADER_SCAN_ROWS, RawTable
from scp_metrics.sources import is_header

_HEAD_BYTES = 65536
_WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods")
#: Characters ``str.strip()`` removes (Python's whitespace; checked in the tests), for SQL.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
              "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def sql_text(value: str) -> str:
    """A SQL string literal (for the few texts that are part of a statement's structure)."""
    return "'" + value.replace("'", "''") + "'"


_TRIM = sql_text(WHITESPACE)
_EDGE = sql_text("^[{0}]|[{0}]$".format("".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE)))


def strip_sql(expr: str) -> str:
    """``str.strip()`` in SQL (DuckDB's ``trim`` with a character set is slow: only values with
    whitespace at an end are trimmed)."""
    return f"(case when regexp_matches({expr}, {_EDGE}) then trim({expr}, {_TRIM}) else {expr} end)"


@dataclass
class TextTable:
    """A table's text cells in DuckDB, and where its header was found."""

    path: Path
    headers: list[str]
    header_line: int
    """1-based line (CSV) or spreadsheet row of the header; data row ``i`` is at line
    ``header_line + 1 + i`` unless ``lines`` says otherwise."""
    con: duckdb.DuckDBPyConnection
    name: str
    rows: int
    """Data rows kept: those with ``rowid < rows`` (trailing total rows are dropped later)."""
    title_lines: list[str] = field(default_factory=list)
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    lines: list[int] | None = None
    """The spreadsheet row of each data row of a reshaped workbook table (else ``None``)."""
    scan: LineScan | None = None
    """A CSV read by DuckDB, one record per line: its bytes' :func:`scan_lines`, which bounds
    every cell's length and says whether any holds a NUL (``None``: read by the readers)."""

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def ref(self) -> str:
        return f'"{self.name}"'

    @property
    def keep(self) -> str:
        """SQL: the row ``r`` is kept."""
        return f"r.rowid < {int(self.rows)}"

    @property
    def line(self) -> str:
        """SQL: the line (spreadsheet row) of row ``r``."""
        return "r._line" if self.lines is not None else f"(r.rowid + {int(self.header_line) + 1})"

    @staticmethod
    def cell(position: int, alias: str = "r") -> str:
        """SQL: the text of a cell of row ``alias`` (``''`` when empty)."""
        return f"coalesce({alias}.c{int(position)}, '')"

    def stripped(self, position: int, alias: str = "r") -> str:
        """SQL: the text of a cell of row ``alias``, stripped as ``str.strip()`` strips."""
        return strip_sql(self.cell(position, alias))

    def line_of(self, index: int) -> int:
        if self.lines is not None:
            return self.lines[int(index)]
        return self.header_line + 1 + int(index)

    def counts(self, position: int) -> dict[str, int]:
        """Every distinct text of a column with its number of rows."""
        rows = self.con.execute(
            f"select histogram({self.cell(position)}) from {self.ref} r where {self.keep}"
        ).fetchall()
        return dict(rows[0][0] or {})

    def fetch(self, positions: list[int]) -> pd.DataFrame:
        """The text of the rows at ``positions`` (index: position; columns ``0 … n-1``)."""
        if not positions:
            return pd.DataFrame(columns=range(self.width), dtype=object)
        cells = ", ".join(self.cell(i) for i in range(self.width))
        frame = self.con.execute(
            f"select r.rowid, {cells} from {self.ref} r where r.rowid in "
            "(select unnest(?::bigint[])) order by r.rowid", [sorted(positions)]).df()
        frame = frame.set_index(frame.columns[0])
        frame.index.name = None
        frame.columns = range(self.width)
        return frame.astype(object)

    def tail(self, count: int) -> list[list[str]]:
        """The last ``count`` kept rows, last first."""
        cells = ", ".join(self.cell(i) for i in range(self.width))
        return [list(r) for r in self.con.execute(
            f"select {cells} from {self.ref} r where {self.keep} and "
            f"r.rowid >= {int(self.rows) - int(count)} order by r.rowid desc").fetchall()]

    def drop(self) -> None:
        self.con.execute(f"drop table if exists {self.ref}")


def read_text_tables(con: duckdb.DuckDBPyConnection, path: Path,
                     name: str = "_scp_text") -> list[TextTable]:
    """The tables of ``path`` as :class:`TextTable` s named ``name``, ``name1`` …; raises
    :class:`~scp_metrics.ingest.readers.ReadError` for a file that is not a table."""
    table = _read_with_duckdb(con, Path(path), name)
    if table is not None:
        return [table]
    return [_copy(con, raw, f"{name}{i or ''}") for i, raw in
            enumerate(read_tables(Path(path), is_header))]


def _copy(con: duckdb.DuckDBPyConnection, raw: RawTable, name: str) -> TextTable:
    frame = raw.data.copy()
    frame.columns = [f"c{i}" for i in range(frame.shape[1])]
    lines = None
    if isinstance(raw, ReshapedTable) and raw.rows:
        lines = [raw.line_of(i) for i in range(len(frame))]
        frame["_line"] = pd.Series(lines, index=frame.index, dtype="int64")
    con.register("_scp_frame", frame.reset_index(drop=True))
    try:
        con.execute(f'create or replace temp table "{name}" as select * from _scp_frame')
    finally:
        con.unregister("_scp_frame")
    return TextTable(raw.path, list(raw.headers), raw.header_line, con, name, len(frame),
                     list(raw.title_lines), raw.sheet, list(raw.notes), lines)


# --------------------------------------------------------------------------- DuckDB's reader


def _head(path: Path) -> tuple[str, list[str]] | None:
    """The first 64 KB decoded as the readers decode them; ``None`` when the file is not plain
    UTF-8 text (the readers decide what it is)."""
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
    """Delimiter, header index, headers and title lines, as ``readers._read_csv`` finds them."""
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
        if is_header(cells):
            return delimiter, i, cells, titles
        if any(cells):
            titles.append(" ".join(c for c in cells if c))
    return None


@dataclass(frozen=True)
class LineScan:
    """What one pass over a file's bytes tells about its lines."""

    lines: int
    """Lines as the readers count records when no field holds a line break."""
    longest: int | None
    """No line is longer than this many bytes (its line break not counted), so no cell of a
    record on one line has more characters; ``None``: not bounded by the scan."""
    nul: bool
    """Whether a NUL byte is anywhere in the file."""


def scan_lines(path: Path, block: int = 4096, blocks_per_read: int = 4096) -> LineScan:
    """Lines and NUL bytes of ``path`` counted, and its lines' length bounded, in one read
    (16 MB at a time). The bound needs no pass over every byte: a line of ``2 * block`` bytes
    or more covers a whole ``block``-aligned block, so when every whole block holds a line
    break (one ``find`` each, stopping at the first), every line is shorter than
    ``2 * block``."""
    count, last, nul, bounded = 0, b"\n", False, True
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(block * blocks_per_read), b""):
            count += chunk.count(b"\n")
            nul = nul or b"\x00" in chunk
            find = chunk.find
            if bounded and any(find(b"\n", start, start + block) < 0
                               for start in range(0, len(chunk) - block + 1, block)):
                bounded = False
            last = chunk[-1:]
    return LineScan(count + (last not in (b"\n", b"\r")), 2 * block - 1 if bounded else None,
                    nul)


def _trailing_blank_lines(path: Path) -> int:
    """Empty lines at the end of the file (DuckDB skips them; the readers drop them)."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4096))
        tail = fh.read().replace(b"\r\n", b"\n")
    stripped = tail.rstrip(b"\n")
    return max(0, len(tail) - len(stripped) - 1) if stripped else 0


def _read_with_duckdb(con: duckdb.DuckDBPyConnection, path: Path,
                      name: str) -> TextTable | None:
    """``path`` read by DuckDB when it is a plain UTF-8 delimited file that DuckDB reads
    row for row as the readers would; ``None`` otherwise."""
    if path.suffix.lower() in (*_WORKBOOK_SUFFIXES, ".gz"):
        return None
    head = _head(path)
    if head is None:
        return None
    text, notes = head
    found = _find_header(text)
    if found is None:
        return None
    delimiter, header_index, headers, titles = found
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers))) + "}"
    try:
        con.execute(
            f'create or replace temp table "{name}" as select * from read_csv(?, header = false, '
            f"skip = ?, columns = {columns}, delim = ?, quote = '\"', escape = '\"', "
            "null_padding = true, auto_detect = false, strict_mode = true, encoding = 'utf-8')",
            [str(path), header_index + 1, delimiter])
    except duckdb.Error:
        return None  # a ragged row, bad quoting or bytes that are not UTF-8: the readers decide
    table = TextTable(path, headers, header_index + 1, con, name, 0, titles, None, notes)
    total = con.execute(f'select count(*) from "{name}"').fetchall()[0][0]
    scanned = scan_lines(path)
    if scanned.lines - _trailing_blank_lines(path) != header_index + 1 + total:
        table.drop()
        return None  # blank lines inside the data (rows to the readers) or quoted line breaks
    table.rows = total
    table.scan = scanned
    blank = 0
    for row in table.tail(100):  # trailing rows with nothing in them are not data
        if any(c.strip() for c in row):
            break
        blank += 1
    if blank == 100:
        table.drop()
        return None  # a long blank tail: the readers decide
    table.rows = total - blank
    return table
