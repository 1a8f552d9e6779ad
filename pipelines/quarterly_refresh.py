"""The quarterly refresh flow: :func:`scp_metrics.steps.run_refresh`, each step a Prefect task.

The flow runs the very steps ``scp-metrics refresh --engine local`` runs, in the same order and
under the same warehouse lock (``wait_seconds`` as ``--wait``): ``run_refresh`` is given
:func:`run_as_task`, which runs each step function as its task. Steps that touch the file
system only (finding the extracts, each publishing output) are retried on failure; a retry
redoes that step alone, never the steps that succeeded before it. Runs with no Prefect server
configured (Prefect starts a temporary one).

Where the work the steps fan out runs (the SPC and trend series, the chart pack) is the flow's
task runner: :func:`refresh_flow` gives the flow ``local`` (its own process), ``process`` (a
process pool) or ``dask`` (a Dask cluster) from ``pipelines/runners.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import scp_metrics.steps as steps
from pipelines.runners import prefect_mapper, task_runner_for, workers_of
from scp_metrics.escaping import log_text, md_cell
from scp_metrics.fanout import mapping_with
from scp_metrics.settings import DEFAULT_WORKERS, get_settings, prefect_defaults

prefect_defaults()

from prefect import Task, flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402

T = TypeVar("T")

RETRIES = 2
"""For steps whose failure is worth a second try: file-system work. Loading and building are
transactional and would only fail the same way again."""


def _task(step: Callable[..., Any], retries: int = 0) -> Task[..., Any]:
    # no caching: every run looks at the files and the warehouse anew
    return task(name=step.__name__, cache_policy=NO_CACHE, retries=retries,
                retry_delay_seconds=2)(step)


_STEPS: list[tuple[Callable[..., Any], int]] = [
    (steps.find_extracts, RETRIES),
    (steps.ingest_files, 0),
    (steps.build_marts, 0),
    (steps.outputs_folder, RETRIES),
    *[(publish, RETRIES) for publish in steps.PUBLISH_STEPS],
    (steps.publish_summary, RETRIES),
    (steps.swap_in, 0),
    (steps.record_publication, 0),
]
#: One task per step function.
TASKS: dict[Callable[..., Any], Task[..., Any]] = {step: _task(step, retries) for step, retries in _STEPS}


def run_as_task(step: Callable[..., T], /, *args: Any) -> T:
    """Run ``step`` as its Prefect task (a :class:`scp_metrics.steps.StepRunner`)."""
    return cast(T, TASKS[step](*args))


def log(message: str) -> None:
    """Progress to the log of the task (or flow) running now (one line: texts from files are
    escaped by the steps; control characters are escaped here again)."""
    get_run_logger().info(log_text(message))


@flow(name="quarterly-refresh", log_prints=True)
def quarterly_refresh(
    raw_dir: str | None = None,
    warehouse: str | None = None,
    force: bool = False,
    quarantine_dir: str | None = None,
    outputs_dir: str | None = None,
    publish_outputs: bool = True,
    wait_seconds: float = steps.DEFAULT_WAIT_SECONDS,
    accept_shrink: bool = False,
    fan_out: bool = False,
) -> steps.RefreshSummary:
    """Refresh the warehouse from the extracts in ``raw_dir`` and publish the outputs.

    Paths default to the ``SCP_*`` environment settings (see ``scp_metrics.settings``); if
    another refresh holds the warehouse, wait up to ``wait_seconds`` for it. ``fan_out``: hand
    the per-series compute and the chart pack to the flow's task runner (set by
    :func:`refresh_flow`) as one task per piece.
    """
    settings = get_settings(raw_dir=raw_dir, warehouse=warehouse, quarantine_dir=quarantine_dir,
                            outputs_dir=outputs_dir)
    mapper = None
    if fan_out:
        context = FlowRunContext.get()
        runner = context.task_runner if context is not None else None
        workers = workers_of(runner, settings.workers)
        mapper = prefect_mapper(workers, type(runner).__name__)
        log(f"fanning out per-series compute and the chart pack to {type(runner).__name__} "
            f"({workers} workers)")
    with mapping_with(mapper):
        summary = steps.run_refresh(settings, progress=log, force=force, publish=publish_outputs,
                                    wait_seconds=wait_seconds, run_step=run_as_task,
                                    accept_shrink=accept_shrink)
    log(log_text(summary.headline()))
    # every text from a file in the Markdown is escaped (no HTML, links or table breaks)
    create_markdown_artifact(markdown=summary.to_markdown(), key="quarterly-refresh-summary",
                             description=md_cell(summary.headline()))
    return summary


def refresh_flow(task_runner: str = "local", *, workers: int = DEFAULT_WORKERS,
                 dask_address: str | None = None) -> Any:  # noqa: ANN401
    """:func:`quarterly_refresh` with the task runner called ``task_runner`` (see
    ``pipelines/runners.py``); call it with the flow's parameters and ``fan_out`` True unless
    ``task_runner`` is ``local``."""
    runner = task_runner_for(task_runner, workers=workers, dask_address=dask_address)
    return quarterly_refresh if runner is None else quarterly_refresh.with_options(
        task_runner=runner)


if __name__ == "__main__":
    quarterly_refresh()
