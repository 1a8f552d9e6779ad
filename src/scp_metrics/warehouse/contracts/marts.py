"""The contract of every published mart (``mart_*``): one :class:`MartContract` each.

Columns are listed in the mart's order. A column's unit is one of
:data:`scp_metrics.config.units.UNITS` (its precision and Excel number format come with it), or
``"per row"`` when the row says which (a rate per 1,000 in one row, a % in the next).
"""

from __future__ import annotations

import pandera.pandas as pa

from scp_metrics.config.units import INDICATOR_UNITS
from scp_metrics.stats.overdispersion import FUNNEL_METHODS
from scp_metrics.stats.series_status import SERIES_STATUSES
from scp_metrics.warehouse.contracts.columns import date, flag, number, per_row, text
from scp_metrics.warehouse.contracts.kpi_marts import KPI_CONTRACTS
from scp_metrics.warehouse.contracts.model import (
    PER_ROW,
    ColumnContract,
    MartContract,
    RowUnits,
)

__all__ = ["MART_CONTRACTS"]


def probability(name: str, description: str) -> ColumnContract:
    return number(name, "probability", description,
                  checks=(pa.Check.in_range(0.0, 1.0),))


def series_status(what: str) -> ColumnContract:
    return text("series_status", f"ok, or failed when {what} could not be computed (the note "
                "says why; the build went on without it).", nullable=False, isin=SERIES_STATUSES)


def series_note(what: str) -> ColumnContract:
    return text("note", f"Why {what} could not be computed (null when ok).")


PERIOD_TYPES = ("month", "quarter", "fytd", "financial_year", "rolling_12m", "survey")
FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Not significant", "Low (0.025)",
                 "Low (0.001)")

#: The row's ``unit`` column holds an indicator unit.
BY_UNIT = RowUnits("unit", INDICATOR_UNITS)
#: The row's indicator's unit, from the catalogue (a mart with no ``unit`` column).
BY_INDICATOR = RowUnits("indicator_id", INDICATOR_UNITS, by_indicator=True)


def _indicator_key(*, area_name: bool = True) -> tuple[ColumnContract, ...]:
    out = [text("indicator_id", "Indicator id (config/indicators.toml).", nullable=False),
           text("area_code", "ONS area code.")]
    if area_name:
        out.append(text("area_name", "Area name (config/areas.csv, else the latest ONS name)."))
    return tuple(out)


INDICATOR_VALUES = MartContract.of(
    "mart_indicator_values",
    "Every indicator for every area and period type, with 95% intervals and the change on the "
    "same period last year.",
    *_indicator_key(),
    text("period_type", "month, quarter, fytd, financial_year, rolling_12m or survey.",
         nullable=False, isin=PERIOD_TYPES),
    date("period_start", "First day of the period."),
    date("period_end", "Last day of the period."),
    number("numerator", "count", "Events counted (respondents for a survey).", kind="int",
           suppression="count"),
    number("denominator", "count", "Residents (rates) or cases in the base (percentages).",
           kind="int", suppression="count"),
    per_row("value", BY_UNIT, "The indicator's value in the row's unit.",
            suppression="derived"),
    per_row("ci95_lower", BY_UNIT, "Lower 95% confidence limit.", suppression="derived"),
    per_row("ci95_upper", BY_UNIT, "Upper 95% confidence limit.", suppression="derived"),
    text("unit", "The unit of value and its limits (rate per 1,000, %, count, ...)."),
    number("population_year", "year", "ONS mid-year of the population of a rate.", kind="int"),
    text("ci_method", "How the interval was computed (exact, Byars, Wilson, ...)."),
    text("source", "Where the counts come from."),
    per_row("value_same_period_last_year", BY_UNIT, "The value of the same period a year "
            "earlier.", suppression="derived"),
    number("change_pct", "%", "Change on the same period last year, %.", suppression="derived"),
    number("change_p_value", "p-value", "Two-sided p-value of the change: exact conditional "
           "test of two Poisson counts (rates, counts), pooled two-proportion z test "
           "(percentages); for a survey, against the national figure.",
           suppression="derived", checks=(pa.Check.in_range(0.0, 1.0),)),
    text("change_verdict", "Whether the change is significant, in words."),
)

