from datetime import date

import pandas as pd
import pytest

from scp_metrics.ingest.validation import validate_file

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
                      "value": "05/10/2009"}]


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
                      "value": "8Z"}]
    header = ("Financial Year,Financial Quarter,Force Name,CSP Name,Offence Description,"
              "Offence Group,Offence Subgroup,Offence Code,Number of Offences")
    row = "2009/10,3,Hampshire,Atlantis,ABH,Violence,Injury,8G,4"
    found = failures(validate_file(write(tmp_path, "ho.csv", row, header=header), today=TODAY))
    assert found == [{"row": 2, "column": "CSP Name",
                      "check": "CSP name known (config/area_name_lookup.csv)", "value": "Atlantis"}]
