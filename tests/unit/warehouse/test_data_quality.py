"""mart_data_quality on an in-memory DuckDB built from the mini fixtures."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pandas as pd
import pytest

from scp_metrics.config.data_quality import read_thresholds
from scp_metrics.ingest.engine import validate_file
from scp_metrics.settings import get_settings
from scp_metrics.warehouse import connect
from scp_metrics.warehouse.build import build_models
from scp_metrics.warehouse.load import load_frame
from scp_metrics.warehouse.marts.data_quality import COLUMNS

HOME = "E06000045"


@pytest.fixture
def con(mini_raw):
    connection = connect(":memory:")
    for path in sorted(mini_raw.iterdir()):
        result = validate_file(path, config_dir=get_settings().config_dir, today=date(2010, 1, 15))
        assert result.ok, result.failures
        load_frame(connection, result.source, result.frame, file_name=path.name,
                   sha256=path.name, run_id="run1", period=result.period_label)
    yield connection
    connection.close()


def quality(con, settings=None, **where):
    build_models(con, settings or get_settings(home_area=HOME))
    clause = " and ".join(f"{k} = ?" for k in where) or "true"
    return con.execute(f"select * from mart_data_quality where {clause} "
                       "order by check_id, indicator_id, period_start", list(where.values())).df()


def reconciliation(frame):
    rows = frame[frame["check_id"] == "reconcile_record_level_vs_csp"].set_index("indicator_id")
    return rows[["record_level_value", "published_value", "difference_pct", "severity"]]


def test_the_mart_has_the_contract_columns(con):
    assert quality(con).columns.tolist() == COLUMNS


def test_a_quarter_in_both_sources_is_reconciled_per_indicator_and_differences_flagged(con):
    rows = reconciliation(quality(con))
    # 2009/10 Q1: the extract holds 8G, 46, 28 and 105A; the CSP table only 8G (1 offence)
    assert rows.loc["all_crime"].tolist() == [4.0, 1.0, -75.0, "warning"]
    assert rows.loc["vap"].tolist() == [2.0, 1.0, -50.0, "warning"]
    assert rows.loc["dwelling_burglary"].tolist() == [1.0, 0.0, -100.0, "warning"]
    assert rows.loc["NI20"].tolist() == [1.0, 1.0, 0.0, "ok"]
    assert rows.loc["NI15"].tolist() == [0.0, 0.0, 0.0, "ok"]
    assert len(rows) == 12  # every offence-code indicator, once


def test_only_quarters_both_sources_cover_are_compared(con):
    frame = quality(con, check_id="reconcile_record_level_vs_csp")
    assert set(frame["period_start"]) == {pd.Timestamp("2009-04-01")}  # Q2 has no CSP table
    assert set(frame["period_end"]) == {pd.Timestamp("2009-06-30")}
    assert set(frame["area_code"]) == {HOME}


def test_the_finding_names_the_quarter_and_the_code_that_differs_most(con):
    frame = quality(con, check_id="reconcile_record_level_vs_csp", indicator_id="vap")
    assert frame["message"].tolist() == [
        "Home Office CSP table 1 vs record-level extract 2 (-1, -50.00%, threshold 1%) for "
        "2009/10 Q1; largest code difference: 105A (-1)"]


def test_the_threshold_comes_from_config(con, tmp_path):
    cfg = tmp_path / "config"
    shutil.copytree(get_settings().config_dir, cfg)
    text = (cfg / "data_quality.toml").read_text().replace("threshold_pct = 1.0",
                                                           "threshold_pct = 80.0")
    (cfg / "data_quality.toml").write_text(text)
    assert read_thresholds(cfg).reconciliation_threshold_pct == 80.0
    rows = reconciliation(quality(con, get_settings(home_area=HOME, config_dir=cfg)))
    assert rows.loc["all_crime", "severity"] == "ok"  # −75% is inside ±80%
    assert rows.loc["dwelling_burglary", "severity"] == "warning"  # −100% is not


def test_a_small_difference_within_one_percent_is_not_a_finding(con):
    # 200 more burglaries in the extract and 201 in the table: +0.5%
    con.execute("""
        insert into raw_police_crime (crime_reference, recorded_date, offence_code, period_start,
                                      batch_id, source_row)
        select '44/9' || lpad(i::varchar, 5, '0') || '/09', date '2009-05-01', '28',
               date '2009-04-01', 99, i
        from range(199) t(i)
    """)
    con.execute("update raw_ho_csp_crime set number_of_offences = 201 "
                "where csp_name = 'Southampton'")
    con.execute("update raw_ho_csp_crime set offence_code = '28' where csp_name = 'Southampton'")
    rows = reconciliation(quality(con))
    assert rows.loc["dwelling_burglary"].tolist()[:3] == [200.0, 201.0, 0.5]
    assert rows.loc["dwelling_burglary", "severity"] == "ok"


def test_all_csp_names_mapping_is_recorded_as_one_ok_row(con):
    frame = quality(con, check_id="csp_name_unmapped")
    assert frame[["record_level_value", "severity"]].values.tolist() == [[0.0, "ok"]]
    assert frame["message"].tolist() == ["every CSP name in the 4 CSP-table rows maps to an area"]


def test_a_csp_name_that_does_not_map_is_a_warning(con):
    con.execute("insert into raw_ho_csp_crime (csp_name, offence_code, number_of_offences, "
                "period_start, batch_id, source_row) values "
                "('Atlantis', '28', 5, date '2009-04-01', 98, 1), "
                "('Atlantis', '45', 2, date '2009-04-01', 98, 2)")
    frame = quality(con, check_id="csp_name_unmapped")
    assert frame[["record_level_value", "severity"]].values.tolist() == [[2.0, "warning"]]
    assert "'Atlantis'" in frame["message"][0]


def test_ed_attendances_without_an_assault_time_are_counted_per_quarter(con):
    rows = pd.DataFrame({
        "site_code": "RHM01",
        "period_start": [date(2009, 4, 1)] * 4 + [date(2009, 7, 1)] * 2,
        "arrival_datetime": [datetime(2009, 4, 2, 1, 0)] * 4 + [datetime(2009, 7, 3, 2, 0)] * 2,
        "assault_datetime": [datetime(2009, 4, 1, 23, 0), None, None, datetime(2009, 4, 2, 0, 30),
                             None, datetime(2009, 7, 2, 22, 0)],
        "batch_id": 97, "source_row": range(2, 8)})
    con.register("istv", rows)
    con.execute("insert into raw_istv by name select * from istv")
    frame = quality(con, check_id="ed_assault_time_missing")
    assert frame[["period_start", "record_level_value", "published_value", "difference_pct",
                  "severity"]].values.tolist() == [
        [pd.Timestamp("2009-04-01"), 2.0, 4.0, 50.0, "warning"],  # above the configured 10%
        [pd.Timestamp("2009-07-01"), 1.0, 2.0, 50.0, "warning"]]
    assert frame["message"][0] == ("2 of 4 ED assault attendances (50.0%) have no assault time "
                                   "and are not counted in ed_assaults_night")
    assert set(frame["indicator_id"]) == {"ed_assaults_night"}


def test_the_quality_command_lists_findings_first_and_hides_passed_checks(mini_raw, tmp_path,
                                                                        monkeypatch, capsys):
    from scp_metrics.cli import main

    monkeypatch.setenv("SCP_QUARANTINE_DIR", str(tmp_path / "q"))
    monkeypatch.setenv("SCP_OUTPUTS_DIR", str(tmp_path / "out"))
    wh = str(tmp_path / "scp.duckdb")
    refresh = ["refresh", "--engine", "local", "--raw-dir", str(mini_raw), "--warehouse", wh,
            "--no-publish"]
    assert main(refresh) == 0
    capsys.readouterr()
    assert main(["quality", "--warehouse", wh, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert [line.split(",")[1] for line in lines[1:]] == [
        "NI16", "all_crime", "dwelling_burglary", "vap"]  # the four warnings, no "ok" rows
    assert main(["quality", "--warehouse", wh, "--all", "--indicator", "NI20"]) == 0
    out = capsys.readouterr().out
    assert "Data-quality checks: 4 warning, 0 info, 9 ok." in out
    assert "NI20" in out and "warning" not in out.split("ok.", 1)[1]


def test_each_quarter_names_its_own_largest_code_difference_the_first_on_a_tie():
    """The worst code per indicator and quarter (found once for all of them): the largest
    absolute difference, the first row when two codes differ by as much; a quarter whose codes
    all agree is not a finding; an indicator with no rows in a quarter counts 0 and 0."""
    from scp_metrics.warehouse.marts.data_quality import reconciliation_rows

    q1, q2 = pd.Timestamp("2009-04-01"), pd.Timestamp("2009-07-01")
    codes = pd.DataFrame({
        "indicator_id": ["ni_16"] * 5 + ["ni_20"] * 2,
        "quarter_start": [q1, q1, q1, q2, q2, q1, q1],
        "offence_code": ["28", "29", "30", "28", "29", "8L", "8G"],
        "record_level": [100, 50, 10, 100, 40, 70, 30],
        "published": [90, 60, 10, 100, 40, 40, 60],  # q1 ni_16: -10 and +10 tie; ni_20: -30, +30
    })
    rows = reconciliation_rows(codes, [q1, q2], ["ni_16", "ni_20", "ni_30"], "E06000045", 1.0)
    assert [(r["indicator_id"], r["period_start"], r["severity"]) for r in rows] == [
        ("ni_16", date(2009, 4, 1), "ok"), ("ni_16", date(2009, 7, 1), "ok"),
        ("ni_20", date(2009, 4, 1), "ok"), ("ni_20", date(2009, 7, 1), "ok"),
        ("ni_30", date(2009, 4, 1), "ok"), ("ni_30", date(2009, 7, 1), "ok")]
    codes.loc[2, "published"] = 13  # ni_16 q1: 160 -> 163 published, +1.875%
    codes.loc[6, "published"] = 61  # ni_20 q1: 100 -> 101, +1%: within the threshold
    rows = reconciliation_rows(codes, [q1], ["ni_16", "ni_20"], "E06000045", 1.0)
    assert rows[0]["severity"] == "warning"
    assert rows[0]["message"].endswith("largest code difference: 28 (-10)")  # tie: the first
    assert rows[1]["severity"] == "ok"
