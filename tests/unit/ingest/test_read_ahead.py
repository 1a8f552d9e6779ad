"""With a pool (``refresh --workers N``) the new workbooks among the files to load are parsed
ahead by the workers and handed to ``read_sheets``: the same sheets, so the same load; a sheet
offered for a file that changed since is not taken."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from scp_metrics.fanout import Mapper, mapping_with
from scp_metrics.ingest import read_ahead, readers
from scp_metrics.settings import get_settings
from scp_metrics.steps import ingest_files
from scp_metrics.warehouse import connect, table_checksums

BASELINE = Path(__file__).resolve().parents[2] / "data" / "baseline"
WORKBOOKS = [BASELINE / "fire" / "hfrs_incidents_southampton_2009-10_Q3.xlsx",
             BASELINE / "population" / "ons_mye2_persons_mid-2008.xlsx"]
CSV = BASELINE / "marac" / sorted(p.name for p in (BASELINE / "marac").iterdir())[0]


def test_a_sheet_read_ahead_is_taken_once_and_only_for_the_file_as_it_was(tmp_path):
    path = tmp_path / WORKBOOKS[0].name
    shutil.copy(WORKBOOKS[0], path)
    [(same, key, sheets)] = readers.read_ahead([path])
    assert same == path and sheets == readers.read_sheets(path)
    read_ahead.offer_sheets(key, sheets)
    assert readers.read_sheets(path) is sheets  # taken, not read again
    assert readers.read_sheets(path) is not sheets  # once
    read_ahead.offer_sheets(key, sheets)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # touched since
    assert readers.read_sheets(path) is not sheets
    read_ahead.forget_offered()
    assert readers.read_ahead([tmp_path / "missing.xlsx"])[0][2] is None


def test_a_load_with_workbooks_read_ahead_is_the_load_without(tmp_path, monkeypatch):
    pieces: list[list[Path]] = []

    def run(func, args_list):  # noqa: ANN001, ANN202 - in this process, in order
        pieces.extend(p for args in args_list for p in args[0])
        return [func(*args) for args in args_list]

    taken: list[Path] = []

    class Offered(dict):
        def pop(self, key, *default):  # noqa: ANN001, ANN002, ANN202
            taken.append(Path(key[0]))
            return super().pop(key, *default)

    monkeypatch.setattr(read_ahead, "_OFFERED", Offered())
    from scp_metrics.steps import loading

    slow = loading.ingest_file

    def first_file_slowly(con, path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if path.suffix == ".csv":  # time for the workbooks after it to be read ahead
            import time
            time.sleep(1.0)
        return slow(con, path, *args, **kwargs)

    monkeypatch.setattr(loading, "ingest_file", first_file_slowly)
    sums, outcomes = [], []
    for name, mapper in (("alone", None), ("ahead", Mapper(run, workers=2))):
        raw = tmp_path / name / "raw"
        raw.mkdir(parents=True)
        files = [Path(shutil.copy(p, raw / p.name)) for p in [CSV, *WORKBOOKS]]
        settings = get_settings(raw_dir=raw, warehouse=tmp_path / name / "scp.duckdb",
                                quarantine_dir=tmp_path / name / "q",
                                outputs_dir=tmp_path / name / "out")
        with mapping_with(mapper):
            done = ingest_files(files, settings, "run-1")
        outcomes.append([(o.file, o.status, o.rows, o.source, o.period) for o in done])
        con = connect(settings.warehouse)
        try:
            sums.append({k: v for k, v in table_checksums(con).items() if k.startswith("raw_")})
        finally:
            con.close()
    assert outcomes[0] == outcomes[1] and all(o[1] == "loaded" for o in outcomes[0])
    assert sums[0] == sums[1] and sums[0]
    assert sorted(p.name for p in pieces) == sorted(p.name for p in WORKBOOKS)  # not the CSV
    assert sorted(p.name for p in taken) == sorted(p.name for p in WORKBOOKS)
    assert dict(read_ahead._OFFERED) == {}
