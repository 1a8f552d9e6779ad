"""The charts the report embeds: chosen from the plan covering the report's year, and drawn
when the folder has none (``scp-metrics report --out EMPTY_DIR`` embeds what it draws).

For each priority of the plan, each lead indicator gives the year-to-date trajectory of this
year's targets on it, its monthly trend and its Most Similar Group ranking; the plan's first
indicator also gives its control chart and funnel plot. Chart files are named as the chart pack
names them (``<kind>_<indicator or target id>_<area>.png``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from scp_metrics.config.plans import PlanError, load_plans, plan_for_year
from scp_metrics.publish.report.facts import Facts
from scp_metrics.publish.report.priorities import report_year, target_rows

__all__ = ["chosen_charts", "draw_missing", "report_charts", "select_report_charts"]

log = logging.getLogger(__name__)


def _safe(text: str) -> str:
    """As the chart pack writes an id in a file name (``police_uk:all-crime`` → ``police_uk-all-crime``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def report_charts(facts: Facts) -> list[tuple[str, str, str]]:
    """``(kind, indicator, file stem)`` of each chart the report embeds, in its order."""
    try:
        plan = plan_for_year(load_plans(facts.settings.config_dir), report_year(facts.as_of_end))
    except PlanError:
        plan = None
    if plan is None:
        return []
    targets = target_rows(facts)
    out: list[tuple[str, str, str]] = []
    first = True
    for priority in plan.priorities:
        for ind in priority.indicators:
            trajectories = [t for t in targets if t.get("indicator_id") == ind and not t["later"]
                            and t.get("status") == "set" and t.get("kind") in ("level",)]
            kinds = ["trajectory"] * len(trajectories) + ["trend"] + (["spc"] if first else []) \
                + ["ranking"] + (["funnel"] if first else [])
            for kind in dict.fromkeys(kinds):
                subjects = [str(t["target_id"]) for t in trajectories] if kind == "trajectory" \
                    else [ind]
                out += [(kind, ind, f"{kind}_{_safe(s)}_{facts.area}") for s in subjects]
            first = False
    return out


def chosen_charts(paths: list[Path], facts: Facts) -> list[tuple[str, str, str, Path]]:
    """``(kind, indicator, subject, path)`` of the PNGs among ``paths`` that the report embeds,
    in :func:`report_charts` order (the subject: a trajectory's target, else the indicator)."""
    by_stem = {p.stem: p for p in paths if p.suffix == ".png"}
    return [(kind, ind, stem[len(kind) + 1:].removesuffix("_" + facts.area), by_stem[stem])
            for kind, ind, stem in report_charts(facts) if stem in by_stem]


def select_report_charts(paths: list[Path], facts: Facts) -> list[Path]:
    """The PNGs among ``paths`` that the report embeds, in :func:`report_charts` order."""
    return [path for *_, path in chosen_charts(paths, facts)]


def draw_missing(facts: Facts, charts: list[Path], folder: Path, as_of: str) -> list[Path]:
    """``charts`` when any of them is one the report embeds; otherwise the report's charts drawn
    into ``folder`` as PNG (a chart without data is left out, a chart that fails is logged)."""
    wanted = report_charts(facts)
    if not wanted or select_report_charts(charts, facts):
        return charts
    from scp_metrics.publish.charts.loaders import ChartDataMissing
    from scp_metrics.publish.charts.pack import draw_charts
    from scp_metrics.publish.charts.style import save_figure

    stems = {stem for _, _, stem in wanted}
    drawn: list[Path] = []
    pairs = list(dict.fromkeys((kind, ind) for kind, ind, _ in wanted))
    for n, (kind, ind) in enumerate(pairs, start=1):
        log.info("drawing the report's charts: %d of %d (%s of %s)", n, len(pairs), kind, ind)
        try:
            figures = draw_charts(facts.reader, kind, ind, facts.area, as_of,
                                  facts.settings.config_dir)
        except ChartDataMissing as exc:
            log.info("chart %s of %s left out: %s", kind, ind, exc)
            continue
        except Exception as exc:  # noqa: BLE001 - one broken chart must not stop the report
            log.warning("chart %s of %s failed: %s: %s", kind, ind, type(exc).__name__, exc)
            continue
        for name, fig in figures:
            if name in stems:
                drawn += save_figure(fig, folder / name, ("png",))
    return drawn
