"""Files as text tables in DuckDB: which reader reads what, and that both give the same cells."""

from __future__ import annotations

import gzip
import sys
from datetime import date

import duckdb
import pandas as pd
import pytest

from scp_metrics.ingest import text
from scp_metrics.ingest.engine import ingest, validate_file
from scp_metrics.ingest.layouts import read_tables
from scp_metrics.settings import get_settings
from scp_metrics.sources import is_header
from scp_metrics.warehouse.connection import connect
from tests.conftest import shared_or_skip
from tests.golden import cases

CONFIG = get_settings().config_dir
H = cases.POLICE_HEADER
GOOD = cases.POLICE_GOOD

#: CSV contents both readers must read alike (bytes as delivered).
SAME = {
    "plain": f"{H}\n{GOOD}\n{cases.police_ref(2)}\n",
    "crlf_bom": "\ufeff" + f"{H}\r\n{GOOD}\r\n",
    "titles": f"Police recorded crime\nextract for 2009\n\n{H}\n{GOOD}\n",
    "quoted": "\n".join([H, GOOD.replace("ABH", '"ABH, with a comma"'),
                          cases.police_ref(2).replace("ABH", '"say ""hi"""')]) + "\n",
    "trailing_blank_rows": f"{H}\n{GOOD}\n,,,,,,,,,,,,,,\n , ,,,,,,,,,,,,,\n\n\n",
    "short_row": f"{H}\n{GOOD}\n44/2/09,02/10/2009\n",
    "semicolons": f"{H.replace(',', ';')}\n{GOOD.replace(',', ';')}\n",
    "padded_cells": f"{H}\n{GOOD.replace('Bargate', '  Bargate ')}\n",
    "no_final_line_end": f"{H}\n{GOOD}",
}


def _python_read(con, path):
    return [text._copy(con, raw, f"_py{i}") for i, raw in enumerate(read_tables(path, is_header))]


@pytest.mark.parametrize("name", sorted(SAME))
def test_duckdbs_reader_and_the_python_readers_give_the_same_cells(tmp_path, name):
    path = tmp_path / f"{name}_2009-10_Q3.csv"
    path.write_bytes(SAME[name].encode("utf-8"))
    con = duckdb.connect()
    duck = text._read_with_duckdb(con, path, "_duck")
    assert duck is not None, "a plain UTF-8 CSV is read by DuckDB"
    (python,) = _python_read(con, path)
    for attribute in ("headers", "header_line", "title_lines", "notes", "rows", "width"):
        assert getattr(duck, attribute) == getattr(python, attribute), attribute
    everything = list(range(duck.rows))
    pd.testing.assert_frame_equal(duck.fetch(everything), python.fetch(everything))
    assert [duck.line_of(i) for i in everything] == [python.line_of(i) for i in everything]


@pytest.mark.parametrize("name, content", [
    ("cp1252", (f"{H}\n" + GOOD.replace("Bargate", "Barg\xe2te") + "\n").encode("cp1252")),
    ("gzipped.csv.gz", gzip.compress(f"{H}\n{GOOD}\n".encode())),
    ("blank_line_inside", f"{H}\n{GOOD}\n\n{cases.police_ref(2)}\n".encode()),
    ("long_row", f"{H}\n{GOOD},extra\n".encode()),
    ("quoted_line_break", ("\n".join([H, GOOD.replace("ABH", '"A\nB"')]) + "\n").encode()),
])
def test_what_duckdbs_reader_leaves_to_the_python_readers(tmp_path, name, content):
    path = tmp_path / (name if name.endswith(".gz") else f"{name}.csv")
    path.write_bytes(content)
    con = duckdb.connect()
    assert text._read_with_duckdb(con, path, "_duck") is None
    assert con.execute("select count(*) from duckdb_tables() where temporary").fetchall() == [(0,)]


def test_the_sql_strip_is_pythons_strip():
    python = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert python == text.WHITESPACE
    con = duckdb.connect()
    samples = [" a ", "\u00a0b\u3000", "c", "", " ", "\td\ne\r", "\u2028f g\u2029"]
    con.register("t", pd.DataFrame({"i": range(len(samples)), "s": samples}))
    got = [r[0] for r in con.execute(f"select {text.strip_sql('s')} from t order by i").fetchall()]
    assert got == [s.strip() for s in samples]


def test_an_ods_extract_validates_and_loads_as_the_same_xlsx_does(tmp_path, mini_raw):
    rows = [["Incident Number", "Incident Date", "Incident Time", "Incident Type", "Motive",
             "Property Type", "Ward Name"],
            ["F1", pd.Timestamp("2009-10-02"), "21:05", "Primary Fire", "Deliberate", "Car",
             "Bargate"],
            ["F2", pd.Timestamp("2009-11-12"), None, "Secondary Fire", None, None, "Portswood"]]
    outcomes = {}
    for suffix, engine_name in (("ods", "odf"), ("xlsx", "openpyxl")):
        path = tmp_path / f"fire_2009-10_Q3.{suffix}"
        pd.DataFrame(rows).to_excel(path, engine=engine_name, header=False, index=False)
        con = connect(":memory:")
        result, outcome = ingest(con, path, config_dir=CONFIG, sha256=suffix, run_id="r",
                                 today=date(2010, 1, 15))
        assert outcome is not None, result.failures
        outcomes[suffix] = (result.period_label, result.notes, con.execute(
            "select * exclude (batch_id) from raw_fire order by source_row").df())
    assert outcomes["ods"][0] == outcomes["xlsx"][0] == "2009/10 Q3"
    assert outcomes["ods"][1] == outcomes["xlsx"][1]
    pd.testing.assert_frame_equal(outcomes["ods"][2], outcomes["xlsx"][2])
    assert outcomes["ods"][2]["incident_number"].tolist() == ["F1", "F2"]


