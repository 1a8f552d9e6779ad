"""Contracts of the issue 19 marts: ``mart_kpi_values`` (partner returns' figures),
``mart_kpi_status`` (every KPI of the register) and ``mart_action_status`` (the action plan).
Listed in :data:`scp_metrics.warehouse.contracts.marts.MART_CONTRACTS` after the others."""

from __future__ import annotations

import pandera.pandas as pa

from scp_metrics.warehouse.contracts.columns import date, flag, number, per_row, text
from scp_metrics.warehouse.contracts.model import (
    MartContract,
    RowUnits,
)

__all__ = ["KPI_CONTRACTS"]


#: A KPI figure's unit (mart_kpi_values / mart_kpi_status ``unit``; see
#: scp_metrics.indicators.partner_returns.CONTRACT_UNITS).
_KPI_UNIT = RowUnits("unit", ("rate per 1,000", "rate per 100,000", "%", "ratio", "count"))
_RAGS = ("green", "amber", "red")

KPI_VALUES = MartContract.of(
    "mart_kpi_values",
    "Every figure of the partner returns: one per KPI, quarter and agency, with its 95% "
    "interval (computed from the counts, a DSR with Dobson limits for NI 39 by age band, or "
    "published by the agency and carried through as given).",
    text("kpi_id", "KPI id (config/kpi_register.toml).", nullable=False),
    text("period_label", "Financial quarter, e.g. 2009/10 Q3.", nullable=False),
    date("period_start", "First day of the quarter.", nullable=False),
    date("period_end", "Last day of the quarter.", nullable=False),
    text("agency", "The agency that sent the figure.", nullable=False),
    number("numerator", "count", "Events (for a DSR: all age bands' events).",
           suppression="count"),
    number("denominator", "count", "Population or base (for a DSR: all age bands').",
           suppression="count"),
    per_row("value", _KPI_UNIT, "The KPI's value in the row's unit.", suppression="derived"),
    per_row("ci95_lower", _KPI_UNIT, "Lower 95% limit.", suppression="derived"),
    per_row("ci95_upper", _KPI_UNIT, "Upper 95% limit.", suppression="derived"),
    text("ci_method", "How the interval was obtained (Byars, Exact, Wilson, Dobson, published "
         "by the agency as given); null when there is none."),
    text("unit", "The unit value and limits are shown in."),
    text("kpi_unit", "The KPI's own unit (config/kpi_register.toml), e.g. directly "
         "standardised rate per 100,000."),
    per_row("returned_value", _KPI_UNIT, "The value the return states (kept beside a value "
            "computed from its counts)."),
    number("age_bands", "count", "NI 39: age bands the DSR was computed from.", kind="int"),
    text("standard", "NI 39: the standard population (esp1976, esp2013)."),
    text("note", "The agency's note, and why a figure could not be computed."),
    per_row("value_same_period_last_year", _KPI_UNIT, "The value of the same quarter a year "
            "earlier (same agency).", suppression="derived"),
    number("change_pct", "%", "Change on the same quarter a year earlier, %.",
           suppression="derived"),
    number("change_p_value", "p-value", "Two-sided p-value of the change: exact conditional "
           "test of the counts (rates, counts, ratios of counts; exposures = denominators), "
           "pooled two-proportion z test (percentages).", suppression="derived",
           checks=(pa.Check.in_range(0.0, 1.0),)),
    text("change_verdict", "significant rise, significant fall, no significant change, or not "
         "tested.", isin=("significant rise", "significant fall", "no significant change",
                          "not tested")),
    text("change_note", "The test used, or why the change was not tested."),
    per_row("spc_mean", _KPI_UNIT, "SPC centre line (XmR of the quarters, config/spc.toml)."),
    per_row("spc_lpl", _KPI_UNIT, "Lower process limit."),
    per_row("spc_upl", _KPI_UNIT, "Upper process limit."),
    text("spc_point_type", "common_cause or the special cause's kind."),
    text("spc_status", "The XmR's basis, or why there is no SPC (too few points)."),
)

