"""``scp-metrics rank``: one indicator's positions in a Most Similar Group over any span of months.

The span is built from the finest data each member has (monthly rows of
``mart_indicator_values`` where they exist, whole quarters otherwise), so any run of months
works as long as every member covers it; the statistics are those of
:mod:`scp_metrics.rankings.ranks`.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from scp_metrics.cli.common import UserError, console, say, write_csv
from scp_metrics.ingest.group_file import GroupFileError, read_group_file
from scp_metrics.periods import financial_year_start
from scp_metrics.publish.reader import as_reader
from scp_metrics.rankings.ranks import RANKED_MEASURES, compute_rankings, group_members
from scp_metrics.settings import Settings
from scp_metrics.warehouse.connection import Connection
from scp_metrics.warehouse.populations import (
    mid_years_loaded,
    populations_for_year,
    populations_of_mid_year,
)

COLUMNS = [
    "area_code", "area_name", "numerator", "population", "population_year", "rate_per_1000",
    "ci95_lower", "ci95_upper", "rank", "n_areas", "group_mean", "group_pooled_rate",
    "group_sd", "sd_from_mean", "funnel_significance", "overdispersion_phi", "funnel_method",
    "funnel_significance_adjusted",
]
#: The terminal table (the CSV has every column; the footer states φ and the adjusted label).
PRINTED = COLUMNS[:15]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class SpanRanking:
    """What ``rank`` prints: the table and the facts its footer states."""

    table: pd.DataFrame
    indicator_id: str
    title: str
    measure: str
    polarity: str
    focus_area: str
    start: date
    end: date
    months: int


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "rank", help="positions in the Most Similar Group for any span of months")
    p.add_argument("--indicator", required=True, help="indicator id, e.g. all_crime")
    p.add_argument("--period-start", required=True, metavar="YYYY-MM", help="first month")
    p.add_argument("--period-end", required=True, metavar="YYYY-MM", help="last month")
    p.add_argument("--group-file", metavar="CSV",
                   help="membership CSV (group_id, area_code, area_name) instead of the "
                        "warehouse's")
    p.add_argument("--area", metavar="CODE",
                   help="focus area: its group (group_id = CODE) is used (default: home area)")
    p.add_argument("--population-year", type=int, metavar="YYYY",
                   help="use this ONS mid-year for every member's population")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(func=cmd_rank)


# ----------------------------------------------------------------------------- periods


def parse_month(text: str, option: str) -> date:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserError(f"{option} must be a month written YYYY-MM (e.g. 2009-12), not {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _months(start: date, end: date) -> list[date]:
    return [d.date() for d in pd.date_range(start, end, freq="MS")]


def _month_end(month: date) -> date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


_GAPS_NAMED = 20  # a whole Most Similar Group (15 members) is named before "and N more"


def _label(months: list[date]) -> str:
    """2009-08, 2009-09, 2009-10 → '2009-08 … 2009-10' (runs joined by commas)."""
    runs: list[list[date]] = []
    for m in sorted(months):
        if runs and (pd.Timestamp(runs[-1][-1]) + pd.DateOffset(months=1)).date() == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    parts = [f"{r[0]:%Y-%m}" if len(r) == 1 else f"{r[0]:%Y-%m} … {r[-1]:%Y-%m}" for r in runs]
    return ", ".join(parts)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------- the span


def _indicator(con: Connection, wanted: str) -> dict:
    rows = as_reader(con).rows("rank_indicators")
    by_id = {r[0]: r for r in rows}
    found = by_id.get(wanted) or next(
        (r for r in rows if r[0].lower() == wanted.strip().lower()), None)
    if found is None:
        known = ", ".join(sorted(by_id)[:12]) + (" …" if len(by_id) > 12 else "")
        raise UserError(f"unknown indicator {wanted!r} (known: {known})")
    indicator_id, title, measure, multiplier, polarity = found
    if measure not in RANKED_MEASURES:
        raise UserError(f"{indicator_id} is a {measure}, and only rates and percentages are "
                        "ranked (a count depends on the size of the area)")
    return {"indicator_id": indicator_id, "title": title, "measure": measure,
            "multiplier": multiplier, "polarity": polarity}


def _has_table(con: Connection, name: str) -> bool:
    return as_reader(con).has(name)


def _members(con: Connection, focus: str, group_file: str | None,
             config_dir: Path | None) -> pd.DataFrame:
    names = as_reader(con).frame("rank_areas") \
        if _has_table(con, "ref_areas") else None
    if group_file:
        try:
            assert config_dir is not None, "a group file is validated against config_dir"
            membership = read_group_file(Path(group_file), config_dir=config_dir)
        except GroupFileError as exc:
            raise UserError(str(exc)) from None
        where = f"group file {Path(group_file).name}"
    else:
        if not _has_table(con, "stg_msg_membership"):
            raise UserError("the warehouse has no Most Similar Group membership "
                            "(stg_msg_membership): run 'scp-metrics refresh' or pass --group-file")
        membership = as_reader(con).frame("rank_membership")
        where = "the warehouse"
    try:
        return group_members(membership, focus, names)
    except LookupError as exc:
        raise UserError(f"{exc} in {where}: pass --group-file with that group, or --area "
                        "for an area whose group is loaded") from None


def _cover(units: pd.DataFrame, months: list[date]) -> tuple[pd.DataFrame, list[date], bool]:
    """One member's rows that tile the span: months first, whole quarters for the rest."""
    wanted = set(months)
    month_rows = units[(units["period_type"] == "month") & units["period_start"].isin(wanted)]
    covered = set(month_rows["period_start"])
    chosen = [month_rows]
    quarters = units[units["period_type"] == "quarter"]
    straddles = False
    for row in quarters.itertuples(index=False):
        inside = set(_months(row.period_start, row.period_end))
        if inside <= wanted and not inside & covered:
            chosen.append(quarters[(quarters["period_start"] == row.period_start)])
            covered |= inside
    for row in quarters.itertuples(index=False):
        inside = set(_months(row.period_start, row.period_end))
        if inside & (wanted - covered) and not inside <= wanted:
            straddles = True
    return pd.concat(chosen), sorted(wanted - covered), straddles


