"""Outputs beside the warehouse (issue 16, item 4): two warehouses never share outputs."""

from __future__ import annotations

from pathlib import Path

from scp_metrics.settings import DEFAULT_WAREHOUSE, PROJECT_ROOT, get_settings


def test_a_warehouse_elsewhere_gets_outputs_beside_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SCP_OUTPUTS_DIR", raising=False)
    monkeypatch.delenv("SCP_WAREHOUSE", raising=False)
    one = get_settings(warehouse=tmp_path / "a" / "scp.duckdb")
    two = get_settings(warehouse=tmp_path / "b" / "scp.duckdb")
    assert one.outputs_dir == tmp_path / "a" / "outputs"
    assert two.outputs_dir == tmp_path / "b" / "outputs"


def test_the_environment_warehouse_counts_too(tmp_path, monkeypatch):
    monkeypatch.delenv("SCP_OUTPUTS_DIR", raising=False)
    monkeypatch.setenv("SCP_WAREHOUSE", str(tmp_path / "w" / "x.duckdb"))
    assert get_settings().outputs_dir == tmp_path / "w" / "outputs"


def test_explicit_outputs_win(tmp_path, monkeypatch):
    monkeypatch.setenv("SCP_OUTPUTS_DIR", str(tmp_path / "env"))
    assert get_settings(warehouse=tmp_path / "w.duckdb").outputs_dir == tmp_path / "env"
    assert get_settings(warehouse=tmp_path / "w.duckdb",
                        outputs_dir=tmp_path / "flag").outputs_dir == tmp_path / "flag"


def test_the_projects_own_warehouse_keeps_data_outputs(monkeypatch):
    monkeypatch.delenv("SCP_OUTPUTS_DIR", raising=False)
    monkeypatch.delenv("SCP_WAREHOUSE", raising=False)
    settings = get_settings()
    assert settings.warehouse == DEFAULT_WAREHOUSE
    assert settings.outputs_dir == Path(PROJECT_ROOT) / "data" / "outputs"
