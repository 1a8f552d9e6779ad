"""Readers: turn a delivered file (CSV, gzipped CSV, XLSX, legacy XLS, ODS) into a table of text.

Nothing is typed here: every cell is text, so that the validation step can say exactly which
cell failed to parse. The header row is found by content (title rows above it are kept as
``title_lines``), and the encoding is detected (UTF-8, UTF-8 with BOM, Windows-1252).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from scp_metrics.ingest.read_ahead import Sheets, file_key, take_offered

HEADER_SCAN_ROWS = 30


class ReadError(Exception):
    """A file that cannot be read as a table at all (one clear sentence)."""


@dataclass
class RawTable:
    """A file's cells as text, with where its header was found."""

    path: Path
    headers: list[str]
    data: pd.DataFrame
    """Columns 0..n-1 (positions in ``headers``), every cell a ``str`` ('' when empty)."""
    header_line: int
    """1-based line (CSV) or spreadsheet row (XLSX) of the header; data row i is at header_line+1+i."""
    title_lines: list[str] = field(default_factory=list)
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def line_of(self, index: int) -> int:
        return self.header_line + 1 + int(index)


HeaderTest = Callable[[list[str]], bool]


def read_table(path: Path, is_header: HeaderTest) -> RawTable:
    """Read ``path`` and find its header row with ``is_header``."""
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path.name}: cannot be opened ({exc.strerror}).") from exc
    if suffixes and suffixes[-1] == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:  # EOFError: a truncated gzip
            raise ReadError(f"{path.name}: is not a valid gzip file (damaged or truncated)."
                            ) from exc
        suffixes = suffixes[:-1]
    if not raw.strip():
        raise ReadError(f"{path.name}: the file is empty.")
    if is_ods(raw):
        return _read_ods(path, raw, is_header)
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(path, raw, is_header)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _read_xls(path, raw, is_header)
    if suffixes and suffixes[-1] in (".xlsx", ".xls", ".xlsm", ".ods"):
        raise ReadError(f"{path.name}: is named as a spreadsheet but is not one.")
    return _read_csv(path, raw, is_header)


def _decode(path: Path, raw: bytes) -> tuple[str, list[str]]:
    notes: list[str] = []
    if b"\x00" in raw[:4096]:
        raise ReadError(f"{path.name}: is binary, not a text (CSV) file.")
    if raw.startswith(b"\xef\xbb\xbf"):
        notes.append("UTF-8 byte-order mark stripped")
        return raw[3:].decode("utf-8", errors="strict"), notes
    try:
        return raw.decode("utf-8"), notes
    except UnicodeDecodeError:
        notes.append("decoded as Windows-1252 (not UTF-8)")
        return raw.decode("cp1252", errors="replace"), notes


def _read_csv(path: Path, raw: bytes, is_header: HeaderTest) -> RawTable:
    text, notes = _decode(path, raw)
    head = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(head.split("\n", 1)[0] or head, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(head), delimiter=delimiter)
    header_index = None
    headers: list[str] = []
    title_lines: list[str] = []
    for i, row in enumerate(reader):
        if i >= HEADER_SCAN_ROWS:
            break
        cells = [c.strip() for c in row]
        if is_header(cells):
            header_index, headers = i, cells
            break
        if any(cells):
            title_lines.append(" ".join(c for c in cells if c))
    if header_index is None:
        raise ReadError(f"{path.name}: no recognisable header row in the first {HEADER_SCAN_ROWS} lines.")
    # Line numbers: header_index counts CSV records; with quoted newlines in titles this could
    # drift, which real title rows do not have.
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, names=list(range(len(headers) + 20)),
            skiprows=header_index + 1, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, engine="c",
        )
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame(columns=range(len(headers)))
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            raise ReadError(f"{path.name}: row {match.group(2)} has {match.group(3)} values but the "
                            f"header has {match.group(1)} columns.") from exc
        raise ReadError(f"{path.name}: rows do not fit the header ({_short(exc)}).") from exc
    frame = _fit_width(path, frame, headers, header_line=header_index + 1)
    frame = _drop_trailing_blank(frame)
    return RawTable(path, headers, frame, header_index + 1, title_lines, None, notes)


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[-1][:200]


