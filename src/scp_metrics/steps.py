"""The quarterly refresh as pure steps: find extracts, validate and load each, build, publish.

``pipelines/quarterly_refresh.py`` wires these steps as Prefect tasks; :func:`run_refresh` runs
them in order without Prefect (tests, benchmarks, ``--engine local``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from scp_metrics.ingest import validation_duckdb
from scp_metrics.ingest.files import discover_extracts, sha256_file
from scp_metrics.ingest.quarantine import quarantine
from scp_metrics.ingest.validation import validate_file
from scp_metrics.publish.suppression import publish_table
from scp_metrics.settings import Settings
from scp_metrics.warehouse import incremental
from scp_metrics.warehouse.build import build_models
from scp_metrics.warehouse.connection import connect
from scp_metrics.warehouse.fingerprints import cached_sha256
from scp_metrics.warehouse.history import (
    LoadConflict,
    known_batch_for,
    marts_current,
    record_marts_built,
)
from scp_metrics.warehouse.ledger import LIVE
from scp_metrics.warehouse.load import load_frame

Progress = Callable[[str], None]


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
    def nothing_changed(self) -> bool:
        return not self.loaded and not self.marts_rebuilt

    def headline(self) -> str:
        if self.nothing_changed and not self.quarantined:
            return (f"Nothing changed: all {len(self.unchanged)} files were already loaded; "
                    f"marts left as they were.")
        parts = [f"{len(self.loaded)} files loaded ({sum(f.rows for f in self.loaded):,} rows)",
                 f"{len(self.unchanged)} unchanged",
                 f"{len(self.quarantined)} refused and quarantined"]
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


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, run_id: str,
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
    # large plain CSVs: validated and loaded inside DuckDB, same outcome (None: pandas path)
    fast = validation_duckdb.ingest_csv(con, path, sha256=sha, run_id=run_id, today=today) \
        if validation_duckdb.eligible(path) else None
    result = fast[0] if fast else validate_file(path, today=today)
    source = result.source.name if result.source else None

    def refused() -> FileOutcome:
        report = quarantine(result, settings, run_id)
        return FileOutcome(path.name, sha, "quarantined", source, result.rows, result.period_label,
                           failures=len(result.failures),
                           first_failures=result.failures.head(5).to_dict("records"),
                           notes=result.notes, report=str(report))

    if not result.ok:
        return refused()
    if fast and fast[1] is not None:
        outcome = fast[1]
    else:
        assert result.source is not None and result.frame is not None
        try:
            outcome = load_frame(con, result.source, result.frame, file_name=path.name,
                                 sha256=sha, run_id=run_id, period=result.period_label,
                                 notes="; ".join(result.notes))
        except LoadConflict as exc:  # rows already live from another file: refused, rolled back
            result.failures = exc.frame()
            return refused()
    return FileOutcome(path.name, sha, "loaded", source, outcome.rows, result.period_label,
                       outcome.batch_id, outcome.replaced_rows, notes=result.notes)


def marts_present(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_name = 'mart_indicator_values'"
    ).fetchall()[0][0])


def ingest_files(paths: list[Path], settings: Settings, run_id: str,
                 progress: Progress | None = None) -> list[FileOutcome]:
    say = progress or (lambda _m: None)
    outcomes = []
    con = connect(settings.warehouse)
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
    """Rebuild the models when something was loaded (or they are missing, or ``force``).

    ``force`` also recomputes every series of the incremental marts (``mart_spc``,
    ``mart_trends``) instead of reusing the unchanged ones (:mod:`scp_metrics.warehouse.incremental`).
    """
    con = connect(settings.warehouse)
    try:
        if not force and marts_present(con) and marts_current(con) \
                and not any(o.status == "loaded" for o in outcomes):
            return {}  # (not current: a run died between loading and building, or a restore)
        if force:  # a full recomputation: nothing is reused (losing the hashes only costs time)
            con.execute(f"drop table if exists {incremental.HASH_TABLE}")
        rows = build_models(con, settings, progress)
        record_marts_built(con)
        return rows
    finally:
        con.close()


def latest_month(settings: Settings) -> str | None:
    con = connect(settings.warehouse, read_only=True)
    try:
        row = con.execute(
            "select max(period_end) from mart_indicator_values where period_type in ('month', 'quarter') "
            "and area_code = ?", [settings.home_area]).fetchall()[0]
    finally:
        con.close()
    return None if row is None or row[0] is None else f"{row[0]:%Y-%m}"


PUBLISH_CHUNK_VECTORS = 50
"""DuckDB vectors (2,048 rows each) suppressed and written at a time when publishing a mart."""


def publish_mart_csv(con: duckdb.DuckDBPyConnection, name: str, target: Path, config_dir: Path) -> int:
    """:func:`scp_metrics.publish.suppression.publish_table` a chunk of :data:`PUBLISH_CHUNK_VECTORS` at a
    time: the same bytes, memory bounded by the chunk, not by the mart
    (``mart_indicator_values`` has every area's every period). Returns the rows suppressed."""
    return publish_table(con, name, target, config_dir, chunk_vectors=PUBLISH_CHUNK_VECTORS)


def publish_outputs(settings: Settings, summary_markdown: str) -> Path:
    """Write the marts as CSV and the run summary to ``outputs/<as-of>/``."""
    as_of = latest_month(settings) or "no-data"
    folder = settings.outputs_dir / as_of
    folder.mkdir(parents=True, exist_ok=True)
    con = connect(settings.warehouse, read_only=True)
    try:
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where starts_with(table_name, 'mart_') "
            "order by 1").fetchall()]
        for name in marts:  # counts 1-4 published as "<5" (privacy.py, config/privacy.toml)
            publish_mart_csv(con, name, folder / f"{name}.csv", settings.config_dir)
    finally:
        con.close()
    from scp_metrics.publish.charts import write_chart_pack  # matplotlib only when publishing

    write_chart_pack(settings.warehouse, settings.home_area, folder / "charts",  # PNG + SVG
                     None if as_of == "no-data" else as_of, config_dir=settings.config_dir)
    if as_of != "no-data":
        from scp_metrics.publish.report import make_report
        from scp_metrics.publish.workbook import write_workbook

        con = connect(settings.warehouse, read_only=True)
        try:
            make_report(con, settings, as_of, folder, sorted((folder / "charts").glob("*.png")))
            write_workbook(con, settings, folder / f"scp_metrics_tables_{as_of}.xlsx", as_of)
        finally:
            con.close()
    (folder / "refresh_summary.md").write_text(summary_markdown)
    return folder


def run_refresh(settings: Settings, *, progress: Progress | None = None, force: bool = False,
                publish: bool = True, wait_seconds: float = 0.0) -> RefreshSummary:
    """The whole refresh without Prefect (same steps as the flow)."""
    started = time.monotonic()
    run_id = new_run_id()
    say = progress or (lambda _m: None)
    with warehouse_lock(settings, wait_seconds, say):
        paths = discover_extracts(settings.raw_dir)
        say(f"found {len(paths)} files in {settings.raw_dir}")
        outcomes = ingest_files(paths, settings, run_id, say)
        mart_rows = build_marts(settings, outcomes, force, say)
        summary = RefreshSummary(run_id, str(settings.warehouse), outcomes, bool(mart_rows),
                                 mart_rows, None, 0.0)
        if publish and (mart_rows or not (settings.outputs_dir).exists()):
            summary.outputs_dir = str(publish_outputs(settings, summary.to_markdown()))
    summary.seconds = time.monotonic() - started
    return summary
