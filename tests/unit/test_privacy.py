"""The personal data guard's detectors and small-number suppression (privacy.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scp_metrics.ingest.guard import header_kind, nhs_number_valid, scan_table
from scp_metrics.ingest.readers import RawTable
from scp_metrics.publish.suppression import publish_table, suppress_small_numbers, suppression_rules
from scp_metrics.sources import SOURCES_BY_NAME
from scp_metrics.warehouse import connect


@pytest.mark.parametrize(("number", "valid"), [
    ("9434765919", True), ("4010232137", True), ("9434765870", True),
    ("9434765918", False),  # wrong check digit
    ("1234567890", False),  # check digit would be 10: never issued
    ("0000000000", False), ("943476591", False)])
def test_nhs_numbers_are_recognised_by_their_modulus_11_check_digit(number, valid):
    assert nhs_number_valid(number) is valid


@pytest.mark.parametrize(("header", "kind"), [
    ("Forename", "a person's name"), ("Victim Surname", "a person's name"),
    ("Name", "a person's name"), ("Patient Name", "a person's name"),
    ("NHS No", "an NHS number"), ("NHSNumber", "an NHS number"),
    ("D.O.B.", "a date of birth"), ("Date of Birth", "a date of birth"),
    ("Home Postcode", "a postcode"), ("Mobile", "a phone number"),
    ("Telephone Number", "a phone number"), ("E-mail", "an email address"),
    ("Ward Name", None), ("Offence Description", None), ("SITE CODE (OF TREATMENT)", None),
    ("Beat", None), ("Referring Agency", None)])
def test_column_names_that_announce_personal_identifiers(header, kind):
    assert header_kind(header) == kind


def table(headers, rows, name="x.csv"):
    data = pd.DataFrame(rows, columns=range(len(headers)), dtype=str)
    return RawTable(Path(name), headers, data, 1)


def test_content_is_found_in_any_column_and_never_echoed():
    source = SOURCES_BY_NAME["marac"]
    found = scan_table(table(
        ["Case Heard Date", "Victim Reference", "Risk Level", "Referring Agency", "Repeat Flag"],
        [["01/04/2009", "V123456", "High", "Police", "N"],
         ["01/04/2009", "V123457", "High", "call 023 8083 2000", "N"],
         ["02/04/2009", "V123458", "High", "SO14 7LY", "Y"],
         ["02/04/2009", "943-476-5919", "High", "Police", "Y"]]), source)
    checks = {(f["row"], f["column"], f["check"].split(" look like ")[-1].split(";")[0])
              for f in found}
    assert checks == {(3, "Referring Agency", "UK phone numbers"),
                      (4, "Referring Agency", "full UK postcodes"),
                      (5, "Victim Reference", "NHS numbers (valid check digit)")}
    text = repr(found)
    assert "8083" not in text and "SO14" not in text and "5919" not in text


def test_record_level_values_that_only_look_numeric_are_not_personal_data():
    source = SOURCES_BY_NAME["police_crime"]
    headers = [c.headers[0] for c in source.columns]
    row = ["44/108231/09", "02/10/2009", "01/10/2009", "21:00", "8G", "ABH", "E05002455",
           "Bargate", "E01017140", "SBG01", "N", "Y", "N", "Y", "Y"]
    assert scan_table(table(headers, [row]), source) == []


def test_small_numbers_are_suppressed_with_the_values_derived_from_them():
    frame = pd.DataFrame({"numerator": [0, 1, 4, 5, None], "denominator": [100, 100, 3, 200, 7],
                          "value": [0.0, 1.0, 133.3, 2.5, None], "area": list("abcde")})
    out = suppress_small_numbers(frame, ["numerator", "denominator"], 5, derived=["value"])
    assert out["numerator"].tolist() == ["0", "<5", "<5", "5", None]
    assert out["denominator"].tolist() == ["100", "100", "<5", "200", "7"]
    assert out["value"].tolist()[:4] == [0.0, None, None, 2.5]
    assert out["area"].tolist() == list("abcde")
    assert frame["numerator"].iloc[1] == 1  # the input is not changed
    assert suppress_small_numbers(frame, ["numerator"], 3)["numerator"].tolist()[2] == "4"


def test_published_csvs_show_small_counts_as_less_than_five(tmp_path):
    con = connect(":memory:")
    con.execute("create table mart_indicator_values as select * from (values "
                "('all_crime', 'E06000045', date '2009-04-01', 3::bigint, 234600::bigint, 0.0128),"
                "('all_crime', 'E06000044', date '2009-04-01', 40::bigint, 197700::bigint, 0.2)) "
                "t(indicator_id, area_code, period_start, numerator, denominator, value)")
    rules = suppression_rules(Path(__file__).resolve().parents[2] / "config")
    assert rules.threshold == 5
    target = tmp_path / "mart.csv"
    config = Path(__file__).resolve().parents[2] / "config"
    assert publish_table(con, "mart_indicator_values", target, config) == 1
    con.close()
    lines = target.read_text().splitlines()
    assert lines[1:] == ["all_crime,E06000044,2009-04-01,40,197700,0.2",
                         "all_crime,E06000045,2009-04-01,<5,234600,"]
