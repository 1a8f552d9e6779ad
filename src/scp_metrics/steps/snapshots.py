"""Copies of the warehouse file: a snapshot before every refresh writes (the last N kept,
``keep_snapshots`` in ``config/limits.toml``) and ``scp-metrics backup``.

Both copy the file under the warehouse lock, when no connection has it open, so the copy is a
consistent database; a leftover write-ahead log (``.wal``) is copied beside it. A copy is written
under a ``.part`` name and renamed when complete, so a crash or a full disk never leaves a
half copy that looks like a snapshot.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from scp_metrics.config.limits import read_limits
from scp_metrics.settings import Settings

__all__ = ["SnapshotFailed", "copy_warehouse", "snapshot_folder", "snapshot_warehouse"]


class SnapshotFailed(Exception):
    """The snapshot before a refresh could not be written: one sentence, the refresh did not
    start writing."""


def snapshot_folder(settings: Settings) -> Path:
    """``<warehouse>.snapshots/`` beside the warehouse's real path."""
    real = Path(os.path.realpath(settings.warehouse))
    return real.with_name(real.name + ".snapshots")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def copy_warehouse(source: Path, target: Path) -> Path:
    """Copy the warehouse file ``source`` (and its ``.wal``, if any) to ``target`` through a
    ``.part`` file renamed at the end; returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        shutil.copyfile(source, part)
        os.replace(part, target)
        wal = source.with_name(source.name + ".wal")
        if wal.is_file():
            shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    finally:
        part.unlink(missing_ok=True)
    return target


def snapshot_warehouse(settings: Settings) -> tuple[Path | None, float]:
    """Copy the warehouse to ``<warehouse>.snapshots/<name>-<UTC time>.duckdb`` and delete all
    but the newest ``keep_snapshots`` (``config/limits.toml``; 0: no snapshot). Returns the
    snapshot (None: none taken, no warehouse yet) and the seconds it took. Call it holding the
    warehouse lock, before anything writes.

    Raises
    ------
    SnapshotFailed
        The copy failed (a full disk, permissions): the refresh should not write.
    """
    keep = read_limits(settings.config_dir).keep_snapshots
    warehouse = Path(os.path.realpath(settings.warehouse))
    if keep == 0 or not warehouse.is_file():
        return None, 0.0
    started = time.monotonic()
    folder = snapshot_folder(settings)
    target = folder / f"{warehouse.stem}-{_stamp()}.duckdb"
    try:
        copy_warehouse(warehouse, target)
    except OSError as exc:
        cause = "no space left on the disk" if exc.errno == 28 else (exc.strerror or str(exc))
        raise SnapshotFailed(
            f"could not snapshot the warehouse into {folder} before the refresh writes "
            f"({cause}); nothing was changed: free some space (old snapshots there can go), "
            "or set keep_snapshots = 0 in config/limits.toml, and refresh again") from exc
    for old in sorted(folder.glob(f"{warehouse.stem}-*.duckdb"))[:-keep]:
        old.unlink(missing_ok=True)
        old.with_name(old.name + ".wal").unlink(missing_ok=True)
    return target, time.monotonic() - started


def backup_target(settings: Settings, to: Path | None) -> Path:
    """Where ``scp-metrics backup`` writes: ``to`` (a folder: a dated file in it), else
    ``<warehouse>.backups/<name>-<UTC time>.duckdb``."""
    warehouse = Path(os.path.realpath(settings.warehouse))
    name = f"{warehouse.stem}-{_stamp()}.duckdb"
    if to is None:
        return warehouse.with_name(warehouse.name + ".backups") / name
    return to / name if to.is_dir() else to
