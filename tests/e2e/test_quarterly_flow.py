"""The Prefect flow runs the refresh steps, each as a task: on the four mini extracts it builds the
same warehouse as the local engine, waits for the warehouse lock like ``--wait``, quarantines bad
files, and retries a failed publishing step alone. (What a refresh of the whole sample gives is
checked once, on the session's local-engine refresh: ``test_sample_refresh.py``.)"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def paths_in(base: Path, raw: Path) -> dict[str, str]:
    return {"raw_dir": str(raw), "warehouse": str(base / "scp.duckdb"),
            "quarantine_dir": str(base / "quarantine"), "outputs_dir": str(base / "outputs")}


def flow(paths: dict[str, str], **changes):
    from pipelines.quarterly_refresh import quarterly_refresh

    return quarterly_refresh(**{**paths, **changes})


def checksums(warehouse: str) -> dict[str, str]:
    from scp_metrics.warehouse import connect, table_checksums

    con = connect(warehouse, read_only=True)
    try:  # the ledger and history name run ids and times: everything else must be equal
        return {name: digest for name, digest in table_checksums(con).items()
                if not name.startswith(("load_batches", "meta_")) and "history" not in name}
    finally:
        con.close()


@pytest.fixture(scope="module")
def run(harness, tmp_path_factory):
    """The flow's first run on the mini extracts, outputs published, the chart pack failing once
    (its step is retried); with the paths and how often each step's work was done."""
    import scp_metrics.publish.charts as charts
    import scp_metrics.publish.report as report
    import scp_metrics.warehouse.build as build
    from scp_metrics.steps import publishing

    calls: dict[str, int] = {}

    def counted(name, function, fail_first=False):
        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            if fail_first and calls[name] == 1:
                raise OSError("the charts folder is on a disk that went away")
            return function(*args, **kwargs)
        return wrapper

    raw = Path(__file__).resolve().parents[1] / "fixtures" / "mini_raw"
    paths = paths_in(tmp_path_factory.mktemp("flow"), raw)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "build_models", counted("build", build.build_models))
        patch.setattr(publishing, "publish_table", counted("csv", publishing.publish_table))
        patch.setattr(charts, "write_chart_pack",
                      counted("charts", charts.write_chart_pack, fail_first=True))
        patch.setattr(report, "make_report", counted("report", report.make_report))
        first = flow(paths)
    return first, paths, calls


def test_the_flow_builds_the_warehouse_the_local_engine_builds(run, mini_raw, settings_for):
    from scp_metrics.steps import run_refresh

    first, paths, _ = run
    assert (len(first.loaded), len(first.quarantined)) == (4, 0)
    assert first.mart_rows["mart_indicator_values"] > 0
    local = run_refresh(settings_for(mini_raw, "local"), publish=False)
    assert [(f.file, f.status, f.rows) for f in first.files] == \
        [(f.file, f.status, f.rows) for f in local.files]
    assert checksums(paths["warehouse"]) == checksums(str(local.warehouse))


def test_the_flow_publishes_every_output(run):
    first, _, _ = run
    out = Path(first.outputs_dir)
    assert out.name == "2009-09"  # the latest month of the mini police extracts
    assert sorted(p.name for p in out.glob("mart_*.csv")) == sorted(
        f"{name}.csv" for name in first.mart_rows)
    for name in ("refresh_summary.md", "scp_metrics_tables_2009-09.xlsx",
                 "year_end_projection_report_2009-09.html", "charts/index.csv"):
        assert (out / name).is_file(), name


def test_a_second_run_changes_nothing(run):
    _, paths, _ = run
    before = checksums(paths["warehouse"])
    again = flow(paths)
    assert again.nothing_changed and again.outputs_dir is None
    assert len(again.unchanged) == len(again.files) == 4
    assert checksums(paths["warehouse"]) == before


