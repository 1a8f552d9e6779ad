"""``benchmarks/floors.py``: the one-row copies it loads and the least validating load it times."""

import datetime as dt
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))

import floors  # noqa: E402

HEADER = ("Crime Reference,Recorded Date,Offence Date,Offence Time,HO Offence Code,"
          "HO Offence Description,Ward Code,Ward Name,LSOA Code,Beat,Domestic Abuse Flag,"
          "Alcohol Related Flag,Hate Crime Flag,City Centre Flag,NTE Flag\n")
ROWS = ["44/000000/07A,01/04/2007,31/03/2007,00:02,58E,Criminal damage,E05002455,Bargate,"
        "E01017145,SBG02,N,Y,N,N,N\n",
        "44/000001/07A,02/04/2007,02/04/2007,,105A,Assault without injury,E05002467,Shirley,"
        "E01017251,SSH03,Y,N,N,N,N\n",
        "44/000002/07A,03/04/2007,03/04/2007,23:59,105A,Assault without injury,E05002467,"
        "Shirley,E01017251,SSH03,N,N,N,N,Y\n"]


def test_a_one_row_copy_keeps_the_title_rows_the_header_and_the_first_data_row(tmp_path):
    source, target = tmp_path / "in", tmp_path / "out"
    (source / "population").mkdir(parents=True)
    (source / "police_crime").mkdir()
    (source / "population" / "population_mid-2007.csv").write_text(
        "Mid-2007 population estimates\n\nCode,Name,Geography,All ages\n"
        "E06000045,Southampton,Unitary Authority,234600\nE07000001,Elsewhere,District,1000\n")
    (source / "police_crime" / "q1.csv").write_text(HEADER + "".join(ROWS))
    floors.one_row_copy(source, target)
    assert (target / "population" / "population_mid-2007.csv").read_text() == (
        "Mid-2007 population estimates\n\nCode,Name,Geography,All ages\n"
        "E06000045,Southampton,Unitary Authority,234600\n")
    assert (target / "police_crime" / "q1.csv").read_text() == HEADER + ROWS[0]


def test_the_least_validating_load_types_every_column_as_the_parser_does(tmp_path):
    files = []
    for i in range(2):
        path = tmp_path / f"q{i}.csv"
        path.write_text(HEADER + "".join(ROWS))
        files.append(path)
    seconds = floors.minimal_validating_load(files, tmp_path / "minimal.duckdb")
    assert seconds > 0
    con = duckdb.connect(str(tmp_path / "minimal.duckdb"), read_only=True)
    rows = con.execute("select crime_reference, recorded_date, offence_date, offence_time, "
                       "domestic_abuse, alcohol_related, night_time_economy from t "
                       "order by crime_reference limit 3").fetchall()
    assert con.execute("select count(*) from t").fetchall()[0][0] == 6
    con.close()
    assert rows == [
        ("44/000000/07A", dt.date(2007, 4, 1), dt.date(2007, 3, 31), dt.time(0, 2), False, True,
         False),
        ("44/000000/07A", dt.date(2007, 4, 1), dt.date(2007, 3, 31), dt.time(0, 2), False, True,
         False),
        ("44/000001/07A", dt.date(2007, 4, 2), dt.date(2007, 4, 2), None, True, False, False),
    ]
