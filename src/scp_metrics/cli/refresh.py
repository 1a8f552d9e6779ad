"""``scp-metrics refresh``: the quarterly refresh, as the Prefect flow (default) or the same
steps run directly (``--engine local``).

Exit status: 0 when everything loaded (or was already loaded) and was published; 1 when some
files were refused, or some series or charts could not be produced (each one is listed; the
rest was built and published); 2 when the run itself failed (``scp_metrics.cli.main``)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from pipelines.runners import TASK_RUNNERS as _RUNNERS  # no Prefect import: names only
from scp_metrics.cli.common import UserError, say
from scp_metrics.escaping import log_text
from scp_metrics.fanout import mapping_with, process_pool
from scp_metrics.settings import Settings
from scp_metrics.steps import DEFAULT_WAIT_SECONDS, RefreshSummary, run_refresh

#: ``--task-runner`` choices (``pipelines/runners.py``; Prefect is imported only when a flow runs).
TASK_RUNNERS = _RUNNERS

#: What the workers of ``--workers N`` import as they start, during the ingest: the modules of
#: the work they are sent (the projection back-tests, the chart pack).
WARM_MODULES = ("scp_metrics.targets.backtest", "statsmodels.tsa.exponential_smoothing.ets",
                "scp_metrics.publish.charts.pack", "matplotlib.pyplot")

#: What the outputs folder holds, by file pattern, in the order the summary lists them.
OUTPUTS = (("year_end_projection_report_*.html", "report (HTML)"),
           ("year_end_projection_report_*.pdf", "report (PDF)"),
           ("scp_metrics_tables_*.xlsx", "workbook"), ("mart_*.csv", "mart CSVs"))


def _run_flow(args: argparse.Namespace, settings: Settings) -> RefreshSummary:
    from pipelines.quarterly_refresh import refresh_flow  # Prefect only when asked for
    from pipelines.runners import api_for_workers

    runner = settings.task_runner
    where = {"local": "", "process": f", {settings.workers} worker processes",
             "dask": f", Dask at {settings.dask_address}" if settings.dask_address
             else f", a local Dask cluster of {settings.workers} workers"}[runner]
    say(f"Running the quarterly-refresh Prefect flow on {settings.raw_dir} (task runner "
        f"{runner}{where}; a temporary Prefect server starts first: ~15 s) …")
    flow = refresh_flow(runner, workers=settings.workers, dask_address=settings.dask_address)
    with api_for_workers(runner):
        summary = flow(raw_dir=str(settings.raw_dir), warehouse=str(settings.warehouse),
                       force=args.force, quarantine_dir=str(settings.quarantine_dir),
                       outputs_dir=str(settings.outputs_dir), publish_outputs=not args.no_publish,
                       wait_seconds=args.wait, accept_shrink=args.accept_shrink,
                       fan_out=runner != "local")
    assert summary is not None  # the flow returns its summary (or raises)
    return summary


def nothing_new(settings: Settings, publish: bool) -> bool:
    """Whether a refresh would find nothing to do: every extract's content (sha256, from the
    fingerprint cache when size and mtime are unchanged) is already in the ledger, the marts
    are current, and the outputs exist (or are not wanted). Cheap: no Prefect, no parsing."""
    from scp_metrics.ingest.files import sha256_file
    from scp_metrics.steps import find_extracts
    from scp_metrics.warehouse.build import marts_up_to_date
    from scp_metrics.warehouse.connection import connect_warehouse
    from scp_metrics.warehouse.fingerprints import cached_sha256
    from scp_metrics.warehouse.history import KnownBatches

    if not Path(settings.warehouse).is_file() or (publish and not settings.outputs_dir.exists()):
        return False
    paths = find_extracts(settings)
    con = connect_warehouse(settings)
    try:
        known = KnownBatches(con)  # the ledger read once, not once per file
        return all(known.get(cached_sha256(settings.warehouse, p, sha256_file)) is not None
                   for p in paths) and marts_up_to_date(con)
    finally:
        con.close()


def _with_runner(args: argparse.Namespace, settings: Settings) -> Settings:
    """``settings`` with the command line's ``--task-runner``, ``--workers`` and
    ``--dask-address`` (each overriding its ``SCP_*`` setting)."""
    runner = args.task_runner or settings.task_runner
    if runner not in TASK_RUNNERS:
        raise UserError(f"unknown task runner {runner!r} (SCP_TASK_RUNNER): use one of "
                        f"{', '.join(TASK_RUNNERS)}")
    address = args.dask_address or settings.dask_address
    if args.dask_address and runner != "dask":
        raise UserError("--dask-address needs --task-runner dask")
    if runner != "local" and args.engine != "prefect":
        raise UserError(f"--task-runner {runner} runs through Prefect: drop --engine local")
    workers = args.workers or settings.workers
    if workers < 1:
        raise UserError(f"--workers must be at least 1 (got {workers})")
    return replace(settings, task_runner=runner, dask_address=address, workers=workers)


def cmd_refresh(args: argparse.Namespace, settings: Settings) -> int:
    settings = _with_runner(args, settings)
    if not settings.raw_dir.is_dir():
        raise UserError(f"raw folder {settings.raw_dir} does not exist "
                        "(run 'scp-metrics sample' for the embedded sample, or pass --raw-dir)")
    if (args.engine == "prefect" or args.brief) and not args.force \
            and nothing_new(settings, not args.no_publish):
        # nothing new: the same steps without starting a Prefect server (~20 s), quietly
        summary = run_refresh(settings, progress=None, wait_seconds=args.wait,
                              publish=not args.no_publish)
    elif args.engine == "prefect":
        summary = _run_flow(args, settings)
    else:  # --workers N: the chart pack (and large series sets) in a pool of N processes
        with process_pool(args.workers or 1, warm=WARM_MODULES) as pool, mapping_with(pool):
            if pool is not None:
                say(f"Drawing the chart pack in {pool.workers} processes (--workers).")
            summary = run_refresh(settings, progress=say, force=args.force,
                                  wait_seconds=args.wait, publish=not args.no_publish,
                                  accept_shrink=args.accept_shrink)
    say("")
    say(summary.headline())
    for f in summary.quarantined:
        first = f.first_failures[0] if f.first_failures else {}
        value = first.get("value")
        shown = "" if value is None or value != value else f" (value {log_text(repr(value))})"
        say(f"  refused {log_text(f.file)}: {f.failures} problem(s), first: row {first.get('row')}, "
            f"column {log_text(first.get('column'))}, {log_text(first.get('check'))}{shown}; "
            f"report: {log_text(f.report)}")
    for f in summary.loaded:
        if f.shrunk:
            say(f"  {log_text(f.file)} covers less than what it replaced (accepted with "
                f"--accept-shrink): {log_text('; '.join(f.shrunk))}")
    for item in summary.not_computed:
        say(f"  not computed: {log_text(item)}")
    for item in summary.charts_failed:
        say(f"  chart not drawn: {log_text(item)}")
    if summary.outputs_dir:
        out = Path(summary.outputs_dir)
        say(f"Outputs written to {out}:")
        for pattern, what in OUTPUTS:
            found = sorted(out.glob(pattern))
            if found:
                say(f"  {what}: {found[0] if len(found) == 1 else f'{len(found)} files in {out}'}")
        charts = sorted((out / "charts").glob("*.png"))
        if charts:
            say(f"  chart pack: {len(charts)} charts (PNG and SVG) in {out / 'charts'}")
    say(f"Warehouse: {summary.warehouse} ({summary.seconds:.1f} s)")
    return summary.exit_code


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("refresh", help="run the quarterly refresh (the Prefect flow)")
    p.add_argument("--raw-dir")
    p.add_argument("--warehouse")
    p.add_argument("--outputs", metavar="DIR",
                   help="where the publication folder <YYYY-MM>/ goes (default: SCP_OUTPUTS_DIR, "
                        "else outputs/ beside the warehouse; data/outputs for the project's own)")
    p.add_argument("--engine", choices=["prefect", "local"], default="prefect",
                   help="prefect: run the flow (default); local: same steps without Prefect")
    p.add_argument("--task-runner", choices=TASK_RUNNERS, default=None,
                   help="with --engine prefect, where the per-series compute and the chart pack "
                        "run: local (this process, default), process (a process pool) or dask "
                        "(a Dask cluster; default SCP_TASK_RUNNER); see docs/scaling.md")
    p.add_argument("--dask-address", metavar="tcp://HOST:8786", default=None,
                   help="an existing Dask scheduler (default SCP_DASK_ADDRESS; none: a "
                        "LocalCluster started for the run)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes for --task-runner process, or dask without an "
                        "address (default SCP_WORKERS, else up to 4, one per core); with "
                        "--engine local, a pool of N processes for the chart pack when N "
                        "cores are idle (default: none)")
    p.add_argument("--brief", action="store_true",
                   help="with --engine local: when nothing is new, say so in two lines instead "
                        "of one per file (as the Prefect engine does; make demo)")
    p.add_argument("--force", action="store_true",
                   help="rebuild the marts even if nothing is new, recomputing every series")
    p.add_argument("--wait", type=float, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                   help="if another refresh holds the warehouse, wait this long "
                        f"(default {DEFAULT_WAIT_SECONDS:g}; 0: exit at once)")
    p.add_argument("--no-publish", action="store_true",
                   help="load and build the marts only: no CSVs, charts, report or workbook")
    p.add_argument("--accept-shrink", action="store_true",
                   help="let a re-issue cover fewer areas or months than the delivery it "
                        "replaces (refused otherwise); what it no longer covers is reported")
    p.set_defaults(func=cmd_refresh)
