"""Machine-local settings: paths from environment variables with defaults.

Domain definitions live in ``config/`` (versioned data); run parameters are CLI / flow
parameters. Only this module reads the environment.
"""

from __future__ import annotations

import os
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

DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
"""DuckDB's buffer limit per process: beyond it DuckDB spills to ``<warehouse>.tmp``."""


def duckdb_memory_limit() -> str | None:
    """``SCP_DUCKDB_MEMORY_LIMIT`` (a DuckDB size such as ``1GB`` or ``512MB``; ``none`` for
    DuckDB's own default of 80% of RAM), else :data:`DEFAULT_DUCKDB_MEMORY_LIMIT`."""
    value = os.environ.get("SCP_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT).strip()
    return None if value.lower() in ("", "none", "default") else value


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

    @property
    def lock_path(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock")


def get_settings(**overrides: object) -> Settings:
    """Settings from ``SCP_*`` environment variables, with keyword overrides (``None`` ignored)."""
    env = os.environ
    root = PROJECT_ROOT
    values: dict[str, object] = {
        "config_dir": Path(env.get("SCP_CONFIG_DIR", root / "config")),
        "raw_dir": Path(env.get("SCP_RAW_DIR", root / "data" / "raw" / "sample")),
        "warehouse": Path(env.get("SCP_WAREHOUSE", root / "data" / "warehouse" / "scp.duckdb")),
        "quarantine_dir": Path(env.get("SCP_QUARANTINE_DIR", root / "data" / "quarantine")),
        "outputs_dir": Path(env.get("SCP_OUTPUTS_DIR", root / "data" / "outputs")),
        "home_area": env.get("SCP_HOME_AREA", "E06000045"),
        "duckdb_memory_limit": duckdb_memory_limit(),
    }
    for key, value in overrides.items():
        if value is not None:
            is_path = key not in ("home_area", "duckdb_memory_limit")
            values[key] = Path(str(value)) if is_path and not isinstance(value, Path) else value
    return Settings(**values)  # type: ignore[arg-type]
