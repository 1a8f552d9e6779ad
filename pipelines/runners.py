"""Task runners for the quarterly refresh: where its fanned-out work runs.

``scp-metrics refresh --task-runner`` (or ``SCP_TASK_RUNNER``) chooses one:

* ``local`` (default): every step and every series in the flow's own process, as before;
* ``process``: a pool of worker processes on this machine (Prefect's
  ``ProcessPoolTaskRunner``, ``--workers`` processes);
* ``dask``: a Dask cluster through ``prefect-dask``'s ``DaskTaskRunner``: the cluster at
  ``--dask-address tcp://host:8786`` (or ``SCP_DASK_ADDRESS``), else a ``LocalCluster`` of
  ``--workers`` single-threaded worker processes started for the run and stopped after it.

The steps themselves (finding, loading, building, publishing) still run one after another in
the flow's process, which is the warehouse's one DuckDB writer. What fans out is the work they
hand to :func:`scp_metrics.fanout.fan_out`: the SPC and trend series of the build
(``mart_spc``, ``mart_trends``), in pieces of whole series sent as pandas frames, and the chart
pack, in batches of indicators, each worker opening the warehouse read-only. Each piece is one
Prefect task (``fan-out: <function>``), visible in the flow run like the steps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from scp_metrics.fanout import Mapper
from scp_metrics.settings import exported, prefect_api_url

TASK_RUNNERS = ("local", "process", "dask")


def task_runner_for(name: str, *, workers: int, dask_address: str | None = None) -> Any:  # noqa: ANN401
    """The Prefect task runner called ``name`` (None for ``local``: the flow's default)."""
    if name == "local":
        return None
    if name == "process":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=workers)
    if name == "dask":
        import logging

        from prefect_dask import DaskTaskRunner

        # the scheduler's and nannies' start/stop notes (20-30 INFO lines a run) are not the
        # refresh's progress; their warnings and errors still show
        logging.getLogger("distributed").setLevel(logging.WARNING)

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # one thread per worker process: the compute holds the GIL (pandas, statsmodels,
        # matplotlib), so parallelism comes from processes
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    raise ValueError(f"unknown task runner {name!r} (expected one of {', '.join(TASK_RUNNERS)})")


def _apply(func: Callable[..., Any], args: tuple[Any, ...]) -> Any:  # noqa: ANN401
    """One piece of fanned-out work (runs in a worker; matplotlib picks its non-interactive
    backend there itself, having no display)."""
    return func(*args)


def workers_of(runner: Any, default: int) -> int:  # noqa: ANN401
    """How many pieces of work ``runner`` (started) runs at once."""
    try:
        from prefect_dask import DaskTaskRunner

        if isinstance(runner, DaskTaskRunner):
            info = runner.client.scheduler_info()
            return max(1, sum(int(w.get("nthreads", 1)) for w in info["workers"].values()))
    except ImportError:  # pragma: no cover - prefect-dask is in the lock
        pass
    return int(getattr(runner, "_max_workers", None) or default)


def prefect_mapper(workers: int, name: str) -> Mapper:
    """A :class:`~scp_metrics.fanout.Mapper` that submits each piece as a Prefect task to the
    task runner of the flow run in progress, and waits for every result (in order)."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    def run(func: Callable[..., Any], pieces: Sequence[tuple[Any, ...]]) -> list[Any]:
        piece_task = task(name=f"fan-out: {func.__name__}", cache_policy=NO_CACHE)(_apply)
        futures = [piece_task.submit(func, args) for args in pieces]
        return [future.result() for future in futures]

    return Mapper(run, workers, name)


@contextlib.contextmanager
def api_for_workers(task_runner: str) -> Iterator[None]:
    """A Prefect API the flow and its worker processes share.

    With no ``PREFECT_API_URL`` configured, a flow starts a temporary Prefect server of its
    own, and so would every worker process of a process pool or a Dask cluster (each ~10-20 s,
    and the worker's tasks time out waiting for it). So for ``process`` and ``dask`` one
    temporary server is started here, before the workers, and its address exported for them
    to inherit; it is stopped when the block ends. With ``PREFECT_API_URL`` set (a real
    server: ``make serve``, Prefect Cloud, or a deployment's), nothing is started."""
    if task_runner == "local" or prefect_api_url():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=120)
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}), \
                exported("PREFECT_API_URL", server.api_url):
            try:
                yield
            finally:
                _drain_prefect_workers()
    finally:
        server.stop()


def _drain_prefect_workers(timeout: float = 30.0) -> None:
    """Send the run's queued logs and events while the server is still up (left queued, they
    are retried against the stopped server at exit, for about a minute)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)
