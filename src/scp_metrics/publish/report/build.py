"""The year-end projection report: the plan's Part 2 written from data, as HTML and PDF."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scp_metrics.publish.formats import format_figure, format_number
from scp_metrics.publish.report.facts import Facts
from scp_metrics.publish.report.narrative import (
    TRACKING,
    VALUES,
    Section,
    clean_title,
    did_sentence,
    fmt_count,
    fmt_pct,
    movement,
    rank_sentence,
    target_sentence,
)
from scp_metrics.publish.suppression import SuppressionRules, small_cells
from scp_metrics.targets.wording import probability_text

HEADLINE_COLUMNS = ["target", "unit", "data to", "baseline", "year to date",
                    "milestone judged this year", "final target", "projected year end (80%)", "RAG",
                    "P(meet)", "MSG position"]
_ATTENTION = {"red": 0, "amber": 1, "green": 2}


def _said_target(facts: Facts, target_id: str) -> pd.Series | None:
    targets = facts.targets()
    if targets.empty or "target_id" not in targets:
        return None
    rows = targets[targets["target_id"] == target_id]
    return None if rows.empty else rows.iloc[0]


def _target_text(facts: Facts, target_id: str, fallback: str) -> str:
    row = _said_target(facts, target_id)
    return target_sentence(row) if row is not None else fallback


def priority_sections(facts: Facts) -> list[Section]:
    """The four priorities of the plan's Part 2, each with We said / We did / We intend to."""
    ch = {i: facts.ytd_change(i) for i in (
        "all_crime", "vap", "robbery", "theft_of_motor_vehicle", "theft_from_motor_vehicle",
        "cd_arson", "sexual_offences", "dwelling_burglary", "NI15", "ed_assaults_night",
        "vap_city_centre_night", "vap_domestic_share", "vap_city_centre_share", "NI33")}
    sections = []

    s = Section("Priority 1: Reducing All Crime")
    s.paragraphs.append(("We said", "in the 2009-2012 Plan that we would continue to achieve a "
                         "downward trend in the 'all crime' rate; specifically we aimed to reduce "
                         "'all crime' by at least 6% and to improve the city's comparative ranking "
                         "in our Most Similar Group. "
                         + _target_text(facts, "all_crime_2009_10", "")))
    others = "; ".join(movement(ch[i], n) for i, n in (
        ("vap", "violence against the person"), ("robbery", "robbery"),
        ("theft_of_motor_vehicle", "theft of a motor vehicle"),
        ("theft_from_motor_vehicle", "theft from a motor vehicle"),
        ("cd_arson", "criminal damage and arson"), ("sexual_offences", "sexual offences"),
        ("dwelling_burglary", "dwelling burglary")))
    s.paragraphs.append(("We did", did_sentence(ch["all_crime"], "All Crime", facts.rules)
                         + f" Movements by type: {others}. " + rank_sentence(facts, "all_crime", "All Crime")))
    s.paragraphs.append(("We intend to", "reduce the All Crime rate by at least 18% on the 2008/09 "
                         "baseline by 2010/11, with year-on-year reductions, and reach the top 3 of "
                         "our Most Similar Group. "
                         + _target_text(facts, "all_crime_2010_11", "")))
    sections.append(s)

    s = Section("Priority 2: Reducing Violent Crime")
    s.paragraphs.append(("We said", "in the 2009-2012 Plan we would seek to reduce violent crime "
                         "by 5% and improve our relative position for violent crimes in our Most "
                         "Similar Group. " + _target_text(facts, "violent_crime_2009_10", "")))
    share = ch["vap_domestic_share"]
    night = ch["ed_assaults_night"]
    centre = ch["vap_city_centre_share"]
    share_text = (f"{format_number(share.value, share.unit)}% of violence against the person is "
                  "domestic violence" if share else "the domestic share of violence is not available")
    centre_text = (f"{format_number(centre.value, centre.unit)}% is reported in the city centre"
                   if centre else "the city-centre share is not available")
    s.paragraphs.append(("We did", did_sentence(ch["vap"], "violent crime (violence against the person)",
                                       facts.rules)
                         + f" Serious violent crime (NI 15) {_moved(ch['NI15'])}; sexual offences "
                         f"{_moved(ch['sexual_offences'])}; robbery {_moved(ch['robbery'])}. "
                         f"In the city centre at night violence against the person "
                         f"{_moved(ch['vap_city_centre_night'])}, and assaults presenting to the "
                         f"Emergency Department at night {_moved(ch['ed_assaults_night'])} "
                         f"({fmt_count(night.numerator if night else None, facts.rules)} "
                         f"this year to date). {share_text}, and {centre_text}. "
                         + rank_sentence(facts, "vap", "violence against the person") + " "
                         + rank_sentence(facts, "NI15", "most serious violence")))
    s.paragraphs.append(("We intend to", "reduce serious violent crime (NI 15) by 5% on 2008/09 "
                         "and reach the top 3 of our Most Similar Group for violence. "
                         + _target_text(facts, "NI15_2010_11", "")))
    sections.append(s)

    s = Section("Priority 3: Reducing Criminal Damage, Arson and Anti-Social Behaviour")
    s.paragraphs.append(("We said", "in the 2009-2012 Plan we would reduce Criminal Damage by 26% "
                         "by April 2010 (the LAA Stretch Target) and reduce arson."))
    stretch = _said_target(facts, "criminal_damage_stretch")
    stretch_text = target_sentence(stretch) if stretch is not None else (
        "The stretch target's projection is not available: no target tracking in the warehouse.")
    if stretch is not None and "stretch_pct_achieved" in stretch and not pd.isna(stretch.get("stretch_pct_achieved")):
        stretch_text += (f" That is {format_figure(TRACKING, 'stretch_pct_achieved', stretch)}% "
                         "of the stretch achieved"
                         + (f", implying a reward of "
                            f"£{format_figure(TRACKING, 'reward_implied', stretch)}"
                            if "reward_implied" in stretch and not pd.isna(stretch.get("reward_implied"))
                            else "") + ".")
    s.paragraphs.append(("We did", did_sentence(ch["cd_arson"], "criminal damage and arson", facts.rules) + " "
                         + stretch_text + " Deliberate fires (NI 33) "
                         + _moved(ch["NI33"]) + " (the fire service's Incident Recording System, "
                         "from April 2009, counts suspected deliberate fires: a series break). "
                         + rank_sentence(facts, "cd_arson", "criminal damage")))
    s.paragraphs.append(("We intend to", "reduce criminal damage by 20% on 2008/09 by 2010/11 and "
                         "reach the top 3 of our Most Similar Group. "
                         + _target_text(facts, "criminal_damage_2010_11", "")))
    sections.append(s)

    s = Section("Priority 4: Increasing Public Perception of Safety in Southampton")
    s.paragraphs.append(("We said", "in the 2009-2012 Plan we would increase the confidence of "
                         "residents in the police and the council tackling crime and anti-social "
                         "behaviour, measured by the Place Survey."))
    s.paragraphs.append(("We did", _survey_sentence(facts)))
    s.paragraphs.append(("We intend to", " ".join(
        _target_text(facts, t, "") for t in ("NI21_2010_11", "NI41_2010_11", "NI17_2010_11")).strip()
        or "raise NI 21 from 23% to 30% and reduce NI 41 from 45% to 35%."))
    sections.append(s)
    return sections


