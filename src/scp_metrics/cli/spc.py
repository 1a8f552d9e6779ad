"""``scp-metrics spc`` and ``scp-metrics trend``: the SPC chart table and the underlying trend.

Both read the marts (``mart_spc``, ``mart_trends``) from the warehouse; nothing is recomputed.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

import numpy as np
import pandas as pd
from rich.table import Table

from scp_metrics.cli.common import UserError, console, print_frame, say, write_csv
from scp_metrics.config.spc import SpcBaseline, read_spc_baseline
from scp_metrics.settings import Settings
from scp_metrics.stats.spc import variation_label
from scp_metrics.stats.spc_series import RUN_CHART

VARIATION_TEXT = {
    "common_cause": "common cause",
    "special_cause_improvement": "special cause improvement",
    "special_cause_concern": "special cause concern",
    "special_cause_neutral_high": "special cause, high (neutral indicator)",
    "special_cause_neutral_low": "special cause, low (neutral indicator)",
}


def _table(settings: Settings, table: str, **equal: Any) -> pd.DataFrame:
    """The rows of mart ``table`` whose columns equal ``equal``, through the publish reader."""
    from scp_metrics.publish.reader import MartReader

    try:
        reader = MartReader.open(settings.warehouse)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    with reader:
        if not reader.has(table):
            raise UserError(f"the warehouse at {settings.warehouse} has no {table} yet: run "
                            "'scp-metrics refresh --force' to build it")
        return reader.table(table, **equal)


def _no_series(
    settings: Settings, table: str, what: str, indicator: str | None, area: str
) -> UserError:
    """One sentence saying which series do exist for the area."""
    have = sorted(_table(settings, table, area_code=area)["indicator_id"].unique())
    if not have:
        areas = sorted(_table(settings, table)["area_code"].unique())
        return UserError(f"area {area} has no {what} (areas that have: "
                         f"{', '.join(areas) or 'none'})")
    return UserError(f"no {what} for indicator {indicator!r} in area {area} "
                     f"(indicators there: {', '.join(have)})")


def _pct(value: Any) -> str:
    return f"{value:+.1f}%"


def _limits_text(frame: pd.DataFrame, latest: pd.Series, baseline: SpcBaseline) -> str:
    """How the latest limits group's limits are set: a run chart, trial limits or a baseline."""
    group = frame[frame["rebase_group"] == latest["rebase_group"]]
    points = int(group["value"].notna().sum())
    start = pd.Timestamp(group["period_start"].iloc[0])
    if latest.get("chart_type") == RUN_CHART:
        return (f"; a run chart: only {points} points since {start:%Y-%m}, fewer than the "
                f"{baseline.minimum_points} needed for process limits")
    if baseline.baseline_points is None:
        return f"; limits from all {points} points since {start:%Y-%m}"
    if points < baseline.baseline_points:
        return (f"; trial limits from only {points} points since {start:%Y-%m}, revised with "
                f"each point until {baseline.baseline_points}")
    end = pd.Timestamp(latest["baseline_end"])
    return (f"; limits fixed on the {baseline.baseline_points}-point baseline {start:%Y-%m} to "
            f"{end:%Y-%m} and extended")


def spc_summary(frame: pd.DataFrame, indicator: str, area: str,
                baseline: SpcBaseline | None = None) -> str:
    """One line: the latest point's variation, its rule, the direction, any rebasing, how the
    limits are set and the suggested recalculation points (not applied)."""
    label = variation_label(frame)
    if label is None:
        return f"Variation ({indicator}, {area}): no values."
    latest = frame[frame["value"].notna()].iloc[-1]
    rule = "" if latest["rule"] == "none" else f" ({latest['rule']} rule)"
    starts = pd.to_datetime(frame.groupby("rebase_group")["period_start"].min().iloc[1:])
    rebased = (f"; limits rebased at {', '.join(f'{d:%Y-%m-%d}' for d in starts)} (series break)"
               if len(starts) else "")
    limits = _limits_text(frame, latest, baseline or SpcBaseline())
    suggested = pd.to_datetime(frame.loc[frame["suggested_recalculation"].notna(), "period_start"])
    shifts = (f"; suggested recalculation points (sustained shifts, not applied): "
              f"{', '.join(f'{d:%Y-%m}' for d in suggested)}" if len(suggested) else "")
    return (f"Variation ({indicator}, {area}, latest point "
            f"{pd.Timestamp(latest['period_start']):%Y-%m}): {VARIATION_TEXT.get(label, label)}"
            f"{rule}; improvement is a {latest['improvement']}{rebased}{limits}{shifts}.")


def _print_spc_table(shown: pd.DataFrame) -> None:
    """Numbers right-aligned with enough decimals for small monthly rates (3 significant
    figures of the largest value, at least 2 decimals)."""
    numbers = ["value", "mean", "lpl", "upl"]
    biggest = float(np.nanmax(np.abs(shown[numbers].to_numpy(dtype=float)), initial=0.0))
    decimals = 2 if biggest <= 0 else max(2, 2 - math.floor(math.log10(biggest)))
    table = Table(show_lines=False)
    for col in shown.columns:
        table.add_column(col, justify="right" if col in numbers or col == "group" else "left")
    for row in shown.itertuples(index=False):
        cells = []
        for col, value in zip(shown.columns, row, strict=True):
            if col in numbers:
                cells.append("" if pd.isna(value) else f"{value:,.{decimals}f}")
            else:
                cells.append(str(value))
        table.add_row(*cells)
    console.print(table)


