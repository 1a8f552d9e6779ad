"""With a pool of worker processes (``refresh --workers 2``) the chart pack is drawn, and then
the workbook written, by the pool (from a thread of this process) while this process writes the
CSVs; the report, which shows the charts, waits for the pack (not for the workbook). Without a
pool the steps run one after another, as listed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from scp_metrics.fanout import Mapper, mapping_with
from scp_metrics.steps import PublishFailed, publishing


def _serial(func, pieces):  # noqa: ANN001, ANN202
    return [func(*args) for args in pieces]


@pytest.fixture
def fake_steps(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The four publishing steps replaced by recorders (which thread ran them, in what order);
    the chart pack waits until the CSVs have started (at most 10 s) and the workbook until the
    report has (so they return at once only if they overlap)."""
    events: list[tuple[str, str]] = []
    csvs_started, report_started = threading.Event(), threading.Event()
    fail = {"charts": False}

    def step(name: str, before=None, after=None):  # noqa: ANN001, ANN202
        def run(settings, outputs, *progress):  # noqa: ANN001, ANN202
            if before:
                before()
            events.append((name, threading.current_thread().name))
            if after:
                after()
            out = outputs.folder / f"{name}.txt"
            out.write_text(name)
            return [out]
        run.__name__ = f"publish_{name}"
        return run

    def charts_wait() -> None:
        if fail["charts"]:
            raise RuntimeError("no charts")
        csvs_started.wait(10)

    csvs = step("csvs", before=csvs_started.set)
    charts = step("charts", after=charts_wait)
    report = step("report", before=report_started.set)
    workbook = step("workbook", after=lambda: report_started.wait(10))
    monkeypatch.setattr(publishing, "publish_charts", charts)
    monkeypatch.setattr(publishing, "AFTER_CHARTS", frozenset({report}))
    monkeypatch.setattr(publishing, "PUBLISH_STEPS", (csvs, charts, report, workbook))
    monkeypatch.setattr(publishing, "IN_POOL", (charts, workbook))
    monkeypatch.setattr(publishing, "PHASE_LABELS", {})
    staging = tmp_path / "staging"

    def folder(settings):  # noqa: ANN001, ANN202
        staging.mkdir()
        return publishing.Outputs(staging, "2009-12", tmp_path / "2009-12")

    monkeypatch.setattr(publishing, "outputs_folder", folder)
    monkeypatch.setattr(publishing, "record_publication", lambda settings, folder: None)
    return events, fail, tmp_path


def test_with_a_pool_the_charts_overlap_the_csvs_and_the_workbook_the_report(fake_steps):
    events, _, root = fake_steps
    said: list[str] = []
    started = time.monotonic()
    with mapping_with(Mapper(_serial, workers=2)):
        folder = publishing.publish_outputs(None, "# run\n", progress=said.append)  # type: ignore[arg-type]
    assert time.monotonic() - started < 8  # no step waited out its 10 s
    main = threading.main_thread().name
    threads = dict(events)
    assert threads["charts"] == threads["workbook"] != main
    assert threads["csvs"] == threads["report"] == main
    order = [name for name, _ in events]
    assert order.index("charts") < order.index("report")
    # the start lines count up in the order they are printed (make demo printed "3/4: mart
    # CSVs" before "1/4: chart pack" when the numbers were fixed per step), each step once
    starts = [line for line in said if line.startswith("publishing")]
    assert [line.split(":")[0] for line in starts] == [f"publishing {n}/4" for n in range(1, 5)]
    assert sorted(line.split(": ")[1] for line in starts) == [
        "publish_charts …", "publish_csvs …", "publish_report …", "publish_workbook …"]
    assert folder == root / "2009-12"
    assert sorted(p.name for p in folder.iterdir()) == [
        "charts.txt", "csvs.txt", "refresh_summary.md", "report.txt", "workbook.txt"]


def test_without_a_pool_the_steps_run_here_in_their_order(fake_steps):
    events, _, _ = fake_steps
    publishing.publish_outputs(None, "# run\n")  # type: ignore[arg-type]
    assert events == [(name, threading.main_thread().name)
                      for name in ("csvs", "charts", "report", "workbook")]


def test_a_failed_chart_pack_in_the_background_fails_the_publication(fake_steps):
    events, fail, root = fake_steps
    fail["charts"] = True
    with mapping_with(Mapper(_serial, workers=2)), \
            pytest.raises(PublishFailed, match="publishing failed at publish_charts: "
                                               "RuntimeError: no charts"):
        publishing.publish_outputs(None, "# run\n")  # type: ignore[arg-type]
    assert "report" not in dict(events)
    assert not (root / "staging").exists() and not (root / "2009-12").exists()
