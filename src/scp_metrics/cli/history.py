"""``scp-metrics history`` and ``scp-metrics restore``: the load ledger, and bringing back a
superseded delivery (see :mod:`scp_metrics.warehouse.history` and ``docs/reliability.md``)."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from scp_metrics.cli.common import UserError, print_frame, say
from scp_metrics.settings import get_settings

DEFAULT_WAIT_SECONDS = 300.0


def _open(warehouse: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    from scp_metrics.warehouse import connect

    if not Path(warehouse).exists():
        raise UserError(f"no warehouse at {warehouse}: run 'scp-metrics refresh' first")
    try:
        return connect(warehouse, read_only=read_only)
    except duckdb.IOException:
        raise UserError(f"the warehouse {warehouse} is in use (a refresh is running?); try "
                        "again when it finishes") from None


def cmd_history(args: argparse.Namespace) -> int:
    from scp_metrics.warehouse.history import HistoryError, history_frame

    settings = get_settings(warehouse=args.warehouse)
    con = _open(settings.warehouse, read_only=True)
    try:
        frame = history_frame(con, args.source)
    except HistoryError as exc:
        raise UserError(str(exc)) from None
    finally:
        con.close()
    if frame.empty:
        say("The ledger is empty" + (f" for {args.source}" if args.source else "") + ".")
        return 0
    frame["superseded_by"] = frame["superseded_by"].astype("Int64")
    shown = frame[["batch_id", "source", "file_name", "period", "rows", "live_rows",
                   "archived_rows", "status", "superseded_by", "loaded_at"]]
    if args.format == "csv":
        print_frame(frame, "csv")
        return 0
    if len(shown) > args.max_rows:
        say(f"{len(shown)} batches; showing the last {args.max_rows} (use --format csv for all)")
        shown = shown.tail(args.max_rows)
    print_frame(shown, "table")
    superseded = frame[frame["status"] != "loaded"]
    if not superseded.empty:
        say(f"{len(superseded)} batch(es) superseded (their rows are kept in history): "
            "'scp-metrics restore BATCH' makes one live again.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from scp_metrics.steps import publish_outputs, warehouse_lock
    from scp_metrics.warehouse.build import build_models
    from scp_metrics.warehouse.history import HistoryError, record_marts_built, restore_batch

    settings = get_settings(warehouse=args.warehouse)
    if not settings.warehouse.exists():
        raise UserError(f"no warehouse at {settings.warehouse}: run 'scp-metrics refresh' first")
    with warehouse_lock(settings, args.wait, say):
        con = _open(settings.warehouse, read_only=False)
        try:
            try:
                outcome = restore_batch(con, args.batch)
            except HistoryError as exc:
                raise UserError(str(exc)) from None
            say(outcome.sentence())
            say("Rebuilding the marts …")
            rows = build_models(con, settings)
            record_marts_built(con)
        finally:
            con.close()
        if not args.no_publish:
            summary = (f"# Restore of batch {args.batch}\n\n{outcome.sentence()}\n\n"
                       + "\n".join(f"- {name}: {n:,} rows" for name, n in rows.items()) + "\n")
            folder = publish_outputs(settings, summary)
            say(f"Outputs written to {folder}")
    say(f"Marts rebuilt ({sum(rows.values()):,} rows). 'scp-metrics history' shows the ledger.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="list the load ledger: every batch, its status and "
                                       "what superseded it")
    p.add_argument("--source", help="only this source (e.g. police_crime)")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--max-rows", type=int, default=60)
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("restore", help="make a superseded batch live again and rebuild the marts")
    p.add_argument("batch", type=int, help="batch id (see 'scp-metrics history')")
    p.add_argument("--warehouse")
    p.add_argument("--wait", type=float, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                   help="wait this long for a running refresh to finish (default "
                        f"{DEFAULT_WAIT_SECONDS:g})")
    p.add_argument("--no-publish", action="store_true", help="do not rewrite data/outputs")
    p.set_defaults(func=cmd_restore)
