"""``scp-metrics history`` and ``scp-metrics restore``: the load ledger, and bringing back a
superseded delivery (see :mod:`scp_metrics.warehouse.history` and ``docs/reliability.md``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from scp_metrics.cli.common import UserError, print_frame, say
from scp_metrics.settings import Settings
from scp_metrics.steps import DEFAULT_WAIT_SECONDS
from scp_metrics.warehouse.connection import WarehouseUnavailable


def _in_use(settings: Settings) -> UserError:
    return UserError(f"the warehouse {settings.warehouse} is in use (a refresh is running?); "
                     "try again when it finishes")


def _require_warehouse(settings: Settings) -> None:
    if not Path(settings.warehouse).exists():
        raise UserError(f"no warehouse at {settings.warehouse}: run 'scp-metrics refresh' first")


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.warehouse import connect_warehouse
    from scp_metrics.warehouse.history import HistoryError, history_frame

    _require_warehouse(settings)
    try:
        con = connect_warehouse(settings, read_only=True)
    except WarehouseUnavailable:
        raise _in_use(settings) from None
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


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.steps import restore
    from scp_metrics.warehouse.history import HistoryError

    _require_warehouse(settings)
    try:
        _, rows, folder = restore(settings, args.batch, publish=not args.no_publish,
                                  wait_seconds=args.wait, progress=say)
    except HistoryError as exc:
        raise UserError(str(exc)) from None
    except WarehouseUnavailable:
        raise _in_use(settings) from None
    if folder is not None:
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
