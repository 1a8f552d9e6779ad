"""Measure scp-metrics at a chosen scale, every figure and ratio in one run.

    python benchmarks/run.py [--scale small|medium|large] [--format table|json] [--repeat N]

Inputs come from ``benchmarks/generate.py`` (written to ``--data``, default
``/tmp/scp-bench/<scale>``, when missing). Each figure is the median of ``--repeat`` runs
(default 1): the machine's 2 cores are shared, so single runs are noisy. Figures:

* ingest: our ingest and validation of the record-level police extracts (the refresh's
  ``ingest_files``: open the warehouse; fingerprint, validate, load each file; close) vs
  DuckDB's bare ``read_csv`` of the same files into a table vs the obvious baseline
  (``pandas.read_csv`` + parsing + Pandera's pandas validation + insert);
  ``ratio_vs_duckdb`` = our throughput ÷ DuckDB's (pandas is printed, no longer a goal);
* compute: every indicator, period type and the MSG ranking (the SQL models, the indicator
  values mart, the rankings mart, timed inside the refresh's build) vs a naive pandas loop
  over areas (``benchmarks/naive.py``);
* incremental: a full rebuild (fresh warehouse, every file, every mart) vs adding the held-back
  newest quarter, and a refresh with nothing new (pipeline work only; Prefect's start-up is
  part of the demo's first run);
* memory: peak resident memory of the full refresh (a child process, ``ru_maxrss``) and of the
  2-worker Dask run (a child process of its own) with every process counted; the larger is
  the figure;
* dask: the refresh's fanned-out phases (every SPC and trend series, the chart pack) on a Dask
  ``LocalCluster`` with 1 and 2 workers (``benchmarks/dask_fanout.py``);
* demo: ``make demo``'s commands in a fresh folder, first and repeated (``--no-demo`` skips).

``--no-publish`` leaves publishing out of the rebuild (the e2e test's tiny run: the chart pack
has its own tests); the memory figure is then the refresh's without publishing.

The load average (1 minute) at the start and end of each phase is printed beside its figures:
on a shared 2-core machine a figure measured at load 6 says little. ``benchmarks/fanout.py``
(the all-area chart pack on ``ProcessPoolTaskRunner``) is kept for reference, no longer run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from scales import SCALES  # noqa: E402

COMPUTE_STEPS = ("stg_", "int_", "mart_indicator_values", "mart_msg_rankings")
PANDAS_MAX_ROWS = 5_000_000  # the pandas baseline runs on at most this many rows, scaled up


def _settings(data: Path, raw: Path, warehouse: Path):  # noqa: ANN202
    from scp_metrics.settings import get_settings

    return get_settings(config_dir=data / "config", raw_dir=raw, warehouse=warehouse,
                        quarantine_dir=data / "work" / "quarantine",
                        outputs_dir=data / "work" / "outputs")


def child_refresh(data: Path, raw: Path, warehouse: Path, publish: bool = True) -> dict:
    """One refresh (run in a child process): seconds by phase, build steps, peak RSS by phase."""
    from scp_metrics import steps as refresh

    settings = _settings(data, raw, warehouse)
    marks: list[tuple[float, str, float]] = []

    def mark(message: str) -> None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        marks.append((time.perf_counter(), message, rss))

    publish_outputs = refresh.publish_outputs

    def publish_marked(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        mark("publishing")
        return publish_outputs(*args, **kwargs)

    refresh.publish_outputs = publish_marked
    started = time.perf_counter()
    mark("started")
    summary = refresh.run_refresh(settings, progress=mark, publish=publish)
    mark("end")
    # the snapshot before the refresh writes (issue 14) is not ingest: timed from its end
    started = next((t for t, m, _ in marks if m.startswith("snapshot of the warehouse")), started)
    steps: dict[str, float] = {}
    rss: dict[str, float] = {}
    for (t0, message, _), (t1, _, peak) in zip(marks, marks[1:], strict=False):
        name = message.removeprefix("building ")
        if message.startswith("building ") or message == "publishing":
            steps[name] = t1 - t0
            rss[name] = peak
    first_build = next((t for t, m, _ in marks if m.startswith("building ")), None)
    publishing = next((t for t, m, _ in marks if m == "publishing"), marks[-1][0])
    ingest_end = first_build if first_build is not None else publishing
    ingest_rss = max((p for t, _, p in marks if t <= ingest_end), default=0.0)
    pipeline_rss = max((p for t, _, p in marks if t <= publishing), default=0.0)
    return {"seconds": summary.seconds, "ingest_s": ingest_end - started,
            "build_s": publishing - ingest_end, "publish_s": marks[-1][0] - publishing,
            "steps": steps, "rss_by_step": rss, "ingest_rss_mb": ingest_rss,
            "pipeline_rss_mb": pipeline_rss,
            "loaded": len(summary.loaded), "unchanged": len(summary.unchanged),
            "quarantined": [f.file for f in summary.quarantined],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_json(script: str, args: list[str], what: str, env: dict | None = None) -> dict:
    """Run ``script`` (a benchmark file) with ``args`` in a child Python process and return the
    JSON object on the last line it prints; its stderr's end when it fails."""
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_child(data: Path, raw: Path, warehouse: Path, publish: bool = True) -> dict:
    env = {**os.environ, "SCP_CONFIG_DIR": str(data / "config"), "SCP_WAREHOUSE": str(warehouse)}
    out = child_json(__file__, ["--child", "refresh", "--data", str(data), "--raw", str(raw),
                                "--warehouse", str(warehouse),
                                *([] if publish else ["--no-publish"])], "refresh", env)
    if out["quarantined"]:
        raise RuntimeError(f"benchmark files refused: {out['quarantined'][:5]}")
    return out


