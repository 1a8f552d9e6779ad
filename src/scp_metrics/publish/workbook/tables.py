"""The functions of the workbook's own sheets (:data:`scp_metrics.publish.workbook.sheets.SHEETS`):
each reads its rows through the publish reader and returns a :class:`SheetTable`."""

from __future__ import annotations

import pandas as pd

from scp_metrics.publish.workbook.model import SheetContext, SheetTable, mart_table

TARGET_SUMMARY = {
    # mart_target_tracking column -> the summary's header (values in the row's unit)
    "unit": "Unit",
    "as_of": "Data to",
    "baseline_value": "Baseline",
    "actual_value": "Year to date",
    "milestone_value": "Milestone judged this year",
    "target_value": "Final target",
    "projected_year_end": "Projected year end",
    "projection_lower_80": "Projection lower (80%)",
    "projection_upper_80": "Projection upper (80%)",
    "rag": "RAG",
    "probability_met": "Probability of meeting the milestone",
}
"""The Targets summary's columns: what a board member reads, the rest is on Target_detail."""

RANKING_COLUMNS = ["indicator_id", "period_type", "period_end", "area_code", "area_name",
                   "value", "ci95_lower", "ci95_upper", "rank", "n_areas", "group_mean",
                   "rank_same_period_last_year", "funnel_significance", "unit"]
"""The columns of mart_msg_rankings an analyst reads (the others are in mart_msg_rankings.csv)."""

_ORDER = {"red": 0, "amber": 1, "green": 2}


def targets_summary(ctx: SheetContext) -> SheetTable | None:
    """One row per target, the worst first: unit, baseline, year to date, this year's milestone,
    the final target, the projection and its 80% interval, RAG and the probability."""
    table = mart_table(ctx, "workbook_targets", "mart_target_tracking",
                       "One row per target of the plan, the ones that need attention first "
                       "(Red, then Amber, then the lowest probability). Figures are in each row's "
                       "unit; the milestone is the one judged this year, the final target the "
                       "plan's end point.", columns=["target_id", *TARGET_SUMMARY])
    if table is None:
        return table
    if table.frame.empty:
        table.notes.append("No target is tracked to this month: no plan in the configuration "
                           "covers its financial year, or the plan sets none for it "
                           "(scp-metrics plan init --year YYYY writes a plan with baselines).")
        return table
    frame = table.frame
    raw = {c.split(" (")[0]: c for c in frame.columns}
    titles = _target_titles(ctx)
    out = pd.DataFrame({"Target": [titles.get(t, t) for t in frame[raw["target_id"]]]})
    formats: dict[str, list[str | None]] = {"Target": [None] * len(frame)}
    for name, label in TARGET_SUMMARY.items():
        if name not in raw:  # a warehouse of an earlier version
            continue
        col = raw[name]
        values = frame[col]
        if name == "rag":
            values = values.map(lambda v: v.capitalize() if isinstance(v, str) else "Not judged")
        out[label] = values.to_numpy()
        formats[label] = table.formats[col]
    rank = (out["RAG"].str.lower().map(_ORDER) if "RAG" in out else pd.Series(3, index=out.index)).fillna(3)
    prob = pd.to_numeric(out.get("Probability of meeting the milestone", pd.Series(index=out.index)),
                         errors="coerce").fillna(2.0)
    order = sorted(range(len(out)), key=lambda i: (rank.iloc[i], prob.iloc[i], out["Target"].iloc[i]))
    out = out.iloc[order].reset_index(drop=True)
    formats = {c: [f[i] for i in order] for c, f in formats.items()}
    position = {old: new for new, old in enumerate(order)}
    header_of = {raw[n]: lbl for n, lbl in TARGET_SUMMARY.items() if n in raw}
    suppressed = [(position[r], header_of[c], why) for r, c, why in table.suppressed if c in header_of]
    return SheetTable(out, formats, table.description, rag_column="RAG",
                      source="mart_target_tracking, titles from config/targets.toml",
                      suppressed=suppressed)


def _target_titles(ctx: SheetContext) -> dict[str, str]:
    from scp_metrics.targets.plan import load_targets

    try:
        return {t.id: t.title for t in load_targets(ctx.settings.config_dir).targets}
    except (OSError, ValueError):
        return {}


def indicators(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_indicators", "mart_indicator_values",
                      "Indicator values for the partnership's area, every period type, with 95% "
                      "confidence intervals.")


def data_to(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_as_of", "mart_indicator_as_of",
                      "Each indicator's own latest complete month (sources arrive out of step).")


def peers(ctx: SheetContext) -> SheetTable | None:
    members = 0
    if "stg_msg_membership" in ctx.tables:
        members = int(ctx.reader.value("workbook_group_size", home=ctx.home) or 0)
    every = ("Every area's values, every period type, are in mart_indicator_values.csv beside "
             "this workbook.")
    if members:
        return mart_table(ctx, "workbook_peers", "mart_indicator_values",
                          f"Financial-year and rolling 12-month values of the partnership and its "
                          f"Most Similar Group ({members} areas).", notes=[every])
    return mart_table(ctx, "workbook_peers_latest", "mart_indicator_values",
                      f"The latest financial year and rolling 12 months of every area (no Most "
                      f"Similar Group for {ctx.home} in the warehouse).", notes=[every])


def rankings(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_rankings", "mart_msg_rankings",
                      "Positions in the Most Similar Group (1 = best by the indicator's polarity), "
                      "every area and period; filter by indicator, period and area.",
                      columns=RANKING_COLUMNS,
                      notes=["Group means, pooled rates, bands and funnel limits of every ranking "
                             "are in mart_msg_rankings.csv beside this workbook."])


def target_detail(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_targets", "mart_target_tracking",
                      "Every figure of the target tracking: trajectories, projections with 80% and "
                      "95% intervals, probabilities, stretch rewards.")


def spc(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_spc", "mart_spc",
                      "Making Data Count XmR charts: limits, special-cause flags and point types "
                      "by month.")


def trends(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_trends", "mart_trends",
                      "Underlying annual change from a seasonal model.")


def data_quality(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_data_quality", "mart_data_quality",
                      "Reconciliation differences and other data-quality findings.")


def load_history(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "workbook_load_history", "load_batches",
                      "Every file loaded: the lineage of each figure.")
