"""``scp-metrics project`` (targets as of a month) and ``scp-metrics backtest``.

Both read the warehouse built by a refresh and compute on the fly: ``project`` for any as-of month
(the refresh stores only the latest in ``mart_target_tracking``), ``backtest`` over every
monthly count or rate series.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import duckdb
import pandas as pd

from scp_metrics.cli.common import UserError, say
from scp_metrics.settings import Settings

PROJECT_COLUMNS = [
    "target_id", "indicator_id", "area_code", "as_of", "trajectory_value", "actual_value",
    "projected_year_end", "projection_lower_80", "projection_upper_80", "projection_lower_95",
    "projection_upper_95", "method", "target_value", "rag", "probability_met",
]
CONTEXT_COLUMNS = ["assessed_period", "milestone_value"]
EXTRA_COLUMNS = ["target_year_projection", "target_year_lower_95", "target_year_upper_95",
                 "probability_met_target_year", "without_stretch", "stretch_pct_achieved",
                 "reward_max_gbp", "reward_implied", "probability_reward", "assurance"]


def markdown(frame: pd.DataFrame, digits: int = 2) -> str:
    """A pipe table (readable in a terminal, pastes into Markdown); numbers rounded."""
    def cell(v: object) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return ""
        if isinstance(v, bool):
            return "yes" if v else ""
        if isinstance(v, float):
            return f"{v:,.{digits}f}"
        return str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(frame[c])
                          and not pd.api.types.is_bool_dtype(frame[c]) else "---"
                          for c in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    from scp_metrics.warehouse import connect_warehouse

    try:
        return connect_warehouse(settings, read_only=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None


def monthly_series(con: duckdb.DuckDBPyConnection, indicator: str | None = None,
                   area: str | None = None) -> dict[tuple[str, str], pd.Series]:
    """Monthly numerators of every count or rate indicator, per (indicator, area)."""
    where, params = ["m.period_type = 'month'", "r.measure in ('rate', 'count')"], []
    for column, value in (("m.indicator_id", indicator), ("m.area_code", area)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    frame = con.execute(
        "select m.indicator_id, m.area_code, m.period_start, m.numerator "
        "from mart_indicator_values as m join ref_indicators as r using (indicator_id) "
        f"where {' and '.join(where)} order by all", params).df()
    return {key: pd.Series(g["numerator"].to_numpy(dtype=float),
                           index=pd.DatetimeIndex(pd.to_datetime(g["period_start"])))
            for key, g in frame.groupby(["indicator_id", "area_code"], sort=True)}


def series_projections(series: pd.Series, as_of: object, breaks: tuple = (),
                       warehouse: Any = None) -> pd.DataFrame:
    """Every method's projection of one monthly count series (no target), calibrated (back-tests
    memoised beside ``warehouse`` when given)."""
    from scp_metrics.targets.backtest import choice_for, dispersion_factor
    from scp_metrics.targets.projections import fiscal_year, fy_label, project_all

    month = pd.Period(as_of, "M")
    fy = fiscal_year(month)
    choice, raw = choice_for(series, before_fy=fy, breaks=breaks, warehouse=warehouse)
    rows = []
    for method, p in project_all(series, month, breaks=breaks).items():
        p = p.calibrated(dispersion_factor(raw, method, fy)) if p.available else p
        lo80, hi80 = p.interval(0.80)
        lo95, hi95 = p.interval(0.95)
        rows.append({"method": method, "year": fy_label(fy), "as_of": str(month),
                     "months_observed": len(p.observed_months),
                     "months_missing": ", ".join(map(str, p.missing_months)),
                     "ytd": p.ytd, "projected_year_end": p.point, "lower_80": lo80,
                     "upper_80": hi80, "lower_95": lo95, "upper_95": hi95,
                     "calibration": p.calibration, "chosen": method == choice.chosen,
                     "note": p.note})
    return pd.DataFrame(rows)


def _project_series(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.warehouse.marts.target_tracking import series_breaks

    con = _connect(settings)
    area = args.area or settings.home_area
    try:
        found = monthly_series(con, args.indicator, area)
        breaks = series_breaks(con, args.indicator, area)
    finally:
        con.close()
    if not found:
        raise UserError(f"no monthly count or rate values for {args.indicator} in {area}")
    frame = series_projections(found[(args.indicator, area)], args.as_of, breaks,
                               warehouse=settings.warehouse)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
        return 0
    print(markdown(frame.drop(columns=["note"]), digits=0))
    for row in frame.itertuples(index=False):
        say(f"{row.method}: {row.note or 'ok'}")
    say(f"{args.indicator} in {area}: monthly counts (numerators). Intervals: each method's own "
        "(Poisson noise for pro_rata, seasonal_share, carry_forward), widened by the backtest's "
        "calibration; calibration 1 = not widened (fewer than 6 errors from earlier complete "
        "years to calibrate on).")
    return 0


def cmd_project(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.warehouse.marts.target_tracking import track_targets

    try:
        pd.Period(args.as_of, "M")
    except ValueError:
        raise UserError(f"--as-of {args.as_of!r} is not a month (YYYY-MM)") from None
    if args.indicator:
        return _project_series(args, settings)
    con = _connect(settings)
    try:
        frame = track_targets(con, settings, args.as_of)
    finally:
        con.close()
    if args.target:
        frame = frame[frame["target_id"].isin(args.target)]
        if frame.empty:
            raise UserError(f"no target {', '.join(args.target)} in config/targets.toml")
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
        return 0
    shown = frame[PROJECT_COLUMNS + CONTEXT_COLUMNS + (EXTRA_COLUMNS if args.wide else [])].copy()
    shown["as_of"] = [str(d)[:7] for d in shown["as_of"]]
    print(markdown(shown))
    for row in frame.itertuples(index=False):
        say(f"{row.target_id}: {row.note}")
    say("Values in the indicator's unit (rates per 1,000 residents unless stated; the stretch "
        "target in offences). trajectory/actual: year to date; projected_year_end: the end of "
        "assessed_period; target_value: the plan's target for its own year; milestone_value: the "
        "assessed year's point on the straight line from the baseline to it; probability_met: of "
        "meeting the milestone; rag: year-to-date actual against trajectory.")
    return 0


def cmd_backtest(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.targets.backtest import ORIGINS, backtest_frame
    from scp_metrics.warehouse.marts.target_tracking import series_breaks

    origins = ORIGINS if not args.origins else tuple(int(x) for x in args.origins.split(","))
    if any(not 1 <= o <= 11 for o in origins):
        raise UserError("--origins are month numbers of the financial year, 1 (April) to 11")
    con = _connect(settings)
    try:
        series = monthly_series(con, args.indicator, args.area)
        breaks = {key: series_breaks(con, *key) for key in series}
    finally:
        con.close()
    if not series:
        raise UserError("no monthly count or rate series match those options")
    started = time.monotonic()
    table, choices = backtest_frame(series, origins=origins, breaks_by_key=breaks,
                                    warehouse=settings.warehouse)
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, float_format="%.4f")
        return 0
    print(markdown(table[table["n"] > 0]))
    for (indicator, area), choice in choices.items():
        if choice.report_years:
            years = ", ".join(f"{y}/{(y + 1) % 100:02d}" for y in choice.report_years)
            say(f"{indicator} {area}: {choice.verdict} [reported on {years}]")
    skipped = sorted({f"{i} {a}" for (i, a), c in choices.items() if not c.report_years})
    if skipped:
        say(f"Not scoreable (no complete financial year where every method projects): "
            f"{len(skipped)} series, e.g. {', '.join(skipped[:5])}")
    say(f"mape, bias_pct, coverage_80/95 in % over n projections (origins: month-ends "
        f"{','.join(map(str, origins))} of each year); {time.monotonic() - started:.1f} s.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("project", help="targets as of a month: trajectory, RAG, year-end "
                                       "projection with intervals, probability of meeting")
    p.add_argument("--as-of", required=True, help="YYYY-MM: the last month of data to use")
    p.add_argument("--target", action="append", help="only this target id (repeatable)")
    p.add_argument("--indicator", help="instead of targets: every method's projection of this "
                                       "indicator's monthly counts (e.g. police_uk:all-crime)")
    p.add_argument("--area", help="with --indicator: ONS area code (default: the home area)")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--wide", action="store_true", help="table: add assessed period, milestone, "
                                                        "stretch and assurance columns")
    p.set_defaults(func=cmd_project)

    p = sub.add_parser("backtest", help="score every projection method on past financial years "
                                        "and choose the default method per indicator")
    p.add_argument("--warehouse")
    p.add_argument("--indicator", help="only this indicator id")
    p.add_argument("--area", help="only this ONS area code")
    p.add_argument("--origins", help="month-ends to project from, e.g. 3,6,9 (default 1..11)")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(func=cmd_backtest)
