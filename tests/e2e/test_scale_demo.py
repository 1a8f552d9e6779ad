"""Issue 17 item 3: a refresh that finds nothing new answers without starting Prefect."""

from __future__ import annotations

import argparse
import dataclasses
import shutil

import pytest

from scp_metrics.cli import build_parser
from scp_metrics.cli import refresh as cli_refresh

pytestmark = pytest.mark.e2e


def _args(**overrides: object) -> argparse.Namespace:
    """The refresh command's own defaults (from its parser, so a new option cannot be missed)."""
    base = vars(build_parser("refresh").parse_args(["refresh"]))
    return argparse.Namespace(**{**base, "engine": "prefect", "wait": 0.0, **overrides})


def test_nothing_new_refresh_does_not_start_prefect(sample_refresh, monkeypatch, capsys):
    settings, _ = sample_refresh
    assert cli_refresh.nothing_new(settings, publish=True)

    def no_flow(*_a: object) -> None:
        raise AssertionError("the Prefect flow was started for a refresh with nothing new")

    monkeypatch.setattr(cli_refresh, "_run_flow", no_flow)
    assert cli_refresh.cmd_refresh(_args(), settings) == 0
    out = capsys.readouterr().out
    # every one of the sample's files is recounted here, not taken from the summary
    files = sum(1 for p in settings.raw_dir.rglob("*") if p.suffix in {".csv", ".xlsx"})
    assert f"Nothing changed: all {files} files were already loaded" in out
    assert len(out.splitlines()) <= 4  # a headline and the warehouse line, not one per file


def test_a_new_file_or_missing_outputs_means_something_new(sample_refresh, tmp_path):
    settings, _ = sample_refresh
    raw = tmp_path / "raw"
    some = sorted(settings.raw_dir.rglob("police_recorded_crime_*.csv"))[0]
    raw.mkdir()
    data = some.read_bytes()
    (raw / some.name).write_bytes(data.rstrip(b"\n") + b"\n\n")  # other bytes: not in the ledger
    assert not cli_refresh.nothing_new(dataclasses.replace(settings, raw_dir=raw), publish=True)
    shutil.copy(some, raw / some.name)  # the very bytes already loaded
    assert cli_refresh.nothing_new(dataclasses.replace(settings, raw_dir=raw), publish=True)
    gone = dataclasses.replace(settings, outputs_dir=tmp_path / "never-published")
    assert not cli_refresh.nothing_new(gone, publish=True)
    assert cli_refresh.nothing_new(gone, publish=False)


def test_nothing_new_local_refresh_is_as_short(sample_refresh, capsys):
    """``make demo`` runs ``--engine local --workers 2``: its repeat is short too."""
    settings, _ = sample_refresh
    assert cli_refresh.cmd_refresh(_args(engine="local", workers=2, brief=True), settings) == 0
    out = capsys.readouterr().out
    assert "Nothing changed: all" in out and "Drawing the chart pack" not in out
    assert len(out.splitlines()) <= 4


def test_publishing_again_copies_every_unchanged_chart_byte_for_byte(sample_refresh, tmp_path,
                                                                     monkeypatch):
    """Issue 17 item 5: the chart pack of a publication over an unchanged warehouse draws
    nothing and is the published pack, byte for byte (index and manifest included)."""
    from scp_metrics.publish.charts import pack
    from scp_metrics.steps.publishing import Outputs, latest_month, publish_charts

    settings, _ = sample_refresh
    as_of = latest_month(settings)
    published = settings.outputs_dir / str(as_of)
    drawn: list[str] = []
    monkeypatch.setattr(pack, "save_figure",
                        lambda fig, stem, formats: drawn.append(str(stem)) or [])
    staging = tmp_path / "staging"
    staging.mkdir()
    files = publish_charts(settings, Outputs(staging, as_of, published))
    assert drawn == []
    assert len(files) >= 100  # PNG and SVG of every chart (105 pairs of kinds, some skipped)
    before = {p.name: p.read_bytes() for p in sorted((published / "charts").iterdir())}
    after = {p.name: p.read_bytes() for p in sorted((staging / "charts").iterdir())}
    assert after == before


def test_the_sample_workbook_is_written_without_a_warning(sample_refresh, tmp_path, caplog):
    """A complete sample is published without warnings: charts with no data (police.uk series
    the sample does not hold) have no data table, which is expected and not worth a line on the
    terminal of `make demo` (18 such warnings were printed before)."""
    import logging

    from scp_metrics.steps.publishing import Outputs, latest_month, publish_workbook

    settings, _ = sample_refresh
    as_of = latest_month(settings)
    with caplog.at_level(logging.WARNING):
        files = publish_workbook(settings, Outputs(tmp_path, as_of, settings.outputs_dir / str(as_of)))
    assert [p.suffix for p in files] == [".xlsx"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