def _fresh(path: Path) -> Path:
    """``path`` with nothing of an earlier warehouse beside it (WAL, lock, caches)."""
    for p in path.parent.glob(path.name + "*"):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _link_tree(source: Path, target: Path) -> None:
    """``target`` mirrors ``source`` with hard links (a copy across file systems): the refresh
    refuses symbolic links that lead out of the raw folder (issue 14), and a hard link is the
    file itself, so no bytes are copied."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            link = target / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                try:
                    os.link(path, link)
                except OSError:
                    shutil.copyfile(path, link)


def measure_ingest(data: Path, work: Path) -> dict:
    from scp_metrics import steps as refresh
    from scp_metrics.warehouse.connection import connect

    files = sorted((data / "raw" / "police_crime").glob("*.csv"))
    rows = sum(1 for _ in files)
    settings = _settings(data, data / "raw", _fresh(work / "ingest_ours.duckdb"))
    started = time.perf_counter()  # the refresh's ingest step: open, load every file, close
    for outcome in refresh.ingest_files(files, settings, "bench"):
        if outcome.status != "loaded":
            raise RuntimeError(f"{outcome.file}: {outcome.status} {outcome.first_failures[:2]}")
    ours = time.perf_counter() - started
    con = connect(settings.warehouse, read_only=True)
    rows = con.execute("select count(*) from raw_police_crime").fetchall()[0][0]
    con.close()
    duck = bare_read_csv(files, work / "ingest_bare.duckdb")
    pandas_s, pandas_rows = _pandas_baseline(files, work)
    pandas_s *= rows / max(pandas_rows, 1)
    return {"ours_s": ours, "duckdb_read_csv_s": duck, "pandas_s": pandas_s, "rows": rows,
            "pandas_rows_measured": pandas_rows}


def bare_read_csv(files: list[Path], database: Path) -> float:
    """Seconds for DuckDB's bare ``read_csv`` of ``files`` into one table of a fresh
    ``database`` (types sniffed, one statement a file, a checkpoint at the end)."""
    import duckdb

    bare = duckdb.connect(str(_fresh(database)))
    started = time.perf_counter()
    for i, path in enumerate(files):
        verb = "create table t as" if i == 0 else "insert into t"
        bare.execute(f"{verb} select * from read_csv('{path}')")
    bare.execute("checkpoint")
    elapsed = time.perf_counter() - started
    bare.close()
    return elapsed


def _pandas_baseline(files: list[Path], work: Path) -> tuple[float, int]:
    """pandas.read_csv, parse, Pandera's pandas validation, insert: file by file."""
    import duckdb
    import pandas as pd

    from scp_metrics.sources import SOURCES_BY_NAME

    source = SOURCES_BY_NAME["police_crime"]
    schema = source.model.to_schema()
    rename = {c.headers[0]: c.name for c in source.columns}
    con = duckdb.connect(str(_fresh(work / "ingest_pandas.duckdb")))
    done = 0
    started = time.perf_counter()
    for i, path in enumerate(files):
        if done >= PANDAS_MAX_ROWS:
            break
        frame = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns=rename)
        for c in source.columns:
            text = frame[c.name].str.strip()
            if c.parse == "date":
                frame[c.name] = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
            elif c.parse == "flag":
                frame[c.name] = text.str.upper().map({"Y": True, "N": False}).astype(bool)
            else:
                frame[c.name] = text.where(text != "", None)
        frame = schema.validate(frame, lazy=True)
        con.register("incoming", frame)
        verb = "create table t as" if i == 0 else "insert into t"
        con.execute(f"{verb} select * from incoming")
        con.unregister("incoming")
        done += len(frame)
    con.execute("checkpoint")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, done