def _units(con: Connection, indicator_id: str, members: list[str],
           start: date, end: date) -> pd.DataFrame:
    frame = as_reader(con).frame("rank_units", indicator_id=indicator_id, members=list(members),
                                 start=start, end=_month_end(end))
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.date
    return frame


def _populations(con: Connection, members: pd.DataFrame, end: date,
                 population_year: int | None) -> pd.DataFrame:
    """Population per member: the override mid-year, else the marts' own rule for the span's
    last month (warehouse.populations: the mid-year inside its financial year, falling back to
    the latest earlier one)."""
    if not _has_table(con, "stg_population"):
        raise UserError("the warehouse has no population table (stg_population): run "
                        "'scp-metrics refresh' with the ONS mid-year estimates")
    codes = list(members["area_code"])
    named = dict(zip(members["area_code"], members["area_name"], strict=False))

    def who(missing: list[str]) -> str:
        shown = [f"{named.get(c) or c} ({c})" for c in missing[:4]]
        return ", ".join(shown) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")

    have = mid_years_loaded(con, codes)
    span = f"{have[0]}–{have[-1]}" if have else "none"
    if population_year is not None:
        chosen = populations_of_mid_year(con, codes, population_year)
        chosen = chosen[chosen["population"].notna()]
        missing = [c for c in codes if c not in set(chosen["area_code"])]
        if missing:
            raise UserError(f"no mid-{population_year} population in the warehouse for "
                            f"{who(missing)} (mid-years loaded: {span})")
        return chosen[["area_code", "population", "mid_year"]]
    wanted = financial_year_start(end)
    chosen = populations_for_year(con, codes, wanted)
    chosen = chosen[chosen["population"].notna()]
    missing = [c for c in codes if c not in set(chosen["area_code"])]
    if missing:
        raise UserError(f"no population estimate for mid-{wanted} or earlier for {who(missing)} "
                        f"(mid-years loaded: {span})")
    return chosen[["area_code", "population", "mid_year"]]


