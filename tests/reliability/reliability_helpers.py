"""Helpers of the crash-safety and concurrency tests: a raw folder big enough for a
refresh to take a few seconds, reference warehouses built cleanly from it, and a helper that
runs ``scp-metrics refresh`` as a real subprocess whose output can be watched line by line.

``SCP_RELIABILITY_REPEAT=20`` repeats every scenario 20 times (the acceptance run); by default
each runs once, so ``make test`` stays fast.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from scp_metrics.periods import Quarter
from scp_metrics.warehouse import connect, table_checksums
from scp_metrics.warehouse.history import consistency_problems, marts_current

REPEAT = int(os.environ.get("SCP_RELIABILITY_REPEAT", "1"))
BASELINE = Path(__file__).resolve().parents[1] / "data" / "baseline"
QUARTERS = [Quarter(2008, q) for q in (1, 2, 3, 4)] + [Quarter(2009, q) for q in (1, 2, 3)]
REISSUED = QUARTERS[1:3]
ROWS_PER_QUARTER = 4000
CODES = ["8G", "105A", "28", "29", "30", "31", "45", "46", "48", "49", "58A", "58B", "58C",
         "34B", "92E", "126", "104", "2", "5A", "8F", "37.1"]
WARDS = [(f"E050024{55 + i}", name) for i, name in enumerate(
    ["Bargate", "Bassett", "Bevois", "Bitterne", "Bitterne Park", "Coxford", "Freemantle",
     "Harefield", "Millbrook", "Peartree", "Portswood", "Redbridge", "Shirley", "Sholing",
     "Swaythling", "Woolston"])]


def police_frame(q: Quarter, n: int, first: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = (pd.Timestamp(q.end) - pd.Timestamp(q.start)).days + 1
    recorded = pd.Timestamp(q.start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    offence = recorded - pd.to_timedelta(rng.integers(0, 3, n), unit="D")
    wards = rng.integers(0, len(WARDS), n)
    yn = np.array(["N", "Y"])
    return pd.DataFrame({
        "Crime Reference": [f"44/{first + i:06d}/{recorded[i]:%y}" for i in range(n)],
        "Recorded Date": recorded.strftime("%d/%m/%Y"),
        "Offence Date": offence.strftime("%d/%m/%Y"),
        "Offence Time": [f"{h:02d}:{m:02d}" for h, m in zip(rng.integers(0, 24, n),
                                                            rng.integers(0, 60, n), strict=True)],
        "HO Offence Code": rng.choice(CODES, n),
        "HO Offence Description": "Synthetic offence",
        "Ward Code": [WARDS[w][0] for w in wards],
        "Ward Name": [WARDS[w][1] for w in wards],
        "LSOA Code": [f"E01017{139 + w * 9:03d}" for w in wards],
        "Beat": "SBG01",
        "Domestic Abuse Flag": yn[rng.integers(0, 2, n)],
        "Alcohol Related Flag": yn[rng.integers(0, 2, n)],
        "Hate Crime Flag": "N",
        "City Centre Flag": yn[rng.integers(0, 2, n)],
        "NTE Flag": "N",
    })


def ho_frame(q: Quarter, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for csp in ("Southampton", "Portsmouth", "Bristol", "Plymouth"):
        for code in CODES:
            rows.append([f"{q.fy_start}/{(q.fy_start + 1) % 100:02d}", q.number, "Hampshire", csp,
                         "Synthetic", "Synthetic group", "", code, int(rng.integers(1, 400))])
    return pd.DataFrame(rows, columns=[
        "Financial Year", "Financial Quarter", "Force Name", "CSP Name", "Offence Description",
        "Offence Group", "Offence Subgroup", "Offence Code", "Number of Offences"])


def write_raw(folder: Path, *, reissue: bool = False) -> Path:
    """Seven police quarters (4,000 crimes each), the CSP table for them, population, MSG;
    with ``reissue``, two quarters re-issued (100 crimes withdrawn) under new names."""
    for i, q in enumerate(QUARTERS):
        police = police_frame(q, ROWS_PER_QUARTER, 1 + i * 10000, seed=i)
        path = folder / "police_crime" / f"police_recorded_crime_E06000045_{q.file_tag}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        police.to_csv(path, index=False, lineterminator="\n")
        if reissue and q in REISSUED:
            police.iloc[100:].to_csv(path.with_name(path.stem + "_reissued.csv"), index=False,
                                     lineterminator="\n")
        ho = folder / "ho_csp_crime" / f"ho_csp_recorded_crime_{q.file_tag}.csv"
        ho.parent.mkdir(parents=True, exist_ok=True)
        ho_frame(q, seed=100 + i).to_csv(ho, index=False, lineterminator="\n")
    for sub in ("population", "msg"):
        shutil.copytree(BASELINE / sub, folder / sub, dirs_exist_ok=True)
    return folder


def checksums(warehouse: Path, prefix: str = "") -> dict[str, str]:
    con = connect(warehouse)
    try:
        return table_checksums(con, prefix)
    finally:
        con.close()


def assert_same_marts(warehouse: Path, reference: Path, names: list[str] | None = None) -> None:
    """Every mart of ``reference`` has the same rows in ``warehouse``: exactly, or with floats
    equal to 1e-9 relative (a sum may differ in its last bit with the order it is added in)."""
    con = connect(warehouse)
    try:
        con.execute(f"attach '{reference}' as ref (read_only)")
        marts = names or [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'ref' "
            "and starts_with(table_name, 'mart_') order by 1").fetchall()]
        for name in marts:
            got = con.execute(f'select * from main."{name}" order by all').df()
            want = con.execute(f'select * from ref."{name}" order by all').df()
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9,
                                          obj=name)
    finally:
        con.close()


def assert_consistent_and_complete(warehouse: Path, reference: Path) -> None:
    """Every raw row belongs to a live ledger batch, ledger and raw counts agree, the marts are
    current and equal to a clean build's, and so is every live raw row."""
    con = connect(warehouse)
    try:
        assert consistency_problems(con) == []
        assert marts_current(con)
        got = table_checksums(con)
    finally:
        con.close()
    want = checksums(reference)
    for name, value in want.items():
        if name.startswith("raw_") and not name.endswith("_history"):
            assert got[name].split(":")[0] == value.split(":")[0], name  # same live row counts
    assert_same_marts(warehouse, reference)


