"""Reusing unchanged series in ``mart_spc`` and ``mart_trends`` (scp_metrics.warehouse.incremental).

A build after a change must give exactly what a clean build of the same input gives (rows,
dtypes, order, DuckDB column types), while computing only the series whose input changed.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd
import pytest

from scp_metrics.stats.spc_series import spc_table
from scp_metrics.warehouse import incremental, table_checksums
from scp_metrics.warehouse.build import replace_table
from scp_metrics.warehouse.marts import spc as spc_mart
from scp_metrics.warehouse.marts import trends
from scp_metrics.warehouse.marts.spc import build_spc
from scp_metrics.warehouse.marts.trends import build_trends
from tests.conftest import REPO

INDICATORS = [("crime", "lower", "rate"), ("asb", "lower", "count"), ("share", "higher", "percentage")]
AREAS = ["E0001", "E0002", "E0003", "E0004"]
MARTS = [("mart_spc", build_spc), ("mart_trends", build_trends)]
N_SERIES = len(INDICATORS) * len(AREAS)  # 12; trends fits the 8 rate and count series
#: What the builders read of the settings: the committed config (config/spc.toml for mart_spc).
SETTINGS = SimpleNamespace(config_dir=REPO / "config")


def _inputs(months: int = 40) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(8)
    idx = pd.date_range("2015-01-01", periods=months, freq="MS")
    rows = []
    for ind, _, _ in INDICATORS:
        for k, area in enumerate(AREAS):
            counts = rng.poisson(60 + 10 * k, size=months).astype(float)
            for month, count in zip(idx, counts, strict=True):
                rows.append({"indicator_id": ind, "area_code": area, "period_type": "month",
                             "period_start": month.date(), "numerator": count,
                             "denominator": 10_000.0, "value": count / 10.0})
    values = pd.DataFrame(rows)
    values = pd.concat([values, values.head(1).assign(period_type="quarter")], ignore_index=True)
    ref = pd.DataFrame(INDICATORS, columns=["indicator_id", "polarity", "measure"])
    breaks = pd.DataFrame({"indicator_id": ["crime"], "area_code": ["E0002"],
                           "break_date": [date(2016, 4, 1)], "reason": ["new system"]})
    return {"mart_indicator_values": values, "ref_indicators": ref, "ref_series_breaks": breaks}


def _warehouse(inputs: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, frame in inputs.items():
        replace_table(con, name, frame)
    return con


def _build(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Both marts in one transaction, as ``build_models`` does; their progress notes."""
    notes = {}
    con.execute("begin transaction")
    for name, builder in MARTS:
        mart = builder(con, SETTINGS)
        replace_table(con, name, mart)
        notes[name] = mart.attrs["progress"]
    con.execute("commit")
    return notes


