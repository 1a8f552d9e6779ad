"""The refresh's ingest validates the next two files in threads while the one before them loads
(``steps.loading._ValidateAhead``, issue 17): the outcomes, the refusals, the quarantine
reports and every raw table are those of the same files loaded one after another with no
validation ahead."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from scp_metrics.settings import get_settings
from scp_metrics.steps import ingest_files, loading
from scp_metrics.warehouse import connect, table_checksums

DATA = Path(__file__).resolve().parents[2] / "data"
POLICE = DATA / "baseline" / "police_crime"
FILES = [
    POLICE / "police_recorded_crime_E06000045_2009-10_Q2.csv",
    POLICE / "police_recorded_crime_E06000045_2009-10_Q3.csv",
    DATA / "bad" / "ho_negative_count_2009-10_Q1.csv",  # refused
    DATA / "bad" / "ho_twice_a_2008-09_Q4.csv",
    DATA / "bad" / "ho_twice_b_resent_2008-09_Q4.csv.gz",  # the same content gzipped: unchanged
    DATA / "baseline" / "fire" / "hfrs_incidents_southampton_2009-10_Q3.xlsx",
]


def _ingest(tmp_path: Path, name: str) -> tuple[list[tuple], dict[str, str], list[str]]:
    raw = tmp_path / name / "raw"
    raw.mkdir(parents=True)
    files = [Path(shutil.copy(p, raw / p.name)) for p in FILES]
    copy = raw / "police_recorded_crime_E06000045_2009-10_Q3_copy.csv"  # same content again
    shutil.copy(FILES[1], copy)
    files.insert(2, copy)
    settings = get_settings(raw_dir=raw, warehouse=tmp_path / name / "scp.duckdb",
                            quarantine_dir=tmp_path / name / "q",
                            outputs_dir=tmp_path / name / "out")
    done = ingest_files(files, settings, "run-1")
    outcomes = [(o.file, o.status, o.rows, o.source, o.period, o.failures, o.first_failures)
                for o in done]
    con = connect(settings.warehouse)
    try:
        sums = {k: v for k, v in table_checksums(con).items() if k.startswith("raw_")}
        ledger = [r[0] for r in con.execute(
            "select concat_ws(' ', batch_id, file_name, sha256, rows, period, status, superseded_by, notes) "
            "from load_batches order by batch_id").fetchall()]  # not loaded_at: a time
    finally:
        con.close()
    reports = sorted(p.name for p in (tmp_path / name / "q").rglob("*") if p.is_file())
    return outcomes, sums, [*ledger, *reports]


def test_validating_ahead_loads_what_one_file_at_a_time_loads(tmp_path, monkeypatch):
    threads: list[str] = []
    validate = loading.validate_file

    def recorded(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        threads.append(threading.current_thread().name)
        return validate(*args, **kwargs)

    monkeypatch.setattr(loading, "validate_file", recorded)
    ahead = _ingest(tmp_path, "ahead")
    assert sum(name.startswith("validate-ahead") for name in threads) == 6  # all but the first

    monkeypatch.setattr(loading._ValidateAhead, "submit", lambda self, path: None)
    threads.clear()
    alone = _ingest(tmp_path, "alone")
    assert threads == []

    assert ahead == alone
    statuses = [(o[0], o[1]) for o in ahead[0]]
    assert statuses == [
        ("police_recorded_crime_E06000045_2009-10_Q2.csv", "loaded"),
        ("police_recorded_crime_E06000045_2009-10_Q3.csv", "loaded"),
        ("police_recorded_crime_E06000045_2009-10_Q3_copy.csv", "unchanged"),
        ("ho_negative_count_2009-10_Q1.csv", "quarantined"),
        ("ho_twice_a_2008-09_Q4.csv", "loaded"),
        ("ho_twice_b_resent_2008-09_Q4.csv.gz", "unchanged"),
        ("hfrs_incidents_southampton_2009-10_Q3.xlsx", "loaded"),
    ]


def test_a_failure_while_loading_leaves_no_validation_running(tmp_path, monkeypatch):
    """The loop stops at an error: the file validated ahead is dropped, its thread ended."""
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk gone")

    monkeypatch.setattr(loading, "ingest_file", broken)
    raw = tmp_path / "raw"
    raw.mkdir()
    files = [Path(shutil.copy(p, raw / p.name)) for p in FILES[:2]]
    settings = get_settings(raw_dir=raw, warehouse=tmp_path / "scp.duckdb",
                            quarantine_dir=tmp_path / "q", outputs_dir=tmp_path / "out")
    try:
        ingest_files(files, settings, "run-1")
    except RuntimeError as exc:
        assert str(exc) == "disk gone"
    else:  # pragma: no cover - the error must reach the caller
        raise AssertionError("the error was swallowed")
    assert not [t for t in threading.enumerate() if t.name.startswith("validate-ahead")]
    con = connect(settings.warehouse)  # the warehouse opens: no connection left holding it
    try:
        assert con.execute("select count(*) from raw_police_crime").fetchall() == [(0,)]
    finally:
        con.close()


def test_the_ledger_read_once_answers_as_one_query_per_file_and_again_after_a_change(tmp_path):
    from datetime import datetime

    from scp_metrics.warehouse.history import KnownBatches

    con = connect(tmp_path / "scp.duckdb")

    def known_batch_for(con, sha: str):  # noqa: ANN001, ANN202 - one query for one file
        rows = con.execute("select batch_id, status from load_batches where sha256 = ? "
                           "order by batch_id desc limit 1", [sha]).fetchall()
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    try:
        def ledger(batch: int, sha: str, status: str) -> None:
            con.execute("insert into load_batches values (?, 'r', 'police_crime', 'f.csv', ?, 1, "
                        "null, ?, ?, null, '')", [batch, sha, datetime(2026, 1, 1), status])

        ledger(1, "a", "superseded")
        ledger(2, "b", "loaded")
        ledger(3, "a", "loaded")
        known = KnownBatches(con)
        for sha in ("a", "b", "c"):
            assert known.get(sha) == known_batch_for(con, sha)
        assert known.get("a") == (3, "loaded") and known.get("c") is None
        ledger(4, "c", "loaded")
        con.execute("update load_batches set status = 'superseded' where batch_id = 3")
        assert known.get("c") is None  # read once: the change is not seen ...
        known.changed()  # ... until the run says the ledger changed
        for sha in ("a", "b", "c"):
            assert known.get(sha) == known_batch_for(con, sha)
        assert known.get("a") == (3, "superseded") and known.get("c") == (4, "loaded")
    finally:
        con.close()


def test_a_new_file_is_fingerprinted_by_the_thread_that_validates_it(tmp_path, monkeypatch):
    """The loading thread reads no file it has not loaded yet: a file never fingerprinted gets
    its sha256 in the validating thread (then remembered), except the first, which nothing
    validates ahead; a fingerprint remembered from before is only looked up."""
    import os
    import time

    seen: list[tuple[str, str]] = []
    digest = loading.sha256_file

    def recorded(path):  # noqa: ANN001, ANN202
        seen.append((Path(path).name, threading.current_thread().name.split("_")[0]))
        return digest(path)

    monkeypatch.setattr(loading, "sha256_file", recorded)
    raw = tmp_path / "raw"
    raw.mkdir()
    files = [Path(shutil.copy(p, raw / p.name)) for p in FILES[:4]]
    hour_ago = time.time() - 3600  # older than the racy window: remembered once computed
    for path in files:
        os.utime(path, (hour_ago, hour_ago))
    settings = get_settings(raw_dir=raw, warehouse=tmp_path / "scp.duckdb",
                            quarantine_dir=tmp_path / "q", outputs_dir=tmp_path / "out")
    assert [o.status for o in ingest_files(files, settings, "run-1")] == [
        "loaded", "loaded", "quarantined", "loaded"]
    assert sorted(seen) == sorted([(files[0].name, "MainThread"),
                                   (files[1].name, "validate-ahead"),
                                   (files[2].name, "validate-ahead"),
                                   (files[3].name, "validate-ahead")])  # once each
    seen.clear()
    assert [o.status for o in ingest_files(files, settings, "run-2")] == [
        "unchanged", "unchanged", "quarantined", "unchanged"]
    assert seen == []  # every fingerprint remembered


def test_the_threads_shared_while_files_load_are_given_back(tmp_path, monkeypatch):
    """Loading and validating ahead share DuckDB's threads (one each on 2 cores); another
    connection to the same warehouse in the process (the build's, the charts') sees the
    threads it had once the files are loaded."""
    raw = tmp_path / "raw"
    raw.mkdir()
    files = [Path(shutil.copy(p, raw / p.name)) for p in FILES[:2]]
    settings = get_settings(raw_dir=raw, warehouse=tmp_path / "scp.duckdb",
                            quarantine_dir=tmp_path / "q", outputs_dir=tmp_path / "out")
    other = connect(settings.warehouse)  # keeps the database instance open across the load
    try:
        other.execute("set threads = 3")
        seen: list[int] = []
        share = loading.SharedThreads.share

        def recorded(self, streams):  # noqa: ANN001, ANN202
            share(self, streams)
            seen.append(int(other.execute("select current_setting('threads')").fetchall()[0][0]))

        monkeypatch.setattr(loading.SharedThreads, "share", recorded)
        assert [o.status for o in ingest_files(files, settings, "run-1")] == ["loaded"] * 2
        assert seen[0] == 1  # the first file loads while the second is validated: 3 // 2
        assert other.execute("select current_setting('threads')").fetchall() == [(3,)]

        def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            raise OSError("the disk went away")

        monkeypatch.setattr(loading, "ingest_file", broken)  # fails while sharing
        again = [Path(shutil.copy(p, raw / ("again_" + p.name))) for p in FILES[2:4]]
        before = len(seen)
        with pytest.raises(OSError):
            ingest_files(again, settings, "run-2")
        assert seen[before] == 1  # shared when the load failed
        assert other.execute("select current_setting('threads')").fetchall() == [(3,)]
    finally:
        other.close()


def test_two_files_are_validated_while_one_loads(tmp_path, monkeypatch):
    """A file's validation costs more than its load, so the loading thread would wait for one
    file validated ahead: the two files after the one loading are both validated meanwhile.
    The first file's load waits (up to 20 s) until the validations of the second and third
    have started; with one file ahead the third would only start after that load."""
    started: dict[str, threading.Event] = {}
    validate = loading.validate_file

    def recorded(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        started.setdefault(Path(path).name, threading.Event()).set()
        return validate(path, *args, **kwargs)

    waited: list[bool] = []
    load = loading.ingest_file

    def first_waits(con, path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if not waited:
            waited.append(all(started.setdefault(p.name, threading.Event()).wait(20)
                              for p in files[1:3]))
        return load(con, path, *args, **kwargs)

    monkeypatch.setattr(loading, "validate_file", recorded)
    monkeypatch.setattr(loading, "ingest_file", first_waits)
    raw = tmp_path / "raw"
    raw.mkdir()
    files = [Path(shutil.copy(p, raw / p.name)) for p in FILES[:4]]
    settings = get_settings(raw_dir=raw, warehouse=tmp_path / "scp.duckdb",
                            quarantine_dir=tmp_path / "q", outputs_dir=tmp_path / "out")
    assert [o.status for o in ingest_files(files, settings, "run-1")] == [
        "loaded", "loaded", "quarantined", "loaded"]
    assert waited == [True]
