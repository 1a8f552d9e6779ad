"""Fixtures of the crash-safety and concurrency tests (helpers: ``reliability_helpers.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import write_raw

from scp_metrics.settings import get_settings
from scp_metrics.steps import run_refresh


@pytest.fixture(scope="session")
def raw_folders(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("reliability_raw")
    return {"v1": write_raw(base / "v1"), "v2": write_raw(base / "v2", reissue=True)}


@pytest.fixture(scope="session")
def references(raw_folders, tmp_path_factory) -> dict[str, Path]:
    """Warehouses built cleanly, in-process: v1; and v1 then v2 (the re-issue applied)."""
    base = tmp_path_factory.mktemp("reliability_ref")

    def build(name: str, *raws: Path) -> Path:
        for raw in raws:
            settings = get_settings(raw_dir=raw, warehouse=base / name / "scp.duckdb",
                                    quarantine_dir=base / name / "q",
                                    outputs_dir=base / name / "out")
            summary = run_refresh(settings, publish=False)
            assert not summary.quarantined
        return base / name / "scp.duckdb"

    return {"v1": build("v1", raw_folders["v1"]),
            "v2": build("v2", raw_folders["v1"], raw_folders["v2"])}


