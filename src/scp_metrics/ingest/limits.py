"""Resource limits (``config/limits.toml``, :class:`scp_metrics.config.limits.Limits`) applied to
every delivered file before and after it is read.

* :func:`container_refusal`, before reading: a ``.gz`` is inflated in a stream, a chunk at a
  time, and refused as soon as it passes ``max_decompressed_bytes`` or ``max_compression_ratio``
  times its own size (the whole bomb is never held in memory); a zip workbook (``.xlsx``,
  ``.ods``) is judged by its directory (the sizes its parts declare) and each sheet's declared
  used range (``<dimension ref="A1:Z1048576">``, a stray cell far below the data) against
  ``max_sheet_rows`` and ``max_columns``.
* :func:`table_failures`, after reading: rows over ``max_rows``, columns over ``max_columns``,
  a cell over ``max_cell_chars`` characters, a NUL byte anywhere. One scan of the text table
  (none for a CSV whose lines are bounded within ``max_cell_chars`` and which has no NUL byte:
  its line scan, :func:`scp_metrics.ingest.text.scan_lines`, already says so); each failure
  names the first row and the column, and never shows the value.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from scp_metrics.config.limits import Limits
from scp_metrics.ingest.text import TextTable

__all__ = ["container_refusal", "table_failures"]

_CHUNK = 1 << 20
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode():
        number = number * 26 + ord(char) - 64
    return number


def _inflated_size(path: Path, cap: int) -> int:
    """Bytes the gzip ``path`` inflates to, counting no further than just past ``cap``."""
    total = 0
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            data = chunk
            while data:
                out = inflater.decompress(data, _CHUNK)
                total += len(out)
                if total > cap:
                    return total
                data = inflater.unconsumed_tail
                if inflater.eof:  # a multi-member gzip: the next member starts here
                    data = inflater.unused_data + data
                    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    if not data:
                        break
    return total


def container_refusal(path: Path, limits: Limits) -> str | None:
    """Why the file's container is refused (one sentence naming the limit), else ``None``.
    A file that is not a gzip or a zip, or is damaged, is left to the readers."""
    try:
        size = max(1, path.stat().st_size)
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:
        return None
    cap = min(limits.max_decompressed_bytes, size * limits.max_compression_ratio)
    advice = "ask the sender for the extract as it should be, or raise the limit"
    if magic[:2] == b"\x1f\x8b":
        try:
            inflated = _inflated_size(path, cap)
        except (OSError, zlib.error, EOFError):
            return None  # damaged: the reader says so
        if inflated > cap:
            return (f"decompressed size within limits: the gzip inflates past {inflated:,} bytes "
                    f"from {size:,} ({_which(cap, limits)}); {advice}")
        return None
    if magic != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
            declared = sum(p.file_size for p in parts)
            if declared > cap:
                return (f"decompressed size within limits: its parts declare {declared:,} bytes "
                        f"from {size:,} ({_which(cap, limits)}); {advice}")
            for part in parts:
                if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                    with book.open(part) as sheet:
                        head = sheet.read(4096)
                    refusal = _dimension_refusal(part.filename, head, limits, advice)
                    if refusal:
                        return refusal
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return None
    return None


def _which(cap: int, limits: Limits) -> str:
    if cap == limits.max_decompressed_bytes:
        return limits.where("max_decompressed_bytes")
    return limits.where("max_compression_ratio") + " times the file's size"


def _dimension_refusal(name: str, head: bytes, limits: Limits, advice: str) -> str | None:
    match = _DIMENSION.search(head)
    if not match:
        return None
    last_col = match.group(3) or match.group(1)
    last_row = int(match.group(4) or match.group(2))
    sheet = name.rsplit("/", 1)[-1].removesuffix(".xml")
    if last_row > limits.max_sheet_rows:
        return (f"sheet size within limits: {sheet}'s used range reaches row {last_row:,} "
                f"({limits.where('max_sheet_rows')}); delete the stray cells below the table "
                f"or {advice}")
    if _column_number(last_col) > limits.max_columns:
        return (f"sheet size within limits: {sheet}'s used range reaches column "
                f"{last_col.decode()} ({limits.where('max_columns')}); delete the stray cells "
                f"right of the table or {advice}")
    return None


def table_failures(table: TextTable, limits: Limits) -> list[dict]:
    """Failures (``file, row, column, check, value``; the value never shown) for a table over
    ``max_rows``, ``max_columns`` or ``max_cell_chars``, or holding a NUL byte."""
    out: list[dict] = []

    def fail(row: int | None, column: str | None, check: str) -> None:
        out.append({"file": table.path.name, "row": row, "column": column, "check": check,
                    "value": None})

    if table.rows > limits.max_rows:
        fail(None, None, f"rows within limits: {table.rows:,} data rows "
             f"({limits.where('max_rows')}); split the extract or raise the limit")
    if table.width > limits.max_columns:
        fail(table.header_line, None, f"columns within limits: {table.width:,} columns "
             f"({limits.where('max_columns')}); ask for the extract's own columns only")
        return out
    for position, header in enumerate(table.headers):
        text = str(header)
        if "\x00" in text or len(text) > limits.max_cell_chars:
            fail(table.header_line, f"column {position + 1}", _cell_check(limits))
    if not table.width or not table.rows:
        return out
    if table.scan is not None and not table.scan.nul and table.scan.longest is not None and \
            table.scan.longest <= limits.max_cell_chars:
        return out  # no line of the file, so no cell, is longer; no NUL byte: nothing to scan
    # bytes (strlen: stored with each string, not counted) bound the characters from above: only
    # a column with more bytes than the limit allows has its characters counted, row by row
    widths = ", ".join(f"max(strlen({table.cell(i)}))" for i in range(table.width))
    nuls = ", ".join(f"bool_or(contains({table.cell(i)}, chr(0)))" for i in range(table.width))
    row = table.con.execute(f"select {widths}, {nuls} from {table.ref} r "
                            f"where {table.keep}").fetchall()[0]
    longest, has_nul = row[:table.width], row[table.width:]
    for position in range(table.width):
        too_long = (longest[position] or 0) > limits.max_cell_chars
        if not (too_long or has_nul[position]):
            continue
        cell = table.cell(position)
        first = table.con.execute(
            f"select min({table.line}) from {table.ref} r where {table.keep} and "
            f"(length({cell}) > ? or contains({cell}, chr(0)))",
            [limits.max_cell_chars]).fetchall()[0][0]
        if first is None:  # more bytes than the limit, but no more characters
            continue
        header = str(table.headers[position])
        label = header if header and len(header) <= 80 and "\x00" not in header \
            else f"column {position + 1}"
        fail(int(first), label, _cell_check(limits))
    return out


def _cell_check(limits: Limits) -> str:
    return (f"cells within limits: no NUL byte and at most {limits.max_cell_chars:,} characters "
            f"({limits.where('max_cell_chars')}); ask the sender for a clean extract")
