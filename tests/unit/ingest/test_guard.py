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
    area = rng.choice(["SO", "S", "PO", "EC1A", "W1A", "M", "B33", "CR2", "GIR"])
    out = [
        f"{digits(3)}{sep()}{digits(3)}{sep()}{digits(4)}",  # NHS-number shaped
        f"{rng.choice(['+44 ', '+44', '0044 ', '0', '(0'])}{digits(rng.randint(2, 4))}"
        f"{rng.choice(['', ')', ') '])}{sep()}{digits(rng.randint(3, 4))}{sep()}"
        f"{digits(rng.randint(3, 4))}",  # phone shaped
        f"{area}{digits(rng.randint(1, 2))} {digits(1)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",  # postcode shaped
        f"someone{digits(2)}@example.org",
    ]
    return [f"{rng.choice(['', 'call ', 'ref: '])}{v}{rng.choice(['', ' today', '.'])}" for v in out]


def test_the_sql_prefilter_lets_through_every_cell_the_guard_would_flag():
    """Only cells the pre-filter matches (in DuckDB) are tested in Python: it must match every
    cell the Python tests flag."""
    rng = random.Random(20091015)
    values = [v for _ in range(3000) for v in _variants(rng)]
    flagged = _content_hits(pd.Series(values, dtype=str))
    assert set(flagged) == {"NHS numbers (valid check digit)", "email addresses",
                            "full UK postcodes", "UK phone numbers"}
    hit = pd.concat(flagged.values(), axis=1).any(axis=1)
    con = duckdb.connect()
    con.register("v", pd.DataFrame({"i": range(len(values)), "v": values}))
    matched = [bool(r[0]) for r in con.execute(
        "select regexp_matches(v, ?) from v order by i", [PREFILTER]).fetchall()]
    missed = [v for v, h, m in zip(values, hit, matched, strict=True) if h and not m]
    assert missed == []
