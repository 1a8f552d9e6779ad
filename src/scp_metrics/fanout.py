"""Fan-out: independent pieces of work (per-series compute, chart batches) handed to a mapper.

The layers that do the work (``warehouse.marts`` for SPC and trends, ``publish.charts`` for the
chart pack) call :func:`fan_out` with a module-level function and a list of argument tuples.
Who runs them is decided at the top: by default they run here, one after another (the local
engine, tests, the CLI's single commands); ``pipelines/runners.py`` installs a mapper with
:func:`mapping_with` that submits each piece as a Prefect task to the flow's task runner (a
process pool or a Dask cluster). The pieces and their results are plain Python and pandas
objects: a DuckDB connection is never sent to a worker (each worker that reads the warehouse
opens it read-only itself), and the single writer (the build's connection) stays here.

Whichever mapper runs them, the results come back in the order of the pieces, so the marts and
outputs are the same bytes (``tests/e2e/test_dask_runner.py`` checks it on a Dask cluster).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

R = TypeVar("R")

MIN_SERIES_PER_PIECE = 20
"""Fewer series than this per piece are not worth a task (a task costs ~0.05-0.2 s)."""
PIECES_PER_WORKER = 2
"""Pieces per worker: a little more than one, so a slow piece does not leave a worker idle."""


@dataclass(frozen=True)
class Mapper:
    """Runs ``func(*args)`` for every argument tuple, returning the results in order.

    ``workers``: how many run at once (how many pieces work is cut into)."""

    run: Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], list[Any]]
    workers: int
    name: str = "custom"


_MAPPER: ContextVar[Mapper | None] = ContextVar("scp_metrics_fanout_mapper", default=None)


def current_mapper() -> Mapper | None:
    """The mapper installed by :func:`mapping_with` (None: work runs here, in order)."""
    return _MAPPER.get()


@contextlib.contextmanager
def mapping_with(mapper: Mapper | None) -> Iterator[None]:
    """Hand :func:`fan_out` work to ``mapper`` inside the ``with`` block (None: run here)."""
    token = _MAPPER.set(mapper)
    try:
        yield
    finally:
        _MAPPER.reset(token)


def fan_out(func: Callable[..., R], pieces: Sequence[tuple[Any, ...]]) -> list[R]:
    """``[func(*args) for args in pieces]``, by the current mapper when there is one.

    ``func`` must be a module-level function (workers import it by name)."""
    mapper = current_mapper()
    if mapper is None or len(pieces) <= 1:
        return [func(*args) for args in pieces]
    return list(mapper.run(func, list(pieces)))


def pieces_for(count: int, minimum: int | None = None) -> int:
    """How many pieces ``count`` independent items are cut into for the current mapper
    (1 without a mapper, or when there are too few items for more); ``minimum`` items per
    piece at least (default :data:`MIN_SERIES_PER_PIECE`)."""
    mapper = current_mapper()
    minimum = MIN_SERIES_PER_PIECE if minimum is None else minimum
    if mapper is None or count < 2 * minimum:
        return 1
    return max(1, min(mapper.workers * PIECES_PER_WORKER, count // minimum))


def split_series(frame: pd.DataFrame, keys: Sequence[str], parts: int) -> list[pd.DataFrame]:
    """``frame`` cut into at most ``parts`` frames, each holding whole series (rows with the same
    ``keys``), the series in key order (so the pieces' results, concatenated, are in the order
    one computation of the whole frame gives)."""
    if parts <= 1 or frame.empty:
        return [frame]
    labels = frame[list(keys)].astype(str).agg("\x1f".join, axis=1)
    series = sorted(labels.unique())
    if len(series) < 2:
        return [frame]
    parts = min(parts, len(series))
    size = -(-len(series) // parts)
    piece_of = {label: i // size for i, label in enumerate(series)}
    numbers = labels.map(piece_of).to_numpy()
    return [frame[numbers == i] for i in range(parts) if (numbers == i).any()]


def fan_out_series(func: Callable[..., pd.DataFrame], frame: pd.DataFrame, keys: Sequence[str],
                   *args: Any) -> pd.DataFrame:
    """``func(frame, *args)`` for a function computing each series of ``frame`` (rows sharing
    ``keys``) on its own: with a mapper, the series are cut into pieces computed in parallel and
    the results concatenated in series order; without one, one call."""
    pieces = split_series(frame, keys, pieces_for(_series_count(frame, keys)))
    if len(pieces) == 1:
        return func(frame, *args)
    results = fan_out(func, [(piece, *args) for piece in pieces])
    kept = [r for r in results if not r.empty] or results[:1]
    return pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].reset_index(drop=True)


def _series_count(frame: pd.DataFrame, keys: Sequence[str]) -> int:
    if frame.empty:
        return 0
    return int(frame[list(keys)].drop_duplicates().shape[0])


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of every CPU since boot (``/proc/stat``), or None elsewhere."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 6:
        return None
    ticks = [int(v) for v in fields[1:9]]
    return ticks[3] + ticks[4], sum(ticks)  # idle + iowait; user … steal


def idle_cores(window: float = 0.2) -> int:
    """Cores no other process is using: the CPUs' idle share over the next ``window`` seconds
    (``/proc/stat``; this process sleeps meanwhile, so its own work is not counted), else
    where there is no ``/proc/stat`` by the 1-minute load average less this process's one
    core. At least 1.

    The idle share is what the machine is doing now: the load average still remembers the
    last minute (``make install`` just before ``make demo``, or a benchmark's previous phase)
    and refused a pool on a machine that had gone quiet."""
    cores = os.cpu_count() or 1
    before = _cpu_times()
    if before is not None:
        time.sleep(window)
        after = _cpu_times()
        if after is not None and after[1] > before[1]:
            share = (after[0] - before[0]) / (after[1] - before[1])
            return max(1, min(cores, int(share * cores + 0.5)))
    try:
        busy = max(0.0, os.getloadavg()[0] - 1.0)
    except OSError:  # pragma: no cover - no load average on this platform
        return 1
    return max(1, cores - int(busy + 0.5))


def import_modules(names: Sequence[str]) -> int:
    """Import ``names`` (a pool worker's warm-up); returns how many were imported."""
    import importlib

    for name in names:
        importlib.import_module(name)
    return len(names)


@contextlib.contextmanager
def process_pool(workers: int, warm: Sequence[str] = ()) -> Iterator[Mapper | None]:
    """A mapper running pieces in a pool of ``workers`` fresh (spawned) processes; ``None``
    (run here) when fewer than 2 workers, or fewer than 2 cores are idle (on a busy machine a
    pool only adds its start-up). The engine-less counterpart of a Prefect task runner:
    ``scp-metrics refresh --engine local --workers N``.

    The workers start on the first piece; with ``warm`` (module names) they start at once and
    import those modules (a worker's start-up is mostly imports: ~2-4 s for pandas, statsmodels
    and matplotlib), so that this happens while the caller does other work (a refresh's ingest)
    and not when the first pieces are waited for."""
    workers = min(workers, idle_cores())
    if workers < 2:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))
    if warm:  # one task per worker: each submit with no idle worker starts another
        for _ in range(workers):
            pool.submit(import_modules, tuple(warm))

    def run(func: Callable[..., Any], pieces: Sequence[tuple[Any, ...]]) -> list[Any]:
        futures = [pool.submit(func, *args) for args in pieces]
        return [future.result() for future in futures]

    try:
        yield Mapper(run, workers, "process pool")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
