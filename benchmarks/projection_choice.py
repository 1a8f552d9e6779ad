"""The projection backtest's acceptance figures, and the per-indicator choice it was compared with.

    python benchmarks/projection_choice.py --warehouse /tmp/wh/scp.duckdb

Prints, for the home area's monthly count and rate series (the pool the mart uses):

* the acceptance figures of the rule in code (:meth:`Evaluation.acceptance`: each year's method
  chosen per indicator family on earlier years, intervals calibrated on earlier years), as
  ``scp-metrics backtest`` prints them;
* the same figures had the method been chosen per indicator instead (same score, same
  calibration, same two-earlier-years minimum and fallback): the alternative docs/projections.md
  section 4 reports, and why the rule chooses per family.
"""

from __future__ import annotations

import argparse

import pandas as pd

from scp_metrics.config.targets import FALLBACK_ORDER
from scp_metrics.settings import get_settings
from scp_metrics.targets.evaluation import MIN_CHOICE_YEARS, Evaluation, evaluate


def per_indicator_choices(ev: Evaluation) -> pd.DataFrame:
    """The scored projections of the method each indicator's own earlier years choose."""
    s, kept = ev.scored, []
    for (indicator, area, fy), rows in s.groupby(["indicator_id", "area_code", "fy"]):
        past = s[(s["indicator_id"] == indicator) & (s["area_code"] == area) & (s["fy"] < fy)]
        if past["fy"].nunique() < MIN_CHOICE_YEARS:
            method = ev.fallback[0]
        else:
            score = past.groupby("method")[["interval_score", "ape"]].mean().sum(axis=1)
            method = str(score.idxmin())
        kept.append(rows[rows["method"] == method])
    return pd.concat(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    args = parser.parse_args()
    from scp_metrics.warehouse import connect
    from scp_metrics.warehouse.marts.target_tracking import load_pool

    settings = get_settings(warehouse=args.warehouse)
    con = connect(settings.warehouse, read_only=True)
    try:
        pool = load_pool(con, [settings.home_area])
    finally:
        con.close()
    ev = evaluate(pool, fallback=FALLBACK_ORDER, warehouse=settings.warehouse)
    acceptance = ev.acceptance()
    if acceptance is None:
        print("nothing scored: no series with complete years enough to backtest")
        return
    print("per family (the rule in code):", acceptance.text)
    alt = per_indicator_choices(ev)
    counts = ", ".join(f"{m} {n}" for m, n in sorted(alt["method"].value_counts().items()))
    print(f"per indicator (the alternative): {counts} projections; coverage "
          f"{100 * alt['hit_80'].mean():.1f}% at 80%, {100 * alt['hit_95'].mean():.1f}% at 95%; "
          f"MAPE {alt['ape'].mean():.2f}% = {alt['ape'].mean() / acceptance.best_mape:.2f} × "
          f"the best single method's ({acceptance.best_method}, {acceptance.best_mape:.2f}%)")
    switches = alt.groupby(["indicator_id", "area_code"])["method"].nunique()
    print(f"per indicator: {int((switches > 1).sum())} of {len(switches)} series change method "
          "between years; per family: "
          f"{int((ev.rolling_choices().groupby(['indicator_id', 'area_code'])['method'].nunique() > 1).sum())}")


if __name__ == "__main__":
    main()
