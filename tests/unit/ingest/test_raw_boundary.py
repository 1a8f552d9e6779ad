"""Issue 14 items 5 and 8: the raw folder is a boundary, one unreadable file does not stop the
others, the lock is the warehouse's real path's; file names and values are escaped in logs and
Markdown.

Runs as root in the project's containers, where a chmod 000 file is still readable: the
unreadable file is simulated by making the fingerprint read raise ``PermissionError`` for it
(the error ``sha256_file`` raised in the issue's case)."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from scp_metrics.escaping import log_text, md_cell, neutralise
from scp_metrics.settings import get_settings
from scp_metrics.steps import ingest_files, loading, real_lock_path
from scp_metrics.warehouse import connect, table_checksums

MINI = Path(__file__).resolve().parents[2] / "fixtures" / "mini_raw"
SECRET_LINE = "root:x:0:0:planted-secret-line:/root:/bin/bash"


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(MINI, folder)
    return folder


def settings_for(raw: Path, tmp_path: Path):
    return get_settings(raw_dir=raw, warehouse=tmp_path / "wh" / "scp.duckdb",
                        quarantine_dir=tmp_path / "quarantine", outputs_dir=tmp_path / "out")


def everything(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_a_link_out_of_the_raw_folder_is_refused_unread_and_the_rest_load(raw, tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text(SECRET_LINE + "\n")
    (raw / "police_recorded_crime_E06000045_2009-10_Q3.csv").symlink_to(outside)
    settings = settings_for(raw, tmp_path)
    outcomes = {o.file: o for o in ingest_files(loading.find_extracts(settings), settings, "r1")}
    refused = outcomes["police_recorded_crime_E06000045_2009-10_Q3.csv"]
    assert refused.status == "quarantined"
    assert "inside the raw folder" in refused.first_failures[0]["check"]
    assert sorted(o.status for o in outcomes.values()) == ["loaded"] * 4 + ["quarantined"]
    quarantine = everything(settings.quarantine_dir)
    assert "planted-secret-line" not in quarantine
    assert not list(settings.quarantine_dir.rglob("police_recorded_crime_E06000045_2009-10_Q3.csv"))


def test_one_unreadable_file_is_refused_with_the_os_reason_and_the_others_load(
        raw, tmp_path, monkeypatch):
    real = loading.cached_sha256

    def cached(warehouse, path, hasher):
        if path.name.startswith("ho_csp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(warehouse, path, hasher)

    monkeypatch.setattr(loading, "cached_sha256", cached)
    settings = settings_for(raw, tmp_path)
    outcomes = {o.file: o for o in ingest_files(loading.find_extracts(settings), settings, "r1")}
    refused = outcomes["ho_csp_recorded_crime_2009-10_Q1.csv"]
    assert refused.status == "quarantined"
    assert "Permission denied" in refused.first_failures[0]["check"]
    loaded = [o for o in outcomes.values() if o.status == "loaded"]
    assert len(loaded) == 3  # the police quarters and the population, after the refused file
    con = connect(settings.warehouse, read_only=True)
    try:
        assert con.execute("select count(*) from raw_ho_csp_crime").fetchall() == [(0,)]
        assert con.execute("select count(*) from raw_police_crime").fetchall() == [(7,)]
        assert "raw_ho_csp_crime" in table_checksums(con)
    finally:
        con.close()


def test_the_lock_is_the_warehouse_real_paths(tmp_path):
    real = tmp_path / "data" / "scp.duckdb"
    real.parent.mkdir()
    real.write_bytes(b"")
    link = tmp_path / "elsewhere.duckdb"
    link.symlink_to(real)
    a = get_settings(raw_dir=tmp_path, warehouse=real)
    b = get_settings(raw_dir=tmp_path, warehouse=link)
    assert real_lock_path(a) == real_lock_path(b) == real.with_name("scp.duckdb.lock")


@pytest.mark.parametrize(("text", "line", "cell"), [
    ("a\nb.csv", "a\\nb.csv", "a\\\\nb.csv"),  # Markdown shows the escape's backslash
    ("evil|name.csv", "evil|name.csv", "evil\\|name.csv"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>",
     "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("[link](http://x)", "[link](http://x)", "\\[link\\](http://x)"),
    ("tab\there\r", "tab\\there\\r", "tab\\\\there\\\\r"),
    ("esc\x1b[31m", "esc\\x1b[31m", "esc\\\\x1b\\[31m"),
    ("`code`", "`code`", "\\`code\\`")])
def test_names_and_values_are_escaped_for_logs_and_markdown(text, line, cell):
    assert log_text(text) == line
    assert "\n" not in log_text(text) and "\r" not in log_text(text)
    assert md_cell(text) == cell


@pytest.mark.parametrize(("value", "shown"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Southampton", "Southampton"), (-3, -3), (None, None)])
def test_cells_starting_like_a_formula_are_neutralised(value, shown):
    assert neutralise(value) == shown
