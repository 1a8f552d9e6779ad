"""What part of each issue-17 ratio is fixed cost: the floor a scale's goal is measured against.

    python benchmarks/floors.py [--scale small] [--data /tmp/scp-bench/small] [--format table|json]

About 1.5 min at small, 20 min at medium (the per-area loop alone is 13 min there).

``benchmarks/run.py`` prints each goal as a ratio of two times. At small scale (20 areas, 3
years, 11 police files of 12,500 rows) three of them were not met in any run: ingest against
DuckDB's bare ``read_csv``, compute against the per-area pandas loop, one new quarter against a
rebuild. This script measures, on the same inputs, how much of our side of each ratio does not
depend on the data, so that what a goal asks at a scale can be judged (issue 17):

* **ingest**: bare ``read_csv`` (run.py's baseline); the *least* any validating load does in
  SQL — each file read as text (no type sniffing) and inserted typed (dates by
  ``try_strptime``, flags by ``CASE``, blanks to NULL), each statement committed alone,
  nothing else; ours (the refresh's ``ingest_files``, in a fresh process as a refresh runs
  it); ours on the same files cut to their header and first data row, which is the cost of
  opening a warehouse and taking files one at a time with no data to speak of.
* **one quarter**: a rebuild's work (ingest and build, no publishing, as run.py times it); one
  new quarter; one new quarter whose two files hold one data row each (what any refresh
  that loads something costs at this history), against the goal's budget (0.15 of the rebuild).
* **compute**: the build's compute steps (run.py's ``COMPUTE_STEPS``) and the per-area loop on
  the scale's data and on the same scale cut to 2 areas: our side hardly moves with the
  areas, the loop's is proportional to them.

Each refresh runs in a child process (run.py's ``--child refresh``), as the benchmark's do.
Inputs come from ``benchmarks/generate.py`` (written when missing); nothing outside
``--data`` is written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402
from scales import SCALES  # noqa: E402


def minimal_validating_load(files: list[Path], database: Path) -> float:
    """Seconds for the least SQL a validating load of ``police_crime`` files runs: each file
    read as text into a temporary table, then inserted with every column typed as the parser
    types it (blank → NULL; dates in the parser's first format; times; Y/N flags), each
    statement committed alone, a checkpoint at the end. No fingerprint, ledger, check, report or
    natural key: a lower bound, not a design."""
    import duckdb

    from scp_metrics.ingest.parse import DATE_FORMATS
    from scp_metrics.sources import SOURCES_BY_NAME

    source = SOURCES_BY_NAME["police_crime"]
    sql_type = {"date": "date", "time": "time", "flag": "boolean"}
    typed = []
    for i, c in enumerate(source.columns):
        cell = f"nullif(trim(c{i}), '')"
        if c.parse == "date":
            typed.append(f"try_strptime({cell}, '{DATE_FORMATS[0]}')::date")
        elif c.parse == "time":
            typed.append(f"try_cast({cell} as time)")
        elif c.parse == "flag":
            typed.append(f"case upper({cell}) when 'Y' then true when 'N' then false end")
        else:
            typed.append(cell)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(source.columns))) + "}"
    con = duckdb.connect(str(bench._fresh(database)))
    started = time.perf_counter()
    con.execute("create table t (" + ", ".join(
        f'"{c.name}" {sql_type.get(c.parse, "varchar")}' for c in source.columns) + ")")
    for path in files:
        con.execute(f"create or replace temp table _text as select * from read_csv(?, "
                    f"header = false, skip = 1, columns = {columns}, auto_detect = false)",
                    [str(path)])
        con.execute(f"insert into t select {', '.join(typed)} from _text")
    con.execute("checkpoint")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def child_ingest(files_dir: Path, data: Path, warehouse: Path) -> dict:
    """The refresh's ingest of every CSV in ``files_dir``, timed as run.py's ingest phase."""
    from scp_metrics import steps as refresh

    files = sorted(files_dir.glob("*.csv"))
    settings = bench._settings(data, files_dir, bench._fresh(warehouse))
    started = time.perf_counter()
    for outcome in refresh.ingest_files(files, settings, "floors"):
        if outcome.status != "loaded":
            raise RuntimeError(f"{outcome.file}: {outcome.status} {outcome.first_failures[:2]}")
    return {"seconds": time.perf_counter() - started, "files": len(files)}


def one_row_copy(source: Path, target: Path) -> None:
    """Every file under ``source`` copied to ``target`` with its lines up to and including the
    first data row (a title row and the header kept): a file to load with no data in it."""
    from scp_metrics.ingest.text import _find_header, _head

    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        head = _head(path)
        found = _find_header(head[0]) if head else None
        if found is None:
            shutil.copyfile(path, out)
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out.write_text("".join(lines[:found[1] + 2]), encoding="utf-8")


def measure_ingest(data: Path, work: Path) -> dict:
    police = data / "raw" / "police_crime"
    files = sorted(police.glob("*.csv"))
    cut = work / "one_row" / "police_crime"
    shutil.rmtree(cut.parent, ignore_errors=True)
    one_row_copy(police, cut)
    bare = bench.bare_read_csv(files, work / "bare.duckdb")
    minimal = minimal_validating_load(files, work / "minimal.duckdb")
    ours, fixed = (bench.child_json(__file__, [
        "--child", "ingest", "--files", str(files_dir), "--data", str(data), "--warehouse",
        str(work / name)], "ingest")["seconds"]
        for files_dir, name in ((police, "ours.duckdb"), (cut, "ours_one_row.duckdb")))
    return {"files": len(files), "bare_s": bare, "minimal_s": minimal, "ours_s": ours,
            "ours_one_row_s": fixed, "goal_budget_s": bare / 0.8}


def measure_quarter(data: Path, work: Path) -> dict:
    """Rebuild, one new quarter, one new quarter of one-row files: pipeline work (ingest and
    build), each refresh a child process."""
    raw, warehouse = work / "raw", work / "warehouse" / "scp.duckdb"
    shutil.rmtree(raw, ignore_errors=True)
    bench._link_tree(data / "raw", raw)
    rebuild = bench._run_child(data, raw, bench._fresh(warehouse), publish=False)
    base = warehouse.with_name("base.duckdb")
    shutil.copyfile(warehouse, base)
    cut = work / "new_quarter_one_row"
    shutil.rmtree(cut, ignore_errors=True)
    one_row_copy(data / "new_quarter", cut)
    out = {}
    for name, held in (("one_quarter", data / "new_quarter"), ("one_row_quarter", cut)):
        shutil.copyfile(base, warehouse)
        shutil.rmtree(raw, ignore_errors=True)
        bench._link_tree(data / "raw", raw)
        bench._link_tree(held, raw)
        r = bench._run_child(data, raw, warehouse, publish=False)
        out[name] = {"work_s": r["ingest_s"] + r["build_s"], "ingest_s": r["ingest_s"],
                     "build_s": r["build_s"], "loaded": r["loaded"]}
    work_s = rebuild["ingest_s"] + rebuild["build_s"]
    return {"rebuild_s": work_s, "goal_budget_s": 0.15 * work_s, **out,
            "rebuild_compute_s": _compute(rebuild), "warehouse": str(base)}


def _compute(refresh: dict) -> float:
    return sum(v for k, v in refresh["steps"].items() if k.startswith(bench.COMPUTE_STEPS))


def measure_compute(data: Path, work: Path, scale_name: str, warehouse: Path) -> dict:
    """Compute and the per-area loop at the scale (``warehouse``: its rebuild) and at 2 areas."""
    import generate

    full_loop = bench.measure_naive(warehouse)[0]
    two = work / "two_areas"
    generate.generate(replace(SCALES[scale_name], name=f"{scale_name}-2-areas", areas=2), two,
                      progress=False)
    raw, small_wh = two / "work" / "raw", two / "work" / "scp.duckdb"
    shutil.rmtree(raw, ignore_errors=True)
    bench._link_tree(two / "raw", raw)
    rebuild = bench._run_child(two, raw, bench._fresh(small_wh), publish=False)
    return {"areas": SCALES[scale_name].areas, "loop_s": full_loop,
            "loop_2_areas_s": bench.measure_naive(small_wh)[0],
            "compute_2_areas_s": _compute(rebuild)}


def run(scale_name: str, data: Path) -> dict:
    scale = SCALES[scale_name]
    bench.ensure_inputs(scale_name, data)  # and SCP_CONFIG_DIR, which the children inherit
    work = data / "work" / "floors"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ingest = measure_ingest(data, work)
    quarter = measure_quarter(data, work)
    compute = measure_compute(data, work, scale_name, Path(quarter.pop("warehouse")))
    compute["compute_s"] = quarter.pop("rebuild_compute_s")
    return {"scale": scale.name, "ingest": ingest, "quarter": quarter, "compute": compute,
            "seconds": time.perf_counter() - started}


def table(out: dict) -> str:
    i, q, c = out["ingest"], out["quarter"], out["compute"]
    per_file = (i["ours_s"] - i["ours_one_row_s"]) / i["files"]

    def row(label: str, seconds: float, after: str = "") -> str:
        return f"  {label:<44}{seconds:7.2f} s{after}"

    def refresh(label: str, r: dict) -> str:
        return row(label, r["work_s"], f"   (ingest {r['ingest_s']:.2f}, build {r['build_s']:.2f})"
                                       f"   = {r['work_s'] / q['rebuild_s']:.2f}")

    lines = [
        f"scale {out['scale']}: what of each ratio is fixed cost ({out['seconds']:.0f} s)",
        "",
        f"ingest of {i['files']} police files (goal: ours ≤ bare / 0.8 = {i['goal_budget_s']:.2f} s)",
        row("bare DuckDB read_csv", i["bare_s"]),
        row("least validating SQL (read as text, insert)", i["minimal_s"],
            f"   = {i['bare_s'] / i['minimal_s']:.2f} of bare's throughput"),
        row("ours", i["ours_s"], f"   = {i['bare_s'] / i['ours_s']:.2f}"),
        row("ours, the same files cut to one data row", i["ours_one_row_s"],
            f"   = {i['ours_one_row_s'] / i['goal_budget_s']:.0%} of the goal's budget"),
        f"  {'ours, per file above that':<44}{per_file:7.3f} s   (bare: "
        f"{i['bare_s'] / i['files']:.3f} s a file)",
        "",
        f"one new quarter (goal: ≤ 0.15 × rebuild {q['rebuild_s']:.2f} s = "
        f"{q['goal_budget_s']:.2f} s)",
        refresh(f"one new quarter ({q['one_quarter']['loaded']} files)", q["one_quarter"]),
        refresh("the same files cut to one data row", q["one_row_quarter"]),
        "",
        f"compute (goal: ≥ 20 × the per-area loop, so ≤ loop / 20 = {c['loop_s'] / 20:.2f} s)",
        f"  {c['areas']} areas: ours {c['compute_s']:.2f} s, loop {c['loop_s']:.2f} s"
        f"   = {c['loop_s'] / c['compute_s']:.1f}×",
        f"  2 areas: ours {c['compute_2_areas_s']:.2f} s, loop {c['loop_2_areas_s']:.2f} s"
        f"   = {c['loop_2_areas_s'] / c['compute_2_areas_s']:.1f}×"
        f"   (ours with 2 areas = {c['compute_2_areas_s'] / (c['loop_s'] / 20):.0%} of the "
        f"{c['areas']}-area budget)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fixed costs under the benchmark's ratios.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--child", choices=["ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = args.data or Path("/tmp/scp-bench") / args.scale
    if args.child:
        print(json.dumps(child_ingest(args.files, data, args.warehouse)))
        return 0
    out = run(args.scale, data)
    print(json.dumps(out) if args.format == "json" else table(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
