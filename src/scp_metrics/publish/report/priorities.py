"""Facts of the section "How did we do? Our priorities": the plan's own words and the data.

The plan (``config/plans/*.toml`` through :mod:`scp_metrics.config.plans`, the one loader) gives
each priority's title, its "we said" and "we intend to" quotes, the indicators its "we did" leads
with, the further indicators whose movement it lists, and the national comparators it cites. The
marts give the rest: each indicator's financial year to date against the same months a year
earlier, its Most Similar Group position, its survey result, the series breaks its comparison
crosses, and each target's tracking; the partner-return KPIs a priority names (``returns``:
:mod:`~scp_metrics.publish.report.partner_facts`) what their returns show. All wording is
the templates' (``priorities.html.j2``, ``narrative.j2``); this module returns facts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from scp_metrics.config.plans import Plan, PlanError, fy_label, load_plans, plan_for_year
from scp_metrics.config.targets import parse_fy
from scp_metrics.publish.report.context import ReportContext
from scp_metrics.publish.report.facts import Change, Facts, Rank
from scp_metrics.publish.report.partner_facts import partner_facts
from scp_metrics.publish.suppression import published_count

__all__ = ["IndicatorFacts", "indicator_facts", "priorities", "report_year", "target_rows"]


def report_year(as_of_end: date) -> int:
    """The financial year (its start year) the report's month falls in: Dec 2009 → 2009."""
    return as_of_end.year if as_of_end.month >= 4 else as_of_end.year - 1


@dataclass(frozen=True)
class IndicatorFacts:
    """One indicator as the narrative states it (``None``: not in the warehouse)."""

    id: str
    name: str
    measure: str
    polarity: str
    unit: str
    change: Change | None
    count: str
    count_last_year: str
    point_change: float | None
    """For a percentage: this year's value minus last year's, in percentage points."""
    rank: Rank | None
    survey: dict[str, Any] | None
    comparator: Any
    breaks: tuple[dict[str, Any], ...]


def _breaks(facts: Facts, indicator_id: str, start: date, end: date) -> tuple[dict[str, Any], ...]:
    """The declared series breaks of an indicator (any area, or the home area) that fall inside
    ``start``..``end`` (a comparison across them is partly an artefact of recording)."""
    frame = facts.series_breaks()
    if frame.empty or "break_date" not in frame:
        return ()
    rows = frame[(frame["indicator_id"] == indicator_id)
                 & (frame["area_code"].isna() | (frame["area_code"] == facts.area))]
    out = []
    for r in rows.itertuples(index=False):
        when = pd.Timestamp(r.break_date).date()
        if start <= when <= end:
            out.append({"date": when, "reason": str(r.reason)})
    return tuple(out)


def indicator_facts(facts: Facts, indicator_id: str, plan: Plan | None) -> IndicatorFacts:
    ind = facts.indicators.get(indicator_id)
    change = facts.ytd_change(indicator_id)
    survey = None
    if ind is not None and ind.measure == "percentage" and ind.family == "survey":
        row = facts.survey(indicator_id)
        survey = None if row is None else {k: row.get(k) for k in (
            "value", "ci95_lower", "ci95_upper", "period_end", "unit")}
    point = None
    if change is not None and change.measure == "percentage" and change.value_last_year is not None:
        point = change.value - change.value_last_year
    window = (date(change.period_start.year - 1, change.period_start.month, 1), change.period_end) \
        if change is not None else (date(report_year(facts.as_of_end) - 1, 4, 1), facts.as_of_end)
    return IndicatorFacts(
        id=indicator_id, name=ind.title if ind else indicator_id,
        measure=ind.measure if ind else "rate", polarity=ind.polarity if ind else "lower",
        unit=ind.unit if ind else "", change=change,
        count=published_count(change.numerator if change else None, facts.rules, indicator_id),
        count_last_year=published_count(change.numerator_last_year if change else None,
                                        facts.rules, indicator_id),
        point_change=point, rank=facts.rank(indicator_id), survey=survey,
        comparator=plan.comparator(indicator_id) if plan else None,
        breaks=_breaks(facts, indicator_id, *window))


def _value(row: pd.Series, name: str) -> Any:
    value = row.get(name)
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def target_rows(facts: Facts) -> list[dict[str, Any]]:
    """Each tracked target as the templates read it: the mart's columns (missing as None) plus
    ``n_areas`` (the group size for a position target) and ``later`` (its target year is after
    the report's)."""
    frame = facts.targets()
    year = report_year(facts.as_of_end)
    out = []
    for _, row in frame.iterrows():
        t = {name: _value(row, name) for name in frame.columns}
        final = parse_fy(t.get("target_period"))
        t["later"] = final is not None and final > year
        t["has_milestone"] = (t.get("milestone_value") is not None and t.get("assessed_period")
                              is not None and t.get("assessed_period") != t.get("target_period"))
        rank = facts.rank(str(t.get("indicator_id"))) if t.get("kind") == "rank" else None
        t["n_areas"] = rank.n_areas if rank else None
        out.append(t)
    return out


def priorities(ctx: ReportContext) -> dict[str, Any]:
    """The plan covering the report's financial year, each priority with its facts; without
    such a plan, the year and the plans there are (the template says there is nothing to
    report against)."""
    facts = ctx.facts
    year = report_year(facts.as_of_end)
    try:
        plans = load_plans(facts.settings.config_dir)
    except PlanError:
        plans = []
    plan = plan_for_year(plans, year)
    if plan is None:
        return {"plan": None, "year": fy_label(year), "priorities": []}
    targets = target_rows(facts)
    out = []
    for p in plan.priorities:
        mine = [t for t in targets
                if t.get("indicator_id") in p.indicators or t.get("indicator_id") in p.returns]
        out.append({
            "title": p.title, "we_said": p.we_said, "we_intend": p.we_intend,
            "headlines": [indicator_facts(facts, i, plan) for i in p.indicators],
            "movements": [indicator_facts(facts, i, plan) for i in p.movements],
            "returns": partner_facts(facts, p.returns),
            "said": [t for t in mine if not t["later"]],
            "intend": [t for t in mine if t["later"]],
        })
    return {"plan": {"title": plan.title, "partnership": plan.partnership,
                     "years": plan.years_label},
            "year": fy_label(year), "priorities": out}
