"""The quarterly refresh as steps: find extracts, validate and load each, build, publish.

Each step is a plain function of :class:`~scp_metrics.settings.Settings` and plain data.
:func:`run_refresh` runs them in order under the warehouse lock; its ``run_step`` decides how
each one is run: called directly (``--engine local``, tests, benchmarks) or as a Prefect task
(``pipelines/quarterly_refresh.py`` passes one that wraps each step in its task, with retries).
Publishing is one step per output (CSVs, charts, report, workbook, summary), so a retried
failure redoes that output only.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from scp_metrics.ingest.engine import ingest
from scp_metrics.ingest.files import discover_extracts, sha256_file
from scp_metrics.ingest.quarantine import quarantine
from scp_metrics.publish.reader import MartReader
from scp_metrics.publish.suppression import publish_table
from scp_metrics.settings import Settings
from scp_metrics.warehouse.build import marts_up_to_date, rebuild
from scp_metrics.warehouse.connection import Connection, connect_warehouse
from scp_metrics.warehouse.fingerprints import cached_sha256
from scp_metrics.warehouse.history import RestoreOutcome, known_batch_for, restore_batch
from scp_metrics.warehouse.ledger import LIVE
from scp_metrics.warehouse.marts.data_quality import series_not_computed as not_computed_rows
from scp_metrics.warehouse.marts.indicator_as_of import publication_month

Progress = Callable[[str], None]

DEFAULT_WAIT_SECONDS = 300.0
"""How long a refresh or restore waits for another one holding the warehouse (``--wait``)."""


class RefreshLocked(Exception):
    """Another refresh holds the warehouse."""


@dataclass
class FileOutcome:
    """What happened to one file in a refresh."""

    file: str
    sha256: str
    status: str  # loaded | unchanged | quarantined
    source: str | None = None
    rows: int = 0
    period: str | None = None
    batch_id: int | None = None
    replaced_rows: int = 0
    failures: int = 0
    first_failures: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: str | None = None


@dataclass
class RefreshSummary:
    run_id: str
    warehouse: str
    files: list[FileOutcome]
    marts_rebuilt: bool
    mart_rows: dict[str, int]
    outputs_dir: str | None
    seconds: float
    not_computed: list[str] = field(default_factory=list)
    """Series the build could not compute (``mart_data_quality``'s ``series_not_computed``)."""
    charts_failed: list[str] = field(default_factory=list)
    """Charts of the pack that failed to draw (``charts/index.csv``)."""

    @property
    def loaded(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "loaded"]

    @property
    def quarantined(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "quarantined"]

    @property
    def unchanged(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "unchanged"]

    @property
    def exit_code(self) -> int:
        """0: everything loaded and published; 1: some files refused, or some series or charts
        not produced (each listed); a failure of the run itself raises instead (exit 2)."""
        return 1 if self.quarantined or self.not_computed or self.charts_failed else 0

    @property
    def nothing_changed(self) -> bool:
        return not self.loaded and not self.marts_rebuilt

    def headline(self) -> str:
        if self.nothing_changed and not self.quarantined:
            return (f"Nothing changed: all {len(self.unchanged)} files were already loaded; "
                    f"marts left as they were.")
        parts = [f"{len(self.loaded)} files loaded ({sum(f.rows for f in self.loaded):,} rows)",
                 f"{len(self.unchanged)} unchanged",
                 f"{len(self.quarantined)} refused and quarantined"]
        if self.not_computed:
            parts.append(f"{len(self.not_computed)} series not computed")
        if self.charts_failed:
            parts.append(f"{len(self.charts_failed)} charts not drawn")
        return "; ".join(parts) + "."

    def to_markdown(self) -> str:
        lines = [f"# Quarterly refresh {self.run_id}", "", self.headline(), "",
                 f"Warehouse: `{self.warehouse}`", ""]
        if self.mart_rows:
            lines += ["| mart | rows |", "|---|---:|"]
            lines += [f"| {k} | {v:,} |" for k, v in self.mart_rows.items()]
            lines.append("")
        if self.loaded:
            lines += ["## Files loaded", "", "| file | source | period | rows | batch | replaced rows |",
                      "|---|---|---|---:|---:|---:|"]
            lines += [f"| {f.file} | {f.source} | {f.period or ''} | {f.rows:,} | {f.batch_id} | "
                      f"{f.replaced_rows:,} |" for f in self.loaded]
            lines.append("")
        if self.quarantined:
            lines += ["## Files refused (quarantined)", "",
                      "| file | failures | first failure | report |", "|---|---:|---|---|"]
            for f in self.quarantined:
                first = f.first_failures[0] if f.first_failures else {}
                where = ", ".join(str(x) for x in (
                    f"row {first.get('row')}" if first.get("row") is not None else None,
                    first.get("column"), first.get("check")) if x)
                lines.append(f"| {f.file} | {f.failures} | {where} | {f.report or ''} |")
            lines.append("")
        if self.not_computed:
            lines += ["## Series not computed (the build went on without them)", ""]
            lines += [f"- {item}" for item in self.not_computed]
            lines.append("")
        return "\n".join(lines)


@contextlib.contextmanager
def warehouse_lock(settings: Settings, wait_seconds: float = 0.0,
                   progress: Progress | None = None) -> Iterator[None]:
    """Hold the warehouse's lock file; another refresh waits ``wait_seconds`` then gives up.

    The lock is an ``flock`` on ``<warehouse>.lock``: the OS releases it when its holder dies
    (even by SIGKILL), so a stale lock file never blocks the next run; the pid written into it
    is only for the message."""
    settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_path, "a+") as fh:
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


