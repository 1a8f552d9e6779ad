"""Shared test fixtures. Sets the Agg backend once; finds ../shared when it exists."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def mini_raw() -> Path:
    """Four tiny extracts (two record-level quarters, a CSP table quarter, a population year)."""
    return FIXTURES / "mini_raw"


@pytest.fixture
def settings_for(tmp_path: Path):
    """Settings pointing every writable path into ``tmp_path``."""
    from scp_metrics.settings import get_settings

    def make(raw_dir: Path, name: str = "wh") -> object:
        base = tmp_path / name
        return get_settings(raw_dir=raw_dir, warehouse=base / "scp.duckdb",
                            quarantine_dir=base / "quarantine", outputs_dir=base / "outputs")

    return make


def query(warehouse: Path | str, sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """The result of ``sql`` on the warehouse file, opened read-only for the query."""
    from scp_metrics.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def shared_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is absent (only in the project's workspace)")
    return path


@pytest.fixture(scope="session")
def sample_raw(tmp_path_factory):
    """The full embedded sample, written once per test session."""
    from scp_metrics.sample import generate_sample

    out = tmp_path_factory.mktemp("sample_raw")
    generate_sample(out)
    return out


@pytest.fixture(scope="session")
def sample_refresh(sample_raw, tmp_path_factory):
    """``(settings, summary)`` of one local-engine refresh of the sample, outputs published.

    Treat the warehouse as read-only: tests that change it make their own."""
    from scp_metrics.settings import get_settings
    from scp_metrics.steps import run_refresh

    base = tmp_path_factory.mktemp("sample_wh")
    settings = get_settings(raw_dir=sample_raw, warehouse=base / "scp.duckdb",
                            quarantine_dir=base / "quarantine", outputs_dir=base / "outputs")
    summary = run_refresh(settings)
    return settings, summary
