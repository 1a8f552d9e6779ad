"""``scp-metrics quality``: the data-quality findings (``mart_data_quality``)."""

from __future__ import annotations

import argparse

from scp_metrics.settings import Settings

SEVERITIES = ("ok", "info", "warning")


def cmd_quality(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.cli.common import UserError, print_frame, say
    from scp_metrics.warehouse import connect_warehouse

    try:
        con = connect_warehouse(settings, read_only=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    try:
        present = con.execute("select count(*) from information_schema.tables "
                              "where table_name = 'mart_data_quality'").fetchall()[0][0]
        if not present:
            raise UserError("the warehouse has no mart_data_quality yet: run 'scp-metrics "
                            "refresh --force' to build it")
        where, params = ["1 = 1"], []
        for column, value in (("check_id", args.check), ("indicator_id", args.indicator),
                              ("area_code", args.area)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if not args.all:
            where.append("severity <> 'ok'")
        frame = con.execute(
            f"select * from mart_data_quality where {' and '.join(where)} "
            "order by case severity when 'warning' then 0 when 'info' then 1 else 2 end, "
            "check_id, indicator_id, period_start, area_code, period_end, message",  # no ties
            params).df()
        counts = dict(con.execute(
            "select severity, count(*) from mart_data_quality group by 1").fetchall())
    finally:
        con.close()
    if args.format == "csv":
        print_frame(frame, "csv")
        return 0
    say("Data-quality checks: " + ", ".join(f"{counts.get(s, 0):,} {s}" for s in
                                             ("warning", "info", "ok")) + ".")
    if frame.empty:
        say("No findings match those options" + ("" if args.all else " (use --all to list the "
                                                 "checks that passed)") + ".")
        return 0
    shown = frame[["severity", "check_id", "indicator_id", "area_code", "period_start",
                   "period_end", "record_level_value", "published_value", "difference_pct",
                   "message"]]
    if len(shown) > args.max_rows:
        say(f"{len(shown)} rows; showing the first {args.max_rows} (use --format csv for all)")
        shown = shown.head(args.max_rows)
    print_frame(shown, "table")
    say("record_level_value / published_value: the two figures compared (for "
        "ed_assault_time_missing: attendances with no time / all attendances, difference_pct "
        "their share); thresholds in config/data_quality.toml.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("quality", help="list data-quality findings (reconciliation, "
                                              "missing ED assault times, unmapped CSP names)")
    p.add_argument("--check", help="check id, e.g. reconcile_record_level_vs_csp")
    p.add_argument("--indicator", help="indicator id, e.g. all_crime")
    p.add_argument("--area", help="ONS area code")
    p.add_argument("--all", action="store_true", help="include checks that passed (severity ok)")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--max-rows", type=int, default=40)
    p.set_defaults(func=cmd_quality)
