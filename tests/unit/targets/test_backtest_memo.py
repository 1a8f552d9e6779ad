"""The back-tests' per-origin disk memo: same results as no memo, earlier origins reused when
months are appended, and the cache beside the warehouse being built (not the env default)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from scp_metrics.memo import cache_dir
from scp_metrics.settings import get_settings
from scp_metrics.targets import backtest, evaluation
from scp_metrics.targets.backtest import backtest_series
from scp_metrics.warehouse.marts.target_tracking import track_targets
from tests.unit.targets.test_tracking import TARGETS  # its first, count_down_10, on 'events'

ORIGINS = (3, 9)
AREA = "E06000045"


def series(months: int, seed: int = 5) -> pd.Series:
    index = pd.date_range("2004-04-01", periods=months, freq="MS")
    shape = 1 + 0.25 * np.cos(2 * np.pi * (index.month - 7) / 12)
    mean = 250 * shape * 0.97 ** (np.arange(len(index)) / 12)
    return pd.Series(np.random.default_rng(seed).poisson(mean).astype(float), index=index)


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    evaluation._raw_cached.cache_clear()
    yield
    evaluation._raw_cached.cache_clear()


@pytest.fixture
def counted(monkeypatch):
    """Count the projections actually fitted (one call per origin, all methods)."""
    calls = []
    real = backtest.project_all

    def counting(series, as_of, methods, breaks=()):
        calls.append(str(as_of))
        return real(series, as_of, methods, breaks)

    monkeypatch.setattr(backtest, "project_all", counting)
    return calls


def files(warehouse) -> list:
    folder = cache_dir("backtest_origins", warehouse)
    return sorted(folder.glob("*.pkl")) if folder.exists() else []


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    cols = ["fy", "origin", "method", "actual", "available", "point", "ytd", "scale", "z"]
    pd.testing.assert_frame_equal(a[cols], b[cols], check_exact=True)
    for p, q in zip(a["projection"], b["projection"], strict=True):
        assert (p.method, p.fy, p.as_of, p.ytd, p.point, p.note) == \
               (q.method, q.fy, q.as_of, q.ytd, q.point, q.note)
        np.testing.assert_array_equal(p.intervals((0.8, 0.95)), q.intervals((0.8, 0.95)))
        np.testing.assert_array_equal(p.interval(0.8) + p.interval(0.95), p.intervals((0.8, 0.95)))


def test_the_memo_gives_the_results_of_an_uncached_run(tmp_path, counted):
    s = series(12 * 5)
    breaks = ("2006-06-01",)
    plain = backtest_series(s, origins=ORIGINS, breaks=breaks)
    assert len(counted) == 5 * len(ORIGINS)  # 2004..2008 complete, one fit per origin
    warehouse = tmp_path / "scp.duckdb"
    first = backtest_series(s, origins=ORIGINS, breaks=breaks, warehouse=warehouse)
    assert len(counted) == 2 * 5 * len(ORIGINS)
    assert len(files(warehouse)) == 5 * len(ORIGINS)
    stored = backtest_series(s, origins=ORIGINS, breaks=breaks, warehouse=warehouse)
    assert len(counted) == 2 * 5 * len(ORIGINS)  # all read back: nothing fitted
    assert_same(plain, first)
    assert_same(plain, stored)
    assert set(plain["method"]) == set(backtest.METHODS)
    assert plain.loc[plain["fy"] == 2008, "available"].all()  # every method from 2008/09


def test_appending_months_fits_only_the_new_origins(tmp_path, counted):
    warehouse = tmp_path / "scp.duckdb"
    full = series(12 * 6 + 3)  # to June 2010: 2004..2009 complete
    before = full.iloc[: 12 * 5]  # to March 2009: 2004..2008 complete
    backtest_series(before, origins=ORIGINS, warehouse=warehouse)
    assert len(counted) == 5 * len(ORIGINS)
    del counted[:]
    # a quarter in a new year: no new complete year, nothing to fit
    backtest_series(full.iloc[: 12 * 5 + 3], origins=ORIGINS, warehouse=warehouse)
    assert counted == []
    # the quarter that completes 2009/10 (and one more): only 2009/10's origins are fitted
    after = backtest_series(full, origins=ORIGINS, warehouse=warehouse)
    assert counted == ["2009-06", "2009-12"]
    assert len(files(warehouse)) == 6 * len(ORIGINS)
    assert_same(after, backtest_series(full, origins=ORIGINS))


def test_a_revised_month_refits_only_the_origins_that_see_it(tmp_path, counted):
    warehouse = tmp_path / "scp.duckdb"
    s = series(12 * 5)
    backtest_series(s, origins=ORIGINS, warehouse=warehouse)
    del counted[:]
    revised = s.copy()
    revised.loc["2008-08-01"] += 40  # month 5 of 2008/09: seen by its origin 9 only
    result = backtest_series(revised, origins=ORIGINS, warehouse=warehouse)
    assert counted == ["2008-12"]
    assert_same(result, backtest_series(revised, origins=ORIGINS))


def test_no_warehouse_or_an_in_memory_one_stores_nothing(tmp_path, counted):
    assert cache_dir("backtest_origins", None) is None
    assert cache_dir("backtest_origins", ":memory:") is None
    s = series(12 * 4)
    backtest_series(s, origins=ORIGINS, warehouse=":memory:")
    backtest_series(s, origins=ORIGINS, warehouse=":memory:")
    assert len(counted) == 2 * 4 * len(ORIGINS)
    assert list(tmp_path.iterdir()) == []


def small_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    s = series(12 * 5 + 9)  # April 2004 to December 2009
    mart = pd.DataFrame({
        "indicator_id": "events", "area_code": AREA, "period_type": "month",
        "period_start": s.index.date, "period_end": (s.index + pd.offsets.MonthEnd(0)).date,
        "numerator": s.to_numpy(), "denominator": None, "value": s.to_numpy(),
        "ci95_lower": None, "ci95_upper": None, "population_year": None})
    con.register("m", mart)
    con.execute("create table mart_indicator_values as select * from m")
    con.execute("create table ref_indicators as select 'events' as indicator_id, "
                "'count' as measure, 1 as multiplier, 'count' as unit, 'events' as family")
    return con


def test_tracking_caches_beside_the_settings_warehouse_not_the_env_default(tmp_path,
                                                                           monkeypatch):
    (tmp_path / "targets.toml").write_text(TARGETS)
    default = tmp_path / "env" / "scp.duckdb"
    monkeypatch.setenv("SCP_WAREHOUSE", str(default))
    built = tmp_path / "built" / "scp.duckdb"
    con = small_warehouse()
    try:
        settings = get_settings(config_dir=tmp_path, warehouse=built, home_area=AREA)
        frame = track_targets(con, settings, "2009-12")
        # the back-test of 2009/10 uses 2004/05..2008/09: five complete years, 11 origins each
        assert len(files(built)) == 5 * len(backtest.ORIGINS)
        assert not default.with_name("scp.duckdb.cache").exists()
        evaluation._raw_cached.cache_clear()
        in_memory = get_settings(config_dir=tmp_path, warehouse=":memory:", home_area=AREA)
        again = track_targets(con, in_memory, "2009-12")
    finally:
        con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "targets.toml"]
    assert frame.loc[0, "method"] in backtest.METHODS
    assert frame.loc[0, "projected_year_end"] > 0
    pd.testing.assert_frame_equal(frame, again, check_exact=True)


def test_workers_fill_the_memo_first_and_the_evaluation_is_the_same(tmp_path, monkeypatch):
    """With a fan-out mapper (``refresh --workers 2``), ``evaluate`` first fits the memo's missing
    origins in the workers, a series per piece (here a real pool of 2 spawned processes), then
    reads every origin from the memo: the rows are exactly those of a run with no mapper and no
    memo; a second run sends nothing (every origin stored)."""
    from scp_metrics import fanout
    from scp_metrics.targets.evaluation import PoolSeries, evaluate

    pool = {(f"s{i}", AREA): PoolSeries(series(12 * 4, seed=seed), ("2005-06-01",) if i else (),
                                        "crime")
            for i, seed in enumerate((5, 6, 7))}
    plain = evaluate(pool, ORIGINS).rows
    evaluation._raw_cached.cache_clear()
    warehouse = tmp_path / "scp.duckdb"
    assert [backtest.origins_to_fit(p.counts, origins=ORIGINS, breaks=p.breaks,
                                    warehouse=warehouse) for p in pool.values()] == [8, 8, 8]
    sent: list[int] = []
    real_prefill = evaluation.prefill
    monkeypatch.setattr(evaluation, "prefill",
                        lambda *a, **k: sent.append(real_prefill(*a, **k)) or sent[-1])
    monkeypatch.setattr(fanout, "idle_cores", lambda: 2)
    with fanout.process_pool(2) as mapper, fanout.mapping_with(mapper):
        pooled = evaluate(pool, ORIGINS, warehouse=warehouse).rows
        evaluation._raw_cached.cache_clear()
        again = evaluate(pool, ORIGINS, warehouse=warehouse).rows
    assert sent == [3, 0]  # three series sent to the workers, then none missing
    assert len(files(warehouse)) == 3 * 4 * len(ORIGINS)  # 2004..2007 complete in each
    assert [backtest.origins_to_fit(p.counts, origins=ORIGINS, breaks=p.breaks,
                                    warehouse=warehouse) for p in pool.values()] == [0, 0, 0]
    pd.testing.assert_frame_equal(plain, pooled, check_exact=True)
    pd.testing.assert_frame_equal(plain, again, check_exact=True)
