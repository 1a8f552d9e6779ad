"""Publishing: every output rendered into a staging folder, swapped in with a rename once
complete, and recorded in the warehouse beside the marts' state, so that an interrupted or
failed publication is never half-visible and is redone by the next refresh."""

from __future__ import annotations

import contextlib
import contextvars
import csv
import ctypes
import errno
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from scp_metrics.escaping import md_cell
from scp_metrics.fanout import current_mapper
from scp_metrics.publish.disclosure import publish_table
from scp_metrics.publish.reader import MartReader
from scp_metrics.settings import Settings
from scp_metrics.steps.progress import Counter, Progress, heartbeat
from scp_metrics.steps.running import StepRunner, run_directly
from scp_metrics.warehouse.connection import Connection, connect_warehouse
from scp_metrics.warehouse.history import published_folder, record_published
from scp_metrics.warehouse.marts.indicator_as_of import publication_month

T = TypeVar("T")

MANIFEST = "manifest.json"
"""The chart pack's record of each chart's fingerprint (``publish.charts.reuse``)."""
PUBLISH_CHUNK_VECTORS = 50
"""DuckDB vectors (2,048 rows each) suppressed and written at a time when publishing a mart."""


@dataclass(frozen=True)
class Outputs:
    """Where a refresh publishes: ``outputs/<as-of>/``; ``as_of`` is None without monthly data
    (the folder is then ``outputs/no-data``: CSVs, charts index and summary only).

    The publishing steps write into ``folder``; when ``final`` is given, ``folder`` is a
    staging folder beside it that :func:`swap_in` puts in its place once every output is
    complete (``final`` None: ``folder`` is written in place, e.g. ``scp-metrics report``)."""

    folder: Path
    as_of: str | None
    final: Path | None = None

    @property
    def published(self) -> Path:
        """The folder readers find the outputs in once published."""
        return self.final or self.folder


def _reader(settings: Settings) -> MartReader:
    """The marts, read-only, with the settings' memory limit (close it after use)."""
    return MartReader(connect_warehouse(settings, read_only=True), owned=True)


def latest_month(settings: Settings) -> str | None:
    """``YYYY-MM`` the publication is dated by: the latest complete month of the home area's
    police data (record-level extract, else police.uk), or the rule of
    ``config/publication.toml``; each indicator states its own month in the outputs
    (``mart_indicator_as_of``). None: no data yet."""
    con = connect_warehouse(settings, read_only=True)
    try:
        dated = publication_month(con, settings)
    finally:
        con.close()
    if dated is not None:
        return f"{dated:%Y-%m}"
    with _reader(settings) as reader:  # marts built before mart_indicator_as_of existed
        return reader.latest_month(settings.home_area)


def outputs_folder(settings: Settings) -> Outputs:
    """``outputs/<as-of>/`` under ``settings.outputs_dir`` (``SCP_OUTPUTS_DIR`` or
    ``--outputs``), named by :func:`latest_month`, and the empty staging folder beside it the
    outputs are rendered into (``.staging-<as-of>``; what an earlier, interrupted publication
    left behind is removed first: the caller holds the warehouse lock)."""
    as_of = latest_month(settings)
    final = settings.outputs_dir / (as_of or "no-data")
    settings.outputs_dir.mkdir(parents=True, exist_ok=True)
    clear_leftovers(settings.outputs_dir)
    staging = settings.outputs_dir / f"{STAGING_PREFIX}{final.name}"
    staging.mkdir()
    return Outputs(staging, as_of, final)


STAGING_PREFIX = ".staging-"
RETIRED_PREFIX = ".retired-"


def clear_leftovers(outputs_dir: Path) -> None:
    """Remove staging and retired folders an interrupted publication left in ``outputs_dir``."""
    for path in sorted(outputs_dir.iterdir()):
        if path.is_dir() and not path.is_symlink() and path.name.startswith(
                (STAGING_PREFIX, RETIRED_PREFIX)):
            shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False when the
    system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


