"""Issue 14 items 2 and 9: a SIGKILL during publishing, and a disk filling up during publishing,
end in complete, consistent outputs after one more refresh.

The refresh publishes the mart CSVs and the workbook only (the chart pack and the report are
published by the same staging and swap; they are left out to keep the test to seconds).

* SIGKILL: ``scp-metrics refresh`` in a subprocess pauses inside ``publish_workbook`` (the CSVs
  already written to the staging folder) and is killed there.
* Disk full: ``publish_workbook`` writes half a file and raises ``ENOSPC`` (injected in the
  writer: no tmpfs needed, and the same error the OS gives), after a first complete
  publication of other figures.

Either way the published folder never mixes two runs, and the next refresh, although no file
changed, publishes every output again: each mart's CSV has the mart's rows, the workbook opens,
no staging folder is left. ``SCP_RELIABILITY_REPEAT=20`` runs each 20 times.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from reliability_helpers import REPEAT

from scp_metrics.settings import get_settings
from scp_metrics.steps import PublishFailed, publication_current, publishing, run_refresh
from scp_metrics.warehouse import connect

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini_raw"
STEPS = (publishing.publish_csvs, publishing.publish_workbook)

HOOK = """
import os, sys, time
from scp_metrics.steps import publishing
real = publishing.publish_workbook
def paused(*args):
    print("PUBLISHING-WORKBOOK", flush=True)
    time.sleep(600)
    return real(*args)
publishing.PUBLISH_STEPS = (publishing.publish_csvs, paused)
from scp_metrics.cli import main
sys.exit(main(sys.argv[1:]))
"""


def settings_for(base: Path, raw: Path = MINI):
    return get_settings(raw_dir=raw, warehouse=base / "scp.duckdb",
                        quarantine_dir=base / "quarantine", outputs_dir=base / "outputs")


def assert_complete(settings, folder: Path) -> None:
    """Every mart has its CSV in ``folder`` with the mart's rows, the workbook opens, nothing
    is staged, and the publication is recorded as current."""
    folders = [p for p in settings.outputs_dir.iterdir()]
    assert [p.name for p in folders if p.name.startswith(".staging")] == []
    con = connect(settings.warehouse, read_only=True)
    try:
        marts = {name: con.execute(f'select count(*) from "{name}"').fetchall()[0][0]
                 for (name,) in con.execute(
                     "select table_name from information_schema.tables where table_name like "
                     "'mart\\_%' escape '\\' order by 1").fetchall()}
    finally:
        con.close()
    assert len(marts) >= 10
    for name, rows in marts.items():
        with open(folder / f"{name}.csv", newline="") as fh:
            assert sum(1 for _ in csv.reader(fh)) == rows + 1, name
    (book,) = folder.glob("*.xlsx")
    assert len(openpyxl.load_workbook(book, read_only=True).sheetnames) > 3
    assert (folder / "refresh_summary.md").is_file()
    assert publication_current(settings)


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_killed_while_publishing_then_one_refresh_publishes_everything(attempt, tmp_path,
                                                                        monkeypatch):
    settings = settings_for(tmp_path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SCP_OUTPUTS_DIR": str(settings.outputs_dir),
           "SCP_QUARANTINE_DIR": str(settings.quarantine_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOOK, "refresh", "--engine", "local", "--raw-dir", str(MINI),
         "--warehouse", str(settings.warehouse), "--wait", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 300
    assert proc.stdout is not None
    for line in proc.stdout:
        if "PUBLISHING-WORKBOOK" in line or time.monotonic() > deadline:
            break
    os.kill(proc.pid, 9)  # SIGKILL, this process only
    proc.wait(timeout=60)
    assert proc.returncode == -9
    staged = [p.name for p in settings.outputs_dir.iterdir()]
    assert staged and all(n.startswith(".staging") for n in staged)  # nothing published
    assert not publication_current(settings)
    monkeypatch.setattr(publishing, "PUBLISH_STEPS", STEPS)
    summary = run_refresh(settings)
    assert not summary.marts_rebuilt and not summary.loaded  # "nothing changed" ...
    assert summary.outputs_dir is not None  # ... yet the unfinished publication is redone
    assert [p.name for p in settings.outputs_dir.iterdir()] == [Path(summary.outputs_dir).name]
    assert_complete(settings, Path(summary.outputs_dir))


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_disk_full_while_publishing_then_one_refresh_publishes_everything(attempt, tmp_path,
                                                                          monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(MINI, raw)
    police = sorted(raw.glob("police_*"))[-1]
    kept = police.read_bytes()
    police.unlink()  # a first publication without the last police quarter
    settings = settings_for(tmp_path, raw)
    monkeypatch.setattr(publishing, "PUBLISH_STEPS", STEPS)
    run_refresh(settings)
    (first,) = settings.outputs_dir.iterdir()  # e.g. outputs/2009-06
    before = {p.name: p.read_bytes() for p in first.iterdir() if p.suffix == ".csv"}
    police.write_bytes(kept)  # the new quarter arrives; the disk fills while publishing it

    def disk_full(_settings, outputs):
        (outputs.folder / "half_a_workbook.xlsx").write_bytes(b"PK\x03\x04 cut")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publishing, "PUBLISH_STEPS", (publishing.publish_csvs, disk_full))
    with pytest.raises(PublishFailed, match="no space left on the disk"):
        run_refresh(settings)
    assert {p.name: p.read_bytes() for p in first.iterdir() if p.suffix == ".csv"} == before
    assert not publication_current(settings)
    monkeypatch.setattr(publishing, "PUBLISH_STEPS", STEPS)  # space freed
    summary = run_refresh(settings)
    assert not summary.loaded and summary.outputs_dir is not None
    folder = Path(summary.outputs_dir)
    assert_complete(settings, folder)
    assert not (folder / "half_a_workbook.xlsx").exists()
    assert (folder / "mart_indicator_values.csv").read_bytes() != \
        before["mart_indicator_values.csv"]  # the new quarter's figures (a later as-of folder)
    assert {p.name: p.read_bytes() for p in first.iterdir() if p.suffix == ".csv"} == before