# Runs the CLI with a pause inside the n-th load transaction (warehouse/load.load_batch), after
# the new rows were inserted and the replaced rows moved to history, at its duplicate-key check.
HOOK = """
import os, sys, time
calls = [0]
def pausing(real):
    def paused(*args, **kwargs):
        calls[0] += 1
        print(f"IN-TRANSACTION {calls[0]}", flush=True)
        if calls[0] == int(os.environ["SCP_TEST_PAUSE_AT_LOAD"]):
            release = os.environ["SCP_TEST_RELEASE"]
            deadline = time.monotonic() + 600
            while not os.path.exists(release) and time.monotonic() < deadline:
                time.sleep(0.05)
        return real(*args, **kwargs)
    return paused
import scp_metrics.warehouse.load as load
load.unique_key = pausing(load.unique_key)
from scp_metrics.cli import main
sys.exit(main(sys.argv[1:]))
"""


class Refresh:
    """``scp-metrics refresh --engine local`` in a subprocess, its output read line by line."""

    def __init__(self, raw: Path, warehouse: Path, work: Path, *, wait: float = 0,
                 pause_at_load: int | None = None, extra: list[str] | None = None):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "SCP_QUARANTINE_DIR": str(work / "q"),
               "SCP_OUTPUTS_DIR": str(work / "out")}
        head = [sys.executable, "-m", "scp_metrics.cli"]
        self.release = work / "release"
        if pause_at_load is not None:  # pause inside the n-th load transaction until released
            env["SCP_TEST_PAUSE_AT_LOAD"] = str(pause_at_load)
            env["SCP_TEST_RELEASE"] = str(self.release)
            head = [sys.executable, "-c", HOOK]
        args = [*head, *(extra or ["refresh", "--engine", "local", "--raw-dir", str(raw),
                                   "--warehouse", str(warehouse), "--no-publish", "--wait",
                                   f"{wait:g}"])]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=env)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, test: Callable[[str], bool], timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"timed out; output so far: {self.lines[-20:]}") from None
            if line is None:
                raise AssertionError(f"the process ended first: {self.lines[-20:]}")
            if test(line):
                return line

    def resume(self) -> None:
        self.release.parent.mkdir(parents=True, exist_ok=True)
        self.release.touch()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)  # this process only, by its pid
        self.proc.wait(timeout=60)
        assert self.proc.returncode == -signal.SIGKILL

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"did not finish in {timeout} s: {self.lines[-20:]}") from None
        self._thread.join(timeout=10)
        return code, "\n".join(self.lines)