def swap_in(outputs: Outputs) -> Path:
    """Put the complete staging folder in the place of the published one with a rename
    (an atomic exchange where the system offers one, else two renames: a crash between them
    leaves no folder, never a mixed one, and the next refresh publishes again). Returns the
    published folder."""
    if outputs.final is None:
        return outputs.folder
    final = outputs.final
    if not final.exists():
        os.rename(outputs.folder, final)
    elif _exchange(outputs.folder, final):
        shutil.rmtree(outputs.folder, ignore_errors=True)  # now the previous publication
    else:
        retired = final.with_name(f"{RETIRED_PREFIX}{final.name}")
        shutil.rmtree(retired, ignore_errors=True)
        os.rename(final, retired)
        os.rename(outputs.folder, final)
        shutil.rmtree(retired, ignore_errors=True)
    return final


def publish_mart_csv(con: MartReader | Connection, name: str, target: Path, config_dir: Path) -> int:
    """:func:`scp_metrics.publish.disclosure.publish_table` a chunk of :data:`PUBLISH_CHUNK_VECTORS` at a
    time: the same bytes, memory bounded by the chunk, not by the mart
    (``mart_indicator_values`` has every area's every period). Returns the rows suppressed."""
    return publish_table(con, name, target, config_dir, chunk_vectors=PUBLISH_CHUNK_VECTORS)


def publish_csvs(settings: Settings, outputs: Outputs) -> list[Path]:
    """Every mart as ``mart_*.csv``, counts 1-4 published as "<5" (``config/privacy.toml``)."""
    with _reader(settings) as reader:
        written = []
        for name in reader.marts():
            publish_mart_csv(reader, name, outputs.folder / f"{name}.csv", settings.config_dir)
            written.append(outputs.folder / f"{name}.csv")
        return written


def previous_charts(settings: Settings, outputs: Outputs) -> Path | None:
    """The chart pack published before: the one this publication replaces, else the newest
    other published pack in ``outputs/`` (another month's). Its unchanged charts are copied,
    not redrawn (``charts/manifest.json`` says which)."""
    if outputs.final is not None and (outputs.final / "charts" / MANIFEST).is_file():
        return outputs.final / "charts"
    others = [folder / "charts" for folder in sorted(settings.outputs_dir.iterdir())
              if folder.is_dir() and not folder.name.startswith(".") and folder != outputs.folder
              and (folder / "charts" / MANIFEST).is_file()] \
        if settings.outputs_dir.is_dir() else []
    return max(others, key=lambda c: (c / MANIFEST).stat().st_mtime_ns, default=None)


def publish_charts(settings: Settings, outputs: Outputs,
                   progress: Progress | None = None) -> list[Path]:
    """The chart pack of the home area (PNG and SVG, ``charts/index.csv``); ``progress`` says
    how many charts are drawn, with an ETA, every few seconds. A chart whose data, wording and
    drawing code are those of the previous pack (:func:`previous_charts`) is copied from it."""
    from scp_metrics.publish.charts import write_chart_pack  # matplotlib only when publishing

    previous = previous_charts(settings, outputs)
    with _reader(settings) as reader:  # each indicator to its own latest month
        return write_chart_pack(reader, settings.home_area, outputs.folder / "charts", None,
                                config_dir=settings.config_dir,
                                on_chart=Counter(progress, "charts (indicator x kind)"),
                                previous=previous)


def publish_report(settings: Settings, outputs: Outputs) -> list[Path]:
    """The year-end projection report (HTML and PDF) with the pack's charts (none without data)."""
    if outputs.as_of is None:
        return []
    from scp_metrics.publish.report import make_report

    charts = sorted((outputs.folder / "charts").glob("*.png"))
    with _reader(settings) as reader:
        return list(make_report(reader, settings, outputs.as_of, outputs.folder, charts))


def publish_workbook(settings: Settings, outputs: Outputs) -> list[Path]:
    """The Excel workbook of tables (none without data)."""
    if outputs.as_of is None:
        return []
    from scp_metrics.publish.workbook import write_workbook

    path = outputs.folder / f"scp_metrics_tables_{outputs.as_of}.xlsx"
    with _reader(settings) as reader:
        return [write_workbook(reader, settings, path, outputs.as_of)]


def publish_summary(outputs: Outputs, summary_markdown: str) -> list[Path]:
    """``refresh_summary.md``: what the run loaded or refused (its texts already escaped)."""
    path = outputs.folder / "refresh_summary.md"
    path.write_text(summary_markdown)
    return [path]