@pytest.mark.parametrize("folder, name", [
    ("hampshire", "2017-02-hampshire-street.csv.gz"),
    ("hampshire", "2018-10-hampshire-street.csv.gz"),
    ("comparator_forces", "2018-10-avon-and-somerset-street.csv.gz"),
    ("comparator_forces", "2018-10-thames-valley-street.csv.gz"),
])
def test_a_real_police_uk_file_loads_the_same_rows_gzipped_or_not(tmp_path, folder, name):
    """Real files (blank and exact-duplicate ASB rows, rows without a location) as delivered
    (gzipped: the Python reader) and unzipped (DuckDB's reader): the same outcome and rows."""
    source = shared_or_skip("realdata", "police_uk_street", folder, name)
    plain = tmp_path / name.removesuffix(".gz")
    plain.write_bytes(gzip.decompress(source.read_bytes()))
    assert text._read_with_duckdb(duckdb.connect(), plain, "_t") is not None
    loaded = {}
    for path in (source, plain):
        con = connect(":memory:")
        result, outcome = ingest(con, path, config_dir=CONFIG, sha256="s", run_id="r",
                                 today=date(2019, 6, 1))
        assert outcome is not None, result.failures
        loaded[path.suffix] = (result.notes, result.period_label, con.execute(
            "select * exclude (batch_id) from raw_police_uk_street order by source_row").df())
    assert loaded[".gz"][:2] == loaded[".csv"][:2]
    assert any("without a Crime ID" in n for n in loaded[".csv"][0])
    pd.testing.assert_frame_equal(loaded[".gz"][2], loaded[".csv"][2], check_exact=True)


def test_validating_a_file_twice_gives_the_same_result(tmp_path):
    path = tmp_path / "c_2009-10_Q3.csv"
    path.write_text("\n".join(cases.POLICE["bad_2009-10_Q3.csv"]) + "\n")
    one = validate_file(path, config_dir=CONFIG, today=cases.POLICE_TODAY)
    two = validate_file(path, config_dir=CONFIG, today=cases.POLICE_TODAY)
    pd.testing.assert_frame_equal(one.failures, two.failures)


def _lines_by_hand(data: bytes) -> tuple[int, int, bool]:
    """Records, the longest run of bytes without a line break, and NUL, from Python's own
    splitting."""
    pieces = data.split(b"\n")
    records = len(pieces) - 1 + (1 if data and not data.endswith((b"\n", b"\r")) else 0)
    return records, max(len(p) for p in pieces), b"\x00" in data


@pytest.mark.parametrize(("block", "per_read"), [(1, 1), (2, 1), (2, 3), (3, 2), (4, 16),
                                                 (4096, 4096)])
@pytest.mark.parametrize("data", [b"", b"\n", b"a", b"ab\n", b"a\r\nbcd\r\n", b"\n\n\nxyz",
                                  b"a,b\n" + b"x" * 100 + b"\n\x00\n", b"abc\r", b"12\n345",
                                  b"a\nb\nc\nd\ne\nf\ng\n", b"ab\ncd\nef\n" * 5])
def test_one_pass_over_the_bytes_counts_lines_and_nul_and_bounds_the_longest(
        tmp_path, data, block, per_read):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    scan = text.scan_lines(path, block=block, blocks_per_read=per_read)
    lines, longest, nul = _lines_by_hand(data)
    assert (scan.lines, scan.nul) == (lines, nul)
    if scan.longest is not None:  # a bound, never below the truth
        assert longest <= scan.longest == 2 * block - 1
    if longest < block:  # every whole block then holds a line break: bounded
        assert scan.longest is not None


def test_a_long_line_anywhere_leaves_the_lines_unbounded(tmp_path):
    """A line of 2 blocks or more, wherever it starts (across a read, too), is never hidden
    by the bound."""
    for start in range(0, 40, 3):
        data = b"ab\n" * (start // 3) + b"x" * 16 + b"\n" + b"cd\n" * 5
        path = tmp_path / "f.csv"
        path.write_bytes(data)
        for per_read in (1, 2, 5):
            scan = text.scan_lines(path, block=8, blocks_per_read=per_read)
            assert scan.longest is None or scan.longest >= 16, (start, per_read)


def test_a_nul_byte_deep_in_a_csv_read_by_duckdb_is_still_refused(tmp_path):
    """The cell scan is skipped only when the line scan finds no NUL and no long line: a NUL
    past the first 64 KB (so DuckDB reads the file) still refuses it at its row."""
    rows = [cases.police_ref(i) for i in range(2, 2000)]
    rows[1500] = rows[1500].replace(",C1,", ",C\x001,")
    path = tmp_path / "police_2009-10_Q3.csv"
    path.write_text(f"{H}\n" + "\n".join(rows) + "\n")
    con = duckdb.connect()
    [table] = text.read_text_tables(con, path)
    assert table.scan is not None and table.scan.nul  # read by DuckDB, the NUL seen
    table.drop()
    result = validate_file(path, config_dir=CONFIG, today=date(2010, 1, 15), con=con)
    assert [(f["row"], f["column"], f["check"].split(":")[0])
            for f in result.failures.to_dict("records")] == [(1502, "Beat", "cells within limits")]
