"""``scp-metrics spc`` and ``scp-metrics trend`` as a user meets them."""

from __future__ import annotations

import pytest

from scp_metrics.cli import main


@pytest.fixture
def warehouse(mini_raw, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCP_QUARANTINE_DIR", str(tmp_path / "q"))
    monkeypatch.setenv("SCP_OUTPUTS_DIR", str(tmp_path / "out"))
    wh = str(tmp_path / "scp.duckdb")
    args = ["refresh", "--engine", "local", "--raw-dir", str(mini_raw), "--warehouse", wh,
            "--no-publish"]
    assert main(args) == 0
    capsys.readouterr()
    return wh


def test_spc_prints_the_chart_table_and_the_latest_points_variation(warehouse, capsys):
    code = main(["spc", "--indicator", "all_crime", "--area", "E06000045", "--warehouse",
                 warehouse])
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert code == 0
    assert "2009-04" in out and "0.00853" in out  # small monthly rates keep 3 figures
    assert "Variation (all_crime, E06000045, latest point 2009-09): " in out
    # six months of the mini extracts: too few for limits (12), a run chart, and it says so
    assert "a run chart: only 6 points since 2009-04, fewer than the 12 needed" in out


def test_spc_as_csv_keeps_stdout_a_clean_table(warehouse, capsys):
    assert main(["spc", "--indicator", "all_crime", "--area", "E06000045", "--warehouse",
                 warehouse, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert lines[0] == ("month,value,mean,lpl,upl,flag,point_type,rule,group,chart,"
                        "suggested")
    assert lines[1].split(",")[3:5] == ["", ""]  # a run chart has no limits
    assert lines[1].split(",")[9] == "run_chart"
    assert len(lines) == 7  # header + April-September 2009
    assert captured.err.startswith("Variation (all_crime")


def test_trend_says_too_few_months_rather_than_drawing_a_line(warehouse, capsys):
    assert main(["trend", "--indicator", "all_crime", "--area", "E06000045", "--warehouse",
                 warehouse]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "all_crime (E06000045): insufficient data, not fitted: fewer than 24 months" in out


def test_an_unknown_indicator_is_one_sentence_naming_what_exists(warehouse, capsys):
    code = main(["spc", "--indicator", "NI999", "--area", "E06000045", "--warehouse", warehouse])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert err.startswith("error: no monthly SPC series for indicator 'NI999' in area E06000045 "
                          "(indicators there: ")
    assert "all_crime" in err


def test_an_area_without_monthly_series_is_named(warehouse, capsys):
    assert main(["trend", "--area", "E06000044", "--warehouse", warehouse]) == 2
    assert "area E06000044 has no trend" in capsys.readouterr().err


def test_spc_without_a_warehouse_explains_what_to_run(tmp_path, capsys):
    code = main(["spc", "--indicator", "all_crime", "--area", "E06000045", "--warehouse",
                 str(tmp_path / "none.duckdb")])
    assert code == 2
    assert "run 'scp-metrics refresh' first" in capsys.readouterr().err
