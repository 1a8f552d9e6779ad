"""A new quarter recomputes only what it changed in ``mart_indicator_values`` (rows, by their
counts and last year's) and ``mart_msg_rankings`` (periods), and the marts are exactly those of
a build that computes everything: rows, order and DuckDB types.

The reference is computed independently of the reuse: the sample warehouse built once from
nothing (every row computed, the session's ``sample_refresh``), and the whole-mart functions
(``build_indicator_values``, ``rank_each_indicator`` of every period) on the same warehouse.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from scp_metrics.rankings.ranks import RANKED_PERIOD_TYPES, group_members
from scp_metrics.warehouse import connect
from scp_metrics.warehouse.build import build_models, rebuild
from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.mart_tables import replace_mart
from scp_metrics.warehouse.marts.indicator_values import build_indicator_values
from scp_metrics.warehouse.marts.msg_rankings import rank_each_indicator
from scp_metrics.warehouse.queries import query

MARTS = ("mart_indicator_values", "mart_msg_rankings")
HELD = ("raw_police_crime", "raw_ho_csp_crime")  # the last quarter of each, held back


@pytest.fixture
def warehouse(sample_refresh, tmp_path: Path):
    """A copy of the sample warehouse (built from nothing) and the settings to build it."""
    settings, _ = sample_refresh
    copy = tmp_path / "scp.duckdb"
    shutil.copyfile(settings.warehouse, copy)
    con = connect(copy)
    yield con, settings, copy
    con.close()


def _marts(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The two marts as stored, in the table's own row order (no ORDER BY on purpose: the
    reuse must give the order a whole build writes)."""
    return {name: con.execute(f"select * from {name}").df() for name in MARTS}


def _build(con: duckdb.DuckDBPyConnection, settings) -> dict[str, str]:
    notes: list[str] = []
    build_models(con, settings, notes.append)
    return {name: next(n for n in notes if n.startswith(name + ":")) for name in MARTS}


def _reused(note: str) -> tuple[int, int]:
    """(recomputed, reused) from a progress note such as 'mart_x: 1,234 rows recomputed, 5 reused'."""
    found = re.search(r": ([\d,]+) (?:rows|series) recomputed, ([\d,]+) reused", note)
    assert found, note
    return tuple(int(g.replace(",", "")) for g in found.groups())


def _whole(con: duckdb.DuckDBPyConnection, settings) -> dict[str, pd.DataFrame]:
    """Both marts computed whole by the functions that reuse nothing, stored through the
    contracts into a scratch database and read back as the build's tables are."""
    members = query(con, "reads/peer_group/membership")
    # every area of every group: compute_rankings ranks the home area's group only
    rows = query(con, "reads/msg_rankings/values", period_types=list(RANKED_PERIOD_TYPES),
                 area_codes=sorted(set(members["area_code"])))
    focus = settings.home_area.strip().upper()
    group = group_members(members, focus, query(con, "reads/common/configured_area_names"))
    frames = {"mart_indicator_values": build_indicator_values(con, settings),
              "mart_msg_rankings": rank_each_indicator(
                  rows, query(con, "reads/msg_rankings/indicators"), group, focus)}
    scratch = duckdb.connect()
    for name, frame in frames.items():
        replace_mart(scratch, contract_for(name), frame)
    return _marts(scratch)


def _assert_same(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    for name in MARTS:
        assert len(got[name]) == len(want[name]) > 0, name
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)