def cmd_spc(args: argparse.Namespace, settings: Settings) -> int:
    frame = _table(settings, "mart_spc", indicator_id=args.indicator, area_code=args.area)
    frame = frame.sort_values("period_start", kind="stable", ignore_index=True)
    if frame.empty:
        raise _no_series(settings, "mart_spc", "monthly SPC series", args.indicator,
                         args.area)
    shown = frame[["period_start", "value", "mean", "lpl", "upl", "special_cause_flag",
                   "point_type", "rule", "rebase_group", "chart_type",
                   "suggested_recalculation"]].rename(columns={
                       "period_start": "month", "special_cause_flag": "flag",
                       "rebase_group": "group", "chart_type": "chart",
                       "suggested_recalculation": "suggested"})
    shown["month"] = pd.to_datetime(shown["month"]).dt.strftime("%Y-%m")
    line = spc_summary(frame, args.indicator, args.area, read_spc_baseline(settings.config_dir))
    if args.format == "csv":
        write_csv(shown)
        print(line, file=sys.stderr)  # stdout stays a clean CSV
        return 0
    shown["flag"] = shown["flag"].map({True: "yes", False: ""})
    notes = shown["suggested"]
    shown["suggested"] = notes.notna().map({True: "recalculate?", False: ""})
    _print_spc_table(shown)
    say(line)
    for month, text in zip(shown["month"], notes, strict=True):
        if pd.notna(text):
            say(f"{month}: {text}")
    return 0


def _trend_sentence(row: pd.Series) -> str:
    start, end = pd.Timestamp(row["window_start"]), pd.Timestamp(row["window_end"])
    window = f"{start:%Y-%m} to {end:%Y-%m}" if pd.notna(start) else "no months"
    cut = (f"; window cut at the series break of {pd.Timestamp(row['break_date']):%Y-%m-%d} "
           f"({row['break_reason']})"
           if row["break_warning"] else "")
    est = row["annual_change_pct"]
    if est is None or (isinstance(est, float) and math.isnan(est)):
        return (f"{row['indicator_id']} ({row['area_code']}): {row['verdict']}, "
                f"{row['method']} ({row['n_months']} months, {window}){cut}.")
    return (f"{row['indicator_id']} ({row['area_code']}): underlying change "
            f"{_pct(est)} a year (95% CI {_pct(row['ci95_lower_pct'])} to "
            f"{_pct(row['ci95_upper_pct'])}), {row['verdict']}; {row['method']}, dispersion "
            f"{row['dispersion']:.2f}, {row['n_months']} months {window}{cut}.")


def cmd_trend(args: argparse.Namespace, settings: Settings) -> int:
    equal = {"area_code": args.area}
    if args.indicator:
        equal["indicator_id"] = args.indicator
    frame = _table(settings, "mart_trends", **equal)
    frame = frame.sort_values("indicator_id", kind="stable", ignore_index=True)
    if frame.empty:
        raise _no_series(settings, "mart_trends", "trend (rates and counts only)",
                         args.indicator, args.area)
    if args.format == "csv":
        write_csv(frame)
        return 0
    shown = pd.DataFrame({
        "indicator": frame["indicator_id"],
        "window": [f"{pd.Timestamp(a):%Y-%m}..{pd.Timestamp(b):%Y-%m}" if pd.notna(a) else ""
                   for a, b in zip(frame["window_start"], frame["window_end"], strict=True)],
        "months": frame["n_months"],
        "change %/yr": frame["annual_change_pct"],
        "ci95 lower": frame["ci95_lower_pct"],
        "ci95 upper": frame["ci95_upper_pct"],
        "dispersion": frame["dispersion"],
        "method": frame["method"],
        "verdict": frame["verdict"],
        "break": frame["break_warning"].map({True: "cut at break", False: ""}),
    })
    print_frame(shown, "table")
    for _, row in frame.iterrows():
        say(_trend_sentence(row))
    say("Underlying change: exp(12·β) − 1 from a seasonal (month-of-year) log-linear model of "
        "the monthly counts (population offset for rates) over the last 36 months, never "
        "across a series break; negative binomial when Pearson χ²/df > 1.5.")
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("spc", help="Making Data Count XmR table of a monthly series")
    p.add_argument("--indicator", required=True, help="indicator id, e.g. all_crime")
    p.add_argument("--area", required=True, help="ONS area code, e.g. E06000045")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(func=cmd_spc)

    p = subparsers.add_parser("trend", help="underlying annual %% change of a monthly series")
    p.add_argument("--indicator", help="indicator id (default: every indicator in the area)")
    p.add_argument("--area", required=True, help="ONS area code, e.g. E06000045")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(func=cmd_trend)