def _moved(change: object) -> str:
    from scp_metrics.publish.report.facts import Change

    if not isinstance(change, Change) or change.change_pct is None:
        return "cannot be compared with last year (no figure for the same months)"
    word = "fell" if change.change_pct < 0 else "rose"
    sig = " (statistically significant)" if (change.verdict or "").startswith("significant") else \
        " (not statistically significant)"
    return f"{word} by {fmt_pct(change.change_pct)}{sig}"


def _survey_sentence(facts: Facts) -> str:
    parts = []
    names = {"NI21": ("felt the police and council are dealing with the anti-social behaviour and "
                      "crime issues that matter in their area", 26.0),
             "NI41": ("said people being drunk or rowdy in public places is a problem", 29.0),
             "NI17": ("perceive a high level of anti-social behaviour", None)}
    for ind, (what, national) in names.items():
        row = facts.survey(ind)
        if row is None:
            parts.append(f"{ind} is not available: no Place Survey rows in the warehouse.")
            continue
        nat = f" (national average {national:.0f}%)" if national else ""
        value, lower, upper = (format_figure(VALUES, c, row)
                               for c in ("value", "ci95_lower", "ci95_upper"))
        parts.append(f"{value}% of those taking part {what}{nat} ({ind}, 95% CI "
                     f"{lower}% to {upper}%).")
    return "Our Place Survey (autumn 2008) found that " + " ".join(parts)


