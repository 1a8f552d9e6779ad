"""Time publishing alone on a built benchmark warehouse: a first publication (no earlier chart
pack), then a repeat with nothing changed (unchanged charts copied, not redrawn).

    python benchmarks/publish_time.py --data /tmp/scp-bench/medium \\
        [--warehouse DATA/work/warehouse/scp.duckdb] [--workers 2] [--runs first,repeat]

The warehouse is what ``benchmarks/run.py`` (or its ``--child refresh --no-publish``) built;
publishing only reads it and records the publication. Each run is
:func:`scp_metrics.steps.publishing.publish_outputs` (the refresh's publishing: mart CSVs, the
chart pack, the report, the workbook, the summary, the swap), the seconds of each phase, the
charts drawn and copied, and the 1-minute load average before and after. ``--workers 2`` draws
the chart pack in a process pool as ``scp-metrics refresh --engine local --workers 2`` does
(only when 2 cores are idle). One JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


class _PackLog(logging.Handler):
    """Catches the chart pack's summary line (drawn / copied counts)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"(\d+) charts written .*\((\d+) drawn, (\d+) unchanged", record.getMessage())
        if found:
            self.counts = {"written": int(found[1]), "drawn": int(found[2]),
                           "copied": int(found[3])}


def publish_once(data: Path, warehouse: Path, workers: int) -> dict:
    from scp_metrics.fanout import mapping_with, process_pool
    from scp_metrics.settings import get_settings
    from scp_metrics.steps.publishing import publish_outputs

    settings = get_settings(config_dir=data / "config", raw_dir=data / "raw", warehouse=warehouse,
                            quarantine_dir=data / "work" / "quarantine",
                            outputs_dir=data / "work" / "publish-outputs")
    phases: dict[str, float] = {}

    def progress(message: str) -> None:
        found = re.match(r"\s+(.+): \d+ files? \(([\d.]+) s\)", message)
        if found:
            phases[found[1]] = float(found[2])

    handler = _PackLog()
    pack_log = logging.getLogger("scp_metrics.publish.charts.pack")
    pack_log.addHandler(handler)
    pack_log.setLevel(logging.INFO)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with process_pool(workers) as pool, mapping_with(pool):
        pooled = pool is not None
        folder = publish_outputs(settings, "# benchmark\n", progress=progress)
    seconds = time.perf_counter() - started
    return {"publish_s": round(seconds, 1), "phases_s": phases, "charts": handler.counts,
            "process_pool": pooled, "load": [round(load, 2), round(os.getloadavg()[0], 2)],
            "folder": str(folder)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", default="first,repeat",
                        help="first: from no earlier outputs; repeat: over the last run's")
    args = parser.parse_args(argv)
    warehouse = args.warehouse or args.data / "work" / "warehouse" / "scp.duckdb"
    os.environ["SCP_CONFIG_DIR"] = str(args.data / "config")
    for run in args.runs.split(","):
        if run == "first":
            shutil.rmtree(args.data / "work" / "publish-outputs", ignore_errors=True)
        print(json.dumps({"run": run, **publish_once(args.data, warehouse, args.workers)}),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
