"""The benchmark runner at the tiny scale prints one JSON object of positive figures.

The tiny scale (6 areas, 3 years, 24,000 record-level rows; ``benchmarks/scales.py``) exists
for this test: it runs every phase of ``benchmarks/run.py`` but the demo (``--no-demo``: two
``make demo`` runs would double the test), the chart pack of the Dask phase
(``--no-dask-charts``: the series are fanned out on 1 and 2 workers all the same) and the
rebuild's publishing (``--no-publish``: half the test's time, and the chart pack, report and
workbook have their own tests).

No timing thresholds: the figures depend on the machine and on what else runs on it.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHAPE = {
    "ingest": {"ours_s", "duckdb_read_csv_s", "ratio_vs_duckdb"},
    "compute": {"ours_s", "pandas_loop_s", "speedup"},
    "incremental": {"rebuild_s", "one_quarter_s", "ratio", "no_change_s"},
    "memory": {"peak_rss_mb", "refresh_peak_rss_mb", "dask_peak_rss_mb"},
    "dask": {"one_worker_s", "two_workers_s", "speedup"},
}


@pytest.mark.e2e
@pytest.mark.timeout(900)
def test_the_tiny_benchmark_prints_every_figure_as_json(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--scale", "tiny", "--format",
         "json", "--data", str(tmp_path / "bench"), "--no-demo", "--no-dask-charts", "--no-publish"],
        capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["scale"] == "tiny"
    assert set(result) == {"scale", *SHAPE}
    for group, keys in SHAPE.items():
        assert set(result[group]) == keys, group
        for key, value in result[group].items():
            assert isinstance(value, int | float) and value > 0, (group, key, value)
    # the memory figure is the larger of the refresh's and the Dask run's (every process)
    memory = result["memory"]
    assert memory["peak_rss_mb"] == max(memory["refresh_peak_rss_mb"], memory["dask_peak_rss_mb"])