def measure_refreshes(data: Path, work: Path, repeat: int, publish: bool = True) -> dict:
    """Full rebuild (with peak memory), one new quarter, nothing new."""
    raw = work / "raw"
    warehouse = work / "warehouse" / "scp.duckdb"
    rebuilds = []
    for _ in range(repeat):
        if raw.exists():
            shutil.rmtree(raw)
        _link_tree(data / "raw", raw)
        for sub in ("quarantine", "outputs"):
            shutil.rmtree(data / "work" / sub, ignore_errors=True)
        rebuilds.append(_run_child(data, raw, _fresh(warehouse), publish=publish))
    base = warehouse.with_name("base.duckdb")
    shutil.copyfile(warehouse, base)
    quarters, nothing = [], []
    for i in range(repeat):
        if i:
            shutil.copyfile(base, warehouse)
            for p in (data / "new_quarter").rglob("*"):
                link = raw / p.relative_to(data / "new_quarter")
                if link.is_file():
                    link.unlink()
        _link_tree(data / "new_quarter", raw)
        # publishing is timed (and its memory counted) once, after the rebuild: it is the same
        # work whatever was loaded, and the incremental figures are pipeline work only
        quarters.append(_run_child(data, raw, warehouse, publish=False))
        nothing.append(_run_child(data, raw, warehouse, publish=False))
    median = statistics.median
    last = rebuilds[-1]
    compute = sum(v for k, v in last["steps"].items() if k.startswith(COMPUTE_STEPS))
    def work(r: dict) -> float:  # pipeline work: ingest and build (publishing reported apart)
        return r["ingest_s"] + r["build_s"]

    return {
        "rebuild_s": median(work(r) for r in rebuilds),
        "rebuild_ingest_s": median(r["ingest_s"] for r in rebuilds),
        "build_s": median(r["build_s"] for r in rebuilds),
        "publish_s": median(r["publish_s"] for r in rebuilds),
        "rebuild_with_publish_s": median(r["seconds"] for r in rebuilds),
        "compute_s": compute, "steps": last["steps"], "rss_by_step": last["rss_by_step"],
        "ingest_rss_mb": last["ingest_rss_mb"],
        "pipeline_rss_mb": max(r["pipeline_rss_mb"] for r in rebuilds + quarters + nothing),
        "one_quarter_s": median(work(q) for q in quarters),
        "one_quarter_loaded": quarters[-1]["loaded"],
        "one_quarter_ingest_s": quarters[-1]["ingest_s"],
        "one_quarter_steps": quarters[-1]["steps"],
        "no_change_s": median(work(n) for n in nothing),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in rebuilds + quarters + nothing),
        "warehouse": str(warehouse),
    }


def measure_naive(warehouse: Path) -> tuple[float, int]:
    import duckdb
    import naive

    con = duckdb.connect(str(warehouse), read_only=True)
    started = time.perf_counter()
    values = naive.compute(con)
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, len(values)


