"""The quarterly refresh flow: ingest → validate → load → transform → publish.

Tasks are thin: they open paths, call pure functions from ``scp_metrics.steps`` and return
plain data. Runs with no Prefect server configured (Prefect starts a temporary one).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402

from scp_metrics import steps as refresh  # noqa: E402
from scp_metrics.settings import Settings, get_settings  # noqa: E402


@task(retries=2, retry_delay_seconds=2)
def find_extracts(raw_dir: Path) -> list[Path]:
    """Ingest: list the delivered files (I/O, so retried)."""
    return refresh.discover_extracts(raw_dir)


@task
def validate_and_load(paths: list[Path], settings: Settings, run_id: str) -> list[refresh.FileOutcome]:
    """Validate each file, load the good ones and quarantine the bad (one file in memory at a time)."""
    logger = get_run_logger()
    return refresh.ingest_files(paths, settings, run_id, logger.info)


@task
def transform(settings: Settings, outcomes: list[refresh.FileOutcome], force: bool) -> dict[str, int]:
    """Rebuild staging, intermediate and marts when something new was loaded."""
    logger = get_run_logger()
    return refresh.build_marts(settings, outcomes, force, logger.info)


@task(retries=2, retry_delay_seconds=2)
def publish(settings: Settings, summary_markdown: str) -> str:
    """Write the marts and the run summary to the outputs folder."""
    return str(refresh.publish_outputs(settings, summary_markdown))


@flow(name="quarterly-refresh", log_prints=True)
def quarterly_refresh(
    raw_dir: str | None = None,
    warehouse: str | None = None,
    force: bool = False,
    quarantine_dir: str | None = None,
    outputs_dir: str | None = None,
    publish_outputs: bool = True,
) -> refresh.RefreshSummary:
    """Refresh the warehouse from the extracts in ``raw_dir`` and publish the marts.

    Paths default to the ``SCP_*`` environment settings (see ``scp_metrics.settings``).
    """
    import time

    started = time.monotonic()
    settings = get_settings(raw_dir=raw_dir, warehouse=warehouse, quarantine_dir=quarantine_dir,
                            outputs_dir=outputs_dir)
    logger = get_run_logger()
    run_id = refresh.new_run_id()
    with refresh.warehouse_lock(settings):
        paths = find_extracts(settings.raw_dir)
        logger.info("found %d files in %s", len(paths), settings.raw_dir)
        outcomes = validate_and_load(paths, settings, run_id)
        mart_rows = transform(settings, outcomes, force)
        summary = refresh.RefreshSummary(run_id, str(settings.warehouse), outcomes,
                                         bool(mart_rows), mart_rows, None, 0.0)
        if publish_outputs and (mart_rows or not settings.outputs_dir.exists()):
            summary.outputs_dir = publish(settings, summary.to_markdown())
    summary.seconds = time.monotonic() - started
    logger.info(summary.headline())
    create_markdown_artifact(markdown=summary.to_markdown(), key="quarterly-refresh-summary",
                             description=summary.headline())
    return summary


if __name__ == "__main__":
    quarterly_refresh()
