"""Fan-out: the all-area chart pack as Prefect tasks, one task per area, on a process pool.

Each task opens the warehouse read-only (DuckDB allows many readers), reads one area's
``all_crime`` values and renders its trend chart to PNG: CPU-bound, independent work.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("MPLBACKEND", "Agg")

from prefect import flow, task  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner  # noqa: E402

INDICATOR = "all_crime"


@task
def area_chart(warehouse: str, area_code: str, out_dir: str) -> str:
    """Render one area's trend chart (monthly and rolling 12 months) to PNG."""
    import duckdb
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scp_metrics.charts.style import ChartSubject
    from scp_metrics.charts.trend_chart import plot_trend

    con = duckdb.connect(warehouse, read_only=True)
    try:
        values = con.execute(
            "select * from mart_indicator_values where indicator_id = ? and area_code = ? "
            "and period_type in ('month', 'rolling_12m') order by period_type, period_start",
            [INDICATOR, area_code]).df()
        name = con.execute("select any_value(area_name) from mart_indicator_values where "
                           "area_code = ?", [area_code]).fetchall()[0][0] or area_code
    finally:
        con.close()
    subject = ChartSubject(INDICATOR, "All recorded crime", "rate per 1,000", "lower", "rate",
                           area_code, str(name))
    fig = plot_trend(values, subject)
    path = Path(out_dir) / f"{area_code}_{INDICATOR}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return str(path)


def _pack(warehouse: str, areas: list[str], out_dir: str) -> list[str]:
    futures = [area_chart.submit(warehouse, a, out_dir) for a in areas]
    return [f.result() for f in futures]


@flow(name="bench-chart-pack-1", task_runner=ProcessPoolTaskRunner(max_workers=1))
def chart_pack_one_worker(warehouse: str, areas: list[str], out_dir: str) -> list[str]:
    return _pack(warehouse, areas, out_dir)


@flow(name="bench-chart-pack-2", task_runner=ProcessPoolTaskRunner(max_workers=2))
def chart_pack_two_workers(warehouse: str, areas: list[str], out_dir: str) -> list[str]:
    return _pack(warehouse, areas, out_dir)


@flow(name="bench-warm-up")
def warm_up() -> int:
    return 1


def measure(warehouse: Path, areas: list[str], out_dir: Path) -> dict[str, float]:
    """Prefect start-up, then the pack with 1 and 2 worker processes (seconds).

    One temporary Prefect server serves the flow and every worker process (each worker would
    otherwise start a server of its own)."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    started = time.perf_counter()
    server = SubprocessASGIServer()
    server.start(timeout=120)
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            warm_up()
            out: dict[str, float] = {"prefect_startup_s": time.perf_counter() - started}
            for key, pack in (("one_worker_s", chart_pack_one_worker),
                              ("two_workers_s", chart_pack_two_workers)):
                started = time.perf_counter()
                paths = pack(str(warehouse), areas, str(out_dir / key))
                out[key] = time.perf_counter() - started
                assert len(paths) == len(areas)
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
    return out