INDICATOR_AS_OF = MartContract.of(
    "mart_indicator_as_of",
    "Each indicator's own as-of month in each area: sources arrive out of step, so each "
    "indicator is reported to the latest month all its inputs are complete for.",
    text("indicator_id", "Indicator id.", nullable=False),
    text("area_code", "ONS area code.", nullable=False),
    date("as_of", "Last day of the indicator's latest month (or quarter, or survey) with a "
         "value.", nullable=False),
    text("data_source", "The source of that latest value (police_crime, istv, ho_csp_crime, "
         "...)."),
    text("label", "What outputs say, e.g. 'ED data to Jan 2010' (config/publication.toml)."),
)

_RANK_UNIT = RowUnits("unit", INDICATOR_UNITS)

MSG_RANKINGS = MartContract.of(
    "mart_msg_rankings",
    "Positions of the home area's Most Similar Group: rank, group mean and pooled rate, ±1 SD "
    "band and funnel significance.",
    text("group_id", "The group's id (its focus area's code).", nullable=False),
    text("focus_area", "The area the group is for.", nullable=False),
    text("indicator_id", "Indicator id.", nullable=False),
    text("measure", "rate or percentage."),
    text("polarity", "Which way is better: lower, higher or neutral."),
    text("unit", "The unit of the values."),
    number("multiplier", "multiplier", "Residents per which a rate is given.", kind="int"),
    text("period_type", "rolling_12m, financial_year, fytd or survey (null on the one row of "
         "an indicator whose ranking failed).", isin=PERIOD_TYPES),
    date("period_start", "First day of the period."),
    date("period_end", "Last day of the period."),
    text("area_code", "Member's ONS area code.", nullable=False),
    text("area_name", "Member's name."),
    flag("is_focus", "True for the focus area.", nullable=False),
    number("numerator", "count", "Events counted.", kind="int", suppression="count"),
    number("denominator", "count", "Residents or cases in the base.", kind="int",
           suppression="count"),
    number("population_year", "year", "ONS mid-year of the population of a rate.", kind="int"),
    per_row("value", _RANK_UNIT, "Member's value.", suppression="derived"),
    per_row("ci95_lower", _RANK_UNIT, "Lower 95% limit.", suppression="derived"),
    per_row("ci95_upper", _RANK_UNIT, "Upper 95% limit.", suppression="derived"),
    number("rank", "rank", "Position in the group, 1 = best (ties share the best).",
           kind="int"),
    number("n_areas", "count", "Members ranked (0 when a member has no value).", kind="int"),
    number("n_members", "count", "Members of the group.", kind="int"),
    text("missing_members", "Codes of the members without a value (nothing ranked then)."),
    per_row("group_mean", _RANK_UNIT, "Simple mean of member values (HMIC MSG average)."),
    per_row("group_pooled_rate", _RANK_UNIT, "Σ numerators ÷ Σ denominators (HMICFRS)."),
    per_row("group_sd", _RANK_UNIT, "Sample standard deviation of member values."),
    per_row("band_lower", _RANK_UNIT, "Group mean − 1 SD."),
    per_row("band_upper", _RANK_UNIT, "Group mean + 1 SD."),
    number("sd_from_mean", "z", "(value − group mean) ÷ SD.", suppression="derived"),
    number("rank_same_period_last_year", "rank", "Rank of the same period a year earlier.",
           kind="int"),
    number("rank_change", "rank", "Places gained towards 1 since last year.", kind="int"),
    per_row("funnel_lower_0001", _RANK_UNIT, "Funnel lower 99.8% limit at the member's size."),
    per_row("funnel_lower_0025", _RANK_UNIT, "Funnel lower 95% limit."),
    per_row("funnel_upper_0025", _RANK_UNIT, "Funnel upper 95% limit."),
    per_row("funnel_upper_0001", _RANK_UNIT, "Funnel upper 99.8% limit."),
    text("funnel_significance", "Where the member lies against the funnel (PHE method).",
         isin=FUNNEL_LABELS),
    number("overdispersion_phi", "ratio", "Over-dispersion factor φ of the group and period: "
           "mean squared z-score, 10% winsorised each tail (Spiegelhalter 2005; 1 by chance)."),
    text("funnel_method", "Limits judging the member: plain (φ within chance), "
         "additive_random_effects or multiplicative.", isin=FUNNEL_METHODS),
    text("funnel_significance_adjusted", "Where the member lies against the limits of "
         "funnel_method (widened for over-dispersion).", isin=FUNNEL_LABELS),
    series_status("the indicator's ranking"),
    series_note("the indicator's ranking"),
)

