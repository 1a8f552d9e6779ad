"""No single series stops the build (issue 18): a failure injected into one series' SPC chart,
trend or target leaves that series marked ``failed`` with the reason, every other mart and
series as a clean build makes them, one data-quality finding, and a refresh that publishes and
exits 1 naming the series."""

from __future__ import annotations

import pandas as pd
import pytest

from scp_metrics import steps
from scp_metrics.cli import main
from tests.conftest import query
from tests.unit.test_steps import drawn  # noqa: F401 - the publishing stubs, a fixture

MARTS = ["mart_indicator_values", "mart_unplaced_rows", "mart_police_uk_vs_ons",
         "mart_recording_breaks", "mart_msg_rankings", "mart_spc", "mart_trends",
         "mart_target_tracking", "mart_target_trajectory", "mart_data_quality"]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects, every missing value None (dtypes depend on which rows there
    are: a column of nulls reads back as objects, one with a string as strings)."""
    return frame.astype(object).where(frame.notna(), None)


def _marts(warehouse) -> dict[str, pd.DataFrame]:
    return {name: _plain(query(warehouse, f'select * from "{name}" order by all'))
            for name in MARTS}


@pytest.fixture(scope="module")
def clean(mini_raw_module, tmp_path_factory):
    from scp_metrics.settings import get_settings

    base = tmp_path_factory.mktemp("clean")
    settings = get_settings(raw_dir=mini_raw_module, warehouse=base / "scp.duckdb",
                            quarantine_dir=base / "q", outputs_dir=base / "out")
    summary = steps.run_refresh(settings, publish=False)
    assert summary.exit_code == 0 and summary.not_computed == []
    return _marts(settings.warehouse)


@pytest.fixture(scope="module")
def mini_raw_module():
    from tests.conftest import FIXTURES

    return FIXTURES / "mini_raw"


def _fail_spc_of_robbery(monkeypatch):
    import scp_metrics.stats.spc_series as spc_series

    real = spc_series.chart_series

    def chart(indicator, area, *args):
        if indicator == "robbery":
            raise FloatingPointError("injected")
        return real(indicator, area, *args)

    monkeypatch.setattr(spc_series, "chart_series", chart)
    return "mart_spc", {"indicator_id": "robbery"}


def _fail_the_first_trend(monkeypatch):
    import scp_metrics.stats.trends as trends

    real, calls = trends.fit_trend, []

    def fit(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # the series are fitted in indicator, area order: NI15 first
            raise FloatingPointError("injected")
        return real(*args, **kwargs)

    monkeypatch.setattr(trends, "fit_trend", fit)
    return "mart_trends", {"indicator_id": "NI15"}


def _fail_one_target(monkeypatch):
    import scp_metrics.targets.tracking as tracking

    real = tracking._track_monthly

    def track(t, *args, **kwargs):
        if t.id == "all_crime_2009_10":
            raise FloatingPointError("injected")
        return real(t, *args, **kwargs)

    monkeypatch.setattr(tracking, "_track_monthly", track)
    return "mart_target_tracking", {"target_id": "all_crime_2009_10"}


@pytest.mark.parametrize("inject", [_fail_spc_of_robbery, _fail_the_first_trend,
                                    _fail_one_target])
def test_a_failure_in_one_series_leaves_every_other_mart_and_series_complete(
        inject, clean, mini_raw_module, settings_for, monkeypatch, drawn):  # noqa: F811
    mart, key = inject(monkeypatch)
    settings = settings_for(mini_raw_module)
    summary = steps.run_refresh(settings)
    got = _marts(settings.warehouse)

    for name in MARTS:
        if name in (mart, "mart_data_quality"):
            continue
        want = clean[name]
        if mart == "mart_target_tracking" and name == "mart_target_trajectory":
            # the trajectory is drawn for targets with a projection: not for the failed one
            want = want[want["target_id"] != key["target_id"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got[name], want, obj=name)
    # the failed series: its rows kept (SPC: the months and values), marked, with the reason
    hit = (got[mart][list(key)] == pd.Series(key)).all(axis=1)
    assert hit.any()
    assert (got[mart].loc[hit, "series_status"] == "failed").all()
    assert got[mart].loc[hit, "note"].str.contains("FloatingPointError: injected").all()
    assert (got[mart].loc[~hit, "series_status"] == "ok").all()
    kept = clean[mart][~(clean[mart][list(key)] == pd.Series(key)).all(axis=1)]
    pd.testing.assert_frame_equal(got[mart][~hit].reset_index(drop=True),
                                  kept.reset_index(drop=True), obj=mart)
    if mart == "mart_spc":
        assert got[mart].loc[hit, "value"].tolist() == clean[mart].loc[hit, "value"].tolist()
        assert got[mart].loc[hit, ["mean", "lpl", "upl"]].isna().all().all()
    # one data-quality finding more, naming the mart and the series
    quality = got["mart_data_quality"]
    finding = quality[quality["check_id"] == "series_not_computed"]
    assert len(finding) == 1 and finding["severity"].iloc[0] == "warning"
    assert finding["message"].iloc[0].startswith(f"{mart}: ")
    assert "FloatingPointError: injected" in finding["message"].iloc[0]
    pd.testing.assert_frame_equal(
        quality[quality["check_id"] != "series_not_computed"].reset_index(drop=True),
        clean["mart_data_quality"])
    # the refresh went on, published, listed the series and exits 1
    assert summary.not_computed == [finding["message"].iloc[0]]
    assert summary.exit_code == 1
    out = settings.outputs_dir / "2009-09"
    assert summary.outputs_dir == str(out) and (out / f"{mart}.csv").is_file()
    text = (out / "refresh_summary.md").read_text()
    assert "## Series not computed" in text and finding["message"].iloc[0] in text


def test_the_refresh_command_exits_1_and_lists_a_series_it_could_not_compute(
        mini_raw_module, tmp_path, monkeypatch, capsys, drawn):  # noqa: F811
    _fail_spc_of_robbery(monkeypatch)
    code = main(["refresh", "--engine", "local", "--no-publish", "--raw-dir", str(mini_raw_module),
                 "--warehouse", str(tmp_path / "scp.duckdb")])
    out = capsys.readouterr().out
    assert code == 1
    assert "1 series not computed" in out
    assert "not computed: mart_spc: robbery in E06000045: SPC chart not computed: " \
           "FloatingPointError: injected" in " ".join(out.split())


def test_a_clean_build_marks_every_series_ok(clean):
    for name in ("mart_spc", "mart_trends", "mart_target_tracking", "mart_msg_rankings",
                 "mart_target_trajectory"):
        assert (clean[name]["series_status"] == "ok").all(), name
        if name != "mart_target_tracking":  # its note says how each row was computed
            assert clean[name]["note"].isna().all(), name
    assert "series_not_computed" not in set(clean["mart_data_quality"]["check_id"])


def test_date_columns_are_written_in_bulk_and_store_the_same_dates():
    """replace_mart hands DuckDB a DATE column of Python dates as datetime64 (a bulk cast); the
    stored dates, missing ones included, are the dates given; text in a DATE column, or a
    column of another type, is left as it is."""
    from datetime import date

    import duckdb
    import pandas as pd

    from scp_metrics.warehouse import templates
    from scp_metrics.warehouse.mart_tables import _dates_as_datetimes

    frame = pd.DataFrame({"start": [date(2009, 4, 1), None, date(1999, 12, 31)],
                          "label": ["a", "b", "c"], "text_date": ["2009-04-01", None, "x"]})
    types = {"start": "DATE", "label": "VARCHAR", "text_date": "DATE"}
    out = _dates_as_datetimes(frame, types)
    assert str(out["start"].dtype).startswith("datetime64")
    for column in ("text_date", "label"):  # left as they were
        assert out[column].dtype == frame[column].dtype and out[column].equals(frame[column])
    assert frame["start"].dtype == object  # the caller's frame is not changed
    con = duckdb.connect()
    con.register("_frame", out[["start", "label"]])
    con.execute(templates.table_from_frame("t", "_frame", {"start": "DATE", "label": "VARCHAR"}))
    assert con.execute("select start from t order by label").fetchall() == [
        (date(2009, 4, 1),), (None,), (date(1999, 12, 31),)]
