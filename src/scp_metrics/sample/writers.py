"""Byte-deterministic CSV and XLSX writing; files with identical bytes are left untouched."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

__all__ = ["csv_bytes", "write_bytes", "xlsx_bytes"]

FIXED_TIMESTAMP = datetime(2010, 4, 1, 9, 0, 0)
_ZIP_TIME = (2010, 4, 1, 9, 0, 0)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` unless it already holds exactly these bytes (mtime kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return path
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV, LF line endings, every value already a string (no float formatting)."""
    text = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def xlsx_bytes(
    sheet_name: str,
    title_rows: Sequence[Sequence[Any]],
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    number_formats: dict[int, str] | None = None,
) -> bytes:
    """One-sheet workbook: ``title_rows`` (``[]`` = blank row), header, then ``rows``.

    ``number_formats`` maps a 0-based column to an Excel format for data cells (dates are
    written as real date cells). Document timestamps and zip entry times are fixed.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    for title in title_rows:
        ws.append(list(title) if title else [None])
    ws.append(list(header))
    formats = number_formats or {}
    first = len(title_rows) + 2
    for offset, row in enumerate(rows):
        ws.append(list(row))
        for col, fmt in formats.items():
            ws.cell(row=first + offset, column=col + 1).number_format = fmt
    wb.properties.creator = "scp-metrics sample generator"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return normalise_zip(raw.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with sorted entries, fixed times, attributes and compression level."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()