SPC = MartContract.of(
    "mart_spc",
    "Making Data Count XmR charts of every indicator's monthly series per area.",
    text("indicator_id", "Indicator id.", nullable=False),
    text("area_code", "ONS area code.", nullable=False),
    date("period_start", "The month.", nullable=False),
    per_row("value", BY_INDICATOR, "The month's value (the indicator's unit).",
            suppression="count"),
    per_row("mean", BY_INDICATOR, "Centre line of the rebase group."),
    per_row("lpl", BY_INDICATOR, "Lower process limit."),
    per_row("upl", BY_INDICATOR, "Upper process limit."),
    per_row("near_lpl", BY_INDICATOR, "Lower near limit (2 sigma)."),
    per_row("near_upl", BY_INDICATOR, "Upper near limit (2 sigma)."),
    flag("special_cause_flag", "True when a special-cause rule flags the point.",
         nullable=False),
    text("point_type", "common_cause or the special cause's kind."),
    text("rule", "The special-cause rule that flagged it (none, outside, trend, ...)."),
    number("rebase_group", "id", "Limits group, 0 before the first series break.", kind="int"),
    text("improvement", "Which direction is improvement.",
         isin=("decrease", "increase", "neutral")),
    text("assurance", "Whether a target will consistently be met (null without a target)."),
    series_status("the series' chart"),
    series_note("the series' chart"),
    text("chart_type", "xmr (limits from the group's baseline, config/spc.toml) or run_chart "
         "(fewer points than the minimum for limits: centre line only).",
         isin=("xmr", "run_chart")),
    date("baseline_end", "Last month of the baseline the group's limits are fixed on (null "
         "for a run chart)."),
    text("suggested_recalculation", "On the month a sustained shift starts: a suggested "
         "recalculation point for a person to confirm in config/series_breaks.toml (never "
         "applied)."),
)

TRENDS = MartContract.of(
    "mart_trends",
    "Underlying annual change of every rate and count series from a seasonal GLM.",
    text("indicator_id", "Indicator id.", nullable=False),
    text("area_code", "ONS area code.", nullable=False),
    text("measure", "rate or count."),
    date("window_start", "First month fitted."),
    date("window_end", "Last month fitted."),
    number("n_months", "months", "Months observed in the window.", kind="int"),
    number("annual_change_pct", "% per year", "Underlying change, % a year."),
    number("ci95_lower_pct", "% per year", "Lower 95% limit of the change."),
    number("ci95_upper_pct", "% per year", "Upper 95% limit of the change."),
    number("dispersion", "ratio", "Pearson χ²/df of the Poisson fit."),
    text("method", "Poisson GLM, negative binomial, quasi-Poisson, or why not fitted."),
    text("verdict", "rising, falling, no clear trend or insufficient data.",
         isin=("rising", "falling", "no clear trend", "insufficient data")),
    flag("break_warning", "True when a series break shortened the window.", nullable=False),
    date("break_date", "The break that starts the window."),
    text("break_reason", "Why the series breaks there."),
    series_status("the series' trend"),
    series_note("the series' trend"),
)

_TARGET_UNIT = RowUnits("unit", (*INDICATOR_UNITS, "rank"))
_TARGET_COLUMNS = {
    "trajectory_value": "Where the year to date should be on the trajectory.",
    "actual_value": "Year-to-date outturn (or the latest reading).",
    "projected_year_end": "Projected value at the end of the assessed year.",
    "projection_lower_80": "Lower 80% limit of the projection.",
    "projection_upper_80": "Upper 80% limit of the projection.",
    "projection_lower_95": "Lower 95% limit of the projection.",
    "projection_upper_95": "Upper 95% limit of the projection.",
}


def _target_value(name: str, description: str) -> ColumnContract:
    # the year-to-date outturn of a count target is a count: suppressible (the workbook's rule)
    return per_row(name, _TARGET_UNIT, description,
                   suppression="count" if name == "actual_value" else None)


