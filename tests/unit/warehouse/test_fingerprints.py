import os
import time

from scp_metrics.warehouse.fingerprints import cache_path, cached_sha256


def _counting():
    calls = []

    def compute(path):
        calls.append(path)
        return f"sha-of-{path.read_text()}"

    return calls, compute


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(tmp_path):
    warehouse = tmp_path / "scp.duckdb"
    path = tmp_path / "extract.csv"
    path.write_text("a")
    old = time.time() - 60
    os.utime(path, (old, old))
    calls, compute = _counting()
    assert cached_sha256(warehouse, path, compute) == "sha-of-a"
    assert cached_sha256(warehouse, path, compute) == "sha-of-a"
    assert len(calls) == 1 and cache_path(warehouse).is_file()
    path.write_text("b")  # same size, new mtime
    assert cached_sha256(warehouse, path, compute) == "sha-of-b"
    assert len(calls) == 2


def test_a_file_written_just_now_is_never_remembered(tmp_path):
    warehouse = tmp_path / "scp.duckdb"
    path = tmp_path / "extract.csv"
    path.write_text("a")
    calls, compute = _counting()
    cached_sha256(warehouse, path, compute)
    path.write_text("b")  # may keep the same mtime on a coarse clock
    assert cached_sha256(warehouse, path, compute) == "sha-of-b"
    assert len(calls) == 2


def test_in_memory_warehouses_and_broken_caches_just_compute(tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text("a")
    calls, compute = _counting()
    assert cached_sha256(":memory:", path, compute) == "sha-of-a"
    warehouse = tmp_path / "scp.duckdb"
    cache_path(warehouse).write_text("not json")
    assert cached_sha256(warehouse, path, compute) == "sha-of-a"


def test_the_cache_is_parsed_once_and_again_when_another_process_rewrote_it(tmp_path):
    import json

    from scp_metrics.warehouse import fingerprints

    cache = tmp_path / "scp.duckdb.fingerprints.json"
    cache.write_text(json.dumps({"/x": [1, 2, "a"]}))
    first = fingerprints._read(cache)
    first["/y"] = [3, 4, "b"]  # a caller's changes stay its own
    assert fingerprints._read(cache) == {"/x": [1, 2, "a"]}
    cache.write_text(json.dumps({"/x": [1, 2, "c"], "/z": [5, 6, "d"]}))
    st = cache.stat()
    os.utime(cache, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert fingerprints._read(cache) == {"/x": [1, 2, "c"], "/z": [5, 6, "d"]}
