"""One Prefect flow run on the embedded sample, end to end, into a temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="module")
def sample(sample_raw):
    return sample_raw


@pytest.fixture(scope="module")
def run(harness, sample, tmp_path_factory):
    from pipelines.quarterly_refresh import quarterly_refresh

    base = tmp_path_factory.mktemp("wh")
    paths = {"raw_dir": str(sample), "warehouse": str(base / "scp.duckdb"),
             "quarantine_dir": str(base / "quarantine"), "outputs_dir": str(base / "outputs")}

    def go(**changes):
        return quarterly_refresh(**{**paths, **changes})

    first = go()
    return go, first, paths


def query(paths, sql, params=()):
    from scp_metrics.warehouse import connect

    con = connect(paths["warehouse"], read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def checksums(paths):
    from scp_metrics.warehouse import connect, table_checksums

    con = connect(paths["warehouse"], read_only=True)
    try:
        return table_checksums(con)
    finally:
        con.close()


def test_the_first_run_loads_every_sample_file_and_refuses_none(run):
    _, first, _ = run
    assert first.quarantined == []
    # 27 quarters x 4 quarterly sources + 11 MARAC quarters + 2 Place Survey + 8 mid-years + MSG
    assert len(first.loaded) == len(first.files) == 130
    assert first.mart_rows["mart_indicator_values"] > 15000


def test_all_crime_is_published_for_all_15_areas_and_every_period_type(run):
    _, _, paths = run
    got = query(paths, "select period_type, count(distinct area_code) as areas "
                       "from mart_indicator_values where indicator_id = 'all_crime' group by 1 order by 1")
    assert dict(zip(got["period_type"], got["areas"], strict=True)) == {
        "financial_year": 15, "fytd": 15, "month": 1, "quarter": 15, "rolling_12m": 15}


def test_southampton_2008_09_rate_and_the_april_to_december_change_match_the_plan(run):
    _, _, paths = run
    fy = query(paths, "select * from mart_indicator_values where indicator_id = 'all_crime' and "
                      "area_code = 'E06000045' and period_type = 'financial_year' and "
                      "period_start = date '2008-04-01'").iloc[0]
    assert fy["population_year"] == 2008
    assert fy["value"] == pytest.approx(fy["numerator"] / fy["denominator"] * 1000, rel=1e-12)
    assert 100 < fy["value"] < 135
    ytd = query(paths, "select * from mart_indicator_values where indicator_id = 'all_crime' and "
                       "area_code = 'E06000045' and period_type = 'fytd' and "
                       "period_end = date '2009-12-31'").iloc[0]
    assert -14.0 <= ytd["change_pct"] <= -10.0  # the plan: "reduce the All Crime rate (to Dec 09) by 12%"
    assert ytd["ci95_lower"] < ytd["value"] < ytd["ci95_upper"]


def test_a_second_run_changes_nothing(run):
    go, _, paths = run
    before = checksums(paths)
    again = go()
    assert again.nothing_changed
    assert len(again.unchanged) == len(again.files)
    assert checksums(paths) == before


def test_broken_extracts_are_quarantined_with_file_row_and_column_and_marts_unchanged(run, sample, tmp_path):
    go, _, paths = run
    before = checksums(paths)
    raw = tmp_path / "raw"
    shutil.copytree(sample, raw)
    police = sorted((raw / "police_crime").glob("*2009-10_Q3.csv"))[0]
    lines = police.read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("Offence Date")
    (raw / "police_crime" / "missing_column_2009-10_Q3.csv").write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop)
                  for line in lines[:50]) + "\n")
    moved = lines[5].split(",")
    moved[header.index("Recorded Date")] = "15/06/2009"
    moved[header.index("Offence Date")] = "14/06/2009"
    moved[0] = "99/999999/09"
    (raw / "police_crime" / "outside_quarter_2009-10_Q3.csv").write_text(
        "\n".join([lines[0], lines[1], ",".join(moved)]) + "\n")
    ho = sorted((raw / "ho_csp_crime").glob("*2008-09_Q1*"))[0]
    ho_lines = ho.read_text().splitlines()
    cells = ho_lines[3].rsplit(",", 1)
    (raw / "ho_csp_crime" / "negative_2008-09_Q1.csv").write_text(
        "\n".join([ho_lines[0], ho_lines[1], cells[0] + ",-5"]) + "\n")

    summary = go(raw_dir=str(raw))
    refused = {f.file: f for f in summary.quarantined}
    assert set(refused) == {"missing_column_2009-10_Q3.csv", "outside_quarter_2009-10_Q3.csv",
                            "negative_2008-09_Q1.csv"}
    assert summary.loaded == []
    missing = refused["missing_column_2009-10_Q3.csv"].first_failures[0]
    assert (missing["row"], missing["column"], missing["check"]) == (1, "Offence Date", "column present")
    outside = refused["outside_quarter_2009-10_Q3.csv"].first_failures[0]
    assert (outside["row"], outside["column"]) == (3, "Recorded Date")
    negative = refused["negative_2008-09_Q1.csv"].first_failures[0]
    assert (negative["row"], negative["value"]) == (3, "-5")
    assert negative["column"] in ("Number of Offences", "Offence Count")
    assert checksums(paths) == before
    for outcome in summary.quarantined:
        report = Path(outcome.report)
        assert report.is_file()
        assert (report.parent / outcome.file).is_file()  # the refused file is kept
        assert Path(str(report).replace(".report.csv", ".report.md")).is_file()


def test_each_run_leaves_a_markdown_summary_artifact(run):
    from prefect.artifacts import Artifact

    artifact = Artifact.get(key="quarterly-refresh-summary")
    assert artifact is not None
    assert artifact.type == "markdown"
    assert "# Quarterly refresh" in artifact.data
    assert "refused" in artifact.data or "loaded" in artifact.data