TARGET_TRACKING = MartContract.of(
    "mart_target_tracking",
    "Every target of config/targets.toml as of the latest month: trajectory, RAG, year-end "
    "projection with intervals and the probability of meeting it.",
    text("target_id", "Target id (config/targets.toml).", nullable=False),
    text("indicator_id", "Indicator id."),
    text("area_code", "ONS area code."),
    date("as_of", "Last day of the month the target is judged at."),
    *(_target_value(n, d) for n, d in _TARGET_COLUMNS.items()),
    text("method", "Projection method used."),
    per_row("target_value", _TARGET_UNIT, "The target, in the row's unit."),
    text("rag", "green, amber or red against the trajectory.", isin=("green", "amber", "red")),
    probability("probability_met", "Probability of meeting the milestone."),
    text("kind", "level, year_on_year, survey or rank.", nullable=False),
    text("status", "set or unset in the plan.", nullable=False),
    text("basis", "value or count."),
    text("unit", "The unit of the row's values (rate per 1,000, count, %, rank (1 = best))."),
    text("assessed_period", "The period judged."),
    text("target_period", "The financial year the target applies to."),
    text("baseline_period", "The baseline's financial year."),
    per_row("baseline_value", _TARGET_UNIT, "The baseline."),
    text("baseline_source", "Where the baseline comes from (plan or data)."),
    per_row("milestone_value", _TARGET_UNIT, "This year's milestone on the way to the target."),
    per_row("trajectory_straight", _TARGET_UNIT, "Year-to-date trajectory, equal months."),
    per_row("trajectory_seasonal", _TARGET_UNIT, "Year-to-date trajectory, seasonal profile."),
    number("worse_pct", "%", "How far worse than the trajectory, % (negative = better)."),
    number("months_observed", "months", "Months of the year with data.", kind="int"),
    text("months_missing", "Months of the year to date without data."),
    number("calibration", "ratio", "Calibrated 95% half-width ÷ the raw one (conformal, from the "
           "backtest's earlier out-of-sample errors)."),
    number("calibration_80", "ratio", "The same at 80%."),
    text("projection_caveat", "Why the projection is only indicative (its method did not pass "
         "the backtest's accuracy test for the indicator, or was not tested); null when it "
         "passed."),
    flag("stretch", "True for a stretch target.", nullable=False),
    per_row("without_stretch", _TARGET_UNIT, "Projection without the stretch."),
    number("stretch_pct_achieved", "%", "% of the stretch achieved."),
    number("reward_max_gbp", "£", "Largest reward grant."),
    number("reward_implied", "£", "Reward implied by the projection."),
    probability("probability_reward", "Probability of earning any reward."),
    per_row("target_year_projection", _TARGET_UNIT, "Forecast of the target year itself."),
    per_row("target_year_lower_95", _TARGET_UNIT, "Lower 95% limit of that forecast."),
    per_row("target_year_upper_95", _TARGET_UNIT, "Upper 95% limit of that forecast."),
    probability("probability_met_target_year", "Probability of meeting the target in its year."),
    text("assurance", "Making Data Count assurance of the milestone against the SPC limits."),
    text("note", "How the row was computed, and why anything is missing."),
    series_status("the target's projection"),
)

TARGET_TRAJECTORY = MartContract.of(
    "mart_target_trajectory",
    "The assessed year of every target judged on a projected year to date, month by month: the "
    "cumulative actual against the trajectory (what the trajectory chart draws).",
    text("target_id", "Target id (config/targets.toml).", nullable=False),
    text("indicator_id", "Indicator id."),
    text("area_code", "ONS area code."),
    text("assessed_period", "The financial year judged."),
    date("period_end", "Last day of the month.", nullable=False),
    per_row("actual_ytd", _TARGET_UNIT, "Cumulative year-to-date actual (null after the month "
            "judged at)."),
    per_row("trajectory_ytd", _TARGET_UNIT, "Year-to-date trajectory the RAG uses "
            "([rag] trajectory_profile)."),
    per_row("trajectory_straight", _TARGET_UNIT, "Year-to-date trajectory, equal months."),
    per_row("trajectory_seasonal", _TARGET_UNIT, "Year-to-date trajectory, seasonal profile."),
    text("profile", "The profile trajectory_ytd follows and the years that shape it."),
    text("unit", "The unit of the row's values (rate per 1,000, count, ...)."),
    series_status("the target's trajectory"),
    series_note("the target's trajectory"),
)

_DQ_UNIT = RowUnits("check_id", ("count", "%"),
                    mapping={"survey_headline_vs_respondent": "%"}, default="count")

