"""Machine-local settings: paths from environment variables with defaults.

Domain definitions live in ``config/`` (versioned data); run parameters are CLI / flow
parameters. Only this module reads the environment: the entry points (the CLI's ``main``, the
Prefect flow, the notebooks' API) call :func:`get_settings` once and pass the
:class:`Settings` to everything else.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _find_project_root() -> Path:
    """The checkout that holds ``config/areas.csv`` (walking up from the package), else cwd."""
    for parent in [_PACKAGE_DIR, *_PACKAGE_DIR.parents]:
        if (parent / "config" / "areas.csv").is_file():
            return parent
    return Path.cwd()


PROJECT_ROOT = _find_project_root()

DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
"""The committed catalogues (``SCP_CONFIG_DIR`` points elsewhere)."""

DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse" / "scp.duckdb"
"""The project's own warehouse (``SCP_WAREHOUSE`` / ``--warehouse`` put one elsewhere)."""


DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
"""DuckDB's buffer limit per process: beyond it DuckDB spills to ``<warehouse>.tmp``."""


DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
"""Worker processes for ``--task-runner process`` / ``dask`` without an address."""


def _memory_limit(text: str) -> str | None:
    """``SCP_DUCKDB_MEMORY_LIMIT`` (a DuckDB size such as ``1GB`` or ``512MB``; ``none`` for
    DuckDB's own default of 80% of RAM)."""
    value = text.strip()
    return None if value.lower() in ("", "none", "default") else value


def prefect_defaults() -> None:
    """Prefect settings scp-metrics chooses unless the environment sets them: no analytics from
    the Prefect server (the temporary one a flow run starts, or ``make serve``'s), and time
    enough for the temporary server to start. Called before Prefect is imported (it reads its
    settings then)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # the temporary server gets 2 minutes to answer, not Prefect's 20 s: on a loaded machine
    # (load 15 on 2 cores) its start took longer and the refresh failed with "Timed out while
    # attempting to connect to ephemeral Prefect API server"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@contextlib.contextmanager
def exported(name: str, value: str) -> Iterator[None]:
    """``name=value`` in the environment inside the block, for the worker processes started
    in it to inherit (a process pool's or a local Dask cluster's workers find the Prefect API
    of the flow that way); the previous value (or none) is put back after."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def prefect_api_url() -> str | None:
    """``PREFECT_API_URL``: the Prefect server a deployment is served to (None: none set)."""
    return os.environ.get("PREFECT_API_URL") or None


@dataclass(frozen=True)
class Settings:
    """Paths the pipeline reads and writes."""

    config_dir: Path
    raw_dir: Path
    warehouse: Path
    quarantine_dir: Path
    outputs_dir: Path
    home_area: str
    duckdb_memory_limit: str | None = DEFAULT_DUCKDB_MEMORY_LIMIT
    """Memory DuckDB may use before spilling to disk (``None``: DuckDB's default)."""
    task_runner: str = "local"
    """Where the Prefect flow's fanned-out work runs: ``local``, ``process`` or ``dask``
    (``SCP_TASK_RUNNER``; ``pipelines/runners.py``)."""
    dask_address: str | None = None
    """The Dask scheduler to use (``SCP_DASK_ADDRESS``, ``tcp://host:8786``); None: a
    ``LocalCluster`` started for the run."""
    workers: int = DEFAULT_WORKERS
    """Worker processes of a ``process`` pool or a ``LocalCluster`` (``SCP_WORKERS``)."""

    @property
    def lock_path(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock")


def get_settings(**overrides: object) -> Settings:
    """Settings from ``SCP_*`` environment variables, with keyword overrides (``None`` ignored)."""
    env = os.environ
    root = PROJECT_ROOT
    values: dict[str, object] = {
        "config_dir": Path(env.get("SCP_CONFIG_DIR", DEFAULT_CONFIG_DIR)),
        "raw_dir": Path(env.get("SCP_RAW_DIR", root / "data" / "raw" / "sample")),
        "warehouse": Path(env.get("SCP_WAREHOUSE", DEFAULT_WAREHOUSE)),
        "quarantine_dir": Path(env.get("SCP_QUARANTINE_DIR", root / "data" / "quarantine")),
        "outputs_dir": Path(env["SCP_OUTPUTS_DIR"]) if env.get("SCP_OUTPUTS_DIR") else None,
        "home_area": env.get("SCP_HOME_AREA", "E06000045"),
        "duckdb_memory_limit": _memory_limit(env.get("SCP_DUCKDB_MEMORY_LIMIT",
                                                     DEFAULT_DUCKDB_MEMORY_LIMIT)),
        "task_runner": env.get("SCP_TASK_RUNNER", "local"),
        "dask_address": env.get("SCP_DASK_ADDRESS") or None,
        "workers": int(env.get("SCP_WORKERS") or DEFAULT_WORKERS),
    }
    for key, value in overrides.items():
        if value is not None:
            is_path = key not in ("home_area", "duckdb_memory_limit", "task_runner",
                                  "dask_address", "workers")
            values[key] = Path(str(value)) if is_path and not isinstance(value, Path) else value
    if values["outputs_dir"] is None:
        values["outputs_dir"] = default_outputs_dir(values["warehouse"])  # type: ignore[arg-type]
    return Settings(**values)  # type: ignore[arg-type]


def default_outputs_dir(warehouse: Path) -> Path:
    """Where a warehouse's outputs go when neither ``SCP_OUTPUTS_DIR`` nor ``--outputs`` says:
    ``outputs/`` beside the warehouse file (``<warehouse dir>/outputs/<as-of>/``), so two
    warehouses never share or overwrite each other's outputs; the project's own warehouse keeps
    its ``data/outputs``."""
    if Path(warehouse).resolve() == DEFAULT_WAREHOUSE.resolve():
        return PROJECT_ROOT / "data" / "outputs"
    return Path(warehouse).parent / "outputs"