def ingest_file(con: Connection, path: Path, settings: Settings, run_id: str,
                today: date | None = None) -> FileOutcome:
    """Validate one file and load it, skip it (already loaded) or quarantine it."""
    sha = cached_sha256(settings.warehouse, path, sha256_file)  # re-read only when changed
    known = known_batch_for(con, sha)
    if known is not None:  # same content already loaded: live, or superseded on purpose
        batch, status = known
        notes = [] if status in LIVE else [
            f"same content as batch {batch}, which a later delivery superseded: not reloaded "
            f"(scp-metrics restore {batch} brings it back)"]
        return FileOutcome(path.name, sha, "unchanged", batch_id=batch, notes=notes)
    result, outcome = ingest(con, path, config_dir=settings.config_dir, sha256=sha,
                             run_id=run_id, today=today)
    source = result.source.name if result.source else None
    if outcome is None:  # refused: nothing changed, the file and its report are quarantined
        report = quarantine(result, settings, run_id)
        return FileOutcome(path.name, sha, "quarantined", source, result.rows, result.period_label,
                           failures=len(result.failures),
                           first_failures=result.failures.head(5).to_dict("records"),
                           notes=result.notes, report=str(report))
    return FileOutcome(path.name, sha, "loaded", source, outcome.rows, result.period_label,
                       outcome.batch_id, outcome.replaced_rows, notes=result.notes)


def ingest_files(paths: list[Path], settings: Settings, run_id: str,
                 progress: Progress | None = None) -> list[FileOutcome]:
    say = progress or (lambda _m: None)
    outcomes = []
    con = connect_warehouse(settings)
    try:
        for i, path in enumerate(paths, 1):
            outcome = ingest_file(con, path, settings, run_id)
            detail = {"loaded": f"loaded {outcome.rows:,} rows ({outcome.source}, {outcome.period})",
                      "unchanged": "unchanged",
                      "quarantined": f"REFUSED ({outcome.failures} problems) → {outcome.report}"}
            say(f"[{i}/{len(paths)}] {path.name}: {detail[outcome.status]}")
            outcomes.append(outcome)
    finally:
        con.close()
    return outcomes


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


def charts_not_drawn(folder: Path) -> list[str]:
    """The charts of the pack in ``folder`` that failed to draw (``charts/index.csv``), one
    sentence each."""
    index = folder / "charts" / "index.csv"
    if not index.is_file():
        return []
    with open(index, newline="") as fh:
        return [f"{row['kind']} chart of {row['indicator_id']} in {row['area_code']}: "
                f"{row['reason']}" for row in csv.DictReader(fh) if row["status"] == "failed"]


def find_extracts(settings: Settings) -> list[Path]:
    """Every file under the raw folder that could be an extract, in a stable order."""
    return discover_extracts(settings.raw_dir)


# --------------------------------------------------------------------------- publishing