def headline_table(facts: Facts) -> pd.DataFrame:
    """One row per target: baseline, year to date, projection with interval, RAG, P, MSG."""
    targets = facts.targets()
    if targets.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    rows = []
    for row in targets.itertuples(index=False):
        r = row._asdict()
        rank = facts.rank(str(r.get("indicator_id")))
        proj = r.get("projected_year_end")
        interval = ""
        if proj is not None and not pd.isna(proj):
            interval = format_figure(TRACKING, "projected_year_end", r)
            if not pd.isna(r.get("projection_lower_80")):
                interval += (f" ({format_figure(TRACKING, 'projection_lower_80', r)}–"
                             f"{format_figure(TRACKING, 'projection_upper_80', r)})")
            caveat = r.get("projection_caveat")
            if caveat is not None and not pd.isna(caveat) and str(caveat):
                interval += f"; {caveat}"
        rows.append({
            "target": clean_title(str(r.get("title") or r.get("target_id"))),
            "data to": _month(r.get("as_of")),
            "baseline": format_figure(TRACKING, "baseline_value", r),
            "year to date": _outturn(r, facts.rules),
            "projected year end (80%)": interval or "—",
            "unit": r.get("unit") if isinstance(r.get("unit"), str) else "—",
            "milestone judged this year": (
                f"{format_figure(TRACKING, 'milestone_value', r)} ({r.get('assessed_period')})"
                if not pd.isna(r.get("milestone_value")) else "—"),
            "final target": format_figure(TRACKING, "target_value", r,
                                          missing="unset in the plan"),
            "RAG": r.get("rag") if r.get("rag") is not None and not pd.isna(r.get("rag")) else "—",
            "P(meet)": probability_text(r.get("probability_met")),
            "MSG position": f"{rank.rank} of {rank.n_areas}" if rank else "—",
        })
    # what needs attention first: Red, Amber, Green, not judged; then the lowest probability
    keys = [(_ATTENTION.get(str(r.get("rag")).lower(), 3),
             2.0 if pd.isna(r.get("probability_met")) else float(r.get("probability_met")))
            for r in (row._asdict() for row in targets.itertuples(index=False))]
    order = sorted(range(len(rows)), key=lambda i: keys[i])
    return pd.DataFrame([rows[i] for i in order], columns=HEADLINE_COLUMNS)


def _outturn(row: dict[str, object], rules: SuppressionRules) -> str:
    """A target's year to date: a count target's small count published as ``"<5"``."""
    small = small_cells(pd.DataFrame([row]), rules, TRACKING).get("actual_value")
    if small is not None and bool(small.iloc[0]):
        return rules.marker
    return format_figure(TRACKING, "actual_value", row)


def _month(value: object) -> str:
    """``Dec 2009`` (the month a target is judged at: its indicator's own latest month)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{pd.Timestamp(value):%b %Y}"


def methods(rules: SuppressionRules) -> list[str]:
    """The report's methods, the disclosure control as ``config/privacy.toml`` sets it."""
    return [*METHODS, f"Counts of 1 to {rules.threshold - 1} are published as "
                      f"'{rules.marker}' (disclosure control)."]


METHODS = [
    "Rates are per 1,000 residents (NI 33 per 10,000) using the ONS mid-year estimate inside the "
    "period's financial year, or the latest earlier one published.",
    "95% confidence intervals: rates and counts by the PHE method (exact Poisson below 10 events, "
    "Byars from 10); percentages by Wilson (survey percentages on the Kish effective sample size).",
    "Significance of change: the exact test of two Poisson counts (the current count given the "
    "two periods' total is binomial, with the populations as exposures; as R's poisson.test), "
    "two-sided at the 95% level; percentages by the two-proportion z test.",
    "Year-end projections: the method chosen per indicator family by a backtest over every past "
    "financial year (lowest interval score plus MAPE on earlier years); 80% and 95% intervals "
    "calibrated on that method's earlier out-of-sample errors (conformal); probability of "
    "meeting a target from the same calibrated distribution, shown as <1% or >99% at the "
    "extremes. A projection whose method did not pass the backtest's accuracy test for the "
    "indicator is marked 'treat as indicative' (docs/projections.md).",
    "Most Similar Group positions: 1 = lowest rate (best), rolling 12 months.",
]


#: The charts a board reads, in the report's order (the full pack stays in charts/).
REPORT_CHARTS = (
    "trajectory_all_crime_2009_10", "trend_all_crime", "spc_all_crime", "ranking_all_crime",
    "funnel_all_crime", "trajectory_violent_crime_2009_10", "trend_vap", "ranking_vap",
    "ranking_NI15", "trajectory_criminal_damage_stretch", "trend_cd_arson", "ranking_cd_arson",
    "trend_ed_assaults_night", "ranking_NI21", "ranking_NI41",
)


def select_report_charts(paths: list[Path], area_code: str) -> list[Path]:
    """The pack's PNGs that the report embeds, in :data:`REPORT_CHARTS` order."""
    by_stem = {p.stem: p for p in paths}
    return [by_stem[f"{stem}_{area_code}"] for stem in REPORT_CHARTS if f"{stem}_{area_code}" in by_stem]
