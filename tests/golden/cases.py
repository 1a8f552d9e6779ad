"""Hand-made extracts that probe the ingest engine's edge cases, kept as data.

They came from the tests that compared the two engines before issue 12 (police record-level
files: ``POLICE``; data.police.uk street files: ``POLICE_UK``) and are recorded with the
outcome the pandas engine gave them (``data/validate/cases.json``, ``data/ingest/cases.json``):
the one engine must give the same. ``SEQUENCES`` are deliveries loaded one after another into
one warehouse (a re-issued quarter or force-month, a key already loaded by another file).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

POLICE_TODAY = date(2010, 1, 15)
POLICE_UK_TODAY = date(2019, 6, 1)

POLICE_HEADER = ("Crime Reference,Recorded Date,Offence Date,Offence Time,HO Offence Code,"
                 "HO Offence Description,Ward Code,Ward Name,LSOA Code,Beat,Domestic Abuse Flag,"
                 "Alcohol Related Flag,Hate Crime Flag,City Centre Flag,NTE Flag")
POLICE_GOOD = ("44/1/09,02/10/2009,01/10/2009,21:00,8G,ABH,E05002455,Bargate,E01017140,C1,"
               "N,Y,N,Y,Y")


def police_ref(n: int, row: str = POLICE_GOOD) -> str:
    return row.replace("44/1/09", f"44/{n}/09")


_REF = police_ref
_GOOD = POLICE_GOOD
_BAD_ROWS = [
    _GOOD,
    _REF(2).replace("02/10/2009", "31/13/2009"),
    _REF(3).replace(",N,Y,N,Y,Y", ",N,maybe,N,Y,Y"),
    _REF(4).replace("02/10/2009,01/10/2009", "02/12/2011,01/12/2009"),
    _REF(5).replace("02/10/2009,01/10/2009", "02/07/2009,01/07/2009"),
    _GOOD.replace("44/1/09", "").replace("21:00", "25:00"),
    _GOOD.replace("44/1/09", "").replace("E01017140", "X123").replace(",8G,", ",8Z,"),
    _REF(8).replace("21:00", "9:5"),
    _REF(9).replace("02/10/2009,01/10/2009", "02/10/2009,05/10/2009"),
    _REF(10).replace(",ABH,", ",,").replace(",N,Y,N,Y,Y", ",,Y,N,Y,Y"),
    _REF(11).replace("02/10/2009,01/10/2009", "garbage,01/10/2009"),
    _REF(12).replace("21:00", " 7:05 "),
    _REF(12),
]
_H = POLICE_HEADER

#: Police record-level files (written with ``\n`` line ends).
POLICE: dict[str, list[str]] = {
    "good_2009-10_Q3.csv": [_H, _GOOD, _REF(2), _REF(3).replace("21:00", "")],
    "bad_2009-10_Q3.csv": [_H, *_BAD_ROWS],
    "no_quarter_in_name.csv": [_H, _GOOD, _REF(2)],
    "titles_2009-10_Q3.csv": ["Police recorded crime", "extract", "", _H, _GOOD, _REF(2),
                              ",,,,,,,,,,,,,,", ""],
    "odd_text_2009-10_Q3.csv": [_H, _GOOD.replace(",N,Y,N,Y,Y", ", y ,yes,FALSE,0,n"),
                                _REF(2).replace("02/10/2009,01/10/2009", "2/10/2009,2009-10-01")
                                .replace("Bargate", " Bargate\u00a0")],
    "extra_column_2009-10_Q3.csv": [_H + ",Notes", _GOOD + ",hello"],
    "duplicates_2009-10_Q3.csv": [_H, _GOOD, _GOOD],
    "blank_line_2009-10_Q3.csv": [_H, _GOOD, "", _REF(2)],
    "phone_2009-10_Q3.csv": [_H, _GOOD.replace("Bargate", "ring 023 8083 2000")],
    "total_2009-10_Q3.csv": [_H, _GOOD, "Total,,,,,,,,,,,,,,"],
    "short_row_2009-10_Q3.csv": [_H, _GOOD, "44/2/09,02/10/2009"],
    "semicolons_2009-10_Q3.csv": [_H.replace(",", ";"), _GOOD.replace(",", ";")],
    "many_bad_2009-10_Q3.csv": [_H, *(_REF(i).replace("21:00", "9:5").replace(",8G,", ",8Z,")
                                      for i in range(300))],
    "late_bad_2009-10_Q3.csv": [_H, *(_REF(i) for i in range(3000)),
                                _REF(5000).replace("E01017140", "X1")],
}

POLICE_UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                    "LSOA code,LSOA name,Crime type,Last outcome category,Context")
HANTS = "Hampshire Constabulary"
SUSSEX = "Sussex Police"


def crime_id(n: int) -> str:
    return f"{n:064x}"


def street_row(n: int | None = 1, month: str = "2018-10", force: str = HANTS,
               lon: str = "-1.404", lat: str = "50.909", code: str = "E01017140",
               name: str = "Southampton 023C", crime_type: str = "Burglary",
               outcome: str = "Under investigation", context: str = "",
               location: str = "On or near High Street") -> str:
    cid = "" if n is None else crime_id(n)
    return (f"{cid},{month},{force},{force},{lon},{lat},{location},{code},{name},"
            f"{crime_type},{outcome},{context}")


_R = street_row
_UH = POLICE_UK_HEADER
ASB = _R(None, crime_type="Anti-social behaviour", outcome="")
NO_LOCATION = _R(7, lon="", lat="", code="", name="", location="No Location")
STREET_GOOD = [_UH, _R(1), _R(2, lon="-1.0", lat="51.0", crime_type="Shoplifting"), ASB, ASB,
               NO_LOCATION, _R(3, lon="-0.000001", lat="50.123456789")]

#: data.police.uk street files (written with ``\r\n`` line ends, as the real files have).
POLICE_UK: dict[str, list[str]] = {
    "2018-10-hampshire-street.csv": STREET_GOOD,
    "repeated_ids.csv": [_UH, _R(1), _R(1, crime_type="Drugs"), _R(2), _R(2), _R(2), _R(3)],
    "two_months.csv": [_UH, _R(1), _R(2, month="2018-11"), _R(3, month="2018-09")],
    "padded_text.csv": [_UH, _R(1, name=" Southampton 023C\u00a0", month=" 2018-10 "),
                        _R(2, lon=" -1.5 ", context="  ")],
    "lower_headers.csv": [_UH.lower(), _R(1), ASB],
    "extra_column.csv": [_UH + ",Note", _R(1) + ",x", ASB + ","],
    "personal_context.csv": [_UH, _R(1, context="ring 023 8083 2000"),
                             _R(2, context="someone@example.org")],
    "quoted.csv": [_UH, _R(1, location='"On or near High Street, Bargate"')],
    "bad_month.csv": [_UH, _R(1), _R(2, month="2018-13"), _R(3, month="2018-1"),
                      _R(4, month="Oct 2018")],
    "future_month.csv": [_UH, _R(1), _R(2, month="2019-07"), _R(3, month="2030-01")],
    "blank_month.csv": [_UH, _R(1), _R(2, month="")],
    "only_bad_months.csv": [_UH, _R(1, month="soon"), _R(2, month="")],
    "bad_longitude.csv": [_UH, _R(1, lon="abc"), _R(2, lon="200.5"), _R(3, lat="-91"),
                          _R(4, lon="1e3"), _R(5, lat="NaN")],
    "missing_required.csv": [_UH, _R(1, force=""), _R(2, crime_type=""), _R(3, force="  ")],
    "unknown_crime_type.csv": [_UH, _R(1, crime_type="Jaywalking"), _R(2)],
    "lsoa_mismatch.csv": [_UH, _R(1, name=""), _R(2, code=""), _R(3, code="X0101")],
    "many_failures.csv": [_UH, *(_R(i, lon="x1", month="2018-13") for i in range(250))],
    "suppressed_longitude.csv": [_UH, _R(1, lon="*"), _R(2, lat="x")],
    "thousands_longitude.csv": [_UH, _R(1, lon='"1,000"'), _R(2)],
    "long_number.csv": [_UH, _R(1, lat="50.90912345678901234567"), _R(2)],
    "integer_coordinates.csv": [_UH, _R(1, lon="-0", lat="51"), _R(2, lon="-2", lat="50")],
    "blank_line.csv": [_UH, _R(1), "", _R(2)],
    "total_row.csv": [_UH, _R(1), "Total,,,,,,,,,,,"],
    "short_row.csv": [_UH, _R(1), crime_id(2) + ",2018-10"],
}

#: Deliveries loaded in order into one warehouse: (file name, rows, line end, run id).
SEQUENCES: dict[str, list[tuple[str, list[str], str, str]]] = {
    "police_reissue_and_clash": [
        ("a_2009-10_Q3.csv", [_H, _GOOD, _REF(2)], "\n", "r1"),
        ("b_2009-10_Q3.csv", [_H, _GOOD], "\n", "r2"),
        ("c_2009-10_Q4.csv", [_H, _GOOD.replace("02/10/2009,01/10/2009",
                                                "02/01/2010,01/01/2010")], "\n", "r3"),
    ],
    "police_uk_force_month": [
        ("2018-10-hampshire-street.csv", [_UH, _R(1), _R(2), ASB], "\n", "r1"),
        ("2018-10-sussex-street.csv", [_UH, _R(11, force=SUSSEX), _R(12, force=SUSSEX)], "\n",
         "r1"),
        ("2018-10-hampshire-street-v2.csv", [_UH, _R(1), ASB, ASB, _R(4)], "\n", "r2"),
        ("2018-11-hampshire-street.csv", [_UH, _R(5, month="2018-11")], "\n", "r2"),
        ("2018-11-hampshire-street-part2.csv", [_UH, _R(6, month="2018-11")], "\n", "r2"),
    ],
    "police_uk_force_month_integer_latitude": [
        (name, [*rows, _R(99, lat="51", month=rows[1].split(",")[1],
                          force=rows[1].split(",")[2])], end, run)
        for name, rows, end, run in [
            ("2018-10-hampshire-street.csv", [_UH, _R(1), _R(2), ASB], "\n", "r1"),
            ("2018-10-sussex-street.csv", [_UH, _R(11, force=SUSSEX), _R(12, force=SUSSEX)],
             "\n", "r1"),
            ("2018-10-hampshire-street-v2.csv", [_UH, _R(1), ASB, ASB, _R(4)], "\n", "r2"),
            ("2018-11-hampshire-street.csv", [_UH, _R(5, month="2018-11")], "\n", "r2"),
            ("2018-11-hampshire-street-part2.csv", [_UH, _R(6, month="2018-11")], "\n", "r2"),
        ]],
}


def write_case(folder: Path, name: str, rows: list[str], line_end: str) -> Path:
    path = folder / name
    path.write_bytes((line_end.join(rows) + line_end).encode("utf-8"))
    return path


def case_files(folder: Path) -> list[tuple[Path, date]]:
    """Every single-file case written into ``folder``, with the day it is validated on."""
    out = []
    for name, rows in POLICE.items():
        out.append((write_case(folder, name, rows, "\n"), POLICE_TODAY))
    for name, rows in POLICE_UK.items():
        out.append((write_case(folder, "uk_" + name, rows, "\r\n"), POLICE_UK_TODAY))
    return out
