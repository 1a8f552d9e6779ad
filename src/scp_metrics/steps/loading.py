"""Finding the delivered files and loading each one: load it, skip it (already loaded) or
refuse it (quarantined), one file at a time, so that one bad or unreadable file never stops
the others."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pandas as pd

from scp_metrics.escaping import log_text
from scp_metrics.fanout import current_mapper, fan_out
from scp_metrics.ingest import archives
from scp_metrics.ingest.engine import FAILURE_COLUMNS, ValidationResult, ingest, validate_file
from scp_metrics.ingest.files import discover_extracts, sha256_file
from scp_metrics.ingest.guard import withhold_values
from scp_metrics.ingest.quarantine import quarantine_file
from scp_metrics.ingest.read_ahead import forget_offered, offer_sheets
from scp_metrics.ingest.readers import is_workbook, read_ahead
from scp_metrics.settings import Settings
from scp_metrics.sources import SOURCES_BY_NAME
from scp_metrics.steps.summary import FileOutcome
from scp_metrics.warehouse.connection import (
    Connection,
    SharedThreads,
    checkpoints_every,
    connect_warehouse,
)
from scp_metrics.warehouse.fingerprints import cached_sha256, remembered_sha256
from scp_metrics.warehouse.history import KnownBatches, unload_batch
from scp_metrics.warehouse.ledger import LIVE

Progress = Callable[[str], None]

log = logging.getLogger(__name__)


def _refused(path: Path, sha: str, source: str | None, failures: pd.DataFrame,
             settings: Settings, run_id: str, notes: list[str] | None = None,
             rows: int = 0, period: str | None = None, guarded: bool = False) -> FileOutcome:
    """A refused file's outcome and quarantine report. ``guarded``: a person-level source
    (``personal_data_guard``): no value of its failures is shown and the file is not copied."""
    if guarded:
        failures = pd.DataFrame(withhold_values(failures.to_dict("records")),
                                columns=FAILURE_COLUMNS)
    report = quarantine_file(path, source, failures, settings, run_id, sha or None,
                             copy=not guarded)
    return FileOutcome(path.name, sha, "quarantined", source, rows, period,
                       failures=len(failures), first_failures=failures.head(5).to_dict("records"),
                       notes=list(notes or []), report=str(report))


def _refusal(path: Path, check: str, value: str | None = None) -> pd.DataFrame:
    return pd.DataFrame([{"file": path.name, "row": None, "column": None, "check": check,
                          "value": value}], columns=FAILURE_COLUMNS)


def _leads_outside(path: Path, settings: Settings, raw_dir: Path | None) -> bool:
    """Whether ``path`` is refused unread: it leads outside ``raw_dir`` and is not a member
    this refresh extracted from an archive."""
    return raw_dir is not None and outside_raw_folder(path, raw_dir) \
        and not archives.is_member(path, settings.warehouse)


def outside_raw_folder(path: Path, raw_dir: Path) -> bool:
    """Whether ``path``, its links resolved, lies outside ``raw_dir`` (itself resolved)."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(raw_dir))
    except ValueError:
        return True
    return False


def ingest_file(con: Connection, path: Path, settings: Settings, run_id: str,
                today: date | None = None, accept_shrink: bool = False,
                raw_dir: Path | None = None,
                validated: ValidationResult | None = None,
                known_batches: KnownBatches | None = None) -> FileOutcome:
    """Validate one file and load it, skip it (already loaded) or quarantine it.

    A path leading outside ``raw_dir`` (a symbolic link to ``/etc/passwd``) is refused
    unread; a file the OS will not read (permissions, an I/O error) is refused with the OS's
    reason; neither is copied anywhere. ``validated``: the file's validation, done ahead
    (:class:`_ValidateAhead`); released here whatever happens to the file. ``known_batches``:
    the ledger's batches by sha256, read once for the run (else read for this file)."""
    try:
        return _ingest_file(con, path, settings, run_id, today, accept_shrink, raw_dir,
                            validated, known_batches)
    finally:
        if validated is not None:
            validated.release()


