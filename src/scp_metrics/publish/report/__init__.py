"""The year-end projection report (HTML and PDF) written from the marts.

The report is the ordered list of sections in :mod:`scp_metrics.publish.report.sections`, each a
Jinja2 template (``publish/report/templates/``) and a function giving it facts from the reader.
"""

from __future__ import annotations

from pathlib import Path

from scp_metrics.publish.reader import Connection, MartReader
from scp_metrics.publish.report.context import ReportContext, ReportSection
from scp_metrics.publish.report.facts import Facts
from scp_metrics.publish.report.pictures import draw_missing
from scp_metrics.publish.report.render import PdfEngineMissing, render_html, render_pdf, write_report
from scp_metrics.settings import Settings

__all__ = ["PdfEngineMissing", "ReportContext", "ReportSection", "make_report", "render_html",
           "render_pdf", "write_report"]


def make_report(source: MartReader | Connection, settings: Settings, as_of: str, out_dir: Path,
                charts: list[Path] | None = None) -> tuple[Path, ...]:
    """Build the report as of ``as_of`` (YYYY-MM) from the marts (read through the publish
    reader) and write it to ``out_dir``: the HTML, then the PDF (left out, with a warning, when
    WeasyPrint cannot run). ``charts`` are the chart pack's PNGs; when none of them is one the
    report embeds (``report --out EMPTY_DIR``), the report's charts are drawn into
    ``out_dir/charts`` first.

    The chart loaders share one :func:`~scp_metrics.publish.charts.loaders.pack_cache` over
    the report: each embedded chart's data table read the disclosure rules (a scan of
    ``mart_indicator_values``) afresh, 17 times for the sample's report."""
    from scp_metrics.publish.charts.loaders import pack_cache  # matplotlib only when drawing

    with pack_cache():
        facts = Facts(source, settings, as_of)
        drawn = draw_missing(facts, list(charts or []), out_dir / "charts", as_of)
        ctx = ReportContext(facts, as_of, drawn, out_dir)
        return write_report(ctx, out_dir)
