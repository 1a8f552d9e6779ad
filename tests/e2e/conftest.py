"""Session fixtures for end-to-end tests: the sample is generated once and refreshed once
(local engine) for every e2e test that only reads the result."""

from __future__ import annotations

import pytest


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
    from scp_metrics.refresh import run_refresh
    from scp_metrics.settings import get_settings

    base = tmp_path_factory.mktemp("sample_wh")
    settings = get_settings(raw_dir=sample_raw, warehouse=base / "scp.duckdb",
                            quarantine_dir=base / "quarantine", outputs_dir=base / "outputs")
    summary = run_refresh(settings)
    return settings, summary
