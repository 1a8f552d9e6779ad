"""``scp-metrics charts``: draw any chart of an indicator on demand (PNG and SVG).

The refresh publishes the whole pack (:func:`scp_metrics.publish.charts.write_chart_pack`) to
``data/outputs/<as-of>/charts/``; this command draws one indicator's charts from the same
warehouse, e.g. for a Strategic Assessment author who needs a different month.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scp_metrics.cli.common import UserError, say
from scp_metrics.settings import Settings


def cmd_charts(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.publish.charts import CHART_KINDS, draw_charts, save_figure
    from scp_metrics.publish.charts.loaders import ChartDataMissing
    from scp_metrics.publish.reader import MartReader

    if not Path(settings.warehouse).exists():
        raise UserError(f"no warehouse at {settings.warehouse}: run 'scp-metrics refresh' first")
    area = args.area or settings.home_area
    out = Path(args.out) if args.out else settings.outputs_dir / "charts"
    kinds = [args.kind] if args.kind else list(CHART_KINDS)
    con = MartReader.open(settings.warehouse)
    try:
        if not con.has("ref_indicators"):
            raise UserError(f"the warehouse at {settings.warehouse} has no models yet: run "
                            "'scp-metrics refresh --force'")
        known = sorted(con.indicator_measures())
        if args.indicator not in known:
            raise UserError(f"unknown indicator {args.indicator!r} (known: {', '.join(known)})")
        as_of = args.as_of or con.latest_month(area)
        written: list[Path] = []
        skipped: list[str] = []
        for kind in kinds:
            try:
                figures = draw_charts(con, kind, args.indicator, area, as_of,
                                      settings.config_dir)
            except ChartDataMissing as exc:
                skipped.append(f"{kind}: {exc}")
                continue
            for name, fig in figures:
                written += save_figure(fig, out / name, args.formats)
    finally:
        con.close()
    if not written:
        raise UserError(f"no {' or '.join(kinds)} chart of {args.indicator} for {area}: "
                        + "; ".join(skipped))
    for path in written:
        say(f"wrote {path}")
    for line in skipped:
        say(f"skipped {line}")
    return 0


def _formats(text: str) -> list[str]:
    formats = [f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if bad or not formats:
        raise argparse.ArgumentTypeError("formats are png, svg or pdf, comma-separated")
    return formats


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "charts", help="draw an indicator's charts (SPC, trend, trajectory, ranking, funnel)")
    p.add_argument("--indicator", required=True, help="indicator id, e.g. all_crime")
    p.add_argument("--area", help="ONS area code (default: the home area, $SCP_HOME_AREA)")
    p.add_argument("--kind", choices=["spc", "trend", "trajectory", "ranking", "funnel"],
                   help="one kind of chart (default: every kind with data)")
    p.add_argument("--as-of", help="YYYY-MM: data up to the end of that month (default: latest)")
    p.add_argument("--out", help="folder for the files (default: <outputs>/charts)")
    p.add_argument("--warehouse", help="warehouse file (default: $SCP_WAREHOUSE)")
    p.add_argument("--formats", type=_formats, default=["png", "svg"],
                   help="comma-separated: png,svg (default) or pdf")
    p.set_defaults(func=cmd_charts)
