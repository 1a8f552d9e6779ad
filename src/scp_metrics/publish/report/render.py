"""Rendering the report: the sections' templates into one self-contained HTML page (images
embedded), and the PDF from the same HTML through WeasyPrint (tables wrap, pages break between
sections, tagged as PDF/UA). Without WeasyPrint the HTML is still written and the caller is told."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from scp_metrics.publish.report.context import ReportContext, ReportSection
from scp_metrics.publish.report.templating import render

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
"""The PDF is tagged for assistive technology (PDF/UA-1, WeasyPrint's ``pdf_variant``)."""


@dataclass(frozen=True)
class RenderedSection:
    section: ReportSection
    html: str


def render_sections(ctx: ReportContext, sections: list[ReportSection] | None = None
                    ) -> list[RenderedSection]:
    """Each section with facts, rendered in order (a section whose facts are None is left out)."""
    from scp_metrics.publish.report.sections import SECTIONS

    out = []
    for section in SECTIONS if sections is None else sections:
        facts = section.facts(ctx)
        if facts is None:
            continue
        out.append(RenderedSection(section, render(section.template, section=section, **facts)))
    return out


def report_title(ctx: ReportContext) -> str:
    return render("title.j2", area_name=ctx.facts.area_name()).strip()


def render_html(ctx: ReportContext, sections: list[ReportSection] | None = None) -> str:
    """The whole report as one HTML page."""
    return render("report.html.j2", title=report_title(ctx), data_to=ctx.facts.data_to(),
                  lineage=ctx.facts.lineage(), parts=render_sections(ctx, sections))


class PdfEngineMissing(RuntimeError):
    """WeasyPrint (or the Pango library it draws text with) is not installed."""


def render_pdf(page: str, path: Path, base: Path | None = None) -> Path:
    """``page`` (the report's HTML) printed to ``path`` by WeasyPrint, tagged (PDF/UA-1).

    Raises
    ------
    PdfEngineMissing
        When WeasyPrint or its system libraries are missing (the message says how to install).
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise PdfEngineMissing(
            f"the PDF was not written because WeasyPrint cannot run ({exc}); run 'make install' "
            "(and 'apt-get install libpango-1.0-0 libpangoft2-1.0-0' for its system libraries)"
        ) from None
    HTML(string=page, base_url=str(base or path.parent)).write_pdf(
        path, pdf_variant=PDF_VARIANT, pdf_tags=True)
    return path


def write_report(ctx: ReportContext, out_dir: Path) -> tuple[Path, ...]:
    """``year_end_projection_report_<as-of>.html`` and ``.pdf`` in ``out_dir``; the PDF is left
    out (and a warning logged) when the engine is missing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"year_end_projection_report_{ctx.as_of}"
    page = render_html(ctx)
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(page, encoding="utf-8")
    try:
        pdf_path = render_pdf(page, out_dir / f"{stem}.pdf")
    except PdfEngineMissing as exc:
        log.warning("%s", exc)
        return (html_path,)
    return html_path, pdf_path
