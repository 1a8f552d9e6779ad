"""Remembered file fingerprints: a file whose size and modification time are unchanged since it
was last fingerprinted is not read again to recompute its sha256.

A refresh with nothing new used to read every delivered file end to end (sha256) to learn that
it was already loaded: about a second per GB, growing with the history kept in the raw folder.
The ledger still identifies content by sha256 (``load_batches.sha256``); this cache only
remembers which sha256 a file had at a given (path, size, mtime in ns), as ``git``, ``rsync``
and ``make`` do. A file rewritten in place changes its mtime, so it is fingerprinted again; a
file modified in the last few seconds is not remembered at all (like git's "racy" entries: a
second write within the file system's timestamp granularity could keep size and mtime).

The cache is a JSON file beside the warehouse (``<warehouse>.fingerprints.json``), not a table:
it is not warehouse content (table checksums, backups and restores ignore it), and losing it
only costs the re-reading.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

RACY_SECONDS = 3.0


def cache_path(warehouse: Path | str) -> Path | None:
    if str(warehouse) == ":memory:":
        return None
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".fingerprints.json")


_WRITING = threading.Lock()
"""Held while the cache is read, changed and written back (the loading thread and the one
validating the next file both fingerprint files)."""

_READ: dict[Path, tuple[tuple[int, int], dict[str, list]]] = {}
"""The cache as last parsed, by path, with the file's (mtime in ns, size) then: a refresh asks
for every file's sha256 and need not parse the whole cache again for each one."""


def _read(cache: Path) -> dict[str, list]:
    try:
        stat = cache.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        seen = _READ.get(cache)
        if seen is not None and seen[0] == stamp:
            return dict(seen[1])
        data = json.loads(cache.read_text())
        data = data if isinstance(data, dict) else {}
        _READ[cache] = (stamp, data)
        return dict(data)
    except (OSError, ValueError):
        return {}


def remembered_sha256(warehouse: Path | str, path: Path) -> str | None:
    """The sha256 remembered for the file's current size and mtime, else ``None`` (nothing is
    read but the file's status and the cache)."""
    cache = cache_path(warehouse)
    if cache is None:
        return None
    stat = Path(path).stat()
    entry = _read(cache).get(str(Path(path).resolve()))
    if isinstance(entry, list) and entry[:2] == [stat.st_size, stat.st_mtime_ns]:
        return str(entry[2])
    return None


def cached_sha256(warehouse: Path | str, path: Path, compute: Callable[[Path], str]) -> str:
    """``compute(path)``, or the sha256 remembered for the file's current size and mtime
    (safe to call from several threads: the cache is rewritten under a lock)."""
    path = Path(path)
    cache = cache_path(warehouse)
    if cache is None:
        return compute(path)
    remembered = remembered_sha256(warehouse, path)
    if remembered is not None:
        return remembered
    stat = path.stat()
    sha = compute(path)
    if time.time() - stat.st_mtime < RACY_SECONDS:
        return sha
    with _WRITING:
        known = _read(cache)
        known[str(path.resolve())] = [stat.st_size, stat.st_mtime_ns, sha]
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(known))
            os.replace(tmp, cache)
        except OSError:
            tmp.unlink(missing_ok=True)  # an unwritable cache only costs the re-reading
    return sha
