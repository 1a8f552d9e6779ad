"""The facts functions of the report's own sections (:mod:`scp_metrics.publish.report.sections`).

Each takes the :class:`~scp_metrics.publish.report.context.ReportContext` and returns its
template's variables (facts only: no sentences), or ``None`` to leave its section out.
"""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any

import pandas as pd

from scp_metrics.publish.report import how_we_did, police_uk_section
from scp_metrics.publish.report import priorities as priority_facts
from scp_metrics.publish.report.build import describe_chart, method_facts, verdict_rows
from scp_metrics.publish.report.chart_data import chart_data
from scp_metrics.publish.report.context import ReportContext
from scp_metrics.publish.report.overview import overview_rows
from scp_metrics.publish.report.pictures import chosen_charts
from scp_metrics.publish.report.templating import lowerfirst


def verdict(ctx: ReportContext) -> dict[str, Any]:
    return {"rows": verdict_rows(ctx.facts), "data_to": ctx.facts.data_to(),
            "overview": overview_rows(ctx.facts), **how_we_did.no_target(ctx)}


def priorities(ctx: ReportContext) -> dict[str, Any]:
    return priority_facts.priorities(ctx)


def charts(ctx: ReportContext) -> dict[str, Any] | None:
    """Each chart the report embeds with its kind, subject, the facts of its alt text and the
    table of what it plots."""
    chosen = chosen_charts(list(ctx.charts), ctx.facts)
    if not chosen:
        return None
    return {"charts": [{**describe_chart(ctx.facts, path.stem), "id": path.stem,
                        "data": chart_data(ctx.facts, kind, ind, subject),
                        "src": "data:image/png;base64,"
                        + base64.b64encode(path.read_bytes()).decode("ascii")}
                       for kind, ind, subject, path in chosen]}


def _words(ctx: ReportContext, text: str) -> str:
    """A finding's message with indicator ids replaced by their titles."""
    for ind_id, ind in ctx.facts.indicators.items():
        text = re.sub(rf"(?<![\w:-]){re.escape(ind_id)}(?![\w:-])", lowerfirst(ind.title), text)
    return text


def quality(ctx: ReportContext) -> dict[str, Any]:
    """The findings up to the report's month, one row per check and indicator: how many periods,
    their span, the range of the differences and the latest message; the declared series breaks
    of the home area that fall in the years the report compares (from the start of the
    financial year before the report's to its month), with their sources' paths left out."""
    facts = ctx.facts
    frame = facts.data_quality()
    findings = []
    if not frame.empty:
        frame = frame[pd.to_datetime(frame["period_start"]).dt.date <= facts.as_of_end] \
            if "period_start" in frame else frame
        if "area_code" in frame:
            frame = frame[frame["area_code"].isna() | (frame["area_code"] == facts.area)]
        for _, group in frame.groupby(["check_id", "indicator_id", "severity"], dropna=False,
                                      sort=False):
            group = group.sort_values("period_end")
            last = group.iloc[-1]
            diff = pd.to_numeric(group.get("difference_pct"), errors="coerce").dropna()
            ind = facts.indicators.get(str(last.get("indicator_id")))
            findings.append({
                "check": str(last["check_id"]), "indicator": ind.title if ind else None,
                "periods": len(group), "first": group["period_start"].min(),
                "last": group["period_end"].max(), "severity": str(last["severity"]),
                "low": diff.min() if len(diff) else None,
                "high": diff.max() if len(diff) else None,
                "message": _words(ctx, str(last.get("message") or ""))})
    start = date(priority_facts.report_year(facts.as_of_end) - 1, 4, 1)
    breaks = []
    table = facts.series_breaks()
    if not table.empty and "break_date" in table:
        for r in table.itertuples(index=False):
            when = pd.Timestamp(r.break_date).date()
            area = getattr(r, "area_code", None)
            if not start <= when <= facts.as_of_end or (isinstance(area, str) and area != facts.area):
                continue
            ind = facts.indicators.get(str(r.indicator_id))
            source = "; ".join(part.strip() for part in str(getattr(r, "source", "") or "").split(";")
                               if part.strip() and not re.search(r"/|\b[a-z]+_[a-z_]+\b", part))
            breaks.append({"indicator": ind.title if ind else str(r.indicator_id), "date": when,
                           "reason": str(r.reason), "source": source})
    return {"findings": findings, "breaks": breaks, "since": start,
            **police_uk_section.police_uk_quality(ctx)}


def methods(ctx: ReportContext) -> dict[str, Any]:
    return method_facts(ctx.facts)
