"""The quarterly refresh as steps: find extracts, validate and load each, build, publish.

Each step is a plain function of :class:`~scp_metrics.settings.Settings` and plain data.
:func:`run_refresh` runs them in order under the warehouse lock; its ``run_step`` decides how
each one is run: called directly (``--engine local``, tests, benchmarks) or as a Prefect task
(``pipelines/quarterly_refresh.py`` passes one that wraps each step in its task, with retries).
Publishing is one step per output (CSVs, charts, report, workbook, summary) into a staging
folder, then the swap and its record (:mod:`scp_metrics.steps.publishing`), so a retried
failure redoes that output only and an interrupted publication is never half-visible.

Modules: :mod:`~scp_metrics.steps.loading` (finding and loading the files),
:mod:`~scp_metrics.steps.publishing`, :mod:`~scp_metrics.steps.summary` (what a run did),
:mod:`~scp_metrics.steps.running` (how a step is run).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from scp_metrics.escaping import log_text
from scp_metrics.settings import Settings
from scp_metrics.steps.loading import (
    Progress,
    find_extracts,
    ingest_file,
    ingest_files,
    outside_raw_folder,
)
from scp_metrics.steps.publishing import (
    PUBLISH_CHUNK_VECTORS,
    PUBLISH_STEPS,
    Outputs,
    PublishFailed,
    charts_not_drawn,
    latest_month,
    outputs_folder,
    publication_current,
    publish_charts,
    publish_csvs,
    publish_mart_csv,
    publish_outputs,
    publish_report,
    publish_summary,
    publish_workbook,
    record_publication,
    swap_in,
)
from scp_metrics.steps.running import StepRunner, run_directly
from scp_metrics.steps.snapshots import SnapshotFailed, snapshot_warehouse
from scp_metrics.steps.summary import FileOutcome, RefreshSummary
from scp_metrics.warehouse.build import marts_up_to_date, rebuild
from scp_metrics.warehouse.connection import connect_warehouse
from scp_metrics.warehouse.history import RestoreOutcome, restore_batch
from scp_metrics.warehouse.marts.data_quality import series_not_computed as not_computed_rows

__all__ = [
    "DEFAULT_WAIT_SECONDS", "PUBLISH_CHUNK_VECTORS", "PUBLISH_STEPS", "FileOutcome", "Outputs",
    "Progress", "PublishFailed", "RefreshLocked", "RefreshSummary", "SnapshotFailed",
    "StepRunner", "build_marts",
    "charts_not_drawn", "find_extracts", "ingest_file", "ingest_files", "latest_month",
    "new_run_id", "outputs_folder", "outside_raw_folder", "publication_current",
    "publish_charts", "publish_csvs", "publish_mart_csv", "publish_outputs", "publish_report",
    "publish_summary", "publish_workbook", "real_lock_path", "record_publication", "restore",
    "run_directly", "run_refresh", "series_not_computed", "swap_in", "warehouse_lock"]

DEFAULT_WAIT_SECONDS = 300.0
"""How long a refresh or restore waits for another one holding the warehouse (``--wait``)."""


class RefreshLocked(Exception):
    """Another refresh holds the warehouse."""


def real_lock_path(settings: Settings) -> Path:
    """``<warehouse>.lock`` beside the warehouse file's real path (links resolved)."""
    real = Path(os.path.realpath(settings.warehouse))
    return real.with_name(real.name + ".lock")


