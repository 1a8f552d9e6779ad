"""Issue 18's reproduction: the hospital's ISTV extract arrives a month ahead of the police
extract. January 2010 only of Q4 (39 attendances moved from the sample's Q3 file, reporting
period 2010-01-01 … 2010-03-31) refreshed on top of the sample warehouse must load, build,
publish and exit 0; ED indicators run to January 2010 and police ones to December 2009, each
labelled so in the marts, the report, the workbook and ``scp-metrics project``."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest
from openpyxl import load_workbook

from scp_metrics.cli import main
from tests.conftest import query

pytestmark = pytest.mark.e2e

MOVED = 39


def _january_only(sample_raw, folder):
    """The sample's Q3 ISTV file cut to its first 39 attendances, moved to January 2010."""
    source = sample_raw / "istv" / "istv_ed_assaults_RHM01_2009-10_Q3.csv"
    with open(source, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:MOVED + 1]
    assert all(r[3].startswith("2009-10-") for r in body)  # October's first days
    moved = []
    for r in body:
        r = list(r)
        r[0], r[1] = "2010-01-01", "2010-03-31"
        r[3], r[4] = (v.replace("2009-10-", "2010-01-") for v in (r[3], r[4]))
        moved.append(r)
    folder.mkdir(parents=True)
    target = folder / "istv_ed_assaults_RHM01_2009-10_Q4.csv"
    with open(target, "w", newline="") as fh:
        csv.writer(fh).writerows([header, *moved])
    return target


@pytest.fixture(scope="module")
def ahead(sample_refresh, sample_raw, tmp_path_factory):
    settings, _ = sample_refresh
    base = tmp_path_factory.mktemp("out_of_step")
    warehouse = base / "scp.duckdb"
    shutil.copy(settings.warehouse, warehouse)
    raw = base / "raw"
    _january_only(sample_raw, raw)
    # The sample's chart pack alone (no report, workbook or CSVs) where the refresh publishes,
    # as a partnership's folder holds last month's: unchanged charts are copied, not redrawn.
    shutil.copytree(settings.outputs_dir / "2009-12" / "charts", base / "outputs" / "2009-12" / "charts")
    code = main(["refresh", "--engine", "local", "--raw-dir", str(raw), "--warehouse",
                 str(warehouse), "--outputs", str(base / "outputs"), "--wait", "0"])
    return code, warehouse, base / "outputs"


def test_the_refresh_with_an_ed_file_a_month_ahead_exits_0_and_publishes(ahead):
    code, warehouse, outputs = ahead
    assert code == 0
    assert [p.name for p in outputs.iterdir()] == ["2009-12"]  # dated by the police data
    folder = outputs / "2009-12"
    for name in ("year_end_projection_report_2009-12.html", "year_end_projection_report_2009-12.pdf",
                 "scp_metrics_tables_2009-12.xlsx", "mart_indicator_as_of.csv",
                 "refresh_summary.md"):
        assert (folder / name).is_file(), name
    ledger = query(warehouse, "select period, rows, status from load_batches "
                              "where file_name = 'istv_ed_assaults_RHM01_2009-10_Q4.csv'")
    assert ledger.values.tolist() == [["2009/10 Q4", MOVED, "loaded"]]


def test_ed_indicators_run_to_january_and_police_ones_to_december_each_labelled(ahead):
    _, warehouse, _ = ahead
    own = query(warehouse, "select indicator_id, as_of, label from mart_indicator_as_of "
                           "where area_code = 'E06000045' and indicator_id in "
                           "('ed_assaults_night', 'all_crime', 'vap') order by 1")
    own["as_of"] = own["as_of"].dt.date
    assert own.values.tolist() == [
        ["all_crime", date(2009, 12, 31), "police data to Dec 2009"],
        ["ed_assaults_night", date(2010, 1, 31), "ED data to Jan 2010"],
        ["vap", date(2009, 12, 31), "police data to Dec 2009"]]
    # January alone is ED data: February and March are not delivered, so not zero months
    months = query(warehouse, "select period_start from mart_indicator_values where indicator_id"
                              " = 'ed_assaults_night' and area_code = 'E06000045' and "
                              "period_type = 'month' and period_start >= '2009-12-01' order by 1")
    assert months["period_start"].dt.date.tolist() == [date(2009, 12, 1), date(2010, 1, 1)]
    targets = query(warehouse, "select target_id, as_of, series_status from mart_target_tracking "
                               "where target_id in ('ed_assaults_night_stretch', "
                               "'all_crime_2009_10') order by 1")
    targets["as_of"] = targets["as_of"].dt.date
    assert targets.values.tolist() == [["all_crime_2009_10", date(2009, 12, 31), "ok"],
                                       ["ed_assaults_night_stretch", date(2010, 1, 31), "ok"]]


def test_the_report_workbook_and_project_state_each_indicators_month(ahead, capsys):
    _, warehouse, outputs = ahead
    folder = outputs / "2009-12"
    html = (folder / "year_end_projection_report_2009-12.html").read_text()
    assert "police data to Dec 2009" in html and "ED data to Jan 2010" in html
    book = load_workbook(folder / "scp_metrics_tables_2009-12.xlsx", read_only=True)
    rows = list(book["Data_to"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "indicator_id")  # below title rows
    labels = {r[0]: r[-1] for r in rows[header + 1:]}
    assert labels["ed_assaults_night"] == "ED data to Jan 2010"
    assert labels["all_crime"] == "police data to Dec 2009"
    assert main(["project", "--warehouse", str(warehouse)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "ED data to Jan 2010: ed_assaults_night" in out
    assert "police data to Dec 2009: all_crime" in out
