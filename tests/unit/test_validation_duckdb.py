"""The DuckDB validation path reaches the pandas path's outcome on the same files.

Both routes of :mod:`scp_metrics.ingest.validation_duckdb` are compared with
:func:`scp_metrics.ingest.validation.validate_file` (and ``load_frame``): the clean route
(:func:`ingest_csv`, one read straight into the raw table) and the exact route
(:func:`validate_csv`, which words every failure). Same ok-ness, source, period, notes, failure
rows (file, row, column, check, value; compared as a set) and the same rows loaded.
"""

import sys
from datetime import date

import pandas as pd
import pytest

from scp_metrics.ingest import validation_duckdb as vd
from scp_metrics.ingest.validation import validate_file
from scp_metrics.warehouse.connection import connect
from scp_metrics.warehouse.load import load_frame

HEADER = ("Crime Reference,Recorded Date,Offence Date,Offence Time,HO Offence Code,"
          "HO Offence Description,Ward Code,Ward Name,LSOA Code,Beat,Domestic Abuse Flag,"
          "Alcohol Related Flag,Hate Crime Flag,City Centre Flag,NTE Flag")
GOOD = "44/1/09,02/10/2009,01/10/2009,21:00,8G,ABH,E05002455,Bargate,E01017140,C1,N,Y,N,Y,Y"
TODAY = date(2010, 1, 15)


def _ref(n: int, row: str = GOOD) -> str:
    return row.replace("44/1/09", f"44/{n}/09")


BAD_ROWS = [
    GOOD,
    _ref(2).replace("02/10/2009", "31/13/2009"),
    _ref(3).replace(",N,Y,N,Y,Y", ",N,maybe,N,Y,Y"),
    _ref(4).replace("02/10/2009,01/10/2009", "02/12/2011,01/12/2009"),
    _ref(5).replace("02/10/2009,01/10/2009", "02/07/2009,01/07/2009"),
    GOOD.replace("44/1/09", "").replace("21:00", "25:00"),
    GOOD.replace("44/1/09", "").replace("E01017140", "X123").replace(",8G,", ",8Z,"),
    _ref(8).replace("21:00", "9:5"),
    _ref(9).replace("02/10/2009,01/10/2009", "02/10/2009,05/10/2009"),
    _ref(10).replace(",ABH,", ",,").replace(",N,Y,N,Y,Y", ",,Y,N,Y,Y"),
    _ref(11).replace("02/10/2009,01/10/2009", "garbage,01/10/2009"),
    _ref(12).replace("21:00", " 7:05 "),
    _ref(12),
]

CASES = {
    "good_2009-10_Q3.csv": [HEADER, GOOD, _ref(2), _ref(3).replace("21:00", "")],
    "bad_2009-10_Q3.csv": [HEADER, *BAD_ROWS],
    "no_quarter_in_name.csv": [HEADER, GOOD, _ref(2)],
    "titles_2009-10_Q3.csv": ["Police recorded crime", "extract", "", HEADER, GOOD, _ref(2),
                              ",,,,,,,,,,,,,,", ""],
    "odd_text_2009-10_Q3.csv": [HEADER, GOOD.replace(",N,Y,N,Y,Y", ", y ,yes,FALSE,0,n"),
                                _ref(2).replace("02/10/2009,01/10/2009", "2/10/2009,2009-10-01")
                                .replace("Bargate", " Bargate\u00a0")],
    "extra_column_2009-10_Q3.csv": [HEADER + ",Notes", GOOD + ",hello"],
    "duplicates_2009-10_Q3.csv": [HEADER, GOOD, GOOD],
    "blank_line_2009-10_Q3.csv": [HEADER, GOOD, "", _ref(2)],
    "phone_2009-10_Q3.csv": [HEADER, GOOD.replace("Bargate", "ring 023 8083 2000")],
    "total_2009-10_Q3.csv": [HEADER, GOOD, "Total,,,,,,,,,,,,,,"],
    "short_row_2009-10_Q3.csv": [HEADER, GOOD, "44/2/09,02/10/2009"],
    "semicolons_2009-10_Q3.csv": [HEADER.replace(",", ";"), GOOD.replace(",", ";")],
}


def _failure_set(frame: pd.DataFrame) -> list[tuple]:
    out = []
    for row in frame[["file", "row", "column", "check", "value"]].itertuples(index=False):
        out.append(tuple(None if isinstance(v, float) and v != v else v for v in row))
    return sorted(out, key=repr)


