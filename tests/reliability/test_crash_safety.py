"""Crash safety: a refresh SIGKILLed in the middle of its work leaves a consistent warehouse, its
lock file does not block the next run, and the next run completes to the same marts as a clean
build.

Kill points: inside a load transaction (after the replaced rows were moved to history, before
the new rows are inserted: a re-issue), inside a load transaction of a first load, at a random
moment between files, and inside the marts' transaction (the next run must rebuild the marts
although every file is unchanged). ``SCP_RELIABILITY_REPEAT=20`` runs each 20 times.
"""

from __future__ import annotations

import random
import shutil
import time

import pytest
from reliability_helpers import REPEAT, Refresh, assert_consistent_and_complete

from scp_metrics.warehouse import connect
from scp_metrics.warehouse.history import consistency_problems, marts_current

pytestmark = pytest.mark.slow
ALL = pytest.mark.skipif(REPEAT < 2, reason="extra kill points run with SCP_RELIABILITY_REPEAT>=2")


def after_the_kill(warehouse, killed: Refresh) -> None:
    """What the killed run left: its lock file, and a consistent warehouse."""
    lock = warehouse.with_name(warehouse.name + ".lock")
    assert lock.is_file() and f"pid {killed.proc.pid} " in lock.read_text()  # stale, on purpose
    con = connect(warehouse)
    try:
        assert consistency_problems(con) == []
    finally:
        con.close()


def rerun(raw, warehouse, work) -> str:
    code, out = Refresh(raw, warehouse, work, wait=0).finish()  # --wait 0: a stale lock must not block
    assert code == 0, out
    assert "Traceback" not in out and "another refresh" not in out
    return out


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_killed_inside_a_reissue_load_transaction(attempt, raw_folders, references, tmp_path):
    warehouse = tmp_path / "scp.duckdb"
    shutil.copy(references["v1"], warehouse)
    con = connect(warehouse)
    before = con.execute("select count(*) from raw_police_crime").fetchall()[0][0]
    con.close()
    killed = Refresh(raw_folders["v2"], warehouse, tmp_path / "a", pause_at_load=1)
    killed.wait_for(lambda line: line == "IN-TRANSACTION 1")  # Q2's rows archived, not committed
    killed.kill()
    after_the_kill(warehouse, killed)
    con = connect(warehouse)
    try:  # the re-issue never happened: every row live, nothing archived, no new batch
        assert con.execute("select count(*) from raw_police_crime").fetchall()[0][0] == before
        assert con.execute("select count(*) from raw_police_crime_history").fetchall()[0][0] == 0
        assert con.execute("select count(*) from load_batches where status <> 'loaded'"
                           ).fetchall()[0][0] == 0
    finally:
        con.close()
    out = rerun(raw_folders["v2"], warehouse, tmp_path / "b")
    assert "2 files loaded" in out
    assert_consistent_and_complete(warehouse, references["v2"])


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_killed_while_building_the_marts(attempt, raw_folders, references, tmp_path):
    warehouse = tmp_path / "scp.duckdb"
    killed = Refresh(raw_folders["v1"], warehouse, tmp_path / "a")
    killed.wait_for(lambda line: line.startswith("building int_indicator_units"))
    killed.kill()
    after_the_kill(warehouse, killed)
    con = connect(warehouse)
    try:
        assert not marts_current(con)  # loaded, but the marts were never committed
    finally:
        con.close()
    out = rerun(raw_folders["v1"], warehouse, tmp_path / "b")
    assert "0 files loaded" in out and "building mart_indicator_values" in out
    assert_consistent_and_complete(warehouse, references["v1"])


@ALL
@pytest.mark.parametrize("attempt", range(REPEAT))
def test_killed_inside_a_first_load_transaction(attempt, raw_folders, references, tmp_path):
    warehouse = tmp_path / "scp.duckdb"
    stop_at = 2 + attempt % 8
    killed = Refresh(raw_folders["v1"], warehouse, tmp_path / "a", pause_at_load=stop_at)
    killed.wait_for(lambda line: line == f"IN-TRANSACTION {stop_at}")
    killed.kill()
    after_the_kill(warehouse, killed)
    con = connect(warehouse)
    try:
        assert con.execute("select count(*) from load_batches").fetchall()[0][0] == stop_at - 1
    finally:
        con.close()
    out = rerun(raw_folders["v1"], warehouse, tmp_path / "b")
    assert f"{stop_at - 1} unchanged" in out
    assert_consistent_and_complete(warehouse, references["v1"])


@ALL
@pytest.mark.parametrize("attempt", range(REPEAT))
def test_killed_at_a_random_moment_while_loading(attempt, raw_folders, references, tmp_path):
    rng = random.Random(attempt)
    warehouse = tmp_path / "scp.duckdb"
    killed = Refresh(raw_folders["v1"], warehouse, tmp_path / "a")
    k = rng.randint(1, 12)
    killed.wait_for(lambda line: line.startswith(f"[{k}/"))
    time.sleep(rng.uniform(0, 0.4))
    if killed.proc.poll() is None:
        killed.kill()
        after_the_kill(warehouse, killed)
    rerun(raw_folders["v1"], warehouse, tmp_path / "b")
    assert_consistent_and_complete(warehouse, references["v1"])
