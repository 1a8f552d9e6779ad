"""Hot spots for the Strategic Assessment (issue 16, item 6): ``mart_hotspot_lsoas`` and
``mart_hotspot_summary``, from police.uk rows placed in the home area by their LSOA.

The window is the 12 months to the home area's latest police.uk month (the months loaded in it
are counted in ``months``). For all crime (police.uk, excluding ASB) and for each crime type:

* every LSOA of the area with its count in the window, its share of the area's count, its rank
  (1 = most; ties broken by LSOA code), whether it is in the top 5% and the top 10% of the
  area's LSOAs (k = ceil(5% or 10% of the LSOAs of the area in any loaded police.uk row)), and
  in how many of the window's months it was in that month's top 10%;
* the concentration: the share of the area's count in its top 5% and top 10% of LSOAs;
* the month-on-month persistence: for each pair of consecutive calendar months both loaded,
  the share of one month's top-10% LSOAs that are in the next month's top 10%, averaged.

Counts are counts of events (suppressible, ``config/privacy.toml``); shares are derived.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from scp_metrics.settings import Settings
from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.queries import query

__all__ = ["ALL_CRIME", "build_hotspot_lsoas", "build_hotspot_summary", "hotspots"]

ALL_CRIME = "all-crime"
WINDOW_MONTHS = 12
LSOA_COLUMNS = ["area_code", "crime_group", "window_start", "window_end", "months", "lsoa_code",
                "lsoa_name", "count", "share_pct", "rank", "top_5pct", "top_10pct",
                "months_in_top_10pct"]
SUMMARY_COLUMNS = ["area_code", "crime_group", "window_start", "window_end", "months", "lsoas",
                   "total", "top_5pct_lsoas", "top_5pct_share", "top_10pct_lsoas",
                   "top_10pct_share", "month_pairs", "persistence_pct", "top_lsoa_code",
                   "top_lsoa_name", "top_lsoa_count"]


def _top(counts: pd.Series, k: int) -> set[str]:
    """The ``k`` LSOAs with the most (ties by code), among those with a count above 0."""
    ordered = counts[counts > 0].sort_index().sort_values(ascending=False, kind="stable")
    return set(ordered.index[:k])


def _groups(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    groups = {ALL_CRIME: rows[rows["in_all_crime"]]}
    for slug, part in rows[rows["slug"].notna()].groupby("slug", sort=True):
        groups[str(slug)] = part
    return groups


def hotspots(rows: pd.DataFrame, area_code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both marts from the rows of ``reads/hotspots/lsoa_months`` (pure: no warehouse)."""
    if rows.empty:
        return (contract_for("mart_hotspot_lsoas").empty(),
                contract_for("mart_hotspot_summary").empty())
    rows = rows.assign(month_start=pd.to_datetime(rows["month_start"]))
    names = rows.groupby("lsoa_code")["lsoa_name"].min()
    lsoas = sorted(names.index)
    n = len(lsoas)
    k5, k10 = math.ceil(0.05 * n), math.ceil(0.10 * n)
    end = rows["month_start"].max()
    start = end - pd.DateOffset(months=WINDOW_MONTHS - 1)
    window = rows[rows["month_start"] >= start]
    months = sorted(window["month_start"].unique())
    pairs = [(a, b) for a, b in zip(months, months[1:], strict=False)
             if pd.Timestamp(a) + pd.DateOffset(months=1) == pd.Timestamp(b)]
    window_end = (end + pd.offsets.MonthEnd(0)).date()
    lsoa_frames, summaries = [], []
    for group, part in _groups(window).items():
        counts = part.groupby("lsoa_code")["rows"].sum().reindex(lsoas, fill_value=0)
        total = int(counts.sum())
        if total == 0:
            continue
        by_month = part.pivot_table(index="lsoa_code", columns="month_start", values="rows",
                                    aggfunc="sum").reindex(index=lsoas, columns=months,
                                                           fill_value=0).fillna(0)
        tops = {m: _top(by_month[m], k10) for m in months}
        persistence = [len(tops[a] & tops[b]) / len(tops[a]) for a, b in pairs if tops[a]]
        ordered = counts.sort_index().sort_values(ascending=False, kind="stable")
        rank = pd.Series(range(1, n + 1), index=ordered.index)
        top5, top10 = _top(counts, k5), _top(counts, k10)
        frame = pd.DataFrame({
            "lsoa_code": ordered.index, "lsoa_name": names.reindex(ordered.index).to_numpy(),
            "count": ordered.to_numpy().astype("int64"),
            "share_pct": ordered.to_numpy() / total * 100,
            "rank": rank.reindex(ordered.index).to_numpy().astype("int64"),
            "top_5pct": [c in top5 for c in ordered.index],
            "top_10pct": [c in top10 for c in ordered.index],
            "months_in_top_10pct": [sum(c in tops[m] for m in months) for c in ordered.index],
        })
        frame = frame[frame["count"] > 0]
        lsoa_frames.append(frame.assign(crime_group=group))
        first = frame.iloc[0]
        summaries.append({
            "crime_group": group, "lsoas": n, "total": total,
            "top_5pct_lsoas": k5, "top_5pct_share": counts[list(top5)].sum() / total * 100,
            "top_10pct_lsoas": k10, "top_10pct_share": counts[list(top10)].sum() / total * 100,
            "month_pairs": len(persistence),
            "persistence_pct": (sum(persistence) / len(persistence) * 100) if persistence
            else None,
            "top_lsoa_code": first["lsoa_code"], "top_lsoa_name": first["lsoa_name"],
            "top_lsoa_count": int(first["count"]),
        })
    common = {"area_code": area_code, "window_start": pd.Timestamp(months[0]).date(),
              "window_end": window_end, "months": len(months)}
    lsoa = pd.concat(lsoa_frames, ignore_index=True).assign(**common)[LSOA_COLUMNS]
    summary = pd.DataFrame(summaries).assign(**common)[SUMMARY_COLUMNS]
    # all crime first, then the crime types by slug; LSOAs by rank
    summary = summary.assign(_o=summary["crime_group"] != ALL_CRIME).sort_values(
        ["_o", "crime_group"]).drop(columns="_o")
    lsoa = lsoa.assign(_o=lsoa["crime_group"] != ALL_CRIME).sort_values(
        ["_o", "crime_group", "rank"]).drop(columns="_o")
    return lsoa.reset_index(drop=True), summary.reset_index(drop=True)


def _home_rows(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    return query(con, "reads/hotspots/lsoa_months", home=settings.home_area.strip().upper())


def build_hotspot_lsoas(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    return hotspots(_home_rows(con, settings), settings.home_area.strip().upper())[0]


def build_hotspot_summary(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    return hotspots(_home_rows(con, settings), settings.home_area.strip().upper())[1]