def test_broken_extracts_are_quarantined_with_file_row_and_column_and_marts_unchanged(
        run, mini_raw, tmp_path):
    _, paths, _ = run
    before = checksums(paths["warehouse"])
    raw = tmp_path / "raw"
    shutil.copytree(mini_raw, raw)
    police = (raw / "police_recorded_crime_E06000045_2009-10_Q2.csv").read_text().splitlines()
    header = police[0].split(",")
    drop = header.index("Offence Date")
    (raw / "missing_column_2009-10_Q2.csv").write_text("\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in police) + "\n")
    ho = (raw / "ho_csp_recorded_crime_2009-10_Q1.csv").read_text().splitlines()
    (raw / "negative_2008-09_Q1.csv").write_text(
        "\n".join([ho[0].replace("2009/10", "2008/09"),
                   ho[1].replace("2009/10", "2008/09").rsplit(",", 1)[0] + ",-5"]) + "\n")

    summary = flow(paths, raw_dir=str(raw))
    refused = {f.file: f for f in summary.quarantined}
    assert set(refused) == {"missing_column_2009-10_Q2.csv", "negative_2008-09_Q1.csv"}
    assert summary.loaded == [] and not summary.marts_rebuilt
    missing = refused["missing_column_2009-10_Q2.csv"].first_failures[0]
    assert (missing["row"], missing["column"], missing["check"]) == (1, "Offence Date", "column present")
    negative = refused["negative_2008-09_Q1.csv"].first_failures[0]
    assert (negative["row"], negative["column"], negative["value"]) == (2, "Offence Count", "-5")
    assert checksums(paths["warehouse"]) == before
    for outcome in summary.quarantined:
        report = Path(outcome.report)
        assert report.is_file()
        assert Path(str(report).replace(".report.csv", ".report.md")).is_file()
    # the HO CSP table (area totals) is kept for the analyst; the police file holds person-level
    # rows, so it is recorded by name and hash only, never copied (issue 14 item 4)
    ho_report = Path(refused["negative_2008-09_Q1.csv"].report)
    assert (ho_report.parent / "negative_2008-09_Q1.csv").is_file()
    police_report = Path(refused["missing_column_2009-10_Q2.csv"].report)
    assert not (police_report.parent / "missing_column_2009-10_Q2.csv").exists()
    assert "not copied here" in police_report.with_name(
        "missing_column_2009-10_Q2.csv.report.md").read_text()


def test_each_run_leaves_a_markdown_summary_artifact(run):
    from prefect.artifacts import Artifact

    artifact = Artifact.get(key="quarterly-refresh-summary")
    assert artifact is not None
    assert artifact.type == "markdown"
    assert "# Quarterly refresh" in artifact.data


def test_the_flow_waits_for_the_warehouse_like_wait(harness, mini_raw, tmp_path):
    from scp_metrics.settings import get_settings
    from scp_metrics.steps import RefreshLocked, warehouse_lock

    paths = paths_in(tmp_path, mini_raw)
    settings = get_settings(warehouse=paths["warehouse"])
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with warehouse_lock(settings):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(10)
        with pytest.raises(RefreshLocked, match="try again when it finishes"):
            flow(paths, wait_seconds=0, publish_outputs=False)
        threading.Timer(3.0, release.set).start()
        started = time.monotonic()
        summary = flow(paths, wait_seconds=60, publish_outputs=False)
        assert time.monotonic() - started >= 2.5  # it waited for the holder
        assert len(summary.loaded) == 4
    finally:
        release.set()
        holder.join()


def test_a_failed_publishing_step_is_retried_alone(run):
    first, _, calls = run
    assert calls["charts"] == 2  # failed, retried
    assert calls["build"] == calls["report"] == 1  # the steps before and after it: once each
    assert calls["csv"] == len(first.mart_rows)  # each mart written once, not again on the retry


def test_no_planted_personal_value_reaches_the_prefect_artifact_or_the_run_logs(
        harness, mini_raw, tmp_path, capfd):
    """Issue 14's acceptance, for the Prefect engine: the personal values planted by
    ``tests/reliability/test_personal_data.py`` (Unicode-spaced NHS numbers, a name and a postcode
    in header cells, dates of birth in free text, an email, a refused MARAC reference, a patient
    export) appear neither in the run's Markdown artifact, nor in any log record of the flow and
    its tasks as the Prefect API stores them, nor on the terminal."""
    import asyncio

    from prefect.artifacts import Artifact
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    from pipelines.quarterly_refresh import quarterly_refresh
    from tests.reliability.test_personal_data import SECRETS, plant

    raw = tmp_path / "raw"
    shutil.copytree(mini_raw, raw)
    plant(raw)
    state = quarterly_refresh(**paths_in(tmp_path, raw), publish_outputs=False,
                              return_state=True)
    summary = state.result()
    assert len(summary.quarantined) == 7 and len(summary.loaded) == 4
    APILogWorker.drain_all(timeout=30)  # the API's log queue is sent in batches

    async def logs() -> list[str]:
        async with get_client() as client:
            found = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(
                any_=[state.state_details.flow_run_id])))
            return [log.message for log in found]

    messages = asyncio.run(logs())
    artifact = Artifact.get(key="quarterly-refresh-summary")
    assert artifact is not None and "patient_export.csv" in artifact.data  # refused by name
    assert len(messages) > 20 and any("patient_export.csv" in m for m in messages), messages[:5]
    terminal = "".join(capfd.readouterr())
    for place, text in {"artifact": artifact.data, "logs": "\n".join(messages),
                        "terminal": terminal}.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} found in the Prefect {place}"