DATA_QUALITY = MartContract.of(
    "mart_data_quality",
    "Reconciliation and completeness findings, one row per check result.",
    text("check_id", "The check.", nullable=False),
    text("indicator_id", "Indicator checked."),
    text("area_code", "ONS area code."),
    date("period_start", "First day of the period checked."),
    date("period_end", "Last day of the period checked."),
    ColumnContract("record_level_value", "float", PER_ROW, "The figure from the record-level "
                   "data (a count; a % for the survey check).", suppression="count",
                   row_units=_DQ_UNIT),
    ColumnContract("published_value", "float", PER_ROW, "The published figure it is compared "
                   "with.", suppression="count", row_units=_DQ_UNIT),
    number("difference_pct", "%", "Difference, % of the record-level figure.",
           suppression="derived"),
    text("severity", "ok, info or warning.", nullable=False, isin=("ok", "info", "warning")),
    text("message", "The finding in one sentence.", nullable=False),
)

UNPLACED_ROWS = MartContract.of(
    "mart_unplaced_rows",
    "police.uk rows counted in no area, per file, force, month and reason.",
    text("file_name", "The file the rows came from."),
    number("batch_id", "id", "Load batch of the file.", kind="int"),
    text("police_force", "The file's force ('Falls within')."),
    date("month", "The month."),
    text("reason", "no_lsoa, unknown_lsoa_prefix, area_not_covered or unknown_force.",
         nullable=False),
    number("rows", "count", "Rows not placed.", kind="int"),
    number("file_rows", "count", "Rows in the file.", kind="int"),
    number("share_pct", "%", "Share of the file's rows."),
    text("lsoa_prefixes", "LSOA-name prefixes involved."),
    text("message", "The reason in words.", nullable=False),
)

POLICE_UK_VS_ONS = MartContract.of(
    "mart_police_uk_vs_ons",
    "police.uk all crime per force against the ONS police force area tables.",
    text("pfa_code", "Police force area code.", nullable=False),
    text("police_force", "Force name."),
    date("period_start", "Start of the ONS table year."),
    date("year_ending", "End of the ONS table year."),
    number("police_uk_months", "months", "police.uk months compared.", kind="int"),
    text("months_compared", "The months compared."),
    number("police_uk_crimes", "count", "police.uk crimes in those months."),
    number("police_uk_asb", "count", "police.uk anti-social behaviour in those months."),
    number("police_uk_per_month", "mean count", "police.uk crimes a month."),
    number("ons_total", "count", "ONS table P1 total recorded crime (excluding fraud)."),
    number("ons_per_month", "mean count", "ONS total ÷ 12."),
    number("difference_pct", "%", "police.uk a month against ONS a month, %."),
    number("population_mid_year", "year", "Mid-year of the P3 population.", kind="int32"),
    number("ons_population", "count", "P3 force population."),
    number("la_population", "count", "Sum of the force's local authorities' populations."),
    number("local_authorities", "count", "Local authorities in the force area.", kind="int"),
    flag("whole_year", "True when 12 police.uk months are compared."),
    text("message", "The comparison in one sentence.", nullable=False),
)

RECORDING_BREAKS = MartContract.of(
    "mart_recording_breaks",
    "Suspected recording breaks: level shifts beyond a series' own variation that its "
    "comparison series do not share.",
    *_indicator_key(),
    date("break_after", "Last month before the shift.", nullable=False),
    date("break_before", "First month after the shift.", nullable=False),
    number("level_before", "mean count", "Mean monthly count before."),
    number("level_after", "mean count", "Mean monthly count after."),
    number("change_pct", "%", "Change of the level, %."),
    number("months_before", "months", "Months before the shift.", kind="int"),
    number("months_after", "months", "Months after the shift.", kind="int"),
    number("shift_sigmas", "z", "The shift in the series' own month-to-month sigmas."),
    text("reference_indicator", "The comparison series in the same area."),
    number("reference_change_pct", "%", "Its change at the same split, %."),
    number("relative_shift_sigmas", "z", "Shift of the ratio to it, in its sigmas."),
    text("evidence", "The tests passed, in words."),
    text("message", "The finding in one sentence.", nullable=False),
)

