"""Concurrency: a second refresh started while one runs waits (saying so) or exits with one clear
sentence; the warehouse ends as a single clean run would leave it. ``SCP_RELIABILITY_REPEAT=20``
runs each scenario 20 times."""

from __future__ import annotations

import time

import pytest
from reliability_helpers import REPEAT, Refresh, assert_consistent_and_complete

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_a_second_refresh_exits_or_waits_while_the_first_holds_the_warehouse(
        attempt, raw_folders, references, tmp_path):
    raw, warehouse = raw_folders["v1"], tmp_path / "scp.duckdb"
    first = Refresh(raw, warehouse, tmp_path / "first", pause_at_load=3)
    first.wait_for(lambda line: line == "IN-TRANSACTION 3")  # inside a load transaction

    code, out = Refresh(raw, warehouse, tmp_path / "now", wait=0).finish(120)
    out = " ".join(out.split())  # rich wraps long lines
    assert code == 2, out
    assert out.startswith(f"error: another refresh (pid {first.proc.pid} since ")
    assert out.endswith(f"is using {warehouse}; try again when it finishes (or pass --wait "
                        "SECONDS)")  # one sentence, no traceback

    started = time.monotonic()
    code, out = Refresh(raw, warehouse, tmp_path / "short", wait=2).finish(120)
    out = " ".join(out.split())
    assert code == 2, out
    assert "waiting up to 2 s for another refresh" in out and "waited 2 s" in out
    assert time.monotonic() - started >= 2

    code, out = Refresh(raw, warehouse, tmp_path / "history", extra=[
        "history", "--warehouse", str(warehouse)]).finish(120)
    out = " ".join(out.split())
    assert code == 2 and "is in use (a refresh is running?)" in out, out

    patient = Refresh(raw, warehouse, tmp_path / "patient", wait=300)
    patient.wait_for(lambda line: line.startswith("waiting up to 300 s for another refresh "
                                                  f"(pid {first.proc.pid} "))
    assert first.proc.poll() is None  # still paused inside its transaction
    first.resume()
    code, out = first.finish()
    assert code == 0, out
    code, out = patient.finish()
    assert code == 0, out
    assert "Nothing changed" in out  # it ran after the first, and found everything loaded
    assert_consistent_and_complete(warehouse, references["v1"])


@pytest.mark.skipif(REPEAT < 2, reason="runs with SCP_RELIABILITY_REPEAT>=2")
@pytest.mark.parametrize("attempt", range(REPEAT))
def test_two_refreshes_started_together_load_everything_once(attempt, raw_folders, references,
                                                            tmp_path):
    raw, warehouse = raw_folders["v1"], tmp_path / "scp.duckdb"
    runs = [Refresh(raw, warehouse, tmp_path / name, wait=300) for name in ("a", "b")]
    results = [run.finish() for run in runs]
    assert [code for code, _ in results] == [0, 0], results
    outs = [out for _, out in results]
    assert sum("waiting up to 300 s" in out for out in outs) <= 1
    assert sum("Nothing changed" in out for out in outs) == 1  # exactly one did the work
    assert_consistent_and_complete(warehouse, references["v1"])
