"""One style for every chart: size, fonts, palettes, titles, polarity and the lineage footnote.

Charts are drawn on :class:`matplotlib.figure.Figure` objects created directly (never through
``pyplot``), so nothing here selects a GUI backend: the package works headless without
``matplotlib.use("Agg")``, and saving picks the right canvas for PNG or SVG.

Layout (board paper, legible at 100%): 10 × 5.6 inches at 150 dpi; a bold title that says what
the chart shows, a subtitle with the unit, the period and the polarity ("lower is better"), the
legend on one row above the plot, and a footnote with the source, the extract date and the load
batches (lineage) at the bottom.

Colours
-------
* General palette: Okabe & Ito (2008), safe for the common colour-vision deficiencies [1]_.
* SPC charts: the NHS "Making Data Count" colours as NHSRplotthedots v0.1-0.2 defines them in
  ``ptd_spc_colours()`` [2]_ [3]_: common cause grey ``#7B7D7D``, special cause improvement
  blue ``#289de0``, special cause concern orange ``#fab428``, neutral special cause purple
  ``#361475``, mean line black, process limits grey, target red ``#de1b1b``. (NHSRplotthedots
  0.3 changed its defaults to ``#a6a6a6`` / ``#00b0f0`` / ``#490092``; we keep the MDC Excel
  tool's colours, which partners' NHS charts show.) Blue and orange stay distinguishable with
  deuteranopia and protanopia, and every category is also named in the legend and labels.

References
----------
.. [1] Okabe M., Ito K. (2008). *Color Universal Design (CUD): how to make figures and
   presentations that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/
.. [2] NHS England and NHS Improvement (2019). *Making Data Count: Getting Started*.
.. [3] NHS-R Community. *NHSRplotthedots*, R package v0.1.0-0.2.2, ``R/ptd_spc_colours.R``.
   https://github.com/nhs-r-community/NHSRplotthedots
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from afcharts.af_colours import get_af_colours
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from scp_metrics.publish.charts.wording import (
    ChartSubject,
    Lineage,
    axis_label,
    compact_ids,
    format_value,
    ordinal,
    period_text,
    polarity_text,
)

__all__ = [
    "AF",
    "DPI",
    "FIGSIZE",
    "MDC",
    "OKABE_ITO",
    "ChartSubject",
    "Lineage",
    "add_footnote",
    "add_titles",
    "axis_label",
    "compact_ids",
    "finish_figure",
    "format_value",
    "legend_above",
    "new_figure",
    "ordinal",
    "period_text",
    "polarity_text",
    "save_figure",
    "start_axis_at_zero",
]

# Chart text is plain text, never mathtext: "$" in an area or offence name must not become
# maths, and a label never changes with the data it quotes.
rcParams["text.parse_math"] = False

#: Figure size in inches (a board paper's full text width) and resolution of the PNG.
FIGSIZE = (10.0, 5.6)
DPI = 150
FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib, so every machine draws the same

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
    "light_grey": "#C8C8C8",
    "text_grey": "#444444",
}

#: The Government Analysis Function's chart colours (afcharts, the Analysis Function's own package):
#: the categorical palette (dark blue, turquoise, dark pink, orange, dark grey, light purple), the
#: focus palette's grey for "the others", and the sequential palette's light blue for bands.
_AF_CATEGORICAL = get_af_colours("categorical")
AF = {
    "dark_blue": _AF_CATEGORICAL[0],
    "turquoise": _AF_CATEGORICAL[1],
    "dark_pink": _AF_CATEGORICAL[2],
    "orange": _AF_CATEGORICAL[3],
    "dark_grey": _AF_CATEGORICAL[4],
    "light_purple": _AF_CATEGORICAL[5],
    "focus_grey": get_af_colours("focus")[1],
    "light_blue": get_af_colours("sequential", number_of_colours=5)[3],
}

#: NHS Making Data Count colours (NHSRplotthedots ``ptd_spc_colours()``, v0.1-0.2).
MDC = {
    "common_cause": "#7B7D7D",
    "special_cause_improvement": "#289de0",
    "special_cause_concern": "#fab428",
    "special_cause_neutral_high": "#361475",
    "special_cause_neutral_low": "#361475",
    "value_line": "#7B7D7D",
    "mean_line": "#000000",
    "limits": "#7B7D7D",
    "target": "#de1b1b",
    "trajectory": "#361475",
}

TITLE_SIZE = 14.0
SUBTITLE_SIZE = 10.5
BODY_SIZE = 10.0
SMALL_SIZE = 8.5
FOOTNOTE_SIZE = 7.5

# Figure fractions shared by every chart.
_LEFT, _RIGHT, _BOTTOM, _TOP = 0.085, 0.975, 0.175, 0.80


def new_figure(figsize: Sequence[float] = FIGSIZE) -> tuple[Figure, Axes]:
    """A figure with one axes in the house layout.

    No pyplot: the figure gets an Agg canvas of its own (no GUI backend, works headless), which
    :func:`finish_figure` also uses to measure text for the layout.
    """
    fig = Figure(figsize=(float(figsize[0]), float(figsize[1])), dpi=DPI)
    _SharedRendererCanvas(fig)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((_LEFT, _BOTTOM, _RIGHT - _LEFT, _TOP - _BOTTOM))
    _style_axes(ax)
    return fig, ax


_SHARED = threading.local()


class _SharedRendererCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer is this thread's one for the figure's pixel size and dpi.

    matplotlib caches text measurements per renderer: with one renderer per figure, every
    chart measured its tick labels, legend entries and axis labels afresh (2,634 measurements
    of 668 different texts for the sample's pack), and allocated a canvas of its own. Every
    draw clears the renderer first, so nothing of one chart shows in another; one per thread,
    so two threads never draw on the same pixels.
    """

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        shared: dict[tuple[Any, ...], RendererAgg] = _SHARED.__dict__.setdefault("renderers", {})
        if key not in shared:
            shared[key] = RendererAgg(width, height, self.figure.dpi)
        self.renderer = shared[key]
        self._lastKey = key  # type: ignore[assignment]
        return self.renderer