KPI_STATUS = MartContract.of(
    "mart_kpi_status",
    "Every KPI of the register (the plan's Appendix 3 and its local measures) with its "
    "owner, latest figure and interval, target and RAG; 'no return received' where a partner "
    "has sent nothing.",
    text("kpi_id", "KPI id (config/kpi_register.toml).", nullable=False),
    number("ni", "id", "National Indicator number (null for the local measures).", kind="int"),
    text("title", "The KPI as the plan names it.", nullable=False),
    text("unit", "The unit value, limits and target are shown in.", nullable=False),
    text("kpi_unit", "The KPI's own unit (config/kpi_register.toml)."),
    text("polarity", "lower or higher is better.", isin=("lower", "higher")),
    text("lead_agency", "Lead agency as the plan names it.", nullable=False),
    text("lead_officer", "Lead officer as the plan names them."),
    text("owner", "Lead agency (officer; responsible group).", nullable=False),
    flag("designated", "Designated (LAA priority) indicator: starred in Appendix 3."),
    text("delivered_by", "Where the figure comes from: police_crime, marac, place_survey "
         "(scp-metrics computes it) or partner_return.", nullable=False),
    text("return_status", "received, no return received (partner KPI) or no data.",
         nullable=False, isin=("received", "no return received", "no data")),
    text("area_code", "The home area (a figure computed here); null for a partner return."),
    text("period_type", "The latest figure's period type (quarter for a partner return; "
         "rolling_12m, survey, quarter or financial_year for one computed here): publishing "
         "withholds it where that period type of the series is withheld."),
    text("period_label", "The period of the latest figure."),
    date("period_start", "First day of that period."),
    date("period_end", "Last day of that period."),
    number("numerator", "count", "The count the latest figure rests on.", suppression="count"),
    number("denominator", "count", "Its base (population, cases).", suppression="count"),
    per_row("value", _KPI_UNIT, "The latest figure.", suppression="derived"),
    per_row("ci95_lower", _KPI_UNIT, "Lower 95% limit.", suppression="derived"),
    per_row("ci95_upper", _KPI_UNIT, "Upper 95% limit.", suppression="derived"),
    text("ci_method", "How the interval was obtained."),
    text("returned_by", "Who delivered the figure."),
    text("target_id", "The plan's target judged (config/plans/*.toml)."),
    text("target", "The target in words."),
    text("target_period", "The financial year the target applies to."),
    text("judged_period", "The period the RAG is judged at."),
    per_row("target_value", _KPI_UNIT, "The target (for a partner KPI: the judged target's)."),
    per_row("expected_value", _KPI_UNIT, "Where the figure should be now (trajectory or "
            "milestone)."),
    per_row("actual_judged", _KPI_UNIT, "The figure judged (for hours: the year to date).",
            suppression="derived"),
    number("worse_pct", "%", "How far worse than expected, % (negative = better).",
           suppression="derived"),
    text("rag", "green, amber or red.", isin=_RAGS),
    text("rag_note", "How the RAG was judged, or why there is none."),
    text("plan_ref", "Where the plan lists the KPI."),
    number("register_order", "id", "Position in config/kpi_register.toml.", kind="int",
           nullable=False),
    order_by=("register_order",),  # published in the register's order, as the workbook
)

ACTION_STATUS = MartContract.of(
    "mart_action_status",
    "The plan's action plan (config/action_plan.csv) with each action's latest quarterly "
    "status and the board's flags: overdue, still unfunded, on track while a linked KPI is red.",
    text("action_id", "priority/section/number.", nullable=False),
    text("priority", "1, 2a, 2b or 3.", nullable=False, isin=("1", "2a", "2b", "3")),
    text("priority_title", "The priority in words.", nullable=False),
    text("section", "Section of the priority's table.", nullable=False),
    text("objective", "Objective."),
    text("number", "Number in the plan.", nullable=False),
    text("action", "The action as the plan writes it.", nullable=False),
    text("lead_agency", "Lead agency."),
    text("responsible_group", "Responsible group (PMG, TAP, SDVF, DMGs, ...)."),
    text("outcome", "Outcome."),
    text("measure", "Measure."),
    text("timing", "Timing as the plan writes it."),
    text("timing_kind", "by, start, ongoing or none.", nullable=False,
         isin=("by", "start", "ongoing", "none")),
    date("due", "The date the timing is read as."),
    text("resource", "Resource as the plan writes it."),
    text("resource_status", "funded, part_funded, tba, not_funded or not_stated.",
         nullable=False),
    text("linked_kpis", "KPIs the action serves (;-separated)."),
    flag("placeholder", "The draft's unfinished row.", nullable=False),
    text("status", "Latest status: not_started, on_track, at_risk, complete, dropped or "
         "no_return.", nullable=False,
         isin=("not_started", "on_track", "at_risk", "complete", "dropped", "no_return")),
    text("status_period", "Quarter of that status."),
    date("status_date", "Date the status was given."),
    text("status_rag", "RAG the lead gave.", isin=_RAGS),
    text("status_note", "The lead's note."),
    date("as_of", "End of the latest quarter of the status returns: overdue is judged then."),
    flag("overdue", "Past its timing and not complete (or not started).", nullable=False),
    number("days_overdue", "count", "Days since it was due.", kind="int"),
    text("overdue_reason", "Why it is overdue."),
    flag("unfunded", "Resource still TBA or not funded, action open.", nullable=False),
    flag("contradiction", "On track while a linked KPI is red.", nullable=False),
    text("red_kpis", "The linked KPIs that are red."),
    number("register_order", "id", "Position in the plan's order (priority, then "
           "config/action_plan.csv).", kind="int", nullable=False),
    order_by=("register_order",),  # published in the plan's order, as the report
)

KPI_CONTRACTS: dict[str, MartContract] = {c.name: c for c in (KPI_VALUES, KPI_STATUS, ACTION_STATUS)}
