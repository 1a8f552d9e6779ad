"""The ingest engine on hand-made files: what it reports, reads and loads.

The golden cases (``tests/golden/cases.py``) hold the engine to what the earlier engines gave,
failure for failure; the tests here state the expected values themselves.
"""

from datetime import date
from functools import partial

import pandas as pd
import pytest

from scp_metrics.ingest import engine
from scp_metrics.ingest.guard import GUARDED_VALUE
from scp_metrics.settings import get_settings
from scp_metrics.warehouse.connection import connect
from tests.golden import cases

CONFIG = get_settings().config_dir
validate_file = partial(engine.validate_file, config_dir=CONFIG)

HEADER = ("Crime Reference,Recorded Date,Offence Date,Offence Time,HO Offence Code,"
          "HO Offence Description,Ward Code,Ward Name,LSOA Code,Beat,Domestic Abuse Flag,"
          "Alcohol Related Flag,Hate Crime Flag,City Centre Flag,NTE Flag")
GOOD = "44/1/09,02/10/2009,01/10/2009,21:00,8G,ABH,E05002455,Bargate,E01017140,C1,N,Y,N,Y,Y"
TODAY = date(2010, 1, 15)


def write(tmp_path, name, *rows, header=HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def failures(result):
    return result.failures[["row", "column", "check", "value"]].to_dict("records")


def test_a_good_record_level_file_validates_with_its_quarter_from_the_name(tmp_path):
    path = write(tmp_path, "crime_2009-10_Q3.csv", GOOD)
    result = validate_file(path, today=TODAY)
    assert result.ok, result.failures
    assert result.source.name == "police_crime"
    assert result.period_label == "2009/10 Q3"
    row = result.frame.iloc[0]
    assert row["recorded_date"] == pd.Timestamp("2009-10-02")
    assert bool(row["alcohol_related"]) is True
    assert row["source_row"] == 2


def test_a_missing_column_is_reported_at_the_header_row(tmp_path):
    header = HEADER.replace("HO Offence Description,", "")
    row = GOOD.replace("ABH,", "")
    result = validate_file(write(tmp_path, "c_2009-10_Q3.csv", row, header=header), today=TODAY)
    assert not result.ok
    assert failures(result) == [{"row": 1, "column": "HO Offence Description",
                                 "check": "column present", "value": "missing"}]


def test_a_date_outside_the_files_quarter_names_row_and_column(tmp_path):
    bad = GOOD.replace("02/10/2009,01/10/2009", "02/07/2009,01/07/2009").replace("44/1/", "44/2/")
    result = validate_file(write(tmp_path, "c_2009-10_Q3.csv", GOOD, bad), today=TODAY)
    found = failures(result)
    assert len(found) == 1
    assert found[0]["row"] == 3
    assert found[0]["column"] == "Recorded Date"
    assert "2009/10 Q3" in found[0]["check"]


def test_unparseable_and_future_dates_and_bad_flags_are_each_reported(tmp_path):
    rows = [
        GOOD,
        GOOD.replace("44/1/", "44/2/").replace("02/10/2009", "31/13/2009"),
        GOOD.replace("44/1/", "44/3/").replace(",N,Y,N,Y,Y", ",N,maybe,N,Y,Y"),
        GOOD.replace("44/1/", "44/4/").replace("02/10/2009,01/10/2009", "02/12/2009,01/12/2009"),
    ]
    result = validate_file(write(tmp_path, "c_2009-10_Q3.csv", *rows), today=date(2009, 11, 1))
    found = {(f["row"], f["column"], f["check"].split(" ")[0]) for f in failures(result)}
    assert (3, "Recorded Date", "parse") in found
    assert (4, "Alcohol Related Flag", "parse") in found
    assert any(r == 5 and c == "Recorded Date" for r, c, _ in found)
    assert all(f["row"] != 2 for f in failures(result))


def test_duplicate_crime_references_are_refused(tmp_path):
    result = validate_file(write(tmp_path, "c_2009-10_Q3.csv", GOOD, GOOD), today=TODAY)
    assert not result.ok
    assert {f["row"] for f in failures(result) if f["check"] == "unique"} == {2, 3}


def test_offence_after_recording_is_refused_on_the_offence_date(tmp_path):
    bad = GOOD.replace("02/10/2009,01/10/2009", "02/10/2009,05/10/2009")
    found = failures(validate_file(write(tmp_path, "c_2009-10_Q3.csv", bad), today=TODAY))
    assert found == [{"row": 2, "column": "Offence Date",
                      "check": "offence date is on or before the recorded date",
                      "value": GUARDED_VALUE}]  # a person-level source: no value shown


def test_negative_and_thousands_separated_counts_in_the_csp_table(tmp_path):
    header = ("Financial Year,Financial Quarter,Force Name,CSP Name,Offence Description,"
              "Offence Group,Offence Subgroup,Offence Code,Number of Offences")
    rows = ['2009/10,3,Hampshire,Southampton,ABH,Violence,Injury,8G,"1,204"',
            "2009/10,3,Hampshire,Southampton,Murder,Violence,Homicide,1,-2"]
    result = validate_file(write(tmp_path, "ho.csv", *rows, header=header), today=TODAY)
    assert failures(result) == [{"row": 3, "column": "Number of Offences",
                                 "check": "greater_than_or_equal_to(0)", "value": "-2"}]
    assert result.frame["number_of_offences"].tolist() == [1204, -2]


def test_an_unrecognised_file_says_so(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("Colour,Shape\nred,round\n")
    result = validate_file(path, today=TODAY)
    assert result.source is None
    assert "no recognisable header" in result.failures.iloc[0]["value"]


@pytest.mark.parametrize("name", ["police_recorded_crime_E06000045_2009-10_Q1.csv",
                                  "ho_csp_recorded_crime_2009-10_Q1.csv",
                                  "ons_mye2_persons_mid-2008.xlsx"])
def test_the_mini_fixtures_validate(mini_raw, name):
    result = validate_file(mini_raw / name, today=TODAY)
    assert result.ok, result.failures


def test_population_takes_its_mid_year_from_the_title(mini_raw):
    result = validate_file(mini_raw / "ons_mye2_persons_mid-2008.xlsx", today=TODAY)
    assert result.period_label == "mid-2008"
    assert set(result.frame["mid_year"]) == {2008}
    assert result.frame.set_index("code").loc["E06000045", "all_ages"] == 234600


def test_unknown_offence_codes_and_csp_names_are_refused_not_dropped(tmp_path):
    unknown = GOOD.replace(",8G,", ",8Z,")
    found = failures(validate_file(write(tmp_path, "c_2009-10_Q3.csv", unknown), today=TODAY))
    assert found == [{"row": 2, "column": "HO Offence Code",
                      "check": "known Home Office offence code (config/offence_codes.csv)",
                      "value": GUARDED_VALUE}]
    header = ("Financial Year,Financial Quarter,Force Name,CSP Name,Offence Description,"
              "Offence Group,Offence Subgroup,Offence Code,Number of Offences")
    row = "2009/10,3,Hampshire,Atlantis,ABH,Violence,Injury,8G,4"
    found = failures(validate_file(write(tmp_path, "ho.csv", row, header=header), today=TODAY))
    assert found == [{"row": 2, "column": "CSP Name",
                      "check": "CSP name known (config/area_name_lookup.csv)", "value": "Atlantis"}]


def write_case(tmp_path, name: str):
    """A police.uk case file of tests/golden/cases.py (CRLF line ends, as the real files)."""
    return cases.write_case(tmp_path, name, cases.POLICE_UK[name], "\r\n")


def test_police_uk_files_place_each_row_in_its_own_month_and_note_their_quirks(tmp_path):
    def outcome(name: str):
        return validate_file(write_case(tmp_path, name), today=cases.POLICE_UK_TODAY)

    good = outcome("2018-10-hampshire-street.csv")
    assert good.ok and good.period_label == "2018-10" and good.rows == 6
    assert good.notes == ["2 rows without a Crime ID (anti-social behaviour), not de-duplicated",
                          "1 rows without an LSOA (no location): loaded, reported as unplaced"]
    repeated = outcome("repeated_ids.csv")
    assert repeated.ok
    assert repeated.notes[0].startswith("2 Crime IDs appear on more than one row (5 rows)")
    assert outcome("two_months.csv").period_label == "2018-09 … 2018-11 (3 months)"
    assert outcome("personal_context.csv").ok  # no personal-data guard on open data
    months = outcome("bad_month.csv").failures
    assert set(months["row"]) == {3, 4, 5}
    assert set(months["check"]) == {r"str_matches('^\d{4}-(0[1-9]|1[0-2])$')"}
    future = outcome("future_month.csv").failures
    assert list(future.loc[future["check"] == "month is not in the future", "row"]) == [3, 4]
    lon = outcome("bad_longitude.csv").failures
    assert ("Longitude", "parse as float", "abc") in set(
        zip(lon["column"], lon["check"], lon["value"], strict=True))
    assert {"Longitude", "Latitude"} == set(lon["column"])
    assert len(lon) == 5  # abc, 200.5, -91, 1e3 (1000.0), NaN (does not parse)
    missing = outcome("missing_required.csv").failures
    # street_row() puts the force in both 'Reported by' and 'Falls within'; '  ' is blank
    assert sorted(zip(missing["row"], missing["column"], missing["check"], strict=True)) == [
        (2, "Falls within", "value present"), (2, "Reported by", "value present"),
        (3, "Crime type", "value present"), (4, "Falls within", "value present"),
        (4, "Reported by", "value present")]
    many = outcome("many_failures.csv").failures
    assert (many["check"] == "parse as float").sum() == 200  # the first 200 rows are named


def test_the_typed_rows_are_read_from_text_as_the_data_dictionary_says(tmp_path):
    name = "odd_text_2009-10_Q3.csv"
    path = cases.write_case(tmp_path, name, cases.POLICE[name], "\n")
    result = validate_file(path, today=cases.POLICE_TODAY)
    assert result.ok, result.failures
    frame = result.frame
    assert frame["domestic_abuse"].tolist() == [True, False]  # " y " and N
    assert frame[["alcohol_related", "hate_crime", "city_centre", "night_time_economy"]
                 ].values.tolist() == [[True, False, False, False], [True, False, True, True]]
    assert frame["recorded_date"].tolist() == [pd.Timestamp("2009-10-02")] * 2
    assert frame["offence_date"].tolist() == [pd.Timestamp("2009-10-01")] * 2
    assert frame["ward_name"].tolist() == ["Bargate", "Bargate"]  # stripped, NBSP too
    assert frame["source_row"].tolist() == [2, 3]
    assert frame["period_start"].tolist() == [pd.Timestamp("2009-10-01")] * 2


def test_a_file_with_three_hundred_bad_rows_names_each_and_stops_at_200_per_parse(tmp_path):
    name = "many_bad_2009-10_Q3.csv"
    path = cases.write_case(tmp_path, name, cases.POLICE[name], "\n")
    found = validate_file(path, today=cases.POLICE_TODAY).failures
    parse = found[found["check"] == "parse as time"]
    assert parse["row"].tolist() == list(range(2, 202))
    assert set(parse["value"]) == {GUARDED_VALUE}  # '9:5', withheld (person-level source)
    codes = found[found["column"] == "HO Offence Code"]
    assert sorted(codes["row"]) == list(range(2, 302)) and set(codes["value"]) == {GUARDED_VALUE}


def test_a_refused_file_loads_nothing_and_a_clean_one_loads_every_row(tmp_path):
    con = connect(":memory:")
    bad = cases.write_case(tmp_path, "bad_2009-10_Q3.csv", cases.POLICE["bad_2009-10_Q3.csv"],
                           "\n")
    result, outcome = engine.ingest(con, bad, config_dir=CONFIG, sha256="a", run_id="r",
                                    today=cases.POLICE_TODAY)
    assert outcome is None and not result.ok
    assert con.execute("select count(*) from load_batches").fetchall() == [(0,)]
    good = cases.write_case(tmp_path, "good_2009-10_Q3.csv",
                            cases.POLICE["good_2009-10_Q3.csv"], "\n")
    result, outcome = engine.ingest(con, good, config_dir=CONFIG, sha256="b", run_id="r",
                                    today=cases.POLICE_TODAY)
    assert outcome is not None and outcome.rows == 3
    assert con.execute("select crime_reference, offence_time, source_row, period_start "
                       "from raw_police_crime order by source_row").fetchall() == [
        ("44/1/09", "21:00", 2, date(2009, 10, 1)), ("44/2/09", "21:00", 3, date(2009, 10, 1)),
        ("44/3/09", None, 4, date(2009, 10, 1))]
    assert con.execute("select table_name from duckdb_tables() where temporary").fetchall() == []


def test_a_column_is_stripped_where_one_text_needs_it_and_read_as_it_is_where_none_does(tmp_path):
    """Typed rows select a column's cells unstripped only when no text of it changes when
    stripped (the key column from the key scan, the others from their distinct texts)."""
    odd = (GOOD.replace("44/1/09", "\u300044/2/09 ").replace(",ABH,", ",ABH\t,")
           .replace(",C1,", ",\u00a0C1,"))
    result = validate_file(write(tmp_path, "strip_2009-10_Q3.csv", GOOD, odd), today=TODAY)
    assert result.ok, result.failures
    frame = result.frame
    assert frame["crime_reference"].tolist() == ["44/1/09", "44/2/09"]
    assert frame["offence_description"].tolist() == ["ABH", "ABH"]
    assert frame["beat"].tolist() == ["C1", "C1"]
    assert frame["offence_code"].tolist() == ["8G", "8G"]  # clean: read as it is


def test_the_cell_limit_counts_characters_not_bytes(tmp_path):
    """max_cell_chars (10,000) bounds characters: 4,000 three-byte characters (12,000 bytes)
    pass, 10,001 one-byte characters do not."""
    wide = GOOD.replace(",C1,", "," + "\u20ac" * 4_000 + ",")
    assert validate_file(write(tmp_path, "wide_2009-10_Q3.csv", wide), today=TODAY).ok
    over = GOOD.replace(",C1,", "," + "a" * 10_001 + ",")
    result = validate_file(write(tmp_path, "over_2009-10_Q3.csv", over), today=TODAY)
    assert [(f["row"], f["column"], f["check"].split(":")[0]) for f in failures(result)] == [
        (2, "Beat", "cells within limits")]


def test_offence_codes_outside_their_dates_refuse_a_police_quarter(tmp_path):
    """The file's one quarter decides which codes can be out of date (no scan of the rows when
    none can): code 5 ended in March 2008 and 5A began in April 2008, so in 2009/10 Q3 the
    first is refused at its first row and the second loads; in 2003/04 Q4 the reverse (and 8G,
    also from April 2008), while 92D, valid from 29 January 2004, counts in that quarter."""
    later = [cases.police_ref(i).replace(",8G,", f",{code},") for i, code in
             [(2, "8G"), (3, "5"), (4, "5A"), (5, "5")]]
    padded = cases.police_ref(7).replace(",8G,", ", 8a ,")  # read as the rows read it: 8A
    result = validate_file(write(tmp_path, "late_2009-10_Q3.csv", *later, padded), today=TODAY)
    assert [(f["row"], f["column"], f["check"]) for f in failures(result)] == [
        (3, "HO Offence Code", "offence code valid for the period (config/offence_codes.csv: code 5 "
                            "is valid from 2002-04-01 to 2008-03-31, the row is in the period "
                            "starting 2009-10-01)"),
        (6, "HO Offence Code", "offence code valid for the period (config/offence_codes.csv: code "
                            "8a is valid from 2002-04-01 to 2008-03-31, the row is in the period "
                            "starting 2009-10-01)")]
    early = [r.replace("02/10/2009,01/10/2009", "02/02/2004,01/02/2004") for r in later]
    early.append(cases.police_ref(6).replace(",8G,", ",92D,")
                 .replace("02/10/2009,01/10/2009", "02/02/2004,01/02/2004"))
    result = validate_file(write(tmp_path, "early_2003-04_Q4.csv", *early), today=TODAY)
    assert [(f["row"], f["check"].split(": ")[1][:20]) for f in failures(result)] == [
        (2, "code 8G is valid fro"), (4, "code 5A is valid fro")]
    edge = [r.replace("02/10/2009,01/10/2009", "31/03/2008,30/03/2008") for r in later]
    result = validate_file(write(tmp_path, "edge_2007-08_Q4.csv", *edge), today=TODAY)
    assert [(f["row"], f["check"].split(": ")[1][:20]) for f in failures(result)] == [
        (2, "code 8G is valid fro"), (4, "code 5A is valid fro")]  # from the day after it ends
