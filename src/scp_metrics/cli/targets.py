"""``scp-metrics project`` (targets as of a month) and ``scp-metrics backtest``.

Both read the warehouse built by a refresh and compute on the fly: ``project`` for any as-of month
(the refresh stores only the latest in ``mart_target_tracking``), ``backtest`` over every
monthly count or rate series.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import Any

import pandas as pd

from scp_metrics.cli.common import UserError, say, write_csv
from scp_metrics.config.targets import FALLBACK_ORDER
from scp_metrics.settings import Settings
from scp_metrics.targets.projections import fy_label
from scp_metrics.targets.wording import probability_text

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


def _connect(settings: Settings) -> Any:
    """The warehouse, read-only (an open connection the warehouse functions take; no SQL here)."""
    from scp_metrics.warehouse import connect_warehouse

    try:
        return connect_warehouse(settings, read_only=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None


def _pool(con: Any, indicator: str | None,
          area: str | None) -> tuple[dict, list[tuple[str, str]]]:
    """The backtest's pool (every monthly count or rate series of the areas concerned) and the
    keys asked for (``indicator`` and ``area`` filter those, never the pool)."""
    from scp_metrics.warehouse.marts.target_tracking import load_pool, monthly_series

    wanted = [key for key in monthly_series(con, area) if indicator in (None, key[0])]
    return load_pool(con, [a for _, a in wanted]), sorted(wanted)


def series_projections(key: tuple[str, str], pool: dict, as_of: object,
                       warehouse: Any = None, fallback: tuple[str, ...] = FALLBACK_ORDER
                       ) -> pd.DataFrame:
    """Every method's projection of one monthly count series of ``pool`` (no target),
    calibrated on the backtest of the pool's earlier years (memoised beside ``warehouse``)."""
    from scp_metrics.targets.calibration import MIN_ERRORS
    from scp_metrics.targets.evaluation import evaluate
    from scp_metrics.targets.projections import fiscal_year, project_all

    month = pd.Period(as_of, "M")
    fy = fiscal_year(month)
    evaluation = evaluate(pool, fallback=fallback, warehouse=warehouse)
    chosen = evaluation.method_for(key, fy)
    rows = []
    for method, p in project_all(pool[key].counts, month, breaks=pool[key].breaks).items():
        errors = evaluation.errors(key[1], method, fy)
        if p.available and len(errors) >= MIN_ERRORS:
            p = p.calibrated(errors)
        lo80, hi80 = p.interval(0.80)
        lo95, hi95 = p.interval(0.95)
        verdict = evaluation.verdict(key, method, fy)
        rows.append({"method": method, "year": fy_label(fy), "as_of": str(month),
                     "months_observed": len(p.observed_months),
                     "months_missing": ", ".join(map(str, p.missing_months)),
                     "ytd": p.ytd, "projected_year_end": p.point, "lower_80": lo80,
                     "upper_80": hi80, "lower_95": lo95, "upper_95": hi95,
                     "calibration_80": p.calibration_80, "calibration": p.calibration,
                     "chosen": method == chosen,
                     "backtest": "passed" if verdict.passed else
                     "not tested" if verdict.passed is None else "failed",
                     "note": p.note})
    return pd.DataFrame(rows)


def _project_series(args: argparse.Namespace, settings: Settings) -> int:
    con = _connect(settings)
    area = args.area or settings.home_area
    try:
        pool, wanted = _pool(con, args.indicator, area)
    finally:
        con.close()
    if not wanted:
        raise UserError(f"no monthly count or rate values for {args.indicator} in {area}")
    frame = series_projections(wanted[0], pool, args.as_of, warehouse=settings.warehouse,
                               fallback=_fallback(settings))
    if args.format == "csv":
        write_csv(frame)
        return 0
    print(markdown(frame.drop(columns=["note"]), digits=0))
    for row in frame.itertuples(index=False):
        say(f"{row.method}: {row.note or 'ok'}")
    say(f"{args.indicator} in {area}: monthly counts (numerators). Intervals: each method's own "
        "(Poisson noise for pro_rata, seasonal_share, carry_forward; simulation for the models), "
        "calibrated on the backtest's earlier out-of-sample errors of that method in the area "
        "(calibration_80 / calibration: calibrated ÷ raw half-width; empty = not calibrated, "
        "too few earlier errors). backtest: the method's accuracy test on this indicator; "
        "'failed' or 'not tested' = treat as indicative.")
    return 0


def _fallback(settings: Settings) -> tuple[str, ...]:
    """``[projection] fallback_order`` of ``config/targets.toml`` (the default without one)."""
    from scp_metrics.config.targets import FALLBACK_ORDER, load_targets

    try:
        return load_targets(settings.config_dir).fallback_order
    except FileNotFoundError:
        return FALLBACK_ORDER
    except ValueError as exc:
        raise UserError(str(exc)) from None


def data_to_lines(labels: Mapping[str, tuple[Any, str]], indicators: list[str]) -> list[str]:
    """"police data to Dec 2009: all_crime, vap" per label, for ``indicators`` (in order)."""
    grouped: dict[str, list[str]] = {}
    for indicator in dict.fromkeys(indicators):
        if indicator in labels:
            grouped.setdefault(labels[indicator][1], []).append(indicator)
    return [f"{label}: {', '.join(names)}" for label, names in grouped.items()]


