"""Issue 14 item 7: errors say what happened; ``scp-metrics check``; ``scp-metrics backup``; a
snapshot before every refresh writes, the last N kept.

Damaged warehouses are made by hand from a small good one: cut to a third (truncated), bytes
that are not a database, and a block overwritten in the middle (its checksum no longer
matches). Every message is checked for its root cause and its next step.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from scp_metrics.cli import main
from scp_metrics.settings import get_settings
from scp_metrics.steps.snapshots import snapshot_folder, snapshot_warehouse
from scp_metrics.warehouse import connect, table_checksums
from scp_metrics.warehouse.connection import explain

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A small warehouse (the ledger and raw tables, and one table of 400,000 numbers so that it
    spans many blocks)."""
    path = tmp_path_factory.mktemp("wh") / "scp.duckdb"
    con = connect(path)
    con.execute("create table filler as select range as i, range * 7 % 1000 as j "
                "from range(400000)")
    con.close()
    return path


def damaged(good: Path, tmp_path: Path, how: str) -> Path:
    path = tmp_path / f"{how}.duckdb"
    shutil.copy(good, path)
    size = path.stat().st_size
    if how == "truncated":
        os.truncate(path, size // 3)
    elif how == "not_duckdb":
        path.write_bytes(b"this is a spreadsheet, honestly\n" * 2000)
    else:
        with open(path, "r+b") as fh:
            fh.seek(size // 2)
            fh.write(bytes(range(256)) * 800)
    return path


@pytest.mark.parametrize(("how", "cause"), [
    ("truncated", "is cut short"), ("not_duckdb", "is not a DuckDB file"),
    ("corrupt", "has a corrupt block")])
def test_check_names_the_root_cause_and_the_next_step(good, tmp_path, capsys, how, cause):
    path = damaged(good, tmp_path, how)
    assert main(["check", "--warehouse", str(path)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert cause in out and "snapshot" in out and "failed its check" in out
    assert "in use" not in out
    # other commands give the same cause, never "in use (a refresh is running?)"
    code = main(["history", "--warehouse", str(path)])
    text = " ".join(capsys.readouterr().err.split())
    if how != "corrupt":  # the ledger's own blocks may be intact in a file with a bad block
        assert code == 2 and cause in text and "in use" not in text


def test_check_passes_a_good_warehouse_and_backup_copies_it_verified(good, tmp_path, capsys):
    assert main(["check", "--warehouse", str(good)]) == 0
    assert "OK" in capsys.readouterr().out
    con = connect(good, read_only=True)
    before = table_checksums(con)
    con.close()
    assert main(["backup", "--warehouse", str(good), "--to", str(tmp_path), "--wait", "0"]) == 0
    assert "Backed up to" in capsys.readouterr().out
    (copy,) = tmp_path.glob("scp-*.duckdb")
    con = connect(copy, read_only=True)
    assert table_checksums(con) == before
    assert con.execute("select count(*), sum(j) from filler").fetchall() == [
        (400000, sum(i * 7 % 1000 for i in range(400000)))]
    con.close()


def test_a_snapshot_before_each_refresh_keeps_the_last_n(good, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    (config / "limits.toml").write_text((config / "limits.toml").read_text().replace(
        "keep_snapshots = 3", "keep_snapshots = 2"))
    warehouse = tmp_path / "wh" / "scp.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(good, warehouse)
    settings = get_settings(raw_dir=tmp_path, warehouse=warehouse, config_dir=config)
    taken = [snapshot_warehouse(settings)[0] for _ in range(4)]
    kept = sorted(snapshot_folder(settings).glob("*.duckdb"))
    assert kept == sorted(taken[-2:])
    assert all(p.read_bytes() == warehouse.read_bytes() for p in kept)
    (config / "limits.toml").write_text((config / "limits.toml").read_text().replace(
        "keep_snapshots = 2", "keep_snapshots = 0"))
    from scp_metrics.config.limits import read_limits
    read_limits.cache_clear()
    assert snapshot_warehouse(settings) == (None, 0.0)
    read_limits.cache_clear()


def test_disk_full_and_lock_errors_are_explained():
    full = OSError(errno.ENOSPC, "No space left on device")
    assert "no space left on the disk" in explain(full)
    wrapped = duckdb.IOException('IO Error: Could not write file "x.wal": No space left on device')
    assert "no space left on the disk" in explain(wrapped)
    locked = duckdb.IOException('IO Error: Could not set lock on file "scp.duckdb": Conflicting '
                                "lock is held")
    assert "in use" in explain(locked, "scp.duckdb")
    assert explain(ValueError("something else")) is None
