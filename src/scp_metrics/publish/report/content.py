"""The facts functions of the report's own sections (:mod:`scp_metrics.publish.report.sections`).

Each takes the :class:`~scp_metrics.publish.report.context.ReportContext` and returns its
template's variables (facts only: no sentences), or ``None`` to leave its section out.
"""

from __future__ import annotations

import base64
from typing import Any

import pandas as pd

from scp_metrics.publish.report.build import headline_table, priority_sections, select_report_charts
from scp_metrics.publish.report.build import methods as method_list
from scp_metrics.publish.report.context import ReportContext


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame as a template's ``table``: column names and rows of text ("" for missing)."""
    rows = [["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row]
            for row in frame.itertuples(index=False)]
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def verdict(ctx: ReportContext) -> dict[str, Any]:
    return {"table": _table(headline_table(ctx.facts)), "data_to": ctx.facts.data_to(),
            "lineage": ctx.facts.lineage()}


def priorities(ctx: ReportContext) -> dict[str, Any]:
    return {"priorities": [{"title": s.title, "paragraphs": s.paragraphs}
                           for s in priority_sections(ctx.facts)]}


def charts(ctx: ReportContext) -> dict[str, Any] | None:
    chosen = select_report_charts(list(ctx.charts), ctx.area)
    if not chosen:
        return None
    return {"charts": [{"name": p.stem, "src": "data:image/png;base64,"
                        + base64.b64encode(p.read_bytes()).decode("ascii")} for p in chosen]}


def quality(ctx: ReportContext) -> dict[str, Any]:
    frame = ctx.facts.data_quality()
    keep = [c for c in ("check_id", "indicator_id", "period_start", "period_end",
                        "difference_pct", "severity", "message") if c in frame]
    breaks = ctx.facts.series_breaks()
    bkeep = [c for c in breaks.columns if c in ("indicator_ids", "indicator_id", "area_code", "date",
                                                "break_after", "reason", "message", "source")]
    return {"findings": _table(frame[keep].head(40)) if keep else _table(pd.DataFrame()),
            "breaks": _table(breaks[bkeep].head(20)) if bkeep else _table(pd.DataFrame())}


def methods(ctx: ReportContext) -> dict[str, Any]:
    return {"methods": method_list(ctx.facts.rules)}
