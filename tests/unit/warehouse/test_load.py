"""The one load transaction: what a batch replaces, archives, refuses and records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from scp_metrics.ingest.engine import ingest, validate_file
from scp_metrics.settings import get_settings
from scp_metrics.warehouse import connect, list_batches, table_checksums
from scp_metrics.warehouse.load import load_frame
from tests.golden import cases

TODAY = date(2010, 1, 15)
CONFIG = get_settings().config_dir


@pytest.fixture
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


def load(con, path, run_id="run1", today=TODAY):
    result, outcome = ingest(con, path, config_dir=CONFIG, sha256=path.name + run_id,
                             run_id=run_id, today=today)
    assert outcome is not None, result.failures
    return outcome


def police_rows(con):
    return con.execute("select crime_reference from raw_police_crime order by 1").fetchall()


def test_a_reissued_quarter_replaces_only_that_quarter_and_the_ledger_keeps_both(con, mini_raw, tmp_path):
    load(con, mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv", "run1")
    load(con, mini_raw / "police_recorded_crime_E06000045_2009-10_Q2.csv", "run1")
    text = (mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv").read_text()
    reissue = tmp_path / "police_recorded_crime_E06000045_2009-10_Q1_v2.csv"
    lines = text.splitlines()
    reissue.write_text("\n".join(lines[:2] + lines[3:]) + "\n")  # one April crime withdrawn
    outcome = load(con, reissue, "run2")
    assert outcome.replaced_rows == 4
    assert outcome.superseded_batches == (1,)
    assert [r[0] for r in police_rows(con)] == [
        "44/000001/09", "44/000003/09", "44/000004/09", "44/000005/09", "44/000006/09",
        "44/000007/09"]
    ledger = list_batches(con)
    rows = ledger[["batch_id", "status", "superseded_by"]].astype(object).values.tolist()
    assert [[b, s, None if pd.isna(by) else int(by)] for b, s, by in rows] == [
        [1, "superseded", 3], [2, "loaded", None], [3, "loaded", None]]


def test_files_of_one_run_for_the_same_quarter_add_up(con, mini_raw, tmp_path):
    lines = (mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv").read_text().splitlines()
    first, second = tmp_path / "a_2009-10_Q1.csv", tmp_path / "b_2009-10_Q1.csv"
    first.write_text("\n".join(lines[:3]) + "\n")
    second.write_text("\n".join([lines[0], *lines[3:]]) + "\n")
    load(con, first, "run1")
    load(con, second, "run1")
    assert len(police_rows(con)) == 4


def test_a_failed_load_leaves_every_table_as_it_was(con, mini_raw):
    load(con, mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv")
    before = table_checksums(con)
    result = validate_file(mini_raw / "police_recorded_crime_E06000045_2009-10_Q2.csv",
                           config_dir=CONFIG, today=TODAY)
    broken = result.frame.drop(columns=["beat"])
    with pytest.raises(duckdb.BinderException):
        load_frame(con, result.source, broken, file_name="x", sha256="x", run_id="r", period=None)
    assert table_checksums(con) == before


def _deliver(con, tmp_path, sequence: str, today: date):
    outcomes = []
    for name, rows, end, run in cases.SEQUENCES[sequence]:
        path = cases.write_case(tmp_path, name, rows, end)
        outcomes.append(ingest(con, path, config_dir=CONFIG, sha256=name, run_id=run,
                               today=today))
    return outcomes


def test_a_reissued_quarter_moves_the_earlier_rows_to_history_and_a_live_key_refuses(
        con, tmp_path):
    (_, one), (_, two), (refused, none) = _deliver(con, tmp_path, "police_reissue_and_clash",
                                                   cases.POLICE_TODAY)
    assert two.replaced_rows == 2 and two.superseded_batches == (one.batch_id,)
    assert none is None and not refused.ok
    assert refused.failures.to_dict("records") == [{
        "file": "c_2009-10_Q4.csv", "row": 2, "column": "Crime Reference",
        "check": f"unique across files (already loaded by batch {two.batch_id})",
        "value": "44/1/09"}]
    assert police_rows(con) == [("44/1/09",)]
    assert con.execute("select crime_reference, batch_id, superseded_by from "
                       "raw_police_crime_history order by source_row").fetchall() == [
        ("44/1/09", 1, 2), ("44/2/09", 1, 2)]
    assert list_batches(con)["status"].tolist() == ["superseded", "loaded"]


@pytest.mark.parametrize("sequence", ["police_uk_force_month",
                                      "police_uk_force_month_integer_latitude"])
def test_a_reissued_force_month_replaces_only_that_force_month(con, tmp_path, sequence):
    """Run 1 loads Hampshire and Sussex for 2018-10; run 2 re-issues Hampshire 2018-10 (and
    brings Hampshire 2018-11 in two parts: police.uk is keyed by its slice, force and month,
    so the second part is refused as the same slice delivered twice in one run (issue 14;
    the refresh also unloads the first, steps.ingest_files): only Hampshire's 2018-10 rows
    move to history."""
    outcomes = _deliver(con, tmp_path, sequence, cases.POLICE_UK_TODAY)
    assert [outcome is not None for _, outcome in outcomes] == [True, True, True, True, False]
    extra = 0 if sequence == "police_uk_force_month" else 1  # each file's row(99)
    live = con.execute("select falls_within, month, count(*) from raw_police_uk_street "
                       "group by all order by all").fetchall()
    assert live == [(cases.HANTS, "2018-10", 4 + extra), (cases.HANTS, "2018-11", 1 + extra),
                    (cases.SUSSEX, "2018-10", 2 + extra)]
    history = con.execute("select batch_id, count(*) from raw_police_uk_street_history "
                          "group by all").fetchall()
    assert history == [(1, 3 + extra)]
    assert list_batches(con)["status"].tolist() == ["superseded", "loaded", "loaded", "loaded"]


def test_a_frame_loads_as_a_validated_file_does(con, mini_raw):
    path = mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv"
    result = validate_file(path, config_dir=CONFIG, today=TODAY)
    outcome = load_frame(con, result.source, result.frame, file_name=path.name, sha256="s",
                         run_id="r", period=result.period_label)
    assert outcome.rows == 4
    other = connect(":memory:")
    load(other, path)
    query = "select * exclude (batch_id) from raw_police_crime order by source_row"
    pd.testing.assert_frame_equal(con.execute(query).df(), other.execute(query).df())


def _months_only(source: Path, target: Path, keep: int) -> Path:
    """The quarter file ``source`` cut to the crimes of its first ``keep`` months."""
    lines = source.read_text().splitlines()
    quarter_start = pd.Timestamp("2009-04-01")
    kept = [line for line in lines[1:] if (pd.to_datetime(line.split(",")[1], dayfirst=True)
                                           < quarter_start + pd.DateOffset(months=keep))]
    target.write_text("\n".join([lines[0], *kept]) + "\n")
    return target


def test_a_partial_quarter_then_the_full_quarter_ends_with_the_full_quarter(con, mini_raw,
                                                                            tmp_path):
    full = mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv"
    april = _months_only(full, tmp_path / "police_recorded_crime_E06000045_2009-10_Q1.csv", 1)
    load(con, april, "run1")
    assert [r[0] for r in police_rows(con)] == ["44/000001/09", "44/000002/09"]
    outcome = load(con, full, "run2")
    assert outcome.replaced_rows == 2 and outcome.superseded_batches == (1,)
    assert [r[0] for r in police_rows(con)] == [
        "44/000001/09", "44/000002/09", "44/000003/09", "44/000004/09"]


def test_a_partial_quarter_after_the_full_quarter_replaces_only_its_months(con, mini_raw,
                                                                           tmp_path):
    """A month-by-month delivery never silently shrinks a quarter already loaded: the April-only
    re-issue replaces April; May and June stay as the full quarter delivered them."""
    full = mini_raw / "police_recorded_crime_E06000045_2009-10_Q1.csv"
    load(con, full, "run1")
    april = _months_only(full, tmp_path / "police_recorded_crime_E06000045_2009-10_Q1.csv", 1)
    april.write_text(april.read_text().replace("44/000002/09", "44/000012/09"))
    outcome = load(con, april, "run2")
    assert outcome.replaced_rows == 2 and outcome.superseded_batches == (1,)
    assert [r[0] for r in police_rows(con)] == [
        "44/000001/09", "44/000003/09", "44/000004/09", "44/000012/09"]
    ledger = list_batches(con)
    assert ledger.set_index("batch_id").loc[1, "status"] == "partly superseded"


def _replaced_as_before(source, batch_id: int) -> str:
    """The rows a batch replaces, as ``load_batch`` matched them before the period bound
    (a correlated subquery per row; kept here as the oracle)."""
    table = source.table
    earlier = "batch_id in (select batch_id from load_batches where run_id <> ?)"
    keys = ("period_start", *source.replace_key)
    same = " and ".join(f'n."{k}" is not distinct from {table}."{k}"' for k in keys)
    if source.month_column:
        month = f'date_trunc(\'month\', {{t}}."{source.month_column}")'
        same += (f" and coalesce({month.format(t=table)}, {table}.period_start) <= "
                 f"(select max({month.format(t='m')}) from {table} as m where "
                 f"m.batch_id = {batch_id} and m.period_start = n.period_start)")
    return (f"{earlier} and exists (select 1 from {table} as n where n.batch_id = {batch_id} "
            f"and {same})")


@pytest.mark.parametrize("month_column", [None, "day"])
def test_the_rows_a_batch_replaces_are_those_the_unbounded_match_finds(month_column):
    """Slices by period and replace key, months up to each period's last, rows without a period
    (in the new batch or the old ones), several periods in one batch: the bounded match finds
    exactly the rows of the correlated one."""
    import dataclasses

    from scp_metrics.sources import SOURCES_BY_NAME
    from scp_metrics.warehouse.load import _replaced_rows

    source = dataclasses.replace(SOURCES_BY_NAME["police_uk_street"], name="t",
                                 month_column=month_column, replace_key=("force",))
    con = duckdb.connect()
    con.execute("create table load_batches (batch_id bigint, run_id varchar)")
    con.execute("create table raw_t (force varchar, day date, period_start date, "
                "batch_id bigint)")
    con.execute("insert into load_batches values (1, 'a'), (2, 'a'), (3, 'b'), (4, 'c'), "
                "(5, 'c'), (6, 'd')")
    q1, q2, q3 = date(2020, 1, 1), date(2020, 4, 1), date(2020, 7, 1)
    rows = []
    for batch, force, start, days in [
            (1, "A", q1, [1, 32, 61]), (1, "B", q1, [1, 45]), (1, None, None, [None, 5]),
            (2, "A", q2, [1, 40, 70]), (2, "A", q3, [5]), (2, None, q2, [3]),
            (3, "A", q1, [2]), (3, "B", q2, [None]),
            (4, "A", q1, [3, 33]), (4, "B", q1, [4]), (4, "A", q2, [1]), (4, None, q2, [2]),
            (5, "A", q3, [1]), (5, None, None, [None, 9]),
            (6, "B", q1, [None])]:
        for day in days:
            when = None if day is None else date(2020, 1, 1) + pd.Timedelta(days=day - 1)
            rows.append((force, when, start, batch))
    con.executemany("insert into raw_t values (?, ?, ?, ?)", rows)
    matched = []
    for batch, run in [(4, "c"), (5, "c"), (6, "d"), (2, "a"), (3, "b")]:
        where, params = _replaced_rows(con, source, batch, run)
        found = con.execute(f"select rowid from raw_t where {where} order by 1",
                            params).fetchall()
        expected = con.execute(f"select rowid from raw_t where {_replaced_as_before(source, batch)} "
                               "order by 1", [run]).fetchall()
        assert found == expected, (batch, month_column)
        matched.append(len(found))
    assert matched == ([8, 1, 0, 3, 2] if month_column else [11, 3, 3, 3, 5])  # counted by hand
    con.close()