def measure_dask(warehouse: Path, work: Path, charts: bool) -> dict:
    """The Dask phase in a child process of its own: its peak RSS counts this process's
    resident memory, which here would carry the benchmark's earlier phases (the per-area pandas
    loop, the ingest): 1,973 MB at medium in-process against 1,099 MB for the same run alone."""
    return child_json(__file__, ["--child", "dask", "--warehouse", str(warehouse), "--data",
                                 str(work), *([] if charts else ["--no-dask-charts"])], "Dask")


def child_dask(warehouse: Path, work: Path, charts: bool) -> dict:
    import dask_fanout

    return dask_fanout.measure(warehouse, work / "dask", charts=charts)


def measure_demo(work: Path) -> dict:
    """``make demo``'s three commands in a fresh folder (first run: sample, the refresh's steps
    without Prefect, the chart pack in 2 processes when 2 cores are idle, publishing, one
    indicators table), then again (the repeat: sample already current, nothing new)."""
    demo = work / "demo"
    shutil.rmtree(demo, ignore_errors=True)
    demo.mkdir(parents=True)
    env = {**os.environ, "SCP_RAW_DIR": str(demo / "raw"), "SCP_WAREHOUSE": str(demo / "scp.duckdb"),
           "SCP_QUARANTINE_DIR": str(demo / "quarantine"), "PREFECT_HOME": str(demo / ".prefect")}
    env.pop("SCP_CONFIG_DIR", None)  # the project's own config: the sample is made for it
    cli = str(Path(sys.executable).with_name("scp-metrics"))
    commands = [[cli, "sample"], [cli, "refresh", "--engine", "local", "--workers", "2",
                                       "--brief"],
                [cli, "indicators", "--area", "E06000045", "--indicator", "all_crime",
                 "--period-type", "fytd", "--max-rows", "8"]]
    out = {}
    for run_name in ("first_s", "repeat_s"):
        started = time.perf_counter()
        for command in commands:
            proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False,
                                  cwd=ROOT)
            if proc.returncode != 0:
                raise RuntimeError(f"demo step {command[1]} failed:\n{proc.stderr[-2000:]}")
        out[run_name] = time.perf_counter() - started
    return out


def _load() -> float:
    return os.getloadavg()[0]


def ensure_inputs(scale_name: str, data: Path) -> None:
    """``data`` holds ``benchmarks/generate.py``'s inputs for the scale (written when missing or
    made for another scale), and the refreshes read its ``config/``."""
    scale = SCALES[scale_name]
    manifest = data / "manifest.json"
    made = json.loads(manifest.read_text()) if manifest.is_file() else {}
    if made.get("scale") != scale.name or made.get("record_rows") != scale.record_rows:
        import generate

        generate.generate(scale, data, progress=False)
    os.environ["SCP_CONFIG_DIR"] = str(data / "config")


