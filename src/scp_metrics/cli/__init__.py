"""The ``scp-metrics`` command line.

Each command lives in its module with a ``register(subparsers)``; :func:`main` reads the settings
once (the environment, and ``--raw-dir`` / ``--warehouse`` where a command has them) and hands
them to the command. Errors are one clear sentence (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from scp_metrics.cli.common import UserError, err
from scp_metrics.settings import get_settings

#: The command modules, in the order ``--help`` lists their commands.
COMMAND_MODULES = ("extracts", "refresh", "indicators", "spc", "quality", "rank", "targets",
                   "history", "report", "charts", "plan", "check")
#: Each command and the module that registers it: a command line naming one imports only that
#: module (importing every command's dependencies, scipy and statsmodels among them, cost
#: 2-5 s of every command, most of a repeated ``make demo``). ``tests/unit/cli`` checks the
#: table against what the modules register.
COMMANDS = {"sample": "extracts", "validate": "extracts", "refresh": "refresh",
            "indicators": "indicators", "spc": "spc", "trend": "spc", "quality": "quality",
            "rank": "rank", "project": "targets", "backtest": "targets", "history": "history",
            "restore": "history", "report": "report", "workbook": "report", "charts": "charts",
            "plan": "plan", "check": "check", "backup": "check"}


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The command named on the command line (the first word that is not an option)."""
    import sys

    words = list(sys.argv[1:] if argv is None else argv)
    return next((w for w in words if not w.startswith("-")), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` alone when it is a known one (the other
    commands' modules are then not imported)."""
    parser = argparse.ArgumentParser(
        prog="scp-metrics",
        description="Performance indicators for Community Safety Partnerships.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(f"scp_metrics.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser(_command_in(argv)).parse_args(argv)
    try:
        settings = get_settings(raw_dir=getattr(args, "raw_dir", None),
                                warehouse=getattr(args, "warehouse", None),
                                outputs_dir=getattr(args, "outputs", None))
        return int(args.func(args, settings))
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into sentences
        if args.debug:
            raise
        from scp_metrics.steps import PublishFailed, RefreshLocked, SnapshotFailed
        from scp_metrics.warehouse.connection import WarehouseDamaged, explain

        known: tuple[type[BaseException], ...] = (
            UserError, RefreshLocked, PublishFailed, FileNotFoundError, PermissionError,
            SnapshotFailed, WarehouseDamaged)
        cause = None if isinstance(exc, known) else explain(exc)  # disk full, damaged file
        message = str(exc) if isinstance(exc, known) else cause or f"{type(exc).__name__}: {exc}"
        known += (type(exc),) if cause else ()
        err.print(f"error: {message}" + ("" if isinstance(exc, known)
                                         else " (run with --debug for the traceback)"),
                  markup=False)
        return 2


def entry() -> None:
    """The ``scp-metrics`` console script: :func:`main`, then exit with its status.

    Once the command has said everything it has to say, the interpreter's teardown may write to
    stderr things no user can act on: after a Prefect run (whose daemon threads outlive the
    command) DuckDB's bindings print about 40 lines of nanobind "leaked instance" notices, which
    the nanobind documentation calls benign at shutdown. So stderr is closed once the command
    has returned and flushed; everything the command printed, errors included, came before.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    sys.exit(code)
