"""The plan's "We said / We did / We intend to" paragraphs, written from the marts.

Style follows the Southampton Safe City Partnership Plan 2010-11, Part 2 ("We did reduce the
All Crime rate (to Dec 09) by 12%…"). No blanks: a value that cannot be found says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from scp_metrics.publish.charts.wording import ordinal
from scp_metrics.publish.formats import format_figure, format_number
from scp_metrics.publish.report.facts import Change, Facts
from scp_metrics.publish.suppression import SuppressionRules, published_count
from scp_metrics.targets.wording import probability_text
from scp_metrics.warehouse.contracts import contract_for

TRACKING = contract_for("mart_target_tracking")
"""Units and precision of the target figures the report quotes."""
VALUES = contract_for("mart_indicator_values")
"""Units and precision of the indicator values the report quotes."""


@dataclass
class Section:
    title: str
    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    """(label, text): label is "We said", "We did", "We intend to" or ""."""


def fmt_count(n: int | None, rules: SuppressionRules) -> str:
    """A published count, small counts suppressed by the one rule (1 to 4 → "<5")."""
    return published_count(n, rules)


def fmt_pct(x: float | None) -> str:
    return "not available" if x is None else f"{format_number(abs(x), '%')}%"


def month_label(change: Change) -> str:
    return f"{change.period_end:%b %y}"


def movement(change: Change | None, name: str) -> str:
    """ "violence against the person (down 7.0%)" or why it is missing."""
    if change is None:
        return f"{name} (no year-to-date figure in the warehouse for this month)"
    if change.change_pct is None:
        return f"{name} (no figure for the same months last year to compare with)"
    word = "down" if change.change_pct < 0 else "up"
    return f"{name} ({word} {fmt_pct(change.change_pct)})"


def verdict_phrase(change: Change) -> str:
    if not change.verdict:
        return "its significance could not be tested"
    if change.verdict.startswith("significant"):
        return (f"a statistically significant {change.verdict.split()[-1]} at the 95% level "
                f"({_test_name(change)})")
    return f"not a statistically significant change at the 95% level ({_test_name(change)})"


def _test_name(change: Change) -> str:
    """The test behind a change's verdict (as :mod:`scp_metrics.indicators.values` chose it)."""
    if change.measure == "percentage":
        return "two-proportion z test"
    return "exact test of the two counts"


def did_sentence(change: Change | None, name: str, rules: SuppressionRules,
                 polarity: str = "lower") -> str:
    if change is None or change.change_pct is None:
        return (f"not yet know how {name} moved: the warehouse has no year-to-date figure "
                "for this month and the same months last year.")
    fell = change.change_pct < 0
    good = fell if polarity == "lower" else not fell
    verb = "reduce" if polarity == "lower" else "increase"
    if good:
        head = f"{verb} the {name} rate (to {month_label(change)}) by {fmt_pct(change.change_pct)}"
    else:
        moved = "rose" if not fell else "fell"
        head = (f"not {verb} the {name} rate (to {month_label(change)}): it {moved} by "
                f"{fmt_pct(change.change_pct)}")
    counts = ""
    if change.numerator_last_year is not None:
        counts = (f" ({fmt_count(change.numerator, rules)} offences from "
                  f"{change.period_start:%B %Y} against "
                  f"{fmt_count(change.numerator_last_year, rules)} in the same months a year "
                  "earlier)")
    return f"{head}{counts}, {verdict_phrase(change)}."


def rank_sentence(facts: Facts, indicator_id: str, name: str) -> str:
    rank = facts.rank(indicator_id)
    if rank is None:
        return (f"Our Most Similar Group position on {name} is not available: the warehouse has "
                "no MSG ranking for this month.")
    shift = ""
    if rank.rank_last_year is not None:
        if rank.rank < rank.rank_last_year:
            shift = f", up from {ordinal(rank.rank_last_year)} a year earlier"
        elif rank.rank > rank.rank_last_year:
            shift = f", down from {ordinal(rank.rank_last_year)} a year earlier"
        else:
            shift = ", the same as a year earlier"
    return (f"Southampton's comparative ranking on {name} (1 = lowest rate in our Most Similar "
            f"Group, {rank.period_label}) is currently {ordinal(rank.rank)} out of "
            f"{rank.n_areas}{shift}.")


def clean_title(title: str) -> str:
    """The plan's own blanks ("from x% to y%") replaced by what they mean."""
    return re.sub(r"\s*from x% to y%", " (the draft plan leaves the values blank)", title)


def target_sentence(row: pd.Series) -> str:
    """A target's projection, interval, RAG and probability in one sentence."""
    title = clean_title(str(row.get("title") or row.get("target_id")))
    target = row.get("target_value")
    if target is None or pd.isna(target):
        note = row.get("note")
        reason = (re.sub(r"from x% to y%", "from [blank] to [blank]", str(note))
                  if note is not None and not pd.isna(note) else "the plan sets no number")
        return f"{title}: not tracked numerically ({reason})."
    figure = {name: format_figure(TRACKING, name, row) for name in (
        "projected_year_end", "projection_lower_80", "projection_upper_80",
        "projection_lower_95", "projection_upper_95", "milestone_value", "target_value")}
    projected = row.get("projected_year_end")
    if projected is None or pd.isna(projected):
        return (f"{title}: target {figure['target_value']}; no projection could be made "
                f"({row.get('note') or 'no data'}).")
    parts = [f"{title}: projected year end {figure['projected_year_end']}"]
    lo95 = row.get("projection_lower_95")
    if lo95 is not None and not pd.isna(lo95):
        parts.append(f"(80% interval {figure['projection_lower_80']} to "
                     f"{figure['projection_upper_80']}; 95% {figure['projection_lower_95']} to "
                     f"{figure['projection_upper_95']})")
    milestone = row.get("milestone_value")
    assessed, final = row.get("assessed_period"), row.get("target_period")
    if (milestone is not None and not pd.isna(milestone) and assessed and final
            and str(assessed) != str(final)):
        parts.append(f"against the {assessed} milestone of {figure['milestone_value']} on the "
                     f"way to {figure['target_value']} by {final}")
    else:
        parts.append(f"against a target of {figure['target_value']}")
    caveat = row.get("projection_caveat")
    if caveat is not None and not pd.isna(caveat) and str(caveat):
        parts.append(f"[{caveat}]")
    text = " ".join(parts)
    rag = row.get("rag")
    prob = row.get("probability_met")
    extra = []
    if rag is not None and not pd.isna(rag):
        extra.append(f"RAG {rag}")
    if prob is not None and not pd.isna(prob):
        extra.append(f"a {probability_text(prob)} probability of meeting "
                     + ("this year's milestone" if milestone is not None and not pd.isna(milestone)
                        and assessed and final and str(assessed) != str(final) else "it"))
    if row.get("method") is not None and not pd.isna(row.get("method")):
        extra.append(f"method {row.get('method')}")
    return text + ("; " + ", ".join(extra) if extra else "") + "."