def run(scale_name: str, data: Path, repeat: int, resume: bool = False, demo: bool = True,
        dask_charts: bool = True, publish: bool = True) -> dict:
    scale = SCALES[scale_name]
    ensure_inputs(scale_name, data)
    work = data / "work"
    work.mkdir(exist_ok=True)
    median = statistics.median
    # each phase's figures are kept in work/phases.json as it finishes: --resume picks up
    # after an interruption (a long run on a shared machine) without measuring a phase twice
    saved = work / "phases.json"
    phases: dict = json.loads(saved.read_text()) if resume and saved.is_file() else {}
    loads: dict[str, list[float]] = {}

    def phase(name: str, measure):  # noqa: ANN001, ANN202
        if name not in phases:
            before = _load()
            phases[name] = measure()
            phases[f"{name}_load"] = [before, _load()]
            saved.write_text(json.dumps(phases, default=str))
        loads[name] = phases.get(f"{name}_load", [float("nan")] * 2)
        return phases[name]

    ingests = phase("ingest", lambda: [measure_ingest(data, work) for _ in range(repeat)])
    ingest = {k: median(i[k] for i in ingests) for k in ("ours_s", "duckdb_read_csv_s",
                                                         "pandas_s")}
    refreshes = phase("refreshes", lambda: measure_refreshes(data, work, repeat, publish))
    warehouse = Path(refreshes["warehouse"])
    naive_runs = phase("naive", lambda: [measure_naive(warehouse) for _ in range(repeat)])
    naive_s = median(r[0] for r in naive_runs)
    dask = phase("dask", lambda: measure_dask(warehouse, work, dask_charts))
    result = {
        "scale": scale.name,
        "ingest": {"ours_s": ingest["ours_s"], "duckdb_read_csv_s": ingest["duckdb_read_csv_s"],
                   "ratio_vs_duckdb": ingest["duckdb_read_csv_s"] / ingest["ours_s"]},
        "compute": {"ours_s": refreshes["compute_s"], "pandas_loop_s": naive_s,
                    "speedup": naive_s / refreshes["compute_s"]},
        "incremental": {"rebuild_s": refreshes["rebuild_s"],
                        "one_quarter_s": refreshes["one_quarter_s"],
                        "ratio": refreshes["one_quarter_s"] / refreshes["rebuild_s"],
                        "no_change_s": refreshes["no_change_s"]},
        "memory": {"peak_rss_mb": max(refreshes["peak_rss_mb"], dask["peak_rss_2_mb"]),
                   "refresh_peak_rss_mb": refreshes["peak_rss_mb"],
                   "dask_peak_rss_mb": dask["peak_rss_2_mb"]},
        "dask": {"one_worker_s": dask["workers_1_s"], "two_workers_s": dask["workers_2_s"],
                 "speedup": dask["speedup"]},
    }
    if demo:
        demos = phase("demo", lambda: measure_demo(work))
        result["demo"] = {"first_s": demos["first_s"], "repeat_s": demos["repeat_s"]}
    extra = {"rows": ingests[-1]["rows"], "pandas_rows_measured": ingests[-1]["pandas_rows_measured"],
             "pandas_s": ingest["pandas_s"], "areas": scale.areas, "years": scale.years,
             "repeat": repeat, "published": publish,
             "rebuild_ingest_s": refreshes["rebuild_ingest_s"], "build_s": refreshes["build_s"],
             "publish_s": refreshes["publish_s"],
             "rebuild_with_publish_s": refreshes["rebuild_with_publish_s"],
             "ingest_rss_mb": refreshes["ingest_rss_mb"],
             "pipeline_rss_mb": refreshes["pipeline_rss_mb"],
             "peak_rss_step": max(refreshes["rss_by_step"].items(), key=lambda kv: kv[1],
                                  default=("", 0.0)),
             "dask": dask, "load": loads,
             "naive_rows": naive_runs[-1][1], "slowest_steps": sorted(
                 refreshes["steps"].items(), key=lambda kv: -kv[1])[:5]}
    return {"result": result, "extra": extra}


GOALS = [
    ("ingest", "ratio_vs_duckdb", ">=", 0.8, "ingest ≥ 0.8 × DuckDB read_csv throughput"),
    ("compute", "speedup", ">=", 20.0, "compute ≥ 20 × per-area pandas loop"),
    ("incremental", "ratio", "<=", 0.15, "one new quarter ≤ 15% of a rebuild"),
    ("incremental", "no_change_s", "<", 2.0, "no-change refresh < 2 s"),
    ("memory", "peak_rss_mb", "<", 1536.0, "peak RSS < 1.5 GB, Dask workers counted (goal at large)"),
    ("dask", "speedup", ">=", 1.7, "Dask 2 workers ≥ 1.7 × 1 on the fanned-out phases"),
    ("demo", "first_s", "<=", 60.0, "first make demo (after install) ≤ 60 s"),
    ("demo", "repeat_s", "<=", 10.0, "repeat make demo ≤ 10 s"),
]
PHASE_OF = {"ingest": "ingest", "compute": "refreshes", "incremental": "refreshes",
            "memory": "dask", "dask": "dask", "demo": "demo"}


