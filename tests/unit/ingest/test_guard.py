"""The personal-data guard: column names and cell contents that are personal identifiers."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from scp_metrics.ingest import text
from scp_metrics.ingest.guard import (
    PREFILTER,
    _content_hits,
    header_kind,
    nhs_number_valid,
    scan_table,
)
from scp_metrics.ingest.readers import RawTable
from scp_metrics.sources import SOURCES_BY_NAME


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
    return text._copy(duckdb.connect(), RawTable(Path(name), headers, data, 1), "_t")


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



def _variants(rng: random.Random) -> list[str]:
    """Personal identifiers as people write them, in running text."""
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    sep = lambda: rng.choice(["", " ", "-", "  "])  # noqa: E731
    usep = lambda: rng.choice(["\u00a0", "\u2013", "\u2212", "\u00b7", "\u200b", "\u2009",  # noqa: E731
                               ".", "\u3000", "\uff0d"])
    area = rng.choice(["SO", "S", "PO", "EC1A", "W1A", "M", "B33", "CR2", "GIR"])
    out = [
        f"{digits(3)}{sep()}{digits(3)}{sep()}{digits(4)}",  # NHS-number shaped
        f"{rng.choice(['+44 ', '+44', '0044 ', '0', '(0'])}{digits(rng.randint(2, 4))}"
        f"{rng.choice(['', ')', ') '])}{sep()}{digits(rng.randint(3, 4))}{sep()}"
        f"{digits(rng.randint(3, 4))}",  # phone shaped
        f"{area}{digits(rng.randint(1, 2))} {digits(1)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",  # postcode shaped
        f"someone{digits(2)}@example.org",
        # issue 14: Unicode separators and digits, dates of birth, titled or labelled names
        f"{digits(3)}{usep()}{digits(3)}{usep()}{digits(4)}",
        "".join(chr(0xFF10 + int(d)) for d in digits(10)),
        f"{rng.choice(['DOB', 'D.O.B.', 'd.o.b', 'date of birth', 'born'])}"
        f"{rng.choice([' ', ': ', ' - '])}{rng.randint(1, 28)}{rng.choice(['/', '.', '-', ' '])}"
        f"{rng.choice([str(rng.randint(1, 12)), 'March', 'Sept'])}{rng.choice(['/', '.', '-', ' '])}"
        f"19{digits(2)}",
        f"{rng.choice(['Mr', 'Mrs', 'Ms', 'Miss', 'Dr'])} {rng.choice(['Smith', 'Khan', 'Doe'])}",
    ]
    return [f"{rng.choice(['', 'call ', 'ref: '])}{v}{rng.choice(['', ' today', '.'])}" for v in out]


def test_the_sql_prefilter_lets_through_every_cell_the_guard_would_flag():
    """Only cells the pre-filter matches (in DuckDB) are tested in Python: it must match every
    cell the Python tests flag."""
    rng = random.Random(20091015)
    values = [v for _ in range(3000) for v in _variants(rng)]
    flagged = _content_hits(pd.Series(values, dtype=str))
    assert set(flagged) == {"NHS numbers (valid check digit)", "email addresses",
                            "full UK postcodes", "UK phone numbers", "dates of birth",
                            "people's names (a title or a name label before a name)"}
    hit = pd.concat(flagged.values(), axis=1).any(axis=1)
    con = duckdb.connect()
    con.register("v", pd.DataFrame({"i": range(len(values)), "v": values}))
    matched = [bool(r[0]) for r in con.execute(
        "select regexp_matches(v, ?) from v order by i", [PREFILTER]).fetchall()]
    missed = [v for v, h, m in zip(values, hit, matched, strict=True) if h and not m]
    assert missed == []


@pytest.mark.parametrize("written", [
    "943 476 5919", "943\u00a0476\u00a05919", "943\u2009476\u20095919", "943\u2013476\u20135919",
    "943\u2212476\u22125919", "943.476.5919", "943\u00b7476\u00b75919", "943\u200b476\u200b5919",
    "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", "943\u3000476\u30005919",
    "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669"])  # Arabic-Indic digits
def test_an_nhs_number_is_found_however_its_groups_are_separated(written):
    hits = _content_hits(pd.Series([f"patient {written} seen"], dtype=str))
    assert list(hits) == ["NHS numbers (valid check digit)"]


@pytest.mark.parametrize(("text", "kind"), [
    ("DOB 14/03/1961", "dates of birth"), ("d.o.b: 1961-03-14", "dates of birth"),
    ("born 14 March 1961", "dates of birth"), ("Date of birth 14.3.61", "dates of birth"),
    ("seen with Mrs Khan", "people's names (a title or a name label before a name)"),
    ("Name: jane", "people's names (a title or a name label before a name)"),
    ("Surname = Doe", "people's names (a title or a name label before a name)")])
def test_dates_of_birth_and_names_in_free_text(text, kind):
    assert list(_content_hits(pd.Series([text], dtype=str))) == [kind]


@pytest.mark.parametrize("text", ["2009-10-01", "01/10/2009 21:00", "Ward Name", "Mrs",
                                  "Offence Date 14/03/2009", "Dr Doolittle's Lane",
                                  "1.5", "943-476-5919.5", "Name", "Named Person Scheme"])
def test_ordinary_record_level_text_is_not_taken_for_personal_data(text):
    if text == "Dr Doolittle's Lane":  # a titled name is a name, even as a street's
        assert _content_hits(pd.Series([text], dtype=str))
        return
    assert _content_hits(pd.Series([text], dtype=str)) == {}


def test_a_header_cell_holding_personal_data_refuses_an_aggregate_source_and_echoes_nothing(
        tmp_path):
    """Headers are scanned for every source (the CSP table is not person-level): a header
    holding an NHS number, a postcode and a name refuses the file; no note quotes it."""
    from scp_metrics.ingest.engine import validate_file

    header = ["Financial Year", "Financial Quarter", "Force Name", "CSP Name",
              "Offence Description", "Offence Group", "Offence Subgroup", "Offence Code",
              "Offence Count", "Ref 943 476 5919 SO17 1BJ Name: Wilhelmina"]
    row = ["2009/10", "1", "Hampshire", "Southampton", "Murder", "VIOLENCE AGAINST THE PERSON",
           "Homicide", "1", "2", ""]
    path = tmp_path / "ho_csp_recorded_crime_2009-10_Q1.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    result = validate_file(path, config_dir=Path(__file__).resolve().parents[3] / "config")
    checks = set(result.failures["check"])
    assert {c.split(" holds ")[1].split(";")[0] for c in checks if "header cell" in c} == {
        "NHS numbers (valid check digit)", "full UK postcodes",
        "people's names (a title or a name label before a name)"}
    shown = repr(result.failures.to_dict("records")) + repr(result.notes)
    assert "5919" not in shown and "SO17" not in shown and "Wilhelmina" not in shown


def test_personal_data_in_a_key_column_is_found_through_the_engine(tmp_path):
    """The key column of a guarded source (the Crime Reference) is profiled by counting what
    the SQL pre-filter lets through and listing those texts only when there are some: an NHS
    number there still refuses the file, at its row, without echoing it."""
    from datetime import date

    from scp_metrics.ingest.engine import validate_file
    from scp_metrics.settings import get_settings
    from tests.golden import cases

    rows = [cases.police_ref(i) for i in range(2, 40)]
    rows[7] = rows[7].replace("44/9/09", "943 476 5919")
    path = tmp_path / "police_2009-10_Q3.csv"
    path.write_text(cases.POLICE_HEADER + "\n" + "\n".join(rows) + "\n")
    result = validate_file(path, config_dir=get_settings().config_dir, today=date(2010, 1, 15))
    personal = [(f["row"], f["column"], f["check"].split(" look like ")[-1].split(";")[0])
                for f in result.failures.to_dict("records")
                if str(f["check"]).startswith("personal data")]
    assert personal == [(9, "Crime Reference", "NHS numbers (valid check digit)")]
    assert "5919" not in repr(result.failures.to_dict("records")) + repr(result.notes)