def _ingest_file(con: Connection, path: Path, settings: Settings, run_id: str,
                 today: date | None, accept_shrink: bool, raw_dir: Path | None,
                 validated: ValidationResult | None,
                 known_batches: KnownBatches | None) -> FileOutcome:
    if archives.is_archive(path):  # left in the list only when refused (ingest/archives.py)
        return _refused(path, "", None, _refusal(path, archives.refusal(path)), settings, run_id)
    if _leads_outside(path, settings, raw_dir):
        return _refused(path, "", None, _refusal(
            path, "inside the raw folder: it links to a file outside it, which was not read; "
                  "put the extract itself in the raw folder"), settings, run_id)
    try:
        sha = cached_sha256(settings.warehouse, path, sha256_file)  # re-read only when changed
    except OSError as exc:
        return _refused(path, "", None, _refusal(
            path, f"readable file: {exc.strerror or type(exc).__name__}; fix its permissions "
                  "or copy it again, then refresh"), settings, run_id)
    known = (known_batches or KnownBatches(con)).get(sha)
    if known is not None:  # same content already loaded: live, or superseded on purpose
        batch, status = known
        notes = [] if status in LIVE else [
            f"same content as batch {batch}, which a later delivery superseded: not reloaded "
            f"(scp-metrics restore {batch} brings it back)"]
        return FileOutcome(path.name, sha, "unchanged", batch_id=batch, notes=notes)
    try:
        result, outcome = ingest(con, path, config_dir=settings.config_dir, sha256=sha,
                                 run_id=run_id, today=today, accept_shrink=accept_shrink,
                                 validated=validated)
    except OSError as exc:  # read after the fingerprint: vanished, permissions changed, EIO
        return _refused(path, sha, None, _refusal(
            path, f"readable file: {exc.strerror or type(exc).__name__}; fix it or copy it "
                  "again, then refresh"), settings, run_id)
    source = result.source.title if result.source else None
    if outcome is None:  # refused: nothing changed, the report is quarantined
        refused = _refused(path, sha, source, result.failures, settings, run_id, result.notes,
                           result.rows, result.period_label,
                           guarded=bool(result.source and result.source.personal_data_guard))
        refused.source = result.source.name if result.source else None
        refused.withdraw = result.overlapping_batches
        return refused
    return FileOutcome(path.name, sha, "loaded", result.source.name if result.source else None,
                       outcome.rows, result.period_label, outcome.batch_id, outcome.replaced_rows,
                       notes=result.notes, shrunk=list(outcome.shrunk))


def _withdraw(con: Connection, outcomes: list[FileOutcome], paths: dict[str, Path],
              refused: FileOutcome, settings: Settings, run_id: str) -> list[str]:
    """Unload the files of this run that deliver the same rows as ``refused``: both refused
    (their names returned)."""
    names = []
    for earlier in list(outcomes):
        if earlier.status != "loaded" or earlier.batch_id not in refused.withdraw:
            continue
        unload_batch(con, earlier.batch_id)
        failures = _refusal(paths[earlier.file], (
            f"one delivery per key in a run: its rows are also in {refused.file}, delivered in "
            f"the same run; both files refused: keep one of the two in the raw folder, remove "
            "the other, and refresh again"))
        title = SOURCES_BY_NAME[earlier.source].title if earlier.source in SOURCES_BY_NAME \
            else None
        guarded = earlier.source in SOURCES_BY_NAME and \
            SOURCES_BY_NAME[earlier.source].personal_data_guard
        again = _refused(paths[earlier.file], earlier.sha256, title, failures, settings, run_id,
                         earlier.notes, earlier.rows, earlier.period, guarded=guarded)
        again.source = earlier.source
        outcomes[outcomes.index(earlier)] = again
        names.append(earlier.file)
    return names