def rank_span(con: Connection, indicator: str, start: date, end: date, *,
              focus_area: str, group_file: str | None = None,
              population_year: int | None = None,
              config_dir: Path | None = None) -> SpanRanking:
    """Rank the focus area's group on one indicator summed over the months start … end.

    Raises :class:`scp_metrics.cli.common.UserError` (one sentence) when the indicator, group or
    populations are missing, or when a member lacks any month of the span (naming them).
    """
    if end < start:
        raise UserError(f"--period-end {end:%Y-%m} is before --period-start {start:%Y-%m}")
    ind = _indicator(con, indicator)
    if population_year is not None and ind["measure"] != "rate":
        raise UserError(f"{ind['indicator_id']} is a percentage of cases, not a rate per "
                        "resident, so --population-year does not apply")
    focus = focus_area.strip().upper()
    members = _members(con, focus, group_file, config_dir)
    codes = list(members["area_code"])
    months = _months(start, end)
    units = _units(con, ind["indicator_id"], codes, start, end)
    parts, gaps, straddled = [], [], False
    for code in codes:
        rows, missing, straddles = _cover(units[units["area_code"] == code], months)
        if missing:
            gaps.append((code, missing))
            straddled |= straddles
        parts.append(rows.assign(area_code=code))
    if gaps:
        named = dict(zip(members["area_code"], members["area_name"], strict=False))
        gaps.sort(key=lambda gap: (str(named.get(gap[0]) or gap[0]), gap[0]))
        shown = "; ".join(f"{named.get(c) or c} ({c}) lacks {_label(m)}"
                          for c, m in gaps[:_GAPS_NAMED])
        more = (f"; and {len(gaps) - _GAPS_NAMED} more members"
                if len(gaps) > _GAPS_NAMED else "")
        hint = (" (some members have only quarterly data: start and end the span on financial "
                "quarter boundaries)") if straddled else ""
        raise UserError(f"cannot rank {ind['indicator_id']} over {start:%Y-%m} … {end:%Y-%m} "
                        f"because not every member has data for every month: {shown}{more}{hint}")
    used = pd.concat(parts, ignore_index=True)
    totals = used.groupby("area_code", as_index=False).agg(
        numerator=("numerator", "sum"), cases=("denominator", "sum"))
    if ind["measure"] == "rate":
        pops = _populations(con, members, end, population_year)
        totals = totals.merge(pops, on="area_code", how="left")
        totals["denominator"] = totals["population"]
        totals["population_year"] = totals["mid_year"]
        multiplier = 1000  # the column is rate_per_1000 whatever the catalogue's multiplier
    else:
        totals["denominator"] = totals["cases"]
        totals["population_year"] = pd.NA
        multiplier = 100
    rows = totals.assign(indicator_id=ind["indicator_id"], period_type="span",
                         period_start=start, period_end=_month_end(end))
    catalogue = pd.DataFrame([{**ind, "multiplier": multiplier, "unit": None}])
    ranked = compute_rankings(rows, catalogue, members, group_id=focus, focus_area=focus)
    if len(ranked) != len(codes) or ranked["rank"].isna().any():
        bad = sorted(set(codes) - set(ranked.loc[ranked["rank"].notna(), "area_code"]))
        raise UserError(f"cannot rank {ind['indicator_id']}: no usable value for {', '.join(bad)}")
    table = ranked.rename(columns={"denominator": "population", "value": "rate_per_1000"})
    table = table.sort_values(["rank", "area_name"]).reset_index(drop=True)
    return SpanRanking(table=table[[*COLUMNS, "is_focus"]], indicator_id=ind["indicator_id"],
                       title=ind["title"], measure=ind["measure"], polarity=ind["polarity"],
                       focus_area=focus, start=start, end=end, months=len(months))


# ------------------------------------------------------------------------------ output


