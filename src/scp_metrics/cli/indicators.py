"""``scp-metrics indicators``: indicator values with 95% intervals and the significance of the
change on the same period a year earlier (``mart_indicator_values``)."""

from __future__ import annotations

import argparse

from scp_metrics.cli.common import UserError, err, print_frame, say, write_csv
from scp_metrics.settings import Settings


def cmd_indicators(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.warehouse.connection import connect_warehouse

    try:
        con = connect_warehouse(settings, read_only=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    where, params = ["1 = 1"], []
    for column, value in (("area_code", args.area), ("indicator_id", args.indicator),
                          ("period_type", args.period_type)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if args.period_end:
        where.append("strftime(period_end, '%Y-%m') = ?")
        params.append(args.period_end)
    try:
        frame = con.execute(
            f"select * from mart_indicator_values where {' and '.join(where)} "
            "order by indicator_id, area_code, period_type, period_start, period_end", params).df()
        from scp_metrics.warehouse.break_messages import break_messages

        breaks = break_messages(con, frame["indicator_id"].tolist(), frame["area_code"].tolist())
    finally:
        con.close()
    if frame.empty:
        raise UserError("no indicator values match those options")
    if args.format == "csv":
        write_csv(frame)
        for message in breaks:  # never mixed into the CSV
            err.print(f"WARNING {message}", markup=False)
        return 0
    shown = frame[["indicator_id", "area_name", "period_type", "period_start", "period_end",
                   "numerator", "denominator", "value", "unit", "ci95_lower", "ci95_upper",
                   "change_pct", "change_verdict"]].copy()
    if len(shown) > args.max_rows:
        say(f"{len(shown)} rows; showing the last {args.max_rows} (use --format csv for all)")
        shown = shown.tail(args.max_rows)
    print_frame(shown, "table")
    say("ci95: 95% confidence interval (rates and counts: PHE method, exact below 10 events; "
        "percentages: Wilson; survey: Wilson on the Kish effective size); change_pct: against "
        "the same period a year earlier; change_verdict: exact test of the two counts (rates, "
        "counts; exposures = populations) or two-proportion z test (percentages) at 95%.")
    for message in breaks:
        say(f"WARNING {message}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("indicators", help="show indicator values from the warehouse")
    p.add_argument("--area", help="ONS area code, e.g. E06000045")
    p.add_argument("--indicator", help="indicator id, e.g. all_crime")
    p.add_argument("--period-type", choices=["month", "quarter", "fytd", "financial_year",
                                             "rolling_12m", "survey"])
    p.add_argument("--period-end", help="YYYY-MM: only periods ending in that month")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--max-rows", type=int, default=40)
    p.set_defaults(func=cmd_indicators)
