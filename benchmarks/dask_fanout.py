"""The refresh's fanned-out phases on a Dask ``LocalCluster``: 1 worker against 2.

What fans out in a refresh (``scp_metrics.fanout``): every SPC series (``mart_spc``), every
trend series (``mart_trends``) and the home area's chart pack. Each is run here exactly as the
``dask`` task runner runs it — the same pieces through :func:`scp_metrics.fanout.fan_out_series`
and ``write_chart_pack`` — from a finished benchmark warehouse (opened read-only), on a
``LocalCluster`` of 1 and then 2 single-threaded worker processes. The workers are warmed first
(every module imported), so the figure compares the work, not process start-up;
start-up is reported apart. Submitted straight to the Dask client rather than as Prefect task
runs: the per-piece Prefect overhead (a task run on the API, ~0.1 s) is the same for both
worker counts, and a temporary Prefect server would only add noise.

Peak RSS counts every process: this one's resident memory (the client, scheduler and nannies;
its own peak would include the benchmark's earlier phases) plus each worker's ``ru_maxrss``.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

KEYS = ["indicator_id", "area_code"]


def _inputs(warehouse: Path) -> dict[str, Any]:
    from scp_metrics.settings import get_settings
    from scp_metrics.warehouse.connection import connect_warehouse
    from scp_metrics.warehouse.queries import query, query_rows

    settings = get_settings(warehouse=warehouse)
    con = connect_warehouse(settings, read_only=True)
    try:
        return {
            "spc_monthly": query(con, "reads/spc/monthly_values"),
            "polarity": dict(query_rows(con, "reads/common/indicator_polarities")),
            "spc_breaks": query(con, "reads/spc/series_breaks"),
            "trend_monthly": query(con, "reads/trends/monthly_counts"),
            "measure": dict(query_rows(con, "reads/common/indicator_measures")),
            "trend_breaks": query(con, "reads/trends/series_breaks"),
            "home_area": settings.home_area,
            "config_dir": settings.config_dir,
        }
    finally:
        con.close()


def _worker_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phases(inputs: dict[str, Any], warehouse: Path, out: Path,
            charts: bool = True) -> dict[str, float]:
    """The three fanned-out phases under the current mapper, seconds each."""
    from scp_metrics.fanout import fan_out_series
    from scp_metrics.publish.charts import write_chart_pack
    from scp_metrics.stats.spc_series import spc_table
    from scp_metrics.stats.trends import trend_table

    times = {}
    started = time.perf_counter()
    fan_out_series(spc_table, inputs["spc_monthly"], KEYS, inputs["polarity"], inputs["spc_breaks"])
    times["spc_s"] = time.perf_counter() - started
    started = time.perf_counter()
    fan_out_series(trend_table, inputs["trend_monthly"], KEYS, inputs["measure"],
                   inputs["trend_breaks"])
    times["trends_s"] = time.perf_counter() - started
    if not charts:
        return times
    started = time.perf_counter()
    write_chart_pack(warehouse, inputs["home_area"], out, formats=("png",),
                     config_dir=inputs["config_dir"])
    times["charts_s"] = time.perf_counter() - started
    return times


def measure(warehouse: Path, out: Path, charts: bool = True) -> dict[str, float]:
    """Seconds of the fanned-out phases with 1 and 2 workers, their speed-up, start-up and the
    peak RSS of every process of each run (``charts`` False: the series only)."""
    import distributed

    from scp_metrics.fanout import Mapper, mapping_with

    inputs = _inputs(warehouse)
    result: dict[str, float] = {}
    for workers in (1, 2):
        started = time.perf_counter()
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            def run(func, pieces, client=client):  # noqa: ANN001, ANN202
                return client.gather([client.submit(func, *args, pure=False) for args in pieces])

            mapper = Mapper(run, workers, "dask")
            client.run(_warm)  # imports on every worker: pandas, statsmodels, matplotlib
            result[f"startup_{workers}_s"] = time.perf_counter() - started
            with mapping_with(mapper):
                times = _phases(inputs, warehouse, out / f"pack-{workers}", charts)
            result[f"workers_{workers}_s"] = sum(times.values())
            for key, value in times.items():
                result[f"{key[:-2]}_{workers}_s"] = value
            worker_mb = sum(client.run(_worker_peak_mb).values())
            result[f"peak_rss_{workers}_mb"] = _this_process_mb() + worker_mb
    result["speedup"] = result["workers_1_s"] / result["workers_2_s"]
    return result


def _warm() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import scp_metrics.publish.charts  # noqa: F401
    import scp_metrics.stats.spc_series  # noqa: F401
    import scp_metrics.stats.trends  # noqa: F401


def _this_process_mb() -> float:
    """This process's resident memory now (its peak includes the benchmark's earlier phases)."""
    import psutil

    return psutil.Process().memory_info().rss / 1e6