def _style_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#666666")
    ax.tick_params(labelsize=BODY_SIZE - 0.5, color="#666666")
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.yaxis.label.set_fontsize(BODY_SIZE)
    ax.xaxis.label.set_fontsize(BODY_SIZE)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))


def _thousands(value: float, _pos: int) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


def _wrap_to_width(fig: Figure, text: Text, content: str, width: float) -> None:
    """Wrap ``content`` into ``text`` so it fits ``width`` (figure fraction), by measuring."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    limit = width * fig.bbox.width
    text.set_text(content)
    full = text.get_window_extent(renderer).width
    if full <= limit:
        return
    # Start from the proportional guess, then tighten (a few measurements, not dozens).
    chars = max(int(len(content) * limit / full), 20)
    while True:
        text.set_text("\n".join(textwrap.wrap(content, width=chars)) or content)
        if text.get_window_extent(renderer).width <= limit or chars <= 20:
            return
        chars = max(int(chars * 0.96), 20)


def add_titles(fig: Figure, title: str, subtitle: str, width: float = 1.0) -> Text:
    """Title (what the chart shows) and subtitle (unit, period, polarity) at the top left.

    ``width`` is the fraction of the figure's width the text may use (less when icons sit at
    the top right); longer text wraps onto more lines (measured), never cut. Returns the
    subtitle.
    """
    usable = width - 0.03
    head = fig.text(0.015, 0.978, title, size=TITLE_SIZE, weight="bold", ha="left", va="top",
                    gid="title", family=FONT_FAMILY, linespacing=1.15)
    _wrap_to_width(fig, head, title, usable)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    y = head.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0
    sub = fig.text(0.015, y - 5 / (72 * fig.get_figheight()), subtitle, size=SUBTITLE_SIZE,
                   color=OKABE_ITO["text_grey"], ha="left", va="top", gid="subtitle",
                   family=FONT_FAMILY, linespacing=1.2)
    _wrap_to_width(fig, sub, subtitle, usable)
    return sub


def add_footnote(fig: Figure, lineage: Lineage | None, method: str = "") -> Text:
    """The lineage footnote (source, data date, load batches) after a one-line method note."""
    text = lineage.text() if lineage is not None else "Source and load batches: not recorded."
    if method:
        text = f"{method.rstrip('.')}. {text}"
    note = fig.text(0.015, 0.012, text, size=FOOTNOTE_SIZE, color=OKABE_ITO["text_grey"],
                    ha="left", va="bottom", gid="footnote", family=FONT_FAMILY,
                    linespacing=1.3)
    _wrap_to_width(fig, note, text, 0.97)
    return note


def legend_above(ax: Axes, ncol: int | None = None, **kwargs: Any) -> Legend | None:
    """The legend in rows just above the plot area (keeps the data clear)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    return ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.005),
                     ncol=ncol or min(len(handles), 4), frameon=False, fontsize=SMALL_SIZE,
                     handlelength=2.2, columnspacing=1.4, borderaxespad=0.15, **kwargs)