def _fit_width(path: Path, frame: pd.DataFrame, headers: list[str], header_line: int) -> pd.DataFrame:
    width = len(headers)
    if frame.shape[1] > width:
        extra = frame.iloc[:, width:]
        # only rows with some non-empty extra cell need the (slow) strip test
        candidates = (extra.to_numpy(dtype=object) != "").any(axis=1).nonzero()[0]
        extra = extra.iloc[candidates]
        filled = extra.apply(lambda col: col.astype(str).str.strip() != "").any(axis=1)
        if filled.any():
            first = int(candidates[filled.to_numpy().nonzero()[0][0]])
            raise ReadError(
                f"{path.name}: row {header_line + 1 + first} has more values than the header has columns."
            )
        frame = frame.iloc[:, :width]
    for j in range(frame.shape[1], width):
        frame[j] = ""
    frame.columns = range(width)
    return frame.fillna("").astype(str)


def _drop_trailing_blank(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    keep = len(frame)  # only the trailing rows need looking at
    while keep > 0 and all(isinstance(v, str) and v.strip() == ""
                           for v in frame.iloc[keep - 1].tolist()):
        keep -= 1
    return frame.iloc[:keep]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _scan_rows(path: Path, sheet: str, rows: Iterable[Iterable[object]], is_header: HeaderTest,
               notes: list[str], merges: list[tuple[int, int, int, int]] | None = None
               ) -> RawTable | None:
    if merges:
        return _scan_merged(path, sheet, [list(r) for r in rows], is_header, notes, merges)
    iterator = iter(rows)
    title_lines: list[str] = []
    for i in range(HEADER_SCAN_ROWS):
        try:
            row = [_cell_text(v) for v in next(iterator)]
        except StopIteration:
            return None
        if is_header(row):
            while row and row[-1] == "":
                row.pop()
            width = len(row)
            body = [[_cell_text(v) for v in r][:width] for r in iterator]
            frame = pd.DataFrame(body, dtype=str) if body else pd.DataFrame(columns=range(width))
            frame = _fit_width(path, frame, row, header_line=i + 1)
            frame = _drop_trailing_blank(frame)
            return RawTable(path, row, frame, i + 1, title_lines, sheet, notes)
        if any(row):
            title_lines.append(" ".join(c for c in row if c))
    return None



def _has_merged_cells(raw: bytes) -> bool:
    """Whether any worksheet of an XLSX declares merged cells."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return any(name.startswith("xl/worksheets/") and b"mergeCell " in archive.read(name)
                       for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return False  # openpyxl then says the workbook is unreadable


def _scan_merged(path: Path, sheet: str, rows: list[list[object]], is_header: HeaderTest,
                 notes: list[str], merges: list[tuple[int, int, int, int]]) -> RawTable | None:
    """Like :func:`_scan_rows` for a sheet with merged cells. A merged cell's text is in the
    first cell of its range. A header whose cells are merged down over several rows (a tall
    header, or a two-level header: a group label over sub-labels) is read as one header row,
    each column's label being its texts top to bottom ('Authority' over 'Code' → 'Authority
    Code'); the rows it spans are not data."""
    anchor: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in merges:
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                anchor[(rr, cc)] = (r0, c0)

    def own(r: int, c: int) -> str:
        row = rows[r - 1] if r - 1 < len(rows) else []
        return _cell_text(row[c - 1]) if c - 1 < len(row) else ""

    def shown(r: int, c: int) -> str:
        return own(*anchor.get((r, c), (r, c)))

    title_lines: list[str] = []
    for i in range(min(HEADER_SCAN_ROWS, len(rows))):
        r = i + 1
        last = max([r1 for r0, _, r1, _ in merges if r0 == r], default=r)
        if last == r:
            cells = [own(r, c) for c in range(1, len(rows[i]) + 1)]
        else:
            width = max(len(rows[k - 1]) for k in range(r, min(last, len(rows)) + 1))
            cells = []
            for c in range(1, width + 1):
                parts: list[str] = []
                for rr in range(r, last + 1):
                    text = shown(rr, c)
                    if text and (not parts or parts[-1] != text):
                        parts.append(text)
                label = " ".join(parts)
                if c > 1 and label == cells[-1] and not any(
                        own(rr, c) for rr in range(r, last + 1)):
                    label = ""  # a label merged across columns names its first column only
                cells.append(label)
        if is_header(cells):
            while cells and cells[-1] == "":
                cells.pop()
            width = len(cells)
            body = [[_cell_text(v) for v in row][:width] for row in rows[last:]]
            frame = pd.DataFrame(body, dtype=str) if body else pd.DataFrame(columns=range(width))
            frame = _fit_width(path, frame, cells, header_line=last)
            frame = _drop_trailing_blank(frame)
            if last > r:
                notes = [*notes, f"header cells merged over rows {r}–{last} read as one "
                                 "header row"]
            return RawTable(path, cells, frame, last, title_lines, sheet, notes)
        row_text = [own(r, c) for c in range(1, len(rows[i]) + 1)]
        if any(row_text):
            title_lines.append(" ".join(c for c in row_text if c))
    return None


def _read_xlsx(path: Path, raw: bytes, is_header: HeaderTest) -> RawTable:
    import openpyxl

    try:
        merged = _has_merged_cells(raw)  # merged ranges need the full (not read-only) reader
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=not merged, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one clear sentence
        raise ReadError(f"{path.name}: is not a readable XLSX workbook ({type(exc).__name__}).") from exc
    try:
        for sheet in book.worksheets:
            ranges = [(r.min_row, r.min_col, r.max_row, r.max_col)
                      for r in sheet.merged_cells.ranges] if merged else None
            table = _scan_rows(path, sheet.title, sheet.iter_rows(values_only=True), is_header, [],
                               ranges)
            if table is not None:
                if len(book.worksheets) > 1:
                    table.notes.append(f"read sheet '{sheet.title}'")
                return table
    finally:
        book.close()
    raise ReadError(f"{path.name}: no sheet has a recognisable header row.")


def _read_xls(path: Path, raw: bytes, is_header: HeaderTest) -> RawTable:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw, on_demand=True)
    except Exception as exc:  # noqa: BLE001
        raise ReadError(f"{path.name}: is not a readable XLS workbook ({type(exc).__name__}).") from exc

    def rows(sheet: xlrd.sheet.Sheet) -> Iterable[list[object]]:
        for r in range(sheet.nrows):
            out: list[object] = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    out.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                else:
                    out.append(cell.value if cell.value != "" else None)
            yield out

    for name in book.sheet_names():
        table = _scan_rows(path, name, rows(book.sheet_by_name(name)), is_header, [])
        if table is not None:
            table.notes.append(f"read sheet '{name}'")
            return table
    raise ReadError(f"{path.name}: no sheet has a recognisable header row.")


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def is_ods(raw: bytes) -> bool:
    """Whether ``raw`` is an OpenDocument spreadsheet (a zip whose first entry names its type)."""
    return raw[:4] == b"PK\x03\x04" and ODS_MIMETYPE in raw[:100]


