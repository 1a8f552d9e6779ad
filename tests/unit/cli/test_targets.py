"""``scp-metrics project`` and ``scp-metrics backtest`` on a small hand-made warehouse file."""

from __future__ import annotations

import io

import duckdb
import pandas as pd
import pytest

from scp_metrics.cli import main
from tests.unit.targets.test_tracking import AREA, TARGETS, mart_rows

REQUIRED = ["target_id", "indicator_id", "area_code", "as_of", "trajectory_value",
            "actual_value", "projected_year_end", "projection_lower_80", "projection_upper_80",
            "projection_lower_95", "projection_upper_95", "method", "target_value", "rag",
            "probability_met"]


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    (tmp_path / "targets.toml").write_text(TARGETS)
    monkeypatch.setenv("SCP_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SCP_HOME_AREA", AREA)
    path = tmp_path / "scp.duckdb"
    con = duckdb.connect(str(path))
    con.register("m", pd.DataFrame(mart_rows("events", "count") + mart_rows("crimes", "rate")))
    con.execute("create table mart_indicator_values as select * from m")
    con.register("r", pd.DataFrame({"indicator_id": ["events", "crimes"],
                                    "measure": ["count", "rate"], "multiplier": [1, 1000],
                                    "unit": ["count", "rate per 1,000"],
                                    "family": ["events", "events"]}))
    con.execute("create table ref_indicators as select * from r")
    con.close()
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_project_prints_the_agreed_columns_for_any_as_of_month(warehouse, capsys):
    code, out, _ = run(capsys, "project", "--as-of", "2009-12", "--format", "csv",
                       "--warehouse", warehouse)
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns[:len(REQUIRED)]) == REQUIRED
    row = frame.set_index("target_id").loc["count_down_10"]
    assert row["projected_year_end"] == pytest.approx(960.0) and row["rag"] == "green"
    code, out, _ = run(capsys, "project", "--as-of", "2009-06", "--format", "csv",
                       "--warehouse", warehouse)
    earlier = pd.read_csv(io.StringIO(out)).set_index("target_id").loc["count_down_10"]
    assert earlier["actual_value"] == 240.0 and earlier["as_of"] == "2009-06-30"


def test_project_table_explains_each_row(warehouse, capsys):
    code, out, _ = run(capsys, "project", "--as-of", "2009-12", "--target", "stretch_26",
                       "--wide", "--warehouse", warehouse)
    assert code == 0
    assert out.startswith("| target_id | indicator_id |")
    assert "stretch_pct_achieved" in out and "66.04" in out and "363,207.55" in out
    assert "stretch_26: pro_rata: the backtest could not choose" in out


def test_project_for_one_indicator_lists_every_method(warehouse, capsys):
    code, out, _ = run(capsys, "project", "--as-of", "2009-12", "--indicator", "events",
                       "--format", "csv", "--warehouse", warehouse)
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame["method"]) == ["pro_rata", "seasonal_share", "carry_forward",
                                     "poisson_glm", "ets"]
    assert frame.loc[0, "projected_year_end"] == pytest.approx(960.0)


def test_backtest_csv_has_exactly_the_agreed_columns(warehouse, capsys):
    code, out, _ = run(capsys, "backtest", "--format", "csv", "--indicator", "events",
                       "--warehouse", warehouse)
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["indicator_id", "area_code", "method", "n", "mape",
                                   "bias_pct", "coverage_80", "coverage_95", "chosen",
                                   "interval_score"]
    assert set(table["indicator_id"]) == {"events"}
    # flat history: 2008/09 is scored (calibrated on 2007/08's 22 errors of the two series);
    # pro_rata is exact there and its interval is the raw one, catching every outturn
    row = table.set_index("method").loc["pro_rata"]
    assert row["n"] == 11 and row["mape"] == 0.0 and row["coverage_80"] == 100.0


def test_project_table_shows_probabilities_as_words_never_0_or_100_percent(warehouse, capsys):
    code, out, _ = run(capsys, "project", "--as-of", "2009-12", "--warehouse", warehouse)
    assert code == 0
    lines = {line.split(" | ")[0].strip("| "): line for line in out.splitlines()
             if line.startswith("| ")}
    # probability_met: 1 - 0.5 / 45 / 2 = 0.9944 (test_tracking) and its complement
    assert lines["count_down_10"].split(" | ")[15] == "99%"
    assert lines["stretch_26"].split(" | ")[15] == "1%"
    table = "\n".join(lines.values())
    assert " 0% " not in table and "100%" not in table and "1.00 |" not in table


def test_a_bad_month_is_one_clear_sentence(warehouse, capsys):
    code, _, err = run(capsys, "project", "--as-of", "2009-13", "--warehouse", warehouse)
    assert code == 2 and "is not a month (YYYY-MM)" in err
    code, _, err = run(capsys, "backtest", "--origins", "0,12", "--warehouse", warehouse)
    assert code == 2 and "--origins" in err
