"""When no plan covers the report's financial year (issue 16, items 1 and 5).

The verdict section then says "no target set for 2018/19" (a different statement from a target
the plan leaves blank) and gives every indicator of the home area its "how did we do": the
latest quarter's rate with its interval, the change on the same quarter last year and its
significance (or why there is none), the trend, the SPC chart's latest month and the position in
the peer group. The plan's priorities (its "we said" quotes) are about other years, so that
section is left out. Facts only; the wording is ``templates/how_we_did.html.j2``.
"""

from __future__ import annotations

from typing import Any

from scp_metrics.config.plans import fy_label, load_plans
from scp_metrics.config.targets import load_targets
from scp_metrics.publish.report import police_uk_section

__all__ = ["no_target", "report_year", "uncovered"]


def report_year(as_of: str) -> int:
    """The financial year of a report's month: "2019-02" → 2018 (2018/19)."""
    year, month = (int(part) for part in str(as_of)[:7].split("-"))
    return year if month >= 4 else year - 1


def uncovered(ctx: Any) -> str | None:
    """"no target set for 2018/19" when no plan in ``config/plans/`` covers the report's
    financial year, else ``None``."""
    return load_targets(ctx.settings.config_dir, year=report_year(ctx.as_of)).no_target_sentence


def no_target(ctx: Any) -> dict[str, Any]:
    """The verdict section's extra variable ``no_target`` (``None`` when a plan covers the
    year)."""
    sentence = uncovered(ctx)
    if sentence is None:
        return {"no_target": None}
    year = report_year(ctx.as_of)
    reader = ctx.reader
    label = None
    if reader.has("mart_peer_group"):
        peers = reader.table("mart_peer_group")
        peers = peers[peers["group_id"] == ctx.area]
        label = None if peers.empty else str(peers["group_label"].iloc[0])
    return {"no_target": {
        "sentence": sentence,
        "year": fy_label(year),
        "this_year": year,
        "next_year": year + 1,
        "plans": [f"{p.title} ({p.years_label})" for p in load_plans(ctx.settings.config_dir)],
        "group_label": label,
        "rows": police_uk_section.headline_rows(ctx),
    }}