def _ods_sheets(path: Path, raw: bytes) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of an ODS workbook as rows of cell values (``None`` for empty)."""
    try:
        books = pd.read_excel(io.BytesIO(raw), engine="odf", header=None, sheet_name=None,
                              dtype=object)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one clear sentence
        raise ReadError(f"{path.name}: is not a readable ODS workbook ({type(exc).__name__}).") from exc
    return [(str(name), [[None if isinstance(v, float) and v != v else v for v in row]
                         for row in frame.itertuples(index=False)])
            for name, frame in books.items()]


def _first_table(path: Path, sheets: list[tuple[str, list[list[object]]]] | Sheets,
                 is_header: HeaderTest) -> RawTable:
    """The first sheet of ``sheets`` with a recognisable header row, as a table."""
    for name, rows in sheets:
        table = _scan_rows(path, name, rows, is_header, [])
        if table is not None:
            if len(sheets) > 1:
                table.notes.append(f"read sheet '{name}'")
            return table
    raise ReadError(f"{path.name}: no sheet has a recognisable header row.")


def _read_ods(path: Path, raw: bytes, is_header: HeaderTest) -> RawTable:
    sheets = _ods_sheets(path, raw)
    return _first_table(path, sheets, is_header)


def read_ahead(paths: list[Path]) -> list[tuple[Path, tuple[str, int, int] | None, Sheets | None]]:
    """:func:`read_sheets` of each workbook of ``paths`` with its file key at the time (a
    fan-out piece); None for one it cannot read (the ingest reads it again and says why)."""
    out: list[tuple[Path, tuple[str, int, int] | None, Sheets | None]] = []
    for path in paths:
        key = file_key(path)
        try:
            out.append((path, key, read_sheets(path)))
        except Exception:  # noqa: BLE001 - the ingest's own read reports it
            out.append((path, key, None))
    return out


def read_sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of a workbook (XLSX, legacy XLS or ODS, plain or gzipped) as rows of text.

    For layouts that need more than one sheet (see :mod:`scp_metrics.ingest.layouts`); a file that is
    not a workbook raises :class:`ReadError`. Cells are text as in :func:`read_table`. Sheets
    read ahead by another process (:func:`scp_metrics.ingest.read_ahead.offer_sheets`) are taken
    instead of reading again.
    """
    path = Path(path)
    offered = take_offered(path)
    if offered is not None:
        return offered
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path.name}: cannot be opened ({exc.strerror}).") from exc
    if path.suffix.lower() == ".gz":
        try:
            raw = gzip.decompress(raw)
        except OSError as exc:
            raise ReadError(f"{path.name}: is not a valid gzip file.") from exc
    out: list[tuple[str, list[list[str]]]] = []
    if is_ods(raw):
        return [(name, [[_cell_text(v) for v in row] for row in rows])
                for name, rows in _ods_sheets(path, raw)]
    if raw[:4] == b"PK\x03\x04":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one clear sentence
            raise ReadError(f"{path.name}: is not a readable XLSX workbook "
                            f"({type(exc).__name__}).") from exc
        try:
            for sheet in book.worksheets:
                out.append((sheet.title, [[_cell_text(v) for v in row]
                                          for row in sheet.iter_rows(values_only=True)]))
        finally:
            book.close()
        return out
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        import xlrd

        try:
            book = xlrd.open_workbook(file_contents=raw, on_demand=True)
        except Exception as exc:  # noqa: BLE001
            raise ReadError(f"{path.name}: is not a readable XLS workbook "
                            f"({type(exc).__name__}).") from exc
        for name in book.sheet_names():
            sheet = book.sheet_by_name(name)
            rows = []
            for r in range(sheet.nrows):
                cells = []
                for cell in sheet.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                        cells.append(_cell_text(value))
                    else:
                        cells.append(_cell_text(cell.value if cell.value != "" else None))
                rows.append(cells)
            out.append((name, rows))
        return out
    raise ReadError(f"{path.name}: is not a spreadsheet workbook.")