def ingest_files(paths: list[Path], settings: Settings, run_id: str,
                 progress: Progress | None = None,
                 accept_shrink: bool = False) -> list[FileOutcome]:
    say = progress or (lambda _m: None)
    outcomes: list[FileOutcome] = []
    by_name = {p.name: p for p in paths}
    con = connect_warehouse(settings)
    ahead: _ReadAhead | None = None
    known = KnownBatches(con)
    validation = _ValidateAhead(con, settings, known)
    threads = SharedThreads(con)
    try:
        with checkpoints_every(con):  # fewer checkpoints while the files load
            ahead = _ReadAhead.start(known, paths, settings)
            if ahead is not None:  # those workbooks are parsed by the pool, not here
                validation.skip = ahead.paths
            for i, path in enumerate(paths, 1):
                if ahead is not None:
                    ahead.at = i
                validated = validation.take(path)
                validation.fill(paths, i)
                # the next files validating while this one loads: the streams share the cores
                threads.share(1 + len(validation.pending))
                outcome = ingest_file(con, path, settings, run_id, accept_shrink=accept_shrink,
                                      raw_dir=settings.raw_dir, validated=validated,
                                      known_batches=known)
                if outcome.status != "unchanged":  # the ledger may have changed
                    known.changed()
                outcome.notes = [*outcome.notes, *archives.notes_for(path)]
                detail = {"loaded": f"loaded {outcome.rows:,} rows ({outcome.source}, {outcome.period})",
                          "unchanged": "unchanged",
                          "quarantined": f"REFUSED ({outcome.failures} problems) → {outcome.report}"}
                say(f"[{i}/{len(paths)}] {log_text(path.name)}: {log_text(detail[outcome.status])}")
                if outcome.shrunk:
                    say(f"  coverage shrank (accepted with --accept-shrink): "
                        f"{log_text('; '.join(outcome.shrunk[:5]))}")
                if outcome.withdraw:
                    names = _withdraw(con, outcomes, by_name, outcome, settings, run_id)
                    known.changed()
                    say(f"  … refused with it, unloaded: {log_text(', '.join(names))} (the same "
                        "rows delivered twice in one run; keep one of the files)")
                outcomes.append(outcome)
    finally:
        validation.stop()
        threads.restore()
        if ahead is not None:
            ahead.stop()
        con.close()
    return outcomes


class _ValidateAhead:
    """The next files (up to :data:`AHEAD`) are read and validated in threads, each on a cursor
    of its own, while this thread loads the file before them: DuckDB runs them at once (it
    releases the GIL). Two files ahead rather than one: a file's validation costs more than its
    load (0.50 against 0.40 s for a 333k-row police file), so with one ahead the loading thread
    waited a fifth of the time; with two, both cores are busy throughout. Loading stays in file
    order, one file at a time (every load check sees the files before it); validation reads
    nothing the loads write. Only a new file is validated ahead (not one already loaded, an
    archive or a path outside the raw folder) and not a workbook the pool parses ahead
    (:class:`_ReadAhead`): :func:`ingest_file` decides those as before. A file whose fingerprint
    is not remembered is fingerprinted by the worker too, not by the loading thread. A
    validation that fails here (an unreadable file) is simply done again in
    :func:`ingest_file`, which reports it."""

    AHEAD = 2

    def __init__(self, con: Connection, settings: Settings, known: KnownBatches) -> None:
        self.con, self.settings, self.known = con, settings, known
        self.pending: list[tuple[Path, Connection, Future[ValidationResult | None]]] = []
        self.pool = ThreadPoolExecutor(max_workers=self.AHEAD,
                                       thread_name_prefix="validate-ahead")
        self.cursors: list[Connection] = []
        self.skip: set[Path] = set()
        self.submitted = 0
        """How many of the loop's paths were offered to :meth:`submit` (in order)."""

    def fill(self, paths: list[Path], loading: int) -> None:
        """Offer the paths after the ``loading``-th (1-based) until :data:`AHEAD` are pending."""
        self.submitted = max(self.submitted, loading)
        while self.submitted < len(paths) and len(self.pending) < self.AHEAD:
            self.submit(paths[self.submitted])
            self.submitted += 1

    def submit(self, path: Path) -> None:
        settings = self.settings
        try:
            if path in self.skip or archives.is_archive(path) or \
                    _leads_outside(path, settings, settings.raw_dir):
                return
            sha = remembered_sha256(settings.warehouse, path)
        except OSError:
            return  # refused with the OS's reason by ingest_file
        if sha is not None and self.known.get(sha) is not None:
            return  # already loaded: ingest_file says so
        cursor = self.con.cursor()
        self.cursors.append(cursor)
        context = contextvars.copy_context()
        future = self.pool.submit(context.run, self._validate_new, path, sha,
                                  self.known.snapshot(), cursor)
        self.pending.append((path, cursor, future))

    def _validate_new(self, path: Path, sha: str | None,
                      known: Mapping[str, tuple[int, str]],
                      cursor: Connection) -> ValidationResult | None:
        """In the worker: a file never fingerprinted is fingerprinted here, off the loading
        thread (0.03 s for a 41 MB file), and validated unless the ledger (as it was when the
        file was handed over) has its content."""
        if sha is None:
            try:
                sha = cached_sha256(self.settings.warehouse, path, sha256_file)
            except OSError:
                return None  # refused with the OS's reason by ingest_file
            if sha in known:
                return None
        return validate_file(path, config_dir=self.settings.config_dir, con=cursor)

    def take(self, path: Path) -> ValidationResult | None:
        """``path``'s validation done ahead, or ``None`` (validated by the caller). Files are
        taken in the order they were submitted; one never submitted (skipped) leaves the
        others pending."""
        entry = self.pending.pop(0) if self.pending and self.pending[0][0] == path else None
        keep = {id(c) for _, c, _ in self.pending} | ({id(entry[1])} if entry else set())
        for cursor in self.cursors:  # the files before this one are loaded
            if id(cursor) not in keep:
                cursor.close()
        self.cursors = [c for c in self.cursors if id(c) in keep]
        if entry is None:
            return None
        try:
            return entry[2].result()
        except Exception:  # noqa: BLE001 - validated again by ingest_file, which reports it
            log.debug("validating %s ahead failed", path.name, exc_info=True)
            return None

    def stop(self) -> None:
        """The loop ended (or stopped at an error): files still pending are dropped with
        their tables, the threads ended, every cursor closed."""
        pending, self.pending = self.pending, []
        for _, _, future in pending:
            with contextlib.suppress(Exception):
                result = future.result()
                if result is not None:
                    result.release()
        self.pool.shutdown(wait=True)
        for cursor in self.cursors:
            cursor.close()
        self.cursors = []


