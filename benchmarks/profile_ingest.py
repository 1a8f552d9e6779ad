"""Where one file's ingest time goes: load some files, then time every SQL statement of the next.

    python benchmarks/profile_ingest.py [--data /tmp/scp-bench/large] [--source police_crime]
                                        [--preload 40] [--files 5]

Loads the first ``--preload`` files of ``raw/<source>`` (police.uk: every CSV below it) of a
generated benchmark tree into a fresh warehouse with ``refresh.ingest_file``, then loads the next
``--files`` files with every SQL statement timed, and prints seconds per file, the statements
that took longest, and the rows in the raw table. ``--preload`` larger than the number of files
times the whole load (e.g. ``--source police_uk --preload 1000``). Inputs come from
``benchmarks/generate.py`` (or ``run.py``); nothing outside ``--work`` is written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

RAW_DIRS = {"police_crime": "police_crime", "police_uk": "police_uk"}
TABLES = {"police_crime": "raw_police_crime", "police_uk": "raw_police_uk_street"}


class TimedConnection:
    """A DuckDB connection that records the seconds each ``execute`` took."""

    def __init__(self, con) -> None:  # noqa: ANN001
        self.con = con
        self.log: list[tuple[float, str]] = []

    def execute(self, query, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        started = time.perf_counter()
        result = self.con.execute(query, *args, **kwargs)
        self.log.append((time.perf_counter() - started, " ".join(str(query).split())))
        return result

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.con, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/scp-bench/large"))
    parser.add_argument("--source", choices=sorted(RAW_DIRS), default="police_crime")
    parser.add_argument("--preload", type=int, default=40)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/scp-bench/profile_ingest"))
    args = parser.parse_args(argv)
    os.environ.setdefault("SCP_CONFIG_DIR", str(args.data / "config"))

    from run import _settings

    from scp_metrics import steps as refresh
    from scp_metrics.warehouse.connection import connect

    files = sorted((args.data / "raw" / RAW_DIRS[args.source]).rglob("*.csv"))
    if not files:
        parser.error(f"no CSV files under {args.data / 'raw' / RAW_DIRS[args.source]}: "
                     "generate them with benchmarks/generate.py")
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    settings = _settings(args.data, args.data / "raw", args.work / "scp.duckdb")
    con = connect(settings.warehouse)
    try:
        preload, profiled = files[:args.preload], files[args.preload:args.preload + args.files]
        started = time.perf_counter()
        for i, path in enumerate(preload, 1):
            outcome = refresh.ingest_file(con, path, settings, "preload")
            if outcome.status != "loaded":
                raise SystemExit(f"{path.name}: {outcome.status} {outcome.first_failures[:2]}")
            if i % 10 == 0 or i == len(preload):
                print(f"  preloaded {i}/{len(preload)} files", file=sys.stderr, flush=True)
        print(f"preload: {len(preload)} files in {time.perf_counter() - started:.1f} s")
        if profiled:
            timed = TimedConnection(con)
            started = time.perf_counter()
            for path in profiled:
                outcome = refresh.ingest_file(timed, path, settings, "profiled")  # type: ignore[arg-type]
                if outcome.status != "loaded":
                    raise SystemExit(f"{path.name}: {outcome.status}")
            elapsed = time.perf_counter() - started
            n = len(profiled)
            print(f"profiled: {n} files in {elapsed:.2f} s = {elapsed / n:.3f} s per file "
                  f"({sum(d for d, _ in timed.log) / n:.3f} s of it in SQL)")
            totals: dict[str, list[float]] = {}
            for seconds, query in timed.log:
                totals.setdefault(query[:70], []).append(seconds)
            for query, times in sorted(totals.items(), key=lambda kv: -sum(kv[1]))[:10]:
                print(f"  {sum(times) / n:7.3f} s per file  ({len(times) / n:.0f}×)  {query}")
        rows = con.execute(f"select count(*) from {TABLES[args.source]}").fetchall()[0][0]
        print(f"rows in {TABLES[args.source]}: {rows:,}")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
