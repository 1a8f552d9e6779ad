"""The obvious pandas approach to the indicators, for comparison: loop area by area.

For every area and every offence-code indicator: filter its crimes, sum them by quarter (or
month, where the record-level extract covers it), build each period type (quarter, financial
year, financial year to date, rolling 12 months), join the population, compute the rate with
its PHE interval and the change on last year; then rank every area within its Most Similar
Group for every indicator and period. The same statistics functions as the pipeline
(:func:`scp_metrics.stats.intervals.rate_ci`); the difference is the shape: per-area Python loops over
pandas frames instead of SQL over whole tables.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from scp_metrics.stats.intervals import rate_ci


def _fy(d: pd.Series) -> pd.Series:
    return np.where(d.dt.month >= 4, d.dt.year, d.dt.year - 1)


def compute(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every offence-code indicator, period type and MSG rank for every area."""
    csp = con.execute("select area_code, quarter_start as unit_start, offence_code, "
                      "number_of_offences as n from stg_ho_csp_crime "
                      "where area_code is not null").df()
    csp["months"] = 3
    record = con.execute("select area_code, month_start as unit_start, offence_code, "
                         "count(*) as n from stg_police_crime group by all").df()
    record["months"] = 1
    codes = con.execute("select m.indicator_id, m.offence_code, m.valid_from, m.valid_to, "
                        "i.multiplier from ref_indicator_offence_codes m join ref_indicators i "
                        "using (indicator_id) where i.family = 'offence_codes'").df()
    population = con.execute("select area_code, mid_year, population from stg_population").df()
    groups = con.execute("select group_id, area_code from stg_msg_membership").df()
    areas = sorted(set(csp["area_code"]) | set(record["area_code"]))
    out = []
    for area in areas:
        rec = record[record["area_code"] == area]
        covered = set(pd.to_datetime(rec["unit_start"]).dt.to_period("Q-MAR").astype(str))
        rows = csp[csp["area_code"] == area].copy()
        rows = rows[~pd.to_datetime(rows["unit_start"]).dt.to_period("Q-MAR").astype(str)
                    .isin(covered)]
        units = pd.concat([rows, rec], ignore_index=True)
        units["unit_start"] = pd.to_datetime(units["unit_start"])
        pop = population[population["area_code"] == area].set_index("mid_year")["population"]
        for indicator, mapping in codes.groupby("indicator_id"):
            multiplier = float(mapping["multiplier"].iloc[0])
            use = units[units["offence_code"].isin(set(mapping["offence_code"]))]
            per_unit = use.groupby(["unit_start", "months"], as_index=False)["n"].sum()
            if per_unit.empty:
                continue
            per_unit = per_unit.sort_values("unit_start")
            per_unit["fy"] = _fy(per_unit["unit_start"])
            per_unit["quarter"] = per_unit["unit_start"].dt.to_period("Q-MAR")
            frames = []
            q = per_unit.groupby("quarter").agg(n=("n", "sum"), months=("months", "sum"))
            q = q[q["months"] == 3]
            frames.append(pd.DataFrame({"period_type": "quarter",
                                        "period_start": q.index.start_time, "n": q["n"]}))
            fy = per_unit.groupby("fy").agg(n=("n", "sum"), months=("months", "sum"))
            fy = fy[fy["months"] == 12]
            frames.append(pd.DataFrame({"period_type": "financial_year",
                                        "period_start": pd.to_datetime(
                                            [f"{y}-04-01" for y in fy.index]), "n": fy["n"]}))
            for year, part in per_unit.groupby("fy"):
                cum = part["n"].cumsum()
                frames.append(pd.DataFrame({"period_type": "fytd",
                                            "period_start": pd.Timestamp(f"{year}-04-01"),
                                            "period_end": part["unit_start"], "n": cum}))
            ends = per_unit["unit_start"]
            rolling = []
            for end in ends:
                window = per_unit[(ends > end - pd.DateOffset(months=12)) & (ends <= end)]
                if window["months"].sum() == 12:
                    rolling.append((end, window["n"].sum()))
            if rolling:
                frames.append(pd.DataFrame({"period_type": "rolling_12m",
                                            "period_start": [r[0] for r in rolling],
                                            "n": [r[1] for r in rolling]}))
            values = pd.concat(frames, ignore_index=True)
            years = _fy(pd.to_datetime(values["period_start"]))
            den = np.array([pop[pop.index <= y].iloc[-1] if (pop.index <= y).any() else np.nan
                            for y in years], dtype=float)
            ok = np.isfinite(den)
            v, lo, hi, _ = rate_ci(values["n"].to_numpy(dtype=float)[ok], den[ok], multiplier)
            values = values[ok].assign(value=v, ci95_lower=lo, ci95_upper=hi,
                                       indicator_id=indicator, area_code=area)
            last = values[["period_type", "period_start", "value"]].copy()
            last["period_start"] = pd.to_datetime(last["period_start"]) + pd.DateOffset(years=1)
            values["period_start"] = pd.to_datetime(values["period_start"])
            values = values.merge(last.rename(columns={"value": "last_year"}),
                                  on=["period_type", "period_start"], how="left")
            values["change_pct"] = 100 * (values["value"] / values["last_year"] - 1)
            out.append(values)
    values = pd.concat(out, ignore_index=True)
    ranked = []
    for area in areas:  # each area's rank in its own Most Similar Group
        members = set(groups.loc[groups["group_id"] == area, "area_code"])
        if not members:
            continue
        peers = values[values["area_code"].isin(members)
                       & values["period_type"].isin(["rolling_12m", "financial_year"])]
        for (_ind, _pt, _start), part in peers.groupby(["indicator_id", "period_type",
                                                        "period_start"]):
            if area in set(part["area_code"]):
                rank = part["value"].rank(method="min")
                ranked.append(int(rank[part["area_code"] == area].iloc[0]))
    values.attrs["ranks"] = len(ranked)
    return values
