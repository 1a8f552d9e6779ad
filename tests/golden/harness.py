"""What a user takes away from ingesting and building, reduced to comparable records.

The golden files in ``tests/golden/data/`` were recorded from the engines as they were before the
redesign of issue 12 (two validation engines, three load transactions), by
``python -m tests.golden.record``; ``tests/golden/test_goldens.py`` checks that the code as it
is now gives the same records. Only this module knows how to drive the code; when an entry
point moves, this module follows it and the golden files stay as they are.

Records:

* **validate**: per file, ``scp-metrics validate``'s outcome: recognised source, ok, rows,
  period label, notes and every failure (file, row, column, check, value).
* **ingest**: per file ingested into a warehouse: status, source, rows, period label, notes,
  replaced rows, every failure of a refused file (from its quarantine report), whether the
  file was copied into quarantine, the ledger entry (without batch id, run id and time; a batch
  that superseded another is named by its file) and a digest of the rows loaded (every column
  but ``batch_id``, in line order).
* **marts**: every mart, whole, as a Parquet file (rows in a canonical order).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

GOLDEN = Path(__file__).resolve().parent / "data"
TESTS = Path(__file__).resolve().parents[1]
BAD = TESTS / "data" / "bad"
BASELINE = TESTS / "data" / "baseline"
MINI_RAW = TESTS / "fixtures" / "mini_raw"
SKIP_SUFFIXES = {".md", ".txt", ".json", ".toml", ".lock"}
#: Rows of a batch written out in full (beside the digest) when there are at most this many.
FULL_ROWS = 3


def extract_files(folder: Path) -> list[Path]:
    """The files of ``folder`` a refresh would consider, in its order."""
    return sorted((p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() not in SKIP_SUFFIXES and p.name != "EXPECTED.csv"),
                  key=lambda p: str(p.relative_to(folder)))


def _text(value: object) -> object:
    """A JSON-safe, exact rendering of one value (floats by ``repr``: every bit counts)."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if value != value else repr(value)
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _undated(_text(None if pd.isna(v) else v)) if not isinstance(v, list | tuple)
             else str(v) for k, v in row.items()} for row in frame.to_dict("records")]


_TODAY = re.compile(r"today is \d{4}-\d{2}-\d{2}")


