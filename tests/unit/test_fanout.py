"""Fan-out: series cut into whole-series pieces give the rows one computation gives."""

import numpy as np
import pandas as pd
import pytest

from scp_metrics import fanout
from scp_metrics.fanout import Mapper, fan_out, fan_out_series, mapping_with, split_series
from scp_metrics.stats.spc_series import spc_table
from scp_metrics.stats.trends import trend_table


def _monthly(series: int, months: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for i in range(series):
        indicator, area = f"ind_{i % 3}", f"E0600{i // 3:04d}"
        for m, start in enumerate(pd.date_range("2007-04-01", periods=months, freq="MS")):
            count = int(rng.poisson(40 + 5 * (i % 4) + (m % 12)))
            rows.append((indicator, area, start, float(count), count, 100_000))
    return pd.DataFrame(rows, columns=["indicator_id", "area_code", "period_start", "value",
                                       "numerator", "denominator"])


def _recording_mapper(calls: list[int]) -> Mapper:
    def run(func, pieces):  # noqa: ANN001, ANN202
        calls.append(len(pieces))
        return [func(*args) for args in reversed(pieces)][::-1]  # any order of running

    return Mapper(run, workers=2, name="test")


def test_split_series_keeps_every_series_whole_and_in_key_order():
    frame = _monthly(12, months=4).sample(frac=1.0, random_state=1)
    pieces = split_series(frame, ["indicator_id", "area_code"], 4)
    assert len(pieces) == 4 and sum(len(p) for p in pieces) == len(frame)
    keys = [sorted(set(zip(p["indicator_id"], p["area_code"], strict=True))) for p in pieces]
    assert [len(k) for k in keys] == [3, 3, 3, 3]
    flat = [k for piece in keys for k in piece]
    assert flat == sorted(flat)  # whole series, pieces in key order, none in two pieces


def test_spc_and_trends_fanned_out_equal_one_computation(monkeypatch):
    monkeypatch.setattr(fanout, "MIN_SERIES_PER_PIECE", 2)
    monthly = _monthly(12)
    polarity = {"ind_0": "lower", "ind_1": "higher", "ind_2": "neutral"}
    measure = {"ind_0": "rate", "ind_1": "count", "ind_2": "rate"}
    whole_spc = spc_table(monthly, polarity)
    whole_trend = trend_table(monthly, measure)
    calls: list[int] = []
    with mapping_with(_recording_mapper(calls)):
        spc = fan_out_series(spc_table, monthly, ["indicator_id", "area_code"], polarity)
        trend = fan_out_series(trend_table, monthly, ["indicator_id", "area_code"], measure)
    assert calls == [4, 4]  # 2 workers x 2 pieces each time
    assert len(whole_spc) == 12 * 30
    pd.testing.assert_frame_equal(spc, whole_spc)
    pd.testing.assert_frame_equal(trend, whole_trend)


def test_without_a_mapper_or_with_few_series_nothing_is_cut(monkeypatch):
    monthly = _monthly(6)
    calls: list[int] = []
    seen: list[int] = []

    def count(frame):  # noqa: ANN001, ANN202
        seen.append(len(frame))
        return frame.head(1)

    fan_out_series(count, monthly, ["indicator_id", "area_code"])
    assert seen == [len(monthly)]
    with mapping_with(_recording_mapper(calls)):  # 6 series < 2 x 20: one piece
        fan_out_series(count, monthly, ["indicator_id", "area_code"])
    assert calls == [] and seen == [len(monthly)] * 2
    assert fan_out(divmod, [(7, 2), (9, 4)]) == [(3, 1), (2, 1)]


def test_process_pool_runs_pieces_in_order_in_other_processes(monkeypatch):
    import operator
    import os as _os

    from scp_metrics import fanout

    monkeypatch.setattr(fanout, "idle_cores", lambda: 2)
    with fanout.process_pool(2) as pool, fanout.mapping_with(pool):
        assert pool is not None and pool.workers == 2
        assert fanout.fan_out(operator.mul, [(2, 3), (4, 5), (6, 7)]) == [6, 20, 42]
        pids = set(fanout.fan_out(_os.getpid, [(), (), ()]))
    assert _os.getpid() not in pids


def test_process_pool_is_none_on_a_busy_machine_or_for_one_worker(monkeypatch):
    from scp_metrics import fanout

    monkeypatch.setattr(fanout, "idle_cores", lambda: 1)
    with fanout.process_pool(2) as pool:
        assert pool is None
    monkeypatch.setattr(fanout, "idle_cores", lambda: 4)
    with fanout.process_pool(1) as pool:
        assert pool is None


def test_a_warmed_pool_starts_its_workers_at_once_and_still_runs_pieces_in_order(monkeypatch):
    """``process_pool(n, warm=...)`` sends each worker a warm-up task (importing the modules
    named) as the pool is made; the pieces sent after it run and come back in order."""
    import operator

    from scp_metrics import fanout

    monkeypatch.setattr(fanout, "idle_cores", lambda: 2)
    with fanout.process_pool(2, warm=("json", "decimal")) as pool, fanout.mapping_with(pool):
        assert pool is not None
        assert fanout.fan_out(operator.sub, [(9, 2), (5, 7)]) == [7, -2]
    assert fanout.import_modules(("json",)) == 1


@pytest.mark.parametrize(("idle", "expected"), [(180, 2), (150, 2), (100, 1), (10, 1)])
def test_idle_cores_is_the_idle_share_of_the_cpus_now(monkeypatch, idle, expected):
    """2 cores, 200 jiffies in the window: 180 or 150 idle is two idle cores, 100 (one other
    process busy) or 10 is one (never fewer)."""
    from scp_metrics import fanout

    samples = iter([(1_000, 10_000), (1_000 + idle, 10_200)])
    monkeypatch.setattr(fanout, "_cpu_times", lambda: next(samples))
    monkeypatch.setattr(fanout.os, "cpu_count", lambda: 2)
    assert fanout.idle_cores(window=0.0) == expected


def test_idle_cores_falls_back_on_the_load_average_without_proc_stat(monkeypatch):
    from scp_metrics import fanout

    monkeypatch.setattr(fanout, "_cpu_times", lambda: None)
    monkeypatch.setattr(fanout.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(fanout.os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    assert fanout.idle_cores() == 2
    monkeypatch.setattr(fanout.os, "getloadavg", lambda: (2.6, 1.0, 1.0))
    assert fanout.idle_cores() == 1
