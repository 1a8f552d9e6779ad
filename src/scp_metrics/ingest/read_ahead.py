"""Sheets of a workbook read ahead by another process (a refresh's pool) and handed to
:func:`scp_metrics.ingest.readers.read_sheets`, which takes each once, and only while the file's
path, size and modification time are what they were when it was read."""

from __future__ import annotations

from pathlib import Path

__all__ = ["Sheets", "file_key", "forget_offered", "offer_sheets", "take_offered"]

Sheets = list[tuple[str, list[list[str]]]]

_OFFERED: dict[tuple[str, int, int], Sheets] = {}


def file_key(path: Path) -> tuple[str, int, int] | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def offer_sheets(key: tuple[str, int, int] | None, sheets: Sheets | None) -> None:
    """Hand ``readers.read_sheets`` the sheets of a file read ahead by another process (a
    refresh's pool, ``steps.loading``; ``key`` and ``sheets`` as ``readers.read_ahead`` gives
    them); taken once, and only while the file's path, size and modification time are still
    ``key``."""
    if key is not None and sheets is not None and file_key(Path(key[0])) == key:
        _OFFERED[key] = sheets


def forget_offered() -> None:
    """Drop every sheet offered and not taken."""
    _OFFERED.clear()


def take_offered(path: Path) -> Sheets | None:
    """The sheets offered for ``path`` as it is now (taken: a second call gets None)."""
    if not _OFFERED:
        return None
    key = file_key(path)
    return _OFFERED.pop(key) if key is not None and key in _OFFERED else None
