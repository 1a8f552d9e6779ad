"""Rendering the report: a self-contained HTML file (images embedded) and a PDF of the same content."""

from __future__ import annotations

import base64
import html
import textwrap
from pathlib import Path

import pandas as pd

from scp_metrics.publish.report.build import Report

CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; max-width: 1000px; margin: 2em auto;
       color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 3px solid #005eb8; padding-bottom: .3em; }
h2 { font-size: 1.25em; color: #005eb8; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #c8c8c8; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
p.label b { color: #005eb8; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: .85em; color: #555; }
.meta { color: #555; font-size: .9em; }
.rag-Green { background: #d5efd9; } .rag-Amber { background: #fde9c4; } .rag-Red { background: #f6d0d0; }
"""


def _table_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>None.</p>"
    out = ["<table><thead><tr>"]
    out += [f"<th>{html.escape(str(c))}</th>" for c in frame.columns]
    out.append("</tr></thead><tbody>")
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            cls = f' class="rag-{html.escape(text)}"' if col == "RAG" and text else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _quality_view(report: Report) -> pd.DataFrame:
    frame = report.quality
    if frame.empty:
        return frame
    keep = [c for c in ("check_id", "indicator_id", "period_start", "period_end", "difference_pct",
                        "severity", "message") if c in frame]
    return frame[keep].head(40)


def _breaks_view(report: Report) -> pd.DataFrame:
    frame = report.breaks
    if frame.empty:
        return frame
    keep = [c for c in frame.columns if c in ("indicator_ids", "indicator_id", "area_code", "date",
                                              "break_after", "reason", "message", "source")]
    return frame[keep].head(20)


def render_html(report: Report) -> str:
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{html.escape(report.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(report.title)}</h1>",
             f"<p class='meta'>Data: {html.escape(report.data_to or report.as_of)} · "
             f"{html.escape(report.lineage)}"
             "</p>", "<h2>Headline: will we meet our targets?</h2>", _table_html(report.headline)]
    for section in report.sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        for label, text in section.paragraphs:
            parts.append(f"<p class='label'><b>{html.escape(label)}</b> {html.escape(text)}</p>")
    if report.charts:
        parts.append("<h2>Charts</h2>")
        for chart in report.charts:
            data = base64.b64encode(chart.read_bytes()).decode("ascii")
            parts.append(f"<figure><img alt='{html.escape(chart.stem)}' "
                         f"src='data:image/png;base64,{data}'><figcaption>{html.escape(chart.stem)}"
                         "</figcaption></figure>")
    parts += ["<h2>Data quality</h2>",
              "<p>Validation findings, reconciliation differences above the threshold, and "
              "series breaks across which trends must not be read without a warning.</p>",
              _table_html(_quality_view(report)), "<h3>Series breaks</h3>",
              _table_html(_breaks_view(report)), "<h2>Methods</h2><ul>"]
    parts += [f"<li>{html.escape(m)}</li>" for m in report.methods]
    parts.append("</ul></body></html>")
    return "\n".join(parts)


def render_pdf(report: Report, path: Path) -> Path:
    """The same content as the HTML, paginated A4 portrait with matplotlib."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    lines: list[tuple[str, str]] = []
    for section in report.sections:
        lines.append(("h2", section.title))
        lines += [("p", f"{label}: {text}") for label, text in section.paragraphs]
    lines.append(("h2", "Data quality"))
    quality = _quality_view(report)
    lines += [("p", str(r.message) if "message" in quality else str(r)) for r in quality.itertuples()] \
        or [("p", "No findings.")]
    lines.append(("h2", "Methods"))
    lines += [("p", "• " + m) for m in report.methods]
    sizes = {"h1": (14, 60), "h2": (11.5, 90), "p": (9, 105), "meta": (8, 115)}
    with PdfPages(path) as pdf:
        pdf.savefig(_headline_page(report))
        fig, y = None, 0.0
        for kind, text in lines:
            size, width = sizes[kind]
            wrapped = textwrap.wrap(text, width) or [""]
            needed = (len(wrapped) + (1.2 if kind.startswith("h") else 0.6)) * size * 1.45 / 72 / 11.69
            if fig is None or y - needed < 0.05:
                if fig is not None:
                    pdf.savefig(fig)
                fig, y = Figure(figsize=(8.27, 11.69)), 0.95
            if kind.startswith("h"):
                y -= 0.6 * size * 1.45 / 72 / 11.69
            for line in wrapped:
                fig.text(0.07, y, line, fontsize=size, va="top",
                         weight="bold" if kind.startswith("h") else "normal",
                         color="#005eb8" if kind == "h2" else "#1b1b1b")
                y -= size * 1.45 / 72 / 11.69
            y -= 0.4 * size * 1.45 / 72 / 11.69
        if fig is not None:
            pdf.savefig(fig)
        for chart in report.charts:
            page = Figure(figsize=(11.69, 8.27))
            ax = page.add_axes((0.03, 0.03, 0.94, 0.94))
            ax.imshow(imread(chart))
            ax.axis("off")
            pdf.savefig(page)
    return path


def _headline_page(report: Report):  # type: ignore[no-untyped-def]
    """Landscape first page: title, lineage and the headline table."""
    from matplotlib.figure import Figure

    page = Figure(figsize=(11.69, 8.27))
    page.text(0.04, 0.95, textwrap.fill(report.title, 90), fontsize=15, weight="bold", va="top")
    page.text(0.04, 0.88, f"Data: {report.data_to or report.as_of} · {report.lineage}", fontsize=8.5,
              color="#555555", va="top")
    page.text(0.04, 0.84, "Headline: will we meet our targets?", fontsize=12, weight="bold",
              color="#005eb8", va="top")
    table = report.headline
    if table.empty:
        page.text(0.04, 0.78, "No targets are tracked in the warehouse.", fontsize=10, va="top")
        return page
    ax = page.add_axes((0.04, 0.05, 0.92, 0.76))
    ax.axis("off")
    cells = [[textwrap.fill(str(v), {0: 44, 3: 26}.get(j, 16)) for j, v in enumerate(row)]
             for row in table.itertuples(index=False)]
    drawn = ax.table(cellText=cells, colLabels=list(table.columns), loc="upper left",
                     cellLoc="left", colWidths=[0.3, 0.07, 0.07, 0.08, 0.13, 0.1, 0.06, 0.06, 0.1])
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(7)
    colours = {"green": "#d5efd9", "amber": "#fde9c4", "red": "#f6d0d0"}
    for (r, c), cell in drawn.get_celld().items():
        text = cell.get_text().get_text()
        cell.set_height(0.045 if "\n" in text else 0.032)
        if r == 0:
            cell.set_facecolor("#eef3f8")
            cell.get_text().set_fontweight("bold")
        elif table.columns[c] == "RAG" and text.lower() in colours:
            cell.set_facecolor(colours[text.lower()])
    return page


def write_report(report: Report, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"year_end_projection_report_{report.as_of}"
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    pdf_path = render_pdf(report, out_dir / f"{stem}.pdf")
    return html_path, pdf_path