def finish_figure(
    fig: Figure,
    ax: Axes,
    *,
    title: str,
    subtitle: str,
    lineage: Lineage | None,
    method: str = "",
    title_width: float = 1.0,
    legend_ncol: int | None = None,
) -> Figure:
    """Titles, legend and lineage footnote, then fit the plot area between them.

    The axes are placed from measured text sizes: below the subtitle and the legend, above
    the footnote and the x-axis labels, right of the y-axis labels, so nothing overlaps
    whatever the title's length or the number of legend rows.
    """
    add_titles(fig, title, subtitle, width=title_width)
    legend = legend_above(ax, ncol=legend_ncol)
    footnote = add_footnote(fig, lineage, method)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    to_fig = fig.transFigure.inverted()
    pad = 6 / (72 * fig.get_figheight())

    def box(artist: Any) -> Any:
        return artist.get_window_extent(renderer).transformed(to_fig)

    header_bottom = min(box(t).y0 for t in fig.texts if t.get_gid() in (
        "subtitle", "title", "variation", "assurance", "variation-icon", "assurance-icon"))
    legend_h = box(legend).height if legend is not None else 0.0
    top = header_bottom - pad - legend_h
    foot_top = box(footnote).y1
    pos = ax.get_position()
    tight = ax.get_tightbbox(renderer)
    below = (pos.y0 - tight.transformed(to_fig).y0) if tight is not None else 0.1
    left_of = (pos.x0 - tight.transformed(to_fig).x0) if tight is not None else 0.08
    bottom = foot_top + pad + below
    left = 0.015 + left_of
    ax.set_position((left, bottom, _RIGHT - left, max(top - bottom, 0.2)))
    return fig


def start_axis_at_zero(ax: Axes, *values: Any, headroom: float = 0.08) -> None:
    """Value axis from zero (rates, counts and percentages) up to the data plus headroom.

    The top is the largest finite value among ``values`` (arrays or scalars) times
    ``1 + headroom``; values below zero (a lower process limit of a count) are left off the
    axis, never used to move its base.
    """
    tops = []
    for v in values:
        s = pd.to_numeric(pd.Series(v if hasattr(v, "__len__") else [v]), errors="coerce")
        s = s[s.notna() & (s != float("inf"))]
        if not s.empty:
            tops.append(float(s.max()))
    top = max(tops) if tops else 1.0
    ax.set_ylim(0.0, top * (1.0 + headroom) if top > 0 else 1.0)


def save_figure(fig: Figure, path_stem: str | Path,
                formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``<path_stem>.<format>`` for each format; returns the paths written.

    PNG at :data:`DPI` (:func:`_save_png`); SVG keeps text as text (searchable, accessible).
    The folder is created.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt.lstrip('.')}")
        if fmt.lower().lstrip(".") == "png":
            _save_png(fig, path)
        else:
            with _svg_text():
                fig.savefig(path, format=fmt, facecolor="white", metadata=_metadata(fmt))
        paths.append(path)
    return paths


#: zlib level of the PNGs: 3 compresses the charts' flat colours as well as the default 6
#: (11.48 against 11.54 MB for the sample's 74 RGB charts) in about two thirds of the CPU.
PNG_COMPRESS_LEVEL = 3


def _save_png(fig: Figure, path: Path) -> None:
    """The figure drawn by Agg at :data:`DPI` on white, written as an RGB PNG when every pixel
    is opaque (always, on the white face: the alpha channel only said so), else RGBA.

    The same pixels as ``savefig(format="png")``, in three quarters of the bytes to compress
    (and for WeasyPrint to split into a colour image and an all-opaque mask in the report's
    PDF); the PNG's tEXt ``Software`` and its resolution are as before.
    """
    raw = io.BytesIO()
    fig.savefig(raw, format="raw", dpi=DPI, facecolor="white")
    pixels = raw.getvalue()
    width = int(fig.get_figwidth() * DPI)  # as Agg sizes its canvas (RendererAgg(int(w), ...))
    height = len(pixels) // (4 * width)
    image = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1)
    if image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    info = PngInfo()
    for key, value in (_metadata("png") or {}).items():
        info.add_text(key, value)
    image.save(path, format="png", pnginfo=info, dpi=(DPI, DPI),
               compress_level=PNG_COMPRESS_LEVEL)


def _metadata(fmt: str) -> dict[str, Any] | None:
    # A fixed (empty) date keeps re-runs byte-identical where the format records one.
    if fmt.lower() == "svg":
        return {"Date": None}
    if fmt.lower() == "png":
        return {"Software": "scp-metrics (matplotlib)"}
    return None


class _svg_text:
    """Keep SVG text as <text> elements (not paths) and a fixed hash salt, temporarily."""

    def __enter__(self) -> None:
        self._saved = (rcParams["svg.fonttype"], rcParams["svg.hashsalt"])
        rcParams["svg.fonttype"] = "none"
        rcParams["svg.hashsalt"] = "scp-metrics"

    def __exit__(self, *exc: object) -> None:
        rcParams["svg.fonttype"], rcParams["svg.hashsalt"] = self._saved
