"""``scp-metrics check``: is the warehouse file whole and consistent? and ``scp-metrics backup``:
a verified copy of it (see ``docs/reliability.md``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from scp_metrics.cli.common import UserError, say
from scp_metrics.settings import Settings
from scp_metrics.steps import DEFAULT_WAIT_SECONDS, warehouse_lock
from scp_metrics.steps.snapshots import backup_target, copy_warehouse


def _require_warehouse(settings: Settings) -> None:
    if not Path(settings.warehouse).exists():
        raise UserError(f"no warehouse at {settings.warehouse}: run 'scp-metrics refresh' first")


def verify(path: Path) -> tuple[dict[str, str], list[str]]:
    """Every table of the warehouse at ``path`` read whole (DuckDB checks each block's checksum
    as it reads it) and the ledger checked against the raw tables: the tables' fingerprints and
    the problems found (root causes in one sentence each)."""
    from scp_metrics.warehouse.connection import (
        WarehouseDamaged,
        WarehouseFailure,
        WarehouseUnavailable,
        connect,
        explain,
        table_checksums,
    )
    from scp_metrics.warehouse.history import consistency_problems

    try:
        con = connect(path, read_only=True, memory_limit=None)
    except WarehouseDamaged as exc:
        return {}, [str(exc)]
    except WarehouseUnavailable as exc:
        raise UserError(explain(exc, path) or f"the warehouse {path} cannot be opened: {exc}"
                        ) from None
    try:
        try:
            sums = table_checksums(con)
        except WarehouseFailure as exc:
            return {}, [explain(exc, path) or f"a table cannot be read: {exc}"]
        return sums, consistency_problems(con)
    finally:
        con.close()


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    _require_warehouse(settings)
    sums, problems = verify(Path(settings.warehouse))
    if problems:
        for problem in problems:
            say(f"PROBLEM  {problem}")
        say(f"The warehouse {settings.warehouse} failed its check ({len(problems)} problem(s)).")
        return 1
    rows = sum(int(v.split(":", 1)[0]) for v in sums.values())
    say(f"OK  {settings.warehouse}: {len(sums)} tables, {rows:,} rows read whole (every block's "
        "checksum verified); the ledger agrees with the raw and history tables.")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.warehouse.connection import connect

    _require_warehouse(settings)
    target = backup_target(settings, Path(args.to) if args.to else None)
    with warehouse_lock(settings, args.wait, say):
        con = connect(settings.warehouse, memory_limit=None)
        try:
            con.execute("checkpoint")  # the write-ahead log folded in: one self-contained file
        finally:
            con.close()
        original, _ = verify(Path(settings.warehouse))
        try:
            copy_warehouse(Path(os.path.realpath(settings.warehouse)), target)
        except OSError as exc:
            cause = "no space left on the disk" if exc.errno == 28 else (exc.strerror or str(exc))
            raise UserError(f"the backup to {target} failed ({cause}); nothing was written: "
                            "free some space or choose another place with --to") from None
    copied, problems = verify(target)
    if problems or copied != original:
        target.unlink(missing_ok=True)
        raise UserError(f"the copy at {target} did not read back the same; it was deleted: "
                        "run 'scp-metrics check', then try again")
    size = target.stat().st_size
    say(f"Backed up to {target} ({size / 1e6:,.1f} MB, {len(copied)} tables verified). Restore "
        f"it by copying it over {settings.warehouse} when no refresh runs.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="verify the warehouse: every table read whole (block "
                                     "checksums) and the ledger consistent")
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("backup", help="a verified copy of the warehouse file (under the lock)")
    p.add_argument("--warehouse")
    p.add_argument("--to", help="a file or folder (default: <warehouse>.backups/)")
    p.add_argument("--wait", type=float, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                   help="wait this long for a running refresh to finish (default "
                        f"{DEFAULT_WAIT_SECONDS:g})")
    p.set_defaults(func=cmd_backup)
