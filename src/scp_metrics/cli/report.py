"""``scp-metrics report`` and ``scp-metrics workbook``: what the board and the authors take away."""

from __future__ import annotations

import argparse
from pathlib import Path

from scp_metrics.cli.common import UserError, say
from scp_metrics.settings import Settings


def _as_of(value: str | None, settings: Settings) -> str:
    from scp_metrics.steps import latest_month

    as_of = value or latest_month(settings)
    if not as_of:
        raise UserError("the warehouse has no monthly data yet: run 'scp-metrics refresh' first")
    try:
        year, month = (int(x) for x in as_of.split("-"))
        assert 1 <= month <= 12 and 1990 < year < 2100
    except (ValueError, AssertionError):
        raise UserError(f"--as-of must be YYYY-MM, not {as_of!r}") from None
    return as_of


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.steps import Outputs, publish_report

    as_of = _as_of(args.as_of, settings)
    out = Path(args.out) if args.out else settings.outputs_dir / as_of
    if not any((out / "charts").glob("*.png")):
        say(f"No charts in {out / 'charts'}: drawing the ones the report embeds first "
            "(about a minute)")
    written = publish_report(settings, Outputs(out, as_of))
    say(f"Year-end projection report as of {as_of}:")
    for path in written:
        say(f"  {path.suffix.lstrip('.').upper():4} {path}")
    if not any(p.suffix == ".pdf" for p in written):
        say("  PDF  not written: WeasyPrint cannot run here; run 'make install' (the HTML is complete)")
    return 0


def cmd_workbook(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.steps import Outputs, publish_workbook

    as_of = _as_of(args.as_of, settings)
    out = Path(args.out) if args.out else settings.outputs_dir / as_of
    (path,) = publish_workbook(settings, Outputs(out, as_of))
    say(f"Workbook for Strategic Assessment authors: {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="write the year-end projection report (HTML and PDF)")
    p.add_argument("--as-of", help="YYYY-MM (default: the latest month in the warehouse)")
    p.add_argument("--out", help="folder (default: outputs/<as-of> beside the warehouse)")
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("workbook", help="write the Excel workbook of tables")
    p.add_argument("--as-of", help="YYYY-MM (default: the latest month in the warehouse)")
    p.add_argument("--out", help="folder (default: outputs/<as-of> beside the warehouse)")
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_workbook)
