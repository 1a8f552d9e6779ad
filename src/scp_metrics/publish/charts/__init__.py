"""Charts for board papers and the Strategic Assessment: each function returns a Figure.

No pyplot: figures are :class:`matplotlib.figure.Figure` objects with their own Agg canvas, so
drawing works headless and never selects a GUI backend. Save with :func:`save_figure`.

* :func:`plot_spc` - Making Data Count XmR chart
* :func:`plot_trend` - monthly values and rolling 12 months, breaks marked
* :func:`plot_trajectory` - year to date against the target trajectory, with the projection
* :func:`plot_ranking` - Most Similar Group "ski-slope"
* :func:`plot_funnel` - funnel plot against the group's pooled value
* :func:`write_chart_pack` - every chart with data for an area (the refresh publishes it)
"""

from scp_metrics.publish.charts.funnel_chart import plot_funnel
from scp_metrics.publish.charts.pack import CHART_KINDS, draw_charts, write_chart_pack
from scp_metrics.publish.charts.ranking_chart import plot_ranking
from scp_metrics.publish.charts.spc_chart import plot_spc
from scp_metrics.publish.charts.style import ChartSubject, Lineage, save_figure
from scp_metrics.publish.charts.trajectory_chart import plot_trajectory
from scp_metrics.publish.charts.trend_chart import plot_trend

__all__ = [
    "CHART_KINDS",
    "ChartSubject",
    "Lineage",
    "draw_charts",
    "plot_funnel",
    "plot_ranking",
    "plot_spc",
    "plot_trajectory",
    "plot_trend",
    "save_figure",
    "write_chart_pack",
]