@contextlib.contextmanager
def warehouse_lock(settings: Settings, wait_seconds: float = 0.0,
                   progress: Progress | None = None) -> Iterator[None]:
    """Hold the warehouse's lock file; another refresh waits ``wait_seconds`` then gives up.

    The lock is an ``flock`` on ``<warehouse>.lock``: the OS releases it when its holder dies
    (even by SIGKILL), so a stale lock file never blocks the next run; the pid written into it
    is only for the message. The lock is taken beside the warehouse's real path (its links
    resolved), so a second path to the same file (a symbolic link) waits for the same lock."""
    lock_path = real_lock_path(settings)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    waited = f"waited {wait_seconds:g} s; " if wait_seconds > 0 else ""
                    raise RefreshLocked(
                        f"another refresh ({holder}) is using {settings.warehouse}; {waited}"
                        "try again when it finishes (or pass --wait SECONDS)") from None
                if not told and progress is not None:
                    progress(f"waiting up to {wait_seconds:g} s for another refresh ({holder}) "
                             f"to finish with {settings.warehouse} …")
                    told = True
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {datetime.now():%Y-%m-%d %H:%M:%S}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def new_run_id() -> str:
    return f"{datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def build_marts(settings: Settings, outcomes: list[FileOutcome], force: bool = False,
                progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the models when something was loaded (or they are missing or stale, or ``force``);
    returns rows per mart rebuilt (empty: nothing rebuilt)."""
    con = connect_warehouse(settings)
    try:
        if not force and not any(o.status == "loaded" for o in outcomes) and marts_up_to_date(con):
            return {}
        return rebuild(con, settings, force=force, progress=progress)
    finally:
        con.close()


def series_not_computed(settings: Settings) -> list[str]:
    """The series the last build could not compute, one sentence each (mart, series, why)."""
    con = connect_warehouse(settings, read_only=True)
    try:
        return [row["message"] for row in not_computed_rows(con)]
    finally:
        con.close()


def restore(settings: Settings, batch_id: int, *, publish: bool = True, wait_seconds: float = 0.0,
            progress: Progress | None = None) -> tuple[RestoreOutcome, dict[str, int], Path | None]:
    """Make a superseded batch live again, rebuild the marts and (``publish``) the outputs.

    Returns what was restored, the rows per mart and the outputs folder (None: not published)."""
    say = progress or _quiet
    with warehouse_lock(settings, wait_seconds, say):
        con = connect_warehouse(settings)
        try:
            outcome = restore_batch(con, batch_id)
            say(outcome.sentence())
            say("Rebuilding the marts …")
            rows = rebuild(con, settings)
        finally:
            con.close()
        folder = None
        if publish:
            summary = (f"# Restore of batch {batch_id}\n\n{outcome.sentence()}\n\n"
                       + "\n".join(f"- {name}: {n:,} rows" for name, n in rows.items()) + "\n")
            folder = publish_outputs(settings, summary)
    return outcome, rows, folder


def _quiet(_message: str) -> None:
    pass


def run_refresh(settings: Settings, *, progress: Progress | None = None, force: bool = False,
                publish: bool = True, wait_seconds: float = 0.0,
                run_step: StepRunner = run_directly,
                accept_shrink: bool = False) -> RefreshSummary:
    """The whole refresh: under the warehouse lock (waiting up to ``wait_seconds`` for another
    refresh), find the extracts, ingest them, build the marts and publish the outputs when the
    marts changed, or their last publication is missing or did not complete. ``run_step`` runs
    each step (see above); ``accept_shrink`` lets a re-issue cover fewer areas or months than
    the delivery it replaces (``--accept-shrink``)."""
    started = time.monotonic()
    run_id = new_run_id()
    say = progress or _quiet
    with warehouse_lock(settings, wait_seconds, say):
        snapshot, took = snapshot_warehouse(settings)  # before anything writes; not "ingest"
        if snapshot is not None:
            say(f"snapshot of the warehouse: {log_text(snapshot)} ({took:.1f} s)")
        paths = run_step(find_extracts, settings)
        say(f"found {len(paths)} files in {log_text(settings.raw_dir)}")
        outcomes = run_step(ingest_files, paths, settings, run_id, progress, accept_shrink)
        mart_rows = run_step(build_marts, settings, outcomes, force, progress)
        summary = RefreshSummary(run_id, str(settings.warehouse), outcomes, bool(mart_rows),
                                 mart_rows, None, 0.0)
        if mart_rows:
            summary.not_computed = series_not_computed(settings)
            for item in summary.not_computed:
                say(f"not computed: {log_text(item)}")
        if publish and (mart_rows or not publication_current(settings)):
            folder = publish_outputs(settings, summary.to_markdown(), run_step, progress)
            summary.outputs_dir = str(folder)
            summary.charts_failed = charts_not_drawn(folder)
    summary.seconds = time.monotonic() - started
    return summary
