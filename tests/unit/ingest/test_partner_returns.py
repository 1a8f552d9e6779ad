"""Issue 19 item 2: partner returns and action status returns validated like every extract.

Refusals name the file, the row (the file's line: the header is line 1) and the column; a
re-sent return replaces the same indicator, agency and quarter; two files of one run with the
same key are both refused and every table is left as it was."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scp_metrics.ingest.engine import validate_file
from scp_metrics.settings import DEFAULT_CONFIG_DIR, get_settings
from scp_metrics.steps import ingest_files
from scp_metrics.warehouse import connect, table_checksums

HEADER = ["Indicator", "Financial Year", "Financial Quarter", "Agency", "Numerator",
          "Denominator", "Value", "Published Lower", "Published Upper", "Age Band",
          "Standard Population", "Note"]
STATUS_HEADER = ["Action ID", "Financial Year", "Financial Quarter", "Status", "RAG",
                 "Status Date", "Note"]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def row(indicator="NI111", year="2009/10", quarter="3", agency="Wessex YOT", numerator="320",
        denominator="22600", value="", lower="", upper="", band="", standard="", note=""):
    return [indicator, year, quarter, agency, numerator, denominator, value, lower, upper, band,
            standard, note]


def failures(path: Path) -> list[tuple[int, str, str]]:
    result = validate_file(path, config_dir=DEFAULT_CONFIG_DIR)
    return sorted((int(r["row"]), str(r["column"]), str(r["check"]))
                  for r in result.failures.to_dict("records"))


def test_a_good_return_is_recognised_and_placed_in_its_quarter(tmp_path):
    path = write(tmp_path / "yot.csv", HEADER, [row(), row("NI19", numerator="440",
                                                          denominator="423")])
    result = validate_file(path, config_dir=DEFAULT_CONFIG_DIR)
    assert result.source.name == "partner_returns"
    assert result.failures.empty
    assert result.period_label == "2009/10 Q3"


def test_an_unknown_indicator_is_refused_naming_file_row_and_column(tmp_path):
    path = write(tmp_path / "yot.csv", HEADER, [row(), row("NI999")])
    result = validate_file(path, config_dir=DEFAULT_CONFIG_DIR)
    bad = result.failures.to_dict("records")
    assert [(r["file"], r["row"], r["column"], r["value"]) for r in bad] == \
        [("yot.csv", 3, "Indicator", "NI999")]
    assert "kpi_register.toml" in bad[0]["check"]


def test_a_repeated_key_and_half_an_interval_are_refused(tmp_path):
    path = write(tmp_path / "dat.csv", HEADER, [
        row("NI40", agency="DAT", numerator="1131", denominator=""),
        row("NI40", agency="DAT", numerator="1140", denominator=""),
        row("NI39", agency="SCPCT", numerator="", denominator="", value="1851", lower="1809.5"),
        row("NI110", agency="SCC", numerator="", denominator="", value=""),
    ])
    got = failures(path)
    assert (2, "Indicator", "one row per indicator, year, quarter, agency and age band") in got
    assert (3, "Indicator", "one row per indicator, year, quarter, agency and age band") in got
    assert (4, "Published Upper", "a published interval has both limits, lower <= upper") in got
    assert (5, "Value", "a value, or a numerator, is given") in got
    assert len(got) == 4


def test_an_action_status_with_an_unknown_action_or_status_is_refused(tmp_path):
    path = write(tmp_path / "pmg.csv", STATUS_HEADER, [
        ["1/general/1", "2010/11", "1", "On track", "Green", "20/07/2010", ""],
        ["9/general/1", "2010/11", "1", "On track", "", "", ""],
        ["1/general/2", "2010/11", "1", "Finished", "", "", ""],
    ])
    result = validate_file(path, config_dir=DEFAULT_CONFIG_DIR)
    assert result.source.name == "action_status"
    got = sorted((int(r["row"]), r["column"], r["value"]) for r in result.failures.to_dict("records"))
    assert got == [(3, "Action ID", "9/general/1"), (4, "Status", "Finished")]


@pytest.fixture
def settings(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    return get_settings(raw_dir=raw, warehouse=tmp_path / "scp.duckdb",
                        quarantine_dir=tmp_path / "quarantine", outputs_dir=tmp_path / "out")


def live_rows(settings) -> list[tuple]:
    con = connect(settings.warehouse)
    try:
        return con.execute("select indicator, agency, numerator from raw_partner_returns "
                           "order by 1, 2").fetchall()
    finally:
        con.close()


def test_a_resent_return_replaces_its_indicator_and_agency_only(settings):
    first = write(settings.raw_dir / "r1.csv", HEADER, [
        row(), row("NI40", agency="DAT", numerator="1131", denominator="")])
    assert [o.status for o in ingest_files([first], settings, "run1")] == ["loaded"]
    again = write(settings.raw_dir / "r2.csv", HEADER, [row(numerator="318")])
    assert [o.status for o in ingest_files([again], settings, "run2")] == ["loaded"]
    assert live_rows(settings) == [("NI111", "Wessex YOT", 318.0), ("NI40", "DAT", 1131.0)]


def test_two_files_of_one_run_with_the_same_key_are_both_refused(settings):
    con = connect(settings.warehouse)
    before = table_checksums(con)
    con.close()
    a = write(settings.raw_dir / "a.csv", HEADER, [row()])
    b = write(settings.raw_dir / "b.csv", HEADER, [row(numerator="321")])
    outcomes = ingest_files([a, b], settings, "run1")
    assert [o.status for o in outcomes] == ["quarantined", "quarantined"]
    con = connect(settings.warehouse)
    try:
        assert table_checksums(con) == before
    finally:
        con.close()


def test_a_refusal_lists_its_problems_in_file_order_everywhere(settings, monkeypatch, capsys):
    """Row 3 has an unknown KPI id (column 1) and a published interval without its upper limit
    (column 9); row 4 has no figure (column 7). The checks find them in another order (the
    dataframe checks, then the columns); every listing reads them as the file does: row 3's
    Indicator, row 3's Published Upper, row 4's Value, and the console's first line names row 3."""
    from scp_metrics.cli import main

    path = write(settings.raw_dir / "yot.csv", HEADER, [
        row(),
        row("NI999", lower="300", value="310"),
        row(agency="SCC", numerator="", denominator=""),
    ])
    expected = [(3, "Indicator"), (3, "Published Upper"), (4, "Value")]
    result = validate_file(path, config_dir=DEFAULT_CONFIG_DIR)
    assert [(int(r["row"]), r["column"]) for r in result.failures.to_dict("records")] == expected

    code = main(["validate", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    where = [out.index(f" {column} ") for _, column in expected]
    assert where == sorted(where), out

    monkeypatch.setenv("SCP_QUARANTINE_DIR", str(settings.quarantine_dir))
    code = main(["refresh", "--engine", "local", "--raw-dir", str(settings.raw_dir),
                 "--warehouse", str(settings.warehouse), "--wait", "0", "--no-publish"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "refused yot.csv: 3 problem(s), first: row 3, column Indicator, known KPI id" in out
    folder = next(settings.quarantine_dir.iterdir())
    with open(folder / "yot.csv.report.csv", newline="") as fh:
        report = list(csv.DictReader(fh))
    assert [(int(r["row"]), r["column"]) for r in report] == expected
    md = (folder / "yot.csv.report.md").read_text().splitlines()
    table = [line.split(" | ")[:2] for line in md if line.startswith("| 3 ") or
             line.startswith("| 4 ")]
    assert [(int(r.strip("| ")), c) for r, c in table] == expected
