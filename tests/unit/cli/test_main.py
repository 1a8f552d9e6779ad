"""The command line as a user meets it: exit codes and one-sentence errors."""

from scp_metrics.cli import main


def test_validate_says_ok_for_a_good_file_and_exits_zero(mini_raw, capsys):
    code = main(["validate", str(mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "OK    police_recorded_crime_E06000045_2009-10_Q1.csv: Police recorded crime" in out
    assert "4 rows, 2009/10 Q1" in out


def test_validate_lists_row_column_and_check_for_a_bad_file_and_exits_one(tmp_path, mini_raw, capsys):
    text = (mini_raw / "ho_csp_recorded_crime_2009-10_Q1.csv").read_text()
    bad = tmp_path / "ho_bad.csv"
    bad.write_text(text.replace(",310\n", ",-310\n"))
    code = main(["validate", str(bad)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  ho_bad.csv: Home Office CSP recorded crime table, 1 problem(s)" in out
    assert "Offence Count" in out and "-310" in out and "greater_than_or_equal_to(0)" in out
    assert "nothing was loaded" in out


def test_a_missing_file_is_one_sentence_not_a_traceback(capsys):
    code = main(["validate", "/no/such/file.csv"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "error: /no/such/file.csv: no such file"


def test_indicators_without_a_warehouse_explains_what_to_run(tmp_path, capsys):
    code = main(["indicators", "--warehouse", str(tmp_path / "none.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    assert "run 'scp-metrics refresh' first" in err


def test_local_refresh_then_indicators_as_csv(mini_raw, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCP_QUARANTINE_DIR", str(tmp_path / "q"))
    monkeypatch.setenv("SCP_OUTPUTS_DIR", str(tmp_path / "out"))
    wh = str(tmp_path / "scp.duckdb")
    assert main(["refresh", "--engine", "local", "--raw-dir", str(mini_raw), "--warehouse", wh,
                 "--no-publish"]) == 0
    assert "4 files loaded (15 rows); 0 unchanged; 0 refused" in capsys.readouterr().out
    # (publishing what a --no-publish run left unpublished: tests/unit/test_steps.py, with stubs)
    assert main(["refresh", "--engine", "local", "--raw-dir", str(mini_raw), "--warehouse", wh,
                 "--no-publish"]) == 0
    assert "Nothing changed: all 4 files were already loaded" in capsys.readouterr().out
    assert main(["indicators", "--warehouse", wh, "--area", "E06000044", "--indicator",
                 "all_crime", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("indicator_id,area_code,area_name,period_type")
    assert len(lines) == 3  # fytd and quarter for 2009/10 Q1
    assert ",1514,197700," in lines[1]


def test_help_lists_every_command(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("sample", "validate", "refresh", "indicators", "spc", "trend", "rank", "project",
                    "backtest", "charts", "report", "workbook", "quality", "history", "restore"):
        assert f"    {command}" in out, command