def _clean(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new warehouse with the same inputs, built from nothing."""
    inputs = {name: con.execute(f"select * from {name}").df()
              for name in ("mart_indicator_values", "ref_indicators", "ref_series_breaks")}
    clean = _warehouse(inputs)
    _build(clean)
    return clean


def _assert_same_as_clean(con: duckdb.DuckDBPyConnection) -> None:
    clean = _clean(con)
    for name, _ in MARTS:
        got = con.execute(f"select * from {name}").df()
        want = clean.execute(f"select * from {name}").df()
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=name)  # same order too
        assert con.execute(f"describe {name}").fetchall() == clean.execute(f"describe {name}").fetchall()
        assert table_checksums(con, name) == table_checksums(clean, name)
    assert table_checksums(con, "_series") == table_checksums(clean, "_series")


def _set_value(con: duckdb.DuckDBPyConnection, ind: str, area: str, month: date, count: float) -> None:
    con.execute("update mart_indicator_values set numerator = ?, value = ? where indicator_id = ? "
                "and area_code = ? and period_start = ? and period_type = 'month'",
                [count, count / 10.0, ind, area, month])


def test_first_build_computes_everything_and_equals_spc_table():
    inputs = _inputs()
    con = _warehouse(inputs)
    notes = _build(con)
    assert notes["mart_spc"] == f"mart_spc: {N_SERIES} series recomputed, 0 reused"
    assert notes["mart_trends"] == f"mart_trends: {N_SERIES} series recomputed, 0 reused"
    monthly = inputs["mart_indicator_values"].query("period_type == 'month'")
    want = spc_table(monthly, {i: p for i, p, _ in INDICATORS}, inputs["ref_series_breaks"])
    got = build_spc(con, SETTINGS)  # second call: every series reused from the mart just built
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs["progress"] == f"mart_spc: 0 series recomputed, {N_SERIES} reused"
    assert len(con.execute("select * from mart_trends").fetchall()) == 8
    hashes = con.execute("select mart, count(*), sum(n_rows) from _series_hashes group by mart "
                         "order by mart").fetchall()
    assert hashes == [("mart_spc", N_SERIES, N_SERIES * 40), ("mart_spc#table", 1, N_SERIES * 40),
                      ("mart_trends", N_SERIES, 8), ("mart_trends#table", 1, 8)]


def test_unchanged_input_reuses_every_series_and_changes_nothing():
    con = _warehouse(_inputs())
    _build(con)
    before = table_checksums(con)
    notes = _build(con)
    assert notes == {name: f"{name}: 0 series recomputed, {N_SERIES} reused" for name, _ in MARTS}
    assert table_checksums(con) == before
    _assert_same_as_clean(con)


def test_one_changed_value_recomputes_exactly_that_series():
    con = _warehouse(_inputs())
    _build(con)
    old_mean = con.execute("select distinct mean from mart_spc where indicator_id = 'asb' "
                           "and area_code = 'E0003'").fetchall()
    _set_value(con, "asb", "E0003", date(2015, 6, 1), 400.0)
    notes = _build(con)
    assert notes["mart_spc"] == f"mart_spc: 1 series recomputed, {N_SERIES - 1} reused"
    assert notes["mart_trends"] == f"mart_trends: 1 series recomputed, {N_SERIES - 1} reused"
    _assert_same_as_clean(con)
    # the real values: the new point, and the series' centre line moved: it is the mean of the
    # first 12 months (config/spc.toml's baseline; no break, no gap: one limits group)
    value, mean, flag = con.execute(
        "select value, mean, special_cause_flag from mart_spc where indicator_id = 'asb' "
        "and area_code = 'E0003' and period_start = date '2015-06-01'").fetchall()[0]
    series = con.execute("select value from mart_indicator_values where indicator_id = 'asb' and "
                         "area_code = 'E0003' and period_type = 'month' "
                         "order by period_start").df()["value"]
    assert value == 40.0 and flag
    assert mean == pytest.approx(series.iloc[:12].mean(), rel=1e-12)
    assert mean != pytest.approx(old_mean[0][0])
    n_months = con.execute("select n_months from mart_trends where indicator_id = 'asb' "
                           "and area_code = 'E0003'").fetchall()
    assert n_months == [(36,)]


def test_a_new_month_for_two_series_recomputes_them_only():
    con = _warehouse(_inputs())
    _build(con)
    new = pd.DataFrame({"indicator_id": ["crime", "share"], "area_code": ["E0001", "E0001"],
                        "period_type": "month", "period_start": [date(2018, 5, 1)] * 2,
                        "numerator": [70.0, 65.0], "denominator": 10_000.0, "value": [7.0, 6.5]})
    con.register("_new", new)
    con.execute("insert into mart_indicator_values by name select * from _new")
    notes = _build(con)
    assert notes["mart_spc"] == f"mart_spc: 2 series recomputed, {N_SERIES - 2} reused"
    assert notes["mart_trends"] == f"mart_trends: 2 series recomputed, {N_SERIES - 2} reused"
    assert con.execute("select max(period_start), count(*) from mart_spc where indicator_id = "
                       "'crime' and area_code = 'E0001'").fetchall() == [(date(2018, 5, 1), 41)]
    assert con.execute("select window_end from mart_trends where indicator_id = 'crime' "
                       "and area_code = 'E0001'").fetchall() == [(date(2018, 5, 1),)]
    _assert_same_as_clean(con)


def test_a_changed_break_recomputes_every_series():
    con = _warehouse(_inputs())
    _build(con)
    con.execute("insert into ref_series_breaks values ('asb', null, date '2017-01-01', 'counting rules')")
    notes = _build(con)
    assert notes == {name: f"{name}: {N_SERIES} series recomputed, 0 reused" for name, _ in MARTS}
    groups = con.execute("select distinct rebase_group from mart_spc where indicator_id = 'asb' "
                         "order by 1").fetchall()
    assert groups == [(0,), (1,)]
    assert con.execute("select distinct break_date from mart_trends where indicator_id = 'asb'"
                       ).fetchall() == [(date(2017, 1, 1),)]
    _assert_same_as_clean(con)


def test_a_changed_polarity_or_code_version_recomputes_every_series(monkeypatch):
    con = _warehouse(_inputs())
    _build(con)
    con.execute("update ref_indicators set polarity = 'higher' where indicator_id = 'crime'")
    assert _build(con)["mart_spc"] == f"mart_spc: {N_SERIES} series recomputed, 0 reused"
    assert con.execute("select distinct improvement from mart_spc where indicator_id = 'crime'"
                       ).fetchall() == [("increase",)]
    _assert_same_as_clean(con)
    monkeypatch.setattr(spc_mart, "code_version", lambda modules: "another version")
    monkeypatch.setattr(trends, "code_version", lambda modules: "another version")
    assert _build(con) == {name: f"{name}: {N_SERIES} series recomputed, 0 reused"
                           for name, _ in MARTS}


def test_a_mart_that_does_not_match_its_hashes_is_computed_again():
    con = _warehouse(_inputs())
    _build(con)
    want = con.execute("select * from mart_spc").df()
    con.execute("delete from mart_spc where indicator_id = 'asb' and period_start > date '2017-01-01'")
    assert _build(con)["mart_spc"] == f"mart_spc: {N_SERIES} series recomputed, 0 reused"
    pd.testing.assert_frame_equal(con.execute("select * from mart_spc").df(), want)
    con.execute("update mart_spc set mean = 0 where indicator_id = 'crime'")  # same row counts
    assert _build(con)["mart_spc"] == f"mart_spc: {N_SERIES} series recomputed, 0 reused"
    pd.testing.assert_frame_equal(con.execute("select * from mart_spc").df(), want)
    con.execute("drop table _series_hashes")  # a forced full recomputation
    assert _build(con)["mart_trends"] == f"mart_trends: {N_SERIES} series recomputed, 0 reused"
    con.execute("alter table mart_trends drop column break_reason")
    assert _build(con)["mart_trends"] == f"mart_trends: {N_SERIES} series recomputed, 0 reused"
    _assert_same_as_clean(con)


def test_a_failed_build_leaves_marts_and_hashes_as_they_were():
    con = _warehouse(_inputs())
    _build(con)
    before = table_checksums(con)
    _set_value(con, "asb", "E0001", date(2016, 1, 1), 5.0)
    con.execute("begin transaction")
    replace_table(con, "mart_spc", build_spc(con, SETTINGS))
    con.execute("rollback")
    _set_value(con, "asb", "E0001", date(2016, 1, 1),
               _inputs()["mart_indicator_values"].query(
                   "indicator_id == 'asb' and area_code == 'E0001' and period_start == @date(2016, 1, 1) "
                   "and period_type == 'month'")["numerator"].iloc[0])
    assert table_checksums(con) == before
    assert _build(con)["mart_spc"] == f"mart_spc: 0 series recomputed, {N_SERIES} reused"


def test_series_hashes_follow_content_not_row_order():
    frame = pd.DataFrame({"k": ["a", "a", "b", "b", None], "t": [1, 2, 1, 2, 3],
                          "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
    base = incremental.series_hashes(frame, ["k"], salt=1)
    assert list(base["series"]) == ["a", "b"]  # the null key is no series
    shuffled = incremental.series_hashes(frame.iloc[[3, 0, 4, 2, 1]], ["k"], salt=1)
    pd.testing.assert_frame_equal(base, shuffled)
    changed = incremental.series_hashes(frame.assign(v=[1.0, 2.0, 3.0, 4.5, 5.0]), ["k"], salt=1)
    assert changed["hash"].iloc[0] == base["hash"].iloc[0]
    assert changed["hash"].iloc[1] != base["hash"].iloc[1]
    doubled = incremental.series_hashes(pd.concat([frame, frame.iloc[[0]]]), ["k"], salt=1)
    assert doubled["hash"].iloc[0] != base["hash"].iloc[0]  # a duplicate row counts
    salted = incremental.series_hashes(frame, ["k"], salt=2)
    assert (salted["hash"] != base["hash"]).all()
    assert incremental.salt_of("x", 1) == incremental.salt_of("x", 1) != incremental.salt_of("x", 2)


def test_a_forced_refresh_recomputes_every_series(mini_raw, settings_for):
    from scp_metrics.steps import run_refresh

    settings = settings_for(mini_raw)
    first: list[str] = []
    run_refresh(settings, progress=first.append, publish=False)
    forced: list[str] = []
    run_refresh(settings, progress=forced.append, publish=False, force=True)
    spc_first = [m for m in first if m.startswith("mart_spc:")]
    spc_forced = [m for m in forced if m.startswith("mart_spc:")]
    assert spc_first and spc_first[0].endswith(", 0 reused")
    assert spc_forced == spc_first  # the same series all recomputed again, none reused
    n = int(spc_first[0].split(":")[1].split()[0])
    assert n > 0
