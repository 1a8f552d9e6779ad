"""The warehouse connection caps DuckDB's memory and spills beside the warehouse."""

from __future__ import annotations

import duckdb
import pytest

from scp_metrics.settings import get_settings
from scp_metrics.warehouse.connection import connect, connect_warehouse


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return con.execute(f"select current_setting('{name}')").fetchall()[0][0]


def test_the_warehouse_is_capped_at_1gb_and_spills_beside_itself(tmp_path, monkeypatch):
    monkeypatch.delenv("SCP_DUCKDB_MEMORY_LIMIT", raising=False)
    path = tmp_path / "wh" / "scp.duckdb"
    con = connect(path)
    try:
        assert _setting(con, "memory_limit") == "953.6 MiB"  # 1 GB
        assert _setting(con, "temp_directory") == str(tmp_path / "wh" / "scp.duckdb.tmp")
        other = duckdb.connect(str(path))  # charts and the API open it without a config
        other.close()
    finally:
        con.close()
    reader = connect(path, read_only=True)
    try:
        assert _setting(reader, "memory_limit") == "953.6 MiB"
    finally:
        reader.close()


def test_the_limit_comes_from_the_settings_or_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("SCP_DUCKDB_MEMORY_LIMIT", "256MB")
    settings = get_settings(warehouse=tmp_path / "a.duckdb")
    assert settings.duckdb_memory_limit == "256MB"
    con = connect_warehouse(settings)
    assert _setting(con, "memory_limit") == "244.1 MiB"
    con.close()
    con = connect(tmp_path / "b.duckdb")  # without settings: the default, whatever the environment
    assert _setting(con, "memory_limit") == "953.6 MiB"
    con.close()
    con = connect(tmp_path / "c.duckdb", memory_limit="512MB")
    assert _setting(con, "memory_limit") == "488.2 MiB"
    con.close()
    monkeypatch.setenv("SCP_DUCKDB_MEMORY_LIMIT", "none")
    settings = get_settings(warehouse=":memory:")
    assert settings.duckdb_memory_limit is None
    con = connect_warehouse(settings)
    assert _setting(con, "memory_limit") not in ("244.1 MiB", "953.6 MiB")  # DuckDB's own default
    con.close()


def test_a_limit_that_is_no_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a DuckDB memory size"):
        connect(tmp_path / "c.duckdb", memory_limit="1GB'; drop table x; --")
