"""Staging projections built as views (``build.VIEW_MODELS``) give the same marts as tables."""

from __future__ import annotations

from scp_metrics.steps import run_refresh
from scp_metrics.warehouse import build, connect, table_checksums


def _kind(con, name: str) -> str:
    return con.execute("select table_type from information_schema.tables where table_name = ?",
                       [name]).fetchall()[0][0]


def test_stg_police_crime_is_a_view_and_the_marts_equal_a_table_build(mini_raw, settings_for, monkeypatch):
    as_view = settings_for(mini_raw, "view")
    run_refresh(as_view, publish=False)
    con = connect(as_view.warehouse, read_only=True)
    assert _kind(con, "stg_police_crime") == "VIEW"
    raw_rows = con.execute("select count(*) from raw_police_crime").fetchall()[0][0]
    assert raw_rows > 0
    assert con.execute("select count(*) from stg_police_crime").fetchall()[0][0] == raw_rows
    view_marts = table_checksums(con, "mart_")
    con.close()

    monkeypatch.setattr(build, "VIEW_MODELS", frozenset())
    as_table = settings_for(mini_raw, "table")
    run_refresh(as_table, publish=False)
    con = connect(as_table.warehouse, read_only=True)
    assert _kind(con, "stg_police_crime") == "BASE TABLE"
    assert table_checksums(con, "mart_") == view_marts
    con.close()


def test_a_warehouse_with_the_old_staging_table_is_upgraded_to_the_view(mini_raw, settings_for, monkeypatch):
    settings = settings_for(mini_raw)
    monkeypatch.setattr(build, "VIEW_MODELS", frozenset())
    run_refresh(settings, publish=False)  # an earlier version: staging copied into a table
    monkeypatch.undo()
    run_refresh(settings, publish=False, force=True)
    con = connect(settings.warehouse, read_only=True)
    assert _kind(con, "stg_police_crime") == "VIEW"
    assert con.execute("select count(*) from int_crime_units").fetchall()[0][0] > 0
    con.close()