def _cell(column: str, value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if column == "overdispersion_phi":
            return f"{number:.2f}"
        if column in ("numerator", "population"):
            return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
        if column in ("population_year", "rank", "n_areas"):
            return f"{number:.0f}"
        return f"{number:,.2f}" if abs(number) >= 10 else f"{number:.3f}"
    return str(value)


def _adjusted(row: pd.Series) -> str:
    """ "; after over-dispersion: Not significant" when the limits were widened."""
    if row.get("funnel_method") in (None, "plain") or pd.isna(row.get("funnel_method")):
        return ""
    return f"; widened for over-dispersion: {row['funnel_significance_adjusted']}"


def print_ranking(result: SpanRanking) -> None:
    frame = result.table
    unit = "rate per 1,000" if result.measure == "rate" else "percentage"
    say(f"{result.indicator_id} ({result.title}): {result.start:%Y-%m} … {result.end:%Y-%m} "
        f"({result.months} months), Most Similar Group of {result.focus_area}, "
        f"{len(frame)} members; values are a {unit}.")
    table = Table(box=box.SIMPLE, pad_edge=False)
    for col in PRINTED:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(col, justify="right" if numeric else "left", no_wrap=True,
                         max_width=24 if col == "area_name" else None, overflow="ellipsis")
    focus_flags = list(frame["is_focus"])
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = [_cell(col, getattr(row, col)) for col in PRINTED]
        before_focus = i + 1 < len(focus_flags) and focus_flags[i + 1]
        table.add_row(*cells, style="bold reverse" if row.is_focus else None,
                      end_section=bool(row.is_focus or before_focus))
    out = console if console.is_terminal else Console(highlight=False, width=240)
    out.print(table)
    focus = frame[frame["is_focus"]]
    if not focus.empty:
        row = focus.iloc[0]
        best = "highest" if str(result.polarity).lower() in ("higher", "high") else "lowest"
        say(f"{row['area_name']} ({row['area_code']}, the row set apart above): "
            f"{_ordinal(int(row['rank']))} of {int(row['n_areas'])} "
            f"(1 = {best}; ties share the best place), "
            f"{row['sd_from_mean']:+.2f} SD from the group mean, funnel: "
            f"{row['funnel_significance']}" + _adjusted(row) + ".")
    per = "Σ numerators ÷ Σ populations × 1,000" if result.measure == "rate" \
        else "Σ numerators ÷ Σ cases × 100"
    flagged = int(frame["funnel_significance_adjusted"].astype(str).str.endswith(
        "(0.001)").sum())
    phi = frame["overdispersion_phi"].iloc[0]
    method = frame["funnel_method"].iloc[0]
    say(f"Over-dispersion φ = {phi:.2f} (1 by chance; Spiegelhalter 2005, z-scores winsorised "
        f"10% each tail): " + ("within chance, so the plain limits judge" if method == "plain"
                               else f"limits widened by {method.replace('_', ' ')}")
        + f"; {flagged} of {len(frame)} members beyond the 0.001 limits that judge.")
    say("group_mean: simple mean of member values, the area included (HMIC); group_pooled_rate: "
        f"{per}; group_sd: sample SD (n − 1); funnel_significance: PHE funnel around the pooled "
        "value, 95% (0.025) and 99.8% (0.001) limits "
        + ("(exact Poisson below 10 events, Byars from 10)." if result.measure == "rate"
           else "(Wilson score)."))


def cmd_rank(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.warehouse import connect_warehouse

    start = parse_month(args.period_start, "--period-start")
    end = parse_month(args.period_end, "--period-end")
    try:
        con = connect_warehouse(settings, read_only=True)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    try:
        result = rank_span(con, args.indicator, start, end,
                           focus_area=args.area or settings.home_area,
                           group_file=args.group_file, population_year=args.population_year,
                           config_dir=settings.config_dir)
    finally:
        con.close()
    if args.format == "csv":
        write_csv(result.table[COLUMNS])
        return 0
    print_ranking(result)
    return 0