def table_from_sheets(path: Path, sheets: list[tuple[str, list[list[str]]]],
                      is_header: HeaderTest) -> RawTable | None:
    """What :func:`read_table` gives for ``path``, from its sheets as :func:`read_sheets` read
    them, so that a workbook is parsed once (openpyxl's parse is most of a small workbook's
    ingest): for a plain XLSX without merged cells, which both read the same way (read-only,
    values), and whose text cells read again give the same text. ``None`` for any other file
    (ODS, XLS, merged cells: :func:`read_table` reads those its own way)."""
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix.lower() == ".gz":
        raw = gzip.decompress(raw)
    if raw[:4] != b"PK\x03\x04" or is_ods(raw) or _has_merged_cells(raw):
        return None
    return _first_table(path, sheets, is_header)


def is_workbook(path: Path) -> bool:
    """Whether ``path`` holds an XLSX, XLS or ODS workbook (by content, plain or gzipped)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                head = fh.read(8)
    except OSError:
        return False
    return head[:4] == b"PK\x03\x04" or head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def table_from_rows(path: Path, sheet: str | None, rows: Iterable[Iterable[object]],
                    is_header: HeaderTest) -> RawTable | None:
    """The table in ``rows`` (title rows, then a header found by ``is_header``), if any."""
    return _scan_rows(Path(path), sheet or "", rows, is_header, [])