PUBLISH_CHUNK_VECTORS = 50
"""DuckDB vectors (2,048 rows each) suppressed and written at a time when publishing a mart."""


@dataclass(frozen=True)
class Outputs:
    """Where a refresh publishes: ``outputs/<as-of>/``; ``as_of`` is None without monthly data
    (the folder is then ``outputs/no-data``: CSVs, charts index and summary only)."""

    folder: Path
    as_of: str | None


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
    ``--outputs``), named by :func:`latest_month` (created)."""
    as_of = latest_month(settings)
    folder = settings.outputs_dir / (as_of or "no-data")
    folder.mkdir(parents=True, exist_ok=True)
    return Outputs(folder, as_of)


def publish_mart_csv(con: MartReader | Connection, name: str, target: Path, config_dir: Path) -> int:
    """:func:`scp_metrics.publish.suppression.publish_table` a chunk of :data:`PUBLISH_CHUNK_VECTORS` at a
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


def publish_charts(settings: Settings, outputs: Outputs) -> list[Path]:
    """The chart pack of the home area (PNG and SVG, ``charts/index.csv``)."""
    from scp_metrics.publish.charts import write_chart_pack  # matplotlib only when publishing

    with _reader(settings) as reader:  # each indicator to its own latest month
        return write_chart_pack(reader, settings.home_area, outputs.folder / "charts", None,
                                config_dir=settings.config_dir)


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
    """``refresh_summary.md``: what the run loaded or refused."""
    path = outputs.folder / "refresh_summary.md"
    path.write_text(summary_markdown)
    return [path]


#: The publishing steps after :func:`outputs_folder`, in order (the report shows the charts).
PUBLISH_STEPS: tuple[Callable[[Settings, Outputs], list[Path]], ...] = (
    publish_csvs, publish_charts, publish_report, publish_workbook)


# --------------------------------------------------------------------------- running the steps

T = TypeVar("T")


class StepRunner(Protocol):
    """How :func:`run_refresh` runs each step: ``run_step(step, *args)`` returns ``step(*args)``."""

    def __call__(self, step: Callable[..., T], /, *args: Any) -> T: ...


def run_directly(step: Callable[..., T], /, *args: Any) -> T:
    """Run the step in this process, once (the local engine)."""
    return step(*args)


def publish_outputs(settings: Settings, summary_markdown: str,
                    run_step: StepRunner = run_directly) -> Path:
    """Write the marts as CSV, the chart pack, the report, the workbook and the run summary to
    ``outputs/<as-of>/``; returns the folder."""
    outputs = run_step(outputs_folder, settings)
    for step in PUBLISH_STEPS:
        run_step(step, settings, outputs)
    failed = charts_not_drawn(outputs.folder)
    if failed:
        summary_markdown += "\n".join(["", "## Charts not drawn (the others were published)", "",
                                       *[f"- {item}" for item in failed], ""])
    run_step(publish_summary, outputs, summary_markdown)
    return outputs.folder


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
                run_step: StepRunner = run_directly) -> RefreshSummary:
    """The whole refresh: under the warehouse lock (waiting up to ``wait_seconds`` for another
    refresh), find the extracts, ingest them, build the marts and publish the outputs when the
    marts changed (or nothing was ever published). ``run_step`` runs each step (see above)."""
    started = time.monotonic()
    run_id = new_run_id()
    say = progress or _quiet
    with warehouse_lock(settings, wait_seconds, say):
        paths = run_step(find_extracts, settings)
        say(f"found {len(paths)} files in {settings.raw_dir}")
        outcomes = run_step(ingest_files, paths, settings, run_id, progress)
        mart_rows = run_step(build_marts, settings, outcomes, force, progress)
        summary = RefreshSummary(run_id, str(settings.warehouse), outcomes, bool(mart_rows),
                                 mart_rows, None, 0.0)
        if mart_rows:
            summary.not_computed = series_not_computed(settings)
            for item in summary.not_computed:
                say(f"not computed: {item}")
        if publish and (mart_rows or not settings.outputs_dir.exists()):
            folder = publish_outputs(settings, summary.to_markdown(), run_step)
            summary.outputs_dir = str(folder)
            summary.charts_failed = charts_not_drawn(folder)
    summary.seconds = time.monotonic() - started
    return summary