def cmd_project(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.warehouse.marts.indicator_as_of import home_months
    from scp_metrics.warehouse.marts.target_tracking import track_targets

    if args.as_of is not None:
        try:
            pd.Period(args.as_of, "M")
        except ValueError:
            raise UserError(f"--as-of {args.as_of!r} is not a month (YYYY-MM)") from None
    if args.indicator:
        if args.as_of is None:
            raise UserError("--indicator needs --as-of YYYY-MM")
        return _project_series(args, settings)
    con = _connect(settings)
    try:
        frame = track_targets(con, settings, args.as_of)
        labels = home_months(con, settings.home_area)
    finally:
        con.close()
    if args.target:
        frame = frame[frame["target_id"].isin(args.target)]
        if frame.empty:
            raise UserError(f"no target {', '.join(args.target)} in config/targets.toml")
    if args.format == "csv":
        write_csv(frame)
        return 0
    shown = frame[PROJECT_COLUMNS + CONTEXT_COLUMNS + (EXTRA_COLUMNS if args.wide else [])].copy()
    shown["as_of"] = [str(d)[:7] for d in shown["as_of"]]
    for column in [c for c in shown.columns if c.startswith("probability")]:
        shown[column] = [probability_text(v, missing="") for v in shown[column]]
    shown.insert(shown.columns.get_loc("projected_year_end") + 1, "caveat",
                 frame["projection_caveat"].fillna("").astype(str).to_numpy())
    print(markdown(shown))
    for row in frame.itertuples(index=False):
        say(f"{row.target_id}: {row.note}")
    say("Each indicator is judged at its own latest complete month (as_of)"
        + (f", no later than {args.as_of}" if args.as_of else "") + ":")
    for line in data_to_lines(labels, [str(i) for i in frame["indicator_id"]]):
        say(f"  {line}")
    say("Values in the indicator's unit (rates per 1,000 residents unless stated; the stretch "
        "target in offences). trajectory/actual: year to date; projected_year_end: the end of "
        "assessed_period, with its 80% and 95% intervals calibrated on the backtest's earlier "
        "out-of-sample errors; caveat: why a projection is only indicative; target_value: the "
        "plan's target for its own year; milestone_value: the assessed year's point on the "
        "straight line from the baseline to it; probability_met: of meeting the milestone, from "
        "the calibrated predictive distribution (shown as <1% or >99% at the extremes: a few "
        "hundred earlier errors cannot support certainty); rag: year-to-date actual against "
        "trajectory.")
    return 0


def cmd_backtest(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.targets.backtest import ORIGINS
    from scp_metrics.targets.evaluation import SUMMARY_COLUMNS, evaluate

    try:
        origins = ORIGINS if not args.origins else tuple(int(x) for x in args.origins.split(","))
    except ValueError:
        raise UserError("--origins are month numbers of the financial year, e.g. 3,6,9") from None
    if any(not 1 <= o <= 11 for o in origins):
        raise UserError("--origins are month numbers of the financial year, 1 (April) to 11")
    con = _connect(settings)
    try:
        pool, wanted = _pool(con, args.indicator, args.area)
    finally:
        con.close()
    if not wanted:
        raise UserError("no monthly count or rate series match those options")
    started = time.monotonic()
    evaluation = evaluate(pool, origins, _fallback(settings), warehouse=settings.warehouse)
    table = pd.concat([evaluation.summary(key) for key in wanted],
                      ignore_index=True)[SUMMARY_COLUMNS]
    if args.format == "csv":
        write_csv(table, float_format="%.4f")
        return 0
    print(markdown(table[table["n"] > 0]))
    skipped = []
    for key in wanted:
        rows = evaluation.rows[(evaluation.rows["indicator_id"] == key[0])
                               & (evaluation.rows["area_code"] == key[1])]
        if rows.empty or not evaluation.summary(key)["n"].any():
            skipped.append(f"{key[0]} {key[1]}")
            continue
        fy = int(rows["fy"].max()) + 1
        method = evaluation.method_for(key, fy)
        say(f"{key[0]} {key[1]}: for {fy_label(fy)} {method} "
            f"({evaluation.choice(key, fy).reason}); {evaluation.verdict(key, method, fy).text}")
    if skipped:
        say(f"Not scored (no complete financial year where every method projects, after one "
            f"to calibrate on): {len(skipped)} series, e.g. {', '.join(skipped[:5])}")
    acceptance = evaluation.acceptance(wanted)
    if acceptance is not None:
        say(acceptance.text)
    say(f"mape, bias_pct, coverage_80/95 and interval_score (mean of the 80% and 95% interval "
        f"scores, % of the outturn) in % over n projections out of sample (origins: month-ends "
        f"{','.join(map(str, origins))} of each year; each year calibrated on earlier years "
        f"only); {time.monotonic() - started:.1f} s.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("project", help="targets as of a month: trajectory, RAG, year-end "
                                       "projection with intervals, probability of meeting")
    p.add_argument("--as-of", help="YYYY-MM: the last month of data to use (default: each "
                                   "indicator's own latest complete month)")
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
                                        "(rolling origins), calibrate the intervals and choose "
                                        "the method per indicator family")
    p.add_argument("--warehouse")
    p.add_argument("--indicator", help="only this indicator id")
    p.add_argument("--area", help="only this ONS area code")
    p.add_argument("--origins", help="month-ends to project from, e.g. 3,6,9 (default 1..11)")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(func=cmd_backtest)
