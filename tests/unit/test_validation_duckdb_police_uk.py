"""data.police.uk street files reach the same outcome inside DuckDB as on the pandas path.

The same comparison as ``test_validation_duckdb.py``, for the month-level source
``police_uk_street``: each row's own month places it (not the file name), longitude and
latitude are floats, the source has its own notes (repeated Crime IDs, ASB rows without one,
rows without a location), Crime IDs may repeat, there is no personal-data guard, and a re-issued
file replaces that force's month only. Each file goes through the pandas path
(``validate_file`` + ``load_frame``) and through :func:`validation_duckdb.ingest_csv` (and
:func:`validate_csv`); failures, notes, period, the loaded rows, the history table and the ledger
must be identical, or the DuckDB route must hand the file back to pandas (``None``).
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scp_metrics import steps as refresh
from scp_metrics.ingest import validation_duckdb as vd
from scp_metrics.ingest.validation import validate_file
from scp_metrics.warehouse.connection import connect
from scp_metrics.warehouse.load import load_frame
from tests.conftest import shared_or_skip
from tests.unit.test_validation_duckdb import _same_outcome as same_as_pandas

TODAY = date(2019, 6, 1)
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context")
HANTS = "Hampshire Constabulary"
SUSSEX = "Sussex Police"


def cid(n: int) -> str:
    return f"{n:064x}"


def row(n: int | None = 1, month: str = "2018-10", force: str = HANTS, lon: str = "-1.404",
        lat: str = "50.909", code: str = "E01017140", name: str = "Southampton 023C",
        crime_type: str = "Burglary", outcome: str = "Under investigation",
        context: str = "", location: str = "On or near High Street") -> str:
    crime_id = "" if n is None else cid(n)
    return (f"{crime_id},{month},{force},{force},{lon},{lat},{location},{code},{name},"
            f"{crime_type},{outcome},{context}")


ASB = row(None, crime_type="Anti-social behaviour", outcome="")
NO_LOCATION = row(7, lon="", lat="", code="", name="", location="No Location")

GOOD = [HEADER, row(1), row(2, lon="-1.0", lat="51.0", crime_type="Shoplifting"), ASB, ASB,
        NO_LOCATION, row(3, lon="-0.000001", lat="50.123456789")]

CASES: dict[str, list[str]] = {
    # good files: the quirks of the real files are loaded, counted in the notes
    "2018-10-hampshire-street.csv": GOOD,
    "repeated_ids.csv": [HEADER, row(1), row(1, crime_type="Drugs"), row(2), row(2), row(2),
                         row(3)],
    "two_months.csv": [HEADER, row(1), row(2, month="2018-11"), row(3, month="2018-09")],
    "padded_text.csv": [HEADER, row(1, name=" Southampton 023C\u00a0", month=" 2018-10 "),
                        row(2, lon=" -1.5 ", context="  ")],
    "lower_headers.csv": [HEADER.lower(), row(1), ASB],
    "extra_column.csv": [HEADER + ",Note", row(1) + ",x", ASB + ","],
    "personal_context.csv": [HEADER, row(1, context="ring 023 8083 2000"),
                             row(2, context="someone@example.org")],
    "quoted.csv": [HEADER, row(1, location='"On or near High Street, Bargate"')],
    # bad files: refused, with the same failure rows
    "bad_month.csv": [HEADER, row(1), row(2, month="2018-13"), row(3, month="2018-1"),
                      row(4, month="Oct 2018")],
    "future_month.csv": [HEADER, row(1), row(2, month="2019-07"), row(3, month="2030-01")],
    "blank_month.csv": [HEADER, row(1), row(2, month="")],
    "only_bad_months.csv": [HEADER, row(1, month="soon"), row(2, month="")],
    "bad_longitude.csv": [HEADER, row(1, lon="abc"), row(2, lon="200.5"), row(3, lat="-91"),
                          row(4, lon="1e3"), row(5, lat="NaN")],
    "missing_required.csv": [HEADER, row(1, force=""), row(2, crime_type=""),
                             row(3, force="  ")],
    "unknown_crime_type.csv": [HEADER, row(1, crime_type="Jaywalking"), row(2)],
    "lsoa_mismatch.csv": [HEADER, row(1, name=""), row(2, code=""), row(3, code="X0101")],
    "many_failures.csv": [HEADER, *(row(i, lon="x1", month="2018-13") for i in range(250))],
    # files the DuckDB route hands back to the pandas path (or mirrors, if it can)
    "suppressed_longitude.csv": [HEADER, row(1, lon="*"), row(2, lat="x")],
    "thousands_longitude.csv": [HEADER, row(1, lon='"1,000"'), row(2)],
    "long_number.csv": [HEADER, row(1, lat="50.90912345678901234567"), row(2)],
    "integer_coordinates.csv": [HEADER, row(1, lon="-0", lat="51"), row(2, lon="-2", lat="50")],
    "blank_line.csv": [HEADER, row(1), "", row(2)],
    "total_row.csv": [HEADER, row(1), "Total,,,,,,,,,,,"],
    "short_row.csv": [HEADER, row(1), cid(2) + ",2018-10"],
}
#: Files the DuckDB route must not take (anything else it must mirror exactly).
PANDAS_ONLY = {"suppressed_longitude.csv", "thousands_longitude.csv", "blank_line.csv",
               "total_row.csv"}


def _pandas_ingest(con, path: Path, run_id: str):
    result = validate_file(path, today=TODAY)
    if result.ok:
        load_frame(con, result.source, result.frame, file_name=path.name, sha256=path.name,
                   run_id=run_id, period=result.period_label, notes="; ".join(result.notes))
    return result


def _state(con) -> dict[str, pd.DataFrame]:
    """Everything a load leaves behind: live rows, archived rows, the ledger."""
    return {
        "live": con.execute("select * from raw_police_uk_street order by batch_id, source_row")
        .df(),
        "history": con.execute("select * exclude (archived_at) from raw_police_uk_street_history "
                               "order by batch_id, source_row").df(),
        "ledger": con.execute("select batch_id, run_id, source, file_name, sha256, rows, period, "
                              "status, superseded_by, notes from load_batches order by batch_id")
        .df(),
    }


def _assert_same_state(got, expected) -> None:
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=True, obj=name)


def _same_outcome(expected, got) -> None:
    assert expected.source.name == "police_uk_street"
    same_as_pandas(expected, got)


@pytest.mark.parametrize("name", sorted(CASES))
def test_police_uk_files_reach_the_pandas_outcome(tmp_path, name):
    path = tmp_path / name
    path.write_text("\r\n".join(CASES[name]) + "\r\n")  # the real files have CRLF line ends
    pandas_con = connect(":memory:")
    expected = _pandas_ingest(pandas_con, path, "run")

    exact = vd.validate_csv(connect(":memory:"), path, today=TODAY)
    duck_con = connect(":memory:")
    fast = vd.ingest_csv(duck_con, path, sha256=path.name, run_id="run", today=TODAY)
    if name in PANDAS_ONLY:
        assert exact is None and fast is None
        return
    assert exact is not None and fast is not None, "the DuckDB route should mirror this file"
    _same_outcome(expected, exact)
    result, outcome = fast
    _same_outcome(expected, result)
    assert (outcome is not None) == expected.ok
    _assert_same_state(_state(duck_con), _state(pandas_con))


def test_the_cases_say_what_they_should(tmp_path):
    """The comparison above is only worth something if the files do what their names say."""
    def outcome(name: str):
        path = tmp_path / name
        path.write_text("\r\n".join(CASES[name]) + "\r\n")
        return vd.validate_csv(connect(":memory:"), path, today=TODAY)

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
    # row() puts the force in both 'Reported by' and 'Falls within'; '  ' is blank once stripped
    assert sorted(zip(missing["row"], missing["column"], missing["check"], strict=True)) == [
        (2, "Falls within", "value present"), (2, "Reported by", "value present"),
        (3, "Crime type", "value present"), (4, "Falls within", "value present"),
        (4, "Reported by", "value present")]
    many = outcome("many_failures.csv").failures
    assert (many["check"] == "parse as float").sum() == vd.PARSE_FAILURES_PER_COLUMN


def _takes_clean_route(path: Path) -> bool:
    prepared = vd._prepare(path)
    assert prepared is not None
    return vd._ingest_clean(connect(":memory:"), prepared, sha256="s", run_id="r", today=TODAY,
                            loaded_at=None) is not None


def test_clean_files_take_the_one_read_route_and_others_do_not(tmp_path):
    """The clean route (one read straight into the raw table) takes canonical files; anything
    it cannot vouch for (bad, future or padded months, integer or long coordinates) is rolled
    back and left to the exact route, which the comparison above checks."""
    routes = {}
    for name in ("2018-10-hampshire-street.csv", "two_months.csv", "repeated_ids.csv",
                 "bad_month.csv", "future_month.csv", "padded_text.csv",
                 "integer_coordinates.csv", "long_number.csv", "bad_longitude.csv",
                 "lsoa_mismatch.csv", "unknown_crime_type.csv"):
        path = tmp_path / name
        path.write_text("\r\n".join(CASES[name]) + "\r\n")
        routes[name] = _takes_clean_route(path)
    assert {n for n, clean in routes.items() if clean} == {
        "2018-10-hampshire-street.csv", "two_months.csv", "repeated_ids.csv"}


def test_canonical_float_text_parses_as_the_pandas_path_parses_it():
    """The clean route casts canonical coordinates (``-?d{1,3}.d{1,12}``) in SQL: bit for bit
    the double ``validation._parse`` gives; anything else is marked (NaN) as not canonical."""
    import random

    import numpy as np

    from scp_metrics.ingest.validation import _parse
    from scp_metrics.sources import SOURCES_BY_NAME

    rng = random.Random(20181001)
    texts = ["-0.0", "0.000000000001", "-179.999999999999", "999.999999999999", "50.909",
             "0.1", "-1.145148", "51.353137"]
    for _ in range(20000):
        whole, frac = rng.randint(1, 3), rng.randint(1, 12)
        texts.append(("-" if rng.random() < 0.5 else "")
                     + "".join(rng.choice("0123456789") for _ in range(whole)) + "."
                     + "".join(rng.choice("0123456789") for _ in range(frac)))
    column = SOURCES_BY_NAME["police_uk_street"].column("longitude")
    expected = _parse(column, pd.Series(texts, dtype=object))[0].to_numpy(dtype="float64")
    con = connect(":memory:")
    con.register("t", pd.DataFrame({"i": range(len(texts)), "c": texts}))
    sql = vd._canonical(column, "t.c")
    got = con.execute(f"select {sql} as v from t order by i").df()["v"].to_numpy()
    assert np.array_equal(got.view("u8"), expected.view("u8"))  # signs of zero too
    odd = ["1e3", " 1.5", "51", "1.1234567890123", "1234.5", "+1.5", ".5", "1,5", "NaN"]
    con.register("o", pd.DataFrame({"c": odd}))
    assert all(v != v for (v,) in con.execute(
        f"select {vd._canonical(column, 'o.c')} from o").fetchall())


@pytest.mark.parametrize("route", ["clean", "exact"])
def test_a_reissued_force_month_replaces_only_that_force_month(tmp_path, route):
    """Run 1 loads Hampshire and Sussex for 2018-10; run 2 re-issues Hampshire 2018-10 (and
    brings Hampshire 2018-11): only Hampshire's 2018-10 rows move to history, on both paths.
    ``exact``: an integer latitude (not canonical) sends every file through validate_csv and
    load_staged instead of the clean route."""
    def write(name: str, rows: list[str]) -> Path:
        path = tmp_path / name
        if route == "exact":
            rows = [*rows, row(99, lat="51", month=rows[0].split(",")[1],
                               force=rows[0].split(",")[2])]
        path.write_text("\n".join([HEADER, *rows]) + "\n")
        assert _takes_clean_route(path) == (route == "clean")
        return path

    deliveries = [
        (write("2018-10-hampshire-street.csv", [row(1), row(2), ASB]), "r1"),
        (write("2018-10-sussex-street.csv", [row(11, force=SUSSEX), row(12, force=SUSSEX)]), "r1"),
        (write("2018-10-hampshire-street-v2.csv", [row(1), ASB, ASB, row(4)]), "r2"),
        (write("2018-11-hampshire-street.csv", [row(5, month="2018-11")]), "r2"),
        # the same run adds up (a month in two parts is not replaced by its second part)
        (write("2018-11-hampshire-street-part2.csv", [row(6, month="2018-11")]), "r2"),
    ]
    pandas_con, duck_con = connect(":memory:"), connect(":memory:")
    for path, run_id in deliveries:
        expected = _pandas_ingest(pandas_con, path, run_id)
        fast = vd.ingest_csv(duck_con, path, sha256=path.name, run_id=run_id, today=TODAY)
        assert fast is not None and fast[1] is not None
        _same_outcome(expected, fast[0])
    state = _state(duck_con)
    _assert_same_state(state, _state(pandas_con))
    extra = 1 if route == "exact" else 0  # the row(99) each file then carries
    live = state["live"].groupby(["falls_within", "month"]).size().to_dict()
    assert live == {(HANTS, "2018-10"): 4 + extra, (SUSSEX, "2018-10"): 2 + extra,
                    (HANTS, "2018-11"): 2 + 2 * extra}
    assert len(state["history"]) == 3 + extra and set(state["history"]["batch_id"]) == {1}
    assert list(state["ledger"]["status"]) == ["superseded", "loaded", "loaded", "loaded",
                                               "loaded"]


def test_a_refresh_takes_the_duckdb_route_for_police_uk(tmp_path, settings_for, monkeypatch):
    path = tmp_path / "raw" / "2018-10-hampshire-street.csv"
    path.parent.mkdir()
    path.write_text("\r\n".join(GOOD) + "\r\n")
    monkeypatch.setattr(vd, "MIN_BYTES", 0)

    def pandas_path(*args, **kwargs):
        raise AssertionError("the pandas path was taken")

    monkeypatch.setattr(refresh, "validate_file", pandas_path)
    settings = settings_for(path.parent)
    con = connect(settings.warehouse)
    outcome = refresh.ingest_file(con, path, settings, "run", today=TODAY)
    assert outcome.status == "loaded" and outcome.rows == 6 and outcome.period == "2018-10"
    assert con.execute("select count(*) from raw_police_uk_street").fetchall()[0][0] == 6


@pytest.mark.parametrize("folder, name", [
    ("hampshire", "2017-02-hampshire-street.csv.gz"),
    ("hampshire", "2018-10-hampshire-street.csv.gz"),
    ("comparator_forces", "2018-10-avon-and-somerset-street.csv.gz"),
    ("comparator_forces", "2018-10-thames-valley-street.csv.gz"),
])
def test_real_police_uk_files_load_the_same_rows(tmp_path, folder, name):
    """Real files (blank and exact-duplicate ASB rows, rows without a location): unzipped, as
    a refresh takes plain CSVs into DuckDB; same outcome and rows as the pandas path."""
    source = shared_or_skip("realdata", "police_uk_street", folder, name)
    path = tmp_path / name.removesuffix(".gz")
    path.write_bytes(gzip.decompress(source.read_bytes()))
    pandas_con = connect(":memory:")
    expected = _pandas_ingest(pandas_con, path, "run")
    duck_con = connect(":memory:")
    fast = vd.ingest_csv(duck_con, path, sha256=path.name, run_id="run", today=TODAY)
    assert fast is not None and fast[1] is not None and expected.ok
    _same_outcome(expected, fast[0])
    assert any("without a Crime ID" in n for n in expected.notes)
    _assert_same_state(_state(duck_con), _state(pandas_con))
