"""The ``scp-metrics`` command line.

Each command lives in its module with a ``register(subparsers)``; :func:`main` reads the settings
once (the environment, and ``--raw-dir`` / ``--warehouse`` where a command has them) and hands
them to the command. Errors are one clear sentence (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from scp_metrics.cli import (
    charts,
    extracts,
    history,
    indicators,
    plan,
    quality,
    rank,
    refresh,
    report,
    spc,
    targets,
)
from scp_metrics.cli.common import UserError, err
from scp_metrics.settings import get_settings

#: The command modules, in the order ``--help`` lists their commands.
COMMAND_MODULES = (extracts, refresh, indicators, spc, quality, rank, targets, history, report,
                   charts, plan)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scp-metrics",
        description="Performance indicators for Community Safety Partnerships.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
        from scp_metrics.steps import PublishFailed, RefreshLocked

        known = (UserError, RefreshLocked, PublishFailed, FileNotFoundError, PermissionError)
        message = str(exc) if isinstance(exc, known) else f"{type(exc).__name__}: {exc}"
        err.print(f"error: {message}" + ("" if isinstance(exc, known)
                                         else " (run with --debug for the traceback)"),
                  markup=False)
        return 2
