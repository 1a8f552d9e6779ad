"""Fan-out: the all-area chart pack as Prefect tasks on a process pool, 1 vs 2 worker processes.

Each task draws a small batch of areas: for every area it reads the ``all_crime`` values from
the warehouse and renders the trend chart to PNG (CPU-bound, independent work). Both runs are
measured the same way:

* the flow first warms every worker process: one warm-up task per worker (a rendezvous makes
  each land on its own process) imports pandas, matplotlib and the chart code, opens the
  warehouse read-only (kept open for the process's later tasks) and draws one throw-away chart;
* the pack is then timed inside the flow, from the first task submitted to the last result;
* the areas go out in the same batches (``batch_size``) for both worker counts, so the
  per-task Prefect overhead (task run creation and state changes on the API) is the same.

Process start-up and the Prefect server are fixed costs of a long-running deployment, not of the
pack; they are reported apart (``*_flow_s``: the whole flow run, warm-up included, and
``prefect_startup_s``).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("MPLBACKEND", "Agg")

from prefect import flow, task  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner  # noqa: E402

INDICATOR = "all_crime"
MAX_BATCH = 5
"""Areas drawn by one task at most."""
MIN_TASKS_PER_WORKER = 4
"""Batches are made small enough for at least this many tasks per worker of the 2-worker run."""
RENDEZVOUS_TIMEOUT_S = 180.0

_READERS: dict[str, Any] = {}
"""The warehouse opened read-only, once per worker process."""


def _reader(warehouse: str) -> Any:  # noqa: ANN401
    if warehouse not in _READERS:
        import duckdb

        _READERS[warehouse] = duckdb.connect(warehouse, read_only=True)
    return _READERS[warehouse]


def _draw(warehouse: str, area_code: str, out_dir: str) -> str:
    """Render one area's trend chart (monthly and rolling 12 months) to PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scp_metrics.publish.charts.style import ChartSubject
    from scp_metrics.publish.charts.trend_chart import plot_trend

    con = _reader(warehouse).cursor()
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


@task
def area_charts(warehouse: str, areas: list[str], out_dir: str) -> list[str]:
    """Render a batch of areas' trend charts; returns the PNG files."""
    return [_draw(warehouse, area, out_dir) for area in areas]


@task
def warm_worker(warehouse: str, area_code: str, scratch: str, workers: int) -> int:
    """Import, open the warehouse and draw one chart in this worker process, then wait until
    ``workers`` processes have done the same (so each warm-up task has a process of its own)."""
    _draw(warehouse, area_code, scratch)
    pid = os.getpid()
    here = Path(scratch) / "workers"
    here.mkdir(parents=True, exist_ok=True)
    (here / str(pid)).touch()
    deadline = time.monotonic() + RENDEZVOUS_TIMEOUT_S
    while len(list(here.iterdir())) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(list(here.iterdir()))} of {workers} workers started")
        time.sleep(0.05)
    return pid


def batches(areas: list[str], workers: int = 2) -> list[list[str]]:
    """The areas in batches of at most :data:`MAX_BATCH`, at least
    :data:`MIN_TASKS_PER_WORKER` batches per worker when there are areas enough."""
    size = max(1, min(MAX_BATCH, len(areas) // (MIN_TASKS_PER_WORKER * workers)))
    return [areas[i:i + size] for i in range(0, len(areas), size)]


def _pack(warehouse: str, areas: list[str], out_dir: str, workers: int) -> tuple[list[str], float]:
    with tempfile.TemporaryDirectory(prefix="fanout-warm-") as scratch:
        warm = [warm_worker.submit(warehouse, areas[0], scratch, workers) for _ in range(workers)]
        pids = {f.result() for f in warm}
    if len(pids) != workers:
        raise RuntimeError(f"warm-up reached {len(pids)} worker processes, not {workers}")
    started = time.perf_counter()
    futures = [area_charts.submit(warehouse, batch, out_dir) for batch in batches(areas)]
    paths = [p for f in futures for p in f.result()]
    return paths, time.perf_counter() - started


@flow(name="bench-chart-pack-1", task_runner=ProcessPoolTaskRunner(max_workers=1))
def chart_pack_one_worker(warehouse: str, areas: list[str], out_dir: str) -> tuple[list[str], float]:
    return _pack(warehouse, areas, out_dir, 1)


@flow(name="bench-chart-pack-2", task_runner=ProcessPoolTaskRunner(max_workers=2))
def chart_pack_two_workers(warehouse: str, areas: list[str], out_dir: str) -> tuple[list[str], float]:
    return _pack(warehouse, areas, out_dir, 2)


@flow(name="bench-warm-up")
def warm_up() -> int:
    return 1


def measure(warehouse: Path, areas: list[str], out_dir: Path) -> dict[str, float]:
    """Prefect start-up, then the pack with 1 and 2 worker processes (seconds).

    ``one_worker_s`` / ``two_workers_s``: the pack on warm workers (see the module's doc);
    ``*_flow_s``: the whole flow run, worker start-up and warm-up included. One temporary
    Prefect server serves the flows and every worker process (each worker would otherwise start
    a server of its own)."""
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
            for key, pack in (("one_worker", chart_pack_one_worker),
                              ("two_workers", chart_pack_two_workers)):
                started = time.perf_counter()
                paths, pack_s = pack(str(warehouse), areas, str(out_dir / key))
                out[f"{key}_flow_s"] = time.perf_counter() - started
                out[f"{key}_s"] = pack_s
                assert len(paths) == len(areas)
    finally:
        _drain_prefect_workers()
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
    return out


def _drain_prefect_workers(timeout: float = 30.0) -> None:
    """Send the runs' queued logs and events while the server is still up: left queued, they
    were retried against the stopped server at interpreter exit (about a minute)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)