#: The publishing steps after :func:`outputs_folder`, in order (the report shows the charts).
PUBLISH_STEPS: tuple[Callable[[Settings, Outputs], list[Path]], ...] = (
    publish_csvs, publish_charts, publish_report, publish_workbook)


def charts_not_drawn(folder: Path) -> list[str]:
    """The charts of the pack in ``folder`` that failed to draw (``charts/index.csv``), one
    sentence each."""
    index = folder / "charts" / "index.csv"
    if not index.is_file():
        return []
    with open(index, newline="") as fh:
        return [f"{row['kind']} chart of {row['indicator_id']} in {row['area_code']}: "
                f"{row['reason']}" for row in csv.DictReader(fh) if row["status"] == "failed"]


class PublishFailed(Exception):
    """A publishing step failed: one sentence naming the phase, the cause and the next step."""


def _cause(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "no space left on the disk"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}" + (f" ({exc.filename})" if exc.filename else "")
    return f"{type(exc).__name__}: {exc}"


#: What each publishing step is called in progress lines.
PHASE_LABELS = {"publish_csvs": "mart CSVs", "publish_charts": "chart pack",
                "publish_report": "report (HTML, PDF)", "publish_workbook": "workbook"}


#: Publishing steps that show the chart pack's files, so run after it.
AFTER_CHARTS: frozenset[Callable[[Settings, Outputs], list[Path]]] = frozenset({publish_report})
#: With a pool (``--workers N``): the steps its workers run, in this order after the steps
#: before them in the queue: the chart pack (in pieces) and then the workbook (whole).
IN_POOL: tuple[Callable[..., list[Path]], ...] = (publish_charts, publish_workbook)
#: (The workbook starts once the charts are drawn: sent to the pool at once, it could be taken
#: before the chart pieces and keep the report, which waits for the pack, waiting longer.)


def _pool_drawing() -> bool:
    """Whether the chart pack would be drawn by a pool of worker processes (``--workers N``)
    rather than here, leaving this process free for the other outputs meanwhile."""
    mapper = current_mapper()
    return mapper is not None and mapper.workers > 1


class _Numbering:
    """Numbers publishing steps 1/N, 2/N, … in the order they start (steps run in a background
    thread start alongside this process's), so the lines a person reads count up."""

    def __init__(self, total: int) -> None:
        self.total, self.started, self.lock = total, 0, threading.Lock()

    def next(self) -> str:
        with self.lock:
            self.started += 1
            return f"{self.started}/{self.total}"


def _run_phase(step: Callable[..., list[Path]], settings: Settings, outputs: Outputs,
               progress: Progress | None, run_step: StepRunner, numbering: _Numbering
               ) -> list[Path]:
    """One publishing step with its start line, heartbeat and end line."""
    label = PHASE_LABELS.get(step.__name__, step.__name__)
    if progress is not None:
        progress(f"publishing {numbering.next()}: {label} …")
    started = time.monotonic()
    with heartbeat(progress, label) as said:
        written = run_step(step, settings, outputs, *(
            (said,) if step is publish_charts and said is not None else ()))
    if progress is not None:
        progress(f"  {label}: {len(written)} file{'s' if len(written) != 1 else ''} "
                 f"({time.monotonic() - started:.1f} s)")
    return list(written)


def _in_a_worker(step: Callable[..., T], /, *args: Any) -> T:
    """Run ``step(*args)`` as one piece on a worker of the installed pool (a step runner)."""
    mapper = current_mapper()
    if mapper is None:
        return step(*args)
    return mapper.run(step, [args])[0]