PEER_GROUP = MartContract.of(
    "mart_peer_group",
    "The home area's peer group: the delivered Most Similar Group, else the proxy group (open "
    "data) of the 15 nearest areas on ONS size, density and age structure.",
    text("group_id", "The home area's code (each area has its own group).", nullable=False),
    text("group_label", "'Most Similar Group (delivered)' or 'proxy group (open data)'.",
         nullable=False),
    text("area_code", "Member's ONS code.", nullable=False),
    text("area_name", "Member's name."),
    flag("is_focus", "True for the home area.", nullable=False),
    number("rank", "rank", "Proxy group: 0 for the home area, then 1 = nearest.", kind="int"),
    number("distance", "ratio", "Proxy group: weighted distance of standardised variables, "
           "rebased so the farthest candidate is 1."),
    number("population", "count", "Proxy group: resident population (ONS MYE 5)."),
    number("density_per_sq_km", "count", "Proxy group: people per sq. km (ONS MYE 5)."),
    text("note", "Where the group comes from.", nullable=False),
)

_HOTSPOT_WINDOW = (
    text("area_code", "The home area's ONS code.", nullable=False),
    text("crime_group", "'all-crime' (police.uk, excluding ASB) or a crime type's slug "
         "(config/police_uk_crime_types.csv).", nullable=False),
    date("window_start", "First month with data in the window (the 12 months to the latest "
         "month).",
         nullable=False),
    date("window_end", "Last day of the window's latest month.", nullable=False),
    number("months", "months", "Months with police.uk data in the window.", kind="int",
           nullable=False),
)

HOTSPOT_LSOAS = MartContract.of(
    "mart_hotspot_lsoas",
    "Hot spots: every LSOA of the home area with police.uk crime in the window, by crime group: "
    "count, share of the area's count, rank, top 5% / 10% and months in the monthly top 10%.",
    *_HOTSPOT_WINDOW,
    text("lsoa_code", "LSOA 2011 code.", nullable=False),
    text("lsoa_name", "LSOA name as police.uk gives it."),
    number("count", "count", "Crimes (or ASB incidents) in the window.", kind="int",
           nullable=False, suppression="count"),
    number("share_pct", "%", "Share of the area's count in the window, %.",
           suppression="derived"),
    number("rank", "rank", "1 = the most in the area (ties by LSOA code).", kind="int",
           nullable=False),
    flag("top_5pct", "In the area's top 5% of LSOAs.", nullable=False),
    flag("top_10pct", "In the area's top 10% of LSOAs.", nullable=False),
    number("months_in_top_10pct", "months", "Months of the window in which it was in that "
           "month's top 10%.", kind="int", nullable=False),
)

HOTSPOT_SUMMARY = MartContract.of(
    "mart_hotspot_summary",
    "Hot spots: how concentrated the home area's police.uk crime is in its LSOAs (share in the "
    "top 5% and 10%) and how persistent its hot spots are month on month, by crime group.",
    *_HOTSPOT_WINDOW,
    number("lsoas", "count", "LSOAs of the area (in any loaded police.uk row).", kind="int",
           nullable=False),
    number("total", "count", "Crimes in the window placed in an LSOA of the area.", kind="int",
           nullable=False, suppression="count"),
    number("top_5pct_lsoas", "count", "LSOAs in the top 5% (ceil of 5% of lsoas).", kind="int",
           nullable=False),
    number("top_5pct_share", "%", "Share of the count in the top 5% of LSOAs, %.",
           suppression="derived"),
    number("top_10pct_lsoas", "count", "LSOAs in the top 10%.", kind="int", nullable=False),
    number("top_10pct_share", "%", "Share of the count in the top 10% of LSOAs, %.",
           suppression="derived"),
    number("month_pairs", "count", "Pairs of consecutive calendar months both loaded.",
           kind="int", nullable=False),
    number("persistence_pct", "%", "Of one month's top-10% LSOAs, the share still in the next "
           "month's top 10%, averaged over the pairs, %.", suppression="derived"),
    text("top_lsoa_code", "The LSOA with the most."),
    text("top_lsoa_name", "Its name."),
    number("top_lsoa_count", "count", "Its count.", kind="int", suppression="count"),
)

MART_CONTRACTS: dict[str, MartContract] = {c.name: c for c in (
    INDICATOR_VALUES, INDICATOR_AS_OF, UNPLACED_ROWS, POLICE_UK_VS_ONS, RECORDING_BREAKS, MSG_RANKINGS,
    DATA_QUALITY, SPC, TRENDS, TARGET_TRACKING, TARGET_TRAJECTORY, PEER_GROUP,
    HOTSPOT_LSOAS, HOTSPOT_SUMMARY,
)}
MART_CONTRACTS.update(KPI_CONTRACTS)  # issue 19: mart_kpi_values, mart_kpi_status, mart_action_status

