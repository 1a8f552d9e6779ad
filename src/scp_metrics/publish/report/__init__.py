"""The year-end projection report (HTML and PDF) written from the marts."""

from __future__ import annotations

from pathlib import Path

from scp_metrics.publish.reader import Connection, MartReader
from scp_metrics.publish.report.build import Report, build_report
from scp_metrics.publish.report.facts import Facts
from scp_metrics.publish.report.render import render_html, render_pdf, write_report
from scp_metrics.settings import Settings

__all__ = ["Report", "build_report", "make_report", "render_html", "render_pdf", "write_report"]


def make_report(source: MartReader | Connection, settings: Settings, as_of: str, out_dir: Path,
                charts: list[Path] | None = None) -> tuple[Path, Path]:
    """Build the report as of ``as_of`` (YYYY-MM) from the marts (read through the publish
    reader) and write HTML and PDF to ``out_dir``."""
    facts = Facts(source, settings, as_of)
    return write_report(build_report(facts, as_of, charts), out_dir)
