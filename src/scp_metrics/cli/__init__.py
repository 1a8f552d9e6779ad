"""The ``scp-metrics`` command line.

Errors are one clear sentence (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from scp_metrics.cli.common import UserError, err, print_frame, say
from scp_metrics.settings import get_settings


def cmd_sample(args: argparse.Namespace) -> int:
    from scp_metrics.sample import generate_sample

    out = Path(args.out) if args.out else get_settings().raw_dir
    started = time.monotonic()
    paths = generate_sample(out, progress=say)
    size = sum(p.stat().st_size for p in paths)
    say(f"Sample extracts: {len(paths)} files ({size / 1e6:.1f} MB) in {out} "
         f"({time.monotonic() - started:.1f} s). All synthetic: see data/raw/README.md.")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from scp_metrics.ingest.validation import validate_file

    failed = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UserError(f"{name}: no such file")
        result = validate_file(path)
        if result.ok:
            assert result.source is not None
            note = f" ({'; '.join(result.notes)})" if result.notes else ""
            say(f"OK    {path.name}: {result.source.title}, {result.rows:,} rows, "
                 f"{result.period_label or 'no period'}{note}")
            continue
        failed += 1
        what = result.source.title if result.source else "unrecognised file"
        say(f"FAIL  {path.name}: {what}, {len(result.failures)} problem(s)")
        print_frame(result.failures.head(args.max_rows), "table")
        if len(result.failures) > args.max_rows:
            say(f"      … and {len(result.failures) - args.max_rows} more")
    if failed:
        say(f"{failed} of {len(args.files)} files failed validation; nothing was loaded.")
    return 1 if failed else 0


def cmd_refresh(args: argparse.Namespace) -> int:
    settings = get_settings(raw_dir=args.raw_dir, warehouse=args.warehouse)
    if not settings.raw_dir.is_dir():
        raise UserError(f"raw folder {settings.raw_dir} does not exist "
                        "(run 'scp-metrics sample' for the embedded sample, or pass --raw-dir)")
    if args.engine == "prefect":
        from pipelines.quarterly_refresh import quarterly_refresh

        say(f"Running the quarterly-refresh Prefect flow on {settings.raw_dir} "
             "(a temporary Prefect server starts first: ~15 s) …")
        summary = quarterly_refresh(raw_dir=str(settings.raw_dir), warehouse=str(settings.warehouse),
                                    force=args.force, quarantine_dir=str(settings.quarantine_dir),
                                    outputs_dir=str(settings.outputs_dir),
                                    publish_outputs=not args.no_publish)
    else:
        from scp_metrics.steps import run_refresh

        summary = run_refresh(settings, progress=say, force=args.force, wait_seconds=args.wait,
                              publish=not args.no_publish)
    say("")
    say(summary.headline())
    for f in summary.quarantined:
        first = f.first_failures[0] if f.first_failures else {}
        say(f"  refused {f.file}: {f.failures} problem(s), first: row {first.get('row')}, "
             f"column {first.get('column')}, {first.get('check')} (value {first.get('value')!r}); "
             f"report: {f.report}")
    if summary.outputs_dir:
        out = Path(summary.outputs_dir)
        say(f"Outputs written to {out}:")
        for pattern, what in (("year_end_projection_report_*.html", "report (HTML)"),
                              ("year_end_projection_report_*.pdf", "report (PDF)"),
                              ("scp_metrics_tables_*.xlsx", "workbook"), ("mart_*.csv", "mart CSVs")):
            found = sorted(out.glob(pattern))
            if found:
                say(f"  {what}: {found[0] if len(found) == 1 else f'{len(found)} files in {out}'}")
        charts = sorted((out / "charts").glob("*.png"))
        if charts:
            say(f"  chart pack: {len(charts)} charts (PNG and SVG) in {out / 'charts'}")
    say(f"Warehouse: {summary.warehouse} ({summary.seconds:.1f} s)")
    return 1 if summary.quarantined else 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from scp_metrics.warehouse import connect

    settings = get_settings(warehouse=args.warehouse)
    try:
        con = connect(settings.warehouse, read_only=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    where, params = ["1 = 1"], []
    for column, value in (("area_code", args.area), ("indicator_id", args.indicator),
                          ("period_type", args.period_type)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if args.period_end:
        where.append("strftime(period_end, '%Y-%m') = ?")
        params.append(args.period_end)
    try:
        frame = con.execute(
            f"select * from mart_indicator_values where {' and '.join(where)} "
            "order by indicator_id, area_code, period_type, period_start, period_end", params).df()
        from scp_metrics.warehouse.marts.recording_breaks import break_messages

        breaks = break_messages(con, frame["indicator_id"].tolist(), frame["area_code"].tolist())
    finally:
        con.close()
    if frame.empty:
        raise UserError("no indicator values match those options")
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
        for message in breaks:  # never mixed into the CSV
            err.print(f"WARNING {message}", markup=False)
        return 0
    shown = frame[["indicator_id", "area_name", "period_type", "period_start", "period_end",
                   "numerator", "denominator", "value", "unit", "ci95_lower", "ci95_upper",
                   "change_pct", "change_verdict"]].copy()
    if len(shown) > args.max_rows:
        say(f"{len(shown)} rows; showing the last {args.max_rows} (use --format csv for all)")
        shown = shown.tail(args.max_rows)
    print_frame(shown, "table")
    say("ci95: 95% confidence interval (rates and counts: PHE method, exact below 10 events; "
        "percentages: Wilson; survey: Wilson on the Kish effective size); change_pct: against "
        "the same period a year earlier; change_verdict: Poisson test (rates, counts) or "
        "two-proportion z test (percentages) at 95%.")
    for message in breaks:
        say(f"WARNING {message}")
    return 0


#: Modules that add sub-commands: each has ``register(subparsers)`` (keeps this file small).
COMMAND_MODULES: list[str] = ["scp_metrics.cli.spc", "scp_metrics.cli.quality",
                              "scp_metrics.cli.rank", "scp_metrics.cli.targets",
                              "scp_metrics.cli.history", "scp_metrics.cli.report",
                              "scp_metrics.cli.charts"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scp-metrics",
        description="Performance indicators for Community Safety Partnerships.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample", help="write the embedded synthetic sample extracts")
    p.add_argument("--out", help="folder (default: data/raw/sample or $SCP_RAW_DIR)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("validate", help="check files against their schemas without loading")
    p.add_argument("files", nargs="+")
    p.add_argument("--max-rows", type=int, default=30, help="problems to list per file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("refresh", help="run the quarterly refresh (the Prefect flow)")
    p.add_argument("--raw-dir")
    p.add_argument("--warehouse")
    p.add_argument("--engine", choices=["prefect", "local"], default="prefect",
                   help="prefect: run the flow (default); local: same steps without Prefect")
    p.add_argument("--force", action="store_true",
                   help="rebuild the marts even if nothing is new, recomputing every series")
    p.add_argument("--wait", type=float, default=300.0, metavar="SECONDS",
                   help="if another refresh holds the warehouse, wait this long "
                        "(default 300; 0: exit at once)")
    p.add_argument("--no-publish", action="store_true",
                   help="load and build the marts only: no CSVs, charts, report or workbook")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("indicators", help="show indicator values from the warehouse")
    p.add_argument("--area", help="ONS area code, e.g. E06000045")
    p.add_argument("--indicator", help="indicator id, e.g. all_crime")
    p.add_argument("--period-type", choices=["month", "quarter", "fytd", "financial_year",
                                             "rolling_12m", "survey"])
    p.add_argument("--period-end", help="YYYY-MM: only periods ending in that month")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--max-rows", type=int, default=40)
    p.set_defaults(func=cmd_indicators)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into sentences
        if args.debug:
            raise
        from scp_metrics.steps import RefreshLocked

        known = (UserError, RefreshLocked, FileNotFoundError, PermissionError)
        message = str(exc) if isinstance(exc, known) else f"{type(exc).__name__}: {exc}"
        err.print(f"error: {message}" + ("" if isinstance(exc, known)
                                         else " (run with --debug for the traceback)"),
                  markup=False)
        return 2
