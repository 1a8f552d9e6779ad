"""The ``Chart_data`` sheet (issue 15 item 5): the data of every chart the report embeds, one
Excel Table keyed by the chart's id (its file name without ``.png``, also the ``id`` of its
``<figure>`` in the report), so a reader without the picture has its numbers.

The rows are what the report's collapsed data tables hold (:func:`scp_metrics.publish.report.
chart_data.chart_data`, read by the chart pack's own loaders, so values withheld by disclosure
control are blank here as they are undrawn in the chart). Formats come from
:data:`CHART_DATA`, whose figures take each row's unit (the chart's indicator's or target's).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from scp_metrics.config.units import INDICATOR_UNITS
from scp_metrics.publish.formats import cell_formats
from scp_metrics.publish.workbook.model import SheetContext, SheetTable, header
from scp_metrics.warehouse.contracts.model import PER_ROW, ColumnContract, MartContract, RowUnits

__all__ = ["CHART_DATA", "chart_data_sheet"]

log = logging.getLogger(__name__)
_UNIT = RowUnits("unit", (*INDICATOR_UNITS, "rank"))


def _text(name: str, description: str) -> ColumnContract:
    return ColumnContract(name, "text", "text", description)


def _figure(name: str, description: str) -> ColumnContract:
    return ColumnContract(name, "float", PER_ROW, description, row_units=_UNIT)


CHART_DATA = MartContract.of(
    "chart_data",
    "The data of each chart the report embeds, by chart id.",
    _text("chart_id", "The chart's id: its file name in the charts folder, without .png."),
    _text("chart", "What kind of chart: trend, spc, ranking, funnel or trajectory."),
    _text("subject", "The indicator, or the target of a trajectory."),
    _text("unit", "The unit of the figures of the row."),
    ColumnContract("month", "date", "date", "The month (trend, SPC, trajectory) or the end of "
                   "the period compared (ranking, funnel)."),
    _text("area", "The area (ranking, funnel)."),
    _figure("value", "The value drawn."),
    _figure("ci95_lower", "Lower 95% limit of the value."),
    _figure("ci95_upper", "Upper 95% limit of the value."),
    _figure("mean", "SPC centre line."),
    _figure("lower_process_limit", "SPC lower process limit."),
    _figure("upper_process_limit", "SPC upper process limit."),
    _text("spc_point", "SPC: the point's variation (common or special cause)."),
    _figure("year_to_date", "Trajectory: the year to date."),
    _figure("trajectory", "Trajectory: where the year to date should be."),
    ColumnContract("position", "int", "rank (1 = best)", "Ranking: the area's position in the group."),
)

# chart_data's row keys → the sheet's columns
_RENAMED = {"lower": "ci95_lower", "upper": "ci95_upper", "actual": "year_to_date",
            "point": "spc_point", "rank": "position"}
_SPC_RENAMED = {"lower": "lower_process_limit", "upper": "upper_process_limit",
                "point": "spc_point"}


def _rows(stem: str, kind: str, subject: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    renamed = _SPC_RENAMED if kind == "spc" else _RENAMED
    out = []
    for row in data.get("rows", []):
        cells = {renamed.get(k, k): v for k, v in row.items()}
        if kind in ("ranking", "funnel"):
            cells["month"] = data.get("period_end")
        out.append({"chart_id": stem, "chart": kind, "subject": subject,
                    "unit": data.get("unit") or None, **cells})
    return out


def chart_data_sheet(ctx: SheetContext) -> SheetTable | None:
    """Every embedded chart's data: the plan's charts and the police.uk section's (a chart
    without data is drawn by neither). None: no as-of month, or no chart with data.

    The charts' loaders share one :func:`~scp_metrics.publish.charts.loaders.pack_cache`:
    each chart's table read the disclosure rules afresh (17 times for the sample)."""
    if ctx.as_of is None or "mart_indicator_values" not in ctx.tables:
        return None
    from scp_metrics.publish.charts.loaders import pack_cache

    with pack_cache():
        return _chart_data_sheet(ctx, ctx.as_of)


def _chart_data_sheet(ctx: SheetContext, as_of: str) -> SheetTable | None:
    from scp_metrics.publish.report.build import describe_chart
    from scp_metrics.publish.report.chart_data import chart_data
    from scp_metrics.publish.report.facts import Facts
    from scp_metrics.publish.report.pictures import report_charts
    from scp_metrics.publish.report.police_uk_section import REPORT_CHARTS

    try:
        facts = Facts(ctx.reader, ctx.settings, as_of)
        charts = report_charts(facts) + [
            (kind, f"police_uk:{slug}", f"{kind}_police_uk-{slug}_{facts.area}")
            for kind, slug in REPORT_CHARTS if facts.has("mart_indicator_values")]
    except Exception as exc:  # noqa: BLE001 - a warehouse the report cannot read: no sheet
        log.warning("no Chart_data sheet: the report's charts cannot be listed (%s)", exc)
        return None
    rows: list[dict[str, Any]] = []
    for kind, indicator_id, stem in charts:
        subject_id = stem[len(kind) + 1:].removesuffix("_" + facts.area)
        data = chart_data(facts, kind, indicator_id, subject_id)
        if data:
            rows += _rows(stem, kind, describe_chart(facts, stem)["subject"], data)
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=list(CHART_DATA.columns))
    frame["month"] = pd.to_datetime(frame["month"])
    frame["position"] = frame["position"].astype("Int64")
    formats = cell_formats(frame, CHART_DATA)
    renamed = {c: header(c, CHART_DATA) for c in frame.columns}
    return SheetTable(
        frame.rename(columns=renamed), {renamed[c]: f for c, f in formats.items()},
        "The data of every chart in the report, by chart id (the chart's file name): what each "
        "chart draws, in the unit of its row. A blank figure is not drawn (no data, or withheld "
        "by disclosure control).", source="the report's charts")
