"""The chart pack: every chart whose data exists for one area, and single charts on demand.

:func:`draw_charts` turns (kind, indicator, area) into figures using the loaders;
:func:`write_chart_pack` draws every kind for every indicator with data, saves PNG and SVG to
one folder with an ``index.csv`` (what was written, what was skipped and why), and returns the
image files. A chart whose data is missing is skipped with a logged reason; a chart that fails
to draw is logged with its error and recorded in the index, so one bad series never stops the
refresh from publishing the rest.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from scp_metrics.escaping import neutralise
from scp_metrics.fanout import fan_out, pieces_for
from scp_metrics.publish.charts.funnel_chart import plot_funnel
from scp_metrics.publish.charts.loaders import (
    ChartDataMissing,
    lineage_for,
    load_breaks,
    load_rankings,
    load_spc,
    load_subject,
    load_trajectory,
    load_trend,
    pack_cache,
    suppressed_note,
    table_exists,
)
from scp_metrics.publish.charts.ranking_chart import plot_ranking
from scp_metrics.publish.charts.reuse import ChartSpec, Reuse, file_digest, fingerprint, write_manifest
from scp_metrics.publish.charts.spc_chart import plot_spc
from scp_metrics.publish.charts.style import save_figure
from scp_metrics.publish.charts.trajectory_chart import plot_trajectory
from scp_metrics.publish.charts.trend_chart import plot_trend
from scp_metrics.publish.reader import Connection, MartReader, as_reader

__all__ = ["CHART_KINDS", "ChartOutcome", "chart_specs", "draw_charts", "write_chart_pack"]

log = logging.getLogger(__name__)

#: Chart kinds in the order the pack draws them for each indicator.
CHART_KINDS: tuple[str, ...] = ("spc", "trend", "trajectory", "ranking", "funnel")
INDEX_NAME = "index.csv"


@dataclass
class ChartOutcome:
    """One chart of the pack: written (with its files), skipped or failed (with the reason)."""

    kind: str
    indicator_id: str
    area_code: str
    status: str  # written | skipped | failed
    name: str = ""
    title: str = ""
    reason: str = ""
    files: list[Path] = field(default_factory=list)
    fingerprint: str = ""  # what the chart was drawn from (reuse.fingerprint), "" unknown
    digests: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256
    reused: bool = False  # copied from the previous pack, not drawn


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def _title_of(fig: Figure) -> str:
    for t in fig.texts:
        if t.get_gid() == "title":
            return " ".join(t.get_text().split())
    return ""


def draw_charts(warehouse: MartReader | Connection, kind: str, indicator_id: str, area_code: str,
                as_of: Any, config_dir: Path) -> list[tuple[str, Figure]]:
    """Draw one kind of chart of one indicator in one area from the warehouse
    (:func:`chart_specs`, each drawn).

    Parameters
    ----------
    warehouse : MartReader or DuckDB connection
        The warehouse (read-only is enough), read through the publish reader.
    kind : {"spc", "trend", "trajectory", "ranking", "funnel"}
    indicator_id, area_code : str
    as_of : str or None
        ``YYYY-MM``: draw data up to the end of that month (None: everything).
    config_dir : Path
        ``config/`` (source wording for the footnote; small-number suppression of
        ``privacy.toml``; the trajectory profile of ``targets.toml``).

    Returns
    -------
    list of (name, Figure)
        ``name`` is the file stem, e.g. ``"spc_all_crime_E06000045"``; a trajectory gives one
        figure per target of the indicator.

    Raises
    ------
    ChartDataMissing
        The data the chart needs is not in the warehouse (the message says what).
    """
    return [(spec.name, spec.draw())
            for spec in chart_specs(warehouse, kind, indicator_id, area_code, as_of, config_dir)]


def chart_specs(warehouse: MartReader | Connection, kind: str, indicator_id: str, area_code: str,
                as_of: Any, config_dir: Path) -> list[ChartSpec]:
    """The charts :func:`draw_charts` draws, their data loaded but not yet drawn: each spec's
    plot function and arguments (what :mod:`~scp_metrics.publish.charts.reuse` fingerprints).
    Raises :class:`ChartDataMissing` as :func:`draw_charts` does."""
    if kind not in CHART_KINDS:
        raise ValueError(f"unknown chart kind {kind!r} (expected one of {', '.join(CHART_KINDS)})")
    con = as_reader(warehouse)
    subject = load_subject(con, indicator_id, area_code)
    stem = f"{kind}_{_safe(indicator_id)}_{_safe(area_code)}"
    if kind == "spc":
        spc = load_spc(con, indicator_id, area_code, as_of, config_dir=config_dir)
        data_to = _month_end_of(spc["period_start"].max())
        lineage = lineage_for(con, indicator_id, [area_code], data_to, period_types=["month"],
                              config_dir=config_dir, note=suppressed_note(spc))
        return [ChartSpec(stem, plot_spc, (spc, subject), {
            "lineage": lineage, "breaks": load_breaks(con, indicator_id, area_code)})]
    if kind == "trend":
        values = load_trend(con, indicator_id, area_code, as_of, config_dir=config_dir)
        lineage = lineage_for(con, indicator_id, [area_code], values["period_end"].max(),
                              config_dir=config_dir, note=suppressed_note(values))
        return [ChartSpec(stem, plot_trend, (values, subject), {
            "lineage": lineage, "breaks": load_breaks(con, indicator_id, area_code)})]
    if kind in ("ranking", "funnel"):
        if kind == "funnel" and subject.measure not in ("rate", "percentage"):
            raise ChartDataMissing(f"{indicator_id} is a {subject.measure}: a funnel plot needs "
                                   "a rate or a percentage")
        members = load_rankings(con, indicator_id, area_code, as_of, config_dir=config_dir)
        if members.loc[members["area_code"] == area_code, "value"].isna().all():
            raise ChartDataMissing(f"{area_code}'s value of {indicator_id} is withheld or "
                                   "missing in the latest ranked period")
        period_type = str(members["period_type"].iloc[0])
        lineage = lineage_for(con, indicator_id, members["area_code"].tolist(),
                              members["period_end"].max(), period_types=[period_type],
                              extra_sources=["msg_membership"], config_dir=config_dir,
                              note=suppressed_note(members))
        group_name = (con.value("chart_peer_group_label", area_code=area_code)
                      if table_exists(con, "mart_peer_group") else None) or "Most Similar Group"
        if kind == "ranking":
            return [ChartSpec(stem, plot_ranking, (members, subject),
                              {"lineage": lineage, "group_name": group_name})]
        if members["denominator"].isna().all():
            raise ChartDataMissing(f"no denominators for {indicator_id}: nothing to plot "
                                   "against population")
        survey = period_type == "survey"
        return [ChartSpec(stem, plot_funnel, (members, subject), {
            "lineage": lineage,
            "x_label": "Respondents (survey sample size)" if survey else None,
            "group_name": group_name,
            "note": ("survey percentages are weighted: limits on the sample sizes as published "
                     "ignore the design effect and are narrower than the truth") if survey else ""})]
    # trajectory: one chart per target of the indicator
    if not table_exists(con, "mart_target_tracking"):
        raise ChartDataMissing("mart_target_tracking is not in the warehouse (not built yet)")
    targets = [r[0] for r in con.rows("chart_projected_targets", indicator_id=indicator_id,
                                      area_code=area_code)]
    if not targets:
        raise ChartDataMissing(f"no target of {indicator_id} for {area_code} has a year-end "
                               "projection")
    out: list[ChartSpec] = []
    for target_id in targets:
        path, row = load_trajectory(con, target_id, area_code, config_dir=config_dir)
        seen = path[path["actual_ytd"].notna()]
        lineage = lineage_for(con, indicator_id, [area_code],
                              seen["period_end"].max() if len(seen) else None,
                              period_types=["month", "fytd"], config_dir=config_dir,
                              population=str(row.get("unit")) != "count")
        out.append(ChartSpec(f"trajectory_{_safe(target_id)}_{_safe(area_code)}",
                             plot_trajectory, (path, row, subject), {"lineage": lineage}))
    return out


def _month_end_of(value: Any) -> Any:
    import pandas as pd

    return pd.Timestamp(value) + pd.offsets.MonthEnd(0)


def _indicators_for(reader: MartReader, area_code: str) -> list[str]:
    """Catalogue order, only indicators with any value for the area."""
    if not reader.has("mart_indicator_values"):
        return []
    return [r[0] for r in reader.rows("indicators_with_values", area_code=area_code)]


def _remove_previous(out_dir: Path) -> None:
    """Delete the files a previous pack listed in its index (never anything else)."""
    index = out_dir / INDEX_NAME
    if not index.is_file():
        return
    with open(index, newline="") as fh:
        for row in csv.DictReader(fh):
            for name in (row.get("files") or "").split(";"):
                if name and "/" not in name and name != INDEX_NAME:
                    (out_dir / name).unlink(missing_ok=True)


def write_chart_pack(
    con_or_warehouse: MartReader | Connection | str | Path,
    area_code: str,
    out_dir: str | Path,
    as_of: Any = None,
    *,
    kinds: Sequence[str] = CHART_KINDS,
    indicators: Iterable[str] | None = None,
    formats: Sequence[str] = ("png", "svg"),
    config_dir: Path,
    on_chart: Callable[[int, int], None] | None = None,
    previous: str | Path | None = None,
) -> list[Path]:
    """Draw every chart whose data exists for ``area_code`` into ``out_dir``.

    Parameters
    ----------
    con_or_warehouse : MartReader, DuckDB connection or path
        The publish reader, an open connection, or the warehouse file (opened read-only and
        closed again).
    area_code : str
        The partnership's area (ONS code).
    out_dir : str or Path
        The folder that receives the charts (the refresh passes
        ``data/outputs/<as-of>/charts``); created if needed. Files a previous pack listed in
        its ``index.csv`` are removed first, so the folder never mixes two runs.
    as_of : str, optional
        ``YYYY-MM``: data up to the end of that month (default: the area's latest month).
    kinds, indicators : optional
        Restrict the pack (default: every kind, every indicator with data for the area).
    formats : sequence of str, default ("png", "svg")
    config_dir : Path
        ``config/`` for footnote wording, small-number suppression and the trajectory profile.
    on_chart : callable, optional
        Called with ``(done, total)`` (indicator × kind pairs) as the pack is drawn here, for
        progress lines; not called for batches drawn by fan-out workers.
    previous : str or Path, optional
        An earlier pack's folder (not ``out_dir`` itself): a chart whose fingerprint is the one
        its ``manifest.json`` records, and whose files there are intact, is copied from it
        instead of drawn (:mod:`~scp_metrics.publish.charts.reuse`; the same bytes).

    Returns
    -------
    list of Path
        The image files written, in pack order. ``index.csv`` (kind, indicator, status,
        title, reason, files) lists them with every chart skipped and why; ``manifest.json``
        each written chart's fingerprint and files' SHA-256.
    """
    own = isinstance(con_or_warehouse, str | Path)
    if own:
        path = Path(con_or_warehouse)  # type: ignore[arg-type]
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: run 'scp-metrics refresh' first")
        con = MartReader.open(path)
    else:
        con = as_reader(con_or_warehouse)  # type: ignore[arg-type]
    out = Path(out_dir)
    earlier = Path(previous) if previous is not None else None
    if earlier is not None and (not earlier.is_dir() or (
            out.exists() and earlier.resolve() == out.resolve())):
        earlier = None
    reuse = Reuse.from_folder(earlier)
    try:
        as_of = as_of or con.latest_month(area_code)
        wanted = list(indicators) if indicators is not None else _indicators_for(con, area_code)
        out.mkdir(parents=True, exist_ok=True)
        _remove_previous(out)
        outcomes = _draw_pack(con, wanted, kinds, area_code, as_of, out, formats, config_dir,
                              on_chart, reuse)
    finally:
        if own:
            con.close()
    _write_index(out, outcomes)
    written = [o for o in outcomes if o.status == "written"]
    write_manifest(out, {o.name: {"fingerprint": o.fingerprint, "title": o.title,
                                  "files": o.digests}
                         for o in written if o.fingerprint and o.digests})
    failed = [o for o in outcomes if o.status == "failed"]
    log.info("chart pack for %s as of %s: %d charts written to %s (%d drawn, %d unchanged and "
             "copied), %d skipped, %d failed", area_code, as_of, len(written), out,
             sum(not o.reused for o in written), sum(o.reused for o in written),
             sum(o.status == "skipped" for o in outcomes), len(failed))
    return [f for o in written for f in o.files]


def _draw_pack(con: MartReader, wanted: list[str], kinds: Sequence[str], area: str, as_of: Any,
               out: Path, formats: Sequence[str], config_dir: Path,
               on_chart: Callable[[int, int], None] | None = None,
               reuse: Reuse | None = None) -> list[ChartOutcome]:
    """Every chart of ``wanted`` × ``kinds``, in pack order: here, or (when a fan-out mapper is
    installed, :mod:`scp_metrics.fanout`) in batches of indicators drawn by workers that open
    the warehouse file read-only themselves (connections are never sent to a worker)."""
    reuse = reuse or Reuse.from_folder(None)
    parts = pieces_for(len(wanted), minimum=2)
    path = con.value("database_path") if parts > 1 else None
    if not path:
        outcomes: list[ChartOutcome] = []
        pairs = [(indicator, kind) for indicator in wanted for kind in kinds]
        with pack_cache():
            for done, (indicator, kind) in enumerate(pairs, 1):
                outcomes += _draw_and_save(con, kind, indicator, area, as_of, out, formats,
                                           config_dir, reuse)
                if on_chart is not None:
                    on_chart(done, len(pairs))
        return outcomes
    # every parts-th indicator in a batch: neighbours in the pack (an indicator family, the
    # police.uk ones with few charts) are spread over the batches, which then take about as
    # long as each other; the outcomes are put back in pack order, indicator by indicator
    if len(set(wanted)) < len(wanted):  # an indicator asked for twice: contiguous batches
        size = -(-len(wanted) // parts)
        batches = [wanted[i:i + size] for i in range(0, len(wanted), size)]
        results = fan_out(draw_batch, [(str(path), batch, tuple(kinds), area, as_of, out,
                                        tuple(formats), config_dir, reuse) for batch in batches])
        return [o for batch in results for o in batch]
    batches = [wanted[i::parts] for i in range(parts)]
    results = fan_out(draw_batch, [(str(path), batch, tuple(kinds), area, as_of, out,
                                    tuple(formats), config_dir, reuse) for batch in batches])
    by_indicator: dict[str, list[ChartOutcome]] = {}
    for batch, outcomes in zip(batches, results, strict=True):
        for indicator in batch:
            by_indicator[indicator] = []
        for o in outcomes:
            by_indicator[o.indicator_id].append(o)
    return [o for indicator in wanted for o in by_indicator[indicator]]


def draw_batch(warehouse: str, indicators: list[str], kinds: Sequence[str], area: str,
               as_of: Any, out: Path, formats: Sequence[str],
               config_dir: Path, reuse: Reuse | None = None) -> list[ChartOutcome]:
    """The charts of ``indicators`` (a worker's batch of the pack), the warehouse opened
    read-only here; returns their outcomes in pack order."""
    reuse = reuse or Reuse.from_folder(None)
    with MartReader.open(warehouse) as con, pack_cache():
        return [o for indicator in indicators for kind in kinds
                for o in _draw_and_save(con, kind, indicator, area, as_of, out, formats,
                                        config_dir, reuse)]


def _draw_and_save(con: MartReader, kind: str, indicator: str, area: str,
                   as_of: Any, out: Path, formats: Sequence[str],
                   config_dir: Path, reuse: Reuse) -> list[ChartOutcome]:
    try:
        specs = chart_specs(con, kind, indicator, area, as_of, config_dir)
    except ChartDataMissing as exc:
        log.info("chart %s of %s (%s) skipped: %s", kind, indicator, area, exc)
        return [ChartOutcome(kind, indicator, area, "skipped", reason=str(exc))]
    except Exception as exc:  # noqa: BLE001 - one broken chart must not stop the pack
        return [_failed(kind, indicator, area, "", exc)]
    outcomes = []
    for spec in specs:
        fp = fingerprint(spec, formats, reuse.version)
        names = [f"{spec.name}.{fmt.lstrip('.')}" for fmt in formats]
        copied = reuse.copy(spec.name, fp, out, names)
        if copied is not None:
            title = str(reuse.charts[spec.name].get("title", ""))
            outcomes.append(ChartOutcome(kind, indicator, area, "written", spec.name, title,
                                         files=[out / n for n in names], fingerprint=fp or "",
                                         digests=copied, reused=True))
            continue
        try:
            fig = spec.draw()
            files = save_figure(fig, out / spec.name, formats)
            digests = {f.name: file_digest(f) for f in files}
        except Exception as exc:  # noqa: BLE001 - nor one that fails to draw or save
            outcomes.append(_failed(kind, indicator, area, spec.name, exc))
            continue
        outcomes.append(ChartOutcome(kind, indicator, area, "written", spec.name, _title_of(fig),
                                     files=files, fingerprint=fp or "", digests=digests))
    return outcomes


def _failed(kind: str, indicator: str, area: str, name: str, exc: Exception) -> ChartOutcome:
    log.warning("chart %s of %s (%s) failed: %s: %s", name or kind, indicator, area,
                type(exc).__name__, exc, exc_info=True)
    return ChartOutcome(kind, indicator, area, "failed", name, reason=f"{type(exc).__name__}: {exc}")


def _write_index(out: Path, outcomes: list[ChartOutcome]) -> None:
    with open(out / INDEX_NAME, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kind", "indicator_id", "area_code", "status", "name", "title",
                         "reason", "files"])
        for o in outcomes:
            writer.writerow([neutralise(v) for v in (
                o.kind, o.indicator_id, o.area_code, o.status, o.name, o.title, o.reason,
                ";".join(f.name for f in o.files))])
