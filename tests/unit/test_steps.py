"""The refresh steps as ``run_refresh`` runs them: in order, each through ``run_step`` (the local
engine calls them; the Prefect flow runs each as its task), publishing one output per step and
only when the marts changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from scp_metrics import steps

ORDER_OF_A_FIRST_RUN = ["find_extracts", "ingest_files", "build_marts", "outputs_folder",
                        "publish_csvs", "publish_charts", "publish_report", "publish_workbook",
                        "publish_summary", "swap_in", "record_publication"]


@pytest.fixture
def drawn(monkeypatch):
    """Chart pack, report and workbook replaced by stubs that record what they were given (their
    own tests draw them): the steps, not the drawing, are under test here."""
    import scp_metrics.publish.charts as charts
    import scp_metrics.publish.report as report
    import scp_metrics.publish.workbook as workbook

    seen: dict[str, tuple] = {}

    def chart_pack(warehouse, area, out_dir, as_of, **_):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "spc_all_crime.png").write_bytes(b"png")
        seen["charts"] = (as_of,)
        return [Path(out_dir) / "spc_all_crime.png"]

    def make_report(con, settings, as_of, folder, charts_):
        seen["report"] = (as_of, [p.name for p in charts_])
        return folder / "report.html", folder / "report.pdf"

    def write_workbook(con, settings, path, as_of):
        seen["workbook"] = (path.name, as_of)
        return path

    monkeypatch.setattr(charts, "write_chart_pack", chart_pack)
    monkeypatch.setattr(report, "make_report", make_report)
    monkeypatch.setattr(workbook, "write_workbook", write_workbook)
    return seen


def recording(names: list[str]) -> steps.StepRunner:
    def run_step(step, /, *args):
        names.append(step.__name__)
        return step(*args)
    return run_step  # type: ignore[return-value]


def test_a_first_run_runs_every_step_once_in_order_and_publishes_each_output(
        mini_raw, settings_for, drawn):
    settings = settings_for(mini_raw)
    names: list[str] = []
    summary = steps.run_refresh(settings, run_step=recording(names))
    assert names == ORDER_OF_A_FIRST_RUN
    out = settings.outputs_dir / "2009-09"  # the mini police extracts end in September 2009
    assert summary.outputs_dir == str(out)
    # the charts draw each indicator to its own latest month
    assert drawn == {"charts": (None,), "report": ("2009-09", ["spc_all_crime.png"]),
                     "workbook": ("scp_metrics_tables_2009-09.xlsx", "2009-09")}
    assert sorted(p.name for p in out.glob("mart_*.csv")) == sorted(f"{m}.csv" for m in summary.mart_rows)
    assert (out / "refresh_summary.md").read_text() == summary.to_markdown()


def test_a_run_that_changes_nothing_publishes_nothing(mini_raw, settings_for, drawn):
    settings = settings_for(mini_raw)
    steps.run_refresh(settings)
    names: list[str] = []
    again = steps.run_refresh(settings, run_step=recording(names))
    assert names == ["find_extracts", "ingest_files", "build_marts"]
    assert again.nothing_changed and again.outputs_dir is None


def test_a_run_after_a_no_publish_run_publishes_though_nothing_changed(mini_raw, settings_for,
                                                                      drawn):
    settings = settings_for(mini_raw)
    steps.run_refresh(settings, publish=False)
    names: list[str] = []
    again = steps.run_refresh(settings, run_step=recording(names))
    assert again.nothing_changed and not again.loaded
    assert names == ORDER_OF_A_FIRST_RUN  # every publishing step, after a build with no change
    assert again.outputs_dir == str(settings.outputs_dir / "2009-09")
    assert (Path(again.outputs_dir) / "charts" / "spc_all_crime.png").read_bytes() == b"png"


def test_no_publish_stops_after_the_build(mini_raw, settings_for, drawn):
    names: list[str] = []
    summary = steps.run_refresh(settings_for(mini_raw), publish=False, run_step=recording(names))
    assert names == ["find_extracts", "ingest_files", "build_marts"]
    assert len(summary.loaded) == 4 and summary.marts_rebuilt and summary.outputs_dir is None


def test_a_warehouse_without_monthly_data_publishes_to_no_data_without_report_or_workbook(
        mini_raw, settings_for, tmp_path, drawn):
    raw = tmp_path / "only_population"
    raw.mkdir()
    (raw / "pop.xlsx").write_bytes((mini_raw / "ons_mye2_persons_mid-2008.xlsx").read_bytes())
    settings = settings_for(raw)
    summary = steps.run_refresh(settings)
    assert summary.outputs_dir == str(settings.outputs_dir / "no-data")
    assert "report" not in drawn and "workbook" not in drawn
    assert (settings.outputs_dir / "no-data" / "refresh_summary.md").is_file()


def test_a_held_warehouse_is_refused_at_once_without_wait(mini_raw, settings_for):
    settings = settings_for(mini_raw)
    with steps.warehouse_lock(settings), pytest.raises(steps.RefreshLocked, match="--wait"):
        steps.run_refresh(settings, wait_seconds=0)