def _loaded(con) -> pd.DataFrame:
    return con.execute("select * exclude (batch_id) from raw_police_crime "
                       "order by source_row").df().astype(str)


def _pandas_route(path):
    result = validate_file(path, today=TODAY)
    con = connect(":memory:")
    if result.ok:
        load_frame(con, result.source, result.frame, file_name=path.name, sha256="sha",
                   run_id="run", period=result.period_label, notes="; ".join(result.notes))
    return result, con


def _same_outcome(expected, got) -> None:
    assert got.ok == expected.ok
    assert got.source.name == expected.source.name
    assert got.period_label == expected.period_label
    assert got.notes == expected.notes
    assert _failure_set(got.failures) == _failure_set(expected.failures)
    if expected.ok:
        assert got.rows == expected.rows


@pytest.mark.parametrize("name", sorted(CASES))
def test_both_routes_reach_the_pandas_outcome(tmp_path, name):
    path = tmp_path / name
    path.write_text("\n".join(CASES[name]) + "\n")
    expected, pandas_con = _pandas_route(path)

    exact_con = connect(":memory:")
    exact = vd.validate_csv(exact_con, path, today=TODAY)
    if exact is not None:
        _same_outcome(expected, exact)

    clean_con = connect(":memory:")
    fast = vd.ingest_csv(clean_con, path, sha256="sha", run_id="run", today=TODAY)
    if fast is None:  # the file needs the pandas path, which the refresh then takes
        assert exact is None or name in ("phone_2009-10_Q3.csv",)
        return
    result, outcome = fast
    _same_outcome(expected, result)
    assert (outcome is not None) == expected.ok
    pd.testing.assert_frame_equal(_loaded(clean_con), _loaded(pandas_con))
    ledger = "select source, file_name, rows, period, status, notes from load_batches"
    assert clean_con.execute(ledger).fetchall() == pandas_con.execute(ledger).fetchall()


@pytest.mark.parametrize("name", ["police_recorded_crime_E06000045_2009-10_Q1.csv",
                                  "police_recorded_crime_E06000045_2009-10_Q2.csv"])
def test_the_mini_fixtures_load_the_same_rows(mini_raw, name):
    expected, pandas_con = _pandas_route(mini_raw / name)
    con = connect(":memory:")
    result, outcome = vd.ingest_csv(con, mini_raw / name, sha256="sha", run_id="run",
                                    today=TODAY)
    assert outcome is not None and outcome.rows == expected.rows
    _same_outcome(expected, result)
    pd.testing.assert_frame_equal(_loaded(con), _loaded(pandas_con))


def test_which_files_take_the_pandas_path(tmp_path, mini_raw):
    con = connect(":memory:")
    assert vd.validate_csv(con, mini_raw / "ons_mye2_persons_mid-2008.xlsx") is None
    assert vd.validate_csv(con, mini_raw / "ho_csp_recorded_crime_2009-10_Q1.csv") is None
    latin = tmp_path / "latin_2009-10_Q3.csv"
    latin.write_bytes(("\n".join([HEADER, GOOD.replace("Bargate", "Barg\xe2te")]) + "\n")
                      .encode("cp1252"))
    assert vd.ingest_csv(con, latin, sha256="s", run_id="r", today=TODAY) is None


def test_a_reissued_quarter_replaces_the_earlier_one_and_keys_clash_across_files(tmp_path):
    first = tmp_path / "a_2009-10_Q3.csv"
    first.write_text("\n".join([HEADER, GOOD, _ref(2)]) + "\n")
    second = tmp_path / "b_2009-10_Q3.csv"
    second.write_text("\n".join([HEADER, GOOD]) + "\n")
    con = connect(":memory:")
    _, one = vd.ingest_csv(con, first, sha256="1", run_id="r1", today=TODAY)
    _, two = vd.ingest_csv(con, second, sha256="2", run_id="r2", today=TODAY)
    assert two.replaced_rows == 2 and two.superseded_batches == (one.batch_id,)
    other = tmp_path / "c_2009-10_Q4.csv"
    other.write_text("\n".join([HEADER, GOOD.replace("02/10/2009,01/10/2009",
                                                     "02/01/2010,01/01/2010")]) + "\n")
    result, outcome = vd.ingest_csv(con, other, sha256="3", run_id="r3", today=TODAY)
    assert outcome is None and not result.ok
    assert result.failures.iloc[0]["check"].startswith("unique across files")
    assert con.execute("select count(*) from raw_police_crime").fetchall()[0][0] == 1


def test_the_sql_strip_is_pythons_strip():
    python = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert python == vd.WHITESPACE