def test_a_new_quarter_reuses_rows_and_periods_and_equals_a_build_from_nothing(warehouse):
    con, settings, _ = warehouse
    clean = _marts(con)  # the sample built once, every row computed
    for table in HELD:
        con.execute(f"create temp table held_{table} as select * from {table} "
                    f"where batch_id = (select max(batch_id) from {table})")
        con.execute(f"delete from {table} where batch_id = (select max(batch_id) from {table})")
    rebuild(con, settings)  # the build of the quarter before
    before = _marts(con)
    assert len(before["mart_indicator_values"]) < len(clean["mart_indicator_values"])
    for table in HELD:
        con.execute(f"insert into {table} select * from held_{table}")
    notes = _build(con, settings)
    recomputed, reused = _reused(notes["mart_indicator_values"])
    # the quarter's new months, quarters, year to date and rolling years: a small share
    assert 0 < recomputed < reused
    values = clean["mart_indicator_values"]
    assert recomputed + reused == (values["period_type"] != "survey").sum()
    periods_recomputed, periods_reused = _reused(notes["mart_msg_rankings"])
    assert 0 < periods_recomputed < periods_reused
    _assert_same(_marts(con), clean)


def test_a_revised_old_month_recomputes_its_rows_and_next_year_s(warehouse):
    con, settings, _ = warehouse
    _build(con, settings)  # signatures of this warehouse's own build
    # one crime of an early month withdrawn (a revision): its month, quarter, year-to-date and
    # rolling-year rows change, and so do the same periods a year later (their change)
    con.execute("delete from raw_police_crime where source_row = (select min(source_row) from "
                "raw_police_crime where batch_id = (select min(batch_id) from raw_police_crime))"
                " and batch_id = (select min(batch_id) from raw_police_crime)")
    notes = _build(con, settings)
    recomputed, reused = _reused(notes["mart_indicator_values"])
    assert 0 < recomputed < reused
    _assert_same(_marts(con), _whole(con, settings))


def test_a_mart_changed_outside_the_build_is_computed_whole(warehouse):
    con, settings, _ = warehouse
    _build(con, settings)
    clean = _whole(con, settings)
    con.execute("update mart_indicator_values set value = value + 1 "
                "where rowid = (select min(rowid) from mart_indicator_values)")
    con.execute("update mart_msg_rankings set rank = rank + 1 "
                "where rowid = (select min(rowid) from mart_msg_rankings)")
    notes = _build(con, settings)
    assert notes["mart_indicator_values"].endswith("rows computed (none reused)")
    assert _reused(notes["mart_msg_rankings"])[1] == 0
    _assert_same(_marts(con), clean)


def test_a_forced_rebuild_recomputes_every_row(warehouse):
    con, settings, _ = warehouse
    notes: list[str] = []
    rebuild(con, settings, force=True, progress=notes.append)
    assert any(n.startswith("mart_indicator_values:") and n.endswith("(none reused)")
               for n in notes)


def test_an_indicator_whose_ranking_failed_is_ranked_again_not_lost(warehouse, monkeypatch):
    """A failed indicator's one row has no period to be reused by: the build after it ranks
    every period again, so the row saying why is kept while the failure lasts, and the
    indicator's ranks come back once it is fixed."""
    from scp_metrics.warehouse.marts import msg_rankings

    con, settings, _ = warehouse
    clean = _marts(con)["mart_msg_rankings"]
    broken = sorted(set(clean["indicator_id"]))[0]
    real = msg_rankings.compute_rankings

    def failing(rows, indicators, *args, **kwargs):
        if broken in set(indicators["indicator_id"]):
            raise ValueError("injected")
        return real(rows, indicators, *args, **kwargs)

    monkeypatch.setattr(msg_rankings, "compute_rankings", failing)
    rebuild(con, settings, force=True)  # every period ranked: the indicator fails
    for _ in range(2):  # then builds with nothing changed, which reuse what they can
        ranks = _marts(con)["mart_msg_rankings"]
        mine = ranks[ranks["indicator_id"] == broken]
        assert mine["series_status"].tolist() == ["failed"], mine
        assert mine["note"].iloc[0] == "ranking not computed: ValueError: injected"
        _build(con, settings)
    monkeypatch.setattr(msg_rankings, "compute_rankings", real)
    _build(con, settings)
    pd.testing.assert_frame_equal(_marts(con)["mart_msg_rankings"], clean, check_exact=True)