class _Background:
    """Publishing steps run one after another from a thread of this process (in a copy of the
    caller's context, so their fan-out reaches the same pool): the chart pack fanning its
    pieces out, any other as one piece on a pool worker. :meth:`join` waits for one step (or
    all) and re-raises its error."""

    def __init__(self, steps: list[Callable[..., list[Path]]], settings: Settings,
                 outputs: Outputs, progress: Progress | None, numbering: _Numbering) -> None:
        self.names = [step.__name__ for step in steps]
        self.done = {name: threading.Event() for name in self.names}
        self.errors: dict[str, BaseException] = {}
        context = contextvars.copy_context()

        def run() -> None:
            for step in steps:
                runner: StepRunner = run_directly if step is publish_charts else _in_a_worker
                try:
                    context.run(_run_phase, step, settings, outputs, progress, runner, numbering)
                except BaseException as exc:  # noqa: BLE001 - re-raised by join()
                    self.errors[step.__name__] = exc
                    for name in self.names[self.names.index(step.__name__):]:
                        self.done[name].set()
                    return
                finally:
                    self.done[step.__name__].set()

        self.thread = threading.Thread(target=run, name="publish-background", daemon=True)
        self.thread.start()

    def join(self, name: str | None = None) -> None:
        """Wait for step ``name`` (None: every step) and raise its error, if any."""
        if name is None:
            self.thread.join()
            names = self.names
        else:
            self.done[name].wait()
            names = [name]
        for each in names:
            if each in self.errors:
                raise self.errors.pop(each)


def publish_outputs(settings: Settings, summary_markdown: str,
                    run_step: StepRunner = run_directly, progress: Progress | None = None) -> Path:
    """Write the marts as CSV, the chart pack, the report, the workbook and the run summary
    into a staging folder, swap it in for ``outputs/<as-of>/`` and record the publication
    (:func:`~scp_metrics.warehouse.history.record_published`); returns the folder.

    A step that fails leaves the published folder as it was, raises :class:`PublishFailed`
    naming the phase and leaves the publication unrecorded, so the next refresh publishes again
    even when nothing else changed."""
    phase = "outputs_folder"
    outputs: Outputs | None = None
    steps = list(PUBLISH_STEPS)
    background: _Background | None = None
    numbering = _Numbering(len(PUBLISH_STEPS))
    try:
        outputs = run_step(outputs_folder, settings)
        if run_step is run_directly and publish_charts in steps and _pool_drawing():
            # the pool's workers draw the charts and then write the workbook, while this
            # process writes the CSVs and then, once the charts are drawn, the report
            # (which shows them) while a worker may still be writing the workbook
            behind = [s for s in IN_POOL if s in steps]
            for step in behind:
                steps.remove(step)
            background = _Background(behind, settings, outputs, progress, numbering)
            steps = [s for s in steps if s not in AFTER_CHARTS] + \
                [s for s in steps if s in AFTER_CHARTS]
        for step in steps:
            if step in AFTER_CHARTS and background is not None:
                phase = "publish_charts"
                background.join("publish_charts")
            phase = step.__name__
            _run_phase(step, settings, outputs, progress, run_step, numbering)
        if background is not None:
            for phase in background.names:
                background.join(phase)
        failed = charts_not_drawn(outputs.folder)
        if failed:
            summary_markdown += "\n".join(["", "## Charts not drawn (the others were published)",
                                           "", *[f"- {md_cell(item)}" for item in failed], ""])
        phase = "publish_summary"
        run_step(publish_summary, outputs, summary_markdown)
        phase = "swap_in"
        folder = run_step(swap_in, outputs)
        phase = "record_publication"
        run_step(record_publication, settings, folder)
    except Exception as exc:
        if background is not None:  # its workers write into the folder removed below
            with contextlib.suppress(Exception):
                background.join()
        if outputs is not None and outputs.final is not None and outputs.folder.exists():
            shutil.rmtree(outputs.folder, ignore_errors=True)
        where = outputs.published if outputs is not None else settings.outputs_dir
        raise PublishFailed(
            f"publishing failed at {phase}: {_cause(exc)}; {where} still holds the previous "
            "complete outputs (if any) and the next refresh publishes again"
            + (" once space is freed" if isinstance(exc, OSError) and exc.errno == errno.ENOSPC
               else "")) from exc
    return folder


def record_publication(settings: Settings, folder: Path) -> None:
    """Remember in the warehouse which marts ``folder`` was published from."""
    con = connect_warehouse(settings)
    try:
        record_published(con, str(folder))
    finally:
        con.close()


def publication_current(settings: Settings) -> bool:
    """Whether the outputs of the marts as they are now were published completely to
    ``settings.outputs_dir`` (the folder recorded is there)."""
    con = connect_warehouse(settings, read_only=True)
    try:
        folder = published_folder(con)
    finally:
        con.close()
    return folder is not None and Path(folder).parent == settings.outputs_dir \
        and Path(folder).is_dir()
