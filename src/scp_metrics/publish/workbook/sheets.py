"""The workbook's table sheets, in order: :data:`SHEETS`.

The workbook follows the Government Analysis Function's guidance for statistical tables in
spreadsheets (as ``gptables`` does): a Cover sheet, a Contents sheet and a Notes sheet first, then
one table per sheet, each an Excel Table with a title in A1, a short description above it, a
header row whose headers give their units, and number formats from the mart contracts. The first
table sheet is the Targets summary, its RAG column coloured by conditional formatting.

Adding a sheet (e.g. the action plan) takes one line here and one function of your own:

1. a module of your own, e.g. ``publish/workbook/plan_sheets.py``, with
   ``def action_plan(ctx: SheetContext) -> SheetTable | None``: read the rows through
   ``ctx.reader`` (a ``publish/sql/*.sql`` query) or from config, and return
   ``SheetTable(frame, headers=..., formats=..., description=...)`` (``mart_table`` does all of
   that for a mart query: units, formats and suppression from its contract); ``None`` leaves
   the sheet out (no data).
2. here: ``Sheet("Action plan", "Action plan 2010/11: actions, owners and status",
   plan_sheets.action_plan),`` at the place in :data:`SHEETS` where it should appear.

Every text cell is written through :func:`scp_metrics.publish.cells.neutralise`, and numbers stay
numbers (``strings_to_formulas`` off), so no sheet can carry a formula in.
"""

from __future__ import annotations

from scp_metrics.publish.workbook import chart_sheet, hotspot_sheets, kpi_sheets, peer_sheets, tables
from scp_metrics.publish.workbook.model import Sheet

SHEETS: list[Sheet] = [
    Sheet("Targets", "Targets: where we are and where we are heading", tables.targets_summary),
    Sheet("KPIs", "Key performance indicators, owners and RAG", kpi_sheets.kpis),
    Sheet("Action_plan", "Action plan: every action and its latest status", kpi_sheets.action_plan),
    Sheet("Indicators", "Indicator values for the partnership's area", tables.indicators),
    Sheet("Data_to", "Each indicator's latest complete month", tables.data_to),
    Sheet("Peers", "The partnership and its peer group", peer_sheets.peers),
    Sheet("Peer_group", "The peer group's members and where the group comes from",
          peer_sheets.peer_group),
    Sheet("Rankings", "Most Similar Group positions, every area", tables.rankings),
    Sheet("Target_detail", "Targets: every figure of the tracking", tables.target_detail),
    Sheet("SPC", "Statistical process control (Making Data Count) by month", tables.spc),
    Sheet("Trends", "Underlying annual change", tables.trends),
    Sheet("KPI_returns", "Partner KPI returns: every figure", kpi_sheets.kpi_returns),
    Sheet("Hot_spots", "Hot spots: concentration and persistence by crime type",
          hotspot_sheets.hotspot_summary),
    Sheet("Hot_spot_LSOAs", "Hot spots: every LSOA by crime type", hotspot_sheets.hotspot_lsoas),
    Sheet("Chart_data", "The data of every chart in the report", chart_sheet.chart_data_sheet),
    Sheet("Data_quality", "Data-quality findings", tables.data_quality),
    Sheet("Load_history", "Every file loaded", tables.load_history),
]