def _undated(value: object) -> object:
    """A check's text without the day it ran ("period not in the future (today is …)"): the
    goldens must not change with the calendar (they failed the day after they were recorded)."""
    return _TODAY.sub("today is <the day of the run>", value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- validate


def _config_dir() -> Path:
    from scp_metrics.settings import get_settings

    return get_settings().config_dir


def validate_record(path: Path, today: date | None = None) -> dict:
    """``scp-metrics validate``'s outcome for one file (validated on ``today``)."""
    from scp_metrics.ingest.engine import validate_file

    result = validate_file(path, config_dir=_config_dir(), today=today)
    failures = result.failures.copy()
    return {"file": path.name, "source": result.source.name if result.source else None,
            "ok": bool(result.ok), "rows": int(result.rows), "period": result.period_label,
            "notes": list(result.notes), "failures": _records(failures)}


# --------------------------------------------------------------------------- ingest


def _settings(warehouse: Path, raw_dir: Path):  # noqa: ANN202
    from scp_metrics.settings import get_settings

    base = warehouse.parent
    return get_settings(raw_dir=raw_dir, warehouse=warehouse, quarantine_dir=base / "quarantine",
                        outputs_dir=base / "outputs")


def _rows_digest(con: duckdb.DuckDBPyConnection, source: str, batch_id: int) -> tuple[int, str, list]:
    table = f"raw_{source}"
    cur = con.execute(f'select * exclude (batch_id) from "{table}" where batch_id = ? '
                      "order by source_row", [batch_id])
    names = [d[0] for d in cur.description]
    digest = hashlib.sha256(json.dumps(names).encode())
    n = 0
    head: list = []
    while True:
        chunk = cur.fetchmany(10_000)
        if not chunk:
            break
        for row in chunk:
            line = json.dumps([_text(v) for v in row], ensure_ascii=False)
            digest.update(line.encode())
            digest.update(b"\n")
            if n < FULL_ROWS:
                head.append(dict(zip(names, json.loads(line), strict=True)))
            n += 1
    return n, digest.hexdigest(), head


def ledger_records(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The ledger in load order, batch ids replaced by file names."""
    ledger = con.execute("select batch_id, source, file_name, sha256, rows, period, status, "
                         "superseded_by, notes from load_batches order by batch_id").df()
    files = dict(zip(ledger["batch_id"], ledger["file_name"], strict=True))
    out = []
    for row in ledger.itertuples(index=False):
        live, digest, head = _rows_digest(con, row.source, int(row.batch_id))
        hist = con.execute(f'select count(*) from "raw_{row.source}_history" where batch_id = ?',
                           [int(row.batch_id)]).fetchall()[0][0]
        out.append({"source": row.source, "file": row.file_name, "sha256": row.sha256,
                    "rows": int(row.rows), "period": _text(row.period), "status": row.status,
                    "superseded_by": None if pd.isna(row.superseded_by)
                    else files.get(int(row.superseded_by)),
                    "notes": _text(row.notes), "live_rows": live, "archived_rows": int(hist),
                    "live_digest": digest, "live_head": head})
    return out


def _outcome_record(outcome, quarantine: Path) -> dict:  # noqa: ANN001
    record = {"file": outcome.file, "status": outcome.status, "source": outcome.source,
              "rows": int(outcome.rows), "period": outcome.period,
              "replaced_rows": int(outcome.replaced_rows), "failures_count": int(outcome.failures),
              "notes": list(outcome.notes)}
    if outcome.status == "quarantined":
        report = Path(outcome.report) if outcome.report else None
        failures = pd.read_csv(report, dtype=str, keep_default_na=False) if report else None
        record["failures"] = [] if failures is None else [
            {k: _undated(v) for k, v in r.items()} for r in failures.to_dict("records")]
        record["copied_to_quarantine"] = any(p.name == outcome.file for p in quarantine.rglob("*"))
    return record


def ingest_folder(raw_dir: Path, workdir: Path, *, build: bool,
                  warehouse: Path | None = None) -> dict:
    """Refresh ``workdir/scp.duckdb`` (or ``warehouse``) from ``raw_dir`` as a user would
    (local engine, no publishing): every file's outcome and the ledger."""
    from scp_metrics.steps import build_marts, ingest_files, new_run_id

    warehouse = warehouse or workdir / "scp.duckdb"
    settings = _settings(warehouse, raw_dir)
    outcomes = ingest_files(extract_files(raw_dir), settings, new_run_id())
    if build:
        build_marts(settings, outcomes)
    return refresh_records(settings, outcomes)


def refresh_records(settings, outcomes) -> dict:  # noqa: ANN001
    """Every file's outcome and the ledger of a refresh already run (``outcomes``: its files)
    into ``settings.warehouse``: :func:`ingest_folder`'s records, and the session's shared
    real-data refresh's."""
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        ledger = ledger_records(con)
    finally:
        con.close()
    return {"files": [_outcome_record(o, settings.quarantine_dir) for o in outcomes],
            "ledger": ledger}


def ingest_each(files: Iterable[Path], baseline: Path, workdir: Path) -> list[dict]:
    """Each file ingested alone into a copy of the ``baseline`` warehouse: its outcome and the
    ledger entries it added."""
    out = []
    for i, path in enumerate(files):
        folder = workdir / f"f{i}"
        raw = folder / "raw"
        raw.mkdir(parents=True)
        shutil.copy(path, raw / path.name)
        warehouse = folder / "scp.duckdb"
        shutil.copy(baseline, warehouse)
        con = duckdb.connect(str(warehouse), read_only=True)
        before = con.execute("select count(*) from load_batches").fetchall()[0][0]
        con.close()
        result = ingest_folder(raw, folder, build=False, warehouse=warehouse)
        result["ledger"] = result["ledger"][before:] + [
            {"file": e["file"], "status": e["status"], "superseded_by": e["superseded_by"],
             "live_rows": e["live_rows"]} for e in result["ledger"][:before]
            if e["status"] != "loaded"]
        out.append(result)
        shutil.rmtree(folder)
    return out


# --------------------------------------------------------------------------- cases


def _load_one(con: duckdb.DuckDBPyConnection, path: Path, run_id: str, today: date) -> dict:
    """Validate and load one file into ``con`` as the engine does (no fingerprint cache, no
    quarantine): its validate record, and whether it loaded."""
    from scp_metrics.ingest.engine import ingest

    result, outcome = ingest(con, path, config_dir=_config_dir(), sha256=path.name,
                             run_id=run_id, today=today)
    loaded = outcome is not None
    return {"file": path.name, "source": result.source.name if result.source else None,
            "ok": bool(result.ok), "loaded": loaded, "rows": int(result.rows),
            "period": result.period_label, "notes": list(result.notes),
            "failures": _records(result.failures.copy())}


def _history_records(con: duckdb.DuckDBPyConnection) -> list[dict]:
    out = []
    for (source,) in con.execute("select distinct source from load_batches order by 1").fetchall():
        frame = con.execute(f'select * exclude (archived_at) from "raw_{source}_history" '
                            "order by batch_id, source_row").df()
        out.extend({"source": source, **r} for r in _records(frame))
    return out


def case_records(folder: Path) -> dict:
    """Every case of :mod:`tests.golden.cases`: each file validated and loaded alone into an
    empty warehouse, and each sequence of deliveries loaded into one."""
    from scp_metrics.warehouse.connection import connect
    from tests.golden import cases

    singles = []
    for path, today in cases.case_files(folder):
        con = connect(":memory:")
        try:
            record = _load_one(con, path, "run", today)
            record["ledger"] = ledger_records(con)
        finally:
            con.close()
        singles.append(record)
    sequences = {}
    for name, deliveries in cases.SEQUENCES.items():
        today = cases.POLICE_UK_TODAY if "uk" in name else cases.POLICE_TODAY
        sub = folder / name
        sub.mkdir()
        con = connect(":memory:")
        try:
            steps = [_load_one(con, cases.write_case(sub, file, rows, end), run, today)
                     for file, rows, end, run in deliveries]
            sequences[name] = {"steps": steps, "ledger": ledger_records(con),
                               "history": _history_records(con)}
        finally:
            con.close()
    return {"files": singles, "sequences": sequences}


# --------------------------------------------------------------------------- marts


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and starts_with(table_name, 'mart_') order by 1").fetchall()]


def write_marts(warehouse: Path, folder: Path) -> None:
    """Every mart as ``folder/<mart>.parquet`` (DuckDB's types kept), rows in a canonical
    order (every column, nulls last)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for name in mart_names(con):
            target = str(folder / f"{name}.parquet").replace("'", "''")
            con.execute(f'copy (select * from "{name}" order by all nulls last) to \'{target}\' '
                        "(format parquet, compression zstd)")
    finally:
        con.close()


def mart_frames(warehouse: Path) -> dict[str, pd.DataFrame]:
    """Every mart, rows in the canonical order of :func:`write_marts`."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {name: con.execute(f'select * from "{name}" order by all nulls last').df()
                for name in mart_names(con)}
    finally:
        con.close()


def golden_marts(folder: Path) -> dict[str, pd.DataFrame]:
    """The marts recorded in ``folder`` (read back through DuckDB, as :func:`mart_frames`)."""
    con = duckdb.connect()
    try:
        return {p.stem: con.execute("select * from read_parquet(?)", [str(p)]).df()
                for p in sorted(folder.glob("*.parquet"))}
    finally:
        con.close()


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n")


def read_json(path: Path) -> object:
    return json.loads(path.read_text())