class _ReadAhead:
    """With a pool of worker processes (``refresh --workers N``): the new workbooks among the
    files to load are parsed by the workers, a few at a time in load order, while this process
    loads the files before them (openpyxl's parse is most of a small workbook's load). Each
    parse is offered to :func:`~scp_metrics.ingest.readers.read_sheets`, which takes it instead
    of reading the file again: the same sheets, so the same load. Nothing waits for it: a
    workbook reached before its parse came back is read here as before."""

    def __init__(self, todo: list[tuple[int, Path]]) -> None:
        self.todo, self.at, self.done = todo, 0, threading.Event()
        self.paths = {p for _, p in todo}
        context = contextvars.copy_context()
        self.thread = threading.Thread(target=context.run, args=(self._run,),
                                       name="read-ahead", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls, known: KnownBatches, paths: list[Path],
              settings: Settings) -> _ReadAhead | None:
        mapper = current_mapper()
        if mapper is None or mapper.workers < 2:
            return None
        todo = [(i, p) for i, p in enumerate(paths, 1) if is_workbook(p)
                and known.get(cached_sha256(settings.warehouse, p, sha256_file)) is None]
        return cls(todo) if len(todo) >= 2 else None

    def _run(self) -> None:
        mapper = current_mapper()
        step = mapper.workers if mapper is not None else 2
        try:
            while self.todo and not self.done.is_set():
                self.todo = [(i, p) for i, p in self.todo if i > self.at]  # not reached yet
                batch, self.todo = self.todo[:step], self.todo[step:]
                for results in fan_out(read_ahead, [([p],) for _, p in batch]):
                    for _, key, sheets in results:
                        offer_sheets(key, sheets)
        except Exception:  # noqa: BLE001 - the files not read ahead are read as before
            log.warning("reading workbooks ahead failed", exc_info=True)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        forget_offered()


def find_extracts(settings: Settings) -> list[Path]:
    """Every file under the raw folder that could be an extract, in a stable order."""
    return archives.expand(discover_extracts(settings.raw_dir), settings.warehouse,
                           settings.config_dir,
                           lambda p: cached_sha256(settings.warehouse, p, sha256_file))