def table(out: dict) -> str:
    result, extra = out["result"], out["extra"]
    lines = [f"scp-metrics benchmark — scale {result['scale']} ({extra['areas']} areas, "
             f"{extra['years']} years, {extra['rows']:,} record-level rows; median of "
             f"{extra['repeat']}; load average beside each phase: 1-minute, at its start → end "
             "on this machine's 2 cores)", "",
             f"{'figure':<36}{'value':>14}   load", "-" * 66]
    for group, figures in result.items():
        if group == "scale":
            continue
        load = extra["load"].get(PHASE_OF.get(group, ""), [float("nan")] * 2)
        for key, value in figures.items():
            unit = "" if key in ("ratio_vs_duckdb", "speedup", "ratio") \
                else (" MB" if key.endswith("_mb") else " s")
            lines.append(f"{group + '.' + key:<36}{value:>12.2f}{unit:<3}  "
                         f"{load[0]:.1f} → {load[1]:.1f}")
    lines += ["", "goals (every one measured in this run):"]
    for group, key, op, target, text in GOALS:
        if group not in result:
            lines.append(f"  [not measured] {text} (--no-demo)")
            continue
        value = result[group][key]
        met = value >= target if op == ">=" else value <= target if op == "<=" else value < target
        lines.append(f"  [{'met' if met else 'NOT met'}] {text}: {value:.2f}")
    step, step_rss = extra["peak_rss_step"]
    dask = extra["dask"]
    phases = ", ".join(f"{name} {dask.get(f'{name}_1_s', float('nan')):.1f} → "
                       f"{dask.get(f'{name}_2_s', float('nan')):.1f} s"
                       for name in ("spc", "trends", "charts") if f"{name}_1_s" in dask)
    published = (f"then publishing {extra['publish_s']:.1f} s (rebuild with publishing "
                 f"{extra['rebuild_with_publish_s']:.1f} s)" if extra.get("published", True)
                 else "not published (--no-publish)")
    lines += ["", f"rebuild (pipeline work): ingest {extra['rebuild_ingest_s']:.1f} s + build "
              f"{extra['build_s']:.1f} s; {published}",
              f"peak RSS of the refresh: {extra['ingest_rss_mb']:.0f} MB by the end of ingest, "
              f"{extra['pipeline_rss_mb']:.0f} MB by the end of the build; with publishing "
              f"{result['memory']['refresh_peak_rss_mb']:.0f} MB (largest after step {step}: "
              f"{step_rss:.0f} MB); Dask run, every process: "
              f"{dask['peak_rss_1_mb']:.0f} MB with 1 worker, {dask['peak_rss_2_mb']:.0f} MB with 2",
              f"Dask LocalCluster, 1 → 2 workers (warm): {phases}; cluster start-up and warm-up "
              f"{dask['startup_1_s']:.1f} s / {dask['startup_2_s']:.1f} s (not in the figure)",
              "slowest build steps: " + ", ".join(f"{k} {v:.1f} s"
                                                  for k, v in extra["slowest_steps"]),
              f"ingest, pandas + Pandera baseline (no goal since issue 17): {extra['pandas_s']:.1f} s "
              f"(measured on {extra['pandas_rows_measured']:,} rows, scaled to {extra['rows']:,})"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure scp-metrics at a chosen scale.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-demo", action="store_true",
                        help="skip the two make-demo runs (the e2e test's tiny run)")
    parser.add_argument("--no-dask-charts", action="store_true",
                        help="leave the chart pack out of the Dask 1-vs-2 phase")
    parser.add_argument("--resume", action="store_true",
                        help="reuse the phases a previous interrupted run finished")
    parser.add_argument("--child", choices=["refresh", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-publish", action="store_true",
                        help="leave publishing out of the rebuild (the e2e test's tiny run)")
    args = parser.parse_args(argv)
    data = args.data or Path("/tmp/scp-bench") / args.scale
    if args.child == "dask":
        print(json.dumps(child_dask(args.warehouse, data, charts=not args.no_dask_charts)))
        return 0
    if args.child:
        print(json.dumps(child_refresh(data, args.raw, args.warehouse, publish=not args.no_publish)))
        return 0
    out = run(args.scale, data, max(1, args.repeat), args.resume, demo=not args.no_demo,
              dask_charts=not args.no_dask_charts, publish=not args.no_publish)
    print(json.dumps(out["result"]) if args.format == "json" else table(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
